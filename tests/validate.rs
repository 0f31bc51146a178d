//! The verifier: verdicts for intact, tampered, untrusted and expired signatures.

use chrono::{DateTime, Utc};
use siegel::certificate::Kind;
use siegel::validate::{self, Indication, SubIndication};
use siegel::{cms, pdf, trust};

use crate::support::{self, pdf, pki, sign_with, validate};

fn sealed(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let output = dir.path().join("sealed.pdf");
    sign_with(&pdf("classic.pdf"), &output, "seal-rsa.p12", Kind::Seal);
    output
}

fn first(report: &validate::Report) -> &validate::report::Signature {
    &report.signatures[0]
}

#[test]
fn intact_seal_passes_with_checks_and_signer_details() {
    let dir = tempfile::tempdir().unwrap();
    let report = validate(&sealed(&dir));
    let signature = first(&report);
    assert_eq!(report.indication, Indication::TotalPassed);
    assert_eq!(signature.subindication, None);
    let signer = signature.signer.as_ref().unwrap();
    assert_eq!(signer.name, "Stadtverwaltung Musterstadt Siegel");
    assert_eq!(
        signer.organization_identifier.as_deref(),
        Some("VATDE-123456789")
    );
    assert_eq!(signature.signing_time, Some(support::time()));
    assert_eq!(signature.level.map(|l| l.name()), Some("PAdES-BASELINE-B"));
    assert_eq!(signature.chain.len(), 3);
    assert!(signature.chain[2].trust_anchor);
    let ids: Vec<&str> = signature.checks.iter().map(|c| c.id).collect();
    for id in [
        "byte-range",
        "cms",
        "message-digest",
        "signature-value",
        "signing-certificate",
        "chain",
        "validity",
        "key-usage",
    ] {
        assert!(ids.contains(&id), "missing check {id}: {ids:?}");
    }
    assert!(signature.checks.iter().all(|c| c.passed));
}

#[test]
fn one_changed_byte_in_the_content_is_a_hash_failure() {
    let dir = tempfile::tempdir().unwrap();
    let path = sealed(&dir);
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes
        .windows(12)
        .position(|w| w == b"Testdokument")
        .unwrap();
    bytes[at] = b'F';
    std::fs::write(&path, &bytes).unwrap();
    let report = validate(&path);
    assert_eq!(report.indication, Indication::TotalFailed);
    assert_eq!(
        first(&report).subindication,
        Some(SubIndication::HashFailure)
    );
    // The protocol still names who signed what was changed.
    let signer = first(&report).signer.as_ref().unwrap();
    assert_eq!(signer.name, "Stadtverwaltung Musterstadt Siegel");
}

#[test]
fn a_changed_signature_value_is_a_crypto_failure() {
    let dir = tempfile::tempdir().unwrap();
    let path = sealed(&dir);
    let mut file = pdf::File::open(&path).unwrap();
    let found = pdf::signature::find_all(&mut file).unwrap();
    let parsed = cms::Parsed::from_der(&found[0].contents).unwrap();
    let signature = cms::view(&parsed.signer_infos()[0]).signature;
    let hex: String = signature[..16].iter().map(|b| format!("{b:02x}")).collect();
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes
        .windows(hex.len())
        .position(|w| w == hex.as_bytes())
        .unwrap();
    bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
    std::fs::write(&path, &bytes).unwrap();
    let report = validate(&path);
    assert_eq!(first(&report).indication, Indication::TotalFailed);
    assert_eq!(
        first(&report).subindication,
        Some(SubIndication::SigCryptoFailure)
    );
}

#[test]
fn without_a_trust_anchor_the_chain_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = sealed(&dir);
    for store in [trust::Store::new(), {
        let mut other = trust::Store::new();
        other.add_file(&pki("other/root.pem")).unwrap();
        other
    }] {
        let report = validate::validate_pdf(
            &path,
            &validate::Options {
                crypto: Default::default(),
                trust: store,
                time: support::time(),
                fetcher: None,
            },
        )
        .unwrap();
        assert_eq!(first(&report).indication, Indication::Indeterminate);
        assert_eq!(
            first(&report).subindication,
            Some(SubIndication::NoCertificateChainFound)
        );
        assert_eq!(report.indication, Indication::Indeterminate);
    }
}

