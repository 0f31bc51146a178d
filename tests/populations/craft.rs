//! The toolkit of both the clerk and the attacker: reads a document's newest revision with
//! Siegel's reader and appends incremental updates byte by byte, with every knob an attacker
//! turns (offsets a few bytes off, unlisted or duplicate entries, wrong generations, /Prev
//! games, raw bodies with repeated keys). An honest update is the same call with no knob turned.

use std::io::Cursor;

use lopdf::{Dictionary, Object, ObjectId, Stream, Writer};
use siegel::pdf;

pub type Reader = pdf::File<Cursor<Vec<u8>>>;

/// The newest revision of `bytes`, as Siegel reads it.
pub fn open(bytes: &[u8]) -> Reader {
    pdf::File::new(Cursor::new(bytes.to_vec())).unwrap()
}

/// What most updates need to know about a document's newest revision.
#[derive(Clone, Debug)]
pub struct Info {
    pub catalog_id: ObjectId,
    pub catalog: Dictionary,
    pub page_id: ObjectId,
    pub page: Dictionary,
    /// The first page's content stream (the first one if `/Contents` is an array).
    pub contents_id: ObjectId,
}

pub fn info(bytes: &[u8]) -> Info {
    let mut file = open(bytes);
    let (catalog_id, catalog) = file.catalog().unwrap();
    let (page_id, page) = file.first_page().unwrap();
    let contents_id = match page.get(b"Contents").unwrap() {
        Object::Reference(id) => match file.object(*id).unwrap() {
            Object::Array(items) => items[0].as_reference().unwrap(),
            _ => *id,
        },
        Object::Array(items) => items[0].as_reference().unwrap(),
        other => panic!("page /Contents is {other:?}"),
    };
    Info {
        catalog_id,
        catalog,
        page_id,
        page,
        contents_id,
    }
}

/// An object of `bytes`' newest revision, resolved.
pub fn object(bytes: &[u8], id: ObjectId) -> Object {
    open(bytes).object(id).unwrap()
}

pub fn dictionary(bytes: &[u8], object: &Object) -> Dictionary {
    open(bytes).dictionary(object).unwrap()
}

pub fn serialise(object: &Object) -> Vec<u8> {
    let mut out = Vec::new();
    Writer::write_object(&mut out, object).unwrap();
    out
}

pub fn name(text: &str) -> Object {
    Object::Name(text.as_bytes().to_vec())
}

pub fn rect(r: [f32; 4]) -> Object {
    Object::Array(r.iter().map(|v| Object::Real(*v)).collect())
}

/// A content stream or form XObject body.
pub fn stream(dict: Dictionary, content: &[u8]) -> Object {
    Object::Stream(Stream::new(dict, content.to_vec()))
}

/// A form XObject of size `w` x `h` drawing `content`, with Helvetica as `/F1` and `/Helv`.
pub fn form_xobject(w: f32, h: f32, content: &str) -> Object {
    let mut dict = Dictionary::new();
    dict.set("Type", name("XObject"));
    dict.set("Subtype", name("Form"));
    dict.set("BBox", rect([0.0, 0.0, w, h]));
    dict.set("Resources", helvetica_resources());
    stream(dict, content.as_bytes())
}

pub fn helvetica() -> Object {
    let mut font = Dictionary::new();
    font.set("Type", name("Font"));
    font.set("Subtype", name("Type1"));
    font.set("BaseFont", name("Helvetica"));
    font.set("Encoding", name("WinAnsiEncoding"));
    Object::Dictionary(font)
}

pub fn helvetica_resources() -> Object {
    let mut fonts = Dictionary::new();
    fonts.set("F1", helvetica());
    fonts.set("Helv", helvetica());
    let mut resources = Dictionary::new();
    resources.set("Font", Object::Dictionary(fonts));
    Object::Dictionary(resources)
}

/// Content that paints a white box and writes `text` over it at (`x`, `y`): what an attacker
/// puts over signed text.
pub fn overwrite(x: f32, y: f32, w: f32, h: f32, text: &str) -> String {
    format!(
        "q 1 g {x} {y} {w} {h} re f Q BT /F1 14 Tf 0 g {} {} Td ({text}) Tj ET\n",
        x + 2.0,
        y + 4.0
    )
}

/// One object written by an update.
#[derive(Clone, Debug)]
pub struct Entry {
    pub number: u32,
    pub generation: u16,
    /// The bytes between `N G obj` and `endobj`.
    pub body: Vec<u8>,
    /// Listed in the update's cross-reference section.
    pub listed: bool,
    /// The generation the cross-reference section claims, if not the header's.
    pub listed_generation: Option<u16>,
}

impl Entry {
    pub fn new(id: ObjectId, object: &Object) -> Self {
        Self::raw(id, serialise(object))
    }

    pub fn raw(id: ObjectId, body: impl Into<Vec<u8>>) -> Self {
        Self {
            number: id.0,
            generation: 0,
            body: body.into(),
            listed: true,
            listed_generation: None,
        }
    }

