#!/bin/bash
# Every kind of card a holder may present (issue 18), each on its own
# emulated card (tests/stack with the emulator's switch for it), through
# jpki-tool in English and Japanese:
#   - a card without the signature certificate, with each answer its EF 0001
#     and its password may give (--no-sign-cert, --no-sign-pin): the module
#     shows the authentication token alone (pkcs11-tool, p11tool) when the
#     card's answers tell (every password answer but 63Cx); jpki-tool status
#     says so in both languages, and no command asks for the password;
#   - the phone tokens (--kind android, --kind iphone): what each label
#     gets; the Android token's authentication certificate is never asked
#     for before its PIN;
#   - certificates that have expired (fixture-expired: ended 74 days ago):
#     status and cert show print the validity and warn, with what to do;
#   - a reader that loses an answer of 256 bytes (--reader-drops-256): through
#     vpcd the card leaves with it, and the module and jpki-tool see a removal
#     (never retried, never a token or result from part of an answer).
# No PIN try is spent by anything here: no VERIFY with data reaches the card.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tool.sh"

tool_start kinds
[ -x "${JPKI_SIM:-}" ] || tap_bail "no emulator (JPKI_SIM)"
FIXTURE_EXPIRED=$top_builddir/tests/sim/fixture-expired
[ -f "$FIXTURE_EXPIRED/card.state" ] || tap_bail "no $FIXTURE_EXPIRED (make check builds it)"
tool_ja_locale

# en ARGS / ja ARGS: the tool in English / Japanese; sets $out, $err, $rc.
en() {
	rc=0
	out=$(tool_en --reader "$JPKI_READER" "$@" </dev/null 2>"$tmp/err") || rc=$?
	err=$(cat "$tmp/err")
}
ja() {
	rc=0
	out=$(tool_ja --reader "$JPKI_READER" "$@" </dev/null 2>"$tmp/err") || rc=$?
	err=$(cat "$tmp/err")
}
# no_pin_tries: the PIN commands in the APDU log are status queries only.
no_pin_tries() { ! grep -Eq '^00200080[0-9A-F]{2}\*\*' "$JPKI_APDU_LOG"; }

MOD=${JPKI_MODULE:?JPKI_MODULE must name the built module}
AUTH_LABEL='JPKI Auth (4-digit PIN)'
SIGN_LABEL='JPKI Sign (6-16 char password)'
NO_SIGN="no signature certificate on this card (not issued, or not yet renewed)"

# --- no signature certificate ---
for pin_answer in 6984 6a88; do
	for ef in select-6a82 read-6982 read-6a82 empty ff; do
		[ "$pin_answer" = 6a88 ] && [ "$ef" != read-6982 ] && continue
		name="no-sign $ef/$pin_answer"
		tool_stack "no-sign-$ef-$pin_answer" --no-sign-cert "$ef" --no-sign-pin "$pin_answer"
		pkcs11-tool --module "$MOD" -L > "$tmp/list.txt" 2>&1
		tap_is "$name: pkcs11-tool lists one token" "$(grep -c 'token label' "$tmp/list.txt")" 1
		tap_ok "$name: the authentication token" grep -qF "token label        : $AUTH_LABEL" "$tmp/list.txt"
		tap_ok "$name: no signature token" sh -c "! grep -qF '$SIGN_LABEL' '$tmp/list.txt'"
		pkcs11-tool --module "$MOD" --token-label "$AUTH_LABEL" -O > "$tmp/objs.txt" 2>&1
		tap_ok "$name: the authentication certificate" grep -q 'label: *User Authentication Certificate' "$tmp/objs.txt"
		p11tool --provider "$MOD" --list-tokens > "$tmp/p11tool.txt" 2>&1
		tap_ok "$name: p11tool lists the authentication token" grep -qF "Label: $AUTH_LABEL" "$tmp/p11tool.txt"
		tap_ok "$name: p11tool lists no signature token" sh -c "! grep -qF 'Label: $SIGN_LABEL' '$tmp/p11tool.txt'"
		en status
		tap_is "$name: status exit 0" "$rc" 0
		tap_ok "$name: status says there is no signature certificate" \
			grep -qF "Signature certificate: $NO_SIGN" <<<"$out"
		tap_ok "$name: no password counter" grep -qF "signature password: not on this card" <<<"$out"
		tool_pins "NOPASSWORD1" cert show sign
		tap_is "$name: cert show sign refused (exit 5)" "$rc" 5
		tap_ok "$name: ... with what to know" grep -qF "This card has no signature certificate" <<<"$err"
		tap_ok "$name: no PIN try by anything" no_pin_tries
	done
done

# The password answers 63Cx like a usual card's: only EF 0008 tells, which
# the tool reads (status, before asking for the password) and the module
# does not (it would cost every card an APDU): docs/card-kinds.md.
tool_stack no-sign-63cx --no-sign-cert read-6982 --no-sign-pin 63cx
en status
tap_ok "no-sign 63cx: status says there is no signature certificate" \
	grep -qF "Signature certificate: $NO_SIGN" <<<"$out"
ja status
tap_ok "no-sign 63cx: ... in Japanese" \
	grep -qF "署名用電子証明書: このカードには署名用電子証明書がありません（未発行、または更新前）" <<<"$out"
