//! Signing a large file as CAdES streams it: `siegel seal` of a 1 GiB file, detached `.p7s` and
//! as an ASiC-E container, side by side with `sha256sum` of the same file in one run, each
//! under GNU `time` for the peak memory. Then `siegel verify` of the `.p7s`.
//! `cargo bench --bench cades --no-default-features --features cli` (release build).
//! `SIEGEL_BENCH_MIB` changes the size (default 1024).
//!
//! Targets (issue 15): detached and ASiC-E each within 1.5 times the time of `sha256sum` and
//! within 64 MiB of memory.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    reason = "a benchmark stops loudly on any failure and prints rounded figures"
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const TIME_FACTOR: f64 = 1.5;
const MEMORY_TARGET_MIB: f64 = 64.0;

fn main() {
    let mib: usize = std::env::var("SIEGEL_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let dir = tempfile::tempdir().expect("temporary folder");
    let input = dir.path().join("large.bin");
    write_input(&input, mib);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let key = root.join("testdata/pki/seal-rsa.p12");
    let trust = root.join("testdata/pki/root-ca.pem");
    let siegel = Path::new(env!("CARGO_BIN_EXE_siegel"));
    let settings = dir.path().join("settings.toml");
    std::fs::write(&settings, "").unwrap();

    // Once to fill the page cache, so every run reads from memory alike.
    let mut sha256sum = Command::new("sha256sum");
    sha256sum.arg(&input);
    measure(&sha256sum);
    let reference = measure(&sha256sum);
    let p7s = dir.path().join("large.bin.p7s");
    let asice = dir.path().join("large.asice");
    let seal = |extra: &[&str], output: &Path| {
        let mut command = Command::new(siegel);
        command
            .args(["seal", "--p12"])
            .arg(&key)
            .args(["--pin-env", "SIEGEL_BENCH_PIN", "-o"])
            .arg(output)
            .args(extra)
            .arg(&input)
            .env("SIEGEL_BENCH_PIN", "siegel-demo")
            .env("SIEGEL_SETTINGS", &settings);
        command
    };
    let detached = measure(&seal(&[], &p7s));
    let container = measure(&seal(&["--container", "asice"], &asice));
    let mut verify = Command::new(siegel);
    verify
        .args(["verify", "--offline", "--trust"])
        .arg(&trust)
        .arg(&p7s)
        .env("SIEGEL_SETTINGS", &settings);
    let verified = measure(&verify);

    println!("\n{mib} MiB input, page cache warm");
    println!("run                       exit  seconds     MiB  vs sha256sum  target");
    println!("sha256sum                 {reference}");
    for (name, run, target) in [
        ("siegel seal (.p7s)", &detached, true),
        ("siegel seal --container", &container, true),
        ("siegel verify (.p7s)", &verified, false),
    ] {
        let factor = run.seconds / reference.seconds;
        let ok = factor <= TIME_FACTOR && run.mib <= MEMORY_TARGET_MIB;
        println!(
            "{name:<25} {run}  {factor:>10.2}x  {}",
            match (target, ok) {
                (false, _) => "-",
                (true, true) => "yes",
                (true, false) => "NO",
            }
        );
    }
    assert_eq!(detached.code, Some(0), "seal failed");
    assert_eq!(container.code, Some(0), "seal --container failed");
}

/// `mib` MiB of pseudo-random bytes (incompressible, so deflate has no shortcut), written in
/// 1 MiB blocks.
fn write_input(path: &Path, mib: usize) {
    let mut block = vec![0u8; 1024 * 1024];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for _ in 0..mib {
        for chunk in block.chunks_mut(8) {
            // xorshift64: fast, and enough to defeat compression.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
        }
        file.write_all(&block).unwrap();
    }
    file.flush().unwrap();
}

struct Run {
    code: Option<i32>,
    seconds: f64,
    mib: f64,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let code = self.code.map_or("-".to_owned(), |c| c.to_string());
        write!(f, "{code:>4}  {:>7.2}  {:>6.1}", self.seconds, self.mib)
    }
}

/// Runs `command` under GNU `time` for its peak resident memory.
fn measure(command: &Command) -> Run {
    let report = tempfile::NamedTempFile::new().expect("temporary file");
    let start = Instant::now();
    let status = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(report.path())
        .arg(command.get_program())
        .args(command.get_args())
        .envs(
            command
                .get_envs()
                .filter_map(|(key, value)| value.map(|value| (key, value))),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("GNU time (Debian package time) runs the command");
    let seconds = start.elapsed().as_secs_f64();
    let kib: f64 = std::fs::read_to_string(report.path())
        .ok()
        .and_then(|t| t.lines().last().and_then(|l| l.trim().parse().ok()))
        .unwrap_or(f64::NAN);
    Run {
        code: status.code(),
        seconds,
        mib: kib / 1024.0,
    }
}
