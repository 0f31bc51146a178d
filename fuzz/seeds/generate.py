#!/usr/bin/env python3
"""Regenerates the fuzzing seeds: fuzz/seeds/sealed.pdf (the document the revision target
appends to) and the committed corpora fuzz/corpus/{validate,revision,cms,settings}/.

Needs the siegel CLI (SIEGEL=path, else `cargo run` builds it), pyHanko, openssl and python3;
the test time-stamp authority (testdata/services/tsa.py) runs on 127.0.0.1 meanwhile. Signing
times and keys change with every run, so the seeds do too; what matters is their structure.
Usage: fuzz/seeds/generate.py   (from any directory)
"""
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zlib

FUZZ = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(FUZZ)
PKI = os.path.join(ROOT, "testdata/pki")
PDF = os.path.join(ROOT, "testdata/pdf")
SEEDS = os.path.join(FUZZ, "seeds")
CORPUS = os.path.join(FUZZ, "corpus")
PIN = "siegel-demo"
WORK = tempfile.mkdtemp(prefix="siegel-seeds-")


def siegel(*args):
    command = [os.environ["SIEGEL"]] if "SIEGEL" in os.environ else [
        "cargo", "run", "--quiet", "--manifest-path", os.path.join(ROOT, "Cargo.toml"),
        "--no-default-features", "--features", "cli", "--bin", "siegel", "--"]
    env = dict(os.environ, SIEGEL_PIN=PIN, SIEGEL_SETTINGS=os.path.join(WORK, "none.toml"))
    subprocess.run(command + list(args), check=True, env=env, stdout=subprocess.DEVNULL)


def seal(source, output, *options, p12="seal-rsa.p12", command="seal"):
    siegel(command, "--p12", os.path.join(PKI, p12), "--pin-env", "SIEGEL_PIN", *options,
           "-o", output, source)
    return output


def pyhanko(source, output, *options, field="Sig2", p12="signature-rsa.p12"):
    passfile = os.path.join(WORK, "pass")
    with open(passfile, "w") as f:
        f.write(PIN)
    subprocess.run(["pyhanko", "sign", "addsig", "--field", field, *options, "pkcs12",
                    "--passfile", passfile, source, output, os.path.join(PKI, p12)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return output


def work(name):
    return os.path.join(WORK, name)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(folder, name, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def contents(pdf):
    """The CMS of every signature: /Contents hex with the zero padding cut off."""
    found = []
    for match in re.finditer(rb"/Contents\s*<([0-9A-Fa-f\s]+)>", pdf):
        der = bytes.fromhex(match.group(1).decode()).rstrip(b"\0")
        if der[:1] == b"\x30" and len(der) > 100:
            found.append(der)
    return found


def start_tsa():
    process = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "testdata/services/tsa.py"),
         os.path.join(PKI, "tsa.pem"), os.path.join(PKI, "tsa.key.pem"),
         os.path.join(PKI, "chain.pem")],
        stdout=subprocess.PIPE, text=True)
    port = int(process.stdout.readline().split()[-1])
    return process, f"http://127.0.0.1:{port}/"


def main():
    for folder in ["validate", "revision", "cms", "settings", "report", "pdf"]:
        shutil.rmtree(os.path.join(CORPUS, folder), ignore_errors=True)
    if os.path.exists(os.path.join(SEEDS, "sealed.pdf")):
        os.remove(os.path.join(SEEDS, "sealed.pdf"))
    tsa, url = start_tsa()
    try:
        make(url)
    finally:
        tsa.terminate()
        shutil.rmtree(WORK, ignore_errors=True)


