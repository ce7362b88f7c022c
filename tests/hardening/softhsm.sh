#!/bin/bash
# The misuse suite against SoftHSMv2, the reference, for the parts both
# share (test-misuse.c skips what only the card has): a token set up like the
# card's authentication token, as tests/p11/contract-softhsm.sh does.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$top_srcdir/tests/lib/tap.sh"
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
openssl x509 -in cert.pem -outform DER -out cert.der
for t in privkey:key.der cert:cert.der; do
	pkcs11-tool --module "$REF" --token-label ref-auth --login --pin 1234 \
		--write-object "${t#*:}" --type "${t%%:*}" --id 01 --label "Auth Key" >/dev/null 2>&1 ||
		tap_bail "writing the $t failed"
done
export JPKI_P11_TARGET=softhsm JPKI_REF_MODULE=$REF JPKI_REF_LABEL=ref-auth JPKI_REF_PIN=1234
out=$("$top_builddir/tests/hardening/test-misuse" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -v '^1\.\.' | while IFS= read -r line; do
	case $line in
	"ok "*) echo "ok - softhsm: ${line#ok * - }" ;;
	"not ok "*) echo "not ok - softhsm: ${line#not ok * - }" ;;
	*) printf '%s\n' "$line" ;;
	esac
done | awk '/^(not )?ok - /{n++; sub(/ok - /, "ok " n " - ")} {print}'
checks=$(printf '%s\n' "$out" | grep -c '^ok ')
failed=$(printf '%s\n' "$out" | grep -c '^not ok ')
last=$((checks + failed + 1))
if [ $rc -eq 0 ] && [ "$failed" -eq 0 ] && [ "$checks" -gt 0 ]; then
	echo "ok $last - test-misuse on SoftHSMv2: exit 0"
	echo "1..$last"
	exit 0
fi
echo "not ok $last - test-misuse on SoftHSMv2: exit $rc"
echo "1..$last"
exit 1