    pub fn unlisted(mut self) -> Self {
        self.listed = false;
        self
    }

    pub fn generation(mut self, header: u16, listed: u16) -> Self {
        self.generation = header;
        self.listed_generation = Some(listed);
        self
    }
}

/// A cross-reference entry written without an object body of this update.
#[derive(Clone, Copy, Debug)]
pub enum Extra {
    /// `number` at an absolute offset.
    At(u32, u64),
    Free(u32),
    /// `number` inside object stream `stream` at `index` (cross-reference streams only).
    Compressed(u32, u32, u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Xref {
    /// The kind of the newest section, as an honest tool writes.
    Same,
    Stream,
}

/// An incremental update under construction.
#[derive(Clone, Debug)]
pub struct Section {
    pub entries: Vec<Entry>,
    pub extra: Vec<Extra>,
    pub xref: Xref,
    /// `None`: the newest section (honest). `Some(None)`: no `/Prev`. `Some(Some(n))`: `n`.
    pub prev: Option<Option<u64>>,
    /// Trailer entries to set (or, with `Object::Null`, to drop).
    pub trailer: Vec<(&'static str, Object)>,
    /// Added to the `startxref` value.
    pub startxref_skew: i64,
}

impl Default for Section {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            extra: Vec::new(),
            xref: Xref::Same,
            prev: None,
            trailer: Vec::new(),
            startxref_skew: 0,
        }
    }
}

impl Section {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(mut self, id: ObjectId, object: &Object) -> Self {
        self.entries.push(Entry::new(id, object));
        self
    }

    pub fn raw(mut self, id: ObjectId, body: impl Into<Vec<u8>>) -> Self {
        self.entries.push(Entry::raw(id, body));
        self
    }

    pub fn entry(mut self, entry: Entry) -> Self {
        self.entries.push(entry);
        self
    }

    pub fn xref(mut self, xref: Xref) -> Self {
        self.xref = xref;
        self
    }

    pub fn prev(mut self, prev: Option<u64>) -> Self {
        self.prev = Some(prev);
        self
    }

    pub fn trailer(mut self, key: &'static str, value: Object) -> Self {
        self.trailer.push((key, value));
        self
    }

    pub fn extra(mut self, extra: Extra) -> Self {
        self.extra.push(extra);
        self
    }

    /// Appends this update to `bytes`; returns the offset of its cross-reference section.
    pub fn append_to(self, bytes: &mut Vec<u8>) -> u64 {
        let base = Base::of(bytes);
        self.append_with(bytes, base)
    }

    /// Appends this update on top of `base` (for files whose newest revision the reader can no
    /// longer find on its own).
    pub fn append_with(self, bytes: &mut Vec<u8>, base: Base) -> u64 {
        let mut trailer = base.trailer;
        for key in [
            &b"Prev"[..],
            b"XRefStm",
            b"Type",
            b"W",
            b"Index",
            b"Length",
            b"Filter",
            b"DecodeParms",
            b"Size",
        ] {
            trailer.remove(key);
        }
        for (key, value) in &self.trailer {
            match value {
                Object::Null => {
                    trailer.remove(key.as_bytes());
                }
                other => trailer.set(*key, other.clone()),
            }
        }
        let stream = match self.xref {
            Xref::Same => base.xref_stream,
            Xref::Stream => true,
        };
        let prev = self.prev.unwrap_or(Some(base.startxref));
        let mut size = base.size;
        for entry in &self.entries {
            size = size.max(entry.number + 1);
        }
        for extra in &self.extra {
            let (Extra::At(n, _) | Extra::Free(n) | Extra::Compressed(n, ..)) = *extra;
            size = size.max(n + 1);
        }

        if !bytes.ends_with(b"\n") {
            bytes.push(b'\n');
        }
        // (number, kind, field 2, field 3) in the order the section lists them.
        let mut rows: Vec<(u32, u8, u64, u64)> = Vec::new();
        for entry in &self.entries {
            let offset = bytes.len() as u64;
            bytes.extend_from_slice(
                format!("{} {} obj\n", entry.number, entry.generation).as_bytes(),
            );
            bytes.extend_from_slice(&entry.body);
            bytes.extend_from_slice(b"\nendobj\n");
            if entry.listed {
                let generation = entry.listed_generation.unwrap_or(entry.generation);
                rows.push((entry.number, 1, offset, u64::from(generation)));
            }
        }
        for extra in &self.extra {
            rows.push(match *extra {
                Extra::At(n, offset) => (n, 1, offset, 0),
                Extra::Free(n) => (n, 0, 0, 65535),
                Extra::Compressed(n, stream, index) => (n, 2, u64::from(stream), u64::from(index)),
            });
        }
        let xref_offset = bytes.len() as u64;
        if stream {
            let id = size;
            size += 1;
            rows.push((id, 1, xref_offset, 0));
            let mut data = Vec::new();
            let mut index = Vec::new();
            for (n, kind, two, three) in &rows {
                index.push(Object::Integer(i64::from(*n)));
                index.push(Object::Integer(1));
                data.push(*kind);
                data.extend_from_slice(&(*two as u32).to_be_bytes());
                data.extend_from_slice(&(*three as u16).to_be_bytes());
            }
            let mut dict = trailer;
            dict.set("Type", name("XRef"));
            dict.set("Size", Object::Integer(i64::from(size)));
            if let Some(prev) = prev {
                dict.set("Prev", Object::Integer(prev as i64));
            }
            dict.set("W", Object::Array(vec![1.into(), 4.into(), 2.into()]));
            dict.set("Index", Object::Array(index));
            let body = serialise(&Object::Stream(Stream::new(dict, data)));
            bytes.extend_from_slice(format!("{id} 0 obj\n").as_bytes());
            bytes.extend_from_slice(&body);
            bytes.extend_from_slice(b"\nendobj\n");
        } else {
            bytes.extend_from_slice(b"xref\n");
            for (n, kind, two, three) in &rows {
                let kind = if *kind == 0 { 'f' } else { 'n' };
                bytes.extend_from_slice(
                    format!("{n} 1\n{two:010} {three:05} {kind}\r\n").as_bytes(),
                );
            }
            trailer.set("Size", Object::Integer(i64::from(size)));
            if let Some(prev) = prev {
                trailer.set("Prev", Object::Integer(prev as i64));
            }
            bytes.extend_from_slice(b"trailer\n");
            bytes.extend_from_slice(&serialise(&Object::Dictionary(trailer)));
            bytes.push(b'\n');
        }
        let startxref = xref_offset.checked_add_signed(self.startxref_skew).unwrap();
        bytes.extend_from_slice(format!("startxref\n{startxref}\n%%EOF\n").as_bytes());
        xref_offset
    }
}

/// What an update continues: the newest trailer, where its section is, its size and kind.
#[derive(Clone, Debug)]
pub struct Base {
    pub trailer: Dictionary,
    pub startxref: u64,
    pub size: u32,
    pub xref_stream: bool,
}

impl Base {
    pub fn of(bytes: &[u8]) -> Self {
        let file = open(bytes);
        Self {
            trailer: file.trailer().clone(),
            startxref: file.startxref(),
            size: file.size(),
            xref_stream: file.uses_xref_stream(),
        }
    }
}

/// Allocates object numbers above a document's newest `/Size`.
#[derive(Debug)]
pub struct Numbers(u32);

impl Numbers {
    pub fn after(bytes: &[u8]) -> Self {
        Self(open(bytes).size())
    }

