//! The verification protocol: what a clerk reads (PDF, HTML) says the verdict, signer and time
//! in German and English; the ETSI XML is schema-valid; the sealed protocol validates; the CLI
//! flags behave. One page per case is kept as a PNG under `target/protocol-pages/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use siegel::certificate::Kind;
use siegel::protocol::{self, Format};
use siegel::text::Language;
use siegel::validate::{self, Indication};
use siegel::{output, trust};

use crate::support::{self, have, pdf, pki, siegel, sign_with, stderr, stdout, validate};

/// A document signed with the test PKI's signature key (Erika Mustermann).
fn signed(dir: &Path) -> PathBuf {
    let output = dir.join("signed.pdf");
    sign_with(
        &pdf("classic.pdf"),
        &output,
        "signature-rsa.p12",
        Kind::Signature,
    );
    output
}

/// The signed document with one byte of its content changed.
fn tampered(dir: &Path) -> PathBuf {
    let path = signed(dir);
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes
        .windows(12)
        .position(|w| w == b"Testdokument")
        .unwrap();
    bytes[at] = b'F';
    std::fs::write(&path, &bytes).unwrap();
    path
}

fn untrusted_report(path: &Path) -> validate::Report {
    validate::validate_pdf(
        path,
        &validate::Options::new(trust::Store::new(), support::time()),
    )
    .unwrap()
}

/// The text of a PDF's pages (`first_page_only` for what a reader sees first).
pub(crate) fn pdf_text(path: &Path, first_page_only: bool) -> Option<String> {
    if !have("pdftotext") {
        return None;
    }
    let mut command = Command::new("pdftotext");
    if first_page_only {
        command.args(["-f", "1", "-l", "1"]);
    }
    let output = command.arg(path).arg("-").output().unwrap();
    assert!(output.status.success(), "pdftotext: {}", stderr(&output));
    Some(stdout(&output))
}

/// Renders page 1 to `target/protocol-pages/<name>.png` and checks poppler reports no error.
fn keep_first_page(path: &Path, name: &str) {
    if !have("pdftoppm") {
        return;
    }
    let dir = support::root().join("target/protocol-pages");
    std::fs::create_dir_all(&dir).unwrap();
    let output = Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"])
        .arg(path)
        .arg(dir.join(name))
        .output()
        .unwrap();
    assert!(output.status.success(), "pdftoppm: {}", stderr(&output));
    assert!(
        stderr(&output).trim().is_empty(),
        "pdftoppm complained about {}: {}",
        path.display(),
        stderr(&output)
    );
}

pub(crate) fn assert_schema_valid(xml: &[u8], name: &str) {
    let schema = support::third_party("etsi-xsd/TS119102-2-v141.xsd");
    if !have("xmllint") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.xml"));
    std::fs::write(&path, xml).unwrap();
    let output = Command::new("xmllint")
        .args(["--nonet", "--noout", "--schema"])
        .arg(&schema)
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{name}: the XML does not validate against TS 119 102-2:\n{}\n{}",
        stderr(&output),
        String::from_utf8_lossy(xml)
    );
}

/// Writes the PDF protocol of `report` and returns its path.
fn write_pdf(report: &validate::Report, dir: &Path, name: &str, language: Language) -> PathBuf {
    let path = dir.join(format!("{name}.pdf"));
    protocol::write(report, &path, Format::Pdf, language, false).unwrap();
    keep_first_page(&path, name);
    path
}

