//! `siegel-gui`: the desktop app. Sign, seal and validate PDFs without a terminal, in German
//! and English. `siegel-gui FILE...` opens the files (signed PDFs straight into validation).

mod app;
mod focus;
mod font;
mod i18n;
mod modal;
mod screen;
mod theme;
mod widget;
mod worker;

fn main() -> iced::Result {
    let files = std::env::args_os()
        .skip(1)
        .map(std::path::PathBuf::from)
        // Absolute paths, so the screens can name the folder a file is in.
        .map(|path| std::path::absolute(&path).unwrap_or(path))
        .collect();
    app::application(files).run()
}
