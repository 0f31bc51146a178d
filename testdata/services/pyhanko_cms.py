"""pyHanko's CMS validation of a detached or enveloping CAdES signature, an independent oracle
for tests: prints intact/valid/trusted, exits 0 only when all three hold. Offline (no fetching,
revocation soft-fail). Usage: pyhanko_cms.py SIGNATURE ROOT.pem [CONTENT]
"""
import asyncio
import sys

from asn1crypto import cms
from pyhanko.keys import load_cert_from_pemder
from pyhanko.sign.validation import async_validate_detached_cms
from pyhanko.sign.validation.generic_cms import async_validate_cms_signature
from pyhanko_certvalidator import ValidationContext


async def main(signature, root, content=None):
    info = cms.ContentInfo.load(open(signature, "rb").read())
    signed = info["content"]
    context = ValidationContext(trust_roots=[load_cert_from_pemder(root)], allow_fetching=False,
                                revocation_mode="soft-fail")
    if content:
        data = open(content, "rb").read()
        status = await async_validate_detached_cms(data, signed, signer_validation_context=context)
    else:
        # Enveloping: the digest is computed from the encapsulated content.
        status = await async_validate_cms_signature(signed, validation_context=context)
    print(f"intact={status.intact} valid={status.valid} trusted={status.trusted}")
    return 0 if status.intact and status.valid and status.trusted else 1


sys.exit(asyncio.run(main(*sys.argv[1:])))
