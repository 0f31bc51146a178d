//! Incremental updates (ISO 32000-2 §7.5.6): new and changed objects appended after the
//! original bytes, with a cross-reference section of the same kind as the newest one.

use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};

use lopdf::{Dictionary, Object, ObjectId, Writer};

use super::{Error, File};

/// Trailer keys that describe one section only and must not be carried over.
const SECTION_KEYS: &[&[u8]] = &[
    b"Prev",
    b"XRefStm",
    b"Type",
    b"W",
    b"Index",
    b"Length",
    b"Filter",
    b"DecodeParms",
    b"Size",
];

/// An incremental update under construction.
#[derive(Debug)]
pub struct Update {
    base_len: u64,
    base_startxref: u64,
    xref_stream: bool,
    trailer: Dictionary,
    next_number: u32,
    objects: BTreeMap<u32, Body>,
    /// Objects of an ambiguous hybrid base listed again: (number, object stream, index).
    relisted: Vec<(u32, u32, u32)>,
}

#[derive(Debug)]
enum Body {
    Object(Object),
    /// Already serialised; used where the caller needs to find bytes again (placeholders).
    Raw(Vec<u8>),
}

/// The bytes to append, and where each object starts within them.
#[derive(Debug)]
pub struct Written {
    pub bytes: Vec<u8>,
    pub offsets: BTreeMap<u32, usize>,
}

impl Update {
    /// Starts an update on top of `file`'s newest revision.
    pub fn new<R: Read + Seek>(file: &File<R>) -> Self {
        let mut trailer = file.trailer().clone();
        for key in SECTION_KEYS {
            trailer.remove(key);
        }
        // Objects a hybrid table hides from some readers are listed again in a stream, so that
        // the document after this update is the same for every reader.
        let relisted = file.hidden_by_hybrid_table();
        Self {
            base_len: file.len(),
            base_startxref: file.startxref(),
            xref_stream: file.uses_xref_stream() || !relisted.is_empty(),
            trailer,
            next_number: file.size().max(1),
            objects: BTreeMap::new(),
            relisted,
        }
    }

    /// Reserves a new object number.
    pub fn allocate(&mut self) -> ObjectId {
        let id = (self.next_number, 0);
        self.next_number += 1;
        id
    }

    /// Writes a new version of object `id`.
    pub fn set(&mut self, id: ObjectId, object: Object) {
        self.objects.insert(id.0, Body::Object(object));
    }

    /// Writes object `id` from bytes already serialised (the part between `obj` and `endobj`).
    pub fn set_raw(&mut self, id: ObjectId, body: Vec<u8>) {
        self.objects.insert(id.0, Body::Raw(body));
    }

    /// Replaces a trailer entry (for example a new second `/ID` element).
    pub fn set_trailer(&mut self, key: &[u8], value: Object) {
        self.trailer.set(key.to_vec(), value);
    }

    /// The current trailer entry `key`, if any.
    pub fn trailer_entry(&self, key: &[u8]) -> Option<&Object> {
        self.trailer.get(key).ok()
    }

