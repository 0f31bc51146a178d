//! `update()` tests of the sign / seal screen: key choice, PIN flow, batch progress, per
//! document confirmation, errors and output naming. No window; worker threads run for real.

use std::time::{Duration, Instant};

use siegel::key::pin::Pin;

use super::*;

fn testdata(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(path)
}

fn passphrase() -> Pin {
    Pin::new("siegel-demo".into())
}

/// `count` copies of an unsigned PDF in a fresh folder.
fn documents(count: usize) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let files = (0..count)
        .map(|i| {
            let path = dir.path().join(format!("brief-{i}.pdf"));
            std::fs::copy(testdata("pdf/classic.pdf"), &path).unwrap();
            path
        })
        .collect();
    (dir, files)
}

fn screen(intent: Kind, files: Vec<PathBuf>) -> Sign {
    let (mut screen, _) = Sign::new(intent, files, &Settings::default());
    // No token search in tests: an empty list, as on a machine without cards.
    screen.update(
        Message::KeysLoaded(Arc::new((Vec::new(), Vec::new()))),
        Language::En,
    );
    screen
}

fn open(p12: &str) -> Credential {
    keys::open(&keys::Source::Pkcs12(testdata(p12)), Some(passphrase())).unwrap()
}

fn wait_for(path: &Path) {
    let start = Instant::now();
    while !path.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn start_without_a_key_says_so() {
    let (_dir, files) = documents(1);
    let mut screen = screen(Kind::Seal, files);
    assert!(matches!(
        screen.update(Message::Start, Language::En),
        Action::None
    ));
    assert_eq!(
        screen.error.as_ref().map(|e| e.0.as_str()),
        Some(Language::En.t("sign.choose_key"))
    );
    assert!(matches!(screen.run, Run::Idle));
}

#[test]
fn a_level_with_time_stamp_needs_a_tsa_before_any_pin_is_asked() {
    let (_dir, files) = documents(1);
    let mut screen = screen(Kind::Seal, files);
    screen.update(
        Message::Pkcs12Picked(Some(testdata("pki/seal-rsa.p12"))),
        Language::En,
    );
    screen.update(Message::LevelChanged(sign::Level::T), Language::En);
    assert!(matches!(
        screen.update(Message::Start, Language::En),
        Action::None
    ));
    assert!(screen.error.is_some());
    assert!(matches!(screen.run, Run::Idle));
}

#[test]
fn seal_asks_once_then_signs_every_document_beside_its_input() {
    let (_dir, files) = documents(2);
    let mut screen = screen(Kind::Seal, files.clone());
    screen.update(
        Message::Pkcs12Picked(Some(testdata("pki/seal-rsa.p12"))),
        Language::En,
    );
    let Action::AskSecret(request) = screen.update(Message::Start, Language::En) else {
        panic!("expected the passphrase dialog");
    };
    assert!(request.passphrase);
    assert_eq!(request.name, "seal-rsa.p12");
    assert!(matches!(screen.run, Run::Unlocking));
    // The app hands the secret to `unlock`; the worker's result arrives as `Opened`.
    let credential = open("pki/seal-rsa.p12");
    let Action::Task(_) = screen.update(Message::Opened(Ok(credential)), Language::En) else {
        panic!("expected the batch to start");
    };
    assert!(matches!(screen.run, Run::Running { .. }));
    assert!(matches!(
        screen.update(Message::Back, Language::En),
        Action::None
    ));
    let outputs: Vec<PathBuf> = files
        .iter()
        .map(|f| {
            f.with_file_name(format!(
                "{}-sealed.pdf",
                f.file_stem().unwrap().to_string_lossy()
            ))
        })
        .collect();
    for (index, output) in outputs.iter().enumerate() {
        wait_for(output);
        screen.update(Message::Progress(Event::Started(index)), Language::En);
        assert_eq!(screen.documents[index].state, State::Signing);
        screen.update(
            Message::Progress(Event::Finished(index, Ok(output.clone()))),
            Language::En,
        );
    }
    screen.update(Message::Progress(Event::Ended), Language::En);
    assert!(matches!(screen.run, Run::Finished));
    assert!(
        screen
            .documents
            .iter()
            .all(|d| matches!(d.state, State::Done(_)))
    );
    assert_eq!(screen.output_folder().as_deref(), files[0].parent());
    // Inputs are untouched.
    assert_eq!(
        std::fs::read(&files[0]).unwrap(),
        std::fs::read(testdata("pdf/classic.pdf")).unwrap()
    );
}

#[test]
fn wrong_passphrase_is_shown_and_never_retried() {
    let (_dir, files) = documents(1);
    let mut screen = screen(Kind::Seal, files);
    screen.update(
        Message::Pkcs12Picked(Some(testdata("pki/seal-rsa.p12"))),
        Language::En,
    );
    screen.update(Message::Start, Language::En);
    let error = keys::open(
        &keys::Source::Pkcs12(testdata("pki/seal-rsa.p12")),
        Some(Pin::new("wrong".into())),
    )
    .unwrap_err()
    .to_string();
    assert!(!error.contains("wrong\""), "{error}");
    assert!(matches!(
        screen.update(Message::Opened(Err(error)), Language::En),
        Action::None
    ));
    assert!(matches!(screen.run, Run::Idle));
    let (cause, details) = screen.error.clone().unwrap();
    assert_eq!(cause, Language::En.t("sign.open_failed"));
    assert!(details.contains("passphrase"), "{details}");
}

#[test]
fn pin_dialog_cancelled_returns_to_idle() {
    let (_dir, files) = documents(1);
    let mut screen = screen(Kind::Seal, files);
    screen.update(
        Message::Pkcs12Picked(Some(testdata("pki/seal-rsa.p12"))),
        Language::En,
    );
    screen.update(Message::Start, Language::En);
    screen.secret_cancelled();
    assert!(matches!(screen.run, Run::Idle));
}

#[test]
fn a_personal_certificate_is_refused_for_a_seal() {
    let (_dir, files) = documents(1);
    let mut screen = screen(Kind::Seal, files);
    screen.update(
        Message::Pkcs12Picked(Some(testdata("pki/signature-rsa.p12"))),
        Language::En,
    );
    screen.update(Message::Start, Language::En);
    let credential = open("pki/signature-rsa.p12");
    assert!(matches!(
        screen.update(Message::Opened(Ok(credential)), Language::En),
        Action::None
    ));
    let (cause, details) = screen.error.clone().unwrap();
    assert_eq!(cause, Language::En.t("sign.wrong_key"));
    // The app's own words, not the library's (nor a command-line flag).
    assert!(
        details.starts_with("A personal certificate") && !details.contains("--"),
        "{details}"
    );
}

#[test]
fn a_signature_is_confirmed_document_by_document() {
    let (_dir, files) = documents(3);
    let mut screen = screen(Kind::Signature, files.clone());
    screen.update(
        Message::Pkcs12Picked(Some(testdata("pki/signature-rsa.p12"))),
        Language::En,
    );
    screen.update(Message::Start, Language::En);
    let credential = open("pki/signature-rsa.p12");
    let Action::Confirm(first) = screen.update(Message::Opened(Ok(credential)), Language::En)
    else {
        panic!("expected a confirmation for the first document");
    };
    assert_eq!(first.document, "brief-0.pdf");
    assert_eq!(first.remaining, 3);
    let Action::Confirm(second) = screen.confirmed(confirm::Message::Skip) else {
        panic!("expected the next document");
    };
    assert_eq!(second.document, "brief-1.pdf");
    assert_eq!(screen.documents[0].state, State::Skipped);
    let Action::Task(_) = screen.confirmed(confirm::Message::Sign) else {
        panic!("expected signing to start");
    };
    let output = files[1].with_file_name("brief-1-signed.pdf");
    wait_for(&output);
    screen.update(Message::Progress(Event::Started(1)), Language::En);
    screen.update(
        Message::Progress(Event::Finished(1, Ok(output))),
        Language::En,
    );
    let Action::Confirm(third) = screen.update(Message::Progress(Event::Ended), Language::En)
    else {
        panic!("expected the third document");
    };
    assert_eq!(third.document, "brief-2.pdf");
    assert!(matches!(
        screen.confirmed(confirm::Message::Stop),
        Action::None
    ));
    assert!(matches!(screen.run, Run::Finished));
    assert_eq!(screen.documents[2].state, State::Queued);
}

#[test]
fn cancel_stops_the_batch_between_documents() {
    let (_dir, files) = documents(1);
    let mut screen = screen(Kind::Seal, files);
    screen.update(
        Message::Pkcs12Picked(Some(testdata("pki/seal-rsa.p12"))),
        Language::En,
    );
    screen.update(Message::Start, Language::En);
    screen.update(Message::Opened(Ok(open("pki/seal-rsa.p12"))), Language::En);
    let Run::Running { cancel, .. } = &screen.run else {
        panic!("expected a running batch");
    };
    let cancel = cancel.clone();
    screen.update(Message::Cancel, Language::En);
    assert!(cancel.is_cancelled());
}

#[test]
fn only_usable_token_keys_can_be_selected() {
    // Without a token at hand, the library's rule is asked for a PKCS#12 certificate, as
    // `keys::Choice::fit` asks it for a token's.
    let credential = open("pki/seal-rsa.p12");
    let certificate = credential.certificate();
    let now = chrono::Utc::now();
    let fit = |intent| sign::check_certificate(certificate, Some(intent), now);
    assert!(fit(Kind::Seal).is_ok());
    assert!(matches!(
        fit(Kind::Signature),
        Err(sign::Error::WrongKind {
            actual: Kind::Seal,
            ..
        })
    ));
    let later = certificate.not_after() + chrono::Duration::days(1);
    assert!(matches!(
        sign::check_certificate(certificate, Some(Kind::Seal), later),
        Err(sign::Error::Expired { .. })
    ));
}

#[test]
fn tab_reaches_the_key_file_and_enter_cycles_the_level() {
    let (_dir, files) = documents(1);
    let mut screen = screen(Kind::Seal, files);
    let order: Vec<Focus> = (0..9)
        .map(|_| {
            screen.update(Message::FocusNext(false), Language::En);
            screen.focus.current().unwrap()
        })
        .collect();
    assert_eq!(
        order,
        [
            Focus::Back,
            Focus::Add,
            Focus::Remove(0),
            Focus::Pkcs12Path,
            Focus::ChooseKeyFile,
            Focus::Level,
            Focus::Reason,
            Focus::Location,
            Focus::Placement,
        ]
    );
    // Enter on the position cycles it like the level.
    screen.update(Message::Activate, Language::En);
    assert_eq!(screen.placement, sign::Placement::FirstTopLeft);
    for _ in 0..3 {
        screen.update(Message::FocusNext(true), Language::En);
    }
    assert_eq!(screen.focus.current(), Some(Focus::Level));
    screen.update(Message::Activate, Language::En);
    assert_eq!(screen.level, sign::Level::T);
    // Enter in a text field starts: without a key, the screen says what is missing.
    screen.update(Message::FocusNext(false), Language::En);
    screen.update(Message::Activate, Language::En);
    assert!(screen.error.is_some());
}

/// Where the worker puts the stamp for `input` with the screen's current placement.
fn placed(screen: &Sign, input: &Path) -> Option<siegel::pdf::appearance::Visible> {
    screen.placement.visible(input).unwrap()
}

#[test]
fn a_corner_puts_the_stamp_there_on_an_a4_page() {
    use siegel::pdf::appearance::Page;
    let (_dir, files) = documents(1);
    let mut screen = screen(Kind::Seal, files.clone());
    assert_eq!(screen.placement, sign::Placement::Invisible);
    assert_eq!(placed(&screen, &files[0]), None);

    let Action::Remember(remembered) = screen.update(
        Message::PlacementChanged(sign::Placement::LastBottomRight),
        Language::En,
    ) else {
        panic!("expected the choice to be remembered in the settings");
    };
    assert_eq!(remembered.placement, sign::Placement::LastBottomRight);
    let visible = placed(&screen, &files[0]).unwrap();
    assert_eq!(visible.page, Page::Last);
    assert_eq!((visible.x, visible.y), (359.0, 36.0));
    assert_eq!((visible.width, visible.height), (200.0, 60.0));

    screen.update(
        Message::PlacementChanged(sign::Placement::FirstTopLeft),
        Language::En,
    );
    let visible = placed(&screen, &files[0]).unwrap();
    assert_eq!(visible.page, Page::Number(1));
    assert_eq!((visible.x, visible.y), (36.0, 842.0 - 36.0 - 60.0));

    screen.update(
        Message::PlacementChanged(sign::Placement::Invisible),
        Language::En,
    );
    assert_eq!(placed(&screen, &files[0]), None);
    // Choosing what is chosen already writes nothing.
    assert!(matches!(
        screen.update(
            Message::PlacementChanged(sign::Placement::Invisible),
            Language::En
        ),
        Action::None
    ));
}

#[test]
fn a_sealed_document_gets_the_stamp_in_english_in_the_chosen_corner() {
    let (_dir, files) = documents(1);
    let mut screen = screen(Kind::Seal, files.clone());
    screen.update(
        Message::PlacementChanged(sign::Placement::LastBottomRight),
        Language::En,
    );
    screen.update(
        Message::Pkcs12Picked(Some(testdata("pki/seal-rsa.p12"))),
        Language::En,
    );
    screen.update(Message::Start, Language::En);
    let Action::Task(_) =
        screen.update(Message::Opened(Ok(open("pki/seal-rsa.p12"))), Language::En)
    else {
        panic!("expected the batch to start");
    };
    let output = files[0].with_file_name("brief-0-sealed.pdf");
    wait_for(&output);

    let mut file = siegel::pdf::File::open(&output).unwrap();
    let page = *file.pages().unwrap().last().unwrap();
    let page = file.dictionary(&lopdf::Object::Reference(page)).unwrap();
    let annots = file.resolve(page.get(b"Annots").unwrap()).unwrap();
    let rects: Vec<Vec<f32>> = annots
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let widget = file.dictionary(a).unwrap();
            let rect = file.resolve(widget.get(b"Rect").unwrap()).unwrap();
            rect.as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_float().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(rects, [vec![359.0, 36.0, 559.0, 96.0]]);
    // The stamp's first line, as the appearance stream writes it (WinAnsi in hex).
    let hex: String = "Digitally sealed by"
        .bytes()
        .map(|b| format!("{b:02X}"))
        .collect();
    let bytes = std::fs::read(&output).unwrap();
    assert!(
        bytes.windows(hex.len()).any(|w| w == hex.as_bytes()),
        "the stamp is not in English"
    );
}
