//! Network access for time-stamps, revocation data and issuer certificates over HTTP
//! (RFC 3161 §3.4, RFC 6960 appendix A, RFC 5280 §4.2.1.13 and §4.2.2.1), behind a trait so
//! tests and offline validation can replace it.
//!
//! The URLs of OCSP responders, CRLs and issuers come from certificates inside the documents
//! being validated, i.e. from whoever made the document. So, unless the [`Policy`] says
//! otherwise:
//! - only `http` and `https` are fetched;
//! - a name is resolved here and *every* address it resolves to is checked before anything is
//!   sent; the connection then goes to a checked address, so a second, different DNS answer
//!   cannot lead elsewhere (DNS rebinding). Loopback, link-local, private, shared (CGNAT),
//!   unique-local, unspecified, multicast, broadcast and reserved addresses are refused
//!   ([`address::special`]);
//! - redirects are followed only for GET, at most [`MAX_REDIRECTS`] times, and only to the same
//!   host name (the scheme and port may change); every hop passes the address check again. A
//!   POST (OCSP, time-stamps) follows none: responders answer where they are asked;
//! - every answer is read up to the limit of its [`Kind`], and no further;
//! - a conditional GET ([`Fetcher::fetch_if_modified`], for trusted lists) keeps all of these
//!   rules; 304 is its answer only when it asked, and never a redirect;
//! - each request ends within [`Policy::request_timeout`], and a [`Session`] makes all requests
//!   for one document share one [`Policy::document_budget`].
//!
//! URLs the user configured (time-stamp authorities, [`Kind::Timestamp`]) may name private
//! addresses: a company TSA on the intranet is the user's own choice, not an attacker's. The
//! scheme, redirect and size rules still apply to them.
//!
//! An HTTP proxy from the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`)
//! is used as configured, and its own address is never refused. A proxy resolves the target
//! itself, so through a proxy the target's addresses are checked here first, but the guard
//! against a changing DNS answer is then as good as the proxy's.

pub mod address;

use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// All requests for one document together, unless the settings say otherwise.
pub const DEFAULT_DOCUMENT_BUDGET: Duration = Duration::from_secs(15);
/// One request, from resolving the name to the last byte of the answer.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// URLs tried per certificate for one purpose (OCSP, CRL, issuer): real certificates name one
/// or two, a hostile one thousands.
pub const MAX_URLS: usize = 4;
/// Same-host redirects followed for one GET.
pub const MAX_REDIRECTS: usize = 3;
/// OCSP responses, certificates and time-stamp tokens are a few KiB.
const MAX_SMALL_RESPONSE: u64 = 1024 * 1024;
/// The largest national lists are about 10 MiB; the XML reader refuses more than 64 MiB
/// anyway, so nothing larger is worth downloading.
const MAX_TRUSTED_LIST: u64 = 64 * 1024 * 1024;
/// CRLs of big CAs reach a few MiB.
const MAX_CRL: u64 = 32 * 1024 * 1024;
/// A `.sha2` file is one SHA-256 as text (64 hex digits); anything much longer is not one.
const MAX_DIGEST_FILE: u64 = 1024;
/// An `ETag` or `Last-Modified` longer than this is not remembered (real ones are short), so a
/// server cannot grow the state file that keeps them.
const MAX_VALIDATOR: usize = 256;

/// What a request fetches: decides the size limit and whether the URL is the user's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An issuer's certificate (AIA caIssuers): a DER or PEM certificate or a PKCS#7 bundle.
    Certificate,
    /// An OCSP response (RFC 6960).
    Ocsp,
    /// A certificate revocation list (RFC 5280 §5).
    Crl,
    /// An RFC 3161 time-stamp response from a TSA the user configured.
    Timestamp,
    /// A trusted list (ETSI TS 119 612): the LOTL from the user's URL, or a national list
    /// from a LOTL verified against the user's pinned signers.
    TrustedList,
    /// The `.sha2` file published beside a trusted list (TS 119 612 §6.1): its digest.
    TrustedListDigest,
}

impl Kind {
    /// The largest answer accepted, enforced while reading.
    pub fn max_response(self) -> u64 {
        match self {
            Self::Certificate | Self::Ocsp | Self::Timestamp => MAX_SMALL_RESPONSE,
            Self::Crl => MAX_CRL,
            Self::TrustedList => MAX_TRUSTED_LIST,
            Self::TrustedListDigest => MAX_DIGEST_FILE,
        }
    }