#[test]
fn after_the_certificate_expired_there_is_no_proof_of_existence() {
    let dir = tempfile::tempdir().unwrap();
    let path = sealed(&dir);
    let later: DateTime<Utc> = DateTime::parse_from_rfc3339("2036-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let report = validate::validate_pdf(
        &path,
        &validate::Options {
            crypto: Default::default(),
            trust: support::trust_root(),
            time: later,
            fetcher: None,
        },
    )
    .unwrap();
    assert_eq!(first(&report).indication, Indication::Indeterminate);
    assert_eq!(
        first(&report).subindication,
        Some(SubIndication::OutOfBoundsNoPoe)
    );
}

#[test]
fn an_unsigned_document_is_not_passed() {
    let report = validate(&pdf("classic.pdf"));
    assert!(report.signatures.is_empty());
    assert_eq!(report.indication, Indication::Indeterminate);
    assert!(!report.messages.is_empty());
}

#[test]
fn a_key_without_signing_usage_is_a_chain_constraint_failure() {
    if !support::have("pyhanko") {
        return;
    }
    // pyHanko signs with any key, so it can make the file our signer refuses to make.
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("noku.pdf");
    let passfile = dir.path().join("pass");
    std::fs::write(&passfile, support::PASSPHRASE).unwrap();
    let status = std::process::Command::new("pyhanko")
        .args([
            "sign",
            "addsig",
            "--field",
            "Sig1",
            "--use-pades",
            "pkcs12",
            "--passfile",
        ])
        .arg(&passfile)
        .arg(pdf("classic.pdf"))
        .arg(&output)
        .arg(pki("seal-noku.p12"))
        .status()
        .unwrap();
    assert!(status.success());
    let report = validate(&output);
    assert_eq!(first(&report).indication, Indication::Indeterminate);
    assert_eq!(
        first(&report).subindication,
        Some(SubIndication::ChainConstraintsFailure)
    );
}

