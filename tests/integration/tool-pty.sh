#!/bin/bash
# jpki-tool's PIN prompt at a real terminal (a pseudo-terminal that is the
# command's controlling terminal, driven by tool-pty.py): the typed PIN never
# appears on the screen, the tries left come first, the new PIN is asked
# twice, and two different new PINs are refused before anything reaches the
# card (proved from the emulator's APDU log).
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tool.sh"

tool_start tool-pty
PTY=$top_srcdir/tests/integration/tool-pty.py
command -v python3 >/dev/null || tap_bail "python3 is missing"
tool_stack main
state_get() { sed -n "s/^$1=//p" "$JPKI_CARD_DIR/card.state" | head -n1; }
changes() { grep -Ec '^00240180' "$JPKI_APDU_LOG"; }

# at ANSWERS... -- ARGS...: jpki-tool ARGS on a terminal; sets $rc and $screen.
at() {
	local a=()
	while [ "$1" != -- ]; do
		a+=(--answer "$1" "$2")
		shift 2
	done
	shift
	rc=0
	LC_ALL=C.UTF-8 LANGUAGE= python3 "$PTY" "$tmp/screen" "${a[@]}" -- \
		"$TOOL" --reader "$JPKI_READER" "$@" </dev/null >/dev/null 2>&1 || rc=$?
	screen=$(tr -d '\r' <"$tmp/screen")
}
# not_shown TEXT: TEXT is nowhere on the screen.
not_shown() { ! grep -qF -- "$1" <<<"$screen"; }

NEW=8642
OTHER=8643
# --- two different new PINs: refused before the card ---
v=$(verifies)
at "Current authentication PIN (3 tries left): " "$JPKI_AUTH_PIN" \
	"New authentication PIN: " "$NEW" "New authentication PIN again: " "$OTHER" -- pin change auth
tap_is "mismatch: exit 8" "$rc" 8
tap_ok "the tries left are shown first" grep -q "^Current authentication PIN (3 tries left): $" <<<"$screen"
tap_ok "the new PIN is asked twice" grep -q "^New authentication PIN again: $" <<<"$screen"
tap_ok "mismatch: one sentence" grep -q "^jpki-tool: The two new PINs differ; nothing was sent to the card.$" <<<"$screen"
tap_is "mismatch: no PIN reached the card" "$(verifies)/$(changes)" "$v/0"
tap_ok "the current PIN is not on the screen" not_shown "$JPKI_AUTH_PIN"
tap_ok "the new PINs are not on the screen" not_shown "$NEW"
tap_ok "the repeated PIN is not on the screen" not_shown "$OTHER"
tap_is "the screen has the three prompts and the error, nothing else" "$(grep -vc . <<<"$screen")/$(wc -l <<<"$screen")" "0/4"

# --- a malformed new PIN: refused before the card ---
at "Current authentication PIN (3 tries left): " "$JPKI_AUTH_PIN" "New authentication PIN: " "12a4" -- pin change auth
tap_is "malformed new PIN: exit 8" "$rc" 8
tap_is "malformed new PIN: no PIN reached the card" "$(verifies)/$(changes)" "$v/0"
tap_ok "malformed new PIN: not on the screen" not_shown 12a4

# --- the change itself, and back ---
at "Current authentication PIN (3 tries left): " "$JPKI_AUTH_PIN" \
	"New authentication PIN: " "$NEW" "New authentication PIN again: " "$NEW" -- pin change auth
tap_is "pin change auth at a terminal: exit 0" "$rc" 0
tap_is "the card has the new PIN" "$(state_get auth-pin)" "$NEW"
tap_ok "success: no PIN on the screen" sh -c "! grep -qF -e '$JPKI_AUTH_PIN' -e '$NEW' '$tmp/screen'"
at "Current authentication PIN (3 tries left): " "$NEW" \
	"New authentication PIN: " "$JPKI_AUTH_PIN" "New authentication PIN again: " "$JPKI_AUTH_PIN" -- pin change auth
tap_is "and back: exit 0" "$rc/$(state_get auth-pin)" "0/$JPKI_AUTH_PIN"

# --- the signature password for cert show sign ---
at "signature password (5 tries left): " "$JPKI_SIGN_PIN" -- cert show sign
tap_is "cert show sign at a terminal: exit 0" "$rc" 0
tap_ok "cert show sign: the certificate is shown" grep -q "Name: $(state_get name)$" <<<"$screen"
tap_ok "cert show sign: the password is not on the screen" not_shown "$JPKI_SIGN_PIN"
lower=$(tr 'A-Z' 'a-z' <<<"$JPKI_SIGN_PIN")
at "signature password (5 tries left): " "$lower" -- cert show sign
tap_is "a lower-case password typed: exit 0" "$rc" 0
tap_ok "the lower-case password is not on the screen" not_shown "$lower"

tap_done
