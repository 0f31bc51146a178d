//! The local copy of the EU trusted lists (ETSI TS 119 612 §6.1 distribution, TS 119 615 §4.1
//! retrieval): the original signed XML files plus a small state file, updated so that a failed,
//! non-XML or badly signed download never replaces the last good list, and re-verified on
//! every load (the folder is not trusted blindly).
//!
//! Layout: `EU.xml` (the LOTL), `<territory>.xml` per national list, `state.json`.
//!
//! Freshness (TS 119 612 §6.1, as EU DSS's `Sha2FileCacheDataLoader` does it): a cached list
//! that still verifies and is before its `NextUpdate` is kept without downloading it again
//! when the `.sha2` file published beside it names its SHA-256, or else when the server
//! answers 304 to a request conditional on the `ETag` and `Last-Modified` it came with. A list
//! past its `NextUpdate`, or one that no longer verifies, is always downloaded; these
//! shortcuts only ever spare a download, they never make a list acceptable.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::lists::{self, Snapshot};
use super::tsl::Pointer;
use crate::certificate::{self, Certificate};
use crate::network::{self, Conditional, Fetcher, Request, Validators};

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
    /// When an update last found the file in the folder to be the published one (downloaded,
    /// or kept by its `.sha2` or a 304).
    #[serde(default)]
    pub checked: Option<DateTime<Utc>>,
    /// SHA-256 (hex) of the file in the folder: `etag` and `last_modified` describe that file
    /// and are sent only while it is still the one there.
    #[serde(default)]
    pub sha256: Option<String>,
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub last_modified: Option<String>,
    /// The last update that failed for this list, and why (the old file stayed).
    pub failure: Option<Failure>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Failure {
    pub at: DateTime<Utc>,
    pub reason: String,
}

/// Whether an update may keep a cached list its publisher says is unchanged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Refresh {
    /// Keep a cached list that verifies, is before its `NextUpdate` and whose `.sha2` or
    /// server (304) says it is the published one; download the others.
    #[default]
    WhenChanged,
    /// Download every list.
    Always,
}

/// How a cached list was found to be the published one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unchanged {
    /// The `.sha2` file beside the list names the cached file's SHA-256.
    Sha2,
    /// The server answered 304 Not Modified to a conditional request.
    NotModified,
}

/// What one update did with one list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Downloaded, verified, and now the file in the folder.
    Replaced,
    /// The cached file (verified, before its `NextUpdate`) is still the published one.
    Unchanged(Unchanged),
    /// Why nothing new was accepted; the cached file, if any, stays.
    Failed(String),
}

/// What one update did: each list (the LOTL as `EU`) in the order they were handled.
#[derive(Clone, Debug, Default)]
pub struct Update {
    pub lists: Vec<(String, Outcome)>,
}

impl Update {
    /// The lists downloaded and accepted.
    pub fn replaced(&self) -> Vec<&str> {
        self.with(|o| matches!(o, Outcome::Replaced))
    }

    /// The lists kept because they are unchanged.
    pub fn unchanged(&self) -> Vec<&str> {
        self.with(|o| matches!(o, Outcome::Unchanged(_)))
    }

    /// The lists that failed, with why.
    pub fn failed(&self) -> Vec<(&str, &str)> {
        self.lists
            .iter()
            .filter_map(|(territory, outcome)| match outcome {
                Outcome::Failed(reason) => Some((territory.as_str(), reason.as_str())),
                _ => None,
            })
            .collect()
    }

    fn with(&self, wanted: impl Fn(&Outcome) -> bool) -> Vec<&str> {
        self.lists
            .iter()
            .filter(|(_, outcome)| wanted(outcome))
            .map(|(territory, _)| territory.as_str())
            .collect()
    }
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
    /// When an update last found it to be the published one.
    pub checked: Option<DateTime<Utc>>,
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

