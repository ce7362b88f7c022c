# Build and test rules for pkcs11/ (included from the top-level Makefile.am).

# The PKCS#11 layer as a convenience library: the installed module below and
# the test-only module wired to the in-process card emulator link the same
# code.  Hidden visibility: only the C_* functions (declared with default
# visibility in pkcs11.h) can leave the module.
#
# One rule per name: p11-*.c hold the C_* entry points only, each a shell:
# module_enter, the argument checks (CKR_ARGUMENTS_BAD and the like, in
# SoftHSMv2's order, which puts some after the session or slot lookup: they
# stay in the shell, so that the order is read in one place), the lookup
# (call_session_locked, session_find_locked, slot_find_locked,
# slot_find_token_locked or slot_check_token_locked), then one call down that
# does the work and gives the answer, and module_leave; static helpers only
# for those steps.  The work lives in the files without the prefix:
#   p11-general.c      module.c
#   p11-slot.c         slot.c (slots, tokens), pss.c (mechanisms: the card's PSS)
#   p11-session.c      session.c
#   p11-login.c        login.c
#   p11-object.c       object.c (by handle), find.c (the search)
#   p11-write.c        object.c (the refusal of a write-protected token)
#   p11-sign.c         sign.c
#   p11-unsupported.c  none: each answers its constant after the lookup
# call.c holds what every session call shares (the lookup, the visibility
# rule, card errors, reading a pending certificate).  No p11-*.c calls the
# card layer; the one exception is C_WaitForSlotEvent (p11-wait.c), whose
# loop must let go of the lock around the transport's wait and so stays in
# one piece (which slot has an event is slot.c's).
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
	pkcs11/find.c pkcs11/find.h \
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
