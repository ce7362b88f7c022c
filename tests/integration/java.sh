#!/bin/bash
# Java's SunPKCS11 provider loads the module: keytool lists the
# authentication key entry (key and certificate paired by CKA_ID) after a
# login with the 4-digit PIN, and the JDK's TLS client logs in with it over
# TLS 1.2 (TLS 1.3: see below).
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

# TLS client authentication with the JDK's own TLS (JSSE) and its default
# signature schemes, against TLS 1.3 and TLS 1.2 servers, on the PSS card and
# on a card that refuses PSS.
make_server_cert
java_tls() # PORT NAME
{
	timeout 120 java "$top_srcdir/tests/integration/TlsClient.java" "$WORK/sunpkcs11.cfg" \
		"$JPKI_AUTH_PIN" "$1" "$WORK/srv-ca.crt" > "$WORK/$2.txt" 2>&1
}
port=$(free_port)
start_s_server "$port" -tls1_3
java_tls "$port" java13
# JDK 17's SunPKCS11 makes RSASSA-PSS only on a token that also digests
# (CKM_SHA256 for C_DigestInit): P11PSSSignature refuses the parameters with
# "Unsupported digest algorithm: SHA-256", so JSSE finds no TLS 1.3
# CertificateVerify scheme for the key.  This module has no digest
# mechanisms (the card does not digest): the JDK's TLS 1.3 client does not
# accept it, and this records how it fails.
tap_ok "TLS 1.3: JDK 17 does not use the card's PSS (no page)" \
	sh -c "! grep -q 'HTTP/1.0 200 ok' '$WORK/java13.txt'"
tap_ok "TLS 1.3: ... because JSSE finds no CertificateVerify scheme for the key" \
	grep -q 'No supported CertificateVerify signature algorithm for RSA' "$WORK/java13.txt"
port=$(free_port)
start_s_server "$port" -tls1_2
java_tls "$port" java12
tap_ok "TLS 1.2: the page came back over TLS 1.2" \
	sh -c "grep -q '^protocol: TLSv1.2' '$WORK/java12.txt' && grep -q 'HTTP/1.0 200 ok' '$WORK/java12.txt'"
stack_stop
stack_start --no-pss
port=$(free_port)
start_s_server "$port" -tls1_2
java_tls "$port" nopss12
tap_ok "no-PSS card, TLS 1.2: the page came back over TLS 1.2" \
	sh -c "grep -q '^protocol: TLSv1.2' '$WORK/nopss12.txt' && grep -q 'HTTP/1.0 200 ok' '$WORK/nopss12.txt'"
port=$(free_port)
start_s_server "$port" -tls1_3
java_tls "$port" nopss13
tap_ok "no-PSS card, TLS 1.3: no page, as before" sh -c "! grep -q 'HTTP/1.0 200 ok' '$WORK/nopss13.txt'"

tap_done
