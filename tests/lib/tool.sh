# Shared by the jpki-tool tests: their start (the tool, a work dir, private
# PC/SC stacks, the Japanese locale), running the tool with PINs on a
# descriptor, and what the card and the emulator's APDU log say.  A script
# calls tool_start, or (a consumer test, tests/lib/consumer.sh) sets TOOL, tmp
# (a work dir) and the stack's variables (JPKI_READER, JPKI_APDU_LOG) itself.
# Sourcing this file only defines functions (and tests/lib/stack.sh's, whose
# stack_start the stacks here are started with).
. "$top_srcdir/tests/lib/stack.sh"

# tool_start NAME: TOOL (the built jpki-tool, else a bail-out) and STACK set,
# and tmp a new work dir, removed at exit after the stacks of tool_stack are
# stopped (tests/lib/stack.sh).  A stack of the caller's environment
# (JPKI_STACK_DIR) is not ours to stop: forgotten here.
tool_start()
{
	TOOL=$top_builddir/src/tool/jpki-tool
	STACK=$top_srcdir/tests/stack
	[ -x "$TOOL" ] || tap_bail "no $TOOL (build first)"
	unset JPKI_STACK_DIR
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || tap_bail "mktemp failed"
	trap 'rm -rf "$tmp"' EXIT
}

# tool_stack NAME [OPTIONS...]: stops the stack started before and starts one
# in $tmp/stack-NAME with the emulator's OPTIONS (stack_start); sets its
# variables (JPKI_READER, JPKI_APDU_LOG, JPKI_CARD_DIR, the PINs, ...).
tool_stack()
{
	local name=$1
	shift
	[ -z "${JPKI_STACK_DIR:-}" ] || stack_stop
	stack_start --dir "$tmp/stack-$name" "$@"
}

# tool_ja_locale: ja_JP.UTF-8 compiled into $tmp (a private LOCPATH, glibc's
# localedef, Debian package locales), so that no test needs a system change.
tool_ja_locale()
{
	command -v localedef >/dev/null || tap_bail "localedef is missing (Debian package libc-bin)"
	localedef -i ja_JP -f UTF-8 "$tmp/ja_JP.UTF-8" >/dev/null 2>&1 ||
		tap_bail "cannot build the ja_JP.UTF-8 locale (Debian package locales)"
}

# tool_ja ARGS... / tool_en ARGS...: the tool in Japanese (the locale of
# tool_ja_locale, the built catalogue) / in English.
tool_ja()
{
	LOCPATH=$tmp LANG=ja_JP.UTF-8 LC_ALL= LANGUAGE= \
		JPKI_TOOL_LOCALEDIR="$top_builddir/src/tool/locale" "$TOOL" "$@"
}
tool_en()
{
	LANG=C LC_ALL= LANGUAGE= "$TOOL" "$@"
}

# tool ARGS...: the tool with --reader; sets $out, $err and $rc.
tool()
{
	rc=0
	out=$("$TOOL" --reader "$JPKI_READER" "$@" 2>"$tmp/err") || rc=$?
	err=$(cat "$tmp/err")
}

# tool_pins 'LINES' ARGS...: the tool with --reader and PINs on descriptor 3;
# sets $out, $err and $rc.
tool_pins()
{
	local pins=$1
	shift
	rc=0
	out=$(printf '%s\n' "$pins" | "$TOOL" --reader "$JPKI_READER" --pin-fd 3 "$@" 3<&0 </dev/null 2>"$tmp/err") || rc=$?
	err=$(cat "$tmp/err")
}

# tries PIN: tries left from status --json (auth, sign or text).
tries()
{
	"$TOOL" --reader "$JPKI_READER" --json status |
		sed -n "s/.*\"$1\":{\"available\":true,\"tries_left\":\([0-9]*\).*/\1/p"
}

# verifies: VERIFY commands with data (PIN entries) in the APDU log so far.
verifies()
{
	grep -Ec '^00200080[0-9A-F]{2}\*\*' "$JPKI_APDU_LOG"
}
