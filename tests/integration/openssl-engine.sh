#!/bin/bash
# OpenSSL 3 with the libp11 pkcs11 engine drives the module: dgst -sign and a
# certificate request with a pkcs11: key URI, and s_client TLS 1.2 client
# authentication against s_server -Verify 1.  OpenSSL picks RSA-PSS for the
# client signature even in TLS 1.2 and never asks the token for its
# mechanisms; this card signs PKCS#1 v1.5 only, so the client signature
# algorithms are limited to RSA+SHA256/384/512 (ClientSignatureAlgorithms).
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
[ssl_section]
system_default = tls_defaults
[tls_defaults]
ClientSignatureAlgorithms = RSA+SHA256:RSA+SHA384:RSA+SHA512
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

port=$(free_port)
start_s_server "$port"
(printf 'GET / HTTP/1.0\r\n\r\n'; sleep 1) | timeout 30 env OPENSSL_CONF="$WORK/openssl-p11.cnf" \
	openssl s_client -connect "127.0.0.1:$port" -tls1_2 \
	-client_sigalgs RSA+SHA256:RSA+SHA384:RSA+SHA512 -engine pkcs11 -keyform engine \
	-key "$KEY;pin-value=$JPKI_AUTH_PIN" -cert "$WORK/auth.crt" -CAfile "$WORK/srv-ca.crt" \
	> "$WORK/s_client.txt" 2>&1
tap_ok "TLS 1.2: the server verified the card's certificate" grep -q 'verify return:1' "$WORK/s_server-$port.log"
tap_ok "TLS 1.2: the client signed with PKCS#1 v1.5" grep -qx 'Peer signature type: RSA' "$WORK/s_client.txt"

port=$(free_port)
start_s_server "$port"
(printf 'GET / HTTP/1.0\r\n\r\n'; sleep 1) | timeout 30 env OPENSSL_CONF="$WORK/openssl-p11.cnf" \
	openssl s_client -connect "127.0.0.1:$port" -tls1_3 -engine pkcs11 -keyform engine \
	-key "$KEY;pin-value=$JPKI_AUTH_PIN" -cert "$WORK/auth.crt" -CAfile "$WORK/srv-ca.crt" \
	> "$WORK/s_client13.txt" 2>&1
tap_ok "TLS 1.3: refused (RSA-PSS required, the card signs PKCS#1 v1.5 only)" \
	sh -c "! grep -q 'verify return:1' '$WORK/s_server-$port.log'"

tap_done
