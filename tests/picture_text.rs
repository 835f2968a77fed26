//! Every picture keeps its text inside its frame and readable on its fill, drawn with the
//! longest titles of the shipped track.
//!
//! The check reads the SVG each picture draws, not the drawing code's own idea of it: every
//! `<text>` is laid out alone by usvg with the same embedded fonts to find its inked box; its
//! frame is the smallest rectangle or circle drawn before it under its anchor point, and its
//! fill is what was painted there. The box must lie inside the frame, overlap no other text,
//! and its ink must reach a contrast of `MIN_CONTRAST` on the fill.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use quorum::course::{load_catalog, Track};
use quorum::ids::UserId;
use quorum::render::activity_picture::CommunityPictures;
use quorum::render::map_picture::{MapPicture, Rgb, MIN_CONTRAST};
use quorum::study::{GroupView, Progress, SkillMap, Stats, Streak, TopicShare};
use resvg::usvg::{self, roxmltree};

/// A box in picture pixels: left, top, right, bottom.
#[derive(Debug, Clone, Copy)]
struct Box4(f32, f32, f32, f32);

impl Box4 {
    fn holds(&self, x: f32, y: f32) -> bool {
        (self.0..=self.2).contains(&x) && (self.1..=self.3).contains(&y)
    }

    /// Whether `inner` lies inside, give or take half a pixel of anti-aliasing.
    fn contains(&self, inner: &Box4) -> bool {
        inner.0 >= self.0 - 0.5
            && inner.1 >= self.1 - 0.5
            && inner.2 <= self.2 + 0.5
            && inner.3 <= self.3 + 0.5
    }

    fn overlaps(&self, other: &Box4) -> bool {
        self.0 < other.2 - 0.5
            && other.0 < self.2 - 0.5
            && self.1 < other.3 - 0.5
            && other.1 < self.3 - 0.5
    }

    fn area(&self) -> f32 {
        (self.2 - self.0) * (self.3 - self.1)
    }
}

/// A filled rectangle or circle, in drawing order.
struct Shape {
    bounds: Box4,
    circle: bool,
    fill: Rgb,
    opacity: f32,
}

impl Shape {
    fn under(&self, x: f32, y: f32) -> bool {
        if self.circle {
            let r = (self.bounds.2 - self.bounds.0) / 2.0;
            let (cx, cy) = (self.bounds.0 + r, self.bounds.1 + r);
            (x - cx).powi(2) + (y - cy).powi(2) <= r * r
        } else {
            self.bounds.holds(x, y)
        }
    }
}

struct Label {
    text: String,
    inked: Box4,
    frame: Box4,
    ink: Rgb,
    fill: Rgb,
}

fn fonts() -> usvg::Options<'static> {
    let mut options = usvg::Options {
        font_family: "DejaVu Sans".to_owned(),
        ..usvg::Options::default()
    };
    let fonts = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts");
    for file in ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"] {
        let bytes = std::fs::read(fonts.join(file)).expect("the embedded font");
        options.fontdb_mut().load_font_data(bytes);
    }
    options
}

fn number(node: roxmltree::Node<'_, '_>, name: &str) -> f32 {
    node.attribute(name)
        .map(|v| v.parse().expect("a number"))
        .unwrap_or(0.0)
}

/// The texts of `svg`, each with its inked box, frame, ink and fill.
fn labels(svg: &str, options: &usvg::Options<'_>) -> Vec<Label> {
    let document = roxmltree::Document::parse(svg).expect("the picture is XML");
    let mut shapes: Vec<Shape> = Vec::new();
    let mut labels = Vec::new();
    for node in document.descendants().filter(|n| n.is_element()) {
        // The glow is blurred light, not a surface text stands on.
        let blurred = node.attribute("filter").is_some();
        let fill = node.attribute("fill").and_then(Rgb::parse);
        let opacity = number(node, "opacity").max(f32::from(node.attribute("opacity").is_none()));
        match node.tag_name().name() {
            "rect" if !blurred && fill.is_some() => {
                let (x, y) = (number(node, "x"), number(node, "y"));
                let (w, h) = (number(node, "width"), number(node, "height"));
                shapes.push(Shape {
                    bounds: Box4(x, y, x + w, y + h),
                    circle: false,
                    fill: fill.unwrap_or(Rgb(0, 0, 0)),
                    opacity,
                });
            }
            "circle" if fill.is_some() => {
                let (cx, cy, r) = (number(node, "cx"), number(node, "cy"), number(node, "r"));
                shapes.push(Shape {
                    bounds: Box4(cx - r, cy - r, cx + r, cy + r),
                    circle: true,
                    fill: fill.unwrap_or(Rgb(0, 0, 0)),
                    opacity,
                });
            }
            "text" => labels.push(label(svg, node, &shapes, options)),
            _ => {}
        }
    }
    labels
}

fn label(
    svg: &str,
    node: roxmltree::Node<'_, '_>,
    shapes: &[Shape],
    options: &usvg::Options<'_>,
) -> Label {
    let text: String = node.text().unwrap_or_default().to_owned();
    let probe = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="4000" font-family="DejaVu Sans">{}</svg>"#,
        &svg[node.range()]
    );
    let tree = usvg::Tree::from_str(&probe, options).expect("the text parses alone");
    let inked = tree.root().abs_bounding_box();
    let inked = Box4(inked.left(), inked.top(), inked.right(), inked.bottom());
    // The anchor: a point just inside where the text starts, at about half its x-height.
    let size = number(node, "font-size");
    let nudge = match node.attribute("text-anchor") {
        Some("end") => -1.0,
        Some("middle") => 0.0,
        _ => 1.0,
    };
    let (x, y) = (number(node, "x") + nudge, number(node, "y") - 0.3 * size);
    let under: Vec<&Shape> = shapes.iter().filter(|s| s.under(x, y)).collect();
    let frame = under
        .iter()
        .min_by(|a, b| a.bounds.area().total_cmp(&b.bounds.area()))
        .map(|s| s.bounds)
        .unwrap_or_else(|| panic!("“{text}” stands on nothing"));
    let fill = under
        .iter()
        .fold(Rgb(0, 0, 0), |below, s| below.under(s.fill, s.opacity));
    let ink = node
        .attribute("fill")
        .and_then(Rgb::parse)
        .unwrap_or_else(|| panic!("“{text}” has no ink of its own"));
    Label {
        text,
        inked,
        frame,
        ink,
        fill,
    }
}

