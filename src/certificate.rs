//! A view over an X.509 certificate (RFC 5280) with what signing and validation ask of it:
//! holder, validity, key usage and the ETSI EN 319 412-5 QC statements that say whether it is
//! qualified and whether it is meant for signatures or seals.
//!
//! The model is `x509-cert`, the same ASN.1 stack the `cms` crate builds on, so certificates
//! pass between CMS and this view without re-parsing through a second library.

use std::fmt;

use chrono::{DateTime, Utc};
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Any, Decode, Encode, Sequence};
use x509_cert::ext::pkix::name::DirectoryString;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
use x509_cert::name::Name;

/// `id-pe-qcStatements` (RFC 3739).
const QC_STATEMENTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.3");
/// ETSI EN 319 412-5 §4.2.1 `id-etsi-qcs-QcCompliance`.
const QC_COMPLIANCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.1862.1.1");
/// §4.2.2 `id-etsi-qcs-QcSSCD`.
const QC_SSCD: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.1862.1.4");
/// §4.2.3 `id-etsi-qcs-QcType` and its values.
const QC_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.1862.1.6");
const QC_TYPE_ESIGN: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.1862.1.6.1");
const QC_TYPE_ESEAL: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.1862.1.6.2");
const QC_TYPE_WEB: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.4.0.1862.1.6.3");

const GIVEN_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.42");
const SURNAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.4");
const PSEUDONYM: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.65");
const SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
const ORGANIZATION_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.97");

/// ```text
/// QCStatement ::= SEQUENCE {
///     statementId   QC-STATEMENT.&id({SupportedStatements}),
///     statementInfo QC-STATEMENT.&Type({SupportedStatements}{@statementId}) OPTIONAL }
/// ```
#[derive(Clone, Debug, Sequence)]
struct QcStatement {
    statement_id: ObjectIdentifier,
    statement_info: Option<Any>,
}

