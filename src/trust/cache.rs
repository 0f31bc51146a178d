//! The local copy of the EU trusted lists (ETSI TS 119 612 §6.1 distribution, TS 119 615 §4.1
//! retrieval): the original signed XML files plus a small state file, updated so that a failed,
//! non-XML or badly signed download never replaces the last good list, and re-verified on
//! every load (the folder is not trusted blindly).
//!
//! Layout: `EU.xml` (the LOTL), `<territory>.xml` per national list, `state.json`.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::lists::{self, Snapshot};
use super::tsl::Pointer;
use crate::certificate::Certificate;
use crate::network::{self, Fetcher, Request};

/// Where the European Commission publishes the LOTL (OJ C 276/2019).
pub const DEFAULT_LOTL_URL: &str = "https://ec.europa.eu/tools/lotl/eu-lotl.xml";
const LOTL_FILE: &str = "EU.xml";
const STATE_FILE: &str = "state.json";
const LOTL_KEY: &str = "EU";

/// The LOTL signers published in the Official Journal (OJ C 276/2019), shipped with the
/// program (`assets/lotl-signers/`).
pub fn pinned_lotl_signers() -> Vec<Certificate> {
    [
        include_str!("../../assets/lotl-signers/oj-2019-c276-01-verbergt.pem"),
        include_str!("../../assets/lotl-signers/oj-2019-c276-02-ottoy.pem"),
        include_str!("../../assets/lotl-signers/oj-2019-c276-03-de-boer.pem"),
        include_str!("../../assets/lotl-signers/oj-2019-c276-04-croitoru.pem"),
        include_str!("../../assets/lotl-signers/oj-2019-c276-05-burgos-palomar.pem"),
        include_str!("../../assets/lotl-signers/oj-2019-c276-06-kremer.pem"),
        include_str!("../../assets/lotl-signers/oj-2019-c276-07-ec-digit.pem"),
        include_str!("../../assets/lotl-signers/oj-2019-c276-08-ec-cnect.pem"),
    ]
    .iter()
    .flat_map(|pem| Certificate::load_all(pem.as_bytes()).unwrap_or_default())
    .collect()
}

