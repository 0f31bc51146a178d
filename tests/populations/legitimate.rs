//! The honest clerk's population: seal, sign and certify sequences by Siegel (in-process) and
//! pyHanko (one batch process), over every base structure, with what each certification level
//! allows in between. Expected: never TOTAL_FAILED; TOTAL_PASSED unless a case says why not.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::{Value, json};
use siegel::algorithm::Digest;
use siegel::pdf::permissions::DocMdp;

use super::clerk::{self, EMPTY_FIELD};
use super::document::{self, Doc, PyJob, Siegel, Workspace};
use super::harness::{self, Case, Expect, Population};
use super::oracle;
use crate::support::{self, pdf};

/// A blank corner for visible signatures: `[x, y, width, height]`.
const CORNER: [f32; 4] = [355.0, 36.0, 200.0, 60.0];
const LEFT_CORNER: [f32; 4] = [72.0, 100.0, 200.0, 50.0];
/// Over the signed text (the title line).
const OVER_TEXT: [f32; 4] = [72.0, 740.0, 300.0, 50.0];
/// pyHanko's visible boxes, `[x1, y1, x2, y2]`.
const PY_BOX: [f32; 4] = [300.0, 120.0, 500.0, 170.0];
/// A sticky note in the blank margin, and one on the title.
const NOTE: [f32; 4] = [520.0, 600.0, 540.0, 620.0];
const NOTE_OVER_TEXT: [f32; 4] = [80.0, 758.0, 100.0, 778.0];
/// A highlight on the second line of text.
const HIGHLIGHT: [f32; 4] = [70.0, 726.0, 360.0, 742.0];

#[test]
fn no_honest_document_fails() {
    if !oracle::available() || !support::have("pyhanko") || !support::have("qpdf") {
        return;
    }
    let started = Instant::now();
    let workspace = Workspace::new("legitimate");
    let Some(tsa) = crate::timestamp::Tsa::start() else {
        return;
    };
    let tsa = tsa.url("");
    let bases = bases(&workspace);
    let mut cases = Vec::new();
    // pyHanko's batch runs beside Siegel's own sequences.
    let (jobs, then) = plan_pyhanko(&workspace, &bases, &tsa);
    std::thread::scope(|scope| {
        let pyhanko = scope.spawn(|| {
            let phase = Instant::now();
            let docs = document::pyhanko(&workspace, Some(&tsa), jobs);
            (docs, phase.elapsed().as_secs_f64())
        });
        let phase = Instant::now();
        siegel_only(&workspace, &bases, &tsa, &mut cases);
        long_term(&workspace, &bases, &mut cases);
        println!("Siegel sequences: {:.1} s", phase.elapsed().as_secs_f64());
        let (docs, seconds) = pyhanko.join().unwrap();
        println!("pyHanko batch: {seconds:.1} s");
        for (mut doc, (class, base, expect, after)) in docs.into_iter().zip(then) {
            if let Some(after) = after {
                after(&mut doc);
            }
            cases.push(workspace.case(doc, class, base, expect));
        }
    });
    println!(
        "legitimate population: {} documents generated in {:.1} s",
        cases.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(cases.len() >= 100, "only {} documents", cases.len());
    harness::judge(Population::Legitimate, cases, workspace.dump());
    println!(
        "legitimate population: {:.1} s in all",
        started.elapsed().as_secs_f64()
    );
}

/// The unsigned base documents: the committed structures plus variants made here (object
/// streams by qpdf, XMP metadata, an empty form field).
struct Bases {
    dir: PathBuf,
}

impl Bases {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.pdf"))
    }

    fn doc(&self, workspace: &Workspace, name: &str) -> Doc {
        workspace.doc(&self.path(name), name)
    }
}

