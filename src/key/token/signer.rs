//! Signing with a key on a token: login once, a small pool of sessions for parallel batches,
//! a context-specific login per signature where the key demands it (CKA_ALWAYS_AUTHENTICATE).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use cryptoki::error::{Error as CkError, RvError};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use zeroize::Zeroizing;

use super::mechanism::{self, Plan};
use super::{Error, Module, Token, certificates_on, key_type_name, map};
use crate::algorithm::{Algorithm, Digest};
use crate::certificate::Certificate;
use crate::key::pin::Pin;
use crate::key::{self, Credential, Options, Signer};

/// Which key on the token to use.
#[derive(Clone, Debug)]
pub enum Selector {
    Label(String),
    /// CKA_ID.
    Id(Vec<u8>),
    /// The only signing key on the token.
    Only,
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Label(label) => write!(f, "labelled \"{label}\""),
            Self::Id(id) => write!(
                f,
                "with id {}",
                id.iter().map(|b| format!("{b:02x}")).collect::<String>()
            ),
            Self::Only => f.write_str("at all"),
        }
    }
}

/// Logs in on `token` and returns a credential for the selected key with its certificate chain
/// (the certificates on the token). `pin` is `None` for a PIN pad. The session is logged out
/// when the credential's signer is dropped.
pub fn open(
    module: &Module,
    token: &Token,
    selector: &Selector,
    pin: Option<&Pin>,
    options: Options,
) -> Result<Credential, key::Error> {
    let parallel = std::thread::available_parallelism().map_or(1, |n| n.get());
    let allowed = token
        .max_sessions
        .and_then(|m| usize::try_from(m).ok())
        .unwrap_or(parallel);
    let count = parallel.min(allowed).clamp(1, 16);
    let mut sessions = Vec::with_capacity(count);
    for _ in 0..count {
        match module.context().open_ro_session(token.slot) {
            Ok(session) => sessions.push(session),
            // Fewer sessions are fine; the first one is required.
            Err(error) if sessions.is_empty() => return Err(map(error, None).into()),
            Err(_) => break,
        }
    }
    let first = &sessions[0];
    login(first, module, token, pin)?;
    // From here on a failure must log out again: the guard does, as the signer would.
    let guard = LogoutOnDrop(first);

    let keys = first
        .find_objects(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::Sign(true),
        ])
        .map_err(|e| map(e, None))?;
    let mut candidates = Vec::new();
    for handle in keys {
        candidates.push(key_attributes(first, handle)?);
    }
    let chosen = match selector {
        Selector::Label(label) => candidates.into_iter().find(|k| &k.label == label),
        Selector::Id(id) => candidates.into_iter().find(|k| &k.id == id),
        Selector::Only if candidates.len() > 1 => {
            let keys = candidates
                .iter()
                .map(|k| format!("\"{}\" (id {})", k.label, hex(&k.id)))
                .collect();
            return Err(Error::AmbiguousKey {
                token: token.label.clone(),
                keys,
            }
            .into());
        }
        Selector::Only => candidates.into_iter().next(),
    }
    .ok_or_else(|| Error::NoKey {
        selector: selector.to_string(),
        token: token.label.clone(),
    })?;

    let certificates = certificates_on(first)?;
    let certificate = certificate_for(&chosen, &certificates)
        .cloned()
        .ok_or_else(|| Error::NoCertificate {
            key: chosen.label.clone(),
        })?;
    let algorithm = algorithm_for(chosen.key_type, &certificate, options)?;
    let available = module
        .context()
        .get_mechanism_list(token.slot)
        .map_err(|e| map(e, None))?;
    let plan = mechanism::choose(algorithm, &available)?;
    let public_key = certificate.public_key();

    std::mem::forget(guard);
    let signer = TokenSigner {
        module: module.clone(),
        token: token.clone(),
        sessions: sessions.into_iter().map(Mutex::new).collect(),
        next: AtomicUsize::new(0),
        key: chosen.handle,
        label: chosen.label.clone(),
        algorithm,
        public_key,
        plan,
        context_pin: chosen
            .always_authenticate
            .then(|| pin.map(|p| Zeroizing::new(p.expose().to_owned()))),
    };
    let mut chain = vec![certificate];
    chain.extend(
        certificates
            .into_iter()
            .map(|(_, _, c)| c)
            .filter(|c| c.is_ca()),
    );
    Credential::new(Arc::new(signer), chain)
}

