#!/bin/bash
# The Debian package, as a user gets it: dpkg-buildpackage builds it from the
# release tarball, dpkg installs it on this machine, and with no further
# configuration p11-kit lists the module and p11tool (through p11-kit-proxy)
# shows both tokens of the emulated card; then the package is purged and
# leaves nothing behind.  Prints TAP.  Needs root; run by tests/check after
# the other suites (it installs into /usr for a moment).
#
# usage: tests/package.sh TARBALL
#
# It leaves nothing installed, however it ends: the package is purged on
# every exit (a failed check, a bail-out, SIGINT, SIGTERM, SIGHUP).  Only
# SIGKILL (or a machine that stopped) can leave it installed: before dpkg -i a
# marker file says the install is this test's, and the next run purges an
# install it finds with that marker.  An install without the marker (a
# user's own) is never touched: the test bails out.  Runs on one machine
# take turns (a lock) for their install-to-purge part, as the system has one
# place for the package.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
export top_srcdir
tarball=$(readlink -f "${1:?usage: tests/package.sh TARBALL}")
. "$top_srcdir/tests/lib/tap.sh"

MARK_DIR=/var/lib/jpki-pkcs11-package-test
MARK=$MARK_DIR/installed
LOCK=/run/lock/jpki-pkcs11-package-test.lock
# known: dpkg knows the package in some state (installed, half-installed,
# unpacked, config-files...): something of it is on the system.
known()
{
	local st
	st=$(dpkg-query -W -f='${db:Status-Status}' jpki-pkcs11 2> /dev/null) || return 1
	[ -n "$st" ] && [ "$st" != not-installed ]
}
# dpkg_wait ARG...: dpkg, tried again while another dpkg or apt holds its
# lock (another developer's apt-get, say), for at most 5 minutes.
dpkg_wait()
{
	local i rc
	for i in $(seq 300); do
		rc=0
		dpkg "$@" > "$WORK/dpkg.log" 2>&1 || rc=$?
		[ $rc -ne 0 ] && grep -q 'locked by another process' "$WORK/dpkg.log" && [ "$i" -lt 300 ] && { sleep 1; continue; }
		cat "$WORK/dpkg.log"
		return $rc
	done
}
# purge_ours: purges the package this test installed, then its marker.
purge_ours()
{
	if known; then
		dpkg_wait --purge jpki-pkcs11 > /dev/null 2>&1 || return 1
	fi
	rm -f "$MARK"
	rmdir "$MARK_DIR" 2> /dev/null
	return 0
}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/jpki-package.XXXXXX")
STACK_DIR=""
INSTALLING=0
cleanup()
{
	trap '' HUP INT TERM    # a signal now would cut the purge short
	[ -n "$STACK_DIR" ] && "$top_srcdir/tests/stack" stop --dir "$STACK_DIR" > /dev/null 2>&1
	if [ "$INSTALLING" -eq 1 ] && ! purge_ours; then
		echo "# could not purge jpki-pkcs11 (dpkg --purge jpki-pkcs11 by hand; $MARK marks it ours)"
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
# A user's own install: said before the build (the check is made again
# under the lock, before the install).
if known && [ ! -f "$MARK" ]; then
	tap_bail "a jpki-pkcs11 package is installed already (not by this test); this test will not replace it (dpkg --purge jpki-pkcs11 removes it)"
fi

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
# The system's one place for the package: one run at a time, up to its purge.
mkdir -p "${LOCK%/*}"
exec 9> "$LOCK"
flock -w 900 9 || tap_bail "another tests/package.sh has held $LOCK for 15 minutes"
if known; then
	[ -f "$MARK" ] ||
		tap_bail "a jpki-pkcs11 package is installed already (not by this test); this test will not replace it (dpkg --purge jpki-pkcs11 removes it)"
	tap_diag "a jpki-pkcs11 package left by a tests/package.sh that was killed: purging it"
	purge_ours || tap_bail "cannot purge the jpki-pkcs11 package a killed run left"
fi
INSTALLING=1
mkdir -p "$MARK_DIR" && echo "tests/package.sh, pid $$, $(date -u)" > "$MARK" ||
	tap_bail "cannot write $MARK"
tap_ok "dpkg installs the package" dpkg_wait -i "$deb" 9>&-
for f in "/usr/lib/$MULTIARCH/pkcs11/jpki-pkcs11.so" /usr/share/p11-kit/modules/jpki-pkcs11.module \
	/etc/jpki-pkcs11.conf /usr/bin/jpki-tool /usr/share/man/man8/jpki-pkcs11.8.gz \
	/usr/share/man/man5/jpki-pkcs11.conf.5.gz /usr/share/man/man1/jpki-tool.1.gz \
	/usr/share/locale/ja/LC_MESSAGES/jpki-tool.mo; do
	tap_ok "installed: $f" test -f "$f"
done
tap_ok "no libtool archive is shipped" sh -c "! dpkg -L jpki-pkcs11 | grep -q '\\.la\$'"

# The emulated card in a private pcscd; p11-kit finds the module by itself.
"$top_srcdir/tests/stack" start 9>&- > "$WORK/stack.env" 2> "$WORK/stack.err" || tap_bail "tests/stack start failed"
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

tap_ok "dpkg removes the package" dpkg_wait --purge jpki-pkcs11
purge_ours
tap_ok "nothing of it is left" sh -c "! ls /usr/lib/$MULTIARCH/pkcs11/jpki-pkcs11.so /usr/share/p11-kit/modules/jpki-pkcs11.module /etc/jpki-pkcs11.conf /usr/bin/jpki-tool 2>/dev/null | grep -q ."
p11-kit list-modules > "$WORK/modules-after.txt" 2>&1
tap_ok "p11-kit no longer lists it" sh -c "! grep -q '^jpki-pkcs11:' '$WORK/modules-after.txt'"
tap_done
