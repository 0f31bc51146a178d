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
        stderr(&result).contains("--accept-certificate-kind")
            && stderr(&result).contains("siegel seal"),
        "{}",
        stderr(&result)
    );
    assert!(!output.exists());
    // --force only overwrites; the other kind needs its own flag.
    let mut forced = args.to_vec();
    forced.insert(1, "--force");
    assert_eq!(siegel(&forced).status.code(), Some(3));
    forced[1] = "--accept-certificate-kind";
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

#[test]
fn version_names_the_commit_and_the_crypto_backend() {
    let result = siegel(&["--version"]);
    assert_eq!(result.status.code(), Some(0));
    let text = stdout(&result);
    assert!(
        text.starts_with(&format!("siegel {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert!(text.contains(", OpenSSL 3."), "{text}");
    assert_eq!(text.lines().count(), 1, "{text}");
}

#[test]
fn siegel_alone_and_verify_alone_print_a_short_usage_with_examples() {
    for (args, first) in [
        (&[][..], "Siegel signs, seals and validates"),
        (&["verify"][..], "Usage: siegel verify"),
    ] {
        let result = siegel(args);
        assert_eq!(result.status.code(), Some(3), "{args:?}: nothing was done");
        assert!(stdout(&result).is_empty(), "{args:?}: {}", stdout(&result));
        let text = stderr(&result);
        assert!(text.starts_with(first), "{args:?}: {text}");
        assert!(
            text.contains("Examples:\n  siegel"),
            "{args:?}: no examples: {text}"
        );
        assert!(
            text.lines().count() <= 25,
            "{args:?}: a wall of text:\n{text}"
        );
    }
}

#[test]
fn every_subcommand_takes_verbose_quiet_and_color() {
    for sub in ["sign", "seal", "verify", "extend", "tokens", "demo"] {
        let result = siegel(&[sub, "--help"]);
        assert_eq!(result.status.code(), Some(0), "{sub}");
        let help = stdout(&result);
        for flag in ["-v, --verbose", "-q, --quiet", "--color <WHEN>"] {
            assert!(help.contains(flag), "{sub} --help lacks {flag}:\n{help}");
        }
    }
    let help = stdout(&siegel(&["--help"]));
    assert!(
        !help.contains("generate"),
        "the packagers' command stays hidden:\n{help}"
    );
}

#[test]
fn quiet_prints_only_errors_and_the_exit_code_tells_the_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let sealed = dir.path().join("sealed.pdf");
    let result = seal(&pdf("classic.pdf"), &sealed, &["--quiet"]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    assert_eq!(
        (stdout(&result).as_str(), stderr(&result).as_str()),
        ("", "")
    );
    let passed = verify(&sealed, &["-q"]);
    assert_eq!(passed.status.code(), Some(0));
    assert_eq!(
        (stdout(&passed).as_str(), stderr(&passed).as_str()),
        ("", "")
    );

    let mut bytes = std::fs::read(&sealed).unwrap();
    // A byte inside the signed original, as in `seal_then_verify_passes_and_a_changed_byte_fails`.
    let middle = std::fs::read(pdf("classic.pdf")).unwrap().len() / 2;
    bytes[middle] ^= 0x01;
    let tampered = dir.path().join("tampered.pdf");
    std::fs::write(&tampered, bytes).unwrap();
    let failed = verify(&tampered, &["-q"]);
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    assert!(stdout(&failed).is_empty(), "{}", stdout(&failed));

    // An input error still says what went wrong, on standard error.
    let missing = dir.path().join("missing.pdf");
    let result = verify(&missing, &["-q"]);
    assert_eq!(result.status.code(), Some(3));
    assert!(stdout(&result).is_empty(), "{}", stdout(&result));
    assert!(
        stderr(&result).contains("missing.pdf"),
        "{}",
        stderr(&result)
    );
}

#[test]
fn verbose_says_what_is_used_and_lists_every_check() {
    let dir = tempfile::tempdir().unwrap();
    let sealed = dir.path().join("sealed.pdf");
    assert!(seal(&pdf("classic.pdf"), &sealed, &[]).status.success());
    let result = verify(&sealed, &["--verbose", "--offline"]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let notes = stderr(&result);
    for expected in ["settings from", "1 trust anchor(s)", "offline"] {
        assert!(notes.contains(expected), "{expected:?} missing:\n{notes}");
    }
    let text = stdout(&result);
    assert!(
        text.contains("Check:") && text.contains("signature-value ok"),
        "{text}"
    );
    assert!(
        text.contains("Chain:") && text.contains("trust anchor"),
        "{text}"
    );
    let plain = stdout(&verify(&sealed, &[]));
    assert!(!plain.contains("Check:"), "checks only with -v:\n{plain}");
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let dir = tempfile::tempdir().unwrap();
    let sealed = dir.path().join("sealed.pdf");
    assert!(seal(&pdf("classic.pdf"), &sealed, &[]).status.success());
    let run = |color: &str, no_color: bool| {
        let root = pki("root-ca.pem");
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_siegel"));
        command
            .args(["verify", "--color", color, "--trust"])
            .arg(root)
            .arg(&sealed)
            .env(
                "SIEGEL_SETTINGS",
                support::root().join("target/no-settings.toml"),
            )
            .env_remove("NO_COLOR");
        if no_color {
            command.env("NO_COLOR", "1");
        }
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        stdout(&output)
    };
    let green = "\x1b[1;32mTOTAL_PASSED\x1b[0m";
    assert!(run("always", false).contains(green));
    // The flag given explicitly wins over the environment.
    assert!(run("always", true).contains(green));
    for (color, no_color) in [("never", false), ("auto", false), ("auto", true)] {
        let text = run(color, no_color);
        assert!(
            !text.contains('\x1b'),
            "--color {color}, NO_COLOR {no_color}: {text:?}"
        );
        assert!(text.contains("TOTAL_PASSED"));
    }
    // JSON is for programs: never coloured.
    let root = pki("root-ca.pem");
    let json = siegel(&[
        "verify",
        "--color",
        "always",
        "--format",
        "json",
        "--trust",
        root.to_str().unwrap(),
        sealed.to_str().unwrap(),
    ]);
    assert!(!stdout(&json).contains('\x1b'));
}

#[test]
fn errors_go_to_stderr_and_results_to_stdout() {
    let result = siegel(&[
        "verify",
        "--at",
        "yesterday",
        pdf("classic.pdf").to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(3));
    assert!(stdout(&result).is_empty(), "{}", stdout(&result));
    assert!(
        stderr(&result).contains("error") && stderr(&result).contains("--at yesterday"),
        "{}",
        stderr(&result)
    );
    let dir = tempfile::tempdir().unwrap();
    let sealed = dir.path().join("sealed.pdf");
    let result = seal(&pdf("classic.pdf"), &sealed, &[]);
    assert!(stdout(&result).contains("sealed"), "{}", stdout(&result));
    assert!(stderr(&result).is_empty(), "{}", stderr(&result));
}

#[test]
fn man_pages_and_completions_come_from_the_clap_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let (man, completions) = (dir.path().join("man"), dir.path().join("completions"));
    let result = siegel(&[
        "generate",
        "--man",
        man.to_str().unwrap(),
        "--completions",
        completions.to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let read = |path: std::path::PathBuf| {
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let main = read(man.join("siegel.1"));
    assert!(main.contains(".TH siegel 1 "), "{main}");
    for sub in ["sign", "seal", "verify", "extend", "tokens", "demo"] {
        let page = read(man.join(format!("siegel-{sub}.1")));
        assert!(page.contains(&format!(".TH siegel-{sub} 1 ")), "{page}");
        assert!(main.contains(&format!("siegel\\-{sub}(1)")), "{main}");
    }
    let verify = read(man.join("siegel-verify.1"));
    assert!(verify.contains("\\-\\-offline") && verify.contains("\\-\\-quiet"));
    assert!(!man.join("siegel-generate.1").exists());
    assert!(!man.join("siegel-help.1").exists());

    let bash = read(completions.join("siegel.bash"));
    assert!(bash.contains("--offline") && bash.contains("verify"));
    assert!(read(completions.join("_siegel")).starts_with("#compdef siegel"));
    assert!(read(completions.join("siegel.fish")).contains("complete -c siegel"));
}
