# Build and test rules for src/ (included from the top-level Makefile.am).

# The card layer: everything below the PKCS#11 layer except the PC/SC
# transport, so that the module, the tool and the tests can each pick their
# transport (pcsc-lite, or the in-process emulator) at link time.
noinst_LTLIBRARIES += src/libjpki.la
src_libjpki_la_SOURCES = \
	src/log.c src/log.h \
	src/fdio.c src/fdio.h \
	src/card-error.c src/card-error.h \
	src/transport.c src/transport.h \
	src/apdu.c src/apdu.h \
	src/tlv.c src/tlv.h \
	src/pin.c src/pin.h \
	src/jpki.h src/jpki-internal.h \
	src/jpki-card.c src/jpki-ap.c src/jpki-read.c \
	src/jpki-detect.c src/jpki-kind.c src/jpki-pin.c src/jpki-sign.c src/jpki-cache.c \
	src/cert.c src/cert.h \
	src/cert-cache.c src/cert-cache.h \
	src/textap.c src/textap.h \
	src/settings.c src/settings.h
src_libjpki_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
src_libjpki_la_LIBADD = $(CRYPTO_LIBS)

# The PC/SC transport, apart so that each program picks its transport.
noinst_LTLIBRARIES += src/libjpki-pcsc.la
src_libjpki_pcsc_la_SOURCES = src/transport-pcsc.c src/transport-pcsc.h
src_libjpki_pcsc_la_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS)
src_libjpki_pcsc_la_LIBADD = $(PCSC_LIBS)
