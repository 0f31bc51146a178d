//! PAdES B-T against a real RFC 3161 TSA (`openssl ts -reply` behind `testdata/services/tsa.py`)
//! on 127.0.0.1, started and stopped by the tests.

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use siegel::certificate::Certificate;
use siegel::validate::Indication;

use crate::support::{self, pdf, pki, siegel, stderr, stdout};

/// A running TSA, killed when dropped.
pub(crate) struct Tsa {
    child: Child,
    port: u16,
}

impl Tsa {
    pub(crate) fn start() -> Option<Self> {
        if !support::have("openssl") || !support::have("python3") {
            return None;
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/services/tsa.py");
        let mut child = Command::new("python3")
            .arg(script)
            .args([pki("tsa.pem"), pki("tsa.key.pem"), pki("chain.pem")])
            // A certificate without the timeStamping usage, for the /wrong-cert path.
            .arg("0")
            .args([pki("seal-rsa.pem"), pki("seal-rsa.key.pem")])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().unwrap();
        Some(Self { child, port })
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}

impl Drop for Tsa {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn seal_bt(tsas: &[String], output: &Path) -> std::process::Output {
    let key = pki("seal-rsa.p12");
    let input = pdf("multipage.pdf");
    let mut args = vec![
        "seal",
        "--level",
        "B-T",
        "--p12",
        key.to_str().unwrap(),
        "--pin-env",
        "SIEGEL_TEST_PIN",
        "-o",
        output.to_str().unwrap(),
    ];
    for tsa in tsas {
        args.push("--tsa");
        args.push(tsa);
    }
    args.push(input.to_str().unwrap());
    siegel(&args)
}

#[test]
fn b_t_carries_a_verified_signature_timestamp_accepted_by_pyhanko_and_pdfsig() {
    let Some(tsa) = Tsa::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("bt.pdf");
    let result = seal_bt(&[tsa.url("")], &output);
    assert!(result.status.success(), "{}", stderr(&result));

    let report = support::validate(&output);
    let signature = &report.signatures[0];
    assert_eq!(
        signature.indication,
        Indication::TotalPassed,
        "{:?}",
        signature.messages
    );
    assert_eq!(signature.level.map(|l| l.name()), Some("PAdES-BASELINE-T"));
    assert_eq!(signature.timestamps.len(), 1);
    let timestamp = &signature.timestamps[0];
    assert_eq!(
        timestamp.indication,
        Indication::TotalPassed,
        "{}",
        timestamp.detail
    );
    assert_eq!(timestamp.tsa.as_deref(), Some("Siegel Test TSA"));
    assert_eq!(
        Some(signature.best_signature_time),
        timestamp.time,
        "the time-stamp is the best-signature-time"
    );

    support::assert_pyhanko_accepts(&output, 1);
    support::assert_pdfsig_accepts(&output, 1);
    if support::have("pyhanko") {
        let pretty = Command::new("pyhanko")
            .args([
                "sign",
                "validate",
                "--pretty-print",
                "--no-revocation-check",
                "--trust-replace",
                "--trust",
            ])
            .arg(pki("root-ca.pem"))
            .arg("--other-certs")
            .arg(pki("intermediate-ca.pem"))
            .arg(&output)
            .output()
            .unwrap();
        let text = stdout(&pretty);
        assert!(
            text.contains("Signature timestamp token")
                && text.contains("The TSA certificate is trusted."),
            "{text}"
        );
    }
}

#[test]
fn the_tsas_are_tried_in_order() {
    let Some(tsa) = Tsa::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("bt.pdf");
    let result = seal_bt(&["http://127.0.0.1:9/".into(), tsa.url("")], &output);
    assert!(result.status.success(), "{}", stderr(&result));
    assert_eq!(
        support::validate(&output).signatures[0].timestamps[0].indication,
        Indication::TotalPassed
    );
}

#[test]
fn bad_tsa_answers_exit_3_name_the_url_and_write_nothing() {
    let Some(tsa) = Tsa::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (tsa.url("bad-imprint"), "message imprint does not match"),
        (tsa.url("bad-nonce"), "nonce"),
        (tsa.url("broken"), "not a TimeStampResp"),
        ("http://127.0.0.1:9/".to_owned(), "cannot connect"),
    ];
    // pyHanko's test time-stamper signs with any certificate (and sends no accuracy field).
    let wrong = support::have("pyhanko").then(|| {
        (
            tsa.url("wrong-cert"),
            "lacks the timeStamping extended key usage",
        )
    });
    let cases = cases.into_iter().chain(wrong);
    for (url, cause) in cases {
        let output = dir.path().join("out.pdf");
        let result = seal_bt(std::slice::from_ref(&url), &output);
        let text = format!("{}{}", stdout(&result), stderr(&result));
        assert_eq!(result.status.code(), Some(3), "{url}: {text}");
        assert!(text.contains(&url) && text.contains(cause), "{url}: {text}");
        assert!(!output.exists(), "{url} left an output");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "temporary files left behind"
        );
    }
}

#[test]
fn b_t_without_a_tsa_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let result = seal_bt(&[], &dir.path().join("out.pdf"));
    assert_eq!(result.status.code(), Some(3));
    assert!(stderr(&result).contains("--tsa"), "{}", stderr(&result));
}

