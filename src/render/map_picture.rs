//! The skill-map picture: a track's sections as columns of topic nodes joined by `requires`
//! arrows, drawn as an SVG document and rendered to PNG with resvg.
//!
//! Learned topics are lit green, the next step glows gold, open topics are plain outlines and
//! locked ones are dimmed. The fonts are embedded: the picture never depends on the machine's
//! fonts, and the same map always gives the same bytes.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use resvg::tiny_skia;
use resvg::usvg;

use crate::study::{SkillMap, TopicEntry, TopicState};

const FONT_REGULAR: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans.ttf"
));
const FONT_BOLD: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans-Bold.ttf"
));
pub(crate) const FAMILY: &str = "DejaVu Sans";

// Palette: Discord's dark theme.
pub(super) const BACKGROUND: &str = "#1e1f22";
pub(super) const PANEL: &str = "#2b2d31";
const PANEL_EDGE: &str = "#35373c";
pub(super) const TEXT: &str = "#f2f3f5";
pub(super) const MUTED: &str = "#b5bac1";
const FAINT: &str = "#80848e";
pub(super) const TRACK_BAR: &str = "#3f4147";
const LOCK_EDGE: &str = "#4e5058";
pub(super) const GREEN: &str = "#57f287";
const GREEN_INK: &str = "#0b2a16";
const GOLD: &str = "#fee75c";
const GOLD_INK: &str = "#2b2508";

// Geometry, in pixels of the full-size picture.
const MARGIN: f32 = 32.0;
const PANEL_GAP: f32 = 48.0;
const PANEL_PAD: f32 = 18.0;
const PANEL_TOP: f32 = 128.0;
/// From the top of a panel to the top of its first node.
const PANEL_HEAD: f32 = 86.0;
const NODE_H: f32 = 64.0;
const ROW_GAP: f32 = 40.0;
const NODE_RADIUS: f32 = 12.0;
/// Left part of a node taken by the number circle.
const NUMBER_SPACE: f32 = 58.0;
const TITLE_SIZE: f32 = 21.0;
/// Below this, titles wrap onto two lines rather than shrink further.
const TITLE_WRAP_SIZE: f32 = 18.0;
const TITLE_MIN_SIZE: f32 = 15.0;
const LEGEND_SPACE: f32 = 84.0;

fn svg_options(fontdb: &Arc<usvg::fontdb::Database>) -> usvg::Options<'static> {
    usvg::Options {
        font_family: FAMILY.to_owned(),
        fontdb: Arc::clone(fontdb),
        ..usvg::Options::default()
    }
}

/// Renders an SVG document of Quorum's to PNG bytes with the embedded fonts only.
pub(crate) fn render_png(
    svg: &str,
    fontdb: &Arc<usvg::fontdb::Database>,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, PictureError> {
    let tree = usvg::Tree::from_str(svg, &svg_options(fontdb))?;
    let mut pixmap =
        tiny_skia::Pixmap::new(width, height).ok_or(PictureError::Size { width, height })?;
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| PictureError::Encode(e.to_string()))
}

/// The embedded DejaVu Sans fonts as a font database, for every picture Quorum draws. Parsed
/// on the first picture and shared by all from then on, reading the bytes where the binary
/// holds them: a bot that has not drawn yet keeps neither the fonts nor their parser in memory.
pub(crate) fn embedded_fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    let fonts = FONTS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        for font in [FONT_REGULAR, FONT_BOLD] {
            db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(font)));
        }
        db.set_sans_serif_family(FAMILY);
        db.set_serif_family(FAMILY);
        db.set_monospace_family(FAMILY);
        db.set_cursive_family(FAMILY);
        db.set_fantasy_family(FAMILY);
        Arc::new(db)
    });
    Arc::clone(fonts)
}

/// Draws skill maps with the embedded fonts (see [`embedded_fonts`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct MapPicture;

#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    #[error("the skill-map SVG did not parse: {0}")]
    Svg(#[from] usvg::Error),
    #[error("cannot allocate a {width}x{height} picture")]
    Size { width: u32, height: u32 },
    #[error("cannot encode the skill-map PNG: {0}")]
    Encode(String),
}

impl MapPicture {
    /// Width of every picture; the height grows with the longest section (see [`Self::size`]).
    pub const WIDTH: u32 = 1200;

    /// Draws with the embedded DejaVu Sans fonts (and never the system's), loaded on first use.
    pub fn new() -> Self {
        Self
    }

    /// The picture's size in pixels: [`Self::WIDTH`] wide, as tall as the longest section needs.
    pub fn size(map: &SkillMap) -> (u32, u32) {
        let rows = map
            .sections
            .iter()
            .map(|s| s.topics.len())
            .max()
            .unwrap_or(0)
            .max(1);
        let height = legend_top(rows) + LEGEND_SPACE;
        (Self::WIDTH, height.ceil() as u32)
    }

