//! PDF object syntax (ISO 32000-2 §7.2 and §7.3): a bounded parser over a byte window.
//!
//! Input is attacker-controlled, so every step is bounds-checked and nesting is limited; the
//! parser never panics and never loops without consuming input.

use lopdf::{Dictionary, Object, ObjectId, StringFormat};

use super::Error;

/// Deepest array/dictionary nesting accepted; real documents stay far below it.
const MAX_DEPTH: usize = 64;

/// An indirect object as found in the file: `n g obj ... endobj`.
#[derive(Debug)]
pub(crate) struct Indirect {
    pub(crate) id: ObjectId,
    pub(crate) object: Object,
    /// For a stream: where its data starts, relative to the window.
    pub(crate) stream_start: Option<usize>,
    /// Where parsing stopped, relative to the window (after `endobj` for non-streams).
    pub(crate) end: usize,
    /// Whether a non-stream object was closed by `endobj`.
    pub(crate) closed: bool,
}

pub(crate) struct Parser<'a> {
    buf: &'a [u8],
    pub(crate) pos: usize,
    /// Set when a dictionary named the same key twice. Readers disagree on which value counts
    /// (poppler binary-searches large dictionaries, others keep the first or the last), so the
    /// object means different things to different viewers.
    pub(crate) repeated_key: bool,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self {
            buf,
            pos: 0,
            repeated_key: false,
        }
    }

    /// Parses `n g obj <object>` and, for streams, stops at the start of the data.
    pub(crate) fn indirect(&mut self) -> Result<Indirect, Error> {
        self.skip_space();
        let number = self.unsigned()?;
        self.skip_space();
        let generation = self.unsigned()?;
        self.skip_space();
        self.keyword(b"obj")?;
        let object = self.object(0)?;
        self.skip_space();
        if self.peek_keyword(b"stream") {
            self.pos += b"stream".len();
            // The keyword is followed by CRLF or LF (§7.3.8.1); tolerate a lone CR.
            match (self.byte_at(self.pos), self.byte_at(self.pos + 1)) {
                (Some(b'\r'), Some(b'\n')) => self.pos += 2,
                (Some(b'\n'), _) | (Some(b'\r'), _) => self.pos += 1,
                _ => {}
            }
            return Ok(Indirect {
                id: (to_id(number)?, to_generation(generation)?),
                object,
                stream_start: Some(self.pos),
                end: self.pos,
                closed: false,
            });
        }
        let closed = self.peek_keyword(b"endobj");
        if closed {
            self.pos += b"endobj".len();
        }
        Ok(Indirect {
            id: (to_id(number)?, to_generation(generation)?),
            object,
            stream_start: None,
            end: self.pos,
            closed,
        })
    }

    /// Parses one direct object (a reference `n g R` counts as one).
    pub(crate) fn object(&mut self, depth: usize) -> Result<Object, Error> {
        if depth > MAX_DEPTH {
            return Err(self.error("objects nested too deeply"));
        }
        self.skip_space();
        let Some(byte) = self.byte_at(self.pos) else {
            return Err(self.error("unexpected end of data"));
        };
        match byte {
            b'/' => Ok(Object::Name(self.name()?)),
            b'(' => Ok(Object::String(
                self.literal_string()?,
                StringFormat::Literal,
            )),
            b'<' if self.byte_at(self.pos + 1) == Some(b'<') => {
                Ok(Object::Dictionary(self.dictionary(depth)?))
            }
            b'<' => Ok(Object::String(
                self.hex_string()?,
                StringFormat::Hexadecimal,
            )),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_space();
                    match self.byte_at(self.pos) {
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Object::Array(items));
                        }
                        Some(_) => items.push(self.object(depth + 1)?),
                        None => return Err(self.error("unterminated array")),
                    }
                }
            }
            b'+' | b'-' | b'.' | b'0'..=b'9' => self.number_or_reference(),
            _ if self.peek_keyword(b"true") => {
                self.pos += 4;
                Ok(Object::Boolean(true))
            }
            _ if self.peek_keyword(b"false") => {
                self.pos += 5;
                Ok(Object::Boolean(false))
            }
            _ if self.peek_keyword(b"null") => {
                self.pos += 4;
                Ok(Object::Null)
            }
            _ => Err(self.error("unexpected token")),
        }
    }

    pub(crate) fn dictionary(&mut self, depth: usize) -> Result<Dictionary, Error> {
        self.pos += 2;
        let mut dict = Dictionary::new();
        // Keys given as null, which the dictionary does not keep: `/K 1 0 R /K null` is as
        // ambiguous as two values.
        let mut null_keys: Vec<Vec<u8>> = Vec::new();
        loop {
            self.skip_space();
            match (self.byte_at(self.pos), self.byte_at(self.pos + 1)) {
                (Some(b'>'), Some(b'>')) => {
                    self.pos += 2;
                    return Ok(dict);
                }
                (Some(b'/'), _) => {
                    let key = self.name()?;
                    let value = self.object(depth + 1)?;
                    if dict.has(&key) || null_keys.contains(&key) {
                        // The first value is kept; the object is marked as ambiguous.
                        self.repeated_key = true;
                        continue;
                    }
                    // A null value is the same as an absent key (§7.3.7).
                    if matches!(value, Object::Null) {
                        if null_keys.len() < 64 {
                            null_keys.push(key);
                        }
                    } else {
                        dict.set(key, value);
                    }
                }
                (None, _) => return Err(self.error("unterminated dictionary")),
                _ => return Err(self.error("dictionary key is not a name")),
            }
        }
    }

    /// Skips white space and comments (§7.2.3, §7.2.4).
    pub(crate) fn skip_space(&mut self) {
        while let Some(byte) = self.byte_at(self.pos) {
            if is_white(byte) {
                self.pos += 1;
            } else if byte == b'%' {
                while let Some(b) = self.byte_at(self.pos) {
                    if b == b'\r' || b == b'\n' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    pub(crate) fn peek_keyword(&self, keyword: &[u8]) -> bool {
        let end = self.pos + keyword.len();
        self.buf.get(self.pos..end) == Some(keyword)
            && self
                .byte_at(end)
                .is_none_or(|b| is_white(b) || is_delimiter(b))
    }

    pub(crate) fn keyword(&mut self, keyword: &[u8]) -> Result<(), Error> {
        if self.peek_keyword(keyword) {
            self.pos += keyword.len();
            Ok(())
        } else {
            Err(self.error(match keyword {
                b"obj" => "expected 'obj'",
                b"trailer" => "expected 'trailer'",
                _ => "expected keyword",
            }))
        }
    }

    pub(crate) fn unsigned(&mut self) -> Result<u64, Error> {
        let start = self.pos;
        let mut value: u64 = 0;
        while let Some(byte @ b'0'..=b'9') = self.byte_at(self.pos) {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(byte - b'0')))
                .ok_or_else(|| self.error("number too large"))?;
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.error("expected a number"));
        }
        Ok(value)
    }

    fn number_or_reference(&mut self) -> Result<Object, Error> {
        let start = self.pos;
        let first = self.number()?;
        // `n g R` is a reference; look ahead without committing.
        if let Object::Integer(number) = first {
            let after_first = self.pos;
            self.skip_space();
            if let Some(b'0'..=b'9') = self.byte_at(self.pos) {
                let generation = self.unsigned();
                self.skip_space();
                if let Ok(generation) = generation
                    && self.peek_keyword(b"R")
                    && number >= 0
                {
                    self.pos += 1;
                    let number = u64::try_from(number).map_err(|_| self.error("bad reference"))?;
                    return Ok(Object::Reference((
                        to_id(number)?,
                        to_generation(generation)?,
                    )));
                }
            }
            self.pos = after_first;
        }
        debug_assert!(self.pos > start);
        Ok(first)
    }

    fn number(&mut self) -> Result<Object, Error> {
        let start = self.pos;
        while let Some(b'+' | b'-' | b'.' | b'0'..=b'9') = self.byte_at(self.pos) {
            self.pos += 1;
        }
        let text = self.buf.get(start..self.pos).unwrap_or_default();
        let text = std::str::from_utf8(text).map_err(|_| self.error("bad number"))?;
        if let Ok(integer) = text.parse::<i64>() {
            return Ok(Object::Integer(integer));
        }
        // Writers emit oddities like "-.5" or "5."; Rust's float parser accepts both.
        text.parse::<f32>()
            .map(Object::Real)
            .map_err(|_| self.error("bad number"))
    }

    fn name(&mut self) -> Result<Vec<u8>, Error> {
        self.pos += 1;
        let mut name = Vec::new();
        while let Some(byte) = self.byte_at(self.pos) {
            if is_white(byte) || is_delimiter(byte) {
                break;
            }
            if byte == b'#' {
                let hex = self.buf.get(self.pos + 1..self.pos + 3);
                if let Some(value) =
                    hex.and_then(|h| Some(hex_value(h[0])? << 4 | hex_value(h[1])?))
                {
                    name.push(value);
                    self.pos += 3;
                    continue;
                }
            }
            name.push(byte);
            self.pos += 1;
        }
        Ok(name)
    }

    fn literal_string(&mut self) -> Result<Vec<u8>, Error> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut nesting = 0usize;
        loop {
            let Some(byte) = self.byte_at(self.pos) else {
                return Err(self.error("unterminated string"));
            };
            self.pos += 1;
            match byte {
                b'(' => {
                    nesting += 1;
                    out.push(byte);
                }
                b')' if nesting == 0 => return Ok(out),
                b')' => {
                    nesting -= 1;
                    out.push(byte);
                }
                b'\\' => self.escape(&mut out),
                _ => out.push(byte),
            }
        }
    }

    fn escape(&mut self, out: &mut Vec<u8>) {
        let Some(byte) = self.byte_at(self.pos) else {
            return;
        };
        self.pos += 1;
        match byte {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'\r' => {
                if self.byte_at(self.pos) == Some(b'\n') {
                    self.pos += 1;
                }
            }
            b'\n' => {}
            b'0'..=b'7' => {
                let mut value = u32::from(byte - b'0');
                for _ in 0..2 {
                    match self.byte_at(self.pos) {
                        Some(digit @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(digit - b'0');
                            self.pos += 1;
                        }
                        _ => break,
                    }
                }
                // High-order overflow is ignored (§7.3.4.2).
                out.push((value & 0xff) as u8);
            }
            other => out.push(other),
        }
    }

    fn hex_string(&mut self) -> Result<Vec<u8>, Error> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        loop {
            let Some(byte) = self.byte_at(self.pos) else {
                return Err(self.error("unterminated hex string"));
            };
            self.pos += 1;
            if byte == b'>' {
                if let Some(high) = high {
                    out.push(high << 4);
                }
                return Ok(out);
            }
            if is_white(byte) {
                continue;
            }
            let value = hex_value(byte).ok_or_else(|| self.error("bad hex string"))?;
            match high.take() {
                Some(h) => out.push(h << 4 | value),
                None => high = Some(value),
            }
        }
    }

    pub(crate) fn byte_at(&self, pos: usize) -> Option<u8> {
        self.buf.get(pos).copied()
    }

    fn error(&self, what: &'static str) -> Error {
        Error::Syntax {
            what,
            offset: self.pos as u64,
        }
    }
}