fn bases(workspace: &Workspace) -> Bases {
    let dir = workspace.dir().join("bases");
    std::fs::create_dir_all(&dir).unwrap();
    for name in [
        "classic",
        "multipage",
        "xref-stream",
        "hybrid",
        "form",
        "incremental",
        "linearized",
    ] {
        std::fs::copy(pdf(&format!("{name}.pdf")), dir.join(format!("{name}.pdf"))).unwrap();
    }
    for (source, name) in [("form", "form-objstm"), ("multipage", "multipage-objstm")] {
        qpdf_object_streams(
            &dir.join(format!("{source}.pdf")),
            &dir.join(format!("{name}.pdf")),
        );
    }
    let bases = Bases { dir };
    for (source, name) in [
        ("classic", "xmp-classic"),
        ("xref-stream", "xmp-xref-stream"),
    ] {
        let mut doc = bases.doc(workspace, source);
        clerk::add_xmp(&mut doc);
        std::fs::rename(&doc.path, bases.path(name)).unwrap();
    }
    for (source, name) in [("form", "form-empty"), ("form-objstm", "form-empty-objstm")] {
        let mut doc = bases.doc(workspace, source);
        clerk::add_empty_text_field(&mut doc, "Bemerkung", EMPTY_FIELD);
        std::fs::rename(&doc.path, bases.path(name)).unwrap();
    }
    bases
}

fn qpdf_object_streams(input: &Path, output: &Path) {
    let status = Command::new("qpdf")
        .args(["--object-streams=generate", "--deterministic-id"])
        .arg(input)
        .arg(output)
        .status()
        .unwrap();
    assert!(status.success(), "qpdf failed on {}", input.display());
}

const ALL_BASES: &[&str] = &[
    "classic",
    "multipage",
    "xref-stream",
    "hybrid",
    "form",
    "incremental",
    "linearized",
    "form-objstm",
    "multipage-objstm",
    "xmp-classic",
    "xmp-xref-stream",
];