def make(url):
    classic = os.path.join(PDF, "classic.pdf")
    # The revision target's document: classic.pdf sealed, classic cross-reference table.
    sealed = seal(classic, os.path.join(SEEDS, "sealed.pdf"))
    base = read(sealed)

    # validate: signed documents of every structure and kind (testdata/pdf is read too).
    validate = os.path.join(CORPUS, "validate")
    signed = {
        "sealed-ec-xref-stream.pdf": seal(os.path.join(PDF, "xref-stream.pdf"),
                                          work("a.pdf"), p12="seal-ec.p12"),
        "sealed-hybrid.pdf": seal(os.path.join(PDF, "hybrid.pdf"), work("b.pdf")),
        "certified-2-form.pdf": seal(os.path.join(PDF, "form.pdf"), work("c.pdf"),
                                     "--certify", "2"),
        "sealed-visible-multipage.pdf": seal(os.path.join(PDF, "multipage.pdf"), work("d.pdf"),
                                             "--visible", "last,355,36,200,60"),
        # Siegel reserves room for a B-T signature generously; pyHanko's is smaller.
        "pyhanko-pss-bt.pdf": pyhanko(os.path.join(PDF, "incremental.pdf"), work("e.pdf"),
                                      "--use-pades", "--prefer-pss", "--timestamp-url", url,
                                      field="Sig1"),
        "sealed-then-signed-ec.pdf": seal(sealed, work("f.pdf"), p12="signature-ec.p12",
                                          command="sign"),
    }
    for name, path in signed.items():
        write(validate, name, read(path))

    # revision: what follows sealed.pdf in later files, and object-only updates that the
    # target closes with its own cross-reference table.
    revision = os.path.join(CORPUS, "revision")
    later = {
        "seal-again": seal(sealed, work("g.pdf")),
        "sign-ec-visible": seal(sealed, work("h.pdf"), "--visible", "1,72,72,200,60",
                                p12="signature-ec.p12", command="sign"),
        "pyhanko-bt": pyhanko(sealed, work("i.pdf"), "--use-pades", "--timestamp-url", url),
        "pyhanko-pades": pyhanko(sealed, work("j.pdf"), "--use-pades"),
        "pyhanko-visible": pyhanko(sealed, work("k.pdf"), field="1/100,100,300,150/Sig2"),
    }
    for name, path in later.items():
        data = read(path)
        assert data.startswith(base), name
        write(revision, name, data[len(base):])
    for name, objects in OBJECT_UPDATES.items():
        write(revision, name, b"\n" + objects)
    write(revision, "xref-stream-update", xref_stream_update(base))
    dss = dss_update(base)
    write(revision, "dss-added", dss)
    write(validate, "sealed-dss.pdf", closed(base, dss))

    # cms: the signatures of everything above.
    cms = os.path.join(CORPUS, "cms")
    seen = set()
    siegel_bt = seal(classic, work("l.pdf"), "--pss", "--level", "B-T", "--tsa", url)
    for path in [sealed, *signed.values(), *later.values(), siegel_bt,
                 os.path.join(PDF, "signed-pyhanko.pdf")]:
        for der in contents(read(path)):
            if der not in seen:
                seen.add(der)
                write(cms, f"{len(seen):02}.der", der)

    # settings
    for name, text in SETTINGS.items():
        write(os.path.join(CORPUS, "settings"), name, text.encode())

    # pdf: small hostile structures (the signed documents and testdata/pdf are read too).
    for name, data in HOSTILE.items():
        write(os.path.join(CORPUS, "pdf"), name, data)

    # report: byte strings the target turns into a report; length-prefixed hostile names
    # between the bytes that choose everything else.
    chooser = random.Random(11)
    for n in range(6):
        out = bytearray()
        for _ in range(60):
            text = chooser.choice(NAMES).encode("utf-8")
            out += bytes([chooser.randrange(256), len(text)]) + text
        write(os.path.join(CORPUS, "report"), str(n), bytes(out))


