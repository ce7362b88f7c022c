#!/bin/bash
# The shared-semantics contract tests against SoftHSMv2, the reference: a
# token set up like the card (RSA-2048 key, its public key and certificate,
# CKA_ID 01; consumer-recipes section 8).  The same binaries as against the
# module; what only the card does is not run here (p11-card.h).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/p11/contract-run.sh"
REF=""
for f in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so; do
	[ -f "$f" ] && REF=$f && break
done
[ -n "$REF" ] || tap_bail "SoftHSMv2 is missing (Debian package softhsm2)"
command -v softhsm2-util >/dev/null || tap_bail "softhsm2-util is missing"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2
export SOFTHSM2_CONF=$WORK/softhsm2.conf OPENSSL_CONF=/dev/null
mkdir tokens
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
	"$WORK/tokens" >"$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label ref-auth --so-pin 12345678 --pin 1234 >/dev/null ||
	tap_bail "softhsm2-util --init-token failed"
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -subj /CN=ref -days 2 \
	2>/dev/null || tap_bail "openssl req failed"
openssl pkey -in key.pem -outform DER -out key.der
openssl pkey -in key.pem -pubout -outform DER -out pub.der
openssl x509 -in cert.pem -outform DER -out cert.der
for t in privkey:key.der pubkey:pub.der cert:cert.der; do
	pkcs11-tool --module "$REF" --token-label ref-auth --login --pin 1234 \
		--write-object "${t#*:}" --type "${t%%:*}" --id 01 --label "Auth Key" >/dev/null 2>&1 ||
		tap_bail "writing the $t failed"
done
export JPKI_P11_TARGET=softhsm JPKI_REF_MODULE=$REF JPKI_REF_LABEL=ref-auth JPKI_REF_PIN=1234
for t in test-card-slot test-card-session test-card-object test-card-login test-card-sign \
	test-card-write; do
	contract_run $t
done
tap_done
