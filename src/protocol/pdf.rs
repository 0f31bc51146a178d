//! The protocol as an A4 PDF/A-3b file (ISO 19005-3) written with krilla: Noto Sans embedded
//! and subset (Latin, Greek, Cyrillic; umlauts, ß, €), the ETSI TS 119 102-2 XML and the JSON
//! report attached as associated files, so the one file a clerk keeps carries the
//! machine-readable evidence too. Characters Noto Sans lacks (CJK, emoji) are shown as a
//! placeholder with their code points ([`Fonts::cover`]).

mod layout;

use std::sync::{Arc, LazyLock};

use chrono::{Datelike, Timelike};
use krilla::Document;
use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::{Font, TextDirection};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

use self::layout::{Color, Measure, Op};
use super::Error;
use super::content::Protocol;
use crate::validate::Report;

/// SIL Open Font License 1.1; see `assets/fonts/README.md`.
static REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold.ttf");

/// The fonts parsed once per process: krilla and the layout share the bytes.
static FONTS: LazyLock<Option<Fonts>> = LazyLock::new(Fonts::load);

/// The machine-readable reports that travel inside the PDF.
#[derive(Debug)]
pub struct Attachments {
    pub xml: Vec<u8>,
    pub json: Vec<u8>,
}

pub fn render(
    protocol: &Protocol,
    report: &Report,
    attachments: Attachments,
) -> Result<Vec<u8>, Error> {
    let fonts = FONTS
        .as_ref()
        .ok_or_else(|| Error::Pdf("the embedded Noto Sans fonts cannot be read".into()))?;
    let pages = layout::layout(&protocol.clone().map_text(|text| fonts.cover(text)), fonts);

    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A3_B)
        .finish()
        .map_err(|e| Error::Pdf(format!("PDF/A-3 configuration: {e:?}")))?;
    let settings = krilla::SerializeSettings {
        configuration,
        ..Default::default()
    };
    let mut document = Document::new_with(settings);
    let created = pdf_time(report.validation_time);
    document.set_metadata(
        Metadata::new()
            .title(format!("{}: {}", protocol.title, protocol.file))
            .language(protocol.language.tag().to_owned())
            .creator(protocol.product.clone())
            .producer(protocol.product.clone())
            .creation_date(created),
    );
    for (name, mime, description, data) in [
        (
            "validation-report.xml",
            "application/xml",
            "ETSI TS 119 102-2 v1.4.1 validation report",
            attachments.xml,
        ),
        (
            "validation-report.json",
            "application/json",
            "Siegel validation report (JSON)",
            attachments.json,
        ),
    ] {
        document
            .embed_file(EmbeddedFile {
                path: name.to_owned(),
                mime_type: MimeType::new(mime),
                description: Some(description.to_owned()),
                association_kind: AssociationKind::Data,
                data: Arc::new(data).into(),
                modification_date: Some(created),
                compress: Some(true),
                location: None,
            })
            .ok_or_else(|| Error::Pdf(format!("cannot attach {name} twice")))?;
    }

    let size = PageSettings::from_wh(layout::PAGE_WIDTH, layout::PAGE_HEIGHT)
        .ok_or_else(|| Error::Pdf("invalid page size".into()))?;
    for ops in pages {
        let mut page = document.start_page_with(size.clone());
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Rect {
                    x,
                    y,
                    width,
                    height,
                    color,
                } => {
                    let mut path = PathBuilder::new();
                    if let Some(rect) = Rect::from_xywh(x, y, width, height) {
                        path.push_rect(rect);
                    }
                    if let Some(path) = path.finish() {
                        surface.set_fill(Some(fill(color)));
                        surface.draw_path(&path);
                    }
                }
                Op::Text {
                    x,
                    y,
                    size,
                    bold,
                    color,
                    text,
                } => {
                    surface.set_fill(Some(fill(color)));
                    surface.draw_text(
                        Point::from_xy(x, y),
                        fonts.font(bold).clone(),
                        size,
                        &text,
                        false,
                        TextDirection::Auto,
                    );
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| Error::Pdf(format!("{e:?}")))
}

