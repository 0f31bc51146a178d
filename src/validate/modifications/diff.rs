//! What one incremental update changed (ISO 32000-2 §7.5.6, §12.8.2; ETSI EN 319 142-1 §5.4;
//! the diff policies of pyHanko and EU DSS as reference): every object the update writes or
//! frees is explained by a rule for the role it has, or reported. Objects are judged by where
//! they are used, not by what they claim to be; new objects count only through the objects
//! that bring them into use.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::io::{Read, Seek};

use lopdf::{Dictionary, Object};

mod catalog;
mod form;
mod page;

use super::graph::Graph;
use super::roles::{Landmarks, Role};
use crate::pdf::{self, View};

/// Annotation flags Hidden and NoView (§12.5.3).
const NOT_SHOWN: i64 = 2 | 32;

/// An area of a page, in the page's default user space.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Region {
    /// The page object.
    pub(crate) page: u32,
    pub(crate) rect: [f64; 4],
}

/// How an annotation changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Edit {
    Added,
    Changed,
    Removed,
}

/// Changes that never matter to what was signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Harmless {
    ValidationData,
    Metadata,
    Info,
    Structure,
    /// Catalog entries that describe the file, not its content (`/Version`, `/Extensions`).
    Catalog(Vec<String>),
    /// Fonts added to the form's defaults, or a new default appearance string.
    FormDefaults,
}

/// One change an update made, typed for the permission rules.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Change {
    Harmless(Harmless),
    /// A signature field got its signature dictionary: a new field (`added`), or an empty one
    /// filled. `timestamp` for a document time-stamp.
    Signed {
        field: String,
        added: bool,
        timestamp: bool,
        region: Option<Region>,
    },
    /// A signature field without a signature.
    EmptySignatureField {
        field: String,
        region: Option<Region>,
    },
    /// A form field that is not a signature field was added.
    FieldAdded {
        field: String,
        region: Option<Region>,
    },
    /// A field present at signing got a new value or appearance; `replaced` when it showed
    /// something else before (a value, or an appearance changed without a new value).
    FormFilled {
        field: String,
        replaced: bool,
        regions: Vec<Region>,
    },
    /// Viewers are told to redraw the fields from their values (`/NeedAppearances`).
    NeedAppearances,
    Annotation {
        number: u32,
        subtype: String,
        edit: Edit,
        region: Option<Region>,
        /// Shown by viewers without an appearance of its own, in ways that can add text.
        unverifiable: bool,
    },
    /// Not explained by any rule. `drawn` when it changes what a page shows.
    Forbidden {
        what: String,
        drawn: bool,
        finding: Option<&'static str>,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Harmless(Harmless::ValidationData) => {
                write!(f, "validation data (/DSS) extended")
            }
            Self::Harmless(Harmless::Metadata) => write!(f, "document metadata (XMP) updated"),
            Self::Harmless(Harmless::Info) => write!(f, "document information updated"),
            Self::Harmless(Harmless::Structure) => write!(f, "document structure (tags) updated"),
            Self::Harmless(Harmless::Catalog(keys)) => {
                write!(f, "the document catalog gained {}", keys.join(", "))
            }
            Self::Harmless(Harmless::FormDefaults) => {
                write!(f, "fonts or defaults added to the form")
            }
            Self::Signed {
                field,
                added,
                timestamp,
                ..
            } => match (added, timestamp) {
                (true, true) => write!(f, "document time-stamp {field} added"),
                (true, false) => write!(f, "signature field {field} added and signed"),
                (false, true) => write!(f, "document time-stamp placed in field {field}"),
                (false, false) => write!(f, "signature field {field} was signed"),
            },
            Self::EmptySignatureField { field, region } => match region {
                Some(_) => write!(f, "empty signature field {field} added with an appearance"),
                None => write!(f, "empty signature field {field} added"),
            },
            Self::FieldAdded { field, .. } => write!(f, "form field {field} added"),
            Self::FormFilled {
                field, replaced, ..
            } => {
                if *replaced {
                    write!(f, "form field {field} shows a new value")
                } else {
                    write!(f, "form field {field} filled in")
                }
            }
            Self::NeedAppearances => write!(
                f,
                "viewers are told to redraw the form fields from their values"
            ),
            Self::Annotation {
                number,
                subtype,
                edit,
                ..
            } => match edit {
                Edit::Added => write!(f, "{subtype} annotation {number} added"),
                Edit::Changed => write!(f, "{subtype} annotation {number} changed"),
                Edit::Removed => write!(f, "{subtype} annotation {number} removed"),
            },
            Self::Forbidden { what, .. } => write!(f, "{what}"),
        }
    }
}

