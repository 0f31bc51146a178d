//! CMS SignedData (RFC 5652) as used by CAdES baseline signatures (ETSI EN 319 122-1): building
//! a detached signature over a precomputed digest, and reading one back for verification.

pub mod archival;
pub mod ess;

use chrono::{DateTime, Utc};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Reader, SliceReader, Tagged};
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::time::Time;

use crate::algorithm::{self, Digest, Scheme, Verified, oid};
use crate::certificate::{self, Certificate};
use crate::key::{self, Credential};

pub(crate) const ID_SIGNED_DATA: ObjectIdentifier = rfc5911::ID_SIGNED_DATA;
pub(crate) const ID_DATA: ObjectIdentifier = rfc5911::ID_DATA;
pub(crate) const ID_CONTENT_TYPE: ObjectIdentifier = rfc5911::ID_CONTENT_TYPE;
pub(crate) const ID_MESSAGE_DIGEST: ObjectIdentifier = rfc5911::ID_MESSAGE_DIGEST;
pub(crate) const ID_SIGNING_TIME: ObjectIdentifier = rfc5911::ID_SIGNING_TIME;
/// RFC 5035 `id-aa-signingCertificateV2`.
pub(crate) const ID_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
/// RFC 2634 `id-aa-signingCertificate`.
pub(crate) const ID_SIGNING_CERTIFICATE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");

/// RFC 3161 appendix A `id-aa-signatureTimeStampToken`.
pub const ID_SIGNATURE_TIME_STAMP: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// A detached CMS SignedData with one SignerInfo, signed and ready to be written; unsigned
/// attributes (a signature time-stamp) can still be added, since they are not signed.
#[derive(Debug)]
pub struct Signed {
    signer_info: SignerInfo,
    digest: Digest,
    certificates: Vec<Any>,
}

/// Signs content whose digest (with the signer's digest algorithm) is `content_digest`: signed
/// attributes content-type, message-digest, signing-certificate-v2 and, where given, the
/// signing-time (PAdES forbids it, the time being the PDF's `/M`; detached CAdES requires it).
pub fn sign_detached(
    content_digest: &[u8],
    credential: &Credential,
    signing_time: Option<DateTime<Utc>>,
) -> Result<Signed, Error> {
    sign_attributes(content_digest, credential, signing_time, Some(ID_DATA))
}

/// Signs a counter-signature (RFC 5652 §11.4): `signature_digest` is the digest of the
/// counter-signed SignerInfo's signature value. It carries no content-type attribute, which
/// §11.4 forbids there.
pub fn sign_counter(
    signature_digest: &[u8],
    credential: &Credential,
    signing_time: Option<DateTime<Utc>>,
) -> Result<Signed, Error> {
    sign_attributes(signature_digest, credential, signing_time, None)
}

fn sign_attributes(
    content_digest: &[u8],
    credential: &Credential,
    signing_time: Option<DateTime<Utc>>,
    content_type: Option<ObjectIdentifier>,
) -> Result<Signed, Error> {
    let algorithm = credential.signer.algorithm();
    let digest = algorithm.digest();
    let certificate = credential.certificate();

    let mut attributes = Vec::new();
    if let Some(content_type) = content_type {
        attributes.push(attribute(
            ID_CONTENT_TYPE,
            Any::encode_from(&content_type)?,
        )?);
    }
    attributes.extend([
        attribute(
            ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(content_digest)?)?,
        )?,
        attribute(
            ID_SIGNING_CERTIFICATE_V2,
            Any::encode_from(&signing_certificate_v2(certificate)?)?,
        )?,
    ]);
    if let Some(time) = signing_time {
        let seconds = u64::try_from(time.timestamp())
            .map_err(|_| Error::Encode("signing time before 1970".into()))?;
        let time = Time::try_from(std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds))?;
        attributes.push(attribute(ID_SIGNING_TIME, Any::encode_from(&time)?)?);
    }
    let signed_attrs = SetOfVec::try_from(attributes)?;
    let to_be_signed = signed_attrs.to_der()?;
    let signature = credential.signer.sign(&to_be_signed)?;
    let tbs = certificate.x509().tbs_certificate();
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        digest_alg: oid::digest_identifier(digest),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: oid::signature_identifier(algorithm)?,
        signature: OctetString::new(signature)?,
        unsigned_attrs: None,
    };
    let certificates = credential
        .chain
        .iter()
        .map(|c| Any::from_der(c.der()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Signed {
        signer_info,
        digest,
        certificates,
    })
}

