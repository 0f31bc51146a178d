//! The CMS block of a validation (ETSI EN 319 102-1 §5.2.3 identification of the signing
//! certificate, §5.2.7 cryptographic verification; RFC 5652, RFC 5035): the same for a PAdES
//! signature, whose content is a PDF's byte ranges, and for a CMS over detached content.

use ::cms::signed_data::SignerInfo;
use chrono::{DateTime, Utc};

use super::checks::Checks;
use super::report::{Signature, Signer, SubIndication};
use crate::algorithm::{Digest, Verified};
use crate::certificate::Certificate;
use crate::cms::{self, BindingCheck, MessageDigestCheck, ValueCheck};

/// What the format requires of a CMS signature.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Profile {
    /// A signing-certificate(-v2) attribute must bind the signer's certificate (CAdES and
    /// PAdES baseline; plain PKCS#7 may go without).
    pub(crate) binding_required: bool,
    /// The name of the format, for messages ("PAdES").
    pub(crate) name: &'static str,
    /// What the signed content is, for messages ("the byte ranges").
    pub(crate) content: &'static str,
}

/// The signer of a CMS, identified: its SignerInfo seen as values, and its certificate.
#[derive(Debug)]
pub(crate) struct Identified {
    pub(crate) view: cms::SignerView,
    pub(crate) certificate: Certificate,
}

/// Why the content's digest could not be computed.
#[derive(Debug)]
pub(crate) enum Unhashed {
    /// The document's budget ran out: this proves nothing about the document.
    Budget(String),
    Unreadable(String),
}

/// Reads the CMS `der`, requires one SignerInfo and finds its certificate among those the
/// signature carries (identification comes first, so a protocol names the signer even when
/// the content was changed). `None` after a failed check.
pub(crate) fn identify(
    der: &[u8],
    profile: Profile,
    checks: &mut Checks,
    result: &mut Signature,
) -> Option<(cms::Parsed, Identified)> {
    let parsed = match cms::Parsed::from_der(der) {
        Ok(parsed) => parsed,
        Err(error) => {
            checks.fail(
                "cms",
                SubIndication::FormatFailure,
                format!("the signature is not readable CMS: {error}"),
            );
            return None;
        }
    };
    let [signer_info] = parsed.signer_infos() else {
        checks.fail(
            "cms",
            SubIndication::FormatFailure,
            format!(
                "{} requires exactly one SignerInfo, found {}",
                profile.name,
                parsed.signer_infos().len()
            ),
        );
        return None;
    };
    checks.pass("cms", "CMS SignedData with one SignerInfo");
    let identified = identify_signer(signer_info, &parsed.certificates, checks, result)?;
    Some((parsed, identified))
}

/// Finds the certificate of one SignerInfo among `certificates` (those the CMS carries) and
/// names the signer in `result`. `None` after a failed check.
pub(crate) fn identify_signer(
    signer_info: &SignerInfo,
    certificates: &[Certificate],
    checks: &mut Checks,
    result: &mut Signature,
) -> Option<Identified> {
    let view = cms::view(signer_info);
    let Some(certificate) =
        cms::Parsed::find_signer_certificate(signer_info, certificates).cloned()
    else {
        checks.fail(
            "signing-certificate",
            SubIndication::NoSigningCertificateFound,
            "the signer's certificate is not in the signature",
        );
        return None;
    };
    describe_signer(&certificate, result);
    Some(Identified { view, certificate })
}

impl Identified {
    /// The time the signer claims in a signing-time attribute.
    pub(crate) fn signing_time(&self) -> Option<DateTime<Utc>> {
        self.view.signing_time
    }

