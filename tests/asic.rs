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

/// The stored (compressed) bytes of every entry but `mimetype`, with its CRC: what co-signing
/// and extending must copy unchanged.
fn raw_entries(path: &Path) -> Vec<(String, u32, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index_raw(index).unwrap();
        let name = file.name().unwrap().to_string();
        if name == "mimetype" {
            continue;
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        entries.push((name, file.crc32(), bytes));
    }
    entries
}

/// `openssl cms -verify` on the signature `name` in `container` over `content` (an entry).
fn assert_entry_signature_verifies(container: &Path, name: &str, content: &str, root: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let signature = dir.path().join("signature.p7s");
    std::fs::write(&signature, entry(container, name)).unwrap();
    let data = dir.path().join("content");
    std::fs::write(&data, entry(container, content)).unwrap();
    assert_openssl_verifies(&signature, Some(&data), root);
}

#[test]
fn cosigning_a_container_adds_a_signature_and_leaves_every_entry_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let files = inputs(dir.path());
    let root = pki("root-ca.pem");
    let asice = dir.path().join("bundle.asice");
    create(Kind::E, &files, &asice);
    let cosigned = dir.path().join("cosigned.asice");
    let outcome = siegel::sign::asic::add_signature(
        &asice,
        &cosigned,
        &support::credential("signature-rsa.p12"),
        &support::request(Intent::Signature),
        false,
    )
    .unwrap();
    assert_eq!(outcome.signers, 2);
    assert_eq!(
        names(&cosigned),
        [
            "mimetype",
            "Antrag.xml",
            "Anlage 1.txt",
            "META-INF/ASiCManifest001.xml",
            "META-INF/signature001.p7s",
            "META-INF/ASiCManifest002.xml",
            "META-INF/signature002.p7s"
        ]
    );
    let before = raw_entries(&asice);
    assert_eq!(raw_entries(&cosigned)[..before.len()], before[..]);
    let manifest = asic::Manifest::from_xml(&entry(&cosigned, "META-INF/ASiCManifest002.xml"));
    let manifest = manifest.unwrap();
    assert_eq!(manifest.signature, "META-INF/signature002.p7s");
    assert_eq!(
        manifest
            .references
            .iter()
            .map(|r| r.uri.as_str())
            .collect::<Vec<_>>(),
        ["Antrag.xml", "Anlage 1.txt"]
    );
    for number in ["001", "002"] {
        assert_entry_signature_verifies(
            &cosigned,
            &format!("META-INF/signature{number}.p7s"),
            &format!("META-INF/ASiCManifest{number}.xml"),
            &root,
        );
    }
    let report = validate(&cosigned);
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    assert_eq!(report.signatures.len(), 2);
    assert!(
        report
            .signatures
            .iter()
            .all(|s| s.indication == Indication::TotalPassed)
    );

    // A third signature through the CLI, named as DSS numbers them.
    let key = pki("seal-ec.p12");
    let third = dir.path().join("third.asice");
    let result = support::siegel(&[
        "seal",
        "--p12",
        key.to_str().unwrap(),
        "--pin-env",
        "SIEGEL_TEST_PIN",
        "-o",
        third.to_str().unwrap(),
        cosigned.to_str().unwrap(),
    ]);
    assert!(result.status.success(), "{}", support::stdout(&result));
    assert!(names(&third).contains(&"META-INF/signature003.p7s".to_owned()));
    let report = validate(&third);
    assert_eq!(report.signatures.len(), 3, "{report:#?}");
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");

    // A file changed after the first signature: a co-signer does not sign it.
    let changed = dir.path().join("changed.asice");
    rewrite(
        &asice,
        &changed,
        |name, bytes| {
            Some(if name == "Antrag.xml" {
                b"<x/>".to_vec()
            } else {
                bytes
            })
        },
        &[],
    );
    let over_changed = dir.path().join("over-changed.asice");
    let error = siegel::sign::asic::add_signature(
        &changed,
        &over_changed,
        &support::credential("signature-rsa.p12"),
        &support::request(Intent::Signature),
        false,
    )
    .unwrap_err();
    assert!(
        matches!(error, siegel::sign::Error::ContentMismatch(ref what) if what.ends_with("Antrag.xml")),
        "{error}"
    );
    assert!(!over_changed.exists());

    // ASiC-S has one signature file: the co-signer is a parallel SignerInfo in it.
    let asics = dir.path().join("one.asics");
    create(Kind::S, &files[..1], &asics);
    let cosigned = dir.path().join("cosigned.asics");
    let outcome = siegel::sign::asic::add_signature(
        &asics,
        &cosigned,
        &support::credential("signature-rsa.p12"),
        &support::request(Intent::Signature),
        false,
    )
    .unwrap();
    assert_eq!(outcome.signers, 2);
    assert_eq!(
        names(&cosigned),
        ["mimetype", "Antrag.xml", "META-INF/signature.p7s"]
    );
    assert_eq!(raw_entries(&cosigned)[0], raw_entries(&asics)[0]);
    assert_entry_signature_verifies(&cosigned, "META-INF/signature.p7s", "Antrag.xml", &root);
    let report = validate(&cosigned);
    assert_eq!(report.signatures.len(), 2);
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
}

