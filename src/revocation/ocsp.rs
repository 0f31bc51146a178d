//! OCSP (RFC 6960): requests for one certificate, and responses checked against the
//! certificate, its issuer and the responder's authority (§4.2.2.2).

use openssl::hash::MessageDigest;
use openssl::ocsp::{
    OcspCertId, OcspCertStatus, OcspFlag, OcspRequest, OcspResponse, OcspResponseStatus,
};
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;

use super::{Answer, CertStatus, Error, crypto, openssl_time, reason_name, x509};
use crate::certificate::Certificate;

/// A DER OCSPRequest for `certificate`, issued by `issuer`.
pub fn request(certificate: &Certificate, issuer: &Certificate) -> Result<Vec<u8>, Error> {
    let (subject, issuer) = (x509(certificate)?, x509(issuer)?);
    let id = OcspCertId::from_cert(MessageDigest::sha1(), &subject, &issuer).map_err(crypto)?;
    let mut request = OcspRequest::new().map_err(crypto)?;
    request.add_id(id).map_err(crypto)?;
    request.to_der().map_err(crypto)
}

/// What the response `der` says about `certificate`, issued by `issuer`. The response must be
/// successful, signed by the issuer or a responder it authorised (`chain`: the issuer's own
/// issuers), and name the certificate; a status other than good or revoked is unusable.
pub fn check(
    der: &[u8],
    certificate: &Certificate,
    issuer: &Certificate,
    chain: &[Certificate],
) -> Result<Answer, Error> {
    let unusable = |reason: &str| Error::Unusable(reason.to_owned());
    let subject = x509(certificate)?;
    let issuer_x509 = x509(issuer)?;
    let response = OcspResponse::from_der(der).map_err(|_| unusable("not an OCSP response"))?;
    if response.status() != OcspResponseStatus::SUCCESSFUL {
        return Err(Error::Unusable(format!(
            "responder status {:?}",
            response.status()
        )));
    }
    let basic = response
        .basic()
        .map_err(|_| unusable("no basic OCSP response"))?;
    // The responder is the CA itself or a delegate it certified for OCSPSigning; openssl
    // checks both against a store of the issuing chain.
    let mut store = X509StoreBuilder::new().map_err(crypto)?;
    let mut untrusted = Stack::new().map_err(crypto)?;
    store.add_cert(issuer_x509.clone()).map_err(crypto)?;
    untrusted.push(issuer_x509.clone()).map_err(crypto)?;
    for extra in chain {
        let extra = x509(extra)?;
        untrusted.push(extra.clone()).map_err(crypto)?;
        let _ = store.add_cert(extra);
    }
    let store = store.build();
    basic
        .verify(&untrusted, &store, OcspFlag::empty())
        .map_err(|e| Error::Unusable(format!("the response signature does not verify: {e}")))?;
    let id =
        OcspCertId::from_cert(MessageDigest::sha1(), &subject, &issuer_x509).map_err(crypto)?;
    let found = basic
        .find_status(&id)
        .ok_or_else(|| unusable("the response does not cover the certificate"))?;
    let this_update = openssl_time(&found.this_update.to_string());
    let next_update = found
        .next_update()
        .and_then(|t| openssl_time(&t.to_string()));
    let status = match found.status {
        OcspCertStatus::GOOD => CertStatus::Good,
        OcspCertStatus::REVOKED => CertStatus::Revoked {
            time: found
                .revocation_time
                .and_then(|t| openssl_time(&t.to_string())),
            reason: reason_name(found.reason.as_raw()),
        },
        _ => return Err(unusable("the responder does not know the certificate")),
    };
    Ok(Answer {
        status,
        this_update,
        next_update,
    })
}
