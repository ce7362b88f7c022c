# Build and test rules for pkcs11/ (included from the top-level Makefile.am).

# The PKCS#11 layer as a convenience library: the installed module below and
# the test-only module wired to the in-process card emulator link the same
# code.  Hidden visibility: only the C_* functions (declared with default
# visibility in pkcs11.h) can leave the module.
#
# One rule per name: p11-*.c hold the C_* entry points only (check the
# arguments, take the lock, look the slot or session up, make one call down,
# return) and their static helpers for those steps; the work they call lives
# in the files without the prefix: module.c for p11-general.c, call.c for what
# every session call shares (the visibility rule, card errors, reading a
# pending certificate, starting a search), slot.c and token.c, session.c,
# object.c and attr.c, login.c, sign.c and mech.c.  No p11-*.c calls the card
# layer; the one exception is C_WaitForSlotEvent (p11-wait.c), whose loop must
# let go of the lock around the transport's wait and so stays in one piece.
noinst_LTLIBRARIES += pkcs11/libjpki-p11.la
pkcs11_libjpki_p11_la_SOURCES = \
	pkcs11/pkcs11.h \
	pkcs11/module.c pkcs11/module.h \
	pkcs11/lock.c pkcs11/lock.h \
	pkcs11/backend.h \
	pkcs11/slot.c pkcs11/slot.h \
	pkcs11/token.c pkcs11/token.h \
	pkcs11/session.c pkcs11/session.h \
	pkcs11/call.c pkcs11/call.h \
	pkcs11/object.c pkcs11/object.h \
	pkcs11/attr.c pkcs11/attr.h \
	pkcs11/mech.c pkcs11/mech.h \
	pkcs11/login.c pkcs11/login.h \
	pkcs11/sign.c pkcs11/sign.h \
	pkcs11/pss.c pkcs11/pss.h \
	pkcs11/ckr-map.c pkcs11/ckr-map.h \
	pkcs11/pad.c pkcs11/pad.h \
	pkcs11/ckr-names.c pkcs11/ckr-names.h \
	pkcs11/p11-general.c \
	pkcs11/p11-slot.c \
	pkcs11/p11-wait.c \
	pkcs11/p11-session.c \
	pkcs11/p11-login.c \
	pkcs11/p11-object.c \
	pkcs11/p11-write.c \
	pkcs11/p11-sign.c \
	pkcs11/p11-unsupported.c
pkcs11_libjpki_p11_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden $(CRYPTO_CFLAGS)

# The installed module.  The version script is the gate: exactly the 3.0
# function list is exported (tests/p11/exports.sh checks it).
pkcs11lib_LTLIBRARIES += pkcs11/jpki-pkcs11.la
pkcs11_jpki_pkcs11_la_SOURCES = pkcs11/backend-pcsc.c
pkcs11_jpki_pkcs11_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -no-undefined \
	-Wl,--version-script=$(srcdir)/pkcs11/jpki-pkcs11.map
pkcs11_jpki_pkcs11_la_LIBADD = pkcs11/libjpki-p11.la src/libjpki.la src/libjpki-pcsc.la \
	$(CRYPTO_LIBS) $(PCSC_LIBS)
EXTRA_pkcs11_jpki_pkcs11_la_DEPENDENCIES = pkcs11/jpki-pkcs11.map
EXTRA_DIST += pkcs11/jpki-pkcs11.map
