//! The attacker's population: every attack class the issues name, each on several signed bases
//! (classic and cross-reference-stream files, object streams, certified P=1/2/3, visible
//! signatures, a pyHanko-signed file). Expected: never TOTAL_PASSED.
//!
//! An attack is a function from a base name to a forged document; most take a signed victim
//! and append what an attacker appends, the shadow attacks prepare the document before the
//! victim signs it.

mod content;
mod signature;
mod structure;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use lopdf::{Dictionary, Object, ObjectId};
use siegel::pdf::permissions::DocMdp;

use super::craft::{self, Numbers, Section, name, rect};
use super::document::{Doc, Siegel, Workspace};
use super::harness::{self, Expect, Population};
use super::oracle;
use crate::support::{self, pdf};

/// What the forgeries say.
pub const FORGED_TEXT: &str = "Zahlung: 1.000.000 EUR an Mallory";
/// Over the signed text of every base (title and first lines), in PDF points.
pub const OVER_TEXT: [f32; 4] = [66.0, 700.0, 530.0, 786.0];
/// A visible signature's box on the bases that have one (`[x, y, width, height]`).
const CORNER: [f32; 4] = [355.0, 36.0, 200.0, 60.0];

/// A forgery: its class, the bases it is built on, and how.
type Make = fn(&Ctx, &str) -> Doc;