impl Signed {
    /// The signature value, which a signature time-stamp covers.
    pub fn signature_value(&self) -> &[u8] {
        self.signer_info.signature.as_bytes()
    }

    /// The digest algorithm of the signature.
    pub fn digest(&self) -> Digest {
        self.digest
    }

    /// Adds an unsigned attribute whose one value is `value` (DER).
    pub fn add_unsigned(&mut self, kind: ObjectIdentifier, value: &[u8]) -> Result<(), Error> {
        let mut attributes = self
            .signer_info
            .unsigned_attrs
            .take()
            .map(|set| set.into_vec())
            .unwrap_or_default();
        attributes.push(attribute(kind, Any::from_der(value)?)?);
        self.signer_info.unsigned_attrs = Some(SetOfVec::try_from(attributes)?);
        Ok(())
    }

    /// The SignerInfo and the signer's certificates (DER, as the CA encoded them), for a
    /// SignedData assembled elsewhere (CAdES with several signers, counter-signatures).
    pub fn into_parts(self) -> (SignerInfo, Vec<Any>) {
        (self.signer_info, self.certificates)
    }

    /// The ContentInfo around the SignedData (RFC 5652 §3), DER.
    pub fn to_der(self) -> Result<Vec<u8>, Error> {
        let signed_data = WireSignedData {
            version: CmsVersion::V1,
            digest_algorithms: SetOfVec::try_from(vec![oid::digest_identifier(self.digest)])?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: ID_DATA,
                econtent: None,
            },
            certificates: Some(SetOfVec::try_from(self.certificates)?),
            crls: None,
            signer_infos: SignerInfos(SetOfVec::try_from(vec![self.signer_info])?),
        };
        let content_info = ContentInfo {
            content_type: ID_SIGNED_DATA,
            content: Any::encode_from(&signed_data)?,
        };
        Ok(content_info.to_der()?)
    }
}

/// RFC 5652 §5.1 `SignedData` as we write and read it:
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
/// Certificates and revocation choices are carried exactly as encoded: decoding and re-encoding
/// can normalise non-canonical DER, which would break their signatures and the
/// signing-certificate-v2 hash (see [`archival::Revocation::add_raw_choice`]).
#[derive(Clone, Debug, der::Sequence)]
struct WireSignedData {
    version: CmsVersion,
    digest_algorithms: SetOfVec<spki::AlgorithmIdentifierOwned>,
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
    signer_infos: SignerInfos,
}

/// An upper bound for the DER size of [`sign_detached`]'s output with `credential`, used to
/// reserve room in a PDF before the signature exists.
pub fn estimate_size(credential: &Credential) -> usize {
    let chain: usize = credential.chain.iter().map(|c| c.der().len()).sum();
    // Signature value: at most the key size; SPKI length bounds it generously.
    let signature = credential.signer.public_key().len() + 16;
    let signer_info = 1024 + credential.certificate().issuer().len() * 2;
    chain + signature + signer_info + 512
}

pub(crate) fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, Error> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value])?,
    })
}

fn signing_certificate_v2(certificate: &Certificate) -> Result<ess::SigningCertificateV2, Error> {
    let tbs = certificate.x509().tbs_certificate();
    Ok(ess::SigningCertificateV2 {
        certs: vec![ess::EssCertIdV2 {
            hash_algorithm: None,
            cert_hash: OctetString::new(Digest::Sha256.hash(certificate.der()))?,
            issuer_serial: Some(ess::IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                serial_number: tbs.serial_number().clone(),
            }),
        }],
        policies: None,
    })
}

