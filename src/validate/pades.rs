//! Basic validation of one PAdES signature (ETSI EN 319 102-1 §5.3; ETSI EN 319 142-1 §5.1 for
//! the PDF rules): byte range, CMS structure, message digest, signature value, signing
//! certificate binding, certification path and key usage.

use std::io::{Read, Seek};

use chrono::{DateTime, Utc};

use super::report::{
    ChainCertificate, Check, Indication, Signature, Signer, SubIndication, TimestampKind,
};
use super::{Options, chain, report, revocation, timestamps};
use crate::algorithm::{Digest, Verified};
use crate::certificate::Certificate;
use crate::cms;
use crate::pdf::{self, signature::Found};

const SUPPORTED_SUB_FILTERS: &[&str] = &["ETSI.CAdES.detached", "adbe.pkcs7.detached"];
/// Upper bound for `/Contents`: a signature with a long chain and embedded revocation data
/// fits easily; anything larger is treated as hostile.
const MAX_CONTENTS: usize = 4 * 1024 * 1024;

/// Records checks and remembers the first failure, which decides the verdict: checks run from
/// the most fundamental (format) to the most specific, so the first failure is the one to
/// report.
struct Checks {
    list: Vec<Check>,
    failure: Option<SubIndication>,
    messages: Vec<String>,
}

impl Checks {
    fn pass(&mut self, id: &'static str, detail: impl Into<String>) {
        self.list.push(Check {
            id,
            passed: true,
            detail: detail.into(),
        });
    }

    fn fail(&mut self, id: &'static str, sub: SubIndication, detail: impl Into<String>) {
        let detail = detail.into();
        if self.failure.is_none() {
            self.failure = Some(sub);
            self.messages.push(detail.clone());
        }
        self.list.push(Check {
            id,
            passed: false,
            detail,
        });
    }

    /// Records a check that informs but does not decide the verdict.
    fn note(&mut self, id: &'static str, passed: bool, detail: impl Into<String>) {
        self.list.push(Check {
            id,
            passed,
            detail: detail.into(),
        });
    }

