//! Validation of ASiC-S and ASiC-E containers with CAdES (ETSI EN 319 162-1): each CAdES
//! signature through `validate::cades` (ASiC-S over its one data object, ASiC-E over its
//! ASiCManifest), each manifest reference checked against its entry, and the container rules:
//! a container that breaks them, or holds a file no signature covers, is never TOTAL_PASSED.
//! Container time-stamps (`META-INF/*.tst` named by an ASiCManifest or an
//! ASiCArchiveManifest, EN 319 162-1 §A.4, §A.5; in ASiC-S over the data object) are checked
//! over the manifest's bytes, and every file the manifest names against its digest; they are
//! reported as the container's time-stamps and proofs of nothing more.

use std::path::Path;

use super::cades::{self, Content};
use super::report::{
    self, Check, Finding, Indication, Profile, Signature, SubIndication, TimestampKind,
};
use super::{Error, Options, revocation, timestamps};
use crate::algorithm::Digest;
use crate::asic::{self, Container, Kind};

/// Validates the container at `path`.
pub(crate) fn validate(path: &Path, options: &Options) -> Result<report::Report, Error> {
    let name = path.display().to_string();
    let unreadable = |message: String| Error::Unreadable {
        path: name.clone(),
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| unreadable(e.to_string()))?
        .len();
    let sha256 = {
        let file = std::fs::File::open(path).map_err(|e| unreadable(e.to_string()))?;
        let (values, _) = crate::algorithm::hash_reader(file, &[Digest::Sha256], |_| Ok(()))
            .map_err(|e| unreadable(e.to_string()))?;
        crate::certificate::hex_upper(values.first().map_or(&[][..], Vec::as_slice))
    };
    let mut container = Container::open(path).map_err(|e| unreadable(e.to_string()))?;
    let mut messages = Vec::new();
    let mut problems: Vec<String> = container.problems.clone();
    let kind = match (container.kind, Kind::of_path(path)) {
        (Some(kind), _) => kind,
        (None, Some(kind)) => kind,
        (None, None) => {
            if container.manifests().is_empty() {
                Kind::S
            } else {
                Kind::E
            }
        }
    };
    let data: Vec<String> = container
        .data_objects()
        .into_iter()
        .map(str::to_owned)
        .collect();
    messages.push(format!(
        "{} container with {} data object(s): {}",
        match kind {
            Kind::S => "ASiC-S",
            Kind::E => "ASiC-E",
        },
        data.len(),
        data.join(", ")
    ));
    let mut signatures = Vec::new();
    let mut stamps = Vec::new();
    // Data object -> the signatures that verify over it.
    let mut coverage: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let signature_names: Vec<String> = container
        .signatures()
        .into_iter()
        .map(str::to_owned)
        .collect();
    if signature_names.is_empty() {
        problems.push("the container holds no CAdES signature (META-INF/*.p7s)".to_owned());
    }
    match kind {
        Kind::S => {
            if data.len() != 1 {
                problems.push(format!(
                    "an ASiC-S container holds one data object, this one {}",
                    data.len()
                ));
            }
            for signature_name in &signature_names {
                let bytes = container
                    .read_small(signature_name)
                    .map_err(|e| unreadable(e.to_string()))?;
                let target = data.first().cloned();
                let checked = cades::check_file(
                    &bytes,
                    &format!("{signature_name}: "),
                    |digests, messages| {
                        let target = target.ok_or("the container holds no data object")?;
                        let content = hash_entry(&mut container, &target, digests)?;
                        messages.push(format!("{signature_name} signs {target}"));
                        Ok(content)
                    },
                    options,
                );
                match checked {
                    Ok(checked) => {
                        if let Some(target) = data.first() {
                            cover(&mut coverage, target, &checked.signatures);
                        }
                        signatures.extend(checked.signatures);
                        messages.extend(checked.messages);
                    }
                    Err(error) => {
                        signatures.push(unreadable_signature(signature_name, &error, options))
                    }
                }
            }
        }
        Kind::E => {
            let manifests: Vec<String> = container
                .manifests()
                .into_iter()
                .map(str::to_owned)
                .collect();
            let mut referenced = Vec::new();
            for manifest_name in &manifests {
                let xml = container
                    .read_small(manifest_name)
                    .map_err(|e| unreadable(e.to_string()))?;
                let manifest = match asic::Manifest::from_xml(&xml) {
                    Ok(manifest) => manifest,
                    Err(error) => {
                        problems.push(format!("{manifest_name}: {error}"));
                        continue;
                    }
                };
                referenced.push(manifest.signature.clone());
                if manifest.names_timestamp() {
                    // ASiC-E with a time-stamp token instead of a signature (§A.4).
                    stamps.push(check_manifest_timestamp(
                        &mut container,
                        manifest_name,
                        &xml,
                        &manifest,
                        options,
                    ));
                    continue;
                }
                if !signature_names.contains(&manifest.signature) {
                    problems.push(format!(
                        "{manifest_name} names the signature {}, which is not in the container",
                        manifest.signature
                    ));
                    continue;
                }
                let bytes = container
                    .read_small(&manifest.signature)
                    .map_err(|e| unreadable(e.to_string()))?;
                let prefix = format!("{}: ", manifest.signature);
                let checked = cades::check_file(
                    &bytes,
                    &prefix,
                    |digests, messages| {
                        messages.push(format!("{} signs {manifest_name}", manifest.signature));
                        Ok(Content::of_bytes(&xml, digests))
                    },
                    options,
                );
                let (mut found, notes) = match checked {
                    Ok(checked) => (checked.signatures, checked.messages),
                    Err(error) => {
                        signatures.push(unreadable_signature(&manifest.signature, &error, options));
                        continue;
                    }
                };
                messages.extend(notes);
                // Each reference: present, and the digest it names.
                let mut failures = Vec::new();
                let mut missing = false;
                for reference in &manifest.references {
                    if !data.contains(&reference.uri) {
                        missing = true;
                        failures.push(format!(
                            "{} is referenced but not in the container",
                            reference.uri
                        ));
                        continue;
                    }
                    match hash_entry(&mut container, &reference.uri, &[reference.digest]) {
                        Ok(content)
                            if content.digests.first().map(|(_, h)| h)
                                == Some(&reference.value) =>
                        {
                            cover(&mut coverage, &reference.uri, &found);
                        }
                        Ok(_) => failures.push(format!(
                            "{} was changed: its digest is not the one signed",
                            reference.uri
                        )),
                        Err(error) => failures.push(format!("{}: {error}", reference.uri)),
                    }
                }
                // A changed file fails; a missing one leaves what was signed unknown (EN 319
                // 102-1 SIGNED_DATA_NOT_FOUND), as DSS reports it.
                let changed = failures.len() > usize::from(missing);
                for signature in &mut found {
                    if failures.is_empty() {
                        signature.checks.push(Check {
                            id: "manifest",
                            passed: true,
                            detail: format!(
                                "{manifest_name}: {} data object(s) with matching digests",
                                manifest.references.len()
                            ),
                        });
                    } else {
                        push_finding(signature, "MANIFEST_REFERENCE_BROKEN", failures.join("; "));
                        lower(
                            signature,
                            if changed {
                                SubIndication::HashFailure
                            } else {
                                SubIndication::SignedDataNotFound
                            },
                            failures.join("; "),
                            "manifest",
                        );
                    }
                }
                signatures.extend(found);
            }
            for signature_name in &signature_names {
                if !referenced.contains(signature_name) {
                    problems.push(format!(
                        "{signature_name} is not named by any ASiCManifest, so what it signs is unknown"
                    ));
                }
            }
        }
    }
    let archive_manifests: Vec<String> = container
        .archive_manifests()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let mut stamped: Vec<String> = stamps.iter().filter_map(stamp_token).collect();
    for manifest_name in &archive_manifests {
        let xml = container
            .read_small(manifest_name)
            .map_err(|e| unreadable(e.to_string()))?;
        match asic::Manifest::from_xml(&xml) {
            Ok(manifest) if manifest.names_timestamp() => {
                stamped.push(manifest.signature.clone());
                stamps.push(check_manifest_timestamp(
                    &mut container,
                    manifest_name,
                    &xml,
                    &manifest,
                    options,
                ));
            }
            Ok(manifest) => problems.push(format!(
                "{manifest_name} names {}, not a time-stamp token",
                manifest.signature
            )),
            Err(error) => problems.push(format!("{manifest_name}: {error}")),
        }
    }
    for token_name in container
        .timestamps()
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>()
    {
        if stamped.contains(&token_name) {
            continue;
        }
        match (kind, data.as_slice()) {
            // ASiC-S with a time-stamp (§4.3): the token is over the one data object.
            (Kind::S, [object]) => {
                stamps.push(check_data_timestamp(
                    &mut container,
                    &token_name,
                    object,
                    options,
                ));
            }
            _ => problems.push(format!(
                "{token_name} is not named by any manifest, so what it time-stamps is unknown"
            )),
        }
    }
    let uncovered: Vec<&String> = data
        .iter()
        .filter(|d| coverage.get(*d).is_none_or(Vec::is_empty))
        .collect();
    if !uncovered.is_empty() {
        let detail = format!(
            "file(s) in the container that no valid signature covers: {}",
            uncovered
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        for signature in &mut signatures {
            push_finding(signature, "UNSIGNED_FILE_IN_CONTAINER", detail.clone());
            lower(
                signature,
                SubIndication::SigConstraintsFailure,
                detail.clone(),
                "container",
            );
        }
        messages.push(detail);
    }
    for problem in &problems {
        for signature in &mut signatures {
            push_finding(signature, "CONTAINER_FORMAT", problem.clone());
            // The signatures may be intact (DSS reads such containers); the container is
            // not as the standard requires, so it is never valid.
            lower(
                signature,
                SubIndication::SigConstraintsFailure,
                problem.clone(),
                "container",
            );
        }
        messages.push(problem.clone());
    }
    let mut report = cades::report(name, sha256, size, signatures, messages, options);
    if !report.signatures.is_empty() {
        // A container time-stamp that fails says the container changed after it: as bad as a
        // failed signature.
        report.indication = stamps
            .iter()
            .map(|s| s.indication)
            .fold(report.indication, Indication::max);
    }
    report.document_timestamps = stamps;
    report.contents = data
        .iter()
        .map(|entry| report::SignedContent {
            name: entry.clone(),
            size: container.size(entry),
            signed_by: coverage.remove(entry).unwrap_or_default(),
        })
        .collect();
    if !problems.is_empty() && report.indication == Indication::TotalPassed {
        report.indication = Indication::Indeterminate;
    }
    Ok(report)
}

/// The token a container time-stamp result was read from (its field starts with its name).
fn stamp_token(stamp: &Signature) -> Option<String> {
    stamp.field.split(": ").next().map(str::to_owned)
}

/// The time-stamp `manifest.signature` over the manifest `manifest_name` (its bytes `xml`, as
/// stored), and every entry the manifest names against the digest it gives.
fn check_manifest_timestamp<R: std::io::Read + std::io::Seek>(
    container: &mut Container<R>,
    manifest_name: &str,
    xml: &[u8],
    manifest: &asic::Manifest,
    options: &Options,
) -> Signature {
    let token_name = &manifest.signature;
    let mut result = stamp_result(token_name, manifest_name, options);
    let checked = match container.read_small(token_name) {
        Ok(der) => timestamps::check(
            TimestampKind::Content,
            &der,
            |digest| Ok(digest.hash(xml)),
            options,
            &revocation::Embedded::default(),
        ),
        Err(error) => {
            lower(
                &mut result,
                SubIndication::SignedDataNotFound,
                format!("{manifest_name} names the time-stamp {token_name}: {error}"),
                "container-timestamp",
            );
            return result;
        }
    };
    let mut failures = Vec::new();
    let mut missing = false;
    for reference in &manifest.references {
        if !container.names.contains(&reference.uri) {
            missing = true;
            failures.push(format!(
                "{} is referenced but not in the container",
                reference.uri
            ));
            continue;
        }
        match container.hash(&reference.uri, &[reference.digest]) {
            Ok(values) if values.first() == Some(&reference.value) => {}
            Ok(_) => failures.push(format!(
                "{} was changed after it was time-stamped",
                reference.uri
            )),
            Err(error) => failures.push(format!("{}: {error}", reference.uri)),
        }
    }
    finish_stamp(&mut result, checked);
    if failures.is_empty() {
        result.checks.push(Check {
            id: "manifest",
            passed: true,
            detail: format!(
                "{manifest_name}: {} file(s) with matching digests",
                manifest.references.len()
            ),
        });
    } else {
        let detail = failures.join("; ");
        push_finding(&mut result, "MANIFEST_REFERENCE_BROKEN", detail.clone());
        let changed = failures.len() > usize::from(missing);
        lower(
            &mut result,
            if changed {
                SubIndication::HashFailure
            } else {
                SubIndication::SignedDataNotFound
            },
            detail,
            "manifest",
        );
    }
    result
}

/// The ASiC-S time-stamp `token_name` over the data object `object`.
fn check_data_timestamp<R: std::io::Read + std::io::Seek>(
    container: &mut Container<R>,
    token_name: &str,
    object: &str,
    options: &Options,
) -> Signature {
    let mut result = stamp_result(token_name, object, options);
    let checked = match container.read_small(token_name) {
        Ok(der) => timestamps::check(
            TimestampKind::Content,
            &der,
            |digest| {
                container
                    .hash(object, &[digest])
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .next()
                    .ok_or_else(|| format!("{object} was not hashed"))
            },
            options,
            &revocation::Embedded::default(),
        ),
        Err(error) => {
            lower(
                &mut result,
                SubIndication::FormatFailure,
                format!("{token_name}: {error}"),
                "container-timestamp",
            );
            return result;
        }
    };
    finish_stamp(&mut result, checked);
    result
}

fn stamp_result(token_name: &str, over: &str, options: &Options) -> Signature {
    let mut result = cades::blank(
        format!("{token_name}: container time-stamp over {over}"),
        options.time,
    );
    result.level = Some(Profile::ContainerTimestamp);
    result
}

/// The token's verdict as the result's, its time as the time it proves.
fn finish_stamp(result: &mut Signature, checked: timestamps::Checked) {
    if let Some(token) = &checked.token {
        result.signing_time = Some(token.time);
        if checked.report.indication == Indication::TotalPassed {
            result.best_signature_time = token.time;
        }
        if let Some(tsa) = &token.tsa {
            super::cms::describe_signer(tsa, result);
            result.kind = None;
            result.qualification = None;
        }
    }
    result.indication = checked.report.indication;
    result.subindication = checked.report.subindication;
    result.checks.push(Check {
        id: "container-timestamp",
        passed: checked.report.indication == Indication::TotalPassed,
        detail: checked.report.detail.clone(),
    });
    result.messages.push(checked.report.detail.clone());
    result.timestamps.push(checked.report);
}

/// Records that the intact ones of `signatures` cover `entry`.
fn cover(
    coverage: &mut std::collections::BTreeMap<String, Vec<String>>,
    entry: &str,
    signatures: &[Signature],
) {
    let by = coverage.entry(entry.to_owned()).or_default();
    for signature in signatures.iter().filter(|s| s.is_intact()) {
        if !by.contains(&signature.field) {
            by.push(signature.field.clone());
        }
    }
}

/// The entry `name` hashed with `digests`, streaming and bounded by its declared size.
fn hash_entry<R: std::io::Read + std::io::Seek>(
    container: &mut Container<R>,
    name: &str,
    digests: &[Digest],
) -> Result<Content, String> {
    let values = container
        .hash(name, digests)
        .map_err(|e| format!("{name}: {e}"))?;
    Ok(Content {
        digests: digests.iter().copied().zip(values).collect(),
    })
}

fn unreadable_signature(name: &str, error: &str, options: &Options) -> Signature {
    let mut signature = cades::blank(format!("{name}: signature"), options.time);
    signature.indication = Indication::TotalFailed;
    signature.subindication = Some(SubIndication::FormatFailure);
    let message = format!("{name} is not a readable CMS signature: {error}");
    signature.checks.push(Check {
        id: "cms",
        passed: false,
        detail: message.clone(),
    });
    signature.messages.push(message);
    signature
}

fn push_finding(signature: &mut Signature, id: &'static str, detail: String) {
    if !signature
        .findings
        .iter()
        .any(|f| f.id == id && f.detail == detail)
    {
        signature.findings.push(Finding { id, detail });
    }
}

/// Lowers the verdict to `sub`'s indication unless it is already as bad, says why first, and
/// records the failed check.
fn lower(signature: &mut Signature, sub: SubIndication, message: String, check: &'static str) {
    // A blank result is INDETERMINATE without a reason: the first failure gives it one.
    let unexplained = signature.subindication.is_none() && sub.indication() >= signature.indication;
    if sub.indication() > signature.indication || unexplained {
        signature.indication = sub.indication();
        signature.subindication = Some(sub);
    }
    signature.messages.insert(0, message.clone());
    signature.checks.push(Check {
        id: check,
        passed: false,
        detail: message,
    });
}
