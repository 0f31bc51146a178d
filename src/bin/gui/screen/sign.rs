//! Signing and sealing: the documents with their state, the key (a token found automatically
//! or a PKCS#12 file), level and TSA from the settings, reason and location; then a PIN once,
//! and progress per document with cancel. Outputs go beside their input under a new name;
//! nothing is ever overwritten.

pub mod keys;
mod placement;
mod view;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use iced::{Element, Task};
use siegel::certificate::Kind;
use siegel::key::Credential;
use siegel::key::pin::Pin;
use siegel::settings::Settings;
use siegel::{network, output, sign};

use crate::focus::{self, Ring};
use crate::i18n::{self, Language, Texts};
use crate::modal::{confirm, pin};
use crate::screen;
use crate::worker::{self, Cancel};

#[derive(Debug)]
pub struct Sign {
    intent: Kind,
    settings: Settings,
    documents: Vec<Document>,
    keys: Keys,
    selected: Option<Selected>,
    level: sign::Level,
    /// Where the signature shows; from the settings, remembered there when changed.
    placement: sign::Placement,
    reason: String,
    location: String,
    /// A PKCS#12 path typed by hand (where no file dialog is available, or faster).
    p12_path: String,
    run: Run,
    /// The last problem, as (one-line cause, details).
    error: Option<(String, String)>,
    /// The language of the last message, for texts made outside `update`.
    language: Language,
    focus: Ring<Focus>,
}

/// What Tab reaches on this screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Back,
    Add,
    Remove(usize),
    Key(usize),
    Pkcs12Path,
    ChooseKeyFile,
    Level,
    Reason,
    Location,
    Placement,
    Cancel,
    OpenFolder,
    Home,
    Start,
}

impl focus::Item for Focus {
    fn input(self) -> Option<&'static str> {
        match self {
            Self::Pkcs12Path => Some(view::P12_INPUT),
            Self::Reason => Some(view::REASON_INPUT),
            Self::Location => Some(view::LOCATION_INPUT),
            _ => None,
        }
    }
}

