//! The incremental updates after a revision, read strictly (ISO 32000-2 §7.5.6): each update
//! must be a clean run of objects, one cross-reference section that lists exactly those
//! objects, a trailer whose `/Prev` is the revision before, `startxref` and `%%EOF`.
//!
//! Readers differ exactly where a file is ambiguous: a key named twice, a stream longer than
//! its `/Length`, an entry a few bytes beside its object, an object no section lists (which a
//! reader that rebuilds the cross-reference data lets win). After a signature such a file
//! cannot be judged by comparing objects, because the objects compared are not the ones every
//! viewer shows; so each ambiguity is reported, never smoothed over.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{Read, Seek};

use lopdf::Object;

use super::xref::{self, Entry};
use super::{Error, File, View, syntax};

/// Most bytes of white space and comments tolerated between two items of an update.
const MAX_GAP: usize = 64 * 1024;

/// One incremental update as written in the file.
#[derive(Clone, Debug)]
pub struct Update {
    /// The first byte after the revision it updates.
    pub start: u64,
    /// The byte after its `%%EOF` marker and end-of-line.
    pub end: u64,
    /// The document after this update, if the newest cross-reference chain passes through
    /// this update's section.
    pub view: Option<View>,
    /// Object numbers its cross-reference section lists as in use.
    pub written: Vec<u32>,
    /// Object numbers its section marks free.
    pub freed: Vec<u32>,
    /// What makes this update ambiguous; empty for a clean update.
    pub problems: Vec<Problem>,
}

/// Something in an update that readers may understand differently.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where in the file.
    pub offset: u64,
    pub kind: ProblemKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// Bytes that are neither an object, a cross-reference section, a trailer nor a comment.
    Unreadable,
    /// An object that no cross-reference section of its update lists at its offset.
    Unlisted { number: u32 },
    /// An entry that does not point exactly at `number generation obj`.
    EntryMismatch { number: u32 },
    /// The same object number defined or listed twice in one update.
    Duplicate { number: u32 },
    /// A dictionary that names a key twice.
    RepeatedKey { number: u32 },
    /// A stream whose data is not followed by `endstream` where `/Length` says it ends.
    StreamLength { number: u32 },
    /// An object not closed by `endobj`.
    Unclosed { number: u32 },
    /// A member of an object stream that overlaps the next one, or an index that names
    /// another object.
    ObjectStreamMember { number: u32 },
    /// An object stream whose number was in use before the update: the objects stored in the
    /// old stream would silently change.
    ObjectStreamReused { number: u32 },
    /// No cross-reference section, or more than one, in the update.
    Sections,
    /// `startxref` does not name the update's section.
    Startxref,
    /// `/Prev` does not name the revision before.
    Prev,
    /// The newest cross-reference chain does not pass through this update.
    NotInChain,
    /// The document gained an `/Encrypt` entry.
    Encryption,
    /// Bytes after the last `%%EOF`.
    Trailing,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ProblemKind::*;
        let at = self.offset;
        match &self.kind {
            Unreadable => write!(f, "unreadable bytes at offset {at}"),
            Unlisted { number } => write!(
                f,
                "object {number} at offset {at} is listed by no cross-reference section (readers that rebuild the file would use it)"
            ),
            EntryMismatch { number } => write!(
                f,
                "the cross-reference entry of object {number} does not point exactly at the object (offset {at})"
            ),
            Duplicate { number } => {
                write!(
                    f,
                    "object {number} is defined or listed twice in one update"
                )
            }
            RepeatedKey { number } => write!(
                f,
                "object {number} names a dictionary key twice (readers keep different values)"
            ),
            StreamLength { number } => write!(
                f,
                "the data of stream {number} does not end where its /Length says (readers scan to endstream)"
            ),
            Unclosed { number } => write!(f, "object {number} is not closed by endobj"),
            ObjectStreamMember { number } => write!(
                f,
                "object {number} in an object stream overlaps another member or is not where its index says"
            ),
            ObjectStreamReused { number } => write!(
                f,
                "object stream {number} reuses the number of an existing object, which changes the objects stored under it"
            ),
            Sections => write!(
                f,
                "the update at offset {at} does not have exactly one cross-reference section"
            ),
            Startxref => write!(
                f,
                "startxref at offset {at} does not name the update's section"
            ),
            Prev => write!(
                f,
                "the /Prev of the update at offset {at} does not name the revision before"
            ),
            NotInChain => write!(
                f,
                "the update at offset {at} is not part of the document's cross-reference chain"
            ),
            Encryption => write!(f, "the update at offset {at} adds encryption"),
            Trailing => write!(f, "bytes after the last end-of-file marker at offset {at}"),
        }
    }
}

