//! Whether a signature is qualified, from the trusted list's word about the certificate's issuer
//! (ETSI TS 119 615 v1.2.1 §4.3 and annex, ETSI TS 119 172-4 v1.1.1 §4: qualification of the
//! certificate at issuance and at the best-signature-time, combined into the signature's).
//!
//! The certificate's own QC statements are one input; the list decides. The list's service
//! must be a qualified CA in a granted state at issuance (is the certificate qualified?) and
//! still at the signing time (may it still be relied on as such?); the Qualifications extension
//! overrides what the certificate claims (NotQualified, QCWithQSCD, QCForESeal, ...). Anything
//! contradictory yields an indeterminate result with the reason, never a guess.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::tsl::{self, Assert, Criteria, Phase};
use crate::certificate::{Certificate, Kind, QcType};
use crate::text::Language;

const SERVICE_CA_QC: &str = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC";
const SERVICE_QTST: &str = "http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST";
const STATUS: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/";
/// Statuses before eIDAS (Directive 1999/93) that count as "granted" (TS 119 615 §4.3.2).
const STATUS_OLD: &str = "http://uri.etsi.org/TrstSvc/eSigDir-1999-93-EC-TrustedList/Svcstatus/";
const EXT: &str = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/";
/// Qualifiers as TS 102 231 (before TS 119 612 v2) named them; older list entries keep them.
const EXT_OLD: &str = "http://uri.etsi.org/TrstSvc/eSigDir-1999-93-EC-TrustedList/SvcInfoExt/";

/// The qualification of a signature, as EU DSS names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Qualification {
    #[serde(rename = "QESig")]
    QeSig,
    #[serde(rename = "QESeal")]
    QeSeal,
    #[serde(rename = "AdESig-QC")]
    AdeSigQc,
    #[serde(rename = "AdESeal-QC")]
    AdeSealQc,
    #[serde(rename = "AdESig")]
    AdeSig,
    #[serde(rename = "AdESeal")]
    AdeSeal,
    /// The list's data or the certificate contradict each other: see the reasons.
    #[serde(rename = "INDETERMINATE")]
    Indeterminate,
    /// No trusted list speaks about the issuer: nothing can be confirmed, nothing is claimed.
    #[serde(rename = "NOT_DETERMINED")]
    NotDetermined,
}

impl std::fmt::Display for Qualification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::QeSig => "QESig",
            Self::QeSeal => "QESeal",
            Self::AdeSigQc => "AdESig-QC",
            Self::AdeSealQc => "AdESeal-QC",
            Self::AdeSig => "AdESig",
            Self::AdeSeal => "AdESeal",
            Self::Indeterminate => "qualification indeterminate",
            Self::NotDetermined => "qualification not determined",
        })
    }
}

/// A qualification with what it rests on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Determination {
    pub qualification: Qualification,
    pub reasons: Vec<Reason>,
}

/// The two instants TS 119 172-4 §4 judges a certificate at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moment {
    Issuance,
    SigningTime,
}

/// Why a qualification is what it is, said in the clerk's language by the front ends; JSON
/// carries the English sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// No trusted list names the certificate's issuer.
    NotListed,
    /// The issuing service had no status yet at that instant.
    NotYetListed(Moment),
    /// The issuing service is of another type than CA/QC.
    NotQualifiedCa {
        at: Moment,
        kind: String,
    },
    /// The issuing service was not granted (withdrawn, ...).
    NotGranted {
        at: Moment,
        status: String,
        since: DateTime<Utc>,
    },
    QualifiedAndNotQualified(Moment),
    MarkedNotQualified(Moment),
    LegalPersonForESig(Moment),
    /// The certificate's QcType disagrees with the service's additional information.
    TypeMismatch {
        at: Moment,
        claimed: Option<QcType>,
        listed: Vec<QcType>,
    },
    SeveralTypes(Moment),
    QscdContradiction(Moment),
    NotQualifiedAtIssuance,
    NotQualifiedAtSigning,
    TypeChanged,
    WebsiteCertificate,
    NoQscd,
}

