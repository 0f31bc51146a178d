//! Dialogs over a screen: one enum, one module each. While a modal is open, it alone takes
//! input; Escape cancels it.

pub mod confirm;
pub mod pin;

use iced::widget::{center, container, mouse_area, opaque, stack};
use iced::{Element, Length};

use crate::i18n::Language;
use crate::theme;

#[derive(Debug)]
pub enum Modal {
    Pin(pin::Pin),
    Confirm(confirm::Confirm),
}

#[derive(Clone, Debug)]
pub enum Message {
    Pin(pin::Message),
    Confirm(confirm::Message),
}

impl Modal {
    pub fn view(&self, language: Language) -> Element<'_, Message> {
        match self {
            Self::Pin(pin) => pin.view(language).map(Message::Pin),
            Self::Confirm(confirm) => confirm.view(language).map(Message::Confirm),
        }
    }
}

/// `base` dimmed, with `dialog` centred above it; clicks outside the dialog do nothing.
pub fn overlay<'a, M: Clone + 'a>(base: Element<'a, M>, dialog: Element<'a, M>) -> Element<'a, M> {
    stack![
        base,
        opaque(mouse_area(
            center(opaque(
                container(dialog)
                    .width(Length::Fixed(520.0))
                    .padding(28)
                    .style(theme::card)
            ))
            .style(theme::backdrop)
        ))
    ]
    .into()
}
