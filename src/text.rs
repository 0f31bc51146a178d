//! Text from documents and certificates made safe to show. Names, reasons, field and file names
//! are chosen by whoever made the document; shown raw, control characters (C0, DEL, C1) clear
//! or retitle a terminal and forge lines, and the bidirectional formatting characters of
//! Unicode UAX #9 §2 (embeddings, overrides, isolates, marks) reorder what a reader sees
//! ("Trojan Source", CVE-2021-42574). Every front end and every human-readable report shows
//! them as visible escapes instead: `\u{1b}[2J`, `\u{202e}`. And the one [`Language`] of what
//! the core writes for people.

use std::borrow::Cow;

/// The language of the texts the core writes for people: the verification protocol, the
/// visible stamp. Identifiers, ETSI names and the XML stay as the standards spell them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Language {
    De,
    #[default]
    En,
}

impl Language {
    pub const ALL: [Self; 2] = [Self::De, Self::En];

    /// German for a locale starting with `de` (`de_DE.UTF-8`, `de-AT`), else English.
    pub fn from_locale(locale: &str) -> Self {
        if locale
            .get(..2)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("de"))
        {
            Self::De
        } else {
            Self::En
        }
    }

    /// The BCP 47 tag, for document metadata and the settings file.
    pub fn tag(self) -> &'static str {
        self.pick("en", "de")
    }

    /// The German or English variant of a text: keeps each translation next to its use.
    pub fn pick<'a>(self, en: &'a str, de: &'a str) -> &'a str {
        match self {
            Self::De => de,
            Self::En => en,
        }
    }
}

/// The language's name in itself, for a language menu.
impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.pick("English", "Deutsch"))
    }
}

/// `text` with every [hidden](is_hidden) character written as a visible `\u{..}` escape; the
/// rest, any script and emoji included, unchanged.
pub fn printable(text: &str) -> Cow<'_, str> {
    escape_where(text, is_hidden)
}

/// Like [`printable`], but keeps line feeds: for a block of lines made of printable pieces,
/// as a last guard before a terminal.
pub fn printable_lines(text: &str) -> Cow<'_, str> {
    escape_where(text, |c| c != '\n' && is_hidden(c))
}

/// `text` with the characters `hidden` picks written as visible `\u{..}` escapes.
pub(crate) fn escape_where(text: &str, hidden: impl Fn(char) -> bool) -> Cow<'_, str> {
    escape_if(text, hidden, |c, out| {
        out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
    })
}

/// Whether `c` changes how the text around it is displayed instead of being displayed itself:
/// C0 and C1 controls, DEL, the bidirectional formatting characters (U+061C, U+200E, U+200F,
/// U+202A–U+202E, U+2066–U+2069) and the line and paragraph separators U+2028 and U+2029.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Serialised JSON with the [hidden](is_hidden) characters serde_json leaves raw (DEL, C1,
/// bidirectional formatting, line separators) written as `\uXXXX` escapes: the same data for a
/// JSON reader, and safe to print. Such characters can only occur inside JSON strings, where
/// the escape means the same character.
pub fn json_printable(json: &str) -> Cow<'_, str> {
    escape_if(json, is_hidden, |c, out| {
        out.push_str(&format!("\\u{:04x}", u32::from(c)));
    })
}

fn escape_if(
    text: &str,
    hidden: impl Fn(char) -> bool,
    escape: impl Fn(char, &mut String),
) -> Cow<'_, str> {
    if !text.chars().any(&hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hidden(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A byte count with thousands separators (`1.234.567 Bytes`, `1,234,567 bytes`).
pub fn size(language: Language, bytes: u64) -> String {
    let digits = bytes.to_string();
    let separator = language.pick(",", ".");
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push_str(separator);
        }
        grouped.push(digit);
    }
    format!("{grouped} {}", language.pick("bytes", "Bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_become_visible() {
        assert_eq!(printable("\u{1b}[2JEvil"), "\\u{1b}[2JEvil");
        assert_eq!(printable("gpj.\u{202e}exe"), "gpj.\\u{202e}exe");
        assert_eq!(printable("a\nb\tc\rd"), "a\\u{a}b\\u{9}c\\u{d}d");
        assert_eq!(printable("\u{7f}\u{85}\u{9b}"), "\\u{7f}\\u{85}\\u{9b}");
        for c in [
            '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}',
            '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{2028}', '\u{2029}',
        ] {
            assert!(is_hidden(c), "{:x}", u32::from(c));
            assert!(!printable(&c.to_string()).contains(c));
        }
    }

    #[test]
    fn lines_stay_lines() {
        assert_eq!(printable_lines("a\n\u{1b}b\r\n"), "a\n\\u{1b}b\\u{d}\n");
    }

    #[test]
    fn every_script_and_emoji_stay() {
        for name in [
            "Erika Mustermann",
            "Jürgen Weiß GmbH & Co. KG",
            "中文 株式会社",
            "Ελληνικά",
            "עברית",
            "العربية",
            "👩‍💻 🇪🇺",
        ] {
            assert!(matches!(printable(name), Cow::Borrowed(_)), "{name}");
        }
    }

    #[test]
    fn json_keeps_its_meaning() {
        let name = "a\u{202e}b\u{9b}c\u{1b}d";
        let json = serde_json::to_string(&name).unwrap();
        let safe = json_printable(&json);
        assert!(!safe.chars().any(is_hidden), "{safe}");
        assert_eq!(serde_json::from_str::<String>(&safe).unwrap(), name);
    }
}
