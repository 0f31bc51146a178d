//! Trust anchors: the certificates a validation may end a chain at. The user's own
//! (`--trust`), and the EU trusted lists (ETSI TS 119 612) with what they say about each trust
//! service, read through [`xmldsig`] and [`tsl`].

pub mod lists;
pub mod qualification;
pub mod tsl;
pub mod xml;
pub mod xmldsig;

use std::path::Path;

use crate::certificate::{self, Certificate};

/// A set of trust anchors.
#[derive(Clone, Debug, Default)]
pub struct Store {
    anchors: Vec<Certificate>,
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

    pub fn anchors(&self) -> &[Certificate] {
        &self.anchors
    }

    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    pub fn contains(&self, certificate: &Certificate) -> bool {
        self.anchors.iter().any(|a| a == certificate)
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
