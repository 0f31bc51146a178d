//! What the targets share: one offline validation at a fixed time against the test root, and
//! the panic policy. Not a target itself (`cargo fuzz list` shows only the `[[bin]]`s).

#![allow(dead_code, reason = "each target uses a part")]

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use siegel::{certificate, trust, validate};

/// The test suite's fixed clock (tests/support.rs), inside the test PKI's validity.
const TIME: &str = "2026-06-01T12:00:00Z";
const ROOT: &[u8] = include_bytes!("../../testdata/pki/root-ca.pem");

/// Installs the panic policy: a panic that reaches the harness still aborts (libFuzzer's
/// `catch_unwind` around every input does that), but one the library catches on purpose, as
/// `siegel::pdf::render` does around the third-party rasteriser, is printed and survived.
/// libfuzzer-sys's own hook would abort before the library's `catch_unwind` could act.
pub fn init() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| default(info)));
}

/// Validation options: offline, at [`TIME`], trusting the test root.
pub fn options() -> &'static validate::Options {
    static OPTIONS: OnceLock<validate::Options> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut store = trust::Store::new();
        for root in certificate::Certificate::load_all(ROOT).unwrap_or_default() {
            store.add(root);
        }
        let time = DateTime::parse_from_rfc3339(TIME)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        validate::Options::new(store, time)
    })
}

/// Validates `bytes` as a PDF file: `validate_pdf` takes a path, so they go to one scratch
/// file per process first.
pub fn validate(bytes: &[u8]) -> Option<validate::Report> {
    let path = scratch("pdf", bytes)?;
    validate::validate_pdf(&path, options()).ok()
}

/// `bytes` in this process's scratch file with `extension`: the validators take paths, and
/// the extension decides what a container is read as.
pub fn scratch(extension: &str, bytes: &[u8]) -> Option<PathBuf> {
    let path = std::env::temp_dir().join(format!("siegel-fuzz-{}.{extension}", std::process::id()));
    std::fs::write(&path, bytes).ok()?;
    Some(path)
}
