//! PDF files read by random access and extended by incremental updates (ISO 32000-2 §7.5).
//!
//! Only the trailer, the cross-reference data and the objects a caller asks for are read, so a
//! large document is never held in memory. Nothing here knows about certificates or CMS.

mod load;
mod store;
mod syntax;
pub(crate) mod xref;

pub mod appearance;
pub mod dss;
pub mod permissions;
pub mod render;
pub mod revision;
pub mod signature;
pub mod update;

use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use lopdf::{Dictionary, Object, ObjectId, Stream};

use crate::budget::{self, Budget};
use store::{ObjectCache, StreamCache};

/// How far references are followed before a cycle is assumed.
const MAX_REFERENCE_CHAIN: usize = 32;
/// Upper bound for one decoded stream that the reader itself needs (object streams,
/// validation data); real ones are far smaller.
const MAX_DECODED_STREAM: usize = 64 * 1024 * 1024;
/// Largest window read to parse one non-stream object.
const MAX_OBJECT_WINDOW: usize = 64 * 1024 * 1024;
/// Decoded object streams kept at once, in bytes. Streams are evicted oldest first, so a file
/// that names many large object streams costs one decode each, not one per object.
const OBJECT_STREAM_CACHE: usize = 96 * 1024 * 1024;
/// Parsed objects kept at once, in bytes of their source text.
const OBJECT_CACHE: usize = 32 * 1024 * 1024;
/// Streams larger than this are not kept in the object cache (their data would crowd it).
const CACHED_STREAM: usize = 256 * 1024;

/// Files up to this size are read into memory at once: one read instead of many small ones,
/// which is what batches of ordinary documents consist of. Larger files are read on demand.
const IN_MEMORY: u64 = 4 * 1024 * 1024;

/// A PDF file opened for reading.
#[derive(Debug)]
pub struct File<R = Source> {
    source: R,
    len: u64,
    xref: xref::Table,
    budget: Budget,
    object_streams: StreamCache,
    objects: ObjectCache,
    /// Object streams being decoded, against `/Length` references that lead back into them.
    loading: Vec<u32>,
    /// Set when the cross-reference data was damaged and rebuilt by scanning the file.
    recovered: bool,
    /// Where the reader had to be lenient to read an object at all.
    repairs: Vec<Repair>,
}

/// The document as one revision's own cross-reference chain defines it (ISO 32000-2 §7.5.6):
/// the chain from one section to the first. [`View::NEWEST`] is what a viewer shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct View(usize);

impl View {
    /// The newest chain: the document as a conforming reader shows it.
    pub const NEWEST: Self = Self(0);
}

/// A lenient reading: an object a strict reader would not have found where the
/// cross-reference data says. Viewers that rebuild such files may show another object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repair {
    pub number: u32,
    pub what: &'static str,
}

/// How much of an object to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Load {
    Full,
    /// A stream's dictionary without its data.
    DictionaryOnly,
}

impl File<Source> {
    /// Opens the file at `path` and reads its cross-reference data, with the budget of a
    /// document of its size.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let len = fs::metadata(path).map_err(io_error)?.len();
        Self::open_with(path, Budget::for_document(len))
    }

    /// Opens the file at `path` drawing on `budget`.
    pub fn open_with(path: &Path, budget: Budget) -> Result<Self, Error> {
        let mut file = fs::File::open(path).map_err(io_error)?;
        let len = file.metadata().map_err(io_error)?.len();
        let source = if len <= IN_MEMORY {
            let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
            file.read_to_end(&mut bytes).map_err(io_error)?;
            Source::Memory(io::Cursor::new(bytes))
        } else {
            Source::Disk(file)
        };
        Self::new_with(source, budget)
    }
}

/// Where a [`File`] opened from a path reads from: memory for small files, the disk otherwise.
#[derive(Debug)]
pub enum Source {
    Memory(io::Cursor<Vec<u8>>),
    Disk(fs::File),
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Memory(cursor) => cursor.read(buf),
            Self::Disk(file) => file.read(buf),
        }
    }
}

