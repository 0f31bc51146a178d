//! Certificate revocation lists (RFC 5280 §5, §6.3): a list checked against the certificate's
//! issuer (name and signature) and searched for the certificate.

use openssl::x509::{CrlStatus, ReasonCode, X509Crl};

use super::{Answer, CertStatus, Error, crypto, openssl_time, reason_name, x509};
use crate::certificate::Certificate;

/// What the CRL `der` (or PEM) says about `certificate`, issued by `issuer`. The list must be
/// the issuer's: its issuer name and its signature.
pub fn check(der: &[u8], certificate: &Certificate, issuer: &Certificate) -> Result<Answer, Error> {
    let unusable = |reason: &str| Error::Unusable(reason.to_owned());
    let list = X509Crl::from_der(der)
        .or_else(|_| X509Crl::from_pem(der))
        .map_err(|_| unusable("not a CRL"))?;
    let issuer_x509 = x509(issuer)?;
    let same_issuer = list.issuer_name().to_der().map_err(crypto)?
        == issuer_x509.subject_name().to_der().map_err(crypto)?;
    if !same_issuer {
        return Err(unusable("the CRL is issued by another CA"));
    }
    let key = issuer_x509.public_key().map_err(crypto)?;
    if !list.verify(&key).map_err(crypto)? {
        return Err(unusable(
            "the CRL is not signed by the certificate's issuer",
        ));
    }
    let subject = x509(certificate)?;
    let this_update = openssl_time(&list.last_update().to_string());
    let next_update = list
        .next_update()
        .and_then(|t| openssl_time(&t.to_string()));
    let status = match list.get_by_cert(&subject) {
        CrlStatus::NotRevoked | CrlStatus::RemoveFromCrl(_) => CertStatus::Good,
        CrlStatus::Revoked(entry) => CertStatus::Revoked {
            time: openssl_time(&entry.revocation_date().to_string()),
            reason: entry
                .extension::<ReasonCode>()
                .ok()
                .flatten()
                .and_then(|(_, code)| code.get_i64().ok())
                .and_then(|code| reason_name(i32::try_from(code).ok()?)),
        },
    };
    Ok(Answer {
        status,
        this_update,
        next_update,
    })
}

/// The CRL in DER, whatever form it came in.
pub fn to_der(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    X509Crl::from_der(bytes)
        .or_else(|_| X509Crl::from_pem(bytes))
        .map_err(|_| Error::Unusable("not a CRL".into()))?
        .to_der()
        .map_err(crypto)
}
