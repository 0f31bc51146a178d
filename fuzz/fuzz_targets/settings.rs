//! The settings file (TOML) over arbitrary bytes: loading never panics, and whatever loads is
//! saved and loaded back unchanged.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use siegel::settings::Settings;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    let folder = FOLDER.get_or_init(|| {
        std::env::temp_dir().join(format!("siegel-fuzz-settings-{}", std::process::id()))
    });
    let _ = std::fs::create_dir_all(folder);
    let path = folder.join("settings.toml");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let Ok(settings) = Settings::load_from(&path) else {
        return;
    };
    if let Err(error) = settings.save_to(&path) {
        panic!("loaded settings cannot be saved: {error}");
    }
    match Settings::load_from(&path) {
        Ok(again) => assert_eq!(again, settings, "the settings changed on saving"),
        Err(error) => panic!("saved settings do not load: {error}"),
    }
});
