//! Signing with the library: structures, algorithms, keys, refusals, and what goes into the file.

use std::sync::Arc;

use siegel::algorithm::Digest;
use siegel::certificate::{Certificate, Kind};
use siegel::key::Credential;
use siegel::key::software::{self, SoftwareKey};
use siegel::validate::{Indication, SubIndication};
use siegel::{cms, pdf, sign};

use crate::support::{self, credential, credential_with, pdf, pki, request, sign_with, validate};

#[test]
fn every_structure_gets_a_seal_and_a_signature_that_both_stay_valid() {
    let dir = tempfile::tempdir().unwrap();
    for name in support::STRUCTURES {
        let input = pdf(name);
        let sealed = dir.path().join(format!("sealed-{name}"));
        let twice = dir.path().join(format!("twice-{name}"));
        sign_with(&input, &sealed, "seal-rsa.p12", Kind::Seal);
        sign_with(&sealed, &twice, "signature-ec.p12", Kind::Signature);

        let original = std::fs::read(&input).unwrap();
        let once = std::fs::read(&sealed).unwrap();
        let result = std::fs::read(&twice).unwrap();
        assert!(
            once.starts_with(&original),
            "{name}: input is not a prefix of the sealed file"
        );
        assert!(
            result.starts_with(&once),
            "{name}: sealed file is not a prefix of the re-signed file"
        );

        let report = validate(&twice);
        let ours: Vec<_> = report
            .signatures
            .iter()
            .filter(|s| s.field.starts_with("Signature"))
            .collect();
        assert_eq!(ours.len(), 2, "{name}");
        for signature in &report.signatures {
            assert_eq!(
                signature.indication,
                Indication::TotalPassed,
                "{name} {}: {:?}",
                signature.field,
                signature.messages
            );
        }
        assert_eq!(ours[0].kind, Some(Kind::Seal));
        assert_eq!(ours[1].kind, Some(Kind::Signature));
        assert!(!ours[0].covers_whole_document);
        assert!(ours[1].covers_whole_document);
        assert_eq!(report.indication, Indication::TotalPassed);
    }
}

#[test]
fn signature_dictionary_and_cms_follow_pades_baseline_b() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.pdf");
    let outcome = sign_with(&pdf("classic.pdf"), &output, "seal-rsa.p12", Kind::Seal);
    let mut file = pdf::File::open(&output).unwrap();
    let found = pdf::signature::find_all(&mut file).unwrap();
    assert_eq!(found.len(), 1);
    let signature = &found[0];
    assert_eq!(signature.field, outcome.field);
    assert_eq!(signature.sub_filter.as_deref(), Some("ETSI.CAdES.detached"));
    assert_eq!(signature.reason.as_deref(), Some("Prüfung der Unterlagen"));
    assert_eq!(signature.location.as_deref(), Some("München"));
    assert_eq!(signature.time.as_deref(), Some("D:20260601120000+00'00'"));
    let range: Vec<u64> = signature.byte_range.iter().map(|n| *n as u64).collect();
    assert_eq!(range, outcome.byte_range.to_vec());
    assert_eq!(range[0], 0);
    assert_eq!(
        range[2] + range[3],
        std::fs::metadata(&output).unwrap().len()
    );

    let bytes = std::fs::read(&output).unwrap();
    let field_object = String::from_utf8_lossy(&bytes);
    assert!(field_object.contains("/FT /Sig") || field_object.contains("/FT/Sig"));
    assert!(field_object.contains("/F 132") || field_object.contains("/F/132"));
    assert!(field_object.contains("/SigFlags 3"));

    let parsed = cms::Parsed::from_der(&signature.contents).unwrap();
    let [signer] = parsed.signer_infos() else {
        panic!("one SignerInfo expected")
    };
    let view = cms::view(signer);
    assert!(
        view.signing_time.is_none(),
        "PAdES must not carry signing-time"
    );
    let leaf = cms::Parsed::find_signer_certificate(signer, &parsed.certificates).unwrap();
    assert_eq!(
        leaf.der(),
        credential("seal-rsa.p12").certificate().der(),
        "certificate bytes must travel unchanged"
    );
    assert!(
        view.signing_certificate
            .as_ref()
            .is_some_and(|r| r.v2 && r.matches(leaf))
    );
    assert_eq!(
        view.content_type.map(|o| o.to_string()).as_deref(),
        Some("1.2.840.113549.1.7.1")
    );
    // The whole chain travels with the signature: leaf, issuing CA, root.
    assert_eq!(parsed.certificates.len(), 3);
}