impl Seek for Source {
    fn seek(&mut self, position: SeekFrom) -> io::Result<u64> {
        match self {
            Self::Memory(cursor) => cursor.seek(position),
            Self::Disk(file) => file.seek(position),
        }
    }
}

impl<R: Read + Seek> File<R> {
    /// Reads the header, trailer and cross-reference sections from `source`, with the budget
    /// of a document of its size.
    pub fn new(mut source: R) -> Result<Self, Error> {
        let len = source.seek(SeekFrom::End(0)).map_err(io_error)?;
        Self::new_with(source, Budget::for_document(len))
    }

    /// Reads the header, trailer and cross-reference sections from `source`, drawing on
    /// `budget`.
    pub fn new_with(mut source: R, budget: Budget) -> Result<Self, Error> {
        let len = source.seek(SeekFrom::End(0)).map_err(io_error)?;
        let mut file = Self {
            source,
            len,
            xref: xref::Table::default(),
            budget,
            object_streams: StreamCache::default(),
            objects: ObjectCache::default(),
            loading: Vec::new(),
            recovered: false,
            repairs: Vec::new(),
        };
        let head = file.read_at(0, 1024)?;
        if !head.windows(5).any(|w| w == b"%PDF-") {
            return Err(Error::NotPdf);
        }
        match xref::Table::read(&mut file) {
            Ok(table) => file.xref = table,
            Err(error @ Error::Budget(_)) => return Err(error),
            Err(error) => {
                file.recovered = true;
                file.xref = xref::Table::reconstruct(&mut file).map_err(|_| error)?;
            }
        }
        if file.xref.trailer.has(b"Encrypt") {
            return Err(Error::Encrypted);
        }
        Ok(file)
    }

    /// The file's length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty (never true for a file that opened).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The budget this file draws on.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// The newest trailer dictionary.
    pub fn trailer(&self) -> &Dictionary {
        &self.xref.trailer
    }

    /// Offset of the newest cross-reference section (the `startxref` value).
    pub fn startxref(&self) -> u64 {
        self.xref.startxref
    }

    /// Whether the newest cross-reference section is a stream (§7.5.8) rather than a table.
    pub fn uses_xref_stream(&self) -> bool {
        self.xref.newest_is_stream
    }

    /// Whether the cross-reference data was damaged and had to be rebuilt by scanning. Such a
    /// file can be read and described, but what it shows depends on the reader: it must not
    /// get an incremental update on top, and no verdict on it can be trusted.
    pub fn is_recovered(&self) -> bool {
        self.recovered
    }

    /// The lenient readings made so far (offsets a few bytes off, generations that differ,
    /// object-stream indexes that name another object).
    pub fn repairs(&self) -> &[Repair] {
        &self.repairs
    }

    /// Every object number in use in the newest view.
    pub fn object_numbers(&self) -> Vec<u32> {
        self.xref.numbers().collect()
    }

    /// One more than the highest object number in use.
    pub fn size(&self) -> u32 {
        self.xref.size
    }

    /// The view of the revision whose cross-reference chain starts at `startxref`, if the
    /// newest chain passes through that section.
    pub fn view_at(&self, startxref: u64) -> Option<View> {
        self.xref.section_at(startxref).map(View)
    }

    /// The trailer of the section a view starts at.
    pub fn trailer_in(&self, view: View) -> Option<&Dictionary> {
        self.xref.sections.get(view.0).map(|s| &s.trailer)
    }

    /// Objects (with where they are stored) that a hybrid table marks free while its /XRefStm
    /// stores them, still in force in the newest view. An update should list them again, so
    /// that every reader finds them.
    pub fn hidden_by_hybrid_table(&self) -> Vec<(u32, u32, u32)> {
        let mut hidden: Vec<(u32, u32, u32)> = self
            .xref
            .hybrid_hidden
            .iter()
            .filter_map(|&(number, section)| match self.xref.located_in(number, 0) {
                Some((found, xref::Entry::Compressed { stream, index })) if found == section => {
                    Some((number, stream, index))
                }
                _ => None,
            })
            .collect();
        hidden.sort_unstable();
        hidden
    }

