//! Attacks on how a file is read: cross-reference data that forces or fools recovery, object
//! stream overrides, duplicate entries, `/Prev` games, repeated keys and short `/Length`s. Each
//! one ends in a page that viewers may show differently from the signed one.

use lopdf::{Dictionary, Object};

use super::{Ctx, compressed_location, content_stream, forged_page, overlay};
use crate::populations::craft::{self, Base, Entry, Extra, Numbers, Section, Xref};
use crate::populations::document::Doc;

/// The signed page content, decoded, and a stream object with it uncompressed.
fn signed_content(bytes: &[u8]) -> Vec<u8> {
    let info = craft::info(bytes);
    match craft::object(bytes, info.contents_id) {
        Object::Stream(stream) => siegel::pdf::decoded(&stream).unwrap(),
        other => panic!("content is {other:?}"),
    }
}

pub fn bad_dss_offset(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let dss = Numbers::after(bytes).next();
        let mut catalog = info.catalog.clone();
        catalog.set("DSS", Object::Reference(dss));
        // The content stream is written first; the /DSS "is" in the middle of its data.
        let inside = bytes.len() as u64 + 40;
        Section::new()
            .set(info.contents_id, &content_stream(&forged_page()))
            .set(info.catalog_id, &Object::Dictionary(catalog))
            .extra(Extra::At(dss.0, inside))
    });
    doc
}

/// The same with the forged content written but listed nowhere: only a reader that rebuilds
/// the cross-reference data by scanning (because of the /DSS) lets it win.
pub fn bad_dss_offset_unlisted(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let dss = Numbers::after(bytes).next();
        let mut catalog = info.catalog.clone();
        catalog.set("DSS", Object::Reference(dss));
        let inside = bytes.len() as u64 + 40;
        Section::new()
            .entry(Entry::new(info.contents_id, &content_stream(&forged_page())).unlisted())
            .set(info.catalog_id, &Object::Dictionary(catalog))
            .extra(Extra::At(dss.0, inside))
    });
    doc
}

/// More valid revisions than a reader's recursion limit (4,096 in several), each redefining a
/// harmless object, after the one that replaces the content.
pub fn many_revisions(ctx: &Ctx, base: &str) -> Doc {
    const REVISIONS: usize = 4_100;
    let mut doc = replace_content(ctx, base);
    doc.rewrite(|mut bytes| {
        let base = Base::of(&bytes);
        let mut trailer = base.trailer.clone();
        for key in [
            &b"Prev"[..],
            b"XRefStm",
            b"Type",
            b"W",
            b"Index",
            b"Length",
            b"Filter",
            b"DecodeParms",
        ] {
            trailer.remove(key);
        }
        let dummy = base.size;
        trailer.set("Size", Object::Integer(i64::from(dummy) + 1));
        let mut prev = base.startxref;
        for revision in 0..REVISIONS {
            let object = bytes.len();
            bytes.extend_from_slice(format!("{dummy} 0 obj\n({revision})\nendobj\n").as_bytes());
            let xref = bytes.len() as u64;
            bytes.extend_from_slice(
                format!("xref\n{dummy} 1\n{object:010} 00000 n\r\ntrailer\n").as_bytes(),
            );
            trailer.set("Prev", Object::Integer(prev as i64));
            bytes.extend_from_slice(&craft::serialise(&Object::Dictionary(trailer.clone())));
            bytes.extend_from_slice(format!("\nstartxref\n{xref}\n%%EOF\n").as_bytes());
            prev = xref;
        }
        bytes
    });
    doc
}

fn replace_content(ctx: &Ctx, base: &str) -> Doc {
    super::content::replace_content(ctx, base)
}

/// An update whose forged content object is written but not listed, while the listed entry
/// for it points `skew` bytes away from the signed definition.
fn near_miss(ctx: &Ctx, base: &str, skew: i64) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let signed_at = super::offset_of(bytes, info.contents_id);
        Section::new()
            .entry(Entry::new(info.contents_id, &content_stream(&forged_page())).unlisted())
            .extra(Extra::At(
                info.contents_id.0,
                signed_at.checked_add_signed(skew).unwrap(),
            ))
    });
    doc
}

pub fn offset_after(ctx: &Ctx, base: &str) -> Doc {
    near_miss(ctx, base, 3)
}

pub fn offset_before(ctx: &Ctx, base: &str) -> Doc {
    near_miss(ctx, base, -2)
}

pub fn generation_listed(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        Section::new()
            .entry(Entry::new(info.contents_id, &content_stream(&forged_page())).generation(1, 1))
    });
    doc
}

pub fn generation_header(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        Section::new()
            .entry(Entry::new(info.contents_id, &content_stream(&forged_page())).generation(1, 0))
    });
    doc
}

fn unlisted_section(bytes: &[u8]) -> Section {
    let info = craft::info(bytes);
    let dummy = Numbers::after(bytes).next();
    Section::new()
        .entry(Entry::new(info.contents_id, &content_stream(&forged_page())).unlisted())
        .set(dummy, &Object::Dictionary(Dictionary::new()))
}

