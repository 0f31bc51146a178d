//! Documents under construction: a file on disk with the signatures made on it and the areas
//! later changes may touch, signed in-process by Siegel or in one batch by pyHanko.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use siegel::certificate::Kind;
use siegel::key::{Credential, pin::Pin, software};
use siegel::pdf::appearance::{Page, Visible};
use siegel::pdf::permissions::DocMdp;
use siegel::{network, sign, timestamp};

use super::craft::Section;
use super::harness::{Area, Case, Expect, Signed};
use crate::support::{self, pki};

/// Where a population's files go: a temporary folder, or `SIEGEL_POPULATION_DUMP/<population>`
/// to keep them.
#[derive(Debug)]
pub struct Workspace {
    dir: PathBuf,
    temp: Option<tempfile::TempDir>,
    population: &'static str,
    counter: AtomicUsize,
    cases: AtomicUsize,
}

impl Workspace {
    pub fn new(population: &'static str) -> Self {
        match std::env::var_os("SIEGEL_POPULATION_DUMP") {
            Some(root) => {
                let dir = PathBuf::from(root).join(population);
                let _ = std::fs::remove_dir_all(&dir);
                std::fs::create_dir_all(&dir).unwrap();
                Self::at(dir, None, population)
            }
            None => {
                let temp = tempfile::tempdir().unwrap();
                Self::at(temp.path().to_path_buf(), Some(temp), population)
            }
        }
    }

    fn at(dir: PathBuf, temp: Option<tempfile::TempDir>, population: &'static str) -> Self {
        Self {
            dir,
            temp,
            population,
            counter: AtomicUsize::new(0),
            cases: AtomicUsize::new(0),
        }
    }

    /// The folder kept for debugging, if any.
    pub fn dump(&self) -> Option<&Path> {
        self.temp.is_none().then_some(self.dir.as_path())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A fresh path for an intermediate file.
    pub fn file(&self, label: &str) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        self.dir.join(format!("work-{n:04}-{}.pdf", clean(label)))
    }

    /// A document from a file (copied).
    pub fn doc(&self, source: &Path, label: &str) -> Doc {
        let path = self.file(label);
        std::fs::copy(source, &path).unwrap();
        Doc {
            path,
            signatures: Vec::new(),
            allowed: Vec::new(),
            extra_roots: Vec::new(),
        }
    }

    /// Turns a finished document into a case, under a descriptive name.
    pub fn case(&self, doc: Doc, class: &str, base: &str, expect: Expect) -> Case {
        let n = self.cases.fetch_add(1, Ordering::SeqCst);
        let path = self.dir.join(format!(
            "{}-{n:03}-{}-{}.pdf",
            self.population,
            clean(class),
            clean(base)
        ));
        std::fs::rename(&doc.path, &path).unwrap();
        Case {
            class: class.into(),
            base: base.into(),
            path,
            signatures: doc.signatures,
            allowed: doc.allowed,
            expect,
            extra_roots: doc.extra_roots,
        }
    }
}

