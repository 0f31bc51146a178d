//! The judge of a population: validates every generated document with Siegel (in parallel, each
//! with a deadline), asks the viewer oracle what each signed revision and the final file show,
//! prints the table and fails once at the end with every violation.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use siegel::trust;
use siegel::validate::{self, Indication, Report};

use super::oracle::{Diff, Oracle, Viewer};
use crate::support;

/// How long one validation may take before the document counts as a stall.
const VALIDATION_DEADLINE: Duration = Duration::from_secs(90);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Population {
    Legitimate,
    Forged,
}

impl Population {
    fn name(self) -> &'static str {
        match self {
            Self::Legitimate => "legitimate",
            Self::Forged => "forged",
        }
    }
}

/// The verdict the generator declares for a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Every signature and time-stamp TOTAL_PASSED.
    Passed,
    /// INDETERMINATE by design (never TOTAL_FAILED), with the reason.
    Indeterminate(&'static str),
    /// A forgery: anything but TOTAL_PASSED.
    NotPassed,
}

impl Expect {
    fn short(&self) -> &'static str {
        match self {
            Self::Passed => "PASSED",
            Self::Indeterminate(_) => "INDETERMINATE",
            Self::NotPassed => "not PASSED",
        }
    }
}

/// A rectangle (PDF points, from the lower-left corner of the page) where a later revision may
/// legitimately look different: a new signature widget, a permitted annotation, a filled field.
#[derive(Clone, Debug)]
pub struct Area {
    /// 0-based page.
    pub page: usize,
    pub rect: [f32; 4],
    /// The file length before the change was appended: only signatures that end at or before
    /// this offset see the change as "after" them.
    pub since: u64,
}

/// A signature or document time-stamp the generator made, and the end of the revision it signs.
#[derive(Clone, Debug)]
pub struct Signed {
    pub field: String,
    pub end: u64,
}

/// One generated document.
#[derive(Clone, Debug)]
pub struct Case {
    pub class: String,
    pub base: String,
    pub path: PathBuf,
    pub signatures: Vec<Signed>,
    pub allowed: Vec<Area>,
    pub expect: Expect,
    /// More trust anchors than the test root (the LTV services' per-run root).
    pub extra_roots: Vec<PathBuf>,
}

/// What happened to one document.
struct Judged {
    verdict: Result<Report, String>,
    visual: Vec<Visual>,
    seconds: f64,
}

/// The oracle's view of one signature: its signed revision against the final file.
struct Visual {
    field: String,
    poppler: Diff,
    mupdf: Diff,
}

impl Visual {
    fn shows_change(&self) -> bool {
        self.poppler.changed() || self.mupdf.changed()
    }
}

/// Validates and renders every case, prints the table, and panics with all violations.
pub fn judge(population: Population, cases: Vec<Case>, dump: Option<&Path>) {
    let started = Instant::now();
    let oracle = Arc::new(Oracle::new());
    let judged = judge_all(&cases, &oracle);
    let mut table = String::new();
    let mut violations = Vec::new();
    let mut violating = 0;
    let mut unseen = Vec::new();
    writeln!(
        table,
        "{:<10} | {:<44} | {:<16} | {:<60} | {:<14} | {:<14} | {:<13} | ok?",
        "population", "class", "base", "Siegel verdict", "poppler diff", "mupdf diff", "expected"
    )
    .unwrap();
    for (case, judged) in cases.iter().zip(&judged) {
        let problems = violations_of(population, case, judged);
        violating += usize::from(!problems.is_empty());
        if population == Population::Forged && !judged.visual.iter().any(Visual::shows_change) {
            unseen.push(format!("{} on {}", case.class, case.base));
        }
        writeln!(
            table,
            "{:<10} | {:<44} | {:<16} | {:<60} | {:<14} | {:<14} | {:<13} | {}",
            population.name(),
            case.class,
            case.base,
            verdict_text(&judged.verdict),
            diffs(&judged.visual, Viewer::Poppler),
            diffs(&judged.visual, Viewer::Mupdf),
            case.expect.short(),
            if problems.is_empty() {
                "ok"
            } else {
                "VIOLATION"
            },
        )
        .unwrap();
        for problem in problems {
            violations.push(format!(
                "{} | {} | {}: {problem}\n    file: {}{}",
                population.name(),
                case.class,
                case.base,
                case.path.display(),
                details(&judged.verdict),
            ));
        }
    }
    let slowest = cases
        .iter()
        .zip(&judged)
        .max_by(|a, b| a.1.seconds.total_cmp(&b.1.seconds))
        .map(|(c, j)| format!("{} on {} ({:.1} s)", c.class, c.base, j.seconds))
        .unwrap_or_default();
    writeln!(
        table,
        "\n{} {} documents judged in {:.1} s (renderings: {}; slowest validation: {slowest})",
        cases.len(),
        population.name(),
        started.elapsed().as_secs_f64(),
        oracle.renderings(),
    )
    .unwrap();
    if !unseen.is_empty() {
        writeln!(
            table,
            "forged cases no viewer shows differently (named classes, still expected not to pass): {}",
            unseen.join("; ")
        )
        .unwrap();
    }
    println!("{table}");
    if let Some(dir) = dump {
        let name = format!("{}-table.txt", population.name());
        let all = format!("{table}\nviolations:\n{}\n", violations.join("\n"));
        std::fs::write(dir.join(name), all).unwrap();
    }
    assert!(
        violations.is_empty(),
        "{violating} of {} {} documents violate the expectations:\n{}",
        cases.len(),
        population.name(),
        violations.join("\n")
    );
}