#[test]
fn rsa_pss_sha384_sha512_and_ecdsa_all_verify() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "seal-rsa.p12",
            software::Options {
                digest: None,
                pss: true,
            },
            "RSA-PSS with SHA-256",
        ),
        (
            "seal-rsa.p12",
            software::Options {
                digest: Some(Digest::Sha384),
                pss: false,
            },
            "RSA PKCS#1 v1.5 with SHA-384",
        ),
        (
            "seal-rsa.p12",
            software::Options {
                digest: Some(Digest::Sha512),
                pss: true,
            },
            "RSA-PSS with SHA-512",
        ),
        (
            "seal-ec.p12",
            software::Options::default(),
            "ECDSA with SHA-256",
        ),
        (
            "seal-ec.p12",
            software::Options {
                digest: Some(Digest::Sha512),
                pss: false,
            },
            "ECDSA with SHA-512",
        ),
    ];
    for (index, (p12, options, algorithm)) in cases.into_iter().enumerate() {
        let output = dir.path().join(format!("{index}.pdf"));
        sign_and_check(
            "classic.pdf",
            &output,
            &credential_with(p12, options),
            algorithm,
        );
    }
}

/// Seals `input` into `output` and checks that Siegel, pyHanko and pdfsig accept the seal made
/// with `algorithm`.
fn sign_and_check(input: &str, output: &std::path::Path, credential: &Credential, algorithm: &str) {
    sign::sign_pdf(&pdf(input), output, credential, &request(Kind::Seal), false).unwrap();
    let report = validate(output);
    let signature = &report.signatures[0];
    assert_eq!(
        signature.indication,
        Indication::TotalPassed,
        "{algorithm}: {:?}",
        signature.messages
    );
    assert_eq!(
        signature.algorithm.map(|a| a.to_string()).as_deref(),
        Some(algorithm)
    );
    support::assert_pyhanko_accepts(output, 1);
    support::assert_pdfsig_accepts(output, 1);
}

/// Issues a leaf under the test PKI's issuing CA, with the given subject and curve.
fn issue_leaf(subject: &[(&str, &str)], curve: openssl::nid::Nid, serial: u32) -> Credential {
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::ec::{EcGroup, EcKey};
    use openssl::hash::MessageDigest;
    use openssl::pkey::PKey;
    use openssl::x509::extension::{BasicConstraints, KeyUsage};
    use openssl::x509::{X509, X509NameBuilder};

    let issuer_cert = X509::from_pem(&std::fs::read(pki("intermediate-ca.pem")).unwrap()).unwrap();
    let issuer_key =
        PKey::private_key_from_pem(&std::fs::read(pki("intermediate-ca.key.pem")).unwrap())
            .unwrap();
    let key =
        PKey::from_ec_key(EcKey::generate(&EcGroup::from_curve_name(curve).unwrap()).unwrap())
            .unwrap();
    let mut name = X509NameBuilder::new().unwrap();
    for (field, value) in subject {
        name.append_entry_by_text(field, value).unwrap();
    }
    let name = name.build();
    let mut builder = X509::builder().unwrap();
    builder.set_version(2).unwrap();
    builder
        .set_serial_number(&BigNum::from_u32(serial).unwrap().to_asn1_integer().unwrap())
        .unwrap();
    builder.set_subject_name(&name).unwrap();
    builder.set_issuer_name(issuer_cert.subject_name()).unwrap();
    builder.set_pubkey(&key).unwrap();
    builder
        .set_not_before(&Asn1Time::from_str("20250601000000Z").unwrap())
        .unwrap();
    builder
        .set_not_after(&Asn1Time::from_str("20350601000000Z").unwrap())
        .unwrap();
    builder
        .append_extension(BasicConstraints::new().build().unwrap())
        .unwrap();
    builder
        .append_extension(
            KeyUsage::new()
                .critical()
                .digital_signature()
                .non_repudiation()
                .build()
                .unwrap(),
        )
        .unwrap();
    builder.sign(&issuer_key, MessageDigest::sha256()).unwrap();
    let certificate = builder.build();

    let mut chain = vec![Certificate::from_der(&certificate.to_der().unwrap()).unwrap()];
    chain.extend(Certificate::load_all(&std::fs::read(pki("chain.pem")).unwrap()).unwrap());
    let signer = SoftwareKey::new(key, software::Options::default()).unwrap();
    Credential::new(Arc::new(signer), chain).unwrap()
}

