//! Settings: language, time-stamp authorities, PKCS#11 modules, trust anchors, the EU trusted
//! lists, online or offline validation, default level and output naming. Edits stay here until
//! "Save"; the file is the one the command line reads too.

mod trusted_lists;

use std::path::{Path, PathBuf};

use iced::widget::{
    Space, column, container, pick_list, row, scrollable, text, text_input, toggler,
};
use iced::{Alignment, Element, Length, Padding, Task};
use siegel::settings::Settings as Data;
use siegel::sign;

use crate::focus::{self, Ring};
use crate::i18n::{Language, Texts};
use crate::theme::{self, Tone};
use crate::{widget, worker};

#[derive(Debug)]
pub struct Settings {
    data: Data,
    new_tsa: String,
    /// Where "Save" writes: the settings file, or why there is none.
    file: Result<PathBuf, String>,
    outcome: Option<Result<(), String>>,
    focus: Ring<Focus>,
    lists: trusted_lists::TrustedLists,
}

/// What Tab reaches on this screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Back,
    Save,
    Language,
    Level,
    SignedSuffix,
    SealedSuffix,
    RemoveTsa(usize),
    NewTsa,
    AddTsa,
    Offline,
    RemoveAnchor(usize),
    ImportAnchor,
    UpdateLists,
    RemoveModule(usize),
    AddModule,
}

const SIGNED_INPUT: &str = "settings-signed-suffix";
const SEALED_INPUT: &str = "settings-sealed-suffix";
const TSA_INPUT: &str = "settings-new-tsa";

impl focus::Item for Focus {
    fn input(self) -> Option<&'static str> {
        match self {
            Self::SignedSuffix => Some(SIGNED_INPUT),
            Self::SealedSuffix => Some(SEALED_INPUT),
            Self::NewTsa => Some(TSA_INPUT),
            _ => None,
        }
    }
}

/// The language choice: the system's, or a fixed one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LanguageChoice {
    System,
    Fixed(Language),
}

impl LanguageChoice {
    const ALL: [Self; 3] = [
        Self::System,
        Self::Fixed(Language::De),
        Self::Fixed(Language::En),
    ];
}

impl std::fmt::Display for LanguageChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // Shown in both languages: whoever reads it may not read the current one.
            Self::System => f.write_str("System / Systemsprache"),
            Self::Fixed(language) => language.fmt(f),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Message {
    LanguageChanged(LanguageChoice),
    NewTsaChanged(String),
    AddTsa,
    RemoveTsa(usize),
    PickModule,
    ModulePicked(Option<PathBuf>),
    RemoveModule(usize),
    PickAnchor,
    AnchorPicked(Option<PathBuf>),
    /// The certificate checked and copied beside the settings, or why not.
    AnchorImported(Result<PathBuf, String>),
    RemoveAnchor(usize),
    OfflineToggled(bool),
    LevelChanged(sign::Level),
    SignedSuffixChanged(String),
    SealedSuffixChanged(String),
    Save,
    /// The file written (with what was written), or why not.
    Saved(Result<Data, String>),
    Back,
    FocusNext(bool),
    /// Enter: the focused button, toggle or choice (choices step to their next value).
    Activate,
    Lists(trusted_lists::Message),
}

pub enum Action {
    None,
    Task(Task<Message>),
    /// Saved: the app takes the new settings (language changes at once).
    Saved(Data),
    Back,
}

impl Settings {
    pub fn new(data: &Data) -> Self {
        Self {
            data: data.clone(),
            new_tsa: String::new(),
            file: Data::path().map_err(|e| e.to_string()),
            outcome: None,
            focus: Ring::default(),
            lists: trusted_lists::TrustedLists::default(),
        }
    }

    /// The screen, and the task that reads the trusted lists' status for it.
    pub fn open(data: &Data) -> (Self, Task<Message>) {
        (
            Self::new(data),
            trusted_lists::TrustedLists::load(data).map(Message::Lists),
        )
    }

