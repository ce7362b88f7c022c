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
	src/tool/cmd-textap.c src/tool/cmd-sign.c
src_tool_libjpkitool_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
src_tool_libjpkitool_la_LIBADD = src/libjpki.la $(CRYPTO_LIBS)

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

# C unit test of the tool's pieces (also under valgrind and ASan).
check_PROGRAMS += src/tool/tests/test-tool
C_TESTS += src/tool/tests/test-tool
src_tool_tests_test_tool_CFLAGS = $(AM_CFLAGS) -Wno-format-nonliteral $(CRYPTO_CFLAGS) \
	-I$(top_srcdir)/src/tool
src_tool_tests_test_tool_LDADD = src/tool/libjpkitool.la src/libjpki-pcsc.la src/libjpki.la \
	$(CRYPTO_LIBS) $(PCSC_LIBS)