#[test]
fn ecdsa_p384_key_signs_with_sha384() {
    let subject = [
        ("C", "DE"),
        ("O", "Stadtverwaltung Musterstadt"),
        ("CN", "P-384 Siegel"),
    ];
    let credential = issue_leaf(&subject, openssl::nid::Nid::SECP384R1, 384);
    assert_eq!(
        credential.certificate().kind(),
        Kind::Seal,
        "organisation without a person is a seal"
    );

    let dir = tempfile::tempdir().unwrap();
    sign_and_check(
        "xref-stream.pdf",
        &dir.path().join("p384.pdf"),
        &credential,
        "ECDSA with SHA-384",
    );
}

#[test]
fn a_certificate_that_names_neither_kind_may_sign_and_seal() {
    let credential = issue_leaf(
        &[("CN", "Testzertifikat")],
        openssl::nid::Nid::X9_62_PRIME256V1,
        385,
    );
    assert_eq!(credential.certificate().declared_kind(), None);
    let dir = tempfile::tempdir().unwrap();
    for intent in [Kind::Signature, Kind::Seal] {
        let output = dir.path().join(format!("{intent}.pdf"));
        let outcome = sign::sign_pdf(
            &pdf("classic.pdf"),
            &output,
            &credential,
            &request(intent),
            false,
        )
        .unwrap();
        assert_eq!(outcome.kind, intent);
        assert_eq!(validate(&output).indication, Indication::TotalPassed);
    }
}

#[test]
fn room_for_the_signature_grows_with_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let short = sign_with(
        &pdf("classic.pdf"),
        &dir.path().join("short.pdf"),
        "seal-ec.p12",
        Kind::Seal,
    );
    let long = sign_with(
        &pdf("classic.pdf"),
        &dir.path().join("long.pdf"),
        "seal-long-chain.p12",
        Kind::Seal,
    );
    let gap = |range: [u64; 4]| range[2] - range[1];
    assert!(
        gap(long.byte_range) > gap(short.byte_range) + 4000,
        "long chain gap {} vs {}",
        gap(long.byte_range),
        gap(short.byte_range)
    );
    let report = validate(&dir.path().join("long.pdf"));
    assert_eq!(
        report.signatures[0].indication,
        Indication::TotalPassed,
        "{:?}",
        report.signatures[0].messages
    );
    assert_eq!(report.signatures[0].chain.len(), 5);
}

#[test]
fn legacy_and_modern_pkcs12_both_load_with_their_chain() {
    for p12 in [
        "signature-rsa.legacy.p12",
        "seal-rsa.rc2.p12",
        "seal-ec.legacy.p12",
        "signature-rsa.p12",
        "seal-ec.p12",
    ] {
        let credential = credential(p12);
        assert_eq!(credential.chain.len(), 3, "{p12}");
        assert!(
            credential.chain[1].named_issuer_is(&credential.chain[2])
                || credential.chain[0].named_issuer_is(&credential.chain[1])
        );
    }
}

#[test]
fn wrong_passphrase_is_its_own_error_and_hides_the_secret() {
    let pin = siegel::key::pin::Pin::new("falsch-geheim".into());
    let error = software::load_pkcs12(&pki("seal-rsa.p12"), &pin, software::Options::default())
        .unwrap_err();
    assert!(
        matches!(error, siegel::key::Error::WrongPassphrase { .. }),
        "{error:?}"
    );
    assert!(!format!("{error} {error:?}").contains("falsch-geheim"));
}

#[test]
fn kinds_come_from_qc_type_or_subject() {
    assert_eq!(credential("seal-rsa.p12").certificate().kind(), Kind::Seal);
    assert_eq!(
        credential("signature-ec.p12").certificate().kind(),
        Kind::Signature
    );
    assert_eq!(
        credential("unmarked-rsa.p12").certificate().kind(),
        Kind::Signature
    );
    assert_eq!(
        credential("seal-rsa.p12").certificate().qualification(),
        siegel::certificate::Qualification::QeSeal
    );
    assert_eq!(
        credential("signature-rsa.p12")
            .certificate()
            .qualification(),
        siegel::certificate::Qualification::Qes
    );
    assert_eq!(
        credential("seal-rsa.p12")
            .certificate()
            .organization_identifier()
            .as_deref(),
        Some("VATDE-123456789")
    );
}

