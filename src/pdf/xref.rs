//! Cross-reference tables and streams (ISO 32000-2 §7.5.4, §7.5.8), including hybrid files
//! (`/XRefStm`, §7.5.8.4) and chains of incremental updates (`/Prev`).

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek};

use lopdf::{Dictionary, Object};

use super::{Error, File, decode_stream, rfind, syntax};

/// More sections than any real file has; guards against hostile `/Prev` chains.
const MAX_SECTIONS: usize = 4096;
/// Upper bound on object numbers a file may declare.
const MAX_OBJECTS: u64 = 10_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Entry {
    Plain { offset: u64, generation: u16 },
    Compressed { stream: u32, index: u32 },
    Free,
}

/// The merged view of all cross-reference sections, newest first.
#[derive(Debug, Default)]
pub(crate) struct Table {
    entries: HashMap<u32, Entry>,
    pub(crate) trailer: Dictionary,
    pub(crate) startxref: u64,
    pub(crate) newest_is_stream: bool,
    pub(crate) size: u32,
}

impl Table {
    pub(crate) fn read<R: Read + Seek>(file: &mut File<R>) -> Result<Self, Error> {
        let tail_len = 2048u64.min(file.len);
        let tail = file.read_at(file.len - tail_len, 2048)?;
        let at = rfind(&tail, b"startxref").ok_or(Error::Xref("no startxref"))?;
        let mut parser = syntax::Parser::new(&tail[at + b"startxref".len()..]);
        parser.skip_space();
        let startxref = parser
            .unsigned()
            .map_err(|_| Error::Xref("startxref is not a number"))?;

        let mut table = Self {
            startxref,
            ..Self::default()
        };
        let mut next = Some(startxref);
        let mut seen = HashSet::new();
        let mut first = true;
        while let Some(offset) = next.take() {
            if !seen.insert(offset) || seen.len() > MAX_SECTIONS {
                return Err(Error::Xref("cross-reference sections form a loop"));
            }
            if offset >= file.len {
                return Err(Error::Xref("section offset beyond the end of the file"));
            }
            let head = file.read_at(offset, 4)?;
            let (trailer, is_stream) = if head == b"xref" {
                let trailer = table.read_classic(file, offset)?;
                if let Ok(&Object::Integer(stream_offset)) = trailer.get(b"XRefStm") {
                    // Hybrid file: the stream adds the compressed objects (§7.5.8.4).
                    let stream_offset =
                        u64::try_from(stream_offset).map_err(|_| Error::Xref("bad /XRefStm"))?;
                    if seen.insert(stream_offset) {
                        table.read_stream(file, stream_offset)?;
                    }
                }
                (trailer, false)
            } else {
                (table.read_stream(file, offset)?, true)
            };
            if first {
                table.trailer = trailer.clone();
                table.newest_is_stream = is_stream;
                first = false;
            }
            if let Ok(Object::Integer(size)) = trailer.get(b"Size") {
                let size = u32::try_from((*size).clamp(0, MAX_OBJECTS as i64)).unwrap_or(0);
                table.size = table.size.max(size);
            }
            next = match trailer.get(b"Prev") {
                Ok(Object::Integer(prev)) => {
                    Some(u64::try_from(*prev).map_err(|_| Error::Xref("bad /Prev"))?)
                }
                _ => None,
            };
        }
        let highest = table.entries.keys().max().map_or(0, |n| n + 1);
        table.size = table.size.max(highest);
        Ok(table)
    }

