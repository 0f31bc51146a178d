//! The whole validation (`siegel::validate::validate_pdf`) over arbitrary bytes, offline, at a
//! fixed time, against the test root; seeded with signed documents and mutated with the tokens
//! of `fuzz/pdf.dict`.
#![no_main]

mod support;

libfuzzer_sys::fuzz_target!(init: support::init(), |data: &[u8]| {
    support::validate(data);
});
