//! Network access for timestamps and revocation data over HTTP (RFC 3161 §3.4, RFC 6960
//! appendix A, RFC 5280 §4.2.1.13): one blocking client with timeouts everywhere, behind a
//! trait so tests and offline validation can replace it.

use std::fmt;
use std::time::Duration;

/// Largest response accepted; CRLs of big CAs reach a few MiB.
const MAX_RESPONSE: u64 = 32 * 1024 * 1024;

/// Fetches bytes over the network.
pub trait Fetcher: fmt::Debug + Send + Sync {
    /// POSTs `body` with `content_type` and returns the response body of a 2xx answer.
    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Vec<u8>, Error>;

    /// GETs `url` and returns the response body of a 2xx answer.
    fn get(&self, url: &str) -> Result<Vec<u8>, Error>;
}

/// HTTP and HTTPS with a timeout per request.
pub struct Http {
    agent: ureq::Agent,
    /// `user:password` for TSAs that require basic authentication.
    basic_auth: Option<zeroize::Zeroizing<String>>,
}

impl fmt::Debug for Http {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Http")
            .field(
                "basic_auth",
                &self.basic_auth.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

impl Http {
    pub fn new(timeout: Duration) -> Self {
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::NativeTls)
            .build();
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .tls_config(tls)
            .user_agent(concat!("siegel/", env!("CARGO_PKG_VERSION")))
            .build();
        Self {
            agent: config.new_agent(),
            basic_auth: None,
        }
    }

    /// Sends `user:password` as HTTP basic authentication (RFC 7617) with every request.
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

    fn finish(
        url: &str,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Vec<u8>, Error> {
        let mut response = response.map_err(|e| classify(url, &e))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(Error::Status {
                url: url.to_owned(),
                status,
            });
        }
        response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_vec()
            .map_err(|e| classify(url, &e))
    }
}

impl Fetcher for Http {
    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<Vec<u8>, Error> {
        let mut request = self.agent.post(url).header("Content-Type", content_type);
        if let Some(authorization) = self.authorization() {
            request = request.header("Authorization", authorization);
        }
        Self::finish(url, request.send(body))
    }

    fn get(&self, url: &str) -> Result<Vec<u8>, Error> {
        Self::finish(url, self.agent.get(url).call())
    }
}

fn classify(url: &str, error: &ureq::Error) -> Error {
    match error {
        ureq::Error::Timeout(_) => Error::Timeout {
            url: url.to_owned(),
        },
        ureq::Error::BodyExceedsLimit(_) => Error::TooLarge {
            url: url.to_owned(),
        },
        other => Error::Unreachable {
            url: url.to_owned(),
            reason: other.to_string(),
        },
    }
}

/// No network at all: validation with `--offline`, and tests that must not reach out.
#[derive(Clone, Copy, Debug, Default)]
pub struct Offline;

impl Fetcher for Offline {
    fn post(&self, url: &str, _: &str, _: &[u8]) -> Result<Vec<u8>, Error> {
        Err(Error::Offline {
            url: url.to_owned(),
        })
    }

    fn get(&self, url: &str) -> Result<Vec<u8>, Error> {
        Err(Error::Offline {
            url: url.to_owned(),
        })
    }
}

/// Why a request failed; always names the URL.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("{url}: not fetched (offline)")]
    Offline { url: String },
    #[error("{url}: cannot connect: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{url}: no answer in time")]
    Timeout { url: String },
    #[error("{url}: answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: response too large")]
    TooLarge { url: String },
}
