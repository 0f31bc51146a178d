//! Revocation status during validation (EN 319 102-1 §5.2.6 X.509 certificate validation,
//! RFC 6960 OCSP, RFC 5280 §6.3 CRLs): from data embedded in the document (`/DSS`), else
//! fetched online unless validating offline.

use chrono::{DateTime, NaiveDateTime, Utc};
use openssl::hash::MessageDigest;
use openssl::ocsp::{OcspCertId, OcspCertStatus, OcspFlag, OcspResponse, OcspResponseStatus};
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::{CrlStatus, X509, X509Crl};

use crate::certificate::Certificate;
use crate::network::Fetcher;
use crate::revocation::{self, Evidence};

/// RFC 6960 §4.2.2.2.1 `id-pkix-ocsp-nocheck`: a responder's own certificate is not checked.
const OCSP_NOCHECK: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.5");

/// Validation data found in the document's `/DSS`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Embedded {
    pub(crate) certificates: Vec<Certificate>,
    pub(crate) ocsps: Vec<Vec<u8>>,
    pub(crate) crls: Vec<Vec<u8>>,
}

impl Embedded {
    /// `own` (a signature's or token's certificates) followed by the `/DSS` certificates: the
    /// candidates for building a path.
    pub(crate) fn candidates(&self, own: &[Certificate]) -> Vec<Certificate> {
        own.iter().chain(&self.certificates).cloned().collect()
    }

    /// This data plus what a signature carries in its CMS (RFC 5652 `crls`, Adobe's archival
    /// attribute).
    pub(crate) fn with(&self, extra: &[&crate::cms::archival::Revocation]) -> Self {
        let mut embedded = self.clone();
        for revocation in extra {
            embedded.ocsps.extend(revocation.ocsps.iter().cloned());
            embedded.crls.extend(revocation.crls.iter().cloned());
        }
        embedded
    }
}

/// Clock skew between a signer's time-stamp and a responder's answer that still counts as
/// "issued after".
const SKEW: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// Whether an answer issued at `this_update`, valid until `next_update`, says anything about
/// the status at `at` (EN 319 102-1 §5.2.5 revocation freshness): issued after it, or
/// promising to cover it.
fn fresh(
    this_update: DateTime<Utc>,
    next_update: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> bool {
    // Checked: the times come from the answers, and MAX_UTC + 5 min would panic.
    this_update.checked_add_signed(SKEW).is_none_or(|t| t >= at)
        || next_update.is_some_and(|next| this_update <= at && at <= next)
}

/// What is known about one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Good {
        source: String,
    },
    Revoked {
        time: DateTime<Utc>,
        source: String,
        /// The RFC 5280 §5.3.1 reason, where the answer gives one.
        reason: Option<&'static str>,
    },
    /// The certificate names revocation sources, but no answer is at hand.
    Unknown {
        reason: String,
    },
    /// Nothing to check: the certificate names no source, or is an OCSP responder's with
    /// ocsp-nocheck.
    NotApplicable {
        reason: &'static str,
    },
}