    /// Whether the URL comes from the user (settings, command line) rather than a document.
    fn chosen_by_user(self) -> bool {
        matches!(
            self,
            Self::Timestamp | Self::TrustedList | Self::TrustedListDigest
        )
    }
}

/// One request: GET, or POST with a body.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub url: &'a str,
    pub kind: Kind,
    /// `(content type, bytes)` to POST; `None` GETs.
    pub body: Option<(&'a str, &'a [u8])>,
    /// The request ends by then at the latest, whatever its own timeout.
    pub deadline: Option<Instant>,
}

impl<'a> Request<'a> {
    pub fn get(url: &'a str, kind: Kind) -> Self {
        Self {
            url,
            kind,
            body: None,
            deadline: None,
        }
    }

    pub fn post(url: &'a str, kind: Kind, content_type: &'a str, body: &'a [u8]) -> Self {
        Self {
            body: Some((content_type, body)),
            ..Self::get(url, kind)
        }
    }
}

/// What a copy kept from an earlier answer is known by, so that a server can be asked whether
/// it changed since (RFC 9110 §8.8 and §13.1): that answer's `ETag` and `Last-Modified`,
/// exactly as sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// The answer to a conditional GET ([`Fetcher::fetch_if_modified`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conditional {
    /// A 2xx answer: the body, and what to send next time to ask again.
    Modified {
        body: Vec<u8>,
        validators: Validators,
    },
    /// 304 Not Modified: the copy the validators describe is still the current one.
    NotModified,
}

/// Fetches bytes over the network.
pub trait Fetcher: fmt::Debug + Send + Sync {
    /// The body of a 2xx answer to `request`.
    fn fetch(&self, request: &Request<'_>) -> Result<Vec<u8>, Error>;

    /// GETs `request` with `If-None-Match` and `If-Modified-Since` from `known`, so that the
    /// server may answer [`Conditional::NotModified`] instead of the body.
    ///
    /// The default asks unconditionally and never reports `NotModified`, so a fetcher that
    /// cannot see headers (a test's, an offline one) is still correct, merely not economical.
    fn fetch_if_modified(
        &self,
        request: &Request<'_>,
        known: &Validators,
    ) -> Result<Conditional, Error> {
        let _ = known;
        self.fetch(request).map(|body| Conditional::Modified {
            body,
            validators: Validators::default(),
        })
    }

    /// How long all requests for one document may take together ([`Session`]); `None` for no
    /// limit beyond each request's own.
    fn document_budget(&self) -> Option<Duration> {
        None
    }
}

impl<T: Fetcher + ?Sized> Fetcher for &T {
    fn fetch(&self, request: &Request<'_>) -> Result<Vec<u8>, Error> {
        (**self).fetch(request)
    }

    fn fetch_if_modified(
        &self,
        request: &Request<'_>,
        known: &Validators,
    ) -> Result<Conditional, Error> {
        (**self).fetch_if_modified(request, known)
    }

    fn document_budget(&self) -> Option<Duration> {
        (**self).document_budget()
    }
}

impl<T: Fetcher + ?Sized> Fetcher for Arc<T> {
    fn fetch(&self, request: &Request<'_>) -> Result<Vec<u8>, Error> {
        (**self).fetch(request)
    }

    fn fetch_if_modified(
        &self,
        request: &Request<'_>,
        known: &Validators,
    ) -> Result<Conditional, Error> {
        (**self).fetch_if_modified(request, known)
    }

    fn document_budget(&self) -> Option<Duration> {
        (**self).document_budget()
    }
}

/// The network rules, decided in one place for the command line and the desktop app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The most one request may take, from resolving the name to the answer's last byte.
    pub request_timeout: Duration,
    /// The most all requests for one document may take together.
    pub document_budget: Duration,
    /// Contact loopback, link-local and private addresses named in documents (test PKIs,
    /// intranet CAs).
    pub allow_private_network: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            document_budget: DEFAULT_DOCUMENT_BUDGET,
            allow_private_network: false,
        }
    }
}

