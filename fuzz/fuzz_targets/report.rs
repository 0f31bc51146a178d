//! The protocol renderers fed arbitrary text: a [`Report`] whose names, subjects, details and
//! messages come from the input, rendered as ETSI XML, HTML, JSON and PDF/A in both languages.
//! Every format must stay valid for every string: the XML well-formed XML 1.0 (read back with
//! quick-xml), the HTML with the template's markup only and no hidden characters, the JSON
//! readable, and the PDF rendered and readable.
#![no_main]

use chrono::{DateTime, Utc};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use quick_xml::events::Event;
use siegel::algorithm::{Digest, Scheme, Verified};
use siegel::certificate::Kind;
use siegel::protocol::{self, Format};
use siegel::text::Language;
use siegel::trust::qualification::Qualification;
use siegel::validate::report::{
    ChainCertificate, Check, Finding, Indication, Judgement, Modification, Policy, Profile, Report,
    Revocation, RevocationStatus, Signature, Signer, SubIndication, Timestamp, TimestampKind,
};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(report) = make_report(&mut Unstructured::new(data), false) else {
        return;
    };
    // The same report with every string "x" (or empty where it is): the template's own
    // markup, for comparison.
    let Ok(blank) = make_report(&mut Unstructured::new(data), true) else {
        return;
    };
    let language = if data.first().is_some_and(|b| b & 1 == 1) {
        Language::De
    } else {
        Language::En
    };
    let render = |format| match protocol::render(&report, format, language) {
        Ok(bytes) => bytes,
        Err(error) => panic!("cannot render {format:?}: {error}"),
    };
    assert_well_formed(&render(Format::Xml));
    let template = protocol::render(&blank, Format::Html, language).unwrap_or_default();
    assert_safe_html(&render(Format::Html), &template);
    if let Err(error) = serde_json::from_slice::<serde_json::Value>(&render(Format::Json)) {
        panic!("the JSON report does not read back: {error}");
    }
    let pdf = render(Format::Pdf);
    let opened = siegel::pdf::File::new(std::io::Cursor::new(&pdf));
    if let Err(error) = opened.and_then(|mut file| file.first_page()) {
        panic!("the PDF protocol does not read back: {error}");
    }
});

