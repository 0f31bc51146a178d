//! Files nobody on this project wrote (`testdata/third-party/corpus`), validated offline:
//! no panic, no hang, attacks never pass, and the verdicts their authors assert where this
//! verifier can already judge them.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use siegel::trust;
use siegel::validate::{self, Indication, SubIndication};

use crate::support;

fn corpus() -> PathBuf {
    support::third_party("corpus")
}

/// Validates in a thread so a hang becomes a failure, not a stuck test run.
fn validate_bounded(
    path: PathBuf,
    options: validate::Options,
) -> Result<validate::Report, validate::Error> {
    let (sender, receiver) = mpsc::channel();
    let name = path.display().to_string();
    std::thread::spawn(move || {
        let _ = sender.send(validate::validate_pdf(&path, &options));
    });
    match receiver.recv_timeout(Duration::from_secs(20)) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{name}: validation did not finish within 20 s")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{name}: validation panicked"),
    }
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn options(trust: trust::Store, time: &str) -> validate::Options {
    validate::Options {
        crypto: Default::default(),
        trust,
        time: at(time),
        fetcher: None,
    }
}

#[test]
fn no_corpus_file_panics_or_hangs_and_attacks_never_pass() {
    let dir = corpus();
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv")).unwrap();
    let mut checked = 0;
    for line in manifest.lines().skip(1) {
        let columns: Vec<&str> = line.split('\t').collect();
        let (Some(file), Some(expected)) = (columns.first(), columns.get(5)) else {
            continue;
        };
        if !file.ends_with(".pdf") {
            continue;
        }
        let result = validate_bounded(
            dir.join(file),
            options(trust::Store::new(), "2026-11-22T00:00:00Z"),
        );
        checked += 1;
        let Ok(report) = result else { continue };
        // Without trust anchors nothing can pass; with an invalid verdict asserted, no signature
        // may be reported as passed even structurally.
        assert_ne!(report.indication, Indication::TotalPassed, "{file}");
        // Modification analysis (shadow attacks, clobbered appearances) belongs to the full
        // validation engine; here the integrity and byte-range attacks must fail outright.
        let structural = expected.starts_with("INVALID (integrity")
            || expected.contains("Signature Wrapping")
            || expected.contains("ByteRange")
            || expected.contains("byterange")
            || expected.contains("tail uncovered");
        if structural {
            assert!(
                report
                    .signatures
                    .iter()
                    .any(|s| s.indication != Indication::TotalPassed
                        && s.subindication != Some(SubIndication::NoCertificateChainFound)),
                "{file}: expected a structural or cryptographic failure, got {:?}",
                report
                    .signatures
                    .iter()
                    .map(|s| (s.indication, s.subindication))
                    .collect::<Vec<_>>()
            );
        }
    }
    assert!(checked >= 38, "only {checked} corpus PDFs found");
}