/// A parsed CMS SignedData with one SignerInfo of interest, as found in a signature.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub signed_data: SignedData,
    /// Certificates carried in the SignedData, in order; ones that do not parse are skipped.
    pub certificates: Vec<Certificate>,
    /// CRLs and OCSP responses in the SignedData `crls` field.
    pub revocation: archival::Revocation,
}

impl Parsed {
    /// Decodes the CMS in `bytes`, ignoring trailing zero padding (PDF `/Contents` is padded).
    /// BER encodings, which some signers emit, are normalised to DER first.
    pub fn from_der(bytes: &[u8]) -> Result<Self, Error> {
        let content_info = match decode_content_info(bytes) {
            Ok(content_info) => content_info,
            Err(error) => {
                let der = openssl::cms::CmsContentInfo::from_der(bytes)
                    .and_then(|c| c.to_der())
                    .map_err(|_| error)?;
                decode_content_info(&der)?
            }
        };
        if content_info.content_type != ID_SIGNED_DATA {
            return Err(Error::Decode(format!(
                "content type {} is not signed-data",
                content_info.content_type
            )));
        }
        let wire: WireSignedData = content_info
            .content
            .decode_as()
            .map_err(|e: der::Error| Error::Decode(e.to_string()))?;
        let mut revocation = archival::Revocation::default();
        for choice in wire.crls.iter().flat_map(|set| set.iter()) {
            revocation.add_raw_choice(choice);
        }
        let signed_data = SignedData {
            version: wire.version,
            digest_algorithms: wire.digest_algorithms,
            encap_content_info: wire.encap_content_info,
            certificates: wire.certificates.map(|set| {
                // Certificate choices that do not decode are left out here; the paths are
                // built from `original_certificates` anyway.
                let decoded: Vec<CertificateChoices> = set
                    .iter()
                    .filter_map(|c| c.decode_as::<CertificateChoices>().ok())
                    .collect();
                cms::signed_data::CertificateSet(SetOfVec::try_from(decoded).unwrap_or_default())
            }),
            // Kept as `revocation`: the `cms` crate's OtherRevocationInfoFormat reads the format
            // as an AlgorithmIdentifier, not the OBJECT IDENTIFIER RFC 5652 §10.2.1 has, and
            // would refuse every SignedData carrying an OCSP response.
            crls: None,
            signer_infos: wire.signer_infos,
        };
        let certificates = original_certificates(&content_info.content).unwrap_or_else(|| {
            signed_data
                .certificates
                .iter()
                .flat_map(|set| set.0.iter())
                .filter_map(|choice| match choice {
                    CertificateChoices::Certificate(cert) => {
                        Certificate::from_x509(cert.clone()).ok()
                    }
                    _ => None,
                })
                .collect()
        });
        Ok(Self {
            signed_data,
            certificates,
            revocation,
        })
    }

    pub fn signer_infos(&self) -> &[SignerInfo] {
        self.signed_data.signer_infos.0.as_slice()
    }

    /// The certificate named by `signer`'s identifier, among `candidates`.
    pub fn find_signer_certificate<'a>(
        signer: &SignerInfo,
        candidates: &'a [Certificate],
    ) -> Option<&'a Certificate> {
        candidates.iter().find(|c| {
            let tbs = c.x509().tbs_certificate();
            match &signer.sid {
                SignerIdentifier::IssuerAndSerialNumber(ias) => {
                    ias.serial_number.as_bytes() == tbs.serial_number().as_bytes()
                        && ias.issuer.to_der().ok() == tbs.issuer().to_der().ok()
                }
                SignerIdentifier::SubjectKeyIdentifier(ski) => {
                    let theirs = tbs
                        .extensions()
                        .and_then(|exts| {
                            exts.iter().find(|e| {
                                e.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER
                            })
                        })
                        .and_then(|e| OctetString::from_der(e.extn_value.as_bytes()).ok());
                    theirs.is_some_and(|t| t.as_bytes() == ski.0.as_bytes())
                }
            }
        })
    }
}

