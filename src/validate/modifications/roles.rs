//! What an object is used for in one revision, found by walking from the object to the
//! document's landmarks through everything that refers to it (ISO 32000-2 §7.7 document
//! structure, §12.5 annotations, §12.7 forms, ETSI EN 319 142-1 §5.4 the DSS).
//!
//! An object that calls itself `/Type /Metadata` but is drawn by a page is page content; an
//! array that is both the form's `/Fields` and a page's `/Contents` is both. Rules judge a
//! change by every role of the object, so an allowed slot cannot hide a change to content.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{Read, Seek};

use lopdf::Object;

use super::graph::{Graph, TRAILER};
use crate::pdf::{self, View};

/// Objects visited walking up from one object; beyond this its use is unknown.
const MAX_WALK: usize = 4096;
/// Fields visited in the form tree.
const MAX_FIELDS: usize = 20_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Role {
    /// The document catalog itself.
    Catalog,
    /// The document information dictionary.
    Info,
    /// The document's XMP metadata stream.
    Metadata,
    /// The DSS and what it holds.
    ValidationData,
    /// The logical structure tree (tagging).
    Structure,
    /// A node of the page tree.
    PageTree,
    /// A page object.
    Page(u32),
    /// Drawn by a page: its contents, resources, boxes.
    PageContent(u32),
    /// Something of a page that is not drawn (transitions, thumbnails' metadata, actions).
    PageExtra(u32),
    /// Changes what every page shows (optional-content configuration, inherited resources).
    GlobalContent,
    /// A page's annotation array.
    AnnotationList(u32),
    /// An annotation on a page.
    Annotation(u32),
    /// Part of an annotation's appearance.
    Appearance(u32),
    /// An action or other behaviour of an annotation or field.
    Action(u32),
    /// The interactive form: the form dictionary, field arrays and field dictionaries.
    Form,
    /// The form's default resources (fonts used when field appearances are made).
    FormResources,
    /// The value of a field (for a signature field, its signature dictionary).
    FieldValue(u32),
    /// The certification and usage-rights signatures named by the catalog.
    Permissions,
    /// Any other catalog or trailer entry (outlines, names, actions, ...).
    Other,
    /// Too entangled to tell.
    Unknown,
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Catalog => write!(f, "the document catalog"),
            Self::Info => write!(f, "the document information"),
            Self::Metadata => write!(f, "the document metadata"),
            Self::ValidationData => write!(f, "validation data"),
            Self::Structure => write!(f, "the document structure"),
            Self::PageTree => write!(f, "the page tree"),
            Self::Page(page) => write!(f, "page object {page}"),
            Self::PageContent(page) => write!(f, "content of page object {page}"),
            Self::PageExtra(page) => write!(f, "an entry of page object {page}"),
            Self::GlobalContent => write!(f, "content of every page"),
            Self::AnnotationList(page) => write!(f, "the annotations of page object {page}"),
            Self::Annotation(annotation) => write!(f, "annotation {annotation}"),
            Self::Appearance(annotation) => write!(f, "the appearance of annotation {annotation}"),
            Self::Action(annotation) => write!(f, "an action of annotation {annotation}"),
            Self::Form => write!(f, "the form"),
            Self::FormResources => write!(f, "the form's default resources"),
            Self::FieldValue(field) => write!(f, "the value of field {field}"),
            Self::Permissions => write!(f, "the document's permissions"),
            Self::Other => write!(f, "another entry of the catalog"),
            Self::Unknown => write!(f, "more places than can be followed"),
        }
    }
}

impl Role {
    /// Whether a change to an object in this role changes what a page shows.
    pub(crate) fn is_drawn(self) -> bool {
        matches!(
            self,
            Self::PageContent(_) | Self::GlobalContent | Self::PageTree | Self::Unknown
        )
    }
}

/// The objects of one revision that give others their roles.
#[derive(Debug, Default)]
pub(crate) struct Landmarks {
    pub(crate) catalog: u32,
    pub(crate) info: Option<u32>,
    pub(crate) acroform: Option<u32>,
    pub(crate) dss: Option<u32>,
    pub(crate) struct_root: Option<u32>,
    /// Pages in order.
    pub(crate) pages: Vec<u32>,
    page_set: HashSet<u32>,
    page_nodes: HashSet<u32>,
    /// Indirect `/Annots` arrays and their page.
    pub(crate) annotation_lists: HashMap<u32, u32>,
    /// Annotations (indirect) and their page.
    pub(crate) annotations: HashMap<u32, u32>,
    /// Field dictionaries (indirect) of the form tree.
    pub(crate) fields: HashSet<u32>,
    /// Indirect `/Fields` and `/Kids` arrays of the form.
    field_arrays: HashSet<u32>,
}

