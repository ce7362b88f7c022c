# Build and test rules for tests/sim/ (included from the top-level Makefile.am).

# The emulated card as a library (state machine, test PKI, state files, fixtures), linked by
# jpki-card-sim, by the C tests and by the in-process transport of the card layer's tests.
noinst_LTLIBRARIES += tests/sim/libjpkisim.la
tests_sim_libjpkisim_la_SOURCES = \
	tests/sim/sim.h tests/sim/sim-internal.h \
	tests/sim/sim-card.c tests/sim/sim-cmd.h tests/sim/sim-cmd-file.c tests/sim/sim-cmd-pin.c \
	tests/sim/sim-cmd-sign.c tests/sim/sim-apdu.c tests/sim/sim-log.c \
	tests/sim/sim-files.c tests/sim/sim-files.h tests/sim/sim-kinds.c \
	tests/sim/sim-pki.c tests/sim/sim-state.c
tests_sim_libjpkisim_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_sim_libjpkisim_la_LIBADD = $(CRYPTO_LIBS)

# The transport seam over in-process emulated cards, one reader per card: the card layer's
# tests (tests/unit), the test-only build of the module (tests/p11) and the fuzz seeds use it.
noinst_LTLIBRARIES += tests/sim/libtransportsim.la
tests_sim_libtransportsim_la_SOURCES = tests/sim/transport-sim.c tests/sim/transport-sim.h
tests_sim_libtransportsim_la_LIBADD = tests/sim/libjpkisim.la

# The virtual card for vsmartcard's vpcd (tests/stack runs it).
noinst_PROGRAMS += tests/sim/jpki-card-sim
tests_sim_jpki_card_sim_SOURCES = tests/sim/jpki-card-sim.c
tests_sim_jpki_card_sim_LDADD = tests/sim/libjpkisim.la $(CRYPTO_LIBS)

# Pre-generated card states, so that no test pays for RSA key generation: tests copy them with
# sim_fixture_clone().  fixture2 is a second card (other keys, PINs and holder).
check_DATA += tests/sim/fixture.stamp tests/sim/fixture2.stamp
tests/sim/fixture.stamp: tests/sim/jpki-card-sim$(EXEEXT)
	$(AM_V_GEN)rm -rf tests/sim/fixture && \
	tests/sim/jpki-card-sim --init --state-dir tests/sim/fixture && touch $@
tests/sim/fixture2.stamp: tests/sim/jpki-card-sim$(EXEEXT)
	$(AM_V_GEN)rm -rf tests/sim/fixture2 && \
	tests/sim/jpki-card-sim --init --state-dir tests/sim/fixture2 \
		--auth-pin 4321 --sign-pin SECOND2CARD --text-pin 8765 --mynumber 987654321096 \
		--name '試験　花子' --address '大阪府架空市見本町４丁目５番６号' --birth 19950401 \
		--sex 2 --prefecture Osaka-fu --municipality Kakuu-shi --security-code 7341 && \
	touch $@
# fixture-expired: a card whose two certificates ended 74 days ago (issue 18).
check_DATA += tests/sim/fixture-expired.stamp
tests/sim/fixture-expired.stamp: tests/sim/jpki-card-sim$(EXEEXT)
	$(AM_V_GEN)rm -rf tests/sim/fixture-expired && \
	tests/sim/jpki-card-sim --init --state-dir tests/sim/fixture-expired \
		--cert-start-days -1900 && touch $@
clean-local: clean-sim-fixtures
clean-sim-fixtures:
	-rm -rf tests/sim/fixture tests/sim/fixture2 tests/sim/fixture-expired
CLEANFILES += tests/sim/fixture.stamp tests/sim/fixture2.stamp tests/sim/fixture-expired.stamp
.PHONY: clean-sim-fixtures

SIM_TEST_LDADD = tests/sim/libjpkisim.la $(CRYPTO_LIBS)
SIM_TEST_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) -I$(top_srcdir)/tests -I$(top_srcdir)/tests/sim

check_PROGRAMS += tests/sim/test-sim-card tests/sim/test-sim-switches tests/sim/test-sim-pki
C_TESTS += tests/sim/test-sim-card tests/sim/test-sim-switches tests/sim/test-sim-pki
check_PROGRAMS += tests/sim/test-sim-kinds
C_TESTS += tests/sim/test-sim-kinds
tests_sim_test_sim_kinds_SOURCES = tests/sim/test-sim-kinds.c tests/sim/sim-test.h
tests_sim_test_sim_kinds_CFLAGS = $(SIM_TEST_CFLAGS)
tests_sim_test_sim_kinds_LDADD = $(SIM_TEST_LDADD)
tests_sim_test_sim_card_SOURCES = tests/sim/test-sim-card.c tests/sim/sim-test.h
tests_sim_test_sim_card_CFLAGS = $(SIM_TEST_CFLAGS)
tests_sim_test_sim_card_LDADD = $(SIM_TEST_LDADD)
tests_sim_test_sim_switches_SOURCES = tests/sim/test-sim-switches.c tests/sim/sim-test.h
tests_sim_test_sim_switches_CFLAGS = $(SIM_TEST_CFLAGS)
tests_sim_test_sim_switches_LDADD = $(SIM_TEST_LDADD)
tests_sim_test_sim_pki_SOURCES = tests/sim/test-sim-pki.c tests/sim/sim-test.h
tests_sim_test_sim_pki_CFLAGS = $(SIM_TEST_CFLAGS)
tests_sim_test_sim_pki_LDADD = $(SIM_TEST_LDADD)

# tests/stack end to end (private pcscd + vpcd + jpki-card-sim).
SH_TESTS += tests/sim/stack.sh
EXTRA_DIST += tests/stack tests/sim/stack.sh
