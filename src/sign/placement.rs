//! A visible signature in a corner instead of at coordinates: the first or the last page, placed
//! from that page's `/MediaBox` (ISO 32000-2 §7.7.3.3), so documents of any size get the stamp
//! in the same place.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::pdf::{self, appearance::Page, appearance::Visible};

/// The stamp's size in PDF points: room for four short lines at a readable size.
pub const WIDTH: f32 = 200.0;
pub const HEIGHT: f32 = 60.0;
/// Half an inch from the edges, inside the unprintable border of office printers.
pub const MARGIN: f32 = 36.0;

/// Where a visible signature goes: nowhere, or a corner of the first or the last page (the
/// places forms leave free for a stamp).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Placement {
    #[default]
    Invisible,
    FirstTopLeft,
    FirstTopRight,
    FirstBottomLeft,
    FirstBottomRight,
    LastTopLeft,
    LastTopRight,
    LastBottomLeft,
    LastBottomRight,
}

impl Placement {
    pub const ALL: [Self; 9] = [
        Self::Invisible,
        Self::FirstTopLeft,
        Self::FirstTopRight,
        Self::FirstBottomLeft,
        Self::FirstBottomRight,
        Self::LastTopLeft,
        Self::LastTopRight,
        Self::LastBottomLeft,
        Self::LastBottomRight,
    ];

    /// The next placement, for a control that steps through them.
    pub fn next(self) -> Self {
        let next = Self::ALL
            .iter()
            .position(|p| *p == self)
            .map_or(0, |i| i + 1);
        Self::ALL[next % Self::ALL.len()]
    }

    /// The stamp for the PDF at `input` in this corner of its page, without lines (the
    /// signature's default text fills them); `None` when invisible. Reads the page tree.
    pub fn visible(self, input: &Path) -> Result<Option<Visible>, pdf::Error> {
        let Some((page, top, right)) = self.corner() else {
            return Ok(None);
        };
        let media = pdf::File::open(input)?.media_box(page)?;
        Ok(Some(place(page, media, top, right)))
    }

    /// The page, and whether the stamp sits at the top and at the right.
    fn corner(self) -> Option<(Page, bool, bool)> {
        let first = Page::Number(1);
        Some(match self {
            Self::Invisible => return None,
            Self::FirstTopLeft => (first, true, false),
            Self::FirstTopRight => (first, true, true),
            Self::FirstBottomLeft => (first, false, false),
            Self::FirstBottomRight => (first, false, true),
            Self::LastTopLeft => (Page::Last, true, false),
            Self::LastTopRight => (Page::Last, true, true),
            Self::LastBottomLeft => (Page::Last, false, false),
            Self::LastBottomRight => (Page::Last, false, true),
        })
    }
}

/// The stamp in one corner of `media` (`[llx lly urx ury]`), kept on the page even if the
/// page is smaller than stamp and margins.
fn place(page: Page, media: [f32; 4], top: bool, right: bool) -> Visible {
    let [llx, lly, urx, ury] = media;
    Visible {
        page,
        x: if right {
            (urx - MARGIN - WIDTH).max(llx)
        } else {
            llx + MARGIN
        },
        y: if top {
            (ury - MARGIN - HEIGHT).max(lly)
        } else {
            lly + MARGIN
        },
        width: WIDTH,
        height: HEIGHT,
        lines: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners_keep_the_margin_and_follow_an_offset_media_box() {
        let at = |placement: Placement, media| {
            let (page, top, right) = placement.corner().unwrap();
            let v = place(page, media, top, right);
            (v.page, v.x, v.y)
        };
        let a4 = [0.0, 0.0, 595.0, 842.0];
        assert_eq!(
            at(Placement::FirstTopLeft, a4),
            (Page::Number(1), 36.0, 746.0)
        );
        assert_eq!(
            at(Placement::LastBottomRight, a4),
            (Page::Last, 359.0, 36.0)
        );
        assert_eq!(at(Placement::LastBottomLeft, a4), (Page::Last, 36.0, 36.0));
        let offset = [10.0, 20.0, 612.0, 792.0];
        assert_eq!(
            at(Placement::LastBottomRight, offset),
            (Page::Last, 376.0, 56.0)
        );
        assert!(Placement::Invisible.corner().is_none());
        assert_eq!(Placement::LastBottomRight.next(), Placement::Invisible);
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
        let size = objects.len() + 1;
        bytes.extend(
            format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n")
                .into_bytes(),
        );
        bytes
    }

    #[test]
    fn the_media_box_comes_from_the_chosen_page_or_its_parents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mixed.pdf");
        // Page 1 inherits US Letter from the page tree; page 2 is A5 landscape, corners
        // swapped, of its own.
        std::fs::write(
            &path,
            pdf(&[
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 /MediaBox [0 0 612 792] >>",
                "<< /Type /Page /Parent 2 0 R >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [595.3 419.5 0 0] >>",
            ]),
        )
        .unwrap();
        let at = |placement: Placement| {
            let visible = placement.visible(&path).unwrap().unwrap();
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
        assert_eq!(Placement::Invisible.visible(&path).unwrap(), None);
    }
}
