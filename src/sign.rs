//! Signing and sealing documents: PAdES baseline B-B (ETSI EN 319 142-1) over PDF, written as
//! an incremental update so every earlier byte and signature stays as it was.
//!
//! The pipeline is staged, prepare -> digest -> sign -> write, so the key only ever sees the
//! signed attributes and a remote or token key fits without touching PDF or CMS code.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::algorithm::{self, Digest, Hasher};
use crate::certificate::{self, Certificate, Kind};
use crate::key::Credential;
use crate::network::Fetcher;
use crate::output::{self, Output};
use crate::text::Language;
use crate::timestamp::{Client, TimeStamper};
use crate::{cms, pdf};

/// `/SubFilter` for PAdES baseline signatures (ETSI EN 319 142-1 §5.3).
pub const SUB_FILTER: &str = "ETSI.CAdES.detached";

pub mod asic;
pub mod cades;
mod ltv;
pub mod placement;

pub use ltv::{Extended, extend};
pub use placement::Placement;

/// PAdES baseline levels (ETSI EN 319 142-1 §6): what a request asks for, an outcome reaches,
/// the settings file stores and the command line takes, all under the ETSI names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Level {
    #[default]
    #[serde(rename = "B-B")]
    B,
    /// With a time-stamp that proves when the signature existed.
    #[serde(rename = "B-T")]
    T,
    /// Plus the certificates and revocation data to validate it later (`/DSS`).
    #[serde(rename = "B-LT")]
    Lt,
    /// Plus a document time-stamp over all of it, renewable before it weakens.
    #[serde(rename = "B-LTA")]
    Lta,
}

impl Level {
    pub const ALL: [Self; 4] = [Self::B, Self::T, Self::Lt, Self::Lta];