    /// Serialises the update. Offsets in the result are relative to its first byte, which
    /// goes right after the original file.
    pub fn write(mut self) -> Result<Written, Error> {
        let mut out = Vec::new();
        // The original may not end with an end-of-line; "%%EOF" must stay on its own line.
        out.push(b'\n');
        let mut offsets = BTreeMap::new();
        for (number, body) in &self.objects {
            offsets.insert(*number, out.len());
            writeln!(out, "{number} 0 obj").map_err(io)?;
            match body {
                Body::Object(object) => Writer::write_object(&mut out, object)
                    .map_err(|_| Error::Structure("cannot serialise object"))?,
                Body::Raw(bytes) => out.extend_from_slice(bytes),
            }
            out.extend_from_slice(b"\nendobj\n");
        }
        let size = self.next_number;
        if self.xref_stream {
            let xref_id = self.allocate();
            offsets.insert(xref_id.0, out.len());
            let xref_offset = self.base_len + out.len() as u64;
            let max_offset = xref_offset;
            let relisted_max = self
                .relisted
                .iter()
                .map(|(_, stream, _)| u64::from(*stream))
                .max()
                .unwrap_or(0);
            let width = (1..=8)
                .find(|w| max_offset.max(relisted_max) < 1u64 << (8 * w))
                .unwrap_or(8);
            // (number, type, field 2, field 3) for every row, in number order.
            let mut rows: Vec<(u32, u8, u64, u64)> = offsets
                .iter()
                .map(|(number, offset)| (*number, 1, self.base_len + *offset as u64, 0))
                .collect();
            rows.extend(
                self.relisted
                    .iter()
                    .filter(|(number, _, _)| !offsets.contains_key(number))
                    .map(|(number, stream, index)| {
                        (*number, 2, u64::from(*stream), u64::from(*index))
                    }),
            );
            rows.sort_unstable_by_key(|row| row.0);
            let third = if rows.iter().all(|row| row.3 <= u64::from(u16::MAX)) {
                2
            } else {
                4
            };
            let mut data = Vec::new();
            let mut index = Vec::new();
            let numbers: BTreeMap<u32, usize> =
                rows.iter().enumerate().map(|(i, row)| (row.0, i)).collect();
            for run in runs(&numbers) {
                index.push(Object::Integer(i64::from(run[0].0)));
                index.push(Object::Integer(run.len() as i64));
                for (_, at) in run {
                    let (_, kind, field2, field3) = rows[*at];
                    data.push(kind);
                    data.extend_from_slice(&field2.to_be_bytes()[8 - width..]);
                    data.extend_from_slice(&field3.to_be_bytes()[8 - third..]);
                }
            }
            let mut dict = self.trailer.clone();
            dict.set("Type", Object::Name(b"XRef".to_vec()));
            dict.set("Size", Object::Integer(i64::from(size + 1)));
            dict.set("Prev", Object::Integer(self.base_startxref as i64));
            dict.set(
                "W",
                Object::Array(vec![
                    Object::Integer(1),
                    Object::Integer(width as i64),
                    Object::Integer(third as i64),
                ]),
            );
            dict.set("Index", Object::Array(index));
            dict.set("Length", Object::Integer(data.len() as i64));
            writeln!(out, "{} 0 obj", xref_id.0).map_err(io)?;
            Writer::write_object(&mut out, &Object::Dictionary(dict))
                .map_err(|_| Error::Structure("cannot serialise xref stream"))?;
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(&data);
            write!(
                out,
                "\nendstream\nendobj\nstartxref\n{xref_offset}\n%%EOF\n"
            )
            .map_err(io)?;
        } else {
            let xref_offset = self.base_len + out.len() as u64;
            out.extend_from_slice(b"xref\n");
            for run in runs(&offsets) {
                writeln!(out, "{} {}", run[0].0, run.len()).map_err(io)?;
                for (_, offset) in run {
                    write!(out, "{:010} 00000 n\r\n", self.base_len + *offset as u64)
                        .map_err(io)?;
                }
            }
            let mut trailer = self.trailer.clone();
            trailer.set("Size", Object::Integer(i64::from(size)));
            trailer.set("Prev", Object::Integer(self.base_startxref as i64));
            out.extend_from_slice(b"trailer\n");
            Writer::write_object(&mut out, &Object::Dictionary(trailer))
                .map_err(|_| Error::Structure("cannot serialise trailer"))?;
            write!(out, "\nstartxref\n{xref_offset}\n%%EOF\n").map_err(io)?;
        }
        Ok(Written {
            bytes: out,
            offsets,
        })
    }
}

/// Groups consecutive object numbers into cross-reference subsections.
fn runs(offsets: &BTreeMap<u32, usize>) -> Vec<Vec<(u32, &usize)>> {
    let mut runs: Vec<Vec<(u32, &usize)>> = Vec::new();
    for (number, offset) in offsets {
        match runs.last_mut() {
            Some(run) if run.last().is_some_and(|(last, _)| last + 1 == *number) => {
                run.push((*number, offset))
            }
            _ => runs.push(vec![(*number, offset)]),
        }
    }
    runs
}

fn io(error: std::io::Error) -> Error {
    Error::Io(std::sync::Arc::new(error))
}
