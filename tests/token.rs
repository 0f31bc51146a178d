//! PKCS#11 against a real SoftHSM2 token that each test builds for itself (its own
//! `SOFTHSM2_CONF` in a temporary folder), driven through the `siegel` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use openssl::pkey::PKey;
use openssl::x509::X509;

use crate::support::{self, pdf, pki, stderr, stdout};

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const USER_PIN: &str = "246810";

/// A SoftHSM2 installation private to one test.
struct Hsm {
    dir: tempfile::TempDir,
}

/// One key to import: the PKI file stem, its CKA_ID (hex) and whether every use needs the PIN.
struct Import<'a> {
    stem: &'a str,
    id: &'a str,
    always_authenticate: bool,
}

impl Hsm {
    /// `None` (with a notice) where SoftHSM2 or pkcs11-tool is not installed; in CI they must be.
    fn new(token: &str, keys: &[Import<'_>], chain: &[&str]) -> Option<Self> {
        if !support::have("softhsm2-util")
            || !support::have("pkcs11-tool")
            || !Path::new(MODULE).exists()
        {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        std::fs::write(
            dir.path().join("softhsm2.conf"),
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        let hsm = Self { dir };
        if token.is_empty() {
            return Some(hsm);
        }
        hsm.run(
            "softhsm2-util",
            &[
                "--init-token",
                "--free",
                "--label",
                token,
                "--so-pin",
                "12345678",
                "--pin",
                USER_PIN,
            ],
        );
        for key in keys {
            let private = PKey::private_key_from_pem(
                &std::fs::read(pki(&format!("{}.key.pem", key.stem))).unwrap(),
            )
            .unwrap();
            let key_file = hsm.dir.path().join(format!("{}.key.der", key.stem));
            std::fs::write(&key_file, private.private_key_to_pkcs8().unwrap()).unwrap();
            let mut args = vec![
                "--write-object",
                key_file.to_str().unwrap(),
                "--type",
                "privkey",
                "--id",
                key.id,
                "--label",
                key.stem,
                "--usage-sign",
            ];
            if key.always_authenticate {
                args.push("--always-auth");
            }
            hsm.pkcs11_tool(token, &args);
            hsm.import_certificate(token, key.stem, key.id);
        }
        for (index, stem) in chain.iter().enumerate() {
            hsm.import_certificate(token, stem, &format!("f{index}"));
        }
        Some(hsm)
    }

    fn import_certificate(&self, token: &str, stem: &str, id: &str) {
        let certificate =
            X509::from_pem(&std::fs::read(pki(&format!("{stem}.pem"))).unwrap()).unwrap();
        let file = self.dir.path().join(format!("{stem}.der"));
        std::fs::write(&file, certificate.to_der().unwrap()).unwrap();
        self.pkcs11_tool(
            token,
            &[
                "--write-object",
                file.to_str().unwrap(),
                "--type",
                "cert",
                "--id",
                id,
                "--label",
                stem,
            ],
        );
    }

    fn pkcs11_tool(&self, token: &str, args: &[&str]) {
        let mut all = vec![
            "--module",
            MODULE,
            "--token-label",
            token,
            "--login",
            "--pin",
            USER_PIN,
        ];
        all.extend_from_slice(args);
        self.run("pkcs11-tool", &all);
    }

    fn run(&self, program: &str, args: &[&str]) {
        let output = Command::new(program)
            .args(args)
            .env("SOFTHSM2_CONF", self.conf())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{program} {args:?}: {}",
            stderr(&output)
        );
    }

    fn conf(&self) -> PathBuf {
        self.dir.path().join("softhsm2.conf")
    }

    /// Runs `siegel` against this token store, with `pin` in `SIEGEL_TOKEN_PIN`.
    fn siegel(&self, args: &[&str], pin: &str) -> Output {
        Command::new(env!("CARGO_BIN_EXE_siegel"))
            .args(args)
            .env("SOFTHSM2_CONF", self.conf())
            .env("SIEGEL_TOKEN_PIN", pin)
            .output()
            .unwrap()
    }

    fn seal(
        &self,
        token: &str,
        key: &str,
        input: &Path,
        output: &Path,
        extra: &[&str],
        pin: &str,
    ) -> Output {
        let mut args = vec![
            "seal",
            "--module",
            MODULE,
            "--token",
            token,
            "--key",
            key,
            "--pin-env",
            "SIEGEL_TOKEN_PIN",
            "-o",
            output.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        args.push(input.to_str().unwrap());
        self.siegel(&args, pin)
    }
}

fn standard() -> Option<Hsm> {
    Hsm::new(
        "Siegel Test",
        &[
            Import {
                stem: "seal-rsa",
                id: "01",
                always_authenticate: false,
            },
            Import {
                stem: "signature-ec",
                id: "02",
                always_authenticate: false,
            },
            Import {
                stem: "seal-ec",
                id: "03",
                always_authenticate: false,
            },
        ],
        &["intermediate-ca", "root-ca"],
    )
}

#[test]
fn tokens_lists_keys_classified_as_signature_or_seal() {
    let Some(hsm) = standard() else { return };
    let result = hsm.siegel(&["tokens", "--module", MODULE, "--format", "json"], "");
    assert!(result.status.success(), "{}", stderr(&result));
    let listing: serde_json::Value = serde_json::from_str(stdout(&result).trim()).unwrap();
    let token = &listing["modules"][0]["tokens"][0];
    assert_eq!(token["label"], "Siegel Test");
    assert_eq!(token["flags"]["login_required"], true);
    let keys = token["keys"].as_array().unwrap();
    let kind = |label: &str| {
        keys.iter()
            .find(|k| k["label"] == label)
            .map(|k| (k["certificate"]["kind"].clone(), k["key_type"].clone()))
    };
    assert_eq!(kind("seal-rsa"), Some(("seal".into(), "RSA 2048".into())));
    assert_eq!(
        kind("signature-ec"),
        Some(("signature".into(), "EC P-256".into()))
    );
    assert!(
        keys.iter().all(|k| k["label"] != "root-ca"),
        "CA certificates are not keys"
    );

    // With the PIN the private keys themselves are listed.
    let result = hsm.siegel(
        &[
            "tokens",
            "--module",
            MODULE,
            "--pin-env",
            "SIEGEL_TOKEN_PIN",
        ],
        USER_PIN,
    );
    let text = stdout(&result);
    assert!(
        text.contains(
            "Key \"seal-rsa\" id 01: RSA 2048, seal (QESeal), Stadtverwaltung Musterstadt Siegel"
        ),
        "{text}"
    );
    assert!(
        text.contains("Key \"signature-ec\" id 02: EC P-256, signature (QES), Jürgen Müller"),
        "{text}"
    );
}

#[test]
fn token_seals_and_signs_accepted_by_pyhanko_and_pdfsig() {
    let Some(hsm) = standard() else { return };
    let dir = tempfile::tempdir().unwrap();
    let sealed = dir.path().join("sealed.pdf");
    let result = hsm.seal(
        "Siegel Test",
        "seal-rsa",
        &pdf("form.pdf"),
        &sealed,
        &[],
        USER_PIN,
    );
    assert!(result.status.success(), "{}", stderr(&result));
    let twice = dir.path().join("twice.pdf");
    let args = [
        "sign",
        "--module",
        MODULE,
        "--token",
        "Siegel Test",
        "--key-id",
        "02",
        "--pin-env",
        "SIEGEL_TOKEN_PIN",
        "-o",
        twice.to_str().unwrap(),
        sealed.to_str().unwrap(),
    ];
    let result = hsm.siegel(&args, USER_PIN);
    assert!(result.status.success(), "{}", stderr(&result));
    let report = support::validate(&twice);
    assert_eq!(
        report.indication,
        siegel::validate::Indication::TotalPassed,
        "{:?}",
        report.signatures
    );
    assert_eq!(
        report.signatures[1]
            .algorithm
            .map(|a| a.to_string())
            .as_deref(),
        Some("ECDSA with SHA-256")
    );
    support::assert_pyhanko_accepts(&twice, 2);
    support::assert_pdfsig_accepts(&twice, 2);
}

#[test]
fn pss_and_sha384_through_the_token() {
    let Some(hsm) = standard() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (index, extra) in [
        &["--pss"][..],
        &["--digest", "sha384"][..],
        &["--digest", "sha512", "--pss"][..],
    ]
    .iter()
    .enumerate()
    {
        let output = dir.path().join(format!("{index}.pdf"));
        let result = hsm.seal(
            "Siegel Test",
            "seal-rsa",
            &pdf("classic.pdf"),
            &output,
            extra,
            USER_PIN,
        );
        assert!(result.status.success(), "{extra:?}: {}", stderr(&result));
        assert_eq!(
            support::validate(&output).indication,
            siegel::validate::Indication::TotalPassed,
            "{extra:?}"
        );
        support::assert_pyhanko_accepts(&output, 1);
        support::assert_pdfsig_accepts(&output, 1);
    }
}

#[test]
fn the_same_key_through_pkcs11_and_pkcs12_both_validate() {
    let Some(hsm) = standard() else { return };
    let dir = tempfile::tempdir().unwrap();
    let through_token = dir.path().join("token.pdf");
    assert!(
        hsm.seal(
            "Siegel Test",
            "seal-ec",
            &pdf("classic.pdf"),
            &through_token,
            &[],
            USER_PIN
        )
        .status
        .success()
    );
    let through_file = dir.path().join("file.pdf");
    let result = support::siegel(&[
        "seal",
        "--p12",
        pki("seal-ec.p12").to_str().unwrap(),
        "--pin-env",
        "SIEGEL_TEST_PIN",
        "-o",
        through_file.to_str().unwrap(),
        pdf("classic.pdf").to_str().unwrap(),
    ]);
    assert!(result.status.success());
    let signer = |path: &Path| {
        let report = support::validate(path);
        assert_eq!(report.indication, siegel::validate::Indication::TotalPassed);
        report.signatures[0].chain[0].sha256.clone()
    };
    assert_eq!(
        signer(&through_token),
        signer(&through_file),
        "both name the same certificate"
    );
}

#[test]
fn a_batch_logs_in_once_and_seals_every_document() {
    let Some(hsm) = standard() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let inputs: Vec<String> = support::STRUCTURES
        .iter()
        .map(|n| pdf(n).display().to_string())
        .collect();
    let mut args = vec![
        "seal",
        "--module",
        MODULE,
        "--token",
        "Siegel Test",
        "--key",
        "seal-ec",
        "--pin-env",
        "SIEGEL_TOKEN_PIN",
        "--format",
        "json",
        "--out-dir",
        out_dir.to_str().unwrap(),
    ];
    args.extend(inputs.iter().map(String::as_str));
    let result = hsm.siegel(&args, USER_PIN);
    assert!(result.status.success(), "{}", stderr(&result));
    assert_eq!(
        stdout(&result)
            .lines()
            .filter(|l| l.contains("\"status\":\"ok\""))
            .count(),
        inputs.len()
    );
    for name in support::STRUCTURES {
        let report = support::validate(&out_dir.join(name));
        assert_eq!(
            report.indication,
            siegel::validate::Indication::TotalPassed,
            "{name}"
        );
    }
}

#[test]
fn wrong_pin_exits_3_names_the_cause_and_leaves_no_file() {
    let Some(hsm) = standard() else { return };
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.pdf");
    let result = hsm.seal(
        "Siegel Test",
        "seal-rsa",
        &pdf("classic.pdf"),
        &output,
        &[],
        "97531",
    );
    assert_eq!(result.status.code(), Some(3));
    let all = format!("{}{}", stdout(&result), stderr(&result));
    assert!(all.contains("PIN incorrect"), "{all}");
    assert!(!all.contains("97531"), "the PIN leaked: {all}");
    assert!(!output.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "temporary files left behind"
    );
}

#[test]
fn missing_token_and_wrong_kind_have_their_own_messages() {
    let Some(empty) = Hsm::new("", &[], &[]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.pdf");
    let result = empty.seal(
        "Siegel Test",
        "seal-rsa",
        &pdf("classic.pdf"),
        &output,
        &[],
        USER_PIN,
    );
    assert_eq!(result.status.code(), Some(3));
    assert!(
        stderr(&result).contains("no token labelled \"Siegel Test\""),
        "{}",
        stderr(&result)
    );

    let Some(hsm) = standard() else { return };
    let result = hsm.seal(
        "Siegel Test",
        "signature-ec",
        &pdf("classic.pdf"),
        &output,
        &[],
        USER_PIN,
    );
    assert_eq!(result.status.code(), Some(3));
    assert!(
        stderr(&result).contains("--accept-certificate-kind"),
        "{}",
        stderr(&result)
    );
    let result = hsm.seal(
        "Siegel Test",
        "no-such-key",
        &pdf("classic.pdf"),
        &output,
        &[],
        USER_PIN,
    );
    assert!(
        stderr(&result).contains("no signing key labelled \"no-such-key\""),
        "{}",
        stderr(&result)
    );
    assert!(!output.exists());
}

#[test]
fn keys_that_need_the_pin_for_every_signature_get_a_context_login() {
    let Some(hsm) = Hsm::new(
        "QES Karte",
        &[Import {
            stem: "signature-rsa",
            id: "0a",
            always_authenticate: true,
        }],
        &["intermediate-ca", "root-ca"],
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.pdf");
    let input = pdf("classic.pdf");
    let args = [
        "sign",
        "--module",
        MODULE,
        "--token",
        "QES Karte",
        "--pin-env",
        "SIEGEL_TOKEN_PIN",
        "-o",
        output.to_str().unwrap(),
        input.to_str().unwrap(),
    ];
    let result = hsm.siegel(&args, USER_PIN);
    assert!(result.status.success(), "{}", stderr(&result));
    assert_eq!(
        support::validate(&output).indication,
        siegel::validate::Indication::TotalPassed
    );
    support::assert_pyhanko_accepts(&output, 1);
}
