//! The settings file shared with the desktop app: the CLI takes trust anchors, the offline
//! default and TSA URLs from it when no flag says otherwise, and reports a broken file.

use std::process::{Command, Output};

use siegel::certificate::Kind;

use crate::support::{self, stderr, stdout};

fn siegel_with(settings: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_siegel"))
        .args(args)
        .env("SIEGEL_SETTINGS", settings)
        .env("SIEGEL_TEST_PIN", support::PASSPHRASE)
        .output()
        .unwrap()
}

#[test]
fn verify_trusts_the_anchors_and_stays_offline_as_the_settings_say() {
    let dir = tempfile::tempdir().unwrap();
    let signed = dir.path().join("sealed.pdf");
    support::sign_with(
        &support::pdf("classic.pdf"),
        &signed,
        "seal-rsa.p12",
        Kind::Seal,
    );
    let settings = dir.path().join("settings.toml");
    let signed = signed.to_str().unwrap();

    // Without settings (and no --trust) the chain ends nowhere: INDETERMINATE.
    let plain = siegel_with(&settings, &["verify", "--offline", signed]);
    assert_eq!(plain.status.code(), Some(2), "{}", stdout(&plain));

    std::fs::write(
        &settings,
        format!(
            "offline = true\ntrust_anchors = [{:?}]\n",
            support::pki("root-ca.pem").display().to_string()
        ),
    )
    .unwrap();
    let trusted = siegel_with(&settings, &["verify", signed]);
    assert_eq!(trusted.status.code(), Some(0), "{}", stdout(&trusted));
    assert!(stdout(&trusted).contains("TOTAL_PASSED"));
}

#[test]
fn sign_takes_the_tsa_from_the_settings() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.toml");
    let output = dir.path().join("out.pdf");
    let p12 = support::pki("seal-rsa.p12");
    let input = support::pdf("classic.pdf");
    let args = [
        "seal",
        "--p12",
        p12.to_str().unwrap(),
        "--pin-env",
        "SIEGEL_TEST_PIN",
        "--level",
        "B-T",
        "-o",
        output.to_str().unwrap(),
        input.to_str().unwrap(),
    ];
    // No TSA anywhere: the CLI asks for one.
    let none = siegel_with(&settings, &args);
    assert_eq!(none.status.code(), Some(3));
    assert!(stderr(&none).contains("--tsa"), "{}", stderr(&none));
    // A TSA in the settings is used (here one that refuses connections, so it fails there).
    std::fs::write(&settings, "tsa_urls = [\"http://127.0.0.1:9/\"]\n").unwrap();
    let configured = siegel_with(&settings, &args);
    assert_eq!(configured.status.code(), Some(3));
    assert!(
        !stderr(&configured).contains("give --tsa"),
        "{}",
        stderr(&configured)
    );
    assert!(!output.exists());
}

#[test]
fn a_broken_settings_file_is_reported_and_the_defaults_used() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.toml");
    std::fs::write(&settings, "offline = \"maybe\"\n").unwrap();
    let output = siegel_with(
        &settings,
        &[
            "verify",
            "--offline",
            support::pdf("classic.pdf").to_str().unwrap(),
        ],
    );
    assert!(stderr(&output).contains("line 1"), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("using the defaults"),
        "{}",
        stderr(&output)
    );
}
