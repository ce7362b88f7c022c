# Build and test rules for tests/hardening/ (included from the top-level Makefile.am).
#
# Concurrency, faults and PIN safety (issue 9): see each file's head comment.
check_LTLIBRARIES += tests/hardening/libhard.la
tests_hardening_libhard_la_SOURCES = tests/hardening/hard.c tests/hardening/hard.h
tests_hardening_libhard_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests -I$(top_srcdir)/tests/p11
tests_hardening_libhard_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_hardening_libhard_la_LIBADD = tests/p11/libp11card.la $(CRYPTO_LIBS)
HARD_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests -I$(top_srcdir)/tests/p11
HARD_LDADD = tests/hardening/libhard.la $(CRYPTO_LIBS)

# The scenario runner (not a test by itself: the shell tests drive it).
check_PROGRAMS += tests/hardening/stress
tests_hardening_stress_SOURCES = tests/hardening/stress.c
tests_hardening_stress_CPPFLAGS = $(HARD_CPPFLAGS)
tests_hardening_stress_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_hardening_stress_LDADD = $(HARD_LDADD)

# The real path: $(JPKI_MODULE) over tests/stack, every scenario bounded.
SH_TESTS += tests/hardening/stack.sh
EXTRA_DIST += tests/hardening/stack.sh
# The misuse suite against SoftHSMv2, the reference.
SH_TESTS += tests/hardening/softhsm.sh
EXTRA_DIST += tests/hardening/softhsm.sh

# C tests on the emulator (also under valgrind and ASan).
HARD_C_TESTS = tests/hardening/test-pin-format tests/hardening/test-misuse \
	tests/hardening/test-init-cycle
check_PROGRAMS += $(HARD_C_TESTS)
C_TESTS += $(HARD_C_TESTS)
tests_hardening_test_pin_format_SOURCES = tests/hardening/test-pin-format.c
tests_hardening_test_pin_format_CPPFLAGS = $(HARD_CPPFLAGS)
tests_hardening_test_pin_format_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_hardening_test_pin_format_LDADD = $(HARD_LDADD)
tests_hardening_test_misuse_SOURCES = tests/hardening/test-misuse.c
tests_hardening_test_misuse_CPPFLAGS = $(HARD_CPPFLAGS)
tests_hardening_test_misuse_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_hardening_test_misuse_LDADD = $(HARD_LDADD)
tests_hardening_test_init_cycle_SOURCES = tests/hardening/test-init-cycle.c
tests_hardening_test_init_cycle_CPPFLAGS = $(HARD_CPPFLAGS)
tests_hardening_test_init_cycle_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
tests_hardening_test_init_cycle_LDADD = $(HARD_LDADD)

# Thread checking with valgrind's drd on the test module.
SH_TESTS += tests/hardening/drd.sh
EXTRA_DIST += tests/hardening/drd.sh tests/hardening/drd.supp
