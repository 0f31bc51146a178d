//! Online validation against URLs an attacker put in a certificate: one network budget per
//! document, http(s) only, no redirect to another host, no private addresses unless allowed,
//! answers no larger than their kind needs. The servers are threads on 127.0.0.1; nothing else
//! is ever contacted (names other than 127.0.0.1 appear only where they are refused before any
//! connection).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use siegel::network::{self, Fetcher, Http, Kind, Policy, Request};
use siegel::validate::{self, Indication, SubIndication};

use crate::support::{self, stdout};
use crate::throwaway::{Leaf, Pki};

/// What the test server does with a request.
#[derive(Clone)]
enum Answer {
    /// A status, extra headers and a body.
    Reply(u16, Vec<(String, String)>, Vec<u8>),
    /// Accepts and reads the request, then never answers.
    Silent,
    /// A 200 whose body never ends.
    Endless,
}

struct Server {
    port: u16,
    /// Connections accepted so far.
    hits: Arc<AtomicUsize>,
}

impl Server {
    /// Serves on a free port of 127.0.0.1, answering each request by its path.
    fn start(answer: impl Fn(&str) -> Answer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let answer = Arc::new(answer);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                counter.fetch_add(1, Ordering::SeqCst);
                let answer = answer.clone();
                std::thread::spawn(move || handle(stream, answer.as_ref()));
            }
        });
        Self { port, hits }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn handle(mut stream: TcpStream, answer: &(dyn Fn(&str) -> Answer + Send + Sync)) {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 65536 {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let text = String::from_utf8_lossy(&request);
    let path = text.split_whitespace().nth(1).unwrap_or("/").to_owned();
    match answer(&path) {
        Answer::Reply(status, headers, body) => {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
        // Holds the connection until the client gives up and closes it.
        Answer::Silent => while matches!(stream.read(&mut buffer), Ok(n) if n > 0) {},
        Answer::Endless => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
            let chunk = vec![0x30u8; 64 * 1024];
            while stream.write_all(&chunk).is_ok() {}
        }
    }
}

fn ok(body: &[u8]) -> Answer {
    Answer::Reply(200, Vec::new(), body.to_vec())
}

fn redirect(location: &str) -> Answer {
    Answer::Reply(302, vec![("Location".into(), location.into())], Vec::new())
}

/// The client the tests' services need: private addresses allowed.
fn local(budget: Duration) -> Http {
    Http::new(Policy {
        document_budget: budget,
        allow_private_network: true,
        ..Policy::default()
    })
}

fn get(http: &Http, url: &str, kind: Kind) -> Result<Vec<u8>, network::Error> {
    http.fetch(&Request::get(url, kind))
}

/// A sealed PDF whose certificate names `urls` for OCSP, CRLs and its issuer.
fn sealed_naming(dir: &Path, server: &Server, urls: usize) -> (Pki, std::path::PathBuf) {
    let paths = |kind: &str| -> Vec<String> {
        (0..urls)
            .map(|i| server.url(&format!("/{kind}/{i}")))
            .collect()
    };
    let pki = Pki::make(
        dir,
        &Leaf {
            common_name: "Slow URLs Seal",
            organization: Some("Slow URLs GmbH"),
            ocsp: paths("ocsp"),
            crls: paths("crl"),
            ca_issuers: paths("ca"),
        },
    );
    let signed = dir.join("slow.pdf");
    pki.seal(&signed);
    (pki, signed)
}

#[test]
fn slow_urls_in_a_certificate_cost_one_budget_then_try_later() {
    let server = Server::start(|_| Answer::Silent);
    let dir = tempfile::tempdir().unwrap();
    let (pki, signed) = sealed_naming(dir.path(), &server, 4);
    let options = validate::Options {
        fetcher: Some(Arc::new(local(Duration::from_secs(2)))),
        ..validate::Options::new(pki.trust(), support::time())
    };
    let start = Instant::now();
    let report = validate::validate_pdf(&signed, &options).unwrap();
    let elapsed = start.elapsed();
    // Four OCSP and four CRL URLs at 10 s each would be 80 s; the budget is 2 s.
    assert!(elapsed < Duration::from_secs(8), "took {elapsed:?}");
    let signature = &report.signatures[0];
    assert_eq!(signature.indication, Indication::Indeterminate);
    assert_eq!(signature.subindication, Some(SubIndication::TryLater));
    assert!(
        report.messages.iter().any(|m| m.contains("network time")),
        "{:?}",
        report.messages
    );
    let revocation = signature.revocation.join("; ");
    assert!(revocation.contains("is used up"), "{revocation}");
    assert!(server.hits() >= 1, "the responder was asked");
}

#[test]
fn the_cli_keeps_to_the_budget_from_the_settings_and_refuses_loopback_by_default() {
    let server = Server::start(|_| Answer::Silent);
    let dir = tempfile::tempdir().unwrap();
    let (pki, signed) = sealed_naming(dir.path(), &server, 4);
    let settings = dir.path().join("settings.toml");
    let verify = |settings_text: &str| {
        std::fs::write(&settings, settings_text).unwrap();
        let start = Instant::now();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_siegel"))
            .args(["verify", "--trust"])
            .arg(&pki.root_pem)
            .arg(&signed)
            .env("SIEGEL_SETTINGS", &settings)
            .output()
            .unwrap();
        (output, start.elapsed())
    };

    let (output, elapsed) = verify("allow_private_network = true\nnetwork_timeout_seconds = 2\n");
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    assert!(stdout(&output).contains("TRY_LATER"), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("network time for this document"),
        "{}",
        stdout(&output)
    );

    // By default 127.0.0.1 is refused without a connection.
    let before = server.hits();
    let (output, elapsed) = verify("");
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    assert!(
        stdout(&output).contains("127.0.0.1 is a loopback address"),
        "{}",
        stdout(&output)
    );
    assert_eq!(server.hits(), before, "nothing was contacted");
}

#[test]
fn private_addresses_are_refused_unless_allowed() {
    let server = Server::start(|_| ok(b"fine"));
    let guarded = Http::new(Policy::default());
    for url in [
        server.url("/a.crl"),
        format!("http://[::ffff:127.0.0.1]:{}/a.crl", server.port),
        format!("http://localhost:{}/a.crl", server.port),
        format!("http://2130706433:{}/a.crl", server.port),
        format!("http://0.0.0.0:{}/a.crl", server.port),
    ] {
        let error = get(&guarded, &url, Kind::Crl).unwrap_err();
        assert!(
            matches!(
                error,
                network::Error::Refused { .. } | network::Error::Unreachable { .. }
            ),
            "{url}: {error}"
        );
        if let network::Error::Unreachable { reason, .. } = &error {
            // A name that does not resolve here is never contacted either.
            assert!(!reason.is_empty(), "{url}: {error}");
        }
    }
    let error = get(&guarded, &server.url("/a.crl"), Kind::Crl).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("not contacted: 127.0.0.1 is a loopback address"),
        "{error}"
    );
    assert_eq!(server.hits(), 0, "nothing was contacted");

    // A TSA the user configured may be on the local network.
    assert_eq!(
        guarded
            .fetch(&Request::post(
                &server.url("/tsa"),
                Kind::Timestamp,
                "application/timestamp-query",
                b"query"
            ))
            .unwrap(),
        b"fine"
    );
    let allowed = local(Duration::from_secs(15));
    assert_eq!(
        get(&allowed, &server.url("/a.crl"), Kind::Crl).unwrap(),
        b"fine"
    );
}

