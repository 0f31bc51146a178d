//! What the reader keeps between lookups: decoded object streams (ISO 32000-2 §7.5.7) and
//! parsed objects, each bounded in bytes so a hostile file costs work, never unbounded memory.

use std::collections::HashMap;
use std::sync::Arc;

use lopdf::{Object, ObjectId, Stream};

use super::{CACHED_STREAM, Error, Load, OBJECT_CACHE, OBJECT_STREAM_CACHE, syntax};

/// A decoded object stream (§7.5.7).
#[derive(Debug)]
pub(crate) struct ObjectStream {
    pub(super) data: Vec<u8>,
    /// (object number, offset of the object relative to `data`).
    pub(crate) entries: Vec<(u32, usize)>,
}

impl ObjectStream {
    pub(super) fn decode(stream: &Stream, data: Vec<u8>, id: ObjectId) -> Result<Self, Error> {
        let integer = |key: &[u8], what| {
            stream
                .dict
                .get(key)
                .and_then(Object::as_i64)
                .map_err(|_| Error::Broken { what, id })
        };
        let count = integer(b"N", "object stream has no /N")?;
        let first = integer(b"First", "object stream has no /First")?;
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

    /// The member `index`, which should be object `id`; the flag says whether it was found
    /// where the index says (otherwise it was looked up by number, as lenient readers do).
    pub(super) fn object(&self, id: ObjectId, index: u32) -> Result<(Object, bool, bool), Error> {
        let entry = usize::try_from(index)
            .ok()
            .and_then(|i| self.entries.get(i));
        let (offset, exact) = match entry {
            Some(&(number, offset)) if number == id.0 => (offset, true),
            // Some writers get the index wrong; fall back to a search by number.
            _ => (
                self.entries
                    .iter()
                    .find(|(n, _)| *n == id.0)
                    .map(|(_, o)| *o)
                    .ok_or(Error::MissingObject(id))?,
                false,
            ),
        };
        let (object, _, repeated_key) = self.member_at(offset)?;
        Ok((object, exact, repeated_key))
    }

    /// Parses the member at `offset`, returning it and where its text ends.
    pub(crate) fn member_at(&self, offset: usize) -> Result<(Object, usize, bool), Error> {
        let data = self.data.get(offset..).ok_or(Error::Broken {
            what: "offset outside object stream",
            id: (0, 0),
        })?;
        let mut parser = syntax::Parser::new(data);
        let object = parser.object(0).map_err(|e| e.at(0))?;
        Ok((object, offset + parser.pos, parser.repeated_key))
    }

    /// Where the member after `offset` starts (or the end of the data).
    pub(crate) fn next_offset(&self, offset: usize) -> usize {
        self.entries
            .iter()
            .map(|(_, o)| *o)
            .filter(|o| *o > offset)
            .min()
            .unwrap_or(self.data.len())
    }
}

/// Decoded object streams by the offset of the stream object, evicted oldest first when they
/// hold more than [`OBJECT_STREAM_CACHE`] bytes. Failures are remembered too, so a stream that
/// does not decode is not decoded again for every member.
#[derive(Debug, Default)]
pub(super) struct StreamCache {
    pub(super) entries: HashMap<u64, Result<Arc<ObjectStream>, Error>>,
    pub(super) order: std::collections::VecDeque<u64>,
    pub(super) bytes: usize,
}

impl StreamCache {
    pub(super) fn get(&self, offset: u64) -> Option<Result<Arc<ObjectStream>, Error>> {
        self.entries.get(&offset).cloned()
    }

    pub(super) fn put(&mut self, offset: u64, stream: Result<Arc<ObjectStream>, Error>) {
        let size = |s: &Result<Arc<ObjectStream>, Error>| {
            s.as_ref()
                .map_or(64, |s| s.data.len() + 16 * s.entries.len())
        };
        self.bytes += size(&stream);
        self.entries.insert(offset, stream);
        self.order.push_back(offset);
        while self.bytes > OBJECT_STREAM_CACHE && self.order.len() > 1 {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some(old) = self.entries.remove(&oldest) {
                self.bytes = self.bytes.saturating_sub(size(&old));
            }
        }
    }
}

/// Parsed uncompressed objects by offset. When full it is emptied: what a hostile file gains
/// is one parse per object again, never unbounded memory.
#[derive(Debug, Default)]
pub(super) struct ObjectCache {
    pub(super) full: HashMap<u64, (Object, (u64, u64))>,
    pub(super) bytes: usize,
    pub(super) failed: HashMap<u64, Error>,
}

impl ObjectCache {
    pub(super) fn get(&self, offset: u64, how: Load) -> Option<(Object, (u64, u64))> {
        let (object, span) = self.full.get(&offset)?;
        match (how, object) {
            (Load::DictionaryOnly, Object::Stream(stream)) => Some((
                Object::Stream(Stream {
                    dict: stream.dict.clone(),
                    content: Vec::new(),
                    allows_compression: true,
                    start_position: None,
                }),
                *span,
            )),
            _ => Some((object.clone(), *span)),
        }
    }

    pub(super) fn put(&mut self, offset: u64, how: Load, object: &Object, span: (u64, u64)) {
        let is_stream = matches!(object, Object::Stream(_));
        if how == Load::DictionaryOnly && is_stream {
            return;
        }
        let size = usize::try_from(span.1.saturating_sub(span.0)).unwrap_or(usize::MAX);
        if is_stream && size > CACHED_STREAM {
            return;
        }
        if self.bytes.saturating_add(size) > OBJECT_CACHE {
            self.full.clear();
            self.bytes = 0;
        }
        self.bytes += size;
        self.full.insert(offset, (object.clone(), span));
    }
}