    /// Every object number in use, in no particular order.
    pub(crate) fn numbers(&self) -> impl Iterator<Item = u32> + '_ {
        self.entries
            .iter()
            .filter(|(_, e)| !matches!(e, Entry::Free))
            .map(|(n, _)| *n)
    }

    pub(crate) fn entry(&self, number: u32) -> Option<Entry> {
        match self.entries.get(&number) {
            Some(Entry::Free) | None => None,
            Some(entry) => Some(*entry),
        }
    }

    /// Older sections never override what a newer one said.
    fn offer(&mut self, number: u32, entry: Entry) {
        self.entries.entry(number).or_insert(entry);
    }

    fn read_classic<R: Read + Seek>(
        &mut self,
        file: &mut File<R>,
        offset: u64,
    ) -> Result<Dictionary, Error> {
        let mut window = 64 * 1024;
        loop {
            let buf = file.read_at(offset, window)?;
            let complete = buf.len() as u64 >= file.len - offset;
            match self.parse_classic(&buf) {
                Ok(trailer) => return Ok(trailer),
                Err(_) if !complete && window < super::MAX_OBJECT_WINDOW * 4 => window *= 4,
                Err(error) => return Err(error),
            }
        }
    }

    fn parse_classic(&mut self, buf: &[u8]) -> Result<Dictionary, Error> {
        let mut parser = syntax::Parser::new(buf);
        parser.pos = 4;
        let mut found = Vec::new();
        loop {
            parser.skip_space();
            if parser.peek_keyword(b"trailer") {
                parser.pos += b"trailer".len();
                parser.skip_space();
                if parser.byte_at(parser.pos) != Some(b'<') {
                    return Err(Error::Xref("trailer is not a dictionary"));
                }
                let trailer = parser
                    .dictionary(0)
                    .map_err(|_| Error::Xref("unreadable trailer"))?;
                for (number, entry) in found {
                    self.offer(number, entry);
                }
                return Ok(trailer);
            }
            let start = parser
                .unsigned()
                .map_err(|_| Error::Xref("bad subsection header"))?;
            parser.skip_space();
            let count = parser
                .unsigned()
                .map_err(|_| Error::Xref("bad subsection header"))?;
            if start.saturating_add(count) > MAX_OBJECTS {
                return Err(Error::Xref("too many objects"));
            }
            for number in start..start + count {
                parser.skip_space();
                let offset = parser
                    .unsigned()
                    .map_err(|_| Error::Xref("bad table entry"))?;
                parser.skip_space();
                let generation = parser
                    .unsigned()
                    .map_err(|_| Error::Xref("bad table entry"))?;
                parser.skip_space();
                let kind = parser
                    .byte_at(parser.pos)
                    .ok_or(Error::Xref("truncated table"))?;
                parser.pos += 1;
                let number = u32::try_from(number).map_err(|_| Error::Xref("bad object number"))?;
                let entry = match kind {
                    b'n' => Entry::Plain {
                        offset,
                        generation: u16::try_from(generation).unwrap_or(u16::MAX),
                    },
                    b'f' => Entry::Free,
                    _ => return Err(Error::Xref("bad table entry type")),
                };
                // The same number may appear twice in one section; the first one counts.
                found.push((number, entry));
            }
        }
    }

    fn read_stream<R: Read + Seek>(
        &mut self,
        file: &mut File<R>,
        offset: u64,
    ) -> Result<Dictionary, Error> {
        let (id, object, _) = file.object_at(offset, 0)?;
        let Object::Stream(stream) = object else {
            return Err(Error::Xref("section is neither a table nor a stream"));
        };
        if stream.dict.get_type().ok() != Some(b"XRef".as_slice()) {
            return Err(Error::Xref("stream is not /Type /XRef"));
        }
        let widths: Vec<usize> = stream
            .dict
            .get(b"W")
            .and_then(Object::as_array)
            .map_err(|_| Error::Xref("xref stream has no /W"))?
            .iter()
            .map(|w| {
                w.as_i64()
                    .ok()
                    .and_then(|w| usize::try_from(w).ok())
                    .filter(|&w| w <= 8)
            })
            .collect::<Option<_>>()
            .ok_or(Error::Xref("bad /W"))?;
        let [w0, w1, w2] = widths[..] else {
            return Err(Error::Xref("/W must have three entries"));
        };
        let size = stream
            .dict
            .get(b"Size")
            .and_then(Object::as_i64)
            .map_err(|_| Error::Xref("xref stream has no /Size"))?;
        let index: Vec<i64> = match stream.dict.get(b"Index") {
            Ok(Object::Array(items)) => items
                .iter()
                .map(|i| i.as_i64().map_err(|_| Error::Xref("bad /Index")))
                .collect::<Result<_, _>>()?,
            _ => vec![0, size],
        };
        let data = decode_stream(&stream, id)?;
        let row = w0 + w1 + w2;
        if row == 0 {
            return Err(Error::Xref("empty /W"));
        }
        let mut rows = data.chunks_exact(row);
        for pair in index.chunks(2) {
            let [start, count] = pair else {
                return Err(Error::Xref("odd /Index"));
            };
            let (start, count) = (u64::try_from(*start), u64::try_from(*count));
            let (Ok(start), Ok(count)) = (start, count) else {
                return Err(Error::Xref("negative /Index"));
            };
            if start.saturating_add(count) > MAX_OBJECTS {
                return Err(Error::Xref("too many objects"));
            }
            for number in start..start + count {
                let Some(row) = rows.next() else {
                    return Err(Error::Xref("xref stream shorter than /Index says"));
                };
                let kind = if w0 == 0 { 1 } else { be(&row[..w0]) };
                let field2 = be(&row[w0..w0 + w1]);
                let field3 = be(&row[w0 + w1..]);
                let number = u32::try_from(number).map_err(|_| Error::Xref("bad object number"))?;
                let entry = match kind {
                    0 => Entry::Free,
                    1 => Entry::Plain {
                        offset: field2,
                        generation: u16::try_from(field3).unwrap_or(u16::MAX),
                    },
                    2 => Entry::Compressed {
                        stream: u32::try_from(field2)
                            .map_err(|_| Error::Xref("bad object stream number"))?,
                        index: u32::try_from(field3)
                            .map_err(|_| Error::Xref("bad object stream index"))?,
                    },
                    // Unknown types are to be ignored (§7.5.8.3).
                    _ => continue,
                };
                self.offer(number, entry);
            }
        }
        Ok(stream.dict)
    }
}

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |acc, b| acc << 8 | u64::from(*b))
}

/// Most objects recovery will index; beyond this a file is treated as hostile.
const MAX_RECOVERED: usize = 1_000_000;

