//! Cross-reference tables and streams (ISO 32000-2 §7.5.4, §7.5.8), including hybrid files
//! (`/XRefStm`, §7.5.8.4) and chains of incremental updates (`/Prev`, §7.5.6).
//!
//! Every section of the chain is kept, so the document can be seen as each revision's own
//! chain defines it ([`super::View`]), not only as the newest one does.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek};

use lopdf::{Dictionary, Object};

use super::{Error, File, rfind, syntax};

/// Upper bound on object numbers a file may declare.
pub(crate) const MAX_OBJECTS: u64 = 10_000_000;
/// Upper bound on entries over all sections: what a hostile chain may make us hold.
const MAX_ENTRIES: usize = 4_000_000;
/// Largest decoded cross-reference stream; a real one holds a few bytes per object.
const MAX_XREF_STREAM: usize = 64 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Entry {
    Plain { offset: u64, generation: u16 },
    Compressed { stream: u32, index: u32 },
    Free,
}

/// One cross-reference section as written in the file.
#[derive(Debug, Default)]
pub(crate) struct Section {
    /// Where the section starts: `xref` of a table, `n g obj` of a stream.
    pub(crate) offset: u64,
    pub(crate) is_stream: bool,
    pub(crate) trailer: Dictionary,
    /// The entries in the order written.
    pub(crate) entries: Vec<(u32, Entry)>,
    /// Numbers the section lists more than once (the first listing counts).
    pub(crate) repeated: Vec<u32>,
    /// `/Prev` as written.
    pub(crate) prev: Option<u64>,
    /// Set on the stream section of a hybrid file, which belongs to the table before it.
    pub(crate) hybrid_part: bool,
    /// Whether the trailer dictionary names a key twice.
    pub(crate) trailer_repeats_key: bool,
}

/// All cross-reference sections of the newest chain, newest first.
#[derive(Debug, Default)]
pub(crate) struct Table {
    pub(crate) sections: Vec<Section>,
    /// Per object number: (index of a section listing it, the entry there), in chain order.
    history: HashMap<u32, Vec<(usize, Entry)>>,
    /// Objects a hybrid table marks free in the same section whose /XRefStm stores them, with
    /// that stream section: readers disagree on these (qpdf reads them, poppler and MuPDF do
    /// not).
    pub(crate) hybrid_hidden: HashSet<(u32, usize)>,
    pub(crate) trailer: Dictionary,
    pub(crate) startxref: u64,
    pub(crate) newest_is_stream: bool,
    pub(crate) size: u32,
}

impl Table {
    /// Reads the chain that starts at the file's last `startxref`.
    pub(crate) fn read<R: Read + Seek>(file: &mut File<R>) -> Result<Self, Error> {
        let startxref = last_startxref(file)?;
        let mut table = Self {
            startxref,
            ..Self::default()
        };
        let mut next = Some(startxref);
        let mut seen = HashSet::new();
        let mut entries = 0usize;
        while let Some(offset) = next.take() {
            file.budget_check()?;
            if !seen.insert(offset) {
                return Err(Error::Xref("cross-reference sections form a loop"));
            }
            if offset >= file.len {
                return Err(Error::Xref("section offset beyond the end of the file"));
            }
            let head = file.read_at(offset, 4)?;
            let mut section = if head == b"xref" {
                read_classic(file, offset)?
            } else {
                read_stream(file, offset)?
            };
            section.prev = match section.trailer.get(b"Prev") {
                Ok(Object::Integer(prev)) => {
                    Some(u64::try_from(*prev).map_err(|_| Error::Xref("bad /Prev"))?)
                }
                Ok(_) => return Err(Error::Xref("/Prev is not a number")),
                Err(_) => None,
            };
            next = section.prev;
            let hybrid = match section.trailer.get(b"XRefStm") {
                Ok(&Object::Integer(at)) if !section.is_stream => {
                    let at = u64::try_from(at).map_err(|_| Error::Xref("bad /XRefStm"))?;
                    // Hybrid file: the stream adds the compressed objects (§7.5.8.4).
                    if seen.insert(at) {
                        let mut part = read_stream(file, at)?;
                        part.hybrid_part = true;
                        Some(part)
                    } else {
                        None
                    }
                }
                _ => None,
            };
            for part in std::iter::once(section).chain(hybrid) {
                entries += part.entries.len();
                if entries > MAX_ENTRIES {
                    return Err(Error::Xref("too many cross-reference entries"));
                }
                table.push(part);
            }
        }
        let first = table
            .sections
            .first()
            .ok_or(Error::Xref("no cross-reference section"))?;
        table.trailer = first.trailer.clone();
        table.newest_is_stream = first.is_stream;
        table.size = table
            .sections
            .iter()
            .filter_map(|s| s.trailer.get(b"Size").ok().and_then(|n| n.as_i64().ok()))
            .map(|n| u32::try_from(n.clamp(0, MAX_OBJECTS as i64)).unwrap_or(0))
            .max()
            .unwrap_or(0);
        let highest = table.history.keys().max().map_or(0, |n| n + 1);
        table.size = table.size.max(highest);
        Ok(table)
    }

