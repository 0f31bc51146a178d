//! Typesetting the protocol on A4 pages: word wrapping by measured glyph widths, a two-column
//! table for label and value, page breaks that keep headings with what follows, and running
//! headers and footers. Produces positioned drawing operations, so it is testable without PDF.

use super::super::content::{Block, Protocol, Row, Section};
use super::super::text::Tone;

/// A4 in PostScript points (ISO 216: 210 x 297 mm).
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
const LEFT: f32 = 62.0;
const RIGHT: f32 = PAGE_WIDTH - 56.0;
const TOP: f32 = 64.0;
const BOTTOM: f32 = PAGE_HEIGHT - 64.0;
const WIDTH: f32 = RIGHT - LEFT;
const LABEL_WIDTH: f32 = 150.0;
const GAP: f32 = 10.0;

/// How wide a text is at a size; the PDF side answers from the embedded font's metrics.
pub trait Measure {
    fn width(&self, text: &str, size: f32, bold: bool) -> f32;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Color(pub u8, pub u8, pub u8);

pub const INK: Color = Color(0x1f, 0x29, 0x33);
pub const MUTED: Color = Color(0x52, 0x60, 0x6d);
pub const RULE: Color = Color(0xcb, 0xd2, 0xd9);
pub const HAIRLINE: Color = Color(0xe4, 0xe7, 0xeb);

/// The strong colour of a tone (bars, lights) and its pale background.
pub fn tone_colors(tone: Tone) -> (Color, Color) {
    match tone {
        Tone::Green => (Color(0x1e, 0x8e, 0x3e), Color(0xe3, 0xf6, 0xe8)),
        Tone::Amber => (Color(0xd0, 0x8c, 0x00), Color(0xff, 0xf4, 0xd6)),
        Tone::Red => (Color(0xc5, 0x22, 0x1f), Color(0xfd, 0xe4, 0xe1)),
    }
}

/// Text colour for a toned value: darker than the light, so it stays readable in print.
fn tone_text(tone: Tone) -> Color {
    match tone {
        Tone::Green => Color(0x1e, 0x7a, 0x36),
        Tone::Amber => Color(0x8a, 0x5a, 0x00),
        Tone::Red => Color(0xb3, 0x26, 0x1e),
    }
}

/// One drawing operation; `y` grows downwards from the top of the page, text `y` is the
/// baseline.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: Color,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        color: Color,
    },
}

/// Lays the protocol out; one list of operations per page.
pub fn layout(protocol: &Protocol, measure: &dyn Measure) -> Vec<Vec<Op>> {
    let mut pages = Pages {
        measure,
        pages: vec![Vec::new()],
        y: TOP - 10.0,
    };
    pages.title(protocol);
    for section in &protocol.sections {
        pages.section(section);
    }
    pages.finish(protocol)
}

struct Pages<'a> {
    measure: &'a dyn Measure,
    pages: Vec<Vec<Op>>,
    /// Where the next line's top is on the current page.
    y: f32,
}