/// HTTP and HTTPS under a [`Policy`].
pub struct Http {
    /// For URLs from documents: refuses special addresses unless the policy allows them.
    guarded: ureq::Agent,
    /// For URLs the user configured.
    open: ureq::Agent,
    policy: Policy,
    /// `user:password` for TSAs that require basic authentication; sent to them alone.
    basic_auth: Option<zeroize::Zeroizing<String>>,
}

impl fmt::Debug for Http {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Http")
            .field("policy", &self.policy)
            .field(
                "basic_auth",
                &self.basic_auth.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

impl Http {
    pub fn new(policy: Policy) -> Self {
        let agent = |allow_private| {
            let tls = ureq::tls::TlsConfig::builder()
                .provider(ureq::tls::TlsProvider::NativeTls)
                .build();
            let config = ureq::Agent::config_builder()
                .timeout_global(Some(policy.request_timeout))
                .http_status_as_error(false)
                // Redirects are followed here, hop by hop, to check each one.
                .max_redirects(0)
                .tls_config(tls)
                .user_agent(concat!("siegel/", env!("CARGO_PKG_VERSION")))
                .build();
            ureq::Agent::with_parts(config, DefaultConnector::new(), Guard { allow_private })
        };
        Self {
            guarded: agent(policy.allow_private_network),
            open: agent(true),
            policy,
            basic_auth: None,
        }
    }

    /// Sends `user:password` as HTTP basic authentication (RFC 7617) with every request to a
    /// URL the user configured (never to one from a document).
    pub fn with_basic_auth(mut self, credentials: zeroize::Zeroizing<String>) -> Self {
        self.basic_auth = Some(credentials);
        self
    }

    fn authorization(&self) -> Option<String> {
        use base64ct::Encoding;
        self.basic_auth
            .as_ref()
            .map(|c| format!("Basic {}", base64ct::Base64::encode_string(c.as_bytes())))
    }

    /// One hop: the answer, or where a redirect points.
    fn send(
        &self,
        agent: &ureq::Agent,
        uri: &Uri,
        request: &Request<'_>,
        known: Option<&Validators>,
        left: Duration,
    ) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        let guarded = !(request.kind.chosen_by_user() || self.policy.allow_private_network);
        if guarded && through_proxy(agent, uri) {
            check_target(uri, left)?;
        }
        match request.body {
            Some((content_type, body)) => {
                let mut builder = agent
                    .post(uri)
                    .config()
                    .timeout_global(Some(left))
                    .build()
                    .header("Content-Type", content_type);
                if request.kind.chosen_by_user()
                    && let Some(authorization) = self.authorization()
                {
                    builder = builder.header("Authorization", authorization);
                }
                builder.send(body)
            }
            None => {
                let mut builder = agent.get(uri).config().timeout_global(Some(left)).build();
                if let Some(known) = known {
                    if let Some(etag) = &known.etag {
                        builder = builder.header("If-None-Match", etag);
                    }
                    if let Some(date) = &known.last_modified {
                        builder = builder.header("If-Modified-Since", date);
                    }
                }
                builder.call()
            }
        }
    }

    /// A GET or POST, conditional when `known` holds validators: redirects, deadline and size
    /// limit apply the same either way.
    fn exchange(
        &self,
        request: &Request<'_>,
        known: Option<&Validators>,
    ) -> Result<Conditional, Error> {
        let url = request.url;
        let known = known.filter(|k| request.body.is_none() && !k.is_empty());
        let mut uri = web_uri(url)?;
        let agent = if request.kind.chosen_by_user() {
            &self.open
        } else {
            &self.guarded
        };
        let start = Instant::now();
        let own = start.checked_add(self.policy.request_timeout);
        let deadline = match (own, request.deadline) {
            (Some(own), Some(given)) => own.min(given),
            (own, given) => own.or(given).unwrap_or(start),
        };
        for hop in 0..=MAX_REDIRECTS {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::Timeout {
                    url: url.to_owned(),
                });
            }
            let mut response = self
                .send(agent, &uri, request, known, left)
                .map_err(|e| classify(url, &e))?;
            let status = response.status().as_u16();
            // 304 is no redirect (RFC 9110 §15.4.5), and an answer only to a question asked:
            // unasked, it is an error below.
            if status == 304 && known.is_some() {
                return Ok(Conditional::NotModified);
            }
            if (300..400).contains(&status) && status != 304 && request.body.is_none() {
                let location = response
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let next = redirect_target(&uri, &location).ok_or_else(|| Error::Redirect {
                    url: url.to_owned(),
                    location: location.clone(),
                })?;
                if hop == MAX_REDIRECTS {
                    return Err(Error::TooManyRedirects {
                        url: url.to_owned(),
                    });
                }
                uri = next;
                continue;
            }
            if !(200..300).contains(&status) {
                return Err(Error::Status {
                    url: url.to_owned(),
                    status,
                });
            }
            let validators = Validators {
                etag: validator(&response, "etag"),
                last_modified: validator(&response, "last-modified"),
            };
            let body = response
                .body_mut()
                .with_config()
                .limit(request.kind.max_response())
                .read_to_vec()
                .map_err(|e| classify(url, &e))?;
            return Ok(Conditional::Modified { body, validators });
        }
        Err(Error::TooManyRedirects {
            url: url.to_owned(),
        })
    }
}

