//! Translations: every string the user sees comes from `assets/i18n/de.toml` or `en.toml`,
//! embedded at build time, looked up by a dotted key such as `start.title`.

use std::collections::HashMap;
use std::sync::OnceLock;

const GERMAN: &str = include_str!("../../../assets/i18n/de.toml");
const ENGLISH: &str = include_str!("../../../assets/i18n/en.toml");

pub use siegel::text::Language;

/// The settings' choice, else the system's locale; the protocol's rule for locales, so the app
/// and the protocols it saves always agree.
pub fn choose(setting: Option<&str>) -> Language {
    match setting {
        Some(code) if !code.is_empty() => Language::from_locale(code),
        _ => sys_locale::get_locale().map_or(Language::En, |l| Language::from_locale(&l)),
    }
}

/// The app's texts in the core's [`Language`].
pub trait Texts: Copy {
    /// The text for `key`; English where German lacks it, the key itself where both do (a
    /// test keeps that from shipping).
    fn t(self, key: &'static str) -> &'static str;
    /// The text for a computed key, if either language has it.
    fn lookup(self, key: &str) -> Option<&'static str>;
    /// The text for `key` with `{name}` placeholders filled in.
    fn f(self, key: &'static str, values: &[(&str, &str)]) -> String {
        let mut text = self.t(key).to_owned();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

impl Texts for Language {
    fn t(self, key: &'static str) -> &'static str {
        self.lookup(key).unwrap_or(key)
    }

    fn lookup(self, key: &str) -> Option<&'static str> {
        let tables = tables();
        let table = match self {
            Self::De => &tables.0,
            Self::En => &tables.1,
        };
        table
            .get(key)
            .or_else(|| tables.1.get(key))
            .map(String::as_str)
    }
}

type Table = HashMap<String, String>;

fn tables() -> &'static (Table, Table) {
    static TABLES: OnceLock<(Table, Table)> = OnceLock::new();
    TABLES.get_or_init(|| (parse(GERMAN), parse(ENGLISH)))
}

/// Flattens `[section] key = "text"` into `section.key`. A broken file yields what parsed;
/// the tests make sure both files parse.
fn parse(source: &str) -> Table {
    let mut table = Table::new();
    if let Ok(value) = source.parse::<toml::Table>() {
        flatten("", &value, &mut table);
    }
    table
}

fn flatten(prefix: &str, value: &toml::Table, out: &mut Table) {
    for (key, value) in value {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::String(text) => {
                out.insert(name, text.clone());
            }
            toml::Value::Table(inner) => flatten(&name, inner, out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_files_parse_and_have_the_same_keys() {
        assert!(
            GERMAN.parse::<toml::Table>().is_ok(),
            "de.toml does not parse"
        );
        assert!(
            ENGLISH.parse::<toml::Table>().is_ok(),
            "en.toml does not parse"
        );
        let (de, en) = tables();
        let mut missing: Vec<_> = en.keys().filter(|k| !de.contains_key(*k)).collect();
        missing.extend(de.keys().filter(|k| !en.contains_key(*k)));
        assert!(missing.is_empty(), "keys in only one language: {missing:?}");
    }

    /// Every `.t("...")` and `.f("...")` key used in the GUI's source exists.
    #[test]
    fn every_key_used_is_translated() {
        let (_, en) = tables();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bin/gui");
        let mut files = vec![root.clone()];
        let mut unknown = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            for marker in [".t(\"", ".f(\""] {
                for (start, _) in source.match_indices(marker) {
                    let rest = &source[start + marker.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    let is_key = key.contains('.') && key.chars().any(|c| c.is_ascii_alphabetic());
                    if is_key && !en.contains_key(key) {
                        unknown.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(unknown.is_empty(), "untranslated keys: {unknown:#?}");
    }

    #[test]
    fn locale_picks_the_language() {
        assert_eq!(Language::from_locale("de_DE.UTF-8"), Language::De);
        assert_eq!(Language::from_locale("de-AT"), Language::De);
        assert_eq!(Language::from_locale("en_GB"), Language::En);
        assert_eq!(Language::from_locale("fr"), Language::En);
        assert_eq!(choose(Some("de")), Language::De);
    }

    #[test]
    fn placeholders_are_filled() {
        assert!(
            Language::En
                .f("sign.output_exists", &[("name", "x.pdf")])
                .contains("x.pdf")
        );
    }
}
