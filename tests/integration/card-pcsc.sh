#!/bin/bash
# The card layer over the real path: transport_pcsc_new -> libpcsclite -> a private pcscd ->
# vpcd -> the emulated card (tests/stack).  tests/integration/card-roundtrip does the work, one
# subcommand per scenario, and checks the APDU counts in the emulator's log; this script runs
# the scenarios and numbers their checks as TAP.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/_build/gcc}
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/stack.sh"
STACK=$top_srcdir/tests/stack
PROG=$top_builddir/tests/integration/card-roundtrip
[ -x "$PROG" ] || tap_bail "missing $PROG (make check builds it)"

# scenario NAME ARGS...: runs the program, its "ok -"/"not ok -" lines as checks here.
scenario() {
	local name=$1
	shift
	tap_diag "scenario: $name"
	tap_relay "$name" < <("$PROG" "$@" 2>&1; echo "exit=$?")
}

stack_start
tap_diag "stack in $JPKI_STACK_DIR, reader $JPKI_READER"

readers=$("$PROG" list 2>&1)
tap_is "list: the virtual reader is listed" \
	"$(printf '%s\n' "$readers" | grep -c "^reader: $JPKI_READER\$")" 1

scenario roundtrip roundtrip "$JPKI_READER"
scenario reset reset-between "$JPKI_READER" "'$PROG' reset '$JPKI_READER'"
scenario reinsert reinsert "$JPKI_READER" "'$STACK' reinsert"
scenario cancel cancel

# pcscd stopped and started again on the same socket (same stack dir, fresh card state).
d=$JPKI_STACK_DIR
scenario service service "$JPKI_READER" "'$STACK' stop --dir '$d'" \
	"JPKI_STACK_DIR='$d' '$STACK' start >/dev/null 2>&1"
tap_done
