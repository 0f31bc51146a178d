//! Smart cards and HSMs through PKCS#11 (OASIS PKCS#11 v2.40/3.0), via `cryptoki`:
//! Module -> Token -> Session (login with a [`Pin`]) -> keys that sign.
//!
//! PINs are tried exactly once per request: a wrong PIN is reported with what the token says
//! about the tries left, never retried (cards lock).

mod mechanism;
mod signer;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass};
use cryptoki::session::Session;
use cryptoki::slot::{Limit, Slot};
use serde::Serialize;

use super::pin::Pin;
use crate::certificate::Certificate;

pub use signer::{Selector, TokenSigner, open};

/// Modules looked for when none is given, per platform: the p11-kit proxy (which forwards to
/// every module the system registered), OpenSC, SoftHSM2 and the vendor modules of German
/// signature cards and HSMs.
#[cfg(not(windows))]
const KNOWN_MODULES: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so",
    "/usr/lib/p11-kit-proxy.so",
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib/opensc-pkcs11.so",
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    // D-Trust / cv cryptovision (Bundesdruckerei), Nexus Personal, Utimaco, Thales Luna.
    "/usr/lib/libcvP11.so",
    "/usr/lib/libcvP11_ds.so",
    "/usr/local/lib/libnxpkcs11.so",
    "/opt/utimaco/lib/libcs_pkcs11_R3.so",
    "/usr/safenet/lunaclient/lib/libCryptoki2_64.so",
];
/// On Windows the folders come from the environment (`%SystemRoot%`, `%ProgramFiles%`), as
/// Windows need not live on C:.
#[cfg(windows)]
const KNOWN_MODULES: &[&str] = &[
    "%SystemRoot%\\System32\\opensc-pkcs11.dll",
    "%ProgramFiles%\\OpenSC Project\\OpenSC\\pkcs11\\opensc-pkcs11.dll",
    // D-Trust / cv cryptovision, Nexus Personal, SoftHSM2, Utimaco, Thales Luna.
    "%SystemRoot%\\System32\\cvP11.dll",
    "%SystemRoot%\\System32\\personal64.dll",
    "C:\\SoftHSM2\\lib\\softhsm2-x64.dll",
    "%ProgramFiles%\\Utimaco\\CryptoServer\\Lib\\cs_pkcs11_R3.dll",
    "%ProgramFiles%\\SafeNet\\LunaClient\\cryptoki.dll",
];

/// The modules that exist on this machine: `extra` (from settings) first, then the known
/// ones, without duplicates.
pub fn discover(extra: &[PathBuf]) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = Vec::new();
    for path in extra
        .iter()
        .cloned()
        .chain(KNOWN_MODULES.iter().map(|known| expand(known)))
    {
        let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
        if path.exists()
            && !found
                .iter()
                .any(|f| f.canonicalize().unwrap_or_else(|_| f.clone()) == canonical)
        {
            found.push(path);
        }
    }
    found
}

/// A known module's path with a leading `%NAME%` replaced by that environment variable
/// (Windows); unchanged where there is none or it is unset.
fn expand(known: &str) -> PathBuf {
    let expanded = known
        .strip_prefix('%')
        .and_then(|rest| rest.split_once('%'))
        .and_then(|(name, rest)| {
            let value = std::env::var_os(name)?;
            let mut path = PathBuf::from(value);
            path.push(rest.trim_start_matches('\\'));
            Some(path)
        });
    expanded.unwrap_or_else(|| PathBuf::from(known))
}

/// A loaded and initialised PKCS#11 module.
#[derive(Clone)]
pub struct Module {
    context: Pkcs11,
    path: PathBuf,
}