#[test]
fn seal_refuses_a_personal_certificate_unless_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.pdf");
    let error = sign::sign_pdf(
        &pdf("classic.pdf"),
        &output,
        &credential("signature-rsa.p12"),
        &request(Kind::Seal),
        false,
    )
    .unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, sign::Error::WrongKind { .. }));
    // The library says what is wrong; which flag overrides it is the front end's to say.
    assert!(text.contains("esign") && !text.contains("--"), "{text}");
    assert!(!output.exists());
    let error = sign::sign_pdf(
        &pdf("classic.pdf"),
        &output,
        &credential("seal-ec.p12"),
        &request(Kind::Signature),
        false,
    )
    .unwrap_err();
    assert!(error.to_string().contains("eseal"), "{error}");

    let forced = sign::Request {
        accept_other_kind: true,
        ..request(Kind::Seal)
    };
    sign::sign_pdf(
        &pdf("classic.pdf"),
        &output,
        &credential("signature-rsa.p12"),
        &forced,
        false,
    )
    .unwrap();
    assert_eq!(validate(&output).signatures[0].kind, Some(Kind::Signature));
}

#[test]
fn expired_not_yet_valid_and_wrong_key_usage_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.pdf");
    for (p12, expected) in [
        ("seal-expired.p12", "expired"),
        ("seal-notyetvalid.p12", "not valid before"),
        ("seal-noku.p12", "key usage"),
    ] {
        let error = sign::sign_pdf(
            &pdf("classic.pdf"),
            &output,
            &credential(p12),
            &request(Kind::Seal),
            true,
        )
        .unwrap_err();
        assert!(error.to_string().contains(expected), "{p12}: {error}");
        assert!(!output.exists(), "{p12} left an output");
    }
}

#[test]
fn inputs_are_never_modified_and_outputs_never_clobbered() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.pdf");
    std::fs::copy(pdf("form.pdf"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let output = dir.path().join("out.pdf");
    std::fs::write(&output, b"keep me").unwrap();
    let error = sign::sign_pdf(
        &input,
        &output,
        &credential("seal-rsa.p12"),
        &request(Kind::Seal),
        false,
    )
    .unwrap_err();
    assert!(
        matches!(error, sign::Error::Output(siegel::output::Error::Exists(_))),
        "{error:?}"
    );
    assert_eq!(std::fs::read(&output).unwrap(), b"keep me");
    let error = sign::sign_pdf(
        &input,
        &input,
        &credential("seal-rsa.p12"),
        &request(Kind::Seal),
        true,
    )
    .unwrap_err();
    assert!(matches!(error, sign::Error::SameFile(_)), "{error:?}");
    assert_eq!(std::fs::read(&input).unwrap(), before);
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn damaged_cross_reference_data_is_refused_for_signing() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.pdf");
    let error = sign::sign_pdf(
        &pdf("bad/garbage-xref.pdf"),
        &output,
        &credential("seal-rsa.p12"),
        &request(Kind::Seal),
        false,
    )
    .unwrap_err();
    assert!(error.to_string().contains("garbage-xref.pdf"), "{error}");
    assert!(!output.exists());
}

#[test]
fn other_pki_signature_is_not_trusted_by_our_root() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("other.pdf");
    sign_with(&pdf("classic.pdf"), &output, "other/seal.p12", Kind::Seal);
    let report = validate(&output);
    assert_eq!(report.signatures[0].indication, Indication::Indeterminate);
    assert_eq!(
        report.signatures[0].subindication,
        Some(SubIndication::NoCertificateChainFound)
    );
}

