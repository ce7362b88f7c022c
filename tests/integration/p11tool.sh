#!/bin/bash
# GnuTLS drives the module: p11tool finds the tokens and certificates by
# PKCS#11 URI (RFC 7512) and test-signs with both keys, and gnutls-cli logs in
# to a TLS 1.2 server that requires a client certificate, with the card's
# authentication key.  TLS 1.3 fails as documented: it allows only RSA-PSS
# client signatures, which this card cannot make.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/consumer.sh"
stack_start
make_server_cert

AUTH_TOKEN="pkcs11:token=$(uri_escape "$AUTH_LABEL")"
SIGN_TOKEN="pkcs11:token=$(uri_escape "$SIGN_LABEL")"
AUTH_KEY="$AUTH_TOKEN;id=%$AUTH_ID;type=private"
SIGN_KEY="$SIGN_TOKEN;id=%$SIGN_ID;type=private"

p11tool --provider "$MOD" --list-tokens > "$WORK/tokens.txt" 2>&1
tap_ok "p11tool lists the authentication token" grep -q "Label: $AUTH_LABEL" "$WORK/tokens.txt"
tap_ok "p11tool lists the signature token" grep -qF "Label: $SIGN_LABEL" "$WORK/tokens.txt"
tap_ok "tokens carry a URL with the token label" grep -q "URL: pkcs11:.*token=JPKI%20Auth" "$WORK/tokens.txt"

p11tool --provider "$MOD" --list-all-certs "$AUTH_TOKEN" > "$WORK/certs.txt" 2>&1
tap_ok "the authentication certificate by URI, without a PIN" grep -q 'Label: User Authentication Certificate' "$WORK/certs.txt"
tap_ok "the authentication CA certificate by URI" grep -q 'Label: User Authentication CA' "$WORK/certs.txt"
p11tool --provider "$MOD" --export "$AUTH_TOKEN;id=%$AUTH_ID;type=cert" --outder --outfile "$WORK/auth.der" > /dev/null 2>&1
tap_ok "p11tool exports the certificate unchanged" cmp "$WORK/auth.der" "$JPKI_AUTH_CERT"

GNUTLS_PIN=$JPKI_AUTH_PIN p11tool --provider "$MOD" --login --list-privkeys "$AUTH_TOKEN" > "$WORK/keys.txt" 2>&1
tap_ok "the private key is listed after login" grep -q 'Type: Private key (RSA-2048)' "$WORK/keys.txt"
tap_ok "test-sign with the authentication key" \
	env GNUTLS_PIN="$JPKI_AUTH_PIN" p11tool --provider "$MOD" --login --test-sign "$AUTH_KEY"
tap_ok "test-sign with the signature key" \
	env GNUTLS_PIN="$JPKI_SIGN_PIN" p11tool --provider "$MOD" --login --test-sign "$SIGN_KEY"

p11tool --provider "$MOD" --list-mechanisms "$AUTH_TOKEN" > "$WORK/mechs.txt" 2>&1
tap_ok "mechanisms by URI: SHA256-RSA-PKCS" grep -q 'CKM_SHA256_RSA_PKCS' "$WORK/mechs.txt"
tap_ok "mechanisms by URI: no PSS" sh -c "! grep -q PSS '$WORK/mechs.txt'"

# TLS 1.2 client authentication with the card's key.  The server's address,
# not "localhost": a minimal root may have no /etc/hosts (the certificate
# names both).
port=$(free_port)
start_s_server "$port"
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 30 gnutls-cli --provider "$MOD" \
	--x509cafile "$WORK/srv-ca.crt" --priority NORMAL:-VERS-TLS1.3 \
	--x509certfile "$AUTH_TOKEN;id=%$AUTH_ID;type=cert" \
	--x509keyfile "$AUTH_KEY;pin-value=$JPKI_AUTH_PIN" -p "$port" 127.0.0.1 \
	> "$WORK/gnutls-12.txt" 2>&1
tap_ok "TLS 1.2: the server verified the card's certificate" grep -q 'verify return:1' "$WORK/s_server-$port.log"
tap_ok "TLS 1.2: the server saw the client certificate" grep -q 'Client certificate' "$WORK/gnutls-12.txt"
tap_ok "TLS 1.2: the page came back over the authenticated session" grep -q 'New, TLSv1.2' "$WORK/gnutls-12.txt"

# TLS 1.3: the card cannot make RSA-PSS signatures, so GnuTLS sends no
# certificate and the server refuses the handshake.  Users set -VERS-TLS1.3.
port=$(free_port)
start_s_server "$port"
printf 'GET / HTTP/1.0\r\n\r\n' | timeout 30 gnutls-cli --provider "$MOD" \
	--x509cafile "$WORK/srv-ca.crt" --priority NORMAL \
	--x509certfile "$AUTH_TOKEN;id=%$AUTH_ID;type=cert" \
	--x509keyfile "$AUTH_KEY;pin-value=$JPKI_AUTH_PIN" -p "$port" 127.0.0.1 \
	> "$WORK/gnutls-13.txt" 2>&1
tap_ok "TLS 1.3: the server refuses (no PKCS#1 v1.5 client signature in TLS 1.3)" \
	sh -c "! grep -q 'verify return:1' '$WORK/s_server-$port.log'"
tap_ok "TLS 1.3: the failure is the missing certificate" \
	grep -Eqi 'certificate required|peer did not return a certificate|alert' "$WORK/s_server-$port.log" "$WORK/gnutls-13.txt"

tap_done
