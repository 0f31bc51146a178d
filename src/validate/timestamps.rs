//! Validation of RFC 3161 time-stamp tokens, as signature time-stamps (ETSI EN 319 122-1
//! §5.3) and document time-stamps (ETSI EN 319 142-1 §5.4): imprint, token signature, TSA
//! certificate usage and path (EN 319 102-1 §5.4 time-stamp validation building block).

use chrono::{DateTime, Utc};

use super::report::{self, Indication, SubIndication};
use super::{Options, chain, revocation};
use crate::algorithm::Digest;
use crate::timestamp::{self, Token};

/// The outcome for one token, and the token where it could be read.
pub(crate) struct Checked {
    pub(crate) report: report::Timestamp,
    pub(crate) token: Option<Token>,
}

impl Checked {
    /// The time this token proves, if it is valid.
    pub(crate) fn proven_time(&self) -> Option<DateTime<Utc>> {
        self.token
            .as_ref()
            .filter(|_| self.report.indication == Indication::TotalPassed)
            .map(|t| t.time)
    }
}

/// Checks every signature time-stamp of a signer over its signature value (ETSI EN 319 122-1
/// §5.3), the same for CAdES and PAdES.
pub(crate) fn check_signature_timestamps(
    view: &crate::cms::SignerView,
    options: &Options,
    embedded: &revocation::Embedded,
) -> Vec<Checked> {
    view.signature_timestamps
        .iter()
        .map(|der| {
            check(
                report::TimestampKind::Signature,
                der,
                |digest| Ok(digest.hash(&view.signature)),
                options,
                embedded,
            )
        })
        .collect()
}

/// Checks the token `der` over data whose hash (with the token's own algorithm) `expected`
/// computes.
pub(crate) fn check(
    kind: report::TimestampKind,
    der: &[u8],
    expected: impl FnOnce(Digest) -> Result<Vec<u8>, String>,
    options: &Options,
    embedded: &revocation::Embedded,
) -> Checked {
    let fail = |sub: SubIndication, detail: String, token: Option<&Token>| Checked {
        report: report::Timestamp {
            kind,
            time: token.map(|t| t.time),
            tsa: token.and_then(|t| t.tsa.as_ref()).map(|c| c.holder()),
            indication: sub.indication(),
            subindication: Some(sub),
            detail,
            qualified_by: None,
        },
        token: token.cloned(),
    };
    let token = match timestamp::inspect(der) {
        Ok(token) => token,
        Err(error) => return fail(SubIndication::FormatFailure, error.to_string(), None),
    };
    let imprint = match expected(token.digest) {
        Ok(imprint) => imprint,
        Err(error) => return fail(SubIndication::FormatFailure, error, Some(&token)),
    };
    if imprint != token.imprint {
        return fail(
            SubIndication::HashFailure,
            "the token's message imprint does not match the time-stamped data".into(),
            Some(&token),
        );
    }
    if let Err(error) = timestamp::verify(der, token.digest, &imprint) {
        return fail(
            SubIndication::SigCryptoFailure,
            error.to_string(),
            Some(&token),
        );
    }
    let Some(tsa) = token.tsa.clone() else {
        return fail(
            SubIndication::NoSigningCertificateFound,
            "the TSA certificate is not in the token".into(),
            Some(&token),
        );
    };
    if let Err(reason) = timestamp::check_tsa_certificate(&tsa) {
        return fail(SubIndication::ChainConstraintsFailure, reason, Some(&token));
    }
    let path = chain::validate(
        &tsa,
        &embedded.candidates(&token.certificates),
        &options.trust,
        token.time,
        options.fetcher.as_deref(),
    );
    if let Some((sub, text)) = path.failure {
        return fail(
            sub,
            format!(
                "no valid path for the TSA certificate at {}: {text}",
                token.time
            ),
            Some(&token),
        );
    }
    // The token's digest and the TSA's key must have been acceptable when it was made; a
    // weaker token still counts only through a later time-stamp, which the archive chain adds.
    let crypto = options
        .crypto
        .check_digest(token.digest.name(), token.time)
        .and_then(|()| match tsa.key_size() {
            Some((family, bits)) => options.crypto.check_key(family, bits, token.time),
            None => Err("the TSA's key type is not in the catalogue".into()),
        });
    if let Err(reason) = crypto {
        return fail(
            SubIndication::CryptoConstraintsFailureNoPoe,
            format!("time-stamp token: {reason}"),
            Some(&token),
        );
    }
    // The TSA's own certificate: revoked is fatal for the token. Unknown is expected for the
    // newest time-stamp of a document, whose revocation data only the next renewal can add;
    // EN 319 102-1 then relies on the TSA certificate being valid and not known to be revoked
    // at the validation time, so it is said, not failed.
    let mut revocation_note = String::new();
    if let Some(issuer) = path.certificates.get(1) {
        let status = revocation::status(
            &tsa,
            issuer,
            &path.certificates[1..],
            embedded,
            options.fetcher.as_deref(),
            token.time,
        );
        revocation_note = match status {
            revocation::Status::Revoked { time, source, .. } => {
                return fail(
                    SubIndication::RevokedNoPoe,
                    format!("the TSA certificate was revoked on {time} ({source})"),
                    Some(&token),
                );
            }
            revocation::Status::Good { source } => {
                format!("; TSA certificate not revoked ({source})")
            }
            revocation::Status::Unknown { reason } => format!(
                "; the TSA certificate's revocation status is not at hand ({reason}), as expected for the newest time-stamp until the next renewal adds it"
            ),
            revocation::Status::NotApplicable { reason } => {
                format!("; TSA revocation not checked ({reason})")
            }
        };
    }
    // Qualified only where a trusted list says so for this TSA at the token's time.
    let qualified_by = options.trust.lists().and_then(|lists| {
        crate::trust::qualification::qualified_timestamp_service(lists, &tsa, token.time)
            .map(|(entry, phase)| report::TrustService::of(&entry, phase))
    });
    Checked {
        report: report::Timestamp {
            kind,
            time: Some(token.time),
            tsa: Some(tsa.holder()),
            indication: Indication::TotalPassed,
            subindication: None,
            qualified_by,
            detail: format!(
                "{} imprint matches; token signed by {}, trusted at {}{revocation_note}",
                token.digest.name(),
                tsa.holder(),
                token.time
            ),
        },
        token: Some(token),
    }
}
