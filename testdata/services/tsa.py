#!/usr/bin/env python3
"""A real RFC 3161 time-stamp authority for tests: `openssl ts -reply` behind a minimal HTTP
handler on 127.0.0.1. Prints the port it listens on, then serves until killed.

Usage: tsa.py CERT KEY CHAIN [PORT [WRONG_CERT WRONG_KEY]]
Paths: /            a proper reply
       /bad-imprint a token over other data (the TSA answers a different question)
       /bad-nonce   a token with a different nonce
       /broken      HTTP 200 with garbage
       /wrong-cert  a well-formed token signed with WRONG_CERT, a certificate without the
                    timeStamping usage; openssl refuses to sign with such a certificate, so this
                    one path uses pyHanko's test time-stamper

Requests are served in parallel, but `openssl ts -reply` reads, increments and rewrites one
serial file: two at once read a half-written file and answer "status 2 ... Error during serial
number generation". One lock per TSA runs them one at a time, so serials stay unique and every
request gets a proper reply.
"""
import http.server
import os
import subprocess
import sys
import tempfile
import threading

CERT, KEY, CHAIN = sys.argv[1:4]
PORT = int(sys.argv[4]) if len(sys.argv) > 4 else 0
WRONG = sys.argv[5:7] if len(sys.argv) > 6 else None
WORK = tempfile.mkdtemp(prefix="siegel-tsa-")
SERIAL_LOCK = threading.Lock()
CONFIG = os.path.join(WORK, "tsa.cnf")
with open(os.path.join(WORK, "serial"), "w") as f:
    f.write("01\n")
with open(CONFIG, "w") as f:
    f.write(f"""[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {WORK}
serial = {WORK}/serial
crypto_device = builtin
signer_cert = {CERT}
certs = {CHAIN}
signer_key = {KEY}
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
""")


def imprint_of(query: bytes) -> bytes:
    """The hashed message of a TimeStampReq: the first OCTET STRING of 32, 48 or 64 bytes."""
    for size in (32, 48, 64):
        marker = bytes([0x04, size])
        at = query.find(marker)
        if at >= 0:
            return query[at + 2: at + 2 + size]
    raise ValueError("no imprint")


def wrong_cert_reply(query: bytes) -> bytes:
    from asn1crypto import tsp
    from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    cert = load_cert_from_pemder(WRONG[0])
    key = load_private_key_from_pemder(WRONG[1], passphrase=None)
    stamper = DummyTimeStamper(tsa_cert=cert, tsa_key=key)
    return stamper.request_tsa_response(tsp.TimeStampReq.load(query)).dump()


# `openssl ts -reply` reads and rewrites the serial file: one reply at a time, or two clients
# at once (the test populations sign with Siegel and pyHanko in parallel) corrupt it.
SERIAL = threading.Lock()


def reply(query: bytes, mode: str) -> bytes:
    if mode == "wrong-cert" and WRONG:
        return wrong_cert_reply(query)
    with SERIAL, tempfile.TemporaryDirectory(dir=WORK) as tmp:
        qfile, rfile = os.path.join(tmp, "q.tsq"), os.path.join(tmp, "r.tsr")
        if mode == "bad-imprint":
            imprint = os.urandom(len(imprint_of(query)))
        else:
            imprint = imprint_of(query)
        if mode in ("bad-imprint", "bad-nonce"):
            digest = {32: "-sha256", 48: "-sha384", 64: "-sha512"}[len(imprint)]
            query = subprocess.run(["openssl", "ts", "-query", "-digest", imprint.hex(), digest, "-cert"],
                                   check=True, capture_output=True).stdout
        with open(qfile, "wb") as f:
            f.write(query)
        with SERIAL_LOCK:
            subprocess.run(["openssl", "ts", "-reply", "-config", CONFIG, "-queryfile", qfile, "-out", rfile],
                           check=True, capture_output=True)
        with open(rfile, "rb") as f:
            return f.read()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        query = self.rfile.read(length)
        mode = self.path.strip("/")
        try:
            body = b"not a time-stamp response" if mode == "broken" else reply(query, mode)
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
        except Exception as error:  # a test service reports, it does not crash
            body = str(error).encode()
            self.send_response(500)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
