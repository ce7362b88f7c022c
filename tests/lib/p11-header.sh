# The set-up of the checks that hold pkcs11/pkcs11.h against another file of
# the tree or against the built module (tests/p11/exports.sh, ckr-names.sh):
# TAP, the header, a scratch directory removed at exit, and a bail-out for
# whatever they need and do not find.  POSIX sh; the caller sets top_srcdir
# (make check does).
#
#   $header              pkcs11/pkcs11.h
#   $tmp                 a scratch directory, removed at exit
#   need_command NAME    bails out unless NAME is on PATH
#   need_file FILE WHAT  bails out unless FILE exists (WHAT says what it is)
. "$top_srcdir/tests/lib/tap.sh"
header=$top_srcdir/pkcs11/pkcs11.h
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jpki-p11-header.XXXXXX") || tap_bail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT

need_command()
{
	command -v "$1" >/dev/null || tap_bail "$1 is missing"
}

need_file()
{
	[ -f "$1" ] || tap_bail "no $2 at $1"
}

need_file "$header" "PKCS#11 header"
