//! The validation result as plain data (ETSI EN 319 102-1 §5.1.3 indications), serialisable for
//! the CLI's JSON and for rendering protocols.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::certificate::Kind;
use crate::trust::qualification::Qualification;

/// The main status of a validation (EN 319 102-1 Table 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    TotalPassed,
    Indeterminate,
    TotalFailed,
}

impl Indication {
    pub fn name(self) -> &'static str {
        match self {
            Self::TotalPassed => "TOTAL_PASSED",
            Self::Indeterminate => "INDETERMINATE",
            Self::TotalFailed => "TOTAL_FAILED",
        }
    }
}

/// Why a validation did not pass (EN 319 102-1 Table 5), with the ETSI names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubIndication {
    // TOTAL_FAILED
    FormatFailure,
    HashFailure,
    SigCryptoFailure,
    Revoked,
    // INDETERMINATE
    SigConstraintsFailure,
    ChainConstraintsFailure,
    CertificateChainGeneralFailure,
    CryptoConstraintsFailure,
    CryptoConstraintsFailureNoPoe,
    ExpiredNoPoe,
    NotYetValid,
    OutOfBoundsNoPoe,
    OutOfBoundsNotRevoked,
    RevokedNoPoe,
    RevokedCaNoPoe,
    NoCertificateChainFound,
    NoSigningCertificateFound,
    SignedDataNotFound,
    TimestampOrderFailure,
    TryLater,
}

impl SubIndication {
    pub fn name(self) -> &'static str {
        match self {
            Self::FormatFailure => "FORMAT_FAILURE",
            Self::HashFailure => "HASH_FAILURE",
            Self::SigCryptoFailure => "SIG_CRYPTO_FAILURE",
            Self::Revoked => "REVOKED",
            Self::SigConstraintsFailure => "SIG_CONSTRAINTS_FAILURE",
            Self::ChainConstraintsFailure => "CHAIN_CONSTRAINTS_FAILURE",
            Self::CertificateChainGeneralFailure => "CERTIFICATE_CHAIN_GENERAL_FAILURE",
            Self::CryptoConstraintsFailure => "CRYPTO_CONSTRAINTS_FAILURE",
            Self::CryptoConstraintsFailureNoPoe => "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
            Self::ExpiredNoPoe => "EXPIRED_NO_POE",
            Self::NotYetValid => "NOT_YET_VALID",
            Self::OutOfBoundsNoPoe => "OUT_OF_BOUNDS_NO_POE",
            Self::OutOfBoundsNotRevoked => "OUT_OF_BOUNDS_NOT_REVOKED",
            Self::RevokedNoPoe => "REVOKED_NO_POE",
            Self::RevokedCaNoPoe => "REVOKED_CA_NO_POE",
            Self::NoCertificateChainFound => "NO_CERTIFICATE_CHAIN_FOUND",
            Self::NoSigningCertificateFound => "NO_SIGNING_CERTIFICATE_FOUND",
            Self::SignedDataNotFound => "SIGNED_DATA_NOT_FOUND",
            Self::TimestampOrderFailure => "TIMESTAMP_ORDER_FAILURE",
            Self::TryLater => "TRY_LATER",
        }
    }

    /// The indication this sub-indication belongs to.
    pub fn indication(self) -> Indication {
        match self {
            // NOT_YET_VALID: the signature existed before the certificate did (Table 5).
            Self::FormatFailure
            | Self::HashFailure
            | Self::SigCryptoFailure
            | Self::Revoked
            | Self::NotYetValid => Indication::TotalFailed,
            _ => Indication::Indeterminate,
        }
    }
}

/// The validation of one document.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub file: String,
    pub sha256: String,
    pub size: u64,
    pub validation_time: DateTime<Utc>,
    /// Signatures in the order they were applied.
    pub signatures: Vec<Signature>,
    pub document_timestamps: Vec<Signature>,
    /// The worst indication over all signatures and timestamps; INDETERMINATE when there is
    /// no signature at all.
    pub indication: Indication,
    /// How many revisions (incremental updates plus the original) the file has.
    pub revisions: usize,
    pub policy: Policy,
    pub messages: Vec<String>,
    /// What a CAdES signature or an ASiC container signs: each file with which signatures
    /// cover it (empty for PDF, which signs itself).
    pub contents: Vec<SignedContent>,
}

