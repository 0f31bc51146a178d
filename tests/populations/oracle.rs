//! The viewer oracle: two independent renderers, poppler (`pdftoppm`) and MuPDF (`mutool draw`),
//! show a signed revision and the whole file at low resolution; any pixel that differs outside
//! the areas the generator declares as allowed is a visible change.
//!
//! Renderings are cached by the SHA-256 of the bytes, since many documents share a signed
//! revision.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::harness::Area;

/// Rendering resolution: enough to see a changed line of text, cheap enough for hundreds of
/// documents.
const DPI: f32 = 36.0;
/// A grey level difference below this is anti-aliasing noise, not a change.
const NOISE: u8 = 40;
/// Pixels of slack around an allowed area (rounding, anti-aliasing at its border).
const SLACK: f32 = 2.0;
/// A viewer that takes longer than this on one file has failed to show it.
const RENDER_DEADLINE: Duration = Duration::from_secs(60);
/// Pages rendered per document at most.
const MAX_PAGES: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Viewer {
    Poppler,
    Mupdf,
}

/// What a viewer shows: one grey image per page, or why it showed nothing.
type Rendering = Result<Vec<Gray>, String>;

/// A rendering made once and shared by every comparison that needs it.
type Shared = Arc<OnceLock<Rendering>>;

#[derive(Debug)]
pub struct Gray {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

/// The result of comparing a signed revision with the final file in one viewer.
#[derive(Clone, Debug)]
pub enum Diff {
    Same,
    /// Changed pixels outside the allowed areas, per page (1-based).
    Changed(Vec<(usize, usize)>),
    /// The page count differs.
    Pages(usize, usize),
    /// The viewer shows one of the two and not the other.
    Unreadable(String),
    /// The viewer shows neither (the signed revision itself is broken for it).
    Neither(String),
}

impl Diff {
    pub fn changed(&self) -> bool {
        matches!(
            self,
            Self::Changed(_) | Self::Pages(..) | Self::Unreadable(_)
        )
    }

    /// A few characters for the table.
    pub fn short(&self) -> String {
        match self {
            Self::Same => "same".into(),
            Self::Changed(pages) => {
                let total: usize = pages.iter().map(|(_, n)| n).sum();
                format!("{total}px")
            }
            Self::Pages(a, b) => format!("pages {a}>{b}"),
            Self::Unreadable(_) => "unreadable".into(),
            Self::Neither(_) => "n/a".into(),
        }
    }

    pub fn text(&self) -> String {
        match self {
            Self::Changed(pages) => pages
                .iter()
                .map(|(page, n)| format!("page {page}: {n} px"))
                .collect::<Vec<_>>()
                .join(", "),
            Self::Unreadable(why) | Self::Neither(why) => format!("{}: {why}", self.short()),
            _ => self.short(),
        }
    }
}

#[derive(Debug)]
pub struct Oracle {
    dir: tempfile::TempDir,
    cache: Mutex<HashMap<(Viewer, [u8; 32]), Shared>>,
    counter: AtomicUsize,
}

impl Oracle {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            cache: Mutex::new(HashMap::new()),
            counter: AtomicUsize::new(0),
        }
    }

    /// How many renderings were made (cache misses).
    pub fn renderings(&self) -> usize {
        self.counter.load(Ordering::SeqCst)
    }

    /// How `viewer` shows `after` compared with `before`, ignoring `allowed`.
    pub fn difference(
        &self,
        viewer: Viewer,
        before: &[u8],
        after: &[u8],
        allowed: &[Area],
    ) -> Diff {
        let (old, new) = (self.render(viewer, before), self.render(viewer, after));
        match (old.get().unwrap(), new.get().unwrap()) {
            (Err(a), Err(_)) => Diff::Neither(a.clone()),
            (Err(a), Ok(_)) => Diff::Unreadable(format!("signed revision: {a}")),
            (Ok(_), Err(b)) => Diff::Unreadable(format!("final file: {b}")),
            (Ok(old), Ok(new)) => compare(old, new, allowed),
        }
    }

    fn render(&self, viewer: Viewer, bytes: &[u8]) -> Shared {
        let key = (viewer, openssl::sha::sha256(bytes));
        let slot = self
            .cache
            .lock()
            .unwrap()
            .entry(key)
            .or_insert_with(|| Arc::new(OnceLock::new()))
            .clone();
        slot.get_or_init(|| {
            let n = self.counter.fetch_add(1, Ordering::SeqCst);
            let dir = self.dir.path().join(format!("r{n}"));
            std::fs::create_dir(&dir).unwrap();
            let result = rasterise(viewer, bytes, &dir);
            let _ = std::fs::remove_dir_all(&dir);
            result
        });
        slot
    }
}

