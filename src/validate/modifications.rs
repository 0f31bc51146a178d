//! What changed after each signature (ISO 32000-2 §7.5.6 incremental updates, §12.8.2
//! permissions; ETSI EN 319 142-1 §5.1): the updates after the first signed revision are read
//! strictly ([`crate::pdf::revision`]), each update's changes are explained object by object
//! by the role every object plays (`diff`, `roles`), judged by the permissions in force for a
//! signature (`rules`), and finally the pages are compared as drawn (`visual`).
//!
//! Each update is analysed once, against the revision before it, so a document with a
//! thousand sequential signatures costs a thousand small analyses, not a million.

mod diff;
mod graph;
mod roles;
mod rules;
mod visual;

use std::collections::HashMap;
use std::io::{Read, Seek};

pub(crate) use diff::Signature;
pub(crate) use rules::{Judged, Rules, judge};
pub(crate) use visual::Visual;

use crate::pdf::{self, View};

/// The updates after the first signed revision, each analysed.
#[derive(Debug)]
pub(crate) struct History {
    /// The view of the first signed revision.
    base: (u64, Option<View>),
    updates: Vec<Analysed>,
}

/// One update and what it changed.
#[derive(Debug)]
pub(crate) struct Analysed {
    pub(crate) start: u64,
    pub(crate) end: u64,
    pub(crate) view: Option<View>,
    pub(crate) changes: Vec<diff::Change>,
    /// Why the update could not be analysed (ambiguous structure, unreadable objects).
    pub(crate) problems: Vec<String>,
}

impl History {
    /// Reads and analyses every update after the revision that ends at `first_end`.
    /// `signatures` are the document's signature dictionaries by object number.
    pub(crate) fn read<R: Read + Seek>(
        file: &mut pdf::File<R>,
        first_end: u64,
        signatures: &HashMap<u32, Signature>,
    ) -> Result<Self, pdf::Error> {
        let updates = pdf::revision::updates_after(file, first_end)?;
        let base = pdf::revision::view_ending_at(file, first_end)?;
        let mut analysed = Vec::with_capacity(updates.len());
        let mut state = match base {
            Some(view) => start(file, view)?,
            None => None,
        };
        for update in updates {
            let mut problems: Vec<String> = update.problems.iter().map(|p| p.to_string()).collect();
            let mut changes = Vec::new();
            match (&mut state, update.view) {
                (Some((graph, marks, previous)), Some(next)) => {
                    let context = diff::Update {
                        previous: *previous,
                        next,
                        end: update.end,
                        written: &update.written,
                        freed: &update.freed,
                        signatures,
                    };
                    match diff::classify(file, &context, graph, marks) {
                        Ok(found) => {
                            changes = found;
                            *previous = next;
                        }
                        Err(error @ pdf::Error::Budget(_)) => return Err(error),
                        Err(error) => {
                            problems.push(error.to_string());
                            state = None;
                        }
                    }
                }
                _ => {
                    if problems.is_empty() {
                        problems.push(
                            "the revision before this update could not be analysed".to_owned(),
                        );
                    }
                    state = None;
                }
            }
            // After an ambiguous update, later ones are analysed from what it produced,
            // afresh, rather than from a picture that may have missed some of its objects.
            if !problems.is_empty() {
                state = match update.view {
                    Some(view) => start(file, view)?,
                    None => None,
                };
            }
            analysed.push(Analysed {
                start: update.start,
                end: update.end,
                view: update.view,
                changes,
                problems,
            });
        }
        Ok(Self {
            base: (first_end, base),
            updates: analysed,
        })
    }

    /// The updates after the revision that ends at `end`; `None` if no update starts there
    /// (the signed bytes end inside an update).
    pub(crate) fn after(&self, end: u64) -> Option<&[Analysed]> {
        if self.updates.last().is_some_and(|u| u.end <= end) {
            return Some(&[]);
        }
        let index = self.updates.iter().position(|u| u.start == end)?;
        Some(&self.updates[index..])
    }

    /// The view of the revision that ends at `end`.
    pub(crate) fn view_at(&self, end: u64) -> Option<View> {
        if self.base.0 == end {
            return self.base.1;
        }
        self.updates.iter().find(|u| u.end == end)?.view
    }
}

/// The graph and landmarks of a view, from which updates are analysed.
fn start<R: Read + Seek>(
    file: &mut pdf::File<R>,
    view: View,
) -> Result<Option<(graph::Graph, roles::Landmarks, View)>, pdf::Error> {
    let graph = match graph::Graph::build(file, view) {
        Ok(graph) => graph,
        Err(error @ pdf::Error::Budget(_)) => return Err(error),
        Err(_) => return Ok(None),
    };
    let marks = match roles::Landmarks::read(file, view) {
        Ok(marks) => marks,
        Err(error @ pdf::Error::Budget(_)) => return Err(error),
        Err(_) => return Ok(None),
    };
    Ok(Some((graph, marks, view)))
}