fn judge_all(cases: &[Case], oracle: &Arc<Oracle>) -> Vec<Judged> {
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    let next = AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Judged>>> =
        cases.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(case) = cases.get(index) else { break };
                    let judged = judge_one(case, oracle);
                    *results[index].lock().unwrap() = Some(judged);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|r| r.into_inner().unwrap().unwrap())
        .collect()
}

fn judge_one(case: &Case, oracle: &Oracle) -> Judged {
    let started = Instant::now();
    let verdict = validate_with_deadline(case);
    let seconds = started.elapsed().as_secs_f64();
    let bytes = std::fs::read(&case.path).unwrap();
    let mut visual = Vec::new();
    for signed in &case.signatures {
        let allowed: Vec<_> = case
            .allowed
            .iter()
            .filter(|a| a.since >= signed.end)
            .cloned()
            .collect();
        let end = usize::try_from(signed.end).unwrap().min(bytes.len());
        let revision = &bytes[..end];
        let diff = |viewer| oracle.difference(viewer, revision, &bytes, &allowed);
        visual.push(Visual {
            field: signed.field.clone(),
            poppler: diff(Viewer::Poppler),
            mupdf: diff(Viewer::Mupdf),
        });
    }
    Judged {
        verdict,
        visual,
        seconds,
    }
}

/// Siegel's verdict, on a thread of its own so a stall becomes a result instead of a hang.
fn validate_with_deadline(case: &Case) -> Result<Report, String> {
    let mut store = support::trust_root();
    for root in &case.extra_roots {
        store.add_file(root).unwrap();
    }
    let options = options(store);
    let path = case.path.clone();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(validate::validate_pdf(&path, &options).map_err(|e| format!("{e:#}")));
    });
    match receive.recv_timeout(VALIDATION_DEADLINE) {
        Ok(result) => result.map_err(|e| format!("error: {e}")),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
            "STALL: no verdict within {} s",
            VALIDATION_DEADLINE.as_secs()
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("PANIC in validate_pdf".into()),
    }
}

fn options(trust: trust::Store) -> validate::Options {
    validate::Options::new(trust, support::time())
}

