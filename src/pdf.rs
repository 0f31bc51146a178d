//! PDF files read by random access and extended by incremental updates (ISO 32000-2 §7.5).
//!
//! Only the trailer, the cross-reference data and the objects a caller asks for are read, so a
//! large document is never held in memory. Nothing here knows about certificates or CMS.

mod syntax;
pub(crate) mod xref;

pub mod appearance;
pub mod dss;
pub mod permissions;
pub mod signature;
pub mod update;

use std::collections::HashMap;
use std::fs;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use lopdf::{Dictionary, Object, ObjectId, Stream};

/// How far references are followed before a cycle is assumed.
const MAX_REFERENCE_CHAIN: usize = 32;
/// Upper bound for one decoded object or cross-reference stream.
const MAX_DECODED_STREAM: usize = 256 * 1024 * 1024;
/// Largest window read to parse one non-stream object.
const MAX_OBJECT_WINDOW: usize = 64 * 1024 * 1024;
/// Object streams kept decoded at once.
const OBJECT_STREAM_CACHE: usize = 8;

/// Files up to this size are read into memory at once: one read instead of many small ones,
/// which is what batches of ordinary documents consist of. Larger files are read on demand.
const IN_MEMORY: u64 = 4 * 1024 * 1024;

/// A PDF file opened for reading.
#[derive(Debug)]
pub struct File<R = Source> {
    source: R,
    len: u64,
    xref: xref::Table,
    object_streams: HashMap<u32, Arc<ObjectStream>>,
    /// Set when the cross-reference data was damaged and rebuilt by scanning the file.
    recovered: bool,
}

impl File<Source> {
    /// Opens the file at `path` and reads its cross-reference data.
    pub fn open(path: &Path) -> Result<Self, Error> {
        let mut file = fs::File::open(path).map_err(io_error)?;
        let len = file.metadata().map_err(io_error)?.len();
        let source = if len <= IN_MEMORY {
            let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
            file.read_to_end(&mut bytes).map_err(io_error)?;
            Source::Memory(io::Cursor::new(bytes))
        } else {
            Source::Disk(file)
        };
        Self::new(source)
    }
}

impl File<Window<Source>> {
    /// Opens the first `len` bytes of the file at `path` as a PDF of their own: the document as
    /// it was at the end of an earlier revision (§7.5.6).
    pub fn open_revision(path: &Path, len: u64) -> Result<Self, Error> {
        let mut file = fs::File::open(path).map_err(io_error)?;
        let full = file.metadata().map_err(io_error)?.len();
        let len = len.min(full);
        let source = if len <= IN_MEMORY {
            let mut bytes = vec![0; usize::try_from(len).unwrap_or(0)];
            file.read_exact(&mut bytes).map_err(io_error)?;
            Source::Memory(io::Cursor::new(bytes))
        } else {
            Source::Disk(file)
        };
        Self::new(Window {
            inner: source,
            len,
            position: 0,
        })
    }
}

/// The first `len` bytes of a source, seen as a whole.
#[derive(Debug)]
pub struct Window<R> {
    inner: R,
    len: u64,
    position: u64,
}

impl<R: Read + Seek> Read for Window<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.len.saturating_sub(self.position);
        let want = usize::try_from(left).map_or(buf.len(), |l| l.min(buf.len()));
        if want == 0 {
            return Ok(0);
        }
        self.inner.seek(SeekFrom::Start(self.position))?;
        let read = self.inner.read(&mut buf[..want])?;
        self.position += read as u64;
        Ok(read)
    }
}

