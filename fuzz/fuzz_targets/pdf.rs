//! The PDF reader and signature discovery over arbitrary bytes: `cargo fuzz run pdf`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(mut file) = siegel::pdf::File::new(std::io::Cursor::new(data)) {
        let _ = file.survey(|_| {});
        let _ = siegel::pdf::signature::find_all(&mut file);
        let _ = file.first_page();
    }
});
