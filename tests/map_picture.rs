//! The skill-map picture of the real course: it renders, at the announced size; the cache
//! serves the same bytes for the same progress, and draws off the runtime.

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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

/// On a runtime with a single thread, another task still runs while a map is drawn: the
/// drawing is not on that thread. Drawn on the runtime, the picture would be done before
/// the other task ran once.
#[tokio::test(flavor = "current_thread")]
async fn drawing_a_map_lets_other_tasks_run() {
    let cache = PictureCache::new(MapPicture::new());
    let map = real_map(&[1, 2]);
    let (ticks, done) = (AtomicUsize::new(0), AtomicBool::new(false));
    let draw = async {
        let before = ticks.load(Ordering::SeqCst);
        let png = cache.png(&map).await;
        done.store(true, Ordering::SeqCst);
        (png, ticks.load(Ordering::SeqCst) - before)
    };
    let tick = async {
        while !done.load(Ordering::SeqCst) {
            ticks.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
        }
    };
    let ((png, ticks_while_drawing), ()) = tokio::join!(draw, tick);
    assert!(png.is_ok_and(|png| !png.is_empty()));
    assert!(
        ticks_while_drawing > 0,
        "the runtime was held while drawing"
    );
}

#[tokio::test]
async fn cache_shares_pictures_per_learned_set() {
    let cache = PictureCache::new(MapPicture::new());
    assert!(cache.is_empty());
    let a = cache.png(&real_map(&[1])).await.unwrap();
    let b = cache.png(&real_map(&[1])).await.unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(cache.len(), 1);
    let c = cache.png(&real_map(&[1, 5])).await.unwrap();
    assert!(!Arc::ptr_eq(&a, &c));
    assert_eq!(cache.len(), 2);
}

#[tokio::test]
async fn cache_is_bounded() {
    let cache = PictureCache::with_capacity(MapPicture::new(), 2);
    let first = cache.png(&real_map(&[])).await.unwrap();
    cache.png(&real_map(&[1])).await.unwrap();
    // Touch the first so the second is the least recently used.
    assert!(Arc::ptr_eq(
        &first,
        &cache.png(&real_map(&[])).await.unwrap()
    ));
    cache.png(&real_map(&[1, 2])).await.unwrap();
    assert_eq!(cache.len(), 2);
    assert!(Arc::ptr_eq(
        &first,
        &cache.png(&real_map(&[])).await.unwrap()
    ));
}
