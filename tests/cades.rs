//! CAdES (ETSI EN 319 122-1) for files other than PDFs: detached `.p7s` and enveloping `.p7m`
//! at every baseline level, co-signing, counter-signing and `extend`, each created signature
//! checked by `openssl cms -verify` against the test root.

use std::path::{Path, PathBuf};
use std::process::Command;

use siegel::cades::{self, SignedData};
use siegel::cms;

use crate::ltv::Services;
use crate::support::{self, pki, siegel, stderr, stdout};

/// A small non-PDF document: the kind administrations sign besides PDFs.
fn document(dir: &Path) -> PathBuf {
    let path = dir.join("Antrag.xml");
    std::fs::write(
        &path,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<antrag><name>Müller</name></antrag>\n",
    )
    .unwrap();
    path
}

/// `openssl cms -verify` on `signature` (with `content` for a detached one) against `root`:
/// every SignerInfo's message digest, signature value and chain.
pub(crate) fn assert_openssl_verifies(signature: &Path, content: Option<&Path>, root: &Path) {
    if !support::have("openssl") {
        return;
    }
    let mut command = Command::new("openssl");
    command
        .args([
            "cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any", "-in",
        ])
        .arg(signature)
        .arg("-CAfile")
        .arg(root)
        .args(["-out", "/dev/null"]);
    if let Some(content) = content {
        command.arg("-content").arg(content);
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success() && stderr(&output).contains("Verification successful"),
        "openssl cms -verify {}: {}",
        signature.display(),
        stderr(&output)
    );
}

/// Signs (or seals) with the static test PKI at B-B.
fn seal_b(key: &str, extra: &[&str], input: &Path) -> std::process::Output {
    let key = pki(key);
    let mut args = vec![
        "seal",
        "--p12",
        key.to_str().unwrap(),
        "--pin-env",
        "SIEGEL_TEST_PIN",
    ];
    args.extend_from_slice(extra);
    args.push(input.to_str().unwrap());
    siegel(&args)
}

