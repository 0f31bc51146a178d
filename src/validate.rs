//! Validation of signed documents following ETSI EN 319 102-1 (basic signature validation,
//! §5.3) for PAdES (ETSI EN 319 142-1) and CAdES (ETSI EN 319 122-1): every signature gets an
//! indication, a sub-indication and the checks that led to it. A failed signature is a result;
//! `Err` means the document could not be processed at all.

pub mod acceptance;
mod asic;
mod cades;
mod chain;
mod checks;
mod cms;
mod digests;
mod modifications;
mod pades;
pub mod report;
mod revocation;
mod timestamps;

use std::path::Path;

use chrono::{DateTime, Utc};

pub use report::{Check, Finding, Indication, Policy, Report, SubIndication};

use crate::budget::Budget;
use crate::{pdf, trust};

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
    pub crypto: acceptance::Catalogue,
}

impl Options {
    /// Offline validation at `time` against `trust`, with the ETSI crypto catalogue.
    pub fn new(trust: trust::Store, time: DateTime<Utc>) -> Self {
        Self {
            trust,
            time,
            fetcher: None,
            crypto: acceptance::Catalogue::default(),
        }
    }
}

/// Validates every signature and counter-signature of the CAdES file at `path` (`.p7s`,
/// `.p7m`, `.pkcs7`; ETSI EN 319 122-1). A detached signature signs `content`, by default the
/// file of the same name without its extension beside it; without it, its signatures are
/// INDETERMINATE (SIGNED_DATA_NOT_FOUND).
pub fn validate_cades(
    path: &Path,
    content: Option<&Path>,
    options: &Options,
) -> Result<Report, Error> {
    let (options, session) = with_session(options);
    let mut report = cades::validate(path, content, &options)?;
    if session.is_some_and(|s| s.used_up()) {
        report.messages.push(
            "the network time for this document was used up; some revocation data or certificates were not fetched"
                .to_owned(),
        );
    }
    Ok(report)
}

/// Validates the ASiC-S or ASiC-E container at `path` (`.asics`, `.scs`, `.asice`, `.sce`;
/// ETSI EN 319 162-1): its CAdES signatures, the manifests' references and the container rules.
pub fn validate_asic(path: &Path, options: &Options) -> Result<Report, Error> {
    let (options, _session) = with_session(options);
    asic::validate(path, &options)
}

/// One document's network session over the fetcher the options name.
type Session = crate::network::Session<std::sync::Arc<dyn crate::network::Fetcher>>;

/// `options` with its fetcher behind one network session: every fetch for a document shares
/// one budget, as the URLs come from its certificates.
fn with_session(options: &Options) -> (Options, Option<std::sync::Arc<Session>>) {
    let session = options
        .fetcher
        .clone()
        .map(|fetcher| std::sync::Arc::new(crate::network::Session::start(fetcher)));
    let options = Options {
        fetcher: session
            .clone()
            .map(|s| s as std::sync::Arc<dyn crate::network::Fetcher>),
        ..options.clone()
    };
    (options, session)
}

/// The rules a validation with `options` applies, for the report's header.
fn policy(options: &Options) -> Policy {
    Policy {
        crypto_profile: options.crypto.name.clone(),
        online: options.fetcher.is_some(),
        trust_anchors: options
            .trust
            .anchors()
            .iter()
            .map(|a| a.subject())
            .collect(),
        qualification_basis: match options.trust.lists() {
            Some(lists) => format!(
                "the EU trusted lists (ETSI TS 119 615): LOTL sequence {} of {}, {} national list(s)",
                lists.lotl.list.sequence,
                lists.lotl.list.issued.format("%Y-%m-%d"),
                lists.lists.len()
            ),
            None => "none: no trusted list was loaded, so no qualification is confirmed".into(),
        },
        trusted_lists: options.trust.lists().map(|lists| report::TrustBasis {
            lotl: report::ListUsed::of(&lists.lotl, options.time),
            lists: lists
                .lists
                .iter()
                .map(|l| report::ListUsed::of(l, options.time))
                .collect(),
        }),
    }
}