impl fmt::Debug for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Module")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Module {
    /// Loads the module at `path`. A module is initialised once per process and shared, as
    /// PKCS#11 allows one `C_Initialize` per application.
    pub fn load(path: &Path) -> Result<Self, Error> {
        static LOADED: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
        let key = path.canonicalize().map_err(|e| Error::Load {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let mut loaded = LOADED
            .get_or_init(|| Mutex::new(HashMap::new()))
            .lock()
            .map_err(|_| Error::Poisoned)?;
        if let Some(context) = loaded.get(&key) {
            return Ok(Self {
                context: context.clone(),
                path: path.to_path_buf(),
            });
        }
        let load_error = |e: CkError| Error::Load {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let context = Pkcs11::new(&key).map_err(load_error)?;
        match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(error) => return Err(load_error(error)),
        }
        loaded.insert(key, context.clone());
        Ok(Self {
            context,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The module's own description, e.g. "SoftHSM (SoftHSM)".
    pub fn description(&self) -> String {
        match self.context.get_library_info() {
            Ok(info) => format!(
                "{} ({})",
                info.library_description().trim(),
                info.manufacturer_id().trim()
            ),
            Err(_) => String::new(),
        }
    }

    /// Every initialised token in a slot of this module.
    pub fn tokens(&self) -> Result<Vec<Token>, Error> {
        let slots = self
            .context
            .get_slots_with_initialized_token()
            .map_err(|e| map(e, None))?;
        let mut tokens = Vec::new();
        for slot in slots {
            tokens.push(self.token_in(slot)?);
        }
        Ok(tokens)
    }

    /// The token labelled `label`.
    pub fn token(&self, label: &str) -> Result<Token, Error> {
        let tokens = self.tokens()?;
        let available: Vec<String> = tokens.iter().map(|t| t.label.clone()).collect();
        tokens
            .into_iter()
            .find(|t| t.label == label.trim())
            .ok_or_else(|| Error::NoToken {
                label: label.to_owned(),
                module: self.path.display().to_string(),
                available,
            })
    }

    fn token_in(&self, slot: Slot) -> Result<Token, Error> {
        let info = self
            .context
            .get_token_info(slot)
            .map_err(|e| map(e, None))?;
        Ok(Token {
            slot,
            slot_id: slot.id(),
            label: info.label().trim().to_owned(),
            manufacturer: info.manufacturer_id().trim().to_owned(),
            model: info.model().trim().to_owned(),
            serial: info.serial_number().trim().to_owned(),
            flags: Flags {
                login_required: info.login_required(),
                pin_pad: info.protected_authentication_path(),
                pin_count_low: info.user_pin_count_low(),
                pin_final_try: info.user_pin_final_try(),
                pin_locked: info.user_pin_locked(),
                pin_to_be_changed: info.user_pin_to_be_changed(),
            },
            max_sessions: match info.max_session_count() {
                Limit::Max(n) => Some(n),
                Limit::Unavailable | Limit::Infinite => None,
            },
        })
    }

    /// The keys on `token` that can sign, each with its certificate. Without a PIN only what
    /// the token shows publicly is seen: its certificates, standing for their keys.
    pub fn keys(&self, token: &Token, pin: Option<&Pin>) -> Result<Vec<KeyEntry>, Error> {
        let session = self
            .context
            .open_ro_session(token.slot)
            .map_err(|e| map(e, None))?;
        let logged_in = match pin {
            Some(pin) => {
                signer::login(&session, self, token, Some(pin))?;
                true
            }
            None => false,
        };
        let result = list_keys(&session, logged_in);
        if logged_in {
            let _ = session.logout();
        }
        result
    }

    pub(crate) fn context(&self) -> &Pkcs11 {
        &self.context
    }

    /// The token's flags as they are now (they change after a wrong PIN).
    pub(crate) fn refresh(&self, token: &Token) -> Option<Token> {
        self.token_in(token.slot).ok()
    }
}

/// A token in a slot.
#[derive(Clone, Debug, Serialize)]
pub struct Token {
    #[serde(skip)]
    pub(crate) slot: Slot,
    pub slot_id: u64,
    pub label: String,
    pub manufacturer: String,
    pub model: String,
    pub serial: String,
    pub flags: Flags,
    /// How many sessions the token allows at once, if it says.
    pub max_sessions: Option<u64>,
}

/// What a user needs to know about a token before typing a PIN.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Flags {
    pub login_required: bool,
    /// A PIN pad on the reader (protected authentication path): the PIN is typed there.
    pub pin_pad: bool,
    pub pin_count_low: bool,
    /// The next wrong PIN locks the token.
    pub pin_final_try: bool,
    pub pin_locked: bool,
    pub pin_to_be_changed: bool,
}

/// A key (or, before login, a certificate standing for one) on a token.
#[derive(Clone, Debug)]
pub struct KeyEntry {
    pub label: String,
    pub id: Vec<u8>,
    /// "RSA 2048", "EC P-256", ...
    pub key_type: String,
    pub certificate: Option<Certificate>,
    /// Whether the private key itself was seen (needs a login on most tokens).
    pub private_key_seen: bool,
    /// CKA_ALWAYS_AUTHENTICATE: every signature needs the PIN again (usual for QES keys).
    pub always_authenticate: bool,
}

impl KeyEntry {
    pub fn id_hex(&self) -> String {
        self.id.iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn list_keys(session: &Session, logged_in: bool) -> Result<Vec<KeyEntry>, Error> {
    let certificates = certificates_on(session)?;
    let mut entries = Vec::new();
    if logged_in {
        let keys = session
            .find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY)])
            .map_err(|e| map(e, None))?;
        for key in keys {
            let attributes = signer::key_attributes(session, key)?;
            if !attributes.can_sign {
                continue;
            }
            let certificate = signer::certificate_for(&attributes, &certificates).cloned();
            entries.push(KeyEntry {
                label: attributes.label.clone(),
                id: attributes.id.clone(),
                key_type: attributes.describe(certificate.as_ref()),
                certificate,
                private_key_seen: true,
                always_authenticate: attributes.always_authenticate,
            });
        }
    } else {
        for (label, id, certificate) in &certificates {
            if certificate.is_ca() {
                continue;
            }
            entries.push(KeyEntry {
                label: label.clone(),
                id: id.clone(),
                key_type: mechanism::describe_public_key(&certificate.public_key()),
                certificate: Some(certificate.clone()),
                private_key_seen: false,
                always_authenticate: false,
            });
        }
    }
    Ok(entries)
}

/// Every certificate on the token with its label and CKA_ID.
pub(crate) fn certificates_on(
    session: &Session,
) -> Result<Vec<(String, Vec<u8>, Certificate)>, Error> {
    let handles = session
        .find_objects(&[Attribute::Class(ObjectClass::CERTIFICATE)])
        .map_err(|e| map(e, None))?;
    let mut certificates = Vec::new();
    for handle in handles {
        let attributes = session
            .get_attributes(
                handle,
                &[
                    AttributeType::Value,
                    AttributeType::Id,
                    AttributeType::Label,
                ],
            )
            .map_err(|e| map(e, None))?;
        let (mut value, mut id, mut label) = (None, Vec::new(), String::new());
        for attribute in attributes {
            match attribute {
                Attribute::Value(v) => value = Some(v),
                Attribute::Id(v) => id = v,
                Attribute::Label(v) => label = String::from_utf8_lossy(&v).into_owned(),
                _ => {}
            }
        }
        if let Some(certificate) = value.and_then(|v| Certificate::from_der(&v).ok()) {
            certificates.push((label, id, certificate));
        }
    }
    Ok(certificates)
}

pub(crate) fn key_type_name(key_type: KeyType) -> &'static str {
    if key_type == KeyType::RSA {
        "RSA"
    } else if key_type == KeyType::EC {
        "EC"
    } else {
        "unsupported"
    }
}

/// Maps a PKCS#11 failure to its own error, with what the token says about tries left.
pub(crate) fn map(error: CkError, flags: Option<Flags>) -> Error {
    let CkError::Pkcs11(rv, function) = error else {
        return Error::Library(error.to_string());
    };
    match rv {
        RvError::PinIncorrect => Error::PinIncorrect {
            tries: Tries::from(flags),
        },
        RvError::PinLocked => Error::PinLocked,
        RvError::PinExpired => Error::PinExpired,
        RvError::PinLenRange | RvError::PinInvalid => Error::PinFormat,
        RvError::TokenNotPresent => Error::TokenNotPresent,
        RvError::DeviceRemoved | RvError::SessionClosed | RvError::SessionHandleInvalid => {
            Error::TokenRemoved
        }
        RvError::TokenNotRecognized => Error::TokenNotRecognized,
        RvError::DeviceError | RvError::DeviceMemory => Error::Device(format!("{rv}")),
        RvError::FunctionCanceled => Error::Canceled,
        RvError::FunctionFailed | RvError::GeneralError => Error::Failed {
            function: format!("{function}"),
        },
        other => Error::Pkcs11 {
            function: format!("{function}"),
            code: format!("{other}"),
        },
    }
}

/// What the token says about the PIN tries left after a wrong PIN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tries {
    Unknown,
    Low,
    FinalTry,
}

