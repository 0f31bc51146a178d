//! The desktop app on a virtual screen (Xvfb): it starts on a start screen that is not blank,
//! and `siegel-gui signed.pdf` shows the validation screen with a green verdict. Screenshots
//! are kept in `target/tmp/` for people to look at.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use siegel::certificate::Kind;

use crate::support;

/// The verdict banner's green (`theme::GREEN` in the app).
const VERDICT_GREEN: &str = "#1e7b3a";

#[test]
fn start_screen_renders() {
    let Some(app) = App::start("start", &[], "de") else {
        return;
    };
    let shot = app.screenshot_until(|png| colours(png) > 50);
    assert!(
        colours(&shot) > 50,
        "the start screen is blank: {}",
        shot.display()
    );
}

#[test]
fn signed_pdf_opens_into_validation_with_a_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let signed = dir.path().join("sealed.pdf");
    support::sign_with(
        &support::pdf("classic.pdf"),
        &signed,
        "seal-rsa.p12",
        Kind::Seal,
    );
    let Some(app) = App::start("validate", &[&signed], "en") else {
        return;
    };
    let shot = app.screenshot_until(|png| colours(png) > 50 && has_colour(png, VERDICT_GREEN));
    assert!(
        has_colour(&shot, VERDICT_GREEN),
        "no green verdict on the validation screen: {}",
        shot.display()
    );
}

/// `siegel-gui` on its own Xvfb display; both are killed on drop.
struct App {
    name: &'static str,
    display: String,
    xvfb: Child,
    gui: Child,
    _settings: tempfile::TempDir,
}

impl App {
    /// `None` (with a notice) where Xvfb or ImageMagick is missing, outside CI.
    fn start(name: &'static str, files: &[&Path], language: &str) -> Option<Self> {
        let binary = option_env!("CARGO_BIN_EXE_siegel-gui")?;
        if !["Xvfb", "import", "identify", "convert"]
            .iter()
            .all(|tool| support::have(tool))
        {
            return None;
        }
        // Trust the test root and stay offline, without touching the user's own settings.
        let settings = tempfile::tempdir().unwrap();
        let file = settings.path().join("settings.toml");
        std::fs::write(
            &file,
            format!(
                "language = \"{language}\"\noffline = true\ntrust_anchors = [{:?}]\n",
                support::pki("root-ca.pem").display().to_string()
            ),
        )
        .unwrap();
        let (display, xvfb) = virtual_screen(name);
        let gui = Command::new(binary)
            .args(files)
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .env("SIEGEL_SETTINGS", &file)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        Some(Self {
            name,
            display,
            xvfb,
            gui,
            _settings: settings,
        })
    }

    /// Takes screenshots once a second until `done` holds (or 40 s pass); the app must stay
    /// up all along. Returns the last screenshot.
    fn screenshot_until(mut self, done: impl Fn(&Path) -> bool) -> PathBuf {
        let target =
            PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("gui-{}.png", self.name));
        let start = Instant::now();
        loop {
            std::thread::sleep(Duration::from_secs(1));
            if let Some(status) = self.gui.try_wait().unwrap() {
                let mut error = String::new();
                if let Some(mut stderr) = self.gui.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut stderr, &mut error);
                }
                panic!("siegel-gui exited early ({status}): {error}");
            }
            let taken = Command::new("import")
                .args(["-window", "root"])
                .arg(&target)
                .env("DISPLAY", &self.display)
                .status()
                .unwrap();
            if taken.success() && done(&target) {
                break;
            }
            if start.elapsed() > Duration::from_secs(40) {
                break;
            }
        }
        // Still running after the screenshot: it did not exit early.
        assert!(self.gui.try_wait().unwrap().is_none(), "siegel-gui exited");
        target
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.gui.kill();
        let _ = self.gui.wait();
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

/// An Xvfb server on a display number no one else uses: a server that cannot take its
/// display exits at once, so the next number is tried.
fn virtual_screen(name: &str) -> (String, Child) {
    let base = 40 + std::process::id() % 300 + if name == "start" { 0 } else { 300 };
    for number in base..base + 20 {
        let display = format!(":{number}");
        if Path::new(&format!("/tmp/.X11-unix/X{number}")).exists() {
            continue;
        }
        let mut xvfb = Command::new("Xvfb")
            .args([&display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(800));
        if xvfb.try_wait().unwrap().is_none() {
            return (display, xvfb);
        }
    }
    panic!("no free X display for Xvfb");
}

/// The number of distinct colours: a blank or uniform window has one or two.
fn colours(png: &Path) -> u64 {
    let output = Command::new("identify")
        .args(["-format", "%k"])
        .arg(png)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

/// Whether any pixel is (nearly) `colour`.
fn has_colour(png: &Path, colour: &str) -> bool {
    let output = Command::new("convert")
        .arg(png)
        .args(["-fuzz", "4%", "-fill", "black", "+opaque", colour])
        .args(["-fill", "white", "-opaque", colour])
        .args(["-format", "%[fx:mean]", "info:"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse::<f64>()
        .is_ok_and(|mean| mean > 0.0005)
}
