//! The app: the current screen, an optional modal, the settings and the language. It routes
//! messages, applies each screen's `Action`, and listens for dropped files and keys.

use std::path::PathBuf;

use iced::keyboard::{self, key};
use iced::widget::operation;
use iced::{Element, Event, Size, Subscription, Task, Theme, event, window};
use siegel::certificate::Kind;
use siegel::settings::Settings;

use crate::i18n::{self, Language, Texts};
use crate::modal::{self, Modal, confirm, pin};
use crate::screen::{self, Intent, Screen, settings, sign, start, validate};
use crate::{font, theme};

pub fn application(
    files: Vec<PathBuf>,
) -> iced::Application<impl iced::Program<Message = Message, Theme = Theme>> {
    iced::application(move || App::new(files.clone()), App::update, App::view)
        .title(App::title)
        .theme(App::theme)
        .subscription(App::subscription)
        .font(font::REGULAR_BYTES)
        .font(font::SEMIBOLD_BYTES)
        .default_font(font::REGULAR)
        .window(window::Settings {
            size: Size::new(1280.0, 800.0),
            min_size: Some(Size::new(900.0, 600.0)),
            ..window::Settings::default()
        })
}

#[derive(Debug)]
pub struct App {
    screen: Screen,
    modal: Option<Modal>,
    settings: Settings,
    language: Language,
    /// A placement is being written to the settings file; the next waits for it.
    remembering: bool,
}

#[derive(Clone, Debug)]
pub enum Message {
    Screen(screen::Message),
    Modal(modal::Message),
    FileHovered(bool),
    FileDropped(PathBuf),
    Tab {
        backwards: bool,
    },
    Enter,
    Escape,
    /// The placement written to the settings file (`None`: the worker stopped).
    PlacementRemembered(Option<siegel::sign::Placement>),
}

impl App {
    pub fn new(files: Vec<PathBuf>) -> (Self, Task<Message>) {
        let (settings, notice) = match Settings::load() {
            Ok(settings) => (settings, None),
            Err(error) => (Settings::default(), Some(error.to_string())),
        };
        let language = i18n::choose(settings.language.as_deref());
        let (start, task) = start::Start::new(files, notice);
        (
            Self {
                screen: Screen::Start(start),
                modal: None,
                settings,
                language,
                remembering: false,
            },
            task.map(|m| Message::Screen(screen::Message::Start(m))),
        )
    }

    fn title(&self) -> String {
        let screen = match &self.screen {
            Screen::Start(_) => return self.language.t("app.name").to_owned(),
            Screen::Sign(sign) if sign.intent() == Kind::Seal => "sign.title_seal",
            Screen::Sign(_) => "sign.title_sign",
            Screen::Validate(_) => "validate.title",
            Screen::Settings(_) => "settings.title",
        };
        format!(
            "{} – {}",
            self.language.lookup(screen).unwrap_or_default(),
            self.language.t("app.name")
        )
    }

