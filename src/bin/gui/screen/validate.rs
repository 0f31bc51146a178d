//! The validation screen: per document a verdict banner in plain words, changes after signing
//! at the top, one card per signature and document time-stamp, details on demand, and "Save
//! protocol".

mod card;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use iced::widget::{column, container, row, scrollable, text};
use iced::{Alignment, Element, Length, Padding, Task};
use siegel::settings::Settings;
use siegel::validate::{self, Indication, Report, SubIndication};
use siegel::{output, protocol};

use crate::focus::{self, Ring};
use crate::i18n::{Language, Texts};
use crate::screen::{self, start::display_name};
use crate::theme::{self, Tone};
use crate::{font, widget, worker};

#[derive(Debug)]
pub struct Validate {
    documents: Vec<Document>,
    options: validate::Options,
    /// Trust anchors from the settings that could not be read.
    trust_problems: Vec<String>,
    /// Open "details" areas: (document, signature index counting timestamps after signatures).
    expanded: HashSet<(usize, usize)>,
    saved: Option<Result<PathBuf, String>>,
    /// A problem not tied to a document (no file dialog could be shown).
    notice: Option<String>,
    focus: Ring<Focus>,
}

/// What Tab reaches on this screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Back,
    Add,
    Stop(usize),
    Save(usize),
    Details(usize, usize),
}

impl focus::Item for Focus {}

#[derive(Debug)]
struct Document {
    path: PathBuf,
    state: State,
}

#[derive(Debug)]
enum State {
    Validating,
    Done(Box<Report>),
    Failed(String),
}

#[derive(Clone, Debug)]
pub enum Message {
    Validated(usize, Result<Box<Report>, String>),
    /// Stop waiting for a validation (e.g. revocation services that do not answer); the
    /// worker finishes in the background and its result is dropped.
    StopWaiting(usize),
    ToggleDetails(usize, usize),
    SaveProtocol(usize),
    ProtocolTarget(usize, Option<PathBuf>),
    ProtocolSaved(Result<PathBuf, String>),
    AddFiles,
    FilesAdded(screen::Picked),
    Back,
    FocusNext(bool),
    Activate,
}

pub enum Action {
    None,
    Task(Task<Message>),
    Back,
}

impl Validate {
    pub fn new(files: Vec<PathBuf>, settings: &Settings) -> (Self, Task<Message>) {
        let (mut options, problems) = settings.validation(chrono::Utc::now(), &[]);
        let mut trust_problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
        // The EU trusted lists from `siegel trust update` (or the managed folder): anchors,
        // and the only source of a confirmed qualification.
        match settings.trusted_lists(chrono::Utc::now()) {
            Ok(Some(snapshot)) => options.trust.set_lists(std::sync::Arc::new(snapshot)),
            Ok(None) => {}
            Err(error) => trust_problems.push(error.to_string()),
        }
        let mut screen = Self {
            documents: Vec::new(),
            options,
            trust_problems,
            expanded: HashSet::new(),
            saved: None,
            notice: None,
            focus: Ring::default(),
        };
        let task = screen.add(files);
        (screen, task)
    }

    /// Adds documents and validates each on a worker thread; a document already shown is
    /// validated again only if it failed or was stopped.
    fn add(&mut self, files: Vec<PathBuf>) -> Task<Message> {
        let mut tasks = Vec::new();
        for path in files {
            let index = match self.documents.iter().position(|d| d.path == path) {
                Some(index) if matches!(self.documents[index].state, State::Failed(_)) => {
                    self.documents[index].state = State::Validating;
                    index
                }
                Some(_) => continue,
                None => {
                    self.documents.push(Document {
                        path: path.clone(),
                        state: State::Validating,
                    });
                    self.documents.len() - 1
                }
            };
            let options = self.options.clone();
            tasks.push(Task::perform(
                worker::spawn(move || {
                    // CAdES and ASiC files get the same report as PDFs.
                    if siegel::sign::cades::is_signature_file(&path) {
                        validate::validate_cades(&path, None, &options)
                    } else if siegel::asic::Kind::of_path(&path).is_some() {
                        validate::validate_asic(&path, &options)
                    } else if let Some(signature) = signature_beside(&path) {
                        // The signed file itself was chosen: its detached signature decides.
                        validate::validate_cades(&signature, Some(&path), &options)
                    } else {
                        validate::validate_pdf(&path, &options)
                    }
                    .map(Box::new)
                    .map_err(|e| e.to_string())
                }),
                move |result| {
                    Message::Validated(
                        index,
                        result.unwrap_or_else(|| Err("the worker thread stopped".into())),
                    )
                },
            ));
        }
        Task::batch(tasks)
    }

