//! Where a visible signature goes: a corner of the first or the last page, placed per document
//! from that page's `/MediaBox` (documents differ in size), with lines in the app's language.

use std::path::Path;

use chrono::{DateTime, Utc};
use lopdf::Object;
use siegel::certificate::Kind;
use siegel::pdf::appearance::{Page, Visible};
use siegel::settings::Placement;
use siegel::sign;

use crate::i18n::{Language, Texts};

/// The stamp's size in PDF points: room for four short lines at a readable size.
pub const WIDTH: f32 = 200.0;
pub const HEIGHT: f32 = 60.0;
/// Half an inch from the edges, inside the unprintable border of office printers.
pub const MARGIN: f32 = 36.0;
/// `[llx lly urx ury]` of an A4 page, for pages that name no size anywhere.
const A4: [f32; 4] = [0.0, 0.0, 595.0, 842.0];
/// Enough `/Parent` steps for any real page tree; a hostile one is cut off.
const MAX_DEPTH: usize = 64;

/// A placement with its label, for the pick list (which shows `Display`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    pub placement: Placement,
    language: Language,
}

impl Choice {
    pub fn all(language: Language) -> Vec<Self> {
        Placement::ALL
            .into_iter()
            .map(|placement| Self::new(placement, language))
            .collect()
    }

    pub fn new(placement: Placement, language: Language) -> Self {
        Self {
            placement,
            language,
        }
    }
}

impl std::fmt::Display for Choice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.language.t(match self.placement {
            Placement::Invisible => "sign.placement_invisible",
            Placement::FirstTopLeft => "sign.placement_first_top_left",
            Placement::FirstTopRight => "sign.placement_first_top_right",
            Placement::FirstBottomLeft => "sign.placement_first_bottom_left",
            Placement::FirstBottomRight => "sign.placement_first_bottom_right",
            Placement::LastTopLeft => "sign.placement_last_top_left",
            Placement::LastTopRight => "sign.placement_last_top_right",
            Placement::LastBottomLeft => "sign.placement_last_bottom_left",
            Placement::LastBottomRight => "sign.placement_last_bottom_right",
        }))
    }
}

/// The next placement, for Enter on the focused pick list.
pub fn next(placement: Placement) -> Placement {
    let all = Placement::ALL;
    let next = all
        .iter()
        .position(|p| *p == placement)
        .map_or(0, |i| i + 1);
    all[next % all.len()]
}

/// The page, and whether the stamp sits at the top and at the right; `None` when invisible.
fn corner(placement: Placement) -> Option<(Page, bool, bool)> {
    let first = Page::Number(1);
    Some(match placement {
        Placement::Invisible => return None,
        Placement::FirstTopLeft => (first, true, false),
        Placement::FirstTopRight => (first, true, true),
        Placement::FirstBottomLeft => (first, false, false),
        Placement::FirstBottomRight => (first, false, true),
        Placement::LastTopLeft => (Page::Last, true, false),
        Placement::LastTopRight => (Page::Last, true, true),
        Placement::LastBottomLeft => (Page::Last, false, false),
        Placement::LastBottomRight => (Page::Last, false, true),
    })
}

/// What the stamp says, in the app's language (the library's default text is German only):
/// kind, holder, time, reason.
pub fn lines(
    language: Language,
    kind: Kind,
    holder: String,
    time: DateTime<Utc>,
    reason: Option<&str>,
) -> Vec<String> {
    let first = match kind {
        Kind::Seal => language.t("sign.stamp_sealed"),
        Kind::Signature => language.t("sign.stamp_signed"),
    };
    // Formats in code, not in the translations: chrono panics on a broken format string.
    let time = match language {
        Language::De => time.format("%d.%m.%Y %H:%M UTC"),
        Language::En => time.format("%Y-%m-%d %H:%M UTC"),
    };
    let mut lines = vec![first.to_owned(), holder, time.to_string()];
    lines.extend(reason.map(str::to_owned));
    lines
}

/// `request` for the document at `input`: with the stamp in the chosen corner of its page.
/// Reads the document, so it runs on the worker.
pub fn request_for(
    request: &sign::Request,
    placement: Placement,
    input: &Path,
    lines: &[String],
) -> Result<sign::Request, String> {
    let mut request = request.clone();
    request.visible = match corner(placement) {
        None => None,
        Some((page, top, right)) => {
            let media = media_box(input, page).map_err(|e| format!("{}: {e}", input.display()))?;
            Some(place(page, media, top, right, lines.to_vec()))
        }
    };
    Ok(request)
}

/// The stamp in one corner of `media` (`[llx lly urx ury]`), kept on the page even if the
/// page is smaller than stamp and margins.
fn place(page: Page, media: [f32; 4], top: bool, right: bool, lines: Vec<String>) -> Visible {
    let [llx, lly, urx, ury] = media;
    let x = if right {
        (urx - MARGIN - WIDTH).max(llx)
    } else {
        llx + MARGIN
    };
    let y = if top {
        (ury - MARGIN - HEIGHT).max(lly)
    } else {
        lly + MARGIN
    };
    Visible {
        page,
        x,
        y,
        width: WIDTH,
        height: HEIGHT,
        lines,
    }
}