#[test]
fn protocol_of_a_valid_document_in_german_and_english() {
    let dir = tempfile::tempdir().unwrap();
    let report = validate(&signed(dir.path()));
    assert_eq!(report.indication, Indication::TotalPassed);

    let de = write_pdf(&report, dir.path(), "valid-de", Language::De);
    let en = write_pdf(&report, dir.path(), "valid-en", Language::En);
    if let Some(text) = pdf_text(&de, true) {
        for expected in [
            "Prüfprotokoll",
            "Gültig: Die Signatur ist gültig",
            "Erika Mustermann",
            "01.06.2026, 12:00:00 UTC",
            "Seite 1 von",
        ] {
            assert!(text.contains(expected), "{expected:?} missing:\n{text}");
        }
    }
    if let Some(text) = pdf_text(&en, true) {
        for expected in [
            "Verification protocol",
            "Valid: the signature is valid",
            "Erika Mustermann",
            "2026-06-01 12:00:00 UTC",
            "Page 1 of",
        ] {
            assert!(text.contains(expected), "{expected:?} missing:\n{text}");
        }
    }
    if let Some(text) = pdf_text(&de, false) {
        // The chain, the annex and the signer's identity are all there.
        for expected in [
            "Zertifikatskette",
            "Anhang: technische Prüfungen",
            "message-digest",
            "PNODE-1234567890",
        ] {
            assert!(text.contains(expected), "{expected:?} missing:\n{text}");
        }
    }
}

#[test]
fn protocol_of_a_failed_document_is_red_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let report = validate(&tampered(dir.path()));
    assert_eq!(report.indication, Indication::TotalFailed);
    let de = write_pdf(&report, dir.path(), "failed-de", Language::De);
    let en = write_pdf(&report, dir.path(), "failed-en", Language::En);
    if let Some(text) = pdf_text(&de, false) {
        assert!(
            text.contains("Ungültig: Die Signatur hat die Prüfung nicht bestanden"),
            "{text}"
        );
        assert!(text.contains("HASH_FAILURE"), "{text}");
        // The signer is named even though the document was changed (§ 298(3) ZPO).
        assert!(text.contains("Erika Mustermann"), "{text}");
    }
    if let Some(text) = pdf_text(&en, true) {
        assert!(
            text.contains("Invalid: the signature failed validation"),
            "{text}"
        );
    }
    let html =
        String::from_utf8(protocol::render(&report, Format::Html, Language::De).unwrap()).unwrap();
    assert!(html.contains("class=\"verdict red\""));
    assert_schema_valid(
        &protocol::render(&report, Format::Xml, Language::De).unwrap(),
        "failed",
    );
}

#[test]
fn protocol_of_an_indeterminate_document_is_amber_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let report = untrusted_report(&signed(dir.path()));
    assert_eq!(report.indication, Indication::Indeterminate);
    let de = write_pdf(&report, dir.path(), "indeterminate-de", Language::De);
    let en = write_pdf(&report, dir.path(), "indeterminate-en", Language::En);
    if let Some(text) = pdf_text(&de, false) {
        assert!(
            text.contains("Unbestimmt: Ob die Signatur gültig ist"),
            "{text}"
        );
        assert!(text.contains("NO_CERTIFICATE_CHAIN_FOUND"), "{text}");
        assert!(
            text.contains("vertrauenswürdigen Wurzelzertifikat"),
            "{text}"
        );
    }
    if let Some(text) = pdf_text(&en, true) {
        assert!(
            text.contains("Indeterminate: whether the signature is valid"),
            "{text}"
        );
    }
    let html =
        String::from_utf8(protocol::render(&report, Format::Html, Language::En).unwrap()).unwrap();
    assert!(html.contains("class=\"verdict amber\""));
}

#[test]
fn protocol_of_an_unsigned_document_says_so() {
    let report = validate(&pdf("classic.pdf"));
    let dir = tempfile::tempdir().unwrap();
    let de = write_pdf(&report, dir.path(), "unsigned-de", Language::De);
    if let Some(text) = pdf_text(&de, true) {
        assert!(text.contains("enthält keine Signatur"), "{text}");
    }
    assert_schema_valid(
        &protocol::render(&report, Format::Xml, Language::En).unwrap(),
        "unsigned",
    );
}

