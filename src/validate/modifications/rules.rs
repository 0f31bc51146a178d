//! The permissions a signature grants for later changes (ISO 32000-2 §12.8.2.2 DocMDP, Table
//! 257; §12.8.2.4 FieldMDP and field locks) applied to the changes found: each change is
//! allowed, allowed if its area of the page held nothing signed, or not allowed.

use super::diff::{Change, Edit, Harmless, Region};
use crate::pdf::permissions::{DocMdp, Locked};
use crate::validate::report::Finding;

/// The permissions in force for the changes after one signature.
#[derive(Clone, Debug, Default)]
pub(crate) struct Rules {
    /// The DocMDP level of the document's certification, or of a field lock (the strictest).
    pub(crate) level: Option<DocMdp>,
    /// Whether a certification signature (not only a lock) set `level`.
    pub(crate) certified: bool,
    pub(crate) locks: Vec<Locked>,
}

/// A changed area of a page that is allowed only if the signed revision showed nothing there.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Area {
    pub(crate) region: Region,
    /// What appears there, for messages.
    pub(crate) what: String,
    /// The finding when it covers signed content.
    pub(crate) finding: &'static str,
    /// What the appearance may do to signed content below it and still pass.
    pub(crate) tint: Tint,
}

/// How much a markup annotation may change the content below it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tint {
    /// Nothing: any change over signed content counts.
    None,
    /// Colour over content that stays readable (highlights).
    Highlight,
    /// Thin lines over content that stays readable (underline, strike-out).
    Line,
}

/// The verdict on the changes after one signature.
#[derive(Clone, Debug, Default)]
pub(crate) struct Judged {
    /// Allowed changes, each with the group it is summarised in when there are many.
    allowed: Vec<(Option<Group>, String)>,
    /// Not allowed, and changing what a page shows: the signature fails.
    pub(crate) drawn: Vec<String>,
    /// Not allowed, or not verifiable: the signature is not passed.
    pub(crate) other: Vec<String>,
    pub(crate) findings: Vec<Finding>,
    /// Areas the visual comparison must find empty in the signed revision.
    pub(crate) areas: Vec<Area>,
}

/// Allowed changes of one kind, counted instead of listed when a document has many of them
/// (a thousand seals need not list a thousand lines under the first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    Signed,
    TimeStamped,
    EmptyFields,
    Filled,
    Annotated,
}

impl Group {
    fn of(change: &Change) -> Option<Self> {
        match change {
            Change::Signed {
                timestamp: false, ..
            } => Some(Self::Signed),
            Change::Signed {
                timestamp: true, ..
            } => Some(Self::TimeStamped),
            Change::EmptySignatureField { .. } => Some(Self::EmptyFields),
            Change::FormFilled { .. } => Some(Self::Filled),
            Change::Annotation { .. } => Some(Self::Annotated),
            _ => None,
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Self::Signed => "signatures added",
            Self::TimeStamped => "document time-stamps added",
            Self::EmptyFields => "empty signature fields added",
            Self::Filled => "form field changes",
            Self::Annotated => "annotation changes",
        }
    }
}

/// Groups with more members than this are summarised.
const LISTED: usize = 3;

impl Judged {
    fn allow(&mut self, change: &Change, text: String) {
        let line = (Group::of(change), text);
        // The same harmless change in many updates (validation data extended) is one line.
        if line.0.is_none() && self.allowed.contains(&line) {
            return;
        }
        self.allowed.push(line);
    }

    /// The allowed changes as lines: each, or for a large group its count, first and last.
    pub(crate) fn allowed(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let mut done: Vec<Group> = Vec::new();
        for (group, text) in &self.allowed {
            let Some(group) = group else {
                lines.push(text.clone());
                continue;
            };
            if done.contains(group) {
                continue;
            }
            let members: Vec<&String> = self
                .allowed
                .iter()
                .filter(|(g, _)| g.as_ref() == Some(group))
                .map(|(_, t)| t)
                .collect();
            if members.len() <= LISTED {
                lines.push(text.clone());
                continue;
            }
            done.push(*group);
            let (first, last) = (members[0], members[members.len() - 1]);
            lines.push(format!(
                "{} {} (the first: {first}; the last: {last})",
                members.len(),
                group.plural()
            ));
        }
        lines
    }

    fn finding(&mut self, id: &'static str, detail: String) {
        if !self.findings.iter().any(|f| f.id == id) {
            self.findings.push(Finding { id, detail });
        }
    }
}

