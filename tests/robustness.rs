//! Hostile and damaged input: every single-byte change to the signed bytes is caught, and no
//! truncation or mutation makes the verifier panic.

use siegel::certificate::Kind;
use siegel::validate::{self, Indication};

use crate::support::{self, pdf, sign_with};

#[test]
fn every_changed_signed_byte_is_detected_and_no_change_panics() {
    let dir = tempfile::tempdir().unwrap();
    let signed = dir.path().join("signed.pdf");
    let outcome = sign_with(&pdf("xref-stream.pdf"), &signed, "seal-ec.p12", Kind::Seal);
    let gap = outcome.byte_range[1] as usize..outcome.byte_range[2] as usize;
    let original = std::fs::read(&signed).unwrap();
    let mutated = dir.path().join("mutated.pdf");
    let options = validate::Options {
        crypto: Default::default(),
        trust: support::trust_root(),
        time: support::time(),
        fetcher: None,
    };
    // Every 5th byte, with flips that never just change the case of a hex digit.
    let flips = [0x01u8, 0x02, 0x04, 0x08, 0x10, 0x40, 0x80];
    for (step, position) in (0..original.len()).step_by(5).enumerate() {
        let mut bytes = original.clone();
        bytes[position] ^= flips[step % flips.len()];
        // Inside /Contents only the signed attributes and the signature value are protected
        // (certificates in the CMS are unsigned data; the root copy is not even used), so
        // there the verifier must merely survive.
        let must_fail = !gap.contains(&position);
        std::fs::write(&mutated, &bytes).unwrap();
        if let Ok(report) = validate::validate_pdf(&mutated, &options)
            && must_fail
        {
            assert_ne!(
                report.indication,
                Indication::TotalPassed,
                "byte {position} changed and the signature still passed"
            );
        }
    }
}

#[test]
fn truncated_signed_files_never_pass_or_panic() {
    let dir = tempfile::tempdir().unwrap();
    let signed = dir.path().join("signed.pdf");
    sign_with(&pdf("form.pdf"), &signed, "seal-rsa.p12", Kind::Seal);
    let original = std::fs::read(&signed).unwrap();
    let cut = dir.path().join("cut.pdf");
    let options = validate::Options {
        crypto: Default::default(),
        trust: support::trust_root(),
        time: support::time(),
        fetcher: None,
    };
    for len in (0..original.len() - 1).step_by(37) {
        std::fs::write(&cut, &original[..len]).unwrap();
        if let Ok(report) = validate::validate_pdf(&cut, &options) {
            assert_ne!(
                report.indication,
                Indication::TotalPassed,
                "truncated at {len}"
            );
        }
    }
}

#[test]
fn hostile_structures_give_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hostile.pdf");
    let options = validate::Options {
        crypto: Default::default(),
        trust: support::trust_root(),
        time: support::time(),
        fetcher: None,
    };
    let deep = format!(
        "%PDF-1.7\n1 0 obj\n{}\nendobj\ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n",
        "[".repeat(100_000)
    );
    // Wrong offsets everywhere, and a stream whose /Length is itself behind a wrong offset:
    // recovery must read it by scanning and must not recurse into recovery again.
    let body = "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Length 3 0 R >>\nstream\nabc\nendstream\nendobj\n3 0 obj\n3\nendobj\n";
    let wrong_offsets = format!(
        "{body}xref\n0 4\n0000000000 65535 f \n0000000001 00000 n \n0000000002 00000 n \n0000000003 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{}\n%%EOF\n",
        body.len()
    );
    let cases: Vec<Vec<u8>> = vec![
        wrong_offsets.into_bytes(),
        deep.into_bytes(),
        // A /Prev chain that points at itself.
        b"%PDF-1.7\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 /Prev 9 /Root 1 0 R >>\nstartxref\n9\n%%EOF\n".to_vec(),
        // A stream with an absurd length, and a reference cycle through /Length.
        b"%PDF-1.7\n1 0 obj\n<< /Length 1 0 R >>\nstream\nxx\nendstream\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n63\n%%EOF\n".to_vec(),
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /AcroForm << /Fields [2 0 R] >> >>\nendobj\n2 0 obj\n<< /Kids [2 0 R] /T (a) >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".to_vec(),
        b"%PDF-".to_vec(),
    ];
    for (index, bytes) in cases.iter().enumerate() {
        std::fs::write(&path, bytes).unwrap();
        if let Ok(report) = validate::validate_pdf(&path, &options) {
            assert_ne!(report.indication, Indication::TotalPassed, "case {index}");
        }
    }
}
