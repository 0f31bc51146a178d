//! CAdES (ETSI EN 319 122-1) over CMS SignedData (RFC 5652): a SignedData held so that signers,
//! counter-signatures, validation data and time-stamps can be added to it without changing a
//! byte that anybody signed, and the attributes of the baseline levels (§5.2–§5.5).

pub mod archive;

use std::path::{Path, PathBuf};

use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence, Tagged};
use spki::AlgorithmIdentifierOwned;

use crate::algorithm::{Digest, oid};
use crate::cms::{self as cms_format, ID_DATA, ID_SIGNED_DATA};

/// RFC 5652 §11.4 `id-countersignature`: an unsigned attribute whose values are SignerInfos
/// over the signature value of the SignerInfo that carries it.
pub const ID_COUNTER_SIGNATURE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.6");
/// EN 319 122-1 §5.2.8 `id-aa-ets-contentTimestamp`: a time-stamp over the content, signed.
pub const ID_CONTENT_TIME_STAMP: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.20");
/// EN 319 122-1 §5.5.1 `id-aa-ets-certValues` (CAdES-E-LT; baseline B-LT puts the values
/// into `SignedData.certificates` instead).
pub const ID_CERTIFICATE_VALUES: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.23");
/// EN 319 122-1 §5.5.2 `id-aa-ets-revocationValues` (CAdES-E-LT; baseline B-LT uses
/// `SignedData.crls`).
pub const ID_REVOCATION_VALUES: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.24");
/// EN 319 122-1 §5.5.3 `id-aa-ets-archiveTimestampV3`.
pub const ID_ARCHIVE_TIME_STAMP_V3: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.1733.2.4");
/// EN 319 122-1 §5.5.2 `id-aa-ATSHashIndex-v3`, an unsigned attribute of the archive
/// time-stamp token itself.
pub const ID_ATS_HASH_INDEX_V3: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.19122.1.5");
/// RFC 5940 `id-ri-ocsp-response`: an OCSP response among `SignedData.crls`.
pub const ID_RI_OCSP_RESPONSE: ObjectIdentifier = crate::cms::archival::ID_RI_OCSP_RESPONSE;

/// Signers (parallel and counter-signatures together) one file may hold: far more than any
/// real document has, few enough that a hostile file cannot make validation quadratic.
pub const MAX_SIGNERS: usize = 64;
/// How deep counter-signatures may nest (a counter-signature of a counter-signature ...).
pub const MAX_COUNTER_DEPTH: usize = 8;

/// RFC 5652 §5.1 `SignedData`, with the sets kept as their elements' encodings:
///
/// ```text
/// SignedData ::= SEQUENCE {
///     version CMSVersion,
///     digestAlgorithms DigestAlgorithmIdentifiers,
///     encapContentInfo EncapsulatedContentInfo,
///     certificates [0] IMPLICIT CertificateSet OPTIONAL,
///     crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
///     signerInfos SignerInfos }
/// ```
///
/// Unlike `cms`'s own SignedData, the SignerInfos stay encoded too: adding a signer must not
/// re-encode the others (the `der` derive cannot make one generic struct of both).
#[derive(Clone, Debug, Sequence)]
struct Wire {
    version: CmsVersion,
    digest_algorithms: SetOfVec<AlgorithmIdentifierOwned>,
    encap_content_info: EncapsulatedContentInfo,
    #[asn1(
        context_specific = "0",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    certificates: Option<SetOfVec<Any>>,
    #[asn1(
        context_specific = "1",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    crls: Option<SetOfVec<Any>>,
    signer_infos: SetOfVec<Any>,
}

/// A SignedData to add to: certificates, revocation data and SignerInfos we did not make are
/// carried as they were encoded, so nobody's signature over them changes.
#[derive(Clone, Debug)]
pub struct SignedData {
    /// `eContentType`.
    pub content_type: ObjectIdentifier,
    /// The encapsulated content's octets (enveloping), `None` when detached.
    pub content: Option<Vec<u8>>,
    /// `CertificateChoices`, each as encoded.
    pub certificates: Vec<Any>,
    /// `RevocationInfoChoice`s (CRLs, OCSP responses as other formats), each as encoded.
    pub crls: Vec<Any>,
    /// The SignerInfos, in the order of the (DER-sorted) set.
    pub signer_infos: Vec<SignerInfo>,
}

