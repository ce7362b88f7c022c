# Build and test rules for tests/unit/ (included from the top-level Makefile.am).

# The scripted fake transport, shared by the unit tests.
check_LTLIBRARIES += tests/unit/libfaketransport.la
tests_unit_libfaketransport_la_SOURCES = \
	tests/unit/fake-transport.c tests/unit/fake-transport.h

UNIT_LDADD = tests/unit/libfaketransport.la src/libjpki.la $(CRYPTO_LIBS)

# The card layer over the emulator in-process (tests/sim/transport-sim.c).
SIM_UNIT_LIBS = tests/sim/libtransportsim.la src/libjpki.la $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/test-apdu tests/unit/test-tlv
C_TESTS += tests/unit/test-apdu tests/unit/test-tlv
tests_unit_test_apdu_LDADD = $(UNIT_LDADD)
tests_unit_test_tlv_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test-jpki
C_TESTS += tests/unit/test-jpki
tests_unit_test_jpki_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test-cert
C_TESTS += tests/unit/test-cert
tests_unit_test_cert_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_cert_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test-cert-cache
C_TESTS += tests/unit/test-cert-cache
tests_unit_test_cert_cache_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_cert_cache_LDADD = $(UNIT_LDADD)

check_PROGRAMS += tests/unit/test-textap
C_TESTS += tests/unit/test-textap
tests_unit_test_textap_LDADD = $(UNIT_LDADD)
check_PROGRAMS += tests/unit/test-settings
C_TESTS += tests/unit/test-settings
tests_unit_test_settings_LDADD = src/libjpki.la

# The card layer against the in-process emulator: every command, every switch of struct
# sim_options, removal/insertion/reset, with exact APDU counts.
check_PROGRAMS += tests/unit/test-jpki-sim
C_TESTS += tests/unit/test-jpki-sim
tests_unit_test_jpki_sim_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/sim
tests_unit_test_jpki_sim_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_jpki_sim_LDADD = $(SIM_UNIT_LIBS)
check_PROGRAMS += tests/unit/test-jpki-kinds
C_TESTS += tests/unit/test-jpki-kinds
tests_unit_test_jpki_kinds_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/sim
tests_unit_test_jpki_kinds_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_jpki_kinds_LDADD = $(SIM_UNIT_LIBS)
