//! One PAdES signature or document time-stamp (ETSI EN 319 142-1 §5.1, §5.4): the PDF rules
//! (sub-filter, byte range, level) here; the CMS, certificate and acceptance building blocks of
//! EN 319 102-1 §5.3 in their own modules, shared with other formats.

use std::io::{Read, Seek};

use chrono::{DateTime, Utc};

use super::checks::Checks;
use super::report::{Indication, Profile, Signature, SubIndication, TimestampKind};
use super::{Options, acceptance, chain, cms, report, revocation, timestamps};
use crate::algorithm::Digest;
use crate::pdf::{self, signature::Found};

const SUPPORTED_SUB_FILTERS: &[&str] = &["ETSI.CAdES.detached", "adbe.pkcs7.detached"];
/// Upper bound for `/Contents`: a signature with a long chain and embedded revocation data
/// fits easily; anything larger is treated as hostile.
const MAX_CONTENTS: usize = 4 * 1024 * 1024;

/// What a signature is validated against besides its own bytes.
pub(crate) struct Context<'a> {
    pub(crate) options: &'a Options,
    /// Revocation data embedded in the document.
    pub(crate) embedded: &'a revocation::Embedded,
    /// The earliest time a valid later document time-stamp proves the signature existed.
    pub(crate) proof: Option<DateTime<Utc>>,
    /// The digests of every signature's byte ranges, computed in one pass.
    pub(crate) digests: &'a std::cell::RefCell<super::digests::Digests>,
}

/// Validates one signature or document time-stamp.
pub(crate) fn validate_signature<R: Read + Seek>(
    file: &mut pdf::File<R>,
    found: &Found,
    revision_ends: &[u64],
    context: &Context<'_>,
) -> Signature {
    let options = context.options;
    let mut checks = Checks::default();
    let signing_time = found
        .time
        .as_deref()
        .and_then(pdf::signature::parse_pdf_date);
    let mut result = Signature {
        signing_time,
        ..Signature::blank(found.field.clone(), options.time)
    };

    let ranges = check_byte_range(file, found, revision_ends, &mut checks, &mut result);
    if let Some(ranges) = ranges.filter(|_| !checks.stopped()) {
        match found.kind {
            pdf::signature::Kind::Signature => {
                check_cms(file, found, ranges, context, &mut checks, &mut result)
            }
            pdf::signature::Kind::DocumentTimestamp => {
                check_document_timestamp(file, found, ranges, context, &mut checks, &mut result)
            }
        }
    }

    result.indication = checks
        .failure
        .map_or(Indication::TotalPassed, SubIndication::indication);
    result.subindication = checks.failure;
    result.checks = checks.list;
    result.messages.extend(checks.messages);
    result
}

/// Findings named after the attacks of Mladenov et al. (NDSS 2019).
const USF: &str = "UNIVERSAL_SIGNATURE_FORGERY";
const WRAPPING: &str = "SIGNATURE_WRAPPING";

fn named(result: &mut Signature, id: &'static str, detail: &str) {
    result.findings.push(report::Finding {
        id,
        detail: detail.to_owned(),
    });
}

