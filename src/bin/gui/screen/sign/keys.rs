//! Where keys come from: tokens found through the known and configured PKCS#11 modules (read
//! without a PIN, so only their certificates are seen), or a PKCS#12 file the user picks.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use siegel::certificate::{Kind, Qualification};
use siegel::key::pin::Pin;
use siegel::key::token::{self, KeyEntry, Module, Selector, Token};
use siegel::key::{self, Credential, software};
use siegel::sign;

/// A key on a token, with what is needed to open it later.
#[derive(Clone, Debug)]
pub struct Choice {
    pub module: Module,
    pub token: Token,
    pub key: KeyEntry,
}

impl Choice {
    /// Whether the key may make this kind of signature now, and if not, why: the library's
    /// rule, asked before any PIN is typed.
    pub fn fit(&self, intent: Kind, now: DateTime<Utc>) -> Result<(), sign::Error> {
        match &self.key.certificate {
            Some(certificate) => sign::check_certificate(certificate, Some(intent), now),
            None => Err(sign::Error::KeyUsage {
                holder: self.key.label.clone(),
            }),
        }
    }

    pub fn holder(&self) -> String {
        self.key
            .certificate
            .as_ref()
            .map_or_else(|| self.key.label.clone(), |c| c.holder())
    }

    pub fn qualified(&self) -> bool {
        self.key.certificate.as_ref().is_some_and(|c| {
            matches!(
                c.qualification(),
                Qualification::Qes | Qualification::QeSeal
            )
        })
    }
}

/// Every key with a certificate on every token of the modules found; module errors are
/// collected, not fatal (one broken vendor module must not hide the others).
pub fn discover(extra: &[PathBuf]) -> (Vec<Choice>, Vec<String>) {
    let mut choices: Vec<Choice> = Vec::new();
    let mut problems = Vec::new();
    for path in token::discover(extra) {
        let module = match Module::load(&path) {
            Ok(module) => module,
            Err(error) => {
                problems.push(error.to_string());
                continue;
            }
        };
        let tokens = match module.tokens() {
            Ok(tokens) => tokens,
            Err(error) => {
                problems.push(format!("{}: {error}", path.display()));
                continue;
            }
        };
        for token in tokens {
            match module.keys(&token, None) {
                Ok(keys) => {
                    for key in keys.into_iter().filter(|k| k.certificate.is_some()) {
                        // The p11-kit proxy shows the same tokens as their own modules.
                        let seen = choices.iter().any(|c| {
                            c.token.serial == token.serial
                                && c.token.label == token.label
                                && c.key.id == key.id
                        });
                        if !seen {
                            choices.push(Choice {
                                module: module.clone(),
                                token: token.clone(),
                                key,
                            });
                        }
                    }
                }
                Err(error) => problems.push(format!("{}: {error}", token.label)),
            }
        }
    }
    (choices, problems)
}

/// What to open once the secret is known.
#[derive(Clone, Debug)]
pub enum Source {
    Token(Box<Choice>),
    Pkcs12(PathBuf),
}

/// Logs in (or decrypts the PKCS#12 file). The secret is consumed and dropped, wiped, as soon
/// as the key is open.
pub fn open(source: &Source, secret: Option<Pin>) -> Result<Credential, key::Error> {
    let result = match source {
        Source::Token(choice) => token::open(
            &choice.module,
            &choice.token,
            &Selector::Id(choice.key.id.clone()),
            secret.as_ref(),
            key::Options::default(),
        ),
        Source::Pkcs12(path) => match &secret {
            Some(passphrase) => software::load_pkcs12(path, passphrase, key::Options::default()),
            None => Err(key::Error::Read {
                path: path.display().to_string(),
                reason: "no passphrase".into(),
            }),
        },
    };
    drop(secret);
    result
}