/// Every attack class and its bases.
const FORGERIES: &[(&str, &[&str], Make)] = &[
    // Incremental saving (ISA): new content in an update.
    (
        "ISA: content stream replaced",
        &[
            "classic",
            "xref-stream",
            "linearized",
            "certified-P1",
            "certified-P2",
            "certified-P3",
            "visible",
            "pyhanko",
            "form",
        ],
        content::replace_content,
    ),
    (
        "ISA: page /Contents re-pointed to a new stream",
        &["classic", "xref-stream", "certified-P2", "pyhanko"],
        content::repoint_contents,
    ),
    (
        "ISA: overlay stream appended to /Contents",
        &["classic", "linearized", "certified-P3"],
        content::append_overlay,
    ),
    (
        "ISA: new page added",
        &["classic", "xref-stream"],
        content::add_page,
    ),
    (
        "ISA: font redefined (digits remapped)",
        &["classic", "xref-stream", "pyhanko"],
        content::replace_font,
    ),
    // Shadow attacks: prepared before signing, switched after.
    (
        "shadow hide: cover removed from /Contents",
        &["classic", "xref-stream", "certified-P2"],
        content::shadow_hide_contents,
    ),
    (
        "shadow hide: cover stream emptied",
        &["classic", "xref-stream"],
        content::shadow_hide_emptied,
    ),
    (
        "shadow hide: cover freed in the xref",
        &["classic", "xref-stream"],
        content::shadow_hide_freed,
    ),
    (
        "shadow hide: covering annotation removed",
        &["classic", "certified-P2"],
        content::shadow_hide_annotation,
    ),
    (
        "shadow replace: signed field value replaced",
        &["classic", "xref-stream"],
        content::shadow_replace_field,
    ),
    (
        "shadow replace: transparent field over signed text filled",
        &["certified-P2", "classic"],
        content::shadow_replace_field_over_text,
    ),
    (
        "shadow hide-and-replace: page /Contents switched to hidden stream",
        &["classic", "xref-stream", "certified-P2"],
        content::shadow_switch_contents,
    ),
    (
        "shadow hide-and-replace: catalog /Pages switched to hidden tree",
        &["classic", "certified-P3"],
        content::shadow_switch_pages,
    ),
    // Evil annotations (EAA).
    (
        "EAA: FreeText over signed text",
        &["certified-P2", "certified-P3", "classic", "xref-stream"],
        content::eaa_free_text,
    ),
    (
        "EAA: Stamp over signed text",
        &["certified-P3", "certified-P1", "pyhanko"],
        content::eaa_stamp,
    ),
    (
        "EAA: 'harmless' Text annotation whose /AP draws content",
        &["certified-P3", "classic", "visible"],
        content::eaa_text,
    ),
    (
        "EAA: 'harmless' Highlight whose /AP draws content",
        &["certified-P3", "linearized"],
        content::eaa_highlight,
    ),
    (
        "EAA: opaque Square annotation hides signed text",
        &["certified-P3", "form"],
        content::eaa_square,
    ),
    // Sneaky signatures (SSA).
    (
        "SSA: new signature field without /V over signed text",
        &["certified-P2", "classic", "xref-stream"],
        content::ssa_without_value,
    ),
    (
        "SSA: new field's /V is the existing signature dictionary",
        &["certified-P2", "classic"],
        content::ssa_old_value,
    ),
    (
        "SSA: new field's /V is a copy of the signature dictionary",
        &["certified-P2", "certified-P3"],
        content::ssa_copied_value,
    ),
    (
        "SSA: new field's /V is a non-signature dictionary",
        &["certified-P2"],
        content::ssa_page_value,
    ),
    (
        "SSA: new field's /V is a stream (a stream under /FT /Sig)",
        &["certified-P2", "certified-P3"],
        content::ssa_stream_value,
    ),
    (
        "SSA: real signature whose appearance covers signed text",
        &["certified-P2", "classic"],
        content::ssa_real_signature,
    ),
    (
        "SSA: widget /Rect is an indirect array",
        &["certified-P2", "classic"],
        content::rect_indirect_array,
    ),
    (
        "SSA: widget /Rect of indirect numbers",
        &["certified-P2", "classic"],
        content::rect_indirect_numbers,
    ),
    (
        "signed signature's appearance stream redefined",
        &["visible", "visible-P2"],
        content::appearance_redefined,
    ),
    (
        "signed signature's /AP re-pointed to a new stream",
        &["visible", "visible-P2"],
        content::appearance_repointed,
    ),
    (
        "/NeedAppearances true and a new /DR font remapping digits",
        &["form", "certified-P2"],
        content::need_appearances_font,
    ),
    (
        "/NeedAppearances true and a new /V without appearance",
        &["form"],
        content::need_appearances_value,
    ),
    (
        "indirect page /Contents array grows",
        &["classic", "xref-stream", "certified-P3"],
        content::contents_array_grows,
    ),
    (
        "dangling /Contents reference filled in later",
        &["classic", "xref-stream", "certified-P3"],
        content::dangling_contents,
    ),
    (
        "dangling XObject reference filled in later",
        &["classic"],
        content::dangling_xobject,
    ),
    (
        "dangling annotation reference filled in later",
        &["classic", "certified-P3"],
        content::dangling_annotation,
    ),
    // Allowed slots as hiding places.
    (
        "slot: /DSS /Certs names the content stream, which changes",
        &["classic", "xref-stream", "certified-P1", "pyhanko"],
        content::dss_names_content,
    ),
    (
        "slot: /DSS /VRI entry names the page, which changes",
        &["classic", "certified-P1"],
        content::vri_names_page,
    ),
    (
        "slot: /DSS names the catalog, which switches /Pages",
        &["classic", "certified-P1"],
        content::dss_names_catalog,
    ),
    (
        "slot: /DSS names the page tree root, which gains a page",
        &["classic", "xref-stream"],
        content::dss_names_pages,
    ),
    (
        "slot: content stream re-typed as /Metadata",
        &["classic", "xref-stream", "certified-P1"],
        content::metadata_retyped,
    ),
    (
        "slot: trailer /Info names the page, which changes",
        &["classic", "certified-P1"],
        content::info_names_page,
    ),
    (
        "slot: trailer /Info names the content stream, which changes",
        &["classic", "xref-stream"],
        content::info_names_content,
    ),
    // Parser and cross-reference tricks.
    (
        "recovery: content replaced and /DSS at a bad offset",
        &["classic", "xref-stream", "certified-P1"],
        structure::bad_dss_offset,
    ),
    (
        "recovery: /DSS at a bad offset, forged content listed nowhere",
        &["classic", "xref-stream", "certified-P1"],
        structure::bad_dss_offset_unlisted,
    ),
    (
        "recovery: content replaced, then 4,100 valid revisions",
        &["classic", "xref-stream"],
        structure::many_revisions,
    ),
    (
        "recovery: xref entry 3 bytes after the signed object, new one unlisted",
        &["classic", "xref-stream"],
        structure::offset_after,
    ),
    (
        "recovery: xref entry 2 bytes before the signed object, new one unlisted",
        &["classic", "certified-P1"],
        structure::offset_before,
    ),
    (
        "recovery: generation 1 in xref and header, references say 0",
        &["classic", "xref-stream"],
        structure::generation_listed,
    ),
    (
        "recovery: xref says generation 0, header says 1",
        &["classic", "xref-stream"],
        structure::generation_header,
    ),
    (
        "recovery: object defined in an update, listed nowhere",
        &["classic", "xref-stream"],
        structure::unlisted,
    ),
    (
        "recovery: unlisted object and startxref a few bytes off",
        &["classic", "xref-stream"],
        structure::unlisted_rebuild,
    ),
    (
        "object stream redefined: old members resolve to new content",
        &["xref-stream", "linearized"],
        structure::object_stream_redefined,
    ),
    (
        "object stream member parsed past the next member's offset",
        &["xref-stream", "linearized"],
        structure::object_stream_overlap,
    ),
    (
        "object stream wrong member index",
        &["xref-stream", "linearized"],
        structure::object_stream_index,
    ),
    (
        "duplicate object number in one section (signed copy first)",
        &["classic", "xref-stream"],
        structure::duplicate_original_first,
    ),
    (
        "duplicate object number in one section (forged copy first)",
        &["classic", "xref-stream"],
        structure::duplicate_forged_first,
    ),
    (
        "/Prev skips the signed revision",
        &["classic", "xref-stream", "certified-P2"],
        structure::prev_skips_signature,
    ),
    (
        "/Prev points into the middle of a section",
        &["classic", "xref-stream"],
        structure::prev_into_middle,
    ),
    (
        "/Prev loops to its own section",
        &["classic", "xref-stream"],
        structure::prev_self_loop,
    ),
    (
        "/Prev loop of two updates",
        &["classic", "xref-stream"],
        structure::prev_two_cycle,
    ),
    (
        "repeated key: /Contents new ... /Contents old",
        &["classic", "xref-stream", "certified-P2"],
        structure::repeated_key_new_first,
    ),
    (
        "repeated key: /Contents old ... /Contents new",
        &["classic", "xref-stream", "certified-P2"],
        structure::repeated_key_old_first,
    ),
    (
        "repeated key: /Contents new ... /Contents null",
        &["classic", "xref-stream"],
        structure::repeated_key_null,
    ),
    (
        "stream /Length shorter than its data",
        &["classic", "xref-stream", "certified-P1"],
        structure::short_length,
    ),
    // The signature itself.
    (
        "USF: /ByteRange missing",
        &["classic"],
        signature::usf_no_byte_range,
    ),
    (
        "USF: /ByteRange null",
        &["classic"],
        signature::usf_null_byte_range,
    ),
    (
        "USF: /ByteRange [0 0 0 0]",
        &["classic"],
        signature::usf_zero_byte_range,
    ),
    (
        "USF: /Contents missing",
        &["classic"],
        signature::usf_no_contents,
    ),
    (
        "USF: /Contents empty",
        &["classic"],
        signature::usf_empty_contents,
    ),
    (
        "USF: /Contents zeros",
        &["classic"],
        signature::usf_zero_contents,
    ),
    (
        "USF: signature dictionary redefined without /ByteRange, content replaced",
        &["classic", "xref-stream"],
        signature::usf_redefined,
    ),
    (
        "SWA: object hidden in the /Contents gap, xref points into it",
        &["classic", "xref-stream"],
        signature::swa_moved_contents,
    ),
    (
        "SWA: gap extended over injected objects",
        &["classic", "xref-stream"],
        signature::swa_extended_gap,
    ),
    (
        "spoofing: signature dictionary rewritten (/M /Name /Reason)",
        &["classic", "xref-stream", "pyhanko"],
        signature::spoof_rewritten,
    ),
    (
        "spoofing: field re-pointed to an edited copy",
        &["classic", "visible"],
        signature::spoof_repointed,
    ),
    (
        "spoofing: certification raised to P=3, then FreeText",
        &["certified-P1", "certified-P2"],
        signature::spoof_raise_level,
    ),
    (
        "spoofing: /Perms removed, then content changed",
        &["certified-P1", "certified-P2"],
        signature::spoof_drop_perms,
    ),
    (
        "CMS says rsaEncryption, the certificate holds an EC key",
        &["classic-EC", "xref-stream-EC"],
        signature::rsa_declared_ec_key,
    ),
];

