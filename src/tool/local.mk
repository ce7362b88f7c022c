# Build and test rules for src/tool/ (included from the top-level Makefile.am).

# jpki-tool: the command line for what PKCS#11 cannot do.  Everything but
# main() is a convenience library, so that the unit tests link the same code.
noinst_LTLIBRARIES += src/tool/libjpkitool.la
src_tool_libjpkitool_la_SOURCES = \
	src/tool/i18n.h src/tool/tool.h src/tool/tool.c \
	src/tool/exit.c src/tool/exit.h \
	src/tool/out.c src/tool/out.h \
	src/tool/secret.c src/tool/secret.h \
	src/tool/file.c src/tool/file.h \
	src/tool/era.c src/tool/era.h \
	src/tool/certcheck.c src/tool/certcheck.h \
	src/tool/validity.c src/tool/validity.h \
	src/tool/hostcheck.c src/tool/hostcheck.h \
	src/tool/cms.c src/tool/cms.h \
	src/tool/cmd-status.c src/tool/cmd-cert.c src/tool/cmd-pin.c \
	src/tool/cmd-textap.c src/tool/cmd-sign.c \
	src/tool/pdf.c src/tool/pdf.h src/tool/pdf-lex.h \
	src/tool/pdf-update.c src/tool/pdf-update.h \
	src/tool/pdf-xref.c src/tool/pdf-xref.h src/tool/cmd-pdf.c
src_tool_libjpkitool_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(ZLIB_CFLAGS)
src_tool_libjpkitool_la_LIBADD = src/libjpki.la $(CRYPTO_LIBS) $(ZLIB_LIBS)

# jpki-tool setup: registering the module in the user's NSS databases
# (setup-find: where; nssdb: pkcs11.txt and modutil), and its test on fresh
# profiles of the real applications (its unit test: tests/tool/local.mk).
src_tool_libjpkitool_la_SOURCES += src/tool/cmd-setup.c src/tool/setup-system.c \
	src/tool/setup-find.c src/tool/setup-find.h src/tool/nssdb.c src/tool/nssdb.h \
	src/tool/policy-json.c src/tool/policy-json.h
src_tool_libjpkitool_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-DJPKI_MODULE_PATH='"$(pkcs11libdir)/jpki-pkcs11.so"'
SH_TESTS += tests/integration/tool-setup.sh
EXTRA_DIST += tests/integration/tool-setup.sh

bin_PROGRAMS += src/tool/jpki-tool
src_tool_jpki_tool_SOURCES = src/tool/main.c
src_tool_jpki_tool_CPPFLAGS = $(AM_CPPFLAGS) -DLOCALEDIR='"$(localedir)"'
src_tool_jpki_tool_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
src_tool_jpki_tool_LDADD = src/tool/libjpkitool.la src/libjpki-pcsc.la src/libjpki.la \
	$(CRYPTO_LIBS) $(PCSC_LIBS)

dist_man_MANS += man/jpki-tool.1

# Translations: src/tool/po/LANG.po compiled into the layout bindtextdomain
# expects, in the build tree (tests point JPKI_TOOL_LOCALEDIR at it) and
# installed under $(localedir).
MSGFMT = msgfmt
XGETTEXT = xgettext
jpkitooljadir = $(localedir)/ja/LC_MESSAGES
jpkitoolja_DATA = src/tool/locale/ja/LC_MESSAGES/jpki-tool.mo
src/tool/locale/ja/LC_MESSAGES/jpki-tool.mo: src/tool/po/ja.po
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(MSGFMT) -c -o $@ $(srcdir)/src/tool/po/ja.po
CLEANFILES += $(jpkitoolja_DATA)
EXTRA_DIST += src/tool/po/ja.po src/tool/po/jpki-tool.pot

# Maintainer rule: refresh the template and merge it into ja.po.
update-tool-po:
	cd $(srcdir) && $(XGETTEXT) --from-code=UTF-8 -k_ -kN_ -kngettext:1,2 \
		--package-name=jpki-tool --add-comments=TRANSLATORS: \
		-o src/tool/po/jpki-tool.pot src/tool/*.c && \
		msgmerge -q -U --backup=none src/tool/po/ja.po src/tool/po/jpki-tool.pot
.PHONY: update-tool-po

# Shell tests: jpki-tool on the emulated card (tests/stack), on the cards and
# events of the "bad input" list (tool-badcard), at a terminal (tool-pty), and
# its Japanese messages.
SH_TESTS += tests/integration/tool-stack.sh tests/integration/tool-badcard.sh \
	tests/integration/tool-pty.sh tests/integration/tool-i18n.sh
EXTRA_DIST += tests/integration/tool-stack.sh tests/integration/tool-badcard.sh \
	tests/integration/tool-pty.sh tests/integration/tool-pty.py tests/integration/tool-i18n.sh

# jpki-tool pdf sign and verify on the emulated card, checked by pdfsig,
# openssl and qpdf.
SH_TESTS += tests/integration/tool-pdf.sh
EXTRA_DIST += tests/integration/tool-pdf.sh
