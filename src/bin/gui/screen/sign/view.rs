//! The sign / seal screen's layout: documents on the left, key and options on the right, the
//! main action and progress below.

use iced::widget::{
    Space, button, column, container, pick_list, progress_bar, row, scrollable, text, text_input,
};
use iced::{Alignment, Element, Length, Padding};
use siegel::certificate::Kind;
use siegel::sign;

use super::placement;
use super::{Focus, Keys, Message, Run, Selected, Sign, State};
use crate::i18n::{Language, Texts};
use crate::screen::start::display_name;
use crate::theme::{self, Tone};
use crate::{font, widget};

pub const P12_INPUT: &str = "sign-p12-path";
pub const REASON_INPUT: &str = "sign-reason";
pub const LOCATION_INPUT: &str = "sign-location";

pub fn view(screen: &Sign, language: Language) -> Element<'_, Message> {
    let t = |key| language.t(key);
    let seal = screen.intent == Kind::Seal;
    let header = row![
        widget::ring(
            widget::secondary(t("common.back"), (!screen.busy()).then_some(Message::Back)),
            screen.focus.is(Focus::Back)
        ),
        column![
            widget::heading(if seal {
                t("sign.title_seal")
            } else {
                t("sign.title_sign")
            }),
            widget::muted(if seal {
                t("sign.hint_seal")
            } else {
                t("sign.hint_sign")
            }),
        ]
        .spacing(2)
        .width(Length::Fill),
    ]
    .spacing(20)
    .align_y(Alignment::Center);

    let body = row![
        column![documents(screen, language)]
            .width(Length::FillPortion(11))
            .spacing(16),
        column![key_source(screen, language), options(screen, language)]
            .width(Length::FillPortion(10))
            .spacing(16),
    ]
    .spacing(20);

    let mut content = column![header].spacing(18);
    if let Some((cause, details)) = &screen.error {
        content = content.push(widget::error(cause, details));
    }
    content = content.push(body).push(footer(screen, language));
    scrollable(
        container(content.max_width(1180))
            .padding(Padding::from([28, 36]))
            .center_x(Length::Fill),
    )
    .height(Length::Fill)
    .into()
}

fn documents(screen: &Sign, language: Language) -> Element<'_, Message> {
    let t = |key| language.t(key);
    let mut list = column![].spacing(8);
    for (index, document) in screen.documents.iter().enumerate() {
        let (label, tone) = match &document.state {
            State::Queued => (t("sign.state_queued").to_owned(), Tone::Neutral),
            State::Signing => (t("sign.state_signing").to_owned(), Tone::Doubtful),
            State::Done(_) => (t("sign.state_done").to_owned(), Tone::Good),
            State::Failed(_) => (t("sign.state_failed").to_owned(), Tone::Bad),
            State::Skipped => (t("sign.state_skipped").to_owned(), Tone::Neutral),
        };
        let mut line = column![
            row![
                text(display_name(&document.path))
                    .size(15)
                    .font(font::BOLD)
                    .width(Length::Fill),
                widget::badge(label, tone),
            ]
            .spacing(10)
            .align_y(Alignment::Center),
        ]
        .spacing(4);
        match &document.state {
            State::Done(output) => {
                line = line.push(widget::muted(
                    language.f("sign.written_to", &[("name", &display_name(output))]),
                ));
            }
            State::Failed(reason) => {
                line = line.push(text(reason.as_str()).size(13).color(theme::RED));
            }
            State::Queued if !screen.busy() => {
                line = line.push(widget::ring(
                    widget::link(t("start.remove"), Message::Remove(index)),
                    screen.focus.is(Focus::Remove(index)),
                ));
            }
            _ => {}
        }
        list = list.push(line);
    }
    widget::card(
        column![
            row![
                widget::subheading(language.f(
                    "sign.documents",
                    &[("count", &screen.documents.len().to_string())]
                )),
                Space::new().width(Length::Fill),
                widget::secondary(t("sign.add"), (!screen.busy()).then_some(Message::AddFiles)),
            ]
            .align_y(Alignment::Center),
            scrollable(list).height(Length::Fixed(360.0)),
        ]
        .spacing(12),
    )
}

