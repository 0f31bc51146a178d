//! Getting a key for `sign`/`seal` (PKCS#12 file or PKCS#11 token) and listing tokens.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use siegel::key::pin::Pin;
use siegel::key::token::{self, Module, Selector, Token};
use siegel::key::{self, Credential, software};
use siegel::settings::Settings;

use crate::args::{DigestArg, Format, KeyArgs, TokensArgs};
use crate::output::{self, shown};

/// The credential the key options name. The secret is dropped (and wiped) before returning.
pub fn credential(args: &KeyArgs, settings: &Settings) -> Result<Credential> {
    let options = key::Options {
        digest: args.digest.map(|d| match d {
            DigestArg::Sha256 => siegel::algorithm::Digest::Sha256,
            DigestArg::Sha384 => siegel::algorithm::Digest::Sha384,
            DigestArg::Sha512 => siegel::algorithm::Digest::Sha512,
        }),
        pss: args.pss,
    };
    if let Some(p12) = &args.p12 {
        let passphrase = secret(args.pin_env.as_deref(), args.pin_file.as_deref())?.map_or_else(
            || {
                prompt(&format!(
                    "Passphrase for {}: ",
                    shown(&p12.display().to_string())
                ))
            },
            Ok,
        )?;
        return Ok(software::load_pkcs12(p12, &passphrase, options)?);
    }
    let label = args
        .token
        .as_deref()
        .ok_or_else(|| anyhow!("give --p12 FILE or --token LABEL"))?;
    let (module, token) = find_token(args.module.as_deref(), label, settings)?;
    let selector = match (&args.key, &args.key_id) {
        (Some(label), _) => Selector::Label(label.clone()),
        (None, Some(hex)) => Selector::Id(parse_hex(hex)?),
        (None, None) => Selector::Only,
    };
    warn_about_tries(&token);
    let pin = match secret(args.pin_env.as_deref(), args.pin_file.as_deref())? {
        Some(pin) => Some(pin),
        None if token.flags.pin_pad => {
            eprintln!(
                "Enter the PIN for \"{}\" on the reader's PIN pad.",
                shown(&token.label)
            );
            None
        }
        None => Some(prompt(&format!(
            "PIN for token \"{}\": ",
            shown(&token.label)
        ))?),
    };
    token::open(&module, &token, &selector, pin.as_ref(), options).map_err(|error| match error {
        key::Error::Token(token::Error::AmbiguousKey { .. }) => {
            anyhow!("{error}; choose one with --key LABEL or --key-id HEX")
        }
        error => error.into(),
    })
}

/// The module and token for `label`: in `module` if given, else in the first known module
/// that has it (the settings' modules first).
fn find_token(module: Option<&Path>, label: &str, settings: &Settings) -> Result<(Module, Token)> {
    if let Some(path) = module {
        let module = Module::load(path)?;
        let token = module.token(label)?;
        return Ok((module, token));
    }
    let candidates = token::discover(&settings.modules);
    if candidates.is_empty() {
        bail!("no PKCS#11 module found on this system; give one with --module PATH");
    }
    let mut seen = Vec::new();
    for path in candidates {
        let Ok(module) = Module::load(&path) else {
            continue;
        };
        match module.token(label) {
            Ok(token) => return Ok((module, token)),
            Err(token::Error::NoToken { available, .. }) => seen.extend(available),
            Err(_) => {}
        }
    }
    bail!(
        "no token labelled \"{label}\" in any known PKCS#11 module (present: {})",
        if seen.is_empty() {
            "none".to_owned()
        } else {
            seen.join(", ")
        }
    )
}

/// The card's own warnings, before anyone types a PIN.
fn warn_about_tries(token: &Token) {
    if token.flags.pin_final_try {
        eprintln!(
            "WARNING: token \"{}\" reports the FINAL PIN try: a wrong PIN now locks it.",
            shown(&token.label)
        );
    } else if token.flags.pin_count_low {
        eprintln!(
            "warning: token \"{}\" reports that few PIN tries are left.",
            shown(&token.label)
        );
    }
}

fn secret(env: Option<&str>, file: Option<&Path>) -> Result<Option<Pin>> {
    if let Some(var) = env {
        return Ok(Some(Pin::from_env(var)?));
    }
    match file {
        Some(file) if file.as_os_str() == "-" => {
            Ok(Some(Pin::from_reader(std::io::stdin().lock())?))
        }
        Some(file) => Ok(Some(Pin::from_file(file)?)),
        None => Ok(None),
    }
}

fn prompt(text: &str) -> Result<Pin> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "{} no secret given: use --pin-env VAR or --pin-file FILE, or run on a terminal",
            text.trim_end_matches([':', ' '])
        );
    }
    let secret = rpassword::prompt_password(text)
        .map_err(|_| anyhow!("cannot read the secret from the terminal"))?;
    Ok(Pin::new(secret))
}

fn parse_hex(text: &str) -> Result<Vec<u8>> {
    let text = text.trim_start_matches("0x");
    if !text.len().is_multiple_of(2) || !text.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!("--key-id {text}: not a hex string");
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).context("hex"))
        .collect()
}

