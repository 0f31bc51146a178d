//! What changed after a signature (ISO 32000-2 §12.8.2, ETSI EN 319 142-1 §5.1): every object
//! of the final document is compared with the document as signed, and each change classified.
//! Validation data, document time-stamps and new signatures are allowed; form filling is not
//! yet (it needs the certification's DocMDP permissions); a change to what the page shows, or
//! to a signature, fails the signature. New objects alone change nothing:
//! only an existing object that now refers to them can, and that one is caught.

use std::collections::HashSet;
use std::io::{Read, Seek};
use std::path::Path;

use lopdf::{Dictionary, Object, ObjectId};

use crate::pdf;

/// Upper bound on objects compared; a larger document is reported as not analysed.
const MAX_OBJECTS: usize = 200_000;

/// The changes after one signature, by kind.
#[derive(Clone, Debug, Default)]
pub(crate) struct Findings {
    /// Changes the standard allows (validation data, signatures, form filling).
    pub(crate) allowed: Vec<String>,
    /// Changes to what a reader shows or to a signature: the signed document is not what is
    /// displayed any more.
    pub(crate) visible: Vec<String>,
    /// Other changes that are not allowed.
    pub(crate) other: Vec<String>,
}

/// Compares the document at `path` with its first `signed` bytes.
pub(crate) fn analyse(path: &Path, signed: u64) -> Result<Findings, pdf::Error> {
    let mut now = pdf::File::open(path)?;
    let mut then = pdf::File::open_revision(path, signed)?;
    let mut findings = Findings::default();

    let (root_then, catalog_then) = then.catalog()?;
    let (root_now, _) = now.catalog()?;
    if root_then != root_now {
        findings.visible.push(format!(
            "the document catalog was replaced (object {} now {})",
            root_then.0, root_now.0
        ));
        return Ok(findings);
    }
    let acroform = match catalog_then.get(b"AcroForm") {
        Ok(Object::Reference(id)) => Some(*id),
        _ => None,
    };
    let dss = validation_data_objects(&mut now);

    let mut numbers: HashSet<u32> = then.object_numbers().into_iter().collect();
    if numbers.len() > MAX_OBJECTS {
        findings
            .other
            .push(format!("{} objects: too many to compare", numbers.len()));
        return Ok(findings);
    }
    numbers.extend(now.object_numbers());
    let mut numbers: Vec<u32> = numbers.into_iter().collect();
    numbers.sort_unstable();
    for number in numbers {
        let id = (number, 0);
        let (old, new) = (then.object(id), now.object(id));
        match (old, new) {
            (Ok(old), Ok(new)) if old != new && dss.contains(&number) => {
                findings
                    .allowed
                    .push("validation data (/DSS) extended".into());
            }
            (Ok(old), Ok(new)) if old != new => classify(
                id,
                &old,
                &new,
                root_then.0,
                acroform,
                &mut then,
                &mut now,
                &mut findings,
            ),
            (Ok(old), Err(_)) if !is_structure(&old) => findings
                .visible
                .push(format!("object {number} was removed")),
            _ => {}
        }
    }
    Ok(findings)
}

/// The objects that make up the `/DSS` of the final document (ETSI EN 319 142-1 §5.4.2): the
/// dictionary, its arrays and VRI entries. Adding validation data changes them, and nothing
/// that is shown.
fn validation_data_objects<B: Read + Seek>(now: &mut pdf::File<B>) -> HashSet<u32> {
    let mut ids = HashSet::new();
    let Ok((_, catalog)) = now.catalog() else {
        return ids;
    };
    let Ok(Object::Reference(dss_id)) = catalog.get(b"DSS") else {
        return ids;
    };
    ids.insert(dss_id.0);
    let Ok(dss) = now.dictionary(&Object::Reference(*dss_id)) else {
        return ids;
    };
    for (key, value) in dss.iter() {
        if let Object::Reference(id) = value {
            ids.insert(id.0);
        }
        if key.as_slice() == b"VRI"
            && let Ok(vri) = now.dictionary(value)
        {
            ids.extend(
                vri.iter()
                    .filter_map(|(_, entry)| entry.as_reference().ok())
                    .map(|id| id.0),
            );
        }
    }
    ids
}

/// Cross-reference and object streams are rewritten by every update; they carry no content.
fn is_structure(object: &Object) -> bool {
    matches!(object, Object::Stream(s) if matches!(s.dict.get_type().ok(), Some(b"XRef" | b"ObjStm")))
}

