//! Visible signatures: a box on the chosen page that viewers draw, that independent
//! validators accept, and that a later signature leaves intact.

use std::path::Path;
use std::process::Command;

use siegel::certificate::Kind;
use siegel::pdf::appearance::{Page, Visible};
use siegel::sign;
use siegel::validate::Indication;

use crate::support::{self, credential, have, pdf, pki, request, siegel, stderr, validate};

/// The rendered page `page` as (width, height, RGB bytes), at 72 dpi so pixels are points.
fn render(path: &Path, page: usize, dir: &Path) -> Option<(usize, usize, Vec<u8>)> {
    if !have("pdftoppm") {
        return None;
    }
    let prefix = dir.join(format!("page{page}"));
    let output = Command::new("pdftoppm")
        .args([
            "-r",
            "72",
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
            "-singlefile",
        ])
        .arg(path)
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(output.status.success(), "pdftoppm: {}", stderr(&output));
    let bytes = std::fs::read(prefix.with_extension("ppm")).unwrap();
    // P6 header: magic, width, height, maxval, each followed by whitespace.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
    }
    let (width, height) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    Some((width, height, bytes[at + 1..].to_vec()))
}

/// How many pixels inside the PDF rectangle (points from the lower left) are not white.
fn inked(image: &(usize, usize, Vec<u8>), x: usize, y: usize, w: usize, h: usize) -> usize {
    let (width, height, pixels) = image;
    let mut count = 0;
    for row in (height - y - h)..(height - y) {
        for column in x..x + w {
            let at = (row * width + column) * 3;
            if pixels[at..at + 3].iter().any(|&c| c < 200) {
                count += 1;
            }
        }
    }
    count
}

#[test]
fn a_visible_seal_is_drawn_on_the_last_page_and_accepted_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("visible.pdf");
    let mut seal = request(Kind::Seal);
    seal.visible = Some(Visible {
        page: Page::Last,
        x: 340.0,
        y: 40.0,
        width: 220.0,
        height: 70.0,
        lines: Vec::new(),
    });
    let input = pdf("multipage.pdf");
    sign::sign_pdf(&input, &output, &credential("seal-rsa.p12"), &seal, false).unwrap();
    assert!(
        std::fs::read(&output)
            .unwrap()
            .starts_with(&std::fs::read(&input).unwrap())
    );
    assert_eq!(validate(&output).indication, Indication::TotalPassed);
    support::assert_pyhanko_accepts(&output, 1);
    support::assert_pdfsig_accepts(&output, 1);

    let mut file = siegel::pdf::File::open(&output).unwrap();
    let pages = file.pages().unwrap();
    if let Some(last) = render(&output, pages.len(), dir.path()) {
        assert!(inked(&last, 345, 45, 210, 60) > 500, "the box is drawn");
        let before = render(&input, pages.len(), dir.path()).unwrap();
        assert_eq!(inked(&before, 345, 45, 210, 60), 0, "the corner was blank");
        let first = render(&output, 1, dir.path()).unwrap();
        assert_eq!(
            inked(&first, 345, 45, 210, 60),
            0,
            "only the last page has it"
        );
    }

    // A second, invisible signature leaves the first one valid.
    let twice = dir.path().join("twice.pdf");
    support::sign_with(&output, &twice, "signature-rsa.p12", Kind::Signature);
    let report = validate(&twice);
    assert_eq!(report.indication, Indication::TotalPassed);
}

#[test]
fn the_cli_places_a_visible_signature_and_rejects_a_bad_box() {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("cli-visible.pdf");
    let key = pki("seal-rsa.p12");
    let input = pdf("classic.pdf");
    let args = |visible: &str| -> Vec<String> {
        [
            "seal",
            "--p12",
            key.to_str().unwrap(),
            "--pin-env",
            "SIEGEL_TEST_PIN",
            "--visible",
            visible,
            "--reason",
            "Bescheid über 100 €",
            "-o",
            output.to_str().unwrap(),
            input.to_str().unwrap(),
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
    };
    let run = |visible: &str| {
        let owned = args(visible);
        let borrowed: Vec<&str> = owned.iter().map(String::as_str).collect();
        siegel(&borrowed)
    };
    let result = run("1,40,700,240,80");
    assert!(result.status.success(), "{}", stderr(&result));
    let bytes = std::fs::read(&output).unwrap();
    // The reason is drawn in WinAnsi: "über" with ü = 0xFC, the euro sign 0x80.
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("/Helvetica-Bold"));
    support::assert_pdfsig_accepts(&output, 1);

    std::fs::remove_file(&output).unwrap();
    for bad in ["0,40,40,200,60", "1,40,40,5,5", "first,1,2,3,4", "1,2,3"] {
        let result = run(bad);
        assert_eq!(result.status.code(), Some(3), "{bad}: {}", stderr(&result));
        assert!(!output.exists());
    }
    let result = run("9,40,40,200,60");
    assert_eq!(result.status.code(), Some(3), "page 9 of 1");
    let said = format!("{}{}", support::stdout(&result), stderr(&result));
    assert!(said.contains("no such page"), "{said}");
}
