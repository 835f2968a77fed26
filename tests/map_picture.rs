//! The skill-map picture of the real course: it renders, at the announced size, and the cache
//! serves the same bytes for the same progress.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use quorum::course::load_catalog;
use quorum::discord::PictureCache;
use quorum::render::map_picture::MapPicture;
use quorum::study::{SkillMap, TopicState};
use resvg::tiny_skia::Pixmap;

fn real_map(learned: &[u32]) -> SkillMap {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("course");
    let catalog = load_catalog(&dir).expect("the course loads");
    let track = catalog.default_track().expect("a track").clone();
    let learned: HashSet<String> = learned
        .iter()
        .filter_map(|&n| track.topic_by_number(n))
        .map(|t| t.id.clone())
        .collect();
    SkillMap::compute(&track, &learned)
}

#[test]
fn the_real_track_renders() {
    let map = real_map(&[1, 2, 3, 5]);
    assert_eq!(map.state_of("consensus"), TopicState::Next);
    let picture = MapPicture::new();
    let svg = picture.svg(&map);
    for entry in map.entries() {
        let title = entry.topic.short_title.replace('&', "&amp;");
        assert!(svg.contains(&title), "{title} is drawn");
    }
    let png = picture.png(&map).unwrap();
    let pixmap = Pixmap::decode_png(&png).unwrap();
    assert_eq!((pixmap.width(), pixmap.height()), MapPicture::size(&map));
}

#[tokio::test]
async fn the_cache_keys_on_progress() {
    let cache = PictureCache::new(MapPicture::new());
    let a = cache.png(&real_map(&[1])).await.unwrap();
    let b = cache.png(&real_map(&[1])).await.unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    cache.png(&real_map(&[1, 5])).await.unwrap();
    assert_eq!(cache.len(), 2);
}
