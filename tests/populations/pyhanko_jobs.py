#!/usr/bin/env python3
"""pyHanko's part of the generated test populations (tests/populations.rs).

One process writes every pyHanko document of a run, so pyHanko's start-up (about 0.6 s) is
paid once. Reads a JSON object from standard input:

    {"pki": DIR, "passphrase": "...", "tsa": URL or null,
     "jobs": [{"input": PATH, "output": PATH, "steps": [STEP, ...]}, ...]}

and applies each job's steps in order, every step an incremental update of the previous
output. Steps (all keys but "op" optional):

    {"op": "sign", "key": "seal-rsa", "field": "Sig1", "timestamp": false, "pss": false,
     "md": "sha256", "certify": null | 1 | 2 | 3, "box": [x1, y1, x2, y2], "page": 0,
     "existing": false, "validation_info": false, "lta": false, "subfilter": "pades"}
    {"op": "timestamp", "field": "Timestamp1", "validation_info": false}
    {"op": "empty_field", "field": "Leer", "box": [x1, y1, x2, y2], "page": 0}
    {"op": "dss", "field": "Sig1"}          validation data for that signature, own update
    {"op": "archive"}                       pyHanko's LTA renewal (DSS update + time-stamp)

Writes one JSON line per job to standard output: {"output": PATH, "ends": [[FIELD, LEN],
...], "error": null or TEXT, "seconds": S}: every signature and document time-stamp the job added, with the
end of the revision it signs (its /ByteRange's end), in file order. Validation data comes from the
test PKI's CRL only (no network), so pyHanko runs with revocation checking in soft-fail mode.
"""

import io
import json
import os
import sys
import time
import traceback

from asn1crypto import crl as asn1_crl
from cryptography.hazmat.primitives import serialization
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.validation import add_validation_info
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator import ValidationContext

# pyHanko's SimpleSigner parses its private key again for every signature (twice, with the size
# estimate), and checking an RSA key costs about 0.1 s: parse each key once.
_LOAD_KEY = serialization.load_der_private_key
_KEYS = {}


def _load_key_once(data, password=None, **options):
    if (data, password) not in _KEYS:
        _KEYS[(data, password)] = _LOAD_KEY(data, password=password, **options)
    return _KEYS[(data, password)]


serialization.load_der_private_key = _load_key_once

CONFIG = json.load(sys.stdin)
PKI = CONFIG["pki"]
PASSPHRASE = CONFIG["passphrase"].encode()
TSA = CONFIG.get("tsa")
ROOT = load_cert_from_pemder(os.path.join(PKI, "root-ca.pem"))
INTERMEDIATE = load_cert_from_pemder(os.path.join(PKI, "intermediate-ca.pem"))
with open(os.path.join(PKI, "intermediate-ca.crl"), "rb") as f:
    CRL = asn1_crl.CertificateList.load(f.read())
PERMS = {1: MDPPerm.NO_CHANGES, 2: MDPPerm.FILL_FORMS, 3: MDPPerm.ANNOTATE}
SIGNERS = {}


def context():
    return ValidationContext(
        trust_roots=[ROOT],
        other_certs=[INTERMEDIATE],
        crls=[CRL],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def signer(key, pss):
    if (key, pss) not in SIGNERS:
        SIGNERS[(key, pss)] = signers.SimpleSigner.load_pkcs12(
            os.path.join(PKI, key + ".p12"),
            other_certs=[INTERMEDIATE, ROOT],
            passphrase=PASSPHRASE,
            prefer_pss=pss,
        )
    return SIGNERS[(key, pss)]


def stamper():
    if not TSA:
        raise RuntimeError("this step needs the TSA")
    return timestamps.HTTPTimeStamper(TSA)


def field_spec(step):
    box = step.get("box")
    return fields.SigFieldSpec(
        sig_field_name=step["field"],
        on_page=step.get("page", 0),
        box=tuple(box) if box else None,
    )


def sign(data, step):
    certify = step.get("certify")
    lta = step.get("lta", False)
    info = step.get("validation_info", False) or lta
    meta = signers.PdfSignatureMetadata(
        field_name=step["field"],
        md_algorithm=step.get("md", "sha256"),
        reason="Populationstest",
        location="Musterstadt",
        certify=certify is not None,
        docmdp_permissions=PERMS[certify] if certify else MDPPerm.FILL_FORMS,
        subfilter=(SigSeedSubFilter.ADOBE_PKCS7_DETACHED
                   if step.get("subfilter") == "adbe" else SigSeedSubFilter.PADES),
        embed_validation_info=info,
        use_pades_lta=lta,
        validation_context=context() if info else None,
    )
    existing = step.get("existing", False)
    pdf_signer = signers.PdfSigner(
        meta,
        signer(step.get("key", "seal-rsa"), step.get("pss", False)),
        timestamper=stamper() if step.get("timestamp") or lta else None,
        new_field_spec=None if existing else field_spec(step),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    out = pdf_signer.sign_pdf(writer, existing_fields_only=existing)
    return out.getvalue()


def document_timestamp(data, step):
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    info = step.get("validation_info", False)
    out = signers.PdfTimeStamper(stamper(), field_name=step.get("field")).timestamp_pdf(
        writer, "sha256", validation_context=context() if info else None
    )
    return out.getvalue()


def empty_field(data, step):
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    fields.append_signature_field(writer, field_spec(step))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def dss(data, step):
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    found = [s for s in reader.embedded_signatures if s.field_name == step["field"]]
    if not found:
        raise RuntimeError(f"no signature {step['field']}")
    out = add_validation_info(found[0], context(), in_place=False)
    return out.getvalue()


def archive(data, step):
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    out = signers.PdfTimeStamper(stamper()).update_archival_timestamp_chain(
        reader, context(), in_place=False
    )
    return out.getvalue()


OPS = {
    "sign": sign,
    "timestamp": document_timestamp,
    "empty_field": empty_field,
    "dss": dss,
    "archive": archive,
}


def signatures(data):
    """(field, end of the signed revision) for every signature and document time-stamp."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    found = []
    for sig in reader.embedded_signatures:
        byte_range = [int(x) for x in sig.sig_object["/ByteRange"]]
        found.append((sig.field_name, byte_range[2] + byte_range[3]))
    return found


def run(job):
    with open(job["input"], "rb") as f:
        data = f.read()
    ends = []
    seen = set(signatures(data))
    for step in job["steps"]:
        data = OPS[step["op"]](data, step)
        for found in sorted(signatures(data), key=lambda s: s[1]):
            if found not in seen:
                seen.add(found)
                ends.append(list(found))
    with open(job["output"], "wb") as f:
        f.write(data)
    return ends


for job in CONFIG["jobs"]:
    result = {"output": job["output"], "ends": [], "error": None}
    started = time.monotonic()
    try:
        result["ends"] = run(job)
    except Exception:  # one failed job is reported, the others still run
        result["error"] = traceback.format_exc(limit=4)
    result["seconds"] = round(time.monotonic() - started, 3)
    print(json.dumps(result), flush=True)
