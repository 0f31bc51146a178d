//! Verification of the enveloped XAdES signature every trusted list carries (ETSI TS 119 612
//! §5.7.1 and annex B: W3C XML-DSig 1.1 with ETSI EN 319 132-1 XAdES baseline B), narrowed to
//! that profile.
//!
//! What a list's signature must be, or the list is refused:
//! - exactly one `ds:Signature` in the whole document, a child of the document element;
//! - one reference with `URI=""`, the enveloped-signature transform and canonicalisation:
//!   the signature covers the whole list. Its only other reference is the XAdES
//!   `SignedProperties` of this signature. A reference to anything else (another element, an
//!   external resource) is refused, so nothing outside the list can be what was signed;
//! - `Id` attributes unique in the document (no ambiguity about what `#id` names);
//! - canonicalisation inclusive or exclusive C14N 1.0 without comments; digests SHA-2;
//!   signatures RSA PKCS#1 v1.5, RSA-PSS or ECDSA with SHA-2 (openssl does the maths);
//! - the XAdES signing-certificate digest matching the certificate that verified it.
//!
//! [`Signed::parse`] checks the structure; [`Signed::verify`] checks the digests and the
//! signature value with candidate certificates. Only a [`Verified`] gives access to the
//! document, and it is the very tree whose canonical form was digested: the list parser can
//! read nothing the signature does not cover.

use base64ct::{Base64, Encoding};
use chrono::{DateTime, Utc};

use super::xml::c14n::{self, Method, Subset};
use super::xml::{self, Document, El, NodeId};
use crate::algorithm::{Digest, Hasher, Scheme};
use crate::certificate::Certificate;

pub const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const XADES: &str = "http://uri.etsi.org/01903/v1.3.2#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const SIGNED_PROPERTIES_TYPE: &str = "http://uri.etsi.org/01903#SignedProperties";
/// Candidate certificates tried when the signature names none: a LOTL pointer announces a
/// handful.
const MAX_CANDIDATES: usize = 32;

/// A list with its one signature, structure checked, not yet verified.
#[derive(Debug)]
pub struct Signed {
    document: Document,
    signature: NodeId,
    signed_info: NodeId,
    canonicalization: Method,
    algorithm: (Scheme, Digest),
    value: Vec<u8>,
    whole: Reference,
    properties: Reference,
    /// The certificates in `KeyInfo/X509Data`, signer first where the signing-certificate
    /// digest picks it out.
    embedded: Vec<Certificate>,
    signing_certificate: Vec<(Digest, Vec<u8>)>,
    signing_time: Option<DateTime<Utc>>,
}

#[derive(Debug)]
struct Reference {
    target: NodeId,
    /// The whole list named by the document element's `Id` (not `URI=""`).
    by_id: bool,
    transforms: Method,
    digest: Digest,
    value: Vec<u8>,
}

/// A list whose signature verified with one of the given certificates.
#[derive(Debug)]
pub struct Verified {
    document: Document,
    signature: NodeId,
    pub signer: Certificate,
    /// The XAdES `SigningTime` the signer claims.
    pub signing_time: Option<DateTime<Utc>>,
    pub algorithm: crate::algorithm::Verified,
}

impl Verified {
    /// The signed document element: the whole list.
    pub fn root(&self) -> Option<El<'_>> {
        self.document.root_element()
    }

    /// Whether `element` is the signature itself (which the list parser skips).
    pub fn is_signature(&self, element: El<'_>) -> bool {
        element.id() == self.signature
    }
}

