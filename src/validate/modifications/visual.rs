//! The second line of defence: the pages of a signed revision and of the document as it is
//! now, drawn and compared (what EU DSS does for the same reason). Object rules will always
//! lag behind attackers; a page that looks different outside the areas of allowed changes
//! is never passed, and an allowed change whose appearance covers signed content is named.
//!
//! Only pages whose drawing inputs differ between the two revisions are drawn: their page
//! objects, contents, resources and visible annotations, compared by where each object is
//! stored. Identical inputs draw identical pixels.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::{Read, Seek};
use std::sync::Arc;

use lopdf::Object;

use super::rules::{Area, Tint};
use crate::pdf::{self, View, render};

/// Files larger than this are not drawn: the renderer needs them in memory.
pub(crate) const MAX_FILE: u64 = 256 * 1024 * 1024;
/// Resolution of the comparison; small text stays legible, a page costs a few milliseconds.
const DPI: f32 = 50.0;
/// Most time one page may take to draw.
const MAX_PAGE_TIME: std::time::Duration = std::time::Duration::from_secs(5);
/// Most pages drawn for one comparison: the first ones, then a sample.
const MAX_PAGES: usize = 20;
/// Grey-level difference that counts as a change (rendering is deterministic; this only
/// absorbs rounding).
const THRESHOLD: u8 = 40;
/// Darker than this is ink.
const INK: u8 = 160;
/// Lighter than this is paper.
const PAPER: u8 = 200;
/// Pixels of margin around an allowed area (anti-aliasing at its edges).
const MARGIN: usize = 2;
/// Objects followed for one page's drawing inputs.
const MAX_CLOSURE: usize = 50_000;
/// Page keys that do not change what is drawn.
const UNDRAWN_PAGE_KEYS: &[&[u8]] = &[
    b"Parent",
    b"Annots",
    b"B",
    b"Thumb",
    b"Metadata",
    b"PieceInfo",
    b"StructParents",
    b"AA",
    b"Trans",
    b"Dur",
    b"ID",
    b"PZ",
    b"SeparationInfo",
    b"Tabs",
    b"TemplateInstantiated",
    b"AF",
    b"DPart",
    b"VP",
    b"LastModified",
];
/// Annotation keys that do not change how the renderer draws it.
const UNDRAWN_ANNOTATION_KEYS: &[&[u8]] = &[
    b"P",
    b"Parent",
    b"Popup",
    b"IRT",
    b"V",
    b"T",
    b"TU",
    b"TM",
    b"M",
    b"NM",
    b"StructParent",
    b"Kids",
    b"Lock",
    b"SV",
    b"A",
    b"AA",
    b"DV",
    b"Ff",
];

/// An object as stored: its number and where a view reads it from.
type Stored = (u32, Option<(u64, u64)>);
/// What an annotation adds to a page's drawing inputs: a digest and what it refers to.
type Drawn = (u64, Vec<u32>);

/// What a comparison found.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Allowed areas whose appearance covers signed content, with the page number (from 1).
    pub(crate) covering: Vec<(Area, usize)>,
    /// Pages (from 1) that look different outside every allowed area.
    pub(crate) changed_pages: Vec<usize>,
    /// Why pages could not be compared.
    pub(crate) not_compared: Option<String>,
    /// Remarks for the report (sampling, size).
    pub(crate) notes: Vec<String>,
    /// Pages drawn.
    pub(crate) drawn: usize,
}

/// Comparisons against the newest revision of one document, sharing its drawn pages.
#[derive(Default)]
pub(crate) struct Visual {
    bytes: Option<Arc<Vec<u8>>>,
    newest: Option<Result<render::Document, render::Error>>,
    newest_pages: HashMap<usize, Result<render::Bitmap, render::Error>>,
    fingerprints: HashMap<(View, u32), u64>,
    /// What each stored annotation contributes to a page's fingerprint (`None`: nothing, it
    /// is not drawn). Annotations are written once and met in every later revision.
    annotations: HashMap<Stored, Option<Drawn>>,
}

impl std::fmt::Debug for Visual {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Visual")
            .field("pages", &self.newest_pages.len())
            .finish_non_exhaustive()
    }
}