    fn stopped(&self) -> bool {
        self.failure
            .is_some_and(|f| f.indication() == Indication::TotalFailed)
    }
}

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
    let mut checks = Checks {
        list: Vec::new(),
        failure: None,
        messages: Vec::new(),
    };
    let signing_time = found
        .time
        .as_deref()
        .and_then(pdf::signature::parse_pdf_date);
    let mut result = Signature {
        field: found.field.clone(),
        signer: None,
        kind: None,
        level: None,
        qualification: None,
        signing_time,
        best_signature_time: options.time,
        indication: Indication::Indeterminate,
        subindication: None,
        revision: None,
        covers_whole_document: false,
        modifications: Vec::new(),
        chain: Vec::new(),
        timestamps: Vec::new(),
        revocation: Vec::new(),
        algorithm: None,
        public_key: None,
        findings: Vec::new(),
        checks: Vec::new(),
        messages: Vec::new(),
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
        result.modifications.push(format!(
            "{later} later revision(s) added after this signature"
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

fn check_cms<R: Read + Seek>(
    file: &mut pdf::File<R>,
    found: &Found,
    ranges: [(u64, u64); 2],
    context: &Context<'_>,
    checks: &mut Checks,
    result: &mut Signature,
) {
    let (options, embedded, proof) = (context.options, context.embedded, context.proof);
    let parsed = match cms::Parsed::from_der(&found.contents) {
        Ok(parsed) => parsed,
        Err(error) => {
            if found.contents.iter().all(|b| *b == 0) {
                named(result, USF, "/Contents is empty");
            }
            checks.fail(
                "cms",
                SubIndication::FormatFailure,
                format!("the signature is not readable CMS: {error}"),
            );
            return;
        }
    };
    let [signer_info] = parsed.signer_infos() else {
        checks.fail(
            "cms",
            SubIndication::FormatFailure,
            format!(
                "PAdES requires exactly one SignerInfo, found {}",
                parsed.signer_infos().len()
            ),
        );
        return;
    };
    checks.pass("cms", "CMS SignedData with one SignerInfo");
    let view = cms::view(signer_info);
    // Revocation data the signer put into the CMS counts as much as the /DSS.
    let extended;
    let embedded = if parsed.revocation.is_empty() && view.revocation.is_empty() {
        embedded
    } else {
        extended = embedded.with(&[&parsed.revocation, &view.revocation]);
        &extended
    };
    if found.sub_filter.as_deref() == Some("ETSI.CAdES.detached") && view.signing_time.is_some() {
        result
            .messages
            .push("the CMS carries a signing-time attribute, which PAdES baseline forbids".into());
    }

    // Signing certificate first (EN 319 102-1 §5.2.3 before §5.2.7), so a protocol names
    // the signer even when the document was changed.
    let Some(certificate) =
        cms::Parsed::find_signer_certificate(signer_info, &parsed.certificates).cloned()
    else {
        checks.fail(
            "signing-certificate",
            SubIndication::NoSigningCertificateFound,
            "the signer's certificate is not in the signature",
        );
        return;
    };
    describe_signer(&certificate, result);

    // Message digest over the byte ranges.
    let Some(digest) = view.digest else {
        checks.fail(
            "digest-algorithm",
            SubIndication::CryptoConstraintsFailureNoPoe,
            format!("unsupported digest algorithm {}", view.digest_oid),
        );
        return;
    };
    let computed = hash_ranges(file, context, digest, ranges);
    let out_of_budget = file.budget().check().is_err();
    match (&view.message_digest, computed) {
        // Running out of time proves nothing about the document.
        (_, Err(error)) if out_of_budget => checks.fail(
            "message-digest",
            SubIndication::SigConstraintsFailure,
            format!("the signed bytes were not hashed: {error}"),
        ),
        (_, Err(error)) => checks.fail(
            "message-digest",
            SubIndication::FormatFailure,
            format!("cannot read the signed bytes: {error}"),
        ),
        (None, _) => checks.fail(
            "message-digest",
            SubIndication::FormatFailure,
            "the CMS has no message-digest attribute",
        ),
        (Some(claimed), Ok(actual)) if *claimed == actual => checks.pass(
            "message-digest",
            format!("{} over the byte ranges matches", digest.name()),
        ),
        (Some(_), Ok(_)) => checks.fail(
            "message-digest",
            SubIndication::HashFailure,
            "the document was changed after signing: its digest does not match the signature",
        ),
    }
    if checks.stopped() {
        return;
    }

    // Signature value.
    let (Some((scheme, scheme_digest)), Some(signed_attributes)) =
        (view.scheme, view.signed_attributes.as_ref())
    else {
        checks.fail(
            "signature-value",
            SubIndication::FormatFailure,
            "unsupported signature algorithm or no signed attributes",
        );
        return;
    };
    let signature_digest = scheme_digest.unwrap_or(digest);
    let verified = Verified {
        scheme,
        digest: signature_digest,
    };
    result.algorithm = Some(verified);
    match cms::verify_signature(
        &certificate.public_key(),
        scheme,
        signature_digest,
        signed_attributes,
        &view.signature,
    ) {
        Ok(true) => checks.pass(
            "signature-value",
            format!(
                "the signature value is correct ({verified}, verified with the signer's public key)"
            ),
        ),
        Ok(false) => checks.fail(
            "signature-value",
            SubIndication::SigCryptoFailure,
            "the signature value does not verify with the signer's public key",
        ),
        Err(error) => checks.fail(
            "signature-value",
            SubIndication::SigCryptoFailure,
            format!("the signature value cannot be checked: {error}"),
        ),
    }
    if checks.stopped() {
        return;
    }

    // Binding to the signing certificate (RFC 5035); required for PAdES baseline.
    match &view.signing_certificate {
        Some(reference) if reference.matches(&certificate) => checks.pass(
            "signing-certificate",
            if reference.v2 {
                "signing-certificate-v2 matches"
            } else {
                "signing-certificate (v1) matches"
            },
        ),
        Some(_) => checks.fail(
            "signing-certificate",
            SubIndication::NoSigningCertificateFound,
            "the signing-certificate attribute names a different certificate",
        ),
        None if found.sub_filter.as_deref() == Some("ETSI.CAdES.detached") => checks.fail(
            "signing-certificate",
            SubIndication::NoSigningCertificateFound,
            "no signing-certificate-v2 attribute (required by PAdES)",
        ),
        None => checks.pass(
            "signing-certificate",
            "no signing-certificate attribute (allowed for adbe.pkcs7.detached)",
        ),
    }
    // RFC 3161 signature time-stamps over the signature value make B-T; a valid one proves the
    // signature existed at its time, which then is the best-signature-time.
    let signature_value = view.signature.clone();
    let checked: Vec<timestamps::Checked> = view
        .signature_timestamps
        .iter()
        .map(|der| {
            timestamps::check(
                TimestampKind::Signature,
                der,
                |digest| Ok(digest.hash(&signature_value)),
                options,
                embedded,
            )
        })
        .collect();
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
    let pades = found.sub_filter.as_deref() == Some("ETSI.CAdES.detached");
    result.level = Some(
        match (pades, timestamp_tokens > 0) {
            (true, false) => "PAdES-BASELINE-B",
            (true, true) => "PAdES-BASELINE-T",
            (false, false) => "PKCS7-B",
            (false, true) => "PKCS7-T",
        }
        .into(),
    );

    // Certification path at the best-signature-time: the time a time-stamp proves (past
    // certificate validation, EN 319 102-1 §5.6.2.1), else the validation time. The claimed
    // signing time proves nothing.
    let at = result.best_signature_time;
    let path = chain::validate(
        &certificate,
        &embedded.candidates(&parsed.certificates),
        &options.trust,
        at,
        options.fetcher.as_deref(),
    );
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
    match path.failure {
        None => checks.pass(
            "chain",
            format!(
                "path of {} certificate(s) to a trust anchor, valid at {at}",
                path.certificates.len()
            ),
        ),
        Some((sub, text)) => checks.fail(
            "chain",
            sub,
            format!("no valid certificate path at {at}: {text}"),
        ),
    }
    if checks.failure.is_none() {
        check_revocation(
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
        Some(time) if proof == Some(time) => "proven by a document time-stamp",
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
    } // Signature acceptance (§5.2.8) comes after the certificate checks (§5.2.6), whose
    // result takes precedence.
    let crypto_time = best;
    check_crypto(
        &options.crypto,
        signature_digest.name(),
        &certificate,
        &path.certificates,
        options,
        (crypto_time, proven.is_some()),
        checks,
    );
}

/// EN 319 102-1 §5.2.8: the signature's digest and key, and the signatures on the certificates
/// of its path (but the trust anchors'), must have been reliable when they were made. A valid
/// time-stamp proves that time; without one it is the validation time, and a failure is
/// CRYPTO_CONSTRAINTS_FAILURE_NO_POE.
fn check_crypto(
    catalogue: &super::acceptance::Catalogue,
    digest: &str,
    signer: &Certificate,
    path: &[Certificate],
    options: &Options,
    (at, proven): (DateTime<Utc>, bool),
    checks: &mut Checks,
) {
    let sub = if proven {
        SubIndication::CryptoConstraintsFailure
    } else {
        SubIndication::CryptoConstraintsFailureNoPoe
    };
    let mut problems = Vec::new();
    problems.extend(catalogue.check_digest(digest, at).err());
    match signer.key_size() {
        Some((family, bits)) => problems.extend(catalogue.check_key(family, bits, at).err()),
        None => problems.push("the signer's key type is not in the catalogue".into()),
    }
    for (index, certificate) in path.iter().enumerate() {
        if options.trust.contains(certificate) {
            break;
        }
        let holder = certificate.holder();
        match crate::algorithm::oid::signature_digest_name(&certificate.signature_algorithm()) {
            Some(digest) => problems.extend(
                catalogue
                    .check_digest(digest, at)
                    .err()
                    .map(|e| format!("certificate of {holder}: {e}")),
            ),
            None => problems.push(format!(
                "certificate of {holder}: signature algorithm {} is not in the catalogue",
                certificate.signature_algorithm()
            )),
        }
        if let Some((family, bits)) = path.get(index + 1).and_then(Certificate::key_size) {
            problems.extend(
                catalogue
                    .check_key(family, bits, at)
                    .err()
                    .map(|e| format!("issuer key of {holder}'s certificate: {e}")),
            );
        }
    }
    if problems.is_empty() {
        checks.pass(
            "crypto",
            format!(
                "algorithms and key sizes accepted at {at} ({})",
                catalogue.name
            ),
        );
    } else {
        checks.fail("crypto", sub, problems.join("; "));
    }
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
    result.level = Some("PAdES document time-stamp".into());
    if let Some(token) = &checked.token {
        result.signing_time = Some(token.time);
        result.best_signature_time = token.time;
        if let Some(tsa) = &token.tsa {
            describe_signer(tsa, result);
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

/// Revocation of every certificate on the path but the trust anchor (EN 319 102-1 §5.2.6):
/// the signer's certificate revoked before the best-signature-time fails the signature; a
/// CA revoked, or no revocation data where the certificate names a source, is indeterminate.
fn check_revocation(
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

fn describe_signer(certificate: &Certificate, result: &mut Signature) {
    result.signer = Some(Signer {
        name: certificate.holder(),
        subject: certificate.subject(),
        organization: certificate.organization(),
        organization_identifier: certificate.organization_identifier(),
        serial_number: certificate.subject_serial_number(),
    });
    result.kind = Some(certificate.kind());
    result.qualification = Some(certificate.qualification());
    result.public_key = certificate
        .key_size()
        .map(|(family, bits)| format!("{family} {bits} bit"));
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
