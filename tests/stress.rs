//! Files made to crash or stall a validator (issue: verdicts that can be trusted): recursive
//! `/Length` references, decompression bombs in object streams and cross-reference streams,
//! unterminated objects without cross-reference data, a string full of `/ByteRange`, one
//! signature named by a thousand fields, and a thousand honest sequential seals. Each must end
//! in a verdict (never TOTAL_PASSED for the hostile ones) or a clear error, never a panic or an
//! abort. How fast and how small is measured by `cargo bench --bench hostile`, not here.
//!
//! The builders are shared with that benchmark.

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::ZlibEncoder;

/// Bytes of zeros each bomb inflates to.
pub const BOMB: usize = 250 * 1024 * 1024;

/// A hostile or large file and what its verdict may be.
pub struct Case {
    pub name: &'static str,
    pub path: PathBuf,
    pub expect: Expect,
}

/// What a case's verdict must be, besides ending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Every signature TOTAL_PASSED.
    Passed,
    /// Never TOTAL_PASSED.
    NotPassed,
    /// Any verdict: the case is about ending in time, its change is harmless.
    Ends,
}

/// The trailer facts an update needs.
struct Base {
    bytes: Vec<u8>,
    startxref: u64,
    size: u32,
    root: String,
}

fn base(path: &Path) -> Base {
    let file = siegel::pdf::File::open(path).unwrap();
    let root = match file.trailer().get(b"Root").unwrap() {
        lopdf::Object::Reference((n, g)) => format!("{n} {g} R"),
        other => panic!("root {other:?}"),
    };
    Base {
        bytes: std::fs::read(path).unwrap(),
        startxref: file.startxref(),
        size: file.size(),
        root,
    }
}

/// Appends an update with `objects` (number, body between `obj` and `endobj`) and a classic
/// cross-reference section.
fn append(base: &mut Base, objects: &[(u32, Vec<u8>)]) {
    let mut out = std::mem::take(&mut base.bytes);
    out.push(b'\n');
    let mut offsets = Vec::new();
    for (number, body) in objects {
        offsets.push((*number, out.len()));
        out.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n");
    offsets.sort_unstable();
    for (number, offset) in &offsets {
        out.extend_from_slice(format!("{number} 1\n{offset:010} 00000 n\r\n").as_bytes());
    }
    let size = offsets
        .iter()
        .map(|(n, _)| n + 1)
        .max()
        .unwrap_or(0)
        .max(base.size);
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {size} /Root {} /Prev {} >>\nstartxref\n{xref}\n%%EOF\n",
            base.root, base.startxref
        )
        .as_bytes(),
    );
    base.bytes = out;
    base.startxref = xref as u64;
    base.size = size;
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// `BOMB` zeros, deflated twice: a few hundred bytes on disk.
fn bomb() -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    let chunk = vec![0u8; 1024 * 1024];
    for _ in 0..BOMB / chunk.len() {
        encoder.write_all(&chunk).unwrap();
    }
    deflate(&encoder.finish().unwrap())
}

/// A serialised dictionary with `key` replaced by `value`.
fn with_key(dict: &str, key: &str, value: &str) -> String {
    let mut parsed = parse_dict(dict);
    parsed.remove(key.as_bytes());
    let text = serialise(&lopdf::Object::Dictionary(parsed));
    format!(
        "{} /{key} {value} >>",
        text.trim_end().trim_end_matches(">>")
    )
}

fn parse_dict(text: &str) -> lopdf::Dictionary {
    let bytes = format!("%PDF-1.4\n1 0 obj\n{text}\nendobj\ntrailer << /Root 1 0 R >>\n");
    let mut file = siegel::pdf::File::new(std::io::Cursor::new(bytes.into_bytes())).unwrap();
    file.dictionary(&lopdf::Object::Reference((1, 0))).unwrap()
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut body = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(b"\nendstream");
    body
}

