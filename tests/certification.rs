//! Certified documents (ISO 32000-2 §12.8.2.2 DocMDP) and the attacks on them: the Evil
//! Annotation and Sneaky Signature attacks (Rohlmann et al., IEEE S&P 2021), form filling
//! under each level, and a shadow hide-and-replace. Every attack file is made here, from our
//! own certified documents, by appending the incremental update an attacker would append.

use std::io::Write;
use std::path::{Path, PathBuf};

use lopdf::{Dictionary, Object, Stream};
use siegel::certificate::Kind;
use siegel::pdf::{self, permissions::DocMdp, update::Update};
use siegel::sign;
use siegel::validate::{Indication, SubIndication};

use crate::support::{self, credential, pdf, request, validate};

fn certified(dir: &Path, input: &Path, level: DocMdp) -> PathBuf {
    let output = dir.join(format!("certified-{}.pdf", level.p()));
    let mut certify = request(Kind::Seal);
    certify.certify = Some(level);
    sign::sign_pdf(input, &output, &credential("seal-rsa.p12"), &certify, false).unwrap();
    output
}

/// Appends the incremental update `change` builds, as an attacker's tool would.
fn append(path: &Path, change: impl FnOnce(&mut pdf::File, &mut Update)) {
    let mut file = pdf::File::open(path).unwrap();
    let mut update = Update::new(&file);
    change(&mut file, &mut update);
    let written = update.write().unwrap();
    let mut out = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    out.write_all(&written.bytes).unwrap();
}

fn name(text: &str) -> Object {
    Object::Name(text.as_bytes().to_vec())
}

fn rect(x1: i64, y1: i64, x2: i64, y2: i64) -> Object {
    Object::Array(vec![x1.into(), y1.into(), x2.into(), y2.into()])
}

/// An appearance stream that writes `text`.
fn appearance(text: &str) -> Object {
    let content = format!("BT /Helv 14 Tf 0 g 4 10 Td ({text}) Tj ET");
    let mut dict = Dictionary::new();
    dict.set("Type", name("XObject"));
    dict.set("Subtype", name("Form"));
    dict.set("BBox", rect(0, 0, 300, 40));
    Object::Stream(Stream::new(dict, content.into_bytes()))
}

/// Adds `annotation` to the first page's `/Annots` (direct or indirect).
fn add_annotation(file: &mut pdf::File, update: &mut Update, annotation: Dictionary) -> u32 {
    let (page_id, mut page) = file.first_page().unwrap();
    let id = update.allocate();
    update.set(id, Object::Dictionary(annotation));
    match page.get(b"Annots").cloned() {
        Ok(Object::Reference(annots)) => {
            let mut list = file.resolve(&Object::Reference(annots)).unwrap();
            list.as_array_mut().unwrap().push(Object::Reference(id));
            update.set(annots, list);
        }
        Ok(Object::Array(mut list)) => {
            list.push(Object::Reference(id));
            page.set("Annots", Object::Array(list));
            update.set(page_id, Object::Dictionary(page));
        }
        _ => {
            page.set("Annots", Object::Array(vec![Object::Reference(id)]));
            update.set(page_id, Object::Dictionary(page));
        }
    }
    id.0
}

/// Where classic.pdf has nothing, and where its text is.
const BLANK: [i64; 4] = [72, 600, 372, 640];
const OVER_TEXT: [i64; 4] = [72, 705, 372, 745];

fn annotation(subtype: &str, update: &mut Update, at: [i64; 4]) -> Dictionary {
    let ap = update.allocate();
    update.set(ap, appearance("Betrag: 0,00 EUR"));
    let mut annotation = Dictionary::new();
    annotation.set("Type", name("Annot"));
    annotation.set("Subtype", name(subtype));
    annotation.set("Rect", rect(at[0], at[1], at[2], at[3]));
    annotation.set("F", Object::Integer(4));
    let mut ap_dict = Dictionary::new();
    ap_dict.set("N", Object::Reference(ap));
    annotation.set("AP", Object::Dictionary(ap_dict));
    annotation
}

fn finding_ids(signature: &siegel::validate::report::Signature) -> Vec<&str> {
    signature.findings.iter().map(|f| f.id).collect()
}