    pub fn add_files(&mut self, files: Vec<PathBuf>) -> Task<Message> {
        self.add(files)
    }

    pub fn update(&mut self, message: Message, language: Language) -> Action {
        match message {
            Message::Validated(index, result) => {
                // A result for a document the user stopped waiting for is dropped.
                if let Some(document) = self
                    .documents
                    .get_mut(index)
                    .filter(|d| matches!(d.state, State::Validating))
                {
                    document.state = match result {
                        Ok(report) => State::Done(report),
                        Err(error) => State::Failed(error),
                    };
                }
                Action::None
            }
            Message::StopWaiting(index) => {
                if let Some(document) = self
                    .documents
                    .get_mut(index)
                    .filter(|d| matches!(d.state, State::Validating))
                {
                    document.state = State::Failed(language.t("validate.stopped").to_owned());
                }
                Action::None
            }
            Message::ToggleDetails(document, signature) => {
                if !self.expanded.remove(&(document, signature)) {
                    self.expanded.insert((document, signature));
                }
                Action::None
            }
            Message::SaveProtocol(index) => {
                let Some(document) = self.documents.get(index) else {
                    return Action::None;
                };
                let input = document.path.clone();
                let suffix = format!("-{}", language.t("validate.protocol_file"));
                let title = language.t("validate.save_protocol").to_owned();
                Action::Task(Task::perform(
                    async move {
                        // The name offered is free; without a file dialog (no desktop portal)
                        // the protocol goes there, rather than the button doing nothing.
                        let fallback = output::beside(&input, &suffix, Some("pdf")).ok();
                        let name = fallback
                            .as_deref()
                            .and_then(Path::file_name)
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        let opened = std::time::Instant::now();
                        let mut dialog = rfd::AsyncFileDialog::new()
                            .set_title(title)
                            .set_file_name(name)
                            .add_filter("PDF", &["pdf"])
                            .add_filter("HTML", &["html", "htm"])
                            .add_filter("JSON", &["json"])
                            .add_filter("XML (ETSI TS 119 102-2)", &["xml"]);
                        if let Some(folder) = input.parent() {
                            dialog = dialog.set_directory(folder);
                        }
                        let chosen = dialog.save_file().await.map(|f| f.path().to_path_buf());
                        let no_dialog = chosen.is_none()
                            && opened.elapsed() < std::time::Duration::from_millis(250);
                        if no_dialog { fallback } else { chosen }
                    },
                    move |target| Message::ProtocolTarget(index, target),
                ))
            }
            Message::ProtocolTarget(_, None) => Action::None,
            Message::ProtocolTarget(index, Some(target)) => {
                let Some(State::Done(report)) = self.documents.get(index).map(|d| &d.state) else {
                    return Action::None;
                };
                let report = report.clone();
                Action::Task(Task::perform(
                    worker::spawn(move || write_protocol(&report, &target, language)),
                    |result| {
                        Message::ProtocolSaved(
                            result.unwrap_or_else(|| Err("the worker thread stopped".into())),
                        )
                    },
                ))
            }
            Message::ProtocolSaved(result) => {
                self.saved = Some(result);
                Action::None
            }
            Message::AddFiles => Action::Task(Task::perform(
                screen::pick_documents(language.t("start.choose").to_owned()),
                Message::FilesAdded,
            )),
            Message::FilesAdded(picked) => {
                if picked.no_dialog {
                    self.notice = Some(language.t("start.no_dialog").to_owned());
                }
                Action::Task(self.add(picked.files))
            }
            Message::Back => Action::Back,
            Message::FocusNext(backwards) => {
                let items = self.focusables();
                Action::Task(self.focus.advance(&items, backwards))
            }
            Message::Activate => match self.focus.current() {
                Some(Focus::Back) => Action::Back,
                Some(Focus::Add) => self.update(Message::AddFiles, language),
                Some(Focus::Stop(index)) => self.update(Message::StopWaiting(index), language),
                Some(Focus::Save(index)) => self.update(Message::SaveProtocol(index), language),
                Some(Focus::Details(document, signature)) => {
                    self.update(Message::ToggleDetails(document, signature), language)
                }
                None => Action::None,
            },
        }
    }