impl From<Option<Flags>> for Tries {
    fn from(flags: Option<Flags>) -> Self {
        match flags {
            Some(f) if f.pin_final_try => Self::FinalTry,
            Some(f) if f.pin_count_low => Self::Low,
            _ => Self::Unknown,
        }
    }
}

/// Why a token could not be used. Each card state has its own variant and message; none
/// carries the PIN.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot load PKCS#11 module {path}: {reason}")]
    Load { path: String, reason: String },
    #[error("no token labelled \"{label}\" in {module} (present: {})", if available.is_empty() { "none".to_owned() } else { available.join(", ") })]
    NoToken {
        label: String,
        module: String,
        available: Vec<String>,
    },
    #[error("no signing key {selector} on token \"{token}\"")]
    NoKey { selector: String, token: String },
    #[error("several signing keys on token \"{token}\": {}", keys.join(", "))]
    AmbiguousKey { token: String, keys: Vec<String> },
    #[error("the key {key} has no certificate on the token")]
    NoCertificate { key: String },
    #[error("{}", match tries {
        Tries::FinalTry => "PIN incorrect. WARNING: the next wrong PIN locks the card",
        Tries::Low => "PIN incorrect; the token reports that few tries are left",
        Tries::Unknown => "PIN incorrect",
    })]
    PinIncorrect { tries: Tries },
    #[error(
        "PIN locked: the token refuses all logins; unblock it with the PUK or the issuer's tool"
    )]
    PinLocked,
    #[error("PIN expired: change it with the card's tool first")]
    PinExpired,
    #[error("the PIN has the wrong length or characters for this token")]
    PinFormat,
    #[error("no token present in the reader")]
    TokenNotPresent,
    #[error("the token was removed")]
    TokenRemoved,
    #[error("the token in the reader is not recognised by the module")]
    TokenNotRecognized,
    #[error("the token reported a device error ({0}); check the reader and the card")]
    Device(String),
    #[error("the operation was cancelled on the token")]
    Canceled,
    #[error("the token could not perform {function} (function failed)")]
    Failed { function: String },
    #[error("the token offers no mechanism for {0}")]
    Mechanism(String),
    #[error("PKCS#11 error in {function}: {code}")]
    Pkcs11 { function: String, code: String },
    #[error("PKCS#11 library error: {0}")]
    Library(String),
    #[error("internal lock poisoned")]
    Poisoned,
}

