//! Software keys from PKCS#12 files (RFC 7292), in the modern (AES, PBKDF2) and the legacy
//! (3DES or RC2, SHA-1 MAC) encodings.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use openssl::pkcs12::Pkcs12;
use openssl::pkey::{Id, PKey, Private};
use openssl::rsa::Padding;
use openssl::sign::RsaPssSaltlen;

use super::{Credential, Error, Signer, pin::Pin};
use crate::algorithm::{Algorithm, Digest};
use crate::certificate::Certificate;

/// A private key held in memory.
pub struct SoftwareKey {
    key: PKey<Private>,
    public_key: Vec<u8>,
    algorithm: Algorithm,
}

impl std::fmt::Debug for SoftwareKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftwareKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

pub use super::Options;

impl SoftwareKey {
    /// Wraps an openssl key, choosing the algorithm from the key type and `options`.
    pub fn new(key: PKey<Private>, options: Options) -> Result<Self, Error> {
        let algorithm = match key.id() {
            Id::RSA => {
                let digest = options.digest.unwrap_or(Digest::Sha256);
                if options.pss {
                    Algorithm::RsaPss(digest)
                } else {
                    Algorithm::RsaPkcs1(digest)
                }
            }
            Id::EC => {
                let bits = key.bits();
                let default = if bits > 256 {
                    Digest::Sha384
                } else {
                    Digest::Sha256
                };
                Algorithm::Ecdsa(options.digest.unwrap_or(default))
            }
            other => return Err(Error::Unsupported(format!("key type {other:?}"))),
        };
        let public_key = key
            .public_key_to_der()
            .map_err(|e| Error::Unsupported(e.to_string()))?;
        Ok(Self {
            key,
            public_key,
            algorithm,
        })
    }
}

impl Signer for SoftwareKey {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let sign_error = |e: openssl::error::ErrorStack| Error::Sign(e.to_string());
        let md = self.algorithm.digest().message_digest();
        let mut signer = openssl::sign::Signer::new(md, &self.key).map_err(sign_error)?;
        if let Algorithm::RsaPss(_) = self.algorithm {
            signer
                .set_rsa_padding(Padding::PKCS1_PSS)
                .map_err(sign_error)?;
            signer
                .set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)
                .map_err(sign_error)?;
            signer.set_rsa_mgf1_md(md).map_err(sign_error)?;
        }
        signer.update(message).map_err(sign_error)?;
        signer.sign_to_vec().map_err(sign_error)
    }
}

/// Loads the key and chain from a PKCS#12 file.
pub fn load_pkcs12(path: &Path, passphrase: &Pin, options: Options) -> Result<Credential, Error> {
    let name = path.display().to_string();
    let der = std::fs::read(path).map_err(|e| Error::Read {
        path: name.clone(),
        reason: e.kind().to_string(),
    })?;
    let pkcs12 = Pkcs12::from_der(&der).map_err(|_| Error::Pkcs12 {
        path: name.clone(),
        reason: "not a PKCS#12 structure".into(),
    })?;
    let parsed = match pkcs12.parse2(passphrase.expose()) {
        Ok(parsed) => parsed,
        Err(first) if is_unsupported_algorithm(&first) && load_legacy_provider() => pkcs12
            .parse2(passphrase.expose())
            .map_err(|e| classify(&name, &e))?,
        Err(error) => return Err(classify(&name, &error)),
    };
    let key = parsed
        .pkey
        .ok_or_else(|| Error::NoPrivateKey { path: name.clone() })?;
    let mut certificates = Vec::new();
    if let Some(cert) = parsed.cert {
        certificates.push(Certificate::from_der(&cert.to_der().map_err(|e| {
            Error::Pkcs12 {
                path: name.clone(),
                reason: e.to_string(),
            }
        })?)?);
    }
    for cert in parsed.ca.into_iter().flatten() {
        certificates.push(Certificate::from_der(&cert.to_der().map_err(|e| {
            Error::Pkcs12 {
                path: name.clone(),
                reason: e.to_string(),
            }
        })?)?);
    }
    let signer = SoftwareKey::new(key, options)?;
    Credential::new(Arc::new(signer), certificates)
}

fn is_unsupported_algorithm(error: &openssl::error::ErrorStack) -> bool {
    error.errors().iter().any(|e| {
        let reason = e.reason().unwrap_or_default();
        reason.contains("unsupported") || reason.contains("fetch failed")
    })
}

/// RC2 and some old PBE schemes live in OpenSSL 3's legacy provider; load it once, on demand.
fn load_legacy_provider() -> bool {
    static LEGACY: OnceLock<Option<(openssl::provider::Provider, openssl::provider::Provider)>> =
        OnceLock::new();
    LEGACY
        .get_or_init(|| {
            let legacy = openssl::provider::Provider::try_load(None, "legacy", true).ok()?;
            let default = openssl::provider::Provider::try_load(None, "default", true).ok()?;
            Some((legacy, default))
        })
        .is_some()
}

fn classify(path: &str, error: &openssl::error::ErrorStack) -> Error {
    let mac_failure = error.errors().iter().any(|e| {
        let reason = e.reason().unwrap_or_default();
        reason.contains("mac verify") || reason.contains("mac_verify")
    });
    if mac_failure || error.errors().is_empty() {
        Error::WrongPassphrase {
            path: path.to_owned(),
        }
    } else {
        Error::Pkcs12 {
            path: path.to_owned(),
            reason: error.to_string(),
        }
    }
}