    /// What Tab can reach now, in screen order.
    fn focusables(&self) -> Vec<Focus> {
        let mut items = vec![Focus::Back, Focus::Add];
        for (index, document) in self.documents.iter().enumerate() {
            if matches!(document.state, State::Validating) {
                items.push(Focus::Stop(index));
            }
            if let State::Done(report) = &document.state {
                items.push(Focus::Save(index));
                let cards = report.signatures.len() + report.document_timestamps.len();
                items.extend((0..cards).map(|card| Focus::Details(index, card)));
            }
        }
        items
    }

    pub fn view(&self, language: Language) -> Element<'_, Message> {
        let t = |key| language.t(key);
        let mut content = column![
            row![
                widget::ring(
                    widget::secondary(t("common.back"), Some(Message::Back)),
                    self.focus.is(Focus::Back)
                ),
                column![
                    widget::heading(t("validate.title")),
                    widget::muted(if self.options.fetcher.is_some() {
                        t("validate.online")
                    } else {
                        t("validate.offline")
                    }),
                ]
                .spacing(2)
                .width(Length::Fill),
                widget::ring(
                    widget::secondary(t("validate.add"), Some(Message::AddFiles)),
                    self.focus.is(Focus::Add)
                ),
            ]
            .spacing(20)
            .align_y(Alignment::Center),
        ]
        .spacing(20);
        if let Some(notice) = &self.notice {
            content = content.push(widget::error(notice, ""));
        }
        for problem in &self.trust_problems {
            content = content.push(widget::error(t("validate.trust_problem"), problem));
        }
        match &self.saved {
            Some(Ok(path)) => {
                content = content.push(
                    container(text(language.f(
                        "validate.protocol_saved",
                        &[(
                            "path",
                            &siegel::text::printable(&path.display().to_string()),
                        )],
                    )))
                    .padding(12)
                    .width(Length::Fill)
                    .style(theme::banner(Tone::Good)),
                );
            }
            Some(Err(error)) => {
                content = content.push(widget::error(t("validate.protocol_failed"), error));
            }
            None => {}
        }
        for (index, document) in self.documents.iter().enumerate() {
            content = content.push(self.document(index, document, language));
        }
        scrollable(
            container(content.max_width(1100))
                .padding(Padding::from([28, 36]))
                .center_x(Length::Fill),
        )
        .height(Length::Fill)
        .into()
    }

    fn document<'a>(
        &'a self,
        index: usize,
        document: &'a Document,
        language: Language,
    ) -> Element<'a, Message> {
        let t = |key| language.t(key);
        let title = column![
            text(display_name(&document.path)).size(20).font(font::BOLD),
            widget::muted(
                siegel::text::printable(&document.path.display().to_string()).into_owned()
            ),
        ]
        .spacing(2)
        .width(Length::Fill);
        let report = match &document.state {
            State::Validating => {
                return widget::card(
                    column![
                        title,
                        row![
                            text(if self.options.fetcher.is_some() {
                                t("validate.running_online")
                            } else {
                                t("validate.running")
                            })
                            .size(16)
                            .width(Length::Fill),
                            widget::ring(
                                widget::secondary(
                                    t("validate.stop"),
                                    Some(Message::StopWaiting(index))
                                ),
                                self.focus.is(Focus::Stop(index))
                            ),
                        ]
                        .align_y(Alignment::Center),
                    ]
                    .spacing(12),
                );
            }
            State::Failed(error) => {
                return widget::card(
                    column![title, widget::error(t("validate.failed"), error)].spacing(12),
                );
            }
            State::Done(report) => report,
        };
        let mut body = column![
            row![
                title,
                widget::secondary(
                    t("validate.save_protocol"),
                    Some(Message::SaveProtocol(index))
                ),
            ]
            .align_y(Alignment::Center)
            .spacing(12),
            verdict(report, language),
        ]
        .spacing(14);
        if let Some(changes) = changes_after_signing(report, language) {
            body = body.push(changes);
        }
        if !report.contents.is_empty() {
            body = body.push(contents(report, language));
        }
        let all = report
            .signatures
            .iter()
            .map(|s| (s, false))
            .chain(report.document_timestamps.iter().map(|s| (s, true)));
        for (position, (signature, is_timestamp)) in all.enumerate() {
            body = body.push(card::view(
                signature,
                is_timestamp,
                self.expanded.contains(&(index, position)),
                self.focus.is(Focus::Details(index, position)),
                Message::ToggleDetails(index, position),
                language,
            ));
        }
        if !report.messages.is_empty() {
            let messages: Vec<_> = report
                .messages
                .iter()
                .map(|m| siegel::text::printable(m))
                .collect();
            body = body.push(widget::muted(messages.join("\n")));
        }
        body = body.push(widget::muted(language.f(
            "validate.fingerprint",
            &[
                ("sha256", &report.sha256),
                ("time", &card::time(report.validation_time)),
            ],
        )));
        widget::card(body)
    }
}