#[allow(
    clippy::too_many_arguments,
    reason = "one comparison needs both views and the findings"
)]
fn classify<A: Read + Seek, B: Read + Seek>(
    id: ObjectId,
    old: &Object,
    new: &Object,
    root: u32,
    acroform: Option<ObjectId>,
    then: &mut pdf::File<A>,
    now: &mut pdf::File<B>,
    findings: &mut Findings,
) {
    let number = id.0;
    if is_structure(old) {
        return;
    }
    let old_dict = match old {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    };
    let kind = old_dict
        .and_then(|d| d.get_type().ok())
        .map(|t| String::from_utf8_lossy(t).into_owned());
    match (old, new, kind.as_deref()) {
        (Object::Dictionary(old), Object::Dictionary(new), _) if number == root => {
            let changed = changed_keys(old, new);
            let (fine, bad): (Vec<&str>, Vec<&str>) = changed
                .iter()
                .map(String::as_str)
                .partition(|k| matches!(*k, "AcroForm" | "DSS" | "Extensions" | "Version"));
            if !bad.is_empty() {
                findings
                    .visible
                    .push(format!("the document catalog changed: {}", bad.join(", ")));
            } else {
                findings
                    .allowed
                    .push(format!("the document catalog gained {}", fine.join(", ")));
            }
        }
        (Object::Dictionary(old), Object::Dictionary(new), _) if Some(id) == acroform => {
            let changed = changed_keys(old, new);
            if changed.iter().all(|k| {
                matches!(
                    k.as_str(),
                    "Fields" | "SigFlags" | "DR" | "DA" | "NeedAppearances"
                )
            }) {
                findings.allowed.push("the form gained fields".into());
            } else {
                findings.other.push(format!(
                    "the form dictionary changed: {}",
                    changed.join(", ")
                ));
            }
        }
        (Object::Dictionary(old), Object::Dictionary(new), Some("Page")) => {
            let changed = changed_keys(old, new);
            if changed.iter().any(|k| k != "Annots") {
                findings.visible.push(format!(
                    "page object {number} changed: {}",
                    changed.join(", ")
                ));
            } else {
                annotations(
                    number,
                    old.get(b"Annots").ok(),
                    new.get(b"Annots").ok(),
                    then,
                    now,
                    findings,
                );
            }
        }
        (_, _, Some("Pages")) => findings
            .visible
            .push(format!("the page tree changed (object {number})")),
        (_, _, Some("Sig" | "DocTimeStamp")) => findings.visible.push(format!(
            "signature dictionary {number} was changed after signing"
        )),
        (_, _, Some("Metadata")) => findings.allowed.push("document metadata updated".into()),
        (Object::Dictionary(old), Object::Dictionary(new), _) if is_field(old) => {
            let changed = changed_keys(old, new);
            let signature = field_type(old) == Some(b"Sig".as_slice());
            if signature && old.has(b"V") && changed.iter().any(|k| k == "V") {
                findings.visible.push(format!(
                    "the value of signature field {number} was replaced"
                ));
            } else if changed
                .iter()
                .all(|k| matches!(k.as_str(), "V" | "AP" | "AS" | "Kids" | "Ff"))
            {
                if signature {
                    findings
                        .allowed
                        .push(format!("signature field {number} was signed"));
                } else {
                    // Form filling is allowed only where a certification signature's DocMDP
                    // permits it (ISO 32000-2 §12.8.2.2), which is not evaluated yet; a filled
                    // field can hide or replace content (shadow attacks), so it is not allowed.
                    findings
                        .other
                        .push(format!("form field {number} was filled in after signing"));
                }
            } else {
                findings.visible.push(format!(
                    "form field {number} changed: {}",
                    changed.join(", ")
                ));
            }
        }
        (Object::Array(old), Object::Array(new), _) => {
            // Field and annotation lists may only grow, by signature fields.
            if new.starts_with(old)
                && new[old.len()..]
                    .iter()
                    .all(|item| is_signature_field(item, now))
            {
                findings
                    .allowed
                    .push(format!("signature field(s) added to list {number}"));
            } else if new.starts_with(old) {
                findings
                    .visible
                    .push(format!("annotation(s) added to list {number}"));
            } else {
                findings.visible.push(format!("list {number} changed"));
            }
        }
        (Object::Dictionary(old), Object::Dictionary(new), _)
            if old.has(b"Producer") || old.has(b"ModDate") || old.has(b"Creator") =>
        {
            let _ = (old, new);
            findings.allowed.push("document information updated".into());
        }
        (Object::Stream(_), _, _) | (_, Object::Stream(_), _) => findings
            .visible
            .push(format!("content stream {number} changed")),
        (_, _, Some("Annot")) => findings
            .visible
            .push(format!("annotation {number} changed")),
        _ => findings.other.push(format!("object {number} changed")),
    }
}

fn annotations<A: Read + Seek, B: Read + Seek>(
    page: u32,
    old: Option<&Object>,
    new: Option<&Object>,
    then: &mut pdf::File<A>,
    now: &mut pdf::File<B>,
    findings: &mut Findings,
) {
    let old = old
        .and_then(|o| then.resolve(o).ok())
        .and_then(|o| o.as_array().ok().cloned())
        .unwrap_or_default();
    let new = new
        .and_then(|o| now.resolve(o).ok())
        .and_then(|o| o.as_array().ok().cloned())
        .unwrap_or_default();
    if new.starts_with(&old)
        && new[old.len()..]
            .iter()
            .all(|item| is_signature_field(item, now))
    {
        findings
            .allowed
            .push(format!("signature field(s) added to page object {page}"));
    } else {
        findings
            .visible
            .push(format!("the annotations of page object {page} changed"));
    }
}

fn changed_keys(old: &Dictionary, new: &Dictionary) -> Vec<String> {
    let mut keys: Vec<String> = old
        .iter()
        .filter(|(k, v)| new.get(k).ok() != Some(*v))
        .chain(new.iter().filter(|(k, _)| !old.has(k)))
        .map(|(k, _)| String::from_utf8_lossy(k).into_owned())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

fn is_field(dict: &Dictionary) -> bool {
    dict.has(b"FT") || (dict.has(b"T") && dict.has(b"Parent"))
}

fn field_type(dict: &Dictionary) -> Option<&[u8]> {
    dict.get(b"FT").ok().and_then(|o| o.as_name().ok())
}

/// Whether `item` names a signature field (or its widget) in the final document.
fn is_signature_field<B: Read + Seek>(item: &Object, now: &mut pdf::File<B>) -> bool {
    now.dictionary(item)
        .is_ok_and(|d| field_type(&d) == Some(b"Sig".as_slice()))
}
