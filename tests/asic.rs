//! ASiC-S and ASiC-E with CAdES (ETSI EN 319 162-1): containers written as DSS names them,
//! their signatures checked by `openssl cms -verify`, and the container attacks never pass.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use siegel::asic::{self, Kind};
use siegel::certificate::Kind as Intent;
use siegel::validate::{self, Indication};

use crate::cades::assert_openssl_verifies;
use crate::support::{self, pki};

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let a = dir.join("Antrag.xml");
    std::fs::write(&a, "<antrag><name>Müller</name></antrag>\n").unwrap();
    let b = dir.join("Anlage 1.txt");
    std::fs::write(&b, "Anlage zum Antrag\n".repeat(1000)).unwrap();
    vec![a, b]
}

fn create(kind: Kind, inputs: &[PathBuf], output: &Path) {
    siegel::sign::asic::create(
        kind,
        inputs,
        output,
        &support::credential("seal-rsa.p12"),
        &support::request(Intent::Seal),
        false,
    )
    .unwrap();
}

fn validate(path: &Path) -> validate::Report {
    let mut trust = siegel::trust::Store::new();
    trust.add_file(&pki("root-ca.pem")).unwrap();
    validate::validate_asic(path, &validate::Options::new(trust, support::time())).unwrap()
}

fn entry(path: &Path, name: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut bytes = Vec::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    bytes
}

fn names(path: &Path) -> Vec<String> {
    let archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| archive.name_for_index(i).unwrap().unwrap().into_owned())
        .collect()
}

/// Copies the container at `from` to `to`, changing entries with `edit` (name, bytes ->
/// replacement or drop) and appending `extra` entries, each deflated.
fn rewrite(
    from: &Path,
    to: &Path,
    edit: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>,
    extra: &[(&str, &[u8])],
) {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut writer = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).unwrap();
        let name = file.name().unwrap().to_string();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        let Some(bytes) = edit(&name, bytes) else {
            continue;
        };
        let method = if name == "mimetype" {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        writer
            .start_file(
                name,
                zip::write::SimpleFileOptions::default().compression_method(method),
            )
            .unwrap();
        writer.write_all(&bytes).unwrap();
    }
    for (name, bytes) in extra {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap();
}

fn finding(report: &validate::Report, id: &str) -> bool {
    report
        .signatures
        .iter()
        .any(|s| s.findings.iter().any(|f| f.id == id))
}

#[test]
fn asic_e_is_written_as_dss_names_it_and_its_signature_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let files = inputs(dir.path());
    let container = dir.path().join("bundle.asice");
    create(Kind::E, &files, &container);
    assert_eq!(
        names(&container),
        [
            "mimetype",
            "Antrag.xml",
            "Anlage 1.txt",
            "META-INF/ASiCManifest001.xml",
            "META-INF/signature001.p7s"
        ]
    );
    // mimetype first, stored, without extra field: readable at offset 38.
    let bytes = std::fs::read(&container).unwrap();
    assert_eq!(&bytes[0..4], b"PK\x03\x04");
    assert_eq!(&bytes[8..10], &[0, 0], "stored");
    assert_eq!(&bytes[28..30], &[0, 0], "no extra field");
    assert_eq!(&bytes[30..38], b"mimetype");
    assert_eq!(
        &bytes[38..38 + asic::MIMETYPE_E.len()],
        asic::MIMETYPE_E.as_bytes()
    );

    let manifest_bytes = entry(&container, "META-INF/ASiCManifest001.xml");
    let manifest = asic::Manifest::from_xml(&manifest_bytes).unwrap();
    assert_eq!(manifest.signature, "META-INF/signature001.p7s");
    assert_eq!(manifest.references.len(), 2);
    assert_eq!(
        manifest.references[1].value,
        siegel::algorithm::Digest::Sha256.hash(&std::fs::read(&files[1]).unwrap())
    );
    let manifest_file = dir.path().join("manifest.xml");
    std::fs::write(&manifest_file, &manifest_bytes).unwrap();
    let signature = dir.path().join("signature001.p7s");
    std::fs::write(&signature, entry(&container, "META-INF/signature001.p7s")).unwrap();
    assert_openssl_verifies(&signature, Some(&manifest_file), &pki("root-ca.pem"));

    let report = validate(&container);
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    assert!(
        report.signatures[0]
            .checks
            .iter()
            .any(|c| c.id == "manifest" && c.passed)
    );
    // Each file with its size and the signature that covers it, for the GUI and the protocol.
    let field = report.signatures[0].field.clone();
    let contents: Vec<(&str, Option<u64>, Vec<String>)> = report
        .contents
        .iter()
        .map(|c| (c.name.as_str(), c.size, c.signed_by.clone()))
        .collect();
    let size = |path: &Path| Some(std::fs::metadata(path).unwrap().len());
    assert_eq!(
        contents,
        [
            ("Antrag.xml", size(&files[0]), vec![field.clone()]),
            ("Anlage 1.txt", size(&files[1]), vec![field])
        ]
    );
}