/// A validator header of `response`, if it is short visible ASCII (what may be sent back).
fn validator(response: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    let value = response.headers().get(name)?.to_str().ok()?;
    (!value.is_empty() && value.len() <= MAX_VALIDATOR).then(|| value.to_owned())
}

impl Fetcher for Http {
    fn fetch(&self, request: &Request<'_>) -> Result<Vec<u8>, Error> {
        match self.exchange(request, None)? {
            Conditional::Modified { body, .. } => Ok(body),
            // Not asked conditionally, so never answered so.
            Conditional::NotModified => Err(Error::Status {
                url: request.url.to_owned(),
                status: 304,
            }),
        }
    }

    fn fetch_if_modified(
        &self,
        request: &Request<'_>,
        known: &Validators,
    ) -> Result<Conditional, Error> {
        self.exchange(request, Some(known))
    }

    fn document_budget(&self) -> Option<Duration> {
        Some(self.policy.document_budget)
    }
}

/// `url` parsed, if it is `http` or `https` with a host.
fn web_uri(url: &str) -> Result<Uri, Error> {
    let refused = || Error::Scheme {
        url: url.to_owned(),
    };
    let uri: Uri = url.parse().map_err(|_| refused())?;
    let scheme = uri.scheme_str().map(str::to_ascii_lowercase);
    if !matches!(scheme.as_deref(), Some("http" | "https")) || uri.host().is_none() {
        return Err(refused());
    }
    Ok(uri)
}

/// Where a redirect from `from` to `location` leads, if it may be followed: an absolute
/// `http(s)` URL or an absolute path, on the same host name.
fn redirect_target(from: &Uri, location: &str) -> Option<Uri> {
    let next = if location.starts_with('/') && !location.starts_with("//") {
        let scheme = from.scheme_str()?;
        let authority = from.authority()?;
        web_uri(&format!("{scheme}://{authority}{location}")).ok()?
    } else {
        web_uri(location).ok()?
    };
    let same = next
        .host()
        .zip(from.host())
        .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b));
    same.then_some(next)
}

/// Whether ureq hands `uri` to a proxy that resolves it (so the resolver never sees it).
fn through_proxy(agent: &ureq::Agent, uri: &Uri) -> bool {
    agent
        .config()
        .proxy()
        .is_some_and(|proxy| !proxy.is_no_proxy(uri) && !proxy.resolve_target())
}

/// Resolves the host of `uri` and refuses it if any address is special; for requests a proxy
/// will resolve again.
fn check_target(uri: &Uri, timeout: Duration) -> Result<(), ureq::Error> {
    let host = uri.host().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let https = uri
        .scheme_str()
        .is_some_and(|s| s.eq_ignore_ascii_case("https"));
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let target = (host.to_owned(), port);
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    // getaddrinfo cannot be cancelled; a thread lets the request give up on it in time.
    std::thread::spawn(move || {
        let _ = sender.send(target.to_socket_addrs().map(Iterator::collect::<Vec<_>>));
    });
    let addresses = match receiver.recv_timeout(timeout) {
        Ok(resolved) => resolved.map_err(ureq::Error::Io)?,
        Err(_) => return Err(ureq::Error::Timeout(ureq::Timeout::Resolve)),
    };
    if addresses.is_empty() {
        return Err(ureq::Error::HostNotFound);
    }
    refuse_special(addresses.iter())
}