/// Logs the user in once. A wrong PIN is reported with the token's word on the tries left;
/// it is never retried.
pub(crate) fn login(
    session: &Session,
    module: &Module,
    token: &Token,
    pin: Option<&Pin>,
) -> Result<(), Error> {
    if token.flags.pin_locked {
        return Err(Error::PinLocked);
    }
    let secret = pin.map(|p| AuthPin::new(p.expose().into()));
    match session.login(UserType::User, secret.as_ref()) {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
        Err(error) => Err(map(error, module.refresh(token).map(|t| t.flags))),
    }
}

/// A key on a token, usable as a [`Signer`].
pub struct TokenSigner {
    module: Module,
    token: Token,
    sessions: Vec<Mutex<Session>>,
    next: AtomicUsize,
    key: ObjectHandle,
    label: String,
    algorithm: Algorithm,
    public_key: Vec<u8>,
    plan: Plan,
    /// For keys that need the PIN for every signature: `Some(None)` means the PIN pad.
    context_pin: Option<Option<Zeroizing<String>>>,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSigner")
            .field("token", &self.token.label)
            .field("key", &self.label)
            .field("algorithm", &self.algorithm)
            .field("sessions", &self.sessions.len())
            .finish_non_exhaustive()
    }
}

impl TokenSigner {
    /// A free session if there is one, else the next in turn.
    fn session(&self) -> MutexGuard<'_, Session> {
        let start = self.next.fetch_add(1, Ordering::Relaxed) % self.sessions.len();
        for offset in 0..self.sessions.len() {
            if let Ok(session) = self.sessions[(start + offset) % self.sessions.len()].try_lock() {
                return session;
            }
        }
        self.sessions[start]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn fail(&self, error: CkError) -> key::Error {
        key::Error::Token(map(
            error,
            self.module.refresh(&self.token).map(|t| t.flags),
        ))
    }
}

impl Signer for TokenSigner {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, key::Error> {
        let data = self.plan.input(message)?;
        let mechanism = self.plan.mechanism();
        let session = self.session();
        let raw = match &self.context_pin {
            None => session
                .sign(&mechanism, self.key, &data)
                .map_err(|e| self.fail(e))?,
            Some(pin) => {
                // C_SignInit, then C_Login(CKU_CONTEXT_SPECIFIC), then the data (PKCS#11 §5.2).
                session
                    .sign_init(&mechanism, self.key)
                    .map_err(|e| self.fail(e))?;
                let secret = pin.as_ref().map(|p| AuthPin::new(p.as_str().into()));
                session
                    .login(UserType::ContextSpecific, secret.as_ref())
                    .map_err(|e| self.fail(e))?;
                session.sign_update(&data).map_err(|e| self.fail(e))?;
                session.sign_final().map_err(|e| self.fail(e))?
            }
        };
        if self.plan.raw_ecdsa() {
            crate::algorithm::plain_to_der(&raw).ok_or_else(|| {
                key::Error::Sign("the token returned a malformed ECDSA signature".into())
            })
        } else {
            Ok(raw)
        }
    }
}

impl Drop for TokenSigner {
    fn drop(&mut self) {
        if let Some(session) = self.sessions.first() {
            let session = session
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let _ = session.logout();
        }
    }
}

/// Logs out on early returns of [`open`].
struct LogoutOnDrop<'a>(&'a Session);

impl Drop for LogoutOnDrop<'_> {
    fn drop(&mut self) {
        let _ = self.0.logout();
    }
}

