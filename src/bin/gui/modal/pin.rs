//! The PIN or passphrase dialog: masked entry, the token's warnings about tries left (loud on
//! the last try), Enter submits, Escape cancels. The typed secret lives in zeroizing memory and
//! leaves the dialog as a `Pin`, which the worker drops right after login.

use iced::widget::{column, container, row, text, text_input};
use iced::{Element, Length, Task};
use siegel::key::pin::Pin as Secret;
use siegel::key::token::Flags;
use zeroize::Zeroizing;

use crate::i18n::{Language, Texts};
use crate::theme::{self, Tone};
use crate::{font, widget};

pub const INPUT: &str = "pin-input";

/// What the dialog asks for.
#[derive(Clone, Debug)]
pub struct Request {
    /// The token label or the PKCS#12 file name.
    pub name: String,
    /// A PKCS#12 passphrase rather than a token PIN.
    pub passphrase: bool,
    /// The token's flags, if it is a token.
    pub flags: Option<Flags>,
}

#[derive(Debug)]
pub struct Pin {
    request: Request,
    value: Zeroizing<String>,
}

/// Typed text in transit from the text field; redacted in `Debug`.
#[derive(Clone)]
pub struct Typed(Zeroizing<String>);

impl std::fmt::Debug for Typed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Typed(<redacted>)")
    }
}

#[derive(Clone, Debug)]
pub enum Message {
    Changed(Typed),
    Submit,
    Cancel,
}

pub enum Action {
    None,
    Submit(Secret),
    Cancel,
}

impl Pin {
    pub fn new(request: Request) -> (Self, Task<Message>) {
        (
            Self {
                request,
                value: Zeroizing::new(String::new()),
            },
            iced::widget::operation::focus(INPUT),
        )
    }

    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Changed(Typed(value)) => {
                self.value = value;
                Action::None
            }
            Message::Submit if self.value.is_empty() => Action::None,
            Message::Submit => {
                let secret = std::mem::take(&mut *self.value);
                Action::Submit(Secret::new(secret))
            }
            Message::Cancel => Action::Cancel,
        }
    }

    pub fn view(&self, language: Language) -> Element<'_, Message> {
        let t = |key| language.t(key);
        let (title, prompt) = if self.request.passphrase {
            ("pin.passphrase_title", "pin.passphrase_prompt")
        } else {
            ("pin.title", "pin.prompt")
        };
        let mut content = column![
            widget::subheading(t(title)),
            text(language.f(prompt, &[("name", &self.request.name)])).size(15),
        ]
        .spacing(14);
        if let Some(flags) = self.request.flags {
            if flags.pin_final_try {
                content = content.push(
                    container(text(t("pin.final_try")).size(16).font(font::BOLD))
                        .padding(12)
                        .width(Length::Fill)
                        .style(theme::banner(Tone::Bad)),
                );
            } else if flags.pin_count_low {
                content = content.push(
                    container(text(t("pin.count_low")).size(15))
                        .padding(12)
                        .width(Length::Fill)
                        .style(theme::banner(Tone::Doubtful)),
                );
            }
        }
        content = content
            .push(
                text_input(t("pin.placeholder"), &self.value)
                    .id(INPUT)
                    .secure(true)
                    .size(18)
                    .padding(10)
                    .on_input(|value| Message::Changed(Typed(Zeroizing::new(value))))
                    .on_submit(Message::Submit),
            )
            .push(widget::muted(if self.request.passphrase {
                t("pin.passphrase_never_stored")
            } else {
                t("pin.never_stored")
            }))
            .push(
                row![
                    iced::widget::Space::new().width(Length::Fill),
                    widget::secondary(t("common.cancel"), Some(Message::Cancel)),
                    widget::primary(
                        t("pin.unlock"),
                        (!self.value.is_empty()).then_some(Message::Submit)
                    ),
                ]
                .spacing(12),
            );
        content.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dialog() -> Pin {
        Pin::new(Request {
            name: "Siegel HSM".into(),
            passphrase: false,
            flags: None,
        })
        .0
    }

    #[test]
    fn enter_with_nothing_typed_does_nothing() {
        let mut pin = dialog();
        assert!(matches!(pin.update(Message::Submit), Action::None));
    }

    #[test]
    fn submit_hands_over_the_pin_and_forgets_it() {
        let mut pin = dialog();
        pin.update(Message::Changed(Typed(Zeroizing::new("1234".into()))));
        match pin.update(Message::Submit) {
            Action::Submit(secret) => assert_eq!(secret.expose(), "1234"),
            _ => panic!("expected the PIN"),
        }
        assert!(pin.value.is_empty());
        assert!(!format!("{pin:?}").contains("1234"));
    }

    #[test]
    fn typed_text_is_redacted() {
        let message = Message::Changed(Typed(Zeroizing::new("geheim".into())));
        assert!(!format!("{message:?}").contains("geheim"));
    }

    #[test]
    fn escape_cancels() {
        let mut pin = dialog();
        assert!(matches!(pin.update(Message::Cancel), Action::Cancel));
    }
}
