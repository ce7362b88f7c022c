#!/bin/bash
# Proof of fidelity: OpenSC's JPKI driver (written against real cards) drives the emulated card
# through a private pcscd (tests/stack).  Two tokens, a signature with each key that verifies
# with openssl against the exported certificates, and a wrong PIN that lowers the card's
# counter until a right one restores it.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
TOP=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
OSC=${OPENSC_PKCS11:-/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so}
AUTH_TOKEN="JPKI (User Authentication PIN)"
SIGN_TOKEN="JPKI (Digital Signature PIN)"
n=0
fails=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
for f in "$OSC" "$(command -v pkcs11-tool)" "$(command -v openssl)"; do
	[ -e "$f" ] || { echo "Bail out! missing $f (Debian opensc-pkcs11, opensc, openssl)"; exit 1; }
done
WORK=$(mktemp -d)
unset JPKI_STACK_DIR
cleanup() {
	[ -n "${JPKI_STACK_DIR:-}" ] && [ -d "$JPKI_STACK_DIR" ] && "$TOP/tests/stack" stop --dir "$JPKI_STACK_DIR"
	rm -rf "$WORK"
}
trap cleanup EXIT
"$TOP/tests/stack" start >"$WORK/env" 2>"$WORK/stack.err" || {
	cat "$WORK/stack.err" | sed 's/^/# /'
	echo "Bail out! tests/stack start failed"
	exit 1
}
. "$WORK/env"
# OpenSC reads only this stack: the private pcscd socket, and a minimal config of our own.
printf 'app default {\n\treader_driver pcsc {\n\t}\n}\n' >"$WORK/opensc.conf"
export OPENSC_CONF=$WORK/opensc.conf
p11() { pkcs11-tool --module "$OSC" "$@"; }
tries() { sed -n "s/^$1-tries=//p" "$JPKI_CARD_DIR/card.state"; }

p11 -L >"$WORK/list" 2>&1
ok $? "pkcs11-tool -L"
sed 's/^/# /' "$WORK/list"
ok "$([ "$(grep -c 'token label *: JPKI (' "$WORK/list")" = 2 ]; echo $?)" "two JPKI tokens"
ok "$(grep -q "token label *: $AUTH_TOKEN" "$WORK/list" && grep -q "token label *: $SIGN_TOKEN" "$WORK/list"; echo $?)" \
	"auth PIN and sign PIN tokens"

# Certificates read by OpenSC (4-byte header, 256-byte chunks) equal the emulator's files.
p11 --token-label "$AUTH_TOKEN" --read-object --type cert --id 01 -o "$WORK/auth.der" >/dev/null 2>&1
ok "$(cmp -s "$WORK/auth.der" "$JPKI_AUTH_CERT"; echo $?)" "auth certificate read through OpenSC"
p11 --token-label "$AUTH_TOKEN" --read-object --type cert --id 03 -o "$WORK/authca.der" >/dev/null 2>&1
ok "$(cmp -s "$WORK/authca.der" "$JPKI_AUTH_CA_CERT"; echo $?)" "auth CA certificate read through OpenSC"
grep -q '^00A4020C020001 -> 9000 ok' "$JPKI_APDU_LOG" &&
	grep -A1 '^00A4020C020001 -> 9000 ok' "$JPKI_APDU_LOG" | grep -q '^00B0000004 -> 6982 denied'
ok $? "sign certificate refused (6982) before the sign password"

head -c 1000 /dev/urandom >"$WORK/data"
openssl x509 -inform DER -in "$JPKI_AUTH_CERT" -pubkey -noout >"$WORK/auth.pub"
openssl x509 -inform DER -in "$JPKI_SIGN_CERT" -pubkey -noout >"$WORK/sign.pub"
p11 --token-label "$AUTH_TOKEN" --login --pin "$JPKI_AUTH_PIN" --id 01 --sign -m SHA256-RSA-PKCS \
	-i "$WORK/data" -o "$WORK/auth.sig" >"$WORK/out" 2>&1
ok $? "SHA256-RSA-PKCS signature with the auth key"
openssl dgst -sha256 -verify "$WORK/auth.pub" -signature "$WORK/auth.sig" "$WORK/data" >/dev/null 2>&1
ok $? "auth signature verifies with openssl against JPKI_AUTH_CERT"
p11 --token-label "$SIGN_TOKEN" --login --pin "$JPKI_SIGN_PIN" --id 02 --sign -m SHA256-RSA-PKCS \
	-i "$WORK/data" -o "$WORK/sign.sig" >"$WORK/out" 2>&1
ok $? "SHA256-RSA-PKCS signature with the sign key (sign password)"
openssl dgst -sha256 -verify "$WORK/sign.pub" -signature "$WORK/sign.sig" "$WORK/data" >/dev/null 2>&1
ok $? "sign signature verifies with openssl against JPKI_SIGN_CERT"
ok "$(grep -q '^802A0080.* -> .*(256 bytes) 9000 ok$' "$JPKI_APDU_LOG"; echo $?)" \
	"the card computed the signatures (80 2A in the APDU log)"
ok "$(! grep -q "$JPKI_SIGN_PIN\|$(printf %s "$JPKI_SIGN_PIN" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" "$JPKI_APDU_LOG"; echo $?)" \
	"no PIN in the APDU log"

# A wrong PIN lowers the counter; a right one restores it.
ok "$([ "$(tries auth-pin)" = 3 ]; echo $?)" "auth PIN counter 3"
p11 --token-label "$AUTH_TOKEN" --login --pin 0000 -O >"$WORK/out" 2>&1
ok "$([ $? != 0 ] && grep -q CKR_PIN_INCORRECT "$WORK/out"; echo $?)" "wrong auth PIN: CKR_PIN_INCORRECT"
ok "$([ "$(tries auth-pin)" = 2 ]; echo $?)" "the card's counter went down to 2"
ok "$(grep -q '^0020008004\*\* -> 63C2 pin-fail$' "$JPKI_APDU_LOG"; echo $?)" "card answered 63C2"
p11 -L >"$WORK/list" 2>&1
sed -n "/$AUTH_TOKEN/,/pin min/p" "$WORK/list" | grep 'token flags' | sed 's/^/# /'
ok "$(sed -n "/$AUTH_TOKEN/,/pin min/p" "$WORK/list" | grep -q 'user PIN count low'; echo $?)" \
	"pkcs11-tool -L shows 'user PIN count low'"
p11 --token-label "$AUTH_TOKEN" --login --pin "$JPKI_AUTH_PIN" -O >"$WORK/out" 2>&1
ok $? "right auth PIN logs in"
ok "$([ "$(tries auth-pin)" = 3 ]; echo $?)" "the card's counter is back to 3"
p11 -L >"$WORK/list" 2>&1
ok "$(! sed -n "/$AUTH_TOKEN/,/pin min/p" "$WORK/list" | grep -q 'user PIN count low'; echo $?)" \
	"pkcs11-tool -L no longer shows 'count low'"
p11 --token-label "$SIGN_TOKEN" --login --pin WRONG123 -O >"$WORK/out" 2>&1
ok "$([ $? != 0 ] && [ "$(tries sign-pin)" = 4 ]; echo $?)" "wrong sign password: counter 5 -> 4"
p11 --token-label "$SIGN_TOKEN" --login --pin "$JPKI_SIGN_PIN" -O >"$WORK/out" 2>&1
ok "$([ $? = 0 ] && [ "$(tries sign-pin)" = 5 ]; echo $?)" "right sign password: counter back to 5"

echo "1..$n"
[ $fails = 0 ]
