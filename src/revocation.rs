//! Revocation status of certificates, fetched for embedding in documents (PAdES B-LT): OCSP
//! (RFC 6960) from the responder named in the certificate, else the CRL (RFC 5280 §5) from its
//! distribution point. Each answer is checked before it is kept.

use std::sync::Arc;

use openssl::hash::MessageDigest;
use openssl::ocsp::{
    OcspCertId, OcspCertStatus, OcspFlag, OcspRequest, OcspResponse, OcspResponseStatus,
};
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::{X509, X509Crl};

use crate::certificate::Certificate;
use crate::network::{self, Fetcher};

/// Revocation data as it goes into a `/DSS`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// A DER OCSPResponse.
    Ocsp(Vec<u8>),
    /// A DER CertificateList.
    Crl(Vec<u8>),
}

/// Fetches and checks revocation data for `certificate`, issued by `issuer`; `chain` holds
/// further certificates (up to the root) that may have issued an OCSP responder's certificate.
/// A revoked certificate is an error: nothing should be signed or extended with it.
pub fn fetch(
    certificate: &Certificate,
    issuer: &Certificate,
    chain: &[Certificate],
    fetcher: &dyn Fetcher,
) -> Result<Evidence, Error> {
    let holder = certificate.holder();
    let mut failures = Vec::new();
    for url in certificate.ocsp_urls().into_iter().take(network::MAX_URLS) {
        match ocsp(certificate, issuer, chain, &url, fetcher) {
            Ok(evidence) => return Ok(evidence),
            Err(error @ Error::Revoked { .. }) => return Err(error),
            Err(error) => failures.push(error.to_string()),
        }
    }
    for url in certificate.crl_urls().into_iter().take(network::MAX_URLS) {
        match crl(certificate, issuer, &url, fetcher) {
            Ok(evidence) => return Ok(evidence),
            Err(error @ Error::Revoked { .. }) => return Err(error),
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

fn ocsp(
    certificate: &Certificate,
    issuer: &Certificate,
    chain: &[Certificate],
    url: &str,
    fetcher: &dyn Fetcher,
) -> Result<Evidence, Error> {
    let bad = |reason: String| Error::Response {
        url: url.to_owned(),
        reason,
    };
    let subject = x509(certificate)?;
    let issuer_x509 = x509(issuer)?;
    let id =
        || OcspCertId::from_cert(MessageDigest::sha1(), &subject, &issuer_x509).map_err(crypto);
    let mut request = OcspRequest::new().map_err(crypto)?;
    request.add_id(id()?).map_err(crypto)?;
    let body = request.to_der().map_err(crypto)?;
    let answer = fetcher.fetch(&network::Request::post(
        url,
        network::Kind::Ocsp,
        "application/ocsp-request",
        &body,
    ))?;
    let response =
        OcspResponse::from_der(&answer).map_err(|_| bad("not an OCSP response".into()))?;
    if response.status() != OcspResponseStatus::SUCCESSFUL {
        return Err(bad(format!("responder status {:?}", response.status())));
    }
    let basic = response
        .basic()
        .map_err(|_| bad("no basic response".into()))?;
    // The responder is the CA itself or a delegate it certified for OCSPSigning (§4.2.2.2);
    // openssl checks both against a store of the issuing chain.
    let mut store = X509StoreBuilder::new().map_err(crypto)?;
    let mut untrusted = Stack::new().map_err(crypto)?;
    store.add_cert(issuer_x509.clone()).map_err(crypto)?;
    for extra in chain {
        let extra = x509(extra)?;
        untrusted.push(extra.clone()).map_err(crypto)?;
        let _ = store.add_cert(extra);
    }
    untrusted.push(issuer_x509.clone()).map_err(crypto)?;
    let store = store.build();
    basic
        .verify(&untrusted, &store, OcspFlag::empty())
        .map_err(|e| bad(format!("the response signature does not verify: {e}")))?;
    let wanted = id()?;
    let status = basic
        .find_status(&wanted)
        .ok_or_else(|| bad("the response does not cover the certificate".into()))?;
    status
        .check_validity(300, None)
        .map_err(|_| bad("the response is outside its validity period".into()))?;
    if status.status == OcspCertStatus::REVOKED {
        return Err(Error::Revoked {
            holder: certificate.holder(),
            origin: url.to_owned(),
            evidence: Box::new(Evidence::Ocsp(answer)),
        });
    }
    if status.status != OcspCertStatus::GOOD {
        return Err(bad("the responder does not know the certificate".into()));
    }
    Ok(Evidence::Ocsp(answer))
}

fn crl(
    certificate: &Certificate,
    issuer: &Certificate,
    url: &str,
    fetcher: &dyn Fetcher,
) -> Result<Evidence, Error> {
    let bad = |reason: &str| Error::Response {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let answer = fetcher.fetch(&network::Request::get(url, network::Kind::Crl))?;
    let list = X509Crl::from_der(&answer)
        .or_else(|_| X509Crl::from_pem(&answer))
        .map_err(|_| bad("not a CRL"))?;
    let issuer_key = x509(issuer)?.public_key().map_err(crypto)?;
    if !list.verify(&issuer_key).map_err(crypto)? {
        return Err(bad("the CRL is not signed by the certificate's issuer"));
    }
    let der = list.to_der().map_err(crypto)?;
    let subject = x509(certificate)?;
    if let openssl::x509::CrlStatus::Revoked(_) = list.get_by_cert(&subject) {
        return Err(Error::Revoked {
            holder: certificate.holder(),
            origin: url.to_owned(),
            evidence: Box::new(Evidence::Crl(der)),
        });
    }
    Ok(Evidence::Crl(der))
}

fn x509(certificate: &Certificate) -> Result<X509, Error> {
    X509::from_der(certificate.der()).map_err(crypto)
}

fn crypto(error: openssl::error::ErrorStack) -> Error {
    Error::Crypto(Arc::new(error))
}

/// Why revocation data could not be had.
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
    #[error("{url}: {reason}")]
    Response { url: String, reason: String },
    #[error(transparent)]
    Network(#[from] network::Error),
    #[error("cryptographic library failure: {0}")]
    Crypto(Arc<openssl::error::ErrorStack>),
}