/// Sequences made by Siegel alone.
fn siegel_only(workspace: &Workspace, bases: &Bases, tsa: &str, cases: &mut Vec<Case>) {
    let passed =
        |doc: Doc, class: &str, base: &str| workspace.case(doc, class, base, Expect::Passed);
    for base in ALL_BASES {
        let singles = [
            ("siegel seal RSA", Siegel::seal("seal-rsa.p12")),
            ("siegel sign EC", Siegel::signature("signature-ec.p12")),
            (
                "siegel seal RSA-PSS SHA-384 visible",
                Siegel::seal("seal-rsa.p12")
                    .pss()
                    .digest(Digest::Sha384)
                    .visible(0, CORNER),
            ),
            (
                "siegel seal EC B-T",
                Siegel::seal("seal-ec.p12").timestamped(tsa),
            ),
        ];
        for (class, how) in singles {
            let mut doc = bases.doc(workspace, base);
            doc.siegel(workspace, &how);
            cases.push(passed(doc, class, base));
        }
    }

    for base in [
        "classic",
        "xref-stream",
        "linearized",
        "hybrid",
        "multipage-objstm",
    ] {
        let mut doc = bases.doc(workspace, base);
        doc.siegel(workspace, &Siegel::seal("seal-rsa.p12"));
        doc.siegel(
            workspace,
            &Siegel::signature("signature-ec.p12").visible(0, LEFT_CORNER),
        );
        doc.siegel(
            workspace,
            &Siegel::signature("signature-rsa.p12")
                .pss()
                .visible(0, CORNER),
        );
        cases.push(passed(
            doc,
            "siegel co-signatures: seal RSA, sign EC, sign PSS",
            base,
        ));
    }

    // Certification, each level followed by what it allows.
    for base in ["classic", "xref-stream"] {
        let mut doc = bases.doc(workspace, base);
        doc.siegel(
            workspace,
            &Siegel::seal("seal-rsa.p12").certify(DocMdp::NoChanges),
        );
        let ltv = doc.fork(workspace, "p1-ltv");
        cases.push(passed(doc, "siegel certify P=1", base));
        let mut doc = ltv;
        doc.siegel_dss();
        doc.siegel_document_timestamp(workspace, tsa);
        cases.push(passed(
            doc,
            "siegel certify P=1, DSS, document time-stamp",
            base,
        ));
    }
    for base in ["form-empty", "form-empty-objstm"] {
        let mut doc = bases.doc(workspace, base);
        doc.siegel(
            workspace,
            &Siegel::seal("seal-rsa.p12").certify(DocMdp::FormFilling),
        );
        clerk::fill(&mut doc, "Bemerkung", "Zur Kenntnis genommen");
        doc.siegel(workspace, &Siegel::signature("signature-ec.p12"));
        cases.push(passed(
            doc,
            "siegel certify P=2, fill form, approval signature",
            base,
        ));
    }
    for base in ["form", "classic"] {
        let mut doc = bases.doc(workspace, base);
        doc.siegel(
            workspace,
            &Siegel::seal("seal-ec.p12").certify(DocMdp::FormFilling),
        );
        doc.siegel(
            workspace,
            &Siegel::signature("signature-rsa.p12").visible(0, CORNER),
        );
        cases.push(passed(
            doc,
            "siegel certify P=2, new visible signature on a blank area",
            base,
        ));
    }
    {
        let mut doc = bases.doc(workspace, "classic");
        doc.siegel(
            workspace,
            &Siegel::seal("seal-rsa.p12").certify(DocMdp::FormFilling),
        );
        doc.siegel(
            workspace,
            &Siegel::signature("signature-ec.p12").visible(0, OVER_TEXT),
        );
        cases.push(workspace.case(
            doc,
            "siegel certify P=2, new visible signature over signed text",
            "classic",
            Expect::Indeterminate(
                "issue #16: a new visible signature whose appearance covers signed content is \
                 INDETERMINATE (Acrobat allows, pyHanko rejects)",
            ),
        ));
    }
    for base in ["classic", "xref-stream"] {
        let mut doc = bases.doc(workspace, base);
        doc.siegel(
            workspace,
            &Siegel::seal("seal-rsa.p12").certify(DocMdp::Annotations),
        );
        clerk::sticky_note(&mut doc, NOTE);
        clerk::highlight(&mut doc, HIGHLIGHT);
        doc.siegel(workspace, &Siegel::signature("signature-ec.p12"));
        cases.push(passed(
            doc,
            "siegel certify P=3, sticky note, highlight, approval signature",
            base,
        ));
    }
    {
        let mut doc = bases.doc(workspace, "multipage");
        doc.siegel(
            workspace,
            &Siegel::seal("seal-ec.p12").certify(DocMdp::Annotations),
        );
        clerk::sticky_note(&mut doc, NOTE);
        cases.push(passed(doc, "siegel certify P=3, sticky note", "multipage"));
    }

    // Approval seals followed by changes every tool makes.
    for base in ["form-empty", "form-empty-objstm"] {
        let mut doc = bases.doc(workspace, base);
        doc.siegel(workspace, &Siegel::seal("seal-rsa.p12"));
        clerk::fill(&mut doc, "Bemerkung", "Eingang bestaetigt");
        cases.push(passed(
            doc,
            "siegel seal, fill a field that covers no signed content",
            base,
        ));
    }
    for base in ["classic", "xref-stream"] {
        let mut doc = bases.doc(workspace, base);
        doc.siegel(workspace, &Siegel::seal("seal-rsa.p12"));
        clerk::sticky_note(&mut doc, NOTE);
        cases.push(passed(
            doc,
            "siegel seal, sticky note on a blank area",
            base,
        ));
    }
    {
        let mut doc = bases.doc(workspace, "classic");
        doc.siegel(workspace, &Siegel::seal("seal-rsa.p12"));
        clerk::sticky_note(&mut doc, NOTE_OVER_TEXT);
        cases.push(workspace.case(
            doc,
            "siegel seal, sticky note over signed text",
            "classic",
            Expect::Indeterminate(
                "issue #16: a sticky note after an approval seal whose appearance covers signed \
                 content is INDETERMINATE, never TOTAL_FAILED",
            ),
        ));
    }
    for base in ["classic", "incremental"] {
        let mut doc = bases.doc(workspace, base);
        doc.siegel(workspace, &Siegel::seal("seal-rsa.p12"));
        clerk::update_info(&mut doc);
        cases.push(passed(
            doc,
            "siegel seal, document information updated",
            base,
        ));
    }
    for base in ["xmp-classic", "xmp-xref-stream"] {
        let mut doc = bases.doc(workspace, base);
        doc.siegel(workspace, &Siegel::seal("seal-ec.p12"));
        clerk::update_xmp(&mut doc, "Bescheid (archiviert)");
        cases.push(passed(doc, "siegel seal, XMP metadata updated", base));
    }
    for base in ["classic", "xref-stream", "linearized"] {
        let mut doc = bases.doc(workspace, base);
        doc.siegel(workspace, &Siegel::seal("seal-rsa.p12").timestamped(tsa));
        doc.siegel_dss();
        cases.push(passed(doc, "siegel seal B-T, DSS update", base));
    }
    for base in ["classic", "xref-stream"] {
        let mut doc = bases.doc(workspace, base);
        doc.siegel(workspace, &Siegel::seal("seal-rsa.p12"));
        doc.siegel_dss();
        doc.siegel_document_timestamp(workspace, tsa);
        cases.push(passed(doc, "siegel seal, DSS, document time-stamp", base));
    }
    for base in ["hybrid", "linearized"] {
        let mut doc = bases.doc(workspace, base);
        doc.siegel(workspace, &Siegel::signature("signature-rsa.p12"));
        doc.siegel_document_timestamp(workspace, tsa);
        cases.push(passed(
            doc,
            "siegel sign, siegel extend B-T (document time-stamp)",
            base,
        ));
    }
}

