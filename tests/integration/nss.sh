#!/bin/bash
# NSS, the library inside Firefox and Thunderbird, drives the module: modutil
# registers it in a private database; certutil lists the authentication
# certificate without any PIN (the tokens declare themselves public
# certificates tokens, so NSS does not log in just to look for certificates);
# NSS's own TLS client (tstclnt) logs in to TLS 1.3 and TLS 1.2 servers that
# require a client certificate, with the card's own RSA-PSS and no client
# setting (on a card that refuses PSS: TLS 1.2 as before, TLS 1.3 refused as
# before); and as Thunderbird does for S/MIME, a login to the
# signature token makes its certificate visible and NSS's CMS code signs a
# message with it (nss-sign, since cmsutil cannot log in first), which
# openssl cms accepts and NSS's cmsutil verifies on the receiving side.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/consumer.sh"
stack_start
make_server_cert

DB=sql:$WORK/nssdb
mkdir "$WORK/nssdb" && certutil -N -d "$DB" --empty-password
tap_ok "modutil registers the module" modutil -dbdir "$DB" -add jpki -libfile "$MOD" -force
modutil -dbdir "$DB" -list > "$WORK/modules.txt" 2>&1
tap_ok "the module is loaded with the authentication token" grep -q "token: $AUTH_LABEL" "$WORK/modules.txt"
tap_ok "and the signature token" grep -qF "token: $SIGN_LABEL" "$WORK/modules.txt"

# Without any PIN (an empty password file): only public certificates.
: > "$WORK/nopw.txt"
certutil -L -d "$DB" -h all -f "$WORK/nopw.txt" > "$WORK/certs-nopin.txt" 2>&1
tap_ok "without a PIN: the authentication certificate" grep -q "$AUTH_LABEL:User Authentication Certificate" "$WORK/certs-nopin.txt"
tap_ok "without a PIN: the signature certificate stays hidden" \
	sh -c "! grep -q 'Digital Signature Certificate' '$WORK/certs-nopin.txt'"

printf '%s:%s\n%s:%s\n' "$AUTH_LABEL" "$JPKI_AUTH_PIN" "$SIGN_LABEL" "$JPKI_SIGN_PIN" > "$WORK/pw.txt"
certutil -K -d "$DB" -h "$AUTH_LABEL" -f "$WORK/pw.txt" > "$WORK/keys.txt" 2>&1
tap_ok "certutil -K lists the authentication key after the PIN" grep -q 'rsa' "$WORK/keys.txt"
NSS_SIGN=${top_builddir:?}/tests/integration/nss-sign
[ -x "$NSS_SIGN" ] || tap_bail "tests/integration/nss-sign was not built (libnss3-dev missing?)"
"$NSS_SIGN" "$WORK/nssdb" "$WORK/pw.txt" "$SIGN_LABEL" list > "$WORK/certs-sign.txt" 2>&1
tap_ok "after a login to the signature token: its certificate" grep -qF "$SIGN_LABEL:Digital Signature Certificate" "$WORK/certs-sign.txt"

# Client authentication with NSS's own client, its default versions and
# signature schemes: TLS 1.3 and TLS 1.2 servers.
certutil -A -d "$DB" -n "Test Server CA" -t "C,," -i "$WORK/srv-ca.crt"
printf 'GET / HTTP/1.0\r\n\r\n' > "$WORK/request.txt"
tstclnt_to() # PORT NAME
{
	timeout 30 tstclnt -h 127.0.0.1 -p "$1" -d "$DB" \
		-n "$AUTH_LABEL:User Authentication Certificate" -W "$WORK/pw.txt" -A "$WORK/request.txt" \
		> "$WORK/$2.txt" 2>&1
}
port=$(free_port)
start_s_server "$port" -tls1_3
tstclnt_to "$port" tstclnt13
tap_ok "TLS 1.3: the server verified the card's certificate" grep -q 'verify return:1' "$WORK/s_server-$port.log"
tap_ok "TLS 1.3: the page came back over TLS 1.3" grep -q 'New, TLSv1.3' "$WORK/tstclnt13.txt"
port=$(free_port)
start_s_server "$port" -tls1_2
tstclnt_to "$port" tstclnt
tap_ok "TLS 1.2: the server verified the card's certificate" grep -q 'verify return:1' "$WORK/s_server-$port.log"
tap_ok "TLS 1.2: the page came back over TLS 1.2" grep -q 'New, TLSv1.2' "$WORK/tstclnt.txt"
tap_ok "the card signed RSA-PSS (80 2A 04 97)" test "$(pss_signatures)" -ge 1

