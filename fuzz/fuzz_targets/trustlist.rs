//! Trusted lists over arbitrary bytes (ETSI TS 119 612): the hardened XML reader, the
//! signature profile with the list's own certificates, and the content parser behind it.
#![no_main]

use chrono::DateTime;
use siegel::trust::{tsl, xmldsig};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(signed) = xmldsig::Signed::parse(data) else {
        return;
    };
    let embedded = signed.embedded_certificates().to_vec();
    let time = signed.signing_time().unwrap_or(DateTime::UNIX_EPOCH);
    if let Ok(verified) = signed.verify(&embedded, time) {
        let _ = tsl::List::parse(&verified);
    }
});