/// What a private key object says about itself.
#[derive(Clone, Debug)]
pub(crate) struct KeyAttributes {
    pub(crate) handle: ObjectHandle,
    pub(crate) label: String,
    pub(crate) id: Vec<u8>,
    pub(crate) key_type: KeyType,
    pub(crate) can_sign: bool,
    pub(crate) always_authenticate: bool,
    pub(crate) modulus: Option<Vec<u8>>,
}

impl KeyAttributes {
    pub(crate) fn describe(&self, certificate: Option<&Certificate>) -> String {
        match certificate {
            Some(certificate) => mechanism::describe_public_key(&certificate.public_key()),
            None => match &self.modulus {
                Some(modulus) => format!("RSA {}", modulus.len() * 8),
                None => key_type_name(self.key_type).to_owned(),
            },
        }
    }
}

pub(crate) fn key_attributes(
    session: &Session,
    handle: ObjectHandle,
) -> Result<KeyAttributes, Error> {
    let wanted = [
        AttributeType::Label,
        AttributeType::Id,
        AttributeType::KeyType,
        AttributeType::Sign,
        AttributeType::AlwaysAuthenticate,
        AttributeType::Modulus,
    ];
    let attributes = session
        .get_attributes(handle, &wanted)
        .map_err(|e| map(e, None))?;
    let mut key = KeyAttributes {
        handle,
        label: String::new(),
        id: Vec::new(),
        key_type: KeyType::RSA,
        can_sign: false,
        always_authenticate: false,
        modulus: None,
    };
    for attribute in attributes {
        match attribute {
            Attribute::Label(v) => key.label = String::from_utf8_lossy(&v).into_owned(),
            Attribute::Id(v) => key.id = v,
            Attribute::KeyType(t) => key.key_type = t,
            Attribute::Sign(s) => key.can_sign = s,
            Attribute::AlwaysAuthenticate(a) => key.always_authenticate = a,
            Attribute::Modulus(m) => key.modulus = Some(m),
            _ => {}
        }
    }
    Ok(key)
}

/// The certificate of a key: same CKA_ID, else same label, else (RSA) same modulus.
pub(crate) fn certificate_for<'a>(
    key: &KeyAttributes,
    certificates: &'a [(String, Vec<u8>, Certificate)],
) -> Option<&'a Certificate> {
    let leaf = |c: &&(String, Vec<u8>, Certificate)| !c.2.is_ca();
    if !key.id.is_empty()
        && let Some((_, _, c)) = certificates
            .iter()
            .filter(leaf)
            .find(|(_, id, _)| *id == key.id)
    {
        return Some(c);
    }
    if let Some((_, _, c)) = certificates
        .iter()
        .filter(leaf)
        .find(|(label, _, _)| !label.is_empty() && *label == key.label)
    {
        return Some(c);
    }
    let modulus = key.modulus.as_ref()?;
    certificates
        .iter()
        .filter(leaf)
        .map(|(_, _, c)| c)
        .find(|c| {
            openssl::pkey::PKey::public_key_from_der(&c.public_key())
                .ok()
                .and_then(|k| k.rsa().ok())
                .is_some_and(|rsa| rsa.n().to_vec() == strip_zeros(modulus))
        })
}

fn strip_zeros(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes[start..].to_vec()
}

fn algorithm_for(
    key_type: KeyType,
    certificate: &Certificate,
    options: Options,
) -> Result<Algorithm, Error> {
    if key_type == KeyType::RSA {
        let digest = options.digest.unwrap_or(Digest::Sha256);
        Ok(if options.pss {
            Algorithm::RsaPss(digest)
        } else {
            Algorithm::RsaPkcs1(digest)
        })
    } else if key_type == KeyType::EC {
        let large = mechanism::describe_public_key(&certificate.public_key()).ends_with("P-384")
            || mechanism::describe_public_key(&certificate.public_key()).ends_with("P-521");
        Ok(Algorithm::Ecdsa(options.digest.unwrap_or(if large {
            Digest::Sha384
        } else {
            Digest::Sha256
        })))
    } else {
        Err(Error::Mechanism(format!(
            "{} keys",
            key_type_name(key_type)
        )))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
