//! One card per signature or document time-stamp: who, what kind, how qualified, when, what
//! it covers and what was found; chain, revocation and time-stamps behind "details".

use chrono::{DateTime, Utc};
use iced::widget::{column, row, text};
use iced::{Alignment, Element, Length};
use siegel::certificate::Kind;
use siegel::trust::qualification::Qualification;
use siegel::validate::report::Signature;

use super::{Message, tone};
use crate::i18n::{Language, Texts};
use crate::theme::Tone;
use crate::{font, widget};

pub fn view<'a>(
    signature: &'a Signature,
    is_timestamp: bool,
    expanded: bool,
    focused: bool,
    toggle: Message,
    language: Language,
) -> Element<'a, Message> {
    let t = |key| language.t(key);
    // Names, messages and findings come from the document: shown, never obeyed (control and
    // bidirectional formatting characters as visible escapes).
    let shown = |text: &str| siegel::text::printable(text).into_owned();
    let name = if is_timestamp {
        signature
            .timestamps
            .first()
            .and_then(|ts| ts.tsa.clone())
            .or_else(|| signature.signer.as_ref().map(|s| s.name.clone()))
            .unwrap_or_else(|| signature.field.clone())
    } else {
        signature
            .signer
            .as_ref()
            .map_or_else(|| t("card.unknown_signer").to_owned(), |s| s.name.clone())
    };
    let name = shown(&name);
    let mut badges = row![widget::badge(
        match signature.indication {
            siegel::validate::Indication::TotalPassed => t("card.valid"),
            siegel::validate::Indication::Indeterminate => t("card.indeterminate"),
            siegel::validate::Indication::TotalFailed => t("card.invalid"),
        },
        tone(signature.indication),
    )]
    .spacing(8);
    if is_timestamp {
        badges = badges.push(widget::badge(t("card.document_timestamp"), Tone::Neutral));
    } else {
        badges = badges.push(widget::badge(
            match signature.kind {
                Some(Kind::Seal) => t("card.seal"),
                Some(Kind::Signature) => t("card.signature"),
                None => t("card.kind_unknown"),
            },
            Tone::Neutral,
        ));
    }
    if let Some(qualification) = signature.qualification {
        // Green only when a trusted list confirmed it.
        let qualified = matches!(qualification, Qualification::QeSig | Qualification::QeSeal);
        badges = badges.push(widget::badge(
            qualification.to_string(),
            if qualified { Tone::Good } else { Tone::Neutral },
        ));
    }
    if let Some(level) = &signature.level {
        badges = badges.push(widget::badge(level.name(), Tone::Neutral));
    }

    let indication = match signature.subindication {
        Some(sub) => format!("{} / {}", signature.indication.name(), sub.name()),
        None => signature.indication.name().to_owned(),
    };
    let mut fields = column![].spacing(6);
    if let Some(signer) = &signature.signer
        && let Some(organization) = &signer.organization
    {
        fields = fields.push(widget::field(t("card.organization"), shown(organization)));
    }
    fields = fields
        .push(widget::field(t("card.indication"), indication))
        .push(widget::field(
            t("card.signing_time"),
            signature
                .signing_time
                .map_or_else(|| t("card.none").to_owned(), time),
        ))
        .push(widget::field(
            t("card.best_time"),
            time(signature.best_signature_time),
        ))
        .push(widget::field(
            t("card.scope"),
            if signature.covers_whole_document {
                t("card.scope_whole").to_owned()
            } else {
                language.f(
                    "card.scope_revision",
                    &[(
                        "revision",
                        &signature.revision.map_or("?".into(), |r| r.to_string()),
                    )],
                )
            },
        ));
    if !is_timestamp {
        // What the qualification rests on: the listed service, or why nothing confirms it.
        fields = fields.push(widget::field(
            t("card.qualification_basis"),
            match &signature.trust_service {
                Some(service) => shown(&service.describe(language)),
                None => t("card.qualification_unconfirmed").to_owned(),
            },
        ));
    }
    if let Some(algorithm) = &signature.algorithm {
        fields = fields.push(widget::field(
            t("card.algorithm"),
            shown(&algorithm.to_string()),
        ));
    }

    let mut body = column![
        row![
            text(name).size(18).font(font::BOLD).width(Length::Fill),
            badges
        ]
        .align_y(Alignment::Center)
        .spacing(12),
        fields,
    ]
    .spacing(12);

    // Findings: the messages and every failed check, in plain view.
    let findings: Vec<String> = signature
        .findings
        .iter()
        .map(|f| format!("{}: {}", f.id, f.detail))
        .chain(signature.messages.iter().cloned())
        .chain(
            signature
                .checks
                .iter()
                .filter(|c| !c.passed)
                .map(|c| format!("{}: {}", c.id, c.detail)),
        )
        .collect();
    if !findings.is_empty() {
        body = body.push(list(t("card.findings"), findings));
    }
    if !signature.modifications.is_empty() {
        body = body.push(list(
            t("card.modifications"),
            signature
                .modifications
                .iter()
                .map(|m| m.to_string())
                .collect(),
        ));
    }
    body = body.push(widget::ring(
        widget::link(
            if expanded {
                t("card.hide_details")
            } else {
                t("card.show_details")
            },
            toggle,
        ),
        focused,
    ));
    if expanded {
        body = body.push(details(signature, language));
    }
    widget::card(body)
}

fn details<'a>(signature: &'a Signature, language: Language) -> Element<'a, Message> {
    let t = |key| language.t(key);
    let chain = signature
        .chain
        .iter()
        .map(|c| {
            format!(
                "{}{}\n    {} {}  ·  {} {} – {}  ·  SHA-256 {}",
                c.subject,
                if c.trust_anchor {
                    format!("  [{}]", t("card.trust_anchor"))
                } else {
                    String::new()
                },
                t("card.issuer"),
                c.issuer,
                t("card.valid_from"),
                c.not_before.format("%Y-%m-%d"),
                c.not_after.format("%Y-%m-%d"),
                c.sha256.get(..16).unwrap_or(&c.sha256),
            )
        })
        .collect();
    let timestamps = signature
        .timestamps
        .iter()
        .map(|ts| {
            format!(
                "{} · {}{} · {} · {}",
                ts.time.map_or_else(|| "?".to_owned(), time),
                ts.tsa.as_deref().unwrap_or("?"),
                if ts.qualified_by.is_some() {
                    t("card.qualified_timestamp")
                } else {
                    ""
                },
                ts.indication.name(),
                ts.detail
            )
        })
        .collect();
    let checks = signature
        .checks
        .iter()
        .map(|c| {
            format!(
                "{} {}: {}",
                if c.passed { "✓" } else { "✗" },
                c.id,
                c.detail
            )
        })
        .collect();
    column![
        list(t("card.chain"), chain),
        list(t("card.revocation"), signature.revocation.clone()),
        list(t("card.timestamps"), timestamps),
        list(t("card.checks"), checks),
    ]
    .spacing(12)
    .into()
}

fn list<'a>(title: &'a str, lines: Vec<String>) -> Element<'a, Message> {
    let mut column = column![text(title).size(14).font(font::BOLD)].spacing(4);
    if lines.is_empty() {
        column = column.push(widget::muted("–"));
    }
    for line in lines {
        // Every list shows what the document says (chain, revocation, findings, changes).
        let line = siegel::text::printable_lines(&line).into_owned();
        column = column.push(text(line).size(13));
    }
    column.into()
}

/// Times as people read them, in UTC so every reader of a protocol sees the same.
pub fn time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}
