//! The skill-map picture: a track's sections as columns of topic nodes joined by `requires`
//! arrows, drawn as an SVG document and rendered to PNG with resvg.
//!
//! Learned topics are lit green, the next step glows gold, open topics are plain outlines and
//! locked ones are dimmed. The folder reads top-down: [`svg`], [`palette`] and [`text`] are
//! shared by every picture Quorum draws (the activity and group pictures too); `layout` places
//! the nodes, `arrows` routes the links between them, `frame` and `nodes` draw.
//!
//! Drawing takes tens of milliseconds: callers on an async runtime draw through the Discord
//! adapter's one off-runtime helper, which also caches map pictures.

mod arrow_style;
mod arrows;
mod frame;
mod layout;
mod nodes;
pub(crate) mod palette;
pub(crate) mod svg;
#[cfg(test)]
mod tests;
pub(crate) mod text;

pub use palette::{Rgb, MIN_CONTRAST};
pub use svg::PictureError;

use crate::study::SkillMap;
use layout::Layout;

/// Draws skill maps with the embedded fonts (see [`svg`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct MapPicture;

impl MapPicture {
    /// Width of every picture; the height grows with the longest section (see [`Self::size`]).
    pub const WIDTH: u32 = 1200;

    /// Draws with the embedded DejaVu Sans fonts (and never the system's), loaded on first use.
    pub fn new() -> Self {
        Self
    }

    /// The picture's size in pixels: [`Self::WIDTH`] wide, as tall as the longest section needs.
    pub fn size(map: &SkillMap) -> (u32, u32) {
        let height = layout::panel_bottom(layout::rows(map)) + layout::LEGEND_SPACE;
        (Self::WIDTH, height.ceil() as u32)
    }

    /// The SVG document of the map.
    pub fn svg(&self, map: &SkillMap) -> String {
        let layout = Layout::of(map);
        let (width, height) = Self::size(map);
        let mut svg = String::with_capacity(24 * 1024);
        svg.push_str(&svg::open(width, height));
        frame::defs(&mut svg);
        frame::header(&mut svg, map);
        frame::panels(&mut svg, map, &layout);
        // Glows first, then the arrows, then the nodes on top: arrows run behind nodes.
        for node in &layout.nodes {
            nodes::glow(&mut svg, node);
        }
        arrows::draw(&mut svg, &layout);
        let title_size = nodes::title_size(&layout);
        for node in &layout.nodes {
            nodes::draw(&mut svg, node, title_size);
        }
        frame::legend(&mut svg, map);
        svg.push_str("</svg>\n");
        svg
    }

    /// The map rendered to PNG bytes.
    pub fn png(&self, map: &SkillMap) -> Result<Vec<u8>, PictureError> {
        let (width, height) = Self::size(map);
        svg::render_png(&self.svg(map), width, height)
    }
}
