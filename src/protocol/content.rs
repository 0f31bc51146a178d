//! What the human-readable protocol says, independent of PDF or HTML: the verdict, then the
//! sections the guide's §6.4 recommends (header, document, one block per signature and document
//! time-stamp, the technical checks as an annex), in the reader's language.

mod verdict;

use super::text::{self, Tone};
use crate::text::Language;
use crate::validate::report::{self, Indication, Judgement, Report};

/// The protocol of one document, ready to be typeset.
#[derive(Clone, Debug)]
pub struct Protocol {
    pub language: Language,
    pub title: String,
    /// The validated file's name, under the title and in every page header.
    pub file: String,
    pub verdict: Verdict,
    pub sections: Vec<Section>,
    /// Product and version, for the footer.
    pub product: String,
}

/// The answer at the top of page 1: a colour, one plain sentence, and per signature who
/// signed when (what § 298(3) ZPO asks a protocol to state).
#[derive(Clone, Debug)]
pub struct Verdict {
    pub tone: Tone,
    pub sentence: String,
    pub lines: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug)]
pub enum Block {
    /// Opens the section of one signature or time-stamp: its traffic light.
    Light(Tone),
    /// A small heading inside a signature (the chain, the time-stamps).
    Caption(String),
    Rows(Vec<Row>),
    Paragraph(String),
}

/// A label and its value; a tone colours the value (results, revocation).
#[derive(Clone, Debug)]
pub struct Row {
    pub label: String,
    pub value: String,
    pub tone: Option<Tone>,
}

impl Row {
    fn new(label: &str, value: impl Into<String>) -> Self {
        Self {
            label: label.to_owned(),
            value: value.into(),
            tone: None,
        }
    }

    fn toned(label: &str, value: impl Into<String>, tone: Tone) -> Self {
        Self {
            tone: Some(tone),
            ..Self::new(label, value)
        }
    }
}

impl Protocol {
    pub fn new(report: &Report, language: Language) -> Self {
        let l = language;
        let mut sections = vec![header(report, l), document(report, l)];
        for (index, signature) in report.signatures.iter().enumerate() {
            sections.push(signature_section(report, signature, index + 1, false, l));
        }
        for (index, stamp) in report.document_timestamps.iter().enumerate() {
            sections.push(signature_section(report, stamp, index + 1, true, l));
        }
        if let Some(basis) = &report.policy.trusted_lists {
            sections.push(trust_basis(basis, l));
        }
        sections.push(annex(report, l));
        let protocol = Self {
            language,
            title: l.pick("Verification protocol", "Prüfprotokoll").to_owned(),
            file: file_name(&report.file),
            verdict: verdict::verdict(report, l),
            sections,
            product: format!("Siegel {}", env!("CARGO_PKG_VERSION")),
        };
        // Names and messages come from the document: control and bidirectional formatting
        // characters are shown, never obeyed, in the PDF and the HTML page alike.
        protocol.map_text(|text| crate::text::printable(text).into_owned())
    }

    /// Every text of the protocol passed through `f`.
    pub fn map_text(self, f: impl Fn(&str) -> String) -> Self {
        let rows = |rows: Vec<Row>| {
            rows.into_iter()
                .map(|row| Row {
                    label: f(&row.label),
                    value: f(&row.value),
                    tone: row.tone,
                })
                .collect()
        };
        Self {
            language: self.language,
            title: f(&self.title),
            file: f(&self.file),
            verdict: Verdict {
                tone: self.verdict.tone,
                sentence: f(&self.verdict.sentence),
                lines: self.verdict.lines.iter().map(|l| f(l)).collect(),
            },
            sections: self
                .sections
                .into_iter()
                .map(|section| Section {
                    heading: f(&section.heading),
                    blocks: section
                        .blocks
                        .into_iter()
                        .map(|block| match block {
                            Block::Light(tone) => Block::Light(tone),
                            Block::Caption(text) => Block::Caption(f(&text)),
                            Block::Paragraph(text) => Block::Paragraph(f(&text)),
                            Block::Rows(list) => Block::Rows(rows(list)),
                        })
                        .collect(),
                })
                .collect(),
            product: f(&self.product),
        }
    }

