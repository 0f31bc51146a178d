//! Keys that sign: the [`Signer`] contract every key source implements (software keys now,
//! PKCS#11 tokens later), and [`Credential`], a signer with its certificate chain.

pub mod pin;
pub mod software;
pub mod token;

use std::fmt;
use std::sync::Arc;

use crate::algorithm::{Algorithm, Digest};
use crate::certificate::{self, Certificate};

/// Something that can sign bytes without revealing its private key: a software key, a key on a
/// smart card or HSM, or a remote signing service.
pub trait Signer: fmt::Debug + Send + Sync {
    /// The signature algorithm this key produces.
    fn algorithm(&self) -> Algorithm;

    /// The public key as a DER `SubjectPublicKeyInfo`.
    fn public_key(&self) -> &[u8];

    /// Signs `message`, hashing it with the algorithm's digest. ECDSA signatures are returned
    /// DER-encoded (`Ecdsa-Sig-Value`, RFC 5480), as CMS carries them.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error>;
}

/// A signer together with its certificate and the chain above it.
#[derive(Clone, Debug)]
pub struct Credential {
    pub signer: Arc<dyn Signer>,
    /// The signer's certificate first, then its issuers towards the root.
    pub chain: Vec<Certificate>,
}

impl Credential {
    /// Pairs `signer` with `chain`, reordering the chain so it starts at the certificate that
    /// holds the signer's public key.
    pub fn new(signer: Arc<dyn Signer>, certificates: Vec<Certificate>) -> Result<Self, Error> {
        let chain = certificate::order_chain(signer.public_key(), certificates)
            .ok_or(Error::NoMatchingCertificate)?;
        Ok(Self { signer, chain })
    }

    /// The signer's own certificate.
    pub fn certificate(&self) -> &Certificate {
        // `new` guarantees a non-empty chain starting with the signer's certificate.
        &self.chain[0]
    }
}

/// How a key should sign, where the key type allows a choice.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Hash to use; by default SHA-256 for RSA and the curve's matching hash for ECDSA.
    pub digest: Option<Digest>,
    /// RSA-PSS instead of PKCS#1 v1.5 for RSA keys.
    pub pss: bool,
}

/// Why a key could not be loaded or used. Never carries a PIN or passphrase.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("wrong passphrase for {path}")]
    WrongPassphrase { path: String },
    #[error("{path} is not a usable PKCS#12 file: {reason}")]
    Pkcs12 { path: String, reason: String },
    #[error("{path} holds no private key")]
    NoPrivateKey { path: String },
    #[error("no certificate matches the private key")]
    NoMatchingCertificate,
    #[error("unsupported key: {0}")]
    Unsupported(String),
    #[error("signing failed: {0}")]
    Sign(String),
    #[error(transparent)]
    Pin(#[from] pin::Error),
    #[error(transparent)]
    Token(#[from] token::Error),
    #[error(transparent)]
    Certificate(#[from] certificate::Error),
}
