#!/bin/bash
# Concurrency, faults and PIN safety on the real path: $JPKI_MODULE over
# tests/stack (private pcscd + vpcd + the emulated card).  tests/hardening/stress
# does the work, one scenario per run (see its head comment), each under a
# time bound; this script numbers their checks as TAP and passes on their
# FIGURES lines.  The debug log of the "pins" run (JPKI_PKCS11_DEBUG=4, the
# highest level) is then searched for every PIN used and the holder's data.
# The pcscd restart runs last: it replaces the stack.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/_build/gcc}
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/stack.sh"
STACK=$top_srcdir/tests/stack
PROG=$top_builddir/tests/hardening/stress
ROUNDTRIP=$top_builddir/tests/integration/card-roundtrip
BOUND=${JPKI_HARD_BOUND:-180}
# The issue's size; JPKI_HARD_THREADS / JPKI_HARD_SIGNATURES make it smaller.
THREADS=${JPKI_HARD_THREADS:-8}
SIGNATURES=${JPKI_HARD_SIGNATURES:-500}
[ -x "$PROG" ] || tap_bail "missing $PROG (make check builds it)"
[ -x "$ROUNDTRIP" ] || tap_bail "missing $ROUNDTRIP (make check builds it)"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/jpki-hard.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# scenario NAME ARGS...: runs stress ARGS (bounded), its TAP lines renumbered here.
scenario() {
	local name=$1
	shift
	tap_diag "scenario: $name (at most ${BOUND}s)"
	tap_relay "$name" < <(timeout -k 5 "$BOUND" "$PROG" "$@" 2>&1; echo "exit=$?")
}

stack_start
DIR=$JPKI_STACK_DIR
export JPKI_P11_TARGET=stack

scenario threads threads "$THREADS" "$SIGNATURES"
scenario threads-app-mutex threads 8 100 app-mutex
scenario procs procs 4 200
# Processes started while others sign find the JPKI AP current (the probe: READ BINARY of EF
# 0006 by SFI) and select nothing, so nobody is logged out: stress checks that no signing process
# saw CKR_USER_NOT_LOGGED_IN, and the emulator's log that no application was selected by name.
# One exception: pcscd powers an unused card off after a second or two, and after a power-on
# no application is current, so the first start after one (the first process, when the machine
# was slow between scenarios) selects the JPKI AP once; nobody else is on the card then.
before=$(wc -l < "$JPKI_APDU_LOG")
scenario procs-staggered procs 4 400 staggered
# selects_not_after_power_on: the SELECTs by name in the scenario's part of the log, less the
# first one after each power-on.
selects_not_after_power_on() {
	tail -n +"$((before + 1))" "$JPKI_APDU_LOG" |
		awk '/^# power on/ { fresh = 1 } /^00A4040C/ { if (fresh) fresh = 0; else n++ } END { print n + 0 }'
}
tap_is "procs-staggered: no SELECT of an application by the starting processes" \
	"$(selects_not_after_power_on)" 0
scenario reset-between reset-between "'$ROUNDTRIP' reset '$JPKI_READER'" 4
scenario reinsert reinsert "'$STACK' reinsert --dir '$DIR'"
scenario finalize-wait finalize-wait 3
scenario fork fork 200

# The misuse suite and the malformed PINs over the real path too.
scenario_bin() { # scenario_bin NAME: a C test of this directory against the stack
	tap_diag "test: $1 on the stack (at most ${BOUND}s)"
	tap_relay "$1" < <(timeout -k 5 "$BOUND" "$top_builddir/tests/hardening/$1" 2>&1; echo "exit=$?")
}
scenario_bin test-misuse
scenario_bin test-pin-format

# PIN safety: the highest debug level over logins (right and wrong), both
# keys' signatures and both PINs changed and back.
NEW_AUTH=8642 NEW_SIGN=NEWPASS77 WRONG_AUTH=9753 WRONG_SIGN=WRONGPW55
LOG=$WORK/debug.log
JPKI_PKCS11_DEBUG=4:$LOG scenario pins pins $NEW_AUTH $NEW_SIGN $WRONG_AUTH $WRONG_SIGN
tap_ok "the debug log was written at the APDU level" grep -q -- '-> 00 20 00 80 (Lc' "$LOG"
tap_is "... VERIFY and CHANGE REFERENCE DATA data shown as **" \
	"$(grep -E -- '-> 00 (20|24) ' "$LOG" | grep -Evc '\(Lc [0-9]+\) \*\*$| 00 20 00 (80|98|9B)$')" 0
# hex TEXT: the bytes of TEXT as the log would show them ("31 32 ..." and "3132...").
hex() { printf '%s' "$1" | od -An -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }
# leaks TEXT: lines of the log holding TEXT (as a token of its own), or its bytes in hex.
leaks() {
	local h
	h=$(hex "$1")
	grep -Eic -e "(^|[^0-9A-Za-z])$1([^0-9A-Za-z]|\$)" -e "$h" -e "${h// /}" "$LOG"
}
tap_ok "control: the search finds what the log does hold (the reader name)" \
	test "$(leaks "$JPKI_READER")" -gt 0
card=$(cat "$DIR/card1.dir")
state() { sed -n "s/^$1=//p" "$card/card.state" | head -n1; }
for secret in "$JPKI_AUTH_PIN" "$JPKI_SIGN_PIN" $NEW_AUTH $NEW_SIGN $WRONG_AUTH $WRONG_SIGN \
	"$JPKI_TEXT_PIN"; do
	tap_is "no PIN in the debug log: $(printf '%s' "$secret" | sed 's/./*/g') ($((${#secret})) chars)" \
		"$(leaks "$secret")" 0
done
for key in text-a name address birth; do
	value=$(state $key)
	[ -n "$value" ] || { tap_result 1 "the card state has no $key"; continue; }
	tap_is "no personal data in the debug log: $key" "$(leaks "$value")" 0
done

# pcscd stopped and started again on the same socket (same stack dir, fresh card state).
scenario service service "'$STACK' stop --dir '$DIR'" \
	"JPKI_STACK_DIR='$DIR' '$STACK' start >/dev/null 2>&1"
tap_done
