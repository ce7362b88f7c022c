#!/bin/bash
# Java's SunPKCS11 provider loads the module: keytool lists the
# authentication key entry (key and certificate paired by CKA_ID) after a
# login with the 4-digit PIN.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/consumer.sh"
command -v keytool > /dev/null || tap_bail "no Java keytool installed"
stack_start

# slotListIndex 0 is the first reader's authentication token.
printf 'name = jpki\nlibrary = %s\nslotListIndex = 0\n' "$MOD" > "$WORK/sunpkcs11.cfg"
timeout 120 keytool -list -v -keystore NONE -storetype PKCS11 \
	-providerClass sun.security.pkcs11.SunPKCS11 -providerArg "$WORK/sunpkcs11.cfg" \
	-storepass "$JPKI_AUTH_PIN" > "$WORK/keytool.txt" 2>&1
tap_ok "keytool lists the token" grep -q 'Keystore type: PKCS11' "$WORK/keytool.txt"
tap_ok "with the authentication key as a private key entry" grep -q 'Entry type: PrivateKeyEntry' "$WORK/keytool.txt"
CARD_CN=$(openssl x509 -inform DER -in "$JPKI_AUTH_CERT" -noout -subject -nameopt RFC2253 | sed 's/.*CN=\([^,]*\).*/\1/')
tap_ok "paired with the card's certificate" grep -q "Owner: CN=$CARD_CN" "$WORK/keytool.txt"

tap_done