/// A definition met while reading an update.
struct Defined {
    number: u32,
    generation: u16,
    offset: u64,
    object_stream: bool,
    xref_stream: bool,
}

/// Reads every update after the revision that ends at `start` (the byte after its `%%EOF`).
/// `Err` only for I/O and budget failures; ambiguity is reported in [`Update::problems`], and
/// after unreadable bytes the rest of the file is one update with that problem.
pub fn updates_after<R: Read + Seek>(file: &mut File<R>, start: u64) -> Result<Vec<Update>, Error> {
    let object_streams = file.xref.object_stream_numbers();
    let mut updates = Vec::new();
    let mut previous = startxref_before(file, start)?;
    let mut position = start;
    loop {
        file.budget_check()?;
        let gap = skip_gap(file, position)?;
        if gap.end >= file.len() {
            break;
        }
        let mut update = read_update(file, gap.end, previous, &object_streams)?;
        update.start = position;
        let clean = update.problems.is_empty();
        let end = update.end;
        previous = startxref_before(file, update.end)?;
        updates.push(update);
        if !clean && end == file.len() {
            break;
        }
        position = end;
    }
    // The newest chain must start at the last update, or viewers show something else.
    if let Some(last) = updates.last_mut()
        && last.problems.is_empty()
        && last.view != Some(View::NEWEST)
    {
        last.problems.push(Problem {
            offset: last.start,
            kind: ProblemKind::NotInChain,
        });
    }
    Ok(updates)
}

/// The view of the revision that ends at `end` (the byte after its `%%EOF`), if the newest
/// cross-reference chain passes through its section.
pub fn view_ending_at<R: Read + Seek>(file: &mut File<R>, end: u64) -> Result<Option<View>, Error> {
    Ok(startxref_before(file, end)?.and_then(|at| file.view_at(at)))
}

/// The `startxref` value of the revision that ends at `end`.
fn startxref_before<R: Read + Seek>(file: &mut File<R>, end: u64) -> Result<Option<u64>, Error> {
    let from = end.saturating_sub(1024);
    let tail = file.read_at(from, usize::try_from(end - from).unwrap_or(0))?;
    let Some(at) = super::rfind(&tail, b"startxref") else {
        return Ok(None);
    };
    let mut parser = syntax::Parser::new(&tail[at + b"startxref".len()..]);
    parser.skip_space();
    Ok(parser.unsigned().ok())
}

struct Gap {
    end: u64,
    /// Whether a `%%EOF` marker was passed.
    eof: bool,
}

/// Skips white space and comments from `position`, stopping after a `%%EOF` marker.
fn skip_gap<R: Read + Seek>(file: &mut File<R>, position: u64) -> Result<Gap, Error> {
    let buf = file.read_at(position, MAX_GAP)?;
    let mut at = 0;
    while at < buf.len() {
        let byte = buf[at];
        if syntax::is_white(byte) {
            at += 1;
        } else if byte == b'%' {
            let eof = buf[at..].starts_with(b"%%EOF");
            while at < buf.len() && buf[at] != b'\r' && buf[at] != b'\n' {
                at += 1;
            }
            if eof {
                // The end-of-line belongs to the marker.
                if buf.get(at) == Some(&b'\r') {
                    at += 1;
                }
                if buf.get(at) == Some(&b'\n') {
                    at += 1;
                }
                return Ok(Gap {
                    end: position + at as u64,
                    eof: true,
                });
            }
        } else {
            break;
        }
    }
    Ok(Gap {
        end: position + at as u64,
        eof: false,
    })
}