#[derive(Debug)]
struct Document {
    path: PathBuf,
    state: State,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum State {
    Queued,
    Signing,
    Done(PathBuf),
    Failed(String),
    Skipped,
}

#[derive(Debug)]
enum Keys {
    Loading,
    Loaded {
        choices: Vec<keys::Choice>,
        problems: Vec<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Selected {
    Token(usize),
    Pkcs12(PathBuf),
}

#[derive(Debug)]
enum Run {
    Idle,
    /// The PIN dialog is open or the key is being opened.
    Unlocking,
    /// Documents are being signed; dropping the handle aborts the stream.
    Running {
        cancel: Cancel,
        _abort: iced::task::Handle,
        credential: Credential,
    },
    /// A personal signature waits for the user to approve the next document.
    Confirming {
        credential: Credential,
        next: usize,
    },
    Finished,
}

/// What the worker reports while signing.
#[derive(Clone, Debug)]
pub enum Event {
    Started(usize),
    Finished(usize, Result<PathBuf, String>),
    Ended,
}

#[derive(Clone, Debug)]
pub enum Message {
    KeysLoaded(Arc<(Vec<keys::Choice>, Vec<String>)>),
    RefreshKeys,
    SelectKey(usize),
    PickPkcs12,
    Pkcs12Picked(Option<PathBuf>),
    Pkcs12PathChanged(String),
    Pkcs12PathSubmitted,
    LevelChanged(sign::Level),
    PlacementChanged(sign::Placement),
    ReasonChanged(String),
    LocationChanged(String),
    AddFiles,
    FilesAdded(screen::Picked),
    Remove(usize),
    Start,
    Opened(Result<Credential, String>),
    Progress(Event),
    Cancel,
    OpenFolder,
    Back,
    FocusNext(bool),
    /// Enter: the focused thing, or the main action.
    Activate,
}

pub enum Action {
    None,
    Task(Task<Message>),
    AskSecret(pin::Request),
    Confirm(confirm::Confirm),
    /// Settings changed here (the stamp's placement): the app keeps and saves them.
    Remember(Settings),
    Back,
}

impl Sign {
    pub fn new(intent: Kind, files: Vec<PathBuf>, settings: &Settings) -> (Self, Task<Message>) {
        let screen = Self {
            intent,
            settings: settings.clone(),
            documents: files
                .into_iter()
                .map(|path| Document {
                    path,
                    state: State::Queued,
                })
                .collect(),
            keys: Keys::Loading,
            selected: None,
            level: settings.level,
            placement: settings.placement,
            reason: String::new(),
            location: String::new(),
            p12_path: String::new(),
            run: Run::Idle,
            error: None,
            language: i18n::choose(settings.language.as_deref()),
            focus: Ring::default(),
        };
        let task = screen.load_keys();
        (screen, task)
    }

    fn load_keys(&self) -> Task<Message> {
        let modules = self.settings.modules.clone();
        Task::perform(worker::spawn(move || keys::discover(&modules)), |found| {
            Message::KeysLoaded(Arc::new(found.unwrap_or_default()))
        })
    }

    pub fn intent(&self) -> Kind {
        self.intent
    }

    fn busy(&self) -> bool {
        matches!(
            self.run,
            Run::Unlocking | Run::Running { .. } | Run::Confirming { .. }
        )
    }

    /// Adds documents; a dropped `.p12`/`.pfx` file is taken as the key instead.
    pub fn add_files(&mut self, files: Vec<PathBuf>) {
        if self.busy() {
            return;
        }
        let (keys, files): (Vec<PathBuf>, Vec<PathBuf>) = files.into_iter().partition(|f| {
            f.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("p12") || e.eq_ignore_ascii_case("pfx"))
        });
        if let Some(key) = keys.into_iter().next() {
            self.selected = Some(Selected::Pkcs12(key));
        }
        let mut paths: Vec<PathBuf> = self.documents.iter().map(|d| d.path.clone()).collect();
        screen::merge(&mut paths, files);
        for path in paths.into_iter().skip(self.documents.len()) {
            self.documents.push(Document {
                path,
                state: State::Queued,
            });
        }
        if matches!(self.run, Run::Finished) {
            self.run = Run::Idle;
        }
    }

    pub fn update(&mut self, message: Message, language: Language) -> Action {
        self.language = language;
        match message {
            Message::KeysLoaded(found) => {
                let (choices, problems) = Arc::unwrap_or_clone(found);
                // Preselect the only usable key: the common case of one card in one reader.
                let now = chrono::Utc::now();
                let usable: Vec<usize> = (0..choices.len())
                    .filter(|&i| choices[i].fit(self.intent, now).is_ok())
                    .collect();
                if self.selected.is_none() && usable.len() == 1 {
                    self.selected = Some(Selected::Token(usable[0]));
                }
                self.keys = Keys::Loaded { choices, problems };
                Action::None
            }
            Message::RefreshKeys => {
                self.keys = Keys::Loading;
                if matches!(self.selected, Some(Selected::Token(_))) {
                    self.selected = None;
                }
                Action::Task(self.load_keys())
            }
            Message::SelectKey(index) => {
                if let Keys::Loaded { choices, .. } = &self.keys
                    && let Some(choice) = choices.get(index)
                    && choice.fit(self.intent, chrono::Utc::now()).is_ok()
                {
                    self.selected = Some(Selected::Token(index));
                }
                Action::None
            }
            Message::PickPkcs12 => Action::Task(Task::perform(
                rfd::AsyncFileDialog::new()
                    .set_title(language.t("sign.pick_p12"))
                    .add_filter("PKCS#12", &["p12", "pfx", "P12", "PFX"])
                    .pick_file(),
                |file| Message::Pkcs12Picked(file.map(|f| f.path().to_path_buf())),
            )),
            Message::Pkcs12Picked(Some(path)) => {
                self.selected = Some(Selected::Pkcs12(path));
                Action::None
            }
            Message::Pkcs12Picked(None) => Action::None,
            Message::Pkcs12PathChanged(path) => {
                self.p12_path = path;
                Action::None
            }
            Message::Pkcs12PathSubmitted => {
                let path = PathBuf::from(self.p12_path.trim());
                if path.is_file() {
                    self.selected = Some(Selected::Pkcs12(path));
                    self.error = None;
                } else {
                    self.error = Some((
                        language.t("sign.p12_missing").to_owned(),
                        path.display().to_string(),
                    ));
                }
                Action::None
            }
            Message::LevelChanged(level) => {
                self.level = level;
                Action::None
            }
            Message::PlacementChanged(placement) => {
                self.placement = placement;
                if self.settings.placement == placement {
                    return Action::None;
                }
                self.settings.placement = placement;
                Action::Remember(self.settings.clone())
            }
            Message::ReasonChanged(reason) => {
                self.reason = reason;
                Action::None
            }
            Message::LocationChanged(location) => {
                self.location = location;
                Action::None
            }
            Message::AddFiles => Action::Task(Task::perform(
                screen::pick_documents(language.t("start.choose").to_owned()),
                Message::FilesAdded,
            )),
            Message::FilesAdded(picked) => {
                if picked.no_dialog {
                    self.error = Some((language.t("start.no_dialog").to_owned(), String::new()));
                }
                self.add_files(picked.files);
                Action::None
            }
            Message::Remove(index) => {
                if !self.busy() && index < self.documents.len() {
                    self.documents.remove(index);
                }
                Action::None
            }
            Message::Start => self.start(language),
            Message::Opened(Ok(credential)) => self.opened(credential, language),
            Message::Opened(Err(error)) => {
                self.run = Run::Idle;
                self.error = Some((language.t("sign.open_failed").to_owned(), error));
                // The token's flags change after a wrong PIN (tries left): read them again.
                if matches!(self.selected, Some(Selected::Token(_))) {
                    let selected = self.selected.clone();
                    self.keys = Keys::Loading;
                    self.selected = selected;
                    return Action::Task(self.load_keys());
                }
                Action::None
            }
            Message::Progress(event) => self.progress(event),
            Message::Cancel => {
                if let Run::Running { cancel, .. } = &self.run {
                    cancel.cancel();
                }
                Action::None
            }
            Message::OpenFolder => {
                if let Some(folder) = self.output_folder()
                    && let Err(error) = open_folder(&folder)
                {
                    self.error = Some((language.t("sign.open_folder_failed").to_owned(), error));
                }
                Action::None
            }
            Message::Back => {
                if self.busy() {
                    return Action::None;
                }
                Action::Back
            }
            Message::FocusNext(backwards) => {
                let items = self.focusables();
                Action::Task(self.focus.advance(&items, backwards))
            }
            Message::Activate => {
                let message = match self.focus.current() {
                    Some(Focus::Back | Focus::Home) => Message::Back,
                    Some(Focus::Add) => Message::AddFiles,
                    Some(Focus::Remove(index)) => Message::Remove(index),
                    Some(Focus::Key(index)) => Message::SelectKey(index),
                    Some(Focus::Pkcs12Path) => Message::Pkcs12PathSubmitted,
                    Some(Focus::ChooseKeyFile) => Message::PickPkcs12,
                    Some(Focus::Level) => {
                        let all = sign::Level::ALL;
                        let next = all
                            .iter()
                            .position(|l| *l == self.level)
                            .map_or(0, |i| i + 1);
                        Message::LevelChanged(all[next % all.len()])
                    }
                    Some(Focus::Placement) => Message::PlacementChanged(self.placement.next()),
                    Some(Focus::Cancel) => Message::Cancel,
                    Some(Focus::OpenFolder) => Message::OpenFolder,
                    Some(Focus::Reason | Focus::Location | Focus::Start) | None => Message::Start,
                };
                self.update(message, language)
            }
        }
    }

    /// What Tab can reach now, in screen order (enabled things only).
    fn focusables(&self) -> Vec<Focus> {
        let idle = !self.busy();
        let mut items = Vec::new();
        if idle {
            items.push(Focus::Back);
            items.push(Focus::Add);
            items.extend(
                self.documents
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| d.state == State::Queued)
                    .map(|(i, _)| Focus::Remove(i)),
            );
            if let Keys::Loaded { choices, .. } = &self.keys {
                let now = chrono::Utc::now();
                items.extend(
                    (0..choices.len())
                        .filter(|&i| choices[i].fit(self.intent, now).is_ok())
                        .map(Focus::Key),
                );
            }
            items.extend([Focus::Pkcs12Path, Focus::ChooseKeyFile]);
        }
        items.extend([
            Focus::Level,
            Focus::Reason,
            Focus::Location,
            Focus::Placement,
        ]);
        match self.run {
            Run::Running { .. } => items.push(Focus::Cancel),
            Run::Finished => {
                if self.output_folder().is_some() {
                    items.push(Focus::OpenFolder);
                }
                items.push(Focus::Home);
            }
            _ => {}
        }
        if self.can_start() {
            items.push(Focus::Start);
        }
        items
    }