impl SignedData {
    /// A SignedData without signers over id-data content, enveloped when `content` is given.
    pub fn new(content: Option<Vec<u8>>) -> Self {
        Self {
            content_type: ID_DATA,
            content,
            certificates: Vec::new(),
            crls: Vec::new(),
            signer_infos: Vec::new(),
        }
    }

    /// Reads the ContentInfo `der`. Every SignerInfo must encode back to exactly its bytes:
    /// otherwise adding to the file would change what its signer signed.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let content_info = ContentInfo::from_der(der).map_err(|e| Error::Decode(e.to_string()))?;
        if content_info.content_type != ID_SIGNED_DATA {
            return Err(Error::Decode(format!(
                "content type {} is not signed-data",
                content_info.content_type
            )));
        }
        let wire: Wire = content_info
            .content
            .decode_as()
            .map_err(|e: der::Error| Error::Decode(e.to_string()))?;
        let mut signer_infos = Vec::new();
        for raw in wire.signer_infos.iter() {
            let raw = raw.to_der()?;
            let signer = SignerInfo::from_der(&raw).map_err(|e| Error::Decode(e.to_string()))?;
            if signer.to_der()? != raw {
                return Err(Error::NotDer);
            }
            signer_infos.push(signer);
        }
        let content = match wire.encap_content_info.econtent {
            None => None,
            Some(econtent) => Some(
                econtent
                    .decode_as::<OctetString>()
                    .map_err(|e| Error::Decode(format!("eContent: {e}")))?
                    .into_bytes()
                    .into_vec(),
            ),
        };
        Ok(Self {
            content_type: wire.encap_content_info.econtent_type,
            content,
            certificates: wire
                .certificates
                .map(SetOfVec::into_vec)
                .unwrap_or_default(),
            crls: wire.crls.map(SetOfVec::into_vec).unwrap_or_default(),
            signer_infos,
        })
    }

    /// Adds certificates (DER) not carried yet.
    pub fn add_certificates(&mut self, certificates: &[Any]) {
        for certificate in certificates {
            if !self.certificates.contains(certificate) {
                self.certificates.push(certificate.clone());
            }
        }
    }

    /// Adds CRLs and OCSP responses (DER) as revocation information choices (RFC 5652
    /// §10.2.1, RFC 5940 §4 for OCSP), skipping those carried already.
    pub fn add_revocation(&mut self, crls: &[Vec<u8>], ocsps: &[Vec<u8>]) -> Result<(), Error> {
        for crl in crls {
            let crl = Any::from_der(crl)?;
            if !self.crls.contains(&crl) {
                self.crls.push(crl);
            }
        }
        for ocsp in ocsps {
            let other = crate::cms::archival::OtherRevocationInfoFormat {
                format: ID_RI_OCSP_RESPONSE,
                info: Any::from_der(ocsp)?,
            };
            let any = Any::from_der(&other.to_choice_der()?)?;
            if !self.crls.contains(&any) {
                self.crls.push(any);
            }
        }
        Ok(())
    }

    /// The ContentInfo around this SignedData, DER.
    pub fn to_der(&self) -> Result<Vec<u8>, Error> {
        let mut digests: Vec<AlgorithmIdentifierOwned> = Vec::new();
        for signer in &self.signer_infos {
            if !digests.iter().any(|d| d.oid == signer.digest_alg.oid) {
                digests.push(signer.digest_alg.clone());
            }
        }
        let econtent = match &self.content {
            None => None,
            Some(content) => Some(Any::encode_from(&OctetString::new(content.as_slice())?)?),
        };
        let signer_infos = self
            .signer_infos
            .iter()
            .map(Any::encode_from)
            .collect::<Result<Vec<_>, _>>()?;
        let wire = Wire {
            version: self.version(),
            digest_algorithms: SetOfVec::try_from(digests)?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: self.content_type,
                econtent,
            },
            certificates: (!self.certificates.is_empty())
                .then(|| SetOfVec::try_from(self.certificates.clone()))
                .transpose()?,
            crls: (!self.crls.is_empty())
                .then(|| SetOfVec::try_from(self.crls.clone()))
                .transpose()?,
            signer_infos: SetOfVec::try_from(signer_infos)?,
        };
        let content_info = ContentInfo {
            content_type: ID_SIGNED_DATA,
            content: Any::encode_from(&wire)?,
        };
        Ok(content_info.to_der()?)
    }

    /// RFC 5652 §5.1: 5 with other certificate or revocation formats (OCSP responses), 3 with
    /// a subject-key-identifier signer or another content type, else 1.
    fn version(&self) -> CmsVersion {
        let other = |items: &[Any], tag: u32| {
            items
                .iter()
                .any(|a| a.tag().is_context_specific() && a.tag().number().value() == tag)
        };
        if other(&self.certificates, 3) || other(&self.crls, 1) {
            CmsVersion::V5
        } else if self.content_type != ID_DATA
            || self
                .signer_infos
                .iter()
                .any(|s| matches!(s.sid, SignerIdentifier::SubjectKeyIdentifier(_)))
        {
            CmsVersion::V3
        } else {
            CmsVersion::V1
        }
    }
}