/// A parsed certificate with its DER encoding.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    inner: x509_cert::Certificate,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject())
            .field("serial", &self.serial_hex())
            .finish()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Certificate {
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let inner =
            x509_cert::Certificate::from_der(der).map_err(|e| Error::Parse(e.to_string()))?;
        Ok(Self {
            der: der.to_vec(),
            inner,
        })
    }

    pub fn from_x509(inner: x509_cert::Certificate) -> Result<Self, Error> {
        let der = inner.to_der().map_err(|e| Error::Parse(e.to_string()))?;
        Ok(Self { der, inner })
    }

    /// Reads one or more certificates from PEM text or a single DER blob.
    pub fn load_all(bytes: &[u8]) -> Result<Vec<Self>, Error> {
        if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
            // openssl keeps each certificate's bytes as found; re-encoding could alter them.
            let chain = openssl::x509::X509::stack_from_pem(bytes)
                .map_err(|e| Error::Parse(e.to_string()))?;
            chain
                .iter()
                .map(|c| Self::from_der(&c.to_der().map_err(|e| Error::Parse(e.to_string()))?))
                .collect()
        } else {
            Ok(vec![Self::from_der(bytes)?])
        }
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    pub fn x509(&self) -> &x509_cert::Certificate {
        &self.inner
    }

    pub fn subject(&self) -> String {
        self.inner.tbs_certificate().subject().to_string()
    }

    pub fn issuer(&self) -> String {
        self.inner.tbs_certificate().issuer().to_string()
    }

    /// Whether `issuer`'s subject is this certificate's issuer name (DER comparison).
    pub fn named_issuer_is(&self, issuer: &Certificate) -> bool {
        let mine = self.inner.tbs_certificate().issuer().to_der().ok();
        mine.is_some() && mine == issuer.inner.tbs_certificate().subject().to_der().ok()
    }

    pub fn is_self_issued(&self) -> bool {
        self.named_issuer_is(self)
    }

    /// Serial number as uppercase hex.
    pub fn serial_hex(&self) -> String {
        hex_upper(self.inner.tbs_certificate().serial_number().as_bytes())
    }

    pub fn serial_bytes(&self) -> &[u8] {
        self.inner.tbs_certificate().serial_number().as_bytes()
    }

    /// The DER `SubjectPublicKeyInfo`.
    pub fn public_key(&self) -> Vec<u8> {
        self.inner
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .unwrap_or_default()
    }

    /// The OID of the algorithm the issuer signed this certificate with.
    pub fn signature_algorithm(&self) -> String {
        self.inner.signature_algorithm().oid.to_string()
    }

    /// The public key's family and size in bits, for crypto constraints and reports.
    pub fn key_size(&self) -> Option<(KeyFamily, u32)> {
        let key = openssl::pkey::PKey::public_key_from_der(&self.public_key()).ok()?;
        let family = match key.id() {
            openssl::pkey::Id::RSA | openssl::pkey::Id::RSA_PSS => KeyFamily::Rsa,
            openssl::pkey::Id::EC => KeyFamily::Ec,
            openssl::pkey::Id::ED25519 | openssl::pkey::Id::ED448 => KeyFamily::EdDsa,
            openssl::pkey::Id::DSA => KeyFamily::Dsa,
            _ => return None,
        };
        Some((family, key.bits()))
    }

    pub fn not_before(&self) -> DateTime<Utc> {
        to_chrono(self.inner.tbs_certificate().validity().not_before)
    }

    pub fn not_after(&self) -> DateTime<Utc> {
        to_chrono(self.inner.tbs_certificate().validity().not_after)
    }

    pub fn is_valid_at(&self, time: DateTime<Utc>) -> bool {
        self.not_before() <= time && time <= self.not_after()
    }

    /// SHA-256 over the DER encoding, uppercase hex.
    pub fn fingerprint(&self) -> String {
        hex_upper(&crate::algorithm::Digest::Sha256.hash(&self.der))
    }

    /// The holder's display name: common name, else organisation, else the whole subject.
    pub fn holder(&self) -> String {
        self.subject_attribute(ObjectIdentifier::new_unwrap("2.5.4.3"))
            .or_else(|| self.organization())
            .unwrap_or_else(|| self.subject())
    }

    pub fn organization(&self) -> Option<String> {
        self.subject_attribute(ObjectIdentifier::new_unwrap("2.5.4.10"))
    }

    pub fn organization_identifier(&self) -> Option<String> {
        self.subject_attribute(ORGANIZATION_IDENTIFIER)
    }

    /// The subject's serialNumber attribute (a person or registration number, not the
    /// certificate serial).
    pub fn subject_serial_number(&self) -> Option<String> {
        self.subject_attribute(SERIAL_NUMBER)
    }

    /// The attribute types present in the subject name (for TS 119 612 CertSubjectDNAttribute
    /// criteria).
    pub fn subject_attribute_types(&self) -> Vec<ObjectIdentifier> {
        let name: &Name = self.inner.tbs_certificate().subject();
        name.iter().map(|attribute| attribute.oid).collect()
    }

    fn subject_attribute(&self, oid: ObjectIdentifier) -> Option<String> {
        let name: &Name = self.inner.tbs_certificate().subject();
        name.by_oid::<DirectoryString>(oid)
            .ok()
            .flatten()
            .map(String::from)
    }

    fn extension(&self, oid: ObjectIdentifier) -> Option<(bool, &OctetString)> {
        self.inner
            .tbs_certificate()
            .extensions()?
            .iter()
            .find(|e| e.extn_id == oid)
            .map(|e| (e.critical, &e.extn_value))
    }

    /// Whether the certificate carries the extension `oid`.
    pub fn has_extension(&self, oid: ObjectIdentifier) -> bool {
        self.extension(oid).is_some()
    }

    /// Key usage bits, or `None` when the extension is absent (any use allowed).
    pub fn key_usage(&self) -> Option<KeyUsage> {
        let (_, value) = self.extension(const_oid::db::rfc5280::ID_CE_KEY_USAGE)?;
        KeyUsage::from_der(value.as_bytes()).ok()
    }

    /// Whether the key may make signatures: digitalSignature or nonRepudiation (RFC 5280
    /// §4.2.1.3; ETSI EN 319 412-2 asks for nonRepudiation on signing certificates).
    pub fn can_sign(&self) -> bool {
        self.key_usage().is_none_or(|ku| {
            ku.0.contains(KeyUsages::DigitalSignature) || ku.0.contains(KeyUsages::NonRepudiation)
        })
    }

    /// Names of the key usage bits (RFC 5280 §4.2.1.3), empty when the extension is absent.
    pub fn key_usage_names(&self) -> Vec<&'static str> {
        let Some(usage) = self.key_usage() else {
            return Vec::new();
        };
        [
            (KeyUsages::DigitalSignature, "digitalSignature"),
            (KeyUsages::NonRepudiation, "nonRepudiation"),
            (KeyUsages::KeyEncipherment, "keyEncipherment"),
            (KeyUsages::DataEncipherment, "dataEncipherment"),
            (KeyUsages::KeyAgreement, "keyAgreement"),
            (KeyUsages::KeyCertSign, "keyCertSign"),
            (KeyUsages::CRLSign, "cRLSign"),
        ]
        .into_iter()
        .filter(|(bit, _)| usage.0.contains(*bit))
        .map(|(_, name)| name)
        .collect()
    }

    /// The certificate policy identifiers (RFC 5280 §4.2.1.4), empty when the extension is
    /// absent or unreadable.
    pub fn policies(&self) -> Vec<ObjectIdentifier> {
        self.extension(const_oid::db::rfc5280::ID_CE_CERTIFICATE_POLICIES)
            .and_then(|(_, v)| {
                x509_cert::ext::pkix::CertificatePolicies::from_der(v.as_bytes()).ok()
            })
            .map(|p| p.0.into_iter().map(|info| info.policy_identifier).collect())
            .unwrap_or_default()
    }

    /// The subject name in DER, the key under which issuers are looked up.
    pub fn subject_der(&self) -> Vec<u8> {
        self.inner
            .tbs_certificate()
            .subject()
            .to_der()
            .unwrap_or_default()
    }

    /// The issuer name in DER.
    pub fn issuer_der(&self) -> Vec<u8> {
        self.inner
            .tbs_certificate()
            .issuer()
            .to_der()
            .unwrap_or_default()
    }

    /// The extended key usage extension: whether it is critical, and its purposes.
    pub fn extended_key_usage(&self) -> Option<(bool, Vec<ObjectIdentifier>)> {
        let (critical, value) = self.extension(const_oid::db::rfc5280::ID_CE_EXT_KEY_USAGE)?;
        let usages = Vec::<ObjectIdentifier>::from_der(value.as_bytes()).ok()?;
        Some((critical, usages))
    }

    /// OCSP responder URLs from the Authority Information Access extension (RFC 5280 §4.2.2.1).
    pub fn ocsp_urls(&self) -> Vec<String> {
        self.access_urls(const_oid::db::rfc5280::ID_AD_OCSP)
    }

    /// URLs where the issuer's certificate can be fetched (AIA caIssuers).
    pub fn ca_issuer_urls(&self) -> Vec<String> {
        self.access_urls(const_oid::db::rfc5280::ID_AD_CA_ISSUERS)
    }

    fn access_urls(&self, method: ObjectIdentifier) -> Vec<String> {
        use x509_cert::ext::pkix::AuthorityInfoAccessSyntax;
        use x509_cert::ext::pkix::name::GeneralName;
        let Some((_, value)) = self.extension(const_oid::db::rfc5280::ID_PE_AUTHORITY_INFO_ACCESS)
        else {
            return Vec::new();
        };
        let Ok(access) = AuthorityInfoAccessSyntax::from_der(value.as_bytes()) else {
            return Vec::new();
        };
        access
            .0
            .iter()
            .filter(|a| a.access_method == method)
            .filter_map(|a| match &a.access_location {
                GeneralName::UniformResourceIdentifier(uri) => Some(uri.to_string()),
                _ => None,
            })
            .collect()
    }

    /// HTTP(S) URLs of the CRL distribution points (RFC 5280 §4.2.1.13).
    pub fn crl_urls(&self) -> Vec<String> {
        use x509_cert::ext::pkix::CrlDistributionPoints;
        use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
        let Some((_, value)) =
            self.extension(const_oid::db::rfc5280::ID_CE_CRL_DISTRIBUTION_POINTS)
        else {
            return Vec::new();
        };
        let Ok(points) = CrlDistributionPoints::from_der(value.as_bytes()) else {
            return Vec::new();
        };
        points
            .0
            .iter()
            .filter_map(|p| match &p.distribution_point {
                Some(DistributionPointName::FullName(names)) => Some(names),
                _ => None,
            })
            .flatten()
            .filter_map(|name| match name {
                GeneralName::UniformResourceIdentifier(uri) => Some(uri.to_string()),
                _ => None,
            })
            .filter(|url| url.starts_with("http://") || url.starts_with("https://"))
            .collect()
    }

    pub fn is_ca(&self) -> bool {
        self.extension(const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS)
            .and_then(|(_, v)| BasicConstraints::from_der(v.as_bytes()).ok())
            .is_some_and(|bc| bc.ca)
    }

    /// The QC statements of ETSI EN 319 412-5, if the certificate carries any.
    pub fn qc_statements(&self) -> QcStatements {
        let mut result = QcStatements::default();
        let Some((_, value)) = self.extension(QC_STATEMENTS) else {
            return result;
        };
        let Ok(statements) = Vec::<QcStatement>::from_der(value.as_bytes()) else {
            return result;
        };
        for statement in statements {
            match statement.statement_id {
                id if id == QC_COMPLIANCE => result.compliance = true,
                id if id == QC_SSCD => result.sscd = true,
                id if id == QC_TYPE => {
                    let types = statement
                        .statement_info
                        .and_then(|info| info.decode_as::<Vec<ObjectIdentifier>>().ok())
                        .unwrap_or_default();
                    result.qc_type = types.iter().find_map(|t| match *t {
                        t if t == QC_TYPE_ESIGN => Some(QcType::Esign),
                        t if t == QC_TYPE_ESEAL => Some(QcType::Eseal),
                        t if t == QC_TYPE_WEB => Some(QcType::Web),
                        _ => None,
                    });
                }
                _ => {}
            }
        }
        result
    }

    /// Signature (natural person) or seal (legal person) as the certificate declares it: by
    /// QcType where present, else by the subject attributes ETSI EN 319 412-2 asks of natural
    /// persons (givenName, surname or pseudonym) and EN 319 412-3 of legal persons
    /// (organizationName without a person). `None` when the certificate says neither.
    pub fn declared_kind(&self) -> Option<Kind> {
        match self.qc_statements().qc_type {
            Some(QcType::Esign) => return Some(Kind::Signature),
            Some(QcType::Eseal) => return Some(Kind::Seal),
            _ => {}
        }
        let natural = [GIVEN_NAME, SURNAME, PSEUDONYM]
            .into_iter()
            .any(|oid| self.subject_attribute(oid).is_some());
        if natural {
            Some(Kind::Signature)
        } else if self.organization_identifier().is_some() || self.organization().is_some() {
            Some(Kind::Seal)
        } else {
            None
        }
    }

    /// The declared kind, or signature where the certificate says neither: a certificate is a
    /// natural person's unless it names an organisation.
    pub fn kind(&self) -> Kind {
        self.declared_kind().unwrap_or(Kind::Signature)
    }

    /// Why this certificate says it is a seal or a signature certificate, for messages.
    pub fn kind_reason(&self) -> &'static str {
        match self.qc_statements().qc_type {
            Some(QcType::Esign) => "its QCStatement QcType is esign (natural person)",
            Some(QcType::Eseal) => "its QCStatement QcType is eseal (legal person)",
            _ => match self.declared_kind() {
                Some(Kind::Seal) => "its subject names an organisation and no person",
                Some(Kind::Signature) => "its subject names a natural person",
                None => "its subject names neither a person nor an organisation",
            },
        }
    }

    /// The qualification claimed by the certificate alone (not yet confirmed against a
    /// trusted list).
    pub fn qualification(&self) -> Qualification {
        let qc = self.qc_statements();
        match (qc.compliance, qc.sscd, self.kind()) {
            (true, true, Kind::Signature) => Qualification::Qes,
            (true, true, Kind::Seal) => Qualification::QeSeal,
            (true, false, _) => Qualification::AdesQc,
            _ => Qualification::Ades,
        }
    }
}

