//! The corner choices of a visible signature ([`sign::Placement`]) with their labels in the
//! app's language.

use siegel::sign::Placement;

use crate::i18n::{Language, Texts};

/// A placement with its label, for the pick list (which shows `Display`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    pub placement: Placement,
    language: Language,
}

impl Choice {
    pub fn all(language: Language) -> Vec<Self> {
        Placement::ALL
            .into_iter()
            .map(|placement| Self::new(placement, language))
            .collect()
    }

    pub fn new(placement: Placement, language: Language) -> Self {
        Self {
            placement,
            language,
        }
    }
}

impl std::fmt::Display for Choice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.language.t(match self.placement {
            Placement::Invisible => "sign.placement_invisible",
            Placement::FirstTopLeft => "sign.placement_first_top_left",
            Placement::FirstTopRight => "sign.placement_first_top_right",
            Placement::FirstBottomLeft => "sign.placement_first_bottom_left",
            Placement::FirstBottomRight => "sign.placement_first_bottom_right",
            Placement::LastTopLeft => "sign.placement_last_top_left",
            Placement::LastTopRight => "sign.placement_last_top_right",
            Placement::LastBottomLeft => "sign.placement_last_bottom_left",
            Placement::LastBottomRight => "sign.placement_last_bottom_right",
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placement_has_a_label_in_both_languages() {
        for language in [Language::De, Language::En] {
            for choice in Choice::all(language) {
                assert!(!choice.to_string().starts_with("sign."), "{choice:?}");
            }
        }
    }
}