    /// Where `view` finds object `number`, as a value that is equal for two views exactly when
    /// both read the object from the same bytes.
    pub fn location_in(&self, view: View, number: u32) -> Option<(u64, u64)> {
        match self.xref.entry_in(number, view.0)? {
            xref::Entry::Plain { offset, .. } => Some((offset, u64::MAX)),
            xref::Entry::Compressed { stream, index } => {
                Some((u64::from(stream), u64::from(index)))
            }
            xref::Entry::Free => None,
        }
    }

    /// Whether `number` is in use in `view`.
    pub fn exists_in(&self, view: View, number: u32) -> bool {
        self.xref.entry_in(number, view.0).is_some()
    }

    /// Loads the object with the given number, with stream data for streams.
    pub fn object(&mut self, id: ObjectId) -> Result<Object, Error> {
        self.load(id, View::NEWEST, Load::Full)
            .map(|(object, _)| object)
    }

    /// Loads the object as `view` defines it.
    pub fn object_in(&mut self, view: View, id: ObjectId) -> Result<Object, Error> {
        self.load(id, view, Load::Full).map(|(object, _)| object)
    }

    /// Loads an object as `view` defines it; a stream comes without its data.
    pub fn shallow_in(&mut self, view: View, id: ObjectId) -> Result<Object, Error> {
        self.load(id, view, Load::DictionaryOnly)
            .map(|(object, _)| object)
    }

    /// Loads an object and, for one stored uncompressed, the byte span it occupies in the file.
    pub fn located(&mut self, id: ObjectId) -> Result<(Object, Option<(u64, u64)>), Error> {
        self.load(id, View::NEWEST, Load::Full)
    }

    fn load(
        &mut self,
        id: ObjectId,
        view: View,
        how: Load,
    ) -> Result<(Object, Option<(u64, u64)>), Error> {
        self.budget_check()?;
        let located = self.xref.located_in(id.0, view.0);
        if let Some((section, _)) = located
            && self.xref.hybrid_hidden.contains(&(id.0, section))
        {
            self.repair(
                id.0,
                "a hybrid table marks the object free while its /XRefStm stores it (poppler and MuPDF do not see it)",
            );
        }
        match located.map(|(_, entry)| entry) {
            Some(xref::Entry::Plain { offset, generation }) => {
                self.plain(id, offset, generation, view, how)
            }
            Some(xref::Entry::Compressed { stream, index }) => {
                Ok((self.compressed_object(id, stream, index, view)?, None))
            }
            Some(xref::Entry::Free) | None => Err(Error::MissingObject(id)),
        }
    }

    fn plain(
        &mut self,
        id: ObjectId,
        offset: u64,
        generation: u16,
        view: View,
        how: Load,
    ) -> Result<(Object, Option<(u64, u64)>), Error> {
        if let Some((object, span)) = self.objects.get(offset, how) {
            return Ok((object, Some(span)));
        }
        if let Some(error) = self.objects.failed.get(&offset) {
            return Err(error.clone());
        }
        let first = self.object_at(offset, view, how);
        let (found, object, span) = match first {
            Ok((found, object, span)) if found.0 == id.0 => {
                if found.1 != generation {
                    self.repair(id.0, "the object's generation differs from its entry");
                }
                (found, object, span)
            }
            other => {
                // Writers that miscount a few bytes are common; readers look nearby. Such a
                // reading is recorded: a strict comparison of revisions may not rely on it.
                let near = self.header_near(id, offset)?;
                match near.map(|near| self.object_at(near, view, how)) {
                    Some(Ok((found, object, span))) if found.0 == id.0 => {
                        self.repair(id.0, "the cross-reference entry points beside the object");
                        (found, object, span)
                    }
                    _ => {
                        let error = match other {
                            Err(error) => error,
                            Ok(_) => Error::Broken {
                                what: "cross-reference points at the wrong object",
                                id,
                            },
                        };
                        // A broken object stays broken: a hostile file that names it often
                        // costs one attempt, not one per reference.
                        if !matches!(error, Error::Budget(_) | Error::Io(_)) {
                            self.objects.failed.insert(offset, error.clone());
                        }
                        return Err(error);
                    }
                }
            }
        };
        let _ = found;
        self.objects.put(offset, how, &object, span);
        Ok((object, Some(span)))
    }