    /// The label of page `n` of `total`, for page footers.
    pub fn page_label(&self, n: usize, total: usize) -> String {
        let page = self.language.pick("Page", "Seite");
        let of = self.language.pick("of", "von");
        format!("{page} {n} {of} {total}")
    }
}

/// The last component of a path, which is what a clerk recognises; the full path stays in the
/// document section.
fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_owned(), |n| n.to_string_lossy().into_owned())
}

fn title(signature: &report::Signature, n: usize, stamp: bool, l: Language) -> String {
    if stamp {
        format!(
            "{} {n}",
            l.pick("Document time-stamp", "Dokumentzeitstempel")
        )
    } else {
        // An unknown kind is technically a signature; the Type row says it is unknown.
        let kind = signature
            .kind
            .unwrap_or(crate::certificate::Kind::Signature);
        format!("{} {n}", text::kind(l, Some(kind)))
    }
}

fn signer_name(signature: &report::Signature, l: Language) -> String {
    signature
        .signer
        .as_ref()
        .map(|s| s.name.clone())
        .or_else(|| signature.timestamps.first().and_then(|t| t.tsa.clone()))
        .unwrap_or_else(|| {
            l.pick("unknown signer", "unbekannter Unterzeichner")
                .to_owned()
        })
}

fn header(report: &Report, l: Language) -> Section {
    let policy = &report.policy;
    let mut rows = vec![
        Row::new(
            l.pick("Product", "Produkt"),
            format!("Siegel {}", env!("CARGO_PKG_VERSION")),
        ),
        Row::new(
            l.pick("Validation time", "Prüfzeitpunkt"),
            text::utc_and_local(l, report.validation_time),
        ),
        Row::new(
            l.pick("Validation policy", "Prüfrichtlinie"),
            l.pick(
                "ETSI EN 319 102-1: basic validation, with time and long-term material, and with archival data (§5.3, §5.5, §5.6); PDF changes judged by DocMDP/FieldMDP",
                "ETSI EN 319 102-1: Basisprüfung, mit Zeit- und Langzeitdaten und mit Archivdaten (§5.3, §5.5, §5.6); PDF-Änderungen nach DocMDP/FieldMDP beurteilt",
            ),
        ),
        Row::new(
            l.pick("Crypto profile", "Kryptoprofil"),
            policy.crypto_profile.clone(),
        ),
        Row::new(
            l.pick("Qualification based on", "Grundlage der Qualifikation"),
            // The report's sentence is English; the protocol says the same in its language.
            match &policy.trusted_lists {
                Some(basis) => format!(
                    "{} {} ({} {}), {} {}",
                    l.pick(
                        "EU trusted lists (ETSI TS 119 615): LOTL sequence",
                        "EU-Vertrauenslisten (ETSI TS 119 615): LOTL Nr.",
                    ),
                    basis.lotl.sequence,
                    l.pick("issued", "ausgegeben"),
                    basis.lotl.issued.format("%Y-%m-%d"),
                    basis.lists.len(),
                    l.pick("national list(s)", "nationale Liste(n)"),
                ),
                None => l
                    .pick(
                        "none: no trusted list was loaded, so no qualification is confirmed",
                        "keine: keine Vertrauensliste geladen, daher ist keine Qualifikation bestätigt",
                    )
                    .to_owned(),
            },
        ),
        Row::new(
            l.pick("Mode", "Modus"),
            if policy.online {
                l.pick(
                    "online (missing revocation data fetched)",
                    "online (fehlende Sperrinformationen abgerufen)",
                )
            } else {
                l.pick(
                    "offline (only data in the document)",
                    "offline (nur Daten aus dem Dokument)",
                )
            },
        ),
    ];
    let anchors = if policy.trust_anchors.is_empty() {
        l.pick("none", "keine").to_owned()
    } else {
        policy.trust_anchors.join("; ")
    };
    rows.push(Row::new(
        l.pick("Trust anchors", "Vertrauensanker"),
        anchors,
    ));
    Section {
        heading: l.pick("Validation", "Prüfung").to_owned(),
        blocks: vec![Block::Rows(rows)],
    }
}