    fn options(&self) -> usvg::Options<'static> {
        svg_options(&embedded_fonts())
    }

    /// The SVG document of the map.
    pub fn svg(&self, map: &SkillMap) -> String {
        let layout = Layout::of(map);
        let mut svg = String::with_capacity(24 * 1024);
        let (width, height) = Self::size(map);
        w(
            &mut svg,
            format_args!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="{FAMILY}">"#
            ),
        );
        self.defs(&mut svg);
        w(
            &mut svg,
            format_args!(r#"<rect width="{width}" height="{height}" fill="{BACKGROUND}"/>"#),
        );
        self.header(&mut svg, map);
        self.panels(&mut svg, map, &layout);
        // Glows first, then the arrows, then the nodes on top: arrows run behind nodes.
        for node in &layout.nodes {
            if node.entry.state == TopicState::Next {
                let (x, y, nw, nh) = (node.x, node.y, node.w, NODE_H);
                w(
                    &mut svg,
                    format_args!(
                        r#"<rect x="{x:.1}" y="{y:.1}" width="{nw:.1}" height="{nh:.1}" rx="{NODE_RADIUS}" fill="{GOLD}" opacity="0.55" filter="url(#glow)"/>"#
                    ),
                );
            }
        }
        edges(&mut svg, &layout);
        let title_size = self.title_size(&layout);
        for node in &layout.nodes {
            self.node(&mut svg, node, title_size);
        }
        self.legend(&mut svg, map);
        svg.push_str("</svg>\n");
        svg
    }

    /// The map rendered to PNG bytes.
    pub fn png(&self, map: &SkillMap) -> Result<Vec<u8>, PictureError> {
        let (width, height) = Self::size(map);
        render_png(&self.svg(map), &embedded_fonts(), width, height)
    }

    /// The inked width of `text` at `size` px, measured by laying it out with the embedded fonts.
    fn text_width(&self, text: &str, size: f32, bold: bool) -> f32 {
        if text.trim().is_empty() {
            return 0.0;
        }
        let weight = if bold { "bold" } else { "normal" };
        let probe = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><text x="0" y="50" font-family="{FAMILY}" font-size="{size}" font-weight="{weight}">{}</text></svg>"#,
            escape(text)
        );
        usvg::Tree::from_str(&probe, &self.options())
            .map(|tree| tree.root().bounding_box().width())
            .unwrap_or(text.chars().count() as f32 * size * 0.62)
    }

    /// Shrinks `text` from `size` down to `min_size` px to fit `max_width`, then cuts it with an
    /// ellipsis if even that is too wide. Returns the text and the size to draw it at.
    fn fit(
        &self,
        text: &str,
        max_width: f32,
        size: f32,
        min_size: f32,
        bold: bool,
    ) -> (String, f32) {
        let width = self.text_width(text, size, bold);
        if width <= max_width {
            return (text.to_owned(), size);
        }
        let scaled = (size * max_width / width * 2.0).floor() / 2.0;
        if scaled >= min_size {
            return (text.to_owned(), scaled);
        }
        let mut chars: Vec<char> = text.chars().collect();
        while !chars.is_empty() {
            chars.pop();
            let cut = format!("{}…", chars.iter().collect::<String>().trim_end());
            if self.text_width(&cut, min_size, bold) <= max_width {
                return (cut, min_size);
            }
        }
        (String::new(), min_size)
    }

    fn defs(&self, svg: &mut String) {
        svg.push_str("<defs>");
        svg.push_str(
            r#"<filter id="glow" x="-50%" y="-100%" width="200%" height="300%"><feGaussianBlur stdDeviation="9"/></filter>"#,
        );
        for style in EdgeStyle::ALL {
            w(
                svg,
                format_args!(
                    r#"<marker id="arrow-{}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="{m}" markerHeight="{m}" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,1 L10,5 L0,9 Z" fill="{}"/></marker>"#,
                    style.name(),
                    style.colour(),
                    m = style.head(),
                ),
            );
        }
        svg.push_str("</defs>");
    }

    fn header(&self, svg: &mut String, map: &SkillMap) {
        let width = Self::WIDTH as f32;
        let right = width - MARGIN;
        let stats_width = 300.0;
        let (title, title_size) = self.fit(
            &map.track.title,
            width - 2.0 * MARGIN - stats_width - 24.0,
            34.0,
            24.0,
            true,
        );
        w(
            svg,
            format_args!(
                r#"<text x="{MARGIN}" y="66" font-size="{title_size}" font-weight="bold" fill="{TEXT}">{}</text>"#,
                escape(&title)
            ),
        );
        let subtitle = if map.track.subject.trim().is_empty() {
            "Skill map".to_owned()
        } else {
            format!("{} · skill map", map.track.subject.trim())
        };
        let (subtitle, subtitle_size) = self.fit(
            &subtitle,
            width - 2.0 * MARGIN - stats_width - 24.0,
            20.0,
            16.0,
            false,
        );
        w(
            svg,
            format_args!(
                r#"<text x="{MARGIN}" y="100" font-size="{subtitle_size}" fill="{MUTED}">{}</text>"#,
                escape(&subtitle)
            ),
        );

        // Overall progress on the right: "4 / 12 learned", a bar and the percentage.
        let total = map.total;
        let colour = if total.is_complete() { GREEN } else { TEXT };
        w(
            svg,
            format_args!(
                r#"<text x="{right}" y="62" font-size="20" fill="{MUTED}" text-anchor="end">learned</text>"#
            ),
        );
        w(
            svg,
            format_args!(
                r#"<text x="{:.1}" y="62" font-size="30" font-weight="bold" fill="{colour}" text-anchor="end">{} / {}</text>"#,
                right - self.text_width("learned", 20.0, false) - 10.0,
                total.learned,
                total.total
            ),
        );
        let bar_x = right - stats_width + 60.0;
        let bar_w = stats_width - 60.0;
        let filled = bar_w * fraction(total.learned, total.total);
        w(
            svg,
            format_args!(
                r#"<rect x="{bar_x:.1}" y="84" width="{bar_w:.1}" height="10" rx="5" fill="{TRACK_BAR}"/>"#
            ),
        );
        if filled > 0.0 {
            w(
                svg,
                format_args!(
                    r#"<rect x="{bar_x:.1}" y="84" width="{:.1}" height="10" rx="5" fill="{GREEN}"/>"#,
                    filled.max(10.0)
                ),
            );
        }
        w(
            svg,
            format_args!(
                r#"<text x="{:.1}" y="94" font-size="17" font-weight="bold" fill="{MUTED}" text-anchor="end">{}%</text>"#,
                bar_x - 10.0,
                total.percent()
            ),
        );
    }

    fn panels(&self, svg: &mut String, map: &SkillMap, layout: &Layout) {
        let bottom = layout.panel_bottom;
        if map.sections.is_empty() {
            w(
                svg,
                format_args!(
                    r#"<text x="{}" y="{:.1}" font-size="22" fill="{FAINT}" text-anchor="middle">No topics yet</text>"#,
                    Self::WIDTH / 2,
                    PANEL_TOP + 60.0
                ),
            );
            return;
        }
        for (section, column) in map.sections.iter().zip(&layout.columns) {
            let (x, pw) = (column.x, column.w);
            let ph = bottom - PANEL_TOP;
            w(
                svg,
                format_args!(
                    r#"<rect x="{x:.1}" y="{PANEL_TOP}" width="{pw:.1}" height="{ph:.1}" rx="16" fill="{PANEL}" stroke="{PANEL_EDGE}" stroke-width="1"/>"#
                ),
            );
            let progress = section.progress;
            let count = format!("{}/{}", progress.learned, progress.total);
            let count_colour = if progress.is_complete() { GREEN } else { MUTED };
            let count_width = self.text_width(&count, 19.0, true);
            let inner_x = x + PANEL_PAD;
            let inner_w = pw - 2.0 * PANEL_PAD;
            let (title, title_size) = self.fit(
                &section.title.to_uppercase(),
                inner_w - count_width - 16.0,
                19.0,
                14.0,
                true,
            );
            let baseline = PANEL_TOP + 42.0;
            w(
                svg,
                format_args!(
                    r#"<text x="{inner_x:.1}" y="{baseline:.1}" font-size="{title_size}" font-weight="bold" letter-spacing="0.5" fill="{TEXT}">{}</text>"#,
                    escape(&title)
                ),
            );
            w(
                svg,
                format_args!(
                    r#"<text x="{:.1}" y="{baseline:.1}" font-size="19" font-weight="bold" fill="{count_colour}" text-anchor="end">{count}</text>"#,
                    inner_x + inner_w
                ),
            );
            let bar_y = PANEL_TOP + 56.0;
            w(
                svg,
                format_args!(
                    r#"<rect x="{inner_x:.1}" y="{bar_y:.1}" width="{inner_w:.1}" height="6" rx="3" fill="{TRACK_BAR}"/>"#
                ),
            );
            let filled = inner_w * fraction(progress.learned, progress.total);
            if filled > 0.0 {
                w(
                    svg,
                    format_args!(
                        r#"<rect x="{inner_x:.1}" y="{bar_y:.1}" width="{:.1}" height="6" rx="3" fill="{GREEN}"/>"#,
                        filled.max(6.0)
                    ),
                );
            }
        }
    }

    /// One title size for every node: the largest at which all titles fit on one line, but
    /// never below [`TITLE_WRAP_SIZE`]; titles still too long then wrap.
    fn title_size(&self, layout: &Layout<'_>) -> f32 {
        let mut size = TITLE_SIZE;
        for node in &layout.nodes {
            let width = self.text_width(&node.entry.topic.short_title, TITLE_SIZE, false);
            if width > 0.0 {
                size = size.min(TITLE_SIZE * title_room(node.w) / width);
            }
        }
        ((size * 2.0).floor() / 2.0).clamp(TITLE_WRAP_SIZE, TITLE_SIZE)
    }

    /// `text` as one or two lines that fit `max_width`, at `size` or smaller (down to
    /// [`TITLE_MIN_SIZE`]); the second line is cut with an ellipsis as a last resort.
    fn title_lines(&self, text: &str, max_width: f32, size: f32) -> (Vec<String>, f32) {
        let text = text.trim();
        if self.text_width(text, size, false) <= max_width {
            return (vec![text.to_owned()], size);
        }
        let words: Vec<&str> = text.split_whitespace().collect();
        let mut candidate = size;
        while candidate >= TITLE_MIN_SIZE {
            // The split whose longer line is the shortest.
            let best = (1..words.len())
                .map(|cut| {
                    let a = words[..cut].join(" ");
                    let b = words[cut..].join(" ");
                    let widest = self
                        .text_width(&a, candidate, false)
                        .max(self.text_width(&b, candidate, false));
                    (widest, a, b)
                })
                .min_by(|x, y| x.0.total_cmp(&y.0));
            if let Some((widest, a, b)) = best {
                if widest <= max_width {
                    return (vec![a, b], candidate);
                }
            }
            candidate -= 1.0;
        }
        // Too long even on two lines: first words on line one, the rest cut.
        let size = TITLE_MIN_SIZE;
        let mut first = String::new();
        let mut rest = words.as_slice();
        while let Some((word, tail)) = rest.split_first() {
            let longer = if first.is_empty() {
                (*word).to_owned()
            } else {
                format!("{first} {word}")
            };
            if self.text_width(&longer, size, false) > max_width {
                break;
            }
            first = longer;
            rest = tail;
        }
        if first.is_empty() {
            let (cut, _) = self.fit(text, max_width, size, size, false);
            return (vec![cut], size);
        }
        let (second, _) = self.fit(&rest.join(" "), max_width, size, size, false);
        (vec![first, second], size)
    }

    fn node(&self, svg: &mut String, node: &NodeBox<'_>, title_size: f32) {
        let topic = &node.entry.topic;
        let (x, y, nw, nh) = (node.x, node.y, node.w, NODE_H);
        let cy = y + nh / 2.0;
        let style = NodeStyle::of(node.entry.state);
        w(
            svg,
            format_args!(
                r#"<g class="node {}" data-topic="{}">"#,
                style.class, topic.number
            ),
        );
        // An opaque base first, so arrows stay hidden behind even a translucent node.
        w(
            svg,
            format_args!(
                r#"<rect x="{x:.1}" y="{y:.1}" width="{nw:.1}" height="{nh:.1}" rx="{NODE_RADIUS}" fill="{PANEL}"/>"#
            ),
        );
        let dash = if node.entry.state == TopicState::Locked {
            r#" stroke-dasharray="7 5""#
        } else {
            ""
        };
        w(
            svg,
            format_args!(
                r#"<rect x="{x:.1}" y="{y:.1}" width="{nw:.1}" height="{nh:.1}" rx="{NODE_RADIUS}" fill="{}" stroke="{}" stroke-width="{}"{dash}/>"#,
                style.fill, style.stroke, style.stroke_width
            ),
        );
        // The number in its circle.
        let (ncx, r) = (x + 30.0, 17.0);
        w(
            svg,
            format_args!(
                r#"<circle cx="{ncx:.1}" cy="{cy:.1}" r="{r}" fill="{}" stroke="{}" stroke-width="2"/>"#,
                style.number_fill, style.number_stroke
            ),
        );
        let number = topic.number.to_string();
        let number_size = if number.len() > 2 { 13.0 } else { 17.0 };
        w(
            svg,
            format_args!(
                r#"<text x="{ncx:.1}" y="{:.1}" font-size="{number_size}" font-weight="bold" fill="{}" text-anchor="middle">{number}</text>"#,
                cy + number_size * 0.36,
                style.number_ink
            ),
        );
        // The short title: on one line if it fits, else on two.
        let title_x = x + NUMBER_SPACE;
        let (lines, size) = self.title_lines(&topic.short_title, title_room(nw), title_size);
        let line_height = size * 1.15;
        let first = cy - line_height * (lines.len() as f32 - 1.0) / 2.0 + size * 0.36;
        for (i, line) in lines.iter().enumerate() {
            w(
                svg,
                format_args!(
                    r#"<text x="{title_x:.1}" y="{:.1}" font-size="{size}" fill="{}">{}</text>"#,
                    first + i as f32 * line_height,
                    style.title_ink,
                    escape(line)
                ),
            );
        }
        // The state badge, astride the top border at the right.
        let bx = x + nw - 22.0;
        match node.entry.state {
            TopicState::Learned => w(
                svg,
                format_args!(
                    r#"<circle cx="{bx:.1}" cy="{y:.1}" r="12" fill="{PANEL}" stroke="{GREEN}" stroke-width="2.5"/><path d="M{:.1},{:.1} l3.6,3.8 l7,-8" fill="none" stroke="{GREEN}" stroke-width="2.8" stroke-linecap="round" stroke-linejoin="round"/>"#,
                    bx - 5.3,
                    y + 0.4
                ),
            ),
            TopicState::Next => {
                let tag_w = 62.0;
                w(
                    svg,
                    format_args!(
                        r#"<rect x="{:.1}" y="{:.1}" width="{tag_w}" height="22" rx="11" fill="{GOLD}" stroke="{PANEL}" stroke-width="2"/><text x="{:.1}" y="{:.1}" font-size="13" font-weight="bold" letter-spacing="1" fill="{GOLD_INK}" text-anchor="middle">NEXT</text>"#,
                        x + nw - tag_w - 10.0,
                        y - 11.0,
                        x + nw - tag_w / 2.0 - 10.0 + 0.5,
                        y + 4.7
                    ),
                );
            }
            TopicState::Available => {}
            TopicState::Locked => w(
                svg,
                format_args!(
                    r#"<circle cx="{bx:.1}" cy="{y:.1}" r="12" fill="{PANEL}" stroke="{LOCK_EDGE}" stroke-width="2"/><path d="M{:.1},{:.1} v-2.6 a3.2,3.2 0 0 1 6.4,0 v2.6" fill="none" stroke="{FAINT}" stroke-width="1.8"/><rect x="{:.1}" y="{:.1}" width="10" height="7.5" rx="1.5" fill="{FAINT}"/>"#,
                    bx - 3.2,
                    y - 0.6,
                    bx - 5.0,
                    y - 1.0
                ),
            ),
        }
        svg.push_str("</g>");
    }

    fn legend(&self, svg: &mut String, map: &SkillMap) {
        let rows = map
            .sections
            .iter()
            .map(|s| s.topics.len())
            .max()
            .unwrap_or(0)
            .max(1);
        let cy = legend_top(rows) + 34.0;
        let mut x = MARGIN;
        let size = 18.0;
        for state in [
            TopicState::Learned,
            TopicState::Next,
            TopicState::Available,
            TopicState::Locked,
        ] {
            let style = NodeStyle::of(state);
            let (sw, sh) = (34.0, 22.0);
            let sy = cy - sh / 2.0;
            if state == TopicState::Next {
                w(
                    svg,
                    format_args!(
                        r#"<rect x="{x:.1}" y="{sy:.1}" width="{sw}" height="{sh}" rx="6" fill="{GOLD}" opacity="0.6" filter="url(#glow)"/>"#
                    ),
                );
            }
            let dash = if state == TopicState::Locked {
                r#" stroke-dasharray="5 3""#
            } else {
                ""
            };
            w(
                svg,
                format_args!(
                    r#"<rect class="legend {}" x="{x:.1}" y="{sy:.1}" width="{sw}" height="{sh}" rx="6" fill="{}" stroke="{}" stroke-width="{}"{dash}/>"#,
                    style.class,
                    style.fill,
                    style.stroke,
                    style.stroke_width.min(2.5)
                ),
            );
            let label = style.label;
            w(
                svg,
                format_args!(
                    r#"<text x="{:.1}" y="{:.1}" font-size="{size}" fill="{MUTED}">{label}</text>"#,
                    x + sw + 10.0,
                    cy + size * 0.36
                ),
            );
            x += sw + 10.0 + self.text_width(label, size, false) + 32.0;
        }
        // How to read an arrow.
        let style = EdgeStyle::Open;
        w(
            svg,
            format_args!(
                r#"<path d="M{x:.1},{cy:.1} h40" stroke="{}" stroke-width="{}" fill="none" marker-end="url(#arrow-{})"/>"#,
                style.colour(),
                style.width(),
                style.name()
            ),
        );
        w(
            svg,
            format_args!(
                r#"<text x="{:.1}" y="{:.1}" font-size="{size}" fill="{MUTED}">learn this first</text>"#,
                x + 50.0,
                cy + size * 0.36
            ),
        );
        w(
            svg,
            format_args!(
                r#"<text x="{:.1}" y="{:.1}" font-size="{size}" font-weight="bold" fill="{FAINT}" text-anchor="end">Quorum</text>"#,
                Self::WIDTH as f32 - MARGIN,
                cy + size * 0.36
            ),
        );
    }
}