    fn can_start(&self) -> bool {
        !self.busy()
            && self
                .documents
                .iter()
                .any(|d| matches!(d.state, State::Queued | State::Failed(_) | State::Skipped))
    }

    /// Checks what can be checked without the key, then asks for the PIN (none for a PIN pad).
    fn start(&mut self, language: Language) -> Action {
        if self.busy() {
            return Action::None;
        }
        self.error = None;
        if !self.documents.iter().any(|d| d.state == State::Queued) {
            // Run again over what failed or was skipped.
            for document in &mut self.documents {
                if matches!(document.state, State::Failed(_) | State::Skipped) {
                    document.state = State::Queued;
                }
            }
        }
        if !self.documents.iter().any(|d| d.state == State::Queued) {
            self.error = Some((language.t("sign.nothing_to_do").to_owned(), String::new()));
            return Action::None;
        }
        if let Err(error) = self.request() {
            self.error = Some((error, String::new()));
            return Action::None;
        }
        let request = match (&self.selected, &self.keys) {
            (Some(Selected::Token(index)), Keys::Loaded { choices, .. }) => {
                let Some(choice) = choices.get(*index) else {
                    return Action::None;
                };
                if choice.token.flags.pin_locked {
                    self.error = Some((language.t("sign.pin_locked").to_owned(), String::new()));
                    return Action::None;
                }
                if choice.token.flags.pin_pad || !choice.token.flags.login_required {
                    self.run = Run::Unlocking;
                    return Action::Task(self.unlock(None));
                }
                pin::Request {
                    name: choice.token.label.clone(),
                    passphrase: false,
                    flags: Some(choice.token.flags),
                }
            }
            (Some(Selected::Pkcs12(path)), _) => pin::Request {
                name: screen::start::display_name(path),
                passphrase: true,
                flags: None,
            },
            _ => {
                self.error = Some((language.t("sign.choose_key").to_owned(), String::new()));
                return Action::None;
            }
        };
        self.run = Run::Unlocking;
        Action::AskSecret(request)
    }

