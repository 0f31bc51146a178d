//! What changed after a signature (ISO 32000-2 §12.8.2, ETSI EN 319 142-1 §5.1): every object
//! of the final document is compared with the document as signed, and each change classified.
//! Validation data and document time-stamps are always allowed; signatures, form filling and
//! annotations as the DocMDP level and field locks permit (`judge`); a change to what the page
//! shows, or to a signature, fails the signature. New objects alone change nothing: only an
//! existing object that now refers to them can, and that one is caught.

use std::collections::HashSet;
use std::io::{Read, Seek};
use std::path::Path;

use lopdf::{Dictionary, Object, ObjectId};

use super::report::Finding;
use crate::pdf;
use crate::pdf::permissions::{Level, Locked};

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
    /// Changes whose admissibility depends on the permissions signatures declare.
    pub(crate) permitted_if: Vec<Change>,
    /// Objects present but unused in the signed revision that a change brought into use: the
    /// mark of a shadow attack (hide-and-replace).
    pub(crate) revived: Vec<u32>,
    /// Attacks recognised while comparing.
    pub(crate) named: Vec<Finding>,
}

/// A change that DocMDP, FieldMDP or a field lock may permit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    /// A form field present at signing got a new value or appearance.
    FormFilled { number: u32, field: String },
    /// A signature field was signed; `added` when the field is new, `visible` when its widget
    /// has an area on the page.
    Signed {
        number: u32,
        field: String,
        added: bool,
        visible: bool,
    },
    /// An annotation was added to a page.
    Annotation { number: u32, subtype: String },
}

impl Change {
    fn number(&self) -> u32 {
        match self {
            Self::FormFilled { number, .. }
            | Self::Signed { number, .. }
            | Self::Annotation { number, .. } => *number,
        }
    }
}

/// The permissions in force for the changes after one signature.
#[derive(Clone, Debug, Default)]
pub(crate) struct Rules {
    /// The DocMDP level of the document's certification, or of a field lock (the strictest).
    pub(crate) level: Option<Level>,
    /// Whether a certification signature (not only a lock) set `level`.
    pub(crate) certified: bool,
    pub(crate) locks: Vec<Locked>,
}

/// Annotations that cannot draw over the page's content: sticky notes and text markup.
/// Everything else (free text, stamps, shapes, ink, redactions, new widgets) can show content
/// the signer never saw: the Evil Annotation Attack on certified documents.
const HARMLESS_ANNOTATIONS: [&str; 6] = [
    "Text",
    "Popup",
    "Highlight",
    "Underline",
    "Squiggly",
    "StrikeOut",
];

/// The verdict on the changes after one signature under `rules`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Judged {
    pub(crate) allowed: Vec<String>,
    pub(crate) visible: Vec<String>,
    pub(crate) other: Vec<String>,
    pub(crate) findings: Vec<Finding>,
}