# CMS signature with the signature key, the path of Thunderbird's S/MIME.
echo "A message signed with the My Number Card" > "$WORK/msg.txt"
timeout 60 "$NSS_SIGN" "$WORK/nssdb" "$WORK/pw.txt" "$SIGN_LABEL" sign \
	"$SIGN_LABEL:Digital Signature Certificate" "$WORK/msg.txt" "$WORK/msg.p7m" > "$WORK/sign.txt" 2>&1
tap_ok "NSS CMS signs with the signature key" test -s "$WORK/msg.p7m"
openssl x509 -inform DER -in "$JPKI_SIGN_CA_CERT" -out "$WORK/sign-ca.crt"
tap_ok "openssl cms -verify accepts the signature" openssl cms -verify -inform DER -in "$WORK/msg.p7m" \
	-CAfile "$WORK/sign-ca.crt" -purpose any -out "$WORK/msg.out" -signer "$WORK/signer.pem"
tap_ok "and the signed content is the message" cmp "$WORK/msg.out" "$WORK/msg.txt"
openssl x509 -in "$WORK/signer.pem" -outform DER -out "$WORK/signer.der" 2> /dev/null
tap_ok "the signer is the card's signature certificate" cmp "$WORK/signer.der" "$JPKI_SIGN_CERT"

# The receiving side, as a mail client's NSS sees it (README: Mail): cmsutil
# verifies the signature against a database that trusts the signature CA for
# e-mail, and distrusts it without that CA.  The certificate carries no
# e-mail address (subject or subjectAltName), which Thunderbird compares
# with the From address after NSS's verdict.
V=$WORK/receiver
mkdir "$V" && certutil -N -d "sql:$V" --empty-password &&
	certutil -A -d "sql:$V" -n "JPKI Sign CA" -t ",C," -i "$WORK/sign-ca.crt"
cmsutil -D -h 1 -d "sql:$V" -i "$WORK/msg.p7m" > "$WORK/cms-verify.txt" 2>&1
tap_ok "cmsutil: the signature is good where the CA is trusted for e-mail" grep -q 'signer0.status=GoodSignature' "$WORK/cms-verify.txt"
mkdir "$WORK/stranger" && certutil -N -d "sql:$WORK/stranger" --empty-password
tap_ok "cmsutil: refused where the CA is unknown" sh -c "! cmsutil -D -d 'sql:$WORK/stranger' -i '$WORK/msg.p7m' -o /dev/null > /dev/null 2>&1"
tap_is "the signature certificate has no e-mail address" "$(openssl x509 -inform DER -in "$JPKI_SIGN_CERT" -noout -email)" ""
tap_ok "nor a subjectAltName e-mail entry" sh -c "! openssl x509 -inform DER -in '$JPKI_SIGN_CERT' -noout -ext subjectAltName | grep -q 'email:'"

# A card that refuses PSS (6A86): TLS 1.2 as before, TLS 1.3 refused as before
# (NSS withholds the certificate).
stack_stop
stack_start --no-pss
port=$(free_port)
start_s_server "$port" -tls1_2
tstclnt_to "$port" nopss12
tap_ok "no-PSS card, TLS 1.2: the server verified the card's certificate" \
	grep -q 'verify return:1' "$WORK/s_server-$port.log"
tap_ok "no-PSS card, TLS 1.2: the page came back" grep -q 'New, TLSv1.2' "$WORK/nopss12.txt"
port=$(free_port)
start_s_server "$port" -tls1_3
tstclnt_to "$port" nopss13
tap_ok "no-PSS card, TLS 1.3: no client certificate, as before" \
	sh -c "! grep -q 'verify return:1' '$WORK/s_server-$port.log'"

tap_done