/// Builds every case into `dir` from the sealed document `sealed`.
/// Builds every case into `dir` from the sealed document `sealed`; the honest sequence gets
/// `seals` seals in all.
pub fn cases(
    dir: &Path,
    sealed: &Path,
    seals: usize,
    seal_again: impl Fn(&Path, &Path),
) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut write = |name: &'static str, bytes: &[u8], expect: Expect| {
        let path = dir.join(format!("{name}.pdf"));
        std::fs::write(&path, bytes).unwrap();
        cases.push(Case { name, path, expect });
    };

    // A stream whose /Length leads back into itself through another stream, and an object
    // stream whose /Length is stored inside itself.
    let mut doc = base(sealed);
    let n = doc.size;
    append(
        &mut doc,
        &[
            (n, b"<< /Length 1 >>\nstream\nx\nendstream".to_vec()),
            (
                n + 1,
                format!("<< /Length {} 0 R >>\nstream\nx\nendstream", n + 2).into_bytes(),
            ),
            (
                n + 2,
                format!("<< /Length {} 0 R >>\nstream\nx\nendstream", n + 1).into_bytes(),
            ),
        ],
    );
    let page = find_page(&doc.bytes);
    let page_dict = with_key(&page.1, "Contents", &format!("[{} 0 R]", n + 1));
    append(&mut doc, &[(page.0, page_dict.into_bytes())]);
    // The object stream n+3 takes its /Length from object n+4, which it holds itself.
    let members = b"0 0 12";
    let body = format!(
        "<< /Type /ObjStm /N 1 /First 4 /Length {} 0 R >>\nstream\n{}\nendstream",
        n + 4,
        String::from_utf8_lossy(members)
    );
    let page_dict = with_key(&page.1, "Contents", &format!("[{} 0 R]", n + 4));
    append_with_stream_xref(
        &mut doc,
        &[(n + 3, body.into_bytes()), (page.0, page_dict.into_bytes())],
        &[(n + 4, n + 3)],
    );
    write("length-cycle", &doc.bytes, Expect::NotPassed);

    // Object streams that inflate to 250 MB each, whose objects a later revision uses.
    let mut doc = base(sealed);
    let first = doc.size;
    let mut objects = Vec::new();
    let bomb = bomb();
    for i in 0..4 {
        objects.push((
            first + i,
            stream(
                "/Type /ObjStm /N 1 /First 8 /Filter [/FlateDecode /FlateDecode]",
                &bomb,
            ),
        ));
    }
    append(&mut doc, &objects);
    // The page now names objects stored in the bombs (listed in a cross-reference stream).
    let users: Vec<(u32, u32)> = (0..4).map(|i| (first + 10 + i, first + i)).collect();
    let names: Vec<String> = users.iter().map(|(n, _)| format!("{n} 0 R")).collect();
    let page_dict = with_key(&page.1, "Contents", &format!("[{}]", names.join(" ")));
    append_with_stream_xref(&mut doc, &[(page.0, page_dict.into_bytes())], &users);
    write("object-stream-bombs", &doc.bytes, Expect::NotPassed);

    // The same bombs reached through the form's fields.
    let mut doc = base(sealed);
    let first = doc.size;
    append(&mut doc, &objects_renumbered(&objects, first));
    let users: Vec<(u32, u32)> = (0..4).map(|i| (first + 10 + i, first + i)).collect();
    let fields: Vec<String> = users.iter().map(|(n, _)| format!("{n} 0 R")).collect();
    let form = first + 20;
    let (root_number, catalog) = catalog_with(&doc.bytes, "AcroForm", &format!("{form} 0 R"));
    append_with_stream_xref(
        &mut doc,
        &[
            (
                form,
                format!("<< /Fields [{}] >>", fields.join(" ")).into_bytes(),
            ),
            (root_number, catalog.into_bytes()),
        ],
        &users,
    );
    write(
        "object-stream-bombs-via-fields",
        &doc.bytes,
        Expect::NotPassed,
    );

    // Four chained cross-reference streams that inflate to 250 MB each.
    let mut doc = base(sealed);
    for _ in 0..4 {
        let xref = doc.bytes.len() + 1;
        let number = doc.size;
        let body = stream(
            &format!(
                "/Type /XRef /Size {} /W [1 4 2] /Index [0 1] /Root {} /Prev {} /Filter [/FlateDecode /FlateDecode]",
                number + 1,
                doc.root,
                doc.startxref
            ),
            &bomb,
        );
        doc.bytes.push(b'\n');
        doc.bytes
            .extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        doc.bytes.extend_from_slice(&body);
        doc.bytes
            .extend_from_slice(format!("\nendobj\nstartxref\n{xref}\n%%EOF\n").as_bytes());
        doc.startxref = xref as u64;
        doc.size = number + 1;
    }
    write("xref-stream-bombs", &doc.bytes, Expect::NotPassed);

    // 100,000 unterminated objects and no cross-reference data at all.
    let mut bytes = b"%PDF-1.7\n".to_vec();
    for i in 1..=100_000u32 {
        bytes.extend_from_slice(format!("{i} 0 obj (").as_bytes());
    }
    write("unterminated-objects", &bytes, Expect::NotPassed);

    // A signed file whose update holds a string with 50,000 /ByteRange keys.
    let mut doc = base(sealed);
    let n = doc.size;
    let mut text = b"(".to_vec();
    for _ in 0..50_000 {
        text.extend_from_slice(b"/ByteRange [0 1 2 3] ");
    }
    text.push(b')');
    let mut body = b"<< /Note ".to_vec();
    body.extend_from_slice(&text);
    body.extend_from_slice(b" >>");
    append(&mut doc, &[(n, body)]);
    // An object nothing uses: harmless, but it must not take minutes to find out.
    write("byte-range-string", &doc.bytes, Expect::Ends);

    // One signature dictionary named by 1,001 fields.
    let mut doc = base(sealed);
    let (sig_field, sig_value) = signature_value(&doc.bytes);
    let first = doc.size;
    let mut objects = Vec::new();
    let mut fields = vec![format!("{sig_field} 0 R")];
    for i in 0..1000u32 {
        objects.push((
            first + i,
            format!("<< /FT /Sig /T (Copy{i}) /V {sig_value} 0 R >>").into_bytes(),
        ));
        fields.push(format!("{} 0 R", first + i));
    }
    let form = first + 1000;
    objects.push((
        form,
        format!("<< /Fields [{}] /SigFlags 3 >>", fields.join(" ")).into_bytes(),
    ));
    let (root_number, catalog) = catalog_with(&doc.bytes, "AcroForm", &format!("{form} 0 R"));
    objects.push((root_number, catalog.into_bytes()));
    append(&mut doc, &objects);
    write("thousand-fields", &doc.bytes, Expect::NotPassed);

    // Honest seals, one after the other.
    let mut current = sealed.to_path_buf();
    for i in 1..seals {
        let next = dir.join(format!("seals-{}.pdf", i % 2));
        let _ = std::fs::remove_file(&next);
        seal_again(&current, &next);
        current = next;
    }
    let bytes = std::fs::read(&current).unwrap();
    write("sequential-seals", &bytes, Expect::Passed);
    cases
}

