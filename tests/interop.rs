//! Independent validators: every file Siegel signs must be accepted by pyHanko and poppler's
//! pdfsig, including files that another tool signed first.

use siegel::certificate::Kind;

use crate::support::{self, pdf, sign_with};

#[test]
fn pyhanko_and_pdfsig_accept_every_structure_signed_twice() {
    let dir = tempfile::tempdir().unwrap();
    for name in support::STRUCTURES {
        let sealed = dir.path().join(format!("sealed-{name}"));
        let twice = dir.path().join(format!("twice-{name}"));
        sign_with(&pdf(name), &sealed, "seal-rsa.p12", Kind::Seal);
        let before = if *name == "signed-pyhanko.pdf" { 1 } else { 0 };
        support::assert_pyhanko_accepts(&sealed, before + 1);
        support::assert_pdfsig_accepts(&sealed, before + 1);
        sign_with(&sealed, &twice, "signature-ec.p12", Kind::Signature);
        support::assert_pyhanko_accepts(&twice, before + 2);
        support::assert_pdfsig_accepts(&twice, before + 2);
    }
}

#[test]
fn a_signature_made_by_pyhanko_first_stays_valid_in_both_tools() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("after-pyhanko.pdf");
    sign_with(
        &pdf("signed-pyhanko.pdf"),
        &output,
        "seal-ec.p12",
        Kind::Seal,
    );
    support::assert_pyhanko_accepts(&output, 2);
    support::assert_pdfsig_accepts(&output, 2);
    let report = support::validate(&output);
    assert_eq!(report.signatures.len(), 2);
    assert_eq!(report.signatures[0].field, "Sig1");
    assert!(
        report
            .signatures
            .iter()
            .all(|s| s.indication == siegel::validate::Indication::TotalPassed)
    );
}
