//! The start screen: a drop zone and "Choose files", then Sign, Seal or Validate. Files given on
//! the command line arrive here too; signed PDFs go straight on to validation.

use std::path::PathBuf;

use iced::widget::{Space, button, column, container, row, scrollable, text};
use iced::{Alignment, Element, Length, Padding, Task};

use crate::i18n::{Language, Texts};
use crate::screen::{self, Intent};
use crate::theme::{self, Tone};
use crate::{font, widget, worker};

#[derive(Debug, Default)]
pub struct Start {
    files: Vec<PathBuf>,
    /// A file is dragged over the window.
    hovering: bool,
    /// The keyboard focus among the three actions (Tab cycles, Enter activates).
    focus: Option<usize>,
    notice: Option<String>,
}

#[derive(Clone, Debug)]
pub enum Message {
    PickFiles,
    FilesPicked(screen::Picked),
    Remove(usize),
    Clear,
    Hovered(bool),
    Dropped(PathBuf),
    /// Files from the command line were inspected: `true` if every one is a signed PDF.
    Classified(Vec<PathBuf>, bool),
    Open(Intent),
    OpenSettings,
    FocusNext(bool),
    Activate,
}

pub enum Action {
    None,
    Task(Task<Message>),
    Open(Intent, Vec<PathBuf>),
    OpenSettings,
}

impl Start {
    /// The start screen with `files`; checks them off the UI thread and moves on to validation
    /// if they are all signed PDFs.
    pub fn new(files: Vec<PathBuf>, notice: Option<String>) -> (Self, Task<Message>) {
        let task = if files.is_empty() {
            Task::none()
        } else {
            let paths = files.clone();
            Task::perform(
                worker::spawn(move || paths.iter().all(|p| siegel::document::is_signed(p))),
                move |signed| Message::Classified(files.clone(), signed.unwrap_or(false)),
            )
        };
        (
            Self {
                notice,
                ..Self::default()
            },
            task,
        )
    }

    #[cfg(test)]
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    pub fn update(&mut self, message: Message, language: Language) -> Action {
        match message {
            Message::PickFiles => Action::Task(Task::perform(
                screen::pick_documents(language.t("start.choose").to_owned()),
                Message::FilesPicked,
            )),
            Message::FilesPicked(picked) => {
                if picked.no_dialog {
                    self.notice = Some(language.t("start.no_dialog").to_owned());
                }
                screen::merge(&mut self.files, picked.files);
                Action::None
            }
            Message::Remove(index) => {
                if index < self.files.len() {
                    self.files.remove(index);
                }
                Action::None
            }
            Message::Clear => {
                self.files.clear();
                Action::None
            }
            Message::Hovered(hovering) => {
                self.hovering = hovering;
                Action::None
            }
            Message::Dropped(file) => {
                self.hovering = false;
                screen::merge(&mut self.files, [file]);
                Action::None
            }
            Message::Classified(files, signed) => {
                if signed {
                    return Action::Open(Intent::Validate, files);
                }
                screen::merge(&mut self.files, files);
                Action::None
            }
            Message::Open(intent) => {
                if self.files.is_empty() {
                    self.notice = Some(language.t("start.no_files").to_owned());
                    return Action::None;
                }
                Action::Open(intent, self.files.clone())
            }
            Message::OpenSettings => Action::OpenSettings,
            Message::FocusNext(backwards) => {
                self.focus = Some(next_focus(self.focus, ACTIONS.len(), backwards));
                Action::None
            }
            Message::Activate => match self.focus.and_then(|i| ACTIONS.get(i)) {
                Some(action) => self.update(action.clone(), language),
                None => Action::None,
            },
        }
    }