/// Applies DocMDP (ISO 32000-2 Table 257), FieldMDP and field locks to the changes found.
pub(crate) fn judge(found: &Findings, rules: &Rules) -> Judged {
    let mut judged = Judged {
        allowed: found.allowed.clone(),
        visible: found.visible.clone(),
        other: found.other.clone(),
        findings: found.named.clone(),
    };
    let mut finding = |id: &'static str, detail: String| {
        let finding = Finding { id, detail };
        if !judged.findings.contains(&finding) {
            judged.findings.push(finding);
        }
    };
    if !found.revived.is_empty() {
        judged.visible.push(format!(
            "object(s) {:?}, unused when signed, were brought into view later",
            found.revived
        ));
        finding(
            "SHADOW_ATTACK_HIDE_AND_REPLACE",
            format!(
                "object(s) {:?} were in the signed revision but unused, and a later change brought them into view",
                found.revived
            ),
        );
    }
    if !found.visible.is_empty() {
        finding(
            "INCREMENTAL_SAVING_ATTACK",
            format!(
                "an incremental update after signing changes what is shown: {}",
                found.visible[0]
            ),
        );
    }
    let no_changes = rules.level == Some(Level::NoChanges);
    let mut seen = std::collections::HashSet::new();
    for change in &found.permitted_if {
        if change.number() != 0 && !seen.insert(change.number()) {
            continue;
        }
        match change {
            Change::FormFilled { field, .. } => {
                if rules.locks.iter().any(|l| l.covers(field)) {
                    judged.visible.push(format!(
                        "form field {field} was changed although a signature locks it"
                    ));
                    finding("LOCKED_FIELD_CHANGED", format!("form field {field}"));
                } else if no_changes {
                    judged.visible.push(format!(
                        "form field {field} was filled in although the certification allows no changes"
                    ));
                } else if rules.level.is_some() {
                    judged.allowed.push(format!(
                        "form field {field} filled in (the certification allows form filling)"
                    ));
                } else {
                    judged.other.push(format!(
                        "form field {field} was filled in after signing, and no certification allows form filling"
                    ));
                    finding(
                        "SHADOW_ATTACK_REPLACE",
                        format!(
                            "form field {field}, present at signing, shows a new value: the way a shadow attack replaces content"
                        ),
                    );
                }
            }
            Change::Signed {
                field,
                added,
                visible,
                ..
            } => {
                if no_changes {
                    judged.visible.push(format!(
                        "signature field {field} was signed although the certification allows no changes"
                    ));
                } else if rules.certified && *added && *visible {
                    // Approval signers legitimately add visible fields too, so this is not
                    // proven forgery; but what the appearance shows was never certified.
                    judged.other.push(format!(
                        "a visible signature field {field} was added to the certified document"
                    ));
                    finding(
                        "SNEAKY_SIGNATURE_ATTACK",
                        format!(
                            "signature field {field} was added after certification with an appearance on the page, which can show content the certifier never saw"
                        ),
                    );
                } else if *added {
                    judged
                        .allowed
                        .push(format!("signature field {field} added and signed"));
                } else {
                    judged
                        .allowed
                        .push(format!("signature field {field} was signed"));
                }
            }
            Change::Annotation { number, subtype } => {
                let harmless = HARMLESS_ANNOTATIONS.contains(&subtype.as_str());
                if rules.level == Some(Level::Annotations) && harmless {
                    judged.allowed.push(format!(
                        "{subtype} annotation {number} added (the certification allows annotations)"
                    ));
                } else {
                    judged.visible.push(format!(
                        "{subtype} annotation {number} was added after signing"
                    ));
                    if rules.certified {
                        finding(
                            "EVIL_ANNOTATION_ATTACK",
                            format!(
                                "a {subtype} annotation was added to the certified document (DocMDP level {}), where it can cover or add content",
                                rules.level.map_or(2, Level::p)
                            ),
                        );
                    }
                }
            }
        }
    }
    judged
}

/// Compares the document at `path` with its first `signed` bytes; gives up at `deadline`
/// (hostile files), which leaves the changes unanalysed and the signature not passed.
pub(crate) fn analyse(
    path: &Path,
    signed: u64,
    deadline: std::time::Instant,
) -> Result<Findings, pdf::Error> {
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
    let mut changed = Vec::new();
    for (index, number) in numbers.into_iter().enumerate() {
        if index % 256 == 0 && std::time::Instant::now() > deadline {
            return Err(pdf::Error::Structure(
                "the document is too complex to compare within the time limit",
            ));
        }
        let id = (number, 0);
        let (old, new) = (then.object(id), now.object(id));
        match (old, new) {
            (Ok(old), Ok(new)) if old != new && dss.contains(&number) => {
                findings
                    .allowed
                    .push("validation data (/DSS) extended".into());
            }
            (Ok(old), Ok(new)) if old != new => {
                classify(
                    id,
                    &old,
                    &new,
                    root_then.0,
                    acroform,
                    &mut then,
                    &mut now,
                    &mut findings,
                );
                changed.push(new);
            }
            (Ok(old), Err(_)) if !is_structure(&old) => findings
                .visible
                .push(format!("object {number} was removed")),
            _ => {}
        }
    }
    if !changed.is_empty() {
        findings.revived = revived(&mut then, &changed);
    }
    Ok(findings)
}

