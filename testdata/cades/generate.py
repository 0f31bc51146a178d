#!/usr/bin/env python3
"""Regenerates testdata/cades/: CAdES signatures and ASiC containers over Antrag.xml, made with
the siegel CLI, the test PKI (testdata/pki) and the test time-stamp authority
(testdata/services/tsa.py on 127.0.0.1); the seeds of the `cades` and `asic` fuzz targets.
Antrag.xml itself is hand-written and kept. Signing times change with every run.

Needs the siegel CLI (SIEGEL=path, else `cargo run` builds it), openssl and python3.
Usage: testdata/cades/generate.py   (from any directory)
"""
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PKI = os.path.join(ROOT, "testdata/pki")
PIN = "siegel-demo"
WORK = tempfile.mkdtemp(prefix="siegel-cades-")
CONTENT = os.path.join(HERE, "Antrag.xml")


def siegel(*args):
    command = [os.environ["SIEGEL"]] if "SIEGEL" in os.environ else [
        "cargo", "run", "--quiet", "--manifest-path", os.path.join(ROOT, "Cargo.toml"),
        "--no-default-features", "--features", "cli", "--bin", "siegel", "--"]
    settings = os.path.join(WORK, "settings.toml")
    with open(settings, "w") as f:
        f.write("allow_private_network = true\n")
    env = dict(os.environ, SIEGEL_PIN=PIN, SIEGEL_SETTINGS=settings)
    subprocess.run(command + list(args), check=True, env=env, stdout=subprocess.DEVNULL)


def seal(output, *inputs, options=(), p12="seal-rsa.p12"):
    command = "sign" if p12.startswith("signature") else "seal"
    siegel(command, "--p12", os.path.join(PKI, p12), "--pin-env", "SIEGEL_PIN", *options,
           "-o", output, *inputs)


def out(name):
    return os.path.join(HERE, name)


def token(url, data):
    """An RFC 3161 token over `data` from the test TSA, asked for with openssl ts."""
    source = os.path.join(WORK, "data")
    with open(source, "wb") as f:
        f.write(data)
    query = subprocess.run(["openssl", "ts", "-query", "-data", source, "-sha256", "-cert"],
                           check=True, capture_output=True).stdout
    request = urllib.request.Request(url, data=query,
                                     headers={"Content-Type": "application/timestamp-query"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        reply = os.path.join(WORK, "reply.tsr")
        with open(reply, "wb") as f:
            f.write(answer.read())
    tst = os.path.join(WORK, "token.tst")
    subprocess.run(["openssl", "ts", "-reply", "-in", reply, "-token_out", "-out", tst],
                   check=True, capture_output=True)
    with open(tst, "rb") as f:
        return f.read()


def archive_manifest(container, names):
    """EN 319 162-1 §A.5: an ASiCArchiveManifest.xml over `names`, SHA-256."""
    import base64
    import hashlib
    with zipfile.ZipFile(container) as z:
        references = "".join(
            f'<asic:DataObjectReference URI="{name}"><ds:DigestMethod '
            f'Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>'
            f'{base64.b64encode(hashlib.sha256(z.read(name)).digest()).decode()}'
            f'</ds:DigestValue></asic:DataObjectReference>\n'
            for name in names)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
            '<asic:ASiCManifest xmlns:asic="http://uri.etsi.org/02918/v1.2.1#" '
            'xmlns:ds="http://www.w3.org/2000/09/xmldsig#">\n'
            '<asic:SigReference MimeType="application/vnd.etsi.timestamp-token" '
            'URI="META-INF/timestamp.tst"/>\n' + references + '</asic:ASiCManifest>\n').encode()


def make(url):
    bt = ("--level", "B-T", "--tsa", url)
    seal(out("Antrag.xml.p7s"), CONTENT)
    seal(out("Antrag.xml-B-T.p7s"), CONTENT, options=bt, p12="seal-ec.p12")
    seal(out("Antrag.xml.p7m"), CONTENT, options=("--enveloping",) + bt)
    seal(out("Antrag.xml-counter.p7s"), out("Antrag.xml.p7s"),
         options=("--counter", "--content", CONTENT), p12="signature-rsa.p12")
    seal(out("Antrag.xml.asics"), CONTENT, options=("--container", "asics") + bt)
    anlage = os.path.join(WORK, "Anlage 1.txt")
    with open(anlage, "w") as f:
        f.write("Anlage zum Antrag\n" * 50)
    single = os.path.join(WORK, "single.asice")
    seal(single, CONTENT, anlage, options=("--container", "asice") + bt)
    seal(out("bundle.asice"), single, p12="signature-ec.p12")
    # bundle.asice with a long-term container time-stamp over everything in it.
    with zipfile.ZipFile(out("bundle.asice")) as z:
        names = [n for n in z.namelist() if n != "mimetype"]
    manifest = archive_manifest(out("bundle.asice"), names)
    shutil.copy(out("bundle.asice"), out("archived.asice"))
    with zipfile.ZipFile(out("archived.asice"), "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("META-INF/ASiCArchiveManifest.xml", manifest)
        z.writestr("META-INF/timestamp.tst", token(url, manifest))


def start_tsa():
    process = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "testdata/services/tsa.py"),
         os.path.join(PKI, "tsa.pem"), os.path.join(PKI, "tsa.key.pem"),
         os.path.join(PKI, "chain.pem")],
        stdout=subprocess.PIPE, text=True)
    port = int(process.stdout.readline().split()[-1])
    return process, f"http://127.0.0.1:{port}/"


def main():
    for name in os.listdir(HERE):
        if name.endswith((".p7s", ".p7m", ".asice", ".asics")):
            os.remove(os.path.join(HERE, name))
    tsa, url = start_tsa()
    try:
        make(url)
    finally:
        tsa.terminate()
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