#[test]
fn a_certified_document_can_be_signed_again_at_level_2_but_not_at_level_1() {
    let dir = tempfile::tempdir().unwrap();
    for (level, passes) in [(DocMdp::FormFilling, true), (DocMdp::NoChanges, false)] {
        let certified = certified(dir.path(), &pdf("classic.pdf"), level);
        let report = validate(&certified);
        assert_eq!(report.indication, Indication::TotalPassed, "{level:?}");
        if level == DocMdp::FormFilling {
            support::assert_pyhanko_accepts(&certified, 1);
        }

        let signed = dir.path().join(format!("signed-{}.pdf", level.p()));
        support::sign_with(&certified, &signed, "signature-rsa.p12", Kind::Signature);
        let report = validate(&signed);
        let certification = &report.signatures[0];
        assert_eq!(report.signatures[1].indication, Indication::TotalPassed);
        if passes {
            assert_eq!(certification.indication, Indication::TotalPassed);
            assert!(
                certification
                    .modifications
                    .iter()
                    .any(|m| m.to_string().contains("added and signed")),
                "{:?}",
                certification.modifications
            );
        } else {
            assert_eq!(certification.indication, Indication::TotalFailed);
            assert!(certification.messages[0].contains("allows no changes"));
        }
    }
}

#[test]
fn only_the_first_signature_can_certify() {
    let dir = tempfile::tempdir().unwrap();
    let signed = dir.path().join("signed.pdf");
    support::sign_with(&pdf("classic.pdf"), &signed, "seal-rsa.p12", Kind::Seal);
    let mut certify = request(Kind::Seal);
    certify.certify = Some(DocMdp::FormFilling);
    let error = sign::sign_pdf(
        &signed,
        &dir.path().join("out.pdf"),
        &credential("seal-rsa.p12"),
        &certify,
        false,
    )
    .unwrap_err();
    assert!(error.to_string().contains("first signature"), "{error}");
    assert!(!dir.path().join("out.pdf").exists());
}

#[test]
fn annotations_follow_the_certification_and_never_cover_signed_content() {
    // Level 3 allows annotations, but none whose appearance covers what was certified (the
    // Evil Annotation Attack); level 2 allows none at all.
    for (level, subtype, at, expected) in [
        (
            DocMdp::Annotations,
            "FreeText",
            OVER_TEXT,
            Indication::Indeterminate,
        ),
        (
            DocMdp::Annotations,
            "Stamp",
            OVER_TEXT,
            Indication::Indeterminate,
        ),
        (
            DocMdp::Annotations,
            "FreeText",
            BLANK,
            Indication::TotalPassed,
        ),
        (DocMdp::FormFilling, "Text", BLANK, Indication::TotalFailed),
        (DocMdp::Annotations, "Text", BLANK, Indication::TotalPassed),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = certified(dir.path(), &pdf("classic.pdf"), level);
        append(&path, |file, update| {
            let annotation = annotation(subtype, update, at);
            add_annotation(file, update, annotation);
        });
        let report = validate(&path);
        let certification = &report.signatures[0];
        let case = format!("{subtype} at level {} at {at:?}", level.p());
        assert_eq!(
            certification.indication, expected,
            "{case}: {:?}",
            certification.messages
        );
        if expected == Indication::TotalPassed {
            assert!(
                certification.modifications.iter().any(|m| m
                    .to_string()
                    .starts_with(&format!("allowed: {subtype} annotation"))),
                "{case}: {:?}",
                certification.modifications
            );
        } else {
            assert!(
                finding_ids(certification).contains(&"EVIL_ANNOTATION_ATTACK"),
                "{case}: {:?}",
                certification.findings
            );
        }
        if expected == Indication::TotalFailed {
            assert_eq!(
                certification.subindication,
                Some(SubIndication::FormatFailure)
            );
        }
    }
}

#[test]
fn a_sneaky_signature_field_over_certified_content_is_never_passed() {
    for (at, expected) in [
        (OVER_TEXT, Indication::Indeterminate),
        (BLANK, Indication::TotalPassed),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = certified(dir.path(), &pdf("classic.pdf"), DocMdp::FormFilling);
        // A new, unsigned signature field whose widget draws text on the page.
        append(&path, |file, update| {
            let mut widget = annotation("Widget", update, at);
            widget.set("FT", name("Sig"));
            widget.set("T", Object::string_literal("Freigabe"));
            let id = add_annotation(file, update, widget);
            let (_, catalog) = file.catalog().unwrap();
            let form_ref = catalog.get(b"AcroForm").unwrap().clone();
            let mut form = file.dictionary(&form_ref).unwrap();
            let mut fields = file.resolve(form.get(b"Fields").unwrap()).unwrap();
            fields
                .as_array_mut()
                .unwrap()
                .push(Object::Reference((id, 0)));
            match form.get(b"Fields").unwrap().clone() {
                Object::Reference(fields_id) => update.set(fields_id, fields),
                _ => {
                    form.set("Fields", fields);
                    update.set(form_ref.as_reference().unwrap(), Object::Dictionary(form));
                }
            }
        });
        let report = validate(&path);
        let certification = &report.signatures[0];
        assert_eq!(
            certification.indication, expected,
            "{at:?}: {:?}",
            certification.messages
        );
        if expected == Indication::Indeterminate {
            assert_eq!(
                certification.subindication,
                Some(SubIndication::SigConstraintsFailure)
            );
            assert!(
                finding_ids(certification).contains(&"SNEAKY_SIGNATURE_ATTACK"),
                "{:?}",
                certification.findings
            );
        } else {
            assert!(
                certification.modifications.iter().any(|m| m
                    .to_string()
                    .contains("empty signature field Freigabe added")),
                "{:?}",
                certification.modifications
            );
        }
    }
}