/// Objects of the signed revision that nothing there used, and that `changed` objects now
/// refer to: content hidden in the signed file and switched on later (the shadow attacks'
/// hide-and-replace variant).
fn revived<A: Read + Seek>(then: &mut pdf::File<A>, changed: &[Object]) -> Vec<u32> {
    let mut reachable = HashSet::new();
    let mut queue = Vec::new();
    references(&Object::Dictionary(then.trailer().clone()), &mut queue);
    while let Some(id) = queue.pop() {
        if reachable.len() > MAX_OBJECTS {
            return Vec::new();
        }
        if reachable.insert(id.0)
            && let Ok(object) = then.object(id)
        {
            references(&object, &mut queue);
        }
    }
    let existing: HashSet<u32> = then.object_numbers().into_iter().collect();
    let mut found = Vec::new();
    for object in changed {
        let mut targets = Vec::new();
        references(object, &mut targets);
        found.extend(
            targets
                .iter()
                .map(|id| id.0)
                .filter(|n| existing.contains(n) && !reachable.contains(n)),
        );
    }
    found.sort_unstable();
    found.dedup();
    // Cross-reference and object streams are never referenced, and never shown.
    found.retain(|n| !then.object((*n, 0)).is_ok_and(|o| is_structure(&o)));
    found
}