fn read(path: &Path) -> SignedData {
    SignedData::from_der(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn a_non_pdf_is_sealed_detached_beside_itself_and_openssl_verifies_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = document(dir.path());
    let before = std::fs::read(&input).unwrap();
    let result = seal_b("seal-rsa.p12", &[], &input);
    assert!(
        result.status.success(),
        "{}{}",
        stdout(&result),
        stderr(&result)
    );
    let signature = dir.path().join("Antrag.xml.p7s");
    assert!(
        stdout(&result).contains("sealed (B-B CAdES detached")
            && stdout(&result).contains("Antrag.xml.p7s"),
        "{}",
        stdout(&result)
    );
    assert_eq!(
        std::fs::read(&input).unwrap(),
        before,
        "the input is never changed"
    );
    let signed = read(&signature);
    assert!(signed.content.is_none(), "detached");
    assert_eq!(signed.signer_infos.len(), 1);
    assert_openssl_verifies(&signature, Some(&input), &pki("root-ca.pem"));

    // The other content is refused by the oracle too: the test can fail.
    let other = dir.path().join("other.xml");
    std::fs::write(&other, "<antrag/>").unwrap();
    let output = Command::new("openssl")
        .args([
            "cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any", "-in",
        ])
        .arg(&signature)
        .arg("-CAfile")
        .arg(pki("root-ca.pem"))
        .arg("-content")
        .arg(&other)
        .output()
        .unwrap();
    assert!(!output.status.success());

    // A second run does not overwrite silently.
    let again = seal_b("seal-rsa.p12", &[], &input);
    assert_eq!(again.status.code(), Some(3), "{}", stdout(&again));
}

#[test]
fn enveloping_puts_the_content_inside_a_p7m() {
    let dir = tempfile::tempdir().unwrap();
    let input = document(dir.path());
    let result = seal_b("seal-ec.p12", &["--enveloping", "--format", "json"], &input);
    assert!(
        result.status.success(),
        "{}{}",
        stdout(&result),
        stderr(&result)
    );
    let json: serde_json::Value = serde_json::from_str(stdout(&result).trim()).unwrap();
    assert_eq!(json["packaging"], "enveloping");
    assert_eq!(json["level"], "B-B");
    let signature = dir.path().join("Antrag.xml.p7m");
    assert_eq!(json["output"], signature.display().to_string());
    let signed = read(&signature);
    assert_eq!(
        signed.content.as_deref(),
        Some(std::fs::read(&input).unwrap().as_slice())
    );
    assert_openssl_verifies(&signature, None, &pki("root-ca.pem"));
}

#[test]
fn a_second_signer_is_added_in_parallel_or_as_a_counter_signature() {
    let dir = tempfile::tempdir().unwrap();
    let input = document(dir.path());
    assert!(seal_b("seal-rsa.p12", &[], &input).status.success());
    let first = dir.path().join("Antrag.xml.p7s");

    // Co-signing a .p7s needs an output: the input is never changed.
    let refused = seal_b("seal-ec.p12", &[], &first);
    assert_eq!(refused.status.code(), Some(3));

    let cosigned = dir.path().join("cosigned.p7s");
    let result = seal_b("seal-ec.p12", &["-o", cosigned.to_str().unwrap()], &first);
    assert!(
        result.status.success(),
        "{}{}",
        stdout(&result),
        stderr(&result)
    );
    assert!(
        stdout(&result).contains("(2 signer(s))"),
        "{}",
        stdout(&result)
    );
    let signed = read(&cosigned);
    assert_eq!(signed.signer_infos.len(), 2);
    // The first signer is carried byte for byte.
    let original = read(&first);
    assert!(signed.signer_infos.contains(&original.signer_infos[0]));
    assert_openssl_verifies(&cosigned, Some(&input), &pki("root-ca.pem"));

    let countered = dir.path().join("countered.p7s");
    let result = seal_b(
        "seal-ec.p12",
        &[
            "--counter",
            "--content",
            input.to_str().unwrap(),
            "-o",
            countered.to_str().unwrap(),
        ],
        &cosigned,
    );
    assert!(
        result.status.success(),
        "{}{}",
        stdout(&result),
        stderr(&result)
    );
    assert!(
        stdout(&result).contains("counter-signed"),
        "{}",
        stdout(&result)
    );
    let signed = read(&countered);
    assert_eq!(
        signed.signer_infos.len(),
        2,
        "a counter-signature is no new signer"
    );
    let counters: usize = signed
        .signer_infos
        .iter()
        .map(|s| cades::counter_signatures(s).0.len())
        .sum();
    assert_eq!(counters, 1);
    assert_openssl_verifies(&countered, Some(&input), &pki("root-ca.pem"));

    // Another content is refused: a co-signer signs what the others signed.
    let other = dir.path().join("other.xml");
    std::fs::write(&other, "<antrag/>").unwrap();
    let wrong = seal_b(
        "seal-ec.p12",
        &[
            "--content",
            other.to_str().unwrap(),
            "-o",
            dir.path().join("wrong.p7s").to_str().unwrap(),
        ],
        &first,
    );
    assert_eq!(wrong.status.code(), Some(3));
    assert!(
        stdout(&wrong).contains("not what the existing signers signed"),
        "{}",
        stdout(&wrong)
    );
    assert!(!dir.path().join("wrong.p7s").exists());
}

/// Unsigned attributes of type `kind` on the first signer.
fn unsigned(path: &Path, kind: const_oid::ObjectIdentifier) -> usize {
    cades::unsigned_values(&read(path).signer_infos[0], kind).len()
}

#[test]
fn every_level_detached_and_enveloping_against_local_services_and_extend() {
    let Some(services) = Services::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let input = document(dir.path());
    let key = services.path("seal.p12");
    let root = services.path("root.pem");
    let url = services.tsa_url();
    for level in ["B-B", "B-T", "B-LT", "B-LTA"] {
        for enveloping in [false, true] {
            let output = dir.path().join(format!(
                "{level}-{enveloping}.{}",
                if enveloping { "p7m" } else { "p7s" }
            ));
            let mut args = vec![
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
            ];
            if enveloping {
                args.push("--enveloping");
            }
            args.push(input.to_str().unwrap());
            let result = services.siegel(&args);
            assert!(
                result.status.success(),
                "{level}: {}{}",
                stdout(&result),
                stderr(&result)
            );
            assert!(
                stdout(&result).contains(&format!("sealed ({level} CAdES")),
                "{}",
                stdout(&result)
            );
            assert_openssl_verifies(&output, (!enveloping).then_some(input.as_path()), &root);
            let signed = read(&output);
            let stamps = unsigned(&output, cms::ID_SIGNATURE_TIME_STAMP);
            let archives = unsigned(&output, cades::ID_ARCHIVE_TIME_STAMP_V3);
            assert_eq!(stamps, usize::from(level != "B-B"), "{level}");
            assert_eq!(archives, usize::from(level == "B-LTA"), "{level}");
            if level == "B-LT" || level == "B-LTA" {
                // Seal, issuing CA, root, TSA and its OCSP responder's chain; a CRL and OCSP.
                assert!(signed.certificates.len() >= 4, "{level}");
                assert!(signed.crls.len() >= 2, "{level}: {}", signed.crls.len());
            } else {
                assert!(signed.crls.is_empty(), "{level}");
            }
        }
    }

    // extend: B-B -> B-LTA adds a signature time-stamp, validation data and an archive
    // time-stamp; extending the result again renews the archive only.
    let base = dir.path().join("B-B-false.p7s");
    let extended = dir.path().join("extended.p7s");
    let result = services.siegel(&[
        "extend",
        "--level",
        "B-LTA",
        "--tsa",
        &url,
        "--content",
        input.to_str().unwrap(),
        "-o",
        extended.to_str().unwrap(),
        base.to_str().unwrap(),
    ]);
    assert!(
        result.status.success(),
        "{}{}",
        stdout(&result),
        stderr(&result)
    );
    assert_eq!(unsigned(&extended, cms::ID_SIGNATURE_TIME_STAMP), 1);
    assert_eq!(unsigned(&extended, cades::ID_ARCHIVE_TIME_STAMP_V3), 1);
    assert!(!read(&extended).crls.is_empty());
    assert_openssl_verifies(&extended, Some(&input), &root);
    assert_eq!(
        read(&extended).signer_infos[0].signature,
        read(&base).signer_infos[0].signature,
        "extending never re-signs"
    );
    let renewed = dir.path().join("renewed.p7s");
    let result = services.siegel(&[
        "extend",
        "--level",
        "B-LTA",
        "--tsa",
        &url,
        "--content",
        input.to_str().unwrap(),
        "-o",
        renewed.to_str().unwrap(),
        extended.to_str().unwrap(),
    ]);
    assert!(
        result.status.success(),
        "{}{}",
        stdout(&result),
        stderr(&result)
    );
    assert_eq!(unsigned(&renewed, cms::ID_SIGNATURE_TIME_STAMP), 1);
    assert_eq!(unsigned(&renewed, cades::ID_ARCHIVE_TIME_STAMP_V3), 2);
    assert_openssl_verifies(&renewed, Some(&input), &root);

    // A detached signature whose content is not beside it cannot be extended.
    let moved = dir.path().join("moved");
    std::fs::create_dir(&moved).unwrap();
    let lonely = moved.join("Antrag.xml.p7s");
    std::fs::copy(&base, &lonely).unwrap();
    let result = services.siegel(&[
        "extend",
        "--level",
        "B-T",
        "--tsa",
        &url,
        "-o",
        moved.join("out.p7s").to_str().unwrap(),
        lonely.to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(3), "{}", stdout(&result));
    assert!(
        stdout(&result).contains("content was not found"),
        "{}",
        stdout(&result)
    );
}
