//! A verified set of trusted lists: the LOTL checked against pinned signers, each national list
//! against the certificates its LOTL pointer announces (ETSI TS 119 615 v1.2.1 §4.1), with the
//! services indexed by the subject name of their digital identities.
//!
//! Bytes come from a caller-supplied source (a cache folder, a download, a test map); nothing
//! here touches the network or the file system, and the time every signature is judged at is a
//! parameter.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::tsl::{self, List, Pointer, Provider, Service};
use super::xmldsig::{self, Signed};
use crate::certificate::Certificate;

/// A national list that was verified and read.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub list: List,
    pub signer: Certificate,
    /// SHA-256 of the file as verified (upper-case hex): names exactly which issue of the list
    /// a validation relied on, for the report's trust basis.
    pub sha256: String,
    /// Where the LOTL pointer says the list is published; `None` for the LOTL itself.
    pub location: Option<String>,
}

/// A list that could not be used, and why.
#[derive(Clone, Debug)]
pub struct Failure {
    pub territory: String,
    pub location: String,
    pub error: Error,
}

/// The LOTL and the national lists it points to.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub lotl: Loaded,
    pub lists: Vec<Loaded>,
    pub failures: Vec<Failure>,
    /// Subject name (DER) of a service identity -> (list, provider, service) indices.
    index: HashMap<Vec<u8>, Vec<(usize, usize, usize)>>,
}

/// One listed service with where it is listed.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'s> {
    pub territory: &'s str,
    pub provider: &'s Provider,
    pub service: &'s Service,
    /// The identity certificate that matched.
    pub identity: &'s Certificate,
}

impl Snapshot {
    /// Verifies `lotl` with `signers` at `time`, then each national list `source` yields for a
    /// pointer (territories in `territories`, all when empty) with the signers the pointer
    /// announces. A national list that fails is recorded in `failures` and not used; a LOTL
    /// that fails is an error.
    pub fn load(
        lotl: &[u8],
        signers: &[Certificate],
        territories: &[String],
        source: &mut dyn FnMut(&Pointer) -> Option<Vec<u8>>,
        time: DateTime<Utc>,
    ) -> Result<Self, Error> {
        let lotl = read(lotl, signers, time)?;
        if !lotl.list.is_lotl() {
            return Err(Error::NotLotl(lotl.list.kind.clone()));
        }
        let mut lists = Vec::new();
        let mut failures = Vec::new();
        for pointer in lotl.list.xml_pointers() {
            let territory = pointer.territory.clone().unwrap_or_default();
            if !territories.is_empty() && !territories.contains(&territory) {
                continue;
            }
            let outcome = match source(pointer) {
                None => Err(Error::Unavailable),
                Some(bytes) => read(&bytes, &pointer.signers, time).and_then(|loaded| {
                    if loaded.list.territory == territory {
                        Ok(Loaded {
                            location: Some(pointer.location.clone()),
                            ..loaded
                        })
                    } else {
                        Err(Error::WrongTerritory(loaded.list.territory.clone()))
                    }
                }),
            };
            match outcome {
                Ok(loaded) => lists.push(loaded),
                Err(error) => failures.push(Failure {
                    territory,
                    location: pointer.location.clone(),
                    error,
                }),
            }
        }
        let mut index: HashMap<Vec<u8>, Vec<(usize, usize, usize)>> = HashMap::new();
        for (l, loaded) in lists.iter().enumerate() {
            for (p, provider) in loaded.list.providers.iter().enumerate() {
                for (s, service) in provider.services.iter().enumerate() {
                    for identity in &service.identities {
                        index
                            .entry(identity.subject_der())
                            .or_default()
                            .push((l, p, s));
                    }
                }
            }
        }
        Ok(Self {
            lotl,
            lists,
            failures,
            index,
        })
    }

    /// The listed services whose identity has the public key that issued `certificate` (name
    /// looked up in the index, key compared): at most a handful, never a scan.
    pub fn issuers_of(&self, certificate: &Certificate) -> Vec<Entry<'_>> {
        self.named(&certificate.issuer_der(), |identity| {
            issued_by(certificate, identity)
        })
    }

    /// The listed services whose identity is `certificate` itself (same name and public key,
    /// TS 119 612 §5.5.3): how time-stamping units are usually listed.
    pub fn services_of(&self, certificate: &Certificate) -> Vec<Entry<'_>> {
        self.named(&certificate.subject_der(), |identity| {
            identity.public_key() == certificate.public_key()
        })
    }

    /// The services with an identity named `name` (DER) for which `matches` holds.
    fn named(&self, name: &[u8], matches: impl Fn(&Certificate) -> bool) -> Vec<Entry<'_>> {
        let Some(hits) = self.index.get(name) else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for &(l, p, s) in hits {
            let Some(loaded) = self.lists.get(l) else {
                continue;
            };
            let Some(provider) = loaded.list.providers.get(p) else {
                continue;
            };
            let Some(service) = provider.services.get(s) else {
                continue;
            };
            for identity in &service.identities {
                if identity.subject_der() == name && matches(identity) {
                    found.push(Entry {
                        territory: &loaded.list.territory,
                        provider,
                        service,
                        identity,
                    });
                }
            }
        }
        found
    }

    /// The identities named `name` (DER) of services that may anchor a path: certificate
    /// authorities (CA/QC, CA/PKC) that were ever granted. Whether the service was granted at
    /// the time that matters is the qualification's question, not the path's (as TS 119 615
    /// §4.2 separates them).
    pub fn anchors_named<'s>(&'s self, name: &[u8]) -> impl Iterator<Item = &'s Certificate> + 's {
        let name = name.to_vec();
        self.index
            .get(&name)
            .into_iter()
            .flatten()
            .filter_map(|&(l, p, s)| self.lists.get(l)?.list.providers.get(p)?.services.get(s))
            .filter(|service| service.phases.iter().any(anchoring))
            .flat_map(|service| service.identities.iter())
            .filter(move |identity| identity.subject_der() == name)
    }

    /// How many service identities the lists hold.
    pub fn identity_count(&self) -> usize {
        self.index.values().map(Vec::len).sum()
    }
}