    fn push(&mut self, section: Section) {
        let index = self.sections.len();
        let mut listed = HashSet::new();
        for &(number, entry) in &section.entries {
            // Within one section the first listing counts; later ones are only reported.
            if !listed.insert(number) {
                continue;
            }
            let history = self.history.entry(number).or_default();
            // A hybrid file's table marks the objects it keeps in object streams as free, for
            // readers that know no streams; its /XRefStm has them (§7.5.8.4).
            if section.hybrid_part
                && entry != Entry::Free
                && history.last() == Some(&(index.wrapping_sub(1), Entry::Free))
            {
                history.pop();
                self.hybrid_hidden.insert((number, index));
            }
            history.push((index, entry));
        }
        self.sections.push(section);
    }

    /// Every object number in use in the newest view, in no particular order.
    pub(crate) fn numbers(&self) -> impl Iterator<Item = u32> + '_ {
        self.history
            .iter()
            .filter(|(_, entries)| !matches!(entries.first(), Some((_, Entry::Free)) | None))
            .map(|(n, _)| *n)
    }

    /// The entry in force for `number` in the view that starts at section `from`: the first
    /// section from there on that lists it. A free entry means "not in use".
    pub(crate) fn entry_in(&self, number: u32, from: usize) -> Option<Entry> {
        self.located_in(number, from).map(|(_, entry)| entry)
    }

    /// The entry in force and the index of the section it comes from.
    pub(crate) fn located_in(&self, number: u32, from: usize) -> Option<(usize, Entry)> {
        let entries = self.history.get(&number)?;
        let at = entries.partition_point(|(index, _)| *index < from);
        match entries.get(at) {
            Some((_, Entry::Free)) | None => None,
            Some((section, entry)) => Some((*section, *entry)),
        }
    }

    /// Every object number some entry of the chain names as an object stream.
    pub(crate) fn object_stream_numbers(&self) -> HashSet<u32> {
        self.sections
            .iter()
            .flat_map(|s| s.entries.iter())
            .filter_map(|(_, e)| match e {
                Entry::Compressed { stream, .. } => Some(*stream),
                _ => None,
            })
            .collect()
    }

    /// The index of the section that starts at `offset`, if the chain has one.
    pub(crate) fn section_at(&self, offset: u64) -> Option<usize> {
        self.sections
            .iter()
            .position(|s| s.offset == offset && !s.hybrid_part)
    }
}

/// The value after the last `startxref` keyword near the end of the file.
pub(crate) fn last_startxref<R: Read + Seek>(file: &mut File<R>) -> Result<u64, Error> {
    let tail_len = 2048u64.min(file.len);
    let tail = file.read_at(file.len - tail_len, 2048)?;
    let at = rfind(&tail, b"startxref").ok_or(Error::Xref("no startxref"))?;
    let mut parser = syntax::Parser::new(&tail[at + b"startxref".len()..]);
    parser.skip_space();
    parser
        .unsigned()
        .map_err(|_| Error::Xref("startxref is not a number"))
}

fn read_classic<R: Read + Seek>(file: &mut File<R>, offset: u64) -> Result<Section, Error> {
    let mut window = 4 * 1024;
    loop {
        let buf = file.read_at(offset, window)?;
        let complete = buf.len() as u64 >= file.len - offset;
        match parse_classic(&buf) {
            Ok((mut section, _)) => {
                section.offset = offset;
                return Ok(section);
            }
            Err(_) if !complete && window < super::MAX_OBJECT_WINDOW * 4 => window *= 4,
            Err(error) => return Err(error),
        }
    }
}

/// Parses `xref`, its subsections and the trailer dictionary from `buf`; also returns where
/// the trailer dictionary ends.
pub(crate) fn parse_classic(buf: &[u8]) -> Result<(Section, usize), Error> {
    let mut parser = syntax::Parser::new(buf);
    parser.pos = 4;
    let mut section = Section::default();
    let mut listed = HashSet::new();
    loop {
        parser.skip_space();
        if parser.peek_keyword(b"trailer") {
            parser.pos += b"trailer".len();
            parser.skip_space();
            if parser.byte_at(parser.pos) != Some(b'<') {
                return Err(Error::Xref("trailer is not a dictionary"));
            }
            section.trailer = parser
                .dictionary(0)
                .map_err(|_| Error::Xref("unreadable trailer"))?;
            section.trailer_repeats_key = parser.repeated_key;
            return Ok((section, parser.pos));
        }
        let start = parser
            .unsigned()
            .map_err(|_| Error::Xref("bad subsection header"))?;
        parser.skip_space();
        let count = parser
            .unsigned()
            .map_err(|_| Error::Xref("bad subsection header"))?;
        if start.saturating_add(count) > MAX_OBJECTS
            || count.saturating_add(section.entries.len() as u64) > MAX_ENTRIES as u64
        {
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
            if !listed.insert(number) {
                section.repeated.push(number);
            }
            section.entries.push((number, entry));
        }
    }
}