impl Signed {
    /// Reads `bytes` and checks the signature's structure against the profile.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let document = Document::parse(bytes)?;
        check_unique_ids(&document)?;
        let root = document
            .root_element()
            .ok_or_else(|| Error::Profile("no document element".into()))?;
        let signatures: Vec<NodeId> = document
            .ids()
            .filter(|&id| document.el(id).is_some_and(|e| e.is(DSIG, "Signature")))
            .collect();
        let signature = match signatures[..] {
            [] => return Err(Error::Unsigned),
            [one] => one,
            _ => return Err(Error::SecondSignature(signatures.len())),
        };
        let signature_el = document
            .el(signature)
            .ok_or_else(|| Error::Profile("no signature element".into()))?;
        if signature_el.parent().map(|p| p.id()) != Some(root.id()) {
            return Err(Error::Profile(
                "the signature is not a child of the document element (enveloped signature)".into(),
            ));
        }
        let signed_info = signature_el
            .child(DSIG, "SignedInfo")
            .ok_or_else(|| Error::Profile("no SignedInfo".into()))?;
        let canonicalization = method(
            signed_info
                .child(DSIG, "CanonicalizationMethod")
                .ok_or_else(|| Error::Profile("no CanonicalizationMethod".into()))?,
        )?;
        let algorithm = signature_algorithm(
            signed_info
                .child(DSIG, "SignatureMethod")
                .and_then(|m| m.attribute("Algorithm"))
                .unwrap_or_default(),
        )?;
        let value = base64(&signature_el.child(DSIG, "SignatureValue").map(El::text))?;

