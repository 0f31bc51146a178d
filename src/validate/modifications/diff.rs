//! What one incremental update changed (ISO 32000-2 §7.5.6, §12.8.2; ETSI EN 319 142-1 §5.4;
//! the diff policies of pyHanko and EU DSS as reference): every object the update writes or
//! frees is explained by a rule for the role it has, or reported. Objects are judged by where
//! they are used, not by what they claim to be; new objects count only through the objects
//! that bring them into use.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::io::{Read, Seek};

use lopdf::{Dictionary, Object};

use super::graph::Graph;
use super::roles::{Landmarks, Role};
use crate::pdf::{self, View};

/// Keys a new signature field may carry; anything else (actions above all) is not part of
/// signing.
const SIGNATURE_FIELD_KEYS: &[&[u8]] = &[
    b"Type",
    b"Subtype",
    b"FT",
    b"T",
    b"TU",
    b"TM",
    b"V",
    b"Rect",
    b"F",
    b"P",
    b"AP",
    b"AS",
    b"MK",
    b"DA",
    b"Ff",
    b"Lock",
    b"SV",
    b"Kids",
    b"Parent",
    b"StructParent",
    b"BS",
    b"Border",
    b"NM",
    b"M",
    b"C",
    b"DR",
    b"Q",
];
/// Keys filling in a field may change (ISO 32000-2 §12.7.4).
const FILL_KEYS: &[&[u8]] = &[b"V", b"AP", b"AS", b"MK"];
/// Annotations whose look viewers make without an appearance stream, but which can only show
/// an icon or tint what is below: no new text can appear through them.
const MODEST_WITHOUT_APPEARANCE: &[&[u8]] = &[
    b"Text",
    b"Popup",
    b"Link",
    b"Highlight",
    b"Underline",
    b"Squiggly",
    b"StrikeOut",
];
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

    /// Page objects may change only their annotations (and tab order, tagging).
    fn page(&mut self, page: u32, old: &Object, new: &Object) -> Result<(), pdf::Error> {
        let (Object::Dictionary(old), Object::Dictionary(new)) = (old, new) else {
            self.forbid(format!("page object {page} changed"), true, None);
            return Ok(());
        };
        let changed = changed_keys(old, new);
        let other: Vec<&String> = changed
            .iter()
            .filter(|k| !matches!(k.as_str(), "Annots" | "Tabs" | "StructParents"))
            .collect();
        if !other.is_empty() {
            let keys: Vec<&str> = other.iter().map(|k| k.as_str()).collect();
            self.forbid(
                format!("page object {page} changed: {}", keys.join(", ")),
                true,
                Some("INCREMENTAL_SAVING_ATTACK"),
            );
            return Ok(());
        }
        if changed.iter().any(|k| k == "Annots") {
            let old_list = self.list(self.update.previous, old.get(b"Annots").ok());
            let new_list = self.list(self.update.next, new.get(b"Annots").ok());
            self.annotation_list(page, &old_list, &new_list)?;
        }
        Ok(())
    }

    fn list(&mut self, view: View, value: Option<&Object>) -> Vec<Object> {
        match value.map(|v| self.file.resolve_in(view, v)) {
            Some(Ok(Object::Array(items))) => items,
            _ => Vec::new(),
        }
    }

    /// A page's annotations may lose items (judged as removals) and gain new objects; every
    /// new item is judged as what it is.
    fn annotation_list(
        &mut self,
        page: u32,
        old: &[Object],
        new: &[Object],
    ) -> Result<(), pdf::Error> {
        let old_refs: Vec<u32> = old.iter().filter_map(number_of).collect();
        let new_refs: Vec<u32> = new.iter().filter_map(number_of).collect();
        if old.len() != old_refs.len() || new.len() != new_refs.len() {
            self.forbid(
                format!("the annotations of page object {page} hold direct dictionaries"),
                true,
                None,
            );
            return Ok(());
        }
        // The old annotations must keep their order (drawing order is what the page shows).
        let kept: Vec<u32> = new_refs
            .iter()
            .copied()
            .filter(|n| old_refs.contains(n))
            .collect();
        let old_kept: Vec<u32> = old_refs
            .iter()
            .copied()
            .filter(|n| new_refs.contains(n))
            .collect();
        if kept != old_kept {
            self.forbid(
                format!("the annotations of page object {page} were reordered"),
                true,
                None,
            );
        }
        for removed in old_refs.iter().filter(|n| !new_refs.contains(n)) {
            self.annotation_removed(page, *removed)?;
        }
        for added in new_refs.iter().filter(|n| !old_refs.contains(n)) {
            if !self.is_fresh(*added) {
                self.forbid(
                    format!(
                        "existing object {added} was added to the annotations of page object {page}"
                    ),
                    true,
                    Some("SHADOW_ATTACK_HIDE_AND_REPLACE"),
                );
                continue;
            }
            // Widgets of fields added to the form are judged with their field.
            if self.belongs_to_added_field(*added) {
                continue;
            }
            self.annotation_added(page, *added)?;
        }
        Ok(())
    }

    fn belongs_to_added_field(&mut self, widget: u32) -> bool {
        let added = |n: u32| self.after.fields.contains(&n) && !self.before.fields.contains(&n);
        if added(widget) {
            return true;
        }
        let parent = self
            .file
            .dictionary_in(self.update.next, &Object::Reference((widget, 0)))
            .ok()
            .and_then(|d| d.get(b"Parent").ok().and_then(|p| p.as_reference().ok()));
        parent.is_some_and(|p| added(p.0))
    }

    fn annotation_removed(&mut self, page: u32, number: u32) -> Result<(), pdf::Error> {
        let view = self.update.previous;
        let dict = self
            .file
            .dictionary_in(view, &Object::Reference((number, 0)))
            .unwrap_or_default();
        if self.before.fields.contains(&number) || dict.has(b"FT") || dict.has(b"Parent") {
            self.forbid(
                format!("the widget {number} of a form field was removed from its page"),
                true,
                None,
            );
            return Ok(());
        }
        let region = region(&dict, page).ok().flatten();
        self.changes.push(Change::Annotation {
            number,
            subtype: subtype(&dict),
            edit: Edit::Removed,
            region,
            unverifiable: false,
        });
        Ok(())
    }

    fn annotation_added(&mut self, page: u32, number: u32) -> Result<(), pdf::Error> {
        let view = self.update.next;
        let Ok(dict) = self
            .file
            .dictionary_in(view, &Object::Reference((number, 0)))
        else {
            self.forbid(
                format!("annotation {number} is not a dictionary"),
                true,
                None,
            );
            return Ok(());
        };
        if dict.has(b"A") || dict.has(b"AA") {
            self.forbid(
                format!("annotation {number} was added with an action"),
                false,
                None,
            );
            return Ok(());
        }
        let region = match region(&dict, page) {
            Ok(region) => region,
            Err(what) => {
                self.forbid(format!("annotation {number}: {what}"), true, None);
                return Ok(());
            }
        };
        let name = subtype(&dict);
        let has_appearance = self.has_normal_appearance(view, &dict);
        let modest = MODEST_WITHOUT_APPEARANCE.contains(&name.as_bytes());
        self.changes.push(Change::Annotation {
            number,
            subtype: name,
            edit: Edit::Added,
            region,
            unverifiable: !has_appearance && !modest && region_is_some_visible(&dict),
        });
        Ok(())
    }

    fn has_normal_appearance(&mut self, view: View, dict: &Dictionary) -> bool {
        let Some(ap) = dict
            .get(b"AP")
            .ok()
            .and_then(|ap| self.file.dictionary_in(view, ap).ok())
        else {
            return false;
        };
        ap.has(b"N")
    }

    /// Catalog entries that describe the file may change; new entries must name new objects.
    fn catalog(&mut self, old: &Object, new: &Object) -> Result<(), pdf::Error> {
        let (Object::Dictionary(old), Object::Dictionary(new)) = (old, new) else {
            self.forbid("the document catalog changed".into(), true, None);
            return Ok(());
        };
        let mut described = Vec::new();
        for key in changed_keys(old, new) {
            let (before, after) = (old.get(key.as_bytes()).ok(), new.get(key.as_bytes()).ok());
            match key.as_str() {
                "Version" | "Lang" => described.push(key.clone()),
                "Extensions" => {
                    if self.extensions(after) {
                        described.push(key.clone());
                    } else {
                        self.forbid(
                            "the catalog's /Extensions hold more than extension levels".into(),
                            false,
                            None,
                        );
                    }
                }
                "Metadata" => match after.and_then(|a| a.as_reference().ok()) {
                    Some(id) if self.is_fresh(id.0) => {
                        let object = self.after_update(id.0);
                        self.metadata_stream(id.0, object.as_ref());
                    }
                    _ => self.forbid(
                        "the catalog's /Metadata names an object that is not new metadata".into(),
                        false,
                        None,
                    ),
                },
                "DSS" => {
                    self.new_slot(before, after, Role::ValidationData, "/DSS")?;
                    if self.validation_data_names_only_new(after)? && before.is_none() {
                        described.push(key.clone());
                    }
                }
                "AcroForm" => {
                    self.new_slot(before, after, Role::Form, "/AcroForm")?;
                    let old_form = self.resolved_dict(self.update.previous, before);
                    let new_form = self.resolved_dict(self.update.next, after);
                    self.form_dictionary(&old_form, &new_form)?;
                }
                "StructTreeRoot" | "MarkInfo" => {
                    self.new_slot(before, after, Role::Structure, "/StructTreeRoot")?;
                    self.changes.push(Change::Harmless(Harmless::Structure));
                }
                "Pages" | "OCProperties" | "NeedsRendering" => self.forbid(
                    format!("the document catalog's /{key} changed"),
                    true,
                    Some("INCREMENTAL_SAVING_ATTACK"),
                ),
                _ => self.forbid(
                    format!("the document catalog's /{key} changed"),
                    false,
                    None,
                ),
            }
        }
        if !described.is_empty() {
            self.changes
                .push(Change::Harmless(Harmless::Catalog(described)));
        }
        Ok(())
    }

    /// A catalog slot now names a dictionary: it must be a new object, the same one as
    /// before, or a direct dictionary; never an existing object in some other use.
    fn new_slot(
        &mut self,
        before: Option<&Object>,
        after: Option<&Object>,
        role: Role,
        slot: &str,
    ) -> Result<(), pdf::Error> {
        let Some(Object::Reference(id)) = after else {
            return Ok(());
        };
        let same = before.and_then(|b| b.as_reference().ok()) == Some(*id);
        if same || self.is_fresh(id.0) {
            return Ok(());
        }
        let roles = self.after.roles(self.graph, id.0);
        if !roles.iter().all(|r| *r == role) {
            self.forbid(
                format!("the catalog's {slot} now names existing object {}", id.0),
                false,
                None,
            );
        }
        Ok(())
    }

    fn resolved_dict(&mut self, view: View, value: Option<&Object>) -> Dictionary {
        value
            .and_then(|v| self.file.dictionary_in(view, v).ok())
            .unwrap_or_default()
    }

    fn extensions(&mut self, value: Option<&Object>) -> bool {
        let view = self.update.next;
        let Some(dict) = value.and_then(|v| self.file.dictionary_in(view, v).ok()) else {
            return value.is_none();
        };
        let allowed: &[&[u8]] = &[
            b"Type",
            b"BaseVersion",
            b"ExtensionLevel",
            b"URL",
            b"ExtensionRevision",
        ];
        for (_, entry) in dict.iter() {
            let entries = match self.file.resolve_in(view, entry) {
                Ok(Object::Array(items)) => items,
                Ok(other) => vec![other],
                Err(_) => return false,
            };
            for entry in entries {
                match self.file.dictionary_in(view, &entry) {
                    Ok(level) if level.iter().all(|(k, _)| allowed.contains(&k.as_slice())) => {}
                    _ => return false,
                }
            }
        }
        true
    }

    fn info(&mut self, number: u32, new: &Object) -> Result<(), pdf::Error> {
        if matches!(new, Object::Dictionary(_)) {
            self.changes.push(Change::Harmless(Harmless::Info));
        } else {
            self.forbid(
                format!("the document information {number} is not a dictionary any more"),
                false,
                None,
            );
        }
        Ok(())
    }

    fn metadata(&mut self, number: u32, new: &Object) -> Result<(), pdf::Error> {
        self.metadata_stream(number, Some(new));
        Ok(())
    }

    fn metadata_stream(&mut self, number: u32, object: Option<&Object>) {
        let is_xmp = matches!(object, Some(Object::Stream(stream))
            if stream.dict.get_type().ok() == Some(b"Metadata".as_slice())
                && stream.dict.get(b"Subtype").ok().and_then(|s| s.as_name().ok())
                    == Some(b"XML".as_slice()));
        if is_xmp {
            self.changes.push(Change::Harmless(Harmless::Metadata));
        } else {
            self.forbid(
                format!("metadata object {number} is not an XMP metadata stream"),
                false,
                None,
            );
        }
    }

    /// The DSS may only gain references to new objects or to validation data it already had
    /// (ETSI EN 319 142-1 §5.4.2): naming an existing content stream would make every later
    /// change to it look like validation data.
    fn validation_data(
        &mut self,
        number: u32,
        old: &Object,
        new: &Object,
    ) -> Result<(), pdf::Error> {
        if Some(number) == self.after.dss
            && let Object::Dictionary(dict) = new
        {
            let allowed: &[&[u8]] = &[b"Type", b"Certs", b"OCSPs", b"CRLs", b"VRI"];
            if let Some((key, _)) = dict.iter().find(|(k, _)| !allowed.contains(&k.as_slice())) {
                self.forbid(
                    format!(
                        "the /DSS holds /{}, which is not validation data",
                        String::from_utf8_lossy(key)
                    ),
                    false,
                    None,
                );
                return Ok(());
            }
        }
        let _ = old;
        if self.validation_data_names_only_new(Some(new))? {
            self.changes
                .push(Change::Harmless(Harmless::ValidationData));
        }
        Ok(())
    }

    /// Walks the validation data from `value` through new objects: every existing object it
    /// reaches must have been validation data already. Returns whether that holds.
    fn validation_data_names_only_new(
        &mut self,
        value: Option<&Object>,
    ) -> Result<bool, pdf::Error> {
        const MAX: usize = 100_000;
        let Some(value) = value else {
            return Ok(true);
        };
        let mut queue: Vec<u32> = super::graph::references(value)
            .iter()
            .map(|e| e.other)
            .collect();
        let mut seen = HashSet::new();
        while let Some(target) = queue.pop() {
            if !seen.insert(target) || seen.len() > MAX {
                continue;
            }
            self.file.budget_check()?;
            if self.is_fresh(target) {
                if let Ok(object) = self.file.shallow_in(self.update.next, (target, 0)) {
                    queue.extend(super::graph::references(&object).iter().map(|e| e.other));
                }
                continue;
            }
            if !self.existed(target) {
                continue;
            }
            let roles = self.after.roles(self.graph, target);
            if !roles.iter().all(|r| *r == Role::ValidationData) {
                self.forbid(
                    format!(
                        "validation data names existing object {target}, which is not validation data"
                    ),
                    false,
                    None,
                );
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// New fonts for the form are harmless; an existing font name bound to another font
    /// changes how fields are drawn.
    fn form_resources(
        &mut self,
        number: u32,
        old: &Object,
        new: &Object,
    ) -> Result<(), pdf::Error> {
        let (Some(old), Some(new)) = (dict_of(old), dict_of(new)) else {
            self.forbid(format!("form resources {number} changed"), false, None);
            return Ok(());
        };
        self.resources_grew(old, new, &format!("form resources {number}"));
        Ok(())
    }

    fn resources_grew(&mut self, old: &Dictionary, new: &Dictionary, what: &str) {
        for (key, value) in old.iter() {
            let same = match (value, new.get(key).ok()) {
                (Object::Dictionary(o), Some(Object::Dictionary(n))) => {
                    o.iter().all(|(k, v)| n.get(k).ok() == Some(v))
                }
                (o, n) => Some(o) == n,
            };
            if !same {
                self.forbid(
                    format!(
                        "{what}: /{} now names other resources",
                        String::from_utf8_lossy(key)
                    ),
                    false,
                    None,
                );
                return;
            }
        }
        self.changes.push(Change::Harmless(Harmless::FormDefaults));
    }

    /// The form dictionary may gain fields, flags and defaults.
    fn form_dictionary(&mut self, old: &Dictionary, new: &Dictionary) -> Result<(), pdf::Error> {
        for key in changed_keys(old, new) {
            match key.as_str() {
                "SigFlags" => {}
                "Fields" => {
                    let old_list = self.list(self.update.previous, old.get(b"Fields").ok());
                    let new_list = self.list(self.update.next, new.get(b"Fields").ok());
                    self.field_list(&old_list, &new_list, "the form's fields");
                }
                "DA" => self.changes.push(Change::Harmless(Harmless::FormDefaults)),
                "DR" => {
                    let old_dr = self.resolved_dict(self.update.previous, old.get(b"DR").ok());
                    let new_dr = self.resolved_dict(self.update.next, new.get(b"DR").ok());
                    self.resources_grew(&old_dr, &new_dr, "the form's default resources");
                }
                "NeedAppearances" => self.need_appearances(new),
                _ => self.forbid(format!("the form's /{key} changed"), false, None),
            }
        }
        Ok(())
    }

    fn need_appearances(&mut self, form: &Dictionary) {
        let on = form
            .get(b"NeedAppearances")
            .ok()
            .and_then(|v| v.as_bool().ok())
            .unwrap_or(false);
        let view = self.update.next;
        let other_fields =
            self.after.fields.clone().into_iter().any(|field| {
                field_type(self.file, view, field).as_deref() != Some(b"Sig".as_slice())
            });
        if on && other_fields {
            self.changes.push(Change::NeedAppearances);
        } else {
            self.changes.push(Change::Harmless(Harmless::FormDefaults));
        }
    }

    /// Field lists (`/Fields`, `/Kids`) may only grow, by new objects; what they gain is
    /// judged in [`Context::added_fields`].
    fn field_list(&mut self, old: &[Object], new: &[Object], what: &str) {
        if !new.starts_with(old) {
            self.forbid(format!("{what} lost or reordered entries"), false, None);
            return;
        }
        for item in &new[old.len()..] {
            match item.as_reference() {
                Ok(id) if self.is_fresh(id.0) => {}
                _ => self.forbid(
                    format!("{what} gained an entry that is not a new field"),
                    false,
                    None,
                ),
            }
        }
    }

    /// Objects in the form or on pages: field values, appearances, annotation lists.
    fn form_object(
        &mut self,
        number: u32,
        roles: &BTreeSet<Role>,
        old: &Object,
        new: &Object,
    ) -> Result<(), pdf::Error> {
        if Some(number) == self.after.acroform || Some(number) == self.before.acroform {
            let (Some(old), Some(new)) = (dict_of(old), dict_of(new)) else {
                self.forbid("the form dictionary changed".into(), false, None);
                return Ok(());
            };
            let (old, new) = (old.clone(), new.clone());
            return self.form_dictionary(&old, &new);
        }
        if let (Object::Array(old), Object::Array(new)) = (old, new) {
            if let Some(page) = roles.iter().find_map(|r| match r {
                Role::AnnotationList(page) => Some(*page),
                _ => None,
            }) {
                return self.annotation_list(page, old, new);
            }
            self.field_list(old, new, &format!("field list {number}"));
            return Ok(());
        }
        if self.before.fields.contains(&number) {
            return self.field(number, old, new);
        }
        if let Some(annotation) = roles.iter().find_map(|r| match r {
            Role::Appearance(a) => Some(*a),
            _ => None,
        }) {
            return self.appearance(annotation);
        }
        if let Some(field) = roles.iter().find_map(|r| match r {
            Role::FieldValue(f) => Some(*f),
            _ => None,
        }) {
            let name = field_name(self.file, self.update.next, field);
            let regions = self.widget_regions(field);
            self.changes.push(Change::FormFilled {
                field: name,
                replaced: true,
                regions,
            });
            return Ok(());
        }
        if roles.contains(&Role::Annotation(number)) {
            let page = self.after.page_of(number).or(self.before.page_of(number));
            let (Some(old), Some(new)) = (dict_of(old), dict_of(new)) else {
                self.forbid(format!("annotation {number} changed"), true, None);
                return Ok(());
            };
            let old_region = page.and_then(|p| region(old, p).ok().flatten());
            let new_region = match page.map(|p| region(new, p)) {
                Some(Ok(region)) => region,
                Some(Err(what)) => {
                    self.forbid(format!("annotation {number}: {what}"), true, None);
                    return Ok(());
                }
                None => None,
            };
            self.changes.push(Change::Annotation {
                number,
                subtype: subtype(new),
                edit: Edit::Changed,
                region: union(old_region, new_region),
                unverifiable: false,
            });
            return Ok(());
        }
        self.forbid(format!("form object {number} changed"), false, None);
        Ok(())
    }

    /// A field present at signing: filled in, or (a signature field) signed.
    fn field(&mut self, number: u32, old: &Object, new: &Object) -> Result<(), pdf::Error> {
        let (Some(old), Some(new)) = (dict_of(old), dict_of(new)) else {
            self.forbid(format!("form field {number} changed"), true, None);
            return Ok(());
        };
        let changed = changed_keys(old, new);
        let name = field_name(self.file, self.update.next, number);
        let signature = field_type(self.file, self.update.previous, number).as_deref()
            == Some(b"Sig".as_slice());
        let regions = self.widget_regions(number);
        let first_region = regions.first().cloned();
        if signature {
            let signed_before = old.has(b"V");
            if changed.iter().any(|k| k == "V") {
                if signed_before {
                    self.forbid(
                        format!("the value of signature field {name} was replaced"),
                        true,
                        Some("SIGNATURE_DICTIONARY_SPOOFING"),
                    );
                    return Ok(());
                }
                match self.signed_here(new.get(b"V").ok()) {
                    Some(timestamp) => self.changes.push(Change::Signed {
                        field: name.clone(),
                        added: false,
                        timestamp,
                        region: first_region.clone(),
                    }),
                    None => self.forbid(
                        format!(
                            "signature field {name} names a signature dictionary that signs no later revision"
                        ),
                        true,
                        Some("SNEAKY_SIGNATURE_ATTACK"),
                    ),
                }
            } else if signed_before {
                self.forbid(
                    format!("the signed signature field {name} changed"),
                    true,
                    Some("SIGNATURE_DICTIONARY_SPOOFING"),
                );
                return Ok(());
            }
            let other: Vec<&String> = changed
                .iter()
                .filter(|k| !matches!(k.as_str(), "V" | "AP" | "AS" | "MK"))
                .collect();
            if !other.is_empty() {
                self.forbid(
                    format!("signature field {name} changed: {other:?}"),
                    true,
                    None,
                );
            } else if !changed.iter().any(|k| k == "V") {
                self.changes.push(Change::EmptySignatureField {
                    field: name,
                    region: first_region,
                });
            }
            return Ok(());
        }
        if changed.iter().all(|k| FILL_KEYS.contains(&k.as_bytes())) {
            let old_value = old.get(b"V").ok().filter(|v| !is_empty_value(v));
            let replaced = old_value.is_some() && old.get(b"V").ok() != new.get(b"V").ok()
                || !changed.iter().any(|k| k == "V");
            self.changes.push(Change::FormFilled {
                field: name,
                replaced,
                regions,
            });
        } else {
            let keys: Vec<&str> = changed.iter().map(String::as_str).collect();
            self.forbid(
                format!("form field {name} changed: {}", keys.join(", ")),
                true,
                Some("SHADOW_ATTACK_REPLACE"),
            );
        }
        Ok(())
    }

    /// An appearance stream rewritten in place.
    fn appearance(&mut self, annotation: u32) -> Result<(), pdf::Error> {
        let field = if self.before.fields.contains(&annotation) {
            Some(annotation)
        } else {
            None
        };
        if let Some(field) = field {
            let signature = field_type(self.file, self.update.previous, field).as_deref()
                == Some(b"Sig".as_slice());
            let name = field_name(self.file, self.update.next, field);
            let signed_before = self
                .file
                .dictionary_in(self.update.previous, &Object::Reference((field, 0)))
                .is_ok_and(|d| d.has(b"V"));
            if signature && signed_before {
                self.forbid(
                    format!("the appearance of signature field {name} changed"),
                    true,
                    Some("SIGNATURE_DICTIONARY_SPOOFING"),
                );
            } else if signature {
                // An empty signature field: its look changes as it is signed, or is judged
                // like any new appearance on the page.
                let region = self.widget_regions(field).into_iter().next();
                self.changes.push(Change::EmptySignatureField {
                    field: name,
                    region,
                });
            } else {
                let regions = self.widget_regions(field);
                self.changes.push(Change::FormFilled {
                    field: name,
                    replaced: true,
                    regions,
                });
            }
            return Ok(());
        }
        let page = self.after.page_of(annotation);
        let dict = self
            .file
            .dictionary_in(self.update.next, &Object::Reference((annotation, 0)))
            .unwrap_or_default();
        self.changes.push(Change::Annotation {
            number: annotation,
            subtype: subtype(&dict),
            edit: Edit::Changed,
            region: page.and_then(|p| region(&dict, p).ok().flatten()),
            unverifiable: false,
        });
        Ok(())
    }

    /// Whether `value` names a new signature dictionary of a signature that signs exactly
    /// this update; `Some(true)` for a document time-stamp.
    fn signed_here(&mut self, value: Option<&Object>) -> Option<bool> {
        let id = value?.as_reference().ok()?;
        let signature = self.update.signatures.get(&id.0)?;
        (self.is_fresh(id.0) && signature.end == self.update.end).then_some(signature.timestamp)
    }

    /// Fields the form gained in this update, judged as what they are.
    fn added_fields(&mut self) -> Result<(), pdf::Error> {
        let mut added: Vec<u32> = self
            .after
            .fields
            .iter()
            .filter(|f| !self.before.fields.contains(f))
            .copied()
            .collect();
        added.sort_unstable();
        let view = self.update.next;
        for field in added {
            if !self.is_fresh(field) {
                self.forbid(
                    format!("existing object {field} became a form field"),
                    true,
                    Some("SHADOW_ATTACK_HIDE_AND_REPLACE"),
                );
                continue;
            }
            let Ok(dict) = self
                .file
                .dictionary_in(view, &Object::Reference((field, 0)))
            else {
                continue;
            };
            // Kids without a name are widgets of their parent: judged with it.
            if !dict.has(b"T") && dict.has(b"Parent") {
                continue;
            }
            let name = field_name(self.file, view, field);
            let regions = self.widget_regions(field);
            if let Some(widget) = self.off_page_widget(field) {
                self.forbid(
                    format!("the widget {widget} of field {name} is on no page"),
                    false,
                    None,
                );
            }
            let region = match regions.as_slice() {
                [] => None,
                [one] => Some(one.clone()),
                _ => {
                    self.forbid(
                        format!("field {name} was added with several visible widgets"),
                        false,
                        None,
                    );
                    continue;
                }
            };
            if let Err(what) = self.widget_shapes(field) {
                self.forbid(format!("field {name}: {what}"), true, None);
                continue;
            }
            let ft = field_type(self.file, view, field);
            if ft.as_deref() != Some(b"Sig".as_slice()) {
                self.changes.push(Change::FieldAdded {
                    field: name,
                    region,
                });
                continue;
            }
            if let Some((key, _)) = dict
                .iter()
                .find(|(k, _)| !SIGNATURE_FIELD_KEYS.contains(&k.as_slice()))
            {
                self.forbid(
                    format!(
                        "signature field {name} was added with /{}",
                        String::from_utf8_lossy(key)
                    ),
                    false,
                    None,
                );
                continue;
            }
            match dict.get(b"V") {
                Err(_) => self.changes.push(Change::EmptySignatureField {
                    field: name,
                    region,
                }),
                Ok(value) => match self.signed_here(Some(&value.clone())) {
                    Some(timestamp) => self.changes.push(Change::Signed {
                        field: name,
                        added: true,
                        timestamp,
                        region,
                    }),
                    None => self.forbid(
                        format!(
                            "signature field {name} was added with a value that is not a new signature of this revision"
                        ),
                        region.is_some(),
                        Some("SNEAKY_SIGNATURE_ATTACK"),
                    ),
                },
            }
        }
        Ok(())
    }

    /// A widget of `field` that no page lists among its annotations.
    fn off_page_widget(&mut self, field: u32) -> Option<u32> {
        self.widgets(field)
            .into_iter()
            .find(|w| self.after.page_of(*w).is_none() && self.is_drawable(*w))
    }

    fn is_drawable(&mut self, widget: u32) -> bool {
        let view = self.update.next;
        self.file
            .dictionary_in(view, &Object::Reference((widget, 0)))
            .is_ok_and(|d| region_is_some_visible(&d))
    }

    /// Every widget of the field must have a plain rectangle.
    fn widget_shapes(&mut self, field: u32) -> Result<(), String> {
        let view = self.update.next;
        for widget in self.widgets(field) {
            let dict = self
                .file
                .dictionary_in(view, &Object::Reference((widget, 0)))
                .map_err(|e| e.to_string())?;
            if let Some(page) = self.after.page_of(widget) {
                region(&dict, page)?;
            }
        }
        Ok(())
    }

    /// The widgets of a field: itself if it is one, else its kids without names.
    fn widgets(&mut self, field: u32) -> Vec<u32> {
        let view = self.update.next;
        let Ok(dict) = self
            .file
            .dictionary_in(view, &Object::Reference((field, 0)))
        else {
            return Vec::new();
        };
        if dict.has(b"Rect")
            || dict.get(b"Subtype").ok().and_then(|s| s.as_name().ok())
                == Some(b"Widget".as_slice())
        {
            return vec![field];
        }
        let kids = self.list(view, dict.get(b"Kids").ok());
        kids.iter()
            .filter_map(number_of)
            .filter(|kid| {
                self.file
                    .dictionary_in(view, &Object::Reference((*kid, 0)))
                    .is_ok_and(|d| !d.has(b"T"))
            })
            .take(64)
            .collect()
    }

    /// The visible areas of a field's widgets, in the document after the update.
    fn widget_regions(&mut self, field: u32) -> Vec<Region> {
        let view = self.update.next;
        let mut regions = Vec::new();
        for widget in self.widgets(field) {
            let Some(page) = self
                .after
                .page_of(widget)
                .or_else(|| self.before.page_of(widget))
            else {
                continue;
            };
            let Ok(dict) = self
                .file
                .dictionary_in(view, &Object::Reference((widget, 0)))
            else {
                continue;
            };
            if let Ok(Some(region)) = region(&dict, page) {
                regions.push(region);
            }
        }
        regions
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