impl<R: Read + Seek> Seek for Window<R> {
    fn seek(&mut self, position: SeekFrom) -> io::Result<u64> {
        let target = match position {
            SeekFrom::Start(offset) => Some(offset),
            SeekFrom::End(delta) => self.len.checked_add_signed(delta),
            SeekFrom::Current(delta) => self.position.checked_add_signed(delta),
        };
        self.position = target
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.position)
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
    /// Reads the header, trailer and cross-reference sections from `source`.
    pub fn new(mut source: R) -> Result<Self, Error> {
        let len = source.seek(SeekFrom::End(0)).map_err(io_error)?;
        let mut file = Self {
            source,
            len,
            xref: xref::Table::default(),
            object_streams: HashMap::new(),
            recovered: false,
        };
        let head = file.read_at(0, 1024)?;
        if !head.windows(5).any(|w| w == b"%PDF-") {
            return Err(Error::NotPdf);
        }
        match xref::Table::read(&mut file) {
            Ok(table) => file.xref = table,
            Err(error) => file.recover().map_err(|_| error)?,
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
    /// file can be read, but must not get an incremental update on top.
    pub fn is_recovered(&self) -> bool {
        self.recovered
    }

    fn recover(&mut self) -> Result<(), Error> {
        // Set first: reconstruction reads objects, and a failure there must not recover again.
        self.recovered = true;
        let table = xref::Table::reconstruct(self)?;
        self.xref = table;
        self.object_streams.clear();
        Ok(())
    }

    /// Every object number in use.
    pub fn object_numbers(&self) -> Vec<u32> {
        self.xref.numbers().collect()
    }

    /// One more than the highest object number in use.
    pub fn size(&self) -> u32 {
        self.xref.size
    }

    /// Loads the object with the given number, with stream data for streams.
    pub fn object(&mut self, id: ObjectId) -> Result<Object, Error> {
        self.located(id).map(|(object, _)| object)
    }

    /// Loads an object and, for one stored uncompressed, the byte span it occupies in the file.
    pub fn located(&mut self, id: ObjectId) -> Result<(Object, Option<(u64, u64)>), Error> {
        match self.located_by_table(id) {
            Err(error @ (Error::Syntax { .. } | Error::Broken { .. })) if !self.recovered => {
                // Offsets that do not lead to the object mean damaged cross-reference data.
                self.recover().map_err(|_| error)?;
                self.located_by_table(id)
            }
            other => other,
        }
    }

    fn located_by_table(&mut self, id: ObjectId) -> Result<(Object, Option<(u64, u64)>), Error> {
        match self.xref.entry(id.0) {
            Some(xref::Entry::Plain { offset, .. }) => {
                let first = self.object_at(offset, 0);
                if let Ok((found, object, span)) = &first
                    && found.0 == id.0
                {
                    return Ok((object.clone(), Some(*span)));
                }
                // Writers that miscount a few bytes are common; readers look nearby.
                if let Some(near) = self.header_near(id, offset)?
                    && let Ok((found, object, span)) = self.object_at(near, 0)
                    && found.0 == id.0
                {
                    return Ok((object, Some(span)));
                }
                match first {
                    Err(error) => Err(error),
                    Ok(_) => Err(Error::Broken {
                        what: "cross-reference points at the wrong object",
                        id,
                    }),
                }
            }
            Some(xref::Entry::Compressed { stream, index }) => {
                Ok((self.compressed_object(id, stream, index)?, None))
            }
            Some(xref::Entry::Free) | None => Err(Error::MissingObject(id)),
        }
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
        let mut current = object.clone();
        for _ in 0..MAX_REFERENCE_CHAIN {
            match current {
                Object::Reference(id) => current = self.object(id)?,
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
        match self.resolve(object)? {
            Object::Dictionary(dict) => Ok(dict),
            Object::Stream(stream) => Ok(stream.dict),
            _ => Err(Error::Structure("expected a dictionary")),
        }
    }

    /// The document catalog and its object number.
    pub fn catalog(&mut self) -> Result<(ObjectId, Dictionary), Error> {
        let root = self
            .xref
            .trailer
            .get(b"Root")
            .map_err(|_| Error::Structure("trailer has no /Root"))?;
        let Object::Reference(id) = root else {
            return Err(Error::Structure("/Root is not a reference"));
        };
        let id = *id;
        let catalog = self.dictionary(&Object::Reference(id))?;
        Ok((id, catalog))
    }

    /// The pages in order (§7.7.3.2), walking the page tree depth first; bounded against
    /// hostile trees (cycles, absurd sizes).
    pub fn pages(&mut self) -> Result<Vec<ObjectId>, Error> {
        const MAX_PAGES: usize = 200_000;
        let (_, catalog) = self.catalog()?;
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
            let node = self.dictionary(&Object::Reference(id))?;
            match node.get(b"Kids") {
                Ok(kids) if !node.get_type().is_ok_and(|t| t == b"Page") => {
                    let kids = self.resolve(kids)?;
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

    fn object_at(
        &mut self,
        offset: u64,
        depth: usize,
    ) -> Result<(ObjectId, Object, (u64, u64)), Error> {
        let mut window = 16 * 1024;
        loop {
            let buf = self.read_at(offset, window)?;
            let mut parser = syntax::Parser::new(&buf);
            match parser.indirect() {
                Ok(indirect) => {
                    let Some(stream_start) = indirect.stream_start else {
                        return Ok((
                            indirect.id,
                            indirect.object,
                            (offset, offset + indirect.end as u64),
                        ));
                    };
                    let Object::Dictionary(dict) = indirect.object else {
                        return Err(Error::Broken {
                            what: "stream without a dictionary",
                            id: indirect.id,
                        });
                    };
                    let length = match dict.get(b"Length") {
                        Ok(Object::Integer(n)) => *n,
                        Ok(Object::Reference(id)) if depth < 2 && *id != indirect.id => {
                            match self.object(*id)? {
                                Object::Integer(n) => n,
                                _ => {
                                    return Err(Error::Broken {
                                        what: "stream /Length is not a number",
                                        id: indirect.id,
                                    });
                                }
                            }
                        }
                        _ => {
                            return Err(Error::Broken {
                                what: "stream has no usable /Length",
                                id: indirect.id,
                            });
                        }
                    };
                    let length = usize::try_from(length)
                        .ok()
                        .filter(|&l| l <= MAX_DECODED_STREAM)
                        .ok_or(Error::Broken {
                            what: "stream /Length out of range",
                            id: indirect.id,
                        })?;
                    let data_offset = offset + stream_start as u64;
                    let data = self.read_at(data_offset, length)?;
                    if data.len() != length {
                        return Err(Error::Broken {
                            what: "stream runs past the end of the file",
                            id: indirect.id,
                        });
                    }
                    let end = data_offset + length as u64;
                    let id = indirect.id;
                    return Ok((id, Object::Stream(Stream::new(dict, data)), (offset, end)));
                }
                Err(error) => {
                    let truncated = parser.pos >= buf.len().saturating_sub(1)
                        && (buf.len() as u64) < self.len - offset.min(self.len);
                    if truncated && window < MAX_OBJECT_WINDOW {
                        window *= 4;
                        continue;
                    }
                    return Err(error.at(offset));
                }
            }
        }
    }

    fn compressed_object(
        &mut self,
        id: ObjectId,
        stream_id: u32,
        index: u32,
    ) -> Result<Object, Error> {
        let stream = match self.object_streams.get(&stream_id) {
            Some(stream) => Arc::clone(stream),
            None => {
                let stream = Arc::new(self.load_object_stream(stream_id)?);
                if self.object_streams.len() >= OBJECT_STREAM_CACHE {
                    self.object_streams.clear();
                }
                self.object_streams.insert(stream_id, Arc::clone(&stream));
                stream
            }
        };
        stream.object(id, index)
    }

    fn load_object_stream(&mut self, stream_id: u32) -> Result<ObjectStream, Error> {
        let id = (stream_id, 0);
        let Some(xref::Entry::Plain { offset, .. }) = self.xref.entry(stream_id) else {
            return Err(Error::Broken {
                what: "object stream is not stored uncompressed",
                id,
            });
        };
        let (_, object, _) = self.object_at(offset, 0)?;
        let Object::Stream(stream) = object else {
            return Err(Error::Broken {
                what: "object stream is not a stream",
                id,
            });
        };
        ObjectStream::decode(&stream, id)
    }
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

/// A decoded object stream (§7.5.7).
#[derive(Debug)]
struct ObjectStream {
    data: Vec<u8>,
    /// (object number, offset of the object relative to `data`).
    entries: Vec<(u32, usize)>,
}

impl ObjectStream {
    fn decode(stream: &Stream, id: ObjectId) -> Result<Self, Error> {
        let integer = |key: &[u8], what| {
            stream
                .dict
                .get(key)
                .and_then(Object::as_i64)
                .map_err(|_| Error::Broken { what, id })
        };
        let count = integer(b"N", "object stream has no /N")?;
        let first = integer(b"First", "object stream has no /First")?;
        let data = decode_stream(stream, id)?;
        let first = usize::try_from(first).map_err(|_| Error::Broken {
            what: "bad /First",
            id,
        })?;
        let header = data.get(..first).ok_or(Error::Broken {
            what: "bad /First",
            id,
        })?;
        let mut parser = syntax::Parser::new(header);
        let mut entries = Vec::new();
        for _ in 0..count.clamp(0, 1_000_000) {
            parser.skip_space();
            let number = parser.unsigned().map_err(|e| e.at(0))?;
            parser.skip_space();
            let offset = parser.unsigned().map_err(|e| e.at(0))?;
            let number = u32::try_from(number).map_err(|_| Error::Broken {
                what: "bad object number in object stream",
                id,
            })?;
            let offset = usize::try_from(offset)
                .ok()
                .and_then(|o| o.checked_add(first))
                .ok_or(Error::Broken {
                    what: "bad offset in object stream",
                    id,
                })?;
            entries.push((number, offset));
        }
        Ok(Self { data, entries })
    }

    fn object(&self, id: ObjectId, index: u32) -> Result<Object, Error> {
        let entry = usize::try_from(index)
            .ok()
            .and_then(|i| self.entries.get(i));
        let offset = match entry {
            Some(&(number, offset)) if number == id.0 => offset,
            // Some writers get the index wrong; fall back to a search by number.
            _ => self
                .entries
                .iter()
                .find(|(n, _)| *n == id.0)
                .map(|(_, o)| *o)
                .ok_or(Error::MissingObject(id))?,
        };
        let data = self.data.get(offset..).ok_or(Error::Broken {
            what: "offset outside object stream",
            id,
        })?;
        syntax::Parser::new(data).object(0).map_err(|e| e.at(0))
    }
}

/// A stream's decoded bytes, bounded against decompression bombs; `None` if they cannot be
/// decoded within the bound.
pub fn decoded(stream: &Stream) -> Option<Vec<u8>> {
    decode_stream(stream, (0, 0)).ok()
}

fn decode_stream(stream: &Stream, id: ObjectId) -> Result<Vec<u8>, Error> {
    if stream.filters().map(|f| f.is_empty()).unwrap_or(true) {
        return Ok(stream.content.clone());
    }
    stream
        .decompressed_content_with_limit(MAX_DECODED_STREAM)
        .map_err(|_| Error::Broken {
            what: "cannot decode stream",
            id,
        })
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