/// The width a node's title may take.
fn title_room(node_width: f32) -> f32 {
    node_width - NUMBER_SPACE - 14.0
}

fn legend_top(rows: usize) -> f32 {
    panel_bottom(rows)
}

fn panel_bottom(rows: usize) -> f32 {
    let rows = rows.max(1) as f32;
    PANEL_TOP + PANEL_HEAD + rows * NODE_H + (rows - 1.0) * ROW_GAP + 26.0
}

fn fraction(part: usize, whole: usize) -> f32 {
    if whole == 0 {
        0.0
    } else {
        (part as f32 / whole as f32).clamp(0.0, 1.0)
    }
}

/// Appends formatted text; writing to a `String` cannot fail.
fn w(svg: &mut String, args: std::fmt::Arguments<'_>) {
    let _ = svg.write_fmt(args);
}

/// Escapes the five XML special characters.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

struct NodeStyle {
    class: &'static str,
    label: &'static str,
    fill: &'static str,
    stroke: &'static str,
    stroke_width: f32,
    number_fill: &'static str,
    number_stroke: &'static str,
    number_ink: &'static str,
    title_ink: &'static str,
}

impl NodeStyle {
    fn of(state: TopicState) -> Self {
        match state {
            TopicState::Learned => NodeStyle {
                class: "learned",
                label: "Learned",
                fill: GREEN,
                stroke: GREEN,
                stroke_width: 2.0,
                number_fill: GREEN_INK,
                number_stroke: GREEN_INK,
                number_ink: GREEN,
                title_ink: GREEN_INK,
            },
            TopicState::Next => NodeStyle {
                class: "next",
                label: "Next up",
                fill: "#3a3623",
                stroke: GOLD,
                stroke_width: 3.0,
                number_fill: GOLD,
                number_stroke: GOLD,
                number_ink: GOLD_INK,
                title_ink: TEXT,
            },
            TopicState::Available => NodeStyle {
                class: "available",
                label: "Available",
                fill: "#383a40",
                stroke: "#80848e",
                stroke_width: 2.0,
                number_fill: "#2b2d31",
                number_stroke: MUTED,
                number_ink: TEXT,
                title_ink: TEXT,
            },
            TopicState::Locked => NodeStyle {
                class: "locked",
                label: "Locked",
                fill: "#26272b",
                stroke: "#4e5058",
                stroke_width: 2.0,
                number_fill: "#26272b",
                number_stroke: "#4e5058",
                number_ink: "#80848e",
                title_ink: "#80848e",
            },
        }
    }
}

