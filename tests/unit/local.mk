# Build and test rules for tests/unit/ (included from the top-level Makefile.am).
check_PROGRAMS += tests/unit/test-settings
C_TESTS += tests/unit/test-settings
tests_unit_test_settings_LDADD = src/libjpki.la