    fn repair(&mut self, number: u32, what: &'static str) {
        let repair = Repair { number, what };
        if self.repairs.len() < 1000 && !self.repairs.contains(&repair) {
            self.repairs.push(repair);
        }
    }

    /// Fails once the document's budget is used up.
    pub(crate) fn budget_check(&self) -> Result<(), Error> {
        self.budget.check().map_err(Error::Budget)
    }

    /// The offset of the header `n g obj` for `id` closest to `offset`, within a few hundred
    /// bytes either side.
    fn header_near(&mut self, id: ObjectId, offset: u64) -> Result<Option<u64>, Error> {
        const REACH: usize = 512;
        let start = offset.saturating_sub(REACH as u64);
        let window = self.read_at(start, 2 * REACH)?;
        let best = memchr::memmem::find_iter(&window, b"obj")
            .filter_map(|at| xref::object_header_before(&window, at))
            .filter(|(number, _, _)| *number == id.0)
            .map(|(_, _, at)| start + at as u64)
            .min_by_key(|at| at.abs_diff(offset));
        Ok(best)
    }

    /// Follows a reference (and chains of references) to the object it names.
    pub fn resolve(&mut self, object: &Object) -> Result<Object, Error> {
        self.resolve_in(View::NEWEST, object)
    }

    /// Follows references as `view` defines them.
    pub fn resolve_in(&mut self, view: View, object: &Object) -> Result<Object, Error> {
        let mut current = object.clone();
        for _ in 0..MAX_REFERENCE_CHAIN {
            match current {
                Object::Reference(id) => current = self.object_in(view, id)?,
                other => return Ok(other),
            }
        }
        Err(Error::Broken {
            what: "reference chain too long",
            id: (0, 0),
        })
    }

    /// Resolves `object` and requires a dictionary (a stream's dictionary counts).
    pub fn dictionary(&mut self, object: &Object) -> Result<Dictionary, Error> {
        self.dictionary_in(View::NEWEST, object)
    }

    /// Resolves `object` in `view` and requires a dictionary (a stream's dictionary counts).
    pub fn dictionary_in(&mut self, view: View, object: &Object) -> Result<Dictionary, Error> {
        let mut current = object.clone();
        for _ in 0..MAX_REFERENCE_CHAIN {
            match current {
                Object::Reference(id) => current = self.shallow_in(view, id)?,
                Object::Dictionary(dict) => return Ok(dict),
                Object::Stream(stream) => return Ok(stream.dict),
                _ => return Err(Error::Structure("expected a dictionary")),
            }
        }
        Err(Error::Broken {
            what: "reference chain too long",
            id: (0, 0),
        })
    }

    /// The document catalog and its object number.
    pub fn catalog(&mut self) -> Result<(ObjectId, Dictionary), Error> {
        self.catalog_in(View::NEWEST)
    }

    /// The document catalog as `view` defines it.
    pub fn catalog_in(&mut self, view: View) -> Result<(ObjectId, Dictionary), Error> {
        let trailer = self
            .xref
            .sections
            .get(view.0)
            .map_or(&self.xref.trailer, |s| &s.trailer);
        let root = trailer
            .get(b"Root")
            .map_err(|_| Error::Structure("trailer has no /Root"))?;
        let Object::Reference(id) = root else {
            return Err(Error::Structure("/Root is not a reference"));
        };
        let id = *id;
        let catalog = self.dictionary_in(view, &Object::Reference(id))?;
        Ok((id, catalog))
    }

    /// The pages in order (§7.7.3.2), walking the page tree depth first; bounded against
    /// hostile trees (cycles, absurd sizes).
    pub fn pages(&mut self) -> Result<Vec<ObjectId>, Error> {
        self.pages_in(View::NEWEST)
    }

