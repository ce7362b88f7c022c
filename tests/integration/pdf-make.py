#!/usr/bin/env python3
# pdf-make.py OUT [--field NAME]: writes a small one-page PDF with a classic
# cross-reference table, made here so that the PDF tests need no sample file.
# --field adds an empty signature field NAME (an AcroForm with one unsigned
# /FT /Sig widget on the page), the kind of form a signer fills in later.
import sys


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit("usage: pdf-make.py OUT [--field NAME]")
    out_path, field = args[0], None
    if args[1:2] == ["--field"] and len(args) == 3:
        field = args[2].encode()
    elif len(args) != 1:
        sys.exit("usage: pdf-make.py OUT [--field NAME]")

    text = b"BT /F1 24 Tf 72 720 Td (A document signed with the My Number Card) Tj ET"
    catalog = b"<< /Type /Catalog /Pages 2 0 R"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R" \
        b" /Resources << /Font << /F1 5 0 R >> >>"
    objs = [None,
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            None,
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    if field:
        catalog += b" /AcroForm << /Fields [6 0 R] >>"
        page += b" /Annots [6 0 R]"
        objs.append(b"<< /FT /Sig /T (%s) /Type /Annot /Subtype /Widget"
                    b" /Rect [72 600 272 650] /F 4 /P 3 0 R >>" % field)
    objs[0] = catalog + b" >>"
    objs[2] = page + b" >>"

    pdf = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, body in enumerate(objs, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (num, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        pdf += b"%010d 00000 n \n" % off
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    with open(out_path, "wb") as f:
        f.write(pdf)


main()