impl Landmarks {
    pub(crate) fn read<R: Read + Seek>(
        file: &mut pdf::File<R>,
        view: View,
    ) -> Result<Self, pdf::Error> {
        let (catalog_id, catalog) = file.catalog_in(view)?;
        let reference = |key: &[u8]| catalog.get(key).ok().and_then(|o| o.as_reference().ok());
        let mut marks = Self {
            catalog: catalog_id.0,
            info: file
                .trailer_in(view)
                .and_then(|t| t.get(b"Info").ok())
                .and_then(|o| o.as_reference().ok())
                .map(|id| id.0),
            acroform: reference(b"AcroForm").map(|id| id.0),
            dss: reference(b"DSS").map(|id| id.0),
            struct_root: reference(b"StructTreeRoot").map(|id| id.0),
            ..Self::default()
        };
        marks.read_pages(file, view, &catalog)?;
        marks.read_form(file, view, &catalog)?;
        Ok(marks)
    }

    fn read_pages<R: Read + Seek>(
        &mut self,
        file: &mut pdf::File<R>,
        view: View,
        catalog: &lopdf::Dictionary,
    ) -> Result<(), pdf::Error> {
        let pages = file.pages_in(view)?;
        self.pages = pages.iter().map(|id| id.0).collect();
        self.page_set = self.pages.iter().copied().collect();
        // Intermediate nodes: every node met from the root that is not a page.
        let mut stack: Vec<Object> = catalog.get(b"Pages").ok().cloned().into_iter().collect();
        let mut seen = HashSet::new();
        while let Some(node) = stack.pop() {
            let Object::Reference(id) = node else {
                continue;
            };
            if self.page_set.contains(&id.0) || !seen.insert(id.0) || seen.len() > 100_000 {
                continue;
            }
            self.page_nodes.insert(id.0);
            let Ok(dict) = file.dictionary_in(view, &node) else {
                continue;
            };
            if let Ok(kids) = dict.get(b"Kids") {
                if let Object::Reference(kids_id) = kids {
                    self.page_nodes.insert(kids_id.0);
                }
                if let Ok(Object::Array(kids)) = file.resolve_in(view, kids) {
                    stack.extend(kids);
                }
            }
        }
        for &page in &self.pages {
            file.budget_check()?;
            let Ok(dict) = file.dictionary_in(view, &Object::Reference((page, 0))) else {
                continue;
            };
            let Ok(annots) = dict.get(b"Annots") else {
                continue;
            };
            if let Object::Reference(list) = annots {
                self.annotation_lists.insert(list.0, page);
            }
            if let Ok(Object::Array(items)) = file.resolve_in(view, annots) {
                for item in items {
                    if let Object::Reference(id) = item {
                        self.annotations.entry(id.0).or_insert(page);
                    }
                }
            }
        }
        Ok(())
    }

    fn read_form<R: Read + Seek>(
        &mut self,
        file: &mut pdf::File<R>,
        view: View,
        catalog: &lopdf::Dictionary,
    ) -> Result<(), pdf::Error> {
        let Some(form) = catalog
            .get(b"AcroForm")
            .ok()
            .and_then(|f| file.dictionary_in(view, f).ok())
        else {
            return Ok(());
        };
        let Ok(fields) = form.get(b"Fields") else {
            return Ok(());
        };
        if let Object::Reference(id) = fields {
            self.field_arrays.insert(id.0);
        }
        let mut stack: Vec<Object> = match file.resolve_in(view, fields) {
            Ok(Object::Array(items)) => items,
            _ => Vec::new(),
        };
        while let Some(node) = stack.pop() {
            let Object::Reference(id) = node else {
                continue;
            };
            if !self.fields.insert(id.0) || self.fields.len() > MAX_FIELDS {
                continue;
            }
            let Ok(dict) = file.dictionary_in(view, &node) else {
                continue;
            };
            if let Ok(kids) = dict.get(b"Kids") {
                if let Object::Reference(kids_id) = kids {
                    self.field_arrays.insert(kids_id.0);
                }
                if let Ok(Object::Array(kids)) = file.resolve_in(view, kids) {
                    stack.extend(kids);
                }
            }
        }
        Ok(())
    }

    pub(crate) fn is_page(&self, number: u32) -> bool {
        self.page_set.contains(&number)
    }

    /// The page an annotation is on.
    pub(crate) fn page_of(&self, annotation: u32) -> Option<u32> {
        self.annotations.get(&annotation).copied()
    }

