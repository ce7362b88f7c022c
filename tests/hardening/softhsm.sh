#!/bin/bash
# The misuse suite against SoftHSMv2, the reference, for the parts both
# share (test-misuse.c skips what only the card has), on a token set up like
# the card's authentication token.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/softhsm.sh"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
softhsm_token "$WORK"
# Each of the binary's checks becomes a TAP line of this test, prefixed.
out=$("$top_builddir/tests/hardening/test-misuse" 2>&1)
rc=$?
while IFS= read -r line; do
	case $line in
	"ok "*) tap_result 0 "softhsm: ${line#ok * - }" ;;
	"not ok "*) tap_result 1 "softhsm: ${line#not ok * - }" ;;
	"1.."*) ;;
	*) printf '%s\n' "$line" ;;
	esac
done <<< "$out"
tap_is "test-misuse on SoftHSMv2: exit status" "$rc" 0
tap_done