fn decode_content_info(bytes: &[u8]) -> Result<ContentInfo, Error> {
    let mut reader = SliceReader::new(bytes).map_err(|e| Error::Decode(e.to_string()))?;
    let content_info =
        ContentInfo::decode(&mut reader).map_err(|e| Error::Decode(e.to_string()))?;
    let consumed = bytes.len() - usize::try_from(u32::from(reader.remaining_len())).unwrap_or(0);
    if bytes
        .get(consumed..)
        .is_some_and(|tail| tail.iter().any(|b| *b != 0))
    {
        return Err(Error::Decode("data after the CMS structure".into()));
    }
    Ok(content_info)
}

/// The certificates exactly as encoded in the message. Re-encoding a decoded certificate can
/// change bytes the CA signed (non-canonical DER), which would break hashes and signatures.
fn original_certificates(signed_data: &Any) -> Option<Vec<Certificate>> {
    let mut reader = SliceReader::new(signed_data.value()).ok()?;
    while !reader.is_finished() {
        let item = Any::decode(&mut reader).ok()?;
        // `certificates [0] IMPLICIT CertificateSet`: constructed, context-specific 0.
        if item.tag().is_context_specific()
            && item.tag().is_constructed()
            && item.tag().number().value() == 0
        {
            let mut inner = SliceReader::new(item.value()).ok()?;
            let mut certificates = Vec::new();
            while !inner.is_finished() {
                let choice = Any::decode(&mut inner).ok()?;
                if choice.tag() == der::Tag::Sequence
                    && let Ok(certificate) = choice
                        .to_der()
                        .map_err(|_| ())
                        .and_then(|der| Certificate::from_der(&der).map_err(|_| ()))
                {
                    certificates.push(certificate);
                }
            }
            return Some(certificates);
        }
    }
    Some(Vec::new())
}

/// What one SignerInfo says, decoded.
#[derive(Clone, Debug)]
pub struct SignerView {
    pub digest: Option<Digest>,
    pub digest_oid: ObjectIdentifier,
    pub scheme: Option<(Scheme, Option<Digest>)>,
    pub content_type: Option<ObjectIdentifier>,
    pub message_digest: Option<Vec<u8>>,
    pub signing_time: Option<DateTime<Utc>>,
    pub signing_certificate: Option<CertificateReference>,
    /// DER of the signed attributes as a SET, the input to the signature.
    pub signed_attributes: Option<Vec<u8>>,
    pub signature: Vec<u8>,
    pub unsigned_attribute_oids: Vec<ObjectIdentifier>,
    /// DER of every signature time-stamp token (id-aa-signatureTimeStampToken values).
    pub signature_timestamps: Vec<Vec<u8>>,
    /// Revocation data in Adobe's signed archival attribute.
    pub revocation: archival::Revocation,
}

/// The first certificate reference of a signing-certificate(-v2) attribute.
#[derive(Clone, Debug)]
pub struct CertificateReference {
    pub digest: Digest,
    pub hash: Vec<u8>,
    pub issuer_serial: Option<(Vec<u8>, Vec<u8>)>,
    /// `true` for the RFC 5035 v2 attribute, `false` for the SHA-1-only v1.
    pub v2: bool,
}

impl CertificateReference {
    /// Whether this reference names `certificate` (hash and, if present, issuer and serial).
    pub fn matches(&self, certificate: &Certificate) -> bool {
        if self.digest.hash(certificate.der()) != self.hash {
            return false;
        }
        match &self.issuer_serial {
            None => true,
            Some((issuer, serial)) => {
                let tbs = certificate.x509().tbs_certificate();
                let same_issuer = tbs.issuer().to_der().ok().as_deref() == Some(issuer.as_slice())
                    || tbs
                        .issuer()
                        .to_der()
                        .ok()
                        .is_some_and(|own| same_name(&own, issuer));
                same_issuer && tbs.serial_number().as_bytes() == serial.as_slice()
            }
        }
    }
}

