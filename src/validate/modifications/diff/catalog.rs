//! The document-level entries an update may touch: the catalog (ISO 32000-2 §7.7.2), the
//! document information and XMP metadata (§14.3), and the DSS (ETSI EN 319 142-1 §5.4.2).

use std::collections::HashSet;
use std::io::{Read, Seek};

use lopdf::Object;

use super::{Change, Context, Harmless, Role, changed_keys};
use crate::pdf;

impl<R: Read + Seek> Context<'_, R> {
    /// Catalog entries that describe the file may change; new entries must name new objects.
    pub(super) fn catalog(&mut self, old: &Object, new: &Object) -> Result<(), pdf::Error> {
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
    pub(super) fn new_slot(
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

    pub(super) fn extensions(&mut self, value: Option<&Object>) -> bool {
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

    pub(super) fn info(&mut self, number: u32, new: &Object) -> Result<(), pdf::Error> {
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

    pub(super) fn metadata(&mut self, number: u32, new: &Object) -> Result<(), pdf::Error> {
        self.metadata_stream(number, Some(new));
        Ok(())
    }

    pub(super) fn metadata_stream(&mut self, number: u32, object: Option<&Object>) {
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
    pub(super) fn validation_data(
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
    pub(super) fn validation_data_names_only_new(
        &mut self,
        value: Option<&Object>,
    ) -> Result<bool, pdf::Error> {
        const MAX: usize = 100_000;
        let Some(value) = value else {
            return Ok(true);
        };
        let mut queue: Vec<u32> = crate::validate::modifications::graph::references(value)
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
                    queue.extend(
                        crate::validate::modifications::graph::references(&object)
                            .iter()
                            .map(|e| e.other),
                    );
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
}