/// How an arrow is drawn, by the state of the topic it points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum EdgeStyle {
    Locked,
    Open,
    Next,
    Learned,
}

impl EdgeStyle {
    const ALL: [EdgeStyle; 4] = [
        EdgeStyle::Locked,
        EdgeStyle::Open,
        EdgeStyle::Next,
        EdgeStyle::Learned,
    ];

    fn of(target: TopicState) -> Self {
        match target {
            TopicState::Learned => EdgeStyle::Learned,
            TopicState::Next => EdgeStyle::Next,
            TopicState::Available => EdgeStyle::Open,
            TopicState::Locked => EdgeStyle::Locked,
        }
    }

    fn name(self) -> &'static str {
        match self {
            EdgeStyle::Locked => "locked",
            EdgeStyle::Open => "open",
            EdgeStyle::Next => "next",
            EdgeStyle::Learned => "learned",
        }
    }

    fn colour(self) -> &'static str {
        match self {
            EdgeStyle::Locked => "#54565e",
            EdgeStyle::Open => "#8e929b",
            EdgeStyle::Next => "#d9c24c",
            EdgeStyle::Learned => "#3fbf68",
        }
    }

    fn width(self) -> f32 {
        match self {
            EdgeStyle::Locked => 2.0,
            EdgeStyle::Open => 2.2,
            EdgeStyle::Next | EdgeStyle::Learned => 2.6,
        }
    }

    fn head(self) -> f32 {
        match self {
            EdgeStyle::Locked | EdgeStyle::Open => 10.0,
            EdgeStyle::Next | EdgeStyle::Learned => 11.0,
        }
    }
}