# Objects of classic.pdf: 1 catalog, 2 pages, 3 page, 4 font, 5 content, 6 info; the seal
# added 7 (signature), 8 (field and widget), 9 (AcroForm).
PAY = b"BT /F1 24 Tf 72 600 Td (PAY 1.000.000 EUR TO MALLORY) Tj ET"
OBJECT_UPDATES = {
    "info-changed": b"6 0 obj\n<< /Title (Bescheid, ge\\344ndert) /Producer (x) >>\nendobj\n",
    "content-replaced": b"5 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n"
    % (len(PAY) + 1, PAY),
    "content-added": b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
    b"/Resources << /Font << /F1 4 0 R >> >> /Contents [5 0 R 10 0 R] >>\nendobj\n"
    b"10 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (len(PAY) + 1, PAY),
    "annotation-added": b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
    b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R /Annots [8 0 R 10 0 R] >>\nendobj\n"
    b"10 0 obj\n<< /Type /Annot /Subtype /FreeText /Rect [72 600 400 640] /F 4 /P 3 0 R "
    b"/DA (/Helv 12 Tf 0 g) /Contents (PAY) /AP << /N 11 0 R >> >>\nendobj\n"
    b"11 0 obj\n<< /Type /XObject /Subtype /Form /BBox [0 0 328 40] "
    b"/Resources << /Font << /F1 4 0 R >> >> /Length %d >>\nstream\n%s\nendstream\nendobj\n"
    % (len(PAY) + 1, PAY),
    "field-added": b"9 0 obj\n<< /Fields [8 0 R 10 0 R] /SigFlags 3 >>\nendobj\n"
    b"10 0 obj\n<< /Type /Annot /Subtype /Widget /FT /Tx /T (Betrag) /V (1000000) "
    b"/Rect [72 600 300 620] /F 4 /P 3 0 R /DA (/Helv 12 Tf 0 g) >>\nendobj\n",
    "catalog-metadata": b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R /AcroForm 9 0 R "
    b"/Metadata 10 0 R /Version /2.0 >>\nendobj\n"
    b"10 0 obj\n<< /Type /Metadata /Subtype /XML /Length 20 >>\nstream\n<x:xmpmeta/>      \n"
    b"endstream\nendobj\n",
    "catalog-pages-swapped": b"1 0 obj\n<< /Type /Catalog /Pages 10 0 R /AcroForm 9 0 R >>\n"
    b"endobj\n10 0 obj\n<< /Type /Pages /Kids [11 0 R] /Count 1 >>\nendobj\n"
    b"11 0 obj\n<< /Type /Page /Parent 10 0 R /MediaBox [0 0 595 842] "
    b"/Resources << /Font << /F1 4 0 R >> >> /Contents 12 0 R >>\nendobj\n"
    b"12 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (len(PAY) + 1, PAY),
    "signature-dictionary-replaced": b"7 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite "
    b"/SubFilter /ETSI.CAdES.detached /ByteRange [0 10 20 30] /Contents <3082> >>\nendobj\n",
    "object-stream": b"10 0 obj\n<< /Type /ObjStm /N 1 /First 5 /Length 39 >>\nstream\n"
    b"6 0 << /Title (Objekt im Strom) >>\nendstream\nendobj\n",
}


def validation_data():
    """The chain, the test CRL and an OCSP response for seal-rsa, as a /DSS holds them."""
    pem = lambda name: os.path.join(PKI, name)
    der = lambda name: subprocess.run(["openssl", "x509", "-in", pem(name), "-outform", "DER"],
                                      check=True, capture_output=True).stdout
    request, response = work("request.der"), work("response.der")
    subprocess.run(["openssl", "ocsp", "-issuer", pem("intermediate-ca.pem"), "-cert",
                    pem("seal-rsa.pem"), "-no_nonce", "-reqout", request],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "ocsp", "-index", pem("ca/intermediate/index.txt"), "-CA",
                    pem("intermediate-ca.pem"), "-rsigner", pem("intermediate-ca.pem"), "-rkey",
                    pem("intermediate-ca.key.pem"), "-reqin", request, "-respout", response,
                    "-ndays", "3650"], check=True, capture_output=True)
    return ([der("intermediate-ca.pem"), der("root-ca.pem")],
            read(pem("intermediate-ca.crl")), read(response))


def dss_update(base):
    """Objects of an update that adds a /DSS (ETSI EN 319 142-1 §5.4.2) to `base`."""
    catalog = re.findall(rb"\n1 0 obj\s*(<<.*?>>)\s*endobj", base, re.S)[-1]
    certificates, crl, ocsp = validation_data()
    streams = certificates + [crl, ocsp]
    out = b"\n1 0 obj\n" + catalog[:-2] + b"/DSS 10 0 R>>\nendobj\n"
    out += b"10 0 obj\n<< /Certs [11 0 R 12 0 R] /CRLs [13 0 R] /OCSPs [14 0 R] >>\nendobj\n"
    for number, data in enumerate(streams, 11):
        out += b"%d 0 obj\n<< /Length %d >>\nstream\n" % (number, len(data)) + data
        out += b"\nendstream\nendobj\n"
    return out


