//! The protocol as an A4 PDF/A-3b file (ISO 19005-3) written with krilla: Noto Sans embedded
//! and subset (umlauts, ß, €), the ETSI TS 119 102-2 XML and the JSON report attached as
//! associated files, so the one file a clerk keeps carries the machine-readable evidence too.

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
    let pages = layout::layout(protocol, fonts);

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
}

impl Fonts {
    fn load() -> Option<Self> {
        Some(Self {
            regular: Font::new(Arc::new(REGULAR.to_vec()).into(), 0)?,
            bold: Font::new(Arc::new(BOLD.to_vec()).into(), 0)?,
        })
    }

    fn font(&self, bold: bool) -> &Font {
        if bold { &self.bold } else { &self.regular }
    }
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
