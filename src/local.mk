# Build and test rules for src/ (included from the top-level Makefile.am).

# The card layer: everything below the PKCS#11 layer except the PC/SC
# transport, so that the module, the tool and the tests can each pick their
# transport (pcsc-lite, or the in-process emulator) at link time.
noinst_LTLIBRARIES += src/libjpki.la
src_libjpki_la_SOURCES = \
	src/log.c src/log.h
src_libjpki_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
src_libjpki_la_LIBADD = $(CRYPTO_LIBS)
src_libjpki_la_SOURCES += src/settings.c src/settings.h