fn key_source(screen: &Sign, language: Language) -> Element<'_, Message> {
    let t = |key| language.t(key);
    let now = chrono::Utc::now();
    let mut list = column![].spacing(8);
    match &screen.keys {
        Keys::Loading => list = list.push(widget::muted(t("sign.searching"))),
        Keys::Loaded { choices, problems } => {
            if choices.is_empty() {
                list = list.push(widget::muted(t("sign.no_tokens")));
            }
            for (index, choice) in choices.iter().enumerate() {
                let fit = choice.fit(screen.intent, now);
                let selected = screen.selected == Some(Selected::Token(index));
                let mut badges = row![].spacing(6);
                if let Some(certificate) = &choice.key.certificate {
                    badges = badges.push(widget::badge(
                        match certificate.declared_kind() {
                            Some(Kind::Seal) => t("card.seal"),
                            Some(Kind::Signature) => t("card.signature"),
                            None => t("card.kind_unknown"),
                        },
                        Tone::Neutral,
                    ));
                    if choice.qualified() {
                        badges = badges.push(widget::badge(t("sign.qualified"), Tone::Good));
                    }
                }
                let validity = choice.key.certificate.as_ref().map_or(String::new(), |c| {
                    language.f(
                        "sign.valid_until",
                        &[("date", &c.not_after().format("%Y-%m-%d").to_string())],
                    )
                });
                let mut entry = column![
                    row![
                        text(siegel::text::printable(&choice.holder()).into_owned())
                            .size(15)
                            .font(font::BOLD)
                            .width(Length::Fill),
                        badges
                    ]
                    .spacing(8)
                    .align_y(Alignment::Center),
                    widget::muted(format!(
                        "{} · {} · {validity}",
                        siegel::text::printable(&choice.token.label),
                        choice.key.key_type
                    )),
                ]
                .spacing(4);
                let why = fit
                    .as_ref()
                    .err()
                    .map(|error| super::refusal(language, error));
                if let Some(why) = why {
                    entry = entry.push(text(why).size(13).color(theme::AMBER));
                }
                list = list.push(widget::ring(
                    button(entry)
                        .width(Length::Fill)
                        .padding(12)
                        .style(theme::choice(selected))
                        .on_press_maybe(
                            (fit.is_ok() && !screen.busy()).then_some(Message::SelectKey(index)),
                        ),
                    screen.focus.is(Focus::Key(index)),
                ));
            }
            for problem in problems {
                list = list.push(text(problem.as_str()).size(12).color(theme::MUTED));
            }
        }
    }
    let p12 = match &screen.selected {
        Some(Selected::Pkcs12(path)) => container(
            column![
                text(language.f("sign.p12_selected", &[("name", &display_name(path))]))
                    .size(15)
                    .font(font::BOLD),
                widget::muted(siegel::text::printable(&path.display().to_string()).into_owned()),
            ]
            .spacing(2),
        )
        .padding(10)
        .width(Length::Fill)
        .style(theme::banner(Tone::Neutral)),
        _ => container(widget::muted(t("sign.p12_hint"))),
    };
    widget::card(
        column![
            row![
                widget::subheading(t("sign.key")),
                Space::new().width(Length::Fill),
                widget::link(t("sign.refresh"), Message::RefreshKeys),
            ]
            .align_y(Alignment::Center),
            list,
            p12,
            row![
                text_input(t("sign.p12_path"), &screen.p12_path)
                    .id(P12_INPUT)
                    .on_input(Message::Pkcs12PathChanged)
                    .on_submit(Message::Pkcs12PathSubmitted)
                    .padding(8),
                widget::ring(
                    widget::secondary(
                        t("sign.pick_p12"),
                        (!screen.busy()).then_some(Message::PickPkcs12)
                    ),
                    screen.focus.is(Focus::ChooseKeyFile)
                ),
            ]
            .spacing(10)
            .align_y(Alignment::Center),
        ]
        .spacing(12),
    )
}