    pub fn update(&mut self, message: Message, language: Language) -> Action {
        match message {
            Message::LanguageChanged(choice) => {
                self.data.language = match choice {
                    LanguageChoice::System => None,
                    LanguageChoice::Fixed(language) => Some(language.tag().to_owned()),
                };
            }
            Message::NewTsaChanged(url) => self.new_tsa = url,
            Message::AddTsa => {
                let url = self.new_tsa.trim().to_owned();
                if url.starts_with("http://") || url.starts_with("https://") {
                    if !self.data.tsa_urls.contains(&url) {
                        self.data.tsa_urls.push(url);
                    }
                    self.new_tsa.clear();
                    self.outcome = None;
                } else {
                    self.outcome = Some(Err(language.t("settings.tsa_invalid").to_owned()));
                }
            }
            Message::RemoveTsa(index) => remove(&mut self.data.tsa_urls, index),
            Message::PickModule => {
                return Action::Task(Task::perform(
                    rfd::AsyncFileDialog::new()
                        .set_title(language.t("settings.add_module"))
                        .pick_file(),
                    |file| Message::ModulePicked(file.map(|f| f.path().to_path_buf())),
                ));
            }
            Message::ModulePicked(Some(path)) => {
                if !self.data.modules.contains(&path) {
                    self.data.modules.push(path);
                }
            }
            Message::RemoveModule(index) => remove(&mut self.data.modules, index),
            Message::PickAnchor => {
                return Action::Task(Task::perform(
                    rfd::AsyncFileDialog::new()
                        .set_title(language.t("settings.add_anchor"))
                        .add_filter("X.509", &["pem", "crt", "cer", "der"])
                        .pick_file(),
                    |file| Message::AnchorPicked(file.map(|f| f.path().to_path_buf())),
                ));
            }
            Message::AnchorPicked(Some(path)) => {
                let file = self.file.clone().ok();
                return Action::Task(Task::perform(
                    worker::spawn(move || import(file.as_deref(), &path)),
                    |result| Message::AnchorImported(result.unwrap_or_else(stopped)),
                ));
            }
            Message::AnchorImported(Ok(imported)) => {
                if !self.data.trust_anchors.contains(&imported) {
                    self.data.trust_anchors.push(imported);
                    self.outcome = None;
                }
            }
            Message::AnchorImported(Err(error)) => self.outcome = Some(Err(error)),
            Message::ModulePicked(None) | Message::AnchorPicked(None) => {}
            Message::RemoveAnchor(index) => remove(&mut self.data.trust_anchors, index),
            Message::OfflineToggled(offline) => self.data.offline = offline,
            Message::LevelChanged(level) => self.data.level = level,
            Message::SignedSuffixChanged(suffix) => self.data.naming.signed_suffix = suffix,
            Message::SealedSuffixChanged(suffix) => self.data.naming.sealed_suffix = suffix,
            Message::Save => {
                if self.data.naming.signed_suffix.trim().is_empty()
                    || self.data.naming.sealed_suffix.trim().is_empty()
                {
                    // An empty suffix would name the output like its input.
                    self.outcome = Some(Err(language.t("settings.suffix_empty").to_owned()));
                    return Action::None;
                }
                let (file, data) = (self.file.clone(), self.data.clone());
                return Action::Task(Task::perform(
                    worker::spawn(move || save(file, data)),
                    |result| Message::Saved(result.unwrap_or_else(stopped)),
                ));
            }
            Message::Saved(Ok(data)) => {
                self.outcome = Some(Ok(()));
                return Action::Saved(data);
            }
            Message::Saved(Err(error)) => self.outcome = Some(Err(error)),
            Message::Back => return Action::Back,
            Message::Lists(message) => {
                // Where the lists live and who signs the LOTL are not edited here, so the
                // screen's copy of the settings is the saved one for them.
                return Action::Task(self.lists.update(message, &self.data).map(Message::Lists));
            }
            Message::FocusNext(backwards) => {
                let items = self.focusables();
                return Action::Task(self.focus.advance(&items, backwards));
            }
            Message::Activate => {
                let message = match self.focus.current() {
                    Some(Focus::Back) => Message::Back,
                    Some(Focus::Save | Focus::SignedSuffix | Focus::SealedSuffix) | None => {
                        Message::Save
                    }
                    Some(Focus::Language) => {
                        let all = LanguageChoice::ALL;
                        let now = self.language_choice();
                        let next = all.iter().position(|c| *c == now).map_or(0, |i| i + 1);
                        Message::LanguageChanged(all[next % all.len()])
                    }
                    Some(Focus::Level) => {
                        let all = sign::Level::ALL;
                        let next = all
                            .iter()
                            .position(|l| *l == self.data.level)
                            .map_or(0, |i| i + 1);
                        Message::LevelChanged(all[next % all.len()])
                    }
                    Some(Focus::RemoveTsa(index)) => Message::RemoveTsa(index),
                    Some(Focus::NewTsa | Focus::AddTsa) => Message::AddTsa,
                    Some(Focus::Offline) => Message::OfflineToggled(!self.data.offline),
                    Some(Focus::RemoveAnchor(index)) => Message::RemoveAnchor(index),
                    Some(Focus::ImportAnchor) => Message::PickAnchor,
                    Some(Focus::UpdateLists) => Message::Lists(trusted_lists::Message::Update),
                    Some(Focus::RemoveModule(index)) => Message::RemoveModule(index),
                    Some(Focus::AddModule) => Message::PickModule,
                };
                return self.update(message, language);
            }
        }
        Action::None
    }

