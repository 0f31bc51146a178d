//! `update()` tests of the app: screens open and close, dropped files land where they belong,
//! the PIN dialog opens, closes on Escape and hands the PIN to the sign screen.

use super::*;

fn app() -> App {
    let (mut app, _) = App::new(Vec::new());
    app.settings = Settings::default();
    app.language = Language::En;
    app
}

#[test]
fn dropped_files_then_seal_opens_the_seal_screen() {
    let mut app = app();
    let _ = app.update(Message::FileDropped("a.pdf".into()));
    let _ = app.update(Message::Screen(screen::Message::Start(
        start::Message::Open(Intent::Seal),
    )));
    let Screen::Sign(sign) = &app.screen else {
        panic!("expected the seal screen");
    };
    assert_eq!(sign.intent(), Kind::Seal);
    assert!(app.title().starts_with("Seal documents"));
    let _ = app.update(Message::Escape);
    assert!(matches!(app.screen, Screen::Start(_)));
}

#[test]
fn the_pin_dialog_opens_and_escape_closes_it() {
    let mut app = app();
    let dir = tempfile::tempdir().unwrap();
    let document = dir.path().join("a.pdf");
    std::fs::write(&document, b"%PDF-1.7\n").unwrap();
    let _ = app.update(Message::FileDropped(document));
    let _ = app.update(Message::Screen(screen::Message::Start(
        start::Message::Open(Intent::Seal),
    )));
    let p12 = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/pki/seal-rsa.p12");
    let _ = app.update(Message::Screen(screen::Message::Sign(
        sign::Message::Pkcs12Picked(Some(p12)),
    )));
    let _ = app.update(Message::Screen(screen::Message::Sign(sign::Message::Start)));
    assert!(matches!(app.modal, Some(Modal::Pin(_))));
    // Enter in the app (not the field) does not submit an empty PIN; Escape cancels.
    let _ = app.update(Message::Enter);
    assert!(matches!(app.modal, Some(Modal::Pin(_))));
    let _ = app.update(Message::Escape);
    assert!(app.modal.is_none());
    // Escape again leaves the screen: nothing is running.
    let _ = app.update(Message::Escape);
    assert!(matches!(app.screen, Screen::Start(_)));
}

#[test]
fn settings_open_and_a_saved_language_applies_at_once() {
    let mut app = app();
    let _ = app.update(Message::Screen(screen::Message::Start(
        start::Message::OpenSettings,
    )));
    assert!(matches!(app.screen, Screen::Settings(_)));
    assert_eq!(app.title(), "Settings – Siegel");
    let _ = app.update(Message::Escape);
    assert!(matches!(app.screen, Screen::Start(_)));
}

#[test]
fn a_late_message_for_a_closed_screen_is_ignored() {
    let mut app = app();
    let _ = app.update(Message::Screen(screen::Message::Validate(
        validate::Message::ProtocolSaved(Ok("x".into())),
    )));
    assert!(matches!(app.screen, Screen::Start(_)));
}

#[test]
fn every_screen_renders_in_both_languages() {
    for language in [Language::De, Language::En] {
        let mut app = app();
        app.language = language;
        let _ = app.view();
        let _ = app.update(Message::FileDropped("a.pdf".into()));
        let _ = app.view();
        for intent in [Intent::Sign, Intent::Seal, Intent::Validate] {
            let _ = app.open(intent, vec!["a.pdf".into()]);
            let _ = app.view();
        }
        app.screen = Screen::Settings(settings::Settings::new(&Settings::default()));
        let _ = app.view();
    }
}