/// Reads the cross-reference stream whose object starts at `offset`.
pub(crate) fn read_stream<R: Read + Seek>(
    file: &mut File<R>,
    offset: u64,
) -> Result<Section, Error> {
    let (id, object, _) = file.plain_object_at(offset, super::Load::Full)?;
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
    let row = w0 + w1 + w2;
    if row == 0 {
        return Err(Error::Xref("empty /W"));
    }
    let mut rows_wanted: u64 = 0;
    for pair in index.chunks(2) {
        let count = pair.get(1).copied().unwrap_or(0);
        rows_wanted = rows_wanted.saturating_add(u64::try_from(count).unwrap_or(0));
    }
    if rows_wanted > MAX_ENTRIES as u64 {
        return Err(Error::Xref("too many cross-reference entries"));
    }
    // A predictor adds one byte per row; anything much longer is not cross-reference data.
    let expected = rows_wanted
        .saturating_mul(row as u64 + 1)
        .saturating_add(4096);
    let limit = usize::try_from(expected)
        .unwrap_or(usize::MAX)
        .min(MAX_XREF_STREAM);
    let data = file.decode(&stream, id, limit)?;
    let mut rows = data.chunks_exact(row);
    let mut section = Section {
        offset,
        is_stream: true,
        ..Section::default()
    };
    let mut listed = HashSet::new();
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
            if !listed.insert(number) {
                section.repeated.push(number);
            }
            section.entries.push((number, entry));
        }
    }
    section.trailer = stream.dict;
    Ok(section)
}

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |acc, b| acc << 8 | u64::from(*b))
}

/// Most objects recovery will index; beyond this a file is treated as hostile.
const MAX_RECOVERED: usize = 1_000_000;
/// How much of an object recovery reads to learn whether it is a cross-reference or object
/// stream; a bounded window keeps the scan linear in the file size.
const RECOVERY_PEEK: usize = 4096;

impl Table {
    /// Rebuilds the table by scanning the whole file for `n g obj` headers and trailers, as
    /// readers do for damaged files: later definitions win, as in an update chain. A document
    /// read this way is never trusted for a verdict; this only lets it be described.
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
            // What the carried tail holds is found twice; duplicates are dropped below.
            for position in memchr::memmem::find_iter(&window, b"obj") {
                if let Some((number, generation, start)) = object_header_before(&window, position) {
                    if headers.len() < MAX_RECOVERED {
                        headers.push((number, generation, base + start as u64));
                    } else {
                        too_many = true;
                    }
                }
            }
            for position in memchr::memmem::find_iter(&window, b"trailer") {
                trailers.push(base + position as u64);
            }
            // Keep a tail so headers split across chunks are seen whole.
            let keep = window.len().min(64);
            carry_start = base + (window.len() - keep) as u64;
            carry = window.split_off(window.len() - keep);
            Ok(())
        })?;
        if too_many {
            return Err(Error::Xref("too many objects to recover"));
        }
        let mut table = Self::default();
        headers.sort_by_key(|h| h.2);
        headers.dedup_by_key(|h| h.2);
        let mut section = Section::default();
        let mut latest: HashMap<u32, (u16, u64)> = HashMap::new();
        for (number, generation, offset) in &headers {
            latest.insert(*number, (*generation, *offset));
        }
        trailers.sort_unstable();
        trailers.dedup();
        for offset in trailers {
            file.budget_check()?;
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
        let mut compressed = Vec::new();
        for (number, offset) in headers.iter().map(|(n, _, o)| (*n, *o)) {
            file.budget_check()?;
            let peek = file.read_at(offset, RECOVERY_PEEK)?;
            let mut parser = syntax::Parser::new(&peek);
            let Ok(indirect) = parser.indirect() else {
                continue;
            };
            let Object::Dictionary(dict) = &indirect.object else {
                continue;
            };
            let kind = dict.get_type().ok();
            if indirect.stream_start.is_none() || !matches!(kind, Some(b"XRef" | b"ObjStm")) {
                continue;
            }
            let Ok((_, Object::Stream(stream), _)) =
                file.plain_object_at(offset, super::Load::Full)
            else {
                continue;
            };
            if kind == Some(b"XRef") {
                merge_trailer(&mut table.trailer, &stream.dict);
            } else if let Ok(objects) = file.object_stream_from(&stream, (number, 0)) {
                for (index, (member, _)) in objects.entries.iter().enumerate() {
                    let index = u32::try_from(index).unwrap_or(u32::MAX);
                    compressed.push((
                        *member,
                        Entry::Compressed {
                            stream: number,
                            index,
                        },
                    ));
                }
            }
        }
        for (number, (generation, offset)) in latest {
            section
                .entries
                .push((number, Entry::Plain { offset, generation }));
        }
        // A plain definition anywhere wins over a copy in an object stream.
        let plain: HashSet<u32> = section.entries.iter().map(|(n, _)| *n).collect();
        section
            .entries
            .extend(compressed.into_iter().filter(|(n, _)| !plain.contains(n)));
        if !table.trailer.has(b"Root") {
            return Err(Error::Xref("no document catalog found while recovering"));
        }
        section.trailer = table.trailer.clone();
        table.push(section);
        table.size = table.history.keys().max().map_or(0, |n| n + 1);
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