/// Well-formed XML 1.0 (§2.1, §2.2, §4.1): one root, tags balanced, attributes well-formed,
/// every character and every character reference an XML `Char`, only predefined entities.
fn assert_well_formed(xml: &[u8]) {
    let Ok(text) = std::str::from_utf8(xml) else {
        panic!("the XML is not UTF-8");
    };
    if let Some(c) = text.chars().find(|c| !is_xml_char(*c)) {
        panic!(
            "the XML holds U+{:04X}, which XML 1.0 forbids",
            u32::from(c)
        );
    }
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let (mut depth, mut roots) = (0usize, 0usize);
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(error) => panic!("the XML is not well-formed: {error}"),
        };
        match &event {
            Event::Start(tag) | Event::Empty(tag) => {
                if depth == 0 {
                    roots += 1;
                }
                for attribute in tag.attributes() {
                    let value = attribute.map_err(quick_xml::Error::from).and_then(|a| {
                        Ok(a.normalized_value(quick_xml::XmlVersion::Implicit1_0)?
                            .into_owned())
                    });
                    match value {
                        Ok(value) if value.chars().all(is_xml_char) => {}
                        Ok(_) => panic!("an XML attribute refers to a forbidden character"),
                        Err(error) => panic!("an XML attribute is not well-formed: {error}"),
                    }
                }
                if matches!(event, Event::Start(_)) {
                    depth += 1;
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::GeneralRef(reference) => match reference.resolve_char_ref() {
                Ok(Some(c)) if is_xml_char(c) => {}
                Ok(None) if matches!(&**reference, "lt" | "gt" | "amp" | "apos" | "quot") => {}
                _ => panic!("the XML refers to &{};", &**reference),
            },
            Event::Text(text) if depth == 0 && !text.trim().is_empty() => {
                panic!("the XML has text outside its root")
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(
        (depth, roots),
        (0, 1),
        "the XML must have exactly one closed root"
    );
}

/// `Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The input's text adds no markup: the page has the same tags as the template's (the same
/// report with every string "x"), and no hidden character (control, bidirectional formatting)
/// but the template's own line feeds.
fn assert_safe_html(html: &[u8], template: &[u8]) {
    let Ok(html) = std::str::from_utf8(html) else {
        panic!("the HTML is not UTF-8");
    };
    if let Some(c) = html
        .chars()
        .find(|c| *c != '\n' && siegel::text::is_hidden(*c))
    {
        panic!("the HTML holds the hidden character U+{:04X}", u32::from(c));
    }
    let template = String::from_utf8_lossy(template);
    assert_eq!(
        tags(html),
        tags(&template),
        "the input's text changed the HTML's markup"
    );
}

/// The names of the tags in `html`, in order (`p`, `/p`, `!--`, ...).
fn tags(html: &str) -> Vec<&str> {
    html.split('<')
        .skip(1)
        .map(|tag| {
            let end = tag
                .find(|c: char| c.is_whitespace() || c == '>')
                .unwrap_or(tag.len());
            &tag[..end]
        })
        .collect()
}

/// A report made of the input: text fields take strings from it (or "x" for a `blank` one), the
/// rest are chosen by it.
fn make_report(u: &mut Unstructured, blank: bool) -> Result<Report> {
    let mut text = |u: &mut Unstructured| -> Result<String> {
        let string: String = u.arbitrary()?;
        Ok(if blank && !string.is_empty() {
            "x".to_owned()
        } else {
            string
        })
    };
    let mut signatures = Vec::new();
    let mut document_timestamps = Vec::new();
    for _ in 0..u.int_in_range(0..=3)? {
        signatures.push(signature(u, &mut text)?);
    }
    for _ in 0..u.int_in_range(0..=1)? {
        document_timestamps.push(signature(u, &mut text)?);
    }
    Ok(Report {
        file: text(u)?,
        sha256: text(u)?,
        size: u.arbitrary()?,
        validation_time: time(u)?,
        signatures,
        document_timestamps,
        indication: indication(u)?,
        revisions: u.arbitrary()?,
        policy: Policy {
            crypto_profile: text(u)?,
            online: u.arbitrary()?,
            trust_anchors: vec![text(u)?],
            qualification_basis: text(u)?,
            trusted_lists: if u.arbitrary()? {
                Some(siegel::validate::report::TrustBasis {
                    lotl: list_used(u, &mut text)?,
                    lists: vec![list_used(u, &mut text)?],
                })
            } else {
                None
            },
        },
        messages: vec![text(u)?, text(u)?],
        contents: vec![siegel::validate::report::SignedContent {
            name: text(u)?,
            size: u.arbitrary()?,
            signed_by: vec![text(u)?],
        }],
    })
}

fn list_used(u: &mut Unstructured, text: &mut Text) -> Result<siegel::validate::report::ListUsed> {
    Ok(siegel::validate::report::ListUsed {
        territory: text(u)?,
        sequence: u.arbitrary()?,
        issued: time(u)?,
        next_update: if u.arbitrary()? { Some(time(u)?) } else { None },
        location: optional(u, text)?,
        sha256: text(u)?,
        stale: u.arbitrary()?,
    })
}

fn trust_service(
    u: &mut Unstructured,
    text: &mut Text,
) -> Result<Option<siegel::validate::report::TrustService>> {
    if !u.arbitrary()? {
        return Ok(None);
    }
    Ok(Some(siegel::validate::report::TrustService {
        territory: text(u)?,
        provider: text(u)?,
        service: text(u)?,
        status: text(u)?,
        since: time(u)?,
    }))
}

type Text<'a> = dyn FnMut(&mut Unstructured) -> Result<String> + 'a;

fn signature(u: &mut Unstructured, text: &mut Text) -> Result<Signature> {
    const LEVELS: &[Option<Profile>] = &[
        None,
        Some(Profile::PadesB),
        Some(Profile::PadesT),
        Some(Profile::PadesLt),
        Some(Profile::PadesLta),
        Some(Profile::Pkcs7B),
        Some(Profile::CadesB),
        Some(Profile::CadesLta),
        Some(Profile::DocumentTimestamp),
    ];
    const JUDGEMENTS: &[Judgement] = &[
        Judgement::Allowed,
        Judgement::NotAllowed,
        Judgement::NotAnalysable,
        Judgement::Note,
    ];
    const FINDINGS: &[&str] = &[
        "SIGNATURE_WRAPPING",
        "UNIVERSAL_SIGNATURE_FORGERY",
        "INCREMENTAL_SAVING_ATTACK",
        "SHADOW_ATTACK_REPLACE",
        "EVIL_ANNOTATION_ATTACK",
        "SIGNATURE_DICTIONARY_SPOOFING",
        "VISUAL_CHANGE",
    ];
    const CHECKS: &[&str] = &["byte-range", "message-digest", "signature-value", "visual"];
    let level = *u.choose(LEVELS)?;
    Ok(Signature {
        field: text(u)?,
        signer: if u.arbitrary()? {
            Some(Signer {
                name: text(u)?,
                subject: text(u)?,
                organization: optional(u, text)?,
                organization_identifier: optional(u, text)?,
                serial_number: optional(u, text)?,
            })
        } else {
            None
        },
        kind: *u.choose(&[None, Some(Kind::Signature), Some(Kind::Seal)])?,
        level,
        qualification: *u.choose(&[
            None,
            Some(Qualification::QeSig),
            Some(Qualification::QeSeal),
            Some(Qualification::AdeSigQc),
            Some(Qualification::AdeSealQc),
            Some(Qualification::AdeSig),
            Some(Qualification::AdeSeal),
            Some(Qualification::Indeterminate),
            Some(Qualification::NotDetermined),
        ])?,
        qualification_reasons: vec![
            siegel::trust::qualification::Reason::NotQualifiedCa {
                at: siegel::trust::qualification::Moment::Issuance,
                kind: text(u)?,
            },
            siegel::trust::qualification::Reason::NotGranted {
                at: siegel::trust::qualification::Moment::SigningTime,
                status: text(u)?,
                since: time(u)?,
            },
        ],
        trust_service: trust_service(u, text)?,
        signing_time: if u.arbitrary()? { Some(time(u)?) } else { None },
        best_signature_time: time(u)?,
        indication: indication(u)?,
        subindication: subindication(u)?,
        revision: u.arbitrary()?,
        covers_whole_document: u.arbitrary()?,
        modifications: vec![Modification::new(*u.choose(JUDGEMENTS)?, text(u)?)],
        chain: vec![ChainCertificate {
            subject: text(u)?,
            issuer: text(u)?,
            serial: text(u)?,
            not_before: time(u)?,
            not_after: time(u)?,
            sha256: text(u)?,
            trust_anchor: u.arbitrary()?,
            revocation: if u.arbitrary()? {
                Some(Revocation {
                    status: *u.choose(&[
                        RevocationStatus::Good,
                        RevocationStatus::Revoked,
                        RevocationStatus::Unknown,
                        RevocationStatus::NotChecked,
                    ])?,
                    source: optional(u, text)?,
                    revoked_at: if u.arbitrary()? { Some(time(u)?) } else { None },
                    detail: text(u)?,
                })
            } else {
                None
            },
        }],
        timestamps: vec![Timestamp {
            kind: *u.choose(&[
                TimestampKind::Signature,
                TimestampKind::Document,
                TimestampKind::Archive,
            ])?,
            time: if u.arbitrary()? { Some(time(u)?) } else { None },
            tsa: optional(u, text)?,
            indication: indication(u)?,
            subindication: subindication(u)?,
            detail: text(u)?,
            qualified_by: trust_service(u, text)?,
        }],
        revocation: vec![text(u)?],
        algorithm: if u.arbitrary()? {
            Some(Verified {
                scheme: *u.choose(&[
                    Scheme::RsaPkcs1,
                    Scheme::RsaPss {
                        salt_length: 32,
                        mgf1: Digest::Sha256,
                    },
                    Scheme::Ecdsa,
                    Scheme::PlainEcdsa,
                ])?,
                digest: *u.choose(&[
                    Digest::Sha1,
                    Digest::Sha256,
                    Digest::Sha384,
                    Digest::Sha512,
                ])?,
            })
        } else {
            None
        },
        public_key: optional(u, text)?,
        findings: vec![Finding {
            id: u.choose(FINDINGS)?,
            detail: text(u)?,
        }],
        checks: vec![Check {
            id: u.choose(CHECKS)?,
            passed: u.arbitrary()?,
            detail: text(u)?,
        }],
        messages: vec![text(u)?],
        counter_signs: optional(u, text)?,
    })
}

fn optional(u: &mut Unstructured, text: &mut Text) -> Result<Option<String>> {
    Ok(if u.arbitrary()? { Some(text(u)?) } else { None })
}

/// Any instant chrono can represent.
fn time(u: &mut Unstructured) -> Result<DateTime<Utc>> {
    let seconds = u.int_in_range(
        DateTime::<Utc>::MIN_UTC.timestamp()..=DateTime::<Utc>::MAX_UTC.timestamp(),
    )?;
    Ok(DateTime::from_timestamp(seconds, 0).unwrap_or_default())
}

fn indication(u: &mut Unstructured) -> Result<Indication> {
    Ok(*u.choose(&[
        Indication::TotalPassed,
        Indication::Indeterminate,
        Indication::TotalFailed,
    ])?)
}

fn subindication(u: &mut Unstructured) -> Result<Option<SubIndication>> {
    use SubIndication::*;
    Ok(*u.choose(&[
        None,
        Some(FormatFailure),
        Some(HashFailure),
        Some(SigCryptoFailure),
        Some(Revoked),
        Some(SigConstraintsFailure),
        Some(ChainConstraintsFailure),
        Some(CertificateChainGeneralFailure),
        Some(CryptoConstraintsFailure),
        Some(CryptoConstraintsFailureNoPoe),
        Some(ExpiredNoPoe),
        Some(NotYetValid),
        Some(OutOfBoundsNoPoe),
        Some(OutOfBoundsNotRevoked),
        Some(RevokedNoPoe),
        Some(RevokedCaNoPoe),
        Some(NoCertificateChainFound),
        Some(NoSigningCertificateFound),
        Some(SignedDataNotFound),
        Some(TimestampOrderFailure),
        Some(TryLater),
    ])?)
}
