//! The settings' trusted-lists card: which EU trusted lists (ETSI TS 119 612) validation
//! relies on, how current each is, where they come from, and "update now" on a worker with
//! progress. The library does the work (`trust::cache`); this only shows it.

use std::fmt;

use chrono::{DateTime, Utc};
use iced::widget::{column, container, row, text};
use iced::{Alignment, Element, Length, Task};
use siegel::network::{self, Fetcher};
use siegel::settings::Settings as Data;
use siegel::trust::cache::{self, Status};

use crate::i18n::{Language, Texts};
use crate::theme::{self, Tone};
use crate::{widget, worker};

#[derive(Debug, Default)]
pub struct TrustedLists {
    status: Loading,
    update: Update,
}

#[derive(Debug, Default)]
enum Loading {
    #[default]
    Pending,
    Loaded(Box<Status>),
    Failed(String),
}

#[derive(Debug, Default)]
enum Update {
    #[default]
    Idle,
    /// Downloading: how many files were requested so far, and the last one.
    Running {
        requests: usize,
        current: String,
        _abort: iced::task::Handle,
    },
    Finished(Result<Outcome, String>),
}

#[derive(Clone, Debug)]
pub enum Message {
    Loaded(Result<Status, String>),
    Update,
    Progress(Event),
}

/// What the update worker reports.
#[derive(Clone, Debug)]
pub enum Event {
    /// A request went out (the LOTL, a pivot, a national list).
    Fetching(String),
    Finished(Result<Outcome, String>),
}

/// What one update did, for the banner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub replaced: usize,
    /// Kept because their `.sha2` or the server said they had not changed.
    pub unchanged: usize,
    /// Territory and reason; the previous list stays in use for each.
    pub failed: Vec<(String, String)>,
}

impl TrustedLists {
    /// Reads the cached lists' status (they are verified anew, which takes a moment).
    pub fn load(data: &Data) -> Task<Message> {
        let data = data.clone();
        Task::perform(worker::spawn(move || status(&data, Utc::now())), |result| {
            Message::Loaded(result.unwrap_or_else(|| Err("the worker thread stopped".into())))
        })
    }

    pub fn is_updating(&self) -> bool {
        matches!(self.update, Update::Running { .. })
    }

    pub fn update(&mut self, message: Message, data: &Data) -> Task<Message> {
        match message {
            Message::Loaded(Ok(status)) => self.status = Loading::Loaded(Box::new(status)),
            Message::Loaded(Err(error)) => self.status = Loading::Failed(error),
            Message::Update => {
                if self.is_updating() || data.trust_list_dir.is_some() {
                    return Task::none();
                }
                let lotl = self.source();
                let data = data.clone();
                let stream = worker::stream(worker::Cancel::default(), move |send, _| {
                    let report = |url: &str| send(Event::Fetching(url.to_owned()));
                    send(Event::Finished(run_update(&data, &lotl, &report)));
                });
                let (task, handle) = Task::run(stream, Message::Progress).abortable();
                self.update = Update::Running {
                    requests: 0,
                    current: String::new(),
                    _abort: handle.abort_on_drop(),
                };
                return task;
            }
            Message::Progress(Event::Fetching(url)) => {
                if let Update::Running {
                    requests, current, ..
                } = &mut self.update
                {
                    *requests += 1;
                    *current = url;
                }
            }
            Message::Progress(Event::Finished(outcome)) => {
                self.update = Update::Finished(outcome);
                // Whatever happened, the folder is the truth: show it anew.
                return Self::load(data);
            }
        }
        Task::none()
    }

    /// Where the lists come from: the LOTL the last update used, else the EU's.
    fn source(&self) -> String {
        match &self.status {
            Loading::Loaded(status) if !status.lotl_url.is_empty() => status.lotl_url.clone(),
            _ => cache::DEFAULT_LOTL_URL.to_owned(),
        }
    }

