//! Revocation status of certificates (RFC 6960 OCSP, RFC 5280 §5 and §6.3 CRLs; ETSI EN 319
//! 102-1 §5.2.5 freshness): one checker per kind of answer, used alike when data is gathered for
//! a document (PAdES B-LT) and when a signature is validated, and the fetching of answers from
//! the sources a certificate names.

pub mod crl;
pub mod fetch;
pub mod ocsp;

use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};

pub use fetch::fetch;

/// Clock skew between a signer's time-stamp and a responder's answer that still counts as
/// "issued after".
const SKEW: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// Revocation data as it goes into a `/DSS`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// A DER OCSPResponse.
    Ocsp(Vec<u8>),
    /// A DER CertificateList.
    Crl(Vec<u8>),
}

/// What a checked answer says about one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: CertStatus,
    /// When the answer was produced (OCSP thisUpdate, CRL thisUpdate).
    pub this_update: Option<DateTime<Utc>>,
    /// Until when it promises to be current.
    pub next_update: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertStatus {
    Good,
    Revoked {
        time: Option<DateTime<Utc>>,
        /// The RFC 5280 §5.3.1 reason, where the answer gives one.
        reason: Option<&'static str>,
    },
}

impl Answer {
    /// Whether the answer says anything about the status at `at` (EN 319 102-1 §5.2.5):
    /// issued after it (within clock skew), or promising to cover it. A revocation is news
    /// whenever it was published.
    pub fn is_fresh_for(&self, at: DateTime<Utc>) -> bool {
        if matches!(self.status, CertStatus::Revoked { .. }) {
            return true;
        }
        let Some(this_update) = self.this_update else {
            return false;
        };
        // Checked: the times come from the answers, and MAX_UTC + 5 min would panic.
        this_update.checked_add_signed(SKEW).is_none_or(|t| t >= at)
            || self
                .next_update
                .is_some_and(|next| this_update <= at && at <= next)
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

fn x509(certificate: &crate::certificate::Certificate) -> Result<openssl::x509::X509, Error> {
    openssl::x509::X509::from_der(certificate.der()).map_err(crypto)
}

fn crypto(error: openssl::error::ErrorStack) -> Error {
    Error::Crypto(Arc::new(error))
}

/// Why revocation data could not be had or used.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("the certificate of {holder} is revoked (according to {origin})")]
    Revoked {
        holder: String,
        origin: String,
        /// The answer that says so, for its date and reason.
        evidence: Box<Evidence>,
    },
    #[error("the certificate of {holder} names no OCSP responder and no CRL")]
    NoSource { holder: String },
    #[error("no revocation data for {holder}: {causes}")]
    Unavailable { holder: String, causes: String },
    /// An answer that cannot be used: unreadable, not about the certificate, not signed by
    /// whom it must be.
    #[error("{0}")]
    Unusable(String),
    #[error("{origin}: {reason}")]
    Response { origin: String, reason: String },
    #[error(transparent)]
    Network(#[from] crate::network::Error),
    #[error("cryptographic library failure: {0}")]
    Crypto(Arc<openssl::error::ErrorStack>),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn good(this: &str, next: Option<&str>) -> Answer {
        Answer {
            status: CertStatus::Good,
            this_update: Some(t(this)),
            next_update: next.map(t),
        }
    }

    #[test]
    fn an_answer_is_fresh_when_issued_after_the_time_or_covering_it() {
        let signed = t("2026-06-01T12:00:00Z");
        assert!(good("2026-06-01T12:01:00Z", None).is_fresh_for(signed));
        assert!(
            good("2026-06-01T11:58:00Z", None).is_fresh_for(signed),
            "clock skew"
        );
        assert!(!good("2026-05-01T00:00:00Z", None).is_fresh_for(signed));
        assert!(good("2026-05-31T00:00:00Z", Some("2026-06-07T00:00:00Z")).is_fresh_for(signed));
        assert!(!good("2026-05-01T00:00:00Z", Some("2026-05-08T00:00:00Z")).is_fresh_for(signed));
    }

    #[test]
    fn openssl_times_parse() {
        let time = openssl_time("Nov  2 19:15:51 2026 GMT").unwrap();
        assert_eq!(time.to_rfc3339(), "2026-11-02T19:15:51+00:00");
        assert!(openssl_time("yesterday").is_none());
    }
}