/// B-LT and B-LTA by Siegel against the LTV services (their own PKI, with OCSP and CRL on
/// 127.0.0.1): sealing at B-LTA, co-signing at B-LTA, `siegel extend` and its renewal.
fn long_term(workspace: &Workspace, bases: &Bases, cases: &mut Vec<Case>) {
    let Some(services) = crate::ltv::Services::start() else {
        return;
    };
    let url = services.tsa_url();
    let lta = |level| Siegel {
        level,
        tsa: Some(url.clone()),
        foreign: Some((services.path("seal.p12"), crate::ltv::PASSPHRASE)),
        fetcher: true,
        ..Siegel::seal("seal-rsa.p12")
    };
    // The services' folder goes away with them; the verdicts come later.
    let root = workspace.dir().join("ltv-root.pem");
    std::fs::copy(services.path("root.pem"), &root).unwrap();
    let start = |base: &str| {
        let mut doc = bases.doc(workspace, base);
        doc.extra_roots.push(root.clone());
        doc
    };
    for base in ["classic", "xref-stream", "form"] {
        let mut doc = start(base);
        doc.siegel(workspace, &lta(siegel::sign::Level::Lta));
        doc.record_new_signatures();
        cases.push(workspace.case(doc, "siegel seal B-LTA", base, Expect::Passed));
    }
    {
        let mut doc = start("classic");
        doc.siegel(workspace, &lta(siegel::sign::Level::Lta));
        doc.record_new_signatures();
        doc.siegel(workspace, &lta(siegel::sign::Level::Lta));
        doc.record_new_signatures();
        cases.push(workspace.case(doc, "siegel LTA co-signatures", "classic", Expect::Passed));
    }
    {
        let mut doc = start("xref-stream");
        doc.siegel(workspace, &lta(siegel::sign::Level::T));
        for _ in 0..2 {
            doc.siegel_extend_lta(workspace, &url);
        }
        cases.push(workspace.case(
            doc,
            "siegel seal B-T, extend B-LTA, renew",
            "xref-stream",
            Expect::Passed,
        ));
    }
}

/// One planned pyHanko document and what Siegel does after pyHanko's batch.
struct Planned<'a> {
    class: &'static str,
    base: &'static str,
    expect: Expect,
    job: PyJob,
    after: Option<After<'a>>,
}

fn sign(key: &str, field: &str) -> Value {
    json!({"op": "sign", "key": key, "field": field})
}

fn with(mut step: Value, key: &str, value: Value) -> Value {
    step[key] = value;
    step
}

/// Siegel's steps on a pyHanko output.
type After<'a> = Box<dyn FnOnce(&mut Doc) + 'a>;

/// What happens after pyHanko's batch, per job: the case's class, base, expectation, and
/// Siegel's steps on pyHanko's output.
type Then<'a> = (&'static str, &'static str, Expect, Option<After<'a>>);