/// A signature dictionary found in the document, as the rules need it.
#[derive(Clone, Debug)]
pub(crate) struct Signature {
    /// Where its signed bytes end: the end of the revision it signs.
    pub(crate) end: u64,
    pub(crate) timestamp: bool,
}

/// What an update's changes are judged against.
pub(crate) struct Update<'a> {
    pub(crate) previous: View,
    pub(crate) next: View,
    /// Where the update ends.
    pub(crate) end: u64,
    pub(crate) written: &'a [u32],
    pub(crate) freed: &'a [u32],
    /// Signature dictionaries by object number.
    pub(crate) signatures: &'a HashMap<u32, Signature>,
}

/// Classifies everything `update` changed. `graph` and `marks` describe the previous view and
/// are moved to the next one.
pub(crate) fn classify<R: Read + Seek>(
    file: &mut pdf::File<R>,
    update: &Update<'_>,
    graph: &mut Graph,
    marks: &mut Landmarks,
) -> Result<Vec<Change>, pdf::Error> {
    let mut touched: Vec<u32> = update.written.iter().chain(update.freed).copied().collect();
    touched.sort_unstable();
    touched.dedup();
    // Roles before the update: of what existed, and of numbers the signed revision already
    // referred to without defining them.
    let roles_before: HashMap<u32, BTreeSet<Role>> = touched
        .iter()
        .map(|&n| (n, marks.roles(graph, n)))
        .filter(|(_, roles)| !roles.is_empty())
        .collect();
    let joined = graph.apply(file, update.next, &touched)?;
    let next_marks = Landmarks::read(file, update.next)?;
    let root = |view| {
        file.trailer_in(view)
            .and_then(|t| t.get(b"Root").ok())
            .cloned()
    };
    let catalog_replaced = root(update.previous) != root(update.next);
    let mut cx = Context {
        file,
        update,
        before: marks,
        after: &next_marks,
        graph,
        changes: Vec::new(),
    };
    if catalog_replaced {
        cx.forbid(
            "the document catalog was replaced".into(),
            true,
            Some("INCREMENTAL_SAVING_ATTACK"),
        );
    }
    for &number in &touched {
        cx.file.budget_check()?;
        cx.classify_object(number, roles_before.get(&number))?;
    }
    cx.added_fields()?;
    cx.revived(&joined, &touched)?;
    let mut changes = cx.changes;
    dedup(&mut changes);
    *marks = next_marks;
    Ok(changes)
}

fn dedup(changes: &mut Vec<Change>) {
    let mut unique: Vec<Change> = Vec::with_capacity(changes.len());
    for change in changes.drain(..) {
        if !unique.contains(&change) {
            unique.push(change);
        }
    }
    *changes = unique;
}

struct Context<'a, R> {
    file: &'a mut pdf::File<R>,
    update: &'a Update<'a>,
    before: &'a Landmarks,
    after: &'a Landmarks,
    graph: &'a Graph,
    changes: Vec<Change>,
}

