//! Certification path building and validation (RFC 5280 §6) from the signer's certificate to a
//! trust anchor, at a given time, with the failure mapped to its EN 319 102-1 sub-indication.

use chrono::{DateTime, Utc};
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::X509VerifyParam;
use openssl::x509::{X509, X509StoreContext};

use super::checks::Checks;
use super::report::{self, ChainCertificate, Signature, SubIndication};
use super::{Options, revocation};
use crate::certificate::{self, Certificate};
use crate::network::Fetcher;
use crate::trust;

/// Hostile documents may carry thousands of certificates; no real chain needs more.
const MAX_CANDIDATES: usize = 64;

/// The outcome of path validation.
#[derive(Debug)]
pub(crate) struct Path {
    /// The path from the signer to the anchor, or just the signer if none was found.
    pub(crate) certificates: Vec<Certificate>,
    pub(crate) failure: Option<(SubIndication, String)>,
}

/// Builds and validates a path for `leaf` at `time` using `candidates` as intermediates; with a
/// `fetcher`, issuers missing from them are fetched over AIA caIssuers.
pub(crate) fn validate(
    leaf: &Certificate,
    candidates: &[Certificate],
    trust: &trust::Store,
    time: DateTime<Utc>,
    fetcher: Option<&dyn Fetcher>,
) -> Path {
    let path = validate_with(leaf, candidates, trust, time);
    let Some(fetcher) = fetcher else { return path };
    if path.failure.as_ref().map(|f| f.0) != Some(SubIndication::NoCertificateChainFound)
        || trust.is_empty()
    {
        return path;
    }
    let known = certificate::order_chain(
        &leaf.public_key(),
        candidates
            .iter()
            .take(MAX_CANDIDATES)
            .cloned()
            .chain([leaf.clone()])
            .collect(),
    )
    .unwrap_or_else(|| vec![leaf.clone()]);
    let completed = certificate::complete_chain(known.clone(), fetcher);
    if completed.len() == known.len() {
        return path;
    }
    // Fetched issuers first: the candidate list is cut at MAX_CANDIDATES.
    let mut more: Vec<Certificate> = completed.into_iter().skip(known.len()).collect();
    more.extend_from_slice(candidates);
    validate_with(leaf, &more, trust, time)
}

fn validate_with(
    leaf: &Certificate,
    candidates: &[Certificate],
    trust: &trust::Store,
    time: DateTime<Utc>,
) -> Path {
    let alone = || vec![leaf.clone()];
    if trust.is_empty() {
        return Path {
            certificates: alone(),
            failure: Some((
                SubIndication::NoCertificateChainFound,
                "no trust anchor was given".into(),
            )),
        };
    }
    match run(leaf, candidates, trust, time) {
        Ok((true, _, chain)) => Path {
            certificates: chain,
            failure: None,
        },
        Ok((false, (code, text), chain)) => Path {
            certificates: if chain.is_empty() { alone() } else { chain },
            failure: Some((classify(code), text)),
        },
        Err(error) => Path {
            certificates: alone(),
            failure: Some((
                SubIndication::CertificateChainGeneralFailure,
                format!("certificate could not be processed: {error}"),
            )),
        },
    }
}

type Outcome = (bool, (i32, String), Vec<Certificate>);

fn run(
    leaf: &Certificate,
    candidates: &[Certificate],
    trust: &trust::Store,
    time: DateTime<Utc>,
) -> Result<Outcome, openssl::error::ErrorStack> {
    let mut builder = X509StoreBuilder::new()?;
    for anchor in trust.anchors() {
        builder.add_cert(X509::from_der(anchor.der())?)?;
    }
    // Trusted-list services anchor a path where they are, root or issuing CA (TS 119 615
    // §4.2): only those named as issuer on the way are added, found through the index.
    let listed =
        trust.listed_issuers(std::iter::once(leaf).chain(candidates.iter().take(MAX_CANDIDATES)));
    for anchor in &listed {
        builder.add_cert(X509::from_der(anchor.der())?)?;
    }
    let mut param = X509VerifyParam::new()?;
    param.set_time(time.timestamp());
    if !listed.is_empty() {
        param.set_flags(openssl::x509::verify::X509VerifyFlags::PARTIAL_CHAIN)?;
    }
    builder.set_param(&param)?;
    let store = builder.build();
    let mut untrusted = Stack::new()?;
    for candidate in candidates.iter().take(MAX_CANDIDATES) {
        if let Ok(cert) = X509::from_der(candidate.der()) {
            untrusted.push(cert)?;
        }
    }
    let leaf = X509::from_der(leaf.der())?;
    let mut context = X509StoreContext::new()?;
    context.init(&store, &leaf, &untrusted, |ctx| {
        let ok = ctx.verify_cert()?;
        let error = ctx.error();
        let chain = ctx
            .chain()
            .map(|stack| {
                stack
                    .iter()
                    .filter_map(|c| c.to_der().ok())
                    .filter_map(|der| Certificate::from_der(&der).ok())
                    .collect()
            })
            .unwrap_or_default();
        Ok((ok, (error.as_raw(), error.error_string().to_owned()), chain))
    })
}

