//! What an honest clerk's viewer writes between signatures: form values with their appearance,
//! sticky notes and highlights, document information and XMP metadata. Each declares the area
//! it may change on the page.

use lopdf::{Dictionary, Object, ObjectId, StringFormat};

use super::craft::{self, Numbers, Section, name, rect};
use super::document::Doc;

/// A blank spot for a new text field.
pub const EMPTY_FIELD: [f32; 4] = [72.0, 560.0, 400.0, 580.0];

/// XMP packet with a title, as office tools write it.
pub fn xmp(title: &str) -> Vec<u8> {
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
         <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\
         <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\
         <pdf:Producer>Siegel population test</pdf:Producer></rdf:Description></rdf:RDF></x:xmpmeta>\n\
         <?xpacket end=\"w\"?>"
    )
    .into_bytes()
}

fn metadata_stream(title: &str) -> Object {
    let mut dict = Dictionary::new();
    dict.set("Type", name("Metadata"));
    dict.set("Subtype", name("XML"));
    craft::stream(dict, &xmp(title))
}

/// Adds an XMP metadata stream to the catalog (a base document with XMP).
pub fn add_xmp(doc: &mut Doc) {
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let mut numbers = Numbers::after(bytes);
        let id = numbers.next();
        let mut catalog = info.catalog.clone();
        catalog.set("Metadata", Object::Reference(id));
        Section::new()
            .set(id, &metadata_stream("Bescheid"))
            .set(info.catalog_id, &Object::Dictionary(catalog))
    });
}

/// Rewrites the XMP metadata (a new stream where the catalog has none yet).
pub fn update_xmp(doc: &mut Doc, title: &str) {
    doc.update(|bytes| {
        let info = craft::info(bytes);
        match info.catalog.get(b"Metadata") {
            Ok(Object::Reference(id)) => Section::new().set(*id, &metadata_stream(title)),
            _ => {
                let id = Numbers::after(bytes).next();
                let mut catalog = info.catalog.clone();
                catalog.set("Metadata", Object::Reference(id));
                Section::new()
                    .set(id, &metadata_stream(title))
                    .set(info.catalog_id, &Object::Dictionary(catalog))
            }
        }
    });
}

/// Updates the document information dictionary (title, modification date).
pub fn update_info(doc: &mut Doc) {
    doc.update(|bytes| {
        let file = craft::open(bytes);
        let mut info = Dictionary::new();
        info.set("Title", Object::string_literal("Bescheid (gelesen)"));
        info.set("ModDate", Object::string_literal("D:20260601120000Z"));
        info.set("Producer", Object::string_literal("Siegel population test"));
        match file.trailer().get(b"Info") {
            Ok(Object::Reference(id)) => Section::new().set(*id, &Object::Dictionary(info)),
            _ => {
                let id = Numbers::after(bytes).next();
                Section::new()
                    .set(id, &Object::Dictionary(info))
                    .trailer("Info", Object::Reference(id))
            }
        }
    });
}

/// Adds an empty text field `name` at `at` on the first page (before signing: a form with a
/// field left for the recipient).
pub fn add_empty_text_field(doc: &mut Doc, field: &str, at: [f32; 4]) {
    doc.update(|bytes| {
        let mut numbers = Numbers::after(bytes);
        let id = numbers.next();
        let ap = numbers.next();
        let info = craft::info(bytes);
        let mut widget = text_widget(field, at, info.page_id);
        widget.set("AP", appearance_dict(ap));
        let section = Section::new()
            .set(id, &Object::Dictionary(widget))
            .set(ap, &field_appearance(at, ""));
        let section = craft::add_to_annots(bytes, section, id);
        craft::add_to_fields(bytes, section, id, &mut numbers)
    });
}

fn text_widget(field: &str, at: [f32; 4], page: ObjectId) -> Dictionary {
    let mut widget = Dictionary::new();
    widget.set("Type", name("Annot"));
    widget.set("Subtype", name("Widget"));
    widget.set("FT", name("Tx"));
    widget.set("T", Object::string_literal(field));
    widget.set("V", Object::string_literal(""));
    widget.set("DA", Object::string_literal("/Helv 11 Tf 0 g"));
    widget.set("Rect", rect(at));
    widget.set("F", Object::Integer(4));
    widget.set("P", Object::Reference(page));
    widget
}

fn appearance_dict(normal: ObjectId) -> Object {
    let mut ap = Dictionary::new();
    ap.set("N", Object::Reference(normal));
    Object::Dictionary(ap)
}

/// A text field's appearance: a thin frame and the value.
fn field_appearance(at: [f32; 4], value: &str) -> Object {
    let (w, h) = (at[2] - at[0], at[3] - at[1]);
    let text = if value.is_empty() {
        String::new()
    } else {
        format!("BT /Helv 11 Tf 0 g 3 6 Td ({value}) Tj ET\n")
    };
    craft::form_xobject(
        w,
        h,
        &format!(
            "/Tx BMC\nq 0 G 0.5 0.5 {} {} re S Q\nq 1 1 {} {} re W n\n{text}Q\nEMC\n",
            w - 1.0,
            h - 1.0,
            w - 2.0,
            h - 2.0
        ),
    )
}