    /// The pages in order as `view` defines them.
    pub fn pages_in(&mut self, view: View) -> Result<Vec<ObjectId>, Error> {
        const MAX_PAGES: usize = 200_000;
        let (_, catalog) = self.catalog_in(view)?;
        let root = catalog
            .get(b"Pages")
            .ok()
            .and_then(|p| p.as_reference().ok())
            .ok_or(Error::Structure("catalog has no /Pages"))?;
        let mut pages = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![(root, 0usize)];
        while let Some((id, depth)) = stack.pop() {
            if depth > MAX_REFERENCE_CHAIN || !seen.insert(id) || seen.len() > MAX_PAGES {
                return Err(Error::Structure("page tree too deep, cyclic or too large"));
            }
            let node = self.dictionary_in(view, &Object::Reference(id))?;
            match node.get(b"Kids") {
                Ok(kids) if !node.get_type().is_ok_and(|t| t == b"Page") => {
                    let kids = self.resolve_in(view, kids)?;
                    let kids = kids
                        .as_array()
                        .map_err(|_| Error::Structure("/Kids is not an array"))?;
                    for kid in kids.iter().rev() {
                        if let Ok(kid) = kid.as_reference() {
                            stack.push((kid, depth + 1));
                        }
                    }
                }
                _ => pages.push(id),
            }
        }
        Ok(pages)
    }

    /// The `/MediaBox` of `page` as `[llx lly urx ury]`, inherited from the page tree where the
    /// page names none (§7.7.3.4); A4 where nobody names one, and for a page that does not
    /// exist (signing then reports the missing page).
    pub fn media_box(&mut self, page: appearance::Page) -> Result<[f32; 4], Error> {
        /// `[llx lly urx ury]` of an A4 page.
        const A4: [f32; 4] = [0.0, 0.0, 595.0, 842.0];
        let pages = self.pages()?;
        let id = match page {
            appearance::Page::Number(n) => n.checked_sub(1).and_then(|i| pages.get(i)),
            appearance::Page::Last => pages.last(),
        };
        let Some(&id) = id else { return Ok(A4) };
        let mut node = self.dictionary(&Object::Reference(id))?;
        for _ in 0..MAX_REFERENCE_CHAIN {
            if let Ok(media) = node.get(b"MediaBox") {
                return Ok(rectangle(&self.resolve(media)?).unwrap_or(A4));
            }
            match node.get(b"Parent").and_then(Object::as_reference) {
                Ok(parent) => node = self.dictionary(&Object::Reference(parent))?,
                Err(_) => break,
            }
        }
        Ok(A4)
    }

    /// The first page of the page tree (§7.7.3), walking down `/Kids`.
    pub fn first_page(&mut self) -> Result<(ObjectId, Dictionary), Error> {
        let (_, catalog) = self.catalog()?;
        let mut node = catalog
            .get(b"Pages")
            .map_err(|_| Error::Structure("catalog has no /Pages"))?
            .clone();
        for _ in 0..MAX_REFERENCE_CHAIN {
            let Object::Reference(id) = node else {
                return Err(Error::Structure("page tree node is not a reference"));
            };
            let dict = self.dictionary(&node)?;
            if dict.get_type().is_ok_and(|t| t == b"Page") || !dict.has(b"Kids") {
                return Ok((id, dict));
            }
            let kids = self.resolve(
                dict.get(b"Kids")
                    .map_err(|_| Error::Structure("page tree node has no /Kids"))?,
            )?;
            let first = kids.as_array().ok().and_then(|k| k.first().cloned());
            node = first.ok_or(Error::Structure("document has no pages"))?;
        }
        Err(Error::Structure("page tree too deep"))
    }

    /// Reads up to `len` bytes at `offset` (fewer at the end of the file).
    pub fn read_at(&mut self, offset: u64, len: usize) -> Result<Vec<u8>, Error> {
        let available = self.len.saturating_sub(offset);
        let len = usize::try_from(available).map_or(len, |a| a.min(len));
        let mut buf = vec![0; len];
        self.source
            .seek(SeekFrom::Start(offset))
            .map_err(io_error)?;
        self.source.read_exact(&mut buf).map_err(io_error)?;
        Ok(buf)
    }