/// Which issue of each trusted list the qualification statements rest on, and whether it was
/// current at the validation time (ETSI TS 119 615 §4.1).
fn trust_basis(basis: &report::TrustBasis, l: Language) -> Section {
    let describe = |list: &report::ListUsed| {
        let next = list.next_update.map_or_else(
            || l.pick("none announced", "keine angekündigt").to_owned(),
            |next| next.format("%Y-%m-%d").to_string(),
        );
        format!(
            "{} {}, {} {}, {} {}: {}",
            l.pick("sequence", "Nr."),
            list.sequence,
            l.pick("issued", "ausgegeben"),
            list.issued.format("%Y-%m-%d"),
            l.pick("next update", "nächste Aktualisierung"),
            next,
            if list.stale {
                l.pick("out of date", "veraltet")
            } else {
                l.pick("current", "aktuell")
            },
        )
    };
    let tone = |list: &report::ListUsed| if list.stale { Tone::Amber } else { Tone::Green };
    let mut rows = vec![Row::toned(
        l.pick("EU list of trusted lists", "EU-Liste der Vertrauenslisten"),
        describe(&basis.lotl),
        tone(&basis.lotl),
    )];
    rows.extend(
        basis
            .lists
            .iter()
            .map(|list| Row::toned(&list.territory, describe(list), tone(list))),
    );
    let mut blocks = vec![Block::Rows(rows)];
    if basis.lists.is_empty() {
        blocks.push(Block::Paragraph(
            l.pick(
                "No national list verified: no qualification can be confirmed.",
                "Keine nationale Liste verifiziert: keine Qualifikation kann bestätigt werden.",
            )
            .to_owned(),
        ));
    }
    Section {
        heading: l.pick("Trust basis", "Vertrauensbasis").to_owned(),
        blocks,
    }
}

fn document(report: &Report, l: Language) -> Section {
    let last = report
        .signatures
        .iter()
        .chain(&report.document_timestamps)
        .max_by_key(|s| s.revision.unwrap_or(0));
    let mut rows = vec![
        Row::new(l.pick("File", "Datei"), report.file.clone()),
        Row::new(l.pick("Size", "Größe"), text::size(l, report.size)),
        Row::new("SHA-256", text::hex_groups(&report.sha256)),
        Row::new(
            l.pick("Revisions", "Revisionen"),
            report.revisions.to_string(),
        ),
        Row::toned(
            l.pick("Valid signatures", "Gültige Signaturen"),
            format!(
                "{} {} {}",
                report.passed(),
                l.pick("of", "von"),
                report.signatures.len()
            ),
            report
                .signatures
                .iter()
                .map(|s| s.indication)
                .max()
                .map_or(Tone::Amber, Tone::of),
        ),
    ];
    if !report.document_timestamps.is_empty() {
        rows.push(Row::new(
            l.pick("Document time-stamps", "Dokumentzeitstempel"),
            report.document_timestamps.len().to_string(),
        ));
    }
    if let Some(last) = last {
        let covers = Row::new(
            l.pick(
                "Last signature covers the whole file",
                "Letzte Signatur umfasst die ganze Datei",
            ),
            text::yes_no(l, last.covers_whole_document),
        );
        // Only "no" needs attention; a green "yes" beside a failed signature would mislead.
        rows.push(Row {
            tone: (!last.covers_whole_document).then_some(Tone::Amber),
            ..covers
        });
    }
    let mut blocks = vec![Block::Rows(rows)];
    if !report.contents.is_empty() {
        blocks.push(Block::Caption(
            l.pick("Signed content", "Signierter Inhalt").to_owned(),
        ));
        blocks.push(Block::Rows(
            report.contents.iter().map(|c| content_row(c, l)).collect(),
        ));
    }
    blocks.extend(report.messages.iter().cloned().map(Block::Paragraph));
    Section {
        heading: l.pick("Document", "Dokument").to_owned(),
        blocks,
    }
}

/// One signed file: its size and the signatures that verify over it, red when none does.
fn content_row(content: &report::SignedContent, l: Language) -> Row {
    let size = content.size.map_or_else(
        || l.pick("size unknown", "Größe unbekannt").to_owned(),
        |s| text::size(l, s),
    );
    if content.signed_by.is_empty() {
        Row::toned(
            &content.name,
            format!(
                "{size}; {}",
                l.pick(
                    "covered by no valid signature",
                    "von keiner gültigen Signatur erfasst"
                )
            ),
            Tone::Red,
        )
    } else {
        Row::new(
            &content.name,
            format!(
                "{size}; {} {}",
                l.pick("signed by", "signiert durch"),
                content.signed_by.join(", ")
            ),
        )
    }
}

