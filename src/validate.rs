//! Validation of signed documents following ETSI EN 319 102-1 (basic signature validation,
//! §5.3) for PAdES (ETSI EN 319 142-1): every signature gets an indication, a sub-indication
//! and the checks that led to it. A failed signature is a result; `Err` means the document could
//! not be processed at all.

mod chain;
pub mod crypto;
mod modifications;
mod pades;
pub mod report;
mod revocation;
mod timestamps;

use std::path::Path;

use chrono::{DateTime, Utc};

pub use report::{Check, Finding, Indication, Policy, Report, SubIndication};

use crate::{pdf, trust};

/// How long comparing revisions may take for one document; a hostile file gets a verdict
/// (never passed) instead of holding a batch up.
const MAX_ANALYSIS: std::time::Duration = std::time::Duration::from_secs(20);

/// What a validation depends on besides the document.
#[derive(Clone, Debug)]
pub struct Options {
    pub trust: trust::Store,
    /// The validation time; a parameter so results are reproducible.
    pub time: DateTime<Utc>,
    /// Where revocation data missing from the document is fetched; `None` validates offline,
    /// from the embedded data alone.
    pub fetcher: Option<std::sync::Arc<dyn crate::network::Fetcher>>,
    /// The algorithms and key sizes accepted.
    pub crypto: crypto::Catalogue,
}

impl Options {
    /// Offline validation at `time` against `trust`, with the ETSI crypto catalogue.
    pub fn new(trust: trust::Store, time: DateTime<Utc>) -> Self {
        Self {
            trust,
            time,
            fetcher: None,
            crypto: crypto::Catalogue::default(),
        }
    }
}

/// Validates every signature and document timestamp in the PDF at `path`.
pub fn validate_pdf(path: &Path, options: &Options) -> Result<Report, Error> {
    // Every fetch for this document shares one network budget: URLs come from its certificates.
    let session = options
        .fetcher
        .clone()
        .map(|fetcher| std::sync::Arc::new(crate::network::Session::start(fetcher)));
    let options = &Options {
        fetcher: session
            .clone()
            .map(|s| s as std::sync::Arc<dyn crate::network::Fetcher>),
        ..options.clone()
    };
    let name = path.display().to_string();
    let deadline = std::time::Instant::now() + MAX_ANALYSIS;
    let pdf_error = |source| Error::Pdf {
        path: name.clone(),
        source,
    };
    let mut file = pdf::File::open(path).map_err(pdf_error)?;
    // One pass over the file finds the revisions and signature keys, and hashes it.
    let mut hasher = crate::sign::Hasher::new(crate::key::Digest::Sha256)
        .map_err(|e| Error::Crypto(e.to_string()))?;
    let survey = file
        .survey(|chunk| hasher.update(chunk))
        .map_err(pdf_error)?;
    let sha256 =
        crate::certificate::hex_upper(&hasher.finish().map_err(|e| Error::Crypto(e.to_string()))?);
    let found = pdf::signature::find_all(&mut file).map_err(pdf_error)?;
    let embedded = embedded_revocation_data(&mut file);
    let unreferenced =
        pdf::signature::find_unreferenced(&mut file, &survey.byte_range_keys, &found);

    let check = |file: &mut pdf::File, found: &pdf::signature::Found, proof| {
        let context = pades::Context {
            options,
            embedded: &embedded,
            proof,
        };
        pades::validate_signature(file, found, &survey.revision_ends, &context)
    };
    let mut signatures = Vec::new();
    let mut document_timestamps = Vec::new();
    // The changes after each signed revision, analysed once per revision.
    let mut changes = std::collections::HashMap::new();
    // Document time-stamps first: a valid one proves that every signature it covers existed
    // at its time (a proof of existence, EN 319 102-1 §5.6.2.4).
    let mut proofs: Vec<(u64, chrono::DateTime<chrono::Utc>)> = Vec::new();
    for stamp in found
        .iter()
        .filter(|f| f.kind == pdf::signature::Kind::DocumentTimestamp)
    {
        let mut result = check(&mut file, stamp, None);
        let rules = rules_for(signed_end(stamp), &found);
        judge_later_changes(
            path,
            deadline,
            signed_end(stamp),
            &rules,
            &mut changes,
            &mut result,
        );
        if result.indication == Indication::TotalPassed {
            proofs.push((signed_end(stamp), result.best_signature_time));
        }
        document_timestamps.push(result);
    }
    for signature in found
        .iter()
        .filter(|f| f.kind == pdf::signature::Kind::Signature)
    {
        let end = signed_end(signature);
        let proof = proofs
            .iter()
            .filter(|(covered, _)| *covered > end)
            .map(|(_, time)| *time)
            .min();
        let mut result = check(&mut file, signature, proof);
        let rules = rules_for(end, &found);
        judge_later_changes(path, deadline, end, &rules, &mut changes, &mut result);
        signatures.push(result);
    }
    check_timestamp_order(&signatures, &mut document_timestamps);
    // B-LT and B-LTA are properties of the document around a B-T signature (EN 319 142-1
    // §6.3): validation data in a /DSS, and a document time-stamp over it.
    let has_validation_data = !embedded.ocsps.is_empty() || !embedded.crls.is_empty();
    for signature in &mut signatures {
        if signature.level.as_deref() != Some("PAdES-BASELINE-T") || !has_validation_data {
            continue;
        }
        let archived = document_timestamps.iter().any(|stamp| {
            stamp.indication == Indication::TotalPassed && stamp.revision > signature.revision
        });
        signature.level = Some(
            if archived {
                "PAdES-BASELINE-LTA"
            } else {
                "PAdES-BASELINE-LT"
            }
            .into(),
        );
    }
    // Order of application: by where the signed revision ends.
    signatures.sort_by_key(|s| s.revision.unwrap_or(usize::MAX));
    document_timestamps.sort_by_key(|s| s.revision.unwrap_or(usize::MAX));

    let mut messages = Vec::new();
    // A signature no field refers to was hidden or its field damaged: validate it too, so a
    // tampered file cannot pass by making its signature invisible, and never let it pass.
    for signature in &unreferenced {
        let mut result = check(&mut file, signature, None);
        result.field = "(no field)".to_owned();
        result.findings.push(report::Finding {
            id: "SIGNATURE_DICTIONARY_SPOOFING",
            detail: "a signed signature dictionary that no field refers to any more: its field was pointed elsewhere or removed".into(),
        });
        result.messages.insert(
            0,
            "this signature dictionary is not referenced by any signature field".to_owned(),
        );
        if result.indication == Indication::TotalPassed {
            result.indication = Indication::Indeterminate;
            result.subindication = Some(SubIndication::SignedDataNotFound);
        }
        signatures.push(result);
    }
    if !unreferenced.is_empty() {
        messages.push(format!(
            "{} signature(s) found that no signature field refers to",
            unreferenced.len()
        ));
    }
    if session.is_some_and(|s| s.used_up()) {
        messages.push(
            "the network time for this document was used up; some revocation data or certificates were not fetched"
                .to_owned(),
        );
    }
    if file.is_recovered() {
        messages.push(
            "the file's cross-reference data is damaged; it was read by scanning the whole file"
                .to_owned(),
        );
    }
    let indication = if signatures.is_empty() && document_timestamps.is_empty() {
        messages.push("the document carries no signature".to_owned());
        Indication::Indeterminate
    } else {
        signatures
            .iter()
            .chain(&document_timestamps)
            .map(|s| s.indication)
            .max()
            .unwrap_or(Indication::Indeterminate)
    };
    Ok(Report {
        file: name,
        sha256,
        size: file.len(),
        validation_time: options.time,
        signatures,
        document_timestamps,
        indication,
        revisions: survey.revision_ends.len(),
        policy: Policy {
            crypto_profile: options.crypto.name.clone(),
            online: options.fetcher.is_some(),
            trust_anchors: options.trust.anchors().iter().map(|a| a.subject()).collect(),
            qualification_basis: "the QC statements of the signer's certificate (ETSI EN 319 412-5); not yet confirmed against the EU trusted lists".into(),
        },
        messages,
    })
}

