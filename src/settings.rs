//! User preferences shared by the desktop app and the command line: language, time-stamp
//! authorities, PKCS#11 modules, trust anchors, online or offline validation and its network
//! limits, default level and output naming, stored as TOML in the platform's configuration
//! folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::certificate::Certificate;
use crate::{network, sign, trust, validate};

/// Environment variable naming another settings file (tests, portable installs).
pub const PATH_ENV: &str = "SIEGEL_SETTINGS";

/// The preferences. Every field has a default, so a file may name only what it changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `de` or `en`; `None` follows the system's locale.
    pub language: Option<String>,
    /// RFC 3161 time-stamp authorities, tried in order.
    pub tsa_urls: Vec<String>,
    /// PKCS#11 modules looked at before the well-known ones.
    pub modules: Vec<PathBuf>,
    /// Certificates (PEM or DER files) trusted as roots when validating.
    pub trust_anchors: Vec<PathBuf>,
    /// A managed trusted-list snapshot (e.g. on a network share, made with `trust export`)
    /// used instead of the user's own cache folder.
    pub trust_list_dir: Option<PathBuf>,
    /// Certificates the LOTL must be signed with, replacing the pinned ones of OJ C 276/2019.
    pub lotl_signers: Vec<PathBuf>,
    /// Validate from the document's embedded data alone, without fetching revocation data.
    pub offline: bool,
    /// Seconds all network requests for one document may take together (revocation data and
    /// issuer certificates, online validation and B-LT).
    pub network_timeout_seconds: u64,
    /// Fetch from loopback, link-local and private addresses when a certificate names them
    /// (intranet CAs, test PKIs); off, as such URLs in a stranger's document probe the local
    /// network. Time-stamp authorities configured here may always be private.
    pub allow_private_network: bool,
    /// The PAdES level new signatures get.
    pub level: sign::Level,
    /// How outputs are named beside their input.
    pub naming: Naming,
    /// Where the desktop app last put a visible signature; files without it load as
    /// invisible.
    pub placement: sign::Placement,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            language: None,
            tsa_urls: Vec::new(),
            modules: Vec::new(),
            trust_anchors: Vec::new(),
            trust_list_dir: None,
            lotl_signers: Vec::new(),
            offline: false,
            network_timeout_seconds: network::DEFAULT_DOCUMENT_BUDGET.as_secs(),
            allow_private_network: false,
            level: sign::Level::B,
            naming: Naming::default(),
            placement: sign::Placement::default(),
        }
    }
}

/// Output names: `<stem><suffix>.<extension>` in the input's folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Naming {
    pub signed_suffix: String,
    pub sealed_suffix: String,
}

impl Default for Naming {
    fn default() -> Self {
        Self {
            signed_suffix: "-signed".into(),
            sealed_suffix: "-sealed".into(),
        }
    }
}

impl Settings {
    /// The trusted-list folder: `trust_list_dir` (a managed snapshot), else the user's cache.
    pub fn trust_list_cache(&self) -> Option<trust::cache::Cache> {
        match &self.trust_list_dir {
            Some(dir) => Some(trust::cache::Cache::new(dir)),
            None => trust::cache::Cache::default_dir().map(trust::cache::Cache::new),
        }
    }

    /// The LOTL signers of `lotl_signers`, else the pinned ones shipped with Siegel.
    pub fn lotl_signer_certificates(&self) -> Result<Vec<Certificate>, trust::cache::Error> {
        if self.lotl_signers.is_empty() {
            return Ok(trust::cache::pinned_lotl_signers());
        }
        trust::cache::signers_from_files(&self.lotl_signers)
    }

