//! Printers for results: one line (or one JSON object) per document. Every text that comes
//! from a document, a certificate or a file name passes [`shown`]: its control and
//! bidirectional formatting characters are printed as escapes, never sent to the terminal.

use std::borrow::Cow;
use std::path::PathBuf;

use siegel::validate::{self, Indication};
use siegel::{sign, text};

use crate::args::Format;
use crate::console;

/// What happened to one document of a signing run.
#[derive(Debug)]
pub enum Signed {
    Done(sign::Outcome),
    /// A CAdES signature written or added to.
    Cades(sign::cades::Outcome),
    /// The output existed already and `--skip-existing` was given.
    Skipped(PathBuf),
}

pub fn signed(format: Format, input: &str, result: &Result<Signed, String>) -> String {
    let name = shown(input);
    match (format, result) {
        (Format::Text, Ok(Signed::Skipped(output))) => {
            format!(
                "{name}: skipped, {} exists already",
                shown(&output.display().to_string())
            )
        }
        (Format::Json, Ok(Signed::Skipped(output))) => json(&serde_json::json!({
            "file": input,
            "status": "skipped",
            "output": output.display().to_string(),
        })),
        (Format::Text, Ok(Signed::Done(outcome))) => format!(
            "{name}: {} ({}) by {} -> {} (field {})",
            match outcome.kind {
                siegel::certificate::Kind::Seal => "sealed",
                siegel::certificate::Kind::Signature => "signed",
            },
            outcome.level,
            shown(&outcome.signer),
            shown(&outcome.output.display().to_string()),
            shown(&outcome.field)
        ),
        (Format::Text, Ok(Signed::Cades(outcome))) => format!(
            "{name}: {} ({} CAdES {}, {}) by {} -> {} ({} signer(s))",
            match (outcome.counter, outcome.kind) {
                (true, _) => "counter-signed",
                (false, siegel::certificate::Kind::Seal) => "sealed",
                (false, siegel::certificate::Kind::Signature) => "signed",
            },
            outcome.level,
            match outcome.packaging {
                sign::cades::Packaging::Detached => "detached",
                sign::cades::Packaging::Enveloping => "enveloping",
                sign::cades::Packaging::AsicS => "in ASiC-S",
                sign::cades::Packaging::AsicE => "in ASiC-E",
            },
            human_size(outcome.content_size),
            shown(&outcome.signer),
            shown(&outcome.output.display().to_string()),
            outcome.signers
        ),
        (Format::Json, Ok(Signed::Cades(outcome))) => json(&serde_json::json!({
            "file": input,
            "status": "ok",
            "output": outcome.output.display().to_string(),
            "format": "CAdES",
            "packaging": outcome.packaging,
            "counter_signature": outcome.counter,
            "kind": outcome.kind,
            "level": outcome.level,
            "signer": outcome.signer,
            "signers": outcome.signers,
            "content_size": outcome.content_size,
        })),
        (Format::Text, Err(error)) => {
            format!("{name}: {}: {}", console::error_word(), shown(error))
        }
        (Format::Json, Ok(Signed::Done(outcome))) => json(&serde_json::json!({
            "file": input,
            "status": "ok",
            "output": outcome.output.display().to_string(),
            "field": outcome.field,
            "kind": outcome.kind,
            "level": outcome.level,
            "signer": outcome.signer,
            "byte_range": outcome.byte_range,
        })),
        (Format::Json, Err(error)) => {
            json(&serde_json::json!({ "file": input, "status": "error", "error": error }))
        }
    }
}

pub fn validated(format: Format, input: &str, result: &Result<validate::Report, String>) -> String {
    match (format, result) {
        (Format::Json, Ok(report)) => serde_json::to_string(report).map_or_else(
            |e| json(&serde_json::json!({ "file": input, "error": e.to_string() })),
            |report| text::json_printable(&report).into_owned(),
        ),
        (Format::Json, Err(error)) => json(&serde_json::json!({ "file": input, "error": error })),
        (Format::Text, Err(error)) => format!(
            "{}: {}: {}",
            shown(input),
            console::error_word(),
            shown(error)
        ),
        (Format::Text, Ok(report)) => report_text(input, report),
    }
}