/// Whether two DER Names are the same name under RFC 5280 §7.1: the same attribute types in
/// the same order, values compared without regard to their string type (a PrintableString
/// "ETSI" is the UTF8String "ETSI"), case, or runs of spaces.
fn same_name(a: &[u8], b: &[u8]) -> bool {
    let normal = |der: &[u8]| -> Option<Vec<Vec<(ObjectIdentifier, String)>>> {
        let name = x509_cert::name::Name::from_der(der).ok()?;
        Some(
            name.iter_rdn()
                .map(|rdn| {
                    let mut values: Vec<(ObjectIdentifier, String)> = rdn
                        .iter()
                        .map(|atv| {
                            let text = String::from_utf8_lossy(atv.value.value());
                            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                            (atv.oid, text.to_lowercase())
                        })
                        .collect();
                    values.sort();
                    values
                })
                .collect(),
        )
    };
    matches!((normal(a), normal(b)), (Some(x), Some(y)) if x == y)
}

/// Decodes the parts of a SignerInfo that verification needs. Malformed attributes yield
/// `None` fields, which the validator reports; this never fails.
pub fn view(signer: &SignerInfo) -> SignerView {
    let attrs = signer.signed_attrs.as_ref();
    let value = |oid: ObjectIdentifier| -> Option<&Any> {
        let matching: Vec<&Attribute> = attrs?.iter().filter(|a| a.oid == oid).collect();
        // A signed attribute must appear once with one value (RFC 5652 §11).
        match matching.as_slice() {
            [only] if only.values.len() == 1 => only.values.get(0),
            _ => None,
        }
    };
    let signing_certificate = value(ID_SIGNING_CERTIFICATE_V2)
        .and_then(|v| v.decode_as::<ess::SigningCertificateV2>().ok())
        .and_then(|sc| {
            let first = sc.certs.into_iter().next()?;
            let digest = match &first.hash_algorithm {
                None => Digest::Sha256,
                Some(alg) => oid::digest_from_oid(&alg.oid)?,
            };
            Some(CertificateReference {
                digest,
                hash: first.cert_hash.as_bytes().to_vec(),
                issuer_serial: issuer_serial(first.issuer_serial.as_ref()),
                v2: true,
            })
        })
        .or_else(|| {
            let sc = value(ID_SIGNING_CERTIFICATE)?
                .decode_as::<ess::SigningCertificate>()
                .ok()?;
            let first = sc.certs.into_iter().next()?;
            Some(CertificateReference {
                digest: Digest::Sha1,
                hash: first.cert_hash.as_bytes().to_vec(),
                issuer_serial: issuer_serial(first.issuer_serial.as_ref()),
                v2: false,
            })
        });
    SignerView {
        digest: oid::digest_from_oid(&signer.digest_alg.oid),
        digest_oid: signer.digest_alg.oid,
        scheme: oid::scheme(&signer.signature_algorithm),
        content_type: value(ID_CONTENT_TYPE).and_then(|v| v.decode_as::<ObjectIdentifier>().ok()),
        message_digest: value(ID_MESSAGE_DIGEST)
            .and_then(|v| v.decode_as::<OctetString>().ok())
            .map(|o| o.as_bytes().to_vec()),
        signing_time: value(ID_SIGNING_TIME)
            .and_then(|v| v.decode_as::<Time>().ok())
            .and_then(|t| {
                DateTime::from_timestamp(i64::try_from(t.to_unix_duration().as_secs()).ok()?, 0)
            }),
        signing_certificate,
        signed_attributes: attrs.and_then(|a| a.to_der().ok()),
        signature: signer.signature.as_bytes().to_vec(),
        unsigned_attribute_oids: signer
            .unsigned_attrs
            .iter()
            .flat_map(|u| u.iter().map(|a| a.oid))
            .collect(),
        revocation: {
            let mut revocation = archival::Revocation::default();
            if let Some(archival) = value(archival::ID_ADBE_REVOCATION)
                .and_then(|v| v.decode_as::<archival::RevocationInfoArchival>().ok())
            {
                revocation.add_archival(&archival);
            }
            revocation
        },
        signature_timestamps: signer
            .unsigned_attrs
            .iter()
            .flat_map(|u| u.iter().filter(|a| a.oid == ID_SIGNATURE_TIME_STAMP))
            .flat_map(|a| a.values.iter().filter_map(|v| v.to_der().ok()))
            .collect(),
    }
}