/// The page's `/MediaBox`, inherited from the page tree where the page has none (ISO 32000-2
/// §7.7.3.4); A4 where nobody names one. A document without pages gets A4 as well: signing
/// then reports the missing page.
fn media_box(input: &Path, page: Page) -> Result<[f32; 4], siegel::pdf::Error> {
    let mut file = siegel::pdf::File::open(input)?;
    let pages = file.pages()?;
    let id = match page {
        Page::Number(n) => n.checked_sub(1).and_then(|i| pages.get(i)),
        Page::Last => pages.last(),
    };
    let Some(&id) = id else {
        return Ok(A4);
    };
    let mut node = file.dictionary(&Object::Reference(id))?;
    for _ in 0..MAX_DEPTH {
        if let Ok(media) = node.get(b"MediaBox") {
            return Ok(rectangle(&file.resolve(media)?).unwrap_or(A4));
        }
        match node.get(b"Parent").and_then(Object::as_reference) {
            Ok(parent) => node = file.dictionary(&Object::Reference(parent))?,
            Err(_) => break,
        }
    }
    Ok(A4)
}

/// A PDF rectangle normalised to `[llx lly urx ury]` (§7.9.5: any two opposite corners).
fn rectangle(object: &Object) -> Option<[f32; 4]> {
    let numbers: Vec<f32> = object
        .as_array()
        .ok()?
        .iter()
        .map(|n| n.as_float().ok().filter(|n| n.is_finite()))
        .collect::<Option<_>>()?;
    let [a, b, c, d] = numbers.as_slice() else {
        return None;
    };
    let rectangle = [a.min(*c), b.min(*d), a.max(*c), b.max(*d)];
    (rectangle[2] > rectangle[0] && rectangle[3] > rectangle[1]).then_some(rectangle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners_keep_the_margin() {
        let a4 = A4;
        let at = |placement| {
            let (page, top, right) = corner(placement).unwrap();
            let v = place(page, a4, top, right, Vec::new());
            (v.page, v.x, v.y)
        };
        assert_eq!(at(Placement::FirstTopLeft), (Page::Number(1), 36.0, 746.0));
        assert_eq!(at(Placement::LastBottomRight), (Page::Last, 359.0, 36.0));
        assert_eq!(at(Placement::LastBottomLeft), (Page::Last, 36.0, 36.0));
        assert!(corner(Placement::Invisible).is_none());
    }

    #[test]
    fn a_media_box_with_an_offset_and_swapped_corners_is_normalised() {
        let media = Object::Array(vec![
            Object::Integer(612),
            Object::Integer(792),
            Object::Real(10.0),
            Object::Integer(20),
        ]);
        assert_eq!(rectangle(&media), Some([10.0, 20.0, 612.0, 792.0]));
        assert_eq!(rectangle(&Object::Array(vec![0.into(), 0.into()])), None);
        let v = place(
            Page::Last,
            [10.0, 20.0, 612.0, 792.0],
            false,
            true,
            Vec::new(),
        );
        assert_eq!((v.x, v.y), (376.0, 56.0));
    }

    /// A PDF of `objects` (numbered from 1, object 1 the catalog) with an exact xref table.
    fn pdf(objects: &[&str]) -> Vec<u8> {
        let mut bytes = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            offsets.push(bytes.len());
            bytes.extend(format!("{} 0 obj\n{object}\nendobj\n", i + 1).into_bytes());
        }
        let xref = bytes.len();
        bytes.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
        for offset in offsets {
            bytes.extend(format!("{offset:010} 00000 n \n").into_bytes());
        }
        bytes.extend(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .into_bytes(),
        );
        bytes
    }

    #[test]
    fn the_media_box_comes_from_the_chosen_page_or_its_parents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mixed.pdf");
        // Page 1 inherits US Letter from the page tree; page 2 is A5 landscape of its own.
        std::fs::write(
            &path,
            pdf(&[
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 /MediaBox [0 0 612 792] >>",
                "<< /Type /Page /Parent 2 0 R >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.3 419.5] >>",
            ]),
        )
        .unwrap();
        assert_eq!(
            media_box(&path, Page::Number(1)).unwrap(),
            [0.0, 0.0, 612.0, 792.0]
        );
        assert_eq!(
            media_box(&path, Page::Last).unwrap(),
            [0.0, 0.0, 595.3, 419.5]
        );
        let base = sign::Request::new(Kind::Seal, Utc::now());
        let at = |placement| {
            let visible = request_for(&base, placement, &path, &[])
                .unwrap()
                .visible
                .unwrap();
            (visible.page, visible.x, visible.y)
        };
        assert_eq!(
            at(Placement::FirstTopRight),
            (Page::Number(1), 612.0 - 236.0, 792.0 - 96.0)
        );
        assert_eq!(
            at(Placement::LastBottomRight),
            (Page::Last, 595.3 - 236.0, 36.0)
        );
    }

    #[test]
    fn every_placement_has_a_label_in_both_languages() {
        for language in [Language::De, Language::En] {
            for choice in Choice::all(language) {
                assert!(!choice.to_string().starts_with("sign."), "{choice:?}");
            }
        }
    }

    #[test]
    fn lines_follow_the_language() {
        let time = DateTime::parse_from_rfc3339("2026-03-01T09:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            lines(
                Language::En,
                Kind::Seal,
                "Musterstadt".into(),
                time,
                Some("Bescheid")
            ),
            [
                "Digitally sealed by",
                "Musterstadt",
                "2026-03-01 09:30 UTC",
                "Bescheid"
            ]
        );
        assert_eq!(
            lines(Language::De, Kind::Signature, "Erika".into(), time, None)[2],
            "01.03.2026 09:30 UTC"
        );
    }
}
