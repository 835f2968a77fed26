//! Two small pictures drawn the way the skill map is (SVG with the embedded fonts, rendered by
//! resvg): a member's last 30 days of activity as a bar chart, and a server's topics shaded by
//! the share of members who learned them.

use std::fmt::Write as _;

use chrono::Duration;

// One palette for every picture: Discord's dark theme.
use super::map_picture::palette::{GREEN, MUTED, PANEL, TEXT, TRACK_BAR};
use super::map_picture::svg::{escape, open, render_png};
use super::map_picture::PictureError;
use crate::study::{GroupView, Stats};

/// Draws the activity chart and the group picture with the embedded fonts, loaded on first use.
#[derive(Debug, Clone, Copy, Default)]
pub struct CommunityPictures;

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
        let (left, top, bottom) = (24.0_f32, 56.0_f32, 200.0_f32);
        let slot = (width as f32 - 2.0 * left) / stats.activity.len().max(1) as f32;
        let total: u32 = stats.activity.iter().sum();
        let title = format!(
            "{}: {} actions in {} days",
            stats.name,
            total,
            stats.activity.len()
        );
        text(&mut svg, left, 34.0, 20.0, TEXT, "bold", &title);
        for (i, &count) in stats.activity.iter().enumerate() {
            let x = left + i as f32 * slot + 2.0;
            let full = bottom - top;
            let h = if count == 0 {
                4.0
            } else {
                (full * count as f32 / max as f32).max(6.0)
            };
            let fill = if count == 0 { TRACK_BAR } else { GREEN };
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" rx="3" fill="{fill}"/>"#,
                bottom - h,
                slot - 4.0
            );
        }
        let days = stats.activity.len() as i64;
        let first = stats.today - Duration::days(days - 1);
        let first_label = first.format("%b %-d").to_string();
        text(&mut svg, left, 226.0, 14.0, MUTED, "normal", &first_label);
        let end = width as f32 - left - 40.0;
        text(&mut svg, end, 226.0, 14.0, MUTED, "normal", "today");
        svg.push_str("</svg>\n");
        svg
    }

    pub fn activity_png(&self, stats: &Stats) -> Result<Vec<u8>, PictureError> {
        let (width, height) = Self::ACTIVITY_SIZE;
        self.render(&self.activity_svg(stats), width, height)
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
        (Self::GROUP_WIDTH, 110 + rows as u32 * 64)
    }

    /// Sections as columns of topic boxes; a box is as green as the share of members who
    /// learned its topic, with the percentage written on it.
    pub fn group_svg(&self, view: &GroupView) -> String {
        let (width, height) = Self::group_size(view);
        let mut svg = open(width, height);
        let title = format!("{}: {} members", view.track.title, view.members);
        text(&mut svg, 24.0, 40.0, 22.0, TEXT, "bold", &title);
        let columns = view.track.sections.len().max(1) as f32;
        let column_width = (width as f32 - 48.0) / columns;
        for (c, section) in view.track.sections.iter().enumerate() {
            let x = 24.0 + c as f32 * column_width;
            text(
                &mut svg,
                x,
                80.0,
                16.0,
                MUTED,
                "bold",
                &cut(&section.title, 30),
            );
            for (r, id) in section.topics.iter().enumerate() {
                let Some(share) = view.topics.iter().find(|t| &t.topic.id == id) else {
                    continue;
                };
                let fraction = view.share(share.learned);
                let y = 96.0 + r as f32 * 64.0;
                let box_width = column_width - 16.0;
                let _ = write!(
                    svg,
                    r#"<rect x="{x:.1}" y="{y:.1}" width="{box_width:.1}" height="52" rx="10" fill="{PANEL}"/><rect x="{x:.1}" y="{y:.1}" width="{box_width:.1}" height="52" rx="10" fill="{GREEN}" opacity="{:.3}"/>"#,
                    0.15 + 0.85 * fraction
                );
                let label = format!("{} · {}", share.topic.number, share.topic.title);
                text(
                    &mut svg,
                    x + 12.0,
                    y + 22.0,
                    15.0,
                    TEXT,
                    "bold",
                    &cut(&label, 34),
                );
                let percent = format!(
                    "{:.0}% · {} of {}",
                    fraction * 100.0,
                    share.learned,
                    view.members
                );
                text(&mut svg, x + 12.0, y + 42.0, 13.0, TEXT, "normal", &percent);
            }
        }
        svg.push_str("</svg>\n");
        svg
    }

    pub fn group_png(&self, view: &GroupView) -> Result<Vec<u8>, PictureError> {
        let (width, height) = Self::group_size(view);
        self.render(&self.group_svg(view), width, height)
    }

    fn render(&self, svg: &str, width: u32, height: u32) -> Result<Vec<u8>, PictureError> {
        render_png(svg, width, height)
    }
}

fn text(svg: &mut String, x: f32, y: f32, size: f32, fill: &str, weight: &str, content: &str) {
    let _ = write!(
        svg,
        r#"<text x="{x:.1}" y="{y:.1}" font-size="{size}" font-weight="{weight}" fill="{fill}">{}</text>"#,
        escape(content)
    );
}

/// Cuts `text` to `max` characters with an ellipsis.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let kept: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", kept.trim_end())
    }
}
