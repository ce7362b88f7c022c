# Shared by the jpki-tool tests: running the tool with PINs on a descriptor,
# and what the card and the emulator's APDU log say.  The caller sets TOOL,
# tmp (a work dir) and the stack's variables (JPKI_READER, JPKI_APDU_LOG).

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
