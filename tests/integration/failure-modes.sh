#!/bin/bash
# What a user meets when something is wrong, through pkcs11-tool: no PC/SC
# service, a reader without a card (and the card coming back), a card
# pulled during a signature, a PIN that gets blocked, and a card without
# the JPKI application: each gives the PKCS#11 answer a client can explain,
# and a blocked PIN is never sent to the card again.  (TLS 1.3 servers are
# covered by the p11tool, openssl-engine and firefox tests.)
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/consumer.sh"

# No PC/SC service at all: the module loads and lists no slot.
PCSCLITE_CSOCK_NAME=$WORK/no-pcscd.sock pkcs11-tool --module "$MOD" -L > "$WORK/noservice.txt" 2>&1
tap_ok "no pcscd: the module loads and lists no slot" grep -q 'No slots' "$WORK/noservice.txt"

stack_start
A=(--module "$MOD" --token-label "$AUTH_LABEL")

# A reader without a card still shows its slots, with no token in them.
"$top_srcdir/tests/stack" remove 2> "$WORK/remove.err" || tap_bail "tests/stack remove failed"
pkcs11-tool --module "$MOD" -L > "$WORK/nocard.txt" 2>&1
tap_is "no card: both slots of the reader are listed" "$(grep -c "^Slot .*$JPKI_READER" "$WORK/nocard.txt")" 2
tap_ok "no card: no token in them" sh -c "! grep -q 'token label' '$WORK/nocard.txt'"
pkcs11-tool --module "$MOD" --slot-index 0 --login --pin "$JPKI_AUTH_PIN" -O > "$WORK/nocard-login.txt" 2>&1
tap_ok "no card: a login is refused with 'token not present'" grep -q 'CKR_TOKEN_NOT_PRESENT' "$WORK/nocard-login.txt"
"$top_srcdir/tests/stack" insert 2> "$WORK/insert.err" || tap_bail "tests/stack insert failed"
pkcs11-tool --module "$MOD" -L > "$WORK/back.txt" 2>&1
tap_is "the card is back: both tokens again" "$(grep -c 'token label' "$WORK/back.txt")" 2

# Blocking the authentication PIN: three wrong tries.
verifies() { apdus '^00200080[0-9A-F]{2}\*\*'; }
pkcs11-tool "${A[@]}" --login --pin 1111 -O > "$WORK/try1.txt" 2>&1
tap_ok "first wrong PIN: incorrect" grep -q 'CKR_PIN_INCORRECT' "$WORK/try1.txt"
pkcs11-tool "${A[@]}" --login --pin 1112 -O > "$WORK/try2.txt" 2>&1
pkcs11-tool --module "$MOD" -L > "$WORK/final.txt" 2>&1
tap_ok "two wrong PINs: the token says final try" grep -q 'final user PIN try' "$WORK/final.txt"
pkcs11-tool "${A[@]}" --login --pin 1113 -O > "$WORK/try3.txt" 2>&1
tap_ok "third wrong PIN: locked" grep -q 'CKR_PIN_LOCKED' "$WORK/try3.txt"
pkcs11-tool --module "$MOD" -L > "$WORK/locked.txt" 2>&1
tap_ok "the token says the PIN is locked" grep -q 'user PIN locked' "$WORK/locked.txt"
before=$(verifies)
pkcs11-tool "${A[@]}" --login --pin "$JPKI_AUTH_PIN" -O > "$WORK/after.txt" 2>&1
tap_ok "even the right PIN is refused: locked" grep -q 'CKR_PIN_LOCKED' "$WORK/after.txt"
tap_is "and nothing was sent to the card" "$(($(verifies) - before))" 0
pkcs11-tool --module "$MOD" --token-label "$SIGN_LABEL" --login --pin "$JPKI_SIGN_PIN" -O > "$WORK/sign.txt" 2>&1
tap_ok "the signature token still works" grep -q 'Private Key Object' "$WORK/sign.txt"

# A card pulled during C_Sign, right before the signature command: pcsc-lite
# answers the transmit "transaction failed", and the module must say
# CKR_DEVICE_REMOVED (the card left), not CKR_DEVICE_ERROR.  Where to pull is
# found by a dry run, so the test follows the module's APDU economy.
D=(--module "$MOD" --token-label "$AUTH_LABEL" --login --pin "$JPKI_AUTH_PIN" --sign
	-m SHA256-RSA-PKCS --id "$AUTH_ID" -i "$WORK/doc" -o "$WORK/doc.sig")