    /// Streams the bytes `start..start + len` through `sink` in chunks, so callers can hash
    /// or copy a range of any size without holding it.
    pub fn for_each_chunk(
        &mut self,
        start: u64,
        len: u64,
        mut sink: impl FnMut(&[u8]) -> Result<(), Error>,
    ) -> Result<(), Error> {
        if start.checked_add(len).is_none_or(|end| end > self.len) {
            return Err(Error::Structure("byte range outside the file"));
        }
        self.source.seek(SeekFrom::Start(start)).map_err(io_error)?;
        let mut remaining = len;
        // At most 1 MiB at a time, and no more than the range needs.
        let mut buf = vec![0; usize::try_from(len).map_or(1 << 20, |l| l.min(1 << 20))];
        while remaining > 0 {
            self.budget.check().map_err(Error::Budget)?;
            let want = usize::try_from(remaining).map_or(buf.len(), |r| r.min(buf.len()));
            let chunk = &mut buf[..want];
            self.source.read_exact(chunk).map_err(io_error)?;
            sink(chunk)?;
            remaining -= want as u64;
        }
        Ok(())
    }

    /// Reads the whole file once and finds the ends of its revisions (§7.5.6) and every
    /// `/ByteRange` key. Every byte passes through `observe` on the way, so callers can hash the
    /// whole file in the same pass.
    pub fn survey(&mut self, mut observe: impl FnMut(&[u8])) -> Result<Survey, Error> {
        const EOF: &[u8] = b"%%EOF";
        const BYTE_RANGE: &[u8] = b"/ByteRange";
        let finders = [
            memchr::memmem::Finder::new(EOF),
            memchr::memmem::Finder::new(BYTE_RANGE),
        ];
        let mut found: [Vec<u64>; 2] = [Vec::new(), Vec::new()];
        let mut chunk_start = 0u64;
        // The last bytes of the previous chunk, for needles split across two chunks.
        let mut tail: Vec<u8> = Vec::new();
        let keep = BYTE_RANGE.len() - 1;
        let len = self.len;
        self.for_each_chunk(0, len, |chunk| {
            observe(chunk);
            let mut seam = tail.clone();
            seam.extend_from_slice(&chunk[..chunk.len().min(keep)]);
            let seam_start = chunk_start - tail.len() as u64;
            for (finder, positions) in finders.iter().zip(found.iter_mut()) {
                let needle = finder.needle().len();
                // Only matches that straddle the boundary; the others are found in a chunk.
                let straddling = finder
                    .find_iter(&seam)
                    .filter(|&f| f < tail.len() && f + needle > tail.len());
                positions.extend(straddling.map(|f| seam_start + f as u64));
                positions.extend(finder.find_iter(chunk).map(|f| chunk_start + f as u64));
            }
            tail = chunk[chunk.len().saturating_sub(keep)..].to_vec();
            chunk_start += chunk.len() as u64;
            Ok(())
        })?;
        let [eof_markers, byte_range_keys] = found;
        let ends: Vec<u64> = eof_markers
            .into_iter()
            .map(|at| at + EOF.len() as u64)
            .collect();
        // Include the end-of-line that belongs to the marker.
        let mut result = Vec::with_capacity(ends.len());
        for end in ends {
            let next = self.read_at(end, 2)?;
            let eol = match next.as_slice() {
                [b'\r', b'\n', ..] => 2,
                [b'\r' | b'\n', ..] => 1,
                _ => 0,
            };
            result.push(end + eol);
        }
        Ok(Survey {
            revision_ends: result,
            byte_range_keys,
        })
    }
}

/// A stream's decoded bytes, bounded against decompression bombs; `None` if they cannot be
/// decoded within the bound. Outside a document's budget: for streams the caller made.
pub fn decoded(stream: &Stream) -> Option<Vec<u8>> {
    if stream.filters().map(|f| f.is_empty()).unwrap_or(true) {
        return Some(stream.content.clone());
    }
    stream
        .decompressed_content_with_limit(MAX_DECODED_STREAM)
        .ok()
}

