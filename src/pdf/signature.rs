//! Signature fields and signature dictionaries (ISO 32000-2 §12.7.5.5, §12.8.1): reserving room
//! for a signature in an incremental update, and finding the signatures a file carries.

use std::collections::HashSet;
use std::io::{Read, Seek};

use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Object, StringFormat, Writer, decode_text_string, text_string};

use super::permissions::{self, Declared, DocMdp};
use super::update::Update;
use super::{Error, File};

/// Width of each patched `/ByteRange` number; enough for files up to 10 GB.
const BYTE_RANGE_WIDTH: usize = 10;
/// Bounds for walking a hostile field tree.
const MAX_FIELDS: usize = 10_000;
const MAX_FIELD_DEPTH: usize = 32;

/// What goes into a new signature dictionary.
#[derive(Clone, Debug)]
pub struct Request {
    /// `/Type`: `Sig` for signatures, `DocTimeStamp` for document timestamps.
    pub kind: Kind,
    /// `/SubFilter`, e.g. `ETSI.CAdES.detached`.
    pub sub_filter: String,
    /// `/M`; PAdES takes the claimed signing time from here, not from the CMS.
    pub time: Option<DateTime<Utc>>,
    pub name: Option<String>,
    pub reason: Option<String>,
    pub location: Option<String>,
    pub contact_info: Option<String>,
    /// Bytes reserved for the DER signature inside `/Contents`.
    pub capacity: usize,
    /// Makes this a certification signature with this DocMDP level (ISO 32000-2 §12.8.2.2).
    pub certify: Option<DocMdp>,
    /// Shows the signature on a page; `None` leaves it invisible.
    pub visible: Option<super::appearance::Visible>,
}

/// `/Type` of a signature dictionary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Kind {
    Signature,
    DocumentTimestamp,
}

/// An incremental update with a signature placeholder, waiting for its `/Contents`.
#[derive(Debug)]
pub struct Prepared {
    base_len: u64,
    tail: Vec<u8>,
    /// Index in `tail` of the `<` that opens `/Contents`.
    contents_at: usize,
    capacity: usize,
    field: String,
}

impl Prepared {
    /// The `/ByteRange` written into the update: `[0 a b c]`, covering everything but the
    /// `/Contents` hex string.
    pub fn byte_range(&self) -> [u64; 4] {
        let gap_start = self.base_len + self.contents_at as u64;
        let gap_end = gap_start + 2 + 2 * self.capacity as u64;
        let total = self.base_len + self.tail.len() as u64;
        [0, gap_start, gap_end, total - gap_end]
    }

    /// The appended bytes before the gap; the signed data is the original file, then this,
    /// then [`Prepared::tail_after_gap`].
    pub fn tail_before_gap(&self) -> &[u8] {
        &self.tail[..self.contents_at]
    }

    pub fn tail_after_gap(&self) -> &[u8] {
        &self.tail[self.contents_at + 2 + 2 * self.capacity..]
    }

    /// The name of the new signature field.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// Fills `/Contents` with `signature` (DER, zero-padded) and returns the bytes to append.
    pub fn finish(mut self, signature: &[u8]) -> Result<Vec<u8>, Error> {
        if signature.len() > self.capacity {
            return Err(Error::ContentsTooSmall {
                needed: signature.len(),
                reserved: self.capacity,
            });
        }
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let start = self.contents_at + 1;
        let hex = &mut self.tail[start..start + 2 * signature.len()];
        for (pair, byte) in hex.chunks_exact_mut(2).zip(signature) {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0x0f)];
        }
        Ok(self.tail)
    }
}