impl<R: Read + Seek> Context<'_, R> {
    fn forbid(&mut self, what: String, drawn: bool, finding: Option<&'static str>) {
        self.changes.push(Change::Forbidden {
            what,
            drawn,
            finding,
        });
    }

    fn existed(&self, number: u32) -> bool {
        self.file.exists_in(self.update.previous, number)
    }

    fn is_fresh(&self, number: u32) -> bool {
        !self.existed(number) && self.file.exists_in(self.update.next, number)
    }

    fn before_update(&mut self, number: u32) -> Option<Object> {
        self.file.object_in(self.update.previous, (number, 0)).ok()
    }

    fn after_update(&mut self, number: u32) -> Option<Object> {
        self.file.object_in(self.update.next, (number, 0)).ok()
    }

    fn classify_object(
        &mut self,
        number: u32,
        roles_before: Option<&BTreeSet<Role>>,
    ) -> Result<(), pdf::Error> {
        let existed = self.existed(number);
        let (old, new) = (self.before_update(number), self.after_update(number));
        if existed && old.is_some() && old == new {
            // Written again unchanged.
            return Ok(());
        }
        let mut roles: BTreeSet<Role> = roles_before.cloned().unwrap_or_default();
        roles.extend(self.after.roles(self.graph, number));
        if roles.is_empty() {
            // Used nowhere before or after: an orphan nobody sees.
            return Ok(());
        }
        if !existed {
            if let Some(before) = roles_before {
                // The signed revision referred to this number but did not define it; now the
                // reference leads somewhere.
                let drawn = before.iter().any(|r| r.is_drawn() || is_shown(*r));
                self.forbid(
                    format!(
                        "object {number}, which the signed revision referred to without defining it, was defined later"
                    ),
                    drawn,
                    drawn.then_some("INCREMENTAL_SAVING_ATTACK"),
                );
            }
            // Otherwise new: judged through the objects that use it.
            return Ok(());
        }
        let Some(old) = old else {
            return Ok(());
        };
        let Some(new) = new else {
            let drawn = roles.iter().any(|r| r.is_drawn() || is_shown(*r));
            self.forbid(
                format!("object {number}, in use when signed, was deleted"),
                drawn,
                drawn.then_some("INCREMENTAL_SAVING_ATTACK"),
            );
            return Ok(());
        };
        self.by_role(number, &roles, &old, &new)
    }

    fn by_role(
        &mut self,
        number: u32,
        roles: &BTreeSet<Role>,
        old: &Object,
        new: &Object,
    ) -> Result<(), pdf::Error> {
        if roles.iter().any(|r| r.is_drawn()) {
            let what = if roles.iter().any(|r| matches!(r, Role::PageTree)) {
                format!("the page tree changed (object {number})")
            } else if matches!(old, Object::Stream(_)) {
                format!("content stream {number} changed")
            } else {
                format!("object {number}, drawn on a page, changed")
            };
            self.forbid(what, true, Some("INCREMENTAL_SAVING_ATTACK"));
            return Ok(());
        }
        if let Some(field) = roles.iter().find_map(|r| match r {
            Role::FieldValue(field) => Some(*field),
            _ => None,
        }) && self.is_signature_field(field)
        {
            self.forbid(
                format!("signature dictionary {number} was changed after signing"),
                true,
                Some("SIGNATURE_DICTIONARY_SPOOFING"),
            );
            return Ok(());
        }
        if let Some(page) = roles.iter().find_map(|r| match r {
            Role::Page(page) => Some(*page),
            _ => None,
        }) {
            return self.page(page, old, new);
        }
        if roles.contains(&Role::Catalog) {
            return self.catalog(old, new);
        }
        let only = |allowed: &[Role]| roles.iter().all(|r| allowed.contains(r));
        if only(&[Role::Info]) {
            return self.info(number, new);
        }
        if only(&[Role::Metadata]) {
            return self.metadata(number, new);
        }
        if only(&[Role::ValidationData]) {
            return self.validation_data(number, old, new);
        }
        if only(&[Role::Structure]) {
            self.changes.push(Change::Harmless(Harmless::Structure));
            return Ok(());
        }
        if only(&[Role::FormResources]) {
            return self.form_resources(number, old, new);
        }
        let form_like = |r: &Role| {
            matches!(
                r,
                Role::Form
                    | Role::Annotation(_)
                    | Role::AnnotationList(_)
                    | Role::Appearance(_)
                    | Role::FieldValue(_)
                    | Role::Structure
            )
        };
        if roles.iter().all(form_like) {
            return self.form_object(number, roles, old, new);
        }
        let names: Vec<String> = roles.iter().map(Role::to_string).collect();
        // Shown on a page and also used in a way no rule explains: the change is shown.
        let shown = roles.iter().any(|r| is_shown(*r));
        self.forbid(
            format!(
                "object {number} changed, which is used as {}",
                names.join(", ")
            ),
            shown,
            shown.then_some("INCREMENTAL_SAVING_ATTACK"),
        );
        Ok(())
    }

    fn is_signature_field(&mut self, field: u32) -> bool {
        let view = self.update.previous;
        field_type(self.file, view, field).as_deref() == Some(b"Sig".as_slice())
    }

    fn list(&mut self, view: View, value: Option<&Object>) -> Vec<Object> {
        match value.map(|v| self.file.resolve_in(view, v)) {
            Some(Ok(Object::Array(items))) => items,
            _ => Vec::new(),
        }
    }

    fn resolved_dict(&mut self, view: View, value: Option<&Object>) -> Dictionary {
        value
            .and_then(|v| self.file.dictionary_in(view, v).ok())
            .unwrap_or_default()
    }

    /// Objects that existed but were used by nothing before this update and are used now: the
    /// mark of hidden content switched on later (the shadow attacks' hide-and-replace).
    fn revived(&mut self, joined: &[u32], touched: &[u32]) -> Result<(), pdf::Error> {
        let mut revived: Vec<u32> = joined
            .iter()
            .filter(|n| self.existed(**n) && touched.binary_search(n).is_err())
            .copied()
            .collect();
        revived.sort_unstable();
        // Cross-reference and object streams are never referenced, and never shown.
        revived.retain(|n| {
            !matches!(
                self.file.shallow_in(self.update.previous, (*n, 0)),
                Ok(Object::Stream(ref s)) if matches!(s.dict.get_type().ok(), Some(b"XRef" | b"ObjStm"))
            )
        });
        if revived.is_empty() {
            return Ok(());
        }
        let harmless = revived.iter().all(|n| {
            self.after
                .roles(self.graph, *n)
                .iter()
                .all(|r| matches!(r, Role::ValidationData | Role::Structure | Role::Info))
        });
        self.forbid(
            format!("object(s) {revived:?}, unused when signed, were brought into use later"),
            !harmless,
            (!harmless).then_some("SHADOW_ATTACK_HIDE_AND_REPLACE"),
        );
        Ok(())
    }
}