pub fn unlisted(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(unlisted_section);
    doc
}

pub fn unlisted_rebuild(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let mut section = unlisted_section(bytes);
        section.startxref_skew = 5;
        section
    });
    doc
}

// Object streams.

/// The members of object stream `stream`: (number, text).
fn members(bytes: &[u8], stream: u32) -> Vec<(u32, Vec<u8>)> {
    let Object::Stream(object) = craft::object(bytes, (stream, 0)) else {
        panic!("{stream} is not a stream");
    };
    let first = usize::try_from(object.dict.get(b"First").unwrap().as_i64().unwrap()).unwrap();
    let count = usize::try_from(object.dict.get(b"N").unwrap().as_i64().unwrap()).unwrap();
    let data = siegel::pdf::decoded(&object).unwrap();
    let header = String::from_utf8_lossy(&data[..first]).into_owned();
    let numbers: Vec<usize> = header
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    (0..count)
        .map(|i| {
            let start = first + numbers[2 * i + 1];
            let end = numbers
                .get(2 * i + 3)
                .map_or(data.len(), |next| first + next);
            (
                u32::try_from(numbers[2 * i]).unwrap(),
                data[start..end].to_vec(),
            )
        })
        .collect()
}

/// An uncompressed object stream of `members` at the given offsets (None: packed in order).
fn object_stream(members: &[(u32, Vec<u8>)], offsets: Option<&[usize]>) -> Object {
    let mut body = Vec::new();
    let mut at = Vec::new();
    for (_, text) in members {
        at.push(body.len());
        body.extend_from_slice(text);
        body.push(b'\n');
    }
    let at = offsets.map_or(at, <[usize]>::to_vec);
    let header: String = members
        .iter()
        .zip(&at)
        .map(|((n, _), o)| format!("{n} {o} "))
        .collect();
    let mut dict = Dictionary::new();
    dict.set("Type", craft::name("ObjStm"));
    dict.set("N", Object::Integer(members.len() as i64));
    dict.set("First", Object::Integer(header.len() as i64));
    let mut data = header.into_bytes();
    data.extend_from_slice(&body);
    craft::stream(dict, &data)
}

/// A compressed object that changes what the first page shows, its object stream, and its
/// forged text (with the new objects the forgery needs).
fn compressed_target(
    ctx: &Ctx,
    bytes: &[u8],
    numbers: &mut Numbers,
) -> (u32, u32, Vec<u8>, Section) {
    let info = craft::info(bytes);
    if let Some((stream, _)) = compressed_location(ctx, bytes, info.page_id.0) {
        let content = numbers.next();
        let mut page = info.page.clone();
        page.set("Contents", Object::Reference(content));
        let section = Section::new()
            .xref(Xref::Stream)
            .set(content, &content_stream(&forged_page()));
        return (
            info.page_id.0,
            stream,
            craft::serialise(&Object::Dictionary(page)),
            section,
        );
    }
    let font = {
        let mut file = craft::open(bytes);
        let resources = file
            .dictionary(info.page.get(b"Resources").unwrap())
            .unwrap();
        let fonts = file.dictionary(resources.get(b"Font").unwrap()).unwrap();
        fonts.get(b"F1").unwrap().as_reference().unwrap()
    };
    let (stream, _) =
        compressed_location(ctx, bytes, font.0).expect("neither page nor font is compressed");
    let text = craft::serialise(&super::content::remapped_font());
    (font.0, stream, text, Section::new().xref(Xref::Stream))
}

pub fn object_stream_redefined(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let mut numbers = Numbers::after(bytes);
        let (target, stream, text, section) = compressed_target(ctx, bytes, &mut numbers);
        let mut list = members(bytes, stream);
        for (number, member) in &mut list {
            if *number == target {
                *member = text.clone();
            }
        }
        // The same number as the signed object stream: its old entries now lead here.
        section.set((stream, 0), &object_stream(&list, None))
    });
    doc
}

pub fn object_stream_overlap(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let mut numbers = Numbers::after(bytes);
        let (target, _, text, section) = compressed_target(ctx, bytes, &mut numbers);
        let (stream, extra) = (numbers.next(), numbers.next());
        // The second member starts inside the first: at its first nested dictionary.
        let inner = text.windows(2).skip(2).position(|w| w == b"<<").unwrap() + 2;
        let list = vec![(target, text.clone()), (extra.0, b"null".to_vec())];
        section
            .set(stream, &object_stream(&list, Some(&[0, inner])))
            .extra(Extra::Compressed(target, stream.0, 0))
            .extra(Extra::Compressed(extra.0, stream.0, 1))
    });
    doc
}

