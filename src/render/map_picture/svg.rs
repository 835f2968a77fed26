//! What every picture Quorum draws shares: the embedded fonts, the SVG document's frame,
//! escaping, and rendering to PNG. The fonts are embedded so that a picture never depends on
//! the machine's fonts and the same picture always gives the same bytes.

use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use resvg::tiny_skia;
use resvg::usvg;

use super::palette::BACKGROUND;

const FONT_REGULAR: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans.ttf"
));
const FONT_BOLD: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans-Bold.ttf"
));
pub(crate) const FAMILY: &str = "DejaVu Sans";

#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    #[error("the picture's SVG did not parse: {0}")]
    Svg(#[from] usvg::Error),
    #[error("cannot allocate a {width}x{height} picture")]
    Size { width: u32, height: u32 },
    #[error("cannot encode the picture's PNG: {0}")]
    Encode(String),
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

/// Parsing options that see the embedded fonts and nothing else.
pub(crate) fn svg_options() -> usvg::Options<'static> {
    usvg::Options {
        font_family: FAMILY.to_owned(),
        fontdb: embedded_fonts(),
        ..usvg::Options::default()
    }
}

/// Renders an SVG document of Quorum's to PNG bytes with the embedded fonts only.
pub(crate) fn render_png(svg: &str, width: u32, height: u32) -> Result<Vec<u8>, PictureError> {
    let tree = usvg::Tree::from_str(svg, &svg_options())?;
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

/// The opening of a picture: its size, the embedded font family and the background.
pub(crate) fn open(width: u32, height: u32) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="{FAMILY}"><rect width="{width}" height="{height}" fill="{BACKGROUND}"/>"#
    )
}

/// Appends formatted text; writing to a `String` cannot fail.
pub(crate) fn w(svg: &mut String, args: std::fmt::Arguments<'_>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_special_characters_are_escaped() {
        assert_eq!(escape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
        assert_eq!(escape("bell\u{7}"), "bell ");
    }
}
