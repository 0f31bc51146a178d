//! Reading one indirect object from where the cross-reference data says it is (ISO 32000-2
//! §7.3.10, §7.3.8 streams, §7.5.7 object streams), bounded by the document's budget.

use std::io::{Read, Seek};
use std::sync::Arc;

use lopdf::{Dictionary, Object, ObjectId, Stream};

use super::store::ObjectStream;
use super::{Error, File, Load, MAX_DECODED_STREAM, MAX_OBJECT_WINDOW, Parsed, View, syntax, xref};

impl<R: Read + Seek> File<R> {
    /// Parses the indirect object that starts exactly at `offset`. A stream's `/Length` may be
    /// an indirect reference; it is resolved in `view` as a plain number, never as a stream,
    /// so a `/Length` that leads back into streams cannot recurse.
    pub(super) fn object_at(
        &mut self,
        offset: u64,
        view: View,
        how: Load,
    ) -> Result<(ObjectId, Object, (u64, u64)), Error> {
        let Parsed {
            id,
            object,
            span,
            stream,
            ..
        } = self.parse_at(offset)?;
        let Some((dict, data_offset)) = stream else {
            return Ok((id, object, span));
        };
        let length = self.stream_length(&dict, id, view)?;
        let length = usize::try_from(length)
            .ok()
            .filter(|&l| l as u64 <= self.len.saturating_sub(data_offset))
            .ok_or(Error::Broken {
                what: "stream /Length out of range",
                id,
            })?;
        let end = data_offset + length as u64;
        let data = match how {
            Load::Full => self.read_at(data_offset, length)?,
            Load::DictionaryOnly => Vec::new(),
        };
        Ok((
            id,
            Object::Stream(Stream {
                dict,
                content: data,
                allows_compression: true,
                start_position: None,
            }),
            (offset, end),
        ))
    }

