#!/bin/bash
# poppler's pdfsig signs a PDF with the card's signature key through NSS and
# the module, as README "Sign a PDF" tells users to: the module registered in
# a private NSS database, JPKI_PKCS11_CONF naming a settings file with
# "tokens = sign", the signature password given as -nss-pwd (it logs in to the
# signature token, which makes its certificate visible) and as -kpw (the
# key's CKA_ALWAYS_AUTHENTICATE login before each signature).
#
# Why the setting: pdfsig (22.12) first logs in to every token that needs a
# login, with the -nss-pwd text on the first request only and nothing on the
# next; the authentication token is the second, so pdfsig stops ("Password
# was not accepted"). With only the signature token shown, one login is
# asked for. The certificate stays private until the password: nothing is
# given up.
#
# The checks: the signature pdfsig makes (the default one, and -etsi on an
# existing field, which 22.12 allows only with -sign) is valid for pdfsig and
# covers the whole file; openssl, from the raw bytes, verifies the CMS over the
# ByteRange, chains the signer to the card's signature CA and finds the
# card's certificate; a wrong password spends one try and pdfsig says so or
# fails; a malformed one reaches no card.  jpki-tool pdf verify agrees with
# pdfsig on its signatures (also in a PDF with a cross-reference stream) and
# refuses a changed file, an extended one, and a signer outside the card's CA.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/consumer.sh"
command -v pdfsig > /dev/null || tap_bail "pdfsig is missing (Debian package poppler-utils)"
command -v modutil > /dev/null || tap_bail "modutil is missing (Debian package libnss3-tools)"
command -v qpdf > /dev/null || tap_bail "qpdf is missing (Debian package qpdf)"
. "$top_srcdir/tests/lib/pdf.sh"
pdf_setup
NICK="$SIGN_LABEL:Digital Signature Certificate"

DB=sql:$WORK/nssdb
mkdir "$WORK/nssdb" && certutil -N -d "$DB" --empty-password
tap_ok "modutil registers the module" modutil -dbdir "$DB" -add jpki -libfile "$MOD" -force

# pdfsig_sign ARGS...: pdfsig with the database, output in $out, status in $rc.
pdfsig_sign()
{
	rc=0
	out=$(timeout 120 pdfsig -nssdir "$DB" "$@" 2>&1) || rc=$?
}
failed_verifies() { grep -Ec '^00200080[0-9A-F]{2}\*\* -> 63C' "$JPKI_APDU_LOG" || true; }

# Both tokens (the default): pdfsig gives up, and no try is spent.
before=$(failed_verifies)
pdfsig_sign -nss-pwd "$JPKI_SIGN_PIN" -add-signature -nick "$NICK" -kpw "$JPKI_SIGN_PIN" \
	"$WORK/doc.pdf" "$WORK/both.pdf"
tap_is "both tokens shown: pdfsig cannot log in to both with one password" \
	"$rc:$(echo "$out" | grep -c 'Password was not accepted')" "2:1"
tap_is "and it spent no try" "$(failed_verifies)" "$before"

export JPKI_PKCS11_CONF=$WORK/pdfsig.conf
printf 'tokens = sign\n' > "$JPKI_PKCS11_CONF"
certutil -L -d "$DB" -h all > "$WORK/certs.txt" 2>&1
tap_ok "tokens = sign: the signature token, without its certificate before the password" \
	sh -c "grep -qF '$SIGN_LABEL:Digital Signature CA' '$WORK/certs.txt' &&
		! grep -q 'Digital Signature Certificate' '$WORK/certs.txt'"

# check_signed PDF NAME: pdfsig's own verification, then openssl's from the bytes.
check_signed()
{
	local pdf=$1 name=$2 report
	report=$(pdfsig -nssdir "$DB" "$pdf" 2>&1)
	printf '%s\n' "$report" | sed 's/^/#   /'
	tap_ok "$name: pdfsig reports the signature valid" grep -q 'Signature Validation: Signature is Valid.' <<< "$report"
	tap_ok "$name: pdfsig: the total document is signed" grep -q 'Total document signed' <<< "$report"
	pdf_check_card_signature "$pdf" "$name" "$report"
}