#[test]
fn json_report_uses_the_contract_names() {
    let dir = tempfile::tempdir().unwrap();
    let report = validate(&sealed(&dir));
    let json = serde_json::to_value(&report).unwrap();
    for key in [
        "file",
        "sha256",
        "signatures",
        "document_timestamps",
        "indication",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    let signature = &json["signatures"][0];
    for key in [
        "field",
        "signer",
        "kind",
        "level",
        "qualification",
        "signing_time",
        "best_signature_time",
        "indication",
        "subindication",
        "covers_whole_document",
        "modifications",
        "chain",
        "timestamps",
        "revocation",
        "messages",
    ] {
        assert!(signature.get(key).is_some(), "missing signatures[].{key}");
    }
    assert_eq!(signature["indication"], "TOTAL_PASSED");
    assert_eq!(signature["kind"], "seal");
    // No trusted list loaded: the certificate's QC statements claim QESeal, nobody confirms it.
    assert_eq!(signature["qualification"], "NOT_DETERMINED");
    assert_eq!(json["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn a_signature_whose_field_was_broken_is_still_found_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = sealed(&dir);
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.windows(7).rposition(|w| w == b"/FT/Sig").unwrap();
    bytes[at + 6] = b'X';
    std::fs::write(&path, &bytes).unwrap();
    let report = validate(&path);
    assert_eq!(report.signatures.len(), 1, "{:?}", report.messages);
    assert_eq!(first(&report).field, "(no field)");
    assert_eq!(
        first(&report).subindication,
        Some(SubIndication::HashFailure)
    );
    assert_eq!(report.indication, Indication::TotalFailed);
}

/// Appends an incremental update that replaces object `id` with `object`.
fn append_update(
    path: &std::path::Path,
    change: impl FnOnce(&mut pdf::File) -> (lopdf::ObjectId, lopdf::Object),
) {
    let mut file = pdf::File::open(path).unwrap();
    let (id, object) = change(&mut file);
    let mut update = pdf::update::Update::new(&file);
    update.set(id, object);
    let tail = update.write().unwrap().bytes;
    drop(file);
    let mut bytes = std::fs::read(path).unwrap();
    bytes.extend_from_slice(&tail);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn page_content_changed_after_signing_fails_the_signature() {
    let dir = tempfile::tempdir().unwrap();
    let path = sealed(&dir);
    append_update(&path, |file| {
        let (_, page) = file.first_page().unwrap();
        let contents = page.get(b"Contents").unwrap().as_reference().unwrap();
        let lopdf::Object::Stream(mut stream) = file.object(contents).unwrap() else {
            panic!("contents is a stream")
        };
        stream.set_plain_content(b"BT /F1 24 Tf 72 700 Td (Genehmigt!) Tj ET".to_vec());
        (contents, lopdf::Object::Stream(stream))
    });
    let report = validate(&path);
    let signature = first(&report);
    assert_eq!(
        (signature.indication, signature.subindication),
        (Indication::TotalFailed, Some(SubIndication::FormatFailure))
    );
    assert!(
        signature.messages[0].contains("changed after this signature"),
        "{:?}",
        signature.messages
    );
    assert!(
        signature
            .modifications
            .iter()
            .any(|m| m.to_string().contains("not allowed: content stream")),
        "{:?}",
        signature.modifications
    );
}

#[test]
fn a_page_added_after_signing_fails_the_signature() {
    let dir = tempfile::tempdir().unwrap();
    let path = sealed(&dir);
    append_update(&path, |file| {
        let (_, catalog) = file.catalog().unwrap();
        let pages = catalog.get(b"Pages").unwrap().as_reference().unwrap();
        let mut tree = file.dictionary(&lopdf::Object::Reference(pages)).unwrap();
        tree.set("Count", lopdf::Object::Integer(2));
        (pages, lopdf::Object::Dictionary(tree))
    });
    let report = validate(&path);
    assert_eq!(first(&report).indication, Indication::TotalFailed);
    assert!(
        first(&report)
            .modifications
            .iter()
            .any(|m| m.to_string().contains("page tree changed")),
        "{:?}",
        first(&report).modifications
    );
}

#[test]
fn validation_data_after_signing_is_allowed_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let append_dss = |path: &std::path::Path, name: &str| {
        let mut file = pdf::File::open(path).unwrap();
        let material = pdf::dss::Material {
            certificates: vec![std::fs::read(support::pki(name)).unwrap()],
            ..Default::default()
        };
        let tail = pdf::dss::append(&mut file, &material).unwrap();
        drop(file);
        let mut bytes = std::fs::read(path).unwrap();
        bytes.extend_from_slice(&tail);
        std::fs::write(path, bytes).unwrap();
    };
    // A seal, then a /DSS; a signature over that, then the /DSS extended.
    let sealed = sealed(&dir);
    append_dss(&sealed, "root-ca.pem");
    let signed = dir.path().join("signed.pdf");
    support::sign_with(
        &sealed,
        &signed,
        "signature-ec.p12",
        siegel::certificate::Kind::Signature,
    );
    append_dss(&signed, "intermediate-ca.pem");

    let report = validate(&signed);
    for signature in &report.signatures {
        assert_eq!(
            signature.indication,
            Indication::TotalPassed,
            "{}: {:?}",
            signature.field,
            signature.messages
        );
        assert!(!signature.covers_whole_document);
    }
    let created = &report.signatures[0].modifications;
    assert!(
        created.iter().any(|m| m
            .to_string()
            .starts_with("allowed: the document catalog gained DSS")),
        "{created:?}"
    );
    let extended = &report.signatures[1].modifications;
    assert!(
        extended.iter().any(|m| m
            .to_string()
            .starts_with("allowed: validation data (/DSS) extended")),
        "{extended:?}"
    );
}

fn validate_with(
    path: &std::path::Path,
    crypto: validate::acceptance::Catalogue,
) -> validate::Report {
    let mut options = validate::Options::new(support::trust_root(), support::time());
    options.crypto = crypto;
    validate::validate_pdf(path, &options).unwrap()
}

#[test]
fn rsa_2048_passes_the_etsi_catalogue_but_not_the_sog_is_one_after_2025() {
    let dir = tempfile::tempdir().unwrap();
    let path = sealed(&dir);
    let etsi = validate_with(&path, validate::acceptance::Catalogue::etsi());
    assert_eq!(etsi.indication, Indication::TotalPassed);
    assert_eq!(etsi.policy.crypto_profile, "ETSI TS 119 312 v1.5.1");
    let crypto = first(&etsi).checks.iter().find(|c| c.id == "crypto");
    assert!(
        crypto.is_some_and(|c| c.passed),
        "{:?}",
        first(&etsi).checks
    );

    let strict = validate_with(&path, validate::acceptance::Catalogue::sog_is());
    let signature = first(&strict);
    assert_eq!(signature.indication, Indication::Indeterminate);
    assert_eq!(
        signature.subindication,
        Some(SubIndication::CryptoConstraintsFailureNoPoe)
    );
    assert!(
        signature.messages[0].contains("RSA 2048 bit"),
        "{:?}",
        signature.messages
    );
    assert!(strict.policy.crypto_profile.starts_with("SOG-IS"));
}

#[test]
fn a_weak_key_is_refused_and_a_custom_catalogue_is_read_from_json() {
    let dir = tempfile::tempdir().unwrap();
    // A self-issued RSA-1024 seal certificate, trusted directly.
    let key = dir.path().join("weak.key");
    let cert = dir.path().join("weak.pem");
    let p12 = dir.path().join("weak.p12");
    let openssl = |args: &[&str]| {
        let status = std::process::Command::new("openssl")
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "openssl {args:?}");
    };
    openssl(&["genrsa", "-out", key.to_str().unwrap(), "1024"]);
    openssl(&[
        "req",
        "-new",
        "-x509",
        "-key",
        key.to_str().unwrap(),
        "-out",
        cert.to_str().unwrap(),
        "-days",
        "3650",
        "-subj",
        "/CN=Weak Seal/O=Testamt",
        "-addext",
        "keyUsage=critical,digitalSignature,nonRepudiation",
        "-set_serial",
        "7",
    ]);
    openssl(&[
        "pkcs12",
        "-export",
        "-inkey",
        key.to_str().unwrap(),
        "-in",
        cert.to_str().unwrap(),
        "-out",
        p12.to_str().unwrap(),
        "-passout",
        "pass:weak-pass",
    ]);
    let credential = siegel::key::software::load_pkcs12(
        &p12,
        &siegel::key::pin::Pin::new("weak-pass".into()),
        Default::default(),
    )
    .unwrap();
    // The certificate starts now (openssl 3.0 cannot backdate), so sign and validate an hour on.
    let when = chrono::Utc::now() + chrono::Duration::hours(1);
    let output = dir.path().join("weak.pdf");
    let mut request = support::request(Kind::Seal);
    request.time = when;
    siegel::sign::sign_pdf(&pdf("classic.pdf"), &output, &credential, &request, false).unwrap();
    let mut trust = trust::Store::new();
    trust.add_file(&cert).unwrap();
    let report = validate::validate_pdf(&output, &validate::Options::new(trust, when)).unwrap();
    let signature = first(&report);
    assert_eq!(
        signature.subindication,
        Some(SubIndication::CryptoConstraintsFailureNoPoe),
        "{:?}",
        signature.checks
    );
    assert!(signature.messages[0].contains("RSA 1024 bit"));

    // Existing before the certificate's notBefore is proven failure, not doubt.
    let earlier = validate::validate_pdf(
        &output,
        &validate::Options::new(
            {
                let mut trust = trust::Store::new();
                trust.add_file(&cert).unwrap();
                trust
            },
            when - chrono::Duration::days(2),
        ),
    )
    .unwrap();
    assert_eq!(
        (first(&earlier).indication, first(&earlier).subindication),
        (Indication::TotalFailed, Some(SubIndication::NotYetValid))
    );

    // Through the CLI: a catalogue of one's own that accepts nothing but SHA-512 and P-384.
    let catalogue = dir.path().join("strict.json");
    std::fs::write(
        &catalogue,
        r#"{"name": "Hausprofil", "digests": [{"algorithm": "SHA-512", "until": null}],
            "keys": [{"family": "Ec", "min_bits": 384, "until": null}]}"#,
    )
    .unwrap();
    let sealed = sealed(&dir);
    let root = support::pki("root-ca.pem");
    let run = |crypto: &str| {
        support::siegel(&[
            "verify",
            "--offline",
            "--at",
            "2026-06-01T12:00:00Z",
            "--trust",
            root.to_str().unwrap(),
            "--crypto",
            crypto,
            sealed.to_str().unwrap(),
        ])
    };
    assert_eq!(run("etsi").status.code(), Some(0));
    let strict = run(catalogue.to_str().unwrap());
    assert_eq!(
        strict.status.code(),
        Some(2),
        "{}",
        support::stdout(&strict)
    );
    assert!(support::stdout(&strict).contains("CRYPTO_CONSTRAINTS_FAILURE_NO_POE"));
    assert_eq!(run("sog-is").status.code(), Some(2));
    let broken = run("no-such-catalogue");
    assert_eq!(broken.status.code(), Some(3));
    assert!(support::stderr(&broken).contains("--crypto no-such-catalogue"));
}