fn signature_section(
    report: &Report,
    signature: &report::Signature,
    n: usize,
    stamp: bool,
    l: Language,
) -> Section {
    let tone = Tone::of(signature.indication);
    let mut rows = vec![Row::toned(
        l.pick("Result", "Ergebnis"),
        format!(
            "{}. {}",
            text::indication(l, signature.indication),
            text::explain_indication(l, signature.indication)
        ),
        tone,
    )];
    if let Some(sub) = signature.subindication {
        rows.push(Row::toned(
            l.pick("Reason", "Grund"),
            format!("{}: {}", sub.name(), text::explain_subindication(l, sub)),
            tone,
        ));
    }
    rows.push(Row::new(
        l.pick("Signature field", "Signaturfeld"),
        signature.field.clone(),
    ));
    if !stamp {
        rows.push(Row::new(
            l.pick("Type", "Art"),
            text::kind(l, signature.kind),
        ));
        rows.push(Row::new(
            l.pick("Qualification", "Qualifikation"),
            text::qualification(l, signature.qualification),
        ));
        if let Some(service) = &signature.trust_service {
            rows.push(Row::new(
                l.pick(
                    "Trust service (trusted list)",
                    "Vertrauensdienst (Vertrauensliste)",
                ),
                service.describe(l),
            ));
        }
        for reason in &signature.qualification_reasons {
            rows.push(Row::new(
                l.pick("Qualification: why", "Qualifikation: Grund"),
                reason.text(l),
            ));
        }
    }
    if let Some(signer) = &signature.signer {
        rows.push(Row::new(
            if stamp {
                l.pick("Time-stamping authority", "Zeitstempeldienst")
            } else {
                l.pick("Signed by", "Signiert von")
            },
            signer.name.clone(),
        ));
        if let Some(organization) = &signer.organization {
            rows.push(Row::new(
                l.pick("Organisation", "Organisation"),
                organization.clone(),
            ));
        }
        if let Some(identifier) = &signer.organization_identifier {
            rows.push(Row::new(
                l.pick("Organisation identifier", "Organisationskennung"),
                identifier.clone(),
            ));
        }
        if let Some(serial) = &signer.serial_number {
            rows.push(Row::new(
                l.pick("Serial number (subject)", "Seriennummer (Inhaber)"),
                serial.clone(),
            ));
        }
        rows.push(Row::new(
            l.pick("Certificate subject", "Zertifikatsinhaber"),
            signer.subject.clone(),
        ));
    } else {
        rows.push(Row::toned(
            l.pick("Signed by", "Signiert von"),
            l.pick(
                "unknown (no signing certificate found)",
                "unbekannt (kein Signaturzertifikat gefunden)",
            ),
            Tone::Amber,
        ));
    }
    rows.push(Row::new(
        l.pick("Claimed signing time", "Behaupteter Signaturzeitpunkt"),
        signature.signing_time.map_or_else(
            || l.pick("not stated", "nicht angegeben").to_owned(),
            |t| text::utc(l, t),
        ),
    ));
    rows.push(Row::new(
        l.pick("Proven to exist at", "Nachweislich vorhanden am"),
        format!(
            "{} ({})",
            text::utc(l, signature.best_signature_time),
            best_time_source(report, signature, l)
        ),
    ));
    rows.push(Row::new(
        l.pick("Scope", "Umfang"),
        scope(report, signature, l),
    ));
    if let Some(level) = &signature.level {
        rows.push(Row::new(l.pick("Level", "Niveau"), level.name()));
    }
    if let Some(algorithm) = &signature.algorithm {
        rows.push(Row::new(
            l.pick("Algorithm", "Algorithmus"),
            algorithm.to_string(),
        ));
    }
    if let Some(key) = &signature.public_key {
        rows.push(Row::new(
            l.pick("Public key", "Öffentlicher Schlüssel"),
            key.clone(),
        ));
    }
    for modification in &signature.modifications {
        let tone = match modification.verdict {
            Judgement::NotAllowed | Judgement::NotAnalysable => Some(Tone::Red),
            Judgement::Allowed => Some(Tone::Green),
            Judgement::Note => None,
        };
        let row = Row::new(
            l.pick("Change after signing", "Änderung nach Signatur"),
            modification.to_string(),
        );
        rows.push(Row { tone, ..row });
    }
    for finding in &signature.findings {
        rows.push(Row::toned(
            l.pick("Finding", "Befund"),
            format!("{}: {}", finding.id, finding.detail),
            Tone::Red,
        ));
    }
    let mut blocks = vec![Block::Light(tone), Block::Rows(rows)];
    blocks.extend(signature.messages.iter().cloned().map(Block::Paragraph));
    if !signature.chain.is_empty() {
        blocks.push(Block::Caption(
            l.pick("Certificate chain", "Zertifikatskette").to_owned(),
        ));
        for (index, certificate) in signature.chain.iter().enumerate() {
            blocks.push(Block::Rows(certificate_rows(certificate, index, l)));
        }
    }
    if !signature.timestamps.is_empty() {
        blocks.push(Block::Caption(
            l.pick("Time-stamps", "Zeitstempel").to_owned(),
        ));
        for timestamp in &signature.timestamps {
            blocks.push(Block::Rows(timestamp_rows(timestamp, l)));
        }
    }
    if !signature.revocation.is_empty() {
        blocks.push(Block::Caption(
            l.pick("Revocation checks", "Sperrprüfungen").to_owned(),
        ));
        blocks.extend(signature.revocation.iter().cloned().map(Block::Paragraph));
    }
    Section {
        heading: title(signature, n, stamp, l),
        blocks,
    }
}

