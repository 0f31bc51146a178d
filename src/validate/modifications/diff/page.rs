//! Pages after signing (ISO 32000-2 §7.7.3.3, §12.5): only their annotations may change,
//! and every annotation added or removed is judged as what it is.

use std::io::{Read, Seek};

use lopdf::{Dictionary, Object};

use super::{
    Change, Context, Edit, changed_keys, number_of, region, region_is_some_visible, subtype,
};
use crate::pdf::{self, View};

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

impl<R: Read + Seek> Context<'_, R> {
    /// Page objects may change only their annotations (and tab order, tagging).
    pub(super) fn page(&mut self, page: u32, old: &Object, new: &Object) -> Result<(), pdf::Error> {
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

    /// A page's annotations may lose items (judged as removals) and gain new objects; every
    /// new item is judged as what it is.
    pub(super) fn annotation_list(
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

    pub(super) fn belongs_to_added_field(&mut self, widget: u32) -> bool {
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

    pub(super) fn annotation_removed(&mut self, page: u32, number: u32) -> Result<(), pdf::Error> {
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

    pub(super) fn annotation_added(&mut self, page: u32, number: u32) -> Result<(), pdf::Error> {
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

    pub(super) fn has_normal_appearance(&mut self, view: View, dict: &Dictionary) -> bool {
        let Some(ap) = dict
            .get(b"AP")
            .ok()
            .and_then(|ap| self.file.dictionary_in(view, ap).ok())
        else {
            return false;
        };
        ap.has(b"N")
    }
}