/// Adds `value` (DER) as a new unsigned attribute of type `kind` to `signer`.
pub fn add_unsigned(
    signer: &mut SignerInfo,
    kind: ObjectIdentifier,
    value: &[u8],
) -> Result<(), Error> {
    let mut attributes = signer
        .unsigned_attrs
        .take()
        .map(SetOfVec::into_vec)
        .unwrap_or_default();
    attributes.push(cms_format::attribute(kind, Any::from_der(value)?)?);
    signer.unsigned_attrs = Some(SetOfVec::try_from(attributes)?);
    Ok(())
}

/// The DER values of every unsigned attribute of type `kind`.
pub fn unsigned_values(signer: &SignerInfo, kind: ObjectIdentifier) -> Vec<Vec<u8>> {
    signer
        .unsigned_attrs
        .iter()
        .flat_map(|set| set.iter().filter(|a| a.oid == kind))
        .flat_map(|a| a.values.iter().filter_map(|v| v.to_der().ok()))
        .collect()
}

/// The DER values of every signed attribute of type `kind`.
pub fn signed_values(signer: &SignerInfo, kind: ObjectIdentifier) -> Vec<Vec<u8>> {
    signer
        .signed_attrs
        .iter()
        .flat_map(|set| set.iter().filter(|a| a.oid == kind))
        .flat_map(|a| a.values.iter().filter_map(|v| v.to_der().ok()))
        .collect()
}

/// The counter-signatures on `signer` (RFC 5652 §11.4); those that do not decode are left out
/// and counted in the second value.
pub fn counter_signatures(signer: &SignerInfo) -> (Vec<SignerInfo>, usize) {
    let values = unsigned_values(signer, ID_COUNTER_SIGNATURE);
    let mut unreadable = 0;
    let decoded = values
        .iter()
        .filter_map(|der| {
            let decoded = SignerInfo::from_der(der).ok();
            if decoded.is_none() {
                unreadable += 1;
            }
            decoded
        })
        .collect();
    (decoded, unreadable)
}

/// Signed attribute types that appear more than once, and single-valued ones with several
/// values (RFC 5652 §11.1–§11.3, RFC 5035 §3, RFC 2634 §2.7): each makes the signature
/// ambiguous, as readers pick different instances.
pub fn repeated_signed_attributes(signer: &SignerInfo) -> Vec<ObjectIdentifier> {
    const SINGLE_VALUED: [ObjectIdentifier; 6] = [
        cms_format::ID_CONTENT_TYPE,
        cms_format::ID_MESSAGE_DIGEST,
        cms_format::ID_SIGNING_TIME,
        cms_format::ID_SIGNING_CERTIFICATE,
        cms_format::ID_SIGNING_CERTIFICATE_V2,
        // content-identifier
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.7"),
    ];
    let Some(attributes) = signer.signed_attrs.as_ref() else {
        return Vec::new();
    };
    let mut repeated = Vec::new();
    for (index, attribute) in attributes.iter().enumerate() {
        let again = attributes
            .iter()
            .skip(index + 1)
            .any(|a| a.oid == attribute.oid);
        let many = attribute.values.len() > 1 && SINGLE_VALUED.contains(&attribute.oid);
        if (again || many) && !repeated.contains(&attribute.oid) {
            repeated.push(attribute.oid);
        }
    }
    repeated
}

