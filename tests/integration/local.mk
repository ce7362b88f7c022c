# Build and test rules for tests/integration/ (included from the top-level Makefile.am).

# Proof of fidelity: OpenSC's JPKI driver against the emulated card over tests/stack.
SH_TESTS += tests/integration/opensc-proof.sh
EXTRA_DIST += tests/integration/opensc-proof.sh
