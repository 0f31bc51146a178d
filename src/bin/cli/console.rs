//! What this process prints and how: results on standard output, notes and errors on standard
//! error, verdicts in colour where wanted (`--color`, NO_COLOR), less with `--quiet`, more with
//! `--verbose`. Set once in `main`, read by every printer.

use std::io::{IsTerminal, Write};
use std::sync::OnceLock;

use siegel::validate::Indication;

use crate::args::{Color, ConsoleArgs};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

#[derive(Clone, Copy, Debug)]
pub struct Console {
    pub verbosity: Verbosity,
    /// Whether standard output gets ANSI colours.
    pub color: bool,
}

static CONSOLE: OnceLock<Console> = OnceLock::new();

impl Console {
    /// From the flags, the terminal and NO_COLOR (any non-empty value turns `auto` colour off,
    /// as no-color.org says; `--color always` still wins).
    pub fn from_args(args: &ConsoleArgs) -> Self {
        let verbosity = if args.quiet {
            Verbosity::Quiet
        } else if args.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        };
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match args.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => !no_color && std::io::stdout().is_terminal(),
        };
        Self { verbosity, color }
    }

    /// Makes `self` the console of this process; the first call wins.
    pub fn install(self) {
        let _ = CONSOLE.set(self);
    }
}

fn current() -> Console {
    CONSOLE.get().copied().unwrap_or(Console {
        verbosity: Verbosity::Normal,
        color: false,
    })
}

pub fn verbose() -> bool {
    current().verbosity == Verbosity::Verbose
}

pub fn quiet() -> bool {
    current().verbosity == Verbosity::Quiet
}

/// Prints one result line on standard output, unless `--quiet`. A closed pipe
/// (`siegel verify ... | head`) is not an error worth a panic.
pub fn print_line(line: &str) {
    if quiet() {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
}

/// One document's outcome: on standard output, one line per input; with `--quiet` only the
/// failures, on standard error.
pub fn print_result(line: &str, failed: bool) {
    if quiet() {
        if failed {
            eprintln!("{line}");
        }
    } else {
        print_line(line);
    }
}

/// A note on standard error, shown with `--verbose` only.
pub fn note(text: &str) {
    if verbose() {
        eprintln!("siegel: {text}");
    }
}

/// An informational line on standard error (where a file was written), hidden by `--quiet`.
pub fn info(text: &str) {
    if !quiet() {
        eprintln!("{text}");
    }
}

/// An indication's name, green, amber or red when colour is on.
pub fn indication(indication: Indication, text: &str) -> String {
    let code = match indication {
        Indication::TotalPassed => "32",
        Indication::Indeterminate => "33",
        Indication::TotalFailed => "31",
    };
    paint(code, text)
}

/// `error` in red when colour is on.
pub fn error_word() -> String {
    paint("31", "error")
}

fn paint(code: &str, text: &str) -> String {
    if current().color {
        format!("\x1b[1;{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}
