//! `update()` tests of the validation screen: results arrive, details open and close, a
//! protocol is saved, and changes after signing are shown at the top.

use std::time::{Duration, Instant};

use siegel::certificate::Kind;
use siegel::key::{pin::Pin, software};
use siegel::sign;

use super::*;

fn testdata(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(path)
}

fn signed(dir: &Path) -> PathBuf {
    let credential = software::load_pkcs12(
        &testdata("pki/seal-rsa.p12"),
        &Pin::new("siegel-demo".into()),
        software::Options::default(),
    )
    .unwrap();
    let output = dir.join("signed.pdf");
    let request = sign::Request::new(Kind::Seal, chrono::Utc::now());
    sign::sign_pdf(
        &testdata("pdf/classic.pdf"),
        &output,
        &credential,
        &request,
        false,
    )
    .unwrap();
    output
}

fn settings() -> Settings {
    Settings {
        offline: true,
        trust_anchors: vec![testdata("pki/root-ca.pem")],
        // No trusted lists: the user's own cache must not change the results.
        trust_list_dir: Some("/nonexistent/siegel-trust".into()),
        ..Settings::default()
    }
}

#[test]
fn a_validated_document_shows_its_verdict_and_details_toggle() {
    let dir = tempfile::tempdir().unwrap();
    let path = signed(dir.path());
    let (mut screen, _) = Validate::new(vec![path.clone(), path.clone()], &settings());
    assert_eq!(screen.documents.len(), 1, "the same file is validated once");
    assert!(matches!(screen.documents[0].state, State::Validating));
    assert!(screen.options.fetcher.is_none());
    let report = validate::validate_pdf(&path, &screen.options).unwrap();
    assert_eq!(report.indication, Indication::TotalPassed);
    screen.update(
        Message::Validated(0, Ok(Box::new(report.clone()))),
        Language::En,
    );
    assert!(matches!(screen.documents[0].state, State::Done(_)));
    assert!(changes_after_signing(&report, Language::En).is_none());
    screen.update(Message::ToggleDetails(0, 0), Language::En);
    assert!(screen.expanded.contains(&(0, 0)));
    screen.update(Message::ToggleDetails(0, 0), Language::En);
    assert!(screen.expanded.is_empty());
    // The view builds for every state without a window.
    let _ = screen.view(Language::De);
}

#[test]
fn a_document_that_cannot_be_read_is_an_inline_error() {
    let (mut screen, _) = Validate::new(vec!["/nonexistent.pdf".into()], &settings());
    screen.update(
        Message::Validated(0, Err("cannot open".into())),
        Language::En,
    );
    assert!(matches!(&screen.documents[0].state, State::Failed(e) if e == "cannot open"));
    let _ = screen.view(Language::En);
}

#[test]
fn a_broken_trust_anchor_is_reported() {
    let broken = Settings {
        trust_anchors: vec!["/nonexistent/root.pem".into()],
        ..settings()
    };
    let (screen, _) = Validate::new(Vec::new(), &broken);
    assert_eq!(screen.trust_problems.len(), 1);
}