#[test]
fn a_tsa_certificate_must_be_for_time_stamping_only() {
    let load = |name: &str| {
        Certificate::load_all(&std::fs::read(pki(name)).unwrap())
            .unwrap()
            .remove(0)
    };
    assert!(siegel::timestamp::check_tsa_certificate(&load("tsa.pem")).is_ok());
    let error = siegel::timestamp::check_tsa_certificate(&load("seal-rsa.pem")).unwrap_err();
    assert!(error.contains("lacks the timeStamping"), "{error}");
}

fn extend(tsa: &Tsa, input: &Path, output: &Path) -> std::process::Output {
    let url = tsa.url("");
    siegel(&[
        "extend",
        "--level",
        "B-T",
        "--tsa",
        &url,
        "-o",
        output.to_str().unwrap(),
        input.to_str().unwrap(),
    ])
}

#[test]
fn extend_adds_a_document_timestamp_to_another_tools_signature() {
    let Some(tsa) = Tsa::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let extended = dir.path().join("extended.pdf");
    let result = extend(&tsa, &pdf("signed-pyhanko.pdf"), &extended);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(
        std::fs::read(&extended)
            .unwrap()
            .starts_with(&std::fs::read(pdf("signed-pyhanko.pdf")).unwrap())
    );

    let report = support::validate(&extended);
    assert_eq!(
        report.indication,
        Indication::TotalPassed,
        "{:?}",
        report.document_timestamps
    );
    let stamp = &report.document_timestamps[0];
    assert_eq!(stamp.timestamps[0].tsa.as_deref(), Some("Siegel Test TSA"));
    assert!(
        report.signatures[0]
            .checks
            .iter()
            .any(|c| c.id == "validity" && c.detail.contains("document time-stamp"))
    );
    assert_eq!(
        report.signatures[0].best_signature_time,
        stamp.best_signature_time
    );
    support::assert_pyhanko_accepts(&extended, 1);
    if support::have("pdfsig") {
        let text = stdout(&Command::new("pdfsig").arg(&extended).output().unwrap());
        assert_eq!(text.matches("Signature is Valid.").count(), 1, "{text}");
    }

    // Nothing is missing any more: the output is the input, byte for byte.
    let again = dir.path().join("again.pdf");
    let result = extend(&tsa, &extended, &again);
    assert!(
        stdout(&result).contains("nothing missing"),
        "{}",
        stdout(&result)
    );
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&extended).unwrap()
    );
}

#[test]
fn extend_refuses_an_unsigned_document() {
    let Some(tsa) = Tsa::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.pdf");
    let result = extend(&tsa, &pdf("classic.pdf"), &output);
    assert_eq!(result.status.code(), Some(3));
    assert!(
        stdout(&result).contains("no signature"),
        "{}",
        stdout(&result)
    );
    assert!(!output.exists());
}
