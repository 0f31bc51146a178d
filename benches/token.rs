//! Batch sealing through a SoftHSM2 token: documents per second next to the token's raw
//! C_Sign rate for the same key, measured in the same run (`cargo bench --bench token`).
#![allow(
    clippy::expect_used,
    reason = "a benchmark stops loudly on any failure"
)]
//!
//! The benchmark builds its own SoftHSM2 store in a temporary folder and re-runs itself with
//! `SOFTHSM2_CONF` pointing there, so nothing on the machine is touched.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use chrono::Utc;
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use siegel::certificate::Kind;
use siegel::key::pin::Pin;
use siegel::key::token::{self, Module, Selector};
use siegel::sign;

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "246810";
const DOCUMENTS: usize = 1000;
const RAW_SIGNATURES: usize = 2000;

fn main() {
    if std::env::var_os("SIEGEL_BENCH_CHILD").is_some() {
        measure();
        return;
    }
    if !Path::new(MODULE).exists() {
        println!("SoftHSM2 is not installed ({MODULE}); nothing to measure");
        return;
    }
    let dir = tempfile::tempdir().expect("temporary folder");
    let conf = dir.path().join("softhsm2.conf");
    let tokens = dir.path().join("tokens");
    std::fs::create_dir(&tokens).expect("token folder");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .expect("config");
    let run = |program: &str, args: &[&str]| {
        let status = Command::new(program)
            .args(args)
            .env("SOFTHSM2_CONF", &conf)
            .status()
            .expect(program);
        assert!(status.success(), "{program} failed");
    };
    run(
        "softhsm2-util",
        &[
            "--init-token",
            "--free",
            "--label",
            "Bench",
            "--so-pin",
            "12345678",
            "--pin",
            PIN,
        ],
    );
    let pki = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/pki");
    let key = dir.path().join("key.der");
    let certificate = dir.path().join("cert.der");
    let pem = std::fs::read(pki.join("seal-rsa.key.pem")).expect("key");
    std::fs::write(
        &key,
        openssl::pkey::PKey::private_key_from_pem(&pem)
            .and_then(|k| k.private_key_to_pkcs8())
            .expect("pkcs8"),
    )
    .expect("write");
    let pem = std::fs::read(pki.join("seal-rsa.pem")).expect("certificate");
    std::fs::write(
        &certificate,
        openssl::x509::X509::from_pem(&pem)
            .and_then(|c| c.to_der())
            .expect("der"),
    )
    .expect("write");
    let tool = [
        "--module",
        MODULE,
        "--token-label",
        "Bench",
        "--login",
        "--pin",
        PIN,
    ];
    let key_args = [
        "--write-object",
        key.to_str().expect("utf-8"),
        "--type",
        "privkey",
        "--id",
        "01",
        "--label",
        "seal",
        "--usage-sign",
    ];
    let cert_args = [
        "--write-object",
        certificate.to_str().expect("utf-8"),
        "--type",
        "cert",
        "--id",
        "01",
        "--label",
        "seal",
    ];
    run("pkcs11-tool", &[&tool[..], &key_args[..]].concat());
    run("pkcs11-tool", &[&tool[..], &cert_args[..]].concat());
    let status = Command::new(std::env::current_exe().expect("self"))
        .env("SOFTHSM2_CONF", &conf)
        .env("SIEGEL_BENCH_CHILD", dir.path())
        .status()
        .expect("benchmark run");
    assert!(status.success());
}

fn measure() {
    let work = PathBuf::from(std::env::var_os("SIEGEL_BENCH_CHILD").expect("work folder"));
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Raw rate first, with a context of its own that is finalised before Siegel loads the
    // module: C_Sign with the same key and mechanism, one session per thread, no PDF work.
    let raw_rate = {
        let context = Pkcs11::new(MODULE).expect("module");
        context
            .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .expect("C_Initialize");
        let slot = context
            .get_slots_with_initialized_token()
            .expect("slots")
            .into_iter()
            .find(|s| {
                context
                    .get_token_info(*s)
                    .is_ok_and(|t| t.label().trim() == "Bench")
            })
            .expect("bench token");
        let login = context.open_ro_session(slot).expect("session");
        login
            .login(UserType::User, Some(&AuthPin::new(PIN.into())))
            .expect("login");
        let start = Instant::now();
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    let session = context.open_ro_session(slot).expect("session");
                    let key = session
                        .find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY)])
                        .expect("key")[0];
                    for _ in 0..RAW_SIGNATURES / threads {
                        session
                            .sign(&Mechanism::Sha256RsaPkcs, key, &[0x42; 300])
                            .expect("C_Sign");
                    }
                });
            }
        });
        let rate = RAW_SIGNATURES as f64 / start.elapsed().as_secs_f64();
        let _ = login.logout();
        drop(login);
        context.finalize().expect("C_Finalize");
        rate
    };
    let module = Module::load(Path::new(MODULE)).expect("module");
    let token = module.token("Bench").expect("token");

    // Siegel: seal DOCUMENTS small PDFs with one login, as `siegel seal --out-dir` does.
    let pin = Pin::new(PIN.to_owned());
    let credential = token::open(
        &module,
        &token,
        &Selector::Label("seal".into()),
        Some(&pin),
        siegel::key::Options::default(),
    )
    .expect("login");
    let input = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/pdf/classic.pdf");
    let request = sign::Request::new(Kind::Seal, Utc::now());
    println!(
        "SoftHSM2 raw C_Sign (CKM_SHA256_RSA_PKCS, RSA-2048, {threads} sessions): {raw_rate:8.1} signatures/s"
    );
    // Outputs on the disk include what the file system charges for creating, writing, syncing
    // and renaming a file; on tmpfs what remains is Siegel's own pipeline.
    let mut targets = vec![("disk", work.join("out"))];
    if Path::new("/dev/shm").is_dir() {
        targets.push((
            "tmpfs",
            PathBuf::from("/dev/shm").join(format!("siegel-bench-{}", std::process::id())),
        ));
    }
    for (label, out) in targets {
        std::fs::create_dir_all(&out).expect("output folder");
        let jobs: Vec<sign::Job> = (0..DOCUMENTS)
            .map(|i| sign::Job {
                input: input.clone(),
                output: out.join(format!("{i}.pdf")),
            })
            .collect();
        let start = Instant::now();
        let mut failed = 0;
        sign::sign_many(&jobs, &credential, &request, false, threads, |_, result| {
            failed += usize::from(result.is_err())
        })
        .expect("batch");
        let rate = DOCUMENTS as f64 / start.elapsed().as_secs_f64();
        assert_eq!(failed, 0);
        let _ = std::fs::remove_dir_all(&out);
        println!(
            "siegel seal through SoftHSM2, outputs on {label:5} ({DOCUMENTS} PDFs, one login, {threads} threads): {rate:8.1} documents/s = {:.0} % of the raw rate",
            100.0 * rate / raw_rate
        );
    }
}
