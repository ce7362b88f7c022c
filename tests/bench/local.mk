# Build and test rules for tests/bench/ (included from the top-level Makefile.am).
#
# The APDU and speed benchmark, ours side by side with OpenSC's module, over
# tests/stack (docs/performance.md).  Not part of `make check`: it needs the
# private pcscd stack and runs for tens of seconds.
#   make bench                       full run: 20 ms per APDU, callgrind, memory
#   make bench BENCH_FLAGS=--ci      quick: 2 ms per APDU, APDU-count targets only
# Both exit non-zero when a target is missed.
noinst_PROGRAMS += tests/bench/p11-bench
tests_bench_p11_bench_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_bench_p11_bench_LDADD = $(CRYPTO_LIBS) -ldl

BENCH_FLAGS =
bench: all tests/sim/fixture.stamp
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	JPKI_MODULE='$(abs_top_builddir)/pkcs11/.libs/jpki-pkcs11.so' \
	JPKI_SIM='$(abs_top_builddir)/tests/sim/jpki-card-sim' \
	JPKI_SIM_FIXTURE='$(abs_top_builddir)/tests/sim/fixture' \
	P11_BENCH='$(abs_top_builddir)/tests/bench/p11-bench' \
	$(SHELL) $(abs_top_srcdir)/tests/bench/run.sh $(BENCH_FLAGS)
bench-ci:
	$(MAKE) $(AM_MAKEFLAGS) bench BENCH_FLAGS=--ci

.PHONY: bench bench-ci
EXTRA_DIST += tests/bench/run.sh
