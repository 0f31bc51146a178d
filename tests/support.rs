//! Shared test helpers: fixtures, a fixed clock, and the independent validators.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use siegel::certificate::Kind;
use siegel::key::{Credential, pin::Pin, software};
use siegel::{sign, trust, validate};

pub const PASSPHRASE: &str = "siegel-demo";

/// Every library test runs at this instant, inside the test PKI's validity.
pub fn time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn pki(name: &str) -> PathBuf {
    root().join("testdata/pki").join(name)
}

pub fn pdf(name: &str) -> PathBuf {
    root().join("testdata/pdf").join(name)
}

/// Material nobody on this project wrote, vendored with its source and licence
/// (`testdata/third-party/README.md`): the external corpus and the ETSI schemas.
pub fn third_party(path: &str) -> PathBuf {
    root().join("testdata/third-party").join(path)
}

/// The unsigned test PDFs of different structure.
pub const STRUCTURES: &[&str] = &[
    "classic.pdf",
    "multipage.pdf",
    "xref-stream.pdf",
    "hybrid.pdf",
    "form.pdf",
    "incremental.pdf",
    "linearized.pdf",
    "signed-pyhanko.pdf",
];

pub fn credential(p12: &str) -> Credential {
    credential_with(p12, software::Options::default())
}

pub fn credential_with(p12: &str, options: software::Options) -> Credential {
    software::load_pkcs12(&pki(p12), &Pin::new(PASSPHRASE.into()), options).unwrap()
}

pub fn request(intent: Kind) -> sign::Request {
    sign::Request {
        reason: Some("Prüfung der Unterlagen".into()),
        location: Some("München".into()),
        ..sign::Request::new(intent, time())
    }
}

/// Signs `input` into `output` with the library, at the fixed time.
pub fn sign_with(input: &Path, output: &Path, p12: &str, intent: Kind) -> sign::Outcome {
    sign::sign_pdf(input, output, &credential(p12), &request(intent), false).unwrap()
}

pub fn trust_root() -> trust::Store {
    let mut store = trust::Store::new();
    store.add_file(&pki("root-ca.pem")).unwrap();
    store
}

pub fn validate(path: &Path) -> validate::Report {
    validate::validate_pdf(
        path,
        &validate::Options {
            crypto: Default::default(),
            trust: trust_root(),
            time: time(),
            fetcher: None,
        },
    )
    .unwrap()
}

pub fn siegel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_siegel"))
        .args(args)
        .env("SIEGEL_TEST_PIN", PASSPHRASE)
        // The user's own settings (trust anchors, TSA, offline) must not change test results.
        .env("SIEGEL_SETTINGS", root().join("target/no-settings.toml"))
        // Nor their cached trusted lists.
        .env("XDG_CACHE_HOME", root().join("target/no-cache"))
        .output()
        .unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Whether an external validator is installed. In CI a missing tool is a failure, not a skip:
/// a signature only we accept is worthless.
pub fn have(tool: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "{tool} is required in CI");
        eprintln!("notice: {tool} not installed; skipping its checks");
    }
    found
}

/// pyHanko's validation of `path` against the test root, without revocation checks (Siegel's
/// tests run offline too).
pub fn pyhanko_validation(path: &Path) -> Command {
    let mut command = Command::new("pyhanko");
    command
        .args([
            "sign",
            "validate",
            "--no-strict-syntax",
            "--no-revocation-check",
            "--trust-replace",
            "--trust",
        ])
        .arg(pki("root-ca.pem"))
        .arg("--other-certs")
        .arg(pki("intermediate-ca.pem"))
        .arg(path);
    command
}

/// pyHanko's verdict line per signature, e.g. `Sig1:<hash>:INTACT:TRUSTED,UNTOUCHED`.
pub fn pyhanko_validate(path: &Path) -> (bool, String) {
    let output = pyhanko_validation(path).output().unwrap();
    (
        output.status.success(),
        format!("{}{}", stdout(&output), stderr(&output)),
    )
}

/// Checks that pyHanko reports every signature intact and trusted.
pub fn assert_pyhanko_accepts(path: &Path, signatures: usize) {
    if !have("pyhanko") {
        return;
    }
    let (ok, text) = pyhanko_validate(path);
    let verdicts: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(":INTACT:") || l.contains(":INVALID"))
        .collect();
    assert!(ok, "pyHanko rejected {}:\n{text}", path.display());
    assert_eq!(
        verdicts.len(),
        signatures,
        "pyHanko saw a different number of signatures:\n{text}"
    );
    for verdict in verdicts {
        assert!(verdict.contains(":INTACT:TRUSTED"), "pyHanko: {verdict}");
    }
}

/// An NSS database trusting the test root, so pdfsig checks the chain too.
pub struct Nss {
    dir: tempfile::TempDir,
}

impl Nss {
    pub fn new() -> Option<Arc<Self>> {
        if !have("certutil") {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sql:{}", dir.path().display());
        let ok = Command::new("certutil")
            .args(["-N", "-d", &db, "--empty-password"])
            .status()
            .unwrap()
            .success();
        assert!(ok, "certutil -N failed");
        let ok = Command::new("certutil")
            .args([
                "-A",
                "-d",
                &db,
                "-n",
                "siegel-test-root",
                "-t",
                "CT,C,C",
                "-i",
            ])
            .arg(pki("root-ca.pem"))
            .status()
            .unwrap()
            .success();
        assert!(ok, "certutil -A failed");
        Some(Arc::new(Self { dir }))
    }

    pub fn db(&self) -> String {
        format!("sql:{}", self.dir.path().display())
    }
}

/// Checks that poppler's pdfsig finds `signatures` valid signatures, the last covering the whole
/// document, with the chain trusted when an NSS database is given.
pub fn assert_pdfsig_accepts(path: &Path, signatures: usize) {
    if !have("pdfsig") {
        return;
    }
    let nss = Nss::new();
    let mut command = Command::new("pdfsig");
    if let Some(nss) = &nss {
        command.arg("-nssdir").arg(nss.db());
    }
    let output = command.arg(path).output().unwrap();
    let text = stdout(&output);
    assert_eq!(
        text.matches("Signature is Valid.").count(),
        signatures,
        "pdfsig on {}:\n{text}",
        path.display()
    );
    assert!(
        text.trim_end().ends_with("Certificate is Trusted.") || nss.is_none(),
        "pdfsig does not trust the chain:\n{text}"
    );
    let last = text.rsplit("Signature #").next().unwrap_or_default();
    assert!(
        last.contains("Total document signed"),
        "pdfsig: last signature does not cover the document:\n{text}"
    );
    if nss.is_some() {
        assert_eq!(
            text.matches("Certificate is Trusted.").count(),
            signatures,
            "pdfsig trust:\n{text}"
        );
    }
}