/// The certificates, OCSP responses and CRLs in the document's `/DSS` (ETSI EN 319 142-1
/// §5.4.2). A damaged
/// `/DSS` yields what could be read; the validation then says what is missing.
fn embedded_revocation_data<R: std::io::Read + std::io::Seek>(
    file: &mut pdf::File<R>,
) -> revocation::Embedded {
    let mut embedded = revocation::Embedded::default();
    let Ok((_, catalog)) = file.catalog() else {
        return embedded;
    };
    let Some(dss) = catalog
        .get(b"DSS")
        .ok()
        .and_then(|d| file.dictionary(d).ok())
    else {
        return embedded;
    };
    let mut certificates = Vec::new();
    // A bound on everything decoded, against a /DSS of decompression bombs.
    let mut budget: usize = 512 * 1024 * 1024;
    for (key, target) in [
        (b"Certs".as_slice(), &mut certificates),
        (b"OCSPs", &mut embedded.ocsps),
        (b"CRLs", &mut embedded.crls),
    ] {
        let Some(lopdf::Object::Array(items)) =
            dss.get(key).ok().and_then(|a| file.resolve(a).ok())
        else {
            continue;
        };
        for item in items.iter().take(10_000) {
            if let Ok(lopdf::Object::Stream(stream)) = file.resolve(item) {
                let bytes = pdf::decoded(&stream).unwrap_or_else(|| stream.content.clone());
                budget = budget.saturating_sub(bytes.len());
                if budget == 0 {
                    break;
                }
                target.push(bytes);
            }
        }
    }
    embedded.certificates = certificates
        .iter()
        .filter_map(|der| crate::certificate::Certificate::from_der(der).ok())
        .collect();
    embedded
}