pub fn object_stream_index(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let mut numbers = Numbers::after(bytes);
        let (target, old_stream, text, section) = compressed_target(ctx, bytes, &mut numbers);
        let signed = members(bytes, old_stream)
            .into_iter()
            .find(|(n, _)| *n == target)
            .unwrap()
            .1;
        let (stream, decoy) = (numbers.next(), numbers.next());
        // Index 0 holds the signed text under another number; the forged one is at index 1,
        // while the cross-reference entry says index 0.
        let list = vec![(decoy.0, signed), (target, text)];
        section
            .set(stream, &object_stream(&list, None))
            .extra(Extra::Compressed(target, stream.0, 0))
    });
    doc
}

// Duplicates, /Prev games.

fn duplicate(ctx: &Ctx, base: &str, forged_first: bool) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let signed = content_stream(&signed_content(bytes));
        let forged = content_stream(&forged_page());
        let (first, second) = if forged_first {
            (forged, signed)
        } else {
            (signed, forged)
        };
        Section::new()
            .set(info.contents_id, &first)
            .set(info.contents_id, &second)
    });
    doc
}

pub fn duplicate_original_first(ctx: &Ctx, base: &str) -> Doc {
    duplicate(ctx, base, false)
}

pub fn duplicate_forged_first(ctx: &Ctx, base: &str) -> Doc {
    duplicate(ctx, base, true)
}

fn forged_update(bytes: &[u8]) -> Section {
    let info = craft::info(bytes);
    Section::new().set(info.contents_id, &content_stream(&forged_page()))
}

pub fn prev_skips_signature(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let before = Base::of(bytes)
            .trailer
            .get(b"Prev")
            .unwrap()
            .as_i64()
            .unwrap();
        forged_update(bytes).prev(Some(u64::try_from(before).unwrap()))
    });
    doc
}

pub fn prev_into_middle(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let signed = Base::of(bytes).startxref;
        forged_update(bytes).prev(Some(signed + 7))
    });
    doc
}

pub fn prev_self_loop(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.rewrite(|mut bytes| {
        let section = forged_update(&bytes);
        let mut probe = bytes.clone();
        let own = section.clone().append_to(&mut probe);
        section.prev(Some(own)).append_to(&mut bytes);
        bytes
    });
    doc
}

pub fn prev_two_cycle(ctx: &Ctx, base: &str) -> Doc {
    const PLACEHOLDER: u64 = 9_999_999_999;
    let mut doc = ctx.victim(base);
    doc.rewrite(|mut bytes| {
        let first = forged_update(&bytes)
            .prev(Some(PLACEHOLDER))
            .append_to(&mut bytes);
        let dummy = Numbers::after(&bytes).next();
        let second = Section::new()
            .set(dummy, &Object::Dictionary(Dictionary::new()))
            .prev(Some(first))
            .append_to(&mut bytes);
        let marker = format!("/Prev {PLACEHOLDER}").into_bytes();
        let at = bytes
            .windows(marker.len())
            .rposition(|w| w == marker.as_slice())
            .unwrap();
        let value = format!("/Prev {second:010}").into_bytes();
        bytes[at..at + value.len()].copy_from_slice(&value);
        bytes
    });
    doc
}

// Repeated keys and lengths.

/// The page with `entries` written after its other keys (raw, so a key may repeat).
fn page_with(bytes: &[u8], entries: &str) -> Vec<u8> {
    let info = craft::info(bytes);
    let mut page = info.page.clone();
    page.remove(b"Contents");
    let mut text = craft::serialise(&Object::Dictionary(page));
    let end = text.len() - 2;
    text.splice(end..end, format!(" {entries} ").into_bytes());
    text
}

fn repeated(ctx: &Ctx, base: &str, order: fn(&str, &str) -> String) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let new = Numbers::after(bytes).next();
        let old = String::from_utf8(craft::serialise(info.page.get(b"Contents").unwrap())).unwrap();
        let entries = order(&format!("{} 0 R", new.0), &old);
        Section::new()
            .set(new, &content_stream(&forged_page()))
            .raw(info.page_id, page_with(bytes, &entries))
    });
    doc
}

pub fn repeated_key_new_first(ctx: &Ctx, base: &str) -> Doc {
    repeated(ctx, base, |new, old| {
        format!("/Contents {new} /Contents {old}")
    })
}

pub fn repeated_key_old_first(ctx: &Ctx, base: &str) -> Doc {
    repeated(ctx, base, |new, old| {
        format!("/Contents {old} /Contents {new}")
    })
}

pub fn repeated_key_null(ctx: &Ctx, base: &str) -> Doc {
    repeated(ctx, base, |new, _| {
        format!("/Contents {new} /Contents null")
    })
}

pub fn short_length(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let signed = signed_content(bytes);
        let mut body = format!("<< /Length {} >>\nstream\n", signed.len()).into_bytes();
        body.extend_from_slice(&signed);
        body.extend_from_slice(&overlay());
        body.extend_from_slice(b"\nendstream");
        Section::new().raw(info.contents_id, body)
    });
    doc
}