/// openssl's `X509_V_ERR_*` codes to EN 319 102-1 sub-indications (§5.2.6).
fn classify(code: i32) -> SubIndication {
    match code {
        // unable to get issuer (2, 20), leaf signature (21), self-signed not trusted (18, 19)
        2 | 18 | 19 | 20 | 21 => SubIndication::NoCertificateChainFound,
        9 => SubIndication::NotYetValid,
        10 => SubIndication::OutOfBoundsNoPoe,
        // path length (25), unhandled critical extension (34), key usage without certSign (32)
        25 | 32 | 34 => SubIndication::ChainConstraintsFailure,
        _ => SubIndication::CertificateChainGeneralFailure,
    }
}
/// The certificate block (EN 319 102-1 §5.2.6): a path from the signer's `certificate` to a
/// trust anchor at the best-signature-time (`candidates`: certificates from the signature and
/// the document), revocation of every certificate on it, the signer's validity at that time and
/// its key usage. `proven` is the earliest time a time-stamp proves (`by_document`: proved by a
/// document time-stamp rather than the signature's own). Returns the path, for the acceptance
/// checks.
#[allow(clippy::too_many_arguments, reason = "one building block's inputs")]
pub(crate) fn check(
    certificate: &Certificate,
    candidates: &[Certificate],
    options: &Options,
    embedded: &revocation::Embedded,
    (proven, by_document): (Option<DateTime<Utc>>, bool),
    checks: &mut Checks,
    result: &mut Signature,
) -> Vec<Certificate> {
    // Certification path at the best-signature-time: the time a time-stamp proves (past
    // certificate validation, EN 319 102-1 §5.6.2.1), else the validation time. The claimed
    // signing time proves nothing.
    let at = result.best_signature_time;
    let path = validate(
        certificate,
        candidates,
        &options.trust,
        at,
        options.fetcher.as_deref(),
    );
    qualify(certificate, &options.trust, result);
    result.chain = path
        .certificates
        .iter()
        .map(|c| ChainCertificate {
            subject: c.subject(),
            issuer: c.issuer(),
            serial: c.serial_hex(),
            not_before: c.not_before(),
            not_after: c.not_after(),
            sha256: c.fingerprint(),
            trust_anchor: options.trust.contains(c),
            revocation: None,
        })
        .collect();
    match &path.failure {
        None => checks.pass(
            "chain",
            format!(
                "path of {} certificate(s) to a trust anchor, valid at {at}",
                path.certificates.len()
            ),
        ),
        Some((sub, text)) => checks.fail(
            "chain",
            *sub,
            format!("no valid certificate path at {at}: {text}"),
        ),
    }
    if checks.failure.is_none() {
        revocation(
            &path.certificates,
            options,
            embedded,
            proven.is_some(),
            checks,
            result,
        );
    }
    // The signer's certificate must be valid at the best-signature-time: the validation time,
    // unless a valid time-stamp proves the signature existed earlier.
    let best = result.best_signature_time;
    let proof = match proven {
        Some(_) if by_document => "proven by a document time-stamp",
        Some(_) => "proven by the signature time-stamp",
        None => "the validation time",
    };
    if !certificate.is_valid_at(best) {
        let sub = if best < certificate.not_before() {
            SubIndication::NotYetValid
        } else {
            SubIndication::OutOfBoundsNoPoe
        };
        checks.fail("validity", sub, format!("the signer's certificate is not valid at {best} ({proof}) and no time-stamp proves the signature existed earlier"));
    } else {
        checks.pass(
            "validity",
            format!("the signer's certificate is valid at {best} ({proof})"),
        );
    }
    if certificate.can_sign() {
        checks.pass("key-usage", "the key usage allows signatures");
    } else {
        checks.fail(
            "key-usage",
            SubIndication::ChainConstraintsFailure,
            "the signer's certificate does not allow digitalSignature or nonRepudiation",
        );
    }
    path.certificates
}