#[test]
fn save_protocol_writes_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = signed(dir.path());
    let (mut screen, _) = Validate::new(vec![path.clone()], &settings());
    let report = validate::validate_pdf(&path, &screen.options).unwrap();
    screen.update(Message::Validated(0, Ok(Box::new(report))), Language::En);
    let target = dir.path().join("protocol.json");
    // An earlier protocol at that name is replaced: the save dialog asked.
    std::fs::write(&target, b"old").unwrap();
    assert!(matches!(
        screen.update(
            Message::ProtocolTarget(0, Some(target.clone())),
            Language::En
        ),
        Action::Task(_)
    ));
    let start = Instant::now();
    while std::fs::read(&target).map_or(true, |b| b.len() < 10) {
        assert!(start.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(json["indication"], "TOTAL_PASSED");
    screen.update(Message::ProtocolSaved(Ok(target)), Language::En);
    assert!(matches!(screen.saved, Some(Ok(_))));
    // Without an extension the protocol is a PDF.
    let pdf = write_protocol(
        &report_of(&screen),
        &dir.path().join("protokoll"),
        siegel::text::Language::De,
    )
    .unwrap();
    assert_eq!(pdf, dir.path().join("protokoll.pdf"));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    // A cancelled save dialog does nothing.
    assert!(matches!(
        screen.update(Message::ProtocolTarget(0, None), Language::En),
        Action::None
    ));
}

#[test]
fn changes_after_signing_are_listed_at_the_top() {
    let dir = tempfile::tempdir().unwrap();
    let path = signed(dir.path());
    let (screen, _) = Validate::new(Vec::new(), &settings());
    let mut report = validate::validate_pdf(&path, &screen.options).unwrap();
    report.signatures[0]
        .modifications
        .push(siegel::validate::report::Modification::new(
            siegel::validate::report::Judgement::NotAllowed,
            "page 1 content changed",
        ));
    report.signatures[0].covers_whole_document = false;
    assert!(changes_after_signing(&report, Language::En).is_some());
}

fn report_of(screen: &Validate) -> Report {
    match &screen.documents[0].state {
        State::Done(report) => (**report).clone(),
        _ => panic!("no report"),
    }
}

#[test]
fn tab_and_enter_open_the_details() {
    let dir = tempfile::tempdir().unwrap();
    let path = signed(dir.path());
    let (mut screen, _) = Validate::new(vec![path.clone()], &settings());
    let report = validate::validate_pdf(&path, &screen.options).unwrap();
    screen.update(Message::Validated(0, Ok(Box::new(report))), Language::En);
    for _ in 0..4 {
        screen.update(Message::FocusNext(false), Language::En);
    }
    assert_eq!(screen.focus.current(), Some(Focus::Details(0, 0)));
    screen.update(Message::Activate, Language::En);
    assert!(screen.expanded.contains(&(0, 0)));
}

#[test]
fn stop_waiting_drops_the_late_result() {
    let dir = tempfile::tempdir().unwrap();
    let path = signed(dir.path());
    let (mut screen, _) = Validate::new(vec![path.clone()], &settings());
    screen.update(Message::StopWaiting(0), Language::En);
    assert!(matches!(&screen.documents[0].state, State::Failed(_)));
    let report = validate::validate_pdf(&path, &screen.options).unwrap();
    screen.update(Message::Validated(0, Ok(Box::new(report))), Language::En);
    assert!(matches!(&screen.documents[0].state, State::Failed(_)));
    // Adding it again retries.
    let _ = screen.add_files(vec![path]);
    assert_eq!(screen.documents.len(), 1);
    assert!(matches!(&screen.documents[0].state, State::Validating));
}

#[test]
fn a_detached_cades_signature_shows_the_file_it_signs() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("Antrag.xml");
    std::fs::write(&content, "<antrag/>\n").unwrap();
    let credential = software::load_pkcs12(
        &testdata("pki/seal-rsa.p12"),
        &Pin::new("siegel-demo".into()),
        software::Options::default(),
    )
    .unwrap();
    let signature = dir.path().join("Antrag.xml.p7s");
    sign::cades::sign_file(
        &content,
        &signature,
        &credential,
        &sign::Request::new(Kind::Seal, chrono::Utc::now()),
        sign::cades::Packaging::Detached,
        false,
    )
    .unwrap();
    let (mut screen, _) = Validate::new(vec![signature.clone()], &settings());
    let report = validate::validate_cades(&signature, None, &screen.options).unwrap();
    assert_eq!(report.indication, Indication::TotalPassed, "{report:?}");
    let shown = &report.contents[0];
    assert_eq!(shown.name, content.display().to_string());
    assert_eq!(shown.size, Some(10));
    assert_eq!(shown.signed_by, [report.signatures[0].field.clone()]);
    screen.update(Message::Validated(0, Ok(Box::new(report))), Language::De);
    let _ = screen.view(Language::De);
    // Choosing the signed file finds its signature beside it; a PDF never does.
    assert_eq!(signature_beside(&content), Some(signature));
    assert_eq!(signature_beside(&dir.path().join("other.xml")), None);
}