#[test]
fn protocol_keeps_umlauts_sharp_s_and_euro() {
    let dir = tempfile::tempdir().unwrap();
    let mut report = validate(&signed(dir.path()));
    let name = "Jürgen Weiß-Öztürk, Ärztekammer (Gebühr 5 €)";
    if let Some(signer) = report.signatures[0].signer.as_mut() {
        signer.name = name.to_owned();
    }
    let de = write_pdf(&report, dir.path(), "umlauts-de", Language::De);
    if let Some(text) = pdf_text(&de, true) {
        assert!(text.contains(name), "{name:?} missing:\n{text}");
        assert!(text.contains("Größe"), "{text}");
    }
    let html =
        String::from_utf8(protocol::render(&report, Format::Html, Language::De).unwrap()).unwrap();
    assert!(html.contains(name));
    let xml = protocol::render(&report, Format::Xml, Language::De).unwrap();
    assert!(String::from_utf8(xml.clone()).unwrap().contains(name));
    assert_schema_valid(&xml, "umlauts");
}

#[test]
fn protocol_xml_validates_against_the_etsi_schema() {
    let dir = tempfile::tempdir().unwrap();
    let report = validate(&signed(dir.path()));
    let xml = protocol::render(&report, Format::Xml, Language::En).unwrap();
    let text = String::from_utf8(xml.clone()).unwrap();
    assert!(text.contains("xmlns=\"http://uri.etsi.org/19102/v1.4.1#\""));
    assert!(text.contains("urn:etsi:019102:mainindication:total-passed"));
    assert!(text.contains("<Signer>Erika Mustermann</Signer>"));
    assert_schema_valid(&xml, "valid");

    let other = tempfile::tempdir().unwrap();
    let untrusted = untrusted_report(&signed(other.path()));
    let xml = protocol::render(&untrusted, Format::Xml, Language::En).unwrap();
    let text = String::from_utf8(xml.clone()).unwrap();
    assert!(text.contains("urn:etsi:019102:subindication:NO_CERTIFICATE_CHAIN_FOUND"));
    assert_schema_valid(&xml, "indeterminate");
}

#[test]
fn protocol_html_is_self_contained_and_escapes_what_certificates_say() {
    let dir = tempfile::tempdir().unwrap();
    let mut report = validate(&signed(dir.path()));
    if let Some(signer) = report.signatures[0].signer.as_mut() {
        signer.name = "<script>alert(1)</script> & Co".to_owned();
    }
    let html =
        String::from_utf8(protocol::render(&report, Format::Html, Language::De).unwrap()).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"de\">"));
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
    assert!(!html.contains("src=") && !html.contains("<link"));
    assert!(html.contains("class=\"verdict green\""));
    assert!(html.contains("Prüfprotokoll"));
}

#[test]
fn protocol_json_is_the_report_with_stable_names() {
    let dir = tempfile::tempdir().unwrap();
    let report = validate(&signed(dir.path()));
    let json: serde_json::Value =
        serde_json::from_slice(&protocol::render(&report, Format::Json, Language::De).unwrap())
            .unwrap();
    assert_eq!(json["indication"], "TOTAL_PASSED");
    assert_eq!(json["sha256"], report.sha256);
    assert_eq!(json["signatures"][0]["signer"]["name"], "Erika Mustermann");
    for field in [
        "validation_time",
        "revisions",
        "policy",
        "document_timestamps",
    ] {
        assert!(json.get(field).is_some(), "{field} missing");
    }
}

#[test]
fn protocol_pdf_is_pdf_a_with_the_reports_attached() {
    let dir = tempfile::tempdir().unwrap();
    let report = validate(&signed(dir.path()));
    let bytes = protocol::render(&report, Format::Pdf, Language::De).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("pdfaid:part"), "no PDF/A identification");
    let path = dir.path().join("protocol.pdf");
    std::fs::write(&path, &bytes).unwrap();
    if have("pdfdetach") {
        let output = Command::new("pdfdetach")
            .arg("-list")
            .arg(&path)
            .output()
            .unwrap();
        let list = stdout(&output);
        assert!(list.contains("validation-report.xml"), "{list}");
        assert!(list.contains("validation-report.json"), "{list}");
    }
    if have("pdffonts") {
        let output = Command::new("pdffonts").arg(&path).output().unwrap();
        let fonts = stdout(&output);
        assert!(fonts.contains("NotoSans-Regular"), "{fonts}");
        assert!(
            !fonts.lines().skip(2).any(|l| l.contains(" no ")),
            "{fonts}"
        );
    }
}