/// On what the best-signature-time rests (EN 319 102-1 §5.6.2.1): a time-stamp, or nothing
/// but the validation itself.
fn best_time_source(report: &Report, signature: &report::Signature, l: Language) -> String {
    let stamp = signature.timestamps.iter().find(|t| {
        t.indication == Indication::TotalPassed && t.time == Some(signature.best_signature_time)
    });
    if let Some(stamp) = stamp {
        let kind = text::timestamp_kind(l, stamp.kind);
        return match &stamp.tsa {
            Some(tsa) => format!("{kind}, {tsa}"),
            None => kind.to_owned(),
        };
    }
    if signature.best_signature_time == report.validation_time {
        l.pick(
            "no proof of existence: the validation time",
            "kein Existenznachweis: der Prüfzeitpunkt",
        )
        .to_owned()
    } else {
        l.pick(
            "a later document time-stamp",
            "ein späterer Dokumentzeitstempel",
        )
        .to_owned()
    }
}

fn scope(report: &Report, signature: &report::Signature, l: Language) -> String {
    if signature.covers_whole_document {
        return l
            .pick("the whole document", "das gesamte Dokument")
            .to_owned();
    }
    match signature.revision {
        Some(revision) => match l {
            Language::De => format!(
                "Revision {revision} von {}; spätere Änderungen siehe unten",
                report.revisions
            ),
            Language::En => format!(
                "revision {revision} of {}; later changes below",
                report.revisions
            ),
        },
        None => l.pick("unknown", "unbekannt").to_owned(),
    }
}

fn certificate_rows(certificate: &report::ChainCertificate, index: usize, l: Language) -> Vec<Row> {
    let role = if index == 0 {
        l.pick("signer's certificate", "Zertifikat des Unterzeichners")
    } else if certificate.trust_anchor {
        l.pick("trust anchor", "Vertrauensanker")
    } else {
        l.pick("certificate authority", "Zertifizierungsstelle")
    };
    let mut rows = vec![
        Row::new(
            &format!("{}. {}", index + 1, l.pick("Subject", "Inhaber")),
            format!("{} ({role})", certificate.subject),
        ),
        Row::new(l.pick("Issuer", "Aussteller"), certificate.issuer.clone()),
        Row::new(
            l.pick("Serial number", "Seriennummer"),
            certificate.serial.clone(),
        ),
        Row::new(
            l.pick("Valid", "Gültig"),
            format!(
                "{} {} {}",
                text::date(l, certificate.not_before),
                l.pick("to", "bis"),
                text::date(l, certificate.not_after)
            ),
        ),
        Row::new(
            l.pick("SHA-256 fingerprint", "SHA-256-Fingerabdruck"),
            text::hex_groups(&certificate.sha256),
        ),
    ];
    if let Some(revocation) = &certificate.revocation {
        let tone = match revocation.status {
            report::RevocationStatus::Good => Tone::Green,
            report::RevocationStatus::Revoked => Tone::Red,
            _ => Tone::Amber,
        };
        let mut value = text::revocation_status(l, revocation.status).to_owned();
        if let Some(at) = revocation.revoked_at {
            value.push_str(&format!(
                " {} {}",
                l.pick("since", "seit"),
                text::utc(l, at)
            ));
        }
        if let Some(source) = &revocation.source {
            value.push_str(&format!("; {source}"));
        }
        if !revocation.detail.is_empty() {
            value.push_str(&format!("; {}", revocation.detail));
        }
        rows.push(Row::toned(l.pick("Revocation", "Sperrstatus"), value, tone));
    } else if certificate.trust_anchor {
        rows.push(Row::new(
            l.pick("Revocation", "Sperrstatus"),
            l.pick(
                "not applicable (trust anchor)",
                "entfällt (Vertrauensanker)",
            ),
        ));
    }
    rows
}