fn fill(Color(r, g, b): Color) -> Fill {
    Fill {
        paint: rgb::Color::new(r, g, b).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

/// The validation time as a PDF date (UTC), so the same report gives the same metadata.
fn pdf_time(time: chrono::DateTime<chrono::Utc>) -> DateTime {
    let small = |n: u32| u8::try_from(n).unwrap_or(0);
    DateTime::new(u16::try_from(time.year()).unwrap_or(0))
        .month(small(time.month()))
        .day(small(time.day()))
        .hour(small(time.hour()))
        .minute(small(time.minute()))
        .second(small(time.second()))
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

/// Regular and bold Noto Sans, for krilla and for measuring.
struct Fonts {
    regular: Font,
    bold: Font,
    /// The same fonts for looking up which characters they have.
    tables: [skrifa::FontRef<'static>; 2],
    /// What stands in for a character the fonts lack.
    placeholder: char,
}

impl Fonts {
    fn load() -> Option<Self> {
        let tables = [
            skrifa::FontRef::new(REGULAR).ok()?,
            skrifa::FontRef::new(BOLD).ok()?,
        ];
        let mut fonts = Self {
            regular: Font::new(Arc::new(REGULAR.to_vec()).into(), 0)?,
            bold: Font::new(Arc::new(BOLD.to_vec()).into(), 0)?,
            tables,
            placeholder: '?',
        };
        fonts.placeholder = PLACEHOLDERS
            .into_iter()
            .find(|c| fonts.has(*c))
            .unwrap_or('?');
        Some(fonts)
    }

    fn font(&self, bold: bool) -> &Font {
        if bold { &self.bold } else { &self.regular }
    }

    /// Whether both fonts have a glyph for `c`.
    fn has(&self, c: char) -> bool {
        self.tables
            .iter()
            .all(|font| font.charmap().map(c).is_some())
    }

    /// `text` with every run of characters the fonts lack (CJK, emoji, scripts Noto Sans does
    /// not cover) shown as one placeholder per character and then the code points:
    /// `中文` becomes `�� (U+4E2D U+6587)` (U+FFFD, as Noto Sans has no U+25A1). A glyph the
    /// font lacks would make krilla refuse the whole PDF (and PDF/A forbids `.notdef`); a CJK
    /// fallback font would add 10–20 MB to every build for names that are rare in German case
    /// files, while the code points keep the name exact. Joiners and variation selectors after
    /// a missing character belong to its run.
    fn cover(&self, text: &str) -> String {
        if text.chars().all(|c| self.has(c)) {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len() * 2);
        let mut run: Vec<char> = Vec::new();
        let flush = |run: &mut Vec<char>, out: &mut String| {
            if run.is_empty() {
                return;
            }
            let shown = run.iter().filter(|c| !joins(**c)).count().max(1);
            out.extend(std::iter::repeat_n(self.placeholder, shown));
            let points: Vec<String> = run
                .iter()
                .map(|c| format!("U+{:04X}", u32::from(*c)))
                .collect();
            out.push_str(&format!(" ({})", points.join(" ")));
            run.clear();
        };
        for c in text.chars() {
            if !self.has(c) || (!run.is_empty() && joins(c)) {
                run.push(c);
            } else {
                flush(&mut run, &mut out);
                out.push(c);
            }
        }
        flush(&mut run, &mut out);
        out
    }
}

/// Stand-ins for missing characters, best first: WHITE SQUARE, REPLACEMENT CHARACTER.
const PLACEHOLDERS: [char; 2] = ['\u{25A1}', '\u{FFFD}'];

/// Characters that modify the one before them: zero-width joiner, variation selectors, emoji
/// skin tones and tags.
fn joins(c: char) -> bool {
    matches!(
        c,
        '\u{200D}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{1F3FB}'..='\u{1F3FF}'
            | '\u{E0020}'..='\u{E007F}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

impl Measure for Fonts {
    /// Sums the advance widths (no kerning: lines come out a hair wider than measured at
    /// most, which the margins absorb).
    fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let bytes = if bold { BOLD } else { REGULAR };
        let Ok(font) = skrifa::FontRef::new(bytes) else {
            return text.chars().count() as f32 * size * 0.6;
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|glyph| metrics.advance_width(glyph))
                    .unwrap_or(size * 0.6)
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> &'static Fonts {
        FONTS.as_ref().unwrap()
    }

    #[test]
    fn text_the_fonts_cover_stays() {
        for text in [
            "Erika Mustermann",
            "Jürgen Weiß, 1.000 €",
            "Ελληνικά Кириллица",
        ] {
            assert_eq!(fonts().cover(text), text);
        }
    }

    #[test]
    fn missing_characters_become_placeholders_and_code_points() {
        let p = fonts().placeholder;
        assert_ne!(p, '?', "Noto Sans has a placeholder glyph");
        assert_eq!(
            fonts().cover("Li 中文 GmbH"),
            format!("Li {p}{p} (U+4E2D U+6587) GmbH")
        );
        assert_eq!(
            fonts().cover("\u{1F469}\u{200D}\u{1F4BB}!"),
            format!("{p}{p} (U+1F469 U+200D U+1F4BB)!")
        );
        let covered = fonts().cover("株式会社 🇪🇺 👍🏽");
        assert!(covered.chars().all(|c| fonts().has(c)), "{covered}");
    }
}