#[test]
fn no_forged_document_passes() {
    if !oracle::available() || !support::have("qpdf") {
        return;
    }
    let started = Instant::now();
    let workspace = Workspace::new("forged");
    let ctx = Ctx::new(&workspace);
    let mut cases = Vec::new();
    for (class, bases, make) in FORGERIES {
        for base in *bases {
            let doc = make(&ctx, base);
            cases.push(workspace.case(doc, class, base, Expect::NotPassed));
        }
    }
    println!(
        "forged population: {} documents in {} classes generated in {:.1} s",
        cases.len(),
        FORGERIES.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(cases.len() >= 100, "only {} documents", cases.len());
    harness::judge(Population::Forged, cases, workspace.dump());
    println!(
        "forged population: {:.1} s in all",
        started.elapsed().as_secs_f64()
    );
}

/// The signed victims, made once, and how to make more.
pub struct Ctx<'a> {
    pub workspace: &'a Workspace,
    victims: HashMap<&'static str, Doc>,
}

/// The unsigned file and the signature of each base.
fn recipe(base: &str) -> (PathBuf, Option<Siegel>) {
    let seal = Siegel::seal("seal-rsa.p12");
    let (file, how) = match base {
        "classic" => ("classic.pdf", seal),
        "xref-stream" => ("xref-stream.pdf", seal),
        "linearized" => ("linearized.pdf", seal),
        "certified-P1" => ("classic.pdf", seal.certify(DocMdp::NoChanges)),
        "certified-P2" => ("form.pdf", seal.certify(DocMdp::FormFilling)),
        "certified-P3" => ("classic.pdf", seal.certify(DocMdp::Annotations)),
        "visible" => ("classic.pdf", seal.visible(0, CORNER)),
        "visible-P2" => (
            "form.pdf",
            seal.certify(DocMdp::FormFilling).visible(0, CORNER),
        ),
        "form" => ("form.pdf", seal),
        "classic-EC" => ("classic.pdf", Siegel::seal("seal-ec.p12")),
        "xref-stream-EC" => ("xref-stream.pdf", Siegel::seal("seal-ec.p12")),
        "pyhanko" => return (pdf("signed-pyhanko.pdf"), None),
        other => panic!("no base {other}"),
    };
    (pdf(file), Some(how))
}

