//! `siegel-gui`: the desktop app. For now a window that says what it will become; the screens
//! (sign, seal, validate, settings) follow in their own issue.

use iced::widget::{column, container, text};
use iced::{Element, Length};

fn main() -> iced::Result {
    iced::application(Placeholder::default, Placeholder::update, Placeholder::view)
        .title("Siegel")
        .window_size((720.0, 420.0))
        .run()
}

#[derive(Debug, Default)]
struct Placeholder;

#[derive(Debug, Clone)]
enum Message {}

impl Placeholder {
    fn update(&mut self, message: Message) {
        match message {}
    }

    fn view(&self) -> Element<'_, Message> {
        let content = column![
            text("Siegel").size(40),
            text("Dokumente signieren, siegeln und prüfen – eIDAS, PAdES").size(20),
            text("Sign, seal and validate documents under eIDAS.").size(16),
            text(
                "This window will become the desktop app: drop PDFs here, sign with a smart card or \
                 a PKCS#12 file, seal batches, and validate incoming documents with a verification \
                 protocol. Until then, use the command line: siegel sign | seal | verify."
            )
            .size(14),
        ]
        .spacing(16)
        .max_width(600);
        container(content).center(Length::Fill).padding(24).into()
    }
}
