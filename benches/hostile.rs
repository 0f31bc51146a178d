//! How long and how much memory `siegel verify` needs for the files of the verdicts issue:
//! hostile ones (recursive lengths, decompression bombs, unterminated objects, a string full of
//! `/ByteRange`, a thousand fields naming one signature) and an honest one with a thousand
//! sequential seals; and what the visual comparison adds for a three-page document.
//! `cargo bench --bench hostile` (release build; GNU `time` for the peak memory).
//!
//! Peers run side by side on the same files, each stopped after 120 s: pyHanko when it is on the
//! `PATH`, and an older `siegel` binary named by `SIEGEL_BENCH_BASELINE` (to show what a change
//! bought).
//!
//! Targets (issue: verdicts that can be trusted): every hostile file within 10 s and 256 MiB
//! on 2 cores; a thousand sequential seals all TOTAL_PASSED within 10 s; the visual check at
//! most 50 ms for a three-page document.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation,
    reason = "a benchmark stops loudly on any failure and shares the tests' helpers"
)]

#[allow(unused_imports, reason = "the file's own test module is not run here")]
#[path = "../tests/stress.rs"]
mod stress;
#[path = "../tests/support.rs"]
mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use siegel::certificate::Kind;

const SEALS: usize = 1000;
const TIME_TARGET: Duration = Duration::from_secs(10);
const MEMORY_TARGET_MIB: f64 = 256.0;

fn main() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let sealed = dir.path().join("sealed.pdf");
    support::sign_with(
        &support::pdf("classic.pdf"),
        &sealed,
        "seal-rsa.p12",
        Kind::Seal,
    );
    println!("building the cases (a thousand seals take a while) ...");
    let cases = stress::cases(dir.path(), &sealed, SEALS, |from, to| {
        support::sign_with(from, to, "seal-ec.p12", Kind::Seal);
    });
    let baseline = std::env::var_os("SIEGEL_BENCH_BASELINE").map(std::path::PathBuf::from);
    let pyhanko = support::have("pyhanko");
    print!("\ncase                              exit   seconds       MiB  target");
    if baseline.is_some() {
        print!(" | baseline exit  seconds      MiB");
    }
    if pyhanko {
        print!(" | pyHanko exit  seconds      MiB");
    }
    println!();
    for case in &cases {
        let ours = measure(siegel_verify(
            Path::new(env!("CARGO_BIN_EXE_siegel")),
            &case.path,
        ));
        let ok = ours.seconds <= TIME_TARGET.as_secs_f64() && ours.mib <= MEMORY_TARGET_MIB;
        print!(
            "{:<32} {}  {}",
            case.name,
            ours,
            if ok { "yes   " } else { "NO    " }
        );
        if let Some(binary) = &baseline {
            print!(" |      {}", measure(siegel_verify(binary, &case.path)));
        }
        if pyhanko {
            print!(
                " |     {}",
                measure(support::pyhanko_validation(&case.path))
            );
        }
        println!();
    }
    visual_cost(dir.path());
}

/// One run of a validator: exit code (`T` when stopped after the peers' limit), wall time,
/// peak memory.
struct Run {
    code: Option<i32>,
    seconds: f64,
    mib: f64,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.code {
            Some(124) => write!(f, "{:>4} {:>8} {:>8.1}", "T", ">120", self.mib),
            Some(code) => write!(f, "{:>4} {:>8.2} {:>8.1}", code, self.seconds, self.mib),
            None => write!(f, "{:>4} {:>8.2} {:>8.1}", "sig", self.seconds, self.mib),
        }
    }
}

fn siegel_verify(binary: &Path, path: &Path) -> Command {
    let mut command = Command::new(binary);
    command
        .args(["verify", "--offline", "--format", "json", "--trust"])
        .arg(support::pki("root-ca.pem"))
        .args(["--at", "2026-06-01T12:00:00Z"])
        .arg(path)
        .env(
            "SIEGEL_SETTINGS",
            support::root().join("target/no-settings.toml"),
        );
    command
}

/// Runs `command` under GNU time (and `timeout` for peers that may not stop).
fn measure(command: Command) -> Run {
    let report = tempfile::NamedTempFile::new().expect("temporary file");
    let start = Instant::now();
    let status = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(report.path())
        .args(["timeout", "120"])
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
        .expect("GNU time (Debian package time) runs the validator");
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

/// A three-page document sealed, then signed visibly on page 2 (its page is drawn and
/// compared) or invisibly (nothing is drawn): the difference is what the visual check costs.
fn visual_cost(dir: &Path) {
    let sealed = dir.join("three-pages-sealed.pdf");
    support::sign_with(
        &support::pdf("multipage.pdf"),
        &sealed,
        "seal-rsa.p12",
        Kind::Seal,
    );
    let invisible = dir.join("three-pages-invisible.pdf");
    support::sign_with(&sealed, &invisible, "signature-ec.p12", Kind::Signature);
    let visible = dir.join("three-pages-visible.pdf");
    let mut request = support::request(Kind::Signature);
    request.visible = Some(siegel::pdf::appearance::Visible {
        page: siegel::pdf::appearance::Page::Number(2),
        x: 300.0,
        y: 40.0,
        width: 200.0,
        height: 60.0,
        lines: vec!["Signiert".into()],
    });
    siegel::sign::sign_pdf(
        &sealed,
        &visible,
        &support::credential("signature-ec.p12"),
        &request,
        false,
    )
    .unwrap();
    let runs = 20;
    let time = |path: &Path| {
        let mut best = Duration::MAX;
        for _ in 0..runs {
            let start = Instant::now();
            let report = support::validate(path);
            best = best.min(start.elapsed());
            assert!(
                report
                    .signatures
                    .iter()
                    .all(|s| s.indication == siegel::validate::Indication::TotalPassed),
                "{}: {:?}",
                path.display(),
                report
                    .signatures
                    .iter()
                    .map(|s| &s.messages)
                    .collect::<Vec<_>>()
            );
        }
        best
    };
    let without = time(&invisible);
    let with = time(&visible);
    println!(
        "\nthree pages, second signature invisible: {:.1} ms; visible (page 2 drawn twice and compared): {:.1} ms; the visual check adds {:.1} ms (target 50 ms)",
        without.as_secs_f64() * 1000.0,
        with.as_secs_f64() * 1000.0,
        (with.saturating_sub(without)).as_secs_f64() * 1000.0
    );
}