/// What a CAdES signature or container signs: each file, its size, and which signatures cover
/// it; a file no valid signature covers stands out in red.
fn contents<'a>(report: &Report, language: Language) -> Element<'a, Message> {
    let shown = |text: &str| siegel::text::printable(text).into_owned();
    let mut list = column![text(language.t("validate.contents")).font(font::BOLD)].spacing(6);
    for content in &report.contents {
        let size = content.size.map_or_else(
            || "?".to_owned(),
            |bytes| siegel::text::size(language, bytes),
        );
        let (by, tone) = if content.signed_by.is_empty() {
            (language.t("validate.uncovered").to_owned(), Tone::Bad)
        } else {
            (
                language.f(
                    "validate.covered_by",
                    &[("signatures", &shown(&content.signed_by.join(", ")))],
                ),
                Tone::Good,
            )
        };
        list = list.push(
            row![
                text(shown(&content.name))
                    .size(14)
                    .width(Length::FillPortion(3)),
                text(size).size(14).width(Length::FillPortion(1)),
                text(by)
                    .size(14)
                    .color(tone.color())
                    .width(Length::FillPortion(4)),
            ]
            .spacing(12),
        );
    }
    list.into()
}

/// The detached signature `NAME.EXT.p7s` (or `.sig`) beside a file `NAME.EXT` that is not a
/// PDF.
fn signature_beside(path: &Path) -> Option<PathBuf> {
    let pdf = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if pdf {
        return None;
    }
    ["p7s", "sig"].into_iter().find_map(|extension| {
        let mut name = path.file_name()?.to_os_string();
        name.push(".");
        name.push(extension);
        let signature = path.with_file_name(name);
        signature.is_file().then_some(signature)
    })
}

/// The tone of an indication.
pub fn tone(indication: Indication) -> Tone {
    match indication {
        Indication::TotalPassed => Tone::Good,
        Indication::Indeterminate => Tone::Doubtful,
        Indication::TotalFailed => Tone::Bad,
    }
}