/// Every rule a case breaks.
fn violations_of(population: Population, case: &Case, judged: &Judged) -> Vec<String> {
    let mut problems = Vec::new();
    let report = match &judged.verdict {
        Ok(report) => Some(report),
        Err(error) if error.starts_with("STALL") || error.starts_with("PANIC") => {
            problems.push(error.clone());
            None
        }
        Err(error) => {
            if population == Population::Legitimate {
                problems.push(format!("honest document not validated: {error}"));
            }
            None
        }
    };
    if let Some(report) = report {
        let all: Vec<_> = report
            .signatures
            .iter()
            .chain(&report.document_timestamps)
            .collect();
        match &case.expect {
            Expect::NotPassed => {
                if report.indication == Indication::TotalPassed {
                    problems.push("forged document is TOTAL_PASSED".into());
                }
            }
            Expect::Passed | Expect::Indeterminate(_) => {
                for signature in &all {
                    if signature.indication == Indication::TotalFailed {
                        problems.push(format!(
                            "honest signature {} is TOTAL_FAILED",
                            signature.field
                        ));
                    }
                }
                let wanted = match case.expect {
                    Expect::Passed => Indication::TotalPassed,
                    _ => Indication::Indeterminate,
                };
                if report.indication != wanted && report.indication != Indication::TotalFailed {
                    problems.push(format!(
                        "expected {}, Siegel says {}",
                        wanted.name(),
                        report.indication.name()
                    ));
                }
                if all.len() != case.signatures.len() {
                    problems.push(format!(
                        "Siegel reports {} signatures and time-stamps, the generator made {}",
                        all.len(),
                        case.signatures.len()
                    ));
                }
            }
        }
        // The viewers' rule: a signed revision that looks different is never TOTAL_PASSED.
        for visual in &judged.visual {
            if !visual.shows_change() {
                continue;
            }
            let verdict = all
                .iter()
                .find(|s| s.field == visual.field)
                .map_or(report.indication, |s| s.indication);
            if verdict == Indication::TotalPassed {
                problems.push(format!(
                    "viewers show a change after {} outside the allowed areas (poppler: {}, mupdf: {}) \
                     but Siegel says TOTAL_PASSED for it",
                    visual.field,
                    visual.poppler.text(),
                    visual.mupdf.text()
                ));
            }
        }
    }
    problems
}

/// `INDICATION [field: IND/SUB {FINDINGS}; ...]`, compact.
fn verdict_text(verdict: &Result<Report, String>) -> String {
    match verdict {
        Err(error) => {
            let mut text: String = error.chars().take(58).collect();
            if text.len() < error.len() {
                text.push('…');
            }
            text
        }
        Ok(report) => {
            let parts: Vec<String> = report
                .signatures
                .iter()
                .chain(&report.document_timestamps)
                .map(|s| {
                    let mut part = short(s.indication).to_string();
                    if let Some(sub) = s.subindication {
                        part.push('/');
                        part.push_str(sub.name());
                    }
                    if !s.findings.is_empty() {
                        let ids: Vec<_> = s.findings.iter().map(|f| f.id).collect();
                        part.push_str(&format!(" {{{}}}", ids.join(",")));
                    }
                    part
                })
                .collect();
            format!("{} [{}]", report.indication.name(), parts.join("; "))
        }
    }
}

fn short(indication: Indication) -> &'static str {
    match indication {
        Indication::TotalPassed => "P",
        Indication::Indeterminate => "I",
        Indication::TotalFailed => "F",
    }
}

fn diffs(visual: &[Visual], viewer: Viewer) -> String {
    let parts: Vec<String> = visual
        .iter()
        .map(|v| match viewer {
            Viewer::Poppler => v.poppler.short(),
            Viewer::Mupdf => v.mupdf.short(),
        })
        .collect();
    parts.join(",")
}

/// Each non-passed signature's reason, for the violation list.
fn details(verdict: &Result<Report, String>) -> String {
    let Ok(report) = verdict else {
        return String::new();
    };
    let mut out = String::new();
    for s in report.signatures.iter().chain(&report.document_timestamps) {
        write!(
            out,
            "\n    {}: {}{}",
            s.field,
            s.indication.name(),
            s.subindication
                .map(|sub| format!("/{}", sub.name()))
                .unwrap_or_default()
        )
        .unwrap();
        for finding in &s.findings {
            write!(out, "\n      finding {}: {}", finding.id, finding.detail).unwrap();
        }
        if s.indication != Indication::TotalPassed {
            for message in s.messages.iter().take(3) {
                write!(out, "\n      message: {message}").unwrap();
            }
        }
        for change in s
            .modifications
            .iter()
            .filter(|m| !m.to_string().starts_with("allowed"))
        {
            write!(out, "\n      change: {change}").unwrap();
        }
    }
    for message in report.messages.iter().take(3) {
        write!(out, "\n    document: {message}").unwrap();
    }
    out
}
