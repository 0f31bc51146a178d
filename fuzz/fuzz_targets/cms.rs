//! CMS over arbitrary bytes (RFC 5652, RFC 3161): the SignedData decoder, each SignerInfo's
//! attributes, the certificates it carries, the signature check, and the time-stamp tokens
//! inside.
#![no_main]

use siegel::{certificate::Certificate, cms, timestamp};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = timestamp::inspect(data);
    let Ok(parsed) = cms::Parsed::from_der(data) else {
        return;
    };
    for certificate in &parsed.certificates {
        inspect(certificate);
    }
    for signer in parsed.signer_infos() {
        let view = cms::view(signer);
        for token in &view.signature_timestamps {
            let _ = timestamp::inspect(token);
        }
        if let Some(certificate) =
            cms::Parsed::find_signer_certificate(signer, &parsed.certificates)
        {
            let _ = cms::verify_signer(signer, certificate, b"");
        }
    }
});

/// Everything the validator and the protocol read from a certificate.
fn inspect(certificate: &Certificate) {
    let _ = (
        certificate.subject(),
        certificate.issuer(),
        certificate.holder(),
    );
    let _ = (
        certificate.organization(),
        certificate.organization_identifier(),
    );
    let _ = (
        certificate.subject_serial_number(),
        certificate.serial_hex(),
    );
    let _ = (certificate.key_size(), certificate.signature_algorithm());
    let _ = (certificate.not_before(), certificate.not_after());
    let _ = (
        certificate.key_usage_names(),
        certificate.extended_key_usage(),
    );
    let _ = (
        certificate.ocsp_urls(),
        certificate.ca_issuer_urls(),
        certificate.crl_urls(),
    );
    let _ = (
        certificate.is_ca(),
        certificate.can_sign(),
        certificate.is_self_issued(),
    );
    let _ = (
        certificate.qc_statements(),
        certificate.kind(),
        certificate.qualification(),
    );
}
