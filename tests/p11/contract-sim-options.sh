#!/bin/bash
# The token contract tests through the test-only module with each emulator
# switch of docs/card.md Appendix C set (JPKI_SIM_OPTIONS, see
# tests/p11/backend-sim.c): the cards the module must survive.  Each switch
# runs login (PIN counters, blocked PIN, VERIFY counts), sign (both keys,
# every mechanism, verified), object (every certificate read whole) and the
# settings test (sign_always_authenticate = no, which with
# sign_pin_per_signature must refuse the second signature).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/p11/contract-run.sh"
export JPKI_P11_TARGET=sim
for opts in blocked_6983 reselect_keeps_state sign_pin_per_signature accept_extended \
	ef_filler=100 ef_filler=4096 answer_61xx answer_6cxx read_end=6282 \
	answer_61xx,answer_6cxx,read_end=6282,ef_filler=37,reselect_keeps_state; do
	export JPKI_SIM_OPTIONS=$opts
	for t in test-card-login test-card-sign test-card-object test-card-settings; do
		contract_run "$t"
	done
done
tap_done