/// EN 319 142-1 §5.1: `/ByteRange` starts at 0, has exactly one gap, the gap is the `/Contents`
/// hex string of this very signature dictionary, and the signed part ends a revision.
fn check_byte_range<R: Read + Seek>(
    file: &mut pdf::File<R>,
    found: &Found,
    revision_ends: &[u64],
    checks: &mut Checks,
    result: &mut Signature,
) -> Option<[(u64, u64); 2]> {
    let id = "byte-range";
    if let Some(sub_filter) = &found.sub_filter
        && found.kind == pdf::signature::Kind::Signature
        && !SUPPORTED_SUB_FILTERS.contains(&sub_filter.as_str())
    {
        checks.fail(
            "sub-filter",
            SubIndication::FormatFailure,
            format!("unsupported /SubFilter {sub_filter}"),
        );
        return None;
    }
    let range: Vec<u64> = found
        .byte_range
        .iter()
        .filter_map(|n| u64::try_from(*n).ok())
        .collect();
    let [start, first_len, second_start, second_len] = range[..] else {
        named(result, USF, "/ByteRange is missing or malformed");
        checks.fail(
            id,
            SubIndication::FormatFailure,
            format!(
                "/ByteRange must have four non-negative numbers, found {:?}",
                found.byte_range
            ),
        );
        return None;
    };
    let end = second_start.checked_add(second_len);
    if start != 0 || first_len >= second_start || end.is_none_or(|e| e > file.len()) {
        // Ranges past the end are a truncated or shortened file, not a wrapping.
        if end.is_some_and(|e| e <= file.len()) {
            named(result, WRAPPING, "the byte ranges do not surround one gap");
        }
        checks.fail(
            id,
            SubIndication::FormatFailure,
            format!(
                "/ByteRange {range:?} does not describe two ranges around one gap inside the file"
            ),
        );
        return None;
    }
    let end = end.unwrap_or_default();
    let gap_len = second_start - first_len;
    let gap = usize::try_from(gap_len)
        .ok()
        .filter(|&len| len <= 2 * MAX_CONTENTS + 2)
        .and_then(|len| file.read_at(first_len, len).ok());
    let expected_hex = gap.as_deref().and_then(decode_hex_gap);
    match expected_hex {
        Some(bytes) if bytes == found.contents => {}
        Some(_) => {
            named(
                result,
                WRAPPING,
                "the signed gap holds other bytes than /Contents",
            );
            checks.fail(
                id,
                SubIndication::FormatFailure,
                "the gap in /ByteRange is not this signature's /Contents",
            );
            return None;
        }
        None => {
            named(
                result,
                WRAPPING,
                "the gap is not exactly the /Contents string",
            );
            checks.fail(
                id,
                SubIndication::FormatFailure,
                "the gap in /ByteRange is not exactly one hex string",
            );
            return None;
        }
    }
    if let Some((span_start, span_end)) = found.span {
        // The gap must lie inside this signature dictionary, so no other bytes escape signing.
        if !(span_start < first_len && second_start <= span_end) {
            named(
                result,
                WRAPPING,
                "the gap lies outside this signature dictionary",
            );
            checks.fail(
                id,
                SubIndication::FormatFailure,
                "/Contents in the signed file is not the one of this signature dictionary",
            );
            return None;
        }
    }
    // Revision ends include the end-of-line after `%%EOF`; a signer may stop before it.
    let revision = revision_ends.iter().position(|&e| e >= end && e - end <= 2);
    let Some(revision) = revision else {
        named(result, WRAPPING, "the signed bytes do not end a revision");
        checks.fail(
            id,
            SubIndication::FormatFailure,
            format!("the signed bytes end at {end}, which is not the end of a revision"),
        );
        return None;
    };
    result.revision = Some(revision + 1);
    result.covers_whole_document = end == file.len();
    if !result.covers_whole_document {
        let later = revision_ends.len() - revision - 1;
        result.modifications.push(report::Modification::new(
            report::Judgement::Note,
            format!("{later} later revision(s) added after this signature"),
        ));
    }
    checks.pass(
        id,
        format!(
            "[{start} {first_len} {second_start} {second_len}], revision {}",
            revision + 1
        ),
    );
    Some([(start, first_len), (second_start, second_len)])
}

fn decode_hex_gap(gap: &[u8]) -> Option<Vec<u8>> {
    let inner = gap.strip_prefix(b"<")?.strip_suffix(b">")?;
    let mut out = Vec::with_capacity(inner.len() / 2);
    let mut high = None;
    for byte in inner {
        if byte.is_ascii_whitespace() {
            continue;
        }
        let value = match byte {
            b'0'..=b'9' => byte - b'0',
            b'a'..=b'f' => byte - b'a' + 10,
            b'A'..=b'F' => byte - b'A' + 10,
            _ => return None,
        };
        match high.take() {
            Some(h) => out.push(h << 4 | value),
            None => high = Some(value),
        }
    }
    if let Some(h) = high {
        out.push(h << 4);
    }
    Some(out)
}