/// Builds an incremental update that adds an invisible signature field on page 1 with a
/// signature dictionary whose `/ByteRange` is already final.
pub fn prepare<R: Read + Seek>(file: &mut File<R>, request: &Request) -> Result<Prepared, Error> {
    if request.certify.is_some() && !find_all(file)?.is_empty() {
        return Err(Error::Structure(
            "only the first signature of a document can certify it; this one is signed already",
        ));
    }
    let mut update = Update::new(file);
    let (catalog_id, mut catalog) = file.catalog()?;
    let (page_id, mut page) = match &request.visible {
        None => file.first_page()?,
        Some(visible) => {
            let pages = file.pages()?;
            let id = match visible.page {
                super::appearance::Page::Last => pages.last().copied(),
                super::appearance::Page::Number(n) => {
                    n.checked_sub(1).and_then(|i| pages.get(i)).copied()
                }
            }
            .ok_or(Error::Structure("the document has no such page"))?;
            (id, file.dictionary(&Object::Reference(id))?)
        }
    };

    let existing = field_names(file)?;
    let prefix = match request.kind {
        Kind::Signature => "Signature",
        Kind::DocumentTimestamp => "Timestamp",
    };
    let field = (1..)
        .map(|n| format!("{prefix}{n}"))
        .find(|name| !existing.contains(name))
        .unwrap_or_default();

    let sig_id = update.allocate();
    let widget_id = update.allocate();

    let mut widget = Dictionary::new();
    widget.set("Type", Object::Name(b"Annot".to_vec()));
    widget.set("Subtype", Object::Name(b"Widget".to_vec()));
    widget.set("FT", Object::Name(b"Sig".to_vec()));
    widget.set("T", text_string(&field));
    widget.set("V", Object::Reference(sig_id));
    match &request.visible {
        None => widget.set(
            "Rect",
            Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
        ),
        Some(visible) => {
            widget.set("Rect", super::appearance::rect(visible));
            let appearance = update.allocate();
            update.set(
                appearance,
                Object::Stream(super::appearance::stream(visible)),
            );
            let mut ap = Dictionary::new();
            ap.set("N", Object::Reference(appearance));
            widget.set("AP", Object::Dictionary(ap));
        }
    }
    // Print + Locked (§12.5.3): an invisible field that still prints and cannot be moved.
    widget.set("F", Object::Integer(132));
    widget.set("P", Object::Reference(page_id));
    update.set(widget_id, Object::Dictionary(widget));

    // Page /Annots: extend the array where it lives.
    match page.get(b"Annots") {
        Ok(Object::Reference(annots_id)) => {
            let annots_id = *annots_id;
            let mut annots = array(file.resolve(&Object::Reference(annots_id))?)?;
            annots.push(Object::Reference(widget_id));
            update.set(annots_id, Object::Array(annots));
        }
        Ok(Object::Array(annots)) => {
            let mut annots = annots.clone();
            annots.push(Object::Reference(widget_id));
            page.set("Annots", Object::Array(annots));
            update.set(page_id, Object::Dictionary(page));
        }
        _ => {
            page.set("Annots", Object::Array(vec![Object::Reference(widget_id)]));
            update.set(page_id, Object::Dictionary(page));
        }
    }

    // Catalog /AcroForm with /Fields and /SigFlags 3 (SignaturesExist | AppendOnly).
    let (form_id, mut form) = match catalog.get(b"AcroForm") {
        Ok(Object::Reference(id)) => (Some(*id), file.dictionary(&Object::Reference(*id))?),
        Ok(Object::Dictionary(dict)) => (None, dict.clone()),
        _ => (None, Dictionary::new()),
    };
    match form.get(b"Fields") {
        Ok(Object::Reference(fields_id)) => {
            let fields_id = *fields_id;
            let mut fields = array(file.resolve(&Object::Reference(fields_id))?)?;
            fields.push(Object::Reference(widget_id));
            update.set(fields_id, Object::Array(fields));
        }
        Ok(Object::Array(fields)) => {
            let mut fields = fields.clone();
            fields.push(Object::Reference(widget_id));
            form.set("Fields", Object::Array(fields));
        }
        _ => form.set("Fields", Object::Array(vec![Object::Reference(widget_id)])),
    }
    form.set("SigFlags", Object::Integer(3));
    let mut catalog_changed = false;
    match form_id {
        Some(id) => update.set(id, Object::Dictionary(form)),
        None => {
            let id = update.allocate();
            update.set(id, Object::Dictionary(form));
            catalog.set("AcroForm", Object::Reference(id));
            catalog_changed = true;
        }
    }
    // A certification signature is named in the catalog's /Perms (ISO 32000-2 §12.8.4).
    if request.certify.is_some() {
        let mut perms = Dictionary::new();
        perms.set("DocMDP", Object::Reference(sig_id));
        catalog.set("Perms", Object::Dictionary(perms));
        catalog_changed = true;
    }
    if catalog_changed {
        update.set(catalog_id, Object::Dictionary(catalog));
    }

    // A new second /ID element marks the new revision (§14.4).
    if let Some(Object::Array(ids)) = update.trailer_entry(b"ID").cloned()
        && let Some(first) = ids.first()
    {
        let mut second = [0u8; 16];
        openssl::rand::rand_bytes(&mut second).map_err(|_| Error::Structure("no randomness"))?;
        update.set_trailer(
            b"ID",
            Object::Array(vec![
                first.clone(),
                Object::String(second.to_vec(), StringFormat::Hexadecimal),
            ]),
        );
    }

    let (body, contents_in_body) = signature_dictionary(request)?;
    update.set_raw(sig_id, body);
    let written = update.write()?;
    let sig_offset = written
        .offsets
        .get(&sig_id.0)
        .copied()
        .ok_or(Error::Structure("signature object not written"))?;
    let header = format!("{} 0 obj\n", sig_id.0).len();
    let contents_at = sig_offset + header + contents_in_body;

    let mut prepared = Prepared {
        base_len: file.len(),
        tail: written.bytes,
        contents_at,
        capacity: request.capacity,
        field,
    };
    let range = prepared.byte_range();
    let text = format_byte_range(&range)?;
    let range_at = find(&prepared.tail[sig_offset..], b"/ByteRange [")
        .ok_or(Error::Structure("placeholder lost"))?
        + sig_offset
        + b"/ByteRange [".len();
    prepared.tail[range_at..range_at + text.len()].copy_from_slice(text.as_bytes());
    Ok(prepared)
}

