//! How long loading a full trusted-list snapshot takes: the LOTL and every national list it
//! points to, each signature verified and each list read (ETSI TS 119 612 / TS 119 615).
//! `cargo bench --bench trustlists [-- DIR]` (release build; GNU `time` for the peak memory).
//! DIR holds `EU.xml` and `<territory>.xml` for each national list, e.g. the DSS `lotlCache`
//! snapshot (LOTL 248, 2019); default `testdata/trustlists` (a few lists).
//!
//! Targets (issue 14): a full snapshot loaded within 300 ms and 100 MiB; all signatures
//! verified within 2 s on 2 cores.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark stops loudly on any failure"
)]

use std::path::PathBuf;
use std::time::Instant;

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
    }
}