/// The revocation status of `certificate`, issued by `issuer` (`chain`: the issuer's own
/// issuers, for delegated OCSP responders).
pub(crate) fn status(
    certificate: &Certificate,
    issuer: &Certificate,
    chain: &[Certificate],
    embedded: &Embedded,
    fetcher: Option<&dyn Fetcher>,
    at: DateTime<Utc>,
) -> Status {
    if certificate.has_extension(OCSP_NOCHECK) {
        return Status::NotApplicable {
            reason: "OCSP responder certificate with ocsp-nocheck",
        };
    }
    let mut stale = None;
    let mut judge = |status: Option<Status>| match status {
        Some(Status::Unknown { reason }) => {
            stale.get_or_insert(reason);
            None
        }
        other => other,
    };
    for der in &embedded.ocsps {
        let status = from_ocsp(
            der,
            certificate,
            issuer,
            chain,
            "OCSP response in the document",
            at,
        );
        if let Some(status) = judge(status) {
            return status;
        }
    }
    for der in &embedded.crls {
        let status = from_crl(der, certificate, issuer, "CRL in the document", at);
        if let Some(status) = judge(status) {
            return status;
        }
    }
    let named = !certificate.ocsp_urls().is_empty() || !certificate.crl_urls().is_empty();
    if !named {
        return Status::NotApplicable {
            reason: "the certificate names no OCSP responder and no CRL",
        };
    }
    let Some(fetcher) = fetcher else {
        return Status::Unknown {
            reason: stale.unwrap_or_else(|| {
                "no revocation data in the document, and validating offline".into()
            }),
        };
    };
    match revocation::fetch(certificate, issuer, chain, fetcher) {
        Ok(Evidence::Ocsp(der)) => from_ocsp(
            &der,
            certificate,
            issuer,
            chain,
            "OCSP response fetched online",
            at,
        )
        .unwrap_or(Status::Unknown {
            reason: "unusable OCSP response".into(),
        }),
        Ok(Evidence::Crl(der)) => from_crl(&der, certificate, issuer, "CRL fetched online", at)
            .unwrap_or(Status::Unknown {
                reason: "unusable CRL".into(),
            }),
        // `fetch` checked the answer and found the certificate revoked; read date and reason.
        Err(revocation::Error::Revoked {
            origin, evidence, ..
        }) => {
            let source = format!("fetched online from {origin}");
            let read = match *evidence {
                Evidence::Ocsp(der) => from_ocsp(&der, certificate, issuer, chain, &source, at),
                Evidence::Crl(der) => from_crl(&der, certificate, issuer, &source, at),
            };
            read.filter(|s| matches!(s, Status::Revoked { .. }))
                .unwrap_or(Status::Revoked {
                    time: DateTime::<Utc>::MIN_UTC,
                    source,
                    reason: None,
                })
        }
        Err(error) => Status::Unknown {
            reason: error.to_string(),
        },
    }
}

/// The status an OCSP response gives, if it is about this certificate and its signature holds.
fn from_ocsp(
    der: &[u8],
    certificate: &Certificate,
    issuer: &Certificate,
    chain: &[Certificate],
    source: &str,
    at: DateTime<Utc>,
) -> Option<Status> {
    let subject = X509::from_der(certificate.der()).ok()?;
    let issuer_x509 = X509::from_der(issuer.der()).ok()?;
    let response = OcspResponse::from_der(der).ok()?;
    if response.status() != OcspResponseStatus::SUCCESSFUL {
        return None;
    }
    let basic = response.basic().ok()?;
    let id = OcspCertId::from_cert(MessageDigest::sha1(), &subject, &issuer_x509).ok()?;
    let found = basic.find_status(&id)?;
    let mut store = X509StoreBuilder::new().ok()?;
    let mut untrusted = Stack::new().ok()?;
    store.add_cert(issuer_x509.clone()).ok()?;
    untrusted.push(issuer_x509).ok()?;
    for extra in chain {
        let extra = X509::from_der(extra.der()).ok()?;
        untrusted.push(extra.clone()).ok()?;
        let _ = store.add_cert(extra);
    }
    let store = store.build();
    // An OCSP answer nobody authorised proves nothing (RFC 6960 §4.2.2.2).
    basic.verify(&untrusted, &store, OcspFlag::empty()).ok()?;
    let this_update = openssl_time(&found.this_update.to_string());
    let next_update = found
        .next_update()
        .and_then(|t| openssl_time(&t.to_string()));
    let produced = this_update.map_or_else(String::new, |t| format!(", {t}"));
    match found.status {
        OcspCertStatus::GOOD => match this_update {
            Some(issued) if fresh(issued, next_update, at) => Some(Status::Good {
                source: format!("{source}{produced}"),
            }),
            _ => Some(Status::Unknown {
                reason: format!(
                    "the {source}{produced} is older than the time to prove ({at}) and does not cover it"
                ),
            }),
        },
        OcspCertStatus::REVOKED => Some(Status::Revoked {
            time: found
                .revocation_time
                .and_then(|t| openssl_time(&t.to_string()))
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
            source: source.to_owned(),
            reason: reason_name(found.reason.as_raw()),
        }),
        _ => None,
    }
}