/// How many issuers are fetched over AIA for one chain before giving up.
const MAX_AIA_FETCHES: usize = 6;

/// Completes `chain` (leaf first) up to a self-issued root, fetching missing issuers from the
/// AIA caIssuers URLs (RFC 5280 §4.2.2.1), within a fixed budget against hostile chains.
pub fn complete_chain(
    mut chain: Vec<Certificate>,
    fetcher: &dyn crate::network::Fetcher,
) -> Vec<Certificate> {
    for _ in 0..MAX_AIA_FETCHES {
        let Some(last) = chain.last() else { break };
        if last.is_self_issued() {
            break;
        }
        let urls = last.ca_issuer_urls();
        let issuer = urls.iter().take(crate::network::MAX_URLS).find_map(|url| {
            let request = crate::network::Request::get(url, crate::network::Kind::Certificate);
            let bytes = fetcher.fetch(&request).ok()?;
            Certificate::load_all(&bytes)
                .ok()?
                .into_iter()
                .find(|c| last.named_issuer_is(c))
        });
        match issuer {
            Some(issuer) => chain.push(issuer),
            None => break,
        }
    }
    chain
}

/// Puts the certificate holding `public_key` first and its issuers after it, in order; drops
/// certificates that do not belong to the chain. `None` if no certificate holds the key.
pub fn order_chain(
    public_key: &[u8],
    mut certificates: Vec<Certificate>,
) -> Option<Vec<Certificate>> {
    let position = certificates
        .iter()
        .position(|c| c.public_key() == public_key)?;
    let mut chain = vec![certificates.remove(position)];
    while let Some(last) = chain.last() {
        if last.is_self_issued() {
            break;
        }
        let Some(next) = certificates.iter().position(|c| last.named_issuer_is(c)) else {
            break;
        };
        chain.push(certificates.remove(next));
    }
    Some(chain)
}