impl Moment {
    fn text(self, language: Language) -> &'static str {
        match self {
            Self::Issuance => language.pick("issuance", "Ausstellung"),
            Self::SigningTime => language.pick("signing time", "Signaturzeitpunkt"),
        }
    }
}

fn qc_type(kind: QcType, language: Language) -> &'static str {
    match kind {
        QcType::Esign => language.pick("signatures", "Signaturen"),
        QcType::Eseal => language.pick("seals", "Siegel"),
        QcType::Web => language.pick("website authentication", "Webseiten-Authentifizierung"),
    }
}

impl Reason {
    /// The reason as a sentence in `language`.
    pub fn text(&self, language: Language) -> String {
        let l = language;
        match self {
            Self::NotListed => l
                .pick(
                    "no trusted list names the certificate's issuer",
                    "keine Vertrauensliste nennt den Aussteller des Zertifikats",
                )
                .to_owned(),
            Self::NotYetListed(at) => format!(
                "{} ({})",
                l.pick(
                    "the issuing service was not yet listed",
                    "der ausstellende Dienst war noch nicht gelistet"
                ),
                at.text(l)
            ),
            Self::NotQualifiedCa { at, kind } => format!(
                "{} ({}): {kind}",
                l.pick(
                    "the issuing service is not a qualified CA (CA/QC)",
                    "der ausstellende Dienst ist keine qualifizierte Zertifizierungsstelle (CA/QC)"
                ),
                at.text(l)
            ),
            Self::NotGranted { at, status, since } => format!(
                "{} ({}): {} {} {}",
                l.pick(
                    "the issuing service was not granted",
                    "der ausstellende Dienst war nicht anerkannt"
                ),
                at.text(l),
                short(status),
                l.pick("since", "seit"),
                since.format("%Y-%m-%d")
            ),
            Self::QualifiedAndNotQualified(at) => format!(
                "{} ({})",
                l.pick(
                    "the list says both QCStatement and NotQualified",
                    "die Liste sagt zugleich QCStatement und NotQualified"
                ),
                at.text(l)
            ),
            Self::MarkedNotQualified(at) => format!(
                "{} ({})",
                l.pick(
                    "the list marks the certificate NotQualified",
                    "die Liste kennzeichnet das Zertifikat als nicht qualifiziert (NotQualified)"
                ),
                at.text(l)
            ),
            Self::LegalPersonForESig(at) => format!(
                "{} ({})",
                l.pick(
                    "the list says both QCForLegalPerson and QCForESig",
                    "die Liste sagt zugleich QCForLegalPerson und QCForESig"
                ),
                at.text(l)
            ),
            Self::TypeMismatch {
                at,
                claimed,
                listed,
            } => format!(
                "{} ({}): {} {}, {} {}",
                l.pick(
                    "the certificate's type does not match the service's",
                    "die Art des Zertifikats passt nicht zu der des Dienstes"
                ),
                at.text(l),
                l.pick("certificate for", "Zertifikat für"),
                claimed.map_or_else(|| "?".to_owned(), |k| qc_type(k, l).to_owned()),
                l.pick("service for", "Dienst für"),
                listed
                    .iter()
                    .map(|k| qc_type(*k, l))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Self::SeveralTypes(at) => format!(
                "{} ({})",
                l.pick(
                    "the list gives the certificate more than one type",
                    "die Liste gibt dem Zertifikat mehr als eine Art"
                ),
                at.text(l)
            ),
            Self::QscdContradiction(at) => format!(
                "{} ({})",
                l.pick(
                    "the list says both with and without QSCD",
                    "die Liste sagt zugleich mit und ohne QSCD"
                ),
                at.text(l)
            ),
            Self::NotQualifiedAtIssuance => l
                .pick(
                    "the certificate was not qualified at its issuance",
                    "das Zertifikat war bei seiner Ausstellung nicht qualifiziert",
                )
                .to_owned(),
            Self::NotQualifiedAtSigning => l
                .pick(
                    "the certificate was no longer qualified at the signing time",
                    "das Zertifikat war zum Signaturzeitpunkt nicht mehr qualifiziert",
                )
                .to_owned(),
            Self::TypeChanged => l
                .pick(
                    "the certificate's type changed between issuance and signing time",
                    "die Art des Zertifikats hat sich zwischen Ausstellung und Signaturzeitpunkt geändert",
                )
                .to_owned(),
            Self::WebsiteCertificate => l
                .pick(
                    "a website-authentication certificate does not make signatures",
                    "ein Zertifikat zur Webseiten-Authentifizierung erzeugt keine Signaturen",
                )
                .to_owned(),
            Self::NoQscd => l
                .pick(
                    "the private key was not on a QSCD",
                    "der private Schlüssel lag nicht auf einer qualifizierten Signaturerstellungseinheit (QSCD)",
                )
                .to_owned(),
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Language::En))
    }
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text(Language::En))
    }
}