    /// Brings the folder up to date at `now`: the LOTL from `lotl_url`, verified with
    /// `signers`, then each national list (of `territories`, all when empty), verified with the
    /// signers its pointer announces. Only a list that verified replaces the cached one; every
    /// failure is recorded. With [`Refresh::WhenChanged`], a cached list that verifies and is
    /// before its `NextUpdate` is kept when its publisher says it is unchanged (module doc).
    pub fn update(
        &self,
        lotl_url: &str,
        signers: &[Certificate],
        territories: &[String],
        fetcher: &dyn Fetcher,
        refresh: Refresh,
        now: DateTime<Utc>,
    ) -> Result<Update, Error> {
        std::fs::create_dir_all(&self.dir).map_err(|e| self.io(&self.dir, &e))?;
        let mut state = self.state();
        state.lotl_url = lotl_url.to_owned();
        let mut update = Update::default();
        let entry = state.lists.get(LOTL_KEY).cloned().unwrap_or_default();
        let cached = (entry.location == lotl_url)
            .then(|| self.cached_lotl(signers, now))
            .flatten();
        let mut pivots: Vec<(String, Vec<u8>)> = Vec::new();
        let lotl = obtain(fetcher, lotl_url, &entry, cached, refresh, now).and_then(|obtained| {
            let (bytes, validators) = match obtained {
                Obtained::Kept(how, loaded) => return Ok((*loaded, Outcome::Unchanged(how), None)),
                Obtained::Downloaded(bytes, validators) => (bytes, validators),
            };
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
            Ok((loaded, Outcome::Replaced, Some((bytes, validators))))
        });
        let lotl = match lotl {
            Ok((loaded, outcome, downloaded)) => {
                match downloaded {
                    Some((bytes, validators)) => {
                        for (name, body) in &pivots {
                            self.write(name, body)?;
                        }
                        self.write(LOTL_FILE, &bytes)?;
                        let sha256 = loaded.sha256.clone();
                        accept(&mut state, LOTL_KEY, lotl_url, now, sha256, validators);
                    }
                    None => keep(&mut state, LOTL_KEY, now),
                }
                update.lists.push((LOTL_KEY.into(), outcome));
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
            let file = format!("{territory}.xml");
            let location = pointer.location.as_str();
            let entry = state.lists.get(&territory).cloned().unwrap_or_default();
            let cached = (entry.location == location)
                .then(|| std::fs::read(self.dir.join(&file)).ok())
                .flatten()
                .and_then(|bytes| national(&bytes, pointer, &territory, now).ok());
            let outcome =
                obtain(fetcher, location, &entry, cached, refresh, now).and_then(|obtained| {
                    match obtained {
                        Obtained::Kept(how, _) => Ok((Outcome::Unchanged(how), None)),
                        Obtained::Downloaded(bytes, validators) => {
                            let loaded = national(&bytes, pointer, &territory, now)?;
                            Ok((Outcome::Replaced, Some((bytes, loaded.sha256, validators))))
                        }
                    }
                });
            let outcome = match outcome {
                Ok((outcome, Some((bytes, sha256, validators)))) => {
                    self.write(&file, &bytes)?;
                    accept(&mut state, &territory, location, now, sha256, validators);
                    outcome
                }
                Ok((outcome, None)) => {
                    keep(&mut state, &territory, now);
                    outcome
                }
                Err(error) => {
                    reject(&mut state, &territory, location, now, &error);
                    Outcome::Failed(error.to_string())
                }
            };
            update.lists.push((territory, outcome));
        }
        self.save(&state)?;
        Ok(update)
    }

    /// The cached LOTL, if it verifies at `now` (through the pivots kept here).
    fn cached_lotl(&self, signers: &[Certificate], now: DateTime<Utc>) -> Option<lists::Loaded> {
        let bytes = std::fs::read(self.dir.join(LOTL_FILE)).ok()?;
        let signers = lists::lotl_signers(
            &bytes,
            signers,
            &mut |uri| std::fs::read(self.dir.join(pivot_file(uri)?)).ok(),
            now,
        )
        .ok()?;
        let loaded = lists::read(&bytes, &signers, now).ok()?;
        loaded.list.is_lotl().then_some(loaded)
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
                checked: entry.checked,
                stale: loaded.is_some_and(|l| !l.list.is_current_at(now)),
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
        // No location and no validators: the next update downloads every list afresh.
        let mut state = self.state();
        let sha256 = snapshot.lotl.sha256.clone();
        accept(&mut state, LOTL_KEY, "", now, sha256, Validators::default());
        for loaded in &snapshot.lists {
            let territory = &loaded.list.territory;
            copy(&format!("{territory}.xml"))?;
            let sha256 = loaded.sha256.clone();
            accept(
                &mut state,
                territory,
                "",
                now,
                sha256,
                Validators::default(),
            );
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

/// A list as [`obtain`] found it.
enum Obtained {
    /// The cached list is the published one.
    Kept(Unchanged, Box<lists::Loaded>),
    /// A new download (not verified yet), with the validators it came with.
    Downloaded(Vec<u8>, Validators),
}

/// The list at `url`: `cached` (verified at `now`) when it is before its
/// `NextUpdate` and its `.sha2` names it or the server answers 304, else a download. A `.sha2`
/// that names another digest means the list changed: it is downloaded unconditionally. A
/// missing or unreadable `.sha2` (a 404, an HTML error page) just leaves the question to the
/// conditional request, as TS 119 612 §6.1 says.
fn obtain(
    fetcher: &dyn Fetcher,
    url: &str,
    entry: &Entry,
    cached: Option<lists::Loaded>,
    refresh: Refresh,
    now: DateTime<Utc>,
) -> Result<Obtained, lists::Error> {
    let request = Request::get(url, network::Kind::TrustedList);
    // Asked without validators (unconditionally), for the validators of the answer.
    let download = || match conditional(fetcher, &request, &Validators::default())? {
        Some((body, validators)) => Ok(Obtained::Downloaded(body, validators)),
        None => Err(unasked_304(url)),
    };
    let current =
        cached.filter(|loaded| refresh == Refresh::WhenChanged && loaded.list.is_current_at(now));
    let Some(loaded) = current else {
        return download();
    };
    let published = sha2_url(url).and_then(|sha2| {
        fetcher
            .fetch(&Request::get(&sha2, network::Kind::TrustedListDigest))
            .ok()
    });
    match published.and_then(|text| names_digest(&text, &loaded.sha256)) {
        Some(true) => return Ok(Obtained::Kept(Unchanged::Sha2, Box::new(loaded))),
        Some(false) => return download(),
        None => {}
    }
    // Validators describe the file they came with; after an import or an edit they do not.
    let known = Validators {
        etag: entry.etag.clone(),
        last_modified: entry.last_modified.clone(),
    };
    let known = if entry
        .sha256
        .as_deref()
        .is_some_and(|sha256| sha256.eq_ignore_ascii_case(&loaded.sha256))
    {
        known
    } else {
        Validators::default()
    };
    match conditional(fetcher, &request, &known)? {
        Some((body, validators)) => Ok(Obtained::Downloaded(body, validators)),
        None if known.is_empty() => Err(unasked_304(url)),
        None => Ok(Obtained::Kept(Unchanged::NotModified, Box::new(loaded))),
    }
}

/// The body and validators of the answer to `request` asked with `known`; `None` for 304.
fn conditional(
    fetcher: &dyn Fetcher,
    request: &Request<'_>,
    known: &Validators,
) -> Result<Option<(Vec<u8>, Validators)>, lists::Error> {
    match fetcher.fetch_if_modified(request, known) {
        Ok(Conditional::Modified { body, validators }) => Ok(Some((body, validators))),
        Ok(Conditional::NotModified) => Ok(None),
        Err(error) => Err(lists::Error::Download(error.to_string())),
    }
}

/// A 304 is an answer only to a conditional request; to any other it keeps nothing.
fn unasked_304(url: &str) -> lists::Error {
    lists::Error::Download(format!(
        "{url}: answered 304 Not Modified to an unconditional request"
    ))
}

/// Where the digest of the list at `url` is published (TS 119 612 §6.1): the same URL with
/// `.sha2` for its `.xml` (or `.xtsl`) extension. Other URLs have none.
fn sha2_url(url: &str) -> Option<String> {
    [".xml", ".xtsl"].iter().find_map(|extension| {
        let split = url.len().checked_sub(extension.len())?;
        let (stem, tail) = (url.get(..split)?, url.get(split..)?);
        tail.eq_ignore_ascii_case(extension)
            .then(|| format!("{stem}.sha2"))
    })
}

/// Whether the `.sha2` file `published` names the SHA-256 whose hex is `sha256`; `None` when
/// it names no digest at all. TS 119 612 does not fix the encoding: the EU and the member
/// states publish hex, which EU DSS decodes; base64 is accepted as well. White space around
/// it is ignored; anything else (an HTML error page, a file of another digest's length) is no
/// digest.
fn names_digest(published: &[u8], sha256: &str) -> Option<bool> {
    use base64ct::{Base64, Encoding};
    let text = std::str::from_utf8(published).ok()?.trim();
    if text.len() == sha256.len() && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(text.eq_ignore_ascii_case(sha256));
    }
    let decoded = Base64::decode_vec(text).ok()?;
    let decoded = certificate::hex_upper(&decoded);
    (decoded.len() == sha256.len()).then(|| decoded.eq_ignore_ascii_case(sha256))
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

/// The verified file from `location`, of SHA-256 `sha256` (hex), is the list `key` now.
fn accept(
    state: &mut State,
    key: &str,
    location: &str,
    now: DateTime<Utc>,
    sha256: String,
    validators: Validators,
) {
    state.lists.insert(
        key.to_owned(),
        Entry {
            location: location.to_owned(),
            fetched: Some(now),
            checked: Some(now),
            sha256: Some(sha256),
            etag: validators.etag,
            last_modified: validators.last_modified,
            failure: None,
        },
    );
}

/// The cached list `key` was found to be the published one.
fn keep(state: &mut State, key: &str, now: DateTime<Utc>) {
    let entry = state.lists.entry(key.to_owned()).or_default();
    entry.checked = Some(now);
    entry.failure = None;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sha2_file_is_beside_the_list() {
        assert_eq!(
            sha2_url("https://ec.europa.eu/tools/lotl/eu-lotl.xml").as_deref(),
            Some("https://ec.europa.eu/tools/lotl/eu-lotl.sha2")
        );
        assert_eq!(
            sha2_url("https://tl.example/TL.XTSL").as_deref(),
            Some("https://tl.example/TL.sha2")
        );
        assert_eq!(sha2_url("https://tl.example/list.pdf"), None);
        assert_eq!(sha2_url("https://tl.example/list?format=xml"), None);
        assert_eq!(sha2_url("ü.xml").as_deref(), Some("ü.sha2"));
        assert_eq!(sha2_url("xml"), None);
        // A cut inside a character is no extension (and no panic).
        assert_eq!(sha2_url("üxml"), None);
    }

    #[test]
    fn a_sha2_file_names_a_digest_in_hex_or_base64_or_none() {
        use crate::algorithm::Digest;
        use base64ct::{Base64, Encoding};
        let digest = Digest::Sha256.hash(b"list");
        // As lists::Loaded carries it.
        let sha256 = certificate::hex_upper(&digest);
        let other = certificate::hex_upper(&Digest::Sha256.hash(b"another list"));
        let lower = sha256.to_ascii_lowercase();
        assert_eq!(names_digest(lower.as_bytes(), &sha256), Some(true));
        let upper = format!("{sha256}\r\n");
        assert_eq!(names_digest(upper.as_bytes(), &sha256), Some(true));
        let base64 = format!(" {}\n", Base64::encode_string(&digest));
        assert_eq!(names_digest(base64.as_bytes(), &sha256), Some(true));
        assert_eq!(names_digest(other.as_bytes(), &sha256), Some(false));
        let base64 = Base64::encode_string(&Digest::Sha256.hash(b"another list"));
        assert_eq!(names_digest(base64.as_bytes(), &sha256), Some(false));
        // No digest: the list is downloaded.
        for text in [
            &b"<html><body>502 Bad Gateway</body></html>"[..],
            b"",
            &digest,
            lower.get(..62).unwrap_or_default().as_bytes(),
            format!("{lower}  EU.xml").as_bytes(),
            &Base64::encode_string(&Digest::Sha384.hash(b"list")).into_bytes(),
            b"\xff\xfe",
        ] {
            assert_eq!(names_digest(text, &sha256), None, "{text:?}");
        }
    }
}
