//! The PDF reader over arbitrary bytes: cross-reference data, objects, the page tree, signature
//! discovery through fields and by scanning, and the strict reading of incremental updates.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(mut file) = siegel::pdf::File::new(std::io::Cursor::new(data)) else {
        return;
    };
    let Ok(survey) = file.survey(|_| {}) else {
        return;
    };
    let found = siegel::pdf::signature::find_all(&mut file).unwrap_or_default();
    let _ = siegel::pdf::signature::find_unreferenced(&mut file, &survey.byte_range_keys, &found);
    let _ = file.pages();
    let _ = file.first_page();
    // As the validator does from a signed revision; the first few, so a file of many `%%EOF`
    // markers is not read quadratically by the harness itself.
    for end in survey.revision_ends.iter().take(4) {
        let _ = siegel::pdf::revision::updates_after(&mut file, *end);
    }
});