#[test]
fn asic_s_holds_one_file_and_its_signature() {
    let dir = tempfile::tempdir().unwrap();
    let files = inputs(dir.path());
    let container = dir.path().join("Antrag.xml.asics");
    create(Kind::S, &files[..1], &container);
    assert_eq!(
        names(&container),
        ["mimetype", "Antrag.xml", "META-INF/signature.p7s"]
    );
    let signature = dir.path().join("signature.p7s");
    std::fs::write(&signature, entry(&container, "META-INF/signature.p7s")).unwrap();
    assert_openssl_verifies(&signature, Some(&files[0]), &pki("root-ca.pem"));
    assert_eq!(validate(&container).indication, Indication::TotalPassed);

    // Two files are refused for ASiC-S.
    let result = siegel::sign::asic::create(
        Kind::S,
        &files,
        &dir.path().join("two.asics"),
        &support::credential("seal-rsa.p12"),
        &support::request(Intent::Seal),
        false,
    );
    assert!(result.is_err());
    assert!(!dir.path().join("two.asics").exists());
}

#[test]
fn container_attacks_never_pass() {
    let dir = tempfile::tempdir().unwrap();
    let files = inputs(dir.path());
    let asice = dir.path().join("bundle.asice");
    create(Kind::E, &files, &asice);
    let asics = dir.path().join("one.asics");
    create(Kind::S, &files[..1], &asics);
    let keep = |_: &str, bytes: Vec<u8>| Some(bytes);

    // A file nobody signed, added later.
    let extra = dir.path().join("extra.asice");
    rewrite(
        &asice,
        &extra,
        keep,
        &[("Rechnung.pdf", b"%PDF-1.7 unsigned")],
    );
    let report = validate(&extra);
    assert_ne!(report.indication, Indication::TotalPassed);
    assert!(
        finding(&report, "UNSIGNED_FILE_IN_CONTAINER"),
        "{report:#?}"
    );
    let unsigned = report
        .contents
        .iter()
        .find(|c| c.name == "Rechnung.pdf")
        .unwrap();
    assert!(unsigned.signed_by.is_empty(), "{unsigned:?}");
    assert_eq!(unsigned.size, Some(17));
    assert!(
        report
            .contents
            .iter()
            .filter(|c| c.name != "Rechnung.pdf")
            .all(|c| c.signed_by.len() == 1)
    );
    let html = siegel::protocol::render(
        &report,
        siegel::protocol::Format::Html,
        siegel::text::Language::De,
    )
    .unwrap();
    assert!(
        String::from_utf8(html)
            .unwrap()
            .contains("von keiner gültigen Signatur erfasst")
    );

    // A signed file changed.
    let changed = dir.path().join("changed.asice");
    rewrite(
        &asice,
        &changed,
        |name, bytes| {
            Some(if name == "Antrag.xml" {
                b"<antrag/>".to_vec()
            } else {
                bytes
            })
        },
        &[],
    );
    let report = validate(&changed);
    assert_eq!(report.indication, Indication::TotalFailed);
    assert!(finding(&report, "MANIFEST_REFERENCE_BROKEN"), "{report:#?}");
    let changed = dir.path().join("changed.asics");
    rewrite(
        &asics,
        &changed,
        |name, bytes| {
            Some(if name == "Antrag.xml" {
                b"<antrag/>".to_vec()
            } else {
                bytes
            })
        },
        &[],
    );
    assert_eq!(validate(&changed).indication, Indication::TotalFailed);

    // A referenced file removed.
    let removed = dir.path().join("removed.asice");
    rewrite(
        &asice,
        &removed,
        |name, bytes| (name != "Anlage 1.txt").then_some(bytes),
        &[],
    );
    let report = validate(&removed);
    assert_ne!(report.indication, Indication::TotalPassed);
    assert!(finding(&report, "MANIFEST_REFERENCE_BROKEN"));

    // No mimetype.
    let untyped = dir.path().join("untyped.asice");
    rewrite(
        &asice,
        &untyped,
        |name, bytes| (name != "mimetype").then_some(bytes),
        &[],
    );
    let report = validate(&untyped);
    assert_ne!(report.indication, Indication::TotalPassed);
    assert!(finding(&report, "CONTAINER_FORMAT"));

    // Names that leave the folder, a second mimetype, duplicates, too many entries: refused.
    let mut trust = siegel::trust::Store::new();
    trust.add_file(&pki("root-ca.pem")).unwrap();
    let options = validate::Options::new(trust, support::time());
    let many: Vec<(String, Vec<u8>)> = (0..1001).map(|i| (format!("f{i}"), vec![b'x'])).collect();
    let many: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    for (name, extra) in [
        ("traversal", vec![("../../evil.txt", b"x".as_slice())]),
        ("absolute", vec![("/etc/evil", b"x".as_slice())]),
        ("folder", vec![("../evil/", b"".as_slice())]),
        ("backslash", vec![("META-INF\\evil.p7s", b"x".as_slice())]),
        ("mimetype", vec![("mimetypX", b"x".as_slice())]),
        ("many", many.clone()),
    ] {
        let hostile = dir.path().join(format!("{name}.asice"));
        rewrite(&asice, &hostile, keep, &extra);
        if name == "mimetype" {
            // The ZIP writer refuses a second `mimetype`; name the entry so afterwards, in the
            // local and the central header alike (names are not under the CRC).
            let bytes = std::fs::read(&hostile).unwrap();
            let mut patched = Vec::new();
            let mut rest = bytes.as_slice();
            while let Some(at) = rest.windows(8).position(|w| w == b"mimetypX") {
                patched.extend_from_slice(&rest[..at]);
                patched.extend_from_slice(b"mimetype");
                rest = &rest[at + 8..];
            }
            patched.extend_from_slice(rest);
            std::fs::write(&hostile, patched).unwrap();
        }
        assert!(
            validate::validate_asic(&hostile, &options).is_err(),
            "{name} was not refused"
        );
    }

    // A bomb: one entry inflating a thousandfold beyond the ratio.
    let bomb = dir.path().join("bomb.asice");
    let zeros = vec![0u8; 8 * 1024 * 1024];
    rewrite(&asice, &bomb, keep, &[("zeros.bin", zeros.as_slice())]);
    let error = validate::validate_asic(&bomb, &options).unwrap_err();
    assert!(error.to_string().contains("bomb"), "{error}");

    // Garbage is an error, never a panic.
    let garbage = dir.path().join("garbage.asice");
    std::fs::write(&garbage, b"PK\x03\x04 not a zip").unwrap();
    assert!(validate::validate_asic(&garbage, &options).is_err());
}

