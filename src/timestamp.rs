//! RFC 3161 time-stamp protocol: requests to a TSA over HTTP (§3.4) and the checks every
//! response gets before it is embedded (§2.4.2), also used to validate tokens found in
//! documents.

use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};
use const_oid::ObjectIdentifier;
use der::asn1::{Int, OctetString};
use der::{Any, Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;

use crate::algorithm::Digest;
use crate::algorithm::oid;
use crate::certificate::Certificate;
use crate::cms;
use crate::network::{self, Fetcher};

/// RFC 3161 `id-ct-TSTInfo`.
const ID_CT_TST_INFO: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// RFC 3161 §2.3 `id-kp-timeStamping`.
const ID_KP_TIME_STAMPING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8");

/// ```text
/// TimeStampReq ::= SEQUENCE {
///     version        INTEGER { v1(1) },
///     messageImprint MessageImprint,
///     reqPolicy      TSAPolicyId OPTIONAL,
///     nonce          INTEGER OPTIONAL,
///     certReq        BOOLEAN DEFAULT FALSE,
///     extensions     [0] IMPLICIT Extensions OPTIONAL }
/// ```
#[derive(Clone, Debug, Sequence)]
struct TimeStampReq {
    version: u8,
    message_imprint: MessageImprint,
    req_policy: Option<ObjectIdentifier>,
    nonce: Option<Int>,
    #[asn1(default = "Default::default")]
    cert_req: bool,
}

/// ```text
/// MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }
/// ```
#[derive(Clone, Debug, Sequence)]
struct MessageImprint {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetString,
}

/// ```text
/// TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }
/// PKIStatusInfo ::= SEQUENCE { status PKIStatus, statusString PKIFreeText OPTIONAL,
///                              failInfo PKIFailureInfo OPTIONAL }
/// ```
#[derive(Clone, Debug, Sequence)]
struct TimeStampResp {
    status: PkiStatusInfo,
    time_stamp_token: Option<Any>,
}

#[derive(Clone, Debug, Sequence)]
struct PkiStatusInfo {
    status: u8,
    status_string: Option<Vec<String>>,
    fail_info: Option<der::asn1::BitString>,
}

/// ```text
/// TSTInfo ::= SEQUENCE {
///     version INTEGER { v1(1) }, policy TSAPolicyId, messageImprint MessageImprint,
///     serialNumber INTEGER, genTime GeneralizedTime, accuracy Accuracy OPTIONAL,
///     ordering BOOLEAN DEFAULT FALSE, nonce INTEGER OPTIONAL,
///     tsa [0] GeneralName OPTIONAL, extensions [1] IMPLICIT Extensions OPTIONAL }
/// ```
/// `genTime` is kept as raw bytes: TSAs send fractional seconds, which the `der`
/// GeneralizedTime type refuses.
#[derive(Clone, Debug, Sequence)]
struct TstInfo {
    version: u8,
    policy: ObjectIdentifier,
    message_imprint: MessageImprint,
    serial_number: Int,
    gen_time: Any,
    accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    ordering: bool,
    nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<Any>,
    #[asn1(
        context_specific = "1",
        tag_mode = "IMPLICIT",
        constructed = "true",
        optional = "true"
    )]
    extensions: Option<Vec<x509_cert::ext::Extension>>,
}

/// ```text
/// Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER (1..999) OPTIONAL,
///                         micros [1] INTEGER (1..999) OPTIONAL }
/// ```
/// Typed, not `Any`: an optional `Any` would swallow the nonce when accuracy is absent.
#[derive(Clone, Debug, Sequence)]
struct Accuracy {
    seconds: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    millis: Option<Int>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    micros: Option<Int>,
}

/// Obtains timestamp tokens.
pub trait TimeStamper: std::fmt::Debug + Send + Sync {
    /// A token over `imprint`, a `digest` hash of the data to be time-stamped, checked as
    /// [`verify`] does.
    fn stamp(&self, digest: Digest, imprint: &[u8]) -> Result<Token, Error>;
}

/// A time-stamp token (a CMS SignedData over a TSTInfo) with what it says.
#[derive(Clone, Debug)]
pub struct Token {
    /// DER of the ContentInfo.
    pub der: Vec<u8>,
    pub time: DateTime<Utc>,
    pub digest: Digest,
    pub imprint: Vec<u8>,
    pub policy: String,
    pub serial: String,
    /// The TSA's certificate, if the token carries it.
    pub tsa: Option<Certificate>,
    /// All certificates the token carries.
    pub certificates: Vec<Certificate>,
}

/// RFC 3161 over HTTP: the URLs are tried in order until one answers with a good token.
#[derive(Debug)]
pub struct Client {
    urls: Vec<String>,
    fetcher: Arc<dyn Fetcher>,
    policy: Option<ObjectIdentifier>,
}