/// Reads one update starting at `position` (after any white space), up to its `%%EOF`.
fn read_update<R: Read + Seek>(
    file: &mut File<R>,
    position: u64,
    previous: Option<u64>,
    object_streams: &HashSet<u32>,
) -> Result<Update, Error> {
    let mut update = Update {
        start: position,
        end: file.len(),
        view: None,
        written: Vec::new(),
        freed: Vec::new(),
        problems: Vec::new(),
    };
    let problem = |update: &mut Update, offset, kind| {
        if update.problems.len() < 100 {
            update.problems.push(Problem { offset, kind });
        }
    };
    let mut defined: Vec<Defined> = Vec::new();
    let mut sections: Vec<(xref::Section, u64)> = Vec::new();
    let mut startxref: Option<u64> = None;
    let mut at = position;
    loop {
        file.budget_check()?;
        let gap = skip_gap(file, at)?;
        at = gap.end;
        if gap.eof {
            update.end = at;
            break;
        }
        if at >= file.len() {
            problem(&mut update, at, ProblemKind::Trailing);
            update.end = file.len();
            return Ok(update);
        }
        let head = file.read_at(at, 16)?;
        if head.starts_with(b"xref") {
            match read_classic(file, at)? {
                Some((section, end)) => {
                    sections.push((section, at));
                    at += end as u64;
                }
                None => {
                    problem(&mut update, at, ProblemKind::Unreadable);
                    update.end = file.len();
                    return Ok(update);
                }
            }
        } else if head.starts_with(b"startxref") {
            let buf = file.read_at(at, 64)?;
            let mut parser = syntax::Parser::new(&buf);
            parser.pos = b"startxref".len();
            parser.skip_space();
            match parser.unsigned() {
                Ok(value) if startxref.is_none() => startxref = Some(value),
                _ => problem(&mut update, at, ProblemKind::Startxref),
            }
            at += parser.pos as u64;
        } else if head.first().is_some_and(u8::is_ascii_digit) {
            match read_object(file, at, &mut update, &mut sections)? {
                Some((definition, end)) => {
                    defined.push(definition);
                    at = end;
                }
                None => {
                    update.end = file.len();
                    return Ok(update);
                }
            }
        } else {
            problem(&mut update, at, ProblemKind::Unreadable);
            update.end = file.len();
            return Ok(update);
        }
    }
    check_update(
        file,
        &mut update,
        (&defined, &sections),
        startxref,
        previous,
        object_streams,
    )?;
    Ok(update)
}

/// Parses the classic section at `at` in a window that grows as needed; also returns where
/// its trailer ends, relative to `at`.
fn read_classic<R: Read + Seek>(
    file: &mut File<R>,
    at: u64,
) -> Result<Option<(xref::Section, usize)>, Error> {
    let mut window = 4 * 1024;
    loop {
        let buf = file.read_at(at, window)?;
        let complete = buf.len() as u64 >= file.len() - at;
        match xref::parse_classic(&buf) {
            Ok(parsed) => return Ok(Some(parsed)),
            Err(_) if !complete && window < super::MAX_OBJECT_WINDOW => window *= 4,
            Err(_) => return Ok(None),
        }
    }
}

/// Reads the object at `at` strictly; records problems; returns the definition and where the
/// next item starts, or `None` when the object cannot be read at all.
fn read_object<R: Read + Seek>(
    file: &mut File<R>,
    at: u64,
    update: &mut Update,
    sections: &mut Vec<(xref::Section, u64)>,
) -> Result<Option<(Defined, u64)>, Error> {
    let parsed = match file.parse_at(at) {
        Ok(parsed) => parsed,
        Err(Error::Budget(exhausted)) => return Err(Error::Budget(exhausted)),
        Err(Error::Io(error)) => return Err(Error::Io(error)),
        Err(_) => {
            update.problems.push(Problem {
                offset: at,
                kind: ProblemKind::Unreadable,
            });
            return Ok(None);
        }
    };
    let number = parsed.id.0;
    if parsed.repeated_key {
        update.problems.push(Problem {
            offset: at,
            kind: ProblemKind::RepeatedKey { number },
        });
    }
    let mut definition = Defined {
        number,
        generation: parsed.id.1,
        offset: at,
        object_stream: false,
        xref_stream: false,
    };
    let Some((dict, data_offset)) = parsed.stream else {
        if !parsed.closed {
            update.problems.push(Problem {
                offset: at,
                kind: ProblemKind::Unclosed { number },
            });
        }
        return Ok(Some((definition, parsed.span.1)));
    };
    let kind = dict.get_type().ok().map(<[u8]>::to_vec);
    definition.object_stream = kind.as_deref() == Some(b"ObjStm");
    definition.xref_stream = kind.as_deref() == Some(b"XRef");
    let length = file
        .stream_length(&dict, parsed.id, View::NEWEST)
        .ok()
        .and_then(|l| u64::try_from(l).ok())
        .filter(|l| *l <= file.len().saturating_sub(data_offset));
    let after_data = match length {
        Some(length) => closing_at(file, data_offset + length)?,
        None => None,
    };
    let end = match after_data {
        Some(end) => end,
        None => {
            update.problems.push(Problem {
                offset: at,
                kind: ProblemKind::StreamLength { number },
            });
            // Read on as viewers do: the data ends at the next `endstream`.
            match resync(file, data_offset)? {
                Some(end) => end,
                None => {
                    update.problems.push(Problem {
                        offset: at,
                        kind: ProblemKind::Unreadable,
                    });
                    return Ok(None);
                }
            }
        }
    };
    if definition.xref_stream {
        match xref::read_stream(file, at) {
            Ok(section) => sections.push((section, at)),
            Err(Error::Budget(exhausted)) => return Err(Error::Budget(exhausted)),
            Err(_) => update.problems.push(Problem {
                offset: at,
                kind: ProblemKind::Unreadable,
            }),
        }
    }
    Ok(Some((definition, end)))
}