/// `siegel tokens`: modules, tokens, keys and certificates.
pub fn tokens(args: TokensArgs, settings: &Settings) -> Result<u8> {
    let modules: Vec<PathBuf> = if args.module.is_empty() {
        token::discover(&settings.modules)
    } else {
        args.module.clone()
    };
    let pin = secret(args.pin_env.as_deref(), args.pin_file.as_deref())?;
    let mut listing = Vec::new();
    for path in &modules {
        let entry = match Module::load(path) {
            Ok(module) => list_module(&module, pin.as_ref()),
            Err(error) => {
                serde_json::json!({ "path": path.display().to_string(), "error": error.to_string() })
            }
        };
        listing.push(entry);
    }
    match args.format {
        Format::Json => {
            crate::console::print_line(&output::json(&serde_json::json!({ "modules": listing })))
        }
        Format::Text => print_text(&listing),
    }
    if modules.is_empty() {
        crate::console::print_line(
            "no PKCS#11 module found on this system; give one with --module PATH",
        );
    }
    // A module that did not load or a token that refused the PIN is an input error.
    let failed = listing.iter().any(|m| {
        m.get("error").is_some()
            || m["tokens"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t.get("error").is_some()))
    });
    Ok(if failed { 3 } else { 0 })
}

fn list_module(module: &Module, pin: Option<&Pin>) -> serde_json::Value {
    let tokens = match module.tokens() {
        Ok(tokens) => tokens,
        Err(error) => {
            return serde_json::json!({ "path": module.path().display().to_string(), "error": error.to_string() });
        }
    };
    let tokens: Vec<serde_json::Value> = tokens
        .iter()
        .map(|token| {
            let mut value = serde_json::to_value(token).unwrap_or_default();
            match module.keys(token, pin) {
                Ok(keys) => value["keys"] = keys.iter().map(key_json).collect(),
                Err(error) => value["error"] = error.to_string().into(),
            }
            value
        })
        .collect();
    serde_json::json!({ "path": module.path().display().to_string(), "description": module.description(), "tokens": tokens })
}

fn key_json(entry: &token::KeyEntry) -> serde_json::Value {
    let mut value = serde_json::json!({
        "label": entry.label,
        "id": entry.id_hex(),
        "key_type": entry.key_type,
        "private_key_seen": entry.private_key_seen,
        "always_authenticate": entry.always_authenticate,
    });
    if let Some(certificate) = &entry.certificate {
        value["certificate"] = serde_json::json!({
            "holder": certificate.holder(),
            "subject": certificate.subject(),
            "issuer": certificate.issuer(),
            "serial": certificate.serial_hex(),
            "kind": certificate.declared_kind(),
            "qualification": certificate.qualification(),
            "not_before": certificate.not_before(),
            "not_after": certificate.not_after(),
            "key_usage": certificate.key_usage_names(),
            "can_sign": certificate.can_sign(),
        });
    }
    value
}

/// Every string in `value` [shown](output::shown) safely: labels, names and errors come from
/// tokens and their certificates.
fn printable(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(text) => Value::String(output::shown(text).into_owned()),
        Value::Array(items) => Value::Array(items.iter().map(printable).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (key.clone(), printable(value)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn print_text(listing: &[serde_json::Value]) {
    for module in listing.iter().map(printable) {
        let path = module["path"].as_str().unwrap_or_default();
        if let Some(error) = module["error"].as_str() {
            crate::console::print_line(&format!("{path}: error: {error}"));
            continue;
        }
        crate::console::print_line(&format!(
            "Module {path} ({})",
            module["description"].as_str().unwrap_or_default()
        ));
        let tokens = module["tokens"].as_array().cloned().unwrap_or_default();
        if tokens.is_empty() {
            crate::console::print_line("  no token present");
        }
        for token in tokens {
            let flags = &token["flags"];
            let names = [
                ("login_required", "login required"),
                ("pin_pad", "PIN pad"),
                ("pin_count_low", "PIN count low"),
                ("pin_final_try", "FINAL PIN TRY"),
                ("pin_locked", "PIN LOCKED"),
                ("pin_to_be_changed", "PIN must be changed"),
            ];
            let set: Vec<&str> = names
                .iter()
                .filter(|(key, _)| flags[*key] == true)
                .map(|(_, name)| *name)
                .collect();
            crate::console::print_line(&format!(
                "  Token \"{}\" ({} {}, serial {}, slot {}) [{}]",
                token["label"].as_str().unwrap_or_default(),
                token["manufacturer"].as_str().unwrap_or_default(),
                token["model"].as_str().unwrap_or_default(),
                token["serial"].as_str().unwrap_or_default(),
                token["slot_id"],
                set.join(", ")
            ));
            if let Some(error) = token["error"].as_str() {
                crate::console::print_line(&format!("    error: {error}"));
            }
            for key in token["keys"].as_array().cloned().unwrap_or_default() {
                let certificate = &key["certificate"];
                let kind = certificate["kind"].as_str().unwrap_or("signature or seal");
                crate::console::print_line(&format!(
                    "    Key \"{}\" id {}: {}, {kind} ({}), {}, valid {} to {}, key usage {}",
                    key["label"].as_str().unwrap_or_default(),
                    key["id"].as_str().unwrap_or_default(),
                    key["key_type"].as_str().unwrap_or_default(),
                    certificate["qualification"].as_str().unwrap_or("-"),
                    certificate["holder"].as_str().unwrap_or("no certificate"),
                    certificate["not_before"]
                        .as_str()
                        .map_or("?", |t| t.get(..10).unwrap_or(t)),
                    certificate["not_after"]
                        .as_str()
                        .map_or("?", |t| t.get(..10).unwrap_or(t)),
                    certificate["key_usage"]
                        .as_array()
                        .map_or("any".to_owned(), |u| u
                            .iter()
                            .filter_map(|v| v.as_str())
                            .collect::<Vec<_>>()
                            .join(" ")),
                ));
            }
        }
    }
}