impl<'a> Ctx<'a> {
    fn new(workspace: &'a Workspace) -> Self {
        let mut victims = HashMap::new();
        for (_, bases, _) in FORGERIES {
            for base in *bases {
                if !victims.contains_key(base) {
                    let doc = Self::sign(workspace, base, |_| {});
                    victims.insert(*base, doc);
                }
            }
        }
        Self { workspace, victims }
    }

    /// `base`, prepared by `prepare` and then signed as the base is.
    fn sign(workspace: &Workspace, base: &str, prepare: impl FnOnce(&mut Doc)) -> Doc {
        let (file, how) = recipe(base);
        let mut doc = workspace.doc(&file, base);
        match how {
            Some(how) => {
                prepare(&mut doc);
                doc.siegel(workspace, &how);
            }
            None => doc.record_new_signatures(),
        }
        doc
    }

    /// A copy of the signed victim `base` to attack.
    pub fn victim(&self, base: &str) -> Doc {
        self.victims[base].fork(self.workspace, base)
    }

    /// A victim that signs what the attacker prepared.
    pub fn prepared(&self, base: &str, prepare: impl FnOnce(&mut Doc)) -> Doc {
        Self::sign(self.workspace, base, prepare)
    }
}

// Helpers shared by the attacks.

/// A full page of forged content (replaces the signed page content).
pub fn forged_page() -> Vec<u8> {
    format!(
        "BT /F1 18 Tf 72 760 Td (Bescheid) Tj ET\nBT /F1 14 Tf 72 730 Td ({FORGED_TEXT}) Tj ET\n"
    )
    .into_bytes()
}

