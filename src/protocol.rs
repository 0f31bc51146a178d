//! The verification protocol (Prüfprotokoll) rendered from a [`validate::Report`]: a PDF/A-3
//! and an HTML page for people, the report as JSON, and the ETSI TS 119 102-2 v1.4.1 XML
//! validation report for machines. Content follows the guide's §6.4 and § 298(3) ZPO.
//!
//! # JSON
//!
//! [`Format::Json`] is the [`validate::Report`] serialised with serde; its field names are part
//! of the contract (the same object `siegel verify --format json` prints): `file`, `sha256`,
//! `size`, `validation_time` (RFC 3339), `signatures` and `document_timestamps` (each with
//! `field`, `signer`, `kind`, `level`, `qualification`, `qualification_reasons`,
//! `trust_service` (`territory`, `provider`, `service`, `status`, `since`), `signing_time`,
//! `best_signature_time`,
//! `indication`, `subindication`, `revision`, `covers_whole_document`, `modifications`,
//! `chain`, `timestamps`, `revocation`, `algorithm`, `public_key`, `findings`, `checks`,
//! `messages`), `indication`, `revisions`, `policy` and `messages`. Indications and
//! sub-indications are written with their ETSI names (`TOTAL_PASSED`, `HASH_FAILURE`).
//! `qualification` is what a trusted list confirms (`QESig`, `QESeal`, `AdESig-QC`,
//! `AdESeal-QC`, `AdESig`, `AdESeal`, `INDETERMINATE`) or `NOT_DETERMINED` without list data.

mod content;
mod html;
mod pdf;
mod text;

pub use text::{explain_indication, explain_subindication};
mod xml;

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use crate::output::{self, Output};
use crate::text::Language;
use crate::validate;

/// The file formats a protocol is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// A4 PDF/A-3 with the XML and JSON attached.
    Pdf,
    /// One self-contained page.
    Html,
    /// The serialised [`validate::Report`].
    Json,
    /// ETSI TS 119 102-2 v1.4.1 `ValidationReport`.
    Xml,
}

impl Format {
    /// The format a file name's extension asks for (`.pdf`, `.html`/`.htm`, `.json`, `.xml`).
    pub fn from_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "pdf" => Some(Self::Pdf),
            "html" | "htm" => Some(Self::Html),
            "json" => Some(Self::Json),
            "xml" => Some(Self::Xml),
            _ => None,
        }
    }
}

/// Renders the protocol of `report` in `format`.
pub fn render(
    report: &validate::Report,
    format: Format,
    language: Language,
) -> Result<Vec<u8>, Error> {
    match format {
        Format::Json => json(report),
        Format::Xml => xml::render(report),
        Format::Html => Ok(html::render(&content::Protocol::new(report, language)).into_bytes()),
        Format::Pdf => {
            let attachments = pdf::Attachments {
                xml: xml::render(report)?,
                json: json(report)?,
            };
            pdf::render(
                &content::Protocol::new(report, language),
                report,
                attachments,
            )
        }
    }
}

/// Renders the protocol and writes it to `path` through a temporary file renamed into place;
/// an existing file is replaced only if `overwrite` (a save dialog has asked, or `--force`).
pub fn write(
    report: &validate::Report,
    path: &Path,
    format: Format,
    language: Language,
    overwrite: bool,
) -> Result<(), Error> {
    let bytes = render(report, format, language)?;
    let mut output = Output::create(path, overwrite)?;
    output
        .writer()
        .write_all(&bytes)
        .map_err(|e| Error::Write {
            path: path.display().to_string(),
            source: Arc::new(e),
        })?;
    output.commit()?;
    Ok(())
}

fn json(report: &validate::Report) -> Result<Vec<u8>, Error> {
    let mut bytes = serde_json::to_vec_pretty(report).map_err(|e| Error::Json(Arc::new(e)))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Why a protocol could not be rendered or written.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot serialise the report as JSON: {0}")]
    Json(Arc<serde_json::Error>),
    #[error("cannot write the ETSI XML report: {0}")]
    Xml(Arc<std::io::Error>),
    #[error("cannot lay out the PDF protocol: {0}")]
    Pdf(String),
    #[error("cannot write the protocol {path}: {source}")]
    Write {
        path: String,
        source: Arc<std::io::Error>,
    },
    #[error(transparent)]
    Output(#[from] output::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_only_for_german_locales() {
        assert_eq!(Language::from_locale("de_DE.UTF-8"), Language::De);
        assert_eq!(Language::from_locale("DE-at"), Language::De);
        assert_eq!(Language::from_locale("en_GB.UTF-8"), Language::En);
        assert_eq!(Language::from_locale("C"), Language::En);
        assert_eq!(Language::from_locale(""), Language::En);
    }

    #[test]
    fn format_from_extension() {
        assert_eq!(Format::from_path(Path::new("a/p.PDF")), Some(Format::Pdf));
        assert_eq!(Format::from_path(Path::new("p.htm")), Some(Format::Html));
        assert_eq!(Format::from_path(Path::new("p.json")), Some(Format::Json));
        assert_eq!(Format::from_path(Path::new("p.xml")), Some(Format::Xml));
        assert_eq!(Format::from_path(Path::new("p.txt")), None);
        assert_eq!(Format::from_path(Path::new("p")), None);
    }
}
