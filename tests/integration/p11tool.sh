#!/bin/bash
# GnuTLS drives the module: p11tool finds the tokens and certificates by
# PKCS#11 URI (RFC 7512) and test-signs with both keys, and gnutls-cli logs in
# to servers that require a client certificate, with the card's
# authentication key: TLS 1.3 and TLS 1.2 with the card's own RSA-PSS, no
# client-side setting.  On a card that refuses PSS (--no-pss) the module
# lists no PSS: TLS 1.2 works as before (PKCS#1 v1.5, chosen by GnuTLS from
# the mechanism list) and TLS 1.3 fails as it always did.
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
tap_ok "mechanisms by URI: the card's PSS" grep -q 'CKM_SHA256_RSA_PKCS_PSS' "$WORK/mechs.txt"

# gnutls_to PORT NAME [OPTIONS]: one HTTPS request with the card's auth key;
# the client's output in $WORK/NAME.txt.  The server's address, not
# "localhost": a minimal root may have no /etc/hosts (the certificate names
# both).
gnutls_to()
{
	local port=$1 name=$2
	shift 2
	printf 'GET / HTTP/1.0\r\n\r\n' | timeout 30 gnutls-cli --provider "$MOD" \
		--x509cafile "$WORK/srv-ca.crt" "$@" \
		--x509certfile "$AUTH_TOKEN;id=%$AUTH_ID;type=cert" \
		--x509keyfile "$AUTH_KEY;pin-value=$JPKI_AUTH_PIN" -p "$port" 127.0.0.1 \
		> "$WORK/$name.txt" 2>&1
}

# TLS 1.3 (the server's only version), GnuTLS's default priorities.
port=$(free_port)
start_s_server "$port" -tls1_3
gnutls_to "$port" gnutls-13
tap_ok "TLS 1.3: the server verified the card's certificate" grep -q 'verify return:1' "$WORK/s_server-$port.log"
tap_ok "TLS 1.3: the page came back over the authenticated session" \
	sh -c "grep -q 'TLS1.3' '$WORK/gnutls-13.txt' && grep -q 'HTTP/1.0 200 ok' '$WORK/gnutls-13.txt'"
tap_ok "TLS 1.3: the card signed RSA-PSS (80 2A 04 97)" test "$(pss_signatures)" -ge 1

# TLS 1.2 (the server's only version), GnuTLS's default priorities.
port=$(free_port)
start_s_server "$port" -tls1_2
gnutls_to "$port" gnutls-12
tap_ok "TLS 1.2: the server verified the card's certificate" grep -q 'verify return:1' "$WORK/s_server-$port.log"
tap_ok "TLS 1.2: the page came back over the authenticated session" \
	sh -c "grep -q 'TLS1.2' '$WORK/gnutls-12.txt' && grep -q 'HTTP/1.0 200 ok' '$WORK/gnutls-12.txt'"

# A card that refuses PSS (6A86): no PSS listed; TLS 1.2 as before, with no
# client-side setting; TLS 1.3: GnuTLS sends no certificate, as before.
stack_stop
stack_start --no-pss
p11tool --provider "$MOD" --list-mechanisms "$AUTH_TOKEN" > "$WORK/mechs-nopss.txt" 2>&1
tap_ok "no-PSS card: SHA256-RSA-PKCS listed" grep -q 'CKM_SHA256_RSA_PKCS' "$WORK/mechs-nopss.txt"
tap_ok "no-PSS card: no PSS listed" sh -c "! grep -q PSS '$WORK/mechs-nopss.txt'"
port=$(free_port)
start_s_server "$port" -tls1_2
gnutls_to "$port" nopss-12
tap_ok "no-PSS card, TLS 1.2: the server verified the card's certificate" \
	grep -q 'verify return:1' "$WORK/s_server-$port.log"
tap_ok "no-PSS card, TLS 1.2: the page came back" grep -q 'HTTP/1.0 200 ok' "$WORK/nopss-12.txt"
port=$(free_port)
start_s_server "$port" -tls1_3
gnutls_to "$port" nopss-13
tap_ok "no-PSS card, TLS 1.3: refused as before (no PKCS#1 v1.5 client signature in TLS 1.3)" \
	sh -c "! grep -q 'verify return:1' '$WORK/s_server-$port.log'"
tap_ok "no-PSS card, TLS 1.3: the failure is the missing certificate" \
	grep -Eqi 'certificate required|peer did not return a certificate|alert' "$WORK/s_server-$port.log" "$WORK/nopss-13.txt"
tap_is "no-PSS card: no PSS signature was asked of the card" "$(pss_signatures)" 0

tap_done
