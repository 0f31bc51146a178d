//! CAdES validation (`siegel::validate::validate_cades`) of arbitrary `.p7s`/`.p7m` bytes,
//! offline, at a fixed time, against the test root; the detached content is always the one the
//! seeds in `testdata/cades/` sign, so mutations reach the checks behind the message digest.
#![no_main]

mod support;

use std::path::PathBuf;
use std::sync::OnceLock;

const CONTENT: &[u8] = include_bytes!("../../testdata/cades/Antrag.xml");

libfuzzer_sys::fuzz_target!(init: support::init(), |data: &[u8]| {
    static CONTENT_PATH: OnceLock<Option<PathBuf>> = OnceLock::new();
    let Some(content) = CONTENT_PATH.get_or_init(|| support::scratch("xml", CONTENT)) else {
        return;
    };
    let Some(path) = support::scratch("p7s", data) else {
        return;
    };
    let _ = siegel::validate::validate_cades(&path, Some(content), support::options());
    let _ = siegel::cades::enveloped_content(data);
});
