//! The visible part of a signature (ISO 32000-2 §12.7.5.5, §12.5.5 appearance streams): a
//! framed box with a few lines of text, drawn with a standard font so nothing is embedded.

use lopdf::{Dictionary, Object, Stream};

/// Which page a visible signature goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    /// 1-based, as people count.
    Number(usize),
    Last,
}

/// Where a visible signature goes and what it says.
#[derive(Clone, Debug, PartialEq)]
pub struct Visible {
    pub page: Page,
    /// Lower-left corner and size, in PDF points from the page's lower-left corner.
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    /// The lines shown, top to bottom.
    pub lines: Vec<String>,
}

/// Average Helvetica advance width in em; enough to keep lines inside the box.
const AVERAGE_WIDTH: f32 = 0.56;
const PADDING: f32 = 4.0;

/// The form XObject that draws `visible`.
pub fn stream(visible: &Visible) -> Stream {
    let (w, h) = (visible.width.max(1.0), visible.height.max(1.0));
    let lines = visible.lines.len().clamp(1, 100) as f32;
    let longest = visible
        .lines
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(1)
        .clamp(1, 10_000) as f32;
    let size = ((h - 2.0 * PADDING) / (lines * 1.25))
        .min((w - 2.0 * PADDING) / (longest * AVERAGE_WIDTH))
        .clamp(3.0, 12.0);
    let mut content = format!(
        "q 0.94 0.96 0.99 rg 0.12 0.29 0.53 RG 1 w 0.5 0.5 {:.2} {:.2} re B Q\n",
        w - 1.0,
        h - 1.0
    );
    content.push_str("BT 0.1 0.1 0.1 rg\n");
    let mut y = h - PADDING - size;
    for (index, line) in visible.lines.iter().enumerate() {
        let font = if index == 0 { "F2" } else { "F1" };
        let hex: String = win_ansi(line).iter().map(|b| format!("{b:02X}")).collect();
        content.push_str(&format!(
            "/{font} {size:.2} Tf 1 0 0 1 {PADDING:.2} {y:.2} Tm <{hex}> Tj\n"
        ));
        y -= size * 1.25;
    }
    content.push_str("ET\n");

    let font = |name: &str| {
        let mut font = Dictionary::new();
        font.set("Type", Object::Name(b"Font".to_vec()));
        font.set("Subtype", Object::Name(b"Type1".to_vec()));
        font.set("BaseFont", Object::Name(name.as_bytes().to_vec()));
        font.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
        Object::Dictionary(font)
    };
    let mut fonts = Dictionary::new();
    fonts.set("F1", font("Helvetica"));
    fonts.set("F2", font("Helvetica-Bold"));
    let mut resources = Dictionary::new();
    resources.set("Font", Object::Dictionary(fonts));
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"XObject".to_vec()));
    dict.set("Subtype", Object::Name(b"Form".to_vec()));
    dict.set(
        "BBox",
        Object::Array(vec![0.into(), 0.into(), Object::Real(w), Object::Real(h)]),
    );
    dict.set("Resources", Object::Dictionary(resources));
    Stream::new(dict, content.into_bytes())
}

/// `/Rect` of the widget.
pub fn rect(visible: &Visible) -> Object {
    Object::Array(vec![
        Object::Real(visible.x),
        Object::Real(visible.y),
        Object::Real(visible.x + visible.width),
        Object::Real(visible.y + visible.height),
    ])
}

/// Text for a WinAnsi-encoded string (ISO 32000-2 Annex D.2): Latin-1 letters (umlauts, ß)
/// and the euro sign; anything else becomes `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '€' => 0x80,
            '–' => 0x96,
            '—' => 0x97,
            '„' => 0x84,
            '“' => 0x93,
            '”' => 0x94,
            '‚' => 0x82,
            '‘' => 0x91,
            '’' => 0x92,
            '•' => 0x95,
            c => match u8::try_from(u32::from(c)) {
                Ok(byte) if !(0x80..0xA0).contains(&byte) => byte,
                _ => b'?',
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umlauts_and_euro_are_win_ansi() {
        assert_eq!(win_ansi("Prüfung €"), b"Pr\xfcfung \x80");
        assert_eq!(win_ansi("Łódź"), b"?\xf3d?");
    }

    #[test]
    fn text_fits_the_box() {
        let visible = Visible {
            page: Page::Last,
            x: 10.0,
            y: 10.0,
            width: 200.0,
            height: 50.0,
            lines: vec![
                "Digital gesiegelt".into(),
                "Stadtverwaltung Musterstadt".into(),
            ],
        };
        let stream = stream(&visible);
        let content = String::from_utf8(stream.content).unwrap();
        assert!(content.contains("/F2"), "{content}");
        assert!(content.contains(" re B"));
    }
}
