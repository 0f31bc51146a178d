//! Colours and the few custom styles: a calm light theme with a deep blue accent, and the
//! green / amber / red of verdicts, chosen for contrast on white (WCAG AA for body text).

use iced::widget::{button, container};
use iced::{Background, Border, Color, Shadow, Theme, color};

pub const BLUE: Color = color!(0x1d4e89);
pub const GREEN: Color = color!(0x1e7b3a);
pub const AMBER: Color = color!(0x9a6200);
pub const RED: Color = color!(0xb3261e);
pub const MUTED: Color = color!(0x5b6470);
const PAGE: Color = color!(0xf4f6f9);
const CARD: Color = Color::WHITE;
const LINE: Color = color!(0xd5dbe3);

pub fn theme() -> Theme {
    Theme::custom(
        "Siegel".to_owned(),
        iced::theme::Palette {
            background: PAGE,
            text: color!(0x1b1f24),
            primary: BLUE,
            success: GREEN,
            warning: AMBER,
            danger: RED,
        },
    )
}

/// How good a result is, for picking colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Good,
    Doubtful,
    Bad,
    Neutral,
}

impl Tone {
    pub fn color(self) -> Color {
        match self {
            Self::Good => GREEN,
            Self::Doubtful => AMBER,
            Self::Bad => RED,
            Self::Neutral => BLUE,
        }
    }
}

pub fn card(_theme: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(CARD)),
        border: Border {
            color: LINE,
            width: 1.0,
            radius: 10.0.into(),
        },
        // No blurred shadow: tiny-skia redraws damaged regions, and blurred shadows left
        // stale grey patches there under Xvfb.
        shadow: Shadow::default(),
        ..container::Style::default()
    }
}

/// A banner in a verdict's colour: tinted background, solid left edge feel via border.
pub fn banner(tone: Tone) -> impl Fn(&Theme) -> container::Style {
    move |_theme| {
        let strong = tone.color();
        container::Style {
            background: Some(Background::Color(Color { a: 0.10, ..strong })),
            text_color: Some(strong),
            border: Border {
                color: strong,
                width: 2.0,
                radius: 10.0.into(),
            },
            ..container::Style::default()
        }
    }
}

/// A small rounded label (qualified, kind, state).
pub fn badge(tone: Tone) -> impl Fn(&Theme) -> container::Style {
    move |_theme| container::Style {
        background: Some(Background::Color(tone.color())),
        text_color: Some(Color::WHITE),
        border: Border {
            radius: 10.0.into(),
            ..Border::default()
        },
        ..container::Style::default()
    }
}

/// The drop zone: dashed look approximated by a wide light border, stronger while hovering.
pub fn drop_zone(hovering: bool) -> impl Fn(&Theme) -> container::Style {
    move |_theme| container::Style {
        background: Some(Background::Color(if hovering {
            Color { a: 0.12, ..BLUE }
        } else {
            CARD
        })),
        border: Border {
            color: if hovering { BLUE } else { LINE },
            width: 2.0,
            radius: 14.0.into(),
        },
        ..container::Style::default()
    }
}

/// The modal's dimmed backdrop.
pub fn backdrop(_theme: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(Color::from_rgba(0.05, 0.08, 0.12, 0.55))),
        ..container::Style::default()
    }
}

/// A button with a visible keyboard focus ring, used where the app keeps focus itself.
pub fn focused(
    base: fn(&Theme, button::Status) -> button::Style,
    focused: bool,
) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |theme, status| {
        let mut style = base(theme, status);
        if focused {
            style.border = Border {
                color: color!(0xf2a900),
                width: 3.0,
                radius: 6.0.into(),
            };
        }
        style
    }
}

/// A choice in a list (a key): white, with a strong blue frame and tint when chosen.
pub fn choice(selected: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |_theme, status| {
        let hovered = matches!(status, button::Status::Hovered);
        let disabled = matches!(status, button::Status::Disabled);
        button::Style {
            background: Some(Background::Color(if selected {
                Color { a: 0.08, ..BLUE }
            } else if hovered {
                PAGE
            } else {
                CARD
            })),
            text_color: if disabled { MUTED } else { color!(0x1b1f24) },
            border: Border {
                color: if selected { BLUE } else { LINE },
                width: if selected { 2.0 } else { 1.0 },
                radius: 8.0.into(),
            },
            ..button::Style::default()
        }
    }
}

/// The keyboard focus frame: amber, thick enough to see at a glance.
pub fn focus_ring(_theme: &Theme) -> container::Style {
    container::Style {
        border: Border {
            color: color!(0xf2a900),
            width: 3.0,
            radius: 8.0.into(),
        },
        ..container::Style::default()
    }
}
