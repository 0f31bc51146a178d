//! `siegel verify --report FILE [--lang de|en] [--seal-report KEY]`: writing the verification
//! protocol of one document, optionally sealed with the organisation's key.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use siegel::certificate::Kind;
use siegel::protocol::{self, Format};
use siegel::text::Language;
use siegel::{sign, validate};

use crate::args::{KeyArgs, VerifyArgs};
use crate::keys;

/// What to write, checked before any validation runs so mistakes cost nothing.
#[derive(Debug)]
pub struct Plan {
    path: PathBuf,
    format: Format,
    language: Language,
    seal: bool,
    force: bool,
}

impl Plan {
    /// `None` without `--report`; an error for combinations that cannot work.
    pub fn from_args(args: &VerifyArgs) -> Result<Option<Self>> {
        let Some(path) = &args.report else {
            if args.seal_key.is_some() {
                bail!("the key options are for --seal-report; give --report FILE.pdf too");
            }
            return Ok(None);
        };
        if args.inputs.len() != 1 {
            bail!(
                "--report writes the protocol of one document; give one input, not {} (run verify once per document)",
                args.inputs.len()
            );
        }
        let format = Format::from_path(path).with_context(|| {
            format!(
                "--report {}: unknown extension; use .pdf, .html, .json or .xml",
                path.display()
            )
        })?;
        match (args.seal_report, args.seal_key.is_some()) {
            (true, false) => bail!("--seal-report needs a key: --p12 FILE or --token LABEL"),
            (false, true) => bail!("the key options are only used with --seal-report"),
            (true, true) if format != Format::Pdf => {
                bail!("--seal-report seals PDF protocols only; name the report FILE.pdf")
            }
            _ => {}
        }
        if !args.force && path.exists() {
            bail!(
                "{} exists already (use --force to overwrite)",
                path.display()
            );
        }
        let language = args.lang.unwrap_or_else(language);
        Ok(Some(Self {
            path: path.clone(),
            format,
            language,
            seal: args.seal_report,
            force: args.force,
        }))
    }

    /// Renders and writes the protocol of `report`; returns where it went.
    pub fn write(
        &self,
        report: &validate::Report,
        key: Option<&KeyArgs>,
        now: DateTime<Utc>,
    ) -> Result<PathBuf> {
        match key.filter(|_| self.seal) {
            Some(key) => {
                let bytes = protocol::render(report, self.format, self.language)
                    .context("cannot render the protocol")?;
                self.seal(&bytes, key, now)
            }
            None => {
                protocol::write(report, &self.path, self.format, self.language, self.force)?;
                Ok(self.path.clone())
            }
        }
    }

    /// Writes the unsealed PDF beside the target and seals it into place (PAdES B-B).
    fn seal(&self, bytes: &[u8], key: &KeyArgs, now: DateTime<Utc>) -> Result<PathBuf> {
        let credential = keys::credential(key, &crate::settings())?;
        let folder = match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut unsealed = tempfile::Builder::new()
            .prefix(".siegel-protocol-")
            .suffix(".pdf")
            .tempfile_in(&folder)
            .with_context(|| format!("cannot create a temporary file in {}", folder.display()))?;
        unsealed
            .write_all(bytes)
            .and_then(|()| unsealed.flush())
            .context("cannot write the protocol before sealing")?;
        let request = sign::Request {
            reason: Some(
                self.language
                    .pick("Verification protocol", "Prüfprotokoll")
                    .into(),
            ),
            ..sign::Request::new(Kind::Seal, now)
        };
        let outcome = sign::sign_pdf(
            unsealed.path(),
            &self.path,
            &credential,
            &request,
            self.force,
        )
        .with_context(|| format!("cannot seal the protocol {}", self.path.display()))?;
        Ok(outcome.output)
    }
}

/// The language of the locale of messages, as POSIX ranks the variables: LC_ALL, then
/// LC_MESSAGES, then LANG. For the protocol and the visible stamp alike.
pub fn language() -> Language {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty())
        .unwrap_or_default();
    Language::from_locale(&locale)
}