/// A signature dictionary found in a file, with the values a validator needs.
#[derive(Clone, Debug)]
pub struct Found {
    /// Fully qualified field name.
    pub field: String,
    pub kind: Kind,
    pub sub_filter: Option<String>,
    pub byte_range: Vec<i64>,
    pub contents: Vec<u8>,
    /// `/M` as written (PDF date string).
    pub time: Option<String>,
    pub name: Option<String>,
    pub reason: Option<String>,
    pub location: Option<String>,
    /// Where the signature dictionary object lies in the file, if stored uncompressed.
    pub span: Option<(u64, u64)>,
    /// Certification level and field locks this signature declares.
    pub permissions: Declared,
    /// The signature dictionary's object, when the field refers to it indirectly.
    pub object: Option<lopdf::ObjectId>,
    /// The field's object, when it is an indirect object.
    pub field_object: Option<lopdf::ObjectId>,
    /// Other fields whose value is the same signature dictionary.
    pub also_named_by: Vec<String>,
}

/// Every signature field with a value, in the order of the field tree.
///
/// A signature dictionary that several fields name is found once; the other fields' names are
/// in [`Found::also_named_by`].
pub fn find_all<R: Read + Seek>(file: &mut File<R>) -> Result<Vec<Found>, Error> {
    let mut found: Vec<Found> = Vec::new();
    visit_fields(file, |file, name, field_id, field| {
        let ft = field.get(b"FT").ok().and_then(|o| o.as_name().ok());
        if ft != Some(b"Sig".as_slice()) {
            return Ok(());
        }
        let Ok(value) = field.get(b"V") else {
            return Ok(());
        };
        if let Object::Reference(id) = value
            && let Some(first) = found.iter_mut().find(|f| f.object == Some(*id))
        {
            first.also_named_by.push(name);
            return Ok(());
        }
        // A value that is not a signature dictionary is no signature: the field is skipped
        // here and judged as a change where it was added after signing.
        let (dict, span) = match value {
            Object::Reference(id) => match file.located(*id) {
                Ok((Object::Dictionary(dict), span)) => (dict, span),
                Ok(_) => return Ok(()),
                Err(error @ (Error::Budget(_) | Error::Io(_))) => return Err(error),
                Err(_) => return Ok(()),
            },
            Object::Dictionary(dict) => (dict.clone(), None),
            _ => return Ok(()),
        };
        let mut signature = parse_dictionary(name, &dict, span);
        signature.object = value.as_reference().ok();
        signature.field_object = field_id;
        signature.permissions = permissions::declared(file, &dict, field);
        found.push(signature);
        Ok(())
    })?;
    Ok(found)
}