/// Sequences with pyHanko, alone and mixed with Siegel before (done here) and after.
fn plan_pyhanko<'a>(
    workspace: &'a Workspace,
    bases: &Bases,
    tsa: &str,
) -> (Vec<PyJob>, Vec<Then<'a>>) {
    let mut planned: Vec<Planned<'a>> = Vec::new();
    let mut plan = |class, base: &'static str, doc: Option<Doc>, steps: Vec<Value>| {
        let doc = doc.unwrap_or_else(|| bases.doc(workspace, base));
        let visible = steps
            .iter()
            .filter_map(|s| s.get("box"))
            .map(|b| {
                let v: Vec<f32> = b
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap() as f32)
                    .collect();
                (0, [v[0], v[1], v[2], v[3]])
            })
            .collect();
        planned.push(Planned {
            class,
            base,
            expect: Expect::Passed,
            job: PyJob {
                doc,
                steps,
                visible,
            },
            after: None,
        });
        planned.len() - 1
    };
    let py_box = json!(PY_BOX);

    for base in [
        "classic",
        "multipage",
        "xref-stream",
        "hybrid",
        "form",
        "incremental",
        "linearized",
        "form-objstm",
        "xmp-classic",
    ] {
        plan(
            "pyhanko seal RSA",
            base,
            None,
            vec![sign("seal-rsa", "Sig1")],
        );
    }
    for base in ["classic", "xref-stream", "linearized"] {
        plan(
            "pyhanko sign EC B-T",
            base,
            None,
            vec![with(sign("signature-ec", "Sig1"), "timestamp", json!(true))],
        );
    }
    for base in ["classic", "xref-stream"] {
        plan(
            "pyhanko seal RSA-PSS SHA-512",
            base,
            None,
            vec![with(
                with(sign("seal-rsa", "Sig1"), "pss", json!(true)),
                "md",
                json!("sha512"),
            )],
        );
    }
    plan(
        "pyhanko adbe.pkcs7.detached",
        "classic",
        None,
        vec![with(
            sign("signature-rsa", "Sig1"),
            "subfilter",
            json!("adbe"),
        )],
    );
    for base in ["classic", "multipage"] {
        plan(
            "pyhanko seal visible",
            base,
            None,
            vec![with(sign("seal-ec", "Sig1"), "box", py_box.clone())],
        );
    }
    // Issue #11's named case: the EC signature's update sets /Metadata, /Version /2.0 and an
    // ISO_ developer extension.
    for base in ["classic", "xref-stream", "form"] {
        plan(
            "pyhanko seal, pyhanko sign EC B-T (catalog /Metadata /Version /Extensions)",
            base,
            None,
            vec![
                sign("seal-rsa", "Sig1"),
                with(sign("signature-ec", "Sig2"), "timestamp", json!(true)),
            ],
        );
    }
    for base in ["classic", "xref-stream"] {
        plan(
            "pyhanko seal B-LTA (validation info, document time-stamp)",
            base,
            None,
            vec![with(sign("seal-rsa", "Sig1"), "lta", json!(true))],
        );
        plan(
            "pyhanko sign B-T, DSS update, archive time-stamp renewal",
            base,
            None,
            vec![
                with(sign("signature-ec", "Sig1"), "timestamp", json!(true)),
                json!({"op": "dss", "field": "Sig1"}),
                json!({"op": "archive"}),
            ],
        );
    }
    plan(
        "pyhanko seal with validation info",
        "classic",
        None,
        vec![with(
            sign("seal-rsa", "Sig1"),
            "validation_info",
            json!(true),
        )],
    );
    plan(
        "pyhanko document time-stamp",
        "classic",
        None,
        vec![json!({"op": "timestamp", "field": "Zeitstempel"})],
    );
    for (base, empty) in [("classic", None), ("form", Some(py_box.clone()))] {
        let mut field = json!({"op": "empty_field", "field": "Unterschrift"});
        if let Some(b) = &empty {
            field["box"] = b.clone();
        }
        plan(
            "pyhanko empty signature field, then signed",
            base,
            None,
            vec![
                field,
                with(
                    sign("signature-rsa", "Unterschrift"),
                    "existing",
                    json!(true),
                ),
            ],
        );
    }
    plan(
        "pyhanko certify P=1",
        "classic",
        None,
        vec![with(sign("seal-rsa", "Sig1"), "certify", json!(1))],
    );
    plan(
        "pyhanko certify P=1, document time-stamp",
        "xref-stream",
        None,
        vec![
            with(sign("seal-ec", "Sig1"), "certify", json!(1)),
            json!({"op": "timestamp", "field": "Zeitstempel"}),
        ],
    );
    plan(
        "pyhanko certify P=2, pyhanko approval signature",
        "form",
        None,
        vec![
            with(sign("seal-rsa", "Sig1"), "certify", json!(2)),
            sign("signature-ec", "Sig2"),
        ],
    );
    plan(
        "pyhanko certify P=3",
        "classic",
        None,
        vec![with(sign("seal-rsa", "Sig1"), "certify", json!(3))],
    );

    // Siegel first, then pyHanko.
    for base in ["classic", "xref-stream", "linearized"] {
        let mut doc = bases.doc(workspace, base);
        doc.siegel(workspace, &Siegel::seal("seal-rsa.p12"));
        plan(
            "siegel seal, pyhanko sign EC visible",
            base,
            Some(doc),
            vec![with(sign("signature-ec", "Sig2"), "box", py_box.clone())],
        );
    }
    {
        let mut doc = bases.doc(workspace, "form-empty");
        doc.siegel(
            workspace,
            &Siegel::seal("seal-rsa.p12").certify(DocMdp::FormFilling),
        );
        clerk::fill(&mut doc, "Bemerkung", "Gesehen");
        plan(
            "siegel certify P=2, fill form, pyhanko approval signature",
            "form-empty",
            Some(doc),
            vec![sign("signature-rsa", "Sig2")],
        );
    }
    {
        let mut doc = bases.doc(workspace, "classic");
        doc.siegel(workspace, &Siegel::seal("seal-rsa.p12").timestamped(tsa));
        plan(
            "siegel seal B-T, pyhanko document time-stamp with validation info",
            "classic",
            Some(doc),
            vec![json!({"op": "timestamp", "field": "Zeitstempel", "validation_info": true})],
        );
    }

    // pyHanko first, then Siegel.
    let mut after: Vec<(usize, After<'a>)> = Vec::new();
    for base in ["classic", "xref-stream", "hybrid"] {
        let i = plan(
            "pyhanko seal, siegel sign EC",
            base,
            None,
            vec![sign("seal-rsa", "Sig1")],
        );
        after.push((
            i,
            Box::new(|doc: &mut Doc| doc.siegel(workspace, &Siegel::signature("signature-ec.p12"))),
        ));
    }
    {
        let i = plan(
            "pyhanko certify P=2, siegel fill form, siegel approval signature",
            "form-empty",
            None,
            vec![with(sign("seal-rsa", "Sig1"), "certify", json!(2))],
        );
        after.push((
            i,
            Box::new(|doc: &mut Doc| {
                clerk::fill(doc, "Bemerkung", "Bearbeitet");
                doc.siegel(workspace, &Siegel::signature("signature-ec.p12"));
            }),
        ));
    }
    {
        let i = plan(
            "pyhanko certify P=3, sticky note, siegel approval signature",
            "classic",
            None,
            vec![with(sign("seal-ec", "Sig1"), "certify", json!(3))],
        );
        after.push((
            i,
            Box::new(|doc: &mut Doc| {
                clerk::sticky_note(doc, NOTE);
                doc.siegel(workspace, &Siegel::signature("signature-rsa.p12"));
            }),
        ));
    }
    {
        let i = plan(
            "pyhanko certify P=1, siegel DSS, siegel document time-stamp",
            "classic",
            None,
            vec![with(sign("seal-rsa", "Sig1"), "certify", json!(1))],
        );
        let tsa = tsa.to_owned();
        after.push((
            i,
            Box::new(move |doc: &mut Doc| {
                doc.siegel_dss();
                doc.siegel_document_timestamp(workspace, &tsa);
            }),
        ));
    }
    {
        let mut doc = bases.doc(workspace, "xref-stream");
        doc.siegel(workspace, &Siegel::seal("seal-ec.p12"));
        let i = plan(
            "siegel seal, pyhanko sign, siegel sign",
            "xref-stream",
            Some(doc),
            vec![sign("signature-rsa", "Sig2")],
        );
        after.push((
            i,
            Box::new(|doc: &mut Doc| {
                doc.siegel(
                    workspace,
                    &Siegel::signature("signature-ec.p12").visible(0, CORNER),
                )
            }),
        ));
    }
    for (i, then) in after {
        planned[i].after = Some(then);
    }

    planned
        .into_iter()
        .map(|p| (p.job, (p.class, p.base, p.expect, p.after)))
        .unzip()
}