/// Judges `changes` (all updates after a signature, in order) under `rules`.
pub(crate) fn judge<'a>(changes: impl IntoIterator<Item = &'a Change>, rules: &Rules) -> Judged {
    let mut judged = Judged::default();
    let no_changes = rules.level == Some(DocMdp::NoChanges);
    for change in changes {
        let text = change.to_string();
        match change {
            Change::Harmless(Harmless::FormDefaults) if no_changes => judged.other.push(format!(
                "{text}, although the certification allows no changes"
            )),
            Change::Harmless(_) => judged.allow(change, text),
            Change::Signed {
                timestamp: true,
                region,
                ..
            } => {
                // Allowed at every level, but a time-stamp's widget may not cover content.
                judged.allow(change, text.clone());
                area(
                    &mut judged,
                    region,
                    text,
                    "SNEAKY_SIGNATURE_ATTACK",
                    Tint::None,
                );
            }
            Change::Signed { region, .. } => {
                if no_changes {
                    judged.drawn.push(format!(
                        "{text} although the certification allows no changes"
                    ));
                } else {
                    judged.allow(change, text.clone());
                    area(
                        &mut judged,
                        region,
                        text,
                        "SNEAKY_SIGNATURE_ATTACK",
                        Tint::None,
                    );
                }
            }
            Change::EmptySignatureField { region, .. } => {
                if no_changes {
                    judged.drawn.push(format!(
                        "{text} although the certification allows no changes"
                    ));
                } else {
                    judged.allow(change, text.clone());
                    area(
                        &mut judged,
                        region,
                        text,
                        "SNEAKY_SIGNATURE_ATTACK",
                        Tint::None,
                    );
                }
            }
            Change::FieldAdded { field, region } => {
                if rules.certified {
                    judged
                        .drawn
                        .push(format!("{text}, which the certification does not allow"));
                    judged.finding(
                        "SHADOW_ATTACK_REPLACE",
                        format!("form field {field} was added to the certified document"),
                    );
                } else {
                    judged.allow(change, text.clone());
                    area(
                        &mut judged,
                        region,
                        text,
                        "SHADOW_ATTACK_REPLACE",
                        Tint::None,
                    );
                }
            }
            Change::FormFilled {
                field,
                replaced,
                regions,
            } => {
                if rules.locks.iter().any(|l| l.covers(field)) {
                    judged.drawn.push(format!(
                        "form field {field} was changed although a signature locks it"
                    ));
                    judged.finding("LOCKED_FIELD_CHANGED", format!("form field {field}"));
                } else if no_changes {
                    judged.drawn.push(format!(
                        "form field {field} was filled in although the certification allows no changes"
                    ));
                } else if rules.level.is_some() {
                    judged.allow(
                        change,
                        format!(
                            "form field {field} filled in (the certification allows form filling)"
                        ),
                    );
                    for region in regions {
                        area(
                            &mut judged,
                            &Some(region.clone()),
                            text.clone(),
                            "SHADOW_ATTACK_REPLACE",
                            Tint::None,
                        );
                    }
                } else if *replaced {
                    judged.other.push(format!(
                        "form field {field} shows something else than when signed, and no certification allows form filling"
                    ));
                    judged.finding(
                        "SHADOW_ATTACK_REPLACE",
                        format!(
                            "form field {field}, present at signing, shows a new value: the way a shadow attack replaces content"
                        ),
                    );
                } else {
                    judged.allow(change, text.clone());
                    for region in regions {
                        area(
                            &mut judged,
                            &Some(region.clone()),
                            text.clone(),
                            "SHADOW_ATTACK_REPLACE",
                            Tint::None,
                        );
                    }
                }
            }
            Change::NeedAppearances => judged
                .other
                .push(format!("{text}: what they show then was never signed")),
            Change::Annotation {
                number,
                subtype,
                edit,
                region,
                unverifiable,
            } => annotation(
                &mut judged,
                rules,
                (change, (*number, subtype, *edit, region, *unverifiable)),
                text,
            ),
            Change::Forbidden {
                what,
                drawn,
                finding,
            } => {
                if *drawn {
                    judged.drawn.push(what.clone());
                    judged.finding(
                        finding.unwrap_or("INCREMENTAL_SAVING_ATTACK"),
                        format!(
                            "an incremental update after signing changes what is shown: {what}"
                        ),
                    );
                } else {
                    judged.other.push(what.clone());
                    if let Some(id) = finding {
                        judged.finding(id, what.clone());
                    }
                }
            }
        }
    }
    judged
}