impl Visual {
    /// Compares the revision that ends at `signed_end` (seen as `signed`) with the newest.
    pub(crate) fn compare<R: Read + Seek>(
        &mut self,
        file: &mut pdf::File<R>,
        signed_end: u64,
        signed: View,
        areas: &[Area],
    ) -> Result<Outcome, pdf::Error> {
        let mut outcome = Outcome::default();
        let then = file.pages_in(signed)?;
        let now = file.pages_in(View::NEWEST)?;
        if then != now {
            outcome.not_compared = Some("the pages are not the same as when signed".into());
            return Ok(outcome);
        }
        let mut changed = Vec::new();
        for (index, page) in now.iter().enumerate() {
            file.budget_check()?;
            let before = self.fingerprint(file, signed, page.0)?;
            let after = self.fingerprint(file, View::NEWEST, page.0)?;
            if before != after {
                changed.push(index);
            }
        }
        if changed.is_empty() {
            return Ok(outcome);
        }
        if file.len() > MAX_FILE {
            outcome.not_compared = Some(format!(
                "files over {} MiB are not drawn, and what changed on its pages cannot be confirmed",
                MAX_FILE / (1024 * 1024)
            ));
            return Ok(outcome);
        }
        let sample = sample(&changed);
        if sample.len() < changed.len() {
            outcome.notes.push(format!(
                "{} of {} changed pages were compared as drawn",
                sample.len(),
                changed.len()
            ));
        }
        let bytes = match &self.bytes {
            Some(bytes) => Arc::clone(bytes),
            None => {
                let len = usize::try_from(file.len())
                    .map_err(|_| pdf::Error::Structure("file too large"))?;
                let bytes = Arc::new(file.read_at(0, len)?);
                self.bytes = Some(Arc::clone(&bytes));
                bytes
            }
        };
        let signed_len = usize::try_from(signed_end).unwrap_or(usize::MAX);
        let then_doc = match render::Document::open(Arc::clone(&bytes), signed_len) {
            Ok(doc) => doc,
            Err(error) => {
                outcome.not_compared = Some(format!("the signed revision: {error}"));
                return Ok(outcome);
            }
        };
        for index in sample {
            file.budget_check()?;
            let page = now[index].0;
            let page_areas: Vec<&Area> = areas.iter().filter(|a| a.region.page == page).collect();
            let within = file
                .budget()
                .remaining()
                .map_or(MAX_PAGE_TIME, |left| left.min(MAX_PAGE_TIME));
            let now_bitmap = match self.newest_page(&bytes, index, within) {
                Ok(bitmap) => bitmap,
                Err(error) => {
                    outcome.not_compared = Some(format!("page {}: {error}", index + 1));
                    continue;
                }
            };
            let then_bitmap = match then_doc.render(index, DPI, render::Content::Everything, within)
            {
                Ok(bitmap) => bitmap,
                Err(error) => {
                    outcome.not_compared = Some(format!("page {} as signed: {error}", index + 1));
                    continue;
                }
            };
            outcome.drawn += 2;
            let content = if page_areas.is_empty() {
                None
            } else {
                outcome.drawn += 1;
                then_doc
                    .render(index, DPI, render::Content::PageOnly, within)
                    .ok()
            };
            compare_page(
                index,
                (&then_bitmap, content.as_ref(), &now_bitmap),
                &page_areas,
                &mut outcome,
            );
        }
        Ok(outcome)
    }

    fn newest_page(
        &mut self,
        bytes: &Arc<Vec<u8>>,
        index: usize,
        within: std::time::Duration,
    ) -> Result<render::Bitmap, render::Error> {
        if let Some(result) = self.newest_pages.get(&index) {
            return result.clone();
        }
        let doc = self
            .newest
            .get_or_insert_with(|| render::Document::open(Arc::clone(bytes), bytes.len()));
        let result = match doc {
            Ok(doc) => doc.render(index, DPI, render::Content::Everything, within),
            Err(error) => Err(error.clone()),
        };
        self.newest_pages.insert(index, result.clone());
        result
    }