signs_before=$(apdus '^802A')
pdfsig_sign -nss-pwd "$JPKI_SIGN_PIN" -add-signature -nick "$NICK" -kpw "$JPKI_SIGN_PIN" \
	"$WORK/doc.pdf" "$WORK/signed.pdf"
tap_is "pdfsig -add-signature signs through the module" "$rc" 0
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
tap_diag "card signatures for one pdfsig run: $(($(apdus '^802A') - signs_before))"
check_signed "$WORK/signed.pdf" "default"
tap_ok "default: /SubFilter /adbe.pkcs7.detached" grep -aq '/SubFilter */adbe.pkcs7.detached' "$WORK/signed.pdf"

# -etsi: 22.12 refuses it with -add-signature and takes it with -sign FIELD.
pdfsig_sign -nss-pwd "$JPKI_SIGN_PIN" -add-signature -etsi -nick "$NICK" -kpw "$JPKI_SIGN_PIN" \
	"$WORK/doc.pdf" "$WORK/etsi-add.pdf"
tap_is "-etsi with -add-signature: refused by pdfsig 22.12 itself" \
	"$rc:$(echo "$out" | grep -c 'not supported yet')" "2:1"
pdfsig_sign -nss-pwd "$JPKI_SIGN_PIN" -sign Signature1 -etsi -nick "$NICK" -kpw "$JPKI_SIGN_PIN" \
	"$WORK/form.pdf" "$WORK/etsi.pdf"
tap_is "pdfsig -sign FIELD -etsi signs through the module" "$rc" 0
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | sed 's/^/#   /'
check_signed "$WORK/etsi.pdf" "-etsi"
tap_ok "-etsi: the CMS has the CAdES signing-certificate-v2 attribute" \
	sh -c "openssl cms -cmsout -print -inform DER -in '$WORK/sig.cms' | grep -q signingCertificateV2"

# jpki-tool pdf verify, on pdfsig's signatures: valid, the card's CA, the
# filing rules; a changed byte, bytes appended after the signature and an
# unsigned PDF are refused.
pdf_verify()
{
	rc=0
	out=$("$TOOL" --reader "$JPKI_READER" --json pdf verify "$1" 2>/dev/null) || rc=$?
}
pdf_verify "$WORK/signed.pdf"
tap_is "jpki-tool pdf verify: pdfsig's signature is valid" "$rc" 0
tap_ok "jpki-tool pdf verify: the card's signer, whole file, filing rules met" grep -qF \
	"\"signer\":\"$SUBJECT\",\"issuer\":\"$(openssl x509 -in "$WORK/sign-ca.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')\",\"signing_time\":\"-\",\"subfilter\":\"adbe.pkcs7.detached\",\"m\":\"D:" <<< "$out"
tap_ok "jpki-tool pdf verify: whole file and filing rules" grep -qF '"whole_file":true,"filing_rules":true}]}' <<< "$out"
pdf_verify "$WORK/etsi.pdf"
tap_is "jpki-tool pdf verify: the -etsi signature is valid" "$rc" 0
python3 -c 'import sys; p = bytearray(open(sys.argv[1], "rb").read()); p[300] ^= 1; open(sys.argv[2], "wb").write(p)' \
	"$WORK/signed.pdf" "$WORK/changed.pdf"
pdf_verify "$WORK/changed.pdf"
tap_is "jpki-tool pdf verify: one changed byte: NOT valid (exit 11)" "$rc:$(grep -c '"valid":false' <<< "$out")" "11:1"
cp "$WORK/signed.pdf" "$WORK/appended.pdf" && printf '%% more\n' >> "$WORK/appended.pdf"
pdf_verify "$WORK/appended.pdf"
tap_is "jpki-tool pdf verify: bytes after the signature: not the whole file (exit 11)" \
	"$rc:$(grep -c '"valid":true.*"whole_file":false,"filing_rules":false' <<< "$out")" "11:1"