impl Client {
    pub fn new(urls: Vec<String>, fetcher: Arc<dyn Fetcher>) -> Self {
        Self {
            urls,
            fetcher,
            policy: None,
        }
    }

    /// Asks for tokens under this TSA policy (§2.4.1 `reqPolicy`).
    pub fn with_policy(mut self, policy: ObjectIdentifier) -> Self {
        self.policy = Some(policy);
        self
    }

    fn request(&self, url: &str, digest: Digest, imprint: &[u8]) -> Result<Token, Error> {
        let mut nonce = [0u8; 8];
        openssl::rand::rand_bytes(&mut nonce).map_err(|e| Error::Internal(e.to_string()))?;
        nonce[0] &= 0x7f; // a positive INTEGER
        let request = TimeStampReq {
            version: 1,
            message_imprint: MessageImprint {
                hash_algorithm: oid::digest_identifier(digest),
                hashed_message: octets(imprint)?,
            },
            req_policy: self.policy,
            nonce: Some(Int::new(&nonce).map_err(der_error)?),
            cert_req: true,
        };
        let body = request.to_der().map_err(der_error)?;
        let answer = self.fetcher.fetch(&network::Request::post(
            url,
            network::Kind::Timestamp,
            "application/timestamp-query",
            &body,
        ))?;
        let response = TimeStampResp::from_der(&answer).map_err(|e| Error::Response {
            url: url.to_owned(),
            reason: format!("not a TimeStampResp: {e}"),
        })?;
        // 0 granted, 1 grantedWithMods (§2.4.2).
        if response.status.status > 1 {
            let text = response
                .status
                .status_string
                .iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join("; ");
            return Err(Error::Response {
                url: url.to_owned(),
                reason: format!("status {} {text}", response.status.status),
            });
        }
        let token = response.time_stamp_token.ok_or_else(|| Error::Response {
            url: url.to_owned(),
            reason: "granted but no token".into(),
        })?;
        let der = token.to_der().map_err(der_error)?;
        let token = verify(&der, digest, imprint).map_err(|e| Error::Response {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
        let sent = Int::new(&nonce).map_err(der_error)?;
        let (_, info) = decode(&der).map_err(|e| Error::Response {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
        if info.nonce.as_ref().map(Int::as_bytes) != Some(sent.as_bytes()) {
            return Err(Error::Response {
                url: url.to_owned(),
                reason: "the nonce in the token is not the one sent".into(),
            });
        }
        let Some(tsa) = &token.tsa else {
            return Err(Error::Response {
                url: url.to_owned(),
                reason: "the token does not carry the TSA certificate".into(),
            });
        };
        check_tsa_certificate(tsa).map_err(|reason| Error::Response {
            url: url.to_owned(),
            reason,
        })?;
        Ok(token)
    }
}

impl TimeStamper for Client {
    fn stamp(&self, digest: Digest, imprint: &[u8]) -> Result<Token, Error> {
        let mut failures = Vec::new();
        for url in &self.urls {
            match self.request(url, digest, imprint) {
                Ok(token) => return Ok(token),
                Err(error) => failures.push(error.to_string()),
            }
        }
        if failures.is_empty() {
            return Err(Error::NoTsa);
        }
        Err(Error::AllFailed(failures.join("; ")))
    }
}

/// RFC 3161 §2.3: the TSA certificate must have exactly the extended key usage
/// id-kp-timeStamping, marked critical.
pub fn check_tsa_certificate(certificate: &Certificate) -> Result<(), String> {
    match certificate.extended_key_usage() {
        Some((true, usages)) if usages == [ID_KP_TIME_STAMPING] => Ok(()),
        Some((false, _)) => Err(format!(
            "the TSA certificate {} marks its extended key usage as not critical",
            certificate.holder()
        )),
        Some(_) => Err(format!(
            "the TSA certificate {} has other extended key usages than timeStamping",
            certificate.holder()
        )),
        None => Err(format!(
            "the TSA certificate {} lacks the timeStamping extended key usage",
            certificate.holder()
        )),
    }
}

/// Checks a token: it is a SignedData over a TSTInfo whose imprint is `imprint` (a `digest`
/// hash), its message digest matches and its signature verifies with the certificate it names.
/// Whether that certificate is trusted is the caller's question.
pub fn verify(der: &[u8], digest: Digest, imprint: &[u8]) -> Result<Token, Error> {
    let (parsed, info) = decode(der)?;
    let token_digest = oid::digest_from_oid(&info.message_imprint.hash_algorithm.oid)
        .ok_or(Error::Token("unsupported imprint hash algorithm"))?;
    if token_digest != digest || info.message_imprint.hashed_message.as_bytes() != imprint {
        return Err(Error::Token(
            "the token's message imprint does not match the data",
        ));
    }
    let token = describe(der, &parsed, &info)?;
    let [signer] = parsed.signer_infos() else {
        return Err(Error::Token(
            "a time-stamp token needs exactly one SignerInfo",
        ));
    };
    let tsa = token
        .tsa
        .as_ref()
        .ok_or(Error::Token("the TSA certificate is not in the token"))?;
    let tst_info = econtent(&parsed)?;
    cms::verify_signer(signer, tsa, tst_info).map_err(Error::Signature)?;
    Ok(token)
}

/// Reads a token without verifying it.
pub fn inspect(der: &[u8]) -> Result<Token, Error> {
    let (parsed, info) = decode(der)?;
    describe(der, &parsed, &info)
}

fn describe(der: &[u8], parsed: &cms::Parsed, info: &TstInfo) -> Result<Token, Error> {
    let digest = oid::digest_from_oid(&info.message_imprint.hash_algorithm.oid)
        .ok_or(Error::Token("unsupported imprint hash algorithm"))?;
    let tsa = parsed
        .signer_infos()
        .first()
        .and_then(|s| cms::Parsed::find_signer_certificate(s, &parsed.certificates))
        .cloned();
    Ok(Token {
        der: der.to_vec(),
        time: generalized_time(&info.gen_time).ok_or(Error::Token("unreadable genTime"))?,
        digest,
        imprint: info.message_imprint.hashed_message.as_bytes().to_vec(),
        policy: info.policy.to_string(),
        serial: crate::certificate::hex_upper(info.serial_number.as_bytes()),
        tsa,
        certificates: parsed.certificates.clone(),
    })
}

fn decode(der: &[u8]) -> Result<(cms::Parsed, TstInfo), Error> {
    let parsed = cms::Parsed::from_der(der).map_err(|e| Error::Decode(e.to_string()))?;
    if parsed.signed_data.encap_content_info.econtent_type != ID_CT_TST_INFO {
        return Err(Error::Token("the token does not contain a TSTInfo"));
    }
    let info = TstInfo::from_der(econtent(&parsed)?)
        .map_err(|e| Error::Decode(format!("TSTInfo: {e}")))?;
    Ok((parsed, info))
}

/// The TSTInfo DER inside `eContent [0] EXPLICIT OCTET STRING`.
fn econtent(parsed: &cms::Parsed) -> Result<&[u8], Error> {
    let content = parsed
        .signed_data
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or(Error::Token("the token has no content"))?;
    Ok(content.value())
}

/// `YYYYMMDDHHMMSS[.fff]Z` (RFC 5280 §4.1.2.5.2 without the no-fraction rule, which RFC 3161
/// §2.4.2 relaxes).
fn generalized_time(value: &Any) -> Option<DateTime<Utc>> {
    let text = std::str::from_utf8(value.value()).ok()?;
    let text = text.strip_suffix('Z')?;
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let time = NaiveDateTime::parse_from_str(whole, "%Y%m%d%H%M%S").ok()?;
    let nanos = if fraction.is_empty() {
        0
    } else {
        let digits: String = fraction.chars().take(9).collect();
        let value: u32 = digits.parse().ok()?;
        value * 10u32.pow(9 - u32::try_from(digits.len()).ok()?)
    };
    chrono::Timelike::with_nanosecond(&time.and_utc(), nanos)
}

fn octets(bytes: &[u8]) -> Result<OctetString, Error> {
    OctetString::new(bytes).map_err(der_error)
}

fn der_error(error: der::Error) -> Error {
    Error::Internal(error.to_string())
}

/// Why a timestamp could not be obtained or does not hold.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("no time-stamp authority given")]
    NoTsa,
    #[error("no time-stamp authority answered with a valid token: {0}")]
    AllFailed(String),
    #[error("time-stamp authority {url}: {reason}")]
    Response { url: String, reason: String },
    #[error(transparent)]
    Network(#[from] network::Error),
    #[error("malformed time-stamp token: {0}")]
    Decode(String),
    #[error("time-stamp token: {0}")]
    Token(&'static str),
    #[error("time-stamp token signature: {0}")]
    Signature(String),
    #[error("internal error: {0}")]
    Internal(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generalized_time_with_and_without_fractions() {
        let whole = Any::new(der::Tag::GeneralizedTime, b"20261122191000Z".to_vec()).unwrap();
        let fraction = Any::new(der::Tag::GeneralizedTime, b"20261122191000.25Z".to_vec()).unwrap();
        let a = generalized_time(&whole).unwrap();
        let b = generalized_time(&fraction).unwrap();
        assert_eq!((b - a).num_milliseconds(), 250);
        let local = Any::new(der::Tag::GeneralizedTime, b"20261122191000+0100".to_vec()).unwrap();
        assert!(generalized_time(&local).is_none());
    }
}
