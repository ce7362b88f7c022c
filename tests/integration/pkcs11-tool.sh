#!/bin/bash
# OpenSC's pkcs11-tool drives the module on the real path (module -> libpcsclite
# -> private pcscd -> vpcd -> emulated card): tokens, objects before and after
# login, signatures with both keys and every mechanism (checked by openssl),
# PIN changes, and a wrong PIN that shows in the token flags and costs exactly
# one VERIFY.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/consumer.sh"
stack_start

A=(--module "$MOD" --token-label "$AUTH_LABEL")
S=(--module "$MOD" --token-label "$SIGN_LABEL")
openssl x509 -inform DER -in "$JPKI_AUTH_CERT" -pubkey -noout > "$WORK/auth-pub.pem"
openssl x509 -inform DER -in "$JPKI_SIGN_CERT" -pubkey -noout > "$WORK/sign-pub.pem"
printf 'The quick brown fox jumps over the lazy dog\n' > "$WORK/data.txt"

pkcs11-tool --module "$MOD" -L > "$WORK/list.txt" 2>&1
tap_ok "pkcs11-tool -L lists the slots" test -s "$WORK/list.txt"
tap_is "two tokens on one card" "$(grep -c 'token label' "$WORK/list.txt")" 2
tap_ok "authentication token listed" grep -q "token label *: $AUTH_LABEL" "$WORK/list.txt"
tap_ok "signature token listed" sh -c "grep 'token label' '$WORK/list.txt' | grep -qF '$SIGN_LABEL'"
tap_ok "token serial is not zeros" sh -c "! grep -q 'serial num *: 0*$' '$WORK/list.txt'"
tap_ok "tokens want a login" grep -q 'login required' "$WORK/list.txt"

pkcs11-tool "${A[@]}" -M > "$WORK/mechs.txt" 2>&1
for m in RSA-PKCS SHA1-RSA-PKCS SHA224-RSA-PKCS SHA256-RSA-PKCS SHA384-RSA-PKCS SHA512-RSA-PKCS \
	RSA-PKCS-PSS SHA256-RSA-PKCS-PSS; do
	tap_ok "mechanism $m offered" grep -q "^ *$m," "$WORK/mechs.txt"
done
tap_is "nothing else offered (no other PSS, no decrypt)" "$(grep -c '^ *[A-Z0-9-]*,' "$WORK/mechs.txt")" 8
tap_ok "mechanisms are hardware signing only" sh -c "! grep -Eqi 'decrypt|encrypt|verify|digest' '$WORK/mechs.txt'"

# Objects before and after login.
pkcs11-tool "${A[@]}" -O > "$WORK/auth-public.txt" 2>&1
tap_ok "auth token, no login: the certificate" grep -q 'label: *User Authentication Certificate' "$WORK/auth-public.txt"
tap_ok "auth token, no login: the CA certificate" grep -q 'label: *User Authentication CA' "$WORK/auth-public.txt"
tap_ok "auth token, no login: no private key" sh -c "! grep -q 'Private Key Object' '$WORK/auth-public.txt'"
pkcs11-tool "${A[@]}" --login --pin "$JPKI_AUTH_PIN" -O > "$WORK/auth-all.txt" 2>&1
tap_ok "auth token, after login: the private key" grep -q 'Private Key Object' "$WORK/auth-all.txt"
pkcs11-tool "${S[@]}" -O > "$WORK/sign-public.txt" 2>&1
tap_ok "sign token, no login: the CA certificate" grep -q 'label: *Digital Signature CA' "$WORK/sign-public.txt"
tap_ok "sign token, no login: its own certificate stays hidden" \
	sh -c "! grep -q 'label: *Digital Signature Certificate' '$WORK/sign-public.txt'"
pkcs11-tool "${S[@]}" --login --pin "$JPKI_SIGN_PIN" -O > "$WORK/sign-all.txt" 2>&1
tap_ok "sign token, after login: the certificate" grep -q 'label: *Digital Signature Certificate' "$WORK/sign-all.txt"
tap_ok "sign token, after login: the private key" grep -q 'Private Key Object' "$WORK/sign-all.txt"