/// The permissions in force after the revision ending at `end`: those of every signature
/// applied up to there (ISO 32000-2 §12.8.2).
fn rules_for(end: u64, found: &[pdf::signature::Found]) -> modifications::Rules {
    let mut rules = modifications::Rules::default();
    let stricter = |current: Option<pdf::permissions::Level>, level| {
        Some(current.map_or(level, |c: pdf::permissions::Level| c.min(level)))
    };
    for signature in found.iter().filter(|f| signed_end(f) <= end) {
        let declared = &signature.permissions;
        if let Some(level) = declared.certification {
            rules.certified = true;
            rules.level = stricter(rules.level, level);
        }
        if let Some(level) = declared.lock_level {
            rules.level = stricter(rules.level, level);
        }
        rules.locks.extend(declared.locked.clone());
    }
    rules
}

/// Lists what changed after the revision a signature covers and lets it decide the verdict: a
/// visible change fails the signature, an unclassified one makes it indeterminate; allowed
/// changes are listed, never hidden.
fn judge_later_changes(
    path: &Path,
    deadline: std::time::Instant,
    end: u64,
    rules: &modifications::Rules,
    changes: &mut std::collections::HashMap<u64, Result<modifications::Findings, String>>,
    result: &mut report::Signature,
) {
    if result.covers_whole_document || result.revision.is_none() {
        return;
    }
    let findings = changes
        .entry(end)
        .or_insert_with(|| modifications::analyse(path, end, deadline).map_err(|e| e.to_string()));
    match findings {
        Ok(findings) => {
            let judged = modifications::judge(findings, rules);
            result.findings.extend(judged.findings);
            result
                .modifications
                .extend(judged.allowed.iter().map(|c| format!("allowed: {c}")));
            result
                .modifications
                .extend(judged.visible.iter().map(|c| format!("not allowed: {c}")));
            result
                .modifications
                .extend(judged.other.iter().map(|c| format!("not allowed: {c}")));
            if let Some(first) = judged.visible.first() {
                let message = format!("the document was changed after this signature: {first}");
                lower_for_changes(
                    result,
                    SubIndication::FormatFailure,
                    message,
                    judged.visible.join("; "),
                );
            } else if let Some(first) = judged.other.first() {
                let message = format!("a change after this signature is not allowed: {first}");
                lower_for_changes(
                    result,
                    SubIndication::SigConstraintsFailure,
                    message,
                    judged.other.join("; "),
                );
            } else {
                result.checks.push(report::Check {
                    id: "modifications",
                    passed: true,
                    detail: "only allowed changes after signing".into(),
                });
            }
        }
        Err(error) => {
            let message =
                format!("the changes after this signature could not be analysed: {error}");
            lower_for_changes(
                result,
                SubIndication::SigConstraintsFailure,
                message,
                error.clone(),
            );
        }
    }
}

/// Lowers the verdict to `sub`'s indication unless it is already as bad, says why first, and
/// records the failed check.
fn lower_for_changes(
    result: &mut report::Signature,
    sub: SubIndication,
    message: String,
    detail: String,
) {
    if sub.indication() > result.indication {
        result.indication = sub.indication();
        result.subindication = Some(sub);
    }
    result.messages.insert(0, message);
    result.checks.push(report::Check {
        id: "modifications",
        passed: false,
        detail,
    });
}

/// A document time-stamp must not be older than a time-stamp in the revisions it covers
/// (EN 319 102-1 §5.5.4 time-stamp coherence): one that is was backdated or its TSA's clock is
/// wrong, and it proves nothing.
fn check_timestamp_order(signatures: &[report::Signature], stamps: &mut [report::Signature]) {
    let skew = chrono::TimeDelta::seconds(1);
    let proven = |s: &report::Signature| -> Vec<(Option<usize>, DateTime<Utc>)> {
        s.timestamps
            .iter()
            .filter(|t| t.indication == Indication::TotalPassed)
            .filter_map(|t| t.time.map(|time| (s.revision, time)))
            .filter(|(revision, _)| revision.is_some())
            .collect()
    };
    let earlier: Vec<(Option<usize>, DateTime<Utc>)> = signatures
        .iter()
        .chain(stamps.iter())
        .flat_map(proven)
        .collect();
    for stamp in stamps.iter_mut() {
        let Some(time) = stamp.timestamps.first().and_then(|t| t.time) else {
            continue;
        };
        let newer = earlier.iter().find(|(revision, other)| {
            *revision < stamp.revision && time.checked_add_signed(skew).is_some_and(|t| *other > t)
        });
        if let Some((_, other)) = newer {
            let message = format!(
                "this document time-stamp ({time}) is older than a time-stamp it covers ({other})"
            );
            if stamp.indication == Indication::TotalPassed {
                stamp.indication = Indication::Indeterminate;
                stamp.subindication = Some(SubIndication::TimestampOrderFailure);
            }
            stamp.messages.insert(0, message.clone());
            stamp.checks.push(report::Check {
                id: "timestamp-order",
                passed: false,
                detail: message,
            });
        }
    }
}

/// Where the bytes a signature signs end, from its `/ByteRange`.
fn signed_end(found: &pdf::signature::Found) -> u64 {
    match found.byte_range[..] {
        [_, _, start, len] => u64::try_from(start.saturating_add(len)).unwrap_or(0),
        _ => 0,
    }
}

/// Why a document could not be validated at all.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Pdf { path: String, source: pdf::Error },
    #[error("cryptographic library failure: {0}")]
    Crypto(String),
}
