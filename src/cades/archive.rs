//! The archive-time-stamp-v3 of CAdES B-LTA (ETSI EN 319 122-1 §5.5.3) and its
//! ats-hash-index-v3 (§5.5.2): what the time-stamp's message imprint covers, computed the same
//! way when an archive time-stamp is made and when it is checked.

use cms::signed_data::SignerInfo;
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Any, Decode, Encode, Sequence, Tagged};
use spki::AlgorithmIdentifierOwned;

use super::{Error, SignedData};
use crate::algorithm::{Digest, oid};

/// ```text
/// ATSHashIndexV3 ::= SEQUENCE {
///     hashIndAlgorithm       AlgorithmIdentifier DEFAULT {algorithm id-sha256},
///     certificatesHashIndex  SEQUENCE OF OCTET STRING,
///     crlsHashIndex          SEQUENCE OF OCTET STRING,
///     unsignedAttrsHashIndex SEQUENCE OF OCTET STRING }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashIndex {
    pub digest: Digest,
    /// Hashes of each `CertificateChoices` in `SignedData.certificates`.
    pub certificates: Vec<Vec<u8>>,
    /// Hashes of each `RevocationInfoChoice` in `SignedData.crls`.
    pub crls: Vec<Vec<u8>>,
    /// Hashes of each unsigned attribute value: `attrType || attrValue`, both as encoded.
    pub unsigned_attributes: Vec<Vec<u8>>,
}

/// The encoding with the algorithm written out (any hash but SHA-256).
#[derive(Clone, Debug, Sequence)]
struct Explicit {
    algorithm: AlgorithmIdentifierOwned,
    certificates: Vec<OctetString>,
    crls: Vec<OctetString>,
    unsigned_attributes: Vec<OctetString>,
}

/// The encoding with the default SHA-256 left out, as DER requires.
#[derive(Clone, Debug, Sequence)]
struct Default {
    certificates: Vec<OctetString>,
    crls: Vec<OctetString>,
    unsigned_attributes: Vec<OctetString>,
}

impl HashIndex {
    /// The index of what `signed` and `signer` hold now, with `digest`.
    pub fn of(signed: &SignedData, signer: &SignerInfo, digest: Digest) -> Result<Self, Error> {
        let hash_all = |items: &[Any]| -> Result<Vec<Vec<u8>>, Error> {
            items
                .iter()
                .map(|i| Ok(digest.hash(&i.to_der()?)))
                .collect()
        };
        Ok(Self {
            digest,
            certificates: hash_all(&signed.certificates)?,
            crls: hash_all(&signed.crls)?,
            unsigned_attributes: unsigned_attribute_hashes(signer, digest)?,
        })
    }

    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let octets = |items: Vec<OctetString>| {
            items
                .into_iter()
                .map(|o| o.into_bytes().into_vec())
                .collect()
        };
        if let Ok(explicit) = Explicit::from_der(der) {
            let digest = oid::digest_from_oid(&explicit.algorithm.oid).ok_or_else(|| {
                Error::Decode(format!(
                    "ats-hash-index-v3 names an unknown hash {}",
                    explicit.algorithm.oid
                ))
            })?;
            return Ok(Self {
                digest,
                certificates: octets(explicit.certificates),
                crls: octets(explicit.crls),
                unsigned_attributes: octets(explicit.unsigned_attributes),
            });
        }
        let default =
            Default::from_der(der).map_err(|e| Error::Decode(format!("ats-hash-index-v3: {e}")))?;
        Ok(Self {
            digest: Digest::Sha256,
            certificates: octets(default.certificates),
            crls: octets(default.crls),
            unsigned_attributes: octets(default.unsigned_attributes),
        })
    }

    pub fn to_der(&self) -> Result<Vec<u8>, Error> {
        let octets = |items: &[Vec<u8>]| -> Result<Vec<OctetString>, Error> {
            items
                .iter()
                .map(|i| Ok(OctetString::new(i.as_slice())?))
                .collect()
        };
        let (certificates, crls, unsigned_attributes) = (
            octets(&self.certificates)?,
            octets(&self.crls)?,
            octets(&self.unsigned_attributes)?,
        );
        Ok(if self.digest == Digest::Sha256 {
            Default {
                certificates,
                crls,
                unsigned_attributes,
            }
            .to_der()?
        } else {
            Explicit {
                algorithm: oid::digest_identifier(self.digest),
                certificates,
                crls,
                unsigned_attributes,
            }
            .to_der()?
        })
    }

    /// What this index lists that `now` (the index of the file as it is) lacks: a
    /// certificate, revocation value or unsigned attribute removed or changed after the
    /// archive time-stamp was made. Entries added later are allowed (a renewal adds some).
    pub fn missing_from(&self, now: &HashIndex) -> Vec<&'static str> {
        let mut missing = Vec::new();
        let lacks =
            |claimed: &[Vec<u8>], present: &[Vec<u8>]| claimed.iter().any(|c| !present.contains(c));
        if lacks(&self.certificates, &now.certificates) {
            missing.push("a certificate");
        }
        if lacks(&self.crls, &now.crls) {
            missing.push("revocation data");
        }
        if lacks(&self.unsigned_attributes, &now.unsigned_attributes) {
            missing.push("an unsigned attribute");
        }
        missing
    }
}

/// `attrType || attrValue` hashed for every value of every unsigned attribute of `signer`
/// (EN 319 122-1 §5.5.2 for v3: one entry per value, not per attribute).
fn unsigned_attribute_hashes(signer: &SignerInfo, digest: Digest) -> Result<Vec<Vec<u8>>, Error> {
    let mut hashes = Vec::new();
    for attribute in signer.unsigned_attrs.iter().flat_map(|set| set.iter()) {
        let kind = attribute.oid.to_der()?;
        for value in attribute.values.iter() {
            let mut input = kind.clone();
            input.extend(value.to_der()?);
            hashes.push(digest.hash(&input));
        }
    }
    Ok(hashes)
}

/// The octets the archive time-stamp's message imprint is the hash of (§5.5.3): the
/// encoded `eContentType`, the hash of the signed content, the SignerInfo's fields from
/// `version` to `signature` as encoded, and the encoded ats-hash-index-v3.
pub fn imprint_input(
    content_type: ObjectIdentifier,
    content_hash: &[u8],
    signer: &SignerInfo,
    index_der: &[u8],
) -> Result<Vec<u8>, Error> {
    let mut input = content_type.to_der()?;
    input.extend_from_slice(content_hash);
    // The SignerInfo's fields one by one, each with its tag and length; the unsigned
    // attributes ([1], last) are what the index covers instead.
    let fields: Vec<Any> = Vec::from_der(&signer.to_der()?)?;
    for field in fields {
        let tag = field.tag();
        if tag.is_context_specific() && tag.number().value() == 1 {
            continue;
        }
        input.extend(field.to_der()?);
    }
    input.extend_from_slice(index_der);
    Ok(input)
}