pkcs11-tool "${A[@]}" --read-object --type cert --id $AUTH_ID -o "$WORK/auth.der" > /dev/null 2>&1
tap_ok "the auth certificate read through the module equals the card's" cmp "$WORK/auth.der" "$JPKI_AUTH_CERT"

# Signatures with every mechanism and both keys, verified by openssl.
sign_and_check() # TOKEN-ARRAY-NAME PIN ID PUBKEY MECH HASH
{
	local -n tok=$1
	local out=$WORK/sig-$3-$5.bin
	pkcs11-tool "${tok[@]}" --login --pin "$2" --id "$3" --sign -m "$5" \
		-i "$WORK/data.txt" -o "$out" > "$WORK/sign.log" 2>&1 &&
		openssl dgst "-$6" -verify "$4" -signature "$out" "$WORK/data.txt"
}
for h in sha1 sha224 sha256 sha384 sha512; do
	m=$(echo "$h" | tr a-z A-Z)-RSA-PKCS
	tap_ok "auth key signs with $m" sign_and_check A "$JPKI_AUTH_PIN" $AUTH_ID "$WORK/auth-pub.pem" "$m" $h
	tap_ok "sign key signs with $m" sign_and_check S "$JPKI_SIGN_PIN" $SIGN_ID "$WORK/sign-pub.pem" "$m" $h
done
# CKM_RSA_PKCS takes the caller's DigestInfo (SHA-256 here).
{ printf '\x30\x31\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x20'
	openssl dgst -sha256 -binary "$WORK/data.txt"; } > "$WORK/data.di"
pkcs11-tool "${A[@]}" --login --pin "$JPKI_AUTH_PIN" --id $AUTH_ID --sign -m RSA-PKCS \
	-i "$WORK/data.di" -o "$WORK/raw.bin" > /dev/null 2>&1
tap_ok "RSA-PKCS over a DigestInfo equals SHA256-RSA-PKCS" cmp "$WORK/raw.bin" "$WORK/sig-$AUTH_ID-SHA256-RSA-PKCS.bin"

# RSA-PSS made by the card (P1 04, the key named by SFI): SHA-256, MGF1-SHA-256, salt 32.
pss_and_check() # TOKEN-ARRAY-NAME PIN ID PUBKEY MECH INPUT
{
	local -n tok=$1
	local out=$WORK/pss-$3-$5.bin hash=()
	[ "$5" = RSA-PKCS-PSS ] && hash=(--hash-algorithm SHA256)
	pkcs11-tool "${tok[@]}" --login --pin "$2" --id "$3" --sign -m "$5" "${hash[@]}" \
		--mgf MGF1-SHA256 --salt-len 32 -i "$WORK/$6" -o "$out" > "$WORK/sign.log" 2>&1 &&
		openssl dgst -sha256 -verify "$4" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
			-signature "$out" "$WORK/data.txt"
}
openssl dgst -sha256 -binary "$WORK/data.txt" > "$WORK/data.sha256"
tap_ok "auth key signs with SHA256-RSA-PKCS-PSS (openssl verifies, salt 32)" \
	pss_and_check A "$JPKI_AUTH_PIN" $AUTH_ID "$WORK/auth-pub.pem" SHA256-RSA-PKCS-PSS data.txt
tap_ok "sign key signs with SHA256-RSA-PKCS-PSS" \
	pss_and_check S "$JPKI_SIGN_PIN" $SIGN_ID "$WORK/sign-pub.pem" SHA256-RSA-PKCS-PSS data.txt
tap_ok "auth key signs a SHA-256 hash with RSA-PKCS-PSS" \
	pss_and_check A "$JPKI_AUTH_PIN" $AUTH_ID "$WORK/auth-pub.pem" RSA-PKCS-PSS data.sha256
