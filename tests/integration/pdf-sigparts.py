#!/usr/bin/env python3
# pdf-sigparts.py PDF SIGNED-OUT CMS-OUT: the parts of a PDF's last signature,
# found without poppler, for openssl to check: the bytes its /ByteRange
# covers (SIGNED-OUT) and the CMS in the gap between them (CMS-OUT).
# Prints the ByteRange and whether it reaches the end of the file.
import re
import sys

pdf = open(sys.argv[1], "rb").read()
ranges = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
if not ranges:
    sys.exit("no /ByteRange")
a, b, c, d = (int(x) for x in ranges[-1])
gap = pdf[a + b:c].strip()
if a != 0 or not gap.startswith(b"<") or not gap.endswith(b">"):
    sys.exit("the gap is not a hex string")
with open(sys.argv[2], "wb") as f:
    f.write(pdf[a:a + b] + pdf[c:c + d])
cms = bytes.fromhex(gap[1:-1].decode())
# The string is padded with zeros after the CMS (DER, or BER with an
# indefinite length as NSS writes it); openssl reads the first object.
if cms[:1] != b"\x30":
    sys.exit("the CMS does not start with a SEQUENCE")
with open(sys.argv[3], "wb") as f:
    f.write(cms)
print("ByteRange %d %d %d %d, %s" % (a, b, c, d,
      "whole file" if c + d == len(pdf) else "NOT the whole file"))