#[allow(
    clippy::type_complexity,
    reason = "the fields of one change, destructured"
)]
fn annotation(
    judged: &mut Judged,
    rules: &Rules,
    (change, (number, subtype, edit, region, unverifiable)): (
        &Change,
        (u32, &str, Edit, &Option<Region>, bool),
    ),
    text: String,
) {
    let eaa = |judged: &mut Judged| {
        judged.finding(
            "EVIL_ANNOTATION_ATTACK",
            format!(
                "a {subtype} annotation was added or changed on the certified document (DocMDP level {}), where it can cover or add content",
                rules.level.map_or(2, DocMdp::p)
            ),
        );
    };
    if unverifiable {
        judged.other.push(format!(
            "{text} without an appearance of its own: viewers draw its text each in their own way"
        ));
        if rules.certified {
            eaa(judged);
        }
        return;
    }
    let tint = match subtype {
        "Highlight" => Tint::Highlight,
        "Underline" | "StrikeOut" | "Squiggly" => Tint::Line,
        _ => Tint::None,
    };
    match rules.level {
        Some(DocMdp::Annotations) => {
            judged.allow(
                change,
                format!("{text} (the certification allows annotations)"),
            );
            area(judged, region, text, "EVIL_ANNOTATION_ATTACK", tint);
        }
        Some(_) if rules.certified => {
            judged.drawn.push(format!(
                "{text} after signing, which the certification does not allow"
            ));
            eaa(judged);
        }
        Some(DocMdp::NoChanges) => judged
            .drawn
            .push(format!("{text} although a signature allows no changes")),
        _ if edit == Edit::Added => {
            judged.allow(change, text.clone());
            area(judged, region, text, "INCREMENTAL_SAVING_ATTACK", tint);
        }
        _ => {
            let _ = number;
            judged
                .other
                .push(format!("{text}: it was part of what was signed"));
        }
    }
}

fn area(
    judged: &mut Judged,
    region: &Option<Region>,
    what: String,
    finding: &'static str,
    tint: Tint,
) {
    if let Some(region) = region {
        judged.areas.push(Area {
            region: region.clone(),
            what,
            finding,
            tint,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(field: &str, replaced: bool) -> Change {
        Change::FormFilled {
            field: field.into(),
            replaced,
            regions: Vec::new(),
        }
    }

    #[test]
    fn a_locked_field_may_not_be_filled_even_where_the_certification_allows_filling() {
        let rules = Rules {
            level: Some(DocMdp::FormFilling),
            certified: true,
            locks: vec![Locked::Include(vec!["Betrag".into()])],
        };
        let judged = judge(&[filled("Betrag", false)], &rules);
        assert_eq!(judged.drawn.len(), 1, "{judged:?}");
        assert_eq!(judged.findings[0].id, "LOCKED_FIELD_CHANGED");
        let judged = judge(&[filled("Bemerkung", false)], &rules);
        assert!(judged.drawn.is_empty() && judged.other.is_empty());
        assert_eq!(judged.allowed().len(), 1);
    }

    #[test]
    fn a_lock_level_of_1_forbids_what_the_certification_would_allow() {
        let rules = Rules {
            level: Some(DocMdp::NoChanges),
            certified: false,
            locks: Vec::new(),
        };
        let signed = Change::Signed {
            field: "Signature2".into(),
            added: true,
            timestamp: false,
            region: None,
        };
        assert_eq!(judge([&signed], &rules).drawn.len(), 1);
        assert_eq!(judge([&signed], &Rules::default()).allowed.len(), 1);
    }

    #[test]
    fn a_value_replaced_after_an_approval_signature_is_never_passed() {
        let judged = judge(&[filled("Betrag", true)], &Rules::default());
        assert_eq!(judged.other.len(), 1);
        assert_eq!(judged.findings[0].id, "SHADOW_ATTACK_REPLACE");
        let judged = judge(&[filled("Betrag", false)], &Rules::default());
        assert!(judged.other.is_empty() && judged.drawn.is_empty());
    }

    #[test]
    fn validation_data_and_time_stamps_pass_even_where_no_changes_are_allowed() {
        let rules = Rules {
            level: Some(DocMdp::NoChanges),
            certified: true,
            locks: Vec::new(),
        };
        let stamp = Change::Signed {
            field: "Timestamp1".into(),
            added: true,
            timestamp: true,
            region: None,
        };
        let judged = judge(
            [&Change::Harmless(Harmless::ValidationData), &stamp],
            &rules,
        );
        assert_eq!(judged.allowed().len(), 2);
        assert!(judged.drawn.is_empty() && judged.other.is_empty());
    }
}