#[test]
fn asic_containers_extend_to_every_level_and_each_level_validates() {
    let Some(services) = crate::ltv::Services::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let files = inputs(dir.path());
    let key = services.path("seal.p12");
    let root = services.path("root.pem");
    let url = services.tsa_url();
    let now = chrono::Utc::now();
    let mut trust = siegel::trust::Store::new();
    trust.add_file(&root).unwrap();
    let options = validate::Options::new(trust, now);
    for kind in ["asice", "asics"] {
        let base = dir.path().join(format!("base.{kind}"));
        let mut args = vec![
            "seal",
            "--p12",
            key.to_str().unwrap(),
            "--pin-env",
            "LTV_PIN",
            "--container",
            kind,
            "-o",
            base.to_str().unwrap(),
            files[0].to_str().unwrap(),
        ];
        if kind == "asice" {
            args.push(files[1].to_str().unwrap());
        }
        let result = services.siegel(&args);
        assert!(result.status.success(), "{}", support::stdout(&result));
        let (signature, content) = if kind == "asice" {
            ("META-INF/signature001.p7s", "META-INF/ASiCManifest001.xml")
        } else {
            ("META-INF/signature.p7s", "Antrag.xml")
        };
        let mut previous = base.clone();
        for (level, profile) in [
            ("B-T", "CAdES-BASELINE-T"),
            ("B-LT", "CAdES-BASELINE-LT"),
            ("B-LTA", "CAdES-BASELINE-LTA"),
        ] {
            let extended = dir.path().join(format!("{level}.{kind}"));
            // B-T from B-B, then each level from the one before.
            let result = services.siegel(&[
                "extend",
                "--level",
                level,
                "--tsa",
                &url,
                "-o",
                extended.to_str().unwrap(),
                previous.to_str().unwrap(),
            ]);
            assert!(
                result.status.success(),
                "{kind} {level}: {}{}",
                support::stdout(&result),
                support::stderr(&result)
            );
            let names = names(&extended);
            assert_eq!(names, self::names(&base), "{kind} {level}");
            let bytes = std::fs::read(&extended).unwrap();
            assert_eq!(&bytes[30..38], b"mimetype");
            assert_eq!(&bytes[8..10], &[0, 0], "mimetype stored");
            // Everything but the signature is copied as stored.
            let unchanged = |path: &Path| {
                raw_entries(path)
                    .into_iter()
                    .filter(|(n, _, _)| n != signature)
                    .collect::<Vec<_>>()
            };
            assert_eq!(unchanged(&extended), unchanged(&base), "{kind} {level}");
            assert_entry_signature_verifies(&extended, signature, content, &root);
            let report = validate::validate_asic(&extended, &options).unwrap();
            let signed = &report.signatures[0];
            assert_eq!(
                signed.level.map(|l| l.name()),
                Some(profile),
                "{kind} {level}: {report:#?}"
            );
            assert!(
                signed
                    .timestamps
                    .iter()
                    .all(|t| t.indication == Indication::TotalPassed),
                "{:#?}",
                signed.timestamps
            );
            if level != "B-T" {
                // Validation data inside: valid offline, also for `siegel verify`.
                assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
                let result = services.siegel(&[
                    "verify",
                    "--offline",
                    "--trust",
                    root.to_str().unwrap(),
                    extended.to_str().unwrap(),
                ]);
                assert_eq!(
                    result.status.code(),
                    Some(0),
                    "{kind} {level}: {}",
                    support::stdout(&result)
                );
            }
            previous = extended;
        }
        if kind == "asice" {
            container_timestamps_are_added_and_renewed(&services, &previous, &options);
        }
        let cades = siegel::cades::SignedData::from_der(&entry(&previous, signature)).unwrap();
        let original = siegel::cades::SignedData::from_der(&entry(&base, signature)).unwrap();
        assert_eq!(
            cades.signer_infos[0].signature, original.signer_infos[0].signature,
            "extending never re-signs"
        );
    }
}