    pub fn next(&mut self) -> ObjectId {
        self.0 += 1;
        (self.0 - 1, 0)
    }
}

/// Adds `annotation` (already allocated as `id`) to the first page's `/Annots`, wherever that
/// array lives; returns the update with the page or the array rewritten.
pub fn add_to_annots(bytes: &[u8], section: Section, id: ObjectId) -> Section {
    let info = info(bytes);
    let mut page = info.page.clone();
    match page.get(b"Annots").cloned() {
        Ok(Object::Reference(annots)) => {
            let mut list = object(bytes, annots);
            list.as_array_mut().unwrap().push(Object::Reference(id));
            section.set(annots, &list)
        }
        Ok(Object::Array(mut list)) => {
            list.push(Object::Reference(id));
            page.set("Annots", Object::Array(list));
            section.set(info.page_id, &Object::Dictionary(page))
        }
        _ => {
            page.set("Annots", Object::Array(vec![Object::Reference(id)]));
            section.set(info.page_id, &Object::Dictionary(page))
        }
    }
}

/// Adds field `id` to `/AcroForm /Fields` (creating the form if needed).
pub fn add_to_fields(
    bytes: &[u8],
    mut section: Section,
    id: ObjectId,
    numbers: &mut Numbers,
) -> Section {
    let info = info(bytes);
    let mut catalog = info.catalog.clone();
    let (form_id, mut form) = match catalog.get(b"AcroForm").cloned() {
        Ok(Object::Reference(form_id)) => (
            Some(form_id),
            dictionary(bytes, &Object::Reference(form_id)),
        ),
        Ok(Object::Dictionary(form)) => (None, form),
        _ => (None, Dictionary::new()),
    };
    match form.get(b"Fields").cloned() {
        Ok(Object::Reference(fields_id)) => {
            let mut fields = object(bytes, fields_id);
            fields.as_array_mut().unwrap().push(Object::Reference(id));
            section = section.set(fields_id, &fields);
        }
        Ok(Object::Array(mut fields)) => {
            fields.push(Object::Reference(id));
            form.set("Fields", Object::Array(fields));
        }
        _ => form.set("Fields", Object::Array(vec![Object::Reference(id)])),
    }
    match form_id {
        Some(form_id) => section.set(form_id, &Object::Dictionary(form)),
        None => {
            let form_id = numbers.next();
            catalog.set("AcroForm", Object::Reference(form_id));
            section
                .set(form_id, &Object::Dictionary(form))
                .set(info.catalog_id, &Object::Dictionary(catalog))
        }
    }
}