/// The resolver of [`Http`]: ureq's own, then every address checked; ureq connects to the
/// addresses returned here and resolves nothing else.
#[derive(Debug)]
struct Guard {
    allow_private: bool,
}

impl Resolver for Guard {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addresses = DefaultResolver::default().resolve(uri, config, timeout)?;
        // The proxy is the user's own choice, wherever it is.
        let is_proxy = config.proxy().is_some_and(|proxy| {
            uri.host()
                .is_some_and(|h| h.eq_ignore_ascii_case(proxy.host()))
                && uri.port_u16().is_none_or(|p| p == proxy.port())
        });
        if !self.allow_private && !is_proxy {
            refuse_special(addresses.iter())?;
        }
        Ok(addresses)
    }
}

fn refuse_special<'a>(addresses: impl Iterator<Item = &'a SocketAddr>) -> Result<(), ureq::Error> {
    for address in addresses {
        if let Some(range) = address::special(address.ip()) {
            return Err(ureq::Error::Other(Box::new(Refused {
                address: *address,
                range,
            })));
        }
    }
    Ok(())
}

/// A resolved address that must not be contacted; travels through ureq as its `Other` error.
#[derive(Debug)]
struct Refused {
    address: SocketAddr,
    range: address::Range,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is a {} address", self.address.ip(), self.range)
    }
}

impl std::error::Error for Refused {}

fn classify(url: &str, error: &ureq::Error) -> Error {
    let url = url.to_owned();
    match error {
        ureq::Error::Timeout(_) => Error::Timeout { url },
        ureq::Error::BodyExceedsLimit(limit) => Error::TooLarge { url, limit: *limit },
        ureq::Error::Other(inner) => match inner.downcast_ref::<Refused>() {
            Some(refused) => Error::Refused {
                url,
                address: refused.address.ip(),
                range: refused.range,
            },
            None => Error::Unreachable {
                url,
                reason: inner.to_string(),
            },
        },
        other => Error::Unreachable {
            url,
            reason: other.to_string(),
        },
    }
}

/// All requests for one document: they share [`Fetcher::document_budget`] from the moment the
/// session starts, so a document naming many slow URLs costs that long at most. Each request
/// gets the smaller of its own timeout and the time left; once none is left, nothing more is
/// fetched.
#[derive(Debug)]
pub struct Session<F> {
    inner: F,
    deadline: Option<Instant>,
    budget: Option<Duration>,
    used_up: AtomicBool,
}

impl<F: Fetcher> Session<F> {
    pub fn start(inner: F) -> Self {
        let budget = inner.document_budget();
        Self {
            deadline: budget.and_then(|b| Instant::now().checked_add(b)),
            budget,
            inner,
            used_up: AtomicBool::new(false),
        }
    }

    /// Whether a request was refused or cut short because the budget was used up.
    pub fn used_up(&self) -> bool {
        self.used_up.load(Ordering::Relaxed)
    }

    fn exhausted(&self, url: &str) -> Error {
        self.used_up.store(true, Ordering::Relaxed);
        Error::BudgetUsedUp {
            url: url.to_owned(),
            seconds: self.budget.map_or(0, |b| b.as_secs()),
        }
    }
}

impl<F: Fetcher> Session<F> {
    /// `send` with `request` limited to what is left of the budget.
    fn within_budget<T>(
        &self,
        request: &Request<'_>,
        send: impl FnOnce(&Request<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let Some(deadline) = self.deadline else {
            return send(request);
        };
        if Instant::now() >= deadline {
            return Err(self.exhausted(request.url));
        }
        let deadline = request.deadline.map_or(deadline, |d| d.min(deadline));
        match send(&Request {
            deadline: Some(deadline),
            ..*request
        }) {
            Err(Error::Timeout { url }) if Instant::now() >= deadline => Err(self.exhausted(&url)),
            other => other,
        }
    }
}

impl<F: Fetcher> Fetcher for Session<F> {
    fn fetch(&self, request: &Request<'_>) -> Result<Vec<u8>, Error> {
        self.within_budget(request, |r| self.inner.fetch(r))
    }