/// What the list says of the certificate at one instant.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Facts {
    qualified: Option<bool>,
    kind: Option<QcType>,
    qscd: Option<bool>,
}

/// Determines the signature's qualification from `service` (the list entry whose identity
/// issued `certificate`), at the certificate's issuance and at `signing_time`.
pub fn determine(
    certificate: &Certificate,
    service: &tsl::Service,
    signing_time: DateTime<Utc>,
) -> Determination {
    let mut reasons = Vec::new();
    let issuance = certificate.not_before();
    let at_issuance = facts(
        certificate,
        service.at(issuance),
        Moment::Issuance,
        &mut reasons,
    );
    let at_signing = facts(
        certificate,
        service.at(signing_time),
        Moment::SigningTime,
        &mut reasons,
    );
    // Without the list's word on the type, the certificate's own decides between the two
    // non-qualified forms.
    let seal = match at_issuance.kind {
        Some(kind) => kind == QcType::Eseal,
        None => certificate.kind() == Kind::Seal,
    };
    let qualification = combine(&at_issuance, &at_signing, seal, &mut reasons);
    Determination {
        qualification,
        reasons,
    }
}

/// The result when no list speaks about the certificate's issuer.
pub fn not_determined() -> Determination {
    Determination {
        qualification: Qualification::NotDetermined,
        reasons: vec![Reason::NotListed],
    }
}