/// Text from a document, certificate or file name, safe for a terminal: one line, control and
/// bidirectional formatting characters as visible escapes.
pub fn shown(text: &str) -> Cow<'_, str> {
    text::printable(text)
}

/// A JSON value as one line, safe for a terminal (serde_json leaves C1 and bidirectional
/// characters raw inside strings).
pub fn json(value: &serde_json::Value) -> String {
    text::json_printable(&value.to_string()).into_owned()
}

/// One block per signature, verdict first, in the words a clerk files: who, when, what kind,
/// how qualified, and what is wrong or was changed; with `--verbose` also the chain and every
/// check.
fn report_text(input: &str, report: &validate::Report) -> String {
    let total = report.signatures.len();
    let mut text = format!(
        "{}: {} ({} of {total} signatures valid)",
        shown(input),
        console::indication(report.indication, report.indication.name()),
        report.passed()
    );
    for content in &report.contents {
        let size = content
            .size
            .map_or_else(|| "size unknown".to_owned(), |s| format!("{s} bytes"));
        let by = if content.signed_by.is_empty() {
            "covered by no valid signature".to_owned()
        } else {
            format!("signed by {}", content.signed_by.join(", "))
        };
        text.push_str(&format!(
            "\n  Content: {} ({size}), {}",
            shown(&content.name),
            shown(&by)
        ));
    }
    for message in &report.messages {
        text.push_str(&format!("\n  {}", shown(message)));
    }
    let time = |t: &chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    for signature in report.signatures.iter().chain(&report.document_timestamps) {
        let verdict = match signature.subindication {
            Some(sub) => format!("{} / {}", signature.indication.name(), sub.name()),
            None => signature.indication.name().to_owned(),
        };
        text.push_str(&format!(
            "\n\n  {}: {}",
            shown(&signature.field),
            console::indication(signature.indication, &verdict)
        ));
        let mut line = |label: &str, value: String| {
            text.push_str(&format!("\n    {label:<14}{value}"));
        };
        if let Some(signer) = &signature.signer {
            let organisation = signer
                .organization
                .as_deref()
                .filter(|o| *o != signer.name)
                .map(|o| format!(", {}", shown(o)))
                .unwrap_or_default();
            line("Signer:", format!("{}{organisation}", shown(&signer.name)));
        } else {
            line("Signer:", "unknown".into());
        }
        if let Some(claimed) = &signature.signing_time {
            line("Signed at:", format!("{} (claimed)", time(claimed)));
        }
        let proving = signature.timestamps.iter().find(|t| {
            t.indication == Indication::TotalPassed && t.time == Some(signature.best_signature_time)
        });
        let proof = match proving {
            Some(t) if t.qualified_by.is_some() => "proven by a qualified time-stamp",
            Some(_) => "proven by a time-stamp",
            None => "not proven earlier than the validation time",
        };
        line(
            "Existed at:",
            format!("{} ({proof})", time(&signature.best_signature_time)),
        );
        let kind = match (signature.kind, signature.qualification) {
            (Some(kind), Some(qualification)) => format!("{kind}, {qualification}"),
            (Some(kind), None) => kind.to_string(),
            _ => signature
                .level
                .map_or_else(|| "-".into(), |l| l.name().to_owned()),
        };
        line("Kind:", shown(&kind).into_owned());
        let scope = if signature.covers_whole_document {
            "the whole document".to_owned()
        } else {
            match signature.revision {
                Some(revision) => format!("revision {revision} of {}", report.revisions),
                None => "unknown".to_owned(),
            }
        };
        line("Covers:", scope);
        let technique = [
            signature.level.map(|l| l.name().to_owned()),
            signature.algorithm.map(|a| a.to_string()),
            signature.public_key.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        if !technique.is_empty() {
            line("Format:", shown(&technique).into_owned());
        }
        for finding in &signature.findings {
            line(
                "Finding:",
                format!("{}: {}", finding.id, shown(&finding.detail)),
            );
        }
        if signature.indication != Indication::TotalPassed {
            for message in &signature.messages {
                line("Why:", shown(message).into_owned());
            }
        }
        for change in &signature.modifications {
            line("Change:", shown(&change.to_string()).into_owned());
        }
        if console::verbose() {
            for certificate in &signature.chain {
                let revocation = certificate
                    .revocation
                    .as_ref()
                    .map(|r| format!(", revocation: {:?} ({})", r.status, r.detail))
                    .unwrap_or_default();
                let anchor = if certificate.trust_anchor {
                    ", trust anchor"
                } else {
                    ""
                };
                line(
                    "Chain:",
                    format!("{}{anchor}{revocation}", certificate.subject),
                );
            }
            for check in &signature.checks {
                let mark = if check.passed { "ok" } else { "FAILED" };
                line("Check:", format!("{} {mark}: {}", check.id, check.detail));
            }
        }
    }
    if report.signatures.iter().any(|s| s.qualification.is_some()) {
        text.push_str(&format!(
            "\n\n  Qualification rests on {}.",
            shown(&report.policy.qualification_basis)
        ));
    }
    text
}

/// `siegel trust update` as text: what happened to each list.
pub fn trust_update(update: &siegel::trust::cache::Update) -> String {
    use siegel::trust::cache::{Outcome, Unchanged};
    let mut text = String::new();
    for (territory, outcome) in &update.lists {
        let line = match outcome {
            Outcome::Replaced => "replaced (downloaded and verified)".to_owned(),
            Outcome::Unchanged(Unchanged::Sha2) => "unchanged (its .sha2 matches)".to_owned(),
            Outcome::Unchanged(Unchanged::NotModified) => "unchanged (304 Not Modified)".to_owned(),
            Outcome::Failed(reason) => {
                format!("failed, the previous list (if any) stays: {reason}")
            }
        };
        text.push_str(&format!("{territory}: {line}\n"));
    }
    text
}

/// `siegel trust status` as text: one line per list, then why a list is not used.
pub fn trust_status(status: &siegel::trust::cache::Status) -> String {
    let day = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map_or_else(|| "-".to_owned(), |t| t.format("%Y-%m-%d").to_string())
    };
    let mut text = format!(
        "Trusted lists in {}\nLOTL from {}\n",
        status.folder, status.lotl_url
    );
    text.push_str(&format!(
        "Pinned LOTL signers: {}\n",
        status.pinned_signers.len()
    ));
    for list in &status.lists {
        text.push_str(&format!(
            "{:<3} seq {:<5} issued {} next update {}{} signature {} fetched {} checked {}\n",
            list.territory,
            list.sequence
                .map_or_else(|| "-".to_owned(), |s| s.to_string()),
            day(list.issued),
            day(list.next_update),
            if list.stale { " (stale)" } else { "" },
            list.signature,
            day(list.fetched),
            day(list.checked),
        ));
        if let Some(signer) = &list.signer {
            text.push_str(&format!("    signed by {signer}\n"));
        }
        if let Some(failure) = &list.last_failure {
            text.push_str(&format!(
                "    last update failed {}: {} (the previous list stays in use)\n",
                failure.at.format("%Y-%m-%d %H:%M"),
                failure.reason
            ));
        }
    }
    text
}

/// `1.5 MiB`, `312 bytes`.
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    #[allow(clippy::cast_precision_loss, reason = "a size shown with one decimal")]
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS.get(unit).copied().unwrap_or("TiB"))
}
