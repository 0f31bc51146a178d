//! Interactive forms after signing (ISO 32000-2 §12.7): fields filled in, signature fields
//! added or signed, the form's defaults; every widget judged by the area it covers.

use std::collections::BTreeSet;
use std::io::{Read, Seek};

use lopdf::{Dictionary, Object};

use super::{
    Change, Context, Edit, Harmless, Region, Role, changed_keys, dict_of, field_name, field_type,
    is_empty_value, number_of, region, region_is_some_visible, subtype, union,
};
use crate::pdf;

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

impl<R: Read + Seek> Context<'_, R> {
    /// New fonts for the form are harmless; an existing font name bound to another font
    /// changes how fields are drawn.
    pub(super) fn form_resources(
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

    pub(super) fn resources_grew(&mut self, old: &Dictionary, new: &Dictionary, what: &str) {
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
    pub(super) fn form_dictionary(
        &mut self,
        old: &Dictionary,
        new: &Dictionary,
    ) -> Result<(), pdf::Error> {
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

    pub(super) fn need_appearances(&mut self, form: &Dictionary) {
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
    pub(super) fn field_list(&mut self, old: &[Object], new: &[Object], what: &str) {
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
    pub(super) fn form_object(
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
    pub(super) fn field(
        &mut self,
        number: u32,
        old: &Object,
        new: &Object,
    ) -> Result<(), pdf::Error> {
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
    pub(super) fn appearance(&mut self, annotation: u32) -> Result<(), pdf::Error> {
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
    pub(super) fn signed_here(&mut self, value: Option<&Object>) -> Option<bool> {
        let id = value?.as_reference().ok()?;
        let signature = self.update.signatures.get(&id.0)?;
        (self.is_fresh(id.0) && signature.end == self.update.end).then_some(signature.timestamp)
    }

    /// Fields the form gained in this update, judged as what they are.
    pub(super) fn added_fields(&mut self) -> Result<(), pdf::Error> {
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
    pub(super) fn off_page_widget(&mut self, field: u32) -> Option<u32> {
        self.widgets(field)
            .into_iter()
            .find(|w| self.after.page_of(*w).is_none() && self.is_drawable(*w))
    }

    pub(super) fn is_drawable(&mut self, widget: u32) -> bool {
        let view = self.update.next;
        self.file
            .dictionary_in(view, &Object::Reference((widget, 0)))
            .is_ok_and(|d| region_is_some_visible(&d))
    }

    /// Every widget of the field must have a plain rectangle.
    pub(super) fn widget_shapes(&mut self, field: u32) -> Result<(), String> {
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
    pub(super) fn widgets(&mut self, field: u32) -> Vec<u32> {
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
    pub(super) fn widget_regions(&mut self, field: u32) -> Vec<Region> {
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
}