/// The status a CRL gives, if it is the issuer's and its signature holds.
fn from_crl(
    der: &[u8],
    certificate: &Certificate,
    issuer: &Certificate,
    source: &str,
    at: DateTime<Utc>,
) -> Option<Status> {
    let list = X509Crl::from_der(der).ok()?;
    let issuer_x509 = X509::from_der(issuer.der()).ok()?;
    if list.issuer_name().to_der().ok()? != issuer_x509.subject_name().to_der().ok()? {
        return None;
    }
    let key = issuer_x509.public_key().ok()?;
    if !list.verify(&key).ok()? {
        return None;
    }
    let subject = X509::from_der(certificate.der()).ok()?;
    let this_update = openssl_time(&list.last_update().to_string());
    let next_update = list
        .next_update()
        .and_then(|t| openssl_time(&t.to_string()));
    let current = this_update.is_some_and(|issued| fresh(issued, next_update, at));
    match list.get_by_cert(&subject) {
        CrlStatus::NotRevoked | CrlStatus::RemoveFromCrl(_) if !current => Some(Status::Unknown {
            reason: format!(
                "the {source} was issued before the time to prove ({at}) and does not cover it"
            ),
        }),
        CrlStatus::NotRevoked => Some(Status::Good {
            source: source.to_owned(),
        }),
        CrlStatus::Revoked(entry) => Some(Status::Revoked {
            time: openssl_time(&entry.revocation_date().to_string())
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
            source: source.to_owned(),
            reason: entry
                .extension::<openssl::x509::ReasonCode>()
                .ok()
                .flatten()
                .and_then(|(_, code)| code.get_i64().ok())
                .and_then(|code| reason_name(i32::try_from(code).ok()?)),
        }),
        CrlStatus::RemoveFromCrl(_) => Some(Status::Good {
            source: source.to_owned(),
        }),
    }
}

/// RFC 5280 §5.3.1 CRLReason names (OCSP uses the same codes).
fn reason_name(code: i32) -> Option<&'static str> {
    Some(match code {
        0 => "unspecified",
        1 => "keyCompromise",
        2 => "cACompromise",
        3 => "affiliationChanged",
        4 => "superseded",
        5 => "cessationOfOperation",
        6 => "certificateHold",
        8 => "removeFromCRL",
        9 => "privilegeWithdrawn",
        10 => "aACompromise",
        _ => return None,
    })
}

/// openssl prints times as `Nov 22 19:15:51 2026 GMT`.
fn openssl_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim_end_matches(" GMT");
    NaiveDateTime::parse_from_str(text, "%b %e %H:%M:%S %Y")
        .ok()
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_fresh_when_issued_after_the_time_or_covering_it() {
        let t = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().to_utc();
        let signed = t("2026-06-01T12:00:00Z");
        assert!(fresh(t("2026-06-01T12:01:00Z"), None, signed));
        assert!(fresh(t("2026-06-01T11:58:00Z"), None, signed), "clock skew");
        assert!(!fresh(t("2026-05-01T00:00:00Z"), None, signed));
        assert!(fresh(
            t("2026-05-31T00:00:00Z"),
            Some(t("2026-06-07T00:00:00Z")),
            signed
        ));
        assert!(!fresh(
            t("2026-05-01T00:00:00Z"),
            Some(t("2026-05-08T00:00:00Z")),
            signed
        ));
    }

    #[test]
    fn openssl_times_parse() {
        let time = openssl_time("Nov  2 19:15:51 2026 GMT").unwrap();
        assert_eq!(time.to_rfc3339(), "2026-11-02T19:15:51+00:00");
        assert!(openssl_time("yesterday").is_none());
    }
}