/// Signature dictionaries stored in the file that no signature field refers to: a field
/// removed or damaged after signing, or a signature hidden from the form. `byte_range_keys`
/// comes from [`File::survey`]; `known` are the signatures found through fields.
///
/// Linear in the file: each key is looked up from the previous one, each candidate object is
/// parsed once, and keys inside an object already parsed (a string full of `/ByteRange`) are
/// skipped.
pub fn find_unreferenced<R: Read + Seek>(
    file: &mut File<R>,
    byte_range_keys: &[u64],
    known: &[Found],
) -> Vec<Found> {
    const LOOK_BACK: u64 = 64 * 1024;
    const MAX_CANDIDATES: usize = 10_000;
    let mut spans: Vec<(u64, u64)> = known.iter().filter_map(|f| f.span).collect();
    spans.sort_unstable();
    let known_covers = |at: u64| {
        let next = spans.partition_point(|(start, _)| *start <= at);
        spans[..next]
            .iter()
            .rev()
            .take(64)
            .any(|(_, end)| at < *end)
    };
    let mut keys = byte_range_keys.to_vec();
    keys.sort_unstable();
    keys.dedup();
    let mut found: Vec<Found> = Vec::new();
    let mut tried = HashSet::new();
    let mut last_key: Option<u64> = None;
    let mut header: Option<u64> = None;
    let mut covered_until = 0u64;
    for at in keys {
        if at < covered_until || known_covers(at) {
            continue;
        }
        if file.budget_check().is_err() || tried.len() >= MAX_CANDIDATES {
            break;
        }
        // Only the bytes since the previous key can hold a newer header.
        let scan_from = match last_key {
            Some(previous) if at - previous < LOOK_BACK => previous,
            _ => at.saturating_sub(LOOK_BACK),
        };
        last_key = Some(at);
        let Ok(window) = file.read_at(scan_from, usize::try_from(at - scan_from).unwrap_or(0))
        else {
            continue;
        };
        if let Some(offset) = memchr::memmem::rfind_iter(&window, b"obj")
            .find_map(|p| super::xref::object_header_before(&window, p))
            .map(|(_, _, offset)| scan_from + offset as u64)
        {
            header = Some(offset);
        }
        let Some(start) = header.filter(|h| at - h < LOOK_BACK) else {
            continue;
        };
        if !tried.insert(start) {
            continue;
        }
        let Ok((_, object, span)) = file.plain_object_at(start, super::Load::Full) else {
            continue;
        };
        if !(span.0 <= at && at < span.1) {
            continue;
        }
        covered_until = span.1;
        if let Object::Dictionary(dict) = object
            && dict.has(b"ByteRange")
            && dict.has(b"Contents")
        {
            found.push(parse_dictionary(String::new(), &dict, Some(span)));
        }
    }
    found
}