tap_ok "the card signed PSS with the key named by SFI (80 2A 04 97)" test "$(apdus '^802A0497')" -ge 2
openssl dgst -sha384 -binary "$WORK/data.txt" > "$WORK/data.sha384"
pkcs11-tool "${A[@]}" --login --pin "$JPKI_AUTH_PIN" --id $AUTH_ID --sign -m RSA-PKCS-PSS \
	--hash-algorithm SHA384 --mgf MGF1-SHA384 --salt-len 48 -i "$WORK/data.sha384" \
	-o "$WORK/pss384.bin" > "$WORK/pss384.log" 2>&1
tap_ok "PSS with SHA-384 refused at C_SignInit" grep -q 'CKR_MECHANISM_PARAM_INVALID' "$WORK/pss384.log"

# A wrong PIN: one VERIFY, the counter shows in the flags, a right PIN restores it.
# A VERIFY that carries a PIN logs as 00200080<Lc>** (an empty VERIFY, the
# counter query, has no data and does not count).
before=$(apdus '^00200080[0-9A-F]{2}\*\*')
pkcs11-tool "${A[@]}" --login --pin 0000 -O > "$WORK/wrong.txt" 2>&1
tap_ok "wrong PIN refused" grep -q 'CKR_PIN_INCORRECT' "$WORK/wrong.txt"
tap_is "the wrong PIN cost exactly one VERIFY" "$(($(apdus '^00200080[0-9A-F]{2}\*\*') - before))" 1
pkcs11-tool "${A[@]}" -L > "$WORK/low.txt" 2>&1
tap_ok "token flags say the PIN count is low" grep -q 'user PIN count low' "$WORK/low.txt"
before=$(apdus '^00200080[0-9A-F]{2}\*\*')
pkcs11-tool "${A[@]}" --login --pin 12345 -O > "$WORK/malformed.txt" 2>&1
tap_ok "a 5-digit PIN is refused" grep -Eq 'CKR_PIN_LEN_RANGE|CKR_PIN_INVALID' "$WORK/malformed.txt"
tap_is "the malformed PIN never reached the card" "$(($(apdus '^00200080[0-9A-F]{2}\*\*') - before))" 0
pkcs11-tool "${A[@]}" --login --pin "$JPKI_AUTH_PIN" -O > /dev/null 2>&1
pkcs11-tool "${A[@]}" -L > "$WORK/restored.txt" 2>&1
tap_ok "a right PIN restores the counter" sh -c "! grep -q 'user PIN count low' '$WORK/restored.txt'"

# PIN changes on both tokens, then a login with the new PIN, then back.
change() # TOKEN-ARRAY-NAME OLD NEW
{
	local -n tok=$1
	pkcs11-tool "${tok[@]}" --login --pin "$2" --change-pin --new-pin "$3" > "$WORK/change.log" 2>&1 &&
		pkcs11-tool "${tok[@]}" --login --pin "$3" -O > /dev/null 2>&1
}
tap_ok "auth PIN changed, login with the new PIN" change A "$JPKI_AUTH_PIN" 4321
tap_ok "auth PIN changed back" change A 4321 "$JPKI_AUTH_PIN"
tap_ok "sign password changed, login with the new one" change S "$JPKI_SIGN_PIN" NEWPASS42
tap_ok "sign password changed back" change S NEWPASS42 "$JPKI_SIGN_PIN"
before=$(apdus '^0024')
pkcs11-tool "${S[@]}" --login --pin "$JPKI_SIGN_PIN" --change-pin --new-pin 'bad pw!' > "$WORK/badnew.txt" 2>&1
tap_ok "a malformed new password is refused" grep -Eq 'CKR_PIN_INVALID|CKR_PIN_LEN_RANGE' "$WORK/badnew.txt"
tap_is "no CHANGE REFERENCE DATA reached the card" "$(($(apdus '^0024') - before))" 0

tap_done
