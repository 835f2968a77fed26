//! Two small pictures drawn the way the skill map is (SVG with the embedded fonts, rendered by
//! resvg): a member's last 30 days of activity as a bar chart, and a server's topics shaded by
//! the share of members who learned them. Their text is fitted and inked with the map's own
//! helpers, so a long title or name shrinks, wraps or is cut inside its box, and reads on
//! whatever fill it sits on.

use chrono::Duration;

use super::map_picture::palette::{ink_on, rgb, Rgb, GREEN, MUTED, PANEL, TEXT, TRACK_BAR};
use super::map_picture::svg::{escape, open, render_png, w};
use super::map_picture::text::{fit_line, fit_lines, Font};
use super::map_picture::PictureError;
use crate::study::{GroupView, Stats};

/// Draws the activity chart and the group picture with the embedded fonts, loaded on first use.
#[derive(Debug, Clone, Copy, Default)]
pub struct CommunityPictures;

// The group picture's geometry.
const MARGIN: f32 = 24.0;
const ROWS_TOP: f32 = 96.0;
const BOX_H: f32 = 72.0;
const ROW_PITCH: f32 = 84.0;
const BOX_PAD: f32 = 12.0;
const COLUMN_GAP: f32 = 16.0;

impl CommunityPictures {
    pub const ACTIVITY_SIZE: (u32, u32) = (720, 240);
    pub const GROUP_WIDTH: u32 = 960;

    pub fn new() -> Self {
        Self
    }

    /// A bar per day of `stats.activity`, today on the right.
    pub fn activity_svg(&self, stats: &Stats) -> String {
        let (width, height) = Self::ACTIVITY_SIZE;
        let mut svg = open(width, height);
        let max = stats.activity.iter().copied().max().unwrap_or(0).max(1);
        let (left, top, bottom) = (MARGIN, 56.0_f32, 200.0_f32);
        let slot = (width as f32 - 2.0 * left) / stats.activity.len().max(1) as f32;
        let total: u32 = stats.activity.iter().sum();
        let title = format!(
            "{}: {} actions in {} days",
            stats.name,
            total,
            stats.activity.len()
        );
        let room = width as f32 - 2.0 * left;
        let (title, font) = fit_line(&title, room, Font::bold(20.0), 14.0);
        text(&mut svg, left, 34.0, font, TEXT, &title);
        for (i, &count) in stats.activity.iter().enumerate() {
            let x = left + i as f32 * slot + 2.0;
            let full = bottom - top;
            let h = if count == 0 {
                4.0
            } else {
                (full * count as f32 / max as f32).max(6.0)
            };
            let fill = if count == 0 { TRACK_BAR } else { GREEN };
            w(
                &mut svg,
                format_args!(
                    r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" rx="3" fill="{fill}"/>"#,
                    bottom - h,
                    slot - 4.0
                ),
            );
        }
        let days = stats.activity.len() as i64;
        let first = stats.today - Duration::days(days - 1);
        let first_label = first.format("%b %-d").to_string();
        let label = Font::regular(14.0);
        text(&mut svg, left, 226.0, label, MUTED, &first_label);
        let end = width as f32 - left - 40.0;
        text(&mut svg, end, 226.0, label, MUTED, "today");
        svg.push_str("</svg>\n");
        svg
    }

    pub fn activity_png(&self, stats: &Stats) -> Result<Vec<u8>, PictureError> {
        let (width, height) = Self::ACTIVITY_SIZE;
        render_png(&self.activity_svg(stats), width, height)
    }

    /// The group picture's height: a row per topic of the longest section.
    pub fn group_size(view: &GroupView) -> (u32, u32) {
        let rows = view
            .track
            .sections
            .iter()
            .map(|s| s.topics.len())
            .max()
            .unwrap_or(0)
            .max(1);
        let height = ROWS_TOP + rows as f32 * ROW_PITCH + 14.0;
        (Self::GROUP_WIDTH, height as u32)
    }