fn parse_dictionary(field: String, dict: &Dictionary, span: Option<(u64, u64)>) -> Found {
    let text = |key: &[u8]| dict.get(key).ok().and_then(|o| decode_text_string(o).ok());
    let name = |key: &[u8]| {
        dict.get(key)
            .ok()
            .and_then(|o| o.as_name().ok())
            .map(|n| String::from_utf8_lossy(n).into_owned())
    };
    let sub_filter = name(b"SubFilter");
    // Some writers omit /Type; the sub-filter identifies a document timestamp as well.
    let kind = match dict.get(b"Type").ok().and_then(|o| o.as_name().ok()) {
        Some(b"DocTimeStamp") => Kind::DocumentTimestamp,
        _ if sub_filter.as_deref() == Some("ETSI.RFC3161") => Kind::DocumentTimestamp,
        _ => Kind::Signature,
    };
    Found {
        field,
        kind,
        sub_filter,
        byte_range: dict
            .get(b"ByteRange")
            .and_then(Object::as_array)
            .map(|a| a.iter().filter_map(|o| o.as_i64().ok()).collect())
            .unwrap_or_default(),
        contents: dict
            .get(b"Contents")
            .and_then(Object::as_str)
            .map(<[u8]>::to_vec)
            .unwrap_or_default(),
        time: dict
            .get(b"M")
            .ok()
            .and_then(|o| o.as_str().ok())
            .map(|s| String::from_utf8_lossy(s).into_owned()),
        name: text(b"Name"),
        reason: text(b"Reason"),
        location: text(b"Location"),
        span,
        permissions: Declared::default(),
        object: None,
        field_object: None,
        also_named_by: Vec::new(),
    }
}

/// Names of all terminal fields, so a new field gets a unique name.
fn field_names<R: Read + Seek>(file: &mut File<R>) -> Result<HashSet<String>, Error> {
    let mut names = HashSet::new();
    visit_fields(file, |_, name, _, _| {
        names.insert(name);
        Ok(())
    })?;
    Ok(names)
}