fn clean(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A document being built: its file, the signatures made so far and where later changes may
/// legitimately show.
#[derive(Clone, Debug)]
pub struct Doc {
    pub path: PathBuf,
    pub signatures: Vec<Signed>,
    pub allowed: Vec<Area>,
    pub extra_roots: Vec<PathBuf>,
}

impl Doc {
    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.path).unwrap()
    }

    pub fn len(&self) -> u64 {
        std::fs::metadata(&self.path).unwrap().len()
    }

    /// A copy to build a variant on.
    pub fn fork(&self, workspace: &Workspace, label: &str) -> Doc {
        let path = workspace.file(label);
        std::fs::copy(&self.path, &path).unwrap();
        Doc {
            path,
            ..self.clone()
        }
    }

    /// Appends the update `make` builds from the current bytes.
    pub fn update(&mut self, make: impl FnOnce(&[u8]) -> Section) {
        let mut bytes = self.bytes();
        let section = make(&bytes);
        section.append_to(&mut bytes);
        std::fs::write(&self.path, bytes).unwrap();
    }

    /// Replaces the file's bytes (for attacks that are not appends).
    pub fn rewrite(&mut self, make: impl FnOnce(Vec<u8>) -> Vec<u8>) {
        let bytes = make(self.bytes());
        std::fs::write(&self.path, bytes).unwrap();
    }

    /// Declares that the next change may show inside `rect` on `page`.
    pub fn allow(&mut self, page: usize, rect: [f32; 4]) {
        let since = self.len();
        self.allowed.push(Area { page, rect, since });
    }

    /// Signs with Siegel, in-process, as `siegel sign`/`seal` would.
    pub fn siegel(&mut self, workspace: &Workspace, how: &Siegel) {
        let output = workspace.file("siegel");
        if let Some(visible) = &how.visible {
            let [x, y, w, h] = visible.rect;
            self.allow(visible.page, [x, y, x + w, y + h]);
        }
        let outcome = sign::sign_pdf(
            &self.path,
            &output,
            &how.credential(),
            &how.request(),
            false,
        )
        .unwrap_or_else(|e| panic!("Siegel cannot sign {}: {e:#}", self.path.display()));
        std::fs::rename(&output, &self.path).unwrap();
        self.signatures.push(Signed {
            field: outcome.field,
            end: outcome.byte_range[2] + outcome.byte_range[3],
        });
    }

    /// `siegel extend` to B-T on a document whose newest signature has no time-stamp: a
    /// document time-stamp.
    pub fn siegel_document_timestamp(&mut self, workspace: &Workspace, tsa: &str) {
        let output = workspace.file("extend");
        let stamper = stamper(tsa);
        let (out, done) = sign::extend(
            &self.path,
            &output,
            sign::Level::T,
            &stamper,
            &network::Offline,
            false,
            crate::support::time(),
        )
        .unwrap();
        out.commit().unwrap();
        assert!(done.timestamped, "extend added no time-stamp");
        std::fs::rename(&output, &self.path).unwrap();
        self.record_new_signatures();
    }

    /// `siegel extend --level B-LTA` (online: the LTV services answer): validation data for
    /// every signature and an archive time-stamp, or its renewal.
    pub fn siegel_extend_lta(&mut self, workspace: &Workspace, tsa: &str) {
        let output = workspace.file("extend-lta");
        let (out, done) = sign::extend(
            &self.path,
            &output,
            sign::Level::Lta,
            &stamper(tsa),
            &crate::ltv::local_http(),
            false,
            crate::support::time(),
        )
        .unwrap();
        out.commit().unwrap();
        assert!(done.archived, "extend added no archive time-stamp");
        std::fs::rename(&output, &self.path).unwrap();
        self.record_new_signatures();
    }

    /// Appends a `/DSS` with the test PKI's certificates and CRL, written by Siegel's DSS writer.
    pub fn siegel_dss(&mut self) {
        let der = |name: &str| {
            let pem = std::fs::read(pki(name)).unwrap();
            openssl::x509::X509::from_pem(&pem)
                .unwrap()
                .to_der()
                .unwrap()
        };
        let material = siegel::pdf::dss::Material {
            certificates: [
                "seal-rsa.pem",
                "intermediate-ca.pem",
                "root-ca.pem",
                "tsa.pem",
            ]
            .into_iter()
            .map(der)
            .collect(),
            ocsps: Vec::new(),
            crls: vec![std::fs::read(pki("intermediate-ca.crl")).unwrap()],
        };
        let mut file = siegel::pdf::File::open(&self.path).unwrap();
        let tail = siegel::pdf::dss::append(&mut file, &material).unwrap();
        drop(file);
        let mut out = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.path)
            .unwrap();
        out.write_all(&tail).unwrap();
    }

    /// Adds every signature in the file the list does not know yet, by its byte range.
    pub fn record_new_signatures(&mut self) {
        let mut file = siegel::pdf::File::open(&self.path).unwrap();
        for found in siegel::pdf::signature::find_all(&mut file).unwrap() {
            let end = u64::try_from(found.byte_range[2] + found.byte_range[3]).unwrap();
            if !self.signatures.iter().any(|s| s.field == found.field) {
                self.signatures.push(Signed {
                    field: found.field,
                    end,
                });
            }
        }
        self.signatures.sort_by_key(|s| s.end);
    }
}

/// How Siegel signs one step.
#[derive(Clone, Debug)]
pub struct Siegel {
    pub p12: &'static str,
    pub intent: Kind,
    pub pss: bool,
    pub digest: Option<siegel::algorithm::Digest>,
    pub certify: Option<DocMdp>,
    pub visible: Option<Place>,
    pub level: sign::Level,
    pub tsa: Option<String>,
    /// A PKCS#12 file outside the test PKI (the LTV services'), with its passphrase.
    pub foreign: Option<(PathBuf, &'static str)>,
    pub fetcher: bool,
}

/// A visible signature's page (0-based) and `[x, y, width, height]`.
#[derive(Clone, Debug)]
pub struct Place {
    pub page: usize,
    pub rect: [f32; 4],
}

impl Siegel {
    pub fn seal(p12: &'static str) -> Self {
        Self {
            p12,
            intent: Kind::Seal,
            pss: false,
            digest: None,
            certify: None,
            visible: None,
            level: sign::Level::B,
            tsa: None,
            foreign: None,
            fetcher: false,
        }
    }

