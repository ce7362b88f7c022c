#!/bin/bash
# Every kind of card a holder may present (issue 18), each on its own
# emulated card (tests/stack with the emulator's switch for it), through
# jpki-tool in English and Japanese:
#   - certificates that have expired (fixture-expired: ended 74 days ago):
#     status and cert show print the validity and warn, with what to do.
# No PIN try is spent by anything here: the counters are read before and after.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tool.sh"

TOOL=$top_builddir/src/tool/jpki-tool
STACK=$top_srcdir/tests/stack
[ -x "$TOOL" ] || tap_bail "no $TOOL (build first)"
[ -x "${JPKI_SIM:-}" ] || tap_bail "no emulator (JPKI_SIM)"
FIXTURE_EXPIRED=$top_builddir/tests/sim/fixture-expired
[ -f "$FIXTURE_EXPIRED/card.state" ] || tap_bail "no $FIXTURE_EXPIRED (make check builds it)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kinds.XXXXXX") || tap_bail "mktemp failed"
trap '[ -n "${JPKI_STACK_DIR:-}" ] && "$STACK" stop --dir "$JPKI_STACK_DIR" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
command -v localedef >/dev/null || tap_bail "localedef is missing (Debian package libc-bin)"
localedef -i ja_JP -f UTF-8 "$tmp/ja_JP.UTF-8" >/dev/null 2>&1 ||
	tap_bail "cannot build the ja_JP.UTF-8 locale (Debian package locales)"

# stack NAME OPTIONS...: stops the previous stack and starts one.
stack() {
	local name=$1
	shift
	[ -n "${JPKI_STACK_DIR:-}" ] && "$STACK" stop --dir "$JPKI_STACK_DIR" >/dev/null 2>&1
	export JPKI_STACK_DIR=$tmp/stack-$name
	env_lines=$("$STACK" start "$@" 2>"$tmp/stack.err") ||
		tap_bail "tests/stack start $*: $(tail -n 3 "$tmp/stack.err")"
	eval "$env_lines"
}
# en ARGS / ja ARGS: the tool in English / Japanese; sets $out, $err, $rc.
en() {
	rc=0
	out=$(LANG=C LC_ALL= LANGUAGE= "$TOOL" --reader "$JPKI_READER" "$@" </dev/null 2>"$tmp/err") || rc=$?
	err=$(cat "$tmp/err")
}
ja() {
	rc=0
	out=$(LOCPATH=$tmp LANG=ja_JP.UTF-8 LC_ALL= LANGUAGE= \
		JPKI_TOOL_LOCALEDIR="$top_builddir/src/tool/locale" \
		"$TOOL" --reader "$JPKI_READER" "$@" </dev/null 2>"$tmp/err") || rc=$?
	err=$(cat "$tmp/err")
}
# no_pin_tries: the PIN commands in the APDU log are status queries only.
no_pin_tries() { ! grep -Eq '^00200080[0-9A-F]{2}\*\*' "$JPKI_APDU_LOG"; }

# --- expired certificates ---
cp -r "$FIXTURE_EXPIRED" "$tmp/expired"
stack expired --state "$tmp/expired"
en status
tap_is "expired: status exit 0 (the card works; the server decides)" "$rc" 0
tap_ok "expired: status prints the end of validity" grep -q "Valid until: " <<<"$out"
tap_ok "expired: status days left negative" grep -Eq "Days left: -7[0-9]$" <<<"$out"
tap_ok "expired: status warns with what to do" grep -q \
	"Warning: this certificate has expired: get a new one at your municipal office (bring the card; the renewal also replaces a signature certificate revoked by a move or a change of name)" <<<"$out"
ja status
tap_is "expired: status in Japanese exit 0" "$rc" 0
tap_ok "expired: status warns in Japanese" grep -q \
	"警告: この証明書は有効期限が切れています。市区町村の窓口で新しい証明書の発行を受けてください" <<<"$out"
tap_ok "expired: Japanese labels" grep -q "有効期間の満了: " <<<"$out"
en --json status
tap_ok "expired: --json expired true" grep -q '"auth_certificate":{[^}]*"expired":true' <<<"$out"
en cert show auth
tap_ok "expired: cert show auth warns" grep -q "Warning: this certificate has expired" <<<"$out"
tool_pins "$JPKI_SIGN_PIN" cert show sign
tap_ok "expired: cert show sign warns too" grep -q "Warning: this certificate has expired" <<<"$out"
en cert show auth-ca
tap_is "expired: the valid CA certificate has no warning" "$(grep -c Warning <<<"$out")" 0
tap_is "expired: no try spent (auth)" "$(tries auth)" 3
tap_is "expired: no try spent (sign)" "$(tries sign)" 5

tap_done
