//! Small view pieces every screen uses, so headings, buttons, badges and inline errors look
//! the same everywhere.

use iced::widget::{button, column, container, row, text};
use iced::{Element, Length, Padding};

use crate::font;
use crate::theme::{self, Tone};

pub fn heading<'a, M: 'a>(label: impl text::IntoFragment<'a>) -> Element<'a, M> {
    text(label).size(28).font(font::BOLD).into()
}

pub fn subheading<'a, M: 'a>(label: impl text::IntoFragment<'a>) -> Element<'a, M> {
    text(label).size(18).font(font::BOLD).into()
}

pub fn muted<'a, M: 'a>(label: impl text::IntoFragment<'a>) -> Element<'a, M> {
    text(label).size(14).color(theme::MUTED).into()
}

/// The main action of a view; disabled (greyed) when `message` is `None`.
pub fn primary<'a, M: Clone + 'a>(label: &'a str, message: Option<M>) -> Element<'a, M> {
    button(text(label).size(16).font(font::BOLD))
        .padding(Padding::from([10, 22]))
        .style(button::primary)
        .on_press_maybe(message)
        .into()
}

pub fn secondary<'a, M: Clone + 'a>(label: &'a str, message: Option<M>) -> Element<'a, M> {
    button(text(label).size(15))
        .padding(Padding::from([8, 16]))
        .style(button::secondary)
        .on_press_maybe(message)
        .into()
}

pub fn danger<'a, M: Clone + 'a>(label: &'a str, message: Option<M>) -> Element<'a, M> {
    button(text(label).size(15))
        .padding(Padding::from([8, 16]))
        .style(button::danger)
        .on_press_maybe(message)
        .into()
}

pub fn link<'a, M: Clone + 'a>(label: &'a str, message: M) -> Element<'a, M> {
    button(text(label).size(14))
        .padding(Padding::from([4, 8]))
        .style(button::text)
        .on_press(message)
        .into()
}

pub fn badge<'a, M: 'a>(label: impl text::IntoFragment<'a>, tone: Tone) -> Element<'a, M> {
    container(text(label).size(12).font(font::BOLD))
        .padding(Padding::from([3, 10]))
        .style(theme::badge(tone))
        .into()
}

/// A labelled value in a card: the label muted on the left, a fixed column so values align.
pub fn field<'a, M: 'a>(label: &'a str, value: impl text::IntoFragment<'a>) -> Element<'a, M> {
    row![
        text(label)
            .size(14)
            .color(theme::MUTED)
            .width(Length::Fixed(210.0)),
        text(value).size(14).width(Length::Fill),
    ]
    .spacing(12)
    .into()
}

pub fn card<'a, M: 'a>(content: impl Into<Element<'a, M>>) -> Element<'a, M> {
    container(content)
        .padding(20)
        .width(Length::Fill)
        .style(theme::card)
        .into()
}

/// An error shown where it happened: a one-line cause and, below, the details in small print.
/// The details often name a file or a certificate, so they are shown escaped.
pub fn error<'a, M: 'a>(cause: &'a str, details: &'a str) -> Element<'a, M> {
    let mut content = column![text(cause).size(15).font(font::BOLD)].spacing(4);
    if !details.is_empty() && details != cause {
        let details = siegel::text::printable_lines(details).into_owned();
        content = content.push(text(details).size(13));
    }
    container(content)
        .padding(12)
        .width(Length::Fill)
        .style(theme::banner(Tone::Bad))
        .into()
}

/// A visible focus ring (amber frame) around `element` while the keyboard is on it.
pub fn ring<'a, M: 'a>(element: impl Into<Element<'a, M>>, focused: bool) -> Element<'a, M> {
    if focused {
        container(element)
            .padding(3)
            .style(theme::focus_ring)
            .into()
    } else {
        container(element).padding(3).into()
    }
}