    /// What Tab can reach, in screen order.
    fn focusables(&self) -> Vec<Focus> {
        let mut items = vec![
            Focus::Back,
            Focus::Save,
            Focus::Language,
            Focus::Level,
            Focus::SignedSuffix,
            Focus::SealedSuffix,
        ];
        items.extend((0..self.data.tsa_urls.len()).map(Focus::RemoveTsa));
        items.extend([Focus::NewTsa, Focus::AddTsa, Focus::Offline]);
        items.extend((0..self.data.trust_anchors.len()).map(Focus::RemoveAnchor));
        items.extend([Focus::ImportAnchor, Focus::UpdateLists]);
        items.extend((0..self.data.modules.len()).map(Focus::RemoveModule));
        items.push(Focus::AddModule);
        items
    }

    fn language_choice(&self) -> LanguageChoice {
        match self.data.language.as_deref() {
            None | Some("") => LanguageChoice::System,
            Some(code) => LanguageChoice::Fixed(Language::from_locale(code)),
        }
    }

    pub fn view(&self, language: Language) -> Element<'_, Message> {
        let t = |key| language.t(key);
        let choice = self.language_choice();
        let ring = |item| self.focus.is(item);
        let tsa_list = list(
            &self.data.tsa_urls,
            |u| u.clone(),
            Message::RemoveTsa,
            |i| ring(Focus::RemoveTsa(i)),
            language,
        );
        let modules = list(
            &self.data.modules,
            |p| p.display().to_string(),
            Message::RemoveModule,
            |i| ring(Focus::RemoveModule(i)),
            language,
        );
        let anchors = list(
            &self.data.trust_anchors,
            |p| p.display().to_string(),
            Message::RemoveAnchor,
            |i| ring(Focus::RemoveAnchor(i)),
            language,
        );
        let mut content = column![
            row![
                widget::ring(
                    widget::secondary(t("common.back"), Some(Message::Back)),
                    ring(Focus::Back)
                ),
                column![
                    widget::heading(t("settings.title")),
                    widget::muted(
                        language.f(
                            "settings.stored_in",
                            &[(
                                "path",
                                &self
                                    .file
                                    .as_ref()
                                    .map_or_else(Clone::clone, |p| p.display().to_string())
                            )]
                        )
                    ),
                ]
                .spacing(2)
                .width(Length::Fill),
                widget::ring(
                    widget::primary(t("settings.save"), Some(Message::Save)),
                    ring(Focus::Save)
                ),
            ]
            .spacing(20)
            .align_y(Alignment::Center),
        ]
        .spacing(18);
        match &self.outcome {
            Some(Ok(())) => {
                content = content.push(
                    container(text(t("settings.saved")))
                        .padding(12)
                        .width(Length::Fill)
                        .style(theme::banner(Tone::Good)),
                );
            }
            Some(Err(error)) => content = content.push(widget::error(t("settings.problem"), error)),
            None => {}
        }
        content = content
            .push(widget::card(
                column![
                    widget::subheading(t("settings.general")),
                    labelled(
                        t("settings.language"),
                        widget::ring(
                            pick_list(LanguageChoice::ALL, Some(choice), Message::LanguageChanged),
                            ring(Focus::Language)
                        )
                    ),
                    labelled(
                        t("settings.level"),
                        widget::ring(
                            pick_list(
                                sign::Level::ALL,
                                Some(self.data.level),
                                Message::LevelChanged
                            ),
                            ring(Focus::Level)
                        )
                    ),
                    labelled(
                        t("settings.signed_suffix"),
                        text_input("-signed", &self.data.naming.signed_suffix)
                            .id(SIGNED_INPUT)
                            .on_input(Message::SignedSuffixChanged)
                            .padding(8)
                            .into()
                    ),
                    labelled(
                        t("settings.sealed_suffix"),
                        text_input("-sealed", &self.data.naming.sealed_suffix)
                            .id(SEALED_INPUT)
                            .on_input(Message::SealedSuffixChanged)
                            .padding(8)
                            .into()
                    ),
                ]
                .spacing(12),
            ))
            .push(widget::card(
                column![
                    widget::subheading(t("settings.tsa")),
                    widget::muted(t("settings.tsa_hint")),
                    tsa_list,
                    row![
                        text_input("https://", &self.new_tsa)
                            .id(TSA_INPUT)
                            .on_input(Message::NewTsaChanged)
                            .on_submit(Message::AddTsa)
                            .padding(8),
                        widget::ring(
                            widget::secondary(t("settings.add"), Some(Message::AddTsa)),
                            ring(Focus::AddTsa)
                        ),
                    ]
                    .spacing(10),
                ]
                .spacing(10),
            ))
            .push(widget::card(
                column![
                    widget::subheading(t("settings.validation")),
                    widget::ring(
                        toggler(self.data.offline)
                            .label(t("settings.offline"))
                            .on_toggle(Message::OfflineToggled),
                        ring(Focus::Offline)
                    ),
                    widget::muted(t("settings.anchors_hint")),
                    anchors,
                    widget::ring(
                        widget::secondary(t("settings.add_anchor"), Some(Message::PickAnchor)),
                        ring(Focus::ImportAnchor)
                    ),
                ]
                .spacing(10),
            ))
            .push(
                self.lists
                    .view(&self.data, language, ring(Focus::UpdateLists))
                    .map(Message::Lists),
            )
            .push(widget::card(
                column![
                    widget::subheading(t("settings.modules")),
                    widget::muted(t("settings.modules_hint")),
                    modules,
                    widget::ring(
                        widget::secondary(t("settings.add_module"), Some(Message::PickModule)),
                        ring(Focus::AddModule)
                    ),
                ]
                .spacing(10),
            ));
        scrollable(
            container(content.max_width(900))
                .padding(Padding::from([28, 36]))
                .center_x(Length::Fill),
        )
        .height(Length::Fill)
        .into()
    }
}

