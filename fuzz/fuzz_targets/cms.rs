//! The CMS decoder and SignerInfo view over arbitrary bytes: `cargo fuzz run cms`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(parsed) = siegel::cms::Parsed::from_der(data) {
        for signer in parsed.signer_infos() {
            let _ = siegel::cms::view(signer);
        }
    }
});
