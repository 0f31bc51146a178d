#!/usr/bin/env python3
"""Generate the unsigned (and one pyHanko-signed) test PDFs for Siegel.

Requirements: python3 (stdlib only), qpdf, pdftotext (poppler-utils) and the
pyHanko CLI (pip install pyhanko pyhanko-cli).  The PKI in ../pki must exist
(run ../pki/generate.sh first).

Usage:  testdata/pdf/generate.py          (from any working directory)

All hand-written files are emitted byte by byte with computed offsets and are
byte-for-byte reproducible.  Files produced by external tools (xref-stream.pdf
uses qpdf --deterministic-id and is reproducible for a given qpdf version;
bad/encrypted.pdf and signed-pyhanko.pdf contain random salts / signing
times) differ from run to run.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
PKI = HERE.parent / "pki"
BAD = HERE / "bad"
PASSPHRASE = "siegel-demo"

A4 = b"[0 0 595 842]"
TITLE_TEXT = "Bescheid \u2013 Testdokument f\u00fcr Siegel"

# PDF file header: version + binary marker comment (4 bytes >= 128).
HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


# --------------------------------------------------------------------------
# low level helpers
# --------------------------------------------------------------------------
def pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsiEncoding (cp1252), non-ASCII as octal escapes."""
    out = bytearray(b"(")
    for byte in text.encode("cp1252"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif 32 <= byte < 127:
            out.append(byte)
        else:
            out += b"\\%03o" % byte
    out += b")"
    return bytes(out)


def stream_obj(dict_entries: bytes, data: bytes, flate: bool = False) -> bytes:
    if flate:
        data = zlib.compress(data, 9)
        dict_entries += b" /Filter /FlateDecode"
    return (b"<< " + dict_entries + b" /Length %d >>\nstream\n" % len(data)
            + data + b"\nendstream")


def file_id(name: str) -> bytes:
    digest = hashlib.md5(b"siegel-testdata:" + name.encode()).hexdigest().upper().encode()
    return digest


def id_entry(first: bytes, second: bytes | None = None) -> bytes:
    return b"/ID [<" + first + b"> <" + (second or first) + b">]"


def xref_entry(offset: int, gen: int, kind: bytes, eol: bytes) -> bytes:
    entry = b"%010d %05d " % (offset, gen) + kind + eol
    assert len(entry) == 20, entry
    return entry


class Body:
    """Accumulates 'N 0 obj ... endobj' blocks and remembers their offsets."""

    def __init__(self, prefix: bytes = HEADER):
        self.buf = bytearray(prefix)
        self.offsets: dict[int, int] = {}

    def add(self, num: int, body: bytes) -> None:
        assert num not in self.offsets, num
        self.offsets[num] = len(self.buf)
        self.buf += b"%d 0 obj\n" % num + body + b"\nendobj\n"

    def xref_table(self, sections: list[tuple[int, int]], eol: bytes = b"\r\n",
                   free: dict[int, tuple[int, int]] | None = None) -> int:
        """Writes an 'xref' table; returns its offset.

        sections: (first, count) subsections.  Objects in `free` map to
        (next free object, generation) free entries; object 0 is always free.
        """
        free = dict(free or {})
        free.setdefault(0, (0, 65535))
        start = len(self.buf)
        self.buf += b"xref\n"
        for first, count in sections:
            self.buf += b"%d %d\n" % (first, count)
            for num in range(first, first + count):
                if num in free:
                    nxt, gen = free[num]
                    self.buf += xref_entry(nxt, gen, b"f", eol)
                else:
                    self.buf += xref_entry(self.offsets[num], 0, b"n", eol)
        return start

    def trailer(self, entries: bytes, startxref: int) -> bytes:
        self.buf += b"trailer\n<< " + entries + b" >>\nstartxref\n%d\n%%%%EOF\n" % startxref
        return bytes(self.buf)


def text_content(lines: list[tuple[int, int, int, str]]) -> bytes:
    """lines: (font size, x, y, text) -> content stream using /F1."""
    ops = []
    for size, x, y, text in lines:
        ops.append(b"BT /F1 %d Tf %d %d Td " % (size, x, y) + pdf_string(text) + b" Tj ET")
    return b"\n".join(ops) + b"\n"


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
INFO = (b"<< /Title " + pdf_string("Bescheid") +
        b" /Producer (Siegel testdata/pdf/generate.py)"
        b" /CreationDate (D:20250601120000Z) >>")

CLASSIC_LINES = [
    (18, 72, 760, TITLE_TEXT),
    (11, 72, 730, "Dieses Dokument ist Testmaterial des Projekts Siegel."),
    (11, 72, 714, "Aktenzeichen: 42-TEST-2025"),
]


# --------------------------------------------------------------------------
# documents
# --------------------------------------------------------------------------
def classic() -> bytes:
    b = Body()
    b.add(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    b.add(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    b.add(3, b"<< /Type /Page /Parent 2 0 R /MediaBox " + A4 +
          b" /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>")
    b.add(4, FONT)
    b.add(5, stream_obj(b"", text_content(CLASSIC_LINES)))
    b.add(6, INFO)
    xref = b.xref_table([(0, 7)])
    return b.trailer(b"/Size 7 /Root 1 0 R /Info 6 0 R " + id_entry(file_id("classic.pdf")), xref)


def multipage() -> bytes:
    # Page tree (MediaBox inherited from 2, Resources inherited from 2):
    #   2 Pages ─┬─ 3 Pages ─┬─ 7 Page (1)
    #            │           └─ 8 Page (2)
    #            └─ 4 Pages ─┬─ 5 Pages ─┬─ 9 Page (3)
    #                        │           └─ 10 Page (4)
    #                        └─ 11 Page (5)
    b = Body()
    b.add(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    b.add(2, b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 5 /MediaBox " + A4 +
          b" /Resources << /Font << /F1 6 0 R >> >> >>")
    b.add(3, b"<< /Type /Pages /Parent 2 0 R /Kids [7 0 R 8 0 R] /Count 2 >>")
    b.add(4, b"<< /Type /Pages /Parent 2 0 R /Kids [5 0 R 11 0 R] /Count 3 >>")
    b.add(5, b"<< /Type /Pages /Parent 4 0 R /Kids [9 0 R 10 0 R] /Count 2 >>")
    b.add(6, FONT)
    parents = {1: 3, 2: 3, 3: 5, 4: 5, 5: 4}
    for page in range(1, 6):
        num = 6 + page           # page objects 7..11
        content = 11 + page      # content streams 12..16
        b.add(num, b"<< /Type /Page /Parent %d 0 R /Contents %d 0 R >>" % (parents[page], content))
    for page in range(1, 6):
        b.add(11 + page, stream_obj(b"", text_content([
            (18, 72, 760, TITLE_TEXT),
            (11, 72, 730, f"Seite {page} von 5"),
        ])))
    b.add(17, INFO)
    xref = b.xref_table([(0, 18)])
    return b.trailer(b"/Size 18 /Root 1 0 R /Info 17 0 R " + id_entry(file_id("multipage.pdf")), xref)


def hybrid() -> bytes:
    """Hybrid-reference file, laid out as in PDF 32000-1 7.5.8.4 / PDF Reference 3.4.7.

    Revision 1 ("main section"): uncompressed objects 5 (content) and 6 (Info)
    and a classic xref table 0..8 in which the hidden objects 1-4, 7 and 8 are
    free entries with generation 65535.
    Then object stream 7 (holding Catalog 1, Pages 2, Page 3, Font 4) and
    cross-reference stream 8 (/Index [1 4 7 2]) follow, and an update section
    with an empty classic xref table whose trailer has /XRefStm 8 and /Prev.
    A PDF 1.5+ reader looks up objects in the (empty) update table, then in the
    /XRefStm stream, then in the /Prev table.  The compressed objects are
    listed only in the cross-reference stream.
    """
    compressed = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox " + A4 +
           b" /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        4: FONT,
    }
    trailer_common = b"/Size 9 /Root 1 0 R /Info 6 0 R " + id_entry(file_id("hybrid.pdf"))
    b = Body()
    b.add(5, stream_obj(b"", text_content(CLASSIC_LINES)))
    b.add(6, INFO)
    # main section: hidden objects are free (free list 0 -> 1 -> 2 -> 3 -> 4 -> 7 -> 8 -> 0)
    chain = [0, 1, 2, 3, 4, 7, 8]
    free = {num: (chain[(i + 1) % len(chain)], 65535) for i, num in enumerate(chain)}
    main_xref = b.xref_table([(0, 9)], eol=b" \n", free=free)
    b.trailer(trailer_common, main_xref)

    # object stream 7
    header = bytearray()
    objects = bytearray()
    index_in_stream = {}
    for i, (num, body) in enumerate(compressed.items()):
        index_in_stream[num] = i
        header += b"%d %d " % (num, len(objects))
        objects += body + b"\n"
    header = bytes(header[:-1]) + b"\n"
    b.add(7, stream_obj(b"/Type /ObjStm /N %d /First %d" % (len(compressed), len(header)),
                        header + bytes(objects), flate=True))

    # cross-reference stream 8: /Index [1 4 7 2], /W [1 2 1]
    xref_stm_offset = len(b.buf)
    rows = bytearray()
    for num in (1, 2, 3, 4):
        rows += bytes([2]) + (7).to_bytes(2, "big") + bytes([index_in_stream[num]])
    rows += bytes([1]) + b.offsets[7].to_bytes(2, "big") + bytes([0])
    rows += bytes([1]) + xref_stm_offset.to_bytes(2, "big") + bytes([0])
    b.add(8, stream_obj(b"/Type /XRef /Size 9 /Index [1 4 7 2] /W [1 2 1]", bytes(rows), flate=True))
    assert b.offsets[8] == xref_stm_offset

    # update section: empty classic table, trailer with /XRefStm and /Prev
    update_xref = b.xref_table([(0, 0)])
    return b.trailer(trailer_common + b" /Prev %d /XRefStm %d" % (main_xref, xref_stm_offset),
                     update_xref)


def form() -> bytes:
    b = Body()
    b.add(1, b"<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R >>")
    b.add(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    b.add(3, b"<< /Type /Page /Parent 2 0 R /MediaBox " + A4 +
          b" /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R /Annots 8 0 R >>")
    b.add(4, FONT)
    b.add(5, stream_obj(b"", text_content([
        (18, 72, 760, TITLE_TEXT),
        (11, 72, 706, "Aktenzeichen:"),
    ])))
    # AcroForm (indirect) with /Fields (indirect array)
    b.add(6, b"<< /Fields 7 0 R /NeedAppearances false /DA (/Helv 0 Tf 0 g)"
             b" /DR << /Font << /Helv 10 0 R >> >> >>")
    b.add(7, b"[9 0 R]")
    # page /Annots (indirect array)
    b.add(8, b"[9 0 R]")
    # merged text field + widget annotation
    b.add(9, b"<< /FT /Tx /T " + pdf_string("Aktenzeichen") + b" /V " + pdf_string("42-TEST-2025") +
          b" /DA (/Helv 11 Tf 0 g) /Type /Annot /Subtype /Widget /Rect [160 700 360 720]"
          b" /F 4 /P 3 0 R /MK << /BC [0 0 0] >> /AP << /N 11 0 R >> >>")
    b.add(10, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    ap = (b"/Tx BMC\nq 0 G 0.5 0.5 199 19 re S Q\nq 1 1 198 18 re W n\nBT /Helv 11 Tf 0 g 3 6 Td " +
          pdf_string("42-TEST-2025") + b" Tj ET\nQ\nEMC\n")
    b.add(11, stream_obj(b"/Type /XObject /Subtype /Form /BBox [0 0 200 20]"
                         b" /Resources << /Font << /Helv 10 0 R >> >>", ap))
    b.add(12, INFO)
    xref = b.xref_table([(0, 13)])
    return b.trailer(b"/Size 13 /Root 1 0 R /Info 12 0 R " + id_entry(file_id("form.pdf")), xref)


def incremental(base: bytes) -> bytes:
    """classic.pdf + one incremental update replacing the /Info dictionary (object 6)."""
    prev = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", base).group(1))
    b = Body(prefix=base)
    b.add(6, b"<< /Title " + pdf_string("Bescheid (geändert)") +
          b" /Producer (Siegel testdata/pdf/generate.py)"
          b" /CreationDate (D:20250601120000Z) /ModDate (D:20250602120000Z) >>")
    xref = b.xref_table([(0, 1), (6, 1)], eol=b" \n")
    return b.trailer(b"/Size 7 /Root 1 0 R /Info 6 0 R /Prev %d " % prev +
                     id_entry(file_id("classic.pdf"), file_id("incremental.pdf")), xref)


def garbage_xref(base: bytes) -> bytes:
    """classic.pdf whose startxref points into the middle of the content stream."""
    target = base.index(b"Dieses Dokument")
    return re.sub(rb"startxref\n\d+\n", b"startxref\n%d\n" % target, base)


# --------------------------------------------------------------------------
# tool wrappers / checks
# --------------------------------------------------------------------------
def run(*cmd: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=check, text=True, capture_output=True, **kw)


def qpdf_check(path: Path) -> None:
    res = run("qpdf", "--check", str(path), check=False)
    out = res.stdout + res.stderr
    if res.returncode != 0 or "No syntax or stream encoding errors found" not in out or "WARNING" in out:
        sys.exit(f"qpdf --check {path} failed (rc={res.returncode}):\n{out}")


def pdftotext(path: Path) -> str:
    return run("pdftotext", "-enc", "UTF-8", str(path), "-").stdout


def check_text(path: Path, expected: str = TITLE_TEXT) -> None:
    text = pdftotext(path)
    if expected not in text:
        sys.exit(f"pdftotext {path}: {expected!r} not found in {text!r}")


def write(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    print(f"  wrote {path.relative_to(HERE.parent)} ({len(data)} bytes)")


def pyhanko_validate_cmd(pdf: Path, pretty: bool = False) -> list[str]:
    # Keep in sync with README.md (the test suite uses the same command line).
    # Without --pretty-print pyHanko prints one machine-readable line per
    # signature: FIELD:SHA256-OF-SIGNER-CERT:INTACT:TRUSTED,UNTOUCHED
    return (["pyhanko", "sign", "validate"] + (["--pretty-print"] if pretty else []) +
            ["--no-revocation-check", "--trust-replace",
             "--trust", str(PKI / "root-ca.pem"),
             "--other-certs", str(PKI / "intermediate-ca.pem"), str(pdf)])


def main() -> None:
    for tool in ("qpdf", "pdftotext", "pyhanko"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found in PATH")
    if not (PKI / "signature-rsa.p12").exists():
        sys.exit("run testdata/pki/generate.sh first")

    for old in list(HERE.glob("*.pdf")) + list(BAD.glob("*.pdf")):
        old.unlink()
    BAD.mkdir(exist_ok=True)

    # --- well-formed inputs -------------------------------------------------
    classic_pdf = classic()
    write(HERE / "classic.pdf", classic_pdf)
    write(HERE / "multipage.pdf", multipage())
    write(HERE / "hybrid.pdf", hybrid())
    write(HERE / "form.pdf", form())
    write(HERE / "incremental.pdf", incremental(classic_pdf))

    run("qpdf", "--object-streams=generate", "--deterministic-id",
        str(HERE / "classic.pdf"), str(HERE / "xref-stream.pdf"))
    print("  wrote pdf/xref-stream.pdf (qpdf --object-streams=generate)")
    run("qpdf", "--linearize", "--object-streams=generate", "--deterministic-id",
        str(HERE / "multipage.pdf"), str(HERE / "linearized.pdf"))
    print("  wrote pdf/linearized.pdf (qpdf --linearize --object-streams=generate)")

    for name in ("classic.pdf", "multipage.pdf", "hybrid.pdf", "form.pdf",
                 "incremental.pdf", "xref-stream.pdf", "linearized.pdf"):
        qpdf_check(HERE / name)
        check_text(HERE / name)
    check_text(HERE / "multipage.pdf", "Seite 5 von 5")
    pages = run("qpdf", "--show-npages", str(HERE / "multipage.pdf")).stdout.strip()
    assert pages == "5", pages

    # xref-stream.pdf: Catalog and Pages must be compressed objects
    xref = run("qpdf", "--show-xref", str(HERE / "xref-stream.pdf")).stdout
    trailer = run("qpdf", "--show-object=trailer", str(HERE / "xref-stream.pdf")).stdout
    root = int(re.search(r"/Root (\d+) 0 R", trailer).group(1))
    pages_obj = int(re.search(
        r"/Pages (\d+) 0 R", run("qpdf", f"--show-object={root}", str(HERE / "xref-stream.pdf")).stdout).group(1))
    for num in (root, pages_obj):
        if not re.search(rf"^{num}/0: compressed; stream = \d+", xref, re.M):
            sys.exit(f"xref-stream.pdf: object {num} is not in an object stream:\n{xref}")

    # hybrid.pdf: compressed objects resolved through /XRefStm
    hxref = run("qpdf", "--show-xref", str(HERE / "hybrid.pdf")).stdout
    for num in (1, 2, 3, 4):
        if not re.search(rf"^{num}/0: compressed; stream = 7, index = {num - 1}$", hxref, re.M):
            sys.exit(f"hybrid.pdf: object {num} not compressed:\n{hxref}")

    # form.pdf: the field must be visible to qpdf
    fields = run("qpdf", "--json", "--json-key=acroform", str(HERE / "form.pdf")).stdout
    assert '"fullname": "Aktenzeichen"' in fields, fields

    # incremental.pdf: two revisions
    assert (HERE / "incremental.pdf").read_bytes().count(b"%%EOF") == 2

    # --- pyHanko reference signature -----------------------------------------
    signed = HERE / "signed-pyhanko.pdf"
    with tempfile.TemporaryDirectory() as tmp:
        passfile = Path(tmp) / "pass"
        passfile.write_text(PASSPHRASE)
        run("pyhanko", "sign", "addsig", "--field", "Sig1", "--use-pades",
            "--reason", "Testsignatur", "--location", "Musterstadt",
            "pkcs12", "--passfile", str(passfile),
            str(HERE / "classic.pdf"), str(signed), str(PKI / "signature-rsa.p12"))
    print(f"  wrote {signed.relative_to(HERE.parent)} (pyhanko sign addsig --use-pades)")
    res = run(*pyhanko_validate_cmd(signed), check=False)
    if res.returncode != 0 or not re.fullmatch(r"Sig1:[0-9a-f]{64}:INTACT:TRUSTED,UNTOUCHED\n", res.stdout):
        sys.exit(f"pyhanko validation failed (rc={res.returncode}):\n{res.stdout}\n{res.stderr}")
    print("  pyhanko validate: " + res.stdout.strip())
    res = run(*pyhanko_validate_cmd(signed, pretty=True), check=False)
    if res.returncode != 0 or "The signature is judged VALID." not in res.stdout \
            or "The signer's certificate is trusted." not in res.stdout:
        sys.exit(f"pyhanko validation failed (rc={res.returncode}):\n{res.stdout}\n{res.stderr}")
    qpdf_check(signed)
    check_text(signed)

    # --- bad inputs ---------------------------------------------------------
    write(BAD / "not-a-pdf.pdf",
          b"Dies ist keine PDF-Datei, sondern reiner Text.\nThis is not a PDF file.\n")
    write(BAD / "truncated.pdf", classic_pdf[: len(classic_pdf) // 2])
    write(BAD / "empty.pdf", b"")
    write(BAD / "garbage-xref.pdf", garbage_xref(classic_pdf))
    run("qpdf", "--encrypt", "user", "owner", "256", "--",
        str(HERE / "classic.pdf"), str(BAD / "encrypted.pdf"))
    print("  wrote pdf/bad/encrypted.pdf (qpdf --encrypt user owner 256)")
    enc = run("qpdf", "--show-encryption", "--password=user", str(BAD / "encrypted.pdf")).stdout
    assert "R = 6" in enc, enc

    print("all PDF checks passed")


if __name__ == "__main__":
    main()