fn labelled<'a>(label: &'a str, control: Element<'a, Message>) -> Element<'a, Message> {
    row![
        text(label).size(14).width(Length::Fixed(260.0)),
        control,
        Space::new().width(Length::Fill)
    ]
    .spacing(12)
    .align_y(Alignment::Center)
    .into()
}

fn list<'a, T>(
    items: &'a [T],
    show: impl Fn(&T) -> String,
    remove: fn(usize) -> Message,
    focused: impl Fn(usize) -> bool,
    language: Language,
) -> Element<'a, Message> {
    if items.is_empty() {
        return widget::muted(language.t("settings.none"));
    }
    items
        .iter()
        .enumerate()
        .fold(column![].spacing(6), |list, (index, item)| {
            list.push(
                row![
                    text(show(item)).size(14).width(Length::Fill),
                    widget::ring(
                        widget::link(language.t("start.remove"), remove(index)),
                        focused(index)
                    ),
                ]
                .align_y(Alignment::Center),
            )
        })
        .into()
}

fn remove<T>(items: &mut Vec<T>, index: usize) {
    if index < items.len() {
        items.remove(index);
    }
}

/// Checks the certificate at `path` (so a wrong file is caught where it was chosen) and copies
/// it into `trust-anchors/` beside the settings `file`, so the trust stays when the original
/// (often in Downloads) goes away.
fn import(file: Option<&Path>, path: &Path) -> Result<PathBuf, String> {
    siegel::trust::Store::new()
        .add_file(path)
        .map_err(|e| e.to_string())?;
    let Some(file) = file else {
        return Ok(path.to_path_buf());
    };
    let folder = file.parent().map_or_else(
        || PathBuf::from("trust-anchors"),
        |p| p.join("trust-anchors"),
    );
    if path.starts_with(&folder) {
        return Ok(path.to_path_buf());
    }
    let name = path
        .file_name()
        .ok_or_else(|| format!("{}: not a file name", path.display()))?;
    let target = folder.join(name);
    std::fs::create_dir_all(&folder)
        .and_then(|()| std::fs::copy(path, &target))
        .map_err(|e| format!("{}: {e}", target.display()))?;
    Ok(target)
}