/// Every reference inside `object`, without following them.
fn references(object: &Object, out: &mut Vec<ObjectId>) {
    let mut stack = vec![object];
    while let Some(object) = stack.pop() {
        match object {
            Object::Reference(id) => out.push(*id),
            Object::Array(items) => stack.extend(items),
            Object::Dictionary(dict) => stack.extend(dict.iter().map(|(_, v)| v)),
            Object::Stream(stream) => stack.extend(stream.dict.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
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
        (_, _, Some("Sig" | "DocTimeStamp")) => {
            findings.visible.push(format!(
                "signature dictionary {number} was changed after signing"
            ));
            findings.named.push(Finding {
                id: "SIGNATURE_DICTIONARY_SPOOFING",
                detail: format!("signature dictionary {number} was rewritten in a later revision"),
            });
        }
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
                .all(|k| matches!(k.as_str(), "V" | "AP" | "AS"))
            {
                let field = field_name(new, now);
                findings.permitted_if.push(if signature {
                    Change::Signed {
                        number,
                        field,
                        added: false,
                        visible: is_visible(new, now),
                    }
                } else {
                    Change::FormFilled { number, field }
                });
            } else {
                findings.visible.push(format!(
                    "form field {number} changed: {}",
                    changed.join(", ")
                ));
            }
        }
        (Object::Array(old), Object::Array(new), _) => {
            // Field and annotation lists may only grow.
            if new.starts_with(old) {
                for item in &new[old.len()..] {
                    let change = added(item, now);
                    findings.permitted_if.push(change);
                }
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
    if new.starts_with(&old) {
        for item in &new[old.len()..] {
            let change = added(item, now);
            findings.permitted_if.push(change);
        }
    } else {
        findings
            .visible
            .push(format!("the annotations of page object {page} changed"));
    }
}

/// What an item appended to a page's `/Annots` or the form's `/Fields` is.
fn added<B: Read + Seek>(item: &Object, now: &mut pdf::File<B>) -> Change {
    let number = item.as_reference().map_or(0, |id| id.0);
    let dict = now.dictionary(item).unwrap_or_default();
    if field_type(&dict) == Some(b"Sig".as_slice()) {
        Change::Signed {
            number,
            field: field_name(&dict, now),
            added: true,
            visible: is_visible(&dict, now),
        }
    } else {
        let subtype = dict
            .get(b"Subtype")
            .ok()
            .and_then(|s| s.as_name().ok())
            .map_or_else(
                || "unknown".to_owned(),
                |s| String::from_utf8_lossy(s).into_owned(),
            );
        Change::Annotation { number, subtype }
    }
}

/// Whether a widget (or the first widget of a field) has an area and is not hidden
/// (ISO 32000-2 §12.5.3 flags Hidden and NoView).
fn is_visible<B: Read + Seek>(dict: &Dictionary, now: &mut pdf::File<B>) -> bool {
    let widget = if dict.has(b"Rect") {
        dict.clone()
    } else {
        let first = dict
            .get(b"Kids")
            .ok()
            .and_then(|k| now.resolve(k).ok())
            .and_then(|k| k.as_array().ok().and_then(|a| a.first().cloned()));
        match first.and_then(|kid| now.dictionary(&kid).ok()) {
            Some(kid) => kid,
            None => return false,
        }
    };
    let flags = widget
        .get(b"F")
        .ok()
        .and_then(|f| f.as_i64().ok())
        .unwrap_or(0);
    if flags & (2 | 32) != 0 {
        return false;
    }
    let rect: Vec<f64> = widget
        .get(b"Rect")
        .ok()
        .and_then(|r| now.resolve(r).ok())
        .and_then(|r| r.as_array().ok().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|n| {
            n.as_float()
                .ok()
                .map(f64::from)
                .or_else(|| n.as_i64().ok().map(|i| i as f64))
        })
        .collect();
    match rect[..] {
        [x1, y1, x2, y2] => (x2 - x1).abs() > 0.5 && (y2 - y1).abs() > 0.5,
        _ => false,
    }
}

/// A field's fully qualified name (ISO 32000-2 §12.7.4.2), following `/Parent` a bounded way.
fn field_name<B: Read + Seek>(dict: &Dictionary, now: &mut pdf::File<B>) -> String {
    let mut parts = Vec::new();
    let mut current = dict.clone();
    for _ in 0..32 {
        if let Some(part) = current
            .get(b"T")
            .ok()
            .and_then(|t| lopdf::decode_text_string(t).ok())
        {
            parts.push(part);
        }
        match current.get(b"Parent").ok().cloned() {
            Some(parent) => match now.dictionary(&parent) {
                Ok(parent) => current = parent,
                Err(_) => break,
            },
            None => break,
        }
    }
    parts.reverse();
    parts.join(".")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(field: &str) -> Findings {
        Findings {
            permitted_if: vec![Change::FormFilled {
                number: 9,
                field: field.into(),
            }],
            ..Findings::default()
        }
    }

    #[test]
    fn a_locked_field_may_not_be_filled_even_where_the_certification_allows_filling() {
        let rules = Rules {
            level: Some(Level::FormFilling),
            certified: true,
            locks: vec![Locked::Include(vec!["Betrag".into()])],
        };
        let judged = judge(&filled("Betrag"), &rules);
        assert_eq!(judged.visible.len(), 1, "{judged:?}");
        assert_eq!(judged.findings[0].id, "LOCKED_FIELD_CHANGED");
        let judged = judge(&filled("Bemerkung"), &rules);
        assert!(judged.visible.is_empty() && judged.other.is_empty());
        assert_eq!(judged.allowed.len(), 1);
    }

    #[test]
    fn a_lock_level_of_1_forbids_what_the_certification_would_allow() {
        let rules = Rules {
            level: Some(Level::NoChanges),
            certified: false,
            locks: Vec::new(),
        };
        let signed = Findings {
            permitted_if: vec![Change::Signed {
                number: 12,
                field: "Signature2".into(),
                added: true,
                visible: false,
            }],
            ..Findings::default()
        };
        assert_eq!(judge(&signed, &rules).visible.len(), 1);
        assert_eq!(judge(&signed, &Rules::default()).allowed.len(), 1);
    }
}
