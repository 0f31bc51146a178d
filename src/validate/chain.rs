//! Certification path building and validation (RFC 5280 §6) from the signer's certificate to a
//! trust anchor, at a given time, with the failure mapped to its EN 319 102-1 sub-indication.

use chrono::{DateTime, Utc};
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::X509VerifyParam;
use openssl::x509::{X509, X509StoreContext};

use super::SubIndication;
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
                "no trust anchor was given (use --trust)".into(),
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
    let mut param = X509VerifyParam::new()?;
    param.set_time(time.timestamp());
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