fn facts(
    certificate: &Certificate,
    phase: Option<&Phase>,
    when: Moment,
    reasons: &mut Vec<Reason>,
) -> Facts {
    let claims = certificate.qc_statements();
    let Some(phase) = phase else {
        reasons.push(Reason::NotYetListed(when));
        return Facts {
            qualified: Some(false),
            kind: None,
            qscd: None,
        };
    };
    if phase.kind != SERVICE_CA_QC {
        reasons.push(Reason::NotQualifiedCa {
            at: when,
            kind: phase.kind.clone(),
        });
        return Facts {
            qualified: Some(false),
            kind: None,
            qscd: None,
        };
    }
    if !granted(&phase.status) {
        reasons.push(Reason::NotGranted {
            at: when,
            status: phase.status.clone(),
            since: phase.since,
        });
        return Facts {
            qualified: Some(false),
            kind: None,
            qscd: None,
        };
    }
    let qualifiers: Vec<&str> = phase
        .qualifications
        .iter()
        .filter(|q| matches(&q.criteria, certificate))
        .flat_map(|q| {
            q.qualifiers.iter().map(|u| {
                u.strip_prefix(EXT)
                    .or_else(|| u.strip_prefix(EXT_OLD))
                    .unwrap_or(u)
            })
        })
        .collect();
    let has = |name: &str| qualifiers.contains(&name);

    let qualified = match (has("QCStatement"), has("NotQualified")) {
        (true, true) => {
            reasons.push(Reason::QualifiedAndNotQualified(when));
            None
        }
        (_, true) => {
            reasons.push(Reason::MarkedNotQualified(when));
            Some(false)
        }
        (true, false) => Some(true),
        (false, false) => Some(claims.compliance),
    };
    let for_sig = has("QCForESig");
    // Issued to a legal person: under eIDAS that is a certificate for seals (as EU DSS reads
    // it); saying it is also for signatures by natural persons is a contradiction.
    let legal_person = has("QCForLegalPerson");
    if legal_person && for_sig {
        reasons.push(Reason::LegalPersonForESig(when));
    }
    let for_seal = has("QCForESeal") || legal_person;
    let for_web = has("QCForWSA");
    let kind = match (for_sig, for_seal, for_web) {
        (true, false, false) => Some(QcType::Esign),
        (false, true, false) => Some(QcType::Eseal),
        (false, false, true) => Some(QcType::Web),
        (false, false, false) => {
            let services: Vec<QcType> = [
                ("ForeSignatures", QcType::Esign),
                ("ForeSeals", QcType::Eseal),
                ("ForWebSiteAuthentication", QcType::Web),
            ]
            .into_iter()
            .filter(|(name, _)| {
                phase
                    .additional
                    .iter()
                    .any(|a| a.strip_prefix(EXT) == Some(name))
            })
            .map(|(_, kind)| kind)
            .collect();
            match (claims.qc_type, services.as_slice()) {
                (Some(claimed), []) => Some(claimed),
                (Some(claimed), listed) if listed.contains(&claimed) => Some(claimed),
                (None, [one]) => Some(*one),
                (None, []) if phase.since < eidas() => Some(QcType::Esign),
                (claimed, listed) => {
                    reasons.push(Reason::TypeMismatch {
                        at: when,
                        claimed,
                        listed: listed.to_vec(),
                    });
                    None
                }
            }
        }
        _ => {
            if !(legal_person && for_sig) {
                reasons.push(Reason::SeveralTypes(when));
            }
            None
        }
    };
    let with = has("QCWithQSCD") || has("QCWithSSCD");
    let without = has("QCNoQSCD") || has("QCNoSSCD");
    let qscd = match (with, without) {
        (true, true) => {
            reasons.push(Reason::QscdContradiction(when));
            None
        }
        (true, false) => Some(true),
        (false, true) => Some(false),
        // QCQSCDStatusAsInCert, or no qualifier: the certificate's QcSSCD statement decides.
        (false, false) => Some(claims.sscd),
    };
    Facts {
        qualified,
        kind,
        qscd,
    }
}

/// TS 119 172-4 §4: the certificate's qualification at issuance decides the type; it must
/// still be a granted qualified service at the signing time; the QSCD status is the one at
/// signing time.
fn combine(
    issuance: &Facts,
    signing: &Facts,
    seal: bool,
    reasons: &mut Vec<Reason>,
) -> Qualification {
    let ades = if seal {
        Qualification::AdeSeal
    } else {
        Qualification::AdeSig
    };
    match (issuance.qualified, signing.qualified) {
        (None, _) | (_, None) => return Qualification::Indeterminate,
        (Some(false), _) => {
            reasons.push(Reason::NotQualifiedAtIssuance);
            return ades;
        }
        (Some(true), Some(false)) => {
            reasons.push(Reason::NotQualifiedAtSigning);
            return ades;
        }
        (Some(true), Some(true)) => {}
    }
    let Some(kind) = issuance.kind else {
        return Qualification::Indeterminate;
    };
    if signing.kind.is_some_and(|k| k != kind) {
        reasons.push(Reason::TypeChanged);
        return Qualification::Indeterminate;
    }
    match (kind, signing.qscd) {
        (QcType::Web, _) => {
            reasons.push(Reason::WebsiteCertificate);
            Qualification::AdeSig
        }
        (_, None) => Qualification::Indeterminate,
        (QcType::Esign, Some(true)) => Qualification::QeSig,
        (QcType::Eseal, Some(true)) => Qualification::QeSeal,
        (QcType::Esign, Some(false)) => {
            reasons.push(Reason::NoQscd);
            Qualification::AdeSigQc
        }
        (QcType::Eseal, Some(false)) => {
            reasons.push(Reason::NoQscd);
            Qualification::AdeSealQc
        }
    }
}