/// Fills the text field `field` with `value`: a new `/V` and a new appearance stream, as
/// viewers write it.
pub fn fill(doc: &mut Doc, field: &str, value: &str) {
    let bytes = doc.bytes();
    let (id, widget) = find_field(&bytes, field);
    let at = rect_of(&widget);
    doc.allow(0, at);
    doc.update(|bytes| {
        let ap = Numbers::after(bytes).next();
        let mut widget = widget.clone();
        widget.set(
            "V",
            Object::String(value.as_bytes().to_vec(), StringFormat::Literal),
        );
        widget.set("AP", appearance_dict(ap));
        Section::new()
            .set(ap, &field_appearance(at, value))
            .set(id, &Object::Dictionary(widget))
    });
}

/// The field named `field` among the form's top-level fields.
pub fn find_field(bytes: &[u8], field: &str) -> (ObjectId, Dictionary) {
    let mut file = craft::open(bytes);
    let (_, catalog) = file.catalog().unwrap();
    let form = file.dictionary(catalog.get(b"AcroForm").unwrap()).unwrap();
    let fields = file.resolve(form.get(b"Fields").unwrap()).unwrap();
    for item in fields.as_array().unwrap() {
        let id = item.as_reference().unwrap();
        let dict = file.dictionary(item).unwrap();
        if dict
            .get(b"T")
            .ok()
            .and_then(|t| t.as_str().ok())
            .is_some_and(|t| t == field.as_bytes())
        {
            return (id, dict);
        }
    }
    panic!("no field {field}");
}

pub fn rect_of(widget: &Dictionary) -> [f32; 4] {
    let values: Vec<f32> = widget
        .get(b"Rect")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_float().unwrap())
        .collect();
    [values[0], values[1], values[2], values[3]]
}

/// A sticky note (Text annotation) with its icon as appearance, at `at`.
pub fn sticky_note(doc: &mut Doc, at: [f32; 4]) {
    doc.allow(0, at);
    let (w, h) = (at[2] - at[0], at[3] - at[1]);
    let icon = format!(
        "q 1 0.9 0.3 rg 0 0 0 RG 0.5 0.5 {} {} re B 0 g 3 {} m {} {} l S 3 {} m {} {} l S Q\n",
        w - 1.0,
        h - 1.0,
        h * 0.6,
        w - 3.0,
        h * 0.6,
        h * 0.35,
        w - 3.0,
        h * 0.35
    );
    annotate(doc, "Text", at, &icon, |annotation| {
        annotation.set("Contents", Object::string_literal("Bitte Frist beachten"));
        annotation.set("Name", name("Comment"));
        annotation.set("Open", Object::Boolean(false));
    });
}

/// A highlight over `at` as viewers draw it: yellow, multiplied with the page, so the text
/// under it stays as it was.
pub fn highlight(doc: &mut Doc, at: [f32; 4]) {
    doc.allow(0, at);
    let (w, h) = (at[2] - at[0], at[3] - at[1]);
    let content = format!("/GS0 gs 1 1 0 rg 0 0 {w} {h} re f\n");
    annotate(doc, "Highlight", at, &content, |annotation| {
        let [x1, y1, x2, y2] = at;
        annotation.set(
            "QuadPoints",
            Object::Array(
                [x1, y2, x2, y2, x1, y1, x2, y1]
                    .iter()
                    .map(|v| Object::Real(*v))
                    .collect(),
            ),
        );
        annotation.set("C", Object::Array(vec![1.into(), 1.into(), 0.into()]));
    });
}

fn annotate(
    doc: &mut Doc,
    subtype: &str,
    at: [f32; 4],
    content: &str,
    more: impl FnOnce(&mut Dictionary),
) {
    doc.update(|bytes| {
        let mut numbers = Numbers::after(bytes);
        let id = numbers.next();
        let ap = numbers.next();
        let info = craft::info(bytes);
        let mut appearance = craft::form_xobject(at[2] - at[0], at[3] - at[1], content);
        if let Object::Stream(stream) = &mut appearance {
            let mut state = Dictionary::new();
            state.set("Type", name("ExtGState"));
            state.set("BM", name("Multiply"));
            let mut states = Dictionary::new();
            states.set("GS0", Object::Dictionary(state));
            if let Ok(Object::Dictionary(resources)) = stream.dict.get_mut(b"Resources") {
                resources.set("ExtGState", Object::Dictionary(states));
            }
        }
        let mut annotation = Dictionary::new();
        annotation.set("Type", name("Annot"));
        annotation.set("Subtype", name(subtype));
        annotation.set("Rect", rect(at));
        annotation.set("F", Object::Integer(4));
        annotation.set("P", Object::Reference(info.page_id));
        annotation.set("M", Object::string_literal("D:20260601120000Z"));
        annotation.set("T", Object::string_literal("Sachbearbeitung"));
        annotation.set("AP", appearance_dict(ap));
        more(&mut annotation);
        let section = Section::new()
            .set(id, &Object::Dictionary(annotation))
            .set(ap, &appearance);
        craft::add_to_annots(bytes, section, id)
    });
}
