# Build and test rules for tests/integration/ (included from the top-level Makefile.am).

# Every kind of card a holder may present (issue 18): tokens, objects and messages.
SH_TESTS += tests/integration/kinds.sh tests/integration/firefox-kinds.sh
EXTRA_DIST += tests/integration/kinds.sh tests/integration/firefox-kinds.sh

# Proof of fidelity: OpenSC's JPKI driver against the emulated card over tests/stack.
SH_TESTS += tests/integration/opensc-proof.sh
EXTRA_DIST += tests/integration/opensc-proof.sh

# The card layer over pcsc-lite against tests/stack (private pcscd + vpcd + emulator).
check_PROGRAMS += tests/integration/card-roundtrip
tests_integration_card_roundtrip_SOURCES = tests/integration/card-roundtrip.c
tests_integration_card_roundtrip_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS) $(CRYPTO_CFLAGS)
tests_integration_card_roundtrip_LDADD = src/libjpki-pcsc.la src/libjpki.la $(PCSC_LIBS) \
	$(CRYPTO_LIBS)
SH_TESTS += tests/integration/card-pcsc.sh
EXTRA_DIST += tests/integration/card-pcsc.sh

# Keeps the stack's card powered while a script counts APDUs (see its head comment); built with
# the module, as tests/bench/run.sh uses it too.
noinst_PROGRAMS += tests/integration/card-hold
tests_integration_card_hold_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS)
tests_integration_card_hold_LDADD = $(PCSC_LIBS)

# The certificate cache over tests/stack: cold, warm, and every way it can lie.
SH_TESTS += tests/integration/cert-cache.sh
EXTRA_DIST += tests/integration/cert-cache.sh

# The card's PSS answer in the cache: a refused PSS signature turns yes into no.
SH_TESTS += tests/integration/pss-cache.sh
EXTRA_DIST += tests/integration/pss-cache.sh

# Real consumers on the real path (see each script's head comment), and the
# Marionette client the browser test drives Firefox with.
CONSUMER_TESTS = tests/integration/pkcs11-tool.sh tests/integration/p11tool.sh \
	tests/integration/openssl-engine.sh tests/integration/openssh.sh tests/integration/nss.sh \
	tests/integration/firefox.sh tests/integration/p11-kit.sh tests/integration/java.sh \
	tests/integration/failure-modes.sh tests/integration/pdfsig.sh
SH_TESTS += $(CONSUMER_TESTS)
EXTRA_DIST += $(CONSUMER_TESTS) tests/integration/marionette.py \
	tests/integration/pdf-make.py tests/integration/pdf-sigparts.py \
	tests/integration/TlsClient.java

# The mail client's signing path through NSS (see the program's head comment).
if HAVE_NSS
check_PROGRAMS += tests/integration/nss-sign
tests_integration_nss_sign_SOURCES = tests/integration/nss-sign.c
tests_integration_nss_sign_CFLAGS = $(AM_CFLAGS) $(NSS_CFLAGS)
tests_integration_nss_sign_LDADD = $(NSS_LIBS)
endif
EXTRA_DIST += tests/integration/nss-sign.c

# Screenshots the browser test keeps for people to look at.
clean-local: clean-test-artifacts
clean-test-artifacts:
	-rm -rf tests/artifacts
.PHONY: clean-test-artifacts