/// An ASiCManifest (or ASiCArchiveManifest) naming `token_name` over `names` of `container`,
/// with SHA-256 digests.
fn manifest_over(container: &Path, token_name: &str, names: &[String]) -> Vec<u8> {
    asic::Manifest {
        signature: token_name.to_owned(),
        references: names
            .iter()
            .map(|name| asic::Reference {
                uri: name.clone(),
                mime: None,
                digest: siegel::algorithm::Digest::Sha256,
                value: siegel::algorithm::Digest::Sha256.hash(&entry(container, name)),
            })
            .collect(),
    }
    .to_xml()
}

#[test]
fn container_time_stamps_are_checked_over_their_manifest_and_every_file_it_names() {
    use siegel::algorithm::Digest;
    use siegel::timestamp::TimeStamper;
    let Some(services) = crate::ltv::Services::start() else {
        return;
    };
    let stamper = siegel::timestamp::Client::new(
        vec![services.tsa_url()],
        std::sync::Arc::new(crate::ltv::local_http()),
    );
    let stamp = |bytes: &[u8]| {
        stamper
            .stamp(Digest::Sha256, &Digest::Sha256.hash(bytes))
            .unwrap()
            .der
    };
    let dir = tempfile::tempdir().unwrap();
    let files = inputs(dir.path());
    let asice = dir.path().join("bundle.asice");
    create(Kind::E, &files, &asice);
    let mut trust = siegel::trust::Store::new();
    trust.add_file(&pki("root-ca.pem")).unwrap();
    trust.add_file(&services.path("root.pem")).unwrap();
    let options = validate::Options::new(trust, chrono::Utc::now());
    let check = |path: &Path| validate::validate_asic(path, &options).unwrap();
    let keep = |_: &str, bytes: Vec<u8>| Some(bytes);

    // EN 319 162-1 §A.5: an ASiCArchiveManifest over every file, signatures and manifests
    // included, time-stamped.
    let covered: Vec<String> = names(&asice)
        .into_iter()
        .filter(|n| n != "mimetype")
        .collect();
    let archive = manifest_over(&asice, "META-INF/timestamp.tst", &covered);
    let token = stamp(&archive);
    let archived = dir.path().join("archived.asice");
    rewrite(
        &asice,
        &archived,
        keep,
        &[
            ("META-INF/ASiCArchiveManifest.xml", &archive),
            ("META-INF/timestamp.tst", &token),
        ],
    );
    let report = check(&archived);
    assert_eq!(report.document_timestamps.len(), 1, "{report:#?}");
    let stamp_result = &report.document_timestamps[0];
    assert_eq!(
        stamp_result.indication,
        Indication::TotalPassed,
        "{stamp_result:#?}"
    );
    assert_eq!(
        stamp_result.level.map(|l| l.name()),
        Some("ASiC container time-stamp")
    );
    assert!(
        stamp_result
            .checks
            .iter()
            .any(|c| c.id == "manifest" && c.passed)
    );
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    for format in [
        siegel::protocol::Format::Pdf,
        siegel::protocol::Format::Html,
        siegel::protocol::Format::Json,
        siegel::protocol::Format::Xml,
    ] {
        let bytes = siegel::protocol::render(&report, format, siegel::text::Language::De).unwrap();
        if format == siegel::protocol::Format::Xml {
            crate::protocol::assert_schema_valid(&bytes, "container-timestamp");
        }
    }

    // The manifest changed after it was time-stamped: the imprint no longer matches.
    let other = manifest_over(&asice, "META-INF/timestamp.tst", &covered[..1]);
    let swapped = dir.path().join("swapped.asice");
    rewrite(
        &archived,
        &swapped,
        |name, bytes| {
            Some(if name == "META-INF/ASiCArchiveManifest.xml" {
                other.clone()
            } else {
                bytes
            })
        },
        &[],
    );
    let report = check(&swapped);
    assert_eq!(
        report.document_timestamps[0].indication,
        Indication::TotalFailed
    );
    assert_eq!(report.indication, Indication::TotalFailed);

    // A signature replaced after the archive time-stamp (it is still valid itself): the
    // manifest's digest of it no longer matches.
    let resigned = dir.path().join("resigned.asice");
    let fresh = dir.path().join("fresh.asice");
    siegel::sign::asic::create(
        Kind::E,
        &files,
        &fresh,
        &support::credential("seal-ec.p12"),
        &support::request(Intent::Seal),
        false,
    )
    .unwrap();
    let fresh_signature = entry(&fresh, "META-INF/signature001.p7s");
    let fresh_manifest = entry(&fresh, "META-INF/ASiCManifest001.xml");
    rewrite(
        &archived,
        &resigned,
        |name, bytes| {
            Some(match name {
                "META-INF/signature001.p7s" => fresh_signature.clone(),
                "META-INF/ASiCManifest001.xml" => fresh_manifest.clone(),
                _ => bytes,
            })
        },
        &[],
    );
    let report = check(&resigned);
    assert_eq!(report.signatures[0].indication, Indication::TotalPassed);
    assert!(
        report.document_timestamps[0]
            .findings
            .iter()
            .any(|f| f.id == "MANIFEST_REFERENCE_BROKEN"),
        "{report:#?}"
    );
    assert_eq!(report.indication, Indication::TotalFailed);

    // ASiC-S with a time-stamp over its data object; one over other bytes fails.
    let asics = dir.path().join("one.asics");
    create(Kind::S, &files[..1], &asics);
    let data = std::fs::read(&files[0]).unwrap();
    for (name, token, expected) in [
        ("good", stamp(&data), Indication::TotalPassed),
        ("foreign", stamp(b"<antrag/>"), Indication::TotalFailed),
    ] {
        let stamped = dir.path().join(format!("{name}.asics"));
        rewrite(
            &asics,
            &stamped,
            keep,
            &[("META-INF/timestamp.tst", &token)],
        );
        let report = check(&stamped);
        assert_eq!(report.document_timestamps.len(), 1, "{report:#?}");
        assert_eq!(report.document_timestamps[0].indication, expected, "{name}");
        assert_eq!(report.indication, expected, "{name}");
    }

    // ASiC-E with a time-stamp instead of a signature (§A.4): the time-stamp passes, and
    // the container, signed by nobody, does not.
    let manifest = manifest_over(
        &asice,
        "META-INF/timestamp.tst",
        &["Antrag.xml".to_owned(), "Anlage 1.txt".to_owned()],
    );
    let token = stamp(&manifest);
    let only = dir.path().join("only-stamped.asice");
    rewrite(
        &asice,
        &only,
        |name, bytes| (!name.starts_with("META-INF/")).then_some(bytes),
        &[
            ("META-INF/ASiCManifest001.xml", &manifest),
            ("META-INF/timestamp.tst", &token),
        ],
    );
    let report = check(&only);
    assert_eq!(report.document_timestamps.len(), 1, "{report:#?}");
    assert_eq!(
        report.document_timestamps[0].indication,
        Indication::TotalPassed
    );
    assert_ne!(report.indication, Indication::TotalPassed);
}