    fn fetch_if_modified(
        &self,
        request: &Request<'_>,
        known: &Validators,
    ) -> Result<Conditional, Error> {
        self.within_budget(request, |r| self.inner.fetch_if_modified(r, known))
    }
}

/// No network at all: validation with `--offline`, and tests that must not reach out.
#[derive(Clone, Copy, Debug, Default)]
pub struct Offline;

impl Fetcher for Offline {
    fn fetch(&self, request: &Request<'_>) -> Result<Vec<u8>, Error> {
        Err(Error::Offline {
            url: request.url.to_owned(),
        })
    }
}

/// Why a request failed; always names the URL.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("{url}: not fetched (offline)")]
    Offline { url: String },
    #[error("{url}: not fetched: only http and https URLs are")]
    Scheme { url: String },
    #[error("{url}: not contacted: {address} is a {range} address")]
    Refused {
        url: String,
        address: std::net::IpAddr,
        range: address::Range,
    },
    #[error("{url}: cannot connect: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{url}: no answer in time")]
    Timeout { url: String },
    #[error("{url}: not fetched: the network time for this document ({seconds} s) is used up")]
    BudgetUsedUp { url: String, seconds: u64 },
    #[error("{url}: answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: redirects to another host ({location}); not followed")]
    Redirect { url: String, location: String },
    #[error("{url}: more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects { url: String },
    #[error("{url}: the answer is larger than {limit} bytes")]
    TooLarge { url: String, limit: u64 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_urls_are_fetched() {
        assert!(web_uri("http://ocsp.example/").is_ok());
        assert!(web_uri("HTTPS://ca.example/ca.der").is_ok());
        for url in [
            "ldap://ldap.example/cn=CA?certificateRevocationList",
            "file:///etc/passwd",
            "ftp://ftp.example/ca.crl",
            "gopher://127.0.0.1:6379/_INFO",
            "/relative/path",
            "http://",
            "not a url",
        ] {
            assert!(
                matches!(web_uri(url), Err(Error::Scheme { .. })),
                "{url} was accepted"
            );
        }
    }

    #[test]
    fn redirects_stay_on_the_same_host() {
        let from: Uri = "http://crl.example:8080/a/ca.crl".parse().unwrap();
        let target = |location: &str| redirect_target(&from, location).map(|u| u.to_string());
        assert_eq!(
            target("/b/ca.crl").as_deref(),
            Some("http://crl.example:8080/b/ca.crl")
        );
        assert_eq!(
            target("https://CRL.example/ca.crl").as_deref(),
            Some("https://CRL.example/ca.crl")
        );
        assert_eq!(target("http://elsewhere.example/ca.crl"), None);
        assert_eq!(target("//elsewhere.example/ca.crl"), None);
        assert_eq!(target("http://crl.example.evil/ca.crl"), None);
        assert_eq!(target("file:///etc/passwd"), None);
        assert_eq!(target(""), None);
    }

    #[test]
    fn a_session_refuses_once_its_budget_is_used_up() {
        #[derive(Debug)]
        struct Slow(Duration);
        impl Fetcher for Slow {
            fn fetch(&self, request: &Request<'_>) -> Result<Vec<u8>, Error> {
                let deadline = request.deadline.expect("a session sets a deadline");
                let wait = deadline
                    .saturating_duration_since(Instant::now())
                    .min(self.0);
                std::thread::sleep(wait);
                Err(Error::Timeout {
                    url: request.url.to_owned(),
                })
            }
            fn document_budget(&self) -> Option<Duration> {
                Some(Duration::from_millis(200))
            }
        }
        let session = Session::start(Slow(Duration::from_secs(5)));
        let start = Instant::now();
        for _ in 0..5 {
            let error = session
                .fetch(&Request::get("http://slow.example/", Kind::Crl))
                .unwrap_err();
            assert!(matches!(error, Error::BudgetUsedUp { .. }), "{error}");
        }
        assert!(start.elapsed() < Duration::from_secs(3));
        assert!(session.used_up());
    }

    #[test]
    fn size_limits_depend_on_the_kind() {
        assert_eq!(Kind::Ocsp.max_response(), 1024 * 1024);
        assert_eq!(Kind::Certificate.max_response(), 1024 * 1024);
        assert_eq!(Kind::Crl.max_response(), 32 * 1024 * 1024);
    }
}