impl Pages<'_> {
    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    fn text(&mut self, x: f32, baseline: f32, size: f32, bold: bool, color: Color, text: &str) {
        self.push(Op::Text {
            x,
            y: baseline,
            size,
            bold,
            color,
            text: text.to_owned(),
        });
    }

    fn rect(&mut self, x: f32, y: f32, width: f32, height: f32, color: Color) {
        self.push(Op::Rect {
            x,
            y,
            width,
            height,
            color,
        });
    }

    /// Starts a new page unless `height` still fits on this one.
    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM {
            self.pages.push(Vec::new());
            self.y = TOP;
        }
    }

    fn wrap(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
        wrap(self.measure, text, size, bold, width)
    }

    fn title(&mut self, protocol: &Protocol) {
        self.text(LEFT, self.y + 22.0, 24.0, true, INK, &protocol.title);
        self.y += 32.0;
        for line in self.wrap(&protocol.file, 10.5, false, WIDTH) {
            self.text(LEFT, self.y + 11.0, 10.5, false, MUTED, &line);
            self.y += 14.0;
        }
        self.y += 12.0;

        let verdict = &protocol.verdict;
        let (strong, pale) = tone_colors(verdict.tone);
        let inner = WIDTH - 30.0;
        let sentence = self.wrap(&verdict.sentence, 12.5, true, inner);
        let lines: Vec<Vec<String>> = verdict
            .lines
            .iter()
            .map(|l| self.wrap(l, 9.5, false, inner - 10.0))
            .collect();
        let height = 14.0
            + sentence.len() as f32 * 17.0
            + if lines.is_empty() { 0.0 } else { 6.0 }
            + lines
                .iter()
                .map(|l| l.len() as f32 * 13.0 + 2.0)
                .sum::<f32>()
            + 10.0;
        self.rect(LEFT, self.y, WIDTH, height, pale);
        self.rect(LEFT, self.y, 6.0, height, strong);
        let mut y = self.y + 14.0;
        for line in &sentence {
            self.text(LEFT + 20.0, y + 11.0, 12.5, true, INK, line);
            y += 17.0;
        }
        if !lines.is_empty() {
            y += 6.0;
        }
        for wrapped in &lines {
            for (index, line) in wrapped.iter().enumerate() {
                if index == 0 {
                    self.text(LEFT + 20.0, y + 9.5, 9.5, false, INK, "•");
                }
                self.text(LEFT + 30.0, y + 9.5, 9.5, false, INK, line);
                y += 13.0;
            }
            y += 2.0;
        }
        self.y += height + 8.0;
    }

    fn section(&mut self, section: &Section) {
        // A heading never ends a page: keep room for it and a few rows after it.
        self.ensure(90.0);
        self.y += 14.0;
        if let Some(Block::Light(tone)) = section.blocks.first() {
            let (strong, _) = tone_colors(*tone);
            self.rect(LEFT - 12.0, self.y + 1.0, 5.0, 15.0, strong);
        }
        for line in self.wrap(&section.heading, 13.5, true, WIDTH) {
            self.text(LEFT, self.y + 13.0, 13.5, true, INK, &line);
            self.y += 18.0;
        }
        self.rect(LEFT, self.y + 1.0, WIDTH, 1.2, RULE);
        self.y += 8.0;
        for block in &section.blocks {
            match block {
                // The section heading carries the name; the light is drawn beside it above.
                Block::Light(_) => {}
                Block::Caption(text) => {
                    self.ensure(50.0);
                    self.y += 6.0;
                    self.text(LEFT, self.y + 11.0, 10.5, true, MUTED, text);
                    self.y += 16.0;
                }
                Block::Paragraph(text) => {
                    for line in self.wrap(text, 9.5, false, WIDTH) {
                        self.ensure(13.0);
                        self.text(LEFT, self.y + 9.5, 9.5, false, INK, &line);
                        self.y += 13.0;
                    }
                    self.y += 4.0;
                }
                Block::Rows(rows) => {
                    for row in rows {
                        self.row(row);
                    }
                    self.y += 6.0;
                }
            }
        }
    }

    fn row(&mut self, row: &Row) {
        let label = self.wrap(&row.label, 8.8, false, LABEL_WIDTH - GAP);
        // Failures are set in bold, so they are measured in bold too.
        let bold = row.tone == Some(Tone::Red);
        let value = self.wrap(&row.value, 9.5, bold, WIDTH - LABEL_WIDTH);
        let color = row.tone.map_or(INK, tone_text);
        let lines = label.len().max(value.len());
        let height = lines as f32 * 12.5 + 5.0;
        // Rows taller than a page do not exist in practice; split line by line if one does.
        if height <= BOTTOM - TOP {
            self.ensure(height);
        }
        let top = self.y;
        for index in 0..lines {
            self.ensure(12.5);
            let baseline = self.y + 2.5 + 9.5;
            if let Some(text) = label.get(index) {
                self.text(LEFT, baseline, 8.8, false, MUTED, text);
            }
            if let Some(text) = value.get(index) {
                self.text(LEFT + LABEL_WIDTH, baseline, 9.5, bold, color, text);
            }
            self.y += 12.5;
        }
        self.y += 5.0;
        if self.y > top {
            self.rect(LEFT, self.y - 1.5, WIDTH, 0.5, HAIRLINE);
        }
    }

    /// Adds the running header (from page 2) and the footer with "page n of m".
    fn finish(mut self, protocol: &Protocol) -> Vec<Vec<Op>> {
        let total = self.pages.len();
        for (index, page) in self.pages.iter_mut().enumerate() {
            if index > 0 {
                let header = format!("{} · {}", protocol.title, protocol.file);
                let header = truncate(self.measure, &header, 8.5, WIDTH);
                page.push(Op::Text {
                    x: LEFT,
                    y: 40.0,
                    size: 8.5,
                    bold: false,
                    color: MUTED,
                    text: header,
                });
                page.push(Op::Rect {
                    x: LEFT,
                    y: 46.0,
                    width: WIDTH,
                    height: 0.5,
                    color: RULE,
                });
            }
            page.push(Op::Rect {
                x: LEFT,
                y: BOTTOM + 22.0,
                width: WIDTH,
                height: 0.5,
                color: RULE,
            });
            let footer_left = format!("{} · {}", protocol.product, protocol.title);
            page.push(Op::Text {
                x: LEFT,
                y: BOTTOM + 36.0,
                size: 8.5,
                bold: false,
                color: MUTED,
                text: footer_left,
            });
            let label = protocol.page_label(index + 1, total);
            let width = self.measure.width(&label, 8.5, false);
            page.push(Op::Text {
                x: RIGHT - width,
                y: BOTTOM + 36.0,
                size: 8.5,
                bold: false,
                color: MUTED,
                text: label,
            });
        }
        self.pages
    }
}