/// One signed file of a CAdES signature or ASiC container.
#[derive(Clone, Debug, Serialize)]
pub struct SignedContent {
    /// The file name (a detached content's path, a container entry's name).
    pub name: String,
    /// Bytes, where known.
    pub size: Option<u64>,
    /// The `field` of each signature whose digest and value verify over this file; empty
    /// when none does.
    pub signed_by: Vec<String>,
}

/// The rules a validation applied, for the protocol's header.
#[derive(Clone, Debug, Serialize)]
pub struct Policy {
    /// The catalogue of accepted algorithms and key sizes.
    pub crypto_profile: String,
    /// Whether missing revocation data was fetched online.
    pub online: bool,
    /// The trust anchors' subjects.
    pub trust_anchors: Vec<String>,
    /// On what the qualification statements rest.
    pub qualification_basis: String,
    /// The trusted lists used, `None` when none was loaded (the protocol's trust basis).
    pub trusted_lists: Option<TrustBasis>,
}

/// The trusted-list snapshot a validation used (ETSI TS 119 615 §4.1): which issue of each
/// list, so that the result can be reproduced and its freshness judged.
#[derive(Clone, Debug, Serialize)]
pub struct TrustBasis {
    /// The EU list of trusted lists (territory `EU`).
    pub lotl: ListUsed,
    /// Each national list that verified and was consulted.
    pub lists: Vec<ListUsed>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ListUsed {
    pub territory: String,
    pub sequence: u64,
    pub issued: DateTime<Utc>,
    pub next_update: Option<DateTime<Utc>>,
    /// Where the LOTL says the list is published (`None` for the LOTL).
    pub location: Option<String>,
    /// SHA-256 of the list file, upper-case hex.
    pub sha256: String,
    /// Past its NextUpdate at the validation time (or without one): the list may have been
    /// superseded, so what it says is less certain.
    pub stale: bool,
}

impl ListUsed {
    pub fn of(loaded: &crate::trust::lists::Loaded, time: DateTime<Utc>) -> Self {
        let list = &loaded.list;
        Self {
            territory: list.territory.clone(),
            sequence: list.sequence,
            issued: list.issued,
            next_update: list.next_update,
            location: loaded.location.clone(),
            sha256: loaded.sha256.clone(),
            stale: list.next_update.is_none_or(|next| next < time),
        }
    }
}

impl Report {
    /// Counts signatures (not timestamps) that passed.
    pub fn passed(&self) -> usize {
        self.signatures
            .iter()
            .filter(|s| s.indication == Indication::TotalPassed)
            .count()
    }
}

/// A trust service as its trusted list names it (ETSI TS 119 612 §5.5), with its status at the
/// best-signature-time.
#[derive(Clone, Debug, Serialize)]
pub struct TrustService {
    pub territory: String,
    pub provider: String,
    pub service: String,
    /// The status URI's last segment, e.g. `granted`, `withdrawn`.
    pub status: String,
    pub since: DateTime<Utc>,
}

impl Signature {
    /// Whether the signature's digest and value verify over the content, whatever its
    /// certificate: such a signature covers its content, trusted or not. A counter-signature
    /// signs another signature, never the content.
    pub fn is_intact(&self) -> bool {
        if self.counter_signs.is_some() {
            return false;
        }
        let passed = |id: &str| self.checks.iter().any(|c| c.id == id && c.passed);
        let failed = |id: &str| self.checks.iter().any(|c| c.id == id && !c.passed);
        passed("message-digest") && passed("signature-value") && !failed("message-digest")
    }
}

impl TrustService {
    /// The list entry `entry` in its phase `phase`.
    pub fn of(entry: &crate::trust::lists::Entry<'_>, phase: &crate::trust::tsl::Phase) -> Self {
        Self {
            territory: entry.territory.to_owned(),
            provider: entry.provider.name.clone(),
            service: entry.service.name.clone(),
            status: phase
                .status
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned(),
            since: phase.since,
        }
    }