#[test]
fn only_http_and_https_are_fetched() {
    let allowed = local(Duration::from_secs(15));
    for url in [
        "ldap://127.0.0.1/cn=CA?certificateRevocationList",
        "file:///etc/passwd",
        "ftp://127.0.0.1/ca.crl",
    ] {
        let error = get(&allowed, url, Kind::Crl).unwrap_err();
        assert!(
            matches!(error, network::Error::Scheme { .. }),
            "{url}: {error}"
        );
    }
}

#[test]
fn redirects_are_followed_on_the_same_host_only() {
    let elsewhere = Server::start(|_| ok(b"elsewhere"));
    let other_host = format!("http://localhost:{}/ca.crl", elsewhere.port);
    let server = Server::start(move |path| match path {
        "/here" => redirect("/there"),
        "/there" => ok(b"the CRL"),
        "/away" => redirect(&other_host),
        "/loop" => redirect("/loop"),
        _ => Answer::Reply(404, Vec::new(), Vec::new()),
    });
    let http = local(Duration::from_secs(15));
    assert_eq!(
        get(&http, &server.url("/here"), Kind::Crl).unwrap(),
        b"the CRL"
    );

    let error = get(&http, &server.url("/away"), Kind::Crl).unwrap_err();
    assert!(matches!(error, network::Error::Redirect { .. }), "{error}");
    assert!(error.to_string().contains("another host"), "{error}");
    assert_eq!(elsewhere.hits(), 0, "the other host was never contacted");

    let error = get(&http, &server.url("/loop"), Kind::Crl).unwrap_err();
    assert!(
        matches!(error, network::Error::TooManyRedirects { .. }),
        "{error}"
    );
    // POST requests (OCSP) follow no redirect at all.
    let error = http
        .fetch(&Request::post(
            &server.url("/here"),
            Kind::Ocsp,
            "application/ocsp-request",
            b"",
        ))
        .unwrap_err();
    assert!(
        matches!(error, network::Error::Status { status: 302, .. }),
        "{error}"
    );
}

