//! Names chosen by attackers: a certificate whose CN and O hold escape sequences, control
//! characters, right-to-left overrides, CJK and emoji, in a file whose name does too. Every
//! output stays valid and shows the characters instead of obeying them: the terminal text, the
//! JSON, the ETSI XML (schema-valid), the HTML page and the PDF/A protocol. And a signature time
//! no calendar knows is unparseable, not a crash.

use std::path::{Path, PathBuf};
use std::process::Command;

use siegel::text;

use crate::protocol::{assert_schema_valid, pdf_text};
use crate::support::{self, have, pdf, pki, sign_with, stderr, stdout};
use crate::throwaway::{Leaf, Pki};

/// ESC[2J clears a terminal, ESC]0; retitles it; U+202E reverses what follows; BEL, BS, CR,
/// LF, DEL and the C1 CSI would forge or hide text.
const COMMON_NAME: &str =
    "\u{1b}[2J\u{1b}]0;pwned\u{7}Evil\u{202e}fdp.exe\u{8}\r\nTOTAL_PASSED \u{7f}\u{9b}31m 中文 👩‍💻";
const ORGANIZATION: &str = "株式会社 \u{2066}Firma\u{2069} 🇪🇺 \u{1}\u{1f}";
/// A file name may hold the same.
const FILE_NAME: &str = "签名 \u{1b}[31m\u{202e}fdp.exe 📄.pdf";

fn sealed(dir: &Path) -> (Pki, PathBuf) {
    let pki = Pki::make(
        dir,
        &Leaf {
            common_name: COMMON_NAME,
            organization: Some(ORGANIZATION),
            ..Leaf::default()
        },
    );
    let signed = dir.join(FILE_NAME);
    pki.seal(&signed);
    (pki, signed)
}

fn verify(pki: &Pki, signed: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_siegel"))
        .args(["verify", "--offline", "--trust"])
        .arg(&pki.root_pem)
        .args(extra)
        .arg(signed)
        .env(
            "SIEGEL_SETTINGS",
            support::root().join("target/no-settings.toml"),
        )
        .output()
        .unwrap()
}

/// Nothing a terminal would obey: line feeds between lines only.
fn assert_terminal_safe(text: &str) {
    let hidden: Vec<String> = text
        .chars()
        .filter(|c| *c != '\n' && text::is_hidden(*c))
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect();
    assert!(hidden.is_empty(), "raw {hidden:?} in:\n{text}");
}

#[test]
fn hostile_names_are_shown_not_obeyed_on_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (pki, signed) = sealed(dir.path());

    let output = verify(&pki, &signed, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let text = stdout(&output);
    assert_terminal_safe(&text);
    assert_terminal_safe(&stderr(&output));
    assert!(text.contains("\\u{1b}[2J"), "{text}");
    assert!(text.contains("\\u{202e}"), "{text}");
    assert!(text.contains("中文 👩‍💻"), "{text}");
    assert!(text.contains("株式会社"), "{text}");
    // The forged line break stays inside the signer's line.
    assert!(
        !text
            .lines()
            .any(|l| l.trim_start().starts_with("TOTAL_PASSED")),
        "{text}"
    );

    // JSON keeps the exact name, escaped so that printing it is harmless.
    let output = verify(&pki, &signed, &["--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let json = stdout(&output);
    assert_terminal_safe(&json);
    let report: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(report["signatures"][0]["signer"]["name"], COMMON_NAME);
    assert_eq!(
        report["signatures"][0]["signer"]["organization"],
        ORGANIZATION
    );
    assert!(report["file"].as_str().unwrap().ends_with(FILE_NAME));

    // Errors name the file too.
    let missing = dir.path().join(format!("missing {FILE_NAME}"));
    let output = verify(&pki, &missing, &[]);
    assert_eq!(output.status.code(), Some(3));
    assert_terminal_safe(&stdout(&output));
    assert_terminal_safe(&stderr(&output));
}

#[test]
fn hostile_names_give_valid_xml_html_and_pdf_protocols() {
    let dir = tempfile::tempdir().unwrap();
    let (pki, signed) = sealed(dir.path());

    let xml = dir.path().join("protocol.xml");
    let output = verify(&pki, &signed, &["--report", xml.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let bytes = std::fs::read(&xml).unwrap();
    if have("xmllint") {
        let check = Command::new("xmllint")
            .args(["--nonet", "--noout"])
            .arg(&xml)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "not well-formed: {}",
            stderr(&check)
        );
    }
    assert_schema_valid(&bytes, "hostile-names");
    let xml_text = String::from_utf8(bytes).unwrap();
    assert!(xml_text.contains("\\u{1b}[2J"), "{xml_text}");
    assert!(xml_text.contains("中文 👩‍💻"), "{xml_text}");

    let html = dir.path().join("protocol.html");
    let output = verify(&pki, &signed, &["--report", html.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = std::fs::read_to_string(&html).unwrap();
    assert_terminal_safe(&page);
    assert!(page.contains("\\u{202e}fdp.exe"), "{page}");
    assert!(page.contains("中文 👩‍💻"));

    let report = dir.path().join("protocol.pdf");
    let output = verify(&pki, &signed, &["--report", report.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    if let Some(text) = pdf_text(&report, false) {
        // CJK and emoji are beyond Noto Sans: a placeholder and the code points stand in.
        assert!(text.contains("U+4E2D U+6587"), "{text}");
        assert!(text.contains("U+1F469 U+200D U+1F4BB"), "{text}");
        assert!(text.contains("\\u{202e}"), "{text}");
        assert_terminal_safe(&text.replace('\u{c}', ""));
    }
}

#[test]
fn a_signing_time_no_calendar_knows_is_unparseable_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let signed = dir.path().join("signed.pdf");
    sign_with(
        &pdf("classic.pdf"),
        &signed,
        "seal-rsa.p12",
        siegel::certificate::Kind::Seal,
    );
    let mut bytes = std::fs::read(&signed).unwrap();
    let date = b"(D:20260601120000+00'00')";
    let at = bytes.windows(date.len()).position(|w| w == date).unwrap();
    for absurd in [
        b"(D:20260601+999999999999)".as_slice(),
        b"(D:2026-9999999999999'00)",
        b"(D:99991231235959+23'59')",
        b"(D:00000101000000-23'59')",
        b"(D:20261301000000+00'00')",
    ] {
        assert_eq!(absurd.len(), date.len());
        bytes[at..at + date.len()].copy_from_slice(absurd);
        let path = dir.path().join("absurd.pdf");
        std::fs::write(&path, &bytes).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_siegel"))
            .args(["verify", "--offline", "--trust"])
            .arg(pki("root-ca.pem"))
            .arg(&path)
            .env(
                "SIEGEL_SETTINGS",
                support::root().join("target/no-settings.toml"),
            )
            .output()
            .unwrap();
        // /M is signed, so the hash fails; what matters is a verdict, not exit 101.
        assert_eq!(
            output.status.code(),
            Some(1),
            "{}: {}{}",
            String::from_utf8_lossy(absurd),
            stdout(&output),
            stderr(&output)
        );
    }
}
