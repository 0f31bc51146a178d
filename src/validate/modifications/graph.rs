//! Who refers to whom in one revision (ISO 32000-2 §7.3.10 indirect references): the
//! references of every object reachable from the trailer, kept up to date update by update.
//! A changed object is judged by every place it is used, never by what it says it is.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek};

use lopdf::Object;

use crate::pdf::{self, View};

/// Object 0 is always free (ISO 32000-2 §7.5.4), so it stands for the trailer.
pub(crate) const TRAILER: u32 = 0;
/// Most objects followed from the trailer; a document with more is not compared.
pub(crate) const MAX_REACHABLE: usize = 500_000;

/// A reference: the object on the other end and the key of the referring dictionary it sits
/// under (`[]` for an item of an array object).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Edge {
    pub(crate) other: u32,
    pub(crate) key: Box<[u8]>,
}

/// The references among the objects reachable in one view.
#[derive(Debug, Default)]
pub(crate) struct Graph {
    edges: HashMap<u32, Vec<Edge>>,
    referrers: HashMap<u32, Vec<Edge>>,
    /// Everything reachable since the first signed revision: objects only ever join, so an
    /// object detached and brought back later counts as known, never as hidden.
    reachable: HashSet<u32>,
    /// Objects that became reachable since the last [`Graph::apply`].
    joined: Vec<u32>,
}

impl Graph {
    /// Follows every reference from the trailer of `view`.
    pub(crate) fn build<R: Read + Seek>(
        file: &mut pdf::File<R>,
        view: View,
    ) -> Result<Self, pdf::Error> {
        let mut graph = Self::default();
        let trailer = file
            .trailer_in(view)
            .cloned()
            .ok_or(pdf::Error::Structure("no trailer for this revision"))?;
        graph.reachable.insert(TRAILER);
        let edges = references(&Object::Dictionary(trailer));
        graph.follow(file, view, TRAILER, edges)?;
        Ok(graph)
    }

    /// Moves the graph to `view`, the document after an update that wrote (or freed)
    /// `written`. Returns the objects that became reachable, in the order found.
    pub(crate) fn apply<R: Read + Seek>(
        &mut self,
        file: &mut pdf::File<R>,
        view: View,
        written: &[u32],
    ) -> Result<Vec<u32>, pdf::Error> {
        self.joined.clear();
        let trailer = file
            .trailer_in(view)
            .cloned()
            .ok_or(pdf::Error::Structure("no trailer for this revision"))?;
        let mut pending: Vec<(u32, Vec<Edge>)> =
            vec![(TRAILER, references(&Object::Dictionary(trailer)))];
        for &number in written {
            if self.reachable.contains(&number) {
                let edges = match file.shallow_in(view, (number, 0)) {
                    Ok(object) => references(&object),
                    Err(pdf::Error::Budget(exhausted)) => {
                        return Err(pdf::Error::Budget(exhausted));
                    }
                    Err(_) => Vec::new(),
                };
                pending.push((number, edges));
            }
        }
        for (number, edges) in pending {
            self.unlink(number);
            self.follow(file, view, number, edges)?;
        }
        Ok(std::mem::take(&mut self.joined))
    }

    /// Who refers to `number`.
    pub(crate) fn referrers(&self, number: u32) -> &[Edge] {
        self.referrers.get(&number).map_or(&[], Vec::as_slice)
    }

    fn unlink(&mut self, number: u32) {
        for edge in self.edges.remove(&number).unwrap_or_default() {
            if let Some(list) = self.referrers.get_mut(&edge.other) {
                list.retain(|e| e.other != number);
            }
        }
    }

    /// Records `edges` of `from`, then walks into every target not reachable yet.
    fn follow<R: Read + Seek>(
        &mut self,
        file: &mut pdf::File<R>,
        view: View,
        from: u32,
        edges: Vec<Edge>,
    ) -> Result<(), pdf::Error> {
        let mut queue = vec![(from, edges)];
        while let Some((number, edges)) = queue.pop() {
            for edge in &edges {
                self.referrers.entry(edge.other).or_default().push(Edge {
                    other: number,
                    key: edge.key.clone(),
                });
                if self.reachable.insert(edge.other) {
                    self.joined.push(edge.other);
                    if self.reachable.len() > MAX_REACHABLE {
                        return Err(pdf::Error::Structure(
                            "the document has too many objects to compare",
                        ));
                    }
                    let target = match file.shallow_in(view, (edge.other, 0)) {
                        Ok(object) => references(&object),
                        Err(pdf::Error::Budget(exhausted)) => {
                            return Err(pdf::Error::Budget(exhausted));
                        }
                        // A reference to nothing is null (§7.3.10); it is still recorded, so
                        // an update that defines the object later is seen to change its user.
                        Err(_) => Vec::new(),
                    };
                    queue.push((edge.other, target));
                }
            }
            self.edges.insert(number, edges);
        }
        Ok(())
    }
}

/// Every reference inside `object` with the top-level key it sits under.
pub(crate) fn references(object: &Object) -> Vec<Edge> {
    let mut out = Vec::new();
    let push_all = |key: &[u8], value: &Object, out: &mut Vec<Edge>| {
        let mut stack = vec![value];
        while let Some(value) = stack.pop() {
            match value {
                Object::Reference(id) => out.push(Edge {
                    other: id.0,
                    key: key.into(),
                }),
                Object::Array(items) => stack.extend(items),
                Object::Dictionary(dict) => stack.extend(dict.iter().map(|(_, v)| v)),
                Object::Stream(stream) => stack.extend(stream.dict.iter().map(|(_, v)| v)),
                _ => {}
            }
        }
    };
    match object {
        Object::Dictionary(dict) => {
            for (key, value) in dict.iter() {
                push_all(key, value, &mut out);
            }
        }
        Object::Stream(stream) => {
            for (key, value) in stream.dict.iter() {
                push_all(key, value, &mut out);
            }
        }
        other => push_all(b"[]", other, &mut out),
    }
    out
}