def closed(base, update):
    """`base` and the objects of `update` with a cross-reference table and trailer, as the
    revision target writes them."""
    startxref = int(re.findall(rb"startxref\s+(\d+)", base)[-1])
    size = int(re.findall(rb"/Size\s+(\d+)", base)[-1])
    out = bytearray(base + update)
    objects = {}
    for match in re.finditer(rb"(?m)^(\d+) (\d+) obj", update):
        objects.setdefault(int(match.group(1)), (int(match.group(2)), len(base) + match.start()))
    at = len(out)
    out += b"xref\n"
    for number in sorted(objects):
        generation, offset = objects[number]
        out += b"%d 1\n%010d %05d n\r\n" % (number, offset, generation)
    size = max([size] + [number + 1 for number in objects])
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
            % (size, startxref, at))
    return bytes(out)


def xref_stream_update(base):
    """A change of /Info written with a cross-reference stream (ISO 32000-2 §7.5.8)."""
    start = len(base)
    body = b"\n6 0 obj\n<< /Title (Strom) >>\nendobj\n"
    info_at = start + 1
    xref_at = start + len(body)
    rows = b"".join(bytes([1]) + offset.to_bytes(4, "big") + b"\0"
                    for offset in (info_at, xref_at))
    data = zlib.compress(rows)
    startxref = int(re.findall(rb"startxref\s+(\d+)", base)[-1])
    stream = (b"10 0 obj\n<< /Type /XRef /Size 11 /Index [6 1 10 1] /W [1 4 1] /Root 1 0 R "
              b"/Prev %d /Filter /FlateDecode /Length %d >>\nstream\n" % (startxref, len(data))
              + data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at)
    return body + stream


NAMES = ["Stadtverwaltung Musterstadt Siegel", "Jürgen Müller", "東京都庁 電子署名",
         "👩‍⚖️ Ünterschrift", "\x1b[2J\x07", "\u202eexe.fdp", "<script>alert(1)</script>&amp;\"'",
         "\x00\x01\x1f\x7f\u0085", "\ud7ff\ue000\ufffd\U0010ffff", "]]><!--", "שלום مرحبا",
         "\t\r\n"]


def pdf(objects, trailer, startxref=None):
    """A file of `objects` (bytes each, numbered from 1) with a classic table and `trailer`."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f\r\n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n\r\n" % o for o in offsets)
    out += b"trailer\n%s\nstartxref\n%d\n%%%%EOF\n" % (trailer, at if startxref is None else startxref)
    return bytes(out)


PAGE = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"]
HOSTILE = {
    "length-cycle.pdf": pdf(PAGE + [b"<< /Length 4 0 R >>\nstream\nBT ET\nendstream"],
                            b"<< /Size 5 /Root 1 0 R >>"),
    "length-chain.pdf": pdf(PAGE + [b"<< /Length 5 0 R >>\nstream\nBT ET\nendstream",
                                    b"6 0 R", b"5 0 R"], b"<< /Size 7 /Root 1 0 R >>"),
    "prev-self.pdf": pdf(PAGE, b"<< /Size 4 /Root 1 0 R /Prev 0 >>"),
    "kids-cycle.pdf": pdf([PAGE[0], b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                           PAGE[2]], b"<< /Size 4 /Root 1 0 R >>"),
    "signature-field.pdf": pdf(
        [b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>", PAGE[1],
         b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>",
         b"<< /FT /Sig /T (S) /Kids [4 0 R] /V 5 0 R /Subtype /Widget /Rect [0 0 0 0] >>",
         b"<< /Type /Sig /ByteRange [0 100 200 -1] /Contents <3082000130> /M (D:20260601+99'99') "
         b"/Reference [<< /TransformMethod /DocMDP /TransformParams << /P 9 >> >>] >>"],
        b"<< /Size 6 /Root 1 0 R >>"),
    "unterminated.pdf": b"%PDF-1.7\n" + b"1 0 obj (\n" * 64,
}

SETTINGS = {
    "full.toml": """language = "de"
tsa_urls = ["http://tsa.example/"]
modules = ["/usr/lib/softhsm/libsofthsm2.so"]
trust_anchors = ["/etc/siegel/root.pem"]
offline = true
network_timeout_seconds = 40
allow_private_network = true
level = "B-LTA"
placement = "last-bottom-right"

[naming]
signed_suffix = "_unterschrieben"
sealed_suffix = "_gesiegelt"
""",
    "partial.toml": 'offline = true\nlevel = "B-T"\n',
    "broken.toml": 'offline = true\nlevel = "B-X"\n',
    "unicode.toml": 'language = "日本語\\u202e"\n[naming]\nsigned_suffix = "-ünterschrieben ✓"\n',
    "empty.toml": "",
}

if __name__ == "__main__":
    main()