    /// Checks the message digest against the content's (`content_digest` computes it with the
    /// signer's digest algorithm), the signature value and the binding to the signing
    /// certificate. Returns the verified algorithm, `None` after a failure that stops.
    pub(crate) fn verify(
        &self,
        content_digest: impl FnOnce(Digest) -> Result<Vec<u8>, Unhashed>,
        profile: Profile,
        checks: &mut Checks,
        result: &mut Signature,
    ) -> Option<Verified> {
        let view = &self.view;
        let Some(digest) = view.digest else {
            checks.fail(
                "digest-algorithm",
                SubIndication::CryptoConstraintsFailureNoPoe,
                format!("unsupported digest algorithm {}", view.digest_oid),
            );
            return None;
        };
        let computed = match content_digest(digest) {
            Ok(computed) => computed,
            Err(Unhashed::Budget(error)) => {
                checks.fail(
                    "message-digest",
                    SubIndication::SigConstraintsFailure,
                    format!("the signed bytes were not hashed: {error}"),
                );
                return None;
            }
            Err(Unhashed::Unreadable(error)) => {
                checks.fail(
                    "message-digest",
                    SubIndication::FormatFailure,
                    format!("cannot read the signed bytes: {error}"),
                );
                return None;
            }
        };
        let check = cms::check_signer(view, &self.certificate, &computed);
        match check.message_digest {
            MessageDigestCheck::Missing => checks.fail(
                "message-digest",
                SubIndication::FormatFailure,
                "the CMS has no message-digest attribute",
            ),
            MessageDigestCheck::Matches => checks.pass(
                "message-digest",
                format!("{} over {} matches", digest.name(), profile.content),
            ),
            MessageDigestCheck::Differs => checks.fail(
                "message-digest",
                SubIndication::HashFailure,
                "the document was changed after signing: its digest does not match the signature",
            ),
        }
        if checks.stopped() {
            return None;
        }
        let verified = match check.value {
            ValueCheck::Unsupported => {
                checks.fail(
                    "signature-value",
                    SubIndication::FormatFailure,
                    "unsupported signature algorithm or no signed attributes",
                );
                return None;
            }
            ValueCheck::Correct(verified) => {
                result.algorithm = Some(verified);
                checks.pass(
                    "signature-value",
                    format!(
                        "the signature value is correct ({verified}, verified with the signer's public key)"
                    ),
                );
                verified
            }
            ValueCheck::Wrong(verified) => {
                result.algorithm = Some(verified);
                checks.fail(
                    "signature-value",
                    SubIndication::SigCryptoFailure,
                    "the signature value does not verify with the signer's public key",
                );
                return None;
            }
            ValueCheck::Failed(error) => {
                checks.fail(
                    "signature-value",
                    SubIndication::SigCryptoFailure,
                    format!("the signature value cannot be checked: {error}"),
                );
                return None;
            }
        };
        match check.binding {
            BindingCheck::Matches { v2 } => checks.pass(
                "signing-certificate",
                if v2 {
                    "signing-certificate-v2 matches"
                } else {
                    "signing-certificate (v1) matches"
                },
            ),
            BindingCheck::OtherCertificate => checks.fail(
                "signing-certificate",
                SubIndication::NoSigningCertificateFound,
                "the signing-certificate attribute names a different certificate",
            ),
            BindingCheck::Absent if profile.binding_required => checks.fail(
                "signing-certificate",
                SubIndication::NoSigningCertificateFound,
                format!(
                    "no signing-certificate-v2 attribute (required by {})",
                    profile.name
                ),
            ),
            BindingCheck::Absent => checks.pass(
                "signing-certificate",
                "no signing-certificate attribute (allowed for adbe.pkcs7.detached)",
            ),
        }
        Some(verified)
    }
}

/// Names the signer in the report: holder, kind, qualification, key.
pub(crate) fn describe_signer(certificate: &Certificate, result: &mut Signature) {
    result.signer = Some(Signer {
        name: certificate.holder(),
        subject: certificate.subject(),
        organization: certificate.organization(),
        organization_identifier: certificate.organization_identifier(),
        serial_number: certificate.subject_serial_number(),
    });
    result.kind = Some(certificate.kind());
    // Only a trusted list confirms a qualification (chain::check asks it); the certificate's
    // own QC statements are a claim anybody can make.
    result.qualification = Some(crate::trust::qualification::Qualification::NotDetermined);
    result.public_key = certificate
        .key_size()
        .map(|(family, bits)| format!("{family} {bits} bit"));
}
