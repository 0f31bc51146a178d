//! The `siegel` command line as scripts use it: exit codes, messages, files written or not.

use std::path::Path;

use crate::support::{self, pdf, pki, siegel, stderr, stdout};

fn seal(input: &Path, output: &Path, extra: &[&str]) -> std::process::Output {
    let key = pki("seal-rsa.p12");
    let mut args = vec![
        "seal",
        "--p12",
        key.to_str().unwrap(),
        "--pin-env",
        "SIEGEL_TEST_PIN",
        "-o",
        output.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    args.push(input.to_str().unwrap());
    siegel(&args)
}

fn verify(path: &Path, extra: &[&str]) -> std::process::Output {
    let root = pki("root-ca.pem");
    let mut args = vec!["verify", "--trust", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.push(path.to_str().unwrap());
    siegel(&args)
}

#[test]
fn seal_then_verify_passes_and_a_changed_byte_fails() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("sealed.pdf");
    let result = seal(
        &pdf("multipage.pdf"),
        &output,
        &["--reason", "Bescheid", "--location", "Musterstadt"],
    );
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(
        stdout(&result).contains("sealed (B-B) by Stadtverwaltung Musterstadt Siegel"),
        "{}",
        stdout(&result)
    );
    let original = std::fs::read(pdf("multipage.pdf")).unwrap();
    let mut signed = std::fs::read(&output).unwrap();
    assert!(signed.starts_with(&original));

    let result = verify(&output, &[]);
    assert_eq!(result.status.code(), Some(0), "{}", stdout(&result));
    assert!(stdout(&result).contains("TOTAL_PASSED"));

    signed[original.len() / 2] ^= 0x01;
    std::fs::write(&output, &signed).unwrap();
    let result = verify(&output, &[]);
    assert_eq!(result.status.code(), Some(1), "{}", stdout(&result));
    assert!(stdout(&result).contains("TOTAL_FAILED"));
}

#[test]
fn untrusted_signature_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("sealed.pdf");
    assert!(seal(&pdf("classic.pdf"), &output, &[]).status.success());
    let result = siegel(&["verify", output.to_str().unwrap()]);
    assert_eq!(result.status.code(), Some(2));
    assert!(stdout(&result).contains("NO_CERTIFICATE_CHAIN_FOUND"));
}

#[test]
fn wrong_passphrase_exits_3_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.pdf");
    let result = std::process::Command::new(env!("CARGO_BIN_EXE_siegel"))
        .args(["seal", "--p12"])
        .arg(pki("seal-rsa.p12"))
        .args(["--pin-env", "WRONG_PIN", "-o"])
        .arg(&output)
        .arg(pdf("classic.pdf"))
        .env("WRONG_PIN", "geheim-falsch")
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(3));
    let message = stderr(&result);
    assert!(
        message.contains("wrong passphrase") && message.contains("seal-rsa.p12"),
        "{message}"
    );
    assert!(!message.contains("geheim-falsch") && !stdout(&result).contains("geheim-falsch"));
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(!output.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "temporary files left behind"
    );
}

#[test]
fn passphrase_from_a_file_or_stdin_works_and_no_source_without_a_terminal_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let passfile = dir.path().join("pass.txt");
    std::fs::write(&passfile, format!("{}\n", support::PASSPHRASE)).unwrap();
    let output = dir.path().join("out.pdf");
    let result = siegel(&[
        "sign",
        "--p12",
        pki("signature-rsa.p12").to_str().unwrap(),
        "--pin-file",
        passfile.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
        pdf("classic.pdf").to_str().unwrap(),
    ]);
    assert!(result.status.success(), "{}", stderr(&result));
    let piped = dir.path().join("piped.pdf");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_siegel"))
        .args(["sign", "--pin-file", "-", "--p12"])
        .arg(pki("signature-rsa.p12"))
        .arg("-o")
        .arg(&piped)
        .arg(pdf("classic.pdf"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, format!("{}\n", support::PASSPHRASE).as_bytes()).unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success());
    assert!(piped.exists());

    let result = siegel(&[
        "sign",
        "--p12",
        pki("signature-rsa.p12").to_str().unwrap(),
        "-o",
        dir.path().join("x.pdf").to_str().unwrap(),
        pdf("classic.pdf").to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(3));
    assert!(stderr(&result).contains("--pin-env"), "{}", stderr(&result));
}

#[test]
fn sign_refuses_a_seal_certificate_and_says_how_to_override() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.pdf");
    let (key, input) = (pki("seal-rsa.p12"), pdf("classic.pdf"));
    let args = [
        "sign",
        "--p12",
        key.to_str().unwrap(),
        "--pin-env",
        "SIEGEL_TEST_PIN",
        "-o",
        output.to_str().unwrap(),
        input.to_str().unwrap(),
    ];
    let result = siegel(&args);
    assert_eq!(result.status.code(), Some(3));
    assert!(
        stderr(&result).contains("--force") && stderr(&result).contains("siegel seal"),
        "{}",
        stderr(&result)
    );
    assert!(!output.exists());
    let mut forced = args.to_vec();
    forced.insert(1, "--force");
    assert!(siegel(&forced).status.success());
}

#[test]
fn existing_output_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.pdf");
    std::fs::write(&output, b"precious").unwrap();
    let result = seal(&pdf("classic.pdf"), &output, &[]);
    assert_eq!(result.status.code(), Some(3));
    assert!(stdout(&result).contains("exists"), "{}", stdout(&result));
    assert_eq!(std::fs::read(&output).unwrap(), b"precious");
    assert!(
        seal(&pdf("classic.pdf"), &output, &["--force"])
            .status
            .success()
    );
    assert_eq!(verify(&output, &[]).status.code(), Some(0));
}

