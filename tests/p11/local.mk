# Build and test rules for tests/p11/ (included from the top-level Makefile.am).
#
# The PKCS#11 contract tests: each loads $(JPKI_MODULE) with dlopen and calls
# it only through the function lists, one program per function group.

# tests/ (tap.h) for the programs and libraries here only: AM_CPPFLAGS is
# every target's in this non-recursive build (src/ and pkcs11/ too).
P11_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
P11_TESTS = \
	tests/p11/test-initialize \
	tests/p11/test-finalize \
	tests/p11/test-fork \
	tests/p11/test-info \
	tests/p11/test-interface \
	tests/p11/test-not-initialized \
	tests/p11/test-unsupported \
	tests/p11/test-slot \
	tests/p11/test-session \
	tests/p11/test-object \
	tests/p11/test-sign \
	tests/p11/test-log
check_PROGRAMS += $(P11_TESTS)
C_TESTS += $(P11_TESTS)
SH_TESTS += tests/p11/exports.sh tests/p11/ckr-names.sh
EXTRA_DIST += tests/p11/exports.sh tests/p11/ckr-names.sh

# The shared loader and function table, built once.
check_LTLIBRARIES += tests/p11/libp11test.la
tests_p11_libp11test_la_SOURCES = tests/p11/p11-test.c tests/p11/p11-test.h
tests_p11_libp11test_la_CPPFLAGS = $(P11_CPPFLAGS)
P11_TEST_LDADD = tests/p11/libp11test.la -ldl

tests_p11_test_initialize_SOURCES = tests/p11/test-initialize.c
tests_p11_test_finalize_SOURCES = tests/p11/test-finalize.c
tests_p11_test_fork_SOURCES = tests/p11/test-fork.c
tests_p11_test_info_SOURCES = tests/p11/test-info.c
tests_p11_test_interface_SOURCES = tests/p11/test-interface.c
tests_p11_test_not_initialized_SOURCES = tests/p11/test-not-initialized.c
tests_p11_test_unsupported_SOURCES = tests/p11/test-unsupported.c
tests_p11_test_slot_SOURCES = tests/p11/test-slot.c
tests_p11_test_session_SOURCES = tests/p11/test-session.c
tests_p11_test_object_SOURCES = tests/p11/test-object.c
tests_p11_test_sign_SOURCES = tests/p11/test-sign.c
tests_p11_test_log_SOURCES = tests/p11/test-log.c
tests_p11_test_initialize_LDADD = $(P11_TEST_LDADD)
tests_p11_test_initialize_CPPFLAGS = $(P11_CPPFLAGS)
tests_p11_test_finalize_LDADD = $(P11_TEST_LDADD)
tests_p11_test_finalize_CPPFLAGS = $(P11_CPPFLAGS)
tests_p11_test_fork_LDADD = $(P11_TEST_LDADD)
tests_p11_test_fork_CPPFLAGS = $(P11_CPPFLAGS)
tests_p11_test_info_LDADD = $(P11_TEST_LDADD)
tests_p11_test_info_CPPFLAGS = $(P11_CPPFLAGS)
tests_p11_test_interface_LDADD = $(P11_TEST_LDADD)
tests_p11_test_interface_CPPFLAGS = $(P11_CPPFLAGS)
tests_p11_test_not_initialized_LDADD = $(P11_TEST_LDADD)
tests_p11_test_not_initialized_CPPFLAGS = $(P11_CPPFLAGS)
tests_p11_test_unsupported_LDADD = $(P11_TEST_LDADD)
tests_p11_test_unsupported_CPPFLAGS = $(P11_CPPFLAGS)
tests_p11_test_slot_LDADD = $(P11_TEST_LDADD)
tests_p11_test_slot_CPPFLAGS = $(P11_CPPFLAGS)
tests_p11_test_session_LDADD = $(P11_TEST_LDADD)
tests_p11_test_session_CPPFLAGS = $(P11_CPPFLAGS)
tests_p11_test_object_LDADD = $(P11_TEST_LDADD)
tests_p11_test_object_CPPFLAGS = $(P11_CPPFLAGS)
tests_p11_test_sign_LDADD = $(P11_TEST_LDADD)
tests_p11_test_sign_CPPFLAGS = $(P11_CPPFLAGS)
tests_p11_test_log_LDADD = $(P11_TEST_LDADD)
tests_p11_test_log_CPPFLAGS = $(P11_CPPFLAGS)

# The test-only module: the same PKCS#11 layer and card layer, with the
# transport over in-process emulated cards (tests/p11/backend-sim.c) instead
# of pcsc-lite, and one extra export, jpki_sim_control.  Never installed.
check_LTLIBRARIES += tests/jpki-pkcs11-sim.la
tests_jpki_pkcs11_sim_la_SOURCES = tests/p11/backend-sim.c
tests_jpki_pkcs11_sim_la_CPPFLAGS = $(P11_CPPFLAGS) -I$(top_srcdir)/tests/sim
tests_jpki_pkcs11_sim_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
tests_jpki_pkcs11_sim_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -rpath /nowhere \
	-no-undefined -Wl,--version-script=tests/p11/jpki-pkcs11-sim.map
tests_jpki_pkcs11_sim_la_LIBADD = pkcs11/libjpki-p11.la src/libjpki.la \
	tests/sim/libtransportsim.la $(CRYPTO_LIBS)
