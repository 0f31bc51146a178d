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

/// A person's way through sealing with a token, by keyboard only: Tab Tab Enter opens Seal,
/// Enter starts (the token's only seal key is preselected), the PIN dialog takes the PIN and
/// Enter; the sealed copy appears beside the input and validates.
#[test]
fn seal_with_a_softhsm_token_and_pin_by_keyboard() {
    const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
    if !support::have("softhsm2-util")
        || !support::have("pkcs11-tool")
        || !support::have("xdotool")
        || !Path::new(MODULE).exists()
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let conf = token(dir.path(), MODULE);
    let input = dir.path().join("bescheid.pdf");
    std::fs::copy(support::pdf("classic.pdf"), &input).unwrap();
    let Some(app) = App::start_with("seal", &[&input], "en", &[("SOFTHSM2_CONF", &conf)]) else {
        return;
    };
    let output = dir.path().join("bescheid-sealed.pdf");
    let key = |keys: &[&str]| {
        let ok = Command::new("xdotool")
            .arg("key")
            .args(keys)
            .env("DISPLAY", &app.display)
            .status()
            .unwrap()
            .success();
        assert!(ok, "xdotool key failed");
    };
    std::thread::sleep(Duration::from_secs(2));
    // Without a window manager the window has no focus until it is given one.
    let window = Command::new("xdotool")
        .args(["search", "--sync", "--name", "Siegel", "windowfocus"])
        .env("DISPLAY", &app.display)
        .status()
        .unwrap();
    assert!(window.success(), "no Siegel window");
    key(&["Tab", "Tab", "Return"]);
    // The token search runs in the background; Enter before it ends only asks for a key.
    let start = Instant::now();
    while !output.exists() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_secs(2));
        key(&["Return"]);
        std::thread::sleep(Duration::from_millis(800));
        let typed = Command::new("xdotool")
            .args(["type", "--delay", "20", TOKEN_PIN])
            .env("DISPLAY", &app.display)
            .status()
            .unwrap();
        assert!(typed.success());
        key(&["Return"]);
        std::thread::sleep(Duration::from_secs(2));
    }
    let shot = app.screenshot_until(|png| has_colour(png, VERDICT_GREEN));
    assert!(output.exists(), "no sealed output; see {}", shot.display());
    let report = support::validate(&output);
    assert_eq!(
        report.indication,
        siegel::validate::Indication::TotalPassed,
        "{report:?}"
    );
    assert_eq!(report.signatures[0].kind, Some(Kind::Seal));
}

const TOKEN_PIN: &str = "246810";

/// A SoftHSM2 token "Siegel HSM" with the seal key, its certificate and chain; returns the
/// `SOFTHSM2_CONF` to use.
fn token(dir: &Path, module: &str) -> PathBuf {
    let tokens = dir.join("tokens");
    std::fs::create_dir(&tokens).unwrap();
    let conf = dir.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .unwrap();
    let run = |program: &str, args: &[&str]| {
        let ok = Command::new(program)
            .args(args)
            .env("SOFTHSM2_CONF", &conf)
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "{program} {args:?} failed");
    };
    run(
        "softhsm2-util",
        &[
            "--init-token",
            "--free",
            "--label",
            "Siegel HSM",
            "--so-pin",
            "12345678",
            "--pin",
            TOKEN_PIN,
        ],
    );
    let key = openssl::pkey::PKey::private_key_from_pem(
        &std::fs::read(support::pki("seal-rsa.key.pem")).unwrap(),
    )
    .unwrap();
    let key_file = dir.join("key.der");
    std::fs::write(&key_file, key.private_key_to_pkcs8().unwrap()).unwrap();
    let mut objects = vec![(key_file, "privkey", "01")];
    for (stem, id) in [
        ("seal-rsa", "01"),
        ("intermediate-ca", "f0"),
        ("root-ca", "f1"),
    ] {
        let pem = std::fs::read(support::pki(&format!("{stem}.pem"))).unwrap();
        let der = openssl::x509::X509::from_pem(&pem)
            .unwrap()
            .to_der()
            .unwrap();
        let file = dir.join(format!("{stem}.der"));
        std::fs::write(&file, der).unwrap();
        objects.push((file, "cert", id));
    }
    for (file, kind, id) in &objects {
        let mut args = vec![
            "--module",
            module,
            "--token-label",
            "Siegel HSM",
            "--login",
            "--pin",
            TOKEN_PIN,
            "--write-object",
            file.to_str().unwrap(),
            "--type",
            kind,
            "--id",
            id,
            "--label",
            if *kind == "privkey" { "seal" } else { id },
        ];
        if *kind == "privkey" {
            args.push("--usage-sign");
        }
        run("pkcs11-tool", &args);
    }
    conf
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
        Self::start_with(name, files, language, &[])
    }

    fn start_with(
        name: &'static str,
        files: &[&Path],
        language: &str,
        environment: &[(&str, &Path)],
    ) -> Option<Self> {
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
            .envs(environment.iter().copied())
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
    let offset = match name {
        "start" => 0,
        "validate" => 300,
        _ => 600,
    };
    let base = 40 + std::process::id() % 300 + offset;
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