/// Where `endstream` and `endobj` end if they follow `data_end` (after white space only).
fn closing_at<R: Read + Seek>(file: &mut File<R>, data_end: u64) -> Result<Option<u64>, Error> {
    let after = file.read_at(data_end, 64)?;
    let mut parser = syntax::Parser::new(&after);
    parser.skip_space();
    let closed = parser.keyword(b"endstream").is_ok() && {
        parser.skip_space();
        parser.keyword(b"endobj").is_ok()
    };
    Ok(closed.then_some(data_end + parser.pos as u64))
}

/// The end of the object after the first `endstream` from `data_offset`, within a bounded
/// window.
fn resync<R: Read + Seek>(file: &mut File<R>, data_offset: u64) -> Result<Option<u64>, Error> {
    const WINDOW: usize = 16 * 1024 * 1024;
    let data = file.read_at(data_offset, WINDOW)?;
    let Some(at) = memchr::memmem::find(&data, b"endstream") else {
        return Ok(None);
    };
    closing_at(file, data_offset + at as u64)
}

/// Checks that the update's section lists exactly what it defines and links to the revision
/// before.
fn check_update<R: Read + Seek>(
    file: &mut File<R>,
    update: &mut Update,
    (defined, sections): (&[Defined], &[(xref::Section, u64)]),
    startxref: Option<u64>,
    previous: Option<u64>,
    object_streams: &HashSet<u32>,
) -> Result<(), Error> {
    let start = update.start;
    let mut problems = Vec::new();
    let mut push = |offset, kind| problems.push(Problem { offset, kind });

    // One section; a classic one may bring its hybrid stream (§7.5.8.4), which is then also
    // defined in this update.
    let (main, main_offset) = match sections {
        [(section, offset)] => (section, *offset),
        [(section, offset), (part, part_offset)]
            if !section.is_stream
                && part.is_stream
                && section
                    .trailer
                    .get(b"XRefStm")
                    .ok()
                    .and_then(|o| o.as_i64().ok())
                    .and_then(|o| u64::try_from(o).ok())
                    == Some(*part_offset) =>
        {
            (section, *offset)
        }
        _ => {
            push(start, ProblemKind::Sections);
            update.problems.extend(problems);
            return Ok(());
        }
    };
    if startxref != Some(main_offset) {
        push(start, ProblemKind::Startxref);
    }
    let prev = main
        .trailer
        .get(b"Prev")
        .ok()
        .and_then(|p| p.as_i64().ok())
        .and_then(|p| u64::try_from(p).ok());
    if prev.is_none() || prev != previous {
        push(start, ProblemKind::Prev);
    }
    if main.trailer.has(b"Encrypt") {
        push(start, ProblemKind::Encryption);
    }
    for (section, _) in sections {
        for number in &section.repeated {
            push(start, ProblemKind::Duplicate { number: *number });
        }
        if section.trailer_repeats_key {
            push(start, ProblemKind::RepeatedKey { number: 0 });
        }
    }
    update.view = file.view_at(main_offset);
    if update.view.is_none() {
        push(start, ProblemKind::NotInChain);
    }
    let previous_view = previous.and_then(|p| file.view_at(p));

    // Everything defined here must be listed here at its offset, once.
    let mut by_number: HashMap<u32, &Defined> = HashMap::new();
    for definition in defined {
        if by_number.insert(definition.number, definition).is_some() {
            push(
                definition.offset,
                ProblemKind::Duplicate {
                    number: definition.number,
                },
            );
        }
    }
    // The first listing counts, except that a hybrid table's free entry yields to its stream.
    let mut listed: HashMap<u32, Entry> = HashMap::new();
    for (position, (section, _)) in sections.iter().enumerate() {
        // Only a table's /XRefStm follows it in the same update (checked above).
        let hybrid_part = position > 0;
        for &(number, entry) in &section.entries {
            match listed.get(&number) {
                None => {
                    listed.insert(number, entry);
                }
                Some(Entry::Free) if hybrid_part && entry != Entry::Free => {
                    listed.insert(number, entry);
                }
                Some(_) => {}
            }
        }
    }
    for definition in defined {
        let expected = Entry::Plain {
            offset: definition.offset,
            generation: definition.generation,
        };
        let listed_here = listed.get(&definition.number) == Some(&expected);
        // A cross-reference stream need not list itself.
        if !listed_here && !definition.xref_stream {
            push(
                definition.offset,
                ProblemKind::Unlisted {
                    number: definition.number,
                },
            );
        }
        if definition.object_stream
            && let Some(view) = previous_view
            && file.exists_in(view, definition.number)
        {
            push(
                definition.offset,
                ProblemKind::ObjectStreamReused {
                    number: definition.number,
                },
            );
        }
    }

    // Every entry must point exactly at what it names.
    let mut members: HashSet<(u32, u32)> = HashSet::new();
    for (&number, &entry) in &listed {
        match entry {
            Entry::Free => update.freed.push(number),
            Entry::Plain { offset, generation } => {
                update.written.push(number);
                // A number that stored objects in the chain now names something else: every
                // object stored under it changes without being listed.
                let replaces_stream = object_streams.contains(&number)
                    && previous_view.is_some_and(|view| file.exists_in(view, number));
                if replaces_stream {
                    push(offset, ProblemKind::ObjectStreamReused { number });
                }
                let here = by_number
                    .get(&number)
                    .is_some_and(|d| d.offset == offset && d.generation == generation);
                if !here && !exact_header(file, offset, number, generation)? {
                    push(offset, ProblemKind::EntryMismatch { number });
                }
            }
            Entry::Compressed { stream, index } => {
                update.written.push(number);
                members.insert((stream, index));
                if !member_is_exact(file, update.view, number, stream, index)? {
                    push(start, ProblemKind::ObjectStreamMember { number });
                }
            }
        }
    }
    // Object streams written here may hold only objects this section lists.
    for definition in defined.iter().filter(|d| d.object_stream) {
        let Ok((_, Object::Stream(stream), _)) =
            file.plain_object_at(definition.offset, super::Load::Full)
        else {
            continue;
        };
        let Ok(objects) = file.object_stream_from(&stream, (definition.number, 0)) else {
            push(definition.offset, ProblemKind::Unreadable);
            continue;
        };
        for (index, (member, _)) in objects.entries.iter().enumerate() {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            if !members.contains(&(definition.number, index)) {
                push(definition.offset, ProblemKind::Unlisted { number: *member });
            }
        }
    }
    update.written.sort_unstable();
    update.freed.sort_unstable();
    update.problems.extend(problems);
    Ok(())
}