#[test]
fn batch_to_out_dir_prints_one_json_object_per_document() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let inputs: Vec<String> = ["classic.pdf", "form.pdf", "hybrid.pdf", "xref-stream.pdf"]
        .iter()
        .map(|n| pdf(n).display().to_string())
        .collect();
    let key = pki("seal-ec.p12");
    let mut args = vec![
        "seal",
        "--p12",
        key.to_str().unwrap(),
        "--pin-env",
        "SIEGEL_TEST_PIN",
        "--format",
        "json",
        "--out-dir",
        out_dir.to_str().unwrap(),
    ];
    args.extend(inputs.iter().map(String::as_str));
    let result = siegel(&args);
    assert!(result.status.success(), "{}", stderr(&result));
    let lines: Vec<serde_json::Value> = stdout(&result)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert!(
        lines
            .iter()
            .all(|l| l["status"] == "ok" && l["kind"] == "seal")
    );
    let outputs: Vec<String> = ["classic.pdf", "form.pdf", "hybrid.pdf", "xref-stream.pdf"]
        .iter()
        .map(|n| out_dir.join(n).display().to_string())
        .collect();
    let mut args = vec!["verify", "--format", "json", "--trust"];
    let root = pki("root-ca.pem").display().to_string();
    args.push(&root);
    args.extend(outputs.iter().map(String::as_str));
    let result = siegel(&args);
    assert_eq!(result.status.code(), Some(0), "{}", stdout(&result));
    let reports: Vec<serde_json::Value> = stdout(&result)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), 4);
    assert!(reports.iter().all(|r| r["indication"] == "TOTAL_PASSED"
        && r["signatures"][0]["covers_whole_document"] == true));
}

#[test]
fn bad_inputs_exit_3_with_one_line_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pdf");
    let mut cases: Vec<std::path::PathBuf> = [
        "not-a-pdf.pdf",
        "truncated.pdf",
        "encrypted.pdf",
        "empty.pdf",
    ]
    .iter()
    .map(|n| pdf(&format!("bad/{n}")))
    .collect();
    cases.push(missing);
    for input in &cases {
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let output = dir.path().join(format!("signed-{name}"));
        let result = seal(input, &output, &[]);
        assert_eq!(
            result.status.code(),
            Some(3),
            "seal {name}: {}",
            stdout(&result)
        );
        let text = format!("{}{}", stdout(&result), stderr(&result));
        assert!(text.contains(&name), "seal {name}: {text}");
        assert!(!text.contains("panicked"), "{text}");
        assert!(!output.exists(), "seal {name} left an output");

        let result = verify(input, &[]);
        assert_eq!(
            result.status.code(),
            Some(3),
            "verify {name}: {}",
            stdout(&result)
        );
        let text = format!("{}{}", stdout(&result), stderr(&result));
        assert!(
            text.contains(&name) && text.lines().count() == 1,
            "verify {name}: {text}"
        );
    }
    let encrypted = verify(&pdf("bad/encrypted.pdf"), &[]);
    assert!(
        stdout(&encrypted).contains("encrypted"),
        "{}",
        stdout(&encrypted)
    );
}

#[test]
fn unwritable_output_folder_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let out_dir = blocker.join("sub");
    let result = siegel(&[
        "seal",
        "--p12",
        pki("seal-rsa.p12").to_str().unwrap(),
        "--pin-env",
        "SIEGEL_TEST_PIN",
        "--out-dir",
        out_dir.to_str().unwrap(),
        pdf("classic.pdf").to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(3));
    assert!(
        stderr(&result).contains("output folder"),
        "{}",
        stderr(&result)
    );
}

#[test]
fn usage_errors_exit_3() {
    assert_eq!(siegel(&["seal", "--p12", "x.p12"]).status.code(), Some(3));
    assert_eq!(
        siegel(&[
            "verify",
            "--at",
            "yesterday",
            pdf("classic.pdf").to_str().unwrap()
        ])
        .status
        .code(),
        Some(3)
    );
    assert_eq!(siegel(&["frobnicate"]).status.code(), Some(3));
}

#[test]
fn demo_seals_and_validates_the_bundled_sample() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("demo.pdf");
    let result = siegel(&["demo", "-o", output.to_str().unwrap()]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}{}",
        stdout(&result),
        stderr(&result)
    );
    assert!(stdout(&result).contains("TOTAL_PASSED"));
    support::assert_pyhanko_accepts(&output, 1);
}

#[test]
fn an_interrupted_batch_resumes_with_skip_existing() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let key = pki("seal-rsa.p12");
    let (first, second) = (pdf("classic.pdf"), pdf("form.pdf"));
    let run = |inputs: &[&Path], extra: &[&str]| {
        let mut args = vec![
            "seal",
            "--p12",
            key.to_str().unwrap(),
            "--pin-env",
            "SIEGEL_TEST_PIN",
            "--format",
            "json",
            "--out-dir",
            out_dir.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        args.extend(inputs.iter().map(|p| p.to_str().unwrap()));
        siegel(&args)
    };
    // The first run stops after one document.
    assert!(run(&[&first], &[]).status.success());
    let done = std::fs::read(out_dir.join("classic.pdf")).unwrap();
    let result = run(&[&first, &second], &["--skip-existing"]);
    assert!(result.status.success(), "{}", stdout(&result));
    let statuses: Vec<String> = stdout(&result)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["status"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(statuses.iter().filter(|s| *s == "skipped").count(), 1);
    assert_eq!(statuses.iter().filter(|s| *s == "ok").count(), 1);
    assert_eq!(
        std::fs::read(out_dir.join("classic.pdf")).unwrap(),
        done,
        "a finished output was touched"
    );
    assert_eq!(
        verify(&out_dir.join("form.pdf"), &[]).status.code(),
        Some(0)
    );
}
