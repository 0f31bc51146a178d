//! ASiC containers over arbitrary ZIP bytes: the bounded reader (names, sizes, mimetype), every
//! manifest and signature entry it lists, and the whole validation
//! (`siegel::validate::validate_asic`), offline, at a fixed time, against the test root.
#![no_main]

mod support;

use siegel::asic;

libfuzzer_sys::fuzz_target!(init: support::init(), |data: &[u8]| {
    if let Ok(mut container) = asic::Container::read(std::io::Cursor::new(data)) {
        let manifests: Vec<String> = container.manifests().into_iter().map(str::to_owned).collect();
        for name in manifests {
            if let Ok(xml) = container.read_small(&name) {
                let _ = asic::Manifest::from_xml(&xml);
            }
        }
        let data_objects: Vec<String> =
            container.data_objects().into_iter().map(str::to_owned).collect();
        for name in data_objects {
            let _ = container.copy(&name, &mut std::io::sink());
        }
    }
    let Some(path) = support::scratch("asice", data) else {
        return;
    };
    let _ = siegel::validate::validate_asic(&path, support::options());
});