echo data > "$tmp/data.txt"
tool_pins "NOPASSWORD1" sign --key sign "$tmp/data.txt"
tap_is "no-sign 63cx: signing refused before any password (exit 5)" "$rc" 5
tool_pins "NOPASSWORD1" cert show sign
tap_is "no-sign 63cx: cert show sign refused (exit 5)" "$rc" 5
tap_ok "no-sign 63cx: no PIN try by anything" no_pin_tries
tap_is "no-sign 63cx: the card's counter untouched" "$(tries auth)" 3

# The usual card: the signature certificate is there.
tool_stack usual
en status
tap_ok "usual card: status shows the signature certificate" \
	grep -qF "Signature certificate: on the card" <<<"$out"
en --json status
tap_ok "usual card: --json sign_certificate present" grep -qF '"sign_certificate":{"present":true}' <<<"$out"

# --- phone tokens ---
tool_stack android --kind android
pkcs11-tool --module "$MOD" -L > "$tmp/list.txt" 2>&1
tap_is "android: the module offers no token (docs/card-kinds.md)" "$(grep -c 'token label' "$tmp/list.txt")" 0
en status
tap_is "android: status exit 0" "$rc" 0
tap_ok "android: status names the kind" grep -qF "Card: JPKI on an Android smartphone (JPKIAPGPSETOKEN)" <<<"$out"
tap_ok "android: no text application on a phone" grep -qF "text PIN: not on this card" <<<"$out"
tap_ok "android: the certificate only after the PIN" \
	grep -qF "Authentication certificate: this token shows it only after the authentication PIN" <<<"$out"
ja status
tap_ok "android: in Japanese" grep -qF "このトークンは利用者証明用暗証番号の入力後にだけ表示します" <<<"$out"
tap_ok "android: EF 000A never read before the PIN" \
	sh -c "! grep -Eq '^(00B08A|00A4020C02000A)' '$JPKI_APDU_LOG'"
tap_ok "android: no PIN try by anything" no_pin_tries

tool_stack iphone --kind iphone
pkcs11-tool --module "$MOD" -L > "$tmp/list.txt" 2>&1
tap_is "iphone: two tokens, as a card" "$(grep -c 'token label' "$tmp/list.txt")" 2
pkcs11-tool --module "$MOD" --token-label "$AUTH_LABEL" -O > "$tmp/objs.txt" 2>&1
tap_ok "iphone: the authentication certificate" grep -q 'label: *User Authentication Certificate' "$tmp/objs.txt"
p11tool --provider "$MOD" --list-tokens > "$tmp/p11tool.txt" 2>&1
tap_ok "iphone: p11tool lists both tokens" \
	sh -c "grep -qF 'Label: $AUTH_LABEL' '$tmp/p11tool.txt' && grep -qF 'Label: $SIGN_LABEL' '$tmp/p11tool.txt'"
en status
tap_ok "iphone: status names the kind" grep -qF "Card: JPKI on an iPhone (JPKIAPIOSTOKEN)" <<<"$out"
tap_ok "iphone: the certificate's validity" grep -qF "Valid until: " <<<"$out"
tap_ok "iphone: no text application on a phone" grep -qF "text PIN: not on this card" <<<"$out"
tap_ok "iphone: no PIN try by anything" no_pin_tries

# --- expired certificates ---
cp -r "$FIXTURE_EXPIRED" "$tmp/expired"
tool_stack expired --state "$tmp/expired"
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
pkcs11-tool --module "$MOD" --token-label "$AUTH_LABEL" -O > "$tmp/objs.txt" 2>&1
tap_ok "expired: the module still offers the certificate (the server decides)" \
	grep -q 'label: *User Authentication Certificate' "$tmp/objs.txt"
tap_is "expired: no try spent (auth)" "$(tries auth)" 3
tap_is "expired: no try spent (sign)" "$(tries sign)" 5

# --- a reader that loses a 256-byte answer: through vpcd, the card with it ---
tool_stack drops --reader-drops-256
JPKI_PKCS11_DEBUG=3:$tmp/drops.log pkcs11-tool --module "$MOD" -L > "$tmp/drops.txt" 2>&1
tap_ok "drops-256: the reader lost an answer" grep -q '^# the reader lost the exchange' "$JPKI_APDU_LOG"
tap_ok "drops-256: the module saw the card leave" \
	grep -q 'auth certificate: CARD_E_CARD_REMOVED' "$tmp/drops.log"
tap_is "drops-256: no token from part of a certificate" "$(grep -c 'token label' "$tmp/drops.txt")" 0
tap_is "drops-256: no READ sent again after the removal (Le=F0)" \
	"$(grep -Ec '^00B0[0-9A-F]{4}F0 ' "$JPKI_APDU_LOG")" 0
# The card comes back after the emulator's --reinsert-ms (1 s); wait for
# pcscd to show it, without sending it anything.
for i in $(seq 100); do
	OPENSC_CONF=$JPKI_STACK_DIR/opensc.conf opensc-tool -l 2>/dev/null |
		grep -Eq '^0 +Yes .*Virtual PCD 00 00$' && break
	sleep 0.1
done
en cert show auth
tap_is "drops-256: cert show exits 9 (removed)" "$rc" 9
tap_ok "drops-256: ... and says to keep the card on the reader" \
	grep -qF "keep the card on the reader until the command ends" <<<"$err"
tap_is "drops-256: ... and prints no certificate" "$out" ""
tap_ok "drops-256: no PIN try by anything" no_pin_tries

tap_done