/// Walks the AcroForm field tree (§12.7.4), calling `visit` for each terminal field with its
/// fully qualified name; `/FT` is inherited from parents.
fn visit_fields<R: Read + Seek>(
    file: &mut File<R>,
    mut visit: impl FnMut(
        &mut File<R>,
        String,
        Option<lopdf::ObjectId>,
        &Dictionary,
    ) -> Result<(), Error>,
) -> Result<(), Error> {
    let (_, catalog) = file.catalog()?;
    let Ok(form) = catalog.get(b"AcroForm") else {
        return Ok(());
    };
    let form = file.dictionary(form)?;
    let Ok(fields) = form.get(b"Fields") else {
        return Ok(());
    };
    let fields = array(file.resolve(fields)?)?;
    let mut stack: Vec<(Object, String, Option<Object>, usize)> = fields
        .into_iter()
        .rev()
        .map(|f| (f, String::new(), None, 0))
        .collect();
    let mut seen = HashSet::new();
    let mut count = 0;
    while let Some((node, parent_name, inherited_ft, depth)) = stack.pop() {
        count += 1;
        if count > MAX_FIELDS || depth > MAX_FIELD_DEPTH {
            return Err(Error::Structure("form field tree too large"));
        }
        if let Object::Reference(id) = node
            && !seen.insert(id)
        {
            continue;
        }
        let Ok(mut dict) = file.dictionary(&node) else {
            continue;
        };
        let partial = dict.get(b"T").ok().and_then(|t| decode_text_string(t).ok());
        let name = match (parent_name.is_empty(), partial) {
            (_, None) => parent_name.clone(),
            (true, Some(partial)) => partial,
            (false, Some(partial)) => format!("{parent_name}.{partial}"),
        };
        if !dict.has(b"FT")
            && let Some(ft) = &inherited_ft
        {
            dict.set("FT", ft.clone());
        }
        let ft = dict.get(b"FT").ok().cloned();
        // Kids that carry /T are fields; kids without are widgets of this field.
        let kids = match dict.get(b"Kids") {
            Ok(kids) => array(file.resolve(kids)?).unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        let mut child_fields = Vec::new();
        for kid in kids {
            if file.dictionary(&kid).is_ok_and(|k| k.has(b"T")) {
                child_fields.push(kid);
            }
        }
        if child_fields.is_empty() {
            visit(file, name, node.as_reference().ok(), &dict)?;
        } else {
            for kid in child_fields.into_iter().rev() {
                stack.push((kid, name.clone(), ft.clone(), depth + 1));
            }
        }
    }
    Ok(())
}

fn signature_dictionary(request: &Request) -> Result<(Vec<u8>, usize), Error> {
    let mut dict = Dictionary::new();
    dict.set(
        "Type",
        Object::Name(match request.kind {
            Kind::Signature => b"Sig".to_vec(),
            Kind::DocumentTimestamp => b"DocTimeStamp".to_vec(),
        }),
    );
    dict.set("Filter", Object::Name(b"Adobe.PPKLite".to_vec()));
    dict.set(
        "SubFilter",
        Object::Name(request.sub_filter.as_bytes().to_vec()),
    );
    if let Some(time) = request.time {
        dict.set(
            "M",
            Object::String(pdf_date(time).into_bytes(), StringFormat::Literal),
        );
    }
    if let Some(level) = request.certify {
        dict.set("Reference", permissions::certification_reference(level));
    }
    for (key, value) in [
        (b"Name".as_slice(), &request.name),
        (b"Reason", &request.reason),
        (b"Location", &request.location),
        (b"ContactInfo", &request.contact_info),
    ] {
        if let Some(value) = value {
            dict.set(key.to_vec(), text_string(value));
        }
    }
    let mut body = Vec::new();
    body.extend_from_slice(b"<<");
    for (key, value) in dict.iter() {
        Writer::write_object(&mut body, &Object::Name(key.clone()))
            .map_err(|_| Error::Structure("cannot serialise"))?;
        body.push(b' ');
        Writer::write_object(&mut body, value).map_err(|_| Error::Structure("cannot serialise"))?;
    }
    let zeros = "0".repeat(BYTE_RANGE_WIDTH);
    body.extend_from_slice(format!("/ByteRange [0 {zeros} {zeros} {zeros}]").as_bytes());
    body.extend_from_slice(b"/Contents ");
    let contents_at = body.len();
    body.push(b'<');
    body.resize(body.len() + 2 * request.capacity, b'0');
    body.extend_from_slice(b">>>");
    Ok((body, contents_at))
}

/// Formats `[0 a b c]`'s numbers padded to the placeholder's width, so offsets do not move.
fn format_byte_range(range: &[u64; 4]) -> Result<String, Error> {
    let text = format!("{} {} {} {}", range[0], range[1], range[2], range[3]);
    let width = 1 + 3 * (BYTE_RANGE_WIDTH + 1);
    if text.len() > width {
        return Err(Error::Structure(
            "file too large for a signature byte range",
        ));
    }
    Ok(format!("{text:<width$}"))
}

/// `D:YYYYMMDDHHmmSS+00'00'` (§7.9.4).
pub fn pdf_date(time: DateTime<Utc>) -> String {
    time.format("D:%Y%m%d%H%M%S+00'00'").to_string()
}

/// Parses a PDF date string (§7.9.4), tolerating the usual omissions (missing fields, a
/// `+HHmm` offset without apostrophes). `None` for anything out of range, offsets beyond
/// ±23:59 included: the value comes from the document, so no arithmetic on it may overflow.
pub fn parse_pdf_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.strip_prefix("D:").unwrap_or(text);
    let (digits, rest) = text.split_at(text.bytes().take_while(u8::is_ascii_digit).count());
    if digits.len() < 4 {
        return None;
    }
    // A field left out takes its default; a field cut in half makes the date malformed.
    let field = |from: usize, len: usize, default: u32| {
        if digits.len() <= from {
            return Some(default);
        }
        digits.get(from..from + len)?.parse().ok()
    };
    let year: i32 = digits.get(0..4)?.parse().ok()?;
    let naive = chrono::NaiveDate::from_ymd_opt(year, field(4, 2, 1)?, field(6, 2, 1)?)?
        .and_hms_opt(field(8, 2, 0)?, field(10, 2, 0)?, field(12, 2, 0)?)?;
    let offset_seconds = match rest.as_bytes().first() {
        Some(sign @ (b'+' | b'-')) => {
            let mut numbers = rest[1..]
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty());
            let first = numbers.next().unwrap_or("0");
            let (hours, minutes) = match (first.len(), numbers.next()) {
                (4, None) => first.split_at(2),
                (_, minutes) => (first, minutes.unwrap_or("0")),
            };
            let hours: i32 = hours.parse().ok().filter(|h| *h <= 23)?;
            let minutes: i32 = minutes.parse().ok().filter(|m| *m <= 59)?;
            let seconds = hours * 3600 + minutes * 60;
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => 0,
    };
    let offset = chrono::FixedOffset::east_opt(offset_seconds)?;
    naive
        .and_local_timezone(offset)
        .single()
        .map(|time| time.with_timezone(&Utc))
}

