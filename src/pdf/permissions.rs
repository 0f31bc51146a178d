//! What a signature permits to change after it (ISO 32000-2 §12.8.2.2 DocMDP, §12.8.2.4
//! FieldMDP, §12.7.5.5 signature field lock): read from the signature dictionary's
//! `/Reference` and the field's `/Lock`, and written for certification signatures.

use std::io::{Read, Seek};

use lopdf::{Dictionary, Object, decode_text_string};

use super::File;

/// DocMDP access permissions (ISO 32000-2 Table 257).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum DocMdp {
    /// `P 1`: no changes at all.
    NoChanges,
    /// `P 2`: filling in forms, instantiating page templates and signing.
    FormFilling,
    /// `P 3`: as 2, plus annotations.
    Annotations,
}

impl DocMdp {
    pub fn from_p(p: i64) -> Option<Self> {
        match p {
            1 => Some(Self::NoChanges),
            2 => Some(Self::FormFilling),
            3 => Some(Self::Annotations),
            _ => None,
        }
    }

    pub fn p(self) -> i64 {
        match self {
            Self::NoChanges => 1,
            Self::FormFilling => 2,
            Self::Annotations => 3,
        }
    }
}

/// Which form fields a FieldMDP transform or a field `/Lock` locks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Locked {
    All,
    Include(Vec<String>),
    Exclude(Vec<String>),
}

impl Locked {
    /// Whether the field with this fully qualified name is locked. A listed name also locks
    /// its descendants (`a` locks `a.b`).
    pub fn covers(&self, field: &str) -> bool {
        let listed = |names: &[String]| {
            names.iter().any(|n| {
                field == n
                    || field
                        .strip_prefix(n.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
            })
        };
        match self {
            Self::All => true,
            Self::Include(names) => listed(names),
            Self::Exclude(names) => !listed(names),
        }
    }
}

/// The permissions one signature declares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Declared {
    /// Set on a certification signature: its DocMDP level.
    pub certification: Option<DocMdp>,
    /// Fields locked once this signature is applied.
    pub locked: Option<Locked>,
    /// A lock's own DocMDP level (PDF 2.0 `/Lock /P`).
    pub lock_level: Option<DocMdp>,
}

/// Reads the permissions of a signature from its dictionary and its field's `/Lock`.
pub(crate) fn declared<R: Read + Seek>(
    file: &mut File<R>,
    signature: &Dictionary,
    field: &Dictionary,
) -> Declared {
    let mut declared = Declared::default();
    let references = signature
        .get(b"Reference")
        .ok()
        .and_then(|r| file.resolve(r).ok())
        .and_then(|r| r.as_array().ok().cloned())
        .unwrap_or_default();
    for reference in references.iter().take(16) {
        let Ok(reference) = file.dictionary(reference) else {
            continue;
        };
        let method = reference
            .get(b"TransformMethod")
            .ok()
            .and_then(|m| m.as_name().ok());
        let params = reference
            .get(b"TransformParams")
            .ok()
            .and_then(|p| file.dictionary(p).ok())
            .unwrap_or_default();
        match method {
            // A missing or unknown /P reads as 2, the default (Table 257).
            Some(b"DocMDP") => {
                declared.certification = Some(level(&params).unwrap_or(DocMdp::FormFilling));
            }
            Some(b"FieldMDP") => declared.locked = locked(file, &params),
            _ => {}
        }
    }
    if let Some(lock) = field
        .get(b"Lock")
        .ok()
        .and_then(|l| file.dictionary(l).ok())
    {
        if declared.locked.is_none() {
            declared.locked = locked(file, &lock);
        }
        declared.lock_level = level(&lock);
    }
    declared
}

fn level(dict: &Dictionary) -> Option<DocMdp> {
    dict.get(b"P")
        .ok()
        .and_then(|p| p.as_i64().ok())
        .and_then(DocMdp::from_p)
}

fn locked<R: Read + Seek>(file: &mut File<R>, dict: &Dictionary) -> Option<Locked> {
    let mut names = || -> Vec<String> {
        dict.get(b"Fields")
            .ok()
            .and_then(|f| file.resolve(f).ok())
            .and_then(|f| f.as_array().ok().cloned())
            .unwrap_or_default()
            .iter()
            .take(10_000)
            .filter_map(|n| decode_text_string(n).ok())
            .collect()
    };
    match dict.get(b"Action").ok().and_then(|a| a.as_name().ok()) {
        Some(b"All") => Some(Locked::All),
        Some(b"Include") => Some(Locked::Include(names())),
        Some(b"Exclude") => Some(Locked::Exclude(names())),
        _ => None,
    }
}

/// The `/Reference` entry of a certification signature with DocMDP level `level`.
pub(crate) fn certification_reference(level: DocMdp) -> Object {
    let mut params = Dictionary::new();
    params.set("Type", Object::Name(b"TransformParams".to_vec()));
    params.set("P", Object::Integer(level.p()));
    params.set("V", Object::Name(b"1.2".to_vec()));
    let mut reference = Dictionary::new();
    reference.set("Type", Object::Name(b"SigRef".to_vec()));
    reference.set("TransformMethod", Object::Name(b"DocMDP".to_vec()));
    reference.set("TransformParams", Object::Dictionary(params));
    Object::Array(vec![Object::Dictionary(reference)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_cover_listed_fields_and_their_children() {
        let include = Locked::Include(vec!["Antrag".into()]);
        assert!(include.covers("Antrag"));
        assert!(include.covers("Antrag.Name"));
        assert!(!include.covers("Antragsteller"));
        let exclude = Locked::Exclude(vec!["Bemerkung".into()]);
        assert!(exclude.covers("Antrag"));
        assert!(!exclude.covers("Bemerkung"));
        assert!(Locked::All.covers("x"));
    }
}
