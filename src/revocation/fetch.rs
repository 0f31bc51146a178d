//! Answers fetched from the sources a certificate names (RFC 5280 §4.2.2.1 AIA OCSP,
//! §4.2.1.13 CRL distribution points): OCSP first, then CRLs, each answer checked with the same
//! checkers validation uses and required to be fresh for the time it must prove.

use chrono::{DateTime, Utc};

use super::{Answer, CertStatus, Error, Evidence, crl, ocsp};
use crate::certificate::Certificate;
use crate::network::{self, Fetcher};

/// A checked answer and where it came from.
#[derive(Clone, Debug)]
pub struct Fetched {
    pub evidence: Evidence,
    pub answer: Answer,
    pub origin: String,
}

/// Fetches an answer about `certificate`, issued by `issuer` (`chain`: the issuer's own issuers,
/// for delegated OCSP responders), that is fresh for `at`. A revoked certificate is an error
/// carrying the answer: nothing should be signed or extended with it.
pub fn fetch(
    certificate: &Certificate,
    issuer: &Certificate,
    chain: &[Certificate],
    fetcher: &dyn Fetcher,
    at: DateTime<Utc>,
) -> Result<Fetched, Error> {
    let holder = certificate.holder();
    let mut failures = Vec::new();
    let ocsps = certificate.ocsp_urls().into_iter().take(network::MAX_URLS);
    let crls = certificate.crl_urls().into_iter().take(network::MAX_URLS);
    let sources = ocsps
        .map(|url| (url, true))
        .chain(crls.map(|url| (url, false)));
    for (url, is_ocsp) in sources {
        let fetched = if is_ocsp {
            from_ocsp(certificate, issuer, chain, &url, fetcher)
        } else {
            from_crl(certificate, issuer, &url, fetcher)
        };
        match fetched {
            Ok(fetched) if matches!(fetched.answer.status, CertStatus::Revoked { .. }) => {
                return Err(Error::Revoked {
                    holder,
                    origin: fetched.origin,
                    evidence: Box::new(fetched.evidence),
                });
            }
            Ok(fetched) if fetched.answer.is_fresh_for(at) => return Ok(fetched),
            Ok(fetched) => failures.push(format!(
                "{}: the answer is older than {at} and does not cover it",
                fetched.origin
            )),
            Err(error) => failures.push(error.to_string()),
        }
    }
    if failures.is_empty() {
        return Err(Error::NoSource { holder });
    }
    Err(Error::Unavailable {
        holder,
        causes: failures.join("; "),
    })
}

fn from_ocsp(
    certificate: &Certificate,
    issuer: &Certificate,
    chain: &[Certificate],
    url: &str,
    fetcher: &dyn Fetcher,
) -> Result<Fetched, Error> {
    let body = ocsp::request(certificate, issuer)?;
    let der = fetcher.fetch(&network::Request::post(
        url,
        network::Kind::Ocsp,
        "application/ocsp-request",
        &body,
    ))?;
    let answer = ocsp::check(&der, certificate, issuer, chain).map_err(|e| at(url, e))?;
    Ok(Fetched {
        evidence: Evidence::Ocsp(der),
        answer,
        origin: url.to_owned(),
    })
}

fn from_crl(
    certificate: &Certificate,
    issuer: &Certificate,
    url: &str,
    fetcher: &dyn Fetcher,
) -> Result<Fetched, Error> {
    let bytes = fetcher.fetch(&network::Request::get(url, network::Kind::Crl))?;
    let answer = crl::check(&bytes, certificate, issuer).map_err(|e| at(url, e))?;
    Ok(Fetched {
        evidence: Evidence::Crl(crl::to_der(&bytes)?),
        answer,
        origin: url.to_owned(),
    })
}

/// An unusable answer, named by where it came from.
fn at(origin: &str, error: Error) -> Error {
    match error {
        Error::Unusable(reason) => Error::Response {
            origin: origin.to_owned(),
            reason,
        },
        other => other,
    }
}