    /// Opens the key with `secret` on a worker; the secret is moved there and dropped right
    /// after login.
    pub fn unlock(&mut self, secret: Option<Pin>) -> Task<Message> {
        let source = match (&self.selected, &self.keys) {
            (Some(Selected::Token(index)), Keys::Loaded { choices, .. }) => {
                match choices.get(*index) {
                    Some(choice) => keys::Source::Token(Box::new(choice.clone())),
                    None => return Task::none(),
                }
            }
            (Some(Selected::Pkcs12(path)), _) => keys::Source::Pkcs12(path.clone()),
            _ => return Task::none(),
        };
        self.run = Run::Unlocking;
        Task::perform(
            worker::spawn(move || keys::open(&source, secret).map_err(|e| e.to_string())),
            |result| {
                Message::Opened(result.unwrap_or_else(|| Err("the worker thread stopped".into())))
            },
        )
    }

    /// The PIN dialog was closed without a PIN.
    pub fn secret_cancelled(&mut self) {
        if matches!(self.run, Run::Unlocking) {
            self.run = Run::Idle;
        }
    }

    fn opened(&mut self, credential: Credential, language: Language) -> Action {
        let request = match self.request() {
            Ok(request) => request,
            Err(error) => {
                self.run = Run::Idle;
                self.error = Some((error, String::new()));
                return Action::None;
            }
        };
        if let Err(error) = sign::check_credential(&credential, &request) {
            self.run = Run::Idle;
            let detail = refusal(language, &error);
            self.error = Some((language.t("sign.wrong_key").to_owned(), detail));
            return Action::None;
        }
        match self.intent {
            Kind::Seal => {
                let jobs: Vec<usize> = self.queued().collect();
                self.run_jobs(credential, jobs)
            }
            Kind::Signature => self.confirm_next(credential),
        }
    }

    fn queued(&self) -> impl Iterator<Item = usize> + '_ {
        self.documents
            .iter()
            .enumerate()
            .filter(|(_, d)| d.state == State::Queued)
            .map(|(i, _)| i)
    }

    fn confirm_next(&mut self, credential: Credential) -> Action {
        let Some(next) = self.queued().next() else {
            self.run = Run::Finished;
            return Action::None;
        };
        let remaining = self.queued().count();
        let document = screen::start::display_name(&self.documents[next].path);
        self.run = Run::Confirming { credential, next };
        Action::Confirm(confirm::Confirm {
            document,
            remaining,
        })
    }

    /// The user's answer for the document awaiting approval.
    pub fn confirmed(&mut self, answer: confirm::Message) -> Action {
        let Run::Confirming { credential, next } = std::mem::replace(&mut self.run, Run::Idle)
        else {
            return Action::None;
        };
        match answer {
            confirm::Message::Sign => self.run_jobs(credential, vec![next]),
            confirm::Message::Skip => {
                self.documents[next].state = State::Skipped;
                self.confirm_next(credential)
            }
            confirm::Message::Stop => {
                self.run = Run::Finished;
                Action::None
            }
        }
    }