#[test]
fn the_cli_seals_several_files_into_one_asic_e_and_verifies_it() {
    let dir = tempfile::tempdir().unwrap();
    let files = inputs(dir.path());
    let key = pki("seal-rsa.p12");
    let root = pki("root-ca.pem");
    let container = dir.path().join("bundle.asice");
    let result = support::siegel(&[
        "seal",
        "--p12",
        key.to_str().unwrap(),
        "--pin-env",
        "SIEGEL_TEST_PIN",
        "--container",
        "asice",
        "-o",
        container.to_str().unwrap(),
        files[0].to_str().unwrap(),
        files[1].to_str().unwrap(),
    ]);
    assert!(result.status.success(), "{}", support::stdout(&result));
    assert!(support::stdout(&result).contains("in ASiC-E"));
    let result = support::siegel(&[
        "verify",
        "--offline",
        "--trust",
        root.to_str().unwrap(),
        container.to_str().unwrap(),
    ]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        support::stdout(&result)
    );
    // Without --container -o the container is named after the first input, beside it.
    let result = support::siegel(&[
        "seal",
        "--p12",
        key.to_str().unwrap(),
        "--pin-env",
        "SIEGEL_TEST_PIN",
        "--container",
        "asics",
        files[0].to_str().unwrap(),
    ]);
    assert!(result.status.success(), "{}", support::stdout(&result));
    assert!(dir.path().join("Antrag.xml.asics").exists());
}

#[test]
fn extract_writes_the_signed_content_inside_the_folder_and_nothing_when_a_signature_failed() {
    let dir = tempfile::tempdir().unwrap();
    let files = inputs(dir.path());
    let asice = dir.path().join("bundle.asice");
    create(Kind::E, &files, &asice);
    let root = pki("root-ca.pem");
    let out = dir.path().join("out");
    let extract = |input: &Path, out: &Path| {
        support::siegel(&[
            "extract",
            "--offline",
            "--at",
            "2026-06-01T12:00:00Z",
            "--trust",
            root.to_str().unwrap(),
            "--out-dir",
            out.to_str().unwrap(),
            input.to_str().unwrap(),
        ])
    };
    let result = extract(&asice, &out);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}{}",
        support::stdout(&result),
        support::stderr(&result)
    );
    for file in &files {
        let name = file.file_name().unwrap();
        assert_eq!(
            std::fs::read(out.join(name)).unwrap(),
            std::fs::read(file).unwrap()
        );
    }
    assert!(!out.join("mimetype").exists() && !out.join("META-INF").exists());

    // An enveloping .p7m gives its content under the name without .p7m.
    let p7m = dir.path().join("Antrag.xml.p7m");
    siegel::sign::cades::sign_file(
        &files[0],
        &p7m,
        &support::credential("seal-rsa.p12"),
        &support::request(Intent::Seal),
        siegel::sign::cades::Packaging::Enveloping,
        false,
    )
    .unwrap();
    let out2 = dir.path().join("out2");
    let result = extract(&p7m, &out2);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        support::stderr(&result)
    );
    assert_eq!(
        std::fs::read(out2.join("Antrag.xml")).unwrap(),
        std::fs::read(&files[0]).unwrap()
    );

    // A changed file: the signature fails and nothing is written.
    let changed = dir.path().join("changed.asice");
    rewrite(
        &asice,
        &changed,
        |name, bytes| {
            Some(if name == "Antrag.xml" {
                b"<antrag/>".to_vec()
            } else {
                bytes
            })
        },
        &[],
    );
    let out3 = dir.path().join("out3");
    let result = extract(&changed, &out3);
    assert_ne!(result.status.code(), Some(0));
    assert!(!out3.exists() || std::fs::read_dir(&out3).unwrap().next().is_none());
}