/// Fills the form's text field with `value`: a new `/V` and a new appearance.
fn fill(path: &Path, value: &str) {
    append(path, |file, update| {
        let (page_id, page) = file.first_page().unwrap();
        let _ = page_id;
        let annots = file.resolve(page.get(b"Annots").unwrap()).unwrap();
        let field_ref = annots.as_array().unwrap()[0].clone();
        let mut field = file.dictionary(&field_ref).unwrap();
        let ap = update.allocate();
        update.set(ap, appearance(value));
        field.set("V", Object::string_literal(value));
        let mut ap_dict = Dictionary::new();
        ap_dict.set("N", Object::Reference(ap));
        field.set("AP", Object::Dictionary(ap_dict));
        update.set(field_ref.as_reference().unwrap(), Object::Dictionary(field));
    });
}

#[test]
fn form_filling_is_allowed_only_where_a_certification_allows_it() {
    let dir = tempfile::tempdir().unwrap();
    let form = pdf("form.pdf");

    let allowed = certified(dir.path(), &form, DocMdp::FormFilling);
    fill(&allowed, "43-NEU-2026");
    let report = validate(&allowed);
    let certification = &report.signatures[0];
    assert_eq!(certification.indication, Indication::TotalPassed);
    assert!(
        certification
            .modifications
            .iter()
            .any(|m| m.to_string().contains("form field Aktenzeichen filled in")),
        "{:?}",
        certification.modifications
    );

    let forbidden = certified(dir.path(), &form, DocMdp::NoChanges);
    fill(&forbidden, "43-NEU-2026");
    assert_eq!(
        validate(&forbidden).signatures[0].indication,
        Indication::TotalFailed
    );

    // An approval signature grants nothing: a changed field there is the shadow "replace".
    let approved = dir.path().join("approved.pdf");
    support::sign_with(&form, &approved, "seal-rsa.p12", Kind::Seal);
    fill(&approved, "43-NEU-2026");
    let signature = &validate(&approved).signatures[0];
    assert_eq!(signature.indication, Indication::Indeterminate);
    assert_eq!(
        signature.subindication,
        Some(SubIndication::SigConstraintsFailure)
    );
    assert!(finding_ids(signature).contains(&"SHADOW_ATTACK_REPLACE"));
}

#[test]
fn content_hidden_in_the_signed_file_and_switched_on_later_is_a_shadow_attack() {
    let dir = tempfile::tempdir().unwrap();
    // The attacker prepares the document: an alternative page content nobody uses yet.
    let prepared = dir.path().join("prepared.pdf");
    std::fs::copy(pdf("classic.pdf"), &prepared).unwrap();
    let mut hidden = 0;
    append(&prepared, |_, update| {
        let id = update.allocate();
        hidden = id.0;
        let content = b"BT /F1 24 Tf 72 700 Td (Bescheid: abgelehnt) Tj ET".to_vec();
        update.set(id, Object::Stream(Stream::new(Dictionary::new(), content)));
    });
    let signed = dir.path().join("signed.pdf");
    support::sign_with(&prepared, &signed, "seal-rsa.p12", Kind::Seal);
    assert_eq!(validate(&signed).indication, Indication::TotalPassed);

    // After signing, the page is pointed at the hidden content.
    append(&signed, |file, update| {
        let (page_id, mut page) = file.first_page().unwrap();
        page.set("Contents", Object::Reference((hidden, 0)));
        update.set(page_id, Object::Dictionary(page));
    });
    let signature = &validate(&signed).signatures[0];
    assert_eq!(signature.indication, Indication::TotalFailed);
    let ids = finding_ids(signature);
    assert!(ids.contains(&"SHADOW_ATTACK_HIDE_AND_REPLACE"), "{ids:?}");
    assert!(ids.contains(&"INCREMENTAL_SAVING_ATTACK"), "{ids:?}");
}