/// The qualified time-stamping service (TS 119 615 §4.4: type QTST, granted at the token's
/// time) that lists the TSA certificate `tsa` itself or the key that issued it, if any. Only
/// eIDAS statuses count: qualified time-stamps did not exist under Directive 1999/93.
pub fn qualified_timestamp_service<'s>(
    lists: &'s super::lists::Snapshot,
    tsa: &Certificate,
    time: DateTime<Utc>,
) -> Option<(super::lists::Entry<'s>, &'s Phase)> {
    lists
        .services_of(tsa)
        .into_iter()
        .chain(lists.issuers_of(tsa))
        .find_map(|entry| {
            let phase = entry.service.at(time)?;
            (phase.kind == SERVICE_QTST && phase.status.strip_prefix(STATUS) == Some("granted"))
                .then_some((entry, phase))
        })
}

/// Whether a service status counts as granted (eIDAS, or its Directive 1999/93 forms).
pub(crate) fn granted(status: &str) -> bool {
    match status.strip_prefix(STATUS) {
        Some(s) => s == "granted",
        None => matches!(
            status.strip_prefix(STATUS_OLD),
            Some("undersupervision" | "supervisionincessation" | "accredited")
        ),
    }
}

fn short(uri: &str) -> &str {
    uri.rsplit('/').next().unwrap_or(uri)
}

/// 1 July 2016, when eIDAS replaced Directive 1999/93: before it, CA/QC services issued
/// signature certificates only.
fn eidas() -> DateTime<Utc> {
    DateTime::from_timestamp(1_467_331_200, 0).unwrap_or_default()
}

/// Whether a Qualifications criteria list selects `certificate` (TS 119 612 §5.5.9.2.1).
pub fn matches(criteria: &Criteria, certificate: &Certificate) -> bool {
    if !criteria.unsupported.is_empty() {
        return false;
    }
    let usages: Vec<String> = certificate
        .key_usage_names()
        .into_iter()
        .map(str::to_ascii_lowercase)
        .collect();
    let policies: Vec<String> = certificate
        .policies()
        .iter()
        .map(ToString::to_string)
        .collect();
    let mut results = Vec::new();
    for bits in &criteria.key_usage {
        results.push(
            bits.iter()
                .all(|(name, set)| usages.contains(&name.to_ascii_lowercase()) == *set),
        );
    }
    for set in &criteria.policies {
        results.push(set.iter().all(|oid| policies.contains(oid)));
    }
    for nested in &criteria.nested {
        results.push(matches(nested, certificate));
    }
    let purposes: Vec<String> = certificate
        .extended_key_usage()
        .map(|(_, purposes)| purposes.iter().map(ToString::to_string).collect())
        .unwrap_or_default();
    for set in &criteria.extended_key_usage {
        results.push(!set.is_empty() && set.iter().all(|oid| purposes.contains(oid)));
    }
    let attributes: Vec<String> = certificate
        .subject_attribute_types()
        .iter()
        .map(ToString::to_string)
        .collect();
    for set in &criteria.subject_attributes {
        results.push(!set.is_empty() && set.iter().all(|oid| attributes.contains(oid)));
    }
    match criteria.assert {
        Assert::All => results.iter().all(|r| *r),
        Assert::AtLeastOne => results.iter().any(|r| *r),
        Assert::None => !results.iter().any(|r| *r),
    }
}