/// The banner: a headline in plain words, the ETSI indication, and one sentence of why.
fn verdict<'a>(report: &Report, language: Language) -> Element<'a, Message> {
    let tone = tone(report.indication);
    let (headline, sentence) = if report.signatures.is_empty()
        && report.document_timestamps.is_empty()
    {
        ("verdict.unsigned", "verdict.unsigned_text")
    } else {
        match report.indication {
            Indication::TotalPassed => ("verdict.passed", "verdict.passed_text"),
            Indication::Indeterminate => ("verdict.indeterminate", "verdict.indeterminate_text"),
            Indication::TotalFailed => ("verdict.failed", "verdict.failed_text"),
        }
    };
    let worst = report
        .signatures
        .iter()
        .chain(&report.document_timestamps)
        .filter(|s| s.indication == report.indication)
        .find_map(|s| s.subindication);
    let mut etsi = report.indication.name().to_owned();
    let mut why = language.t(sentence).to_owned();
    if let Some(sub) = worst {
        etsi = format!("{etsi} / {}", sub.name());
        why = format!("{why} {}", protocol::explain_subindication(language, sub));
        if sub == SubIndication::NoCertificateChainFound {
            why = format!("{why} {}", language.t("validate.import_root"));
        }
    }
    let count = language.f(
        "verdict.count",
        &[
            ("passed", &report.passed().to_string()),
            ("total", &report.signatures.len().to_string()),
        ],
    );
    container(
        column![
            row![
                text(language.t(headline)).size(26).font(font::BOLD),
                text(etsi).size(14).font(font::BOLD),
            ]
            .spacing(16)
            .align_y(Alignment::Center),
            text(why).size(16),
            text(count).size(14),
        ]
        .spacing(6),
    )
    .padding(Padding::from([16, 20]))
    .width(Length::Fill)
    .style(theme::banner(tone))
    .into()
}

/// Changes made after a signature, shown at the top, never only in the details.
fn changes_after_signing<'a>(report: &Report, language: Language) -> Option<Element<'a, Message>> {
    let mut lines = Vec::new();
    for signature in &report.signatures {
        let who = siegel::text::printable(
            signature
                .signer
                .as_ref()
                .map_or(signature.field.as_str(), |s| s.name.as_str()),
        );
        for change in &signature.modifications {
            lines.push(format!(
                "{who}: {}",
                siegel::text::printable(&change.to_string())
            ));
        }
        if !signature.covers_whole_document && signature.modifications.is_empty() {
            lines.push(language.f("validate.not_whole", &[("who", &who)]));
        }
    }
    if lines.is_empty() {
        return None;
    }
    let failed = report
        .signatures
        .iter()
        .any(|s| !s.modifications.is_empty() && s.indication == Indication::TotalFailed);
    let tone = if failed { Tone::Bad } else { Tone::Doubtful };
    let list = lines.into_iter().fold(column![].spacing(4), |list, line| {
        list.push(text(line).size(14))
    });
    Some(
        container(
            column![
                text(language.t("validate.changes"))
                    .size(18)
                    .font(font::BOLD),
                list
            ]
            .spacing(8),
        )
        .padding(16)
        .width(Length::Fill)
        .style(theme::banner(tone))
        .into(),
    )
}

/// Writes the verification protocol in the format the file name asks for (PDF when it names
/// none). The save dialog has asked before replacing a file, so an existing one is replaced,
/// atomically.
fn write_protocol(report: &Report, target: &Path, language: Language) -> Result<PathBuf, String> {
    let (target, format) = match protocol::Format::from_path(target) {
        Some(format) => (target.to_path_buf(), format),
        None => (target.with_extension("pdf"), protocol::Format::Pdf),
    };
    protocol::write(report, &target, format, language, true).map_err(|e| e.to_string())?;
    Ok(target)
}

#[cfg(test)]
mod tests;