    /// A digest of everything that decides how page `page` is drawn in `view`: the page's own
    /// entries, what they refer to, the visible annotations and their appearances, and the
    /// optional-content configuration, each object by where it is stored.
    fn fingerprint<R: Read + Seek>(
        &mut self,
        file: &mut pdf::File<R>,
        view: View,
        page: u32,
    ) -> Result<u64, pdf::Error> {
        if let Some(known) = self.fingerprints.get(&(view, page)) {
            return Ok(*known);
        }
        let mut hasher = DefaultHasher::new();
        let mut queue: Vec<u32> = Vec::new();
        let dict = file.dictionary_in(view, &Object::Reference((page, 0)))?;
        let mut drawn = dict.clone();
        for key in UNDRAWN_PAGE_KEYS {
            drawn.remove(key);
        }
        format!("{drawn:?}").hash(&mut hasher);
        push_references(&Object::Dictionary(drawn), &mut queue);
        // Inherited attributes (§7.7.3.4) from the page tree.
        let mut parent = dict.get(b"Parent").ok().cloned();
        for _ in 0..32 {
            let Some(node) = parent.take() else { break };
            let Ok(node) = file.dictionary_in(view, &node) else {
                break;
            };
            for key in [b"Resources".as_slice(), b"MediaBox", b"CropBox", b"Rotate"] {
                if let Ok(value) = node.get(key) {
                    format!("{key:?}{value:?}").hash(&mut hasher);
                    push_references(value, &mut queue);
                }
            }
            parent = node.get(b"Parent").ok().cloned();
        }
        let annotations = match dict.get(b"Annots").map(|a| file.resolve_in(view, a)) {
            Ok(Ok(Object::Array(items))) => items,
            _ => Vec::new(),
        };
        for annotation in annotations {
            let key = annotation
                .as_reference()
                .ok()
                .map(|id| (id.0, file.location_in(view, id.0)));
            let drawn = match key.and_then(|key| self.annotations.get(&key)) {
                Some(known) => known.clone(),
                None => {
                    let drawn = drawn_annotation(file, view, &annotation);
                    if let Some(key) = key {
                        self.annotations.insert(key, drawn.clone());
                    }
                    drawn
                }
            };
            if let Some((digest, references)) = drawn {
                digest.hash(&mut hasher);
                queue.extend(references);
            }
        }
        let (_, catalog) = file.catalog_in(view)?;
        if let Ok(oc) = catalog.get(b"OCProperties") {
            format!("{oc:?}").hash(&mut hasher);
            push_references(oc, &mut queue);
        }
        let mut seen = HashSet::new();
        while let Some(number) = queue.pop() {
            if !seen.insert(number) {
                continue;
            }
            if seen.len() > MAX_CLOSURE {
                file.budget_check()?;
                // Too large to follow: count it as changed, so it is drawn.
                u64::MAX.hash(&mut hasher);
                break;
            }
            (number, file.location_in(view, number)).hash(&mut hasher);
            if let Ok(object) = file.shallow_in(view, (number, 0)) {
                push_references(&object, &mut queue);
            }
        }
        let digest = hasher.finish();
        self.fingerprints.insert((view, page), digest);
        Ok(digest)
    }
}

/// What an annotation contributes to its page's drawing: a digest of its drawn entries and
/// what they refer to; `None` if it is not drawn (hidden, or without an area).
fn drawn_annotation<R: Read + Seek>(
    file: &mut pdf::File<R>,
    view: View,
    annotation: &Object,
) -> Option<Drawn> {
    let mut annotation = file.dictionary_in(view, annotation).ok()?;
    let flags = annotation
        .get(b"F")
        .ok()
        .and_then(|f| f.as_i64().ok())
        .unwrap_or(0);
    if flags & (2 | 32) != 0 || !has_area(&annotation) {
        return None;
    }
    for key in UNDRAWN_ANNOTATION_KEYS {
        annotation.remove(key);
    }
    let mut hasher = DefaultHasher::new();
    format!("{annotation:?}").hash(&mut hasher);
    let mut references = Vec::new();
    push_references(&Object::Dictionary(annotation), &mut references);
    Some((hasher.finish(), references))
}

/// The first pages, then evenly spread ones, at most [`MAX_PAGES`].
fn sample(changed: &[usize]) -> Vec<usize> {
    if changed.len() <= MAX_PAGES {
        return changed.to_vec();
    }
    let head = MAX_PAGES / 2;
    let mut picked: Vec<usize> = changed[..head].to_vec();
    let rest = &changed[head..];
    let slots = MAX_PAGES - head;
    for i in 0..slots {
        let at = i * rest.len() / slots;
        if let Some(page) = rest.get(at) {
            picked.push(*page);
        }
    }
    picked.dedup();
    picked
}