#[test]
fn corrupted_and_out_of_byte_range_files_are_total_failed() {
    let dir = corpus();
    for file in [
        "dss/pdf-signed-corrupted.pdf",
        "dss/pdf-signed-out-of-byteRange.pdf",
        "dss/siwa.pdf",
        "pyhanko/one-byterange.pdf",
        "pyhanko/signature-gap-too-big.pdf",
    ] {
        let report = validate_bounded(
            dir.join(file),
            options(trust::Store::new(), "2026-11-22T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(report.indication, Indication::TotalFailed, "{file}");
    }
    let report = validate_bounded(
        dir.join("siva/hellopades-lt1-lt2-wrongDigestValue.pdf"),
        options(trust::Store::new(), "2026-11-22T00:00:00Z"),
    )
    .unwrap();
    assert!(
        report
            .signatures
            .iter()
            .any(|s| s.subindication == Some(SubIndication::HashFailure))
    );
}

#[test]
fn intact_third_party_signatures_are_indeterminate_not_failed() {
    let dir = corpus();
    for file in [
        "dss/pdf-signed-original.pdf",
        "dss/hello_signed_INCSAVE_signed.pdf",
        "dss/Signature-P-HU_MIC-1.pdf",
        "dss/TeleSec_PKS_eIDAS_QES_CA_1-baseline-b.pdf",
        "siva/hellopades-pades-lt-sha256-sign.pdf",
    ] {
        let report = validate_bounded(
            dir.join(file),
            options(trust::Store::new(), "2026-11-22T00:00:00Z"),
        )
        .unwrap();
        for signature in &report.signatures {
            assert_eq!(
                signature.indication,
                Indication::Indeterminate,
                "{file} {}: {:?}",
                signature.field,
                signature.messages
            );
            assert!(
                signature
                    .checks
                    .iter()
                    .any(|c| c.id == "signature-value" && c.passed),
                "{file}: signature value not verified"
            );
        }
    }
}

#[test]
fn pyhanko_test_files_hold_with_their_ca_and_only_revocation_stays_open_offline() {
    // Their authors find them valid and trusted with their test CA at their time, with
    // revocation data served by their test harness. Offline, and with no revocation data in the
    // files, every check must pass but revocation, which is INDETERMINATE/TRY_LATER.
    let dir = corpus();
    let mut store = trust::Store::new();
    store
        .add_file(&dir.join("pyhanko/pyhanko-testing-ca-chain.pem"))
        .unwrap();
    for (file, time) in [
        (
            "pyhanko/pades-with-old-style-signing-cert-attr.pdf",
            "2020-11-01T00:00:00Z",
        ),
        (
            "pyhanko/certified-with-indirect-refs-in-dir.pdf",
            "2020-11-01T00:00:00Z",
        ),
        ("pyhanko/sig-with-ski-sid.pdf", "2021-06-01T00:00:00Z"),
    ] {
        let report = validate_bounded(dir.join(file), options(store.clone(), time)).unwrap();
        let signature = &report.signatures[0];
        assert_eq!(
            (signature.indication, signature.subindication),
            (Indication::Indeterminate, Some(SubIndication::TryLater)),
            "{file}: {:?}",
            signature.messages
        );
        let failed: Vec<&str> = signature
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| c.id)
            .collect();
        assert_eq!(
            failed,
            ["revocation"],
            "{file}: only revocation may be open"
        );
    }
}

/// What Siegel reports for one corpus file offline, without trust anchors, and why where it
/// differs from what the file's authors assert.
struct Expected {
    file: &'static str,
    indication: Indication,
    /// A sub-indication some signature must carry.
    sub: Option<SubIndication>,
    /// A named finding some signature must carry.
    finding: Option<&'static str>,
    /// Where Siegel deliberately differs from the authors' verdict, the reason.
    differs: Option<&'static str>,
}

const fn expect(file: &'static str, indication: Indication) -> Expected {
    Expected {
        file,
        indication,
        sub: None,
        finding: None,
        differs: None,
    }
}

fn verdict_table() -> Vec<Expected> {
    use Indication::{Indeterminate as I, TotalFailed as F};
    let untrusted = Some(SubIndication::NoCertificateChainFound);
    let with = |mut e: Expected, sub, finding| {
        e.sub = sub;
        e.finding = finding;
        e
    };
    let differs = |mut e: Expected, why| {
        e.differs = Some(why);
        e
    };
    vec![
        with(expect("dss/pdf-signed-original.pdf", I), untrusted, None),
        with(
            expect("dss/pdf-signed-corrupted.pdf", F),
            Some(SubIndication::FormatFailure),
            None,
        ),
        expect("dss/pdf-signed-out-of-byteRange.pdf", F),
        with(expect("dss/siwa.pdf", F), None, Some("SIGNATURE_WRAPPING")),
        with(
            expect("dss/hello_signed_INCSAVE_signed.pdf", I),
            untrusted,
            None,
        ),
        expect("dss/hello_signed_INCSAVE_signed_EDITED.pdf", F),
        differs(
            with(
                expect("dss/pdf-spoofing-attack.pdf", F),
                None,
                Some("SIGNATURE_DICTIONARY_SPOOFING"),
            ),
            "stricter: DSS keeps the signature intact and warns; a signature dictionary rewritten after signing fails here",
        ),
        differs(
            with(
                expect("dss/pades-spoofing-replaced-reason.pdf", F),
                None,
                Some("SIGNATURE_DICTIONARY_SPOOFING"),
            ),
            "stricter: DSS keeps the signature intact and warns; a replaced /Reason fails here",
        ),
        with(
            expect("dss/pdf-byterange-overlap.pdf", F),
            Some(SubIndication::FormatFailure),
            Some("SIGNATURE_WRAPPING"),
        ),
        with(
            expect("dss/dss-2236-hide.pdf", F),
            None,
            Some("INCREMENTAL_SAVING_ATTACK"),
        ),
        differs(
            with(
                expect("dss/dss-2236-replace.pdf", I),
                untrusted,
                Some("SHADOW_ATTACK_REPLACE"),
            ),
            "untrusted here, so INDETERMINATE already; the refilled field is named, and with trust it stays INDETERMINATE/SIG_CONSTRAINTS_FAILURE, never passed",
        ),
        with(
            expect("dss/pdf-signed-added-page.pdf", F),
            Some(SubIndication::FormatFailure),
            Some("INCREMENTAL_SAVING_ATTACK"),
        ),
        with(
            expect("dss/pdf-removed-pages.pdf", F),
            Some(SubIndication::FormatFailure),
            Some("INCREMENTAL_SAVING_ATTACK"),
        ),
        differs(
            with(
                expect("dss/BadEncodedCMS.pdf", F),
                Some(SubIndication::FormatFailure),
                None,
            ),
            "DSS reports no signature found; Siegel reports the signature field it found, failed, so a clerk sees it",
        ),
        with(
            expect("dss/pdf-double-signer-info.pdf", F),
            Some(SubIndication::FormatFailure),
            None,
        ),
        with(
            expect("dss/wrong-digest-algo.pdf", F),
            Some(SubIndication::FormatFailure),
            None,
        ),
        expect("dss/pades_infinite_loop.pdf", F),
        with(
            expect("dss/belgian_pki_multiple_ocsps_lt.pdf", I),
            untrusted,
            None,
        ),
        with(expect("dss/Signature-P-HU_MIC-1.pdf", I), untrusted, None),
        with(expect("dss/Signature-P-FR_CS-5.pdf", I), untrusted, None),
        with(
            expect("dss/TeleSec_PKS_eIDAS_QES_CA_1-baseline-b.pdf", I),
            untrusted,
            None,
        ),
        differs(
            with(expect("dss/self-issued-qesig.pdf", I), untrusted, None),
            "without the authors' trust anchors no path is built at all, so NO_CERTIFICATE_CHAIN_FOUND comes before CERTIFICATE_CHAIN_GENERAL_FAILURE",
        ),
        expect("pyhanko/tail-uncovered.pdf", F),
        expect("pyhanko/signature-gap-too-big.pdf", F),
        with(
            expect("pyhanko/one-byterange.pdf", F),
            None,
            Some("UNIVERSAL_SIGNATURE_FORGERY"),
        ),
        with(
            expect("pyhanko/weird-byterange.pdf", F),
            None,
            Some("SIGNATURE_WRAPPING"),
        ),
        with(
            expect(
                "pyhanko/form-update-override-appearance-stream-sneaky.pdf",
                F,
            ),
            None,
            Some("INCREMENTAL_SAVING_ATTACK"),
        ),
        differs(
            with(
                expect("pyhanko/form-update-ap-indirect-sneaky-trailer.pdf", I),
                untrusted,
                None,
            ),
            "pyHanko flags that the appearance dictionary the signing replaced is also referenced from the trailer; that object is unchanged, and signing an empty signature field that was there when the first signature was made is allowed (ISO 32000-2 §12.8.2.2), so Siegel lists it as allowed; untrusted here, and with pyHanko's CA offline it is INDETERMINATE/TRY_LATER: never passed",
        ),
        with(expect("pyhanko/sig-with-ski-sid.pdf", I), untrusted, None),
        with(
            expect("pyhanko/pades-with-old-style-signing-cert-attr.pdf", I),
            untrusted,
            None,
        ),
        with(
            expect("pyhanko/certified-with-indirect-refs-in-dir.pdf", I),
            untrusted,
            None,
        ),
        with(
            expect("siva/hellopades-pades-lt-sha256-sign.pdf", I),
            untrusted,
            None,
        ),
        differs(
            with(
                expect("siva/hellopades-pades-b-sha256-auth.pdf", I),
                untrusted,
                None,
            ),
            "SiVa fails authentication certificates under its policy; EN 319 102-1 makes an unsuitable key usage INDETERMINATE, and without the Estonian trust anchors the path is not found first",
        ),
        with(expect("siva/soft-cert-signature.pdf", I), untrusted, None),
        with(
            expect("siva/hellopades-lt1-lt2-wrongDigestValue.pdf", F),
            Some(SubIndication::HashFailure),
            None,
        ),
        differs(
            with(expect("siva/pades_lt_revoked.pdf", I), untrusted, None),
            "offline and untrusted, the path is not found before revocation is looked at; never passed",
        ),
        differs(
            with(
                expect("siva/hellopades-lt-sha256-rsa2048-ocsp-before-ts.pdf", I),
                untrusted,
                None,
            ),
            "SiVa's POLv4 fails OCSP responses older than the time-stamp; Siegel has no such policy rule and, untrusted here, stays INDETERMINATE",
        ),
        with(
            expect("siva/hellopades-pades-lt-sha256-auth.pdf", I),
            untrusted,
            None,
        ),
    ]
}

#[test]
fn every_corpus_pdf_gets_the_verdict_its_authors_assert_or_a_stated_stricter_one() {
    let dir = corpus();
    let table = verdict_table();
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv")).unwrap();
    let mut mismatches = Vec::new();
    for line in manifest.lines().skip(1) {
        let Some(file) = line.split('\t').next().filter(|f| f.ends_with(".pdf")) else {
            continue;
        };
        let Some(expected) = table.iter().find(|e| e.file == file) else {
            mismatches.push(format!(
                "{file}: in the manifest but not in the verdict table"
            ));
            continue;
        };
        let report = validate_bounded(
            dir.join(file),
            options(trust::Store::new(), "2026-11-22T00:00:00Z"),
        )
        .unwrap_or_else(|e| panic!("{file}: {e}"));
        let signatures: Vec<_> = report
            .signatures
            .iter()
            .chain(&report.document_timestamps)
            .collect();
        let got = (
            report.indication,
            signatures
                .iter()
                .map(|s| s.subindication)
                .collect::<Vec<_>>(),
            signatures
                .iter()
                .flat_map(|s| s.findings.iter().map(|f| f.id))
                .collect::<Vec<_>>(),
        );
        let sub_ok = expected.sub.is_none_or(|sub| got.1.contains(&Some(sub)));
        let finding_ok = expected.finding.is_none_or(|id| got.2.contains(&id));
        if report.indication != expected.indication || !sub_ok || !finding_ok {
            mismatches.push(format!(
                "{file}: expected {:?} {:?} {:?}{}, got {got:?}",
                expected.indication,
                expected.sub,
                expected.finding,
                expected
                    .differs
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            ));
        }
        assert_ne!(report.indication, Indication::TotalPassed, "{file}");
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// A CAdES or ASiC corpus file: how it is validated (content, container) and what Siegel
/// reports offline without the authors' trust anchors.
struct Cades {
    file: &'static str,
    /// The detached content, for `.p7s`/`.pkcs7`/`.sig` without enveloped content.
    content: Option<&'static str>,
    /// `None`: refused as unreadable (an error, never a verdict).
    indication: Option<Indication>,
    sub: Option<SubIndication>,
    finding: Option<&'static str>,
    /// Where Siegel differs from what DSS asserts, why.
    differs: Option<&'static str>,
}

fn cades_table() -> Vec<Cades> {
    use Indication::{Indeterminate as I, TotalFailed as F};
    let untrusted = Some(SubIndication::NoCertificateChainFound);
    let row = |file, content, indication, sub, finding, differs| Cades {
        file,
        content,
        indication,
        sub,
        finding,
        differs,
    };
    let hello = Some("dss-cades/hello-world.txt");
    let screenshot = Some("dss-cades/screenshot.png");
    vec![
        row(
            "dss-cades/Test.bin.sig",
            Some("dss-cades/Test.bin"),
            Some(I),
            Some(SubIndication::NoSigningCertificateFound),
            None,
            Some(
                "intact per DSS; it has no signing-certificate(-v2) attribute, which CAdES baseline requires, so Siegel cannot bind the certificate (INDETERMINATE either way without DSS's trust anchor)",
            ),
        ),
        row(
            "dss-cades/cades-bes-signeddata-detached.p7s",
            hello,
            Some(I),
            untrusted,
            None,
            None,
        ),
        row(
            "dss-cades/screenshot.png.signed_qes_detached.p7s",
            screenshot,
            Some(I),
            untrusted,
            None,
            None,
        ),
        row(
            "dss-cades/signatureExtendedTwoLTA.p7s",
            screenshot,
            Some(I),
            untrusted,
            None,
            None,
        ),
        row(
            "dss-cades/Signature-C-B-B-8.p7m",
            None,
            Some(I),
            untrusted,
            None,
            None,
        ),
        row(
            "dss-cades/cades-t-duplicated-sigtst.p7m",
            None,
            Some(I),
            Some(SubIndication::SigConstraintsFailure),
            Some("DUPLICATED_TIMESTAMP"),
            Some(
                "DSS accepts the same signature time-stamp twice; Siegel treats a repeated token as a copied one, which proves nothing, and never passes it",
            ),
        ),
        row(
            "dss-cades/Signature-CBp-LT-2.p7m",
            None,
            Some(I),
            untrusted,
            None,
            None,
        ),
        row(
            "dss-cades/cades-detached.pkcs7",
            hello,
            Some(I),
            untrusted,
            None,
            None,
        ),
        row(
            "dss-cades/cades-detached.pkcs7",
            Some("dss-cades/bye-world.txt"),
            Some(F),
            Some(SubIndication::HashFailure),
            Some("CONTENT_CHANGED"),
            None,
        ),
        row(
            "dss-cades/cades-enveloping.pkcs7",
            None,
            Some(I),
            untrusted,
            None,
            None,
        ),
        row(
            "dss-cades/counterSig.p7m",
            None,
            Some(I),
            untrusted,
            None,
            None,
        ),
        row(
            "dss-cades/counterSignedLTA.p7s",
            None,
            Some(I),
            untrusted,
            None,
            None,
        ),
        row(
            "dss-cades/cades-two-sig-copied-tst.p7m",
            None,
            Some(I),
            untrusted,
            None,
            Some(
                "the copied time-stamps are content-time-stamps over the same content, so they match it; both signatures are intact, as DSS says",
            ),
        ),
        row(
            "dss-cades/cades-broken-sig-tst.p7m",
            None,
            Some(F),
            Some(SubIndication::SigCryptoFailure),
            None,
            Some(
                "DSS: B-level intact (it verifies the signed attributes as encoded); they are not DER, and RFC 5652 §5.4 signs their DER encoding, on which openssl cms -verify fails too",
            ),
        ),
        row(
            "dss-cades/cms-wrong-sign-cert-ref.p7m",
            None,
            Some(I),
            untrusted,
            None,
            None,
        ),
        row(
            "dss-cades/cms-wrong-sign-cert-hash-algo.pkcs7",
            None,
            Some(I),
            untrusted,
            None,
            None,
        ),
        row(
            "dss-cades/cades-duplicated-signed-attrs.p7m",
            None,
            Some(F),
            Some(SubIndication::FormatFailure),
            Some("DOUBLE_SIGNING_TIME"),
            None,
        ),
        row(
            "dss-cades/malformed-cades.p7m",
            None,
            None,
            None,
            None,
            None,
        ),
        row(
            "dss-cades/cms-no-sign-cert.p7m",
            None,
            Some(I),
            Some(SubIndication::NoSigningCertificateFound),
            None,
            None,
        ),
        row(
            "dss-asic/onefile-ok.asics",
            None,
            Some(I),
            untrusted,
            Some("CONTAINER_FORMAT"),
            Some(
                "intact per DSS; its mimetype is not the first entry as EN 319 162-1 §A.1 requires, which Siegel reports",
            ),
        ),
        row(
            "dss-asic/onefile-ok.asice",
            None,
            Some(I),
            untrusted,
            Some("CONTAINER_FORMAT"),
            None,
        ),
        row(
            "dss-asic/dss1421.asice",
            None,
            Some(I),
            untrusted,
            Some("CONTAINER_FORMAT"),
            Some(
                "the container time-stamp over ASiCArchiveManifest.xml matches the manifest and its three files; untrusted here",
            ),
        ),
        row(
            "dss-asic/asice-cades-new-line-mimetype",
            None,
            Some(I),
            untrusted,
            Some("CONTAINER_FORMAT"),
            Some(
                "intact per DSS; the mimetype says the type with a trailing CRLF and is not first, which Siegel reports",
            ),
        ),
        row(
            "dss-asic/brokenReference.asice",
            None,
            Some(F),
            Some(SubIndication::HashFailure),
            Some("MANIFEST_REFERENCE_BROKEN"),
            None,
        ),
        row(
            "dss-asic/removed-doc.asice",
            None,
            Some(I),
            untrusted,
            Some("MANIFEST_REFERENCE_BROKEN"),
            Some(
                "DSS: SIGNED_DATA_NOT_FOUND; Siegel too finds the file missing but reports the first problem met, the missing chain",
            ),
        ),
        row(
            "dss-asic/malformed-container.asics",
            None,
            None,
            None,
            None,
            None,
        ),
        row(
            "dss-asic/no-signature.asics",
            None,
            Some(I),
            None,
            None,
            Some("XAdES inside: no CAdES signature"),
        ),
        row(
            "dss-asic/dss1421-broken.asice",
            None,
            Some(F),
            Some(SubIndication::HashFailure),
            Some("MANIFEST_REFERENCE_BROKEN"),
            Some(
                "as DSS: the container time-stamp fails (the signature changed after the ASiCArchiveManifest named it); the B/T signature itself is intact",
            ),
        ),
        row(
            "dss-asic/containerWithCounterSig.asics",
            None,
            Some(F),
            Some(SubIndication::HashFailure),
            Some("CONTENT_CHANGED"),
            Some(
                "DSS asserts only the counter-signature (intact, INDETERMINATE here untrusted); the master signature's digest does not match the file",
            ),
        ),
        row(
            "dss-asic/onefile-wrong-file.asice",
            None,
            Some(I),
            None,
            None,
            Some("XAdES inside: no CAdES signature"),
        ),
        row(
            "dss-asic/onefile-no-mimetype.asice",
            None,
            Some(I),
            None,
            None,
            Some("XAdES inside: no CAdES signature"),
        ),
    ]
}

#[test]
fn every_corpus_cades_and_asic_file_gets_a_verdict_and_attacks_never_pass() {
    let dir = corpus();
    let mut mismatches = Vec::new();
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv")).unwrap();
    let table = cades_table();
    // Every signature or container the manifest lists is in the table.
    for line in manifest.lines().skip(1) {
        let Some(file) = line.split('\t').next() else {
            continue;
        };
        let content = line.contains("\tcontent for") || line.contains("WRONG detached content");
        if (file.starts_with("dss-cades/") || file.starts_with("dss-asic/"))
            && !content
            && !table.iter().any(|row| row.file == file)
        {
            mismatches.push(format!("{file}: in the manifest but not in the table"));
        }
    }
    for row in &table {
        let path = dir.join(row.file);
        let content = row.content.map(|c| dir.join(c));
        let options = options(trust::Store::new(), "2026-11-22T00:00:00Z");
        let (sender, receiver) = mpsc::channel();
        let asic = row.file.starts_with("dss-asic/");
        std::thread::spawn(move || {
            let result = if asic {
                validate::validate_asic(&path, &options)
            } else {
                validate::validate_cades(&path, content.as_deref(), &options)
            };
            let _ = sender.send(result);
        });
        let result = receiver
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|e| panic!("{}: {e}", row.file));
        let report = match (result, row.indication) {
            (Err(_), None) => continue,
            (Err(error), Some(_)) => {
                mismatches.push(format!("{}: refused: {error}", row.file));
                continue;
            }
            (Ok(report), None) => {
                mismatches.push(format!(
                    "{}: expected a refusal, got {:?}",
                    row.file, report.indication
                ));
                continue;
            }
            (Ok(report), Some(_)) => report,
        };
        assert_ne!(report.indication, Indication::TotalPassed, "{}", row.file);
        let results = || report.signatures.iter().chain(&report.document_timestamps);
        let subs: Vec<_> = results().map(|s| s.subindication).collect();
        let findings: Vec<_> = results()
            .flat_map(|s| s.findings.iter().map(|f| f.id))
            .collect();
        if Some(report.indication) != row.indication
            || row.sub.is_some_and(|sub| !subs.contains(&Some(sub)))
            || row.finding.is_some_and(|id| !findings.contains(&id))
        {
            mismatches.push(format!(
                "{} ({:?}): expected {:?} {:?} {:?}{}, got {:?} {subs:?} {findings:?}",
                row.file,
                row.content,
                row.indication,
                row.sub,
                row.finding,
                row.differs.map(|d| format!(" ({d})")).unwrap_or_default(),
                report.indication
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
