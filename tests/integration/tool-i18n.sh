#!/bin/bash
# jpki-tool's messages in Japanese (LANG=ja_JP.UTF-8) from the built
# catalogue, without a card: the locale is compiled into a private LOCPATH
# (glibc's localedef, Debian package locales) so that the test needs no
# system change.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tool.sh"

tool_start tool-i18n
tool_ja_locale

# ja ARGS / en ARGS: the tool in Japanese / English with no pcscd to reach.
ja() { PCSCLITE_CSOCK_NAME=$tmp/no-such-socket tool_ja "$@"; }
en() { PCSCLITE_CSOCK_NAME=$tmp/no-such-socket tool_en "$@"; }

rc=0
out=$(ja status 2>&1) || rc=$?
tap_is "no pcscd: exit 3" "$rc" 3
tap_is "no pcscd: message in Japanese" "$out" \
	"jpki-tool: PC/SCサービス（pcscd）が起動していないか、接続できません。"
rc=0
out=$(en status 2>&1) || rc=$?
tap_is "no pcscd: message in English" "$out" \
	"jpki-tool: The PC/SC service (pcscd) is not running or not reachable."
rc=0
out=$(ja frobnicate 2>&1) || rc=$?
tap_is "usage error in Japanese: exit 2" "$rc" 2
tap_is "usage error in Japanese" "$out" \
	"jpki-tool: コマンド「frobnicate」は不明です（jpki-tool --help を参照）。"
out=$(ja --help)
tap_ok "help in Japanese lists the exit codes" grep -q "暗証番号の誤り（試行回数を1回消費）" <<<"$out"
rc=0
out=$(ja --json status 2>/dev/null) || rc=$?
tap_is "--json error object keeps its stable name" "$out" \
	'{"error":{"exit_code":3,"name":"no-reader","message":"PC/SCサービス（pcscd）が起動していないか、接続できません。"}}'
tap_ok "catalogue compiled from ja.po" test -s "$top_builddir/src/tool/locale/ja/LC_MESSAGES/jpki-tool.mo"

# Every message of the sources has its Japanese translation: a template
# extracted now (as make update-tool-po does) against ja.po.
po=$top_srcdir/src/tool/po/ja.po
if command -v xgettext >/dev/null && command -v msgcmp >/dev/null; then
	(cd "$top_srcdir" && xgettext --from-code=UTF-8 -k_ -kN_ -kngettext:1,2 \
		--package-name=jpki-tool -o "$tmp/fresh.pot" src/tool/*.c) ||
		tap_bail "xgettext failed"
	tap_ok "every message in the sources is translated in ja.po (msgcmp)" msgcmp "$po" "$tmp/fresh.pot"
	stats=$(msgfmt --check --statistics -o /dev/null "$po" 2>&1)
	tap_ok "ja.po: no fuzzy or untranslated entry ($stats)" \
		bash -c '[[ $1 == *"translated message"* && $1 != *fuzzy* && $1 != *untranslated* ]]' _ "$stats"
else
	tap_bail "gettext tools are missing (Debian package gettext)"
fi

tap_done
