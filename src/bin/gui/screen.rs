//! The screens: one enum, one module each. A screen owns its state, handles its own
//! `Message` and tells the app what to do next through its `Action`.

pub mod settings;
pub mod sign;
pub mod start;
pub mod validate;

/// What the window shows.
#[derive(Debug)]
pub enum Screen {
    Start(start::Start),
    Sign(sign::Sign),
    Validate(validate::Validate),
    Settings(settings::Settings),
}

#[derive(Clone, Debug)]
pub enum Message {
    Start(start::Message),
    Sign(sign::Message),
    Validate(validate::Message),
    Settings(settings::Message),
}

/// Signing or sealing: the same screen, different certificates and rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    Sign,
    Seal,
    Validate,
}

/// Files a user gave us: order kept, duplicates dropped.
pub fn merge(
    into: &mut Vec<std::path::PathBuf>,
    files: impl IntoIterator<Item = std::path::PathBuf>,
) {
    for file in files {
        if !into.contains(&file) {
            into.push(file);
        }
    }
}

/// What the file dialog gave back.
#[derive(Clone, Debug, Default)]
pub struct Picked {
    pub files: Vec<std::path::PathBuf>,
    /// It came back empty at once: most likely no dialog could be shown (no desktop portal),
    /// which must not look like a button that does nothing.
    pub no_dialog: bool,
}

/// Opens the system's file dialog for documents (through the XDG desktop portal on Linux).
pub async fn pick_documents(title: String) -> Picked {
    let opened = std::time::Instant::now();
    let files: Vec<std::path::PathBuf> = rfd::AsyncFileDialog::new()
        .set_title(title)
        .add_filter("PDF", &["pdf", "PDF"])
        .add_filter("*", &["*"])
        .pick_files()
        .await
        .map(|files| files.iter().map(|f| f.path().to_path_buf()).collect())
        .unwrap_or_default();
    // No person closes a dialog within a quarter second.
    let no_dialog = files.is_empty() && opened.elapsed() < std::time::Duration::from_millis(250);
    Picked { files, no_dialog }
}
