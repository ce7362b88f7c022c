# Build and test rules for tests/tool/ (included from the top-level Makefile.am):
# jpki-tool's pieces without a card, through src/tool/libjpkitool.la (also
# under valgrind and ASan).  jpki-tool on the emulated card is tested by the
# tests/integration/tool-*.sh scripts (listed in src/tool/local.mk).

# Output of hostile strings, eras, exit codes, atomic writes, PIN lines, and a
# CMS signature through the signer callback.
check_PROGRAMS += tests/tool/test-tool
C_TESTS += tests/tool/test-tool
tests_tool_test_tool_CFLAGS = $(AM_CFLAGS) -Wno-format-nonliteral $(CRYPTO_CFLAGS) \
	-I$(top_srcdir)/src/tool
tests_tool_test_tool_LDADD = src/tool/libjpkitool.la src/libjpki-pcsc.la src/libjpki.la \
	$(CRYPTO_LIBS) $(PCSC_LIBS)

# jpki-tool setup: pkcs11.txt, profiles, profile locks, p11-kit module files.
check_PROGRAMS += tests/tool/test-setup
C_TESTS += tests/tool/test-setup
tests_tool_test_setup_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/src/tool
tests_tool_test_setup_LDADD = src/tool/libjpkitool.la src/libjpki.la $(CRYPTO_LIBS)

# The PDF signature finder on made-up and hostile files.
check_PROGRAMS += tests/tool/test-pdf
C_TESTS += tests/tool/test-pdf
tests_tool_test_pdf_CFLAGS = $(AM_CFLAGS) -Wno-format-nonliteral -I$(top_srcdir)/src/tool
tests_tool_test_pdf_LDADD = src/tool/libjpkitool.la src/libjpki-pcsc.la src/libjpki.la \
	$(CRYPTO_LIBS) $(PCSC_LIBS)
