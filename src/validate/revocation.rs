//! Revocation status during validation (EN 319 102-1 §5.2.6 X.509 certificate validation,
//! RFC 6960 OCSP, RFC 5280 §6.3 CRLs): from data embedded in the document (`/DSS`), else
//! fetched online unless validating offline.

use chrono::{DateTime, Utc};

use crate::certificate::Certificate;
use crate::network::Fetcher;
use crate::revocation::{self, Answer, CertStatus, Evidence};

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
/// issuers, for delegated OCSP responders), at `at`: from the document's data first, else
/// fetched online.
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
    let answers = embedded
        .ocsps
        .iter()
        .map(|der| {
            (
                revocation::ocsp::check(der, certificate, issuer, chain),
                "OCSP response in the document",
            )
        })
        .chain(embedded.crls.iter().map(|der| {
            (
                revocation::crl::check(der, certificate, issuer),
                "CRL in the document",
            )
        }));
    for (answer, source) in answers {
        // Answers about other certificates, or not authorised, say nothing here.
        let Ok(answer) = answer else { continue };
        match judge(&answer, source, at) {
            Status::Unknown { reason } => {
                stale.get_or_insert(reason);
            }
            status => return status,
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
    match revocation::fetch(certificate, issuer, chain, fetcher, at) {
        Ok(fetched) => {
            let kind = match fetched.evidence {
                Evidence::Ocsp(_) => "OCSP response",
                Evidence::Crl(_) => "CRL",
            };
            judge(&fetched.answer, &format!("{kind} fetched online"), at)
        }
        // The checked answer says revoked; read date and reason from it.
        Err(revocation::Error::Revoked {
            origin, evidence, ..
        }) => {
            let source = format!("fetched online from {origin}");
            let answer = match *evidence {
                Evidence::Ocsp(der) => revocation::ocsp::check(&der, certificate, issuer, chain),
                Evidence::Crl(der) => revocation::crl::check(&der, certificate, issuer),
            };
            match answer {
                Ok(answer) => judge(&answer, &source, at),
                Err(_) => Status::Revoked {
                    time: DateTime::<Utc>::MIN_UTC,
                    source,
                    reason: None,
                },
            }
        }
        Err(error) => Status::Unknown {
            reason: error.to_string(),
        },
    }
}

/// What an answer from `source` proves for the time `at`.
fn judge(answer: &Answer, source: &str, at: DateTime<Utc>) -> Status {
    let produced = answer
        .this_update
        .map_or_else(String::new, |t| format!(", {t}"));
    match &answer.status {
        CertStatus::Revoked { time, reason } => Status::Revoked {
            time: time.unwrap_or(DateTime::<Utc>::MIN_UTC),
            source: source.to_owned(),
            reason: *reason,
        },
        CertStatus::Good if answer.is_fresh_for(at) => Status::Good {
            source: format!("{source}{produced}"),
        },
        CertStatus::Good => Status::Unknown {
            reason: format!(
                "the {source}{produced} is older than the time to prove ({at}) and does not cover it"
            ),
        },
    }
}