fn array(object: Object) -> Result<Vec<Object>, Error> {
    match object {
        Object::Array(items) => Ok(items),
        _ => Err(Error::Structure("expected an array")),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    super::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_range_keeps_placeholder_width() {
        let text = format_byte_range(&[0, 1234, 5678, 90]).unwrap();
        assert_eq!(text.len(), 34);
        assert!(text.starts_with("0 1234 5678 90 "));
    }

    #[test]
    fn pdf_dates_round_trip() {
        let time = DateTime::parse_from_rfc3339("2026-11-22T10:20:30Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(parse_pdf_date(&pdf_date(time)), Some(time));
        let local = parse_pdf_date("D:20261122122030+02'00'").unwrap();
        assert_eq!(local, time);
    }

    #[test]
    fn pdf_dates_with_offsets_and_omissions() {
        let utc = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc)
        };
        assert_eq!(
            parse_pdf_date("D:20261122122030-05'30'"),
            Some(utc("2026-11-22T17:50:30Z"))
        );
        assert_eq!(
            parse_pdf_date("D:20261122122030+0200"),
            Some(utc("2026-11-22T10:20:30Z"))
        );
        assert_eq!(
            parse_pdf_date("D:20261122122030Z"),
            Some(utc("2026-11-22T12:20:30Z"))
        );
        assert_eq!(parse_pdf_date("2026"), Some(utc("2026-01-01T00:00:00Z")));
        assert_eq!(
            parse_pdf_date("D:202611"),
            Some(utc("2026-11-01T00:00:00Z"))
        );
    }

    #[test]
    fn absurd_pdf_dates_are_unparseable_not_panics() {
        for text in [
            "D:20261122122030+9999999999999",
            "D:20261122122030-9999999999999'00'",
            "D:20261122122030+99999999999999999999999999999",
            "D:20261122122030+02'9999999999999'",
            "D:20261122122030+24'00'",
            "D:20261122122030+23'60'",
            "D:20261322122030Z",
            "D:20260230000000Z",
            "D:20261122252030Z",
            "D:20261122126030Z",
            "D:999",
            "D:",
            "",
            "D:+02'00'",
        ] {
            assert_eq!(parse_pdf_date(text), None, "{text}");
        }
        // Edge years parse, and their offsets do not overflow.
        assert!(parse_pdf_date("D:00000101000000+23'59'").is_some());
        assert!(parse_pdf_date("D:99991231235959-23'59'").is_some());
        // Five-digit years read as four digits and half a month, or a month of 91.
        assert_eq!(parse_pdf_date("D:99999"), None);
        assert_eq!(parse_pdf_date("D:999991231235959Z"), None);
    }
}