/// LOTL signer certificates read from files (PEM or DER).
pub fn signers_from_files(paths: &[PathBuf]) -> Result<Vec<Certificate>, Error> {
    let mut store = super::Store::new();
    for path in paths {
        store.add_file(path).map_err(|e| Error::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
    }
    Ok(store.anchors().to_vec())
}

/// The trusted-list folder.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

/// What the state file remembers of each list (the LOTL under `EU`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub lotl_url: String,
    pub lists: BTreeMap<String, Entry>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Entry {
    pub location: String,
    /// When the file in the folder was downloaded and accepted.
    pub fetched: Option<DateTime<Utc>>,
    /// The last update that failed for this list, and why (the old file stayed).
    pub failure: Option<Failure>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Failure {
    pub at: DateTime<Utc>,
    pub reason: String,
}

/// What one update did.
#[derive(Clone, Debug, Default)]
pub struct Update {
    pub replaced: Vec<String>,
    pub failed: Vec<(String, String)>,
}

/// One list as `trust status` shows it.
#[derive(Clone, Debug, Serialize)]
pub struct ListStatus {
    pub territory: String,
    pub location: String,
    pub sequence: Option<u64>,
    pub issued: Option<DateTime<Utc>>,
    pub next_update: Option<DateTime<Utc>>,
    /// `valid`, or why the cached file cannot be used.
    pub signature: String,
    pub signer: Option<String>,
    pub fetched: Option<DateTime<Utc>>,
    /// Past its NextUpdate.
    pub stale: bool,
    pub last_failure: Option<Failure>,
}

/// The whole folder as `trust status` shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    pub folder: String,
    pub lotl_url: String,
    pub pinned_signers: Vec<String>,
    pub lists: Vec<ListStatus>,
}

impl Cache {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The platform cache folder: `$XDG_CACHE_HOME/siegel/trust/` on Linux.
    pub fn default_dir() -> Option<PathBuf> {
        directories::ProjectDirs::from("eu", "Siegel", "Siegel")
            .map(|dirs| dirs.cache_dir().join("trust"))
    }

    /// The cached lists checked with `signers` at `now`; `Ok(None)` when no list was ever
    /// downloaded here.
    pub fn load_existing(
        &self,
        signers: &[Certificate],
        now: DateTime<Utc>,
    ) -> Result<Option<Snapshot>, Error> {
        if !self.dir.join(LOTL_FILE).exists() {
            return Ok(None);
        }
        self.load(signers, now).map(Some)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Downloads the LOTL from `lotl_url`, verifies it with `signers` at `now`, then each
    /// national list (of `territories`, all when empty) with the signers its pointer announces.
    /// Only a list that verified replaces the cached one; every failure is recorded.
    pub fn update(
        &self,
        lotl_url: &str,
        signers: &[Certificate],
        territories: &[String],
        fetcher: &dyn Fetcher,
        now: DateTime<Utc>,
    ) -> Result<Update, Error> {
        std::fs::create_dir_all(&self.dir).map_err(|e| self.io(&self.dir, &e))?;
        let mut state = self.state();
        state.lotl_url = lotl_url.to_owned();
        let mut update = Update::default();
        let mut pivots: Vec<(String, Vec<u8>)> = Vec::new();
        let lotl = fetch(fetcher, lotl_url).and_then(|bytes| {
            // A LOTL signed by a key not pinned is reached through its pivots, which are
            // kept beside it so that every load can walk the same chain again.
            let signers = lists::lotl_signers(
                &bytes,
                signers,
                &mut |uri| {
                    let name = pivot_file(uri)?;
                    let body = fetch(fetcher, uri).ok()?;
                    pivots.push((name, body.clone()));
                    Some(body)
                },
                now,
            )?;
            let loaded = lists::read(&bytes, &signers, now)?;
            if !loaded.list.is_lotl() {
                return Err(lists::Error::NotLotl(loaded.list.kind.clone()));
            }
            Ok((bytes, loaded))
        });
        let lotl = match lotl {
            Ok((bytes, loaded)) => {
                for (name, body) in &pivots {
                    self.write(name, body)?;
                }
                self.write(LOTL_FILE, &bytes)?;
                accept(&mut state, LOTL_KEY, lotl_url, now);
                update.replaced.push(LOTL_KEY.into());
                loaded
            }
            Err(error) => {
                reject(&mut state, LOTL_KEY, lotl_url, now, &error);
                self.save(&state)?;
                return Err(Error::Lotl(error));
            }
        };
        for pointer in lotl.list.xml_pointers() {
            let territory = pointer.territory.clone().unwrap_or_default();
            if territory.is_empty()
                || !territory.chars().all(|c| c.is_ascii_alphabetic())
                || (!territories.is_empty() && !territories.contains(&territory))
            {
                continue;
            }
            let outcome = fetch(fetcher, &pointer.location)
                .and_then(|bytes| national(&bytes, pointer, &territory, now).map(|_| bytes));
            match outcome {
                Ok(bytes) => {
                    self.write(&format!("{territory}.xml"), &bytes)?;
                    accept(&mut state, &territory, &pointer.location, now);
                    update.replaced.push(territory);
                }
                Err(error) => {
                    reject(&mut state, &territory, &pointer.location, now, &error);
                    update.failed.push((territory, error.to_string()));
                }
            }
        }
        self.save(&state)?;
        Ok(update)
    }

    /// Reads and re-verifies the cached lists at `now`.
    pub fn load(&self, signers: &[Certificate], now: DateTime<Utc>) -> Result<Snapshot, Error> {
        let lotl = std::fs::read(self.dir.join(LOTL_FILE))
            .map_err(|e| self.io(&self.dir.join(LOTL_FILE), &e))?;
        let dir = self.dir.clone();
        let signers = lists::lotl_signers(
            &lotl,
            signers,
            &mut |uri| std::fs::read(dir.join(pivot_file(uri)?)).ok(),
            now,
        )
        .map_err(Error::Lotl)?;
        Snapshot::load(
            &lotl,
            &signers,
            &[],
            &mut |pointer| {
                let territory = pointer.territory.as_deref()?;
                if !territory.chars().all(|c| c.is_ascii_alphabetic()) {
                    return None;
                }
                std::fs::read(dir.join(format!("{territory}.xml"))).ok()
            },
            now,
        )
        .map_err(Error::Lotl)
    }

    /// The state of every cached list, verified afresh at `now`.
    pub fn status(&self, signers: &[Certificate], now: DateTime<Utc>) -> Status {
        let state = self.state();
        let mut lists = Vec::new();
        let entry = |key: &str| state.lists.get(key).cloned().unwrap_or_default();
        let describe = |territory: &str, loaded: Option<&lists::Loaded>, signature: String| {
            let entry = entry(territory);
            ListStatus {
                territory: territory.to_owned(),
                location: entry.location,
                sequence: loaded.map(|l| l.list.sequence),
                issued: loaded.map(|l| l.list.issued),
                next_update: loaded.and_then(|l| l.list.next_update),
                signature,
                signer: loaded.map(|l| l.signer.subject()),
                fetched: entry.fetched,
                stale: loaded.is_some_and(|l| l.list.next_update.is_none_or(|n| n < now)),
                last_failure: entry.failure,
            }
        };
        match self.load(signers, now) {
            Ok(snapshot) => {
                lists.push(describe(LOTL_KEY, Some(&snapshot.lotl), "valid".into()));
                for loaded in &snapshot.lists {
                    lists.push(describe(
                        &loaded.list.territory,
                        Some(loaded),
                        "valid".into(),
                    ));
                }
                for failure in &snapshot.failures {
                    // Lists never fetched (another --territory) are not failures.
                    if state.lists.contains_key(&failure.territory)
                        || failure.error != lists::Error::Unavailable
                    {
                        lists.push(describe(
                            &failure.territory,
                            None,
                            failure.error.to_string(),
                        ));
                    }
                }
            }
            Err(error) => lists.push(describe(LOTL_KEY, None, error.to_string())),
        }
        Status {
            folder: self.dir.display().to_string(),
            lotl_url: state.lotl_url,
            pinned_signers: signers.iter().map(Certificate::subject).collect(),
            lists,
        }
    }

    /// Copies the cached lists and state into `target` (an administrator's snapshot).
    pub fn export(&self, target: &Path) -> Result<usize, Error> {
        std::fs::create_dir_all(target).map_err(|e| self.io(target, &e))?;
        let mut copied = 0;
        for name in self.files()? {
            let bytes = std::fs::read(self.dir.join(&name))
                .map_err(|e| self.io(&self.dir.join(&name), &e))?;
            Cache::new(target).write(&name, &bytes)?;
            copied += 1;
        }
        Ok(copied)
    }

    /// Takes the lists of `source` after verifying them at `now` with `signers`: only a
    /// snapshot whose LOTL verifies is imported, and of it only the national lists that verify.
    pub fn import(
        &self,
        source: &Path,
        signers: &[Certificate],
        now: DateTime<Utc>,
    ) -> Result<Snapshot, Error> {
        let snapshot = Cache::new(source).load(signers, now)?;
        std::fs::create_dir_all(&self.dir).map_err(|e| self.io(&self.dir, &e))?;
        let copy = |name: &str| -> Result<(), Error> {
            let bytes =
                std::fs::read(source.join(name)).map_err(|e| self.io(&source.join(name), &e))?;
            self.write(name, &bytes)
        };
        copy(LOTL_FILE)?;
        for name in Cache::new(source).files()? {
            if name.starts_with("pivot-") {
                copy(&name)?;
            }
        }
        let mut state = self.state();
        accept(&mut state, LOTL_KEY, "", now);
        for loaded in &snapshot.lists {
            copy(&format!("{}.xml", loaded.list.territory))?;
            accept(&mut state, &loaded.list.territory, "", now);
        }
        self.save(&state)?;
        Ok(snapshot)
    }

    fn files(&self) -> Result<Vec<String>, Error> {
        let entries = std::fs::read_dir(&self.dir).map_err(|e| self.io(&self.dir, &e))?;
        Ok(entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".xml") || n == STATE_FILE)
            .collect())
    }

    fn state(&self) -> State {
        std::fs::read(self.dir.join(STATE_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    fn save(&self, state: &State) -> Result<(), Error> {
        let bytes = serde_json::to_vec_pretty(state).map_err(|e| Error::Io {
            path: STATE_FILE.into(),
            reason: e.to_string(),
        })?;
        self.write(STATE_FILE, &bytes)
    }

    /// Atomic replacement: a temporary file in the same folder, synced, renamed over the old
    /// one, so a reader sees the old list or the new one, never half of either.
    fn write(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        let target = self.dir.join(name);
        let mut file =
            tempfile::NamedTempFile::new_in(&self.dir).map_err(|e| self.io(&self.dir, &e))?;
        file.write_all(bytes).map_err(|e| self.io(&target, &e))?;
        file.as_file()
            .sync_all()
            .map_err(|e| self.io(&target, &e))?;
        file.persist(&target)
            .map_err(|e| self.io(&target, &e.error))?;
        Ok(())
    }

    fn io(&self, path: &Path, error: &std::io::Error) -> Error {
        Error::Io {
            path: path.display().to_string(),
            reason: error.to_string(),
        }
    }
}

/// The cache file of a pivot LOTL: `pivot-` and the URL's last segment, when it is a plain
/// file name (nothing from a list chooses a path).
fn pivot_file(uri: &str) -> Option<String> {
    let name = uri.rsplit('/').next()?;
    let plain = name.ends_with(".xml")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.');
    plain.then(|| format!("pivot-{name}"))
}

fn fetch(fetcher: &dyn Fetcher, url: &str) -> Result<Vec<u8>, lists::Error> {
    fetcher
        .fetch(&Request::get(url, network::Kind::TrustedList))
        .map_err(|e| lists::Error::Download(e.to_string()))
}

fn national(
    bytes: &[u8],
    pointer: &Pointer,
    territory: &str,
    now: DateTime<Utc>,
) -> Result<lists::Loaded, lists::Error> {
    let loaded = lists::read(bytes, &pointer.signers, now)?;
    if loaded.list.territory != territory {
        return Err(lists::Error::WrongTerritory(loaded.list.territory.clone()));
    }
    Ok(loaded)
}

fn accept(state: &mut State, key: &str, location: &str, now: DateTime<Utc>) {
    state.lists.insert(
        key.to_owned(),
        Entry {
            location: location.to_owned(),
            fetched: Some(now),
            failure: None,
        },
    );
}

fn reject(state: &mut State, key: &str, location: &str, now: DateTime<Utc>, error: &lists::Error) {
    let entry = state.lists.entry(key.to_owned()).or_default();
    entry.location = location.to_owned();
    entry.failure = Some(Failure {
        at: now,
        reason: error.to_string(),
    });
}

/// Why the trusted-list folder could not be updated or read.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("the list of trusted lists cannot be used: {0}")]
    Lotl(lists::Error),
    #[error("cannot write or read {path}: {reason}")]
    Io { path: String, reason: String },
}