echo "a document" > "$WORK/doc"
"$top_srcdir/tests/stack" stop --dir "$JPKI_STACK_DIR" >/dev/null 2>&1
stack_start
pkcs11-tool "${D[@]}" > "$WORK/dry.txt" 2>&1
cut=$(grep -v '^#' "$JPKI_APDU_LOG" | grep -n '^802A' | head -n1 | cut -d: -f1)
tap_ok "dry run: the signature is APDU ${cut:-?}" test -n "$cut" -a -s "$WORK/doc.sig"
"$top_srcdir/tests/stack" stop --dir "$JPKI_STACK_DIR" >/dev/null 2>&1
rm -f "$WORK/doc.sig"
stack_start --remove-after "$((${cut:-2} - 1))" --reinsert-ms 1500
JPKI_PKCS11_DEBUG=3:$WORK/pulled.log pkcs11-tool "${D[@]}" > "$WORK/pulled.txt" 2>&1
# (pkcs11-tool then tries C_SignInit again, on a session the removal closed:
# the module's call log shows what C_Sign itself returned.)
tap_ok "pulled before the signature: C_Sign returns CKR_DEVICE_REMOVED" \
	grep -q '<- C_Sign = CKR_DEVICE_REMOVED' "$WORK/pulled.log" ||
	grep '<- C_' "$WORK/pulled.log" | tail -n 3 | sed 's/^/# /'
tap_ok "pulled before the signature: pkcs11-tool fails" grep -q 'Aborting' "$WORK/pulled.txt"
tap_ok "pulled before the signature: the card was pulled where planned" grep -q '^# card pulled' "$JPKI_APDU_LOG"
tap_is "pulled before the signature: no signature command reached the card" "$(apdus '^802A')" 0
tap_ok "pulled before the signature: no signature written" test ! -s "$WORK/doc.sig"
for i in $(seq 50); do
	pkcs11-tool "${D[@]}" > "$WORK/again.txt" 2>&1 && break
	sleep 0.2
done
tap_ok "the card back in: the signature works again" test -s "$WORK/doc.sig"

# A card without the JPKI application (another smart card): the reader's
# slots show no token, and the module asked the card only for the JPKI AP.
"$top_srcdir/tests/stack" stop --dir "$JPKI_STACK_DIR" >/dev/null 2>&1
stack_start --no-jpki
pkcs11-tool --module "$MOD" -L > "$WORK/nojpki.txt" 2>&1
tap_is "no JPKI: both slots of the reader are listed" "$(grep -c "^Slot .*$JPKI_READER" "$WORK/nojpki.txt")" 2
tap_ok "no JPKI: no token in them" sh -c "! grep -q 'token label' '$WORK/nojpki.txt'"
tap_is "no JPKI: only the label probe and SELECTs of the JPKI AP reached the card" \
	"$(apdus '^[0-9A-F]')" "$(apdus '^(00A4040C0AD392F000260100000001|00B0860020) ')"
tap_ok "no JPKI: at least one such SELECT" test "$(apdus '^00A4040C0AD392F000260100000001 ')" -ge 1
pkcs11-tool --module "$MOD" --slot-index 0 --login --pin "$JPKI_AUTH_PIN" -O > "$WORK/nojpki-login.txt" 2>&1
tap_ok "no JPKI: a login is refused with 'token not present'" grep -q 'CKR_TOKEN_NOT_PRESENT' "$WORK/nojpki-login.txt"
tap_is "no JPKI: no PIN reached the card" "$(verifies)" 0

# The old 住基カード: recognised by its token label and not offered (its
# JPKI rules differ and all its certificates have expired).
"$top_srcdir/tests/stack" stop --dir "$JPKI_STACK_DIR" >/dev/null 2>&1
stack_start --juki
pkcs11-tool --module "$MOD" -L > "$WORK/juki.txt" 2>&1
tap_is "Juki card: both slots of the reader are listed" "$(grep -c "^Slot .*$JPKI_READER" "$WORK/juki.txt")" 2
tap_ok "Juki card: no token in them" sh -c "! grep -q 'token label' '$WORK/juki.txt'"
tap_ok "Juki card: the module read its label" test "$(apdus '^00B0(86|00)0020 ')" -ge 1
tap_is "Juki card: no certificate was read (no READ but of the label)" \
	"$(($(apdus '^00B0') - $(apdus '^00B0(86|00)0020 ')))" 0
pkcs11-tool --module "$MOD" --slot-index 0 --login --pin "$JPKI_AUTH_PIN" -O > "$WORK/juki-login.txt" 2>&1
tap_ok "Juki card: a login is refused with 'token not present'" grep -q 'CKR_TOKEN_NOT_PRESENT' "$WORK/juki-login.txt"
tap_is "Juki card: no PIN reached the card" "$(verifies)" 0

tap_done
