//! One palette for every picture, Discord's dark theme, and the rule that keeps text readable
//! on whatever it is drawn on: text must reach a WCAG contrast ratio of [`MIN_CONTRAST`].

pub(crate) const BACKGROUND: &str = "#1e1f22";
pub(crate) const PANEL: &str = "#2b2d31";
pub(crate) const PANEL_EDGE: &str = "#35373c";
pub(crate) const TEXT: &str = "#f2f3f5";
pub(crate) const MUTED: &str = "#b5bac1";
/// The dimmest text: still readable on the background and on locked nodes.
pub(crate) const FAINT: &str = "#949ba4";
pub(crate) const TRACK_BAR: &str = "#3f4147";
pub(crate) const LOCK_EDGE: &str = "#4e5058";
pub(crate) const GREEN: &str = "#57f287";
/// Text on green: light green fills are too bright for [`TEXT`].
pub(crate) const GREEN_INK: &str = "#0b2a16";
pub(crate) const GOLD: &str = "#fee75c";
pub(crate) const GOLD_INK: &str = "#2b2508";

/// WCAG's minimum for body text (AA).
pub const MIN_CONTRAST: f32 = 4.5;

/// An sRGB colour, parsed from the `#rrggbb` form the pictures use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`; anything else is `None`.
    pub fn parse(hex: &str) -> Option<Self> {
        let hex = hex.strip_prefix('#')?;
        if hex.len() != 6 || !hex.is_ascii() {
            return None;
        }
        let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Rgb(channel(0)?, channel(2)?, channel(4)?))
    }

    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// `self` painted over with `top` at `opacity` (0 to 1), as a renderer blends them.
    pub fn under(self, top: Rgb, opacity: f32) -> Rgb {
        let t = opacity.clamp(0.0, 1.0);
        let blend = |a: u8, b: u8| (a as f32 * (1.0 - t) + b as f32 * t).round() as u8;
        Rgb(
            blend(self.0, top.0),
            blend(self.1, top.1),
            blend(self.2, top.2),
        )
    }

    /// WCAG's relative luminance, 0 (black) to 1 (white).
    pub fn luminance(self) -> f32 {
        let linear = |c: u8| {
            let c = c as f32 / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    /// WCAG's contrast ratio, from 1 (none) to 21 (black on white).
    pub fn contrast(self, other: Rgb) -> f32 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }
}

/// A palette colour; the palette is written in this file, so a bad one is a bug caught by the
/// tests below, and black is as good a stand-in as any.
pub(crate) fn rgb(hex: &str) -> Rgb {
    Rgb::parse(hex).unwrap_or(Rgb(0, 0, 0))
}

/// The ink that reads best on `fill`: light text on dark fills, dark text on light ones.
pub(crate) fn ink_on(fill: Rgb) -> &'static str {
    if rgb(TEXT).contrast(fill) >= rgb(GREEN_INK).contrast(fill) {
        TEXT
    } else {
        GREEN_INK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_and_print_back() {
        let palette = [
            BACKGROUND, PANEL, PANEL_EDGE, TEXT, MUTED, FAINT, TRACK_BAR, LOCK_EDGE, GREEN,
            GREEN_INK, GOLD, GOLD_INK,
        ];
        for hex in palette {
            assert_eq!(Rgb::parse(hex).map(Rgb::hex).as_deref(), Some(hex));
        }
        assert_eq!(Rgb::parse("57f287"), None);
        assert_eq!(Rgb::parse("#57f28"), None);
        assert_eq!(Rgb::parse("#57f2zz"), None);
    }

    #[test]
    fn contrast_follows_wcag() {
        let (black, white) = (Rgb(0, 0, 0), Rgb(255, 255, 255));
        assert!((black.contrast(white) - 21.0).abs() < 0.01);
        assert!((white.contrast(white) - 1.0).abs() < 0.01);
        // WCAG's own example: #777777 on white is just under 4.5.
        assert!((Rgb(0x77, 0x77, 0x77).contrast(white) - 4.48).abs() < 0.01);
    }

    #[test]
    fn dark_ink_on_light_fills_and_light_ink_on_dark_ones() {
        assert_eq!(ink_on(rgb(GREEN)), GREEN_INK);
        assert_eq!(ink_on(rgb(PANEL)), TEXT);
        assert_eq!(rgb(PANEL).under(rgb(GREEN), 1.0), rgb(GREEN));
        assert_eq!(rgb(PANEL).under(rgb(GREEN), 0.0), rgb(PANEL));
    }
}