/// The ETSI EN 319 412-5 statements that matter for qualification.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QcStatements {
    pub compliance: bool,
    pub sscd: bool,
    pub qc_type: Option<QcType>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QcType {
    Esign,
    Eseal,
    Web,
}

/// Whether a certificate makes signatures (natural person) or seals (legal person).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Signature,
    Seal,
}

impl Kind {
    /// What is done with such a certificate, `sign` or `seal`: also the command that does it.
    pub fn verb(self) -> &'static str {
        match self {
            Self::Signature => "sign",
            Self::Seal => "seal",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Signature => "signature",
            Self::Seal => "seal",
        })
    }
}

/// Public key algorithm families, as crypto catalogues (ETSI TS 119 312) list them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum KeyFamily {
    Rsa,
    Ec,
    EdDsa,
    Dsa,
}

impl fmt::Display for KeyFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Rsa => "RSA",
            Self::Ec => "EC",
            Self::EdDsa => "EdDSA",
            Self::Dsa => "DSA",
        })
    }
}

/// Qualification levels as in the EU DSS reports (QES = qualified electronic signature).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Qualification {
    #[serde(rename = "QES")]
    Qes,
    #[serde(rename = "QESeal")]
    QeSeal,
    #[serde(rename = "AdES-QC")]
    AdesQc,
    #[serde(rename = "AdES")]
    Ades,
}

impl fmt::Display for Qualification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Qes => "QES",
            Self::QeSeal => "QESeal",
            Self::AdesQc => "AdES-QC",
            Self::Ades => "AdES",
        })
    }
}

fn to_chrono(time: x509_cert::time::Time) -> DateTime<Utc> {
    let seconds = i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    DateTime::from_timestamp(seconds, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Why a certificate could not be read.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot parse certificate: {0}")]
    Parse(String),
}
