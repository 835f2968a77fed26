//! The frame around the nodes: the header with the track's title and overall progress, a
//! panel per section with its own progress bar, and the legend that says how to read it all.

use super::arrow_style::{self, EdgeStyle};
use super::layout::{panel_bottom, rows, Layout, MARGIN, PANEL_PAD, PANEL_TOP};
use super::nodes::NodeStyle;
use super::palette::{FAINT, GOLD, GREEN, MUTED, PANEL, PANEL_EDGE, TEXT, TRACK_BAR};
use super::svg::{escape, w};
use super::text::{fit_line, text_width, Font};
use super::MapPicture;
use crate::study::{SkillMap, TopicState};

/// The glow behind the next topic and the arrowheads.
pub(super) fn defs(svg: &mut String) {
    svg.push_str("<defs>");
    svg.push_str(
        r#"<filter id="glow" x="-50%" y="-100%" width="200%" height="300%"><feGaussianBlur stdDeviation="9"/></filter>"#,
    );
    arrow_style::markers(svg);
    svg.push_str("</defs>");
}

pub(super) fn header(svg: &mut String, map: &SkillMap) {
    let width = MapPicture::WIDTH as f32;
    let right = width - MARGIN;
    let stats_width = 300.0;
    let (title, title_font) = fit_line(
        &map.track.title,
        width - 2.0 * MARGIN - stats_width - 24.0,
        Font::bold(34.0),
        24.0,
    );
    let title_size = title_font.size;
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
    let (subtitle, subtitle_font) = fit_line(
        &subtitle,
        width - 2.0 * MARGIN - stats_width - 24.0,
        Font::regular(20.0),
        16.0,
    );
    let subtitle_size = subtitle_font.size;
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
            right - text_width("learned", Font::regular(20.0)) - 10.0,
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

pub(super) fn panels(svg: &mut String, map: &SkillMap, layout: &Layout<'_>) {
    let bottom = layout.panel_bottom;
    if map.sections.is_empty() {
        w(
            svg,
            format_args!(
                r#"<text x="{}" y="{:.1}" font-size="22" fill="{FAINT}" text-anchor="middle">No topics yet</text>"#,
                MapPicture::WIDTH / 2,
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
        let count_width = text_width(&count, Font::bold(19.0));
        let inner_x = x + PANEL_PAD;
        let inner_w = pw - 2.0 * PANEL_PAD;
        let (title, title_font) = fit_line(
            &section.title.to_uppercase(),
            inner_w - count_width - 16.0,
            Font::bold(19.0).spaced(0.5),
            14.0,
        );
        let baseline = PANEL_TOP + 42.0;
        w(
            svg,
            format_args!(
                r#"<text x="{inner_x:.1}" y="{baseline:.1}" {} fill="{TEXT}">{}</text>"#,
                title_font.attributes(),
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

pub(super) fn legend(svg: &mut String, map: &SkillMap) {
    let cy = panel_bottom(rows(map)) + 34.0;
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
        x += sw + 10.0 + text_width(label, Font::regular(size)) + 32.0;
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
            MapPicture::WIDTH as f32 - MARGIN,
            cy + size * 0.36
        ),
    );
}

fn fraction(part: usize, whole: usize) -> f32 {
    if whole == 0 {
        0.0
    } else {
        (part as f32 / whole as f32).clamp(0.0, 1.0)
    }
}