    pub fn signature(p12: &'static str) -> Self {
        Self {
            intent: Kind::Signature,
            ..Self::seal(p12)
        }
    }

    pub fn certify(mut self, level: DocMdp) -> Self {
        self.certify = Some(level);
        self
    }

    pub fn visible(mut self, page: usize, rect: [f32; 4]) -> Self {
        self.visible = Some(Place { page, rect });
        self
    }

    pub fn pss(mut self) -> Self {
        self.pss = true;
        self
    }

    pub fn digest(mut self, digest: siegel::algorithm::Digest) -> Self {
        self.digest = Some(digest);
        self
    }

    pub fn timestamped(mut self, tsa: &str) -> Self {
        self.level = sign::Level::T;
        self.tsa = Some(tsa.to_owned());
        self
    }

    fn credential(&self) -> Credential {
        let options = software::Options {
            digest: self.digest,
            pss: self.pss,
        };
        match &self.foreign {
            Some((path, passphrase)) => {
                software::load_pkcs12(path, &Pin::new((*passphrase).into()), options).unwrap()
            }
            None => support::credential_with(self.p12, options),
        }
    }

    fn request(&self) -> sign::Request {
        let mut request = support::request(self.intent);
        request.level = self.level;
        request.certify = self.certify;
        request.timestamp = self
            .tsa
            .as_deref()
            .map(|url| Arc::new(stamper(url)) as Arc<dyn timestamp::TimeStamper>);
        if self.fetcher {
            request.fetcher = Some(Arc::new(crate::ltv::local_http()));
        }
        request.visible = self.visible.as_ref().map(|place| {
            let [x, y, width, height] = place.rect;
            Visible {
                page: Page::Number(place.page + 1),
                x,
                y,
                width,
                height,
                lines: Vec::new(),
            }
        });
        request
    }
}

fn stamper(url: &str) -> timestamp::Client {
    timestamp::Client::new(vec![url.to_owned()], Arc::new(crate::ltv::local_http()))
}

/// pyHanko's steps for one document, run later in one batch.
#[derive(Debug)]
pub struct PyJob {
    pub doc: Doc,
    pub steps: Vec<serde_json::Value>,
    /// Areas the steps' visible fields occupy (page, rect), declared before the batch runs.
    pub visible: Vec<(usize, [f32; 4])>,
}

/// Runs every job in one pyHanko process (see `pyhanko_jobs.py`); returns the documents with
/// pyHanko's signatures recorded.
pub fn pyhanko(workspace: &Workspace, tsa: Option<&str>, jobs: Vec<PyJob>) -> Vec<Doc> {
    let script = support::root().join("tests/populations/pyhanko_jobs.py");
    let mut outputs = Vec::new();
    let mut list = Vec::new();
    for job in &jobs {
        let output = workspace.file("pyhanko");
        list.push(serde_json::json!({
            "input": job.doc.path,
            "output": output,
            "steps": job.steps,
        }));
        outputs.push(output);
    }
    let config = serde_json::json!({
        "pki": support::root().join("testdata/pki"),
        "passphrase": support::PASSPHRASE,
        "tsa": tsa,
        "jobs": list,
    });
    if let Some(dir) = workspace.dump() {
        std::fs::write(dir.join("pyhanko-jobs.json"), config.to_string()).unwrap();
    }
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(config.to_string().as_bytes())
        .unwrap();
    let lines: Vec<serde_json::Value> = std::io::BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    assert!(child.wait().unwrap().success(), "pyhanko_jobs.py failed");
    if let Some(dir) = workspace.dump() {
        let answers: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        std::fs::write(dir.join("pyhanko-answers.jsonl"), answers.join("\n")).unwrap();
    }
    assert_eq!(
        lines.len(),
        jobs.len(),
        "pyhanko_jobs.py answered too few jobs"
    );
    jobs.into_iter()
        .zip(outputs)
        .zip(lines)
        .map(|((job, output), line)| {
            if let Some(error) = line["error"].as_str() {
                panic!("pyHanko failed on {}: {error}", job.doc.path.display());
            }
            let mut doc = job.doc;
            let before = doc.len();
            std::fs::rename(&output, &doc.path).unwrap();
            for (page, rect) in job.visible {
                doc.allowed.push(Area {
                    page,
                    rect,
                    since: before,
                });
            }
            for pair in line["ends"].as_array().unwrap() {
                doc.signatures.push(Signed {
                    field: pair[0].as_str().unwrap().to_owned(),
                    end: pair[1].as_u64().unwrap(),
                });
            }
            doc
        })
        .collect()
}