    pub fn view<'a>(
        &'a self,
        data: &'a Data,
        language: Language,
        focused: bool,
    ) -> Element<'a, Message> {
        let t = |key| language.t(key);
        let managed = data.trust_list_dir.as_ref();
        let mut content = column![
            widget::subheading(t("lists.title")),
            widget::muted(t("lists.hint")),
        ]
        .spacing(10);
        if let Some(dir) = managed {
            content = content.push(widget::muted(
                language.f("lists.managed", &[("path", &dir.display().to_string())]),
            ));
        }
        match &self.status {
            Loading::Pending => content = content.push(widget::muted(t("lists.loading"))),
            Loading::Failed(error) => {
                content = content.push(widget::error(t("lists.unreadable"), error));
            }
            Loading::Loaded(status) => {
                content = content
                    .push(widget::field(t("lists.folder"), status.folder.clone()))
                    .push(widget::field(t("lists.source"), self.source()))
                    .push(widget::field(
                        t("lists.last_update"),
                        last_update(status).map_or_else(|| t("lists.never").to_owned(), time),
                    ))
                    .push(widget::field(
                        t("lists.pinned"),
                        status.pinned_signers.len().to_string(),
                    ));
                if last_update(status).is_some() {
                    content = content.push(table(status, language));
                }
            }
        }
        let running = self.is_updating();
        let button = widget::primary(
            t("lists.update"),
            (!running && managed.is_none()).then_some(Message::Update),
        );
        let mut actions = row![widget::ring(button, focused)]
            .spacing(12)
            .align_y(Alignment::Center);
        if let Update::Running {
            requests, current, ..
        } = &self.update
        {
            actions = actions.push(widget::muted(language.f(
                "lists.progress",
                &[("count", &requests.to_string()), ("url", current)],
            )));
        }
        content = content.push(actions);
        match &self.update {
            Update::Finished(Ok(outcome)) => {
                let tone = if outcome.failed.is_empty() {
                    Tone::Good
                } else {
                    Tone::Doubtful
                };
                let mut lines = column![text(language.f(
                    "lists.updated",
                    &[
                        ("count", &outcome.replaced.to_string()),
                        ("unchanged", &outcome.unchanged.to_string()),
                    ],
                ))]
                .spacing(4);
                for (territory, reason) in &outcome.failed {
                    lines = lines.push(text(language.f(
                        "lists.kept",
                        &[
                            ("territory", territory),
                            ("reason", &siegel::text::printable(reason)),
                        ],
                    )));
                }
                content = content.push(
                    container(lines)
                        .padding(12)
                        .width(Length::Fill)
                        .style(theme::banner(tone)),
                );
            }
            Update::Finished(Err(error)) => {
                content = content.push(widget::error(t("lists.update_failed"), error));
            }
            Update::Idle | Update::Running { .. } => {}
        }
        widget::card(content)
    }
}

/// When the folder was last refreshed: the newest time an update downloaded a list or found
/// it unchanged (state files from before `checked` know only downloads).
fn last_update(status: &Status) -> Option<DateTime<Utc>> {
    status
        .lists
        .iter()
        .filter_map(|l| l.checked.or(l.fetched))
        .max()
}

fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// One line per list: territory, sequence, issue date, next update, and whether it can be
/// used, coloured as the protocol colours it.
fn table(status: &Status, language: Language) -> Element<'_, Message> {
    let t = |key| language.t(key);
    let cell = |value: String, width: f32| text(value).size(13).width(Length::Fixed(width));
    let header = row![
        cell(t("lists.territory").into(), 70.0),
        cell(t("lists.sequence").into(), 60.0),
        cell(t("lists.issued").into(), 100.0),
        cell(t("lists.next_update").into(), 110.0),
        text(t("lists.state")).size(13).width(Length::Fill),
    ]
    .spacing(8);
    status
        .lists
        .iter()
        .fold(column![header].spacing(4), |table, list| {
            let date = |at: Option<DateTime<Utc>>| {
                at.map_or_else(|| "–".to_owned(), |a| a.format("%Y-%m-%d").to_string())
            };
            let (state, tone) = if list.signature != "valid" {
                (
                    siegel::text::printable(&list.signature).into_owned(),
                    Tone::Bad,
                )
            } else if list.stale {
                (t("lists.stale").to_owned(), Tone::Doubtful)
            } else {
                (t("lists.current").to_owned(), Tone::Good)
            };
            let state = match &list.last_failure {
                Some(failure) => format!(
                    "{state}; {}",
                    language.f(
                        "lists.last_failure",
                        &[
                            ("at", &time(failure.at)),
                            ("reason", &siegel::text::printable(&failure.reason)),
                        ],
                    )
                ),
                None => state,
            };
            table.push(
                row![
                    cell(list.territory.clone(), 70.0),
                    cell(
                        list.sequence.map_or_else(|| "–".into(), |s| s.to_string()),
                        60.0
                    ),
                    cell(date(list.issued), 100.0),
                    cell(date(list.next_update), 110.0),
                    text(state).size(13).color(tone.color()).width(Length::Fill),
                ]
                .spacing(8),
            )
        })
        .into()
}

/// The folder's status, verified at `now` with the configured LOTL signers.
fn status(data: &Data, now: DateTime<Utc>) -> Result<Status, String> {
    let cache = data
        .trust_list_cache()
        .ok_or("no cache folder for the trusted lists on this system")?;
    let signers = data.lotl_signer_certificates().map_err(|e| e.to_string())?;
    Ok(cache.status(&signers, now))
}