    pub fn view(&self, language: Language) -> Element<'_, Message> {
        let t = |key| language.t(key);
        let files: Element<'_, Message> = if self.files.is_empty() {
            column![
                text(t("start.drop")).size(24).font(font::BOLD),
                widget::muted(t("start.drop_hint")),
            ]
            .spacing(8)
            .align_x(Alignment::Center)
            .into()
        } else {
            let list =
                self.files
                    .iter()
                    .enumerate()
                    .fold(column![].spacing(6), |list, (index, file)| {
                        list.push(
                            row![
                                text(display_name(file)).size(15).width(Length::Fill),
                                widget::link(t("start.remove"), Message::Remove(index)),
                            ]
                            .align_y(Alignment::Center),
                        )
                    });
            column![
                text(language.f("start.count", &[("count", &self.files.len().to_string())]))
                    .size(18)
                    .font(font::BOLD),
                scrollable(list).height(Length::Fixed(120.0)),
                widget::link(t("start.clear"), Message::Clear),
            ]
            .spacing(10)
            .into()
        };
        let zone = container(
            column![
                files,
                self.focusable(
                    3,
                    widget::secondary(t("start.choose"), Some(Message::PickFiles))
                ),
            ]
            .spacing(18)
            .align_x(Alignment::Center),
        )
        .padding(32)
        .width(Length::Fill)
        .height(Length::Fixed(330.0))
        .center_x(Length::Fill)
        .center_y(Length::Fixed(330.0))
        .style(theme::drop_zone(self.hovering));

        let actions = row![
            self.action(0, t("start.sign"), t("start.sign_hint")),
            self.action(1, t("start.seal"), t("start.seal_hint")),
            self.action(2, t("start.validate"), t("start.validate_hint")),
        ]
        .spacing(20);

        let mut content = column![
            row![
                column![
                    widget::heading(t("app.name")),
                    widget::muted(t("app.tagline")),
                ]
                .spacing(4)
                .width(Length::Fill),
                widget::secondary(t("settings.title"), Some(Message::OpenSettings)),
            ]
            .align_y(Alignment::Center),
        ]
        .spacing(24)
        .max_width(1040);
        if let Some(notice) = &self.notice {
            content = content.push(
                container(text(notice.as_str()).size(15))
                    .padding(12)
                    .width(Length::Fill)
                    .style(theme::banner(Tone::Doubtful)),
            );
        }
        content = content
            .push(zone)
            .push(actions)
            .push(Space::new().height(Length::Fixed(4.0)))
            .push(widget::muted(t("start.keyboard")));
        container(content)
            .padding(Padding::from([32, 40]))
            .center_x(Length::Fill)
            .into()
    }

    fn action<'a>(&self, index: usize, label: &'a str, hint: &'a str) -> Element<'a, Message> {
        let enabled = !self.files.is_empty();
        let body = column![text(label).size(22).font(font::BOLD), text(hint).size(14),].spacing(6);
        button(body)
            .padding(Padding::from([18, 22]))
            .width(Length::Fill)
            .style(theme::focused(
                if index == 2 {
                    button::secondary
                } else {
                    button::primary
                },
                self.focus == Some(index),
            ))
            .on_press_maybe(enabled.then(|| ACTIONS[index].clone()))
            .into()
    }

    fn focusable<'a>(&self, index: usize, element: Element<'a, Message>) -> Element<'a, Message> {
        if self.focus == Some(index) {
            container(element)
                .padding(3)
                .style(theme::banner(Tone::Doubtful))
                .into()
        } else {
            element
        }
    }
}

/// The actions Tab cycles through, in order.
const ACTIONS: [Message; 4] = [
    Message::Open(Intent::Sign),
    Message::Open(Intent::Seal),
    Message::Open(Intent::Validate),
    Message::PickFiles,
];

pub fn next_focus(current: Option<usize>, len: usize, backwards: bool) -> usize {
    match (current, backwards) {
        (None, false) => 0,
        (None, true) => len.saturating_sub(1),
        (Some(i), false) => (i + 1) % len.max(1),
        (Some(i), true) => (i + len.max(1) - 1) % len.max(1),
    }
}

/// A file's name as shown: its control and bidirectional formatting characters as visible
/// escapes, so `invoice\u{202e}fdp.exe` cannot pass for a PDF.
pub fn display_name(path: &std::path::Path) -> String {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    siegel::text::printable(&name).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_wait_for_files() {
        let (mut start, _) = Start::new(Vec::new(), None);
        assert!(matches!(
            start.update(Message::Open(Intent::Seal), Language::En),
            Action::None
        ));
        assert!(start.notice.is_some());
        start.update(Message::Dropped("a.pdf".into()), Language::En);
        start.update(Message::Dropped("a.pdf".into()), Language::En);
        assert_eq!(start.files(), [PathBuf::from("a.pdf")]);
        match start.update(Message::Open(Intent::Seal), Language::En) {
            Action::Open(Intent::Seal, files) => assert_eq!(files.len(), 1),
            _ => panic!("expected to open the seal screen"),
        }
    }

    #[test]
    fn signed_files_from_the_command_line_open_validation() {
        let (mut start, _) = Start::new(Vec::new(), None);
        let files = vec![PathBuf::from("signed.pdf")];
        assert!(matches!(
            start.update(Message::Classified(files.clone(), true), Language::En),
            Action::Open(Intent::Validate, _)
        ));
        assert!(matches!(
            start.update(Message::Classified(files, false), Language::En),
            Action::None
        ));
        assert_eq!(start.files().len(), 1);
    }

    #[test]
    fn tab_cycles_and_enter_activates() {
        let (mut start, _) = Start::new(Vec::new(), None);
        start.update(Message::Dropped("a.pdf".into()), Language::En);
        start.update(Message::FocusNext(false), Language::En);
        start.update(Message::FocusNext(false), Language::En);
        assert!(matches!(
            start.update(Message::Activate, Language::En),
            Action::Open(Intent::Seal, _)
        ));
        start.update(Message::FocusNext(true), Language::En);
        start.update(Message::FocusNext(true), Language::En);
        assert_eq!(start.focus, Some(3));
    }

    #[test]
    fn file_names_show_controls_and_overrides() {
        assert_eq!(
            display_name(std::path::Path::new("/in/Rechnung\u{202e}fdp.exe")),
            "Rechnung\\u{202e}fdp.exe"
        );
        assert_eq!(
            display_name(std::path::Path::new("a\u{1b}[2J.pdf")),
            "a\\u{1b}[2J.pdf"
        );
        assert_eq!(
            display_name(std::path::Path::new("/in/中文 📄.pdf")),
            "中文 📄.pdf"
        );
    }
}
