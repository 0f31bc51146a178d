#!/usr/bin/env python3
"""Writes a valid PDF of about SIZE_MB megabytes: 50 pages whose content streams carry the bulk
(incompressible filler drawn as invisible text), classic xref table. Usage: make-large-pdf.py OUT SIZE_MB"""
import os
import sys

out, size_mb = sys.argv[1], int(sys.argv[2])
pages = 50
per_page = size_mb * 1024 * 1024 // pages
objects = {}
objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages))
objects[2] = f"<< /Type /Pages /Count {pages} /Kids [{kids}] >>".encode()
font = 3 + 2 * pages
objects[font] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
for i in range(pages):
    page, content = 3 + 2 * i, 4 + 2 * i
    objects[page] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                     f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {content} 0 R >>").encode()
    filler = os.urandom(per_page // 2).hex().encode()
    body = b"BT /F1 12 Tf 72 770 Td (Seite " + str(i + 1).encode() + b") Tj ET\n% " + filler + b"\n"
    objects[content] = b"<< /Length " + str(len(body)).encode() + b" >>\nstream\n" + body + b"\nendstream"
with open(out, "wb") as f:
    f.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = f.tell()
        f.write(f"{number} 0 obj\n".encode() + objects[number] + b"\nendobj\n")
    xref = f.tell()
    size = max(objects) + 1
    f.write(f"xref\n0 {size}\n0000000000 65535 f \r\n".encode())
    for number in range(1, size):
        f.write(f"{offsets[number]:010} 00000 n \r\n".encode())
    f.write(f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
