//! Validation of CAdES signatures (ETSI EN 319 122-1) in `.p7s`, `.p7m` and `.pkcs7` files: every
//! SignerInfo and counter-signature (RFC 5652 §11.4) through the building blocks of EN 319
//! 102-1 §5.3 shared with PAdES (`validate::cms`, `chain`, `timestamps`, `acceptance`); here
//! only the CAdES rules: the content, unambiguous signed attributes, time-stamps that belong to
//! this signature, and archive-time-stamp-v3 coverage (§5.5.3).

use std::collections::HashMap;
use std::path::Path;

use ::cms::signed_data::SignerInfo;
use chrono::{DateTime, Utc};

use super::checks::Checks;
use super::report::{self, Finding, Indication, Profile, Signature, SubIndication, TimestampKind};
use super::{Error, Options, acceptance, chain, cms, revocation, timestamps};
use crate::algorithm::{self, Digest};
use crate::cades::{self, archive};
use crate::cms as cms_format;

/// The largest signature file read: an enveloping `.p7m` holds its content in memory, as
/// `sign::cades` writes at most 256 MiB into one.
pub const MAX_SIGNATURE_FILE: u64 = 272 * 1024 * 1024;

/// Validates the CAdES signature file at `path`; a detached one signs `content` (default: the
/// same name without its extension, beside it).
pub(crate) fn validate(
    path: &Path,
    content: Option<&Path>,
    options: &Options,
) -> Result<report::Report, Error> {
    let name = path.display().to_string();
    let unreadable = |message: String| Error::Unreadable {
        path: name.clone(),
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| unreadable(e.to_string()))?
        .len();
    if size > MAX_SIGNATURE_FILE {
        return Err(unreadable(format!(
            "larger than {MAX_SIGNATURE_FILE} bytes, the most a signature file may be"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
    let sha256 = crate::certificate::hex_upper(&Digest::Sha256.hash(&bytes));
    let checked = check_file(
        &bytes,
        "",
        |digests, messages| detached(path, content, digests, messages),
        options,
    )
    .map_err(unreadable)?;
    let contents = signed_content(path, content, checked.enveloped, &checked.signatures);
    let mut report = report(
        name.clone(),
        sha256,
        size,
        checked.signatures,
        checked.messages,
        options,
    );
    report.contents = contents.into_iter().collect();
    Ok(report)
}

/// The file a `.p7s`/`.p7m` at `path` signs, for people to see: the enveloped content (named
/// as `extract` would write it) or the detached file, with the intact signatures over it.
fn signed_content(
    path: &Path,
    content: Option<&Path>,
    enveloped: Option<u64>,
    signatures: &[Signature],
) -> Option<report::SignedContent> {
    let signed_by = signatures
        .iter()
        .filter(|s| s.is_intact())
        .map(|s| s.field.clone())
        .collect();
    let (name, size) = match enveloped {
        Some(length) => (
            cades::content_name(path).to_string_lossy().into_owned(),
            Some(length),
        ),
        None => {
            let detached = content
                .map(Path::to_path_buf)
                .or_else(|| cades::detached_content(path))?;
            let size = std::fs::metadata(&detached).ok().map(|m| m.len());
            (detached.display().to_string(), size)
        }
    };
    Some(report::SignedContent {
        name,
        size,
        signed_by,
    })
}

/// The report over `signatures`: the worst indication decides, none is INDETERMINATE.
pub(crate) fn report(
    file: String,
    sha256: String,
    size: u64,
    signatures: Vec<Signature>,
    mut messages: Vec<String>,
    options: &Options,
) -> report::Report {
    let indication = if signatures.is_empty() {
        messages.push("the file carries no signature".to_owned());
        Indication::Indeterminate
    } else {
        signatures
            .iter()
            .map(|s| s.indication)
            .max()
            .unwrap_or(Indication::Indeterminate)
    };
    report::Report {
        file,
        sha256,
        size,
        validation_time: options.time,
        signatures,
        document_timestamps: Vec::new(),
        indication,
        revisions: 1,
        policy: super::policy(options),
        messages,
        contents: Vec::new(),
    }
}

/// Validates every signature of the CMS `bytes`; `detached` hashes the content of a detached
/// one with the digests asked for. Field names start with `prefix`. `Err` when the bytes are
/// not a SignedData.
pub(crate) fn check_file(
    bytes: &[u8],
    prefix: &str,
    detached: impl FnOnce(&[Digest], &mut Vec<String>) -> Result<Content, String>,
    options: &Options,
) -> Result<Checked, String> {
    let parsed = cms_format::Parsed::from_der(bytes).map_err(|e| e.to_string())?;
    // The SignedData as encoded, for what archive time-stamps hash; `None` when some part is
    // not DER (then archive time-stamps cannot be confirmed).
    let raw = cades::SignedData::from_der(bytes).ok();
    let mut messages = Vec::new();

    let econtent = match &parsed.signed_data.encap_content_info.econtent {
        None => None,
        Some(any) => Some(
            any.decode_as::<der::asn1::OctetString>()
                .map_err(|e| format!("eContent: {e}"))?
                .into_bytes()
                .into_vec(),
        ),
    };
    // SHA-256 for the report; archive time-stamps use their signer's algorithm in practice.
    let mut digests = vec![Digest::Sha256];
    for signer in parsed.signer_infos() {
        // Content time-stamps hash the content with their own algorithm.
        let stamped = cades::signed_values(signer, cades::ID_CONTENT_TIME_STAMP)
            .into_iter()
            .filter_map(|der| crate::timestamp::inspect(&der).ok())
            .map(|token| token.digest);
        for d in cades::digest_of(signer).into_iter().chain(stamped) {
            if !digests.contains(&d) {
                digests.push(d);
            }
        }
    }
    let enveloped = econtent.as_ref().map(|bytes| bytes.len() as u64);
    let content = match econtent {
        Some(bytes) => {
            messages.push(format!(
                "enveloped content of {} bytes (SHA-256 {})",
                bytes.len(),
                crate::certificate::hex_upper(&Digest::Sha256.hash(&bytes))
            ));
            Ok(Content::of_bytes(&bytes, &digests))
        }
        None => detached(&digests, &mut messages),
    };

    let embedded = revocation::Embedded {
        certificates: Vec::new(),
        ocsps: parsed.revocation.ocsps.clone(),
        crls: parsed.revocation.crls.clone(),
    };
    let context = Context {
        options,
        certificates: &parsed.certificates,
        embedded: &embedded,
        content_type: parsed.signed_data.encap_content_info.econtent_type,
        content: &content,
        raw: raw.as_ref(),
        tokens: token_counts(parsed.signer_infos()),
    };
    let mut signatures = Vec::new();
    let total = parsed.signer_infos().len();
    for (index, signer_info) in parsed.signer_infos().iter().enumerate() {
        if signatures.len() >= cades::MAX_SIGNERS {
            messages.push(format!(
                "more than {} signatures: the rest were not validated",
                cades::MAX_SIGNERS
            ));
            break;
        }
        let field = format!("{prefix}signature {} of {total}", index + 1);
        let target = Target::Content {
            raw: raw.as_ref().and_then(|r| r.signer_infos.get(index)),
        };
        signatures.push(check_signer(signer_info, &field, target, &context));
        counter_signatures(signer_info, &field, 1, &context, &mut signatures);
    }
    Ok(Checked {
        signatures,
        messages,
        enveloped,
    })
}

/// What [`check_file`] found.
pub(crate) struct Checked {
    pub(crate) signatures: Vec<Signature>,
    pub(crate) messages: Vec<String>,
    /// The length of the enveloped content; `None` for a detached signature.
    pub(crate) enveloped: Option<u64>,
}

/// The digests of the signed content, by algorithm.
pub(crate) struct Content {
    pub(crate) digests: Vec<(Digest, Vec<u8>)>,
}

impl Content {
    pub(crate) fn of_bytes(bytes: &[u8], digests: &[Digest]) -> Self {
        Self {
            digests: digests.iter().map(|d| (*d, d.hash(bytes))).collect(),
        }
    }

    fn of(&self, digest: Digest) -> Option<&[u8]> {
        self.digests
            .iter()
            .find(|(d, _)| *d == digest)
            .map(|(_, h)| h.as_slice())
    }
}

/// The detached content, hashed in one streaming pass with every digest needed.
fn detached(
    signature: &Path,
    content: Option<&Path>,
    digests: &[Digest],
    messages: &mut Vec<String>,
) -> Result<Content, String> {
    let path = content
        .map(Path::to_path_buf)
        .or_else(|| cades::detached_content(signature))
        .ok_or_else(|| {
            "the signature is detached and its content was not found beside it".to_owned()
        })?;
    let file = std::fs::File::open(&path)
        .map_err(|e| format!("cannot read the content {}: {e}", path.display()))?;
    let (values, length) = algorithm::hash_reader(file, digests, |_| Ok(()))
        .map_err(|e| format!("cannot read the content {}: {e}", path.display()))?;
    messages.push(format!(
        "detached content {} of {length} bytes",
        path.display()
    ));
    Ok(Content {
        digests: digests.iter().copied().zip(values).collect(),
    })
}

/// What every signature of the file is validated against.
struct Context<'a> {
    options: &'a Options,
    certificates: &'a [crate::certificate::Certificate],
    embedded: &'a revocation::Embedded,
    content_type: const_oid::ObjectIdentifier,
    content: &'a Result<Content, String>,
    raw: Option<&'a cades::SignedData>,
    /// How often each time-stamp token occurs anywhere in the file.
    tokens: HashMap<Vec<u8>, usize>,
}

/// What a SignerInfo signs.
enum Target<'a> {
    /// The content; `raw` is the SignerInfo as encoded in the file, for archive time-stamps.
    Content { raw: Option<&'a SignerInfo> },
    /// The signature value of the SignerInfo it counter-signs.
    Counter { signature: &'a [u8] },
}

fn counter_signatures(
    parent: &SignerInfo,
    parent_field: &str,
    depth: usize,
    context: &Context<'_>,
    signatures: &mut Vec<Signature>,
) {
    let (counters, unreadable) = cades::counter_signatures(parent);
    if unreadable > 0 {
        let mut result = blank(
            format!("{parent_field}, counter-signature (unreadable)"),
            context.options.time,
        );
        let mut checks = Checks::default();
        checks.fail(
            "cms",
            SubIndication::FormatFailure,
            format!("{unreadable} counter-signature(s) are not readable SignerInfos"),
        );
        finish(&mut result, checks);
        signatures.push(result);
    }
    if counters.is_empty() {
        return;
    }
    if depth > cades::MAX_COUNTER_DEPTH {
        let mut result = blank(
            format!("{parent_field}, counter-signature"),
            context.options.time,
        );
        let mut checks = Checks::default();
        checks.fail(
            "cms",
            SubIndication::FormatFailure,
            format!(
                "counter-signatures nested deeper than {}",
                cades::MAX_COUNTER_DEPTH
            ),
        );
        finish(&mut result, checks);
        signatures.push(result);
        return;
    }
    let signature = parent.signature.as_bytes();
    for (index, counter) in counters.iter().enumerate() {
        if signatures.len() >= cades::MAX_SIGNERS {
            return;
        }
        let field = format!("{parent_field}, counter-signature {}", index + 1);
        let mut checked = check_signer(counter, &field, Target::Counter { signature }, context);
        checked.counter_signs = Some(parent_field.to_owned());
        signatures.push(checked);
        counter_signatures(counter, &field, depth + 1, context, signatures);
    }
}

/// An empty result for the signature `field`, at validation `time`: a CAdES signature covers
/// its whole content, in its one and only revision.
pub(crate) fn blank(field: String, time: DateTime<Utc>) -> Signature {
    Signature {
        revision: Some(1),
        covers_whole_document: true,
        ..Signature::blank(field, time)
    }
}

fn finish(result: &mut Signature, checks: Checks) {
    result.indication = checks
        .failure
        .map_or(Indication::TotalPassed, SubIndication::indication);
    result.subindication = checks.failure;
    result.checks = checks.list;
    result.messages.extend(checks.messages);
}

fn finding(result: &mut Signature, id: &'static str, detail: impl Into<String>) {
    let detail = detail.into();
    if !result
        .findings
        .iter()
        .any(|f| f.id == id && f.detail == detail)
    {
        result.findings.push(Finding { id, detail });
    }
}

/// Content time-stamps (EN 319 122-1 §5.2.8): signed, over the content, and made before the
/// signature's own time-stamps. They prove the content existed then, not the signature, so
/// they never move the best signature time.
fn content_timestamps(
    signer_info: &SignerInfo,
    signature_timestamps: &[timestamps::Checked],
    context: &Context<'_>,
    checks: &mut Checks,
    result: &mut Signature,
) {
    let earliest_signature_stamp = signature_timestamps
        .iter()
        .filter_map(|c| c.token.as_ref().map(|t| t.time))
        .min();
    for der in cades::signed_values(signer_info, cades::ID_CONTENT_TIME_STAMP) {
        let checked = timestamps::check(
            TimestampKind::Content,
            &der,
            |digest| match context.content {
                Ok(content) => content
                    .of(digest)
                    .map(<[u8]>::to_vec)
                    .ok_or_else(|| format!("the content was not hashed with {}", digest.name())),
                Err(reason) => Err(reason.clone()),
            },
            context.options,
            context.embedded,
        );
        let time = checked.token.as_ref().map(|t| t.time);
        if checked.report.subindication == Some(SubIndication::HashFailure) {
            finding(
                result,
                "CONTENT_TIMESTAMP_NOT_COVERING",
                "the content time-stamp is over other content",
            );
            checks.fail(
                "content-timestamp",
                SubIndication::SigConstraintsFailure,
                "a content time-stamp does not cover the signed content",
            );
        } else if let (Some(time), Some(later)) = (time, earliest_signature_stamp)
            && time > later
        {
            finding(
                result,
                "TIMESTAMP_ORDER",
                "the content time-stamp is later than the signature time-stamp",
            );
            checks.fail(
                "content-timestamp",
                SubIndication::SigConstraintsFailure,
                format!("the content time-stamp ({time}) is later than the signature time-stamp ({later})"),
            );
        } else {
            checks.note(
                "content-timestamp",
                checked.report.indication == Indication::TotalPassed,
                checked.report.detail.clone(),
            );
        }
        result.timestamps.push(checked.report);
    }
}

const PROFILE: cms::Profile = cms::Profile {
    binding_required: true,
    name: "CAdES",
    content: "the signed content",
};

const COUNTER_PROFILE: cms::Profile = cms::Profile {
    binding_required: true,
    name: "CAdES",
    content: "the counter-signed signature value",
};

/// One SignerInfo through the building blocks.
fn check_signer(
    signer_info: &SignerInfo,
    field: &str,
    target: Target<'_>,
    context: &Context<'_>,
) -> Signature {
    let options = context.options;
    let mut checks = Checks::default();
    let mut result = blank(field.to_owned(), options.time);
    checks.pass("cms", "CMS SignedData");

    // Ambiguity first: readers pick different instances of a repeated attribute, so what was
    // signed cannot be said.
    let repeated = cades::repeated_signed_attributes(signer_info);
    for oid in &repeated {
        let name = cades::attribute_name(*oid);
        if *oid == cms_format::ID_SIGNING_TIME {
            finding(
                &mut result,
                "DOUBLE_SIGNING_TIME",
                "the signed attributes claim more than one signing time",
            );
        } else {
            finding(
                &mut result,
                "DUPLICATED_SIGNED_ATTRIBUTE",
                format!("the signed attribute {name} appears more than once"),
            );
        }
    }
    if !repeated.is_empty() {
        let names: Vec<String> = repeated.iter().map(|o| cades::attribute_name(*o)).collect();
        checks.fail(
            "signed-attributes",
            SubIndication::FormatFailure,
            format!(
                "signed attributes that must appear once are repeated: {}",
                names.join(", ")
            ),
        );
        finish(&mut result, checks);
        return result;
    }
    let Some(signer) =
        cms::identify_signer(signer_info, context.certificates, &mut checks, &mut result)
    else {
        finish(&mut result, checks);
        return result;
    };
    result.signing_time = signer.signing_time();

    // RFC 5652 §11.1: the content-type attribute names the eContentType; a counter-signature
    // has none (§11.4).
    let content_type = cades::content_type_attribute(signer_info);
    match (&target, content_type) {
        (Target::Content { .. }, Some(claimed)) if claimed == context.content_type => {
            checks.pass(
                "content-type",
                "the content-type attribute names the content",
            );
        }
        (Target::Content { .. }, _) => checks.fail(
            "content-type",
            SubIndication::FormatFailure,
            "the content-type attribute is missing or names another content type",
        ),
        (Target::Counter { .. }, None)
            if !cades::has_signed(signer_info, cms_format::ID_CONTENT_TYPE) =>
        {
            checks.pass(
                "content-type",
                "no content-type attribute, as for a counter-signature",
            );
        }
        (Target::Counter { .. }, _) => checks.fail(
            "content-type",
            SubIndication::FormatFailure,
            "a counter-signature carries a content-type attribute (RFC 5652 §11.4)",
        ),
    }
    if checks.stopped() {
        finish(&mut result, checks);
        return result;
    }
    if let (Target::Content { .. }, Err(reason)) = (&target, context.content) {
        checks.fail(
            "message-digest",
            SubIndication::SignedDataNotFound,
            reason.clone(),
        );
        finish(&mut result, checks);
        return result;
    }
    if let Some(reference) = &signer.view.signing_certificate
        && !reference.matches(&signer.certificate)
    {
        finding(
            &mut result,
            "SIGNING_CERTIFICATE_MISMATCH",
            "the signing-certificate attribute names another certificate than the one that signed",
        );
    }
    let (profile, digest_of) = match &target {
        Target::Content { .. } => (PROFILE, None),
        Target::Counter { signature } => (COUNTER_PROFILE, Some(*signature)),
    };
    let content_digest = |digest: Digest| match digest_of {
        Some(signature) => Ok(digest.hash(signature)),
        None => match context.content {
            Ok(content) => content
                .of(digest)
                .map(<[u8]>::to_vec)
                .ok_or_else(|| cms::Unhashed::Unreadable(format!("no {} digest", digest.name()))),
            Err(reason) => Err(cms::Unhashed::Unreadable(reason.clone())),
        },
    };
    let verified = signer.verify(content_digest, profile, &mut checks, &mut result);
    let Some(verified) = verified else {
        if checks.failure == Some(SubIndication::HashFailure) {
            finding(
                &mut result,
                "CONTENT_CHANGED",
                "the content is not what was signed",
            );
        }
        if checks.failure == Some(SubIndication::SigCryptoFailure) {
            finding(
                &mut result,
                "SIGNATURE_VALUE_CHANGED",
                "the signature value does not verify over the signed attributes",
            );
        }
        finish(&mut result, checks);
        return result;
    };

    // Signature time-stamps (B-T): each must be over this signature's value and occur once.
    let checked = timestamps::check_signature_timestamps(&signer.view, options, context.embedded);
    for (der, timestamp) in signer.view.signature_timestamps.iter().zip(&checked) {
        if timestamp.report.subindication == Some(SubIndication::HashFailure) {
            finding(
                &mut result,
                "TIMESTAMP_OF_ANOTHER_SIGNATURE",
                "a signature time-stamp is over another signature value (copied from elsewhere)",
            );
            checks.fail(
                "signature-timestamp",
                SubIndication::SigConstraintsFailure,
                "a signature time-stamp does not cover this signature: it proves nothing and was put here by someone",
            );
        } else if context.tokens.get(der).copied().unwrap_or(0) > 1 {
            finding(
                &mut result,
                "DUPLICATED_TIMESTAMP",
                "the same time-stamp token occurs more than once in the file",
            );
            checks.fail(
                "signature-timestamp",
                SubIndication::SigConstraintsFailure,
                "a time-stamp token occurs more than once in the file",
            );
        } else {
            checks.note(
                "signature-timestamp",
                timestamp.report.indication == Indication::TotalPassed,
                timestamp.report.detail.clone(),
            );
        }
    }
    if let Target::Content { .. } = &target {
        content_timestamps(signer_info, &checked, context, &mut checks, &mut result);
    }
    let stamped = !checked.is_empty();
    let proven = checked
        .iter()
        .filter_map(timestamps::Checked::proven_time)
        .min();
    result
        .timestamps
        .extend(checked.into_iter().map(|c| c.report));

    // Archive time-stamps (B-LTA).
    let mut archived = false;
    if let Target::Content { raw } = &target {
        for der in cades::unsigned_values(signer_info, cades::ID_ARCHIVE_TIME_STAMP_V3) {
            let checked = check_archive(&der, *raw, context, &mut checks, &mut result);
            archived |= checked.report.indication == Indication::TotalPassed;
            result.timestamps.push(checked.report);
        }
    }
    if let Some(time) = proven {
        result.best_signature_time = time;
    }
    let validation_data = !context.embedded.ocsps.is_empty() || !context.embedded.crls.is_empty();
    result.level = Some(match (stamped, validation_data, archived) {
        (false, _, _) => Profile::CadesB,
        (true, false, _) => Profile::CadesT,
        (true, true, false) => Profile::CadesLt,
        (true, true, true) => Profile::CadesLta,
    });
    let path = chain::check(
        &signer.certificate,
        &context.embedded.candidates(context.certificates),
        options,
        context.embedded,
        (proven, false),
        &mut checks,
        &mut result,
    );
    acceptance::check(
        &options.crypto,
        verified.digest.name(),
        &signer.certificate,
        &path,
        options,
        (result.best_signature_time, proven.is_some()),
        &mut checks,
    );
    finish(&mut result, checks);
    result
}

/// An archive-time-stamp-v3: its imprint over the content, this SignerInfo and its
/// ats-hash-index-v3, and every entry of that index still in the file (EN 319 122-1 §5.5.3).
fn check_archive(
    der: &[u8],
    raw: Option<&SignerInfo>,
    context: &Context<'_>,
    checks: &mut Checks,
    result: &mut Signature,
) -> timestamps::Checked {
    let index = archive_index(der);
    let (signed, signer) = match (context.raw, raw) {
        (Some(signed), Some(signer)) => (signed, signer),
        _ => {
            let reason = "the SignedData is not DER-encoded, so what the archive time-stamp covers cannot be recomputed";
            return archive_failure(der, reason, checks, context);
        }
    };
    let (index, index_der) = match index {
        Ok(index) => index,
        Err(reason) => {
            finding(result, "ARCHIVE_TIMESTAMP_NOT_COVERING", reason.clone());
            return archive_failure(der, &reason, checks, context);
        }
    };
    let now = archive::HashIndex::of(signed, signer, index.digest);
    let missing = match &now {
        Ok(now) => index.missing_from(now),
        Err(_) => vec!["what it lists"],
    };
    let expected = |digest: Digest| -> Result<Vec<u8>, String> {
        let content = match context.content {
            Ok(content) => content
                .of(digest)
                .ok_or_else(|| format!("the content was not hashed with {}", digest.name()))?,
            Err(reason) => return Err(reason.clone()),
        };
        let input = archive::imprint_input(context.content_type, content, signer, &index_der)
            .map_err(|e| e.to_string())?;
        Ok(digest.hash(&input))
    };
    let checked = timestamps::check(
        TimestampKind::Archive,
        der,
        expected,
        context.options,
        context.embedded,
    );
    if checked.report.subindication == Some(SubIndication::HashFailure) {
        finding(
            result,
            "ARCHIVE_TIMESTAMP_NOT_COVERING",
            "the archive time-stamp's imprint is not over this signature, its content and its index",
        );
        checks.fail(
            "archive-timestamp",
            SubIndication::SigConstraintsFailure,
            "an archive time-stamp does not cover this signature",
        );
    } else if !missing.is_empty() {
        let detail = format!(
            "the archive time-stamp covers {} that the file no longer holds",
            missing.join(" and ")
        );
        finding(result, "ARCHIVE_TIMESTAMP_NOT_COVERING", detail.clone());
        checks.fail(
            "archive-timestamp",
            SubIndication::SigConstraintsFailure,
            detail,
        );
    } else {
        checks.note(
            "archive-timestamp",
            checked.report.indication == Indication::TotalPassed,
            checked.report.detail.clone(),
        );
    }
    checked
}

/// The ats-hash-index-v3 an archive time-stamp token carries, decoded and as encoded.
fn archive_index(der: &[u8]) -> Result<(archive::HashIndex, Vec<u8>), String> {
    let token = cades::SignedData::from_der(der)
        .map_err(|e| format!("the archive time-stamp token is not readable: {e}"))?;
    let [signer] = token.signer_infos.as_slice() else {
        return Err("the archive time-stamp token does not have one signer".into());
    };
    let values = cades::unsigned_values(signer, cades::ID_ATS_HASH_INDEX_V3);
    let [index_der] = values.as_slice() else {
        return Err(format!(
            "the archive time-stamp carries {} ats-hash-index-v3 attributes instead of one",
            values.len()
        ));
    };
    let index = archive::HashIndex::from_der(index_der).map_err(|e| e.to_string())?;
    Ok((index, index_der.clone()))
}

fn archive_failure(
    der: &[u8],
    reason: &str,
    checks: &mut Checks,
    context: &Context<'_>,
) -> timestamps::Checked {
    checks.fail(
        "archive-timestamp",
        SubIndication::SigConstraintsFailure,
        reason.to_owned(),
    );
    let mut checked = timestamps::check(
        TimestampKind::Archive,
        der,
        |_| Err(reason.to_owned()),
        context.options,
        context.embedded,
    );
    checked.report.indication = Indication::Indeterminate;
    checked.report.subindication = Some(SubIndication::SigConstraintsFailure);
    checked
}

/// How often each signature time-stamp token occurs among all signers and counter-signers.
fn token_counts(signers: &[SignerInfo]) -> HashMap<Vec<u8>, usize> {
    let mut counts = HashMap::new();
    let mut pending: Vec<(SignerInfo, usize)> = signers.iter().map(|s| (s.clone(), 0)).collect();
    let mut seen = 0;
    while let Some((signer, depth)) = pending.pop() {
        seen += 1;
        if seen > cades::MAX_SIGNERS {
            break;
        }
        for token in cades::unsigned_values(&signer, cms_format::ID_SIGNATURE_TIME_STAMP) {
            *counts.entry(token).or_insert(0) += 1;
        }
        if depth < cades::MAX_COUNTER_DEPTH {
            pending.extend(
                cades::counter_signatures(&signer)
                    .0
                    .into_iter()
                    .map(|c| (c, depth + 1)),
            );
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_digests_are_found_by_algorithm() {
        let content = Content {
            digests: vec![(Digest::Sha256, vec![1]), (Digest::Sha512, vec![2])],
        };
        assert_eq!(content.of(Digest::Sha512), Some([2u8].as_slice()));
        assert_eq!(content.of(Digest::Sha384), None);
    }

    #[test]
    fn a_token_of_garbage_is_not_an_index() {
        assert!(archive_index(b"\x30\x00").is_err());
    }
}