EXTRA_tests_jpki_pkcs11_sim_la_DEPENDENCIES = tests/p11/jpki-pkcs11-sim.map
# The installed module's version script plus the test-control symbol.
tests/p11/jpki-pkcs11-sim.map: $(srcdir)/pkcs11/jpki-pkcs11.map
	$(AM_V_GEN)$(MKDIR_P) tests/p11 && \
	sed 's/^local:/	jpki_sim_control;\nlocal:/' $(srcdir)/pkcs11/jpki-pkcs11.map >$@
CLEANFILES += tests/p11/jpki-pkcs11-sim.map

# The contract tests with a token: the same binaries run against the
# emulator through the test-only module (here), over tests/stack with
# $(JPKI_MODULE) (tests/p11/contract-stack.sh) and against SoftHSMv2
# (tests/p11/contract-softhsm.sh).
check_LTLIBRARIES += tests/p11/libp11card.la
tests_p11_libp11card_la_SOURCES = tests/p11/p11-card.c tests/p11/p11-card.h
tests_p11_libp11card_la_CPPFLAGS = $(P11_CPPFLAGS) -I$(top_srcdir)/tests/sim
tests_p11_libp11card_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_p11_libp11card_la_LIBADD = tests/p11/libp11test.la tests/sim/libjpkisim.la -ldl \
	$(CRYPTO_LIBS)
P11_CARD_TESTS = \
	tests/p11/test-card-slot \
	tests/p11/test-card-session \
	tests/p11/test-card-object \
	tests/p11/test-card-login \
	tests/p11/test-card-sign \
	tests/p11/test-card-write \
	tests/p11/test-card-ladder \
	tests/p11/test-card-settings \
	tests/p11/test-card-events \
	tests/p11/test-card-lazy \
	tests/p11/test-card-pss \
	tests/p11/test-card-cache
# The dates of expired certificates (issue 18): on the emulator's fixture-expired only.
check_PROGRAMS += tests/p11/test-card-dates
C_TESTS += tests/p11/test-card-dates
tests_p11_test_card_dates_CPPFLAGS = $(P11_CARD_CPPFLAGS)
tests_p11_test_card_dates_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_p11_test_card_dates_LDADD = $(P11_CARD_LDADD)
check_PROGRAMS += $(P11_CARD_TESTS) tests/p11/test-attr
C_TESTS += $(P11_CARD_TESTS) tests/p11/test-attr
P11_CARD_CPPFLAGS = $(P11_CPPFLAGS) # for a card test that sets per-target flags
P11_CARD_LDADD = tests/p11/libp11card.la $(CRYPTO_LIBS)
tests_p11_test_card_slot_CPPFLAGS = $(P11_CARD_CPPFLAGS)
tests_p11_test_card_slot_LDADD = $(P11_CARD_LDADD)
tests_p11_test_card_session_CPPFLAGS = $(P11_CARD_CPPFLAGS)
tests_p11_test_card_session_LDADD = $(P11_CARD_LDADD)
tests_p11_test_card_object_CPPFLAGS = $(P11_CARD_CPPFLAGS)
tests_p11_test_card_object_LDADD = $(P11_CARD_LDADD)
tests_p11_test_card_login_CPPFLAGS = $(P11_CARD_CPPFLAGS)
tests_p11_test_card_login_LDADD = $(P11_CARD_LDADD)
tests_p11_test_card_sign_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_p11_test_card_sign_CPPFLAGS = $(P11_CARD_CPPFLAGS)
tests_p11_test_card_sign_LDADD = $(P11_CARD_LDADD)
tests_p11_test_card_write_CPPFLAGS = $(P11_CARD_CPPFLAGS)
tests_p11_test_card_write_LDADD = $(P11_CARD_LDADD)
tests_p11_test_card_ladder_CPPFLAGS = $(P11_CARD_CPPFLAGS)
tests_p11_test_card_ladder_LDADD = $(P11_CARD_LDADD)
tests_p11_test_card_settings_CPPFLAGS = $(P11_CARD_CPPFLAGS)
tests_p11_test_card_settings_LDADD = $(P11_CARD_LDADD)
tests_p11_test_card_events_CPPFLAGS = $(P11_CARD_CPPFLAGS)
tests_p11_test_card_events_LDADD = $(P11_CARD_LDADD)
tests_p11_test_card_lazy_CPPFLAGS = $(P11_CPPFLAGS) -I$(top_srcdir)/tests/sim
tests_p11_test_card_lazy_LDADD = $(P11_CARD_LDADD)
tests_p11_test_card_pss_CPPFLAGS = $(P11_CARD_CPPFLAGS)
tests_p11_test_card_pss_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_p11_test_card_pss_LDADD = $(P11_CARD_LDADD)
tests_p11_test_card_cache_CPPFLAGS = $(P11_CPPFLAGS) -I$(top_srcdir)/tests/sim
tests_p11_test_card_cache_LDADD = $(P11_CARD_LDADD)
# The copy-out helper, linked directly (it is internal to the module).
tests_p11_test_attr_CPPFLAGS = $(P11_CPPFLAGS)
tests_p11_test_attr_LDADD = pkcs11/libjpki-p11.la
SH_TESTS += tests/p11/contract-stack.sh tests/p11/contract-softhsm.sh \
	tests/p11/contract-sim-options.sh
EXTRA_DIST += tests/p11/contract-stack.sh tests/p11/contract-softhsm.sh tests/p11/contract-run.sh \
	tests/p11/contract-sim-options.sh