    fn run_jobs(&mut self, credential: Credential, jobs: Vec<usize>) -> Action {
        let request = match self.request() {
            Ok(request) => request,
            Err(error) => {
                self.run = Run::Idle;
                self.error = Some((error, String::new()));
                return Action::None;
            }
        };
        let suffix = match self.intent {
            Kind::Signature => self.settings.naming.signed_suffix.clone(),
            Kind::Seal => self.settings.naming.sealed_suffix.clone(),
        };
        let inputs: Vec<(usize, PathBuf)> = jobs
            .iter()
            .map(|&i| (i, self.documents[i].path.clone()))
            .collect();
        let placement = self.placement;
        let cancel = Cancel::default();
        let signer = credential.clone();
        let stream = worker::stream(cancel.clone(), move |send, cancel| {
            for (index, input) in inputs {
                if cancel.is_cancelled() {
                    break;
                }
                send(Event::Started(index));
                let result = output::beside(&input, &suffix, None)
                    .map_err(|e| e.to_string())
                    .and_then(|output| {
                        // Per document: the corner depends on the size of its page.
                        let visible = placement
                            .visible(&input)
                            .map_err(|e| format!("{}: {e}", input.display()))?;
                        let request = sign::Request {
                            visible,
                            ..request.clone()
                        };
                        sign::sign_pdf(&input, &output, &signer, &request, false)
                            .map(|outcome| outcome.output)
                            .map_err(|e| e.to_string())
                    });
                send(Event::Finished(index, result));
            }
            send(Event::Ended);
        });
        let (task, handle) = Task::run(stream, Message::Progress).abortable();
        self.run = Run::Running {
            cancel,
            _abort: handle.abort_on_drop(),
            credential,
        };
        Action::Task(task)
    }

    fn progress(&mut self, event: Event) -> Action {
        match event {
            Event::Started(index) => {
                if let Some(document) = self.documents.get_mut(index) {
                    document.state = State::Signing;
                }
                Action::None
            }
            Event::Finished(index, result) => {
                if let Some(document) = self.documents.get_mut(index) {
                    document.state = match result {
                        Ok(output) => State::Done(output),
                        Err(error) => State::Failed(error),
                    };
                }
                Action::None
            }
            Event::Ended => {
                let Run::Running { credential, .. } = std::mem::replace(&mut self.run, Run::Idle)
                else {
                    return Action::None;
                };
                match self.intent {
                    Kind::Signature => self.confirm_next(credential),
                    // Dropping the credential logs out of the token.
                    Kind::Seal => {
                        self.run = Run::Finished;
                        Action::None
                    }
                }
            }
        }
    }

    /// The library request for the current choices; fails if the level needs a TSA the
    /// settings do not name.
    fn request(&self) -> Result<sign::Request, String> {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let http = Arc::new(network::Http::new(self.settings.network_policy()));
        sign::Request {
            reason: text(&self.reason),
            location: text(&self.location),
            level: self.level,
            language: self.language,
            ..sign::Request::new(self.intent, chrono::Utc::now())
        }
        .with_services(&self.settings.tsa_urls, http)
        .map_err(|_| self.language.t("sign.needs_tsa").to_owned())
    }

    fn output_folder(&self) -> Option<PathBuf> {
        self.documents.iter().find_map(|d| match &d.state {
            State::Done(output) => output.parent().map(Path::to_path_buf),
            _ => None,
        })
    }

    pub fn view(&self, language: Language) -> Element<'_, Message> {
        view::view(self, language)
    }
}

/// Why the library refuses a certificate, in the app's words.
fn refusal(language: Language, error: &sign::Error) -> String {
    match error {
        sign::Error::WrongKind {
            actual, because, ..
        } => language.f(
            match actual {
                Kind::Seal => "sign.is_seal_certificate",
                Kind::Signature => "sign.is_signature_certificate",
            },
            &[("because", because)],
        ),
        sign::Error::Expired { .. } => language.t("sign.expired").to_owned(),
        sign::Error::NotYetValid { .. } => language.t("sign.not_yet_valid").to_owned(),
        sign::Error::KeyUsage { .. } => language.t("sign.no_signing_usage").to_owned(),
        error => error.to_string(),
    }
}

/// Shows `folder` in the platform's file manager.
fn open_folder(folder: &Path) -> Result<(), String> {
    let program = if cfg!(windows) {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    std::process::Command::new(program)
        .arg(folder)
        .spawn()
        .map(drop)
        .map_err(|e| format!("{program}: {e}"))
}

#[cfg(test)]
mod tests;