/// Validates every signature and document timestamp in the PDF at `path`, within one budget
/// for the document ([`crate::budget`]).
pub fn validate_pdf(path: &Path, options: &Options) -> Result<Report, Error> {
    let (options, session) = with_session(options);
    let options = &options;
    let name = path.display().to_string();
    let pdf_error = |source| Error::Pdf {
        path: name.clone(),
        source,
    };
    let len = std::fs::metadata(path)
        .map_err(|e| pdf_error(pdf::Error::Io(std::sync::Arc::new(e))))?
        .len();
    let budget = Budget::for_document(len);
    let mut file = pdf::File::open_with(path, budget).map_err(pdf_error)?;
    // One pass over the file finds the revisions and signature keys, and hashes it.
    let mut hasher = crate::algorithm::Hasher::new(crate::algorithm::Digest::Sha256)?;
    let survey = file.survey(|chunk| hasher.update(chunk));
    let sha256 = crate::certificate::hex_upper(&hasher.finish()?);
    let report = |signatures, document_timestamps, indication, messages, revisions| Report {
        file: name.clone(),
        sha256: sha256.clone(),
        size: len,
        validation_time: options.time,
        signatures,
        document_timestamps,
        indication,
        revisions,
        policy: policy(options),
        messages,
        contents: Vec::new(),
    };
    let found = survey.and_then(|survey| {
        let found = pdf::signature::find_all(&mut file)?;
        Ok((survey, found))
    });
    let (survey, found) = match found {
        Ok(found) => found,
        Err(pdf::Error::Budget(exhausted)) => {
            let message = format!("the document could not be validated: {exhausted}");
            return Ok(report(
                Vec::new(),
                Vec::new(),
                Indication::Indeterminate,
                vec![message],
                0,
            ));
        }
        Err(error) => return Err(pdf_error(error)),
    };
    let embedded = embedded_revocation_data(&mut file);
    let unreferenced =
        pdf::signature::find_unreferenced(&mut file, &survey.byte_range_keys, &found);

    let digests = std::cell::RefCell::new(digests::Digests::new(
        found
            .iter()
            .chain(&unreferenced)
            .filter_map(|f| match f.byte_range[..] {
                [a, b, c, d] => Some([
                    (u64::try_from(a).ok()?, u64::try_from(b).ok()?),
                    (u64::try_from(c).ok()?, u64::try_from(d).ok()?),
                ]),
                _ => None,
            }),
    ));
    let check = |file: &mut pdf::File, found: &pdf::signature::Found, proof| {
        let context = pades::Context {
            options,
            embedded: &embedded,
            proof,
            digests: &digests,
        };
        pades::validate_signature(file, found, &survey.revision_ends, &context)
    };
    let mut later = Later::new(&mut file, &found);
    let mut signatures = Vec::new();
    let mut document_timestamps = Vec::new();
    // Document time-stamps first: a valid one proves that every signature it covers existed
    // at its time (a proof of existence, EN 319 102-1 §5.6.2.4).
    let mut proofs: Vec<(u64, chrono::DateTime<chrono::Utc>)> = Vec::new();
    for stamp in found
        .iter()
        .filter(|f| f.kind == pdf::signature::Kind::DocumentTimestamp)
    {
        let mut result = check(&mut file, stamp, None);
        let rules = rules_for(signed_end(stamp), &found);
        later.judge(&mut file, signed_end(stamp), &rules, &mut result);
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
        later.judge(&mut file, end, &rules, &mut result);
        if !signature.also_named_by.is_empty() {
            result.messages.push(format!(
                "the fields {} show the same signature dictionary as this field",
                signature.also_named_by.join(", ")
            ));
        }
        signatures.push(result);
    }
    check_timestamp_order(&signatures, &mut document_timestamps);
    // B-LT and B-LTA are properties of the document around a B-T signature (EN 319 142-1
    // §6.3): validation data in a /DSS, and a document time-stamp over it.
    let has_validation_data = !embedded.ocsps.is_empty() || !embedded.crls.is_empty();
    for signature in &mut signatures {
        if signature.level != Some(report::Profile::PadesT) || !has_validation_data {
            continue;
        }
        let archived = document_timestamps.iter().any(|stamp| {
            stamp.indication == Indication::TotalPassed && stamp.revision > signature.revision
        });
        signature.level = Some(if archived {
            report::Profile::PadesLta
        } else {
            report::Profile::PadesLt
        });
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
        let message = "the file's cross-reference data is damaged and was rebuilt by scanning: viewers rebuild such files in different ways, so what this signature covers cannot be confirmed".to_owned();
        for result in signatures.iter_mut().chain(document_timestamps.iter_mut()) {
            lower(
                result,
                SubIndication::SigConstraintsFailure,
                message.clone(),
                "structure",
                message.clone(),
            );
        }
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
    Ok(report(
        signatures,
        document_timestamps,
        indication,
        messages,
        survey.revision_ends.len(),
    ))
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
                let bytes = file
                    .decoded(&stream)
                    .unwrap_or_else(|| stream.content.clone());
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
    let stricter = |current: Option<pdf::permissions::DocMdp>, level| {
        Some(current.map_or(level, |c: pdf::permissions::DocMdp| c.min(level)))
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

/// The changes after the signed revisions, analysed once for the whole document and judged
/// for each signature with the permissions in force for it.
struct Later {
    history: Option<Result<modifications::History, String>>,
    visual: modifications::Visual,
}

impl Later {
    fn new(file: &mut pdf::File, found: &[pdf::signature::Found]) -> Self {
        let signatures: std::collections::HashMap<u32, modifications::Signature> = found
            .iter()
            .filter_map(|f| {
                let object = f.object?;
                Some((
                    object.0,
                    modifications::Signature {
                        end: signed_end(f),
                        timestamp: f.kind == pdf::signature::Kind::DocumentTimestamp,
                    },
                ))
            })
            .collect();
        let first = found
            .iter()
            .map(signed_end)
            .filter(|end| *end > 0 && *end < file.len())
            .min();
        let history = first.map(|first| {
            modifications::History::read(file, first, &signatures).map_err(|e| e.to_string())
        });
        Self {
            history,
            visual: modifications::Visual::default(),
        }
    }

    /// Lists what changed after the revision a signature covers and lets it decide the
    /// verdict: a change to what a page shows fails the signature; a change that is not
    /// allowed, cannot be analysed or covers signed content makes it indeterminate. Allowed
    /// changes are listed, never hidden.
    fn judge(
        &mut self,
        file: &mut pdf::File,
        end: u64,
        rules: &modifications::Rules,
        result: &mut report::Signature,
    ) {
        if result.covers_whole_document || result.revision.is_none() {
            return;
        }
        let history = match &self.history {
            Some(Ok(history)) => history,
            Some(Err(error)) => {
                let message =
                    format!("the changes after this signature could not be analysed: {error}");
                lower(
                    result,
                    SubIndication::SigConstraintsFailure,
                    message,
                    "modifications",
                    error.clone(),
                );
                return;
            }
            None => return,
        };
        let Some(updates) = history.after(end) else {
            let message = "the signed bytes end inside a later update".to_owned();
            lower(
                result,
                SubIndication::SigConstraintsFailure,
                message.clone(),
                "modifications",
                message,
            );
            return;
        };
        let judged = modifications::judge(updates.iter().flat_map(|u| &u.changes), rules);
        for finding in &judged.findings {
            if !result.findings.contains(finding) {
                result.findings.push(finding.clone());
            }
        }
        // Lenient readings anywhere in the document (an entry beside its object, a key named
        // twice) mean viewers may see other objects than the ones compared.
        let repairs: Vec<String> = file
            .repairs()
            .iter()
            .map(|r| format!("object {}: {}", r.number, r.what))
            .collect();
        let problems: Vec<&String> = updates
            .iter()
            .flat_map(|u| &u.problems)
            .chain(&repairs)
            .collect();
        let ambiguity = (!problems.is_empty()).then(|| {
            problems
                .iter()
                .take(5)
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        });
        if let Some(detail) = &ambiguity {
            result.findings.push(report::Finding {
                id: "AMBIGUOUS_STRUCTURE",
                detail: format!(
                    "a later update can be read in more than one way, and viewers differ in how: {detail}"
                ),
            });
        }
        use report::{Judgement, Modification};
        let allowed = judged
            .allowed()
            .into_iter()
            .map(|c| Modification::new(Judgement::Allowed, c));
        let mut seen = std::collections::HashSet::new();
        let listed: Vec<Modification> = allowed
            .chain(
                judged
                    .drawn
                    .iter()
                    .chain(&judged.other)
                    .map(|c| Modification::new(Judgement::NotAllowed, c.clone())),
            )
            .chain(
                problems
                    .iter()
                    .map(|p| Modification::new(Judgement::NotAnalysable, p.as_str())),
            )
            .filter(|line| seen.insert(line.to_string()))
            .collect();
        result.modifications.extend(listed);
        // A change to what is shown is certain however the rest is read.
        if let Some(first) = judged.drawn.first() {
            let message = format!("the document was changed after this signature: {first}");
            lower(
                result,
                SubIndication::FormatFailure,
                message,
                "modifications",
                judged.drawn.join("; "),
            );
            return;
        }
        if let Some(detail) = ambiguity {
            lower(
                result,
                SubIndication::SigConstraintsFailure,
                format!("the changes after this signature cannot be analysed reliably: {detail}"),
                "modifications",
                detail,
            );
            return;
        }
        if let Some(first) = judged.other.first() {
            let message = format!("a change after this signature is not allowed: {first}");
            lower(
                result,
                SubIndication::SigConstraintsFailure,
                message,
                "modifications",
                judged.other.join("; "),
            );
            return;
        }
        result.checks.push(report::Check {
            id: "modifications",
            passed: true,
            detail: "only allowed changes after signing".into(),
        });
        self.look(file, history.view_at(end), end, &judged, result);
    }

    /// The visual comparison of the signed revision with the document as it is now.
    fn look(
        &mut self,
        file: &mut pdf::File,
        view: Option<pdf::View>,
        end: u64,
        judged: &modifications::Judged,
        result: &mut report::Signature,
    ) {
        let Some(view) = view else {
            let message = "the signed revision is not part of the document's cross-reference chain"
                .to_owned();
            lower(
                result,
                SubIndication::SigConstraintsFailure,
                message.clone(),
                "visual",
                message,
            );
            return;
        };
        let outcome = match self.visual.compare(file, end, view, &judged.areas) {
            Ok(outcome) => outcome,
            Err(error) => {
                let message = format!("the pages could not be compared as drawn: {error}");
                lower(
                    result,
                    SubIndication::SigConstraintsFailure,
                    message.clone(),
                    "visual",
                    message,
                );
                return;
            }
        };
        result.modifications.extend(
            outcome
                .notes
                .iter()
                .map(|n| report::Modification::new(report::Judgement::Note, n.as_str())),
        );
        let mut problems = Vec::new();
        for (area, page) in &outcome.covering {
            let detail = format!("{} covers content that was signed (page {page})", area.what);
            if !result.findings.iter().any(|f| f.id == area.finding) {
                result.findings.push(report::Finding {
                    id: area.finding,
                    detail: detail.clone(),
                });
            }
            problems.push(detail);
        }
        if !outcome.changed_pages.is_empty() {
            let pages: Vec<String> = outcome
                .changed_pages
                .iter()
                .map(|p| p.to_string())
                .collect();
            let detail = format!(
                "page(s) {} look different from the signed revision outside every allowed change",
                pages.join(", ")
            );
            result.findings.push(report::Finding {
                id: "VISUAL_CHANGE",
                detail: detail.clone(),
            });
            problems.push(detail);
        }
        if let Some(reason) = &outcome.not_compared {
            problems.push(format!(
                "the pages could not be compared as drawn: {reason}"
            ));
        }
        if problems.is_empty() {
            if outcome.drawn > 0 {
                result.checks.push(report::Check {
                    id: "visual",
                    passed: true,
                    detail: format!(
                        "the changed pages look as signed outside the allowed changes ({} page images compared)",
                        outcome.drawn
                    ),
                });
            }
            return;
        }
        result.modifications.extend(
            problems
                .iter()
                .map(|p| report::Modification::new(report::Judgement::NotAllowed, p.as_str())),
        );
        let message = format!(
            "the document looks different from what was signed: {}",
            problems[0]
        );
        lower(
            result,
            SubIndication::SigConstraintsFailure,
            message,
            "visual",
            problems.join("; "),
        );
    }
}

/// Lowers the verdict to `sub`'s indication unless it is already as bad, says why first, and
/// records the failed check.
fn lower(
    result: &mut report::Signature,
    sub: SubIndication,
    message: String,
    check: &'static str,
    detail: String,
) {
    if sub.indication() > result.indication {
        result.indication = sub.indication();
        result.subindication = Some(sub);
    }
    result.messages.insert(0, message);
    result.checks.push(report::Check {
        id: check,
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
    #[error(transparent)]
    Crypto(#[from] crate::algorithm::Error),
    #[error("{path}: {message}")]
    Unreadable { path: String, message: String },
}