/// Checks every text of `svg`; `what` names the picture in the failures.
fn assert_text_fits_and_reads(what: &str, svg: &str) {
    let options = fonts();
    let labels = labels(svg, &options);
    assert!(!labels.is_empty(), "{what}: no text found");
    let mut problems = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        let Label { text, inked, .. } = label;
        if !label.frame.contains(inked) {
            problems.push(format!("“{text}” {inked:?} leaves {:?}", label.frame));
        }
        let contrast = label.ink.contrast(label.fill);
        if contrast < MIN_CONTRAST {
            let (ink, fill) = (label.ink.hex(), label.fill.hex());
            problems.push(format!("“{text}”: {ink} on {fill} is {contrast:.2}"));
        }
        for other in &labels[i + 1..] {
            if inked.overlaps(&other.inked) {
                problems.push(format!("“{text}” overlaps “{}”", other.text));
            }
        }
    }
    assert!(problems.is_empty(), "{what}:\n{}", problems.join("\n"));
}

fn shipped_track() -> Arc<Track> {
    let catalog = load_catalog(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("course")
            .as_path(),
    )
    .expect("the course loads");
    Arc::clone(catalog.default_track().expect("a track"))
}

/// The shipped track with every topic and section named like its longest one.
fn longest_titles(track: &Track) -> Arc<Track> {
    let longest = |titles: Vec<&String>| {
        titles
            .into_iter()
            .max_by_key(|t| t.chars().count())
            .cloned()
            .unwrap_or_default()
    };
    let title = longest(track.topics.iter().map(|t| &t.title).collect());
    let short_title = longest(track.topics.iter().map(|t| &t.short_title).collect());
    let section = longest(track.sections.iter().map(|s| &s.title).collect());
    let mut long = track.clone();
    for topic in &mut long.topics {
        let topic = Arc::make_mut(topic);
        topic.title = title.clone();
        topic.short_title = short_title.clone();
    }
    for s in &mut long.sections {
        s.title = section.clone();
    }
    Arc::new(long)
}

/// Both tracks the pictures are checked with: the shipped one and its longest-titled twin.
fn tracks() -> [(&'static str, Arc<Track>); 2] {
    let shipped = shipped_track();
    let long = longest_titles(&shipped);
    [("shipped", shipped), ("longest titles", long)]
}

fn learned_ids(track: &Track, numbers: &[u32]) -> HashSet<String> {
    numbers
        .iter()
        .filter_map(|&n| track.topic_by_number(n))
        .map(|t| t.id.clone())
        .collect()
}

#[test]
fn map_text_fits_its_frames_and_reads_in_every_state() {
    for (name, track) in tracks() {
        // Learned, next, available and locked topics all appear.
        let map = SkillMap::compute(&track, &learned_ids(&track, &[1, 2, 3, 5]));
        let svg = MapPicture::new().svg(&map);
        assert_text_fits_and_reads(&format!("map of the {name} track"), &svg);
        let all: Vec<u32> = track.topics.iter().map(|t| t.number).collect();
        let done = SkillMap::compute(&track, &learned_ids(&track, &all));
        let svg = MapPicture::new().svg(&done);
        assert_text_fits_and_reads(&format!("finished map of the {name} track"), &svg);
    }
}

#[test]
fn group_text_fits_its_boxes_and_reads_at_every_share() {
    for (name, track) in tracks() {
        let members = track.topics.len() as u64;
        // Every share from nobody to everybody, one topic each.
        let topics = track
            .topics
            .iter()
            .enumerate()
            .map(|(i, topic)| TopicShare {
                topic: Arc::clone(topic),
                learned: i as u64 + 1,
            })
            .chain(track.topics.first().map(|topic| TopicShare {
                topic: Arc::clone(topic),
                learned: 0,
            }))
            .collect();
        let view = GroupView {
            track: Arc::clone(&track),
            members,
            topics,
        };
        let svg = CommunityPictures::new().group_svg(&view);
        assert_text_fits_and_reads(&format!("group picture of the {name} track"), &svg);
    }
}

#[test]
fn activity_text_fits_and_reads_with_the_longest_name() {
    let track = shipped_track();
    let stats = Stats {
        user: UserId(1),
        // Discord's longest display name.
        name: "W".repeat(32),
        track: Arc::clone(&track),
        learned: Progress {
            learned: 3,
            total: track.topics.len(),
        },
        accuracy: Vec::new(),
        points: Some((120, 4_000)),
        streak: Streak {
            current: 3,
            longest: 9,
        },
        reviews_due: 2,
        activity: (0..30).map(|day| (day * 37 % 11) as u32 * 100).collect(),
        today: NaiveDate::from_ymd_opt(2025, 3, 14).expect("a date"),
    };
    let svg = CommunityPictures::new().activity_svg(&stats);
    assert_text_fits_and_reads("activity chart", &svg);
}