fn timestamp_rows(timestamp: &report::Timestamp, l: Language) -> Vec<Row> {
    let mut rows = vec![Row::new(
        l.pick("Kind", "Art"),
        text::timestamp_kind(l, timestamp.kind),
    )];
    if let Some(time) = timestamp.time {
        rows.push(Row::new(l.pick("Time", "Zeit"), text::utc(l, time)));
    }
    rows.push(Row::new(
        l.pick("Authority", "Zeitstempeldienst"),
        timestamp
            .tsa
            .clone()
            .unwrap_or_else(|| l.pick("unknown", "unbekannt").to_owned()),
    ));
    rows.push(Row::new(
        l.pick("Qualified (trusted list)", "Qualifiziert (Vertrauensliste)"),
        match &timestamp.qualified_by {
            Some(service) => format!(
                "{}: {}",
                l.pick("qualified time-stamp", "qualifizierter Zeitstempel"),
                service.describe(l)
            ),
            None => l
                .pick(
                    "not confirmed: no trusted list names the authority as a granted qualified time-stamping service",
                    "nicht bestätigt: keine Vertrauensliste nennt den Dienst als anerkannten qualifizierten Zeitstempeldienst",
                )
                .to_owned(),
        },
    ));
    let mut result = text::indication(l, timestamp.indication);
    if let Some(sub) = timestamp.subindication {
        result.push_str(&format!(", {}", sub.name()));
    }
    if !timestamp.detail.is_empty() {
        result.push_str(&format!(": {}", timestamp.detail));
    }
    rows.push(Row::toned(
        l.pick("Result", "Ergebnis"),
        result,
        Tone::of(timestamp.indication),
    ));
    rows
}

/// Every technical check with its stable id, so a specialist can retrace the verdict.
fn annex(report: &Report, l: Language) -> Section {
    let mut blocks = vec![Block::Paragraph(
        l.pick(
            "The checks run for each signature, in order, with their identifiers. The machine-readable ETSI TS 119 102-2 report and the JSON report are attached to this PDF.",
            "Die je Signatur ausgeführten Prüfungen in ihrer Reihenfolge, mit ihren Kennungen. Der maschinenlesbare Bericht nach ETSI TS 119 102-2 und der JSON-Bericht sind diesem PDF als Anlagen beigefügt.",
        )
        .to_owned(),
    )];
    let entries = report
        .signatures
        .iter()
        .enumerate()
        .map(|(i, s)| (s, i + 1, false))
        .chain(
            report
                .document_timestamps
                .iter()
                .enumerate()
                .map(|(i, s)| (s, i + 1, true)),
        );
    for (signature, n, stamp) in entries {
        blocks.push(Block::Caption(title(signature, n, stamp, l)));
        let rows = signature
            .checks
            .iter()
            .map(|check| {
                let outcome = if check.passed {
                    l.pick("passed", "bestanden")
                } else {
                    l.pick("failed", "nicht bestanden")
                };
                let row = Row::new(check.id, format!("{outcome}: {}", check.detail));
                // Only failures stand out; a page of green says less than one red line.
                Row {
                    tone: (!check.passed).then_some(Tone::Red),
                    ..row
                }
            })
            .collect();
        blocks.push(Block::Rows(rows));
    }
    Section {
        heading: l
            .pick("Annex: technical checks", "Anhang: technische Prüfungen")
            .to_owned(),
        blocks,
    }
}