    /// One line for people: `DE: TSP, service (granted since 2024-01-01)`.
    pub fn describe(&self, language: crate::text::Language) -> String {
        format!(
            "{}: {}, {} ({} {} {})",
            self.territory,
            self.provider,
            self.service,
            self.status,
            language.pick("since", "seit"),
            self.since.format("%Y-%m-%d"),
        )
    }
}

/// The validation of one signature or document timestamp.
#[derive(Clone, Debug, Serialize)]
pub struct Signature {
    /// The signature field's fully qualified name.
    pub field: String,
    pub signer: Option<Signer>,
    pub kind: Option<Kind>,
    pub level: Option<Profile>,
    /// Confirmed by a trusted list (ETSI TS 119 615), or `NOT_DETERMINED` when no list
    /// speaks about the issuer: never taken from the certificate's own QC statements.
    pub qualification: Option<Qualification>,
    /// Why the qualification is what it is.
    pub qualification_reasons: Vec<crate::trust::qualification::Reason>,
    /// The trusted-list service that issued the signer's certificate.
    pub trust_service: Option<TrustService>,
    /// The time the signer claims (`/M` in PAdES, signing-time in CAdES).
    pub signing_time: Option<DateTime<Utc>>,
    /// The earliest proven time the signature existed; without a timestamp, the validation time.
    pub best_signature_time: DateTime<Utc>,
    pub indication: Indication,
    pub subindication: Option<SubIndication>,
    /// Which revision of the file (1 = the original) this signature signs.
    pub revision: Option<usize>,
    pub covers_whole_document: bool,
    pub modifications: Vec<Modification>,
    pub chain: Vec<ChainCertificate>,
    pub timestamps: Vec<Timestamp>,
    pub revocation: Vec<String>,
    /// What the signature value was verified with.
    pub algorithm: Option<crate::algorithm::Verified>,
    /// The signer's public key, e.g. `RSA 3072 bit`.
    pub public_key: Option<String>,
    /// Named attacks and anomalies found (signature wrapping, shadow attacks, ...).
    pub findings: Vec<Finding>,
    /// Every check run, in order, with a stable id.
    pub checks: Vec<Check>,
    pub messages: Vec<String>,
    /// For a CAdES counter-signature (RFC 5652 §11.4), the `field` of the signature whose
    /// value it signs: it vouches for that signature, not for the content.
    pub counter_signs: Option<String>,
}

impl Signature {
    /// An empty result for the signature `field` at validation `time`, INDETERMINATE until the
    /// checks say otherwise.
    pub(crate) fn blank(field: String, time: DateTime<Utc>) -> Self {
        Self {
            field,
            signer: None,
            kind: None,
            level: None,
            qualification: None,
            qualification_reasons: Vec::new(),
            trust_service: None,
            signing_time: None,
            best_signature_time: time,
            indication: Indication::Indeterminate,
            subindication: None,
            revision: None,
            covers_whole_document: false,
            modifications: Vec::new(),
            chain: Vec::new(),
            timestamps: Vec::new(),
            revocation: Vec::new(),
            algorithm: None,
            public_key: None,
            findings: Vec::new(),
            checks: Vec::new(),
            messages: Vec::new(),
            counter_signs: None,
        }
    }
}

/// A change after a signature, or a remark about the revisions after it, with its judgement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Modification {
    pub verdict: Judgement,
    pub text: String,
}

/// How a change after signing was judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Judgement {
    /// The permissions in force allow it.
    Allowed,
    NotAllowed,
    /// Could not be judged (an ambiguous or unreadable update).
    NotAnalysable,
    /// A remark, no judgement (how many revisions follow, what was sampled).
    Note,
}

impl Modification {
    pub fn new(verdict: Judgement, text: impl Into<String>) -> Self {
        Self {
            verdict,
            text: text.into(),
        }
    }
}

/// Written as one line with its judgement first (`allowed: ...`), as the JSON report has it.
impl std::fmt::Display for Modification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let prefix = match self.verdict {
            Judgement::Allowed => "allowed: ",
            Judgement::NotAllowed => "not allowed: ",
            Judgement::NotAnalysable => "not analysable: ",
            Judgement::Note => "",
        };
        write!(f, "{prefix}{}", self.text)
    }
}

