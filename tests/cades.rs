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

/// pyHanko's CMS validation (`testdata/services/pyhanko_cms.py`) of a single-signer signature:
/// intact, valid and trusted under `root`.
pub(crate) fn assert_pyhanko_cms_accepts(signature: &Path, content: Option<&Path>, root: &Path) {
    if !support::have("pyhanko") {
        return;
    }
    let script = support::root().join("testdata/services/pyhanko_cms.py");
    let mut command = Command::new("python3");
    command.arg(script).arg(signature).arg(root);
    if let Some(content) = content {
        command.arg(content);
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "pyHanko on {}: {}{}",
        signature.display(),
        stdout(&output),
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
    assert_pyhanko_cms_accepts(&signature, Some(&input), &pki("root-ca.pem"));

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
    assert_pyhanko_cms_accepts(&signature, None, &pki("root-ca.pem"));
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
            assert_pyhanko_cms_accepts(&output, (!enveloping).then_some(input.as_path()), &root);
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

// --- Validation: the same report as for PDFs, and the CAdES attacks never pass. ---

use siegel::certificate::Kind;
use siegel::sign::cades::Packaging;
use siegel::validate::{self, Indication, SubIndication};

fn validate_at(
    path: &Path,
    content: Option<&Path>,
    root: &Path,
    time: chrono::DateTime<chrono::Utc>,
) -> validate::Report {
    let mut trust = siegel::trust::Store::new();
    trust.add_file(root).unwrap();
    validate::validate_cades(path, content, &validate::Options::new(trust, time)).unwrap()
}

fn validate_static(path: &Path, content: Option<&Path>) -> validate::Report {
    validate_at(path, content, &pki("root-ca.pem"), support::time())
}

/// A detached B-B signature over a fresh document, made with the library at the fixed time.
fn signed_b(dir: &Path, key: &str) -> (PathBuf, PathBuf) {
    let input = document(dir);
    let output = dir.join("Antrag.xml.p7s");
    siegel::sign::cades::sign_file(
        &input,
        &output,
        &support::credential(key),
        &support::request(Kind::Seal),
        Packaging::Detached,
        false,
    )
    .unwrap();
    (input, output)
}

fn write(path: &Path, signed: &SignedData) {
    std::fs::write(path, signed.to_der().unwrap()).unwrap();
}

/// Signs the signed attributes of `signer` again with `key` (RSA PKCS#1 v1.5, SHA-256), as an
/// attacker holding a key of the PKI does after changing them.
fn resign(signer: &mut ::cms::signed_data::SignerInfo, key: &str) {
    use der::Encode;
    let attributes = signer.signed_attrs.as_ref().unwrap().to_der().unwrap();
    let key = openssl::pkey::PKey::private_key_from_pem(&std::fs::read(pki(key)).unwrap()).unwrap();
    let mut openssl_signer =
        openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &key).unwrap();
    let value = openssl_signer.sign_oneshot_to_vec(&attributes).unwrap();
    signer.signature = der::asn1::OctetString::new(value).unwrap();
}

/// RFC 5652 §11.3 signing-time and §11.1 content-type.
const ID_SIGNING_TIME: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
const ID_CONTENT_TYPE: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");

fn assert_attack(report: &validate::Report, finding: &str) {
    assert_ne!(report.indication, Indication::TotalPassed, "{report:#?}");
    assert!(
        report
            .signatures
            .iter()
            .any(|s| s.findings.iter().any(|f| f.id == finding)),
        "no {finding}: {:#?}",
        report
            .signatures
            .iter()
            .map(|s| (&s.findings, &s.messages, &s.timestamps, &s.checks))
            .collect::<Vec<_>>()
    );
}

#[test]
fn intact_detached_enveloping_cosigned_and_countersigned_signatures_pass() {
    let dir = tempfile::tempdir().unwrap();
    let (input, signature) = signed_b(dir.path(), "seal-rsa.p12");
    let report = validate_static(&signature, None);
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    assert_eq!(report.signatures.len(), 1);
    assert_eq!(
        report.signatures[0].level.map(|l| l.name()),
        Some("CAdES-BASELINE-B")
    );
    assert!(
        report.messages[0].starts_with("detached content"),
        "{:?}",
        report.messages
    );

    // Co-signed and counter-signed: three signatures, all valid.
    let cosigned = dir.path().join("co.p7s");
    let credential = support::credential("seal-ec.p12");
    let request = support::request(Kind::Seal);
    siegel::sign::cades::add_signer(
        &signature,
        None,
        &cosigned,
        &credential,
        &request,
        false,
        false,
    )
    .unwrap();
    let countered = dir.path().join("counter.p7s");
    siegel::sign::cades::add_signer(
        &cosigned,
        Some(&input),
        &countered,
        &credential,
        &request,
        true,
        false,
    )
    .unwrap();
    let report = validate_static(&countered, Some(&input));
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    assert_eq!(report.signatures.len(), 3);
    assert!(report.signatures[2].field.contains("counter-signature 1"));
    // The content with its size and the signatures that cover it (the counter-signature
    // signs a signature, not the content).
    let content = &report.contents[0];
    assert_eq!(content.name, input.display().to_string());
    assert_eq!(content.size, Some(std::fs::metadata(&input).unwrap().len()));
    assert_eq!(
        content.signed_by,
        [
            report.signatures[0].field.as_str(),
            report.signatures[1].field.as_str()
        ]
    );

    // Without its content a detached signature proves nothing: INDETERMINATE.
    let report = validate_static(&countered, None);
    assert_eq!(report.indication, Indication::Indeterminate);
    assert_eq!(
        report.signatures[0].subindication,
        Some(SubIndication::SignedDataNotFound)
    );

    // Enveloping.
    let p7m = dir.path().join("Antrag.xml.p7m");
    siegel::sign::cades::sign_file(
        &input,
        &p7m,
        &credential,
        &request,
        Packaging::Enveloping,
        false,
    )
    .unwrap();
    let report = validate_static(&p7m, None);
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    assert_eq!(report.contents[0].name, "Antrag.xml");
    assert_eq!(
        report.contents[0].size,
        Some(std::fs::metadata(&input).unwrap().len())
    );

    // The CLI: same verdict, exit 0, and --content for a detached signature elsewhere.
    let root = pki("root-ca.pem");
    let result = siegel(&[
        "verify",
        "--offline",
        "--at",
        "2026-06-01T12:00:00Z",
        "--trust",
        root.to_str().unwrap(),
        "--content",
        input.to_str().unwrap(),
        countered.to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", stdout(&result));
    assert!(
        stdout(&result).contains("TOTAL_PASSED (3 of 3 signatures valid)"),
        "{}",
        stdout(&result)
    );
}

#[test]
fn changed_content_or_signature_value_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (input, signature) = signed_b(dir.path(), "seal-rsa.p12");
    let changed = dir.path().join("changed.xml");
    std::fs::write(&changed, "<antrag><name>Mallory</name></antrag>\n").unwrap();
    let report = validate_static(&signature, Some(&changed));
    assert_eq!(report.indication, Indication::TotalFailed);
    assert_eq!(
        report.signatures[0].subindication,
        Some(SubIndication::HashFailure)
    );
    assert_attack(&report, "CONTENT_CHANGED");
    assert!(report.contents[0].signed_by.is_empty());

    let mut signed = read(&signature);
    let mut value = signed.signer_infos[0].signature.as_bytes().to_vec();
    value[10] ^= 1;
    signed.signer_infos[0].signature = der::asn1::OctetString::new(value).unwrap();
    let tampered = dir.path().join("tampered.p7s");
    write(&tampered, &signed);
    let report = validate_static(&tampered, Some(&input));
    assert_eq!(
        report.signatures[0].subindication,
        Some(SubIndication::SigCryptoFailure)
    );
    assert_attack(&report, "SIGNATURE_VALUE_CHANGED");

    // Garbage is an error, never a panic.
    let garbage = dir.path().join("garbage.p7s");
    std::fs::write(&garbage, b"\x30\x82\xff\xff not cms").unwrap();
    let mut trust = siegel::trust::Store::new();
    trust.add_file(&pki("root-ca.pem")).unwrap();
    assert!(
        validate::validate_cades(
            &garbage,
            Some(&input),
            &validate::Options::new(trust, support::time())
        )
        .is_err()
    );
}

#[test]
fn duplicated_signed_attributes_and_a_double_signing_time_never_pass() {
    let dir = tempfile::tempdir().unwrap();
    let (input, signature) = signed_b(dir.path(), "seal-rsa.p12");

    // A second signing-time value in the one attribute, signed again by the key holder.
    let mut signed = read(&signature);
    let signer = &mut signed.signer_infos[0];
    let mut attributes = signer.signed_attrs.take().unwrap().into_vec();
    let time = attributes
        .iter_mut()
        .find(|a| a.oid == ID_SIGNING_TIME)
        .unwrap();
    let earlier =
        der::asn1::UtcTime::from_unix_duration(std::time::Duration::from_secs(1_600_000_000))
            .unwrap();
    time.values
        .insert(der::Any::encode_from(&earlier).unwrap())
        .unwrap();
    signer.signed_attrs = Some(der::asn1::SetOfVec::try_from(attributes.clone()).unwrap());
    resign(signer, "seal-rsa.key.pem");
    let double = dir.path().join("double-time.p7s");
    write(&double, &signed);
    assert_attack(
        &validate_static(&double, Some(&input)),
        "DOUBLE_SIGNING_TIME",
    );

    // A second content-type attribute naming another type.
    let mut signed = read(&signature);
    let signer = &mut signed.signer_infos[0];
    let mut attributes = signer.signed_attrs.take().unwrap().into_vec();
    let other_type = x509_cert::attr::Attribute {
        oid: ID_CONTENT_TYPE,
        values: der::asn1::SetOfVec::try_from(vec![
            der::Any::encode_from(&const_oid::ObjectIdentifier::new_unwrap(
                "1.2.840.113549.1.7.5",
            ))
            .unwrap(),
        ])
        .unwrap(),
    };
    attributes.push(other_type);
    signer.signed_attrs = Some(der::asn1::SetOfVec::try_from(attributes).unwrap());
    resign(signer, "seal-rsa.key.pem");
    let duplicated = dir.path().join("duplicated.p7s");
    write(&duplicated, &signed);
    assert_attack(
        &validate_static(&duplicated, Some(&input)),
        "DUPLICATED_SIGNED_ATTRIBUTE",
    );
}

#[test]
fn a_signing_certificate_reference_that_names_another_certificate_never_passes() {
    use der::{Decode, Encode};
    if !support::have("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (input, signature) = signed_b(dir.path(), "seal-rsa.p12");
    // A second certificate for the same key, issued by the same CA (as after a re-issue):
    // pointing the SignerInfo at it keeps the signature value valid, but the signed
    // signing-certificate-v2 still names the first one.
    let csr = dir.path().join("again.csr");
    let again = dir.path().join("again.pem");
    let ok = Command::new("openssl")
        .args([
            "req",
            "-new",
            "-subj",
            "/CN=Stadtverwaltung Musterstadt Siegel 2",
            "-key",
        ])
        .arg(pki("seal-rsa.key.pem"))
        .arg("-out")
        .arg(&csr)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok);
    let ok = Command::new("openssl")
        .args([
            "x509",
            "-req",
            "-days",
            "3650",
            "-set_serial",
            "4242",
            "-in",
        ])
        .arg(&csr)
        .arg("-CA")
        .arg(pki("intermediate-ca.pem"))
        .arg("-CAkey")
        .arg(pki("intermediate-ca.key.pem"))
        .arg("-out")
        .arg(&again)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok);
    let pem = std::fs::read_to_string(&again).unwrap();
    let certificate = <x509_cert::Certificate as der::DecodePem>::from_pem(&pem).unwrap();
    let mut signed = read(&signature);
    signed.signer_infos[0].sid = ::cms::signed_data::SignerIdentifier::IssuerAndSerialNumber(
        ::cms::cert::IssuerAndSerialNumber {
            issuer: certificate.tbs_certificate().issuer().clone(),
            serial_number: certificate.tbs_certificate().serial_number().clone(),
        },
    );
    signed.add_certificates(&[der::Any::from_der(&certificate.to_der().unwrap()).unwrap()]);
    let substituted = dir.path().join("substituted.p7s");
    write(&substituted, &signed);
    let report = validate_static(&substituted, Some(&input));
    assert_attack(&report, "SIGNING_CERTIFICATE_MISMATCH");
    assert_eq!(
        report.signatures[0].subindication,
        Some(SubIndication::NoSigningCertificateFound)
    );
}

/// Seals `input` at `level` with the services' PKI into `output` via the CLI.
fn seal_with(services: &Services, level: &str, input: &Path, output: &Path, extra: &[&str]) {
    let key = services.path("seal.p12");
    let url = services.tsa_url();
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
    args.extend_from_slice(extra);
    args.push(input.to_str().unwrap());
    let result = services.siegel(&args);
    assert!(
        result.status.success(),
        "{}{}",
        stdout(&result),
        stderr(&result)
    );
}

#[test]
fn levels_validate_offline_and_time_stamp_and_archive_attacks_never_pass() {
    let Some(services) = Services::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let input = document(dir.path());
    let root = services.path("root.pem");
    let now = chrono::Utc::now();
    let mut files = Vec::new();
    for level in ["B-T", "B-LT", "B-LTA"] {
        let output = dir.path().join(format!("{level}.p7s"));
        seal_with(&services, level, &input, &output, &[]);
        files.push(output);
    }
    let [t, lt, lta] = &files[..] else {
        unreachable!()
    };
    for (path, profile) in [
        (t, "CAdES-BASELINE-T"),
        (lt, "CAdES-BASELINE-LT"),
        (lta, "CAdES-BASELINE-LTA"),
    ] {
        let report = validate_at(path, Some(&input), &root, now);
        let signature = &report.signatures[0];
        assert_eq!(
            signature.level.map(|l| l.name()),
            Some(profile),
            "{report:#?}"
        );
        assert!(
            signature
                .timestamps
                .iter()
                .all(|t| t.indication == Indication::TotalPassed),
            "{:#?}",
            signature.timestamps
        );
        if profile != "CAdES-BASELINE-T" {
            // Validation data inside: valid offline.
            assert_eq!(
                report.indication,
                Indication::TotalPassed,
                "{profile}: {report:#?}"
            );
        }
    }

    // A time-stamp copied from another signature (over another signature value: another
    // content, as the same content signed in the same second gives the same RSA signature).
    let other_input = dir.path().join("other.xml");
    std::fs::write(&other_input, "<antrag/>").unwrap();
    let other = dir.path().join("other.p7s");
    seal_with(&services, "B-B", &other_input, &other, &[]);
    let stamp =
        cades::unsigned_values(&read(t).signer_infos[0], cms::ID_SIGNATURE_TIME_STAMP).remove(0);
    let mut signed = read(&other);
    cades::add_unsigned(
        &mut signed.signer_infos[0],
        cms::ID_SIGNATURE_TIME_STAMP,
        &stamp,
    )
    .unwrap();
    let copied = dir.path().join("copied.p7s");
    write(&copied, &signed);
    assert_attack(
        &validate_at(&copied, Some(&other_input), &root, now),
        "TIMESTAMP_OF_ANOTHER_SIGNATURE",
    );

    // The same token twice on its own signature.
    let mut signed = read(t);
    cades::add_unsigned(
        &mut signed.signer_infos[0],
        cms::ID_SIGNATURE_TIME_STAMP,
        &stamp,
    )
    .unwrap();
    let twice = dir.path().join("twice.p7s");
    write(&twice, &signed);
    assert_attack(
        &validate_at(&twice, Some(&input), &root, now),
        "DUPLICATED_TIMESTAMP",
    );

    // An archive time-stamp whose index lists revocation data removed afterwards.
    let mut signed = read(lta);
    signed.crls.pop();
    let stripped = dir.path().join("stripped.p7s");
    write(&stripped, &signed);
    let report = validate_at(&stripped, Some(&input), &root, now);
    assert_attack(&report, "ARCHIVE_TIMESTAMP_NOT_COVERING");

    // An archive time-stamp moved onto another signature covers nothing of it.
    let archive =
        cades::unsigned_values(&read(lta).signer_infos[0], cades::ID_ARCHIVE_TIME_STAMP_V3)
            .remove(0);
    let mut signed = read(lt);
    cades::add_unsigned(
        &mut signed.signer_infos[0],
        cades::ID_ARCHIVE_TIME_STAMP_V3,
        &archive,
    )
    .unwrap();
    let moved = dir.path().join("moved.p7s");
    write(&moved, &signed);
    assert_attack(
        &validate_at(&moved, Some(&input), &root, now),
        "ARCHIVE_TIMESTAMP_NOT_COVERING",
    );
    // The intact B-LTA still passes beside its attacked copies.
    assert_eq!(
        validate_at(lta, Some(&input), &root, now).indication,
        Indication::TotalPassed
    );
}

#[test]
fn a_cades_report_renders_in_every_protocol_format_and_the_etsi_xml_is_schema_valid() {
    use siegel::protocol::{self, Format};
    use siegel::text::Language;
    let dir = tempfile::tempdir().unwrap();
    let (input, signature) = signed_b(dir.path(), "seal-rsa.p12");
    let cosigned = dir.path().join("co.p7s");
    siegel::sign::cades::add_signer(
        &signature,
        None,
        &cosigned,
        &support::credential("seal-ec.p12"),
        &support::request(Kind::Seal),
        true,
        false,
    )
    .unwrap();
    for report in [
        validate_static(&cosigned, Some(&input)),
        validate_static(&cosigned, None),
    ] {
        for format in [Format::Pdf, Format::Html, Format::Json, Format::Xml] {
            let bytes = protocol::render(&report, format, Language::De).unwrap();
            assert!(!bytes.is_empty());
            if format == Format::Xml {
                crate::protocol::assert_schema_valid(&bytes, "cades");
            }
        }
    }
}

/// `signature` with a content-time-stamp signed attribute holding `token`, signed again with
/// the test seal key (the builder does not write this attribute).
fn with_content_timestamp(signature: &Path, token: &[u8], output: &Path) {
    let mut signed = read(signature);
    let signer = &mut signed.signer_infos[0];
    let mut attributes = signer.signed_attrs.take().unwrap().into_vec();
    attributes.push(x509_cert::attr::Attribute {
        oid: cades::ID_CONTENT_TIME_STAMP,
        values: der::asn1::SetOfVec::try_from(vec![
            <der::Any as der::Decode>::from_der(token).unwrap(),
        ])
        .unwrap(),
    });
    signer.signed_attrs = Some(der::asn1::SetOfVec::try_from(attributes).unwrap());
    resign(signer, "seal-rsa.key.pem");
    write(output, &signed);
}

#[test]
fn a_content_time_stamp_is_checked_over_the_content() {
    use siegel::algorithm::Digest;
    use siegel::timestamp::TimeStamper;
    let Some(services) = Services::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (input, signature) = signed_b(dir.path(), "seal-rsa.p12");
    let stamper = siegel::timestamp::Client::new(
        vec![services.tsa_url()],
        std::sync::Arc::new(crate::ltv::local_http()),
    );
    let content = std::fs::read(&input).unwrap();
    let token = stamper
        .stamp(Digest::Sha256, &Digest::Sha256.hash(&content))
        .unwrap();
    let mut trust = siegel::trust::Store::new();
    trust.add_file(&pki("root-ca.pem")).unwrap();
    trust.add_file(&services.path("root.pem")).unwrap();
    let options = validate::Options::new(trust, chrono::Utc::now());

    let stamped = dir.path().join("stamped.p7s");
    with_content_timestamp(&signature, &token.der, &stamped);
    assert_openssl_verifies(&stamped, Some(&input), &pki("root-ca.pem"));
    let report = validate::validate_cades(&stamped, Some(&input), &options).unwrap();
    let signature_result = &report.signatures[0];
    let content_stamps: Vec<_> = signature_result
        .timestamps
        .iter()
        .filter(|t| t.kind == validate::report::TimestampKind::Content)
        .collect();
    assert_eq!(content_stamps.len(), 1, "{report:#?}");
    assert_eq!(content_stamps[0].indication, Indication::TotalPassed);
    assert!(
        signature_result
            .checks
            .iter()
            .any(|c| c.id == "content-timestamp" && c.passed)
    );
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    let xml = siegel::protocol::render(
        &report,
        siegel::protocol::Format::Xml,
        siegel::text::Language::En,
    )
    .unwrap();
    crate::protocol::assert_schema_valid(&xml, "content-timestamp");

    // A content time-stamp over other content proves nothing about this one.
    let other = stamper
        .stamp(Digest::Sha256, &Digest::Sha256.hash(b"<antrag/>"))
        .unwrap();
    let foreign = dir.path().join("foreign.p7s");
    with_content_timestamp(&signature, &other.der, &foreign);
    assert_attack(
        &validate::validate_cades(&foreign, Some(&input), &options).unwrap(),
        "CONTENT_TIMESTAMP_NOT_COVERING",
    );
}