/// Writes `data` to the settings `file` (or says why there is none); hands `data` back.
fn save(file: Result<PathBuf, String>, data: Data) -> Result<Data, String> {
    data.save_to(&file?).map_err(|e| e.to_string())?;
    Ok(data)
}

fn stopped<T>() -> Result<T, String> {
    Err("the worker thread stopped".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsa_urls_are_checked_and_deduplicated() {
        let mut screen = Settings::new(&Data::default());
        screen.update(Message::NewTsaChanged("ftp://x".into()), Language::En);
        screen.update(Message::AddTsa, Language::En);
        assert!(screen.data.tsa_urls.is_empty());
        assert!(matches!(screen.outcome, Some(Err(_))));
        for _ in 0..2 {
            screen.update(
                Message::NewTsaChanged(" http://tsa.example/ ".into()),
                Language::En,
            );
            screen.update(Message::AddTsa, Language::En);
        }
        assert_eq!(screen.data.tsa_urls, ["http://tsa.example/"]);
        screen.update(Message::RemoveTsa(0), Language::En);
        assert!(screen.data.tsa_urls.is_empty());
    }

    #[test]
    fn a_broken_certificate_is_refused_where_it_is_chosen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not-a-cert.pem");
        std::fs::write(&path, "hello").unwrap();
        let mut screen = Settings::new(&Data::default());
        let imported = import(Some(&dir.path().join("settings.toml")), &path);
        assert!(imported.is_err());
        screen.update(Message::AnchorImported(imported), Language::En);
        assert!(screen.data.trust_anchors.is_empty());
        assert!(matches!(screen.outcome, Some(Err(_))));
    }

    #[test]
    fn save_writes_the_file_and_hands_the_settings_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        let mut screen = Settings::new(&Data::default());
        screen.file = Ok(path.clone());
        screen.update(
            Message::LanguageChanged(LanguageChoice::Fixed(Language::De)),
            Language::En,
        );
        screen.update(Message::OfflineToggled(true), Language::En);
        // The file is written on a worker; its answer hands the settings over.
        let Action::Task(_) = screen.update(Message::Save, Language::En) else {
            panic!("expected the settings to be saved on a worker");
        };
        let written = save(Ok(path.clone()), screen.data.clone());
        let Action::Saved(saved) = screen.update(Message::Saved(written), Language::En) else {
            panic!("expected the settings to be handed over");
        };
        assert_eq!(saved.language.as_deref(), Some("de"));
        assert_eq!(Data::load_from(&path).unwrap(), saved);
    }

    #[test]
    fn an_imported_certificate_is_copied_beside_the_settings() {
        let dir = tempfile::tempdir().unwrap();
        let mut screen = Settings::new(&Data::default());
        let file = dir.path().join("settings.toml");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/pki/root-ca.pem");
        let copy = dir.path().join("trust-anchors/root-ca.pem");
        assert_eq!(import(Some(&file), &root), Ok(copy.clone()));
        assert!(copy.exists());
        screen.update(Message::AnchorImported(Ok(copy.clone())), Language::En);
        assert_eq!(screen.data.trust_anchors, std::slice::from_ref(&copy));
        // The copy itself stays where it is, and is listed once.
        assert_eq!(import(Some(&file), &copy), Ok(copy.clone()));
        screen.update(Message::AnchorImported(Ok(copy)), Language::En);
        assert_eq!(screen.data.trust_anchors.len(), 1);
    }

    #[test]
    fn empty_suffix_is_refused() {
        let mut screen = Settings::new(&Data::default());
        screen.update(Message::SignedSuffixChanged(String::new()), Language::En);
        assert!(matches!(
            screen.update(Message::Save, Language::En),
            Action::None
        ));
    }
}