    /// Every role of `number`, found through everything that refers to it in `graph`.
    pub(crate) fn roles(&self, graph: &Graph, number: u32) -> BTreeSet<Role> {
        let mut roles = BTreeSet::new();
        if number == self.catalog {
            roles.insert(Role::Catalog);
        }
        if self.is_page(number) {
            roles.insert(Role::Page(number));
        }
        if let Some(page) = self.page_of(number) {
            roles.insert(Role::Annotation(number));
            let _ = page;
        }
        let mut seen = HashSet::from([number]);
        let mut queue = vec![number];
        while let Some(current) = queue.pop() {
            for edge in graph.referrers(current) {
                let referrer = edge.other;
                match self.role_of_edge(referrer, &edge.key, current) {
                    Step::Role(role) => {
                        roles.insert(role);
                    }
                    Step::Skip => {}
                    Step::Up => {
                        if seen.insert(referrer) {
                            if seen.len() > MAX_WALK {
                                roles.insert(Role::Unknown);
                                return roles;
                            }
                            queue.push(referrer);
                        }
                    }
                }
            }
        }
        roles
    }

    /// The role an object gets from one reference to it: `referrer` holds it under `key`.
    fn role_of_edge(&self, referrer: u32, key: &[u8], object: u32) -> Step {
        if referrer == TRAILER {
            return Step::Role(match key {
                b"Root" => Role::Catalog,
                b"Info" => Role::Info,
                _ => Role::Other,
            });
        }
        if referrer == self.catalog {
            return Step::Role(match key {
                b"Pages" => Role::PageTree,
                b"AcroForm" => Role::Form,
                b"Metadata" => Role::Metadata,
                b"DSS" => Role::ValidationData,
                b"StructTreeRoot" | b"MarkInfo" => Role::Structure,
                b"Perms" => Role::Permissions,
                b"OCProperties" => Role::GlobalContent,
                _ => Role::Other,
            });
        }
        if self.is_page(referrer) {
            return match key {
                b"Annots" if self.annotations.contains_key(&object) => {
                    Step::Role(Role::Annotation(object))
                }
                b"Annots" => Step::Role(Role::AnnotationList(referrer)),
                b"Parent" => Step::Role(Role::PageTree),
                b"StructParents" | b"Tabs" | b"Metadata" | b"PieceInfo" | b"AA" | b"Trans"
                | b"Dur" | b"PZ" | b"ID" | b"B" | b"AF" | b"DPart" => {
                    Step::Role(Role::PageExtra(referrer))
                }
                _ => Step::Role(Role::PageContent(referrer)),
            };
        }
        if self.page_nodes.contains(&referrer) {
            if matches!(key, b"Kids" | b"[]") && self.is_page(object) {
                // A page is a page because the tree lists it; that alone draws nothing new.
                return Step::Skip;
            }
            return Step::Role(match key {
                b"Kids" | b"Parent" | b"[]" => Role::PageTree,
                // Inherited attributes (§7.7.3.4) reach every page below the node.
                _ => Role::GlobalContent,
            });
        }
        if let Some(page) = self.annotation_lists.get(&referrer) {
            return Step::Role(if self.annotations.contains_key(&object) {
                Role::Annotation(object)
            } else {
                Role::AnnotationList(*page)
            });
        }
        if self.annotations.contains_key(&referrer) || self.fields.contains(&referrer) {
            return match key {
                b"AP" | b"MK" => Step::Role(Role::Appearance(referrer)),
                b"Parent" | b"Kids" => Step::Role(Role::Form),
                b"V" | b"DV" => Step::Role(Role::FieldValue(referrer)),
                b"DR" => Step::Role(Role::FormResources),
                // Back references to the page, the parent annotation, a pop-up.
                b"P" | b"Popup" | b"IRT" | b"Lock" | b"SV" => Step::Skip,
                _ => Step::Role(Role::Action(referrer)),
            };
        }
        if Some(referrer) == self.acroform {
            return Step::Role(match key {
                b"Fields" => Role::Form,
                b"DR" => Role::FormResources,
                _ => Role::Other,
            });
        }
        if self.field_arrays.contains(&referrer) {
            return Step::Role(Role::Form);
        }
        if Some(referrer) == self.dss {
            return Step::Role(Role::ValidationData);
        }
        if Some(referrer) == self.struct_root {
            return Step::Role(Role::Structure);
        }
        if Some(referrer) == self.info {
            return Step::Role(Role::Info);
        }
        Step::Up
    }
}

enum Step {
    Role(Role),
    Skip,
    Up,
}
