//! Fonts embedded in the binary (Inter, SIL OFL 1.1; see `assets/fonts/README`), so the app
//! looks the same on every system and never depends on installed fonts.

use iced::Font;
use iced::font::Weight;

pub const REGULAR_BYTES: &[u8] = include_bytes!("../../../assets/fonts/Inter-Regular.otf");
pub const SEMIBOLD_BYTES: &[u8] = include_bytes!("../../../assets/fonts/Inter-SemiBold.otf");

pub const REGULAR: Font = Font::with_name("Inter");

pub const BOLD: Font = Font {
    weight: Weight::Semibold,
    ..Font::with_name("Inter")
};