struct Column {
    x: f32,
    w: f32,
}

struct NodeBox<'a> {
    entry: &'a TopicEntry,
    column: usize,
    row: usize,
    x: f32,
    y: f32,
    w: f32,
}

impl NodeBox<'_> {
    fn cy(&self) -> f32 {
        self.y + NODE_H / 2.0
    }
}

struct Layout<'a> {
    columns: Vec<Column>,
    nodes: Vec<NodeBox<'a>>,
    /// (required node, dependent node), indices into `nodes`, in reading order.
    edges: Vec<(usize, usize)>,
    /// Nodes in the longest column.
    rows: usize,
    panel_bottom: f32,
}

impl<'a> Layout<'a> {
    fn of(map: &'a SkillMap) -> Self {
        let n = map.sections.len().max(1) as f32;
        let width = MapPicture::WIDTH as f32;
        let panel_w = (width - 2.0 * MARGIN - (n - 1.0) * PANEL_GAP) / n;
        let columns: Vec<Column> = (0..map.sections.len())
            .map(|i| Column {
                x: MARGIN + i as f32 * (panel_w + PANEL_GAP),
                w: panel_w,
            })
            .collect();
        let mut nodes = Vec::new();
        for (column, (section, col)) in map.sections.iter().zip(&columns).enumerate() {
            for (row, entry) in section.topics.iter().enumerate() {
                nodes.push(NodeBox {
                    entry,
                    column,
                    row,
                    x: col.x + PANEL_PAD,
                    y: PANEL_TOP + PANEL_HEAD + row as f32 * (NODE_H + ROW_GAP),
                    w: col.w - 2.0 * PANEL_PAD,
                });
            }
        }
        let index: HashMap<&str, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, node)| (node.entry.topic.id.as_str(), i))
            .collect();
        let mut edges = Vec::new();
        for (to, node) in nodes.iter().enumerate() {
            for required in &node.entry.topic.requires {
                if let Some(&from) = index.get(required.as_str()) {
                    if from != to && !edges.contains(&(from, to)) {
                        edges.push((from, to));
                    }
                }
            }
        }
        let rows = map
            .sections
            .iter()
            .map(|s| s.topics.len())
            .max()
            .unwrap_or(0);
        Layout {
            columns,
            nodes,
            edges,
            rows,
            panel_bottom: panel_bottom(rows),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

/// Where an arrow leaves and arrives.
enum Route {
    /// Straight down from one node to the one right below it.
    Down,
    /// Across columns: leaves one side, arrives at the other.
    Across { out: Side, arrive: Side },
    /// Across more than two columns: like `Across`, but through the gutters and the gap
    /// between two rows, so as not to run behind the nodes of the columns in between.
    Long { out: Side, arrive: Side },
    /// Within a column, past other nodes: leaves and arrives on `side`, along a lane.
    Lane { side: Side },
}

/// One arrow end on a node's side: (the other end's y, edge index, whether it is the start).
type Port = (f32, usize, bool);

fn edges(svg: &mut String, layout: &Layout<'_>) {
    let nodes = &layout.nodes;
    let mut routes: Vec<Route> = layout
        .edges
        .iter()
        .map(|&(from, to)| {
            let (a, b) = (&nodes[from], &nodes[to]);
            if a.column == b.column {
                if b.row == a.row + 1 {
                    Route::Down
                } else {
                    // Decided below, once the arrows across columns have taken their ports.
                    Route::Lane { side: Side::Left }
                }
            } else {
                let (out, arrive) = if a.column < b.column {
                    (Side::Right, Side::Left)
                } else {
                    (Side::Left, Side::Right)
                };
                if a.column.abs_diff(b.column) == 1 {
                    Route::Across { out, arrive }
                } else {
                    Route::Long { out, arrive }
                }
            }
        })
        .collect();
    // A jump within a column runs along the side where fewer arrows across columns already
    // leave or arrive, on its two nodes; the left side on a tie.
    let mut crowd: HashMap<(usize, bool), usize> = HashMap::new();
    for (&(from, to), route) in layout.edges.iter().zip(&routes) {
        if let Route::Across { out, arrive } | Route::Long { out, arrive } = *route {
            *crowd.entry((from, out == Side::Right)).or_default() += 1;
            *crowd.entry((to, arrive == Side::Right)).or_default() += 1;
        }
    }
    for (&(from, to), route) in layout.edges.iter().zip(routes.iter_mut()) {
        if let Route::Lane { side } = route {
            let count = |right: bool| {
                crowd.get(&(from, right)).copied().unwrap_or(0)
                    + crowd.get(&(to, right)).copied().unwrap_or(0)
            };
            *side = if count(true) < count(false) {
                Side::Right
            } else {
                Side::Left
            };
        }
    }

    // Ports: every arrow ending on a node's side gets its own spot, ordered by where the other
    // end is, so arrows fan out instead of piling up.
    // ports[(node, side)] = [(other end's y, edge index, is this the arrow's start)]
    let mut ports: HashMap<(usize, bool), Vec<Port>> = HashMap::new();
    let side_key = |side: Side| side == Side::Right;
    for (e, (&(from, to), route)) in layout.edges.iter().zip(&routes).enumerate() {
        let (out, arrive) = match *route {
            Route::Down => continue,
            Route::Across { out, arrive } | Route::Long { out, arrive } => (out, arrive),
            Route::Lane { side } => (side, side),
        };
        ports
            .entry((from, side_key(out)))
            .or_default()
            .push((nodes[to].cy(), e, true));
        ports
            .entry((to, side_key(arrive)))
            .or_default()
            .push((nodes[from].cy(), e, false));
    }
    let mut port_y: HashMap<(usize, bool), f32> = HashMap::new(); // (edge, is start) -> y
    for ((node, _), list) in ports.iter_mut() {
        list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let n = list.len() as f32;
        let top = nodes[*node].y;
        let spread = if n <= 1.0 {
            0.0
        } else {
            (NODE_H - 24.0).min(14.0 * (n - 1.0))
        };
        for (i, &(_, e, start)) in list.iter().enumerate() {
            let y = if n <= 1.0 {
                top + NODE_H / 2.0
            } else {
                top + NODE_H / 2.0 - spread / 2.0 + spread * i as f32 / (n - 1.0)
            };
            port_y.insert((e, start), y);
        }
    }

    // Lanes: within a column, longer jumps run further out.
    let mut lane_offset: HashMap<usize, f32> = HashMap::new();
    for side in [Side::Left, Side::Right] {
        for column in 0..layout.columns.len() {
            let mut lanes: Vec<(usize, usize)> = layout
                .edges
                .iter()
                .zip(&routes)
                .enumerate()
                .filter(|(_, (&(from, _), route))| {
                    nodes[from].column == column
                        && matches!(route, Route::Lane { side: s } if *s == side)
                })
                .map(|(e, (&(from, to), _))| (nodes[from].row.abs_diff(nodes[to].row), e))
                .collect();
            lanes.sort();
            for (i, &(_, e)) in lanes.iter().enumerate() {
                lane_offset.insert(
                    e,
                    (14.0 + 7.0 * i as f32).min(PANEL_PAD + PANEL_GAP / 2.0 - 4.0),
                );
            }
        }
    }

    let mut drawn: Vec<(EdgeStyle, usize, String)> = Vec::new();
    let mut long_index = 0usize;
    for (e, (&(from, to), route)) in layout.edges.iter().zip(&routes).enumerate() {
        let (a, b) = (&nodes[from], &nodes[to]);
        let y1 = port_y.get(&(e, true)).copied().unwrap_or(a.cy());
        let y2 = port_y.get(&(e, false)).copied().unwrap_or(b.cy());
        let d = match *route {
            Route::Down => {
                let x = a.x + a.w / 2.0;
                format!("M{x:.1},{:.1} L{x:.1},{:.1}", a.y + NODE_H, b.y)
            }
            Route::Across { out, .. } => {
                let (x1, x2) = if out == Side::Right {
                    (a.x + a.w, b.x)
                } else {
                    (a.x, b.x + b.w)
                };
                let dx =
                    ((x2 - x1) * 0.5).abs().max(24.0) * if out == Side::Right { 1.0 } else { -1.0 };
                format!(
                    "M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}",
                    x1 + dx,
                    x2 - dx
                )
            }
            Route::Long { out, .. } => {
                let forward = out == Side::Right;
                let (x1, x2) = if forward {
                    (a.x + a.w, b.x)
                } else {
                    (a.x, b.x + b.w)
                };
                // The gutters right after the source's column and right before the target's.
                let gutter = |column: usize, right: bool| {
                    let c = &layout.columns[column];
                    if right {
                        c.x + c.w + PANEL_GAP / 2.0
                    } else {
                        c.x - PANEL_GAP / 2.0
                    }
                };
                let shift = ((long_index % 3) as f32 - 1.0) * 6.0;
                long_index += 1;
                let g1 = gutter(a.column, forward) + shift;
                let g2 = gutter(b.column, !forward) - shift;
                let gap = row_gap_near((y1 + y2) / 2.0, layout.rows) + shift;
                rounded_polyline(
                    &[(x1, y1), (g1, y1), (g1, gap), (g2, gap), (g2, y2), (x2, y2)],
                    12.0,
                )
            }
            Route::Lane { side } => {
                let offset = lane_offset.get(&e).copied().unwrap_or(8.0);
                let (x, lane) = if side == Side::Left {
                    (a.x, a.x - offset)
                } else {
                    (a.x + a.w, a.x + a.w + offset)
                };
                let r = 10.0 * if y2 > y1 { 1.0 } else { -1.0 };
                format!(
                    "M{x:.1},{y1:.1} Q{lane:.1},{y1:.1} {lane:.1},{:.1} L{lane:.1},{:.1} Q{lane:.1},{y2:.1} {x:.1},{y2:.1}",
                    y1 + r,
                    y2 - r
                )
            }
        };
        drawn.push((EdgeStyle::of(b.entry.state), e, d));
    }
    // Dim arrows first, bright ones on top.
    drawn.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    svg.push_str(r#"<g class="edges" fill="none" stroke-linecap="round">"#);
    for (style, _, d) in drawn {
        w(
            svg,
            format_args!(
                r#"<path class="edge {name}" d="{d}" stroke="{}" stroke-width="{}" marker-end="url(#arrow-{name})"/>"#,
                style.colour(),
                style.width(),
                name = style.name()
            ),
        );
    }
    svg.push_str("</g>");
}

/// The y of the gap between two rows (or below the last row) nearest to `y`.
fn row_gap_near(y: f32, rows: usize) -> f32 {
    let first = PANEL_TOP + PANEL_HEAD;
    (1..=rows.max(1))
        .map(|k| {
            let top = first + k as f32 * (NODE_H + ROW_GAP);
            if k == rows.max(1) {
                top - ROW_GAP + 13.0
            } else {
                top - ROW_GAP / 2.0
            }
        })
        .min_by(|a, b| (a - y).abs().total_cmp(&(b - y).abs()))
        .unwrap_or(first - 8.0)
}

/// A path through `points` with its corners rounded by (at most) `radius`.
fn rounded_polyline(points: &[(f32, f32)], radius: f32) -> String {
    let mut d = String::new();
    let Some(&(x0, y0)) = points.first() else {
        return d;
    };
    w(&mut d, format_args!("M{x0:.1},{y0:.1}"));
    for i in 1..points.len() {
        let (x, y) = points[i];
        if i + 1 == points.len() {
            w(&mut d, format_args!(" L{x:.1},{y:.1}"));
            break;
        }
        let (px, py) = points[i - 1];
        let (nx, ny) = points[i + 1];
        let len_in = ((x - px).powi(2) + (y - py).powi(2)).sqrt();
        let len_out = ((nx - x).powi(2) + (ny - y).powi(2)).sqrt();
        if len_in < 0.01 || len_out < 0.01 {
            continue;
        }
        let r = radius.min(len_in / 2.0).min(len_out / 2.0);
        let (ax, ay) = (x - (x - px) / len_in * r, y - (y - py) / len_in * r);
        let (bx, by) = (x + (nx - x) / len_out * r, y + (ny - y) / len_out * r);
        w(
            &mut d,
            format_args!(" L{ax:.1},{ay:.1} Q{x:.1},{y:.1} {bx:.1},{by:.1}"),
        );
    }
    d
}

/// Rendered PNGs by (track id, learned topic numbers): the picture depends on nothing else.
pub struct PictureCache {
    picture: MapPicture,
    capacity: usize,
    inner: Mutex<CacheInner>,
}

#[derive(Default)]
struct CacheInner {
    entries: HashMap<(String, Vec<u32>), CacheEntry>,
    clock: u64,
}

struct CacheEntry {
    png: Arc<Vec<u8>>,
    last_used: u64,
}

impl PictureCache {
    /// How many pictures [`PictureCache::new`] keeps before evicting the least recently used.
    pub const CAPACITY: usize = 512;

    pub fn new(picture: MapPicture) -> Self {
        Self::with_capacity(picture, Self::CAPACITY)
    }

    pub fn with_capacity(picture: MapPicture, capacity: usize) -> Self {
        Self {
            picture,
            capacity: capacity.max(1),
            inner: Mutex::new(CacheInner::default()),
        }
    }

    pub fn picture(&self) -> &MapPicture {
        &self.picture
    }

    /// The map's PNG, rendered at most once per (track, learned set) while it stays cached.
    /// Rendering happens outside the lock, so one slow render never blocks other lookups.
    pub fn png(&self, map: &SkillMap) -> Result<Arc<Vec<u8>>, PictureError> {
        let key = (map.track.id.clone(), map.learned_numbers());
        {
            let mut inner = self.lock();
            inner.clock += 1;
            let now = inner.clock;
            if let Some(entry) = inner.entries.get_mut(&key) {
                entry.last_used = now;
                return Ok(Arc::clone(&entry.png));
            }
        }
        let png = Arc::new(self.picture.png(map)?);
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        if let Some(entry) = inner.entries.get_mut(&key) {
            // Someone rendered the same picture meanwhile: share theirs.
            entry.last_used = now;
            return Ok(Arc::clone(&entry.png));
        }
        while inner.entries.len() >= self.capacity {
            let oldest = inner
                .entries
                .iter()
                .min_by_key(|(_, entry)| entry.last_used)
                .map(|(key, _)| key.clone());
            match oldest {
                Some(oldest) => inner.entries.remove(&oldest),
                None => break,
            };
        }
        inner.entries.insert(
            key,
            CacheEntry {
                png: Arc::clone(&png),
                last_used: now,
            },
        );
        Ok(png)
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, CacheInner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::{Insight, Level, Section, Topic, Track};
    use std::collections::HashSet;

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
        // And the embedded font is found: a title is inked where it should be.
        assert!(picture.text_width("First steps", 21.0, false) > 80.0);
        assert!(
            picture.text_width("First steps", 21.0, true)
                > picture.text_width("First steps", 21.0, false)
        );
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
    fn long_titles_are_shrunk_or_cut_to_fit() {
        let picture = MapPicture::new();
        let (text, size) = picture.fit("Replication & sharding", 240.0, 21.0, 17.0, false);
        assert!((17.0..=21.0).contains(&size));
        assert!(picture.text_width(&text, size, false) <= 240.0);
        let (text, size) = picture.fit(&"W".repeat(40), 240.0, 21.0, 17.0, false);
        assert_eq!(size, 17.0);
        assert!(text.ends_with('…'));
        assert!(picture.text_width(&text, size, false) <= 240.0);
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
    fn cache_shares_pictures_per_learned_set() {
        let cache = PictureCache::new(MapPicture::new());
        assert!(cache.is_empty());
        let track = track("Sample", "First steps");
        let a = cache.png(&map_of(&track, &["basics"])).unwrap();
        let b = cache.png(&map_of(&track, &["basics"])).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(cache.len(), 1);
        let c = cache.png(&map_of(&track, &["basics", "side"])).unwrap();
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn cache_is_bounded() {
        let cache = PictureCache::with_capacity(MapPicture::new(), 2);
        let track = track("Sample", "First steps");
        let first = cache.png(&map_of(&track, &[])).unwrap();
        cache.png(&map_of(&track, &["basics"])).unwrap();
        // Touch the first so the second is the least recently used.
        assert!(Arc::ptr_eq(
            &first,
            &cache.png(&map_of(&track, &[])).unwrap()
        ));
        cache.png(&map_of(&track, &["basics", "side"])).unwrap();
        assert_eq!(cache.len(), 2);
        assert!(Arc::ptr_eq(
            &first,
            &cache.png(&map_of(&track, &[])).unwrap()
        ));
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
    fn pictures_and_caches_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<MapPicture>();
        shareable::<PictureCache>();
    }

    /// A crowded track: 4 sections, 25 topics, long titles, jumps across two columns.
    #[test]
    #[ignore = "writes a file to look at"]
    fn crowded_example_picture() {
        let sizes = [8usize, 7, 5, 5];
        let titles = [
            "Replication & sharding",
            "WWWWWWWWWWWWWWWWWWWWWW",
            "Tiny",
            "Consensus <& friends>",
            "Leader election basics",
        ];
        let mut topics = Vec::new();
        let mut sections = Vec::new();
        let mut number = 0u32;
        for (s, &size) in sizes.iter().enumerate() {
            let mut ids = Vec::new();
            for _ in 0..size {
                number += 1;
                let id = format!("t{number}");
                let mut requires = Vec::new();
                if number > 1 && !ids.is_empty() {
                    requires.push(format!("t{}", number - 1));
                }
                if number % 3 == 0 && number > 4 {
                    requires.push(format!("t{}", number - 4));
                }
                if number % 5 == 0 && number > 12 {
                    requires.push(format!("t{}", number - 12));
                }
                topics.push(topic(
                    number,
                    &id,
                    titles[number as usize % titles.len()],
                    &[],
                ));
                let last = topics.len() - 1;
                Arc::get_mut(&mut topics[last]).unwrap().requires = requires;
                ids.push(id);
            }
            sections.push(Section {
                id: format!("s{s}"),
                title: format!("Section number {s} with a long title"),
                summary: String::new(),
                topics: ids,
            });
        }
        let track = Arc::new(Track {
            id: "crowded".into(),
            title: "A very long track title that goes on and on and on forever".into(),
            subject: "Stress".into(),
            tagline: String::new(),
            description: String::new(),
            sections,
            topics,
            insight: Insight {
                title: String::new(),
                body: String::new(),
            },
        });
        let learned: HashSet<String> = (1..=9).map(|n| format!("t{n}")).collect();
        let map = SkillMap::compute(&track, &learned);
        let png = MapPicture::new().png(&map).unwrap();
        std::fs::write("/tmp/map_crowded.png", &png).unwrap();
    }

    /// Writes the real track's map (topics 1, 2, 3 and 5 learned) to /tmp/map_example.png.
    #[test]
    #[ignore = "writes a file to look at"]
    fn example_picture() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("course");
        let catalog = crate::course::load_catalog(&dir).expect("the course loads");
        let track = catalog.default_track().expect("a track").clone();
        let learned: HashSet<String> = [1, 2, 3, 5]
            .iter()
            .filter_map(|&n| track.topic_by_number(n))
            .map(|t| t.id.clone())
            .collect();
        let map = SkillMap::compute(&track, &learned);
        let picture = MapPicture::new();
        let started = std::time::Instant::now();
        let png = picture.png(&map).unwrap();
        let elapsed = started.elapsed();
        let started = std::time::Instant::now();
        for _ in 0..10 {
            picture.svg(&map);
        }
        eprintln!("svg alone: {:?}", started.elapsed() / 10);
        let started = std::time::Instant::now();
        for _ in 0..10 {
            picture.png(&map).unwrap();
        }
        eprintln!("png: {:?}", started.elapsed() / 10);
        std::fs::write("/tmp/map_example.svg", picture.svg(&map)).unwrap();
        std::fs::write("/tmp/map_example.png", &png).unwrap();
        // How Discord's inline preview shows it (about 550 px wide), and a close-up.
        let tree = usvg::Tree::from_str(&picture.svg(&map), &picture.options()).unwrap();
        let small = |scale: f32, x: f32, y: f32, w: u32, h: u32, path: &str| {
            let mut pixmap = tiny_skia::Pixmap::new(w, h).unwrap();
            let transform =
                tiny_skia::Transform::from_row(scale, 0.0, 0.0, scale, -x * scale, -y * scale);
            resvg::render(&tree, transform, &mut pixmap.as_mut());
            pixmap.save_png(path).unwrap();
        };
        let (width, height) = MapPicture::size(&map);
        let scale = 550.0 / width as f32;
        small(
            scale,
            0.0,
            0.0,
            550,
            (height as f32 * scale).ceil() as u32,
            "/tmp/map_small.png",
        );
        small(2.0, 330.0, 200.0, 1000, 700, "/tmp/map_crop.png");
        let (width, height) = MapPicture::size(&map);
        eprintln!(
            "{width}x{height}, {} bytes, rendered in {elapsed:?}",
            png.len()
        );
    }
}