#[test]
fn protocol_write_overwrites_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let report = validate(&signed(dir.path()));
    let path = dir.path().join("protocol.html");
    protocol::write(&report, &path, Format::Html, Language::En, false).unwrap();
    let error = protocol::write(&report, &path, Format::Html, Language::En, false).unwrap_err();
    assert!(matches!(
        error,
        protocol::Error::Output(output::Error::Exists(_))
    ));
    std::fs::write(&path, b"old").unwrap();
    protocol::write(&report, &path, Format::Json, Language::En, true).unwrap();
    assert!(std::fs::read(&path).unwrap().starts_with(b"{"));
}

#[test]
fn protocol_cli_writes_reports_with_verify_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let good = signed(dir.path());
    let root = pki("root-ca.pem");
    let root = root.to_str().unwrap();
    let report = dir.path().join("p.pdf");
    let output = siegel(&[
        "verify",
        "--offline",
        "--trust",
        root,
        "--lang",
        "de",
        "--report",
        report.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    if let Some(text) = pdf_text(&report, true) {
        assert!(text.contains("Prüfprotokoll"), "{text}");
    }
    // Existing protocols stay unless --force.
    let again = siegel(&[
        "verify",
        "--offline",
        "--trust",
        root,
        "--report",
        report.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(3), "{}", stderr(&again));
    assert!(stderr(&again).contains("exists already"));

    // A failed document still gets its protocol; the exit code says failed.
    let bad_dir = tempfile::tempdir().unwrap();
    let bad = tampered(bad_dir.path());
    let xml = dir.path().join("p.xml");
    let output = siegel(&[
        "verify",
        "--offline",
        "--trust",
        root,
        "--lang",
        "en",
        "--report",
        xml.to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_schema_valid(&std::fs::read(&xml).unwrap(), "cli-failed");

    // Usage errors: two inputs, an unknown extension, sealing without a key or not a PDF.
    let html = dir.path().join("p.html");
    let html = html.to_str().unwrap();
    let good = good.to_str().unwrap();
    for args in [
        vec!["verify", "--offline", "--report", html, good, good],
        vec!["verify", "--offline", "--report", "p.txt", good],
        vec![
            "verify",
            "--offline",
            "--report",
            html,
            "--seal-report",
            good,
        ],
        vec![
            "verify",
            "--offline",
            "--report",
            html,
            "--seal-report",
            "--p12",
            "x.p12",
            good,
        ],
        vec!["verify", "--offline", "--p12", "x.p12", good],
    ] {
        let output = siegel(&args);
        assert_eq!(
            output.status.code(),
            Some(3),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(!Path::new(html).exists(), "{args:?} wrote a protocol");
    }
}

#[test]
fn protocol_sealed_with_the_organisations_key_validates() {
    let dir = tempfile::tempdir().unwrap();
    let good = signed(dir.path());
    let root = pki("root-ca.pem");
    let sealed = dir.path().join("sealed-protocol.pdf");
    let output = siegel(&[
        "verify",
        "--offline",
        "--trust",
        root.to_str().unwrap(),
        "--lang",
        "de",
        "--report",
        sealed.to_str().unwrap(),
        "--seal-report",
        "--p12",
        pki("seal-rsa.p12").to_str().unwrap(),
        "--pin-env",
        "SIEGEL_TEST_PIN",
        good.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    keep_first_page(&sealed, "sealed-de");
    let check = siegel(&[
        "verify",
        "--offline",
        "--trust",
        root.to_str().unwrap(),
        sealed.to_str().unwrap(),
    ]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    assert!(stdout(&check).contains("TOTAL_PASSED"));
    let text = stdout(&check);
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("Kind:") && l.contains("seal")),
        "{text}"
    );
}

/// The acceptance case: a document from another PKI (pyHanko's test CA), in German.
#[test]
fn protocol_of_a_foreign_pki_document_in_german() {
    let corpus = support::third_party("corpus/pyhanko");
    let input = corpus.join("sig-with-ski-sid.pdf");
    let dir = tempfile::tempdir().unwrap();
    let chain = corpus.join("pyhanko-testing-ca-chain.pem");
    let report = dir.path().join("pyhanko.pdf");
    let args = [
        "verify",
        "--offline",
        "--trust",
        chain.to_str().unwrap(),
        "--at",
        "2020-11-01T00:00:00Z",
        "--lang",
        "de",
    ];
    let output = siegel(
        &[
            &args[..],
            &[
                "--report",
                report.to_str().unwrap(),
                input.to_str().unwrap(),
            ],
        ]
        .concat(),
    );
    assert!(
        output.status.code().is_some_and(|c| c < 3),
        "{}",
        stderr(&output)
    );
    keep_first_page(&report, "pyhanko-de");
    if let Some(text) = pdf_text(&report, true) {
        for expected in ["Prüfprotokoll", "Alice", "23.05.2021, 23:36:10 UTC"] {
            assert!(text.contains(expected), "{expected:?} missing:\n{text}");
        }
        assert!(
            ["Gültig:", "Unbestimmt:", "Ungültig:"]
                .iter()
                .any(|v| text.contains(v)),
            "no verdict:\n{text}"
        );
    }
    let xml = dir.path().join("pyhanko.xml");
    siegel(
        &[
            &args[..],
            &["--report", xml.to_str().unwrap(), input.to_str().unwrap()],
        ]
        .concat(),
    );
    assert_schema_valid(&std::fs::read(&xml).unwrap(), "pyhanko");

    let sealed = dir.path().join("pyhanko-sealed.pdf");
    let output = siegel(
        &[
            &args[..],
            &[
                "--report",
                sealed.to_str().unwrap(),
                "--seal-report",
                "--p12",
                pki("seal-rsa.p12").to_str().unwrap(),
                "--pin-env",
                "SIEGEL_TEST_PIN",
                input.to_str().unwrap(),
            ],
        ]
        .concat(),
    );
    assert!(
        output.status.code().is_some_and(|c| c < 3),
        "{}",
        stderr(&output)
    );
    let check = siegel(&[
        "verify",
        "--offline",
        "--trust",
        pki("root-ca.pem").to_str().unwrap(),
        sealed.to_str().unwrap(),
    ]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
}

#[test]
fn protocol_of_two_signatures_lists_both_on_page_one() {
    let dir = tempfile::tempdir().unwrap();
    let once = signed(dir.path());
    let twice = dir.path().join("twice.pdf");
    sign_with(&once, &twice, "seal-rsa.p12", Kind::Seal);
    let report = validate(&twice);
    assert_eq!(report.signatures.len(), 2);
    let de = write_pdf(&report, dir.path(), "two-de", Language::De);
    if let Some(text) = pdf_text(&de, true) {
        assert!(text.contains("von 2"), "{text}");
        assert!(text.contains("Signatur 1: Erika Mustermann"), "{text}");
        assert!(
            text.contains("Siegel 2: Stadtverwaltung Musterstadt"),
            "{text}"
        );
    }
    assert_schema_valid(
        &protocol::render(&report, Format::Xml, Language::De).unwrap(),
        "two",
    );
}

/// Every file nobody on this project wrote gets a protocol: the PDF renders and the XML is
/// schema-valid, whatever the verdict.
#[test]
fn protocol_renders_for_every_corpus_document() {
    let corpus = support::third_party("corpus");
    let mut files = Vec::new();
    let mut folders = vec![corpus];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "pdf") {
                files.push(path);
            }
        }
    }
    files.sort();
    for path in files {
        let Ok(report) = validate::validate_pdf(
            &path,
            &validate::Options::new(support::trust_root(), support::time()),
        ) else {
            continue;
        };
        let name = path.display().to_string();
        let pdf = protocol::render(&report, Format::Pdf, Language::De)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(pdf.starts_with(b"%PDF-"), "{name}");
        let xml = protocol::render(&report, Format::Xml, Language::De).unwrap();
        assert_schema_valid(&xml, path.file_stem().unwrap().to_str().unwrap());
    }
}