/// A readable name for the attribute types findings mention.
pub fn attribute_name(oid: ObjectIdentifier) -> String {
    match oid {
        cms_format::ID_CONTENT_TYPE => "content-type".into(),
        cms_format::ID_MESSAGE_DIGEST => "message-digest".into(),
        cms_format::ID_SIGNING_TIME => "signing-time".into(),
        cms_format::ID_SIGNING_CERTIFICATE => "signing-certificate".into(),
        cms_format::ID_SIGNING_CERTIFICATE_V2 => "signing-certificate-v2".into(),
        other => other.to_string(),
    }
}

/// The content-type attribute's value, if there is exactly one.
pub fn content_type_attribute(signer: &SignerInfo) -> Option<ObjectIdentifier> {
    let attributes = signer.signed_attrs.as_ref()?;
    let mut found = attributes
        .iter()
        .filter(|a| a.oid == cms_format::ID_CONTENT_TYPE);
    let first = found.next()?;
    if found.next().is_some() || first.values.len() != 1 {
        return None;
    }
    first.values.get(0)?.decode_as().ok()
}

/// Whether the SignerInfo carries a signed attribute of type `kind`.
pub fn has_signed(signer: &SignerInfo, kind: ObjectIdentifier) -> bool {
    signer
        .signed_attrs
        .iter()
        .flat_map(|set| set.iter())
        .any(|a| a.oid == kind)
}

/// The digest algorithm a SignerInfo names, if Siegel knows it.
pub fn digest_of(signer: &SignerInfo) -> Option<Digest> {
    oid::digest_from_oid(&signer.digest_alg.oid)
}

/// Whether `path` names a CMS signature by its extension (`.p7s`, `.sig`, `.p7m`, `.pkcs7`,
/// `.p7`; `.sig` is what some German tools name a detached `.p7s`).
pub fn is_signature_file(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["p7s", "sig", "p7m", "pkcs7", "p7"].contains(&e.to_ascii_lowercase().as_str())
    })
}

/// The content a detached `NAME.EXT.p7s` signs, found as `NAME.EXT` beside it.
pub fn detached_content(signature: &Path) -> Option<PathBuf> {
    let stem = signature.file_stem()?;
    let candidate = signature.with_file_name(stem);
    (candidate != signature && candidate.is_file()).then_some(candidate)
}

/// The content an enveloping signature (`.p7m`) carries, `None` for a detached one. Reads the
/// CMS as `crate::cms` does (BER normalised).
pub fn enveloped_content(der: &[u8]) -> Result<Option<Vec<u8>>, Error> {
    let parsed = cms_format::Parsed::from_der(der).map_err(|e| Error::Decode(e.to_string()))?;
    match &parsed.signed_data.encap_content_info.econtent {
        None => Ok(None),
        Some(any) => Ok(Some(
            any.decode_as::<OctetString>()
                .map_err(|e| Error::Decode(format!("eContent: {e}")))?
                .into_bytes()
                .into_vec(),
        )),
    }
}

/// The name the content of `NAME.EXT.p7m` gets: `NAME.EXT` (`content` when nothing is left).
pub fn content_name(signature: &Path) -> std::ffi::OsString {
    match signature.file_stem() {
        Some(stem) if !stem.is_empty() => stem.to_os_string(),
        _ => "content".into(),
    }
}

/// Why a CAdES structure could not be read or written.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot decode the CMS: {0}")]
    Decode(String),
    #[error("cannot encode the CMS: {0}")]
    Encode(String),
    #[error(
        "a SignerInfo is not DER-encoded, so nothing can be added to this file without changing what was signed"
    )]
    NotDer,
}

impl From<der::Error> for Error {
    fn from(error: der::Error) -> Self {
        Self::Encode(error.to_string())
    }
}

impl From<cms_format::Error> for Error {
    fn from(error: cms_format::Error) -> Self {
        Self::Encode(error.to_string())
    }
}