/// Whether both renderers are installed (in CI they must be).
pub fn available() -> bool {
    crate::support::have("pdftoppm") && crate::support::have("mutool")
}

fn rasterise(viewer: Viewer, bytes: &[u8], dir: &Path) -> Rendering {
    let input = dir.join("in.pdf");
    std::fs::write(&input, bytes).unwrap();
    let dpi = format!("{DPI}");
    let last = MAX_PAGES.to_string();
    let mut command = match viewer {
        Viewer::Poppler => {
            let mut c = Command::new("pdftoppm");
            c.args(["-r", &dpi, "-gray", "-l", &last])
                .arg(&input)
                .arg(dir.join("page"));
            c
        }
        Viewer::Mupdf => {
            let mut c = Command::new("mutool");
            c.args(["draw", "-q", "-r", &dpi, "-c", "gray", "-o"])
                .arg(dir.join("page-%d.pgm"))
                .arg(&input)
                .arg(format!("1-{last}"));
            c
        }
    };
    let status = run(&mut command)?;
    let mut pages: Vec<(usize, PathBuf)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pgm"))
        .filter_map(|p| {
            let stem = p.file_stem()?.to_str()?.to_owned();
            let number = stem.rsplit('-').next()?.parse().ok()?;
            Some((number, p))
        })
        .collect();
    pages.sort();
    if pages.is_empty() {
        return Err(format!("no page rendered ({status})"));
    }
    pages
        .iter()
        .map(|(_, path)| parse_pgm(&std::fs::read(path).unwrap()))
        .collect()
}

/// Runs a viewer with a deadline; its exit status as text (viewers often render despite
/// errors, so a failure status alone does not count).
fn run(command: &mut Command) -> Result<String, String> {
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start viewer: {e}"))?;
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Ok(status.to_string());
        }
        if started.elapsed() > RENDER_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            return Err("viewer stalled".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A binary PGM (P5, 8 bit) as both viewers write it.
fn parse_pgm(data: &[u8]) -> Result<Gray, String> {
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while at < data.len() && data[at].is_ascii_whitespace() {
            at += 1;
        }
        if data.get(at) == Some(&b'#') {
            while at < data.len() && data[at] != b'\n' {
                at += 1;
            }
            continue;
        }
        let start = at;
        while at < data.len() && !data[at].is_ascii_whitespace() {
            at += 1;
        }
        if start == at {
            return Err("truncated image header".into());
        }
        fields.push(String::from_utf8_lossy(&data[start..at]).into_owned());
    }
    at += 1;
    let number = |i: usize| fields[i].parse::<usize>().map_err(|e| e.to_string());
    if fields[0] != "P5" || number(3)? != 255 {
        return Err(format!("not an 8-bit PGM: {}", fields[0]));
    }
    let (width, height) = (number(1)?, number(2)?);
    let pixels = data
        .get(at..at + width * height)
        .ok_or("truncated image")?
        .to_vec();
    Ok(Gray {
        width,
        height,
        pixels,
    })
}

fn compare(old: &[Gray], new: &[Gray], allowed: &[Area]) -> Diff {
    if old.len() != new.len() {
        return Diff::Pages(old.len(), new.len());
    }
    let scale = DPI / 72.0;
    let mut changed = Vec::new();
    for (index, (a, b)) in old.iter().zip(new).enumerate() {
        if (a.width, a.height) != (b.width, b.height) {
            changed.push((index + 1, a.width * a.height));
            continue;
        }
        // Allowed areas in pixels: x from the left, y from the top.
        let boxes: Vec<[f32; 4]> = allowed
            .iter()
            .filter(|area| area.page == index)
            .map(|area| {
                let [x1, y1, x2, y2] = area.rect;
                let h = a.height as f32;
                [
                    x1.min(x2) * scale - SLACK,
                    h - y1.max(y2) * scale - SLACK,
                    x1.max(x2) * scale + SLACK,
                    h - y1.min(y2) * scale + SLACK,
                ]
            })
            .collect();
        let mut count = 0;
        for y in 0..a.height {
            for x in 0..a.width {
                let i = y * a.width + x;
                if a.pixels[i].abs_diff(b.pixels[i]) <= NOISE {
                    continue;
                }
                let (fx, fy) = (x as f32, y as f32);
                let inside = boxes
                    .iter()
                    .any(|[x1, y1, x2, y2]| fx >= *x1 && fx <= *x2 && fy >= *y1 && fy <= *y2);
                if !inside {
                    count += 1;
                }
            }
        }
        if count > 0 {
            changed.push((index + 1, count));
        }
    }
    if changed.is_empty() {
        Diff::Same
    } else {
        Diff::Changed(changed)
    }
}