/// Pivot LOTLs followed at most (the bound; the EU has published a handful).
pub const MAX_PIVOTS: usize = 10;

/// The certificates to verify `lotl` with when its signer is not among `pinned`: the pivot
/// LOTLs its `SchemeInformationURI` names (ETSI TS 119 615 §4.1.3, the OJ's transition
/// mechanism) are checked oldest first, each with the signers the one before announces in its
/// EU self-pointer, starting from `pinned`. The LOTL's own content is read only to find the
/// pivot URLs, after its signature verified with its own certificate; nothing is trusted
/// until the chain from `pinned` reaches its signer.
pub fn lotl_signers(
    lotl: &[u8],
    pinned: &[Certificate],
    fetch: &mut dyn FnMut(&str) -> Option<Vec<u8>>,
    time: DateTime<Utc>,
) -> Result<Vec<Certificate>, Error> {
    let signed = Signed::parse(lotl)?;
    let embedded = signed.embedded_certificates().to_vec();
    if embedded
        .first()
        .is_none_or(|signer| pinned.iter().any(|p| p.public_key() == signer.public_key()))
    {
        return Ok(pinned.to_vec());
    }
    let own = List::parse(&signed.verify(&embedded[..1], time)?)?;
    let mut pivots: Vec<&String> = own
        .information_uris
        .iter()
        .filter(|uri| uri.ends_with(".xml"))
        .collect();
    if pivots.len() > MAX_PIVOTS {
        return Err(Error::Pivot(format!("more than {MAX_PIVOTS} pivot LOTLs")));
    }
    // Listed newest first; walked oldest first.
    pivots.reverse();
    let mut trusted = pinned.to_vec();
    for uri in pivots {
        let bytes = fetch(uri).ok_or_else(|| Error::Pivot(format!("{uri} is not available")))?;
        // A pivot is a historical document: its signer is judged at the time it signed (the
        // XAdES signing time the signature covers), as its successors' signers replaced it.
        let pivot = Signed::parse(&bytes)
            .and_then(|signed| {
                let at = signed.signing_time().unwrap_or(time);
                signed.verify(&trusted, at)
            })
            .map_err(Error::from)
            .and_then(|verified| {
                Ok(Loaded {
                    list: List::parse(&verified)?,
                    signer: verified.signer,
                    sha256: digest(&bytes),
                    location: Some(uri.to_owned()),
                })
            })
            .map_err(|e| Error::Pivot(format!("{uri}: {e}")))?;
        let announced: Vec<Certificate> = pivot
            .list
            .pointers
            .iter()
            .filter(|p| p.kind.as_deref() == Some(tsl::TYPE_EU_LOTL))
            .flat_map(|p| p.signers.iter().cloned())
            .collect();
        if announced.is_empty() {
            return Err(Error::Pivot(format!("{uri} announces no LOTL signer")));
        }
        trusted = announced;
    }
    Ok(trusted)
}

/// A certificate-authority phase in a granted state.
fn anchoring(phase: &tsl::Phase) -> bool {
    const CA: [&str; 2] = [
        "http://uri.etsi.org/TrstSvc/Svctype/CA/QC",
        "http://uri.etsi.org/TrstSvc/Svctype/CA/PKC",
    ];
    CA.contains(&phase.kind.as_str()) && super::qualification::granted(&phase.status)
}

/// Whether `identity`'s key made `certificate`'s signature (openssl does the maths).
fn issued_by(certificate: &Certificate, identity: &Certificate) -> bool {
    let check = || -> Result<bool, openssl::error::ErrorStack> {
        let issuer = openssl::x509::X509::from_der(identity.der())?;
        let subject = openssl::x509::X509::from_der(certificate.der())?;
        subject.verify(&*issuer.public_key()?)
    };
    check().unwrap_or(false)
}

/// Verifies one list with `signers` at `time` and reads it.
pub fn read(bytes: &[u8], signers: &[Certificate], time: DateTime<Utc>) -> Result<Loaded, Error> {
    let verified = Signed::parse(bytes)?.verify(signers, time)?;
    let list = List::parse(&verified)?;
    Ok(Loaded {
        list,
        signer: verified.signer,
        sha256: digest(bytes),
        location: None,
    })
}

fn digest(bytes: &[u8]) -> String {
    crate::certificate::hex_upper(&crate::algorithm::Digest::Sha256.hash(bytes))
}

/// Why a list was not used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Signature(#[from] xmldsig::Error),
    #[error(transparent)]
    Content(#[from] tsl::Error),
    #[error("the list is of type {0}, not the EU list of trusted lists")]
    NotLotl(String),
    #[error("the list names territory {0}, not the one its pointer announces")]
    WrongTerritory(String),
    #[error("the list is not available")]
    Unavailable,
    #[error("the download failed: {0}")]
    Download(String),
    #[error("the pivot LOTLs do not lead from the pinned signers to this LOTL's: {0}")]
    Pivot(String),
}