    /// The ETSI name, `B-B` to `B-LTA`.
    pub fn name(self) -> &'static str {
        match self {
            Self::B => "B-B",
            Self::T => "B-T",
            Self::Lt => "B-LT",
            Self::Lta => "B-LTA",
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What the user asked for besides the key.
#[derive(Clone, Debug)]
pub struct Request {
    /// Signature (natural person) or seal (legal person); the certificate must fit.
    pub intent: Kind,
    /// Sign even if the certificate declares the other kind (a seal certificate for a
    /// signature, or the reverse).
    pub accept_other_kind: bool,
    /// The signing time written to `/M`; a parameter so the core never reads the clock.
    pub time: DateTime<Utc>,
    pub reason: Option<String>,
    pub location: Option<String>,
    pub contact_info: Option<String>,
    pub level: Level,
    /// From B-T on: the time-stamp authority that stamps the signature value (and the document
    /// for B-LTA).
    pub timestamp: Option<Arc<dyn TimeStamper>>,
    /// From B-LT on: where revocation data and missing issuer certificates come from.
    pub fetcher: Option<Arc<dyn Fetcher>>,
    /// Certify the document: the first signature, stating which changes may follow
    /// (ISO 32000-2 §12.8.2.2 DocMDP).
    pub certify: Option<pdf::permissions::DocMdp>,
    /// Shows the signature on a page; empty `lines` get the default text (kind, holder,
    /// time, reason).
    pub visible: Option<pdf::appearance::Visible>,
    /// The language of that default text.
    pub language: Language,
}

impl Request {
    /// A B-B signature of `intent` at `time`: invisible, not certifying, without reason,
    /// location or contact; set the rest with struct update syntax.
    pub fn new(intent: Kind, time: DateTime<Utc>) -> Self {
        Self {
            intent,
            accept_other_kind: false,
            time,
            reason: None,
            location: None,
            contact_info: None,
            level: Level::B,
            timestamp: None,
            fetcher: None,
            certify: None,
            visible: None,
            // German unless chosen: the stamps made before the language was a choice.
            language: Language::De,
        }
    }

    /// With the services its level needs, over `http`: a time-stamp client for `tsa_urls`
    /// (tried in order) from B-T on, and `http` for revocation data from B-LT on. Fails with
    /// [`Error::Needs`] if the level needs a time-stamp authority and none is named.
    pub fn with_services(self, tsa_urls: &[String], http: Arc<dyn Fetcher>) -> Result<Self, Error> {
        let timestamp: Option<Arc<dyn TimeStamper>> = match self.level {
            Level::B => None,
            _ if tsa_urls.is_empty() => return Err(Error::Needs("a time-stamp authority")),
            _ => Some(Arc::new(Client::new(tsa_urls.to_vec(), http.clone()))),
        };
        Ok(Self {
            timestamp,
            fetcher: (self.level >= Level::Lt).then_some(http),
            ..self
        })
    }
}

/// What a finished signature looks like.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub output: PathBuf,
    pub field: String,
    /// The PAdES level reached.
    pub level: Level,
    pub kind: Kind,
    pub signer: String,
    pub byte_range: [u64; 4],
}

/// Refuses a credential that must not make this signature: the other kind (unless accepted), not
/// valid at the signing time, or without a key usage for signatures.
pub fn check_credential(credential: &Credential, request: &Request) -> Result<(), Error> {
    if request.level >= Level::T && request.timestamp.is_none() {
        return Err(Error::Needs("a time-stamp authority"));
    }
    if request.level >= Level::Lt && request.fetcher.is_none() {
        return Err(Error::Needs("network access for revocation data"));
    }
    let intent = (!request.accept_other_kind).then_some(request.intent);
    check_certificate(credential.certificate(), intent, request.time)
}

/// Refuses a certificate that must not make a signature of `intent` (`None`: either kind) at
/// `time`: the other kind, not valid then, or without a key usage for signatures. The key lists
/// of front ends ask this before any PIN is typed.
pub fn check_certificate(
    certificate: &Certificate,
    intent: Option<Kind>,
    time: DateTime<Utc>,
) -> Result<(), Error> {
    // A certificate that declares neither kind may be used for both.
    if let (Some(actual), Some(intent)) = (certificate.declared_kind(), intent)
        && actual != intent
    {
        return Err(Error::WrongKind {
            intent,
            actual,
            because: certificate.kind_reason(),
            holder: certificate.holder(),
        });
    }
    if time < certificate.not_before() {
        return Err(Error::NotYetValid {
            holder: certificate.holder(),
            from: certificate.not_before(),
        });
    }
    if time > certificate.not_after() {
        return Err(Error::Expired {
            holder: certificate.holder(),
            until: certificate.not_after(),
        });
    }
    if !certificate.can_sign() {
        return Err(Error::KeyUsage {
            holder: certificate.holder(),
        });
    }
    Ok(())
}

/// Signs the PDF at `input` into `output` (PAdES B-B). `input` is only read; `output` appears
/// complete or not at all.
pub fn sign_pdf(
    input: &Path,
    output: &Path,
    credential: &Credential,
    request: &Request,
    overwrite: bool,
) -> Result<Outcome, Error> {
    check_credential(credential, request)?;
    let (outcome, out) = write_signed(input, output, credential, request, overwrite)?;
    out.commit()?;
    Ok(outcome)
}

/// Room reserved in `/Contents` for a signature time-stamp token: a token with a TSA chain of
/// four RSA-4096 certificates stays below this.
const TIMESTAMP_ROOM: usize = 24 * 1024;

/// One document of a batch.
#[derive(Clone, Debug)]
pub struct Job {
    pub input: PathBuf,
    pub output: PathBuf,
}

/// Finished outputs are flushed and renamed by this many threads of their own, so signing
/// never waits for the disk.
const COMMITTERS: usize = 2;

/// Signs many PDFs with one credential (one login for a token): `threads` documents at a
/// time, while finished outputs are flushed to disk and renamed into place by separate
/// threads. `report(index, result)` runs on the calling thread as each document completes, in
/// completion order. Fails up front only if the credential may not make this signature.
pub fn sign_many(
    jobs: &[Job],
    credential: &Credential,
    request: &Request,
    overwrite: bool,
    threads: usize,
    mut report: impl FnMut(usize, Result<Outcome, Error>),
) -> Result<(), Error> {
    check_credential(credential, request)?;
    let next = AtomicUsize::new(0);
    let (to_commit, committing) = mpsc::channel::<(usize, Result<(Outcome, Output), Error>)>();
    let committing = Mutex::new(committing);
    let (to_report, reports) = mpsc::channel::<(usize, Result<Outcome, Error>)>();
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            let to_commit = to_commit.clone();
            let next = &next;
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(index) else { break };
                    let result =
                        write_signed(&job.input, &job.output, credential, request, overwrite);
                    if to_commit.send((index, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(to_commit);
        for _ in 0..COMMITTERS {
            let to_report = to_report.clone();
            let committing = &committing;
            scope.spawn(move || {
                loop {
                    // The lock is held only while waiting for the next finished output.
                    let received = committing
                        .lock()
                        .map_err(|_| ())
                        .and_then(|r| r.recv().map_err(|_| ()));
                    let Ok((index, result)) = received else { break };
                    let result = result.and_then(|(outcome, out)| {
                        out.commit().map(|_| outcome).map_err(Error::from)
                    });
                    if to_report.send((index, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(to_report);
        for (index, result) in reports {
            report(index, result);
        }
    });
    Ok(())
}

/// Signs `input` into a temporary output next to `output`, not yet in place.
fn write_signed(
    input: &Path,
    output: &Path,
    credential: &Credential,
    request: &Request,
    overwrite: bool,
) -> Result<(Outcome, Output), Error> {
    let certificate = credential.certificate();
    let room = if request.timestamp.is_some() {
        TIMESTAMP_ROOM
    } else {
        0
    };
    let pdf_request = pdf::signature::Request {
        kind: pdf::signature::Kind::Signature,
        sub_filter: SUB_FILTER.to_owned(),
        time: Some(request.time),
        name: Some(certificate.holder()),
        reason: request.reason.clone(),
        location: request.location.clone(),
        contact_info: request.contact_info.clone(),
        capacity: cms::estimate_size(credential) + room,
        certify: request.certify,
        visible: request.visible.clone().map(|mut visible| {
            if visible.lines.is_empty() {
                visible.lines = default_lines(certificate, request);
            }
            visible
        }),
    };
    let digest = credential.signer.algorithm().digest();
    let mut signature = Vec::new();
    let (field, byte_range, mut out) = append_signature(
        input,
        output,
        overwrite,
        &pdf_request,
        digest,
        |content_digest| {
            let mut signed = cms::sign_detached(content_digest, credential, None)?;
            // B-T: a time-stamp over the signature value, as the unsigned attribute
            // id-aa-signatureTimeStampToken (ETSI EN 319 122-1 §5.3).
            if let Some(stamper) = request
                .timestamp
                .as_deref()
                .filter(|_| request.level >= Level::T)
            {
                let digest = signed.digest();
                let token = stamper.stamp(digest, &digest.hash(signed.signature_value()))?;
                signed.add_unsigned(cms::ID_SIGNATURE_TIME_STAMP, &token.der)?;
            }
            signature = signed.to_der()?;
            Ok(signature.clone())
        },
    )?;
    if let (true, Some(fetcher)) = (request.level >= Level::Lt, &request.fetcher) {
        let parsed = cms::Parsed::from_der(&signature)?;
        let tokens: Vec<Vec<u8>> = parsed
            .signer_infos()
            .iter()
            .flat_map(|s| cms::view(s).signature_timestamps)
            .collect();
        let mut chains = vec![credential.chain.clone()];
        chains.extend(ltv::tsa_chains(&tokens));
        // URLs from the certificates share one network budget for this document.
        let session = crate::network::Session::start(fetcher.as_ref());
        ltv::append_validation_data(&mut out, &ltv::material(&chains, &session, request.time)?)?;
    }
    if let (Level::Lta, Some(stamper)) = (request.level, &request.timestamp) {
        out = ltv::archive_timestamp(out, output, stamper.as_ref(), overwrite)?;
    }
    let outcome = Outcome {
        output: output.to_path_buf(),
        field,
        level: request.level,
        kind: certificate.declared_kind().unwrap_or(request.intent),
        signer: certificate.holder(),
        byte_range,
    };
    Ok((outcome, out))
}

/// What a visible signature says unless the caller chooses: kind, holder, time, reason, in
/// the request's language.
fn default_lines(certificate: &Certificate, request: &Request) -> Vec<String> {
    let language = request.language;
    let kind = match certificate.declared_kind().unwrap_or(request.intent) {
        Kind::Seal => language.pick("Digitally sealed by", "Digital gesiegelt von"),
        Kind::Signature => language.pick("Digitally signed by", "Digital signiert von"),
    };
    let time = request
        .time
        .format(language.pick("%Y-%m-%d %H:%M UTC", "%d.%m.%Y %H:%M UTC"));
    let mut lines = vec![kind.to_owned(), certificate.holder(), time.to_string()];
    lines.extend(request.reason.clone());
    lines
}

/// The signature dictionary of a document time-stamp (ETSI EN 319 142-1 §5.4.3).
pub(crate) fn document_timestamp_request() -> pdf::signature::Request {
    pdf::signature::Request {
        kind: pdf::signature::Kind::DocumentTimestamp,
        sub_filter: "ETSI.RFC3161".to_owned(),
        time: None,
        name: None,
        reason: None,
        location: None,
        contact_info: None,
        capacity: TIMESTAMP_ROOM,
        certify: None,
        visible: None,
    }
}

/// Whether the newest signature in the PDF at `input` still lacks a time-stamp: neither a
/// signature time-stamp in its CMS nor a document time-stamp after it (ETSI EN 319 142-1 allows
/// either for B-T). Fails if the document carries no signature at all.
pub fn needs_timestamp(input: &Path) -> Result<bool, Error> {
    let pdf_error = |source| Error::Pdf {
        path: input.display().to_string(),
        source,
    };
    let mut file = pdf::File::open(input).map_err(pdf_error)?;
    let found = pdf::signature::find_all(&mut file).map_err(pdf_error)?;
    let end = |f: &pdf::signature::Found| {
        f.byte_range
            .get(2)
            .zip(f.byte_range.get(3))
            .map_or(0, |(a, b)| a.saturating_add(*b))
    };
    let newest = found
        .iter()
        .max_by_key(|f| end(f))
        .ok_or_else(|| Error::Unsigned(input.display().to_string()))?;
    if newest.kind == pdf::signature::Kind::DocumentTimestamp {
        return Ok(false);
    }
    let parsed = cms::Parsed::from_der(&newest.contents)?;
    Ok(parsed
        .signer_infos()
        .iter()
        .all(|signer| cms::view(signer).signature_timestamps.is_empty()))
}

/// Appends an incremental update with one signature dictionary to a temporary output: the
/// input is copied and hashed in one pass, then `contents` turns the digest of the signed
/// bytes into the DER that goes into `/Contents`.
pub(crate) fn append_signature(
    input: &Path,
    output: &Path,
    overwrite: bool,
    pdf_request: &pdf::signature::Request,
    digest: Digest,
    contents: impl FnOnce(&[u8]) -> Result<Vec<u8>, Error>,
) -> Result<(String, [u64; 4], Output), Error> {
    if same_file(input, output) {
        return Err(Error::SameFile(input.display().to_string()));
    }
    let pdf_error = |source| Error::Pdf {
        path: input.display().to_string(),
        source,
    };
    let mut file = pdf::File::open(input).map_err(pdf_error)?;
    if file.is_recovered() {
        return Err(Error::Damaged(input.display().to_string()));
    }
    let prepared = pdf::signature::prepare(&mut file, pdf_request).map_err(pdf_error)?;

    let mut out = Output::create(output, overwrite)?;
    let mut hasher = Hasher::new(digest)?;
    let len = file.len();
    let write_error = |e: std::io::Error| Error::Output(output::Error::io(output, e));
    {
        let writer = out.writer();
        file.for_each_chunk(0, len, |chunk| {
            hasher.update(chunk);
            writer
                .write_all(chunk)
                .map_err(|e| pdf::Error::Io(Arc::new(e)))
        })
        .map_err(pdf_error)?;
    }
    hasher.update(prepared.tail_before_gap());
    hasher.update(prepared.tail_after_gap());
    let der = contents(&hasher.finish()?)?;
    let byte_range = prepared.byte_range();
    let field = prepared.field().to_owned();
    let tail = prepared.finish(&der).map_err(pdf_error)?;
    out.writer().write_all(&tail).map_err(write_error)?;
    Ok((field, byte_range, out))
}

fn same_file(a: &Path, b: &Path) -> bool {
    // An output that does not exist yet cannot be the input; spares resolving both paths.
    if !b.exists() {
        return false;
    }
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Why a document could not be signed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "{holder}: this is a {actual} certificate ({because}), not one to {verb} with",
        verb = intent.verb()
    )]
    WrongKind {
        intent: Kind,
        actual: Kind,
        because: &'static str,
        holder: String,
    },
    #[error("{holder}: the certificate is not valid before {from}")]
    NotYetValid { holder: String, from: DateTime<Utc> },
    #[error("{holder}: the certificate expired on {until}")]
    Expired {
        holder: String,
        until: DateTime<Utc>,
    },
    #[error(
        "{holder}: the certificate's key usage allows neither digitalSignature nor nonRepudiation"
    )]
    KeyUsage { holder: String },
    #[error(
        "{0}: the PDF's cross-reference data is damaged; repair the file (for example with qpdf) before signing it"
    )]
    Damaged(String),
    #[error("{0}: the document carries no signature to extend")]
    Unsigned(String),
    #[error("{0}: output would overwrite the input")]
    SameFile(String),
    #[error("{path}: {source}")]
    Pdf { path: String, source: pdf::Error },
    #[error(transparent)]
    Cms(#[from] cms::Error),
    #[error(transparent)]
    Output(#[from] output::Error),
    #[error(transparent)]
    Certificate(#[from] certificate::Error),
    #[error(transparent)]
    Crypto(#[from] algorithm::Error),
    #[error(transparent)]
    Timestamp(#[from] crate::timestamp::Error),
    #[error(transparent)]
    Revocation(#[from] crate::revocation::Error),
    #[error("this level needs {0}")]
    Needs(&'static str),
    #[error(
        "{path}: larger than {limit} bytes, the most a signature may envelop; sign it detached"
    )]
    TooLarge { path: String, limit: u64 },
    #[error("{0}: a detached signature, and its content was not found beside it")]
    NoContent(String),
    #[error(transparent)]
    Container(#[from] crate::asic::Error),
    #[error("{0}: the file changed while it was signed")]
    Changed(String),
    #[error("{0}: the content is not what the existing signers signed")]
    ContentMismatch(String),
    #[error("{path}: {source}")]
    Cades {
        path: String,
        source: crate::cades::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_services_follow_the_level() {
        let http: Arc<dyn Fetcher> = Arc::new(crate::network::Http::new(Default::default()));
        let at = |level| Request {
            level,
            ..Request::new(Kind::Seal, DateTime::UNIX_EPOCH)
        };
        let urls = ["http://127.0.0.1:9/".to_owned()];
        let b = at(Level::B).with_services(&[], http.clone()).unwrap();
        assert!(b.timestamp.is_none() && b.fetcher.is_none());
        let t = at(Level::T).with_services(&[], http.clone());
        assert!(matches!(t, Err(Error::Needs(_))));
        let t = at(Level::T).with_services(&urls, http.clone()).unwrap();
        assert!(t.timestamp.is_some() && t.fetcher.is_none());
        let lta = at(Level::Lta).with_services(&urls, http).unwrap();
        assert!(lta.timestamp.is_some() && lta.fetcher.is_some());
    }
}