    /// Sections as columns of topic boxes; a box is as green as the share of members who
    /// learned its topic, with the percentage written on it.
    pub fn group_svg(&self, view: &GroupView) -> String {
        let (width, height) = Self::group_size(view);
        let mut svg = open(width, height);
        let title = format!("{}: {} members", view.track.title, view.members);
        let room = width as f32 - 2.0 * MARGIN;
        let (title, font) = fit_line(&title, room, Font::bold(22.0), 16.0);
        text(&mut svg, MARGIN, 40.0, font, TEXT, &title);
        let columns = view.track.sections.len().max(1) as f32;
        let column_width = (width as f32 - 2.0 * MARGIN) / columns;
        let box_width = column_width - COLUMN_GAP;
        for (c, section) in view.track.sections.iter().enumerate() {
            let x = MARGIN + c as f32 * column_width;
            let (heading, font) = fit_line(&section.title, box_width, Font::bold(16.0), 12.0);
            text(&mut svg, x, 80.0, font, MUTED, &heading);
            for (r, id) in section.topics.iter().enumerate() {
                let Some(share) = view.topics.iter().find(|t| &t.topic.id == id) else {
                    continue;
                };
                let fraction = view.share(share.learned) as f32;
                let y = ROWS_TOP + r as f32 * ROW_PITCH;
                let fill = share_fill(fraction);
                let ink = ink_on(fill);
                w(
                    &mut svg,
                    format_args!(
                        r#"<rect x="{x:.1}" y="{y:.1}" width="{box_width:.1}" height="{BOX_H}" rx="10" fill="{}"/>"#,
                        fill.hex()
                    ),
                );
                let label = format!("{} · {}", share.topic.number, share.topic.title);
                let room = box_width - 2.0 * BOX_PAD;
                let (lines, font) = fit_lines(&label, room, Font::bold(15.0), 12.0);
                for (i, line) in lines.iter().enumerate() {
                    let baseline = y + 22.0 + i as f32 * font.size * 1.2;
                    text(&mut svg, x + BOX_PAD, baseline, font, ink, line);
                }
                let percent = format!(
                    "{:.0}% · {} of {}",
                    fraction * 100.0,
                    share.learned,
                    view.members
                );
                let (percent, font) = fit_line(&percent, room, Font::regular(13.0), 11.0);
                text(&mut svg, x + BOX_PAD, y + BOX_H - 12.0, font, ink, &percent);
            }
        }
        svg.push_str("</svg>\n");
        svg
    }

    pub fn group_png(&self, view: &GroupView) -> Result<Vec<u8>, PictureError> {
        let (width, height) = Self::group_size(view);
        render_png(&self.group_svg(view), width, height)
    }
}

/// A topic box's fill: from a hint of green on the panel (nobody learned it) to full green
/// (everybody did). Between about 40% and 60% green neither light nor dark text reaches
/// [`MIN_CONTRAST`](super::map_picture::MIN_CONTRAST), so the scale steps over that band at
/// half the members, where the ink turns from light to dark.
fn share_fill(fraction: f32) -> Rgb {
    let fraction = fraction.clamp(0.0, 1.0);
    let green = if fraction < 0.5 {
        0.1 + 0.56 * fraction
    } else {
        0.62 + 0.76 * (fraction - 0.5)
    };
    rgb(PANEL).under(rgb(GREEN), green)
}

fn text(svg: &mut String, x: f32, y: f32, font: Font, fill: &str, content: &str) {
    w(
        svg,
        format_args!(
            r#"<text x="{x:.1}" y="{y:.1}" {} fill="{fill}">{}</text>"#,
            font.attributes(),
            escape(content)
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::map_picture::MIN_CONTRAST;

    #[test]
    fn every_share_gets_a_readable_ink() {
        for percent in 0..=100 {
            let fill = share_fill(percent as f32 / 100.0);
            let contrast = rgb(ink_on(fill)).contrast(fill);
            assert!(
                contrast >= MIN_CONTRAST,
                "{percent}%: {} on {} is {contrast:.2}",
                ink_on(fill),
                fill.hex()
            );
        }
    }

    #[test]
    fn more_members_make_a_brighter_box() {
        let luminance = |percent: u32| share_fill(percent as f32 / 100.0).luminance();
        for percent in 1..=100 {
            assert!(
                luminance(percent) >= luminance(percent - 1),
                "at {percent}%"
            );
        }
        assert_eq!(share_fill(1.0), rgb(GREEN));
    }
}
