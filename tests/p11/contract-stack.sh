#!/bin/bash
# The contract tests over a real pcscd: tests/stack (private pcscd + vpcd +
# the emulated card), the installed module ($JPKI_MODULE), and the same C
# contract binaries as against the in-process emulator.  Then pkcs11-tool,
# as a consumer, lists, signs with both keys (checked with openssl against
# the exported certificates) and changes both PINs.  Last, on a stack with
# two cards, the card events: removal, reset, slot events, two cards.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/p11/contract-run.sh"
. "$top_srcdir/tests/lib/stack.sh"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
command -v pkcs11-tool >/dev/null || tap_bail "pkcs11-tool is missing (opensc)"

stack_start
export JPKI_P11_TARGET=stack

for t in test-card-slot test-card-session test-card-object test-card-login test-card-sign \
	test-card-write test-card-settings test-card-ladder; do
	contract_run $t
done

MOD=$JPKI_MODULE
TA=(--module "$MOD" --token-label "JPKI Auth (4-digit PIN)")
TS=(--module "$MOD" --token-label "JPKI Sign (6-16 char password)")
cd "$WORK" || exit 2
echo "a message" >data.txt
openssl x509 -inform DER -in "$JPKI_AUTH_CERT" -pubkey -noout >auth.pem
openssl x509 -inform DER -in "$JPKI_SIGN_CERT" -pubkey -noout >sign.pem

tap_ok "pkcs11-tool -L" pkcs11-tool --module "$MOD" -L
tap_is "-L shows both tokens" "$(pkcs11-tool --module "$MOD" -L 2>&1 | grep -c 'token label *: JPKI')" 2
tap_ok "pkcs11-tool -O without login" pkcs11-tool "${TA[@]}" -O
tap_is "... the auth certificate is listed" \
	"$(pkcs11-tool "${TA[@]}" -O 2>&1 | grep -c 'label: *User Authentication Certificate')" 1
tap_is "pkcs11-tool -O after login shows the private key" \
	"$(pkcs11-tool "${TA[@]}" --login --pin "$JPKI_AUTH_PIN" -O 2>&1 | grep -c 'Private Key Object')" 1
tap_ok "sign with the auth key (SHA256-RSA-PKCS)" pkcs11-tool "${TA[@]}" --login \
	--pin "$JPKI_AUTH_PIN" --id 01 --sign -m SHA256-RSA-PKCS -i data.txt -o auth.sig
tap_ok "... verifies with the auth certificate" openssl dgst -sha256 -verify auth.pem \
	-signature auth.sig data.txt
tap_ok "sign with the sign key (CKU_CONTEXT_SPECIFIC by pkcs11-tool)" pkcs11-tool "${TS[@]}" \
	--login --pin "$JPKI_SIGN_PIN" --id 02 --sign -m SHA384-RSA-PKCS -i data.txt -o sign.sig
tap_ok "... verifies with the sign certificate" openssl dgst -sha384 -verify sign.pem \
	-signature sign.sig data.txt
tap_ok "--change-pin on the auth token" pkcs11-tool "${TA[@]}" --change-pin \
	--pin "$JPKI_AUTH_PIN" --new-pin 2468
tap_ok "... the new PIN signs" pkcs11-tool "${TA[@]}" --login --pin 2468 --id 01 --sign \
	-m SHA256-RSA-PKCS -i data.txt -o auth2.sig
tap_ok "... and back" pkcs11-tool "${TA[@]}" --change-pin --pin 2468 --new-pin "$JPKI_AUTH_PIN"
tap_ok "--change-pin on the sign token" pkcs11-tool "${TS[@]}" --change-pin \
	--pin "$JPKI_SIGN_PIN" --new-pin CHANGED2026
tap_ok "... and back" pkcs11-tool "${TS[@]}" --change-pin --pin CHANGED2026 \
	--new-pin "$JPKI_SIGN_PIN"

# Removal, reset by another process, slot events and two cards: a stack of
# its own, with a second card in the second reader.
cd / && stack_stop
stack_start --second-card
contract_run test-card-events
tap_done