pdf_verify "$WORK/doc.pdf"
tap_is "jpki-tool pdf verify: an unsigned PDF (exit 11)" "$rc" 11
# A PDF with a cross-reference stream and object streams (qpdf makes it),
# signed by pdfsig: jpki-tool reads its signature all the same.
qpdf --object-streams=generate "$WORK/doc.pdf" "$WORK/xrefstm.pdf"
tap_ok "qpdf made a PDF with a cross-reference stream" grep -aq '/Type */XRef' "$WORK/xrefstm.pdf"
pdfsig_sign -nss-pwd "$JPKI_SIGN_PIN" -add-signature -nick "$NICK" -kpw "$JPKI_SIGN_PIN" \
	"$WORK/xrefstm.pdf" "$WORK/xrefstm-signed.pdf"
tap_is "pdfsig signs it" "$rc" 0
pdf_verify "$WORK/xrefstm-signed.pdf"
tap_is "jpki-tool pdf verify: valid, whole file" "$rc:$(grep -c '"whole_file":true' <<< "$out")" "0:1"

# A valid signature by a certificate outside the card's CAs (made here in a
# second NSS database, no card): pdfsig finds it valid, jpki-tool does not.
pdf_other_ca
(unset JPKI_PKCS11_CONF; pdfsig -nssdir "$OTHER" -add-signature -nick other "$WORK/doc.pdf" \
	"$WORK/other.pdf" > /dev/null 2>&1)
tap_ok "a signature by another CA's certificate: pdfsig finds it valid" \
	sh -c "pdfsig '$WORK/other.pdf' 2>&1 | grep -q 'Signature is Valid'"
pdf_verify "$WORK/other.pdf"
tap_is "jpki-tool pdf verify: not chained to the card's CA: NOT valid (exit 11)" \
	"$rc:$(grep -c '"valid":false,"reason":"certificate verify error"' <<< "$out")" "11:1"
pdfsig "$WORK/changed.pdf" > "$WORK/changed.txt" 2>&1
tap_ok "and pdfsig agrees that the changed file's signature is not valid" \
	sh -c "! grep -q 'Signature is Valid' '$WORK/changed.txt'"

# A wrong password at the login: one try, and pdfsig says the password failed.
tries_before=$(tries sign)
before=$(failed_verifies)
pdfsig_sign -nss-pwd WRONGPASS1 -add-signature -nick "$NICK" -kpw WRONGPASS1 \
	"$WORK/doc.pdf" "$WORK/wrong1.pdf"
tap_is "wrong password: pdfsig fails and says the password was not accepted" \
	"$rc:$(echo "$out" | grep -c 'Password was not accepted')" "2:1"
tap_is "wrong password: one VERIFY failed" "$(failed_verifies)" "$((before + 1))"
tap_is "wrong password: one try spent" "$(tries sign)" "$((tries_before - 1))"
tap_ok "wrong password: no output file" test ! -e "$WORK/wrong1.pdf"

# A wrong -kpw after a right login: the key's own login fails, one try.
tries_before=$(tries sign)
before=$(failed_verifies)
pdfsig_sign -nss-pwd "$JPKI_SIGN_PIN" -add-signature -nick "$NICK" -kpw WRONGPASS1 \
	"$WORK/doc.pdf" "$WORK/wrong2.pdf"
tap_ok "wrong -kpw: pdfsig fails" test "$rc" -ne 0
tap_is "wrong -kpw: one VERIFY failed" "$(failed_verifies)" "$((before + 1))"
tap_ok "wrong -kpw: no signed file" sh -c "[ ! -e '$WORK/wrong2.pdf' ] || ! grep -aq ByteRange '$WORK/wrong2.pdf'"

# A malformed password (too short) never reaches the card.
before=$(verifies)
pdfsig_sign -nss-pwd abc -add-signature -nick "$NICK" -kpw abc "$WORK/doc.pdf" "$WORK/short.pdf"
tap_ok "malformed password: pdfsig fails" test "$rc" -ne 0
tap_is "malformed password: no VERIFY sent" "$(verifies)" "$before"

# The right password again: the counter is back to full.
pdfsig_sign -nss-pwd "$JPKI_SIGN_PIN" -add-signature -nick "$NICK" -kpw "$JPKI_SIGN_PIN" \
	"$WORK/doc.pdf" "$WORK/again.pdf"
tap_is "right password again: signed" "$rc" 0
tap_is "and the tries are back to 5" "$(tries sign)" 5

tap_done