/// Downloads and verifies the lists from `lotl`, reporting each request; the library keeps
/// the previous list wherever a new one fails.
fn run_update(data: &Data, lotl: &str, report: &(dyn Fn(&str) + Sync)) -> Result<Outcome, String> {
    let cache = data
        .trust_list_cache()
        .ok_or("no cache folder for the trusted lists on this system")?;
    let signers = data.lotl_signer_certificates().map_err(|e| e.to_string())?;
    let fetcher = Reporting {
        inner: network::Http::new(data.network_policy()),
        report,
    };
    let update = cache
        .update(
            lotl,
            &signers,
            &[],
            &fetcher,
            cache::Refresh::WhenChanged,
            Utc::now(),
        )
        .map_err(|e| e.to_string())?;
    Ok(Outcome {
        replaced: update.replaced().len(),
        unchanged: update.unchanged().len(),
        failed: update
            .failed()
            .into_iter()
            .map(|(territory, reason)| (territory.to_owned(), reason.to_owned()))
            .collect(),
    })
}

/// The HTTP client, telling the screen about every request so that a long update shows life.
struct Reporting<'a> {
    inner: network::Http,
    report: &'a (dyn Fn(&str) + Sync),
}

impl fmt::Debug for Reporting<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reporting")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl Fetcher for Reporting<'_> {
    fn fetch(&self, request: &network::Request<'_>) -> Result<Vec<u8>, network::Error> {
        (self.report)(request.url);
        self.inner.fetch(request)
    }

    fn fetch_if_modified(
        &self,
        request: &network::Request<'_>,
        known: &network::Validators,
    ) -> Result<network::Conditional, network::Error> {
        (self.report)(request.url);
        self.inner.fetch_if_modified(request, known)
    }

    fn document_budget(&self) -> Option<std::time::Duration> {
        self.inner.document_budget()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn managed(dir: &std::path::Path) -> Data {
        Data {
            trust_list_dir: Some(dir.to_path_buf()),
            ..Data::default()
        }
    }

    #[test]
    fn an_empty_folder_reads_as_never_updated() {
        let dir = tempfile::tempdir().unwrap();
        let status = status(&managed(dir.path()), Utc::now()).unwrap();
        assert_eq!(last_update(&status), None);
        assert_eq!(status.folder, dir.path().display().to_string());
    }

    #[test]
    fn a_failed_download_is_reported_with_every_request_and_nothing_is_cached() {
        let dir = tempfile::tempdir().unwrap();
        let data = Data {
            allow_private_network: true,
            ..managed(dir.path())
        };
        let requests = std::sync::Mutex::new(Vec::new());
        let report = |url: &str| requests.lock().unwrap().push(url.to_owned());
        // Port 9 (discard) on the loopback: refused at once, no outside contact.
        let outcome = run_update(&data, "http://127.0.0.1:9/lotl.xml", &report);
        assert!(outcome.is_err(), "{outcome:?}");
        assert_eq!(*requests.lock().unwrap(), ["http://127.0.0.1:9/lotl.xml"]);
        let status = status(&data, Utc::now()).unwrap();
        assert_eq!(last_update(&status), None);
        let failure = status.lists[0].last_failure.as_ref().unwrap();
        assert!(!failure.reason.is_empty());
    }

    #[test]
    fn progress_counts_requests_and_the_end_reloads_the_status() {
        let dir = tempfile::tempdir().unwrap();
        let data = Data::default();
        let mut card = TrustedLists::default();
        let _ = card.update(
            Message::Loaded(status(&managed(dir.path()), Utc::now())),
            &data,
        );
        assert_eq!(card.source(), cache::DEFAULT_LOTL_URL);
        // Started by hand: a real start would reach for the EU's server.
        card.update = Update::Running {
            requests: 0,
            current: String::new(),
            _abort: Task::<Message>::none().abortable().1,
        };
        // A second click while running starts nothing new.
        assert!(card.update(Message::Update, &data).units() == 0);
        assert!(card.is_updating());
        for url in ["a", "b"] {
            let _ = card.update(Message::Progress(Event::Fetching(url.into())), &data);
        }
        let Update::Running {
            requests, current, ..
        } = &card.update
        else {
            panic!("expected a running update");
        };
        assert_eq!((*requests, current.as_str()), (2, "b"));
        let outcome = Outcome {
            replaced: 3,
            unchanged: 1,
            failed: vec![("DE".into(), "signature invalid".into())],
        };
        let _ = card.update(
            Message::Progress(Event::Finished(Ok(outcome.clone()))),
            &data,
        );
        assert!(!card.is_updating());
        assert!(matches!(&card.update, Update::Finished(Ok(o)) if *o == outcome));
    }

    #[test]
    fn a_managed_snapshot_is_not_updated_from_the_app() {
        let dir = tempfile::tempdir().unwrap();
        let data = managed(dir.path());
        let mut card = TrustedLists::default();
        let _ = card.update(Message::Update, &data);
        assert!(!card.is_updating());
    }
}