/// Breaks `text` into lines no wider than `width`: at spaces, and inside words that alone are
/// too wide (fingerprints, ETSI names, URLs).
pub fn wrap(measure: &dyn Measure, text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if measure.width(&candidate, size, bold) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if measure.width(word, size, bold) <= width {
            line = word.to_owned();
            continue;
        }
        for c in word.chars() {
            let mut longer = line.clone();
            longer.push(c);
            if !line.is_empty() && measure.width(&longer, size, bold) > width {
                lines.push(std::mem::take(&mut line));
                line.push(c);
            } else {
                line = longer;
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Shortens a one-line text with an ellipsis to fit.
fn truncate(measure: &dyn Measure, text: &str, size: f32, width: f32) -> String {
    if measure.width(text, size, false) <= width {
        return text.to_owned();
    }
    let mut shortened = String::new();
    for c in text.chars() {
        let candidate = format!("{shortened}{c}…");
        if measure.width(&candidate, size, false) > width {
            break;
        }
        shortened.push(c);
    }
    shortened.push('…');
    shortened
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character half the font size wide.
    struct Fixed;

    impl Measure for Fixed {
        fn width(&self, text: &str, size: f32, _bold: bool) -> f32 {
            text.chars().count() as f32 * size / 2.0
        }
    }

    #[test]
    fn wraps_at_spaces() {
        // 10 characters per line at size 10 and width 50.
        let lines = wrap(&Fixed, "eins zwei drei vier", 10.0, false, 50.0);
        assert_eq!(lines, ["eins zwei", "drei vier"]);
    }

    #[test]
    fn breaks_words_that_are_too_long() {
        let lines = wrap(&Fixed, "ABCDEFGHIJKLMNOPQRSTUVWXY", 10.0, false, 50.0);
        assert_eq!(lines, ["ABCDEFGHIJ", "KLMNOPQRST", "UVWXY"]);
    }

    #[test]
    fn empty_text_is_one_empty_line() {
        assert_eq!(wrap(&Fixed, "", 10.0, false, 50.0), [""]);
    }

    #[test]
    fn truncates_with_ellipsis() {
        assert_eq!(truncate(&Fixed, "abcdefghijkl", 10.0, 50.0), "abcdefghi…");
    }
}