fn has_area(annotation: &lopdf::Dictionary) -> bool {
    let numbers: Vec<f64> = match annotation.get(b"Rect") {
        Ok(Object::Array(items)) => items
            .iter()
            .filter_map(|n| match n {
                Object::Integer(i) => Some(*i as f64),
                Object::Real(r) => Some(f64::from(*r)),
                _ => None,
            })
            .collect(),
        _ => return true,
    };
    match numbers[..] {
        [x1, y1, x2, y2] => (x2 - x1).abs() >= 0.5 && (y2 - y1).abs() >= 0.5,
        _ => true,
    }
}

fn push_references(object: &Object, queue: &mut Vec<u32>) {
    queue.extend(super::graph::references(object).iter().map(|e| e.other));
}

/// Compares one page drawn as signed (with and without annotations) and as it is now.
fn compare_page(
    index: usize,
    (then, content, now): (&render::Bitmap, Option<&render::Bitmap>, &render::Bitmap),
    areas: &[&Area],
    outcome: &mut Outcome,
) {
    if then.width != now.width || then.height != now.height {
        outcome.changed_pages.push(index + 1);
        return;
    }
    let mut explained = vec![false; then.luma.len()];
    for area in areas {
        let Some((x0, y0, x1, y1)) = now.pixels_of(area.region.rect, MARGIN) else {
            continue;
        };
        for y in y0..y1 {
            for x in x0..x1 {
                if let Some(flag) = explained.get_mut(y * now.width + x) {
                    *flag = true;
                }
            }
        }
        let Some(inner) = now.pixels_of(area.region.rect, 0) else {
            continue;
        };
        let covers = content.is_some_and(|c| has_ink(c, inner));
        let changed = differs(then, now, inner);
        if covers && changed && !tinted_only(then, now, inner, area.tint) {
            outcome.covering.push(((*area).clone(), index + 1));
        }
    }
    let unexplained = then
        .luma
        .iter()
        .zip(&now.luma)
        .zip(&explained)
        .filter(|((a, b), explained)| !**explained && a.abs_diff(**b) > THRESHOLD)
        .count();
    if unexplained > 0 {
        outcome.changed_pages.push(index + 1);
    }
}

fn pixels(box_: (usize, usize, usize, usize)) -> impl Iterator<Item = (usize, usize)> {
    let (x0, y0, x1, y1) = box_;
    (y0..y1).flat_map(move |y| (x0..x1).map(move |x| (x, y)))
}

/// Whether the signed page content has ink inside the box (more than a stray pixel or two).
fn has_ink(content: &render::Bitmap, box_: (usize, usize, usize, usize)) -> bool {
    let total = (box_.2 - box_.0) * (box_.3 - box_.1);
    let ink = pixels(box_)
        .filter(|(x, y)| content.at(*x, *y) < INK)
        .count();
    ink > 3.max(total / 500)
}

fn differs(
    then: &render::Bitmap,
    now: &render::Bitmap,
    box_: (usize, usize, usize, usize),
) -> bool {
    pixels(box_).any(|(x, y)| then.at(x, y).abs_diff(now.at(x, y)) > THRESHOLD)
}

/// Whether the change inside the box only tints: nothing signed turned light, and (for lines)
/// hardly anything light turned to ink.
fn tinted_only(
    then: &render::Bitmap,
    now: &render::Bitmap,
    box_: (usize, usize, usize, usize),
    tint: Tint,
) -> bool {
    let allowed_new_ink = match tint {
        Tint::None => return false,
        Tint::Highlight => 0,
        Tint::Line => {
            let total = (box_.2 - box_.0) * (box_.3 - box_.1);
            total * 3 / 100
        }
    };
    let mut new_ink = 0;
    for (x, y) in pixels(box_) {
        let (a, b) = (then.at(x, y), now.at(x, y));
        if a < INK && b >= PAPER {
            return false;
        }
        if a >= PAPER && b < INK - 40 {
            new_ink += 1;
        }
    }
    new_ink <= allowed_new_ink
}