fn options(screen: &Sign, language: Language) -> Element<'_, Message> {
    let t = |key| language.t(key);
    let tsa = if screen.settings.tsa_urls.is_empty() {
        t("sign.no_tsa").to_owned()
    } else {
        screen.settings.tsa_urls.join(", ")
    };
    widget::card(
        column![
            widget::subheading(t("sign.options")),
            row![
                text(t("sign.level")).size(14).width(Length::Fixed(110.0)),
                widget::ring(
                    pick_list(sign::Level::ALL, Some(screen.level), Message::LevelChanged),
                    screen.focus.is(Focus::Level)
                ),
            ]
            .spacing(12)
            .align_y(Alignment::Center),
            widget::muted(language.f("sign.tsa", &[("tsa", &tsa)])),
            text_input(t("sign.reason"), &screen.reason)
                .id(REASON_INPUT)
                .on_input(Message::ReasonChanged)
                .padding(8),
            text_input(t("sign.location"), &screen.location)
                .id(LOCATION_INPUT)
                .on_input(Message::LocationChanged)
                .padding(8),
            row![
                text(t("sign.placement"))
                    .size(14)
                    .width(Length::Fixed(110.0)),
                widget::ring(
                    pick_list(
                        placement::Choice::all(language),
                        Some(placement::Choice::new(screen.placement, language)),
                        |choice| Message::PlacementChanged(choice.placement)
                    ),
                    screen.focus.is(Focus::Placement)
                ),
            ]
            .spacing(12)
            .align_y(Alignment::Center),
            widget::muted(t("sign.placement_hint")),
        ]
        .spacing(12),
    )
}

fn footer(screen: &Sign, language: Language) -> Element<'_, Message> {
    let t = |key| language.t(key);
    let total = screen.documents.len();
    let done = screen
        .documents
        .iter()
        .filter(|d| matches!(d.state, State::Done(_) | State::Failed(_) | State::Skipped))
        .count();
    let failed = screen
        .documents
        .iter()
        .filter(|d| matches!(d.state, State::Failed(_)))
        .count();
    let start_label = if screen.intent == Kind::Seal {
        t("sign.start_seal")
    } else {
        t("sign.start_sign")
    };
    let mut actions = row![].spacing(12).align_y(Alignment::Center);
    let status: String = match &screen.run {
        Run::Idle => String::new(),
        Run::Unlocking => t("sign.unlocking").to_owned(),
        Run::Running { .. } | Run::Confirming { .. } => language.f(
            "sign.progress",
            &[("done", &done.to_string()), ("total", &total.to_string())],
        ),
        Run::Finished => language.f(
            "sign.finished",
            &[
                ("done", &(done - failed).to_string()),
                ("failed", &failed.to_string()),
            ],
        ),
    };
    actions = actions.push(text(status).size(15).width(Length::Fill));
    match &screen.run {
        Run::Running { .. } => {
            actions = actions.push(widget::ring(
                widget::danger(t("common.cancel"), Some(Message::Cancel)),
                screen.focus.is(Focus::Cancel),
            ));
        }
        Run::Finished => {
            actions = actions.push(widget::ring(
                widget::secondary(
                    t("sign.open_folder"),
                    screen.output_folder().map(|_| Message::OpenFolder),
                ),
                screen.focus.is(Focus::OpenFolder),
            ));
            actions = actions.push(widget::ring(
                widget::secondary(t("sign.back_home"), Some(Message::Back)),
                screen.focus.is(Focus::Home),
            ));
        }
        _ => {}
    }
    actions = actions.push(widget::ring(
        widget::primary(start_label, screen.can_start().then_some(Message::Start)),
        screen.focus.is(Focus::Start),
    ));
    let mut footer = column![actions].spacing(10);
    if matches!(screen.run, Run::Running { .. } | Run::Finished) && total > 0 {
        #[allow(clippy::cast_precision_loss, reason = "document counts are small")]
        let fraction = done as f32 / total as f32;
        footer = footer.push(progress_bar(0.0..=1.0, fraction).girth(8));
    }
    widget::card(footer)
}
