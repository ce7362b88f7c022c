#!/bin/bash
# The shared-semantics contract tests against SoftHSMv2, the reference: a
# token set up like the card (RSA-2048 key, its public key and certificate,
# CKA_ID 01).  The same binaries as against the module; what only the card
# does is not run here (p11-card.h).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/softhsm.sh"
. "$top_srcdir/tests/p11/contract-run.sh"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
softhsm_token "$WORK"
for t in test-card-slot test-card-session test-card-object test-card-login test-card-sign \
	test-card-write test-card-ladder; do
	contract_run $t
done
tap_done
