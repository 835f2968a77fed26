//! Text fitting for every picture: words are measured with the embedded fonts, as resvg will
//! lay them out, so that a title is shrunk, wrapped or cut before it leaves its box rather
//! than after. Counting characters is not enough: "WWWW" is three times as wide as "iiii".

use resvg::usvg;

use super::svg::{escape, svg_options, FAMILY};

/// How a line of text is set: its size in pixels, its weight and any extra letter spacing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Font {
    pub size: f32,
    pub bold: bool,
    pub letter_spacing: f32,
}

impl Font {
    pub fn regular(size: f32) -> Self {
        Font {
            size,
            bold: false,
            letter_spacing: 0.0,
        }
    }

    pub fn bold(size: f32) -> Self {
        Font {
            bold: true,
            ..Font::regular(size)
        }
    }

    pub fn spaced(self, letter_spacing: f32) -> Self {
        Font {
            letter_spacing,
            ..self
        }
    }

    pub fn at(self, size: f32) -> Self {
        Font { size, ..self }
    }

    /// The attributes that set this font on a `<text>`.
    pub fn attributes(&self) -> String {
        let mut attributes = format!(r#"font-size="{}""#, self.size);
        if self.bold {
            attributes.push_str(r#" font-weight="bold""#);
        }
        if self.letter_spacing != 0.0 {
            attributes.push_str(&format!(r#" letter-spacing="{}""#, self.letter_spacing));
        }
        attributes
    }
}

/// The inked width of `text` set in `font`, measured by laying it out with the embedded fonts.
pub(crate) fn text_width(text: &str, font: Font) -> f32 {
    if text.trim().is_empty() {
        return 0.0;
    }
    let probe = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><text x="0" y="50" font-family="{FAMILY}" {}>{}</text></svg>"#,
        font.attributes(),
        escape(text)
    );
    usvg::Tree::from_str(&probe, &svg_options())
        .map(|tree| tree.root().bounding_box().width())
        .unwrap_or(text.chars().count() as f32 * font.size * 0.62)
}

/// Shrinks `text` from `font.size` down to `min_size` px to fit `max_width`, then cuts it with
/// an ellipsis if even that is too wide. Returns the text and the font to draw it with.
pub(crate) fn fit_line(text: &str, max_width: f32, font: Font, min_size: f32) -> (String, Font) {
    let width = text_width(text, font);
    if width <= max_width {
        return (text.to_owned(), font);
    }
    let scaled = (font.size * max_width / width * 2.0).floor() / 2.0;
    // Letter spacing does not shrink with the size: check again rather than trust the ratio.
    if scaled >= min_size && text_width(text, font.at(scaled)) <= max_width {
        return (text.to_owned(), font.at(scaled));
    }
    let small = font.at(min_size);
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut = format!("{}…", chars.iter().collect::<String>().trim_end());
        if text_width(&cut, small) <= max_width {
            return (cut, small);
        }
    }
    (String::new(), small)
}

/// `text` as one or two lines that fit `max_width`, at `font.size` or smaller (down to
/// `min_size`); the second line is cut with an ellipsis as a last resort.
pub(crate) fn fit_lines(
    text: &str,
    max_width: f32,
    font: Font,
    min_size: f32,
) -> (Vec<String>, Font) {
    let text = text.trim();
    if text_width(text, font) <= max_width {
        return (vec![text.to_owned()], font);
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut candidate = font.size;
    while candidate >= min_size {
        let at = font.at(candidate);
        // The split whose longer line is the shortest.
        let best = (1..words.len())
            .map(|cut| {
                let a = words[..cut].join(" ");
                let b = words[cut..].join(" ");
                let widest = text_width(&a, at).max(text_width(&b, at));
                (widest, a, b)
            })
            .min_by(|x, y| x.0.total_cmp(&y.0));
        if let Some((widest, a, b)) = best {
            if widest <= max_width {
                return (vec![a, b], at);
            }
        }
        candidate -= 1.0;
    }
    // Too long even on two lines: first words on line one, the rest cut.
    let small = font.at(min_size);
    let mut first = String::new();
    let mut rest = words.as_slice();
    while let Some((word, tail)) = rest.split_first() {
        let longer = if first.is_empty() {
            (*word).to_owned()
        } else {
            format!("{first} {word}")
        };
        if text_width(&longer, small) > max_width {
            break;
        }
        first = longer;
        rest = tail;
    }
    if first.is_empty() {
        let (cut, _) = fit_line(text, max_width, small, min_size);
        return (vec![cut], small);
    }
    let (second, _) = fit_line(&rest.join(" "), max_width, small, min_size);
    (vec![first, second], small)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_font_is_measured() {
        assert!(text_width("First steps", Font::regular(21.0)) > 80.0);
        assert!(
            text_width("First steps", Font::bold(21.0))
                > text_width("First steps", Font::regular(21.0))
        );
        assert!(
            text_width("ONE", Font::bold(19.0).spaced(2.0)) > text_width("ONE", Font::bold(19.0))
        );
        assert_eq!(text_width("  ", Font::regular(21.0)), 0.0);
    }

    #[test]
    fn long_titles_are_shrunk_or_cut_to_fit() {
        let (text, font) = fit_line("Replication & sharding", 240.0, Font::regular(21.0), 17.0);
        assert!((17.0..=21.0).contains(&font.size));
        assert!(text_width(&text, font) <= 240.0);
        let (text, font) = fit_line(&"W".repeat(40), 240.0, Font::regular(21.0), 17.0);
        assert_eq!(font.size, 17.0);
        assert!(text.ends_with('…'));
        assert!(text_width(&text, font) <= 240.0);
    }

    #[test]
    fn long_titles_wrap_onto_two_lines_before_they_are_cut() {
        let title = "Consensus and the leader election";
        let (lines, font) = fit_lines(title, 200.0, Font::regular(21.0), 15.0);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines.join(" "), title);
        for line in &lines {
            assert!(text_width(line, font) <= 200.0, "{line} at {}", font.size);
        }
        let (lines, font) = fit_lines(&"Wide ".repeat(30), 200.0, Font::regular(21.0), 15.0);
        assert_eq!(font.size, 15.0);
        assert!(lines.last().is_some_and(|l| l.ends_with('…')), "{lines:?}");
        assert!(lines.iter().all(|l| text_width(l, font) <= 200.0));
    }
}