impl Table {
    /// Rebuilds the table by scanning the whole file for `n g obj` headers and trailers, as
    /// readers do for damaged files. Later definitions win, as in an update chain.
    pub(crate) fn reconstruct<R: Read + Seek>(file: &mut File<R>) -> Result<Self, Error> {
        let mut headers: Vec<(u32, u16, u64)> = Vec::new();
        let mut trailers: Vec<u64> = Vec::new();
        let mut carry: Vec<u8> = Vec::new();
        let mut carry_start = 0u64;
        let len = file.len;
        let mut too_many = false;
        file.for_each_chunk(0, len, |chunk| {
            let mut window = std::mem::take(&mut carry);
            window.extend_from_slice(chunk);
            let base = carry_start;
            let mut at = 0;
            while let Some(found) = super::find(&window[at..], b"obj") {
                let position = at + found;
                at = position + 3;
                if let Some((number, generation, start)) = object_header_before(&window, position) {
                    if headers.len() < MAX_RECOVERED {
                        headers.push((number, generation, base + start as u64));
                    } else {
                        too_many = true;
                    }
                }
            }
            let mut at = 0;
            while let Some(found) = super::find(&window[at..], b"trailer") {
                trailers.push(base + (at + found) as u64);
                at += found + 7;
            }
            // Keep a tail so headers split across chunks are seen whole.
            let keep = window.len().min(64);
            carry_start += (window.len() - keep) as u64;
            carry = window.split_off(window.len() - keep);
            Ok(())
        })?;
        if too_many {
            return Err(Error::Xref("too many objects to recover"));
        }
        let mut table = Self::default();
        headers.sort_by_key(|h| h.2);
        headers.dedup_by_key(|h| h.2);
        for (number, generation, offset) in &headers {
            table.entries.insert(
                *number,
                Entry::Plain {
                    offset: *offset,
                    generation: *generation,
                },
            );
        }
        trailers.sort_unstable();
        trailers.dedup();
        for offset in trailers {
            let buf = file.read_at(offset, 64 * 1024)?;
            let mut parser = syntax::Parser::new(&buf);
            parser.pos = b"trailer".len();
            parser.skip_space();
            if parser.byte_at(parser.pos) == Some(b'<')
                && let Ok(dict) = parser.dictionary(0)
            {
                merge_trailer(&mut table.trailer, &dict);
            }
        }
        // Cross-reference streams carry the trailer keys; object streams hold more objects.
        let plain: Vec<(u32, u64)> = headers.iter().map(|(n, _, o)| (*n, *o)).collect();
        for (number, offset) in plain {
            let Ok((_, super::Object::Stream(stream), _)) = file.object_at(offset, 0) else {
                continue;
            };
            match stream.dict.get_type().ok() {
                Some(b"XRef") => merge_trailer(&mut table.trailer, &stream.dict),
                Some(b"ObjStm") => {
                    if let Ok(objects) = super::ObjectStream::decode(&stream, (number, 0)) {
                        for (index, (member, _)) in objects.entries.iter().enumerate() {
                            let index = u32::try_from(index).unwrap_or(u32::MAX);
                            table.entries.entry(*member).or_insert(Entry::Compressed {
                                stream: number,
                                index,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        if !table.trailer.has(b"Root") {
            return Err(Error::Xref("no document catalog found while recovering"));
        }
        table.size = table.entries.keys().max().map_or(0, |n| n + 1);
        Ok(table)
    }
}

fn merge_trailer(trailer: &mut Dictionary, from: &Dictionary) {
    for key in [b"Root".as_slice(), b"Info", b"ID", b"Encrypt"] {
        if let Ok(value) = from.get(key) {
            trailer.set(key.to_vec(), value.clone());
        }
    }
}

/// If `obj` at `position` is preceded by `number generation` at the start of a token, returns
/// them with the offset where the header starts.
pub(crate) fn object_header_before(window: &[u8], position: usize) -> Option<(u32, u16, usize)> {
    if window
        .get(position + 3)
        .is_some_and(|b| !syntax::is_white(*b) && !syntax::is_delimiter(*b))
    {
        return None;
    }
    let mut at = position;
    let skip_white = |at: &mut usize| {
        let start = *at;
        while *at > 0 && syntax::is_white(window[*at - 1]) {
            *at -= 1;
        }
        *at < start
    };
    let digits = |at: &mut usize| -> Option<u64> {
        let end = *at;
        while *at > 0 && window[*at - 1].is_ascii_digit() && end - *at < 10 {
            *at -= 1;
        }
        std::str::from_utf8(&window[*at..end]).ok()?.parse().ok()
    };
    if !skip_white(&mut at) {
        return None;
    }
    let generation = digits(&mut at)?;
    if !skip_white(&mut at) {
        return None;
    }
    let number = digits(&mut at)?;
    if at > 0 && !syntax::is_white(window[at - 1]) && !syntax::is_delimiter(window[at - 1]) {
        return None;
    }
    Some((
        u32::try_from(number).ok()?,
        u16::try_from(generation).ok()?,
        at,
    ))
}
