#!/bin/bash
# jpki-tool pdf sign on the emulated card (private PC/SC stack), checked by
# others: pdfsig finds the signature valid and covering the whole file,
# openssl verifies the CMS over the raw ByteRange and chains it to the card's
# signature CA, qpdf finds the file sound, the original bytes are kept, and
# /Name and /SubFilter are what the Legal Affairs Bureau's online filing
# asks.  Also: an existing form (inline or, as pdfsig writes it, indirect),
# a second signature, cross-reference and object streams, a wrong password
# (one try, no file), and the files it refuses before any PIN (encrypted,
# not a PDF).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/consumer.sh"
for t in pdfsig qpdf certutil; do
	command -v $t > /dev/null || tap_bail "$t is missing (Debian packages poppler-utils, qpdf, libnss3-tools)"
done
. "$top_srcdir/tests/lib/pdf.sh"
pdf_setup
CN=$(openssl x509 -inform DER -in "$JPKI_SIGN_CERT" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= *//p')

# pdf_sign FILE [ARGS...]: jpki-tool pdf sign with the right password.
pdf_sign()
{
	local f=$1
	shift
	tool_pins "$JPKI_SIGN_PIN" pdf sign "$f" "$@"
}

# check_signed PDF NAME: pdfsig, openssl from the bytes, jpki-tool pdf verify.
check_signed()
{
	local pdf=$1 name=$2 report
	report=$(pdfsig "$pdf" 2>&1)
	printf '%s\n' "$report" | sed 's/^/#   /'
	tap_is "$name: pdfsig: the newest signature is valid and covers the whole document" \
		"$(grep 'Signature Validation' <<< "$report" | tail -n 1):$(grep -c 'Total document signed' <<< "$report")" \
		"  - Signature Validation: Signature is Valid.:1"
	pdf_check_card_signature "$pdf" "$name" "$report"
	tap_ok "$name: qpdf finds no error" qpdf --check "$pdf"
}

before=$(verifies)
pdf_sign "$WORK/doc.pdf"
tap_is "pdf sign: exit 0" "$rc" 0
[ "$rc" -eq 0 ] || tap_diag "$err"
tap_is "pdf sign: one password entry" "$(verifies)" "$((before + 1))"
tap_ok "pdf sign: the default output name" test -s "$WORK/doc-signed.pdf"
check_signed "$WORK/doc-signed.pdf" "sign"
tap_ok "sign: the original bytes are kept (incremental update)" \
	cmp -n "$(stat -c %s "$WORK/doc.pdf")" "$WORK/doc.pdf" "$WORK/doc-signed.pdf"
tap_ok "sign: /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached" \
	grep -aq '/Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached' "$WORK/doc-signed.pdf"
name=$(python3 -c 'import re, sys; m = re.search(rb"/Name <FEFF([0-9A-F]*)>", open(sys.argv[1], "rb").read()); print(bytes.fromhex(m.group(1).decode()).decode("utf-16-be"))' "$WORK/doc-signed.pdf")
tap_is "sign: /Name is the certificate's common name (UTF-16BE)" "$name" "$CN"
tap_ok "sign: /M is a PDF date" grep -aqE "/M \(D:[0-9]{14}\+00'00'\)" "$WORK/doc-signed.pdf"
tap_ok "sign: the AcroForm has /SigFlags 3" grep -aq '/SigFlags 3' "$WORK/doc-signed.pdf"
tool --json pdf verify "$WORK/doc-signed.pdf"
tap_is "pdf verify: exit 0" "$rc" 0
tap_ok "pdf verify: valid, whole file, filing rules met" grep -q '"valid":true,.*"whole_file":true,"filing_rules":true' <<< "$out"

# A second signature over the first: both valid, the newest covers all.
pdf_sign "$WORK/doc-signed.pdf" -o "$WORK/twice.pdf"
tap_is "a second signature: exit 0" "$rc" 0
check_signed "$WORK/twice.pdf" "second"
tool --json pdf verify "$WORK/twice.pdf"
tap_is "pdf verify: two signatures, both valid, only the newest covers the whole file" \
	"$rc:$(grep -o '"valid":true' <<< "$out" | wc -l):$(grep -o '"whole_file":true' <<< "$out" | wc -l)" "0:2:1"

# A PDF with a form and an empty signature field (AcroForm and Annots inline).
pdf_sign "$WORK/form.pdf"
tap_is "a PDF with a form: exit 0" "$rc" 0
check_signed "$WORK/form-signed.pdf" "form"

# A PDF signed by pdfsig (its AcroForm is an indirect object), with a key of
# another CA made here: jpki-tool adds its signature; pdfsig finds both
# valid; jpki-tool pdf verify accepts only the card's.
pdf_other_ca
pdfsig -nssdir "$OTHER" -add-signature -nick other "$WORK/doc.pdf" "$WORK/other.pdf" > /dev/null 2>&1
tap_ok "pdfsig signed a PDF with another key" grep -aq ByteRange "$WORK/other.pdf"
pdf_sign "$WORK/other.pdf"
tap_is "pdf sign after pdfsig's signature: exit 0" "$rc" 0
check_signed "$WORK/other-signed.pdf" "after pdfsig"
tap_is "pdfsig: both signatures valid" "$(pdfsig "$WORK/other-signed.pdf" 2>&1 | grep -c 'Signature is Valid')" 2
tool --json pdf verify "$WORK/other-signed.pdf"
tap_is "pdf verify: the other CA's signature is NOT valid, the card's is (exit 11)" \
	"$rc:$(grep -c '"valid":false,"reason":"certificate verify error".*"valid":true' <<< "$out")" "11:1"

# With the other CA's certificate given (as for a PDF signed under another
# generation of J-LIS's CA): both signatures valid.
certutil -L -d "$OTHER" -n otherca -a > "$WORK/otherca.pem"
tool --json pdf verify "$WORK/other-signed.pdf" "$WORK/otherca.pem"
tap_is "pdf verify with the other CA's certificate as a file: both valid (exit 0)" \
	"$rc:$(grep -o '"valid":true' <<< "$out" | wc -l)" "0:2"
certutil -L -d "$OTHER" -n otherca -r > "$WORK/otherca.der"
tool pdf verify "$WORK/other-signed.pdf" "$WORK/otherca.der"
tap_is "and as DER" "$rc" 0
tool pdf verify "$WORK/other-signed.pdf" "$WORK/doc.pdf"
tap_is "a CA file that is not a certificate: exit 10" "$rc:$(grep -c 'is not a certificate' <<< "$err")" "10:1"

# A wrong password: one try, exit 6, no file.
tries_before=$(tries sign)
tool_pins WRONGPASS1 pdf sign "$WORK/doc.pdf" -o "$WORK/wrong.pdf"
tap_is "wrong password: exit 6" "$rc" 6
tap_is "wrong password: one try spent" "$(tries sign)" "$((tries_before - 1))"
tap_ok "wrong password: no file" test ! -e "$WORK/wrong.pdf"
pdf_sign "$WORK/doc.pdf" -o "$WORK/again.pdf"
tap_is "the right password again: tries back to 5" "$rc:$(tries sign)" "0:5"

# Cross-reference streams and object streams (qpdf writes them, as pdfTeX
# and many office suites do): the update is a cross-reference stream too.
qpdf --object-streams=generate "$WORK/doc.pdf" "$WORK/xrefstm.pdf"
qpdf --object-streams=generate "$WORK/form.pdf" "$WORK/xrefform.pdf"
tap_ok "qpdf made PDFs with cross-reference and object streams" \
	sh -c "grep -aq '/Type */XRef' '$WORK/xrefstm.pdf' && grep -aq '/Type */ObjStm' '$WORK/xrefform.pdf'"
for f in xrefstm xrefform; do
	pdf_sign "$WORK/$f.pdf"
	tap_is "$f: pdf sign: exit 0" "$rc" 0
	check_signed "$WORK/$f-signed.pdf" "$f"
	tap_ok "$f: the update ends in a cross-reference stream with /Prev" \
		grep -aqE '/Type /XRef /Size [0-9]+ /W \[1 4 2\] /Index \[[0-9 ]+\] /Length [0-9]+ /Root [0-9]+ 0 R /Prev [0-9]+' "$WORK/$f-signed.pdf"
	tool --json pdf verify "$WORK/$f-signed.pdf"
	tap_ok "$f: pdf verify: valid, whole file, filing rules met" grep -q '"valid":true,.*"whole_file":true,"filing_rules":true' <<< "$out"
done

# Refused before any PIN entry: no VERIFY reaches the card.
qpdf --encrypt user owner 256 -- "$WORK/doc.pdf" "$WORK/encrypted.pdf"
head -c 300 "$WORK/doc.pdf" > "$WORK/truncated.pdf"
for f in encrypted:"is encrypted" truncated:"cannot be read as a PDF"; do
	before=$(verifies)
	pdf_sign "$WORK/${f%%:*}.pdf"
	tap_is "${f%%:*}: refused (exit 1) with its reason, no output" \
		"$rc:$(grep -c "${f#*:}" <<< "$err"):$(ls "$WORK/${f%%:*}-signed.pdf" 2>/dev/null | wc -l)" "1:1:0"
	tap_is "${f%%:*}: no password was sent" "$(verifies)" "$before"
done
tool_pins "$JPKI_SIGN_PIN" pdf sign "$WORK/doc.pdf" -o "$WORK/doc.pdf"
tap_is "pdf sign will not overwrite its input (exit 2)" "$rc" 2

tap_done