#[test]
fn answers_larger_than_their_kind_needs_are_refused_while_reading() {
    let big = vec![0x30u8; 2 * 1024 * 1024];
    let server = Server::start(move |path| match path {
        "/endless" => Answer::Endless,
        _ => ok(&big),
    });
    let http = local(Duration::from_secs(15));
    for kind in [Kind::Ocsp, Kind::Certificate] {
        let error = get(&http, &server.url("/big"), kind).unwrap_err();
        assert!(
            matches!(
                error,
                network::Error::TooLarge {
                    limit: 1_048_576,
                    ..
                }
            ),
            "{kind:?}: {error}"
        );
    }
    assert_eq!(
        get(&http, &server.url("/big"), Kind::Crl).unwrap().len(),
        2 * 1024 * 1024,
        "CRLs may be larger"
    );
    let start = Instant::now();
    let error = get(&http, &server.url("/endless"), Kind::Crl).unwrap_err();
    assert!(matches!(error, network::Error::TooLarge { .. }), "{error}");
    assert!(start.elapsed() < Duration::from_secs(8));
}

#[test]
fn conditional_requests_keep_the_limits_and_only_a_question_asked_is_answered_304() {
    let server = Server::start(|path| match path {
        "/list.xml" => Answer::Reply(
            200,
            vec![
                ("ETag".into(), "\"v1\"".into()),
                (
                    "Last-Modified".into(),
                    "Fri, 01 May 2026 00:00:00 GMT".into(),
                ),
            ],
            b"<list/>".to_vec(),
        ),
        "/moved.xml" => redirect("/same.xml"),
        "/same.xml" => Answer::Reply(304, Vec::new(), Vec::new()),
        "/loop.xml" => redirect("/loop.xml"),
        "/long-etag.xml" => Answer::Reply(200, vec![("ETag".into(), "x".repeat(300))], Vec::new()),
        "/list.sha2" => ok(&[b'0'; 2048]),
        _ => Answer::Reply(404, Vec::new(), Vec::new()),
    });
    let http = local(Duration::from_secs(15));
    let known = network::Validators {
        etag: Some("\"v1\"".into()),
        last_modified: None,
    };
    let ask = |path: &str, known: &network::Validators| {
        http.fetch_if_modified(&Request::get(&server.url(path), Kind::TrustedList), known)
    };
    // The validators of an answer come back with it, exactly as sent.
    assert_eq!(
        ask("/list.xml", &network::Validators::default()).unwrap(),
        network::Conditional::Modified {
            body: b"<list/>".to_vec(),
            validators: network::Validators {
                etag: Some("\"v1\"".into()),
                last_modified: Some("Fri, 01 May 2026 00:00:00 GMT".into()),
            },
        }
    );
    // Over-long validators are not kept (they would grow the state file).
    let network::Conditional::Modified { validators, .. } =
        ask("/long-etag.xml", &network::Validators::default()).unwrap()
    else {
        panic!("a 200 is modified");
    };
    assert_eq!(validators, network::Validators::default());
    // A 304 after a same-host redirect answers the question; redirects stay limited.
    assert_eq!(
        ask("/moved.xml", &known).unwrap(),
        network::Conditional::NotModified
    );
    let error = ask("/loop.xml", &known).unwrap_err();
    assert!(
        matches!(error, network::Error::TooManyRedirects { .. }),
        "{error}"
    );
    // A 304 to a request that asked nothing is an error, not "unchanged".
    let error = ask("/same.xml", &network::Validators::default()).unwrap_err();
    assert!(
        matches!(error, network::Error::Status { status: 304, .. }),
        "{error}"
    );
    let error = get(&http, &server.url("/same.xml"), Kind::TrustedList).unwrap_err();
    assert!(
        matches!(error, network::Error::Status { status: 304, .. }),
        "{error}"
    );
    // A .sha2 file is a digest: a larger answer is refused while reading.
    let error = get(&http, &server.url("/list.sha2"), Kind::TrustedListDigest).unwrap_err();
    assert!(matches!(error, network::Error::TooLarge { .. }), "{error}");
}