#[cfg(unix)]
#[test]
fn extract_never_writes_through_a_symlink_nor_outside_the_folder() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let files = inputs(dir.path());
    let asice = dir.path().join("bundle.asice");
    create(Kind::E, &files, &asice);
    let root = pki("root-ca.pem");
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    let victim = outside.join("victim.txt");
    std::fs::write(&victim, "original").unwrap();

    // A symlink in the folder named like an entry: refused, with --force too.
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    symlink(&victim, out.join("Antrag.xml")).unwrap();
    for force in [false, true] {
        let mut args = vec![
            "extract",
            "--offline",
            "--at",
            "2026-06-01T12:00:00Z",
            "--trust",
            root.to_str().unwrap(),
            "--out-dir",
            out.to_str().unwrap(),
        ];
        if force {
            args.push("--force");
        }
        args.push(asice.to_str().unwrap());
        let result = support::siegel(&args);
        assert_ne!(result.status.code(), Some(0), "force {force}");
        assert!(
            support::stderr(&result).contains("symbolic link"),
            "{}",
            support::stderr(&result)
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "original");
        assert!(
            std::fs::symlink_metadata(out.join("Antrag.xml"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    // A symlinked subfolder: an entry under it is not written through it.
    let nested = dir.path().join("nested.asice");
    rewrite(
        &asice,
        &nested,
        |_, bytes| Some(bytes),
        &[("docs/Anlage 2.txt", b"unterwegs".as_slice())],
    );
    let out = dir.path().join("out-nested");
    std::fs::create_dir(&out).unwrap();
    symlink(&outside, out.join("docs")).unwrap();
    let error = asic::Container::open(&nested)
        .unwrap()
        .extract_to(&out, true)
        .unwrap_err();
    assert!(error.to_string().contains("symbolic link"), "{error}");
    assert!(!outside.join("Anlage 2.txt").exists());

    // Without links, the subfolder is made inside the folder.
    let out = dir.path().join("out-plain");
    let written = asic::Container::open(&nested)
        .unwrap()
        .extract_to(&out, false)
        .unwrap();
    assert!(written.iter().all(|p| p.starts_with(&out)));
    assert_eq!(
        std::fs::read(out.join("docs").join("Anlage 2.txt")).unwrap(),
        b"unterwegs"
    );

    // The .p7m branch keeps the same rule.
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
    let result = support::siegel(&[
        "extract",
        "--offline",
        "--at",
        "2026-06-01T12:00:00Z",
        "--trust",
        root.to_str().unwrap(),
        "--force",
        "--out-dir",
        dir.path().join("out").to_str().unwrap(),
        p7m.to_str().unwrap(),
    ]);
    assert_ne!(result.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "original");
}

#[test]
fn a_detached_signature_named_sig_is_verified_like_a_p7s() {
    let dir = tempfile::tempdir().unwrap();
    let files = inputs(dir.path());
    let signature = dir.path().join("Antrag.xml.sig");
    siegel::sign::cades::sign_file(
        &files[0],
        &signature,
        &support::credential("seal-rsa.p12"),
        &support::request(Intent::Seal),
        siegel::sign::cades::Packaging::Detached,
        false,
    )
    .unwrap();
    assert!(siegel::cades::is_signature_file(&signature));
    let root = pki("root-ca.pem");
    let result = support::siegel(&[
        "verify",
        "--offline",
        "--at",
        "2026-06-01T12:00:00Z",
        "--trust",
        root.to_str().unwrap(),
        signature.to_str().unwrap(),
    ]);
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}{}",
        support::stdout(&result),
        support::stderr(&result)
    );
}

/// The committed CAdES and ASiC files (`testdata/cades/`, the fuzzing seeds) are what their
/// generator says: every signature and container time-stamp intact.
#[test]
fn the_committed_cades_and_asic_samples_pass() {
    let dir = support::root().join("testdata/cades");
    let content = dir.join("Antrag.xml");
    let mut trust = siegel::trust::Store::new();
    trust.add_file(&pki("root-ca.pem")).unwrap();
    let options = validate::Options::new(trust, support::time());
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let report = if asic::Kind::of_path(&path).is_some() {
            validate::validate_asic(&path, &options).unwrap()
        } else if siegel::cades::is_signature_file(&path) {
            validate::validate_cades(&path, Some(&content), &options).unwrap()
        } else {
            continue;
        };
        seen += 1;
        assert_eq!(
            report.indication,
            Indication::TotalPassed,
            "{}: {report:#?}",
            path.display()
        );
        if path.ends_with("archived.asice") {
            assert_eq!(report.document_timestamps.len(), 1);
        }
    }
    assert_eq!(seen, 7);
}