        let properties_el = signature_el
            .children_named(DSIG, "Object")
            .flat_map(|o| {
                o.children_named(XADES, "QualifyingProperties")
                    .collect::<Vec<_>>()
            })
            .flat_map(|q| {
                q.children_named(XADES, "SignedProperties")
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>();
        let properties_el = match properties_el[..] {
            [one] => one,
            [] => {
                return Err(Error::Profile(
                    "no XAdES SignedProperties (TS 119 612 §5.7.1 asks for XAdES)".into(),
                ));
            }
            _ => {
                return Err(Error::Profile(
                    "more than one XAdES SignedProperties".into(),
                ));
            }
        };

        let mut whole = None;
        let mut properties = None;
        for reference in signed_info.children_named(DSIG, "Reference") {
            let uri = reference.attribute("URI");
            match uri {
                Some("") => {
                    if whole.is_some() {
                        return Err(Error::Profile("two references to the whole list".into()));
                    }
                    whole = Some(self::reference(reference, root.id(), true)?);
                }
                Some(fragment) if fragment.strip_prefix('#') == properties_el.attribute("Id") => {
                    if reference
                        .attribute("Type")
                        .is_some_and(|t| t != SIGNED_PROPERTIES_TYPE)
                        || properties.is_some()
                    {
                        return Err(Error::OtherReference(fragment.to_owned()));
                    }
                    properties = Some(self::reference(reference, properties_el.id(), false)?);
                }
                // The document element named by its Id: the whole list as well (TS 119 612
                // annex B allows it; Ids are unique, checked above).
                Some(fragment)
                    if root
                        .attribute("Id")
                        .is_some_and(|id| fragment.strip_prefix('#') == Some(id)) =>
                {
                    if whole.is_some() {
                        return Err(Error::Profile("two references to the whole list".into()));
                    }
                    let mut reference = self::reference(reference, root.id(), true)?;
                    reference.by_id = true;
                    whole = Some(reference);
                }
                other => {
                    return Err(Error::OtherReference(
                        other.unwrap_or("(no URI)").to_owned(),
                    ));
                }
            }
        }
        let whole = whole.ok_or(Error::NotWholeList)?;
        let properties = properties
            .ok_or_else(|| Error::Profile("the XAdES SignedProperties are not signed".into()))?;

        let embedded = signature_el
            .path(DSIG, &["KeyInfo"])
            .map(|info| {
                info.children_named(DSIG, "X509Data")
                    .flat_map(|d| {
                        d.children_named(DSIG, "X509Certificate")
                            .collect::<Vec<_>>()
                    })
                    .filter_map(|c| {
                        let der = Base64::decode_vec(&strip_whitespace(&c.text())).ok()?;
                        Certificate::from_der(&der).ok()
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let signed_signature = properties_el.child(XADES, "SignedSignatureProperties");
        let signing_time = signed_signature
            .and_then(|p| p.child(XADES, "SigningTime"))
            .and_then(|t| DateTime::parse_from_rfc3339(&t.text()).ok())
            .map(|t| t.with_timezone(&Utc));
        let signing_certificate = signed_signature
            .map(signing_certificate_digests)
            .transpose()?
            .unwrap_or_default();
        if signing_certificate.is_empty() {
            return Err(Error::Profile(
                "no XAdES SigningCertificate in the SignedProperties".into(),
            ));
        }
        let mut embedded = embedded;
        // The signer first: the embedded certificate the signing-certificate digest names.
        if let Some(position) = embedded.iter().position(|c| names(&signing_certificate, c)) {
            let signer = embedded.remove(position);
            embedded.insert(0, signer);
        }
        Ok(Self {
            signature,
            signed_info: signed_info.id(),
            canonicalization,
            algorithm,
            value,
            whole,
            properties,
            embedded,
            signing_certificate,
            signing_time,
            document,
        })
    }

    /// The XAdES `SigningTime` the signer claims (not yet verified).
    pub fn signing_time(&self) -> Option<DateTime<Utc>> {
        self.signing_time
    }

    /// The certificates the signature carries in `KeyInfo`, the signer first.
    pub fn embedded_certificates(&self) -> &[Certificate] {
        &self.embedded
    }

    /// Checks both reference digests, then the signature value with the candidate whose key
    /// the signature names (its `KeyInfo` certificate), or with each candidate in turn when it
    /// names none. The signer must be valid at `time` (the list's issue time when judging a
    /// snapshot, the present when accepting a download).
    pub fn verify(
        self,
        candidates: &[Certificate],
        time: DateTime<Utc>,
    ) -> Result<Verified, Error> {
        for (reference, what) in [
            (&self.whole, "the whole list"),
            (&self.properties, "the signed properties"),
        ] {
            let computed = self.digest(reference)?;
            if computed != reference.value {
                return Err(Error::DigestMismatch(what));
            }
        }
        let mut signed_info = Vec::new();
        c14n::canonicalize(
            &self.document,
            Subset::Element(self.signed_info),
            &self.canonicalization,
            &mut signed_info,
        );
        let (scheme, digest) = self.algorithm;
        let named = self.embedded.first();
        let tried: Vec<&Certificate> = match named {
            Some(named) => candidates
                .iter()
                .filter(|c| c.public_key() == named.public_key())
                .collect(),
            None => candidates.iter().take(MAX_CANDIDATES).collect(),
        };
        if tried.is_empty() {
            return Err(Error::UntrustedSigner {
                subject: named.map(Certificate::subject).unwrap_or_default(),
            });
        }
        let signer = tried
            .into_iter()
            .find(|candidate| {
                crate::cms::verify_signature(
                    &candidate.public_key(),
                    scheme,
                    digest,
                    &signed_info,
                    &self.value,
                )
                .unwrap_or(false)
            })
            .ok_or(Error::SignatureValue)?;
        if !names(&self.signing_certificate, signer) {
            return Err(Error::SigningCertificate);
        }
        if !signer.is_valid_at(time) {
            return Err(Error::SignerNotValid {
                subject: signer.subject(),
                not_before: signer.not_before(),
                not_after: signer.not_after(),
                time,
            });
        }
        Ok(Verified {
            signer: signer.clone(),
            signing_time: self.signing_time,
            algorithm: crate::algorithm::Verified {
                scheme: match scheme {
                    // XML-DSig ECDSA values are r || s; reported as ECDSA all the same.
                    Scheme::PlainEcdsa => Scheme::Ecdsa,
                    other => other,
                },
                digest,
            },
            signature: self.signature,
            document: self.document,
        })
    }

    fn digest(&self, reference: &Reference) -> Result<Vec<u8>, Error> {
        let mut hasher = Hasher::new(reference.digest).map_err(|e| Error::Crypto(e.to_string()))?;
        let subset = if reference.by_id {
            Subset::EnvelopedElement {
                apex: reference.target,
                excluded: self.signature,
            }
        } else if reference.target == self.document.root() {
            Subset::Document {
                excluded: Some(self.signature),
            }
        } else {
            Subset::Element(reference.target)
        };
        c14n::canonicalize(&self.document, subset, &reference.transforms, &mut hasher);
        hasher.finish().map_err(|e| Error::Crypto(e.to_string()))
    }
}

/// A `Reference`'s transforms: for the whole list the enveloped-signature transform first
/// (required), then at most one canonicalisation; canonical XML 1.0 when none is named
/// (XML-DSig §4.4.3.2: a node set becomes octets by inclusive C14N).
fn reference(element: El<'_>, target: NodeId, whole: bool) -> Result<Reference, Error> {
    let mut transforms = element
        .child(DSIG, "Transforms")
        .map(|t| t.children_named(DSIG, "Transform").collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter();
    if whole {
        let first = transforms.next();
        if first.and_then(|t| t.attribute("Algorithm")) != Some(ENVELOPED) {
            return Err(Error::NotWholeList);
        }
    }
    let method = match transforms.next() {
        Some(transform) => self::method(transform)?,
        None => Method::Inclusive,
    };
    if let Some(extra) = transforms.next() {
        return Err(Error::Profile(format!(
            "the transform {} is not part of the trusted-list profile",
            extra.attribute("Algorithm").unwrap_or("(none)")
        )));
    }
    let digest = digest_algorithm(
        element
            .child(DSIG, "DigestMethod")
            .and_then(|m| m.attribute("Algorithm"))
            .unwrap_or_default(),
    )?;
    if digest == Digest::Sha1 {
        return Err(Error::Profile(
            "a reference digested with SHA-1, which is no longer accepted".into(),
        ));
    }
    let value = base64(&element.child(DSIG, "DigestValue").map(El::text))?;
    Ok(Reference {
        target,
        by_id: false,
        transforms: method,
        digest,
        value,
    })
}

/// A canonicalisation named by an `Algorithm` attribute, with its `InclusiveNamespaces`.
fn method(element: El<'_>) -> Result<Method, Error> {
    let uri = element.attribute("Algorithm").unwrap_or_default();
    let mut method = Method::from_uri(uri).ok_or_else(|| {
        Error::Profile(format!(
            "the canonicalisation {uri} is not part of the trusted-list profile"
        ))
    })?;
    if let Method::Exclusive { inclusive_prefixes } = &mut method
        && let Some(list) = element
            .child(c14n::EXCLUSIVE, "InclusiveNamespaces")
            .and_then(|n| n.attribute("PrefixList"))
    {
        inclusive_prefixes.extend(list.split_whitespace().map(str::to_owned));
    }
    Ok(method)
}

fn signature_algorithm(uri: &str) -> Result<(Scheme, Digest), Error> {
    use Digest::*;
    let pss = |digest: Digest| Scheme::RsaPss {
        salt_length: match digest {
            Sha384 => 48,
            Sha512 => 64,
            _ => 32,
        },
        mgf1: digest,
    };
    Ok(match uri {
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" => (Scheme::RsaPkcs1, Sha256),
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384" => (Scheme::RsaPkcs1, Sha384),
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" => (Scheme::RsaPkcs1, Sha512),
        "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1" => (pss(Sha256), Sha256),
        "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1" => (pss(Sha384), Sha384),
        "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1" => (pss(Sha512), Sha512),
        // XML-DSig ECDSA values are the plain r || s (RFC 4050 §3.3, XML-DSig 1.1 §6.4.3).
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" => (Scheme::PlainEcdsa, Sha256),
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384" => (Scheme::PlainEcdsa, Sha384),
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512" => (Scheme::PlainEcdsa, Sha512),
        other => {
            return Err(Error::Profile(format!(
                "the signature algorithm {other} is not accepted (RSA or ECDSA with SHA-2)"
            )));
        }
    })
}

fn digest_algorithm(uri: &str) -> Result<Digest, Error> {
    match uri {
        "http://www.w3.org/2001/04/xmlenc#sha256" => Ok(Digest::Sha256),
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => Ok(Digest::Sha384),
        "http://www.w3.org/2001/04/xmlenc#sha512" => Ok(Digest::Sha512),
        "http://www.w3.org/2000/09/xmldsig#sha1" => Ok(Digest::Sha1),
        other => Err(Error::Profile(format!(
            "the digest algorithm {other} is not accepted"
        ))),
    }
}

/// The XAdES `SigningCertificate` (v1) or `SigningCertificateV2` digests.
fn signing_certificate_digests(properties: El<'_>) -> Result<Vec<(Digest, Vec<u8>)>, Error> {
    let mut digests = Vec::new();
    for holder in ["SigningCertificate", "SigningCertificateV2"] {
        for cert in properties
            .children_named(XADES, holder)
            .flat_map(|s| s.children_named(XADES, "Cert").collect::<Vec<_>>())
        {
            let Some(digest) = cert.child(XADES, "CertDigest") else {
                continue;
            };
            let algorithm = digest_algorithm(
                digest
                    .child(DSIG, "DigestMethod")
                    .and_then(|m| m.attribute("Algorithm"))
                    .unwrap_or_default(),
            )?;
            digests.push((
                algorithm,
                base64(&digest.child(DSIG, "DigestValue").map(El::text))?,
            ));
        }
    }
    Ok(digests)
}

/// Whether the signing-certificate digests name `certificate`.
fn names(digests: &[(Digest, Vec<u8>)], certificate: &Certificate) -> bool {
    digests
        .iter()
        .any(|(digest, value)| digest.hash(certificate.der()) == *value)
}

/// Every `Id` attribute names one element only (XML-DSig §4.4.3.3: a same-document
/// reference must be unambiguous; duplicates are how signature wrapping hides content).
fn check_unique_ids(document: &Document) -> Result<(), Error> {
    let mut seen = std::collections::HashSet::new();
    for id in document.ids() {
        if let Some(value) = document.el(id).and_then(|e| e.attribute("Id"))
            && !seen.insert(value)
        {
            return Err(Error::DuplicateId(value.to_owned()));
        }
    }
    Ok(())
}

fn strip_whitespace(text: &str) -> String {
    text.chars().filter(|c| !c.is_ascii_whitespace()).collect()
}

fn base64(text: &Option<String>) -> Result<Vec<u8>, Error> {
    let text = text
        .as_deref()
        .ok_or_else(|| Error::Profile("a digest or signature value is missing".into()))?;
    Base64::decode_vec(&strip_whitespace(text))
        .map_err(|_| Error::Profile("a digest or signature value is not base64".into()))
}

/// Why a list's signature is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Xml(#[from] xml::Error),
    #[error("the list is not signed (no ds:Signature)")]
    Unsigned,
    #[error("the list carries {0} signatures; a trusted list has exactly one")]
    SecondSignature(usize),
    #[error(
        "the signature does not cover the whole list (no reference URI=\"\" with the enveloped-signature transform)"
    )]
    NotWholeList,
    #[error(
        "the signature also references {0}; only the whole list and its signed properties may be signed"
    )]
    OtherReference(String),
    #[error("the Id {0} is used more than once")]
    DuplicateId(String),
    #[error("the signature is outside the trusted-list profile: {0}")]
    Profile(String),
    #[error("the digest of {0} does not match: the list was changed after it was signed")]
    DigestMismatch(&'static str),
    #[error("the signature value does not verify with the signer's key")]
    SignatureValue,
    #[error(
        "the list is signed by {subject}, which is not among the certificates announced for it"
    )]
    UntrustedSigner { subject: String },
    #[error(
        "the XAdES signing-certificate digest does not name the certificate that verified the signature"
    )]
    SigningCertificate,
    #[error("the list's signer {subject} is valid from {not_before} to {not_after}, not at {time}")]
    SignerNotValid {
        subject: String,
        not_before: DateTime<Utc>,
        not_after: DateTime<Utc>,
        time: DateTime<Utc>,
    },
    #[error("cryptographic library failure: {0}")]
    Crypto(String),
}
