# Build and test rules for src/ (included from the top-level Makefile.am).

# The card layer: everything below the PKCS#11 layer except the PC/SC
# transport, so that the module, the tool and the tests can each pick their
# transport (pcsc-lite, or the in-process emulator) at link time.
noinst_LTLIBRARIES += src/libjpki.la
src_libjpki_la_SOURCES = \
	src/log.c src/log.h
src_libjpki_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
src_libjpki_la_LIBADD = $(CRYPTO_LIBS)
src_libjpki_la_SOURCES += \
	src/card-error.c src/card-error.h \
	src/transport.c src/transport.h \
	src/apdu.c src/apdu.h \
	src/tlv.c src/tlv.h
src_libjpki_la_SOURCES += \
	src/pin.c src/pin.h \
	src/jpki.c src/jpki.h src/jpki-internal.h

# The PC/SC transport, apart so that each program picks its transport.
noinst_LTLIBRARIES += src/libjpki-pcsc.la
src_libjpki_pcsc_la_SOURCES = src/transport-pcsc.c src/transport-pcsc.h
src_libjpki_pcsc_la_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS)
src_libjpki_pcsc_la_LIBADD = $(PCSC_LIBS)
src_libjpki_la_SOURCES += src/cert.c src/cert.h
src_libjpki_la_SOURCES += src/textap.c src/textap.h
src_libjpki_la_SOURCES += src/settings.c src/settings.h
