#!/bin/bash
# OpenSSL 3 with the libp11 pkcs11 engine drives the module: dgst -sign and a
# certificate request with a pkcs11: key URI, and s_client client
# authentication against s_server -Verify 1.  OpenSSL picks RSA-PSS for the
# client signature in TLS 1.3 and in TLS 1.2, and never asks the token for its
# mechanisms: the card's own PSS (80 2A P1 04) serves both, with no
# client-side setting.  On a card that refuses PSS (--no-pss) TLS 1.2 needs
# the client signature algorithms limited to RSA+SHA256/384/512, as before the
# card's PSS was used, and TLS 1.3 fails as it always did.
# A failed key load must end with exit 1, never a crash at exit (139).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/consumer.sh"
stack_start
make_server_cert

ENGINE=$(find /usr/lib -path '*engines-3/pkcs11.so' | head -n1)
[ -n "$ENGINE" ] || tap_bail "libengine-pkcs11-openssl is not installed"
cat > "$WORK/openssl-p11.cnf" <<CNF
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
ssl_conf = ssl_section
[engine_section]
pkcs11 = pkcs11_section
[pkcs11_section]
engine_id = pkcs11
dynamic_path = $ENGINE
MODULE_PATH = $MOD
init = 0
CNF
p11ssl() { OPENSSL_CONF=$WORK/openssl-p11.cnf openssl "$@"; }
KEY="pkcs11:token=$(uri_escape "$AUTH_LABEL");id=%$AUTH_ID;type=private"
openssl x509 -inform DER -in "$JPKI_AUTH_CERT" -out "$WORK/auth.crt"
openssl x509 -in "$WORK/auth.crt" -pubkey -noout > "$WORK/auth-pub.pem"
echo "data to sign" > "$WORK/data.txt"

tap_ok "the engine loads" sh -c "OPENSSL_CONF='$WORK/openssl-p11.cnf' openssl engine -t -c pkcs11 | grep -q available"
tap_ok "openssl dgst -sign with the card's key" p11ssl dgst -engine pkcs11 -keyform engine -sign "$KEY" \
	-passin "pass:$JPKI_AUTH_PIN" -sha256 -out "$WORK/s.bin" "$WORK/data.txt"
tap_ok "the signature verifies against the certificate" \
	openssl dgst -sha256 -verify "$WORK/auth-pub.pem" -signature "$WORK/s.bin" "$WORK/data.txt"
tap_ok "openssl req signs a request with the card's key" p11ssl req -new -engine pkcs11 -keyform engine \
	-key "$KEY;pin-value=$JPKI_AUTH_PIN" -subj "/CN=CSR from the card" -out "$WORK/t.csr"
tap_ok "the request's signature verifies" openssl req -verify -noout -in "$WORK/t.csr"

rc=0
p11ssl dgst -engine pkcs11 -keyform engine -sign "$KEY" -passin pass:0000 -sha256 \
	-out "$WORK/bad.bin" "$WORK/data.txt" > "$WORK/wrong-pin.txt" 2>&1 || rc=$?
tap_is "a wrong PIN ends with exit 1, not a crash at exit" "$rc" 1
p11ssl dgst -engine pkcs11 -keyform engine -sign "$KEY" -passin "pass:$JPKI_AUTH_PIN" -sha256 \
	-out "$WORK/s2.bin" "$WORK/data.txt" > /dev/null 2>&1
tap_ok "the right PIN works again after it" cmp "$WORK/s.bin" "$WORK/s2.bin"

# s_client_to PORT NAME [OPTIONS]: one HTTPS request with the card's auth key
# and certificate; the client's output in $WORK/NAME.txt.
s_client_to()
{
	local port=$1 name=$2
	shift 2
	(printf 'GET / HTTP/1.0\r\n\r\n'; sleep 1) | timeout 30 env OPENSSL_CONF="$WORK/openssl-p11.cnf" \
		openssl s_client -connect "127.0.0.1:$port" -ign_eof "$@" -engine pkcs11 -keyform engine \
		-key "$KEY;pin-value=$JPKI_AUTH_PIN" -cert "$WORK/auth.crt" -CAfile "$WORK/srv-ca.crt" \
		> "$WORK/$name.txt" 2>&1
}

# TLS 1.3 (the server's only version), no client-side signature setting.
port=$(free_port)
start_s_server "$port" -tls1_3
s_client_to "$port" tls13
tap_ok "TLS 1.3: the server verified the card's certificate" grep -q 'verify return:1' "$WORK/s_server-$port.log"
tap_ok "TLS 1.3: the page came back over the authenticated session" \
	sh -c "grep -q 'New, TLSv1.3' '$WORK/tls13.txt' && grep -q 'HTTP/1.0 200 ok' '$WORK/tls13.txt'"
tap_ok "TLS 1.3: the card signed RSA-PSS with the key named by SFI (80 2A 04 97)" \
	test "$(pss_signatures)" -gt 0

# TLS 1.2 (the server's only version): PSS too, no client-side setting.
port=$(free_port)
start_s_server "$port" -tls1_2
s_client_to "$port" tls12
tap_ok "TLS 1.2: the server verified the card's certificate" grep -q 'verify return:1' "$WORK/s_server-$port.log"
tap_ok "TLS 1.2: the page came back over the authenticated session" \
	sh -c "grep -q 'New, TLSv1.2' '$WORK/tls12.txt' && grep -q 'HTTP/1.0 200 ok' '$WORK/tls12.txt'"

# A card that refuses PSS (6A86): TLS 1.2 as before (PKCS#1 v1.5, the client
# limited to RSA+SHA*: OpenSSL never asks the token), TLS 1.3 refused as before.
stack_stop
stack_start --no-pss
port=$(free_port)
start_s_server "$port" -tls1_2
s_client_to "$port" nopss12 -client_sigalgs RSA+SHA256:RSA+SHA384:RSA+SHA512
tap_ok "no-PSS card, TLS 1.2: the server verified the card's certificate" \
	grep -q 'verify return:1' "$WORK/s_server-$port.log"
tap_ok "no-PSS card, TLS 1.2: the page came back" \
	sh -c "grep -q 'New, TLSv1.2' '$WORK/nopss12.txt' && grep -q 'HTTP/1.0 200 ok' '$WORK/nopss12.txt'"
port=$(free_port)
start_s_server "$port" -tls1_3
s_client_to "$port" nopss13
tap_ok "no-PSS card, TLS 1.3: no page, as before (the card refuses PSS)" \
	sh -c "! grep -q 'HTTP/1.0 200 ok' '$WORK/nopss13.txt'"
tap_ok "no-PSS card, TLS 1.3: the engine's PSS request was refused" \
	grep -q 'Mechanism invalid' "$WORK/nopss13.txt"
tap_is "no-PSS card: no PSS signature was asked of the card" "$(pss_signatures)" 0

tap_done