/// Whether `number generation obj` starts exactly at `offset`.
fn exact_header<R: Read + Seek>(
    file: &mut File<R>,
    offset: u64,
    number: u32,
    generation: u16,
) -> Result<bool, Error> {
    let head = file.read_at(offset, 32)?;
    let mut parser = syntax::Parser::new(&head);
    let found = (|| {
        let n = parser.unsigned().ok()?;
        parser.skip_space();
        let g = parser.unsigned().ok()?;
        parser.skip_space();
        parser.keyword(b"obj").ok()?;
        Some((n, g))
    })();
    Ok(found == Some((u64::from(number), u64::from(generation))))
}

/// Whether member `index` of object stream `stream` is object `number`, and its text ends
/// before the next member starts.
fn member_is_exact<R: Read + Seek>(
    file: &mut File<R>,
    view: Option<View>,
    number: u32,
    stream: u32,
    index: u32,
) -> Result<bool, Error> {
    let Some(view) = view else {
        return Ok(false);
    };
    let objects = match file.object_stream(stream, view) {
        Ok(objects) => objects,
        Err(Error::Budget(exhausted)) => return Err(Error::Budget(exhausted)),
        Err(_) => return Ok(false),
    };
    let Some(&(member, start)) = usize::try_from(index)
        .ok()
        .and_then(|i| objects.entries.get(i))
    else {
        return Ok(false);
    };
    if member != number {
        return Ok(false);
    }
    match objects.member_at(start) {
        Ok((_, end, repeated)) => Ok(end <= objects.next_offset(start) && !repeated),
        Err(_) => Ok(false),
    }
}
