//! Confirming each signature of a batch: a personal signature is a declaration of will, so
//! every document is approved on its own (seals run as one batch).

use iced::widget::{column, row, text};
use iced::{Element, Length};

use crate::i18n::{Language, Texts};
use crate::widget;

#[derive(Debug)]
pub struct Confirm {
    pub document: String,
    pub remaining: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message {
    Sign,
    Skip,
    Stop,
}

impl Confirm {
    pub fn view(&self, language: Language) -> Element<'_, Message> {
        let t = |key| language.t(key);
        column![
            widget::subheading(t("confirm.title")),
            text(language.f("confirm.text", &[("name", &self.document)])).size(16),
            widget::muted(language.f(
                "confirm.remaining",
                &[("count", &self.remaining.to_string())]
            )),
            row![
                widget::secondary(t("confirm.stop"), Some(Message::Stop)),
                iced::widget::Space::new().width(Length::Fill),
                widget::secondary(t("confirm.skip"), Some(Message::Skip)),
                widget::primary(t("confirm.sign"), Some(Message::Sign)),
            ]
            .spacing(12),
        ]
        .spacing(16)
        .into()
    }
}
