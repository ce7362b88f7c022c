# Shared by the PDF signature tests (pdfsig.sh: poppler's pdfsig through the
# module; tool-pdf.sh: jpki-tool pdf sign): the PDFs they sign, the card's
# signer and CA, and the checks made from a signed file's own bytes.  The
# caller has sourced tests/lib/consumer.sh.  Sourcing this file only defines
# functions (tests/lib/tool.sh's too).
. "$top_srcdir/tests/lib/tool.sh"

# pdf_setup [OPTIONS]: TOOL (the built jpki-tool, else a bail-out), the stack
# (stack_start with the emulator's OPTIONS) and tmp=$WORK for tool.sh's
# functions; MAKE_PDF and SIGPARTS (the helper scripts), SUBJECT (the card's
# signer, RFC 2253), and in $WORK: sign-ca.pem (the card's signature CA),
# doc.pdf, and form.pdf with an empty signature field Signature1.
pdf_setup()
{
	TOOL=${top_builddir:?}/src/tool/jpki-tool
	[ -x "$TOOL" ] || tap_bail "no $TOOL (build first)"
	stack_start "$@"
	tmp=$WORK
	MAKE_PDF="python3 $top_srcdir/tests/integration/pdf-make.py"
	SIGPARTS="python3 $top_srcdir/tests/integration/pdf-sigparts.py"
	SUBJECT=$(openssl x509 -inform DER -in "$JPKI_SIGN_CERT" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
	openssl x509 -inform DER -in "$JPKI_SIGN_CA_CERT" -out "$WORK/sign-ca.pem"
	$MAKE_PDF "$WORK/doc.pdf" || tap_bail "pdf-make.py failed"
	$MAKE_PDF "$WORK/form.pdf" --field Signature1 || tap_bail "pdf-make.py --field failed"
}

# pdf_check_card_signature PDF NAME REPORT: REPORT (pdfsig's on PDF) names the
# card's subject as the signer; and from PDF's bytes (its newest signature):
# the ByteRange covers the whole file, openssl verifies the CMS over it and
# chains the signer to the card's CA, and the signer's certificate is the
# card's.  Four test lines, each named "NAME: ..."; the CMS stays in
# $WORK/sig.cms.
pdf_check_card_signature()
{
	local pdf=$1 name=$2 report=$3
	tap_ok "$name: pdfsig: the signer is the card's subject" grep -qF "Signer full Distinguished Name: $SUBJECT" <<< "$report"
	tap_ok "$name: the ByteRange covers the whole file" \
		sh -c "$SIGPARTS '$pdf' '$WORK/signed.bin' '$WORK/sig.cms' | grep -q 'whole file\$'"
	tap_ok "$name: openssl verifies the CMS and the chain to the card's CA" \
		openssl cms -verify -binary -inform DER -in "$WORK/sig.cms" -content "$WORK/signed.bin" \
		-CAfile "$WORK/sign-ca.pem" -purpose any -signer "$WORK/signer.pem" -out /dev/null
	openssl x509 -in "$WORK/signer.pem" -outform DER -out "$WORK/signer.der" 2> /dev/null
	tap_ok "$name: the signer's certificate is the card's" cmp "$WORK/signer.der" "$JPKI_SIGN_CERT"
}

# pdf_other_ca: OTHER, a second NSS database ($WORK/otherdb, no card) with a
# CA of its own ("otherca") and a signer it issued ("other"), for signatures
# outside the card's CAs.
pdf_other_ca()
{
	OTHER=sql:$WORK/otherdb
	mkdir "$WORK/otherdb" && certutil -N -d "$OTHER" --empty-password
	head -c 64 /dev/urandom > "$WORK/noise"
	certutil -S -d "$OTHER" -n otherca -s "CN=Other CA" -x -t "C,C,C" -k rsa -g 2048 -2 \
		-z "$WORK/noise" <<< $'y\n\ny\n' > /dev/null 2>&1
	certutil -S -d "$OTHER" -n other -s "CN=Other signer" -c otherca -t ",," -k rsa -g 2048 \
		-z "$WORK/noise" -m 7 > /dev/null 2>&1
}