/// Content that paints over the signed text and writes the forgery (page resources' /F1).
pub fn overlay() -> Vec<u8> {
    let [x1, y1, x2, y2] = OVER_TEXT;
    craft::overwrite(x1, y1, x2 - x1, y2 - y1, FORGED_TEXT).into_bytes()
}

pub fn content_stream(data: &[u8]) -> Object {
    craft::stream(Dictionary::new(), data)
}

/// A form XObject the size of `at` that paints it white and writes the forgery.
pub fn forged_appearance(at: [f32; 4]) -> Object {
    let (w, h) = (at[2] - at[0], at[3] - at[1]);
    craft::form_xobject(w, h, &craft::overwrite(0.0, 0.0, w, h, FORGED_TEXT))
}

/// The page's content streams, in order.
pub fn contents_of(bytes: &[u8], page: &Dictionary) -> Vec<Object> {
    match page.get(b"Contents").unwrap() {
        Object::Reference(id) => match craft::object(bytes, *id) {
            Object::Array(items) => items,
            _ => vec![Object::Reference(*id)],
        },
        Object::Array(items) => items.clone(),
        other => panic!("page /Contents is {other:?}"),
    }
}

/// The top-level signature fields: (field, its dictionary, its /V reference).
pub fn signature_fields(bytes: &[u8]) -> Vec<(ObjectId, Dictionary, ObjectId)> {
    let mut file = craft::open(bytes);
    let (_, catalog) = file.catalog().unwrap();
    let form = file.dictionary(catalog.get(b"AcroForm").unwrap()).unwrap();
    let fields = file.resolve(form.get(b"Fields").unwrap()).unwrap();
    let mut found = Vec::new();
    for item in fields.as_array().unwrap() {
        let id = item.as_reference().unwrap();
        let dict = file.dictionary(item).unwrap();
        let is_sig = dict.get(b"FT").ok().and_then(|f| f.as_name().ok()) == Some(b"Sig".as_slice());
        if let (true, Ok(Object::Reference(value))) = (is_sig, dict.get(b"V")) {
            found.push((id, dict.clone(), *value));
        }
    }
    found
}

/// Where an uncompressed object of the newest revision starts.
pub fn offset_of(bytes: &[u8], id: ObjectId) -> u64 {
    craft::open(bytes).located(id).unwrap().1.unwrap().0
}

/// Where `number` lives in an object stream, by qpdf's reading of the newest revision.
pub fn compressed_location(ctx: &Ctx, bytes: &[u8], number: u32) -> Option<(u32, u32)> {
    let path = ctx.workspace.file("qpdf-xref");
    std::fs::write(&path, bytes).unwrap();
    let output = Command::new("qpdf")
        .arg("--show-xref")
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&output.stdout);
    let prefix = format!("{number}/0: compressed; stream = ");
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(&prefix)?;
        let (stream, index) = rest.split_once(", index = ")?;
        Some((stream.trim().parse().ok()?, index.trim().parse().ok()?))
    })
}

/// A new annotation over the signed text, added to the first page.
pub fn add_annotation(
    doc: &mut Doc,
    subtype: &str,
    appearance: Object,
    more: impl FnOnce(&mut Dictionary),
) {
    doc.update(|bytes| {
        let mut numbers = Numbers::after(bytes);
        let id = numbers.next();
        let ap = numbers.next();
        let info = craft::info(bytes);
        let mut annotation = Dictionary::new();
        annotation.set("Type", name("Annot"));
        annotation.set("Subtype", name(subtype));
        annotation.set("Rect", rect(OVER_TEXT));
        annotation.set("F", Object::Integer(4));
        annotation.set("P", Object::Reference(info.page_id));
        let mut ap_dict = Dictionary::new();
        ap_dict.set("N", Object::Reference(ap));
        annotation.set("AP", Object::Dictionary(ap_dict));
        more(&mut annotation);
        let section = Section::new()
            .set(id, &Object::Dictionary(annotation))
            .set(ap, &appearance);
        craft::add_to_annots(bytes, section, id)
    });
}