#[cfg(test)]
mod tests {
    use super::*;
    use cryptoki::context::Function;

    #[test]
    fn known_module_paths_take_their_folder_from_the_environment() {
        // Cargo sets CARGO_MANIFEST_DIR for the tests it runs, on every platform.
        assert_eq!(
            expand("%CARGO_MANIFEST_DIR%\\Cargo.toml"),
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")
        );
        let unset = "%SIEGEL_TEST_SURELY_UNSET%\\x.dll";
        assert_eq!(expand(unset), PathBuf::from(unset));
        assert_eq!(expand("/usr/lib/x.so"), PathBuf::from("/usr/lib/x.so"));
    }

    #[test]
    fn card_states_have_their_own_messages() {
        let pin = |flags| {
            map(
                CkError::Pkcs11(RvError::PinIncorrect, Function::Login),
                flags,
            )
            .to_string()
        };
        assert_eq!(pin(None), "PIN incorrect");
        let final_try = Flags {
            pin_final_try: true,
            pin_count_low: true,
            ..Flags::default()
        };
        assert!(pin(Some(final_try)).contains("next wrong PIN locks"));
        let locked = map(CkError::Pkcs11(RvError::PinLocked, Function::Login), None).to_string();
        assert!(locked.starts_with("PIN locked"));
        let removed = map(
            CkError::Pkcs11(RvError::DeviceRemoved, Function::Sign),
            None,
        )
        .to_string();
        assert_eq!(removed, "the token was removed");
        let absent = map(
            CkError::Pkcs11(RvError::TokenNotPresent, Function::OpenSession),
            None,
        )
        .to_string();
        assert_eq!(absent, "no token present in the reader");
        let failed = map(
            CkError::Pkcs11(RvError::FunctionFailed, Function::Sign),
            None,
        )
        .to_string();
        assert!(failed.contains("function failed"));
        assert!(!failed.contains("PIN"));
    }
}