/// `siegel extend --container-timestamp` on the B-LTA ASiC-E `lta`: an ASiCArchiveManifest
/// over every entry and its time-stamp; renewed by extending to a level the signatures have,
/// never by changing what the first one covers.
fn container_timestamps_are_added_and_renewed(
    services: &crate::ltv::Services,
    lta: &Path,
    options: &validate::Options,
) {
    let dir = lta.parent().unwrap();
    let url = services.tsa_url();
    let extend = |level: &str, input: &Path, output: &Path| {
        services.siegel(&[
            "extend",
            "--level",
            level,
            "--tsa",
            &url,
            "--container-timestamp",
            "-o",
            output.to_str().unwrap(),
            input.to_str().unwrap(),
        ])
    };
    let stamped = dir.join("stamped.asice");
    let result = extend("B-LTA", lta, &stamped);
    assert!(result.status.success(), "{}", support::stderr(&result));
    assert!(
        support::stdout(&result).contains("container time-stamp (ASiCArchiveManifest)"),
        "{}",
        support::stdout(&result)
    );
    let names = names(&stamped);
    assert_eq!(
        names[names.len() - 2..],
        ["META-INF/ASiCArchiveManifest.xml", "META-INF/timestamp.tst"]
    );
    let manifest =
        asic::Manifest::from_xml(&entry(&stamped, "META-INF/ASiCArchiveManifest.xml")).unwrap();
    assert_eq!(manifest.signature, "META-INF/timestamp.tst");
    assert_eq!(
        manifest.references.len(),
        names.len() - 3,
        "all but mimetype and itself"
    );
    let report = validate::validate_asic(&stamped, options).unwrap();
    assert_eq!(report.document_timestamps.len(), 1, "{report:#?}");
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");

    // Renewed: the signatures are B-LTA already at B-T, so nothing covered changes.
    let renewed = dir.join("renewed.asice");
    let result = extend("B-T", &stamped, &renewed);
    assert!(result.status.success(), "{}", support::stderr(&result));
    assert!(self::names(&renewed).contains(&"META-INF/ASiCArchiveManifest001.xml".to_owned()));
    assert!(self::names(&renewed).contains(&"META-INF/timestamp001.tst".to_owned()));
    let report = validate::validate_asic(&renewed, options).unwrap();
    assert_eq!(report.document_timestamps.len(), 2, "{report:#?}");
    assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");

    // Renewing the signatures' archive time-stamps would change what the container
    // time-stamp covers: refused, nothing written.
    let broken = dir.join("broken.asice");
    let result = extend("B-LTA", &renewed, &broken);
    assert_ne!(result.status.code(), Some(0));
    assert!(
        support::stdout(&result).contains("time-stamped it as it is"),
        "{}",
        support::stdout(&result)
    );
    assert!(!broken.exists());
}
