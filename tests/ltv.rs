//! PAdES B-LT and B-LTA against real services on 127.0.0.1, started and stopped by the tests: a
//! TSA (`openssl ts` behind `testdata/services/tsa.py`), an OCSP responder (`openssl ocsp` over
//! the issuing CA's index) and an HTTP server for CRLs and CA certificates. The PKI is made
//! fresh per test (`testdata/services/ltv-pki.sh`) so its AIA and CRL URLs name these ports.
//! (`openssl ocsp` listens on all interfaces of its port; only 127.0.0.1 is ever contacted.)

use std::io::BufRead;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use lopdf::Object;
use siegel::validate::Indication;
use siegel::{pdf, trust, validate};

use crate::support::{self, pdf, stderr, stdout};

pub(crate) const PASSPHRASE: &str = "ltv-demo";

pub(crate) struct Services {
    dir: tempfile::TempDir,
    tsa_port: u16,
    ocsp: Option<Child>,
    http: Option<Child>,
    tsa: Option<Child>,
}

impl Services {
    pub(crate) fn start() -> Option<Self> {
        for tool in ["openssl", "python3", "bash"] {
            if !support::have(tool) {
                return None;
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let (http_port, ocsp_port) = (free_port(), free_port());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/services");
        let status = Command::new("bash")
            .arg(script.join("ltv-pki.sh"))
            .arg(dir.path())
            .args([http_port.to_string(), ocsp_port.to_string()])
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "ltv-pki.sh failed");
        let path = |name: &str| dir.path().join(name);
        let ocsp = Command::new("openssl")
            .args(["ocsp", "-index"])
            .arg(path("issuing/index.txt"))
            .args(["-port", &ocsp_port.to_string(), "-rsigner"])
            .arg(path("ocsp.pem"))
            .arg("-rkey")
            .arg(path("ocsp.key"))
            .arg("-CA")
            .arg(path("issuing.pem"))
            .args(["-ndays", "1", "-timeout", "5"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The responder serves one connection at a time, so a probe connection would stall it:
        // wait for its own word instead, then keep draining what it says.
        let mut ocsp = ocsp;
        let mut said = std::io::BufReader::new(ocsp.stderr.take().unwrap());
        let mut line = String::new();
        while said.read_line(&mut line).unwrap_or(0) > 0
            && !line.contains("waiting for OCSP client connections")
        {
            line.clear();
        }
        std::thread::spawn(move || std::io::copy(&mut said, &mut std::io::sink()));
        let http = Command::new("python3")
            .args(["-m", "http.server", "--bind", "127.0.0.1", "--directory"])
            .arg(path("www"))
            .arg(http_port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut tsa = Command::new("python3")
            .arg(script.join("tsa.py"))
            .args([path("tsa.pem"), path("tsa.key"), path("chain.pem")])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(tsa.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let tsa_port = line.trim().parse().unwrap();
        wait_for(http_port);
        Some(Self {
            dir,
            tsa_port,
            ocsp: Some(ocsp),
            http: Some(http),
            tsa: Some(tsa),
        })
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(crate) fn tsa_url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.tsa_port)
    }

    /// Stops the OCSP responder and the HTTP server (and the TSA), as after years.
    fn stop_revocation_services(&mut self) {
        for child in [self.ocsp.take(), self.http.take()].into_iter().flatten() {
            stop(child);
        }
    }

    /// Runs the CLI with settings that allow the services on 127.0.0.1 (refused by default).
    pub(crate) fn siegel(&self, args: &[&str]) -> std::process::Output {
        let settings = self.path("settings.toml");
        std::fs::write(&settings, "allow_private_network = true\n").unwrap();
        Command::new(env!("CARGO_BIN_EXE_siegel"))
            .args(args)
            .env("LTV_PIN", PASSPHRASE)
            .env("SIEGEL_SETTINGS", &settings)
            .output()
            .unwrap()
    }

    pub(crate) fn seal(
        &self,
        level: &str,
        key: &str,
        input: &Path,
        output: &Path,
    ) -> std::process::Output {
        let key = self.path(key);
        let url = self.tsa_url();
        self.siegel(&[
            "seal",
            "--level",
            level,
            "--tsa",
            &url,
            "--p12",
            key.to_str().unwrap(),
            "--pin-env",
            "LTV_PIN",
            "-o",
            output.to_str().unwrap(),
            input.to_str().unwrap(),
        ])
    }

    pub(crate) fn trust(&self) -> trust::Store {
        let mut store = trust::Store::new();
        store.add_file(&self.path("root.pem")).unwrap();
        store
    }

    /// Signs `classic.pdf` into `output` with pyHanko and this PKI's seal key.
    fn pyhanko_sign(&self, options: &[&str], output: &Path) {
        let dir = tempfile::tempdir().unwrap();
        let passfile = dir.path().join("pass");
        std::fs::write(&passfile, PASSPHRASE).unwrap();
        let result = Command::new("pyhanko")
            .args(["sign", "addsig", "--field", "Sig1"])
            .args(options)
            .args(["pkcs12", "--passfile"])
            .arg(&passfile)
            .arg(pdf("classic.pdf"))
            .arg(output)
            .arg(self.path("seal.p12"))
            .output()
            .unwrap();
        assert!(result.status.success(), "pyHanko: {}", stderr(&result));
    }

    fn pyhanko_accepts(&self, file: &Path) {
        if !support::have("pyhanko") {
            return;
        }
        let output = Command::new("pyhanko")
            .args(["sign", "validate", "--trust-replace", "--trust"])
            .arg(self.path("root.pem"))
            .arg(file)
            .output()
            .unwrap();
        let text = format!("{}{}", stdout(&output), stderr(&output));
        assert!(
            output.status.success() && text.contains(":INTACT:TRUSTED"),
            "pyHanko on {}:\n{text}",
            file.display()
        );
    }
}

impl Drop for Services {
    fn drop(&mut self) {
        for child in [self.ocsp.take(), self.http.take(), self.tsa.take()]
            .into_iter()
            .flatten()
        {
            stop(child);
        }
    }
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(port: u16) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "service on port {port} did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The `/DSS` arrays' lengths: (certificates, OCSP responses, CRLs).
fn dss_counts(path: &Path) -> (usize, usize, usize) {
    let mut file = pdf::File::open(path).unwrap();
    let (_, catalog) = file.catalog().unwrap();
    let dss = file
        .dictionary(catalog.get(b"DSS").expect("a /DSS"))
        .unwrap();
    let mut count = |key: &[u8]| match dss.get(key).ok().map(|o| file.resolve(o).unwrap()) {
        Some(Object::Array(items)) => items.len(),
        _ => 0,
    };
    (count(b"Certs"), count(b"OCSPs"), count(b"CRLs"))
}

/// The real HTTP client, allowed to reach the services on 127.0.0.1.
pub(crate) fn local_http() -> siegel::network::Http {
    siegel::network::Http::new(siegel::network::Policy {
        allow_private_network: true,
        ..Default::default()
    })
}

fn validate_offline(services: &Services, path: &Path) -> validate::Report {
    let options = validate::Options {
        crypto: Default::default(),
        trust: services.trust(),
        time: chrono::Utc::now(),
        fetcher: None,
    };
    validate::validate_pdf(path, &options).unwrap()
}

#[test]
fn b_lt_and_b_lta_carry_validation_data_and_validate_without_the_services() {
    let Some(mut services) = Services::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let lt = dir.path().join("lt.pdf");
    let lta = dir.path().join("lta.pdf");
    for (level, output) in [("B-LT", &lt), ("B-LTA", &lta)] {
        let result = services.seal(level, "seal.p12", &pdf("form.pdf"), output);
        assert!(result.status.success(), "{level}: {}", stderr(&result));
        assert!(
            stdout(&result).contains(&format!("sealed ({level})")),
            "the level reached is printed: {}",
            stdout(&result)
        );
        let (certificates, ocsps, crls) = dss_counts(output);
        assert!(
            certificates >= 4 && ocsps >= 2 && crls >= 1,
            "{level}: DSS has {certificates} certs, {ocsps} OCSPs, {crls} CRLs"
        );
        services.pyhanko_accepts(output);
        if support::have("pdfsig") {
            let text = stdout(&Command::new("pdfsig").arg(output).output().unwrap());
            assert_eq!(
                text.matches("Signature is Valid.").count(),
                1,
                "pdfsig on {level}:\n{text}"
            );
        }
    }
    let report = validate_offline(&services, &lta);
    assert_eq!(report.document_timestamps.len(), 1);
    let detail = &report.document_timestamps[0].timestamps[0].detail;
    assert!(
        detail.contains("TSA certificate not revoked (OCSP response in the document"),
        "{detail}"
    );

    services.stop_revocation_services();
    for (level, output) in [("B-LT", &lt), ("B-LTA", &lta)] {
        let root = services.path("root.pem");
        let result = services.siegel(&[
            "verify",
            "--offline",
            "--trust",
            root.to_str().unwrap(),
            output.to_str().unwrap(),
        ]);
        assert_eq!(
            result.status.code(),
            Some(0),
            "{level} offline: {}",
            stdout(&result)
        );
        let report = validate_offline(&services, output);
        assert_eq!(report.indication, Indication::TotalPassed, "{level}");
        // Judged from the /DSS, not skipped: every certificate below the root has its answer.
        let revocation = &report.signatures[0].revocation;
        assert!(
            revocation.iter().any(|r| r
                .contains("Landkreis Beispiel Siegel: not revoked (OCSP response in the document")),
            "{level}: {revocation:?}"
        );
        assert!(
            revocation
                .iter()
                .any(|r| r.contains("Fremde Ausgabestelle: not revoked (CRL in the document")),
            "{level}: {revocation:?}"
        );
        assert_eq!(
            report.signatures[0].level.map(|l| l.name()),
            Some(format!("PAdES-BASELINE-{}", &level[2..]).as_str())
        );
    }
}

#[test]
fn extend_lifts_a_pyhanko_b_t_file_to_b_lta_and_renews_it() {
    let Some(services) = Services::start() else {
        return;
    };
    if !support::have("pyhanko") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bt = dir.path().join("pyhanko-bt.pdf");
    let url = services.tsa_url();
    services.pyhanko_sign(&["--use-pades", "--timestamp-url", &url], &bt);

    let extend = |input: &Path, output: &Path| {
        services.siegel(&[
            "extend",
            "--level",
            "B-LTA",
            "--tsa",
            &url,
            "-o",
            output.to_str().unwrap(),
            input.to_str().unwrap(),
        ])
    };
    let lta = dir.path().join("lta.pdf");
    let result = extend(&bt, &lta);
    assert!(result.status.success(), "{}", stdout(&result));
    assert!(
        stdout(&result).contains("archive time-stamp"),
        "{}",
        stdout(&result)
    );
    assert!(
        std::fs::read(&lta)
            .unwrap()
            .starts_with(&std::fs::read(&bt).unwrap())
    );
    services.pyhanko_accepts(&lta);

    let renewed = dir.path().join("renewed.pdf");
    let result = extend(&lta, &renewed);
    assert!(result.status.success(), "{}", stdout(&result));
    services.pyhanko_accepts(&renewed);
    let report = validate_offline(&services, &renewed);
    assert_eq!(
        report.document_timestamps.len(),
        2,
        "the archive time-stamp was renewed"
    );
    let explain = |r: &validate::Report| {
        r.signatures
            .iter()
            .chain(&r.document_timestamps)
            .map(|s| {
                format!(
                    "{}: {:?} {:?} {:?} {:?}",
                    s.field, s.indication, s.subindication, s.messages, s.modifications
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        report.indication,
        Indication::TotalPassed,
        "{:#?}",
        explain(&report)
    );
}

#[test]
fn a_revoked_certificate_and_unreachable_revocation_services_stop_with_exit_3() {
    let Some(mut services) = Services::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.pdf");
    let result = services.seal("B-LT", "revoked.p12", &pdf("classic.pdf"), &output);
    assert_eq!(result.status.code(), Some(3));
    assert!(
        stdout(&result).contains("is revoked"),
        "{}",
        stdout(&result)
    );
    assert!(!output.exists());

    services.stop_revocation_services();
    let result = services.seal("B-LT", "seal.p12", &pdf("classic.pdf"), &output);
    assert_eq!(result.status.code(), Some(3));
    let text = stdout(&result);
    assert!(
        text.contains("http://127.0.0.1:") && text.contains("cannot connect"),
        "{text}"
    );
    assert!(!output.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "temporary files left behind"
    );
}

#[test]
fn the_verifier_finds_a_revoked_signer_online_and_leaves_it_open_offline() {
    let Some(services) = Services::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("revoked.pdf");
    // B-B needs no revocation data, so the revoked key can still make a signature.
    let result = services.seal("B-B", "revoked.p12", &pdf("classic.pdf"), &output);
    assert!(result.status.success(), "{}", stderr(&result));

    let online = validate::Options {
        crypto: Default::default(),
        trust: services.trust(),
        time: chrono::Utc::now(),
        fetcher: Some(std::sync::Arc::new(local_http())),
    };
    let report = validate::validate_pdf(&output, &online).unwrap();
    assert_eq!(
        report.signatures[0].indication,
        Indication::TotalFailed,
        "{:?}",
        report.signatures[0].messages
    );
    assert_eq!(
        report.signatures[0].subindication,
        Some(validate::SubIndication::Revoked)
    );
    let revoked = report.signatures[0].chain[0].revocation.as_ref().unwrap();
    assert!(
        revoked.detail.contains("keyCompromise"),
        "{}",
        revoked.detail
    );
    let when = revoked.revoked_at.unwrap();
    assert!(when > chrono::Utc::now() - chrono::Duration::hours(1) && when <= chrono::Utc::now());

    let report = validate_offline(&services, &output);
    assert_eq!(report.signatures[0].indication, Indication::Indeterminate);
    assert_eq!(
        report.signatures[0].subindication,
        Some(validate::SubIndication::TryLater)
    );
    let root = services.path("root.pem");
    let result = services.siegel(&[
        "verify",
        "--offline",
        "--trust",
        root.to_str().unwrap(),
        output.to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(2), "{}", stdout(&result));
}

#[test]
fn revocation_data_inside_a_pyhanko_cms_is_used_offline() {
    // Not PAdES: pyHanko then embeds OCSP responses and CRLs in Adobe's
    // revocation-information archival attribute, inside the signed attributes.
    let Some(mut services) = Services::start() else {
        return;
    };
    if !support::have("pyhanko") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let signed = dir.path().join("adbe.pdf");
    let root = services.path("root.pem");
    let root = root.to_str().unwrap();
    services.pyhanko_sign(
        &["--with-validation-info", "--trust-replace", "--trust", root],
        &signed,
    );
    services.stop_revocation_services();

    let report = validate_offline(&services, &signed);
    let signature = &report.signatures[0];
    assert_eq!(
        signature.indication,
        Indication::TotalPassed,
        "{:?}",
        signature.messages
    );
    let bytes = std::fs::read(&signed).unwrap();
    assert!(!bytes.windows(4).any(|w| w == b"/DSS"), "nothing in a /DSS");
    let signer = signature.chain[0].revocation.as_ref().unwrap();
    assert_eq!(signer.status, validate::report::RevocationStatus::Good);
    assert!(
        signer
            .source
            .as_deref()
            .unwrap()
            .contains("in the document")
    );
}

#[test]
fn a_missing_intermediate_is_fetched_over_aia_when_online() {
    let Some(services) = Services::start() else {
        return;
    };
    // A PKCS#12 file with the signer's certificate alone: the CMS then lacks the issuing CA.
    let status = Command::new("openssl")
        .args(["pkcs12", "-export", "-passout", "pass:ltv-demo", "-inkey"])
        .arg(services.path("seal.key"))
        .arg("-in")
        .arg(services.path("seal.pem"))
        .arg("-out")
        .arg(services.path("leaf-only.p12"))
        .status()
        .unwrap();
    assert!(status.success());
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("leaf-only.pdf");
    let result = services.seal("B-B", "leaf-only.p12", &pdf("classic.pdf"), &output);
    assert!(result.status.success(), "{}", stderr(&result));

    let report = validate_offline(&services, &output);
    assert_eq!(
        report.signatures[0].subindication,
        Some(validate::SubIndication::NoCertificateChainFound)
    );
    let online = validate::Options {
        fetcher: Some(std::sync::Arc::new(local_http())),
        ..validate::Options::new(services.trust(), chrono::Utc::now())
    };
    let report = validate::validate_pdf(&output, &online).unwrap();
    let signature = &report.signatures[0];
    assert_eq!(
        signature.indication,
        Indication::TotalPassed,
        "{:?}",
        signature.messages
    );
    assert_eq!(
        signature.chain.len(),
        3,
        "signer, issuing CA from AIA, root"
    );
}
