//! The map picture as a whole: its size, its bytes, its states, its arrows and its escaping.

use std::collections::HashSet;
use std::sync::Arc;

use resvg::tiny_skia;

use super::layout::Layout;
use super::svg::escape;
use super::MapPicture;
use crate::course::{Insight, Level, Section, Topic, Track};
use crate::study::{SkillMap, TopicState};

fn topic(number: u32, id: &str, short_title: &str, requires: &[&str]) -> Arc<Topic> {
    Arc::new(Topic {
        id: id.to_owned(),
        number,
        title: short_title.to_owned(),
        short_title: short_title.to_owned(),
        level: Level::Beginner,
        minutes: 10,
        requires: requires.iter().map(|r| r.to_string()).collect(),
        aliases: Vec::new(),
        hook: String::new(),
        summary: String::new(),
        key_points: Vec::new(),
        further_reading: Vec::new(),
        quiz: Vec::new(),
    })
}

fn track(title: &str, first_short_title: &str) -> Arc<Track> {
    let topics = vec![
        topic(1, "basics", first_short_title, &[]),
        topic(2, "middle", "The middle", &["basics"]),
        topic(3, "side", "A side road", &["basics"]),
        topic(4, "far", "Far away", &["middle", "side"]),
        topic(5, "end", "The very end", &["far"]),
    ];
    Arc::new(Track {
        id: "sample".to_owned(),
        title: title.to_owned(),
        subject: "Testing".to_owned(),
        tagline: String::new(),
        description: String::new(),
        sections: vec![
            Section {
                id: "one".to_owned(),
                title: "One".to_owned(),
                summary: String::new(),
                topics: vec!["basics".into(), "middle".into(), "side".into()],
            },
            Section {
                id: "two".to_owned(),
                title: "Two".to_owned(),
                summary: String::new(),
                topics: vec!["far".into(), "end".into()],
            },
        ],
        topics,
        insight: Insight {
            title: String::new(),
            body: String::new(),
        },
    })
}

fn map_of(track: &Arc<Track>, learned: &[&str]) -> SkillMap {
    let learned: HashSet<String> = learned.iter().map(|s| s.to_string()).collect();
    SkillMap::compute(track, &learned)
}

fn decode(png: &[u8]) -> tiny_skia::Pixmap {
    tiny_skia::Pixmap::decode_png(png).expect("a valid PNG")
}

/// The colour at a pixel, as RGBA.
fn pixel(pixmap: &tiny_skia::Pixmap, x: f32, y: f32) -> [u8; 4] {
    let c = pixmap
        .pixel(x as u32, y as u32)
        .expect("inside the picture");
    [c.red(), c.green(), c.blue(), c.alpha()]
}

#[test]
fn renders_a_png_of_the_announced_size() {
    let picture = MapPicture::new();
    let map = map_of(&track("Sample", "First steps"), &["basics"]);
    let png = picture.png(&map).unwrap();
    assert!(png.starts_with(&[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n']));
    let pixmap = decode(&png);
    let (width, height) = MapPicture::size(&map);
    assert_eq!((pixmap.width(), pixmap.height()), (width, height));
    assert_eq!(width, MapPicture::WIDTH);
    assert!(height > 300 && height < 2000, "height {height}");
}

#[test]
fn the_same_map_gives_the_same_bytes() {
    let picture = MapPicture::new();
    let track = track("Sample", "First steps");
    let a = picture.png(&map_of(&track, &["basics", "side"])).unwrap();
    let b = MapPicture::new()
        .png(&map_of(&track, &["side", "basics"]))
        .unwrap();
    assert_eq!(a, b);
}

#[test]
fn text_is_really_drawn() {
    let picture = MapPicture::new();
    let a = picture
        .png(&map_of(&track("Sample", "First steps"), &[]))
        .unwrap();
    let b = picture
        .png(&map_of(&track("Sample", "Other words"), &[]))
        .unwrap();
    assert_ne!(decode(&a).data(), decode(&b).data());
}

#[test]
fn states_look_different() {
    let picture = MapPicture::new();
    let track = track("Sample", "First steps");
    let map = map_of(&track, &["basics"]);
    assert_eq!(map.state_of("basics"), TopicState::Learned);
    assert_eq!(map.state_of("middle"), TopicState::Next);
    assert_eq!(map.state_of("side"), TopicState::Available);
    assert_eq!(map.state_of("far"), TopicState::Locked);
    let svg = picture.svg(&map);
    for class in ["node learned", "node next", "node available", "node locked"] {
        assert!(svg.contains(class), "missing {class}");
    }
    assert!(svg.contains(r#"filter="url(#glow)""#));
    assert!(svg.contains(">NEXT</text>"));

    let layout = Layout::of(&map);
    let pixmap = decode(&picture.png(&map).unwrap());
    // Just right of the title's end: plain node fill.
    let fill_at = |id: &str| {
        let node = layout
            .nodes
            .iter()
            .find(|n| n.entry.topic.id == id)
            .unwrap();
        pixel(&pixmap, node.x + node.w - 40.0, node.cy() + 14.0)
    };
    let learned = fill_at("basics");
    let locked = fill_at("far");
    assert_ne!(learned, locked);
    assert!(learned[1] > 200, "learned is lit green: {learned:?}");
    assert!(locked[1] < 80, "locked is dim: {locked:?}");
}

#[test]
fn texts_are_escaped() {
    let picture = MapPicture::new();
    let map = map_of(&track("Cats & <Dogs> \"quoted\" 'too'", "R&D <fast>"), &[]);
    let svg = picture.svg(&map);
    assert!(svg.contains("Cats &amp; &lt;Dogs&gt; &quot;quoted&quot; &apos;too&apos;"));
    assert!(svg.contains("R&amp;D &lt;fast&gt;"));
    assert!(!svg.contains("R&D"));
    // And it still parses and renders.
    picture.png(&map).unwrap();
    assert_eq!(escape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
}

#[test]
fn arrows_follow_requires() {
    let picture = MapPicture::new();
    let map = map_of(&track("Sample", "First steps"), &["basics"]);
    let layout = Layout::of(&map);
    // basics->middle, basics->side, middle->far, side->far, far->end
    assert_eq!(layout.edges.len(), 5);
    let svg = picture.svg(&map);
    assert_eq!(svg.matches(r#"class="edge "#).count(), 5);
    // Into the learned... none; into next (middle): gold; into side (available): open.
    assert_eq!(svg.matches(r#"class="edge next""#).count(), 1);
    assert_eq!(svg.matches(r#"class="edge open""#).count(), 1);
    assert_eq!(svg.matches(r#"class="edge locked""#).count(), 3);
}

#[test]
fn an_empty_track_still_renders() {
    let mut empty = (*track("Empty", "x")).clone();
    empty.sections.clear();
    empty.topics.clear();
    let map = map_of(&Arc::new(empty), &[]);
    let picture = MapPicture::new();
    assert!(picture.svg(&map).contains("No topics yet"));
    let pixmap = decode(&picture.png(&map).unwrap());
    assert_eq!(pixmap.width(), MapPicture::WIDTH);
}

#[test]
fn pictures_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<MapPicture>();
}
