//! The verdict at the top of page 1: one plain sentence in the reader's language, and per
//! signature who signed when with its result, as § 298(3) ZPO asks a protocol to state.

use super::{Verdict, signer_name, title};
use crate::protocol::text::{self, Tone};
use crate::text::Language;
use crate::validate::report::{self, Indication, Report};

pub fn verdict(report: &Report, l: Language) -> Verdict {
    let all: Vec<&report::Signature> = report
        .signatures
        .iter()
        .chain(&report.document_timestamps)
        .collect();
    let total = all.len();
    let sentence = match all.as_slice() {
        [] => l
            .pick(
                "The document carries no signature: nothing can be confirmed.",
                "Das Dokument enthält keine Signatur: es lässt sich nichts bestätigen.",
            )
            .to_owned(),
        [only] => one_sentence(only, report.document_timestamps.len() == 1, l),
        _ => many_sentence(report, &all, l),
    };
    let mut lines = Vec::new();
    for (index, signature) in report.signatures.iter().enumerate() {
        lines.push(summary_line(signature, index + 1, false, l));
    }
    for (index, stamp) in report.document_timestamps.iter().enumerate() {
        lines.push(summary_line(stamp, index + 1, true, l));
    }
    Verdict {
        tone: if total == 0 {
            Tone::Amber
        } else {
            Tone::of(report.indication)
        },
        sentence,
        lines,
    }
}

/// The verdict on a document with exactly one signature or document time-stamp.
fn one_sentence(signature: &report::Signature, stamp: bool, l: Language) -> String {
    let seal = signature.kind == Some(crate::certificate::Kind::Seal);
    // German nouns keep their capital; only the article changes case.
    let (capital, article, noun, en) = match (stamp, seal) {
        (true, _) => (
            "Der",
            "der",
            "Dokumentzeitstempel",
            "the document time-stamp",
        ),
        (false, true) => ("Das", "das", "Siegel", "the seal"),
        (false, false) => ("Die", "die", "Signatur", "the signature"),
    };
    let de = format!("{capital} {noun}");
    match (signature.indication, l) {
        (Indication::TotalPassed, Language::De) => format!(
            "Gültig: {de} ist gültig; das Dokument wurde seitdem nicht unzulässig verändert."
        ),
        (Indication::TotalPassed, Language::En) => format!(
            "Valid: {en} is valid; the document has not been changed in a disallowed way since."
        ),
        (Indication::TotalFailed, Language::De) => format!(
            "Ungültig: {de} hat die Prüfung nicht bestanden. Auf das Dokument ist kein Verlass."
        ),
        (Indication::TotalFailed, Language::En) => {
            format!("Invalid: {en} failed validation. The document must not be relied on.")
        }
        (Indication::Indeterminate, Language::De) => format!(
            "Unbestimmt: Ob {article} {noun} gültig ist, ließ sich nicht feststellen (Grund siehe unten)."
        ),
        (Indication::Indeterminate, Language::En) => {
            format!("Indeterminate: whether {en} is valid could not be established (reason below).")
        }
    }
}

/// The verdict on a document with several signatures or time-stamps: how many fell short.
fn many_sentence(report: &Report, all: &[&report::Signature], l: Language) -> String {
    let total = all.len();
    let noun = if report.document_timestamps.is_empty() {
        l.pick("signatures", "Signaturen")
    } else {
        l.pick("signatures and time-stamps", "Signaturen und Zeitstempel")
    };
    let count = |indication| all.iter().filter(|s| s.indication == indication).count();
    match (report.indication, l) {
        (Indication::TotalPassed, Language::De) => format!(
            "Gültig: Alle {total} {noun} sind gültig; das Dokument wurde seitdem nicht unzulässig verändert."
        ),
        (Indication::TotalPassed, Language::En) => format!(
            "Valid: all {total} {noun} are valid; the document has not been changed in a disallowed way since."
        ),
        (Indication::TotalFailed, Language::De) => format!(
            "Ungültig: {} von {total} {noun} haben die Prüfung nicht bestanden. Auf das Dokument ist kein Verlass.",
            count(Indication::TotalFailed)
        ),
        (Indication::TotalFailed, Language::En) => format!(
            "Invalid: {} of {total} {noun} failed validation. The document must not be relied on.",
            count(Indication::TotalFailed)
        ),
        (Indication::Indeterminate, Language::De) => format!(
            "Unbestimmt: Bei {} von {total} {noun} ließ sich die Gültigkeit nicht feststellen (Gründe siehe unten).",
            count(Indication::Indeterminate)
        ),
        (Indication::Indeterminate, Language::En) => format!(
            "Indeterminate: the validity of {} of {total} {noun} could not be established (reasons below).",
            count(Indication::Indeterminate)
        ),
    }
}

/// `Siegel 1: Muster GmbH, 01.06.2026, 12:00:00 UTC: gültig (TOTAL_PASSED)`.
fn summary_line(signature: &report::Signature, n: usize, stamp: bool, l: Language) -> String {
    let what = title(signature, n, stamp, l);
    let who = signer_name(signature, l);
    let when = text::utc(
        l,
        signature
            .signing_time
            .unwrap_or(signature.best_signature_time),
    );
    let verb = if stamp {
        l.pick("stamped", "gestempelt")
    } else {
        l.pick("signed", "signiert")
    };
    let on = l.pick("on", "am");
    format!(
        "{what}: {who}, {verb} {on} {when}: {}",
        text::indication(l, signature.indication)
    )
}
