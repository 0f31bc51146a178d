//! Trust anchors: the certificates a validation may end a chain at. The user's own
//! (`--trust`), and the EU trusted lists (ETSI TS 119 612) with what they say about each trust
//! service, read through [`xmldsig`] and [`tsl`].

pub mod cache;
pub mod lists;
pub mod qualification;
pub mod tsl;
pub mod xml;
pub mod xmldsig;

use std::path::Path;
use std::sync::Arc;

use crate::certificate::{self, Certificate};

/// A set of trust anchors: the user's own, and the services of a verified trusted-list
/// snapshot.
#[derive(Clone, Debug, Default)]
pub struct Store {
    anchors: Vec<Certificate>,
    lists: Option<Arc<lists::Snapshot>>,
}

impl Store {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds every certificate in a PEM or DER file.
    pub fn add_file(&mut self, path: &Path) -> Result<(), Error> {
        let bytes = std::fs::read(path).map_err(|e| Error::Read {
            path: path.display().to_string(),
            reason: e.kind().to_string(),
        })?;
        let certificates = Certificate::load_all(&bytes).map_err(|source| Error::Parse {
            path: path.display().to_string(),
            source,
        })?;
        if certificates.is_empty() {
            return Err(Error::Read {
                path: path.display().to_string(),
                reason: "no certificate in file".into(),
            });
        }
        self.anchors.extend(certificates);
        Ok(())
    }

    pub fn add(&mut self, certificate: Certificate) {
        self.anchors.push(certificate);
    }

    /// Adds the services of a verified trusted-list snapshot as anchors.
    pub fn set_lists(&mut self, snapshot: Arc<lists::Snapshot>) {
        self.lists = Some(snapshot);
    }

    pub fn lists(&self) -> Option<&lists::Snapshot> {
        self.lists.as_deref()
    }

    /// The user's own anchors (the lists' are looked up by name, [`Store::listed_issuers`]).
    pub fn anchors(&self) -> &[Certificate] {
        &self.anchors
    }

    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty() && self.lists.is_none()
    }

    /// Whether `certificate` is a user anchor or a listed trust service's identity.
    pub fn contains(&self, certificate: &Certificate) -> bool {
        self.anchors.iter().any(|a| a == certificate)
            || self.lists.as_ref().is_some_and(|l| {
                l.anchors_named(&certificate.subject_der())
                    .any(|a| a == certificate)
            })
    }

    /// The listed anchors that may have issued any of `certificates` (looked up by issuer
    /// name in the index), for path building.
    pub fn listed_issuers<'c>(
        &'c self,
        certificates: impl Iterator<Item = &'c Certificate> + 'c,
    ) -> Vec<&'c Certificate> {
        let Some(lists) = self.lists.as_deref() else {
            return Vec::new();
        };
        let mut found: Vec<&Certificate> = Vec::new();
        for certificate in certificates {
            for anchor in lists.anchors_named(&certificate.issuer_der()) {
                if !found.contains(&anchor) {
                    found.push(anchor);
                }
            }
        }
        found
    }
}

/// Why trust anchors could not be loaded.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read trust anchor {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("cannot parse trust anchor {path}: {source}")]
    Parse {
        path: String,
        source: certificate::Error,
    },
}
