//! PINs and passphrases: held in memory that is wiped on drop, never shown in `Debug` output,
//! logs or error messages.

use std::fmt;
use std::path::Path;

use zeroize::Zeroizing;

/// A secret typed by the user. Cloning is deliberately not offered.
pub struct Pin(Zeroizing<String>);

impl Pin {
    /// Takes ownership of `secret`; its buffer is wiped when the `Pin` is dropped.
    pub fn new(secret: String) -> Self {
        Self(Zeroizing::new(secret))
    }

    /// Reads the secret from environment variable `name`.
    pub fn from_env(name: &str) -> Result<Self, Error> {
        match std::env::var(name) {
            Ok(value) => Ok(Self::new(value)),
            Err(_) => Err(Error::MissingEnv(name.to_owned())),
        }
    }

    /// Reads the secret from the first line of `path` (trailing CR/LF removed).
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let content = Zeroizing::new(std::fs::read(path).map_err(|e| Error::File {
            path: path.display().to_string(),
            reason: e.kind().to_string(),
        })?);
        let text = std::str::from_utf8(&content).map_err(|_| Error::File {
            path: path.display().to_string(),
            reason: "not UTF-8".into(),
        })?;
        let line = text.split(['\r', '\n']).next().unwrap_or_default();
        Ok(Self::new(line.to_owned()))
    }

    /// Reads the secret from the first line of `reader` (for `--pin-file -`, standard input).
    pub fn from_reader(mut reader: impl std::io::BufRead) -> Result<Self, Error> {
        let mut line = Zeroizing::new(String::new());
        reader.read_line(&mut line).map_err(|e| Error::File {
            path: "standard input".into(),
            reason: e.kind().to_string(),
        })?;
        Ok(Self::new(line.trim_end_matches(['\r', '\n']).to_owned()))
    }

    /// The secret, for handing to the component that checks it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(<redacted>)")
    }
}

/// Why a PIN could not be obtained. Names the source, never the secret.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("environment variable {0} is not set")]
    MissingEnv(String),
    #[error("cannot read PIN file {path}: {reason}")]
    File { path: String, reason: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_secret() {
        let pin = Pin::new("123456".into());
        assert!(!format!("{pin:?}").contains("123456"));
    }

    #[test]
    fn first_line_only_without_line_end() {
        let pin = Pin::from_reader(&b"geheim\r\nnext line\n"[..]).unwrap();
        assert_eq!(pin.expose(), "geheim");
    }
}
