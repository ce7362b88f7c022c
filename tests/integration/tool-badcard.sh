#!/bin/bash
# jpki-tool with the cards and events of issue 7's "bad input" list that need
# their own emulated card (tests/stack with a jpki-card-sim switch each):
#   - a card without the JPKI application (--no-jpki) and an old Juki card
#     (--juki): one sentence, exit 5, no PIN asked, no APDU beyond detection;
#   - a card pulled mid-command (--remove-after N): exit 9, one sentence, no
#     output file (nor a temporary one), no PIN try spent;
#   - certificates that expire in 30 days (--init --cert-days 30): the
#     warning under 90 days.
# What reached the card is read from the emulator's APDU log.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tool.sh"

tool_start tool-badcard
[ -x "${JPKI_SIM:-}" ] || tap_bail "no emulator (JPKI_SIM)"
command -v openssl >/dev/null || tap_bail "openssl is missing"

# tool ARGS...: the tool with --reader and no terminal (a PIN prompt would
# fail with exit 8; tool.sh's own keeps the caller's); sets $out, $err and $rc.
tool() {
	rc=0
	out=$(setsid -w "$TOOL" --reader "$JPKI_READER" "$@" </dev/null 2>"$tmp/err") || rc=$?
	err=$(cat "$tmp/err")
}
# one_sentence: $err is one line "jpki-tool: ... ." naming no PIN.
one_sentence() {
	[ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && grep -Eq '^jpki-tool: [A-Z].*\.$' <<<"$err"
}
# commands: the APDUs logged since the log was emptied, without answers.
commands() { sed -n 's/ ->.*//p' "$JPKI_APDU_LOG"; }
SELECT_JPKI=00A4040C0AD392F000260100000001
# Detection: SELECT of the JPKI AP and READ BINARY of the label EF 0006 (by
# its short identifier, or after SELECT 0006): nothing else may appear.
DETECT_RE='^(00A4040C0AD392F000260100000001|00A4020C020006|00B0(86|00)00[0-9A-F]{2})$'
# wait_back: until status finds the card again (at most 10 s); sets $rc.
wait_back() {
	local i
	for i in $(seq 50); do
		tool status
		[ "$rc" = 0 ] && return 0
		sleep 0.2
	done
}
head -c 5000 /dev/urandom >"$tmp/doc.bin"

# --- a card without the JPKI application ---
tool_stack nojpki --no-jpki
tool status
tap_is "no JPKI: status exit 5" "$rc" 5
tap_ok "no JPKI: status says what the card is" grep -q "Card: not a My Number Card (no JPKI application)" <<<"$out"
tap_ok "no JPKI: status, one sentence" one_sentence
tool --json status
tap_ok "no JPKI: status --json kind no-jpki and the error" \
	grep -q '"card_present":true,"jpki":false,"kind":"no-jpki"}.*"error":{"exit_code":5,"name":"not-jpki"' <<<"$out"
: >"$JPKI_APDU_LOG"
tool cert show auth
tap_is "no JPKI: cert show auth exit 5" "$rc" 5
tap_is "no JPKI: cert show auth says so" "$err" \
	"jpki-tool: The card in the reader is not a My Number Card (no JPKI application)."
tap_ok "no JPKI: cert show auth sent the SELECT of the JPKI AP" grep -qx "$SELECT_JPKI" <<<"$(commands)"
tap_is "no JPKI: cert show auth sent nothing but the label probe and that SELECT" \
	"$(commands | grep -Evc "^($SELECT_JPKI|00B0860020)\$")" 0
: >"$JPKI_APDU_LOG"
tool sign "$tmp/doc.bin"
tap_is "no JPKI: sign exit 5, no PIN asked" "$rc" 5
tap_ok "no JPKI: sign, one sentence" one_sentence
tap_ok "no JPKI: sign sent the SELECT of the JPKI AP" grep -qx "$SELECT_JPKI" <<<"$(commands)"
tap_is "no JPKI: sign sent nothing but the label probe and that SELECT" \
	"$(commands | grep -Evc "^($SELECT_JPKI|00B0860020)\$")" 0
tap_ok "no JPKI: no signature written" test ! -e "$tmp/doc.bin.p7s"
: >"$JPKI_APDU_LOG"
tool_pins "$JPKI_SIGN_PIN" cert show sign
tap_is "no JPKI: cert show sign with a PIN ready: exit 5" "$rc" 5
tap_is "no JPKI: the PIN was not sent" "$(verifies)" 0

# --- an old Juki card (住基カード) ---
tool_stack juki --juki
: >"$JPKI_APDU_LOG"
tool status
tap_is "Juki card: status exit 5" "$rc" 5
tap_ok "Juki card: status names the kind" grep -q "Card: Juki card (old basic resident registry card) (JPKIAPICCTOKEN)" <<<"$out"
tap_ok "Juki card: status still shows the tries" grep -q "signature password: 5 of 5 tries left" <<<"$out"
tap_ok "Juki card: status, one sentence" one_sentence
tap_ok "Juki card: status says why" grep -q "old Juki card" <<<"$err"
tap_is "Juki card: status sent no PIN" "$(verifies)" 0
tool --json status
tap_ok "Juki card: status --json kind juki" grep -q '"kind":"juki".*"label":"JPKIAPICCTOKEN"' <<<"$out"
for cmd in "cert show auth" "sign $tmp/doc.bin" "cert export auth -o $tmp/juki.pem"; do
	: >"$JPKI_APDU_LOG"
	# shellcheck disable=SC2086
	tool $cmd
	tap_is "Juki card: ${cmd%% /*}: exit 5, no PIN asked" "$rc" 5
	tap_ok "Juki card: ${cmd%% /*}: one sentence" one_sentence
	tap_ok "Juki card: ${cmd%% /*}: detection APDUs only" test -n "$(commands)"
	tap_is "Juki card: ${cmd%% /*}: no APDU beyond detection" "$(commands | grep -Evc "$DETECT_RE")" 0
done
tap_ok "Juki card: nothing written" test ! -e "$tmp/juki.pem" -a ! -e "$tmp/doc.bin.p7s"

# --- a card that refuses RSA-PSS (--no-pss) ---
tool_stack nopss --no-pss
tool --json status
tap_ok "no-PSS card: status --json says pss no" grep -q '"pss":"no"' <<<"$out"
tool_pins "$JPKI_SIGN_PIN" sign "$tmp/doc.bin" --pss -o "$tmp/nopss.p7s"
tap_is "no-PSS card: sign --pss: exit 1" "$rc" 1
tap_is "no-PSS card: sign --pss: one sentence" "$err" \
	"jpki-tool: This card does not make RSA-PSS signatures; sign without --pss."
tap_is "no-PSS card: sign --pss: no PIN sent" "$(verifies)" 0
tap_ok "no-PSS card: sign --pss: nothing written" test ! -e "$tmp/nopss.p7s"

# --- a card pulled mid-command ---
# Where to pull is found by a dry run on a fresh card: the APDU count up to
# the command that must be the last one answered (so the test follows the
# module's APDU economy instead of hard-coding it).
# nth_apdu REGEX [AFTER-REGEX]: the position (1-based, APDUs only) of the
# first APDU matching REGEX that comes after the first one matching AFTER.
nth_apdu() {
	grep -v '^#' "$JPKI_APDU_LOG" | sed 's/ ->.*//' |
		awk -v re="$1" -v after="${2:-}" '
			after != "" && !seen && $0 ~ after { seen = 1 }
			(after == "" || seen) && $0 ~ re { print NR; exit }'
}
# sign: the card leaves right after the APDU before the signature (the key is
# named in the signature itself, by SFI), and comes back 1.5 s later.
tool_stack dry-sign
tool_pins "$JPKI_SIGN_PIN" sign "$tmp/doc.bin" -o "$tmp/dry.p7s"
cut_sign=$(nth_apdu '^802A009A')
[ -n "$cut_sign" ] && cut_sign=$((cut_sign - 1))
tap_ok "dry run: the signature names the signature key by SFI (APDU $cut_sign + 1)" test -n "$cut_sign"
# cert export sign: the card leaves after the first READ of the signature
# certificate (after the password's VERIFY), and stays out 5 s.
tool_stack dry-export
tool_pins "$JPKI_SIGN_PIN" cert export sign -o "$tmp/dry.pem"
cut_export=$(nth_apdu '^00B0' '^00200080[0-9A-F][0-9A-F][*][*]')
tap_ok "dry run: the certificate is read after the password (APDU $cut_export)" test -n "$cut_export"
rm -f "$tmp/dry.p7s" "$tmp/dry.pem"

tool_stack removed-sign --remove-after "${cut_sign:-1}" --reinsert-ms 1500
tool_pins "$JPKI_SIGN_PIN" sign "$tmp/doc.bin" -o "$tmp/cut.p7s"
tap_is "pulled during sign: exit 9" "$rc" 9
tap_is "pulled during sign: one sentence" "$err" "jpki-tool: The card was removed during the command; keep the card on the reader until the command ends."
tap_ok "pulled during sign: the card was pulled where planned" grep -q '^# card pulled' "$JPKI_APDU_LOG"
tap_is "pulled during sign: no signature command reached the card" "$(grep -c '^802A' "$JPKI_APDU_LOG")" 0
tap_ok "pulled during sign: no signature file" test ! -e "$tmp/cut.p7s"
tap_is "pulled during sign: no temporary file" "$(find "$tmp" -maxdepth 1 -name '.*.??????' | wc -l)" 0
tap_is "pulled during sign: the password was sent once" "$(verifies)" 1
wait_back
tap_is "pulled during sign: the card is back" "$rc" 0
tap_is "pulled during sign: no password try spent" "$(tries sign)" 5
tool_stack removed-export --remove-after "${cut_export:-1}" --reinsert-ms 5000
tool_pins "$JPKI_SIGN_PIN" cert export sign -o "$tmp/cut.pem"
tap_is "pulled during cert export: exit 9" "$rc" 9
tap_is "pulled during cert export: one sentence" "$err" "jpki-tool: The card was removed during the command; keep the card on the reader until the command ends."
tool status
tap_is "pulled and not back yet: status exit 4 (no card)" "$rc" 4
tap_ok "pulled during cert export: no certificate file" test ! -e "$tmp/cut.pem"
tap_is "pulled during cert export: no temporary file" "$(find "$tmp" -maxdepth 1 -name '.*.??????' | wc -l)" 0
tap_is "pulled during cert export: the password was sent once" "$(verifies)" 1
wait_back
tap_is "pulled during cert export: no password try spent" "$(tries sign)" 5
tool_pins "$JPKI_SIGN_PIN" cert export sign -o "$tmp/cut.pem"
tap_is "the card back in: export works again" "$rc" 0
tap_ok "the card back in: the whole certificate" cmp <(openssl x509 -in "$tmp/cut.pem" -outform DER) "$JPKI_SIGN_CERT"

# --- certificates that expire soon ---
"$JPKI_SIM" --init --state-dir "$tmp/soon" --cert-days 30 >/dev/null 2>&1 ||
	tap_bail "jpki-card-sim --init --cert-days 30 failed"
tool_stack soon --state "$tmp/soon"
end=$(openssl x509 -inform DER -in "$JPKI_AUTH_CERT" -noout -enddate | sed 's/notAfter=//')
days=$((($(date -d "$end" +%s) - $(date +%s)) / 86400))
tap_ok "--cert-days 30: the certificate ends in 29-30 days ($end)" test "$days" -ge 29 -a "$days" -le 30
tool cert show auth
tap_is "expires soon: cert show exit 0" "$rc" 0
tap_ok "expires soon: warning with the days left" \
	grep -q "Warning: this certificate expires in $days days: renew it at your municipal office" <<<"$out"
tool --json cert show auth
tap_ok "expires soon: --json expires_soon" grep -q "\"days_left\":$days,\"expired\":false,\"expires_soon\":true" <<<"$out"
tool_pins "$JPKI_SIGN_PIN" cert show sign
tap_ok "expires soon: the signature certificate too" grep -q "Warning: this certificate expires in" <<<"$out"
tool cert show auth-ca
tap_is "the CA certificate (10 years) has no warning" "$(grep -c Warning <<<"$out")" 0
tool cert check
tap_is "expires soon: cert check still passes" "$rc" 0
tap_done