/// The qualification the trusted lists give the signer's certificate at the
/// best-signature-time (ETSI TS 119 615), and the service that issued it.
fn qualify(certificate: &Certificate, trust: &trust::Store, result: &mut Signature) {
    use crate::trust::qualification;
    let entry = trust
        .lists()
        .and_then(|lists| lists.issuers_of(certificate).into_iter().next());
    let determination = match entry {
        None => qualification::not_determined(),
        Some(entry) => {
            let at = result.best_signature_time;
            if let Some(phase) = entry.service.at(at) {
                result.trust_service = Some(report::TrustService::of(&entry, phase));
            }
            qualification::determine(certificate, entry.service, at)
        }
    };
    result.qualification = Some(determination.qualification);
    result.qualification_reasons = determination.reasons;
}

/// Revocation of every certificate on the path but the trust anchor (EN 319 102-1 §5.2.6):
/// the signer's certificate revoked before the best-signature-time fails the signature; a
/// CA revoked, or no revocation data where the certificate names a source, is indeterminate.
fn revocation(
    path: &[Certificate],
    options: &Options,
    embedded: &revocation::Embedded,
    proven: bool,
    checks: &mut Checks,
    result: &mut Signature,
) {
    let best = result.best_signature_time;
    for (index, certificate) in path.iter().enumerate() {
        let Some(issuer) = path.get(index + 1) else {
            break;
        };
        if options.trust.contains(certificate) {
            break;
        }
        let status = revocation::status(
            certificate,
            issuer,
            &path[index + 1..],
            embedded,
            options.fetcher.as_deref(),
            best,
        );
        let holder = certificate.holder();
        if let Some(entry) = result.chain.get_mut(index) {
            entry.revocation = Some(describe_revocation(&status));
        }
        match status {
            revocation::Status::Good { source } => {
                result
                    .revocation
                    .push(format!("{holder}: not revoked ({source})"));
                checks.pass("revocation", format!("{holder}: not revoked ({source})"));
            }
            revocation::Status::NotApplicable { reason } => {
                result
                    .revocation
                    .push(format!("{holder}: not checked ({reason})"));
                checks.note(
                    "revocation",
                    true,
                    format!("{holder}: not checked ({reason})"),
                );
            }
            revocation::Status::Unknown { reason } => {
                result
                    .revocation
                    .push(format!("{holder}: unknown ({reason})"));
                checks.fail(
                    "revocation",
                    SubIndication::TryLater,
                    format!("{holder}: revocation status unknown: {reason}"),
                );
            }
            revocation::Status::Revoked { time, source, .. } => {
                result
                    .revocation
                    .push(format!("{holder}: revoked on {time} ({source})"));
                if index > 0 {
                    checks.fail(
                        "revocation",
                        SubIndication::RevokedCaNoPoe,
                        format!("{holder} (a CA of the signer) is revoked ({source})"),
                    );
                } else if time <= best {
                    checks.fail("revocation", SubIndication::Revoked, format!("the signer's certificate was revoked on {time}, before the signature is proven to exist ({best}) ({source})"));
                } else if proven {
                    checks.pass("revocation", format!("{holder}: revoked on {time}, after the signature is proven to exist ({best})"));
                } else {
                    checks.fail("revocation", SubIndication::RevokedNoPoe, format!("the signer's certificate is revoked ({source}) and no time-stamp proves the signature existed before"));
                }
            }
        }
    }
}

fn describe_revocation(status: &revocation::Status) -> report::Revocation {
    use report::RevocationStatus;
    let (status, source, revoked_at, detail) = match status {
        revocation::Status::Good { source } => (
            RevocationStatus::Good,
            Some(source.clone()),
            None,
            "not revoked".to_owned(),
        ),
        revocation::Status::Revoked {
            time,
            source,
            reason,
        } => (
            RevocationStatus::Revoked,
            Some(source.clone()),
            Some(*time),
            match reason {
                Some(reason) => format!("revoked on {time} ({reason})"),
                None => format!("revoked on {time}"),
            },
        ),
        revocation::Status::Unknown { reason } => {
            (RevocationStatus::Unknown, None, None, reason.clone())
        }
        revocation::Status::NotApplicable { reason } => (
            RevocationStatus::NotChecked,
            None,
            None,
            (*reason).to_owned(),
        ),
    };
    report::Revocation {
        status,
        source,
        revoked_at,
        detail,
    }
}