/// One indirect object as parsed at its offset, before any stream data is read.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) id: ObjectId,
    /// The object; `Null` for a stream, whose dictionary is in `stream`.
    pub(crate) object: Object,
    /// From the header to after `endobj` (or to the start of stream data).
    pub(crate) span: (u64, u64),
    /// A stream's dictionary and where its data starts.
    pub(crate) stream: Option<(Dictionary, u64)>,
    pub(crate) repeated_key: bool,
    /// Whether a non-stream object was closed by `endobj`.
    pub(crate) closed: bool,
}

/// What [`File::survey`] finds in one pass.
#[derive(Clone, Debug, Default)]
pub struct Survey {
    /// Offsets just after each `%%EOF` marker and its end-of-line, in file order.
    pub revision_ends: Vec<u64>,
    /// Offsets of every `/ByteRange` key in the raw bytes (signature dictionaries stored
    /// uncompressed), to find signatures no field refers to.
    pub byte_range_keys: Vec<u64>,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::rfind(haystack, needle)
}

fn io_error(error: io::Error) -> Error {
    Error::Io(Arc::new(error))
}

/// Why a PDF could not be read or written.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("not a PDF file (no %PDF- header)")]
    NotPdf,
    #[error("encrypted PDF files are not supported")]
    Encrypted,
    #[error("malformed PDF: {what} at byte {offset}")]
    Syntax { what: &'static str, offset: u64 },
    #[error("malformed cross-reference data: {0}")]
    Xref(&'static str),
    #[error("malformed PDF: object {} {}: {what}", id.0, id.1)]
    Broken { what: &'static str, id: ObjectId },
    #[error("malformed PDF: object {} {} is missing", .0.0, .0.1)]
    MissingObject(ObjectId),
    #[error("unexpected PDF structure: {0}")]
    Structure(&'static str),
    #[error("the signature needs {needed} bytes but only {reserved} were reserved")]
    ContentsTooSmall { needed: usize, reserved: usize },
    #[error("i/o error: {0}")]
    Io(Arc<io::Error>),
    #[error("{0}")]
    Budget(budget::Exhausted),
}

impl Error {
    /// Makes a window-relative syntax offset absolute.
    fn at(self, base: u64) -> Self {
        match self {
            Self::Syntax { what, offset } => Self::Syntax {
                what,
                offset: base + offset,
            },
            other => other,
        }
    }
}

/// A PDF rectangle normalised to `[llx lly urx ury]` (§7.9.5: any two opposite corners).
fn rectangle(object: &Object) -> Option<[f32; 4]> {
    let numbers: Vec<f32> = object
        .as_array()
        .ok()?
        .iter()
        .map(|n| n.as_float().ok().filter(|n| n.is_finite()))
        .collect::<Option<_>>()?;
    let [a, b, c, d] = numbers.as_slice() else {
        return None;
    };
    let rectangle = [a.min(*c), b.min(*d), a.max(*c), b.max(*d)];
    (rectangle[2] > rectangle[0] && rectangle[3] > rectangle[1]).then_some(rectangle)
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revision_markers_split_across_read_chunks_are_found() {
        let mut bytes = b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\n%".to_vec();
        let chunk = 1 << 20;
        bytes.resize(chunk - 2, b'x');
        bytes.extend_from_slice(b"\n%%EOF\n%/ByteRange");
        let key_at = bytes.len() as u64 - 10;
        let first_end = chunk as u64 + 5;
        bytes.extend_from_slice(b"\ntrailer <</Root 1 0 R>>\n%%EOF\n");
        let mut file = File::new(io::Cursor::new(bytes.clone())).unwrap();
        assert!(file.is_recovered(), "no xref: read by scanning");
        let mut seen = 0;
        let survey = file.survey(|chunk| seen += chunk.len()).unwrap();
        assert_eq!(survey.revision_ends, vec![first_end, bytes.len() as u64]);
        assert_eq!(survey.byte_range_keys, vec![key_at]);
        assert_eq!(seen, bytes.len());
    }
}