/// Roles whose objects a viewer shows, beyond page content: annotations and their looks.
fn is_shown(role: Role) -> bool {
    matches!(
        role,
        Role::Annotation(_) | Role::Appearance(_) | Role::AnnotationList(_)
    )
}

fn number_of(object: &Object) -> Option<u32> {
    object.as_reference().ok().map(|id| id.0)
}

fn dict_of(object: &Object) -> Option<&Dictionary> {
    match object {
        Object::Dictionary(dict) => Some(dict),
        Object::Stream(stream) => Some(&stream.dict),
        _ => None,
    }
}

fn subtype(dict: &Dictionary) -> String {
    dict.get(b"Subtype")
        .ok()
        .and_then(|s| s.as_name().ok())
        .map_or_else(
            || "unknown".to_owned(),
            |s| String::from_utf8_lossy(s).into_owned(),
        )
}

fn is_empty_value(value: &Object) -> bool {
    match value {
        Object::String(text, _) => text.is_empty(),
        Object::Name(name) => name == b"Off",
        Object::Null => true,
        Object::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// Whether an annotation dictionary has an area and is not hidden.
fn region_is_some_visible(dict: &Dictionary) -> bool {
    matches!(region(dict, 0), Ok(Some(_)))
}

/// The area an annotation covers, `None` if it shows nothing (hidden, or no area); `Err` if
/// its `/Rect` is not four direct numbers (readers disagree on anything else).
fn region(dict: &Dictionary, page: u32) -> Result<Option<Region>, String> {
    let flags = dict
        .get(b"F")
        .ok()
        .and_then(|f| f.as_i64().ok())
        .unwrap_or(0);
    let rect = match dict.get(b"Rect") {
        Ok(Object::Array(items)) if items.len() == 4 => {
            let numbers: Vec<f64> = items
                .iter()
                .filter_map(|n| match n {
                    Object::Integer(i) => Some(*i as f64),
                    Object::Real(r) => Some(f64::from(*r)),
                    _ => None,
                })
                .filter(|n| n.is_finite())
                .collect();
            match numbers[..] {
                [x1, y1, x2, y2] => [x1.min(x2), y1.min(y2), x1.max(x2), y1.max(y2)],
                _ => return Err("its /Rect is not four direct numbers".into()),
            }
        }
        Err(_) => return Ok(None),
        Ok(_) => return Err("its /Rect is not four direct numbers".into()),
    };
    if flags & NOT_SHOWN != 0 || rect[2] - rect[0] < 0.5 || rect[3] - rect[1] < 0.5 {
        return Ok(None);
    }
    Ok(Some(Region { page, rect }))
}

fn union(a: Option<Region>, b: Option<Region>) -> Option<Region> {
    match (a, b) {
        (Some(a), Some(b)) if a.page == b.page => Some(Region {
            page: a.page,
            rect: [
                a.rect[0].min(b.rect[0]),
                a.rect[1].min(b.rect[1]),
                a.rect[2].max(b.rect[2]),
                a.rect[3].max(b.rect[3]),
            ],
        }),
        (a, b) => a.or(b),
    }
}

/// A field's type, inherited from its parents (ISO 32000-2 §12.7.4.1).
fn field_type<R: Read + Seek>(file: &mut pdf::File<R>, view: View, field: u32) -> Option<Vec<u8>> {
    let mut current = Object::Reference((field, 0));
    for _ in 0..32 {
        let dict = file.dictionary_in(view, &current).ok()?;
        if let Ok(ft) = dict.get(b"FT").and_then(Object::as_name) {
            return Some(ft.to_vec());
        }
        current = dict.get(b"Parent").ok()?.clone();
    }
    None
}

/// A field's fully qualified name (ISO 32000-2 §12.7.4.2).
pub(crate) fn field_name<R: Read + Seek>(
    file: &mut pdf::File<R>,
    view: View,
    field: u32,
) -> String {
    let mut parts = Vec::new();
    let mut current = Object::Reference((field, 0));
    for _ in 0..32 {
        let Ok(dict) = file.dictionary_in(view, &current) else {
            break;
        };
        if let Some(part) = dict
            .get(b"T")
            .ok()
            .and_then(|t| lopdf::decode_text_string(t).ok())
        {
            parts.push(part);
        }
        match dict.get(b"Parent") {
            Ok(parent) => current = parent.clone(),
            Err(_) => break,
        }
    }
    parts.reverse();
    if parts.is_empty() {
        format!("(object {field})")
    } else {
        parts.join(".")
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