fn to_id(number: u64) -> Result<u32, Error> {
    u32::try_from(number).map_err(|_| Error::Syntax {
        what: "object number too large",
        offset: 0,
    })
}

fn to_generation(generation: u64) -> Result<u16, Error> {
    u16::try_from(generation).map_err(|_| Error::Syntax {
        what: "generation too large",
        offset: 0,
    })
}

pub(crate) fn is_white(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

pub(crate) fn is_delimiter(byte: u8) -> bool {
    matches!(
        byte,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

pub(crate) fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_objects_and_references() {
        let mut parser =
            Parser::new(b"12 0 obj << /A [1 2 0 R (x\\)y) <414> /N#20x] /B -.5 >> endobj");
        let indirect = parser.indirect().unwrap();
        assert_eq!(indirect.id, (12, 0));
        let dict = indirect.object.as_dict().unwrap();
        let array = dict.get(b"A").unwrap().as_array().unwrap();
        assert_eq!(array[0], Object::Integer(1));
        assert_eq!(array[1], Object::Reference((2, 0)));
        assert_eq!(array[2].as_str().unwrap(), b"x)y");
        assert_eq!(array[3].as_str().unwrap(), b"A@");
        assert_eq!(array[4], Object::Name(b"N x".to_vec()));
        assert_eq!(dict.get(b"B").unwrap(), &Object::Real(-0.5));
    }

    #[test]
    fn rejects_deep_nesting_without_panicking() {
        let deep = "[".repeat(10_000);
        assert!(Parser::new(deep.as_bytes()).object(0).is_err());
    }

    #[test]
    fn stream_data_start_is_after_eol() {
        let mut parser = Parser::new(b"1 0 obj <</Length 3>> stream\r\nabc\r\nendstream endobj");
        let indirect = parser.indirect().unwrap();
        assert_eq!(indirect.stream_start, Some(30));
    }
}
