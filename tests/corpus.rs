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
