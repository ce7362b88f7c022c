#!/bin/bash
# The Debian package, as a user gets it: dpkg-buildpackage builds it from the
# release tarball, dpkg installs it on this machine, and with no further
# configuration p11-kit lists the module and p11tool (through p11-kit-proxy)
# shows both tokens of the emulated card; then the package is purged and
# leaves nothing behind.  Prints TAP.  Needs root; run by tests/check after
# the other suites (it installs into /usr for a moment).
#
# usage: tests/package.sh TARBALL
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
export top_srcdir
tarball=$(readlink -f "${1:?usage: tests/package.sh TARBALL}")
. "$top_srcdir/tests/lib/tap.sh"

if dpkg-query -W -f='${db:Status-Status}' jpki-pkcs11 2>/dev/null | grep -qx installed; then
	tap_bail "a jpki-pkcs11 package is installed already; this test will not replace it"
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/jpki-package.XXXXXX")
STACK_DIR=""
cleanup()
{
	[ -n "$STACK_DIR" ] && "$top_srcdir/tests/stack" stop --dir "$STACK_DIR" > /dev/null 2>&1
	if dpkg-query -W -f='${db:Status-Status}' jpki-pkcs11 2>/dev/null | grep -qx installed; then
		dpkg --purge jpki-pkcs11 > /dev/null 2>&1
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

tar -xzf "$tarball" -C "$WORK" || tap_bail "cannot unpack $tarball"
src=$(find "$WORK" -mindepth 1 -maxdepth 1 -type d | head -n1)
tap_ok "the release tarball carries the Debian packaging" test -x "$src/debian/rules"
# The package's own test run is the C suite; tests/check ran it already.
(cd "$src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) > "$WORK/build.log" 2>&1
deb=$(find "$WORK" -maxdepth 1 -name 'jpki-pkcs11_*.deb' | head -n1)
tap_ok "dpkg-buildpackage builds the package" test -n "$deb"
[ -n "$deb" ] || { tail -n 30 "$WORK/build.log" | sed 's/^/# /'; tap_done; }
dpkg-deb -I "$deb" > "$WORK/info.txt"
tap_ok "the package depends on pcscd" grep -q 'Depends:.*pcscd' "$WORK/info.txt"

MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
tap_ok "dpkg installs the package" dpkg -i "$deb"
for f in "/usr/lib/$MULTIARCH/pkcs11/jpki-pkcs11.so" /usr/share/p11-kit/modules/jpki-pkcs11.module \
	/etc/jpki-pkcs11.conf /usr/bin/jpki-tool /usr/share/man/man8/jpki-pkcs11.8.gz \
	/usr/share/man/man5/jpki-pkcs11.conf.5.gz /usr/share/man/man1/jpki-tool.1.gz \
	/usr/share/locale/ja/LC_MESSAGES/jpki-tool.mo; do
	tap_ok "installed: $f" test -f "$f"
done
tap_ok "no libtool archive is shipped" sh -c "! dpkg -L jpki-pkcs11 | grep -q '\\.la\$'"

# The emulated card in a private pcscd; p11-kit finds the module by itself.
"$top_srcdir/tests/stack" start > "$WORK/stack.env" 2> "$WORK/stack.err" || tap_bail "tests/stack start failed"
. "$WORK/stack.env"
STACK_DIR=$JPKI_STACK_DIR
p11-kit list-modules > "$WORK/modules.txt" 2>&1
tap_ok "p11-kit list-modules lists jpki-pkcs11" grep -q '^jpki-pkcs11:' "$WORK/modules.txt"
tap_ok "p11-kit shows the authentication token" grep -q 'token: JPKI Auth (4-digit PIN)' "$WORK/modules.txt"
tap_ok "p11-kit shows the signature token" grep -qF 'token: JPKI Sign (6-16 char password)' "$WORK/modules.txt"
p11tool --list-tokens > "$WORK/tokens.txt" 2>&1
tap_ok "p11tool --list-tokens shows the authentication token" grep -q 'Label: JPKI Auth (4-digit PIN)' "$WORK/tokens.txt"
tap_ok "p11tool --list-tokens shows the signature token" grep -qF 'Label: JPKI Sign (6-16 char password)' "$WORK/tokens.txt"
tap_ok "jpki-tool status reads the card" jpki-tool status

tap_ok "dpkg removes the package" dpkg --purge jpki-pkcs11
tap_ok "nothing of it is left" sh -c "! ls /usr/lib/$MULTIARCH/pkcs11/jpki-pkcs11.so /usr/share/p11-kit/modules/jpki-pkcs11.module /etc/jpki-pkcs11.conf /usr/bin/jpki-tool 2>/dev/null | grep -q ."
p11-kit list-modules > "$WORK/modules-after.txt" 2>&1
tap_ok "p11-kit no longer lists it" sh -c "! grep -q '^jpki-pkcs11:' '$WORK/modules-after.txt'"
tap_done