/// The PAdES signature proper: its CMS, time-stamps, certificate path and algorithms.
fn check_cms<R: Read + Seek>(
    file: &mut pdf::File<R>,
    found: &Found,
    ranges: [(u64, u64); 2],
    context: &Context<'_>,
    checks: &mut Checks,
    result: &mut Signature,
) {
    let (options, embedded, proof) = (context.options, context.embedded, context.proof);
    let pades = found.sub_filter.as_deref() == Some("ETSI.CAdES.detached");
    let profile = cms::Profile {
        binding_required: pades,
        name: "PAdES",
        content: "the byte ranges",
    };
    let Some((parsed, signer)) = cms::identify(&found.contents, profile, checks, result) else {
        if found.contents.iter().all(|b| *b == 0) {
            named(result, USF, "/Contents is empty");
        }
        return;
    };
    // Revocation data the signer put into the CMS counts as much as the /DSS.
    let extended;
    let embedded = if parsed.revocation.is_empty() && signer.view.revocation.is_empty() {
        embedded
    } else {
        extended = embedded.with(&[&parsed.revocation, &signer.view.revocation]);
        &extended
    };
    if pades && signer.signing_time().is_some() {
        result
            .messages
            .push("the CMS carries a signing-time attribute, which PAdES baseline forbids".into());
    }
    let out_of_budget = |file: &mut pdf::File<R>| file.budget().check().is_err();
    let content_digest = |digest| {
        hash_ranges(file, context, digest, ranges).map_err(|error| {
            if out_of_budget(file) {
                cms::Unhashed::Budget(error)
            } else {
                cms::Unhashed::Unreadable(error)
            }
        })
    };
    let Some(verified) = signer.verify(content_digest, profile, checks, result) else {
        return;
    };

    // RFC 3161 signature time-stamps over the signature value make B-T; a valid one proves the
    // signature existed at its time, which then is the best-signature-time.
    let checked = timestamps::check_signature_timestamps(&signer.view, options, embedded);
    let timestamp_tokens = checked.len();
    let proven = checked
        .iter()
        .filter_map(timestamps::Checked::proven_time)
        .chain(proof)
        .min();
    for timestamp in &checked {
        let passed = timestamp.report.indication == Indication::TotalPassed;
        checks.note(
            "signature-timestamp",
            passed,
            timestamp.report.detail.clone(),
        );
    }
    result
        .timestamps
        .extend(checked.into_iter().map(|c| c.report));
    if let Some(time) = proven {
        result.best_signature_time = time;
    }
    result.level = Some(match (pades, timestamp_tokens > 0) {
        (true, false) => Profile::PadesB,
        (true, true) => Profile::PadesT,
        (false, false) => Profile::Pkcs7B,
        (false, true) => Profile::Pkcs7T,
    });
    let by_document = proven.is_some() && proven == proof;
    let path = chain::check(
        &signer.certificate,
        &embedded.candidates(&parsed.certificates),
        options,
        embedded,
        (proven, by_document),
        checks,
        result,
    );
    // Signature acceptance (§5.2.8) comes after the certificate checks (§5.2.6), whose
    // result takes precedence.
    acceptance::check(
        &options.crypto,
        verified.digest.name(),
        &signer.certificate,
        &path,
        options,
        (result.best_signature_time, proven.is_some()),
        checks,
    );
}

/// A document time-stamp (ETSI EN 319 142-1 §5.4): a bare RFC 3161 token over the byte ranges.
fn check_document_timestamp<R: Read + Seek>(
    file: &mut pdf::File<R>,
    found: &Found,
    ranges: [(u64, u64); 2],
    context: &Context<'_>,
    checks: &mut Checks,
    result: &mut Signature,
) {
    let mut checked = timestamps::check(
        TimestampKind::Document,
        &found.contents,
        |digest| hash_ranges(file, context, digest, ranges),
        context.options,
        context.embedded,
    );
    // Running out of time while hashing proves nothing about the document.
    if file.budget().check().is_err()
        && checked.report.subindication == Some(SubIndication::FormatFailure)
    {
        checked.report.subindication = Some(SubIndication::SigConstraintsFailure);
        checked.report.indication = Indication::Indeterminate;
    }
    result.level = Some(Profile::DocumentTimestamp);
    if let Some(token) = &checked.token {
        result.signing_time = Some(token.time);
        result.best_signature_time = token.time;
        if let Some(tsa) = &token.tsa {
            cms::describe_signer(tsa, result);
            result.kind = None;
            result.qualification = None;
        }
    }
    match checked.report.subindication {
        None => checks.pass("document-timestamp", checked.report.detail.clone()),
        Some(sub) => checks.fail("document-timestamp", sub, checked.report.detail.clone()),
    }
    result.timestamps.push(checked.report);
}

fn hash_ranges<R: Read + Seek>(
    file: &mut pdf::File<R>,
    context: &Context<'_>,
    digest: Digest,
    ranges: [(u64, u64); 2],
) -> Result<Vec<u8>, String> {
    context
        .digests
        .borrow_mut()
        .of(file, digest, ranges)
        .map_err(|e| e.to_string())
}
