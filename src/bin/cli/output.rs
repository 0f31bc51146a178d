//! Printers for results: one line (or one JSON object) per document.

use std::path::PathBuf;

use siegel::sign;
use siegel::validate::{self, Indication};

use crate::args::Format;

/// What happened to one document of a signing run.
#[derive(Debug)]
pub enum Signed {
    Done(sign::Outcome),
    /// The output existed already and `--skip-existing` was given.
    Skipped(PathBuf),
}

pub fn signed(format: Format, input: &str, result: &Result<Signed, String>) -> String {
    match (format, result) {
        (Format::Text, Ok(Signed::Skipped(output))) => {
            format!("{input}: skipped, {} exists already", output.display())
        }
        (Format::Json, Ok(Signed::Skipped(output))) => serde_json::json!({
            "file": input,
            "status": "skipped",
            "output": output.display().to_string(),
        })
        .to_string(),
        (Format::Text, Ok(Signed::Done(outcome))) => format!(
            "{input}: {} ({}) by {} -> {} (field {})",
            match outcome.kind {
                siegel::certificate::Kind::Seal => "sealed",
                siegel::certificate::Kind::Signature => "signed",
            },
            outcome.level,
            outcome.signer,
            outcome.output.display(),
            outcome.field
        ),
        (Format::Text, Err(error)) => format!("{input}: error: {error}"),
        (Format::Json, Ok(Signed::Done(outcome))) => serde_json::json!({
            "file": input,
            "status": "ok",
            "output": outcome.output.display().to_string(),
            "field": outcome.field,
            "kind": outcome.kind,
            "level": outcome.level,
            "signer": outcome.signer,
            "byte_range": outcome.byte_range,
        })
        .to_string(),
        (Format::Json, Err(error)) => {
            serde_json::json!({ "file": input, "status": "error", "error": error }).to_string()
        }
    }
}

pub fn validated(format: Format, input: &str, result: &Result<validate::Report, String>) -> String {
    match (format, result) {
        (Format::Json, Ok(report)) => serde_json::to_string(report)
            .unwrap_or_else(|e| format!("{{\"file\":{input:?},\"error\":\"{e}\"}}")),
        (Format::Json, Err(error)) => {
            serde_json::json!({ "file": input, "error": error }).to_string()
        }
        (Format::Text, Err(error)) => format!("{input}: error: {error}"),
        (Format::Text, Ok(report)) => {
            let total = report.signatures.len();
            let mut text = format!(
                "{input}: {} ({} of {total} signatures valid)",
                report.indication.name(),
                report.passed()
            );
            for message in &report.messages {
                text.push_str(&format!("\n  {message}"));
            }
            for signature in report.signatures.iter().chain(&report.document_timestamps) {
                let verdict = match signature.subindication {
                    Some(sub) => format!("{}/{}", signature.indication.name(), sub.name()),
                    None => signature.indication.name().to_owned(),
                };
                let signer = signature
                    .signer
                    .as_ref()
                    .map_or("unknown signer", |s| s.name.as_str());
                let kind = signature.kind.map_or("-".to_owned(), |k| k.to_string());
                let time = signature.signing_time.map_or("no time".to_owned(), |t| {
                    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
                });
                let scope = if signature.covers_whole_document {
                    "whole document".to_owned()
                } else {
                    format!(
                        "revision {}",
                        signature.revision.map_or("?".into(), |r| r.to_string())
                    )
                };
                text.push_str(&format!(
                    "\n  {}: {verdict} - {kind} by {signer}, {time}, {scope}",
                    signature.field
                ));
                if signature.indication != Indication::TotalPassed {
                    for message in &signature.messages {
                        text.push_str(&format!("\n    {message}"));
                    }
                }
            }
            text
        }
    }
}
