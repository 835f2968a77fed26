//! The topic nodes: a number in its circle, the short title fitted beside it, and a badge for
//! the state. Every title gets the same size where it can, so that the map reads as a grid
//! rather than a ransom note.

use super::layout::{Layout, NodeBox, NODE_H, NODE_RADIUS, NUMBER_SPACE};
use super::palette::{FAINT, GOLD, GOLD_INK, GREEN, GREEN_INK, LOCK_EDGE, MUTED, PANEL, TEXT};
use super::svg::{escape, w};
use super::text::{fit_lines, text_width, Font};
use crate::study::TopicState;

const TITLE_SIZE: f32 = 21.0;
/// Below this, titles wrap onto two lines rather than shrink further.
const TITLE_WRAP_SIZE: f32 = 18.0;
const TITLE_MIN_SIZE: f32 = 15.0;

/// One title size for every node: the largest at which all titles fit on one line, but
/// never below [`TITLE_WRAP_SIZE`]; titles still too long then wrap.
pub(super) fn title_size(layout: &Layout<'_>) -> f32 {
    let mut size = TITLE_SIZE;
    for node in &layout.nodes {
        let width = text_width(&node.entry.topic.short_title, Font::regular(TITLE_SIZE));
        if width > 0.0 {
            size = size.min(TITLE_SIZE * node.title_room() / width);
        }
    }
    ((size * 2.0).floor() / 2.0).clamp(TITLE_WRAP_SIZE, TITLE_SIZE)
}

/// The gold glow behind the next topic, drawn before the arrows so they stay on top of it.
pub(super) fn glow(svg: &mut String, node: &NodeBox<'_>) {
    if node.entry.state == TopicState::Next {
        let (x, y, nw, nh) = (node.x, node.y, node.w, NODE_H);
        w(
            svg,
            format_args!(
                r#"<rect x="{x:.1}" y="{y:.1}" width="{nw:.1}" height="{nh:.1}" rx="{NODE_RADIUS}" fill="{GOLD}" opacity="0.55" filter="url(#glow)"/>"#
            ),
        );
    }
}

pub(super) fn draw(svg: &mut String, node: &NodeBox<'_>, title_size: f32) {
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
    let (lines, font) = fit_lines(
        &topic.short_title,
        node.title_room(),
        Font::regular(title_size),
        TITLE_MIN_SIZE,
    );
    let size = font.size;
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

pub(super) struct NodeStyle {
    pub class: &'static str,
    pub label: &'static str,
    pub fill: &'static str,
    pub stroke: &'static str,
    pub stroke_width: f32,
    pub number_fill: &'static str,
    pub number_stroke: &'static str,
    pub number_ink: &'static str,
    pub title_ink: &'static str,
}

impl NodeStyle {
    pub fn of(state: TopicState) -> Self {
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
                number_ink: FAINT,
                title_ink: FAINT,
            },
        }
    }
}