    /// The lists validation uses by default, for the CLI and the GUI alike, checked with the
    /// LOTL signers at `now`; `Ok(None)` when no list was ever downloaded.
    pub fn trusted_lists(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Option<trust::lists::Snapshot>, trust::cache::Error> {
        let Some(cache) = self.trust_list_cache() else {
            return Ok(None);
        };
        cache.load_existing(&self.lotl_signer_certificates()?, now)
    }

    /// The network rules these settings ask for, for signing and validating alike.
    pub fn network_policy(&self) -> network::Policy {
        network::Policy {
            document_budget: Duration::from_secs(self.network_timeout_seconds),
            allow_private_network: self.allow_private_network,
            ..network::Policy::default()
        }
    }

    /// Validation at `time` as these settings ask, for the command line and the desktop app
    /// alike: the trust anchors in `extra` (the command line's) and those named here, online
    /// under [`Settings::network_policy`] unless offline, the default crypto catalogue.
    /// Anchors that cannot be read are left out and returned, for the caller to show or refuse.
    pub fn validation(
        &self,
        time: DateTime<Utc>,
        extra: &[PathBuf],
    ) -> (validate::Options, Vec<trust::Error>) {
        let mut store = trust::Store::new();
        let problems = (extra.iter().chain(&self.trust_anchors))
            .filter_map(|anchor| store.add_file(anchor).err())
            .collect();
        let fetcher = (!self.offline).then(|| {
            Arc::new(network::Http::new(self.network_policy())) as Arc<dyn network::Fetcher>
        });
        let options = validate::Options {
            fetcher,
            ..validate::Options::new(store, time)
        };
        (options, problems)
    }

    /// Where the settings live: `$SIEGEL_SETTINGS` if set, else `settings.toml` in the
    /// platform's configuration folder (`~/.config/siegel/` on Linux,
    /// `%APPDATA%\Siegel\Siegel\config\` on Windows).
    pub fn path() -> Result<PathBuf, Error> {
        if let Some(path) = std::env::var_os(PATH_ENV).filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(path));
        }
        directories::ProjectDirs::from("eu", "Siegel", "Siegel")
            .map(|dirs| dirs.config_dir().join("settings.toml"))
            .ok_or(Error::NoConfigFolder)
    }

    /// Reads the settings from [`Settings::path`]. A missing file gives the defaults; a broken
    /// one is an error naming the file and the place, so the caller can show it and go on with
    /// [`Settings::default`].
    pub fn load() -> Result<Self, Error> {
        Self::load_from(&Self::path()?)
    }

    pub fn load_from(path: &Path) -> Result<Self, Error> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::default());
            }
            Err(error) => {
                return Err(Error::Read {
                    path: path.display().to_string(),
                    reason: error.to_string(),
                });
            }
        };
        toml::from_str(&text).map_err(|error| Error::Parse {
            path: path.display().to_string(),
            reason: error.message().to_owned(),
            line: error
                .span()
                .map(|span| text[..span.start.min(text.len())].lines().count().max(1)),
        })
    }

    /// Writes the settings to [`Settings::path`], creating the folder.
    pub fn save(&self) -> Result<PathBuf, Error> {
        let path = Self::path()?;
        self.save_to(&path)?;
        Ok(path)
    }

    /// Writes to a temporary file beside `path` and renames it into place, so a crash never
    /// leaves half a file.
    pub fn save_to(&self, path: &Path) -> Result<(), Error> {
        let write_error = |reason: String| Error::Write {
            path: path.display().to_string(),
            reason,
        };
        let text = toml::to_string_pretty(self).map_err(|e| write_error(e.to_string()))?;
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder).map_err(|e| write_error(e.to_string()))?;
        let mut file =
            tempfile::NamedTempFile::new_in(folder).map_err(|e| write_error(e.to_string()))?;
        std::io::Write::write_all(&mut file, text.as_bytes())
            .map_err(|e| write_error(e.to_string()))?;
        file.persist(path)
            .map_err(|e| write_error(e.error.to_string()))?;
        Ok(())
    }
}

/// Why settings could not be read or written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("no configuration folder is known for this user; set {PATH_ENV} to a file path")]
    NoConfigFolder,
    #[error("cannot read settings {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("settings {path}{} are broken: {reason}; using the defaults until the file is fixed or saved again", line.map(|l| format!(", line {l},")).unwrap_or_default())]
    Parse {
        path: String,
        reason: String,
        line: Option<usize>,
    },
    #[error("cannot save settings to {path}: {reason}")]
    Write { path: String, reason: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::load_from(&dir.path().join("none.toml")).unwrap();
        assert_eq!(settings, Settings::default());
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/settings.toml");
        let settings = Settings {
            language: Some("de".into()),
            tsa_urls: vec!["http://tsa.example/".into()],
            modules: vec!["/usr/lib/softhsm/libsofthsm2.so".into()],
            trust_anchors: vec!["/etc/siegel/root.pem".into()],
            trust_list_dir: Some("/srv/siegel/trust".into()),
            lotl_signers: vec!["/etc/siegel/lotl-signer.pem".into()],
            offline: true,
            network_timeout_seconds: 40,
            allow_private_network: true,
            level: sign::Level::Lta,
            naming: Naming {
                signed_suffix: "_unterschrieben".into(),
                sealed_suffix: "_gesiegelt".into(),
            },
            placement: sign::Placement::LastBottomRight,
        };
        settings.save_to(&path).unwrap();
        assert_eq!(Settings::load_from(&path).unwrap(), settings);
    }

    #[test]
    fn partial_file_fills_in_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "offline = true\nlevel = \"B-T\"\n").unwrap();
        let settings = Settings::load_from(&path).unwrap();
        assert!(settings.offline);
        assert_eq!(settings.level, sign::Level::T);
        assert_eq!(settings.naming, Naming::default());
        assert_eq!(settings.placement, sign::Placement::Invisible);
    }

    #[test]
    fn broken_file_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "offline = true\nlevel = \"B-X\"\n").unwrap();
        let error = Settings::load_from(&path).unwrap_err();
        assert!(
            matches!(error, Error::Parse { line: Some(2), .. }),
            "{error}"
        );
        assert!(error.to_string().contains("line 2"), "{error}");
    }
}