impl Serialize for Modification {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The format and level a signature was found to have (ETSI EN 319 142-1 §6; PKCS#7 for
/// `adbe.pkcs7.detached`), written as its name in the JSON report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Profile {
    #[serde(rename = "PAdES-BASELINE-B")]
    PadesB,
    #[serde(rename = "PAdES-BASELINE-T")]
    PadesT,
    #[serde(rename = "PAdES-BASELINE-LT")]
    PadesLt,
    #[serde(rename = "PAdES-BASELINE-LTA")]
    PadesLta,
    #[serde(rename = "CAdES-BASELINE-B")]
    CadesB,
    #[serde(rename = "CAdES-BASELINE-T")]
    CadesT,
    #[serde(rename = "CAdES-BASELINE-LT")]
    CadesLt,
    #[serde(rename = "CAdES-BASELINE-LTA")]
    CadesLta,
    #[serde(rename = "PKCS7-B")]
    Pkcs7B,
    #[serde(rename = "PKCS7-T")]
    Pkcs7T,
    #[serde(rename = "PAdES document time-stamp")]
    DocumentTimestamp,
    #[serde(rename = "ASiC container time-stamp")]
    ContainerTimestamp,
}

impl Profile {
    /// The name, as the report writes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::PadesB => "PAdES-BASELINE-B",
            Self::PadesT => "PAdES-BASELINE-T",
            Self::PadesLt => "PAdES-BASELINE-LT",
            Self::PadesLta => "PAdES-BASELINE-LTA",
            Self::CadesB => "CAdES-BASELINE-B",
            Self::CadesT => "CAdES-BASELINE-T",
            Self::CadesLt => "CAdES-BASELINE-LT",
            Self::CadesLta => "CAdES-BASELINE-LTA",
            Self::Pkcs7B => "PKCS7-B",
            Self::Pkcs7T => "PKCS7-T",
            Self::DocumentTimestamp => "PAdES document time-stamp",
            Self::ContainerTimestamp => "ASiC container time-stamp",
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A time-stamp token found with a signature or in the document.
#[derive(Clone, Debug, Serialize)]
pub struct Timestamp {
    pub kind: TimestampKind,
    /// The token's genTime, where it could be read.
    pub time: Option<DateTime<Utc>>,
    /// The time-stamping authority, as its certificate names it.
    pub tsa: Option<String>,
    pub indication: Indication,
    pub subindication: Option<SubIndication>,
    pub detail: String,
    /// The qualified time-stamping service (QTST, granted at the token's time) a trusted list
    /// names for the TSA; `None` when the token is not confirmed as qualified.
    pub qualified_by: Option<TrustService>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimestampKind {
    /// Over the signature value (CAdES signature-time-stamp): proves when the signature existed.
    Signature,
    /// Over a whole revision of the PDF (PAdES document time-stamp).
    Document,
    /// Over a CAdES signature with its content and validation data (archive-time-stamp-v3,
    /// EN 319 122-1 §5.5.3).
    Archive,
    /// Over the signed content, before signing (CAdES content-time-stamp, EN 319 122-1
    /// §5.2.8), or over an ASiC manifest and the files it names (EN 319 162-1 §A.4, §A.5).
    Content,
}

/// Who signed, as the certificate names them.
#[derive(Clone, Debug, Serialize)]
pub struct Signer {
    pub name: String,
    pub subject: String,
    pub organization: Option<String>,
    pub organization_identifier: Option<String>,
    pub serial_number: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ChainCertificate {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub sha256: String,
    pub trust_anchor: bool,
    /// What is known about its revocation; `None` where it was not looked at (the trust
    /// anchor, or a path that failed before revocation was checked).
    pub revocation: Option<Revocation>,
}

/// The revocation status of one certificate, with where it came from.
#[derive(Clone, Debug, Serialize)]
pub struct Revocation {
    pub status: RevocationStatus,
    /// `OCSP response in the document`, `CRL fetched online`, ...
    pub source: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    pub detail: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationStatus {
    Good,
    Revoked,
    Unknown,
    NotChecked,
}

/// A named attack or anomaly, with a stable id for protocols.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: &'static str,
    pub detail: String,
}

/// One technical check.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub id: &'static str,
    pub passed: bool,
    pub detail: String,
}
