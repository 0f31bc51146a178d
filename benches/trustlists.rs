//! How long loading a full trusted-list snapshot takes: the LOTL and every national list it
//! points to, each signature verified and each list read (ETSI TS 119 612 / TS 119 615).
//! `cargo bench --bench trustlists [-- DIR]` (release build; GNU `time` for the peak memory).
//! DIR holds `EU.xml` and `<territory>.xml` for each national list, e.g. the DSS `lotlCache`
//! snapshot (LOTL 248, 2019); default `testdata/trustlists` (a few lists).
//!
//! Then validation throughput with and without the lists in the trust store: the same signed
//! PDF validated alternately, the best of each (issue 14: within 10 %, certificates indexed).
//!
//! Targets (issue 14): a full snapshot loaded within 300 ms and 100 MiB; all signatures
//! verified within 2 s on 2 cores.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark stops loudly on any failure and shares the tests' helpers"
)]

#[allow(dead_code, reason = "the benchmark uses a few of the tests' helpers")]
#[path = "../tests/support.rs"]
mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::DateTime;
use siegel::certificate::Certificate;
use siegel::trust::lists::Snapshot;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("testdata/trustlists"));
    let lotl_file = ["EU.xml", "eu-lotl.xml"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.exists())
        .expect("no EU.xml or eu-lotl.xml in the folder");
    let mut signers = Vec::new();
    for entry in std::fs::read_dir(root.join("assets/lotl-signers")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "pem") {
            signers.extend(Certificate::load_all(&std::fs::read(path).unwrap()).unwrap());
        }
    }
    let time = DateTime::parse_from_rfc3339("2019-09-04T08:00:00Z")
        .unwrap()
        .to_utc();
    let lotl = std::fs::read(&lotl_file).unwrap();
    let mut bytes_read = 0;
    let mut last = None;
    for run in 0..3 {
        let started = Instant::now();
        let snapshot = Snapshot::load(
            &lotl,
            &signers,
            &[],
            &mut |pointer| {
                let file = dir.join(format!("{}.xml", pointer.territory.as_deref()?));
                let bytes = std::fs::read(file).ok()?;
                bytes_read += bytes.len();
                Some(bytes)
            },
            time,
        )
        .unwrap();
        let elapsed = started.elapsed();
        println!(
            "run {run}: {} national lists verified and read, {} failed, {} service identities, {:.1} MB, {elapsed:.2?}",
            snapshot.lists.len(),
            snapshot.failures.len(),
            snapshot.identity_count(),
            bytes_read as f64 / 1e6,
        );
        bytes_read = 0;
        if run == 0 {
            for failure in &snapshot.failures {
                println!("  {}: {}", failure.territory, failure.error);
            }
        }
        last = Some(snapshot);
    }
    throughput(last.unwrap());
}

/// Validates one sealed PDF alternately with the bare trust store and with `snapshot` added,
/// and prints the best time of each and their ratio.
fn throughput(snapshot: Snapshot) {
    let dir = tempfile::tempdir().unwrap();
    let sealed = dir.path().join("sealed.pdf");
    support::sign_with(
        &support::pdf("classic.pdf"),
        &sealed,
        "seal-rsa.p12",
        siegel::certificate::Kind::Seal,
    );
    let bare = support::trust_root();
    let mut listed = support::trust_root();
    listed.set_lists(Arc::new(snapshot));
    let validate = |trust: &siegel::trust::Store| {
        let options = siegel::validate::Options::new(trust.clone(), support::time());
        let started = Instant::now();
        let report = siegel::validate::validate_pdf(&sealed, &options).unwrap();
        assert_eq!(report.indication, siegel::validate::Indication::TotalPassed);
        started.elapsed()
    };
    let runs = 40;
    let (mut without, mut with) = (Duration::MAX, Duration::MAX);
    for _ in 0..runs {
        without = without.min(validate(&bare));
        with = with.min(validate(&listed));
    }
    println!(
        "validation of a sealed PDF, best of {runs}: {without:.2?} without lists, {with:.2?} with the lists loaded ({:.2}x)",
        with.as_secs_f64() / without.as_secs_f64()
    );
}