    /// Parses the header and the object at `offset`; for a stream, returns its dictionary and
    /// where its data starts instead of reading the data.
    pub(crate) fn parse_at(&mut self, offset: u64) -> Result<Parsed, Error> {
        let mut window = 16 * 1024;
        loop {
            let buf = self.read_at(offset, window)?;
            let mut parser = syntax::Parser::new(&buf);
            match parser.indirect() {
                Ok(indirect) => {
                    if parser.repeated_key {
                        self.repair(indirect.id.0, "a dictionary repeats a key");
                    }
                    let mut parsed = Parsed {
                        id: indirect.id,
                        object: indirect.object,
                        span: (offset, offset + indirect.end as u64),
                        stream: None,
                        repeated_key: parser.repeated_key,
                        closed: indirect.closed,
                    };
                    if let Some(stream_start) = indirect.stream_start {
                        let Object::Dictionary(dict) =
                            std::mem::replace(&mut parsed.object, Object::Null)
                        else {
                            return Err(Error::Broken {
                                what: "stream without a dictionary",
                                id: indirect.id,
                            });
                        };
                        parsed.stream = Some((dict, offset + stream_start as u64));
                    }
                    return Ok(parsed);
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

    /// A stream's `/Length`, direct or indirect.
    pub(crate) fn stream_length(
        &mut self,
        dict: &Dictionary,
        id: ObjectId,
        view: View,
    ) -> Result<i64, Error> {
        match dict.get(b"Length") {
            Ok(Object::Integer(n)) => Ok(*n),
            Ok(Object::Reference(length_id)) if *length_id != id => self.length(*length_id, view),
            _ => Err(Error::Broken {
                what: "stream has no usable /Length",
                id,
            }),
        }
    }

    /// The value of an indirect `/Length`: a plain integer object, read without following any
    /// stream.
    pub(super) fn length(&mut self, id: ObjectId, view: View) -> Result<i64, Error> {
        let value = match self.xref.entry_in(id.0, view.0) {
            Some(xref::Entry::Plain { offset, .. }) => match self.parse_at(offset)? {
                Parsed {
                    id: found,
                    object: Object::Integer(n),
                    stream: None,
                    ..
                } if found.0 == id.0 => Some(n),
                _ => None,
            },
            Some(xref::Entry::Compressed { stream, index }) => {
                match self.compressed_object(id, stream, index, view)? {
                    Object::Integer(n) => Some(n),
                    _ => None,
                }
            }
            _ => None,
        };
        value.ok_or(Error::Broken {
            what: "stream /Length is not a number",
            id,
        })
    }

    /// Loads a stream or other object from its offset, for the cross-reference reader.
    pub(crate) fn plain_object_at(
        &mut self,
        offset: u64,
        how: Load,
    ) -> Result<(ObjectId, Object, (u64, u64)), Error> {
        self.object_at(offset, View::NEWEST, how)
    }

    pub(super) fn compressed_object(
        &mut self,
        id: ObjectId,
        stream_id: u32,
        index: u32,
        view: View,
    ) -> Result<Object, Error> {
        let stream = self.object_stream(stream_id, view)?;
        let (object, exact, repeated_key) = stream.object(id, index)?;
        if !exact {
            self.repair(id.0, "the object-stream index names another object");
        }
        if repeated_key {
            self.repair(id.0, "a dictionary repeats a key");
        }
        Ok(object)
    }

    /// The object stream `stream_id` as `view` defines it, decoded once and cached.
    pub(crate) fn object_stream(
        &mut self,
        stream_id: u32,
        view: View,
    ) -> Result<Arc<ObjectStream>, Error> {
        let Some(xref::Entry::Plain { offset, .. }) = self.xref.entry_in(stream_id, view.0) else {
            return Err(Error::Broken {
                what: "object stream is not stored uncompressed",
                id: (stream_id, 0),
            });
        };
        if let Some(stream) = self.object_streams.get(offset) {
            return stream;
        }
        if self.loading.contains(&stream_id) || self.loading.len() > 4 {
            return Err(Error::Broken {
                what: "object stream refers to itself",
                id: (stream_id, 0),
            });
        }
        self.loading.push(stream_id);
        let loaded = self.load_object_stream(stream_id, offset, view);
        self.loading.pop();
        if let Err(Error::Budget(exhausted)) = loaded {
            return Err(Error::Budget(exhausted));
        }
        let stream = loaded.map(Arc::new);
        self.object_streams.put(offset, stream.clone());
        stream
    }

    pub(super) fn load_object_stream(
        &mut self,
        stream_id: u32,
        offset: u64,
        view: View,
    ) -> Result<ObjectStream, Error> {
        let id = (stream_id, 0);
        let (_, object, _) = self.object_at(offset, view, Load::Full)?;
        let Object::Stream(stream) = object else {
            return Err(Error::Broken {
                what: "object stream is not a stream",
                id,
            });
        };
        self.object_stream_from(&stream, id)
    }

    /// Decodes an object stream's index and data.
    pub(crate) fn object_stream_from(
        &mut self,
        stream: &Stream,
        id: ObjectId,
    ) -> Result<ObjectStream, Error> {
        let data = self.decode(stream, id, MAX_DECODED_STREAM)?;
        ObjectStream::decode(stream, data, id)
    }

    /// A stream's decoded bytes, at most `limit` of them, charged to the budget.
    pub(crate) fn decode(
        &mut self,
        stream: &Stream,
        id: ObjectId,
        limit: usize,
    ) -> Result<Vec<u8>, Error> {
        let limit = usize::try_from(self.budget.inflatable())
            .unwrap_or(usize::MAX)
            .min(limit);
        let data = if stream.filters().map(|f| f.is_empty()).unwrap_or(true) {
            stream.content.clone()
        } else {
            stream
                .decompressed_content_with_limit(limit)
                .map_err(|_| Error::Broken {
                    what: "cannot decode stream (damaged, or larger than allowed)",
                    id,
                })?
        };
        self.budget
            .inflate(data.len() as u64)
            .map_err(Error::Budget)?;
        Ok(data)
    }

    /// A stream's decoded bytes, bounded against decompression bombs and charged to the
    /// budget; `None` if they cannot be decoded within the bounds.
    pub fn decoded(&mut self, stream: &Stream) -> Option<Vec<u8>> {
        self.decode(stream, (0, 0), MAX_DECODED_STREAM).ok()
    }
}