fn issuer_serial(issuer_serial: Option<&ess::IssuerSerial>) -> Option<(Vec<u8>, Vec<u8>)> {
    let is = issuer_serial?;
    let name = is.issuer.iter().find_map(|g| match g {
        GeneralName::DirectoryName(name) => name.to_der().ok(),
        _ => None,
    })?;
    Some((name, is.serial_number.as_bytes().to_vec()))
}

/// What checking one SignerInfo found (RFC 5652 §5.4 message digest, §5.6 signature value;
/// RFC 5035 signing-certificate binding). One checker for signatures and time-stamp tokens.
#[derive(Clone, Debug)]
pub struct SignerCheck {
    pub message_digest: MessageDigestCheck,
    pub value: ValueCheck,
    pub binding: BindingCheck,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageDigestCheck {
    Matches,
    Differs,
    Missing,
}

#[derive(Clone, Debug)]
pub enum ValueCheck {
    Correct(Verified),
    Wrong(Verified),
    /// An unknown signature algorithm, or no signed attributes to verify.
    Unsupported,
    /// The value could not be checked (a key that does not fit the declared algorithm).
    Failed(Error),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingCheck {
    /// The attribute names the certificate; `v2` for the RFC 5035 attribute.
    Matches {
        v2: bool,
    },
    OtherCertificate,
    Absent,
}

/// Checks a SignerInfo (seen as `view`) against the digest of its content, computed with
/// `view.digest`, and the signer's `certificate`.
pub fn check_signer(
    view: &SignerView,
    certificate: &Certificate,
    content_digest: &[u8],
) -> SignerCheck {
    let message_digest = match &view.message_digest {
        Some(claimed) if claimed == content_digest => MessageDigestCheck::Matches,
        Some(_) => MessageDigestCheck::Differs,
        None => MessageDigestCheck::Missing,
    };
    let value = match (view.scheme, view.signed_attributes.as_ref(), view.digest) {
        (Some((scheme, scheme_digest)), Some(signed), Some(digest)) => {
            let verified = Verified {
                scheme,
                digest: scheme_digest.unwrap_or(digest),
            };
            match verify_signature(
                &certificate.public_key(),
                scheme,
                verified.digest,
                signed,
                &view.signature,
            ) {
                Ok(true) => ValueCheck::Correct(verified),
                Ok(false) => ValueCheck::Wrong(verified),
                Err(error) => ValueCheck::Failed(error),
            }
        }
        _ => ValueCheck::Unsupported,
    };
    let binding = match &view.signing_certificate {
        Some(reference) if reference.matches(certificate) => {
            BindingCheck::Matches { v2: reference.v2 }
        }
        Some(_) => BindingCheck::OtherCertificate,
        None => BindingCheck::Absent,
    };
    SignerCheck {
        message_digest,
        value,
        binding,
    }
}

/// Checks one SignerInfo over `content` with `certificate`: message digest, signature value and
/// the signing-certificate reference where present. The message says what failed.
pub fn verify_signer(
    signer: &SignerInfo,
    certificate: &Certificate,
    content: &[u8],
) -> Result<(), String> {
    let view = view(signer);
    let digest = view
        .digest
        .ok_or_else(|| format!("unsupported digest algorithm {}", view.digest_oid))?;
    let check = check_signer(&view, certificate, &digest.hash(content));
    match check.message_digest {
        MessageDigestCheck::Matches => {}
        MessageDigestCheck::Differs => {
            return Err("the message digest does not match the content".into());
        }
        MessageDigestCheck::Missing => return Err("no message-digest attribute".into()),
    }
    match check.value {
        ValueCheck::Correct(_) => {}
        ValueCheck::Wrong(_) => return Err("the signature value does not verify".into()),
        ValueCheck::Unsupported => {
            return Err("unsupported signature algorithm or no signed attributes".into());
        }
        ValueCheck::Failed(error) => return Err(error.to_string()),
    }
    if check.binding == BindingCheck::OtherCertificate {
        return Err("the signing-certificate attribute names another certificate".into());
    }
    Ok(())
}

/// Checks `signature` over `message` with `public_key` (DER SPKI).
pub fn verify_signature(
    public_key: &[u8],
    scheme: Scheme,
    digest: Digest,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, Error> {
    use openssl::rsa::Padding;
    use openssl::sign::{RsaPssSaltlen, Verifier};
    let key = openssl::pkey::PKey::public_key_from_der(public_key)
        .map_err(|e| Error::PublicKey(e.to_string()))?;
    // The declared algorithm must be one the key can make: openssl would otherwise verify
    // with whatever the key is and report a signature "correct" under a false name.
    let id = key.id();
    let fits = match scheme {
        Scheme::RsaPkcs1 | Scheme::RsaPss { .. } => {
            id == openssl::pkey::Id::RSA || id == openssl::pkey::Id::RSA_PSS
        }
        Scheme::Ecdsa | Scheme::PlainEcdsa => id == openssl::pkey::Id::EC,
    };
    if !fits {
        return Err(Error::AlgorithmMismatch {
            declared: scheme.name(),
            key: key_name(id),
        });
    }
    let md = digest.message_digest();
    let mut verifier = Verifier::new(md, &key).map_err(|e| Error::PublicKey(e.to_string()))?;
    if let Scheme::RsaPss { salt_length, mgf1 } = scheme {
        let mut setup = || -> Result<(), openssl::error::ErrorStack> {
            verifier.set_rsa_padding(Padding::PKCS1_PSS)?;
            verifier.set_rsa_pss_saltlen(RsaPssSaltlen::custom(
                i32::try_from(salt_length).unwrap_or(i32::MAX),
            ))?;
            verifier.set_rsa_mgf1_md(mgf1.message_digest())
        };
        setup().map_err(|e| Error::PublicKey(e.to_string()))?;
    }
    let converted;
    let signature = if scheme == Scheme::PlainEcdsa {
        converted = algorithm::plain_to_der(signature)
            .ok_or_else(|| Error::Decode("malformed plain ECDSA signature".into()))?;
        &converted
    } else {
        signature
    };
    verifier
        .update(message)
        .map_err(|e| Error::PublicKey(e.to_string()))?;
    // openssl reports a bad signature as Ok(false) or as an error; both mean "does not verify".
    Ok(verifier.verify(signature).unwrap_or(false))
}

fn key_name(id: openssl::pkey::Id) -> &'static str {
    match id {
        openssl::pkey::Id::RSA | openssl::pkey::Id::RSA_PSS => "an RSA key",
        openssl::pkey::Id::EC => "an EC key",
        openssl::pkey::Id::ED25519 => "an Ed25519 key",
        openssl::pkey::Id::ED448 => "an Ed448 key",
        openssl::pkey::Id::DSA => "a DSA key",
        _ => "a key of another type",
    }
}

/// Why CMS could not be built or read.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot encode CMS: {0}")]
    Encode(String),
    #[error("cannot decode CMS: {0}")]
    Decode(String),
    #[error("unusable public key: {0}")]
    PublicKey(String),
    #[error("the signature claims {declared}, but the signer's key is {key}")]
    AlgorithmMismatch {
        declared: &'static str,
        key: &'static str,
    },
    #[error(transparent)]
    Key(#[from] key::Error),
    #[error(transparent)]
    Certificate(#[from] certificate::Error),
}

impl From<der::Error> for Error {
    fn from(error: der::Error) -> Self {
        Self::Encode(error.to_string())
    }
}