    fn theme(&self) -> Theme {
        theme::theme()
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Screen(message) => self.update_screen(message),
            Message::Modal(message) => self.update_modal(message),
            Message::FileHovered(hovering) => match &mut self.screen {
                Screen::Start(start) => {
                    start.update(start::Message::Hovered(hovering), self.language);
                    Task::none()
                }
                _ => Task::none(),
            },
            Message::FileDropped(path) => match &mut self.screen {
                Screen::Start(start) => {
                    start.update(start::Message::Dropped(path), self.language);
                    Task::none()
                }
                Screen::Validate(validate) => validate
                    .add_files(vec![path])
                    .map(|m| Message::Screen(screen::Message::Validate(m))),
                Screen::Sign(sign) => {
                    sign.add_files(vec![path]);
                    Task::none()
                }
                Screen::Settings(_) => Task::none(),
            },
            Message::Tab { backwards } => match (&self.modal, &self.screen) {
                (None, Screen::Start(_)) => {
                    self.update_screen(screen::Message::Start(start::Message::FocusNext(backwards)))
                }
                (None, Screen::Sign(_)) => {
                    self.update_screen(screen::Message::Sign(sign::Message::FocusNext(backwards)))
                }
                (None, Screen::Validate(_)) => self.update_screen(screen::Message::Validate(
                    validate::Message::FocusNext(backwards),
                )),
                (None, Screen::Settings(_)) => self.update_screen(screen::Message::Settings(
                    settings::Message::FocusNext(backwards),
                )),
                // In a dialog Tab moves between its text field and nothing else.
                (Some(_), _) if backwards => operation::focus_previous(),
                (Some(_), _) => operation::focus_next(),
            },
            Message::Enter => match (&self.modal, &mut self.screen) {
                (Some(Modal::Confirm(_)), _) => {
                    self.update_modal(modal::Message::Confirm(confirm::Message::Sign))
                }
                (Some(_), _) => Task::none(),
                (None, Screen::Start(_)) => {
                    self.update_screen(screen::Message::Start(start::Message::Activate))
                }
                (None, Screen::Sign(_)) => {
                    self.update_screen(screen::Message::Sign(sign::Message::Activate))
                }
                (None, Screen::Validate(_)) => {
                    self.update_screen(screen::Message::Validate(validate::Message::Activate))
                }
                (None, Screen::Settings(_)) => {
                    self.update_screen(screen::Message::Settings(settings::Message::Activate))
                }
            },
            Message::PlacementRemembered(written) => {
                self.remembering = false;
                // Changed again while the file was written: write the newest choice too.
                match written {
                    Some(written) if written != self.settings.placement => self.remember(),
                    _ => Task::none(),
                }
            }
            Message::Escape => match &self.modal {
                Some(Modal::Pin(_)) => self.update_modal(modal::Message::Pin(pin::Message::Cancel)),
                Some(Modal::Confirm(_)) => {
                    self.update_modal(modal::Message::Confirm(confirm::Message::Stop))
                }
                None => match &self.screen {
                    Screen::Start(_) => Task::none(),
                    Screen::Sign(_) => {
                        self.update_screen(screen::Message::Sign(sign::Message::Back))
                    }
                    Screen::Validate(_) => {
                        self.update_screen(screen::Message::Validate(validate::Message::Back))
                    }
                    Screen::Settings(_) => {
                        self.update_screen(screen::Message::Settings(settings::Message::Back))
                    }
                },
            },
        }
    }

    fn update_screen(&mut self, message: screen::Message) -> Task<Message> {
        let language = self.language;
        match (&mut self.screen, message) {
            (Screen::Start(start), screen::Message::Start(message)) => {
                match start.update(message, language) {
                    start::Action::None => Task::none(),
                    start::Action::Task(task) => task.map(wrap_start),
                    start::Action::Open(intent, files) => self.open(intent, files),
                    start::Action::OpenSettings => {
                        let (screen, task) = settings::Settings::open(&self.settings);
                        self.screen = Screen::Settings(screen);
                        task.map(|m| Message::Screen(screen::Message::Settings(m)))
                    }
                }
            }
            (Screen::Sign(sign), screen::Message::Sign(message)) => {
                let action = sign.update(message, language);
                self.apply_sign(action)
            }
            (Screen::Validate(validate), screen::Message::Validate(message)) => {
                match validate.update(message, language) {
                    validate::Action::None => Task::none(),
                    validate::Action::Task(task) => task.map(wrap_validate),
                    validate::Action::Back => self.home(),
                }
            }
            (Screen::Settings(screen), screen::Message::Settings(message)) => {
                match screen.update(message, language) {
                    settings::Action::None => Task::none(),
                    settings::Action::Task(task) => {
                        task.map(|m| Message::Screen(screen::Message::Settings(m)))
                    }
                    settings::Action::Saved(settings) => {
                        self.language = i18n::choose(settings.language.as_deref());
                        self.settings = settings;
                        Task::none()
                    }
                    settings::Action::Back => self.home(),
                }
            }
            // A late message for a screen that is gone (e.g. a finished worker): nothing to do.
            _ => Task::none(),
        }
    }

    fn apply_sign(&mut self, action: sign::Action) -> Task<Message> {
        match action {
            sign::Action::None => Task::none(),
            sign::Action::Task(task) => task.map(wrap_sign),
            sign::Action::AskSecret(request) => {
                let (dialog, focus) = pin::Pin::new(request);
                self.modal = Some(Modal::Pin(dialog));
                focus.map(|m| Message::Modal(modal::Message::Pin(m)))
            }
            sign::Action::Confirm(confirm) => {
                self.modal = Some(Modal::Confirm(confirm));
                Task::none()
            }
            sign::Action::Remember(settings) => {
                self.settings.placement = settings.placement;
                self.remember()
            }
            sign::Action::Back => self.home(),
        }
    }

    /// Writes the placement to the settings file on a worker, one write at a time.
    fn remember(&mut self) -> Task<Message> {
        if self.remembering {
            return Task::none();
        }
        self.remembering = true;
        let placement = self.settings.placement;
        Task::perform(
            crate::worker::spawn(move || {
                remember_placement(placement);
                placement
            }),
            Message::PlacementRemembered,
        )
    }

    fn update_modal(&mut self, message: modal::Message) -> Task<Message> {
        match (&mut self.modal, message) {
            (Some(Modal::Pin(dialog)), modal::Message::Pin(message)) => {
                match dialog.update(message) {
                    pin::Action::None => Task::none(),
                    pin::Action::Submit(secret) => {
                        self.modal = None;
                        match &mut self.screen {
                            Screen::Sign(sign) => sign.unlock(Some(secret)).map(wrap_sign),
                            _ => Task::none(),
                        }
                    }
                    pin::Action::Cancel => {
                        self.modal = None;
                        if let Screen::Sign(sign) = &mut self.screen {
                            sign.secret_cancelled();
                        }
                        Task::none()
                    }
                }
            }
            (Some(Modal::Confirm(_)), modal::Message::Confirm(answer)) => {
                self.modal = None;
                match &mut self.screen {
                    Screen::Sign(sign) => {
                        let action = sign.confirmed(answer);
                        self.apply_sign(action)
                    }
                    _ => Task::none(),
                }
            }
            _ => Task::none(),
        }
    }

    fn open(&mut self, intent: Intent, files: Vec<PathBuf>) -> Task<Message> {
        match intent {
            Intent::Validate => {
                let (screen, task) = validate::Validate::new(files, &self.settings);
                self.screen = Screen::Validate(screen);
                task.map(wrap_validate)
            }
            Intent::Sign | Intent::Seal => {
                let kind = if intent == Intent::Seal {
                    Kind::Seal
                } else {
                    Kind::Signature
                };
                let (screen, task) = sign::Sign::new(kind, files, &self.settings);
                self.screen = Screen::Sign(screen);
                task.map(wrap_sign)
            }
        }
    }

    fn home(&mut self) -> Task<Message> {
        let (start, task) = start::Start::new(Vec::new(), None);
        self.screen = Screen::Start(start);
        task.map(wrap_start)
    }

    pub fn view(&self) -> Element<'_, Message> {
        let language = self.language;
        let base = match &self.screen {
            Screen::Start(start) => start.view(language).map(wrap_start),
            Screen::Sign(sign) => sign.view(language).map(wrap_sign),
            Screen::Validate(validate) => validate.view(language).map(wrap_validate),
            Screen::Settings(settings) => settings
                .view(language)
                .map(|m| Message::Screen(screen::Message::Settings(m))),
        };
        match &self.modal {
            Some(modal) => modal::overlay(base, modal.view(language).map(Message::Modal)),
            None => base,
        }
    }

    fn subscription(&self) -> Subscription<Message> {
        event::listen_with(|event, _status, _window| match event {
            Event::Window(window::Event::FileHovered(_)) => Some(Message::FileHovered(true)),
            Event::Window(window::Event::FilesHoveredLeft) => Some(Message::FileHovered(false)),
            Event::Window(window::Event::FileDropped(path)) => Some(Message::FileDropped(path)),
            // A held key repeats: never let that sign document after document.
            Event::Keyboard(keyboard::Event::KeyPressed { repeat: true, .. }) => None,
            Event::Keyboard(keyboard::Event::KeyPressed { key, modifiers, .. }) => match key {
                keyboard::Key::Named(key::Named::Tab) => Some(Message::Tab {
                    backwards: modifiers.shift(),
                }),
                // Enter runs the main action of the start page, the sign screen and the
                // confirmation; the PIN field's own submit comes first, and the app's Enter
                // does nothing while the PIN dialog is open.
                keyboard::Key::Named(key::Named::Enter) => Some(Message::Enter),
                keyboard::Key::Named(key::Named::Escape) => Some(Message::Escape),
                _ => None,
            },
            _ => None,
        })
    }
}

fn wrap_start(message: start::Message) -> Message {
    Message::Screen(screen::Message::Start(message))
}

fn wrap_sign(message: sign::Message) -> Message {
    Message::Screen(screen::Message::Sign(message))
}

fn wrap_validate(message: validate::Message) -> Message {
    Message::Screen(screen::Message::Validate(message))
}

#[cfg(test)]
mod tests;

/// Writes `placement` into the settings file as it is on disk now, changing nothing else. A
/// file that does not load is left alone: the user fixes it in Settings, and a stamp position
/// is not worth replacing their other choices with defaults. Failing to save only costs the
/// choice next time, so errors are not shown.
fn remember_placement(placement: siegel::sign::Placement) {
    if let Ok(mut settings) = Settings::load()
        && settings.placement != placement
    {
        settings.placement = placement;
        let _ = settings.save();
    }
}