fn objects_renumbered(objects: &[(u32, Vec<u8>)], first: u32) -> Vec<(u32, Vec<u8>)> {
    objects
        .iter()
        .enumerate()
        .map(|(i, (_, body))| (first + u32::try_from(i).unwrap(), body.clone()))
        .collect()
}

/// Appends an update whose cross-reference stream also lists `compressed` (object, stream)
/// pairs, each as member 0 of its object stream.
fn append_with_stream_xref(base: &mut Base, objects: &[(u32, Vec<u8>)], compressed: &[(u32, u32)]) {
    let mut out = std::mem::take(&mut base.bytes);
    out.push(b'\n');
    let mut rows: Vec<(u32, [u8; 7])> = Vec::new();
    for (number, body) in objects {
        let offset = u32::try_from(out.len()).unwrap();
        let mut row = [1, 0, 0, 0, 0, 0, 0];
        row[1..5].copy_from_slice(&offset.to_be_bytes());
        rows.push((*number, row));
        out.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    for (number, stream) in compressed {
        let mut row = [2, 0, 0, 0, 0, 0, 0];
        row[1..5].copy_from_slice(&stream.to_be_bytes());
        rows.push((*number, row));
    }
    let xref = out.len();
    let xref_number = rows
        .iter()
        .map(|(n, _)| n + 1)
        .max()
        .unwrap_or(0)
        .max(base.size);
    let mut row = [1, 0, 0, 0, 0, 0, 0];
    row[1..5].copy_from_slice(&u32::try_from(xref).unwrap().to_be_bytes());
    rows.push((xref_number, row));
    rows.sort_by_key(|(n, _)| *n);
    let mut index = Vec::new();
    let mut data = Vec::new();
    for (number, row) in &rows {
        index.push(format!("{number} 1"));
        data.extend_from_slice(row);
    }
    let size = xref_number + 1;
    out.extend_from_slice(format!("{xref_number} 0 obj\n").as_bytes());
    out.extend_from_slice(&stream(
        &format!(
            "/Type /XRef /Size {size} /W [1 4 2] /Index [{}] /Root {} /Prev {}",
            index.join(" "),
            base.root,
            base.startxref
        ),
        &data,
    ));
    out.extend_from_slice(format!("\nendobj\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    base.bytes = out;
    base.startxref = xref as u64;
    base.size = size;
}

/// The newest first page: its number and its dictionary, serialised.
fn find_page(bytes: &[u8]) -> (u32, String) {
    let mut file = siegel::pdf::File::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let (id, dict) = file.first_page().unwrap();
    (id.0, serialise(&lopdf::Object::Dictionary(dict)))
}

/// The catalog's number and its dictionary with `key` set to `value` (serialised).
fn catalog_with(bytes: &[u8], key: &str, value: &str) -> (u32, String) {
    let mut file = siegel::pdf::File::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let (id, mut dict) = file.catalog().unwrap();
    dict.remove(key.as_bytes());
    let text = serialise(&lopdf::Object::Dictionary(dict));
    let text = format!(
        "{} /{key} {value} >>",
        text.trim_end().trim_end_matches(">>")
    );
    (id.0, text)
}

fn serialise(object: &lopdf::Object) -> String {
    let mut out = Vec::new();
    lopdf::Writer::write_object(&mut out, object).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

/// The signature field and its signature dictionary in a sealed file.
fn signature_value(bytes: &[u8]) -> (u32, u32) {
    let file = std::io::Cursor::new(bytes.to_vec());
    let mut file = siegel::pdf::File::new(file).unwrap();
    let found = siegel::pdf::signature::find_all(&mut file).unwrap();
    let signature = &found[0];
    (
        signature.field_object.unwrap().0,
        signature.object.unwrap().0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support;
    use siegel::certificate::Kind;
    use siegel::validate::Indication;

    /// The benchmark makes a thousand; a debug build in CI makes fewer.
    const SEALS: usize = 150;

    #[test]
    fn hostile_files_end_in_a_verdict_and_honest_sequences_pass() {
        let dir = tempfile::tempdir().unwrap();
        let sealed = dir.path().join("sealed.pdf");
        support::sign_with(
            &support::pdf("classic.pdf"),
            &sealed,
            "seal-rsa.p12",
            Kind::Seal,
        );
        let seal = |from: &Path, to: &Path| {
            support::sign_with(from, to, "seal-ec.p12", Kind::Seal);
        };
        for case in cases(dir.path(), &sealed, SEALS, seal) {
            // Through the binary, so that an abort (a stack overflow) is seen as such.
            let output = support::siegel(&[
                "verify",
                "--offline",
                "--format",
                "json",
                "--trust",
                support::pki("root-ca.pem").to_str().unwrap(),
                "--at",
                "2026-06-01T12:00:00Z",
                case.path.to_str().unwrap(),
            ]);
            let code = output.status.code();
            assert!(
                matches!(code, Some(0..=3)),
                "{}: exit {code:?}\n{}",
                case.name,
                support::stderr(&output)
            );
            if case.expect == Expect::Passed {
                let report = support::validate(&case.path);
                let failed: Vec<_> = report
                    .signatures
                    .iter()
                    .filter(|s| s.indication != Indication::TotalPassed)
                    .map(|s| (s.field.clone(), s.messages.first().cloned()))
                    .collect();
                assert!(failed.is_empty(), "{}: {failed:?}", case.name);
                assert_eq!(report.signatures.len(), SEALS, "{}", case.name);
            } else if case.expect == Expect::NotPassed {
                assert_ne!(
                    code,
                    Some(0),
                    "{}: passed\n{}",
                    case.name,
                    support::stdout(&output)
                );
            }
        }
    }
}