#[test]
fn slightly_wrong_cross_reference_offsets_are_tolerated() {
    // A sloppy writer: every offset in the table three bytes too far.
    let original = std::fs::read(pdf("classic.pdf")).unwrap();
    let xref = original.windows(5).rposition(|w| w == b"\nxref").unwrap() + 1;
    let table = String::from_utf8(original[xref..].to_vec()).unwrap();
    let shifted: Vec<String> = table
        .split("\r\n")
        .map(|line| match line.split_once(" 00000 n") {
            Some((offset, rest)) if offset.len() == 10 => {
                format!("{:010} 00000 n{rest}", offset.parse::<u64>().unwrap() + 3)
            }
            _ => line.to_owned(),
        })
        .collect();
    let mut sloppy = original[..xref].to_vec();
    sloppy.extend_from_slice(shifted.join("\r\n").as_bytes());
    assert_ne!(sloppy, original);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("sloppy.pdf");
    std::fs::write(&input, &sloppy).unwrap();
    let output = dir.path().join("signed.pdf");
    sign_with(&input, &output, "seal-rsa.p12", Kind::Seal);
    assert_eq!(validate(&output).indication, Indication::TotalPassed);
    support::assert_pyhanko_accepts(&output, 1);
    support::assert_pdfsig_accepts(&output, 1);
}

/// A hybrid-reference file in one section: the table marks the page and font free, its
/// /XRefStm keeps them in an object stream. qpdf reads them; poppler and MuPDF do not.
fn single_section_hybrid() -> Vec<u8> {
    let page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_vec();
    let font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec();
    let header = format!("3 0 5 {} ", page.len() + 1);
    let mut members = header.clone().into_bytes();
    members.extend_from_slice(&page);
    members.push(b' ');
    members.extend_from_slice(&font);
    let content = b"BT /F1 24 Tf 72 700 Td (Hybrid single section) Tj ET";
    let mut out = b"%PDF-1.5\n".to_vec();
    let mut offsets = std::collections::BTreeMap::new();
    let mut object = |out: &mut Vec<u8>, number: u32, dict: String, data: Option<&[u8]>| {
        offsets.insert(number, out.len());
        out.extend_from_slice(format!("{number} 0 obj\n{dict}").as_bytes());
        if let Some(data) = data {
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(data);
            out.extend_from_slice(b"\nendstream");
        }
        out.extend_from_slice(b"\nendobj\n");
    };
    object(
        &mut out,
        1,
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        None,
    );
    object(
        &mut out,
        2,
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        None,
    );
    object(
        &mut out,
        4,
        format!("<< /Length {} >>", content.len()),
        Some(content),
    );
    let dict = format!(
        "<< /Type /ObjStm /N 2 /First {} /Length {} >>",
        header.len(),
        members.len()
    );
    object(&mut out, 6, dict, Some(&members));
    let stream_at = u32::try_from(out.len()).unwrap();
    let mut rows = Vec::new();
    for (stream_index, _) in [(0u16, 3), (1, 5)] {
        rows.push(2u8);
        rows.extend_from_slice(&6u32.to_be_bytes());
        rows.extend_from_slice(&stream_index.to_be_bytes());
    }
    rows.push(1);
    rows.extend_from_slice(&stream_at.to_be_bytes());
    rows.extend_from_slice(&0u16.to_be_bytes());
    let dict = format!(
        "<< /Type /XRef /Size 8 /W [1 4 2] /Index [3 1 5 1 7 1] /Length {} >>",
        rows.len()
    );
    object(&mut out, 7, dict, Some(&rows));
    let table = out.len();
    out.extend_from_slice(b"xref\n0 8\n0000000000 65535 f \n");
    for number in 1..8 {
        match offsets.get(&number) {
            Some(offset) => out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes()),
            None => out.extend_from_slice(b"0000000000 00000 f \n"),
        }
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size 8 /Root 1 0 R /XRefStm {stream_at} >>\nstartxref\n{table}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
}

#[test]
fn a_single_section_hybrid_file_is_sealed_so_that_every_reader_sees_the_same_page() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("hybrid-one-section.pdf");
    std::fs::write(&input, single_section_hybrid()).unwrap();
    let sealed = dir.path().join("sealed.pdf");
    sign_with(&input, &sealed, "seal-rsa.p12", Kind::Seal);
    let report = validate(&sealed);
    assert_eq!(
        report.indication,
        Indication::TotalPassed,
        "{:?}",
        report.signatures[0].messages
    );
    // The update lists the hidden objects again, so poppler finds the page too.
    if support::have("pdftotext") {
        let output = std::process::Command::new("pdftotext")
            .arg(&sealed)
            .arg("-")
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("Hybrid single section"),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    support::assert_pdfsig_accepts(&sealed, 1);
}
