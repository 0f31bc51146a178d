//! Validation of ASiC-S and ASiC-E containers with CAdES (ETSI EN 319 162-1): each CAdES
//! signature through `validate::cades` (ASiC-S over its one data object, ASiC-E over its
//! ASiCManifest), each manifest reference checked against its entry, and the container rules:
//! a container that breaks them, or holds a file no signature covers, is never TOTAL_PASSED.

use std::io::Write;
use std::path::Path;

use super::cades::{self, Content};
use super::report::{self, Check, Finding, Indication, Signature, SubIndication};
use super::{Error, Options};
use crate::algorithm::{Digest, Hasher};
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
                    Ok((found, notes)) => {
                        if let Some(target) = data.first() {
                            cover(&mut coverage, target, &found);
                        }
                        signatures.extend(found);
                        messages.extend(notes);
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
                    Ok(found) => found,
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
    let mut sink = HashSink {
        hashers: digests
            .iter()
            .map(|d| Hasher::new(*d).map(|h| (*d, h)))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?,
    };
    container
        .copy(name, &mut sink)
        .map_err(|e| format!("{name}: {e}"))?;
    let mut hashed = Vec::new();
    for (digest, hasher) in sink.hashers {
        hashed.push((digest, hasher.finish().map_err(|e| e.to_string())?));
    }
    Ok(Content { digests: hashed })
}

struct HashSink {
    hashers: Vec<(Digest, Hasher)>,
}

impl Write for HashSink {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        for (_, hasher) in &mut self.hashers {
            hasher.update(buffer);
        }
        Ok(buffer.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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
    if sub.indication() > signature.indication {
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
