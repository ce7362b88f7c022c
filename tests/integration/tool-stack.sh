#!/bin/bash
# jpki-tool against the emulated card on a private PC/SC stack (tests/stack):
# every command, tries left before and after, masked and revealed My Number,
# a CMS signature that `openssl cms -verify` accepts, PIN changes and back,
# and each error path with its exit code.  "Spends no try" is proved from
# the emulator's APDU log: no VERIFY with data was sent.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/tool.sh"

tool_start tool-stack
command -v openssl >/dev/null || tap_bail "openssl is missing"
tool_stack main
state=$JPKI_CARD_DIR/card.state
state_get() { sed -n "s/^$1=//p" "$state" | head -n1; }

# --- status ---
tool status
tap_is "status: exit 0" "$rc" 0
tap_ok "status: My Number Card" grep -q "My Number Card (JPKIAPICCTOKEN2)" <<<"$out"
tap_ok "status: RSA-PSS signatures" grep -q "RSA-PSS signatures: yes" <<<"$out"
tool --json status
tap_ok "status --json: auth 3 of 3" grep -q '"auth":{"available":true,"tries_left":3,"max_tries":3,"blocked":false}' <<<"$out"
tap_ok "status --json: sign 5 of 5" grep -q '"sign":{"available":true,"tries_left":5,"max_tries":5' <<<"$out"
tap_ok "status --json: text 3 of 3" grep -q '"text":{"available":true,"tries_left":3,"max_tries":3' <<<"$out"
tap_ok "status --json: the card signs PSS" grep -q '"pss":"yes"' <<<"$out"
tap_is "status sent no PIN" "$(verifies)" 0

# --- certificates ---
fp() { openssl x509 -inform DER -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//'; }
tool cert show auth
tap_is "cert show auth: exit 0" "$rc" 0
tap_ok "cert show auth: the card's fingerprint" grep -q "SHA-256 fingerprint: $(fp "$JPKI_AUTH_CERT")" <<<"$out"
tap_ok "cert show auth: key usage" grep -q "Key usage: digitalSignature$" <<<"$out"
tap_ok "cert show auth: days left" grep -Eq "Days left: [0-9]+" <<<"$out"
tool cert export auth --der -o "$tmp/auth.der"
tap_ok "cert export auth --der: the card's DER" cmp "$tmp/auth.der" "$JPKI_AUTH_CERT"
tool cert export sign-ca -o "$tmp/sign-ca.pem"
openssl x509 -in "$tmp/sign-ca.pem" -outform DER -out "$tmp/sign-ca.der" 2>/dev/null
tap_ok "cert export sign-ca (PEM): the card's certificate" cmp "$tmp/sign-ca.der" "$JPKI_SIGN_CA_CERT"
tool cert export auth-ca --pem
tap_ok "cert export auth-ca to stdout" grep -q "BEGIN CERTIFICATE" <<<"$out"
tap_is "public certificates sent no PIN" "$(verifies)" 0

tool_pins "$(tr 'A-Z' 'a-z' <<<"$JPKI_SIGN_PIN")" --json cert show sign
tap_is "cert show sign (lower-case password folded): exit 0" "$rc" 0
tap_ok "cert show sign: name from the certificate" grep -q "\"name\":\"$(state_get name)\"" <<<"$out"
tap_ok "cert show sign: address" grep -q "\"address\":\"$(state_get address)\"" <<<"$out"
tap_ok "cert show sign: birth date with era" grep -q '"birth_date":"1980-01-01 (Showa 55)"' <<<"$out"
tap_ok "cert show sign: sex" grep -q '"sex":"male"' <<<"$out"
tap_ok "cert show sign: fingerprint" grep -q "$(fp "$JPKI_SIGN_CERT")" <<<"$out"
tool_pins "$JPKI_SIGN_PIN" cert export sign --der -o "$tmp/sign.der"
tap_ok "cert export sign: the card's DER" cmp "$tmp/sign.der" "$JPKI_SIGN_CERT"

tool cert check
tap_is "cert check: exit 0" "$rc" 0
tap_ok "cert check: auth valid" grep -q "All checks passed: yes" <<<"$out"
tool_pins "$JPKI_SIGN_PIN" --json cert check all
tap_ok "cert check all --json: both valid" grep -q '"which":"sign","checks":{"ca_signature":true.*"valid":true}\],"valid":true' <<<"$out"

# --- text AP ---
tool_pins "$JPKI_TEXT_PIN" mynumber
tap_is "mynumber: masked but the last 4" "$out" "My Number: ********${JPKI_MYNUMBER: -4}"
tool_pins "$JPKI_TEXT_PIN" --json mynumber --reveal
tap_is "mynumber --reveal --json" "$out" "{\"mynumber\":\"$JPKI_MYNUMBER\",\"revealed\":true}"
tool_pins "$JPKI_TEXT_PIN" info
tap_ok "info: name" grep -q "Name: $(state_get name)" <<<"$out"
tap_ok "info: birth date with era" grep -q "Birth date: 1980-01-01 (Showa 55)" <<<"$out"
tap_ok "info: sex" grep -q "Sex: male" <<<"$out"
tap_ok "info: My Number masked" grep -q "My Number: \*\*\*\*\*\*\*\*${JPKI_MYNUMBER: -4}" <<<"$out"

# --- sign and verify ---
head -c 100000 /dev/urandom >"$tmp/doc.bin"
tool_pins "$JPKI_SIGN_PIN" sign "$tmp/doc.bin"
tap_is "sign: exit 0" "$rc" 0
tap_ok "openssl cms -verify accepts it (sign CA)" openssl cms -verify -binary -inform DER \
	-in "$tmp/doc.bin.p7s" -content "$tmp/doc.bin" -CAfile "$tmp/sign-ca.pem" -out /dev/null
openssl cms -cmsout -print -inform DER -in "$tmp/doc.bin.p7s" >"$tmp/cms.txt" 2>&1
tap_ok "signature holds the signer certificate" grep -q "certificates:" "$tmp/cms.txt"
tap_ok "signature is detached" grep -q "eContent: <ABSENT>" "$tmp/cms.txt"
tool verify "$tmp/doc.bin.p7s" "$tmp/doc.bin"
tap_is "verify: exit 0" "$rc" 0
tap_ok "verify: valid" grep -q "Valid signature: yes" <<<"$out"
tool_pins "$JPKI_AUTH_PIN" sign "$tmp/doc.bin" --key auth --pem -o "$tmp/doc.auth.pem"
openssl x509 -inform DER -in "$JPKI_AUTH_CA_CERT" -out "$tmp/auth-ca.pem"
tap_ok "sign --key auth --pem: openssl cms -verify accepts it (auth CA)" openssl cms -verify \
	-binary -inform PEM -in "$tmp/doc.auth.pem" -content "$tmp/doc.bin" -CAfile "$tmp/auth-ca.pem" -out /dev/null
tool verify "$tmp/doc.auth.pem" "$tmp/doc.bin"
tap_is "verify (PEM, auth key): exit 0" "$rc" 0
# --pss: RSASSA-PSS made by the card (scheme 04), RFC 4056 parameters.
tool_pins "$JPKI_SIGN_PIN" sign "$tmp/doc.bin" --pss -o "$tmp/doc.pss.p7s"
tap_is "sign --pss: exit 0" "$rc" 0
tap_ok "sign --pss: openssl cms -verify accepts it" openssl cms -verify -binary -inform DER \
	-in "$tmp/doc.pss.p7s" -content "$tmp/doc.bin" -CAfile "$tmp/sign-ca.pem" -out /dev/null
openssl cms -cmsout -print -inform DER -in "$tmp/doc.pss.p7s" >"$tmp/cms-pss.txt" 2>&1
tap_ok "sign --pss: the signature algorithm is RSASSA-PSS" grep -q "algorithm: rsassaPss" "$tmp/cms-pss.txt"
tap_ok "sign --pss: salt length 32 (INTEGER 0x20 in [2])" \
	sh -c "grep -A1 'cont \\[ 2 \\]' '$tmp/cms-pss.txt' | grep -q 'INTEGER *:20\$'"
tap_ok "sign --pss: the card signed with scheme 04, the key by SFI" grep -q '^802A049A20' "$JPKI_APDU_LOG"
tool verify "$tmp/doc.pss.p7s" "$tmp/doc.bin"
tap_is "verify (PSS): exit 0" "$rc" 0
tap_ok "verify (PSS): valid" grep -q "Valid signature: yes" <<<"$out"
cp "$tmp/doc.bin" "$tmp/changed.bin" && printf x >>"$tmp/changed.bin"
tool verify "$tmp/doc.pss.p7s" "$tmp/changed.bin"
tap_is "verify (PSS), changed content: exit 11" "$rc" 11
cp "$tmp/doc.bin" "$tmp/changed.bin" && printf x >>"$tmp/changed.bin"
tool verify "$tmp/doc.bin.p7s" "$tmp/changed.bin"
tap_is "verify, changed content: exit 11" "$rc" 11
tap_ok "verify, changed content: says NOT valid" grep -q "NOT valid" <<<"$err"
head -c 300 /dev/urandom >"$tmp/garbage.p7s"
tool verify "$tmp/garbage.p7s" "$tmp/doc.bin"
tap_is "verify, corrupt signature: exit 11" "$rc" 11
tool verify "$tmp/doc.bin.p7s" "$tmp/missing.bin"
tap_is "verify, unreadable content: exit 10" "$rc" 10

# --- PIN errors: tries before and after ---
n=$(verifies)
tool_pins "12a4" mynumber
tap_is "malformed text PIN: exit 8" "$rc" 8
tool_pins "ab" cert show sign
tap_is "too short sign password: exit 8" "$rc" 8
tool_pins "" cert show sign
tap_is "empty password: exit 8" "$rc" 8
tap_is "malformed PINs reached no card" "$(verifies)" "$n"
tap_is "tries unchanged after malformed PINs" "$(tries text)/$(tries sign)" "3/5"
tool_pins "0000" --json sign "$tmp/doc.bin" --key auth -o "$tmp/wrong.p7s"
tap_is "wrong auth PIN: exit 6" "$rc" 6
tap_ok "wrong auth PIN: JSON error with tries left" grep -q '"error":{"exit_code":6,"name":"pin-wrong",.*"tries_left":2}' <<<"$out"
tap_is "wrong auth PIN: 2 tries left" "$(tries auth)" 2
tap_ok "wrong auth PIN: no signature written" test ! -e "$tmp/wrong.p7s"
tool_pins "0000" sign "$tmp/doc.bin" --key auth -o "$tmp/wrong.p7s"
tap_is "second wrong auth PIN: exit 6, 1 left" "$rc/$(tries auth)" "6/1"
n=$(verifies)
tool_pins "$JPKI_AUTH_PIN" sign "$tmp/doc.bin" --key auth -o "$tmp/last.p7s"
tap_is "one try left: refused without --force (exit 8)" "$rc" 8
tap_is "one try left: nothing sent" "$(verifies)" "$n"
tool_pins "$JPKI_AUTH_PIN" sign "$tmp/doc.bin" --key auth -o "$tmp/last.p7s" --force
tap_is "one try left, --force, right PIN: exit 0" "$rc" 0
tap_is "right PIN refills the counter" "$(tries auth)" 3

# --- PIN change, login with the new PIN, and back ---
tool_pins "$JPKI_AUTH_PIN
4321" pin change auth
tap_is "pin change auth: exit 0" "$rc" 0
tool_pins "4321" sign "$tmp/doc.bin" --key auth -o "$tmp/new.p7s"
tap_is "login with the new auth PIN" "$rc" 0
tool_pins "4321
$JPKI_AUTH_PIN" pin change auth
tap_is "pin change auth back: exit 0" "$rc" 0
tap_is "auth PIN back in the card state" "$(state_get auth-pin)" "$JPKI_AUTH_PIN"
tool_pins "$JPKI_SIGN_PIN
newpass22" pin change sign
tap_is "pin change sign (lower case folded): exit 0" "$rc" 0
tool_pins "NEWPASS22" cert show sign
tap_is "login with the new sign password" "$rc" 0
tool_pins "NEWPASS22
$JPKI_SIGN_PIN" pin change sign
tap_is "pin change sign back: exit 0" "$rc" 0
n=$(verifies)
tool_pins "$JPKI_SIGN_PIN
ONLYLETTERS" pin change sign
tap_is "new sign password without a digit: exit 8" "$rc" 8
tool_pins "$JPKI_TEXT_PIN
12345" pin change text
tap_is "new text PIN of 5 digits: exit 8" "$rc" 8
tap_is "rejected new PINs reached no card" "$(verifies)" "$n"
tool_pins "$JPKI_TEXT_PIN
8888" pin change text
tap_is "pin change text: exit 0" "$rc" 0
tool_pins "8888" mynumber
tap_is "text AP with the new PIN" "$rc" 0
tool_pins "8888
$JPKI_TEXT_PIN" pin change text
tap_is "pin change text back" "$rc/$(state_get text-pin)" "0/$JPKI_TEXT_PIN"

# --- files, usage, readers ---
n=$(verifies)
tool_pins "$JPKI_SIGN_PIN" sign "$tmp/no-such-file"
tap_is "sign an unreadable file: exit 10" "$rc" 10
tap_is "unreadable file: no PIN spent" "$(verifies)" "$n"
tool_pins "$JPKI_SIGN_PIN" sign "$tmp/doc.bin" -o "$tmp/no-such-dir/doc.p7s"
tap_is "sign into a missing directory: exit 10" "$rc" 10
tap_ok "sign into a missing directory: one sentence naming it" grep -q "^jpki-tool: Cannot write $tmp/no-such-dir/doc.p7s: No such file or directory.$" <<<"$err"
tool_pins "$JPKI_SIGN_PIN" cert export sign -o "$tmp"
tap_is "export the signature certificate onto a directory: exit 10" "$rc" 10
tap_is "unwritable outputs: checked before the password was sent" "$(verifies)" "$n"
tool cert export auth -o "$tmp/no-such-dir/auth.pem"
tap_is "export into a missing directory: exit 10" "$rc" 10
chmod 555 "$tmp" 2>/dev/null
if [ "$(id -u)" -ne 0 ]; then
	tool cert export auth -o "$tmp/ro.pem"
	tap_is "export into a read-only directory: exit 10" "$rc" 10
fi
chmod 755 "$tmp"
tap_is "no temporary file left behind" "$(find "$tmp" -maxdepth 1 -name '.*.??????' | wc -l)" 0
tool frobnicate
tap_is "unknown command: exit 2" "$rc" 2
tool cert show everything
tap_is "unknown certificate: exit 2" "$rc" 2
tool --pin-fd 99 status
tap_is "closed --pin-fd: exit 2" "$rc" 2
rc=0
"$TOOL" --reader "${JPKI_READER%0}1" cert show auth >/dev/null 2>&1 || rc=$?
tap_is "empty reader: exit 4" "$rc" 4
rc=0
"$TOOL" --reader "No Such Reader" status >/dev/null 2>&1 || rc=$?
tap_is "no such reader: exit 3" "$rc" 3
rc=0
setsid -w "$TOOL" --reader "$JPKI_READER" mynumber </dev/null >/dev/null 2>"$tmp/err" || rc=$?
tap_is "no terminal and no --pin-fd: exit 8" "$rc" 8

# --- a card pulled between commands ---
"$STACK" reinsert >/dev/null 2>&1
tool status
tap_is "after a reinsert: status exit 0" "$rc" 0

# --- blocked PIN (last: the text PIN stays blocked) ---
tool_pins "0000" mynumber
tool_pins "0000" mynumber
tool_pins "0000" --force mynumber
tap_is "third wrong text PIN: blocked (exit 7)" "$rc" 7
n=$(verifies)
tool_pins "$JPKI_TEXT_PIN" --force mynumber
tap_is "blocked text PIN: exit 7" "$rc" 7
tap_is "blocked PIN: nothing sent" "$(verifies)" "$n"
tool status
tap_ok "status shows BLOCKED" grep -q "text PIN: BLOCKED" <<<"$out"
hex() { printf %s "$1" | od -An -tx1 | tr -d ' \n' | tr a-f A-F; }
sed 's/ ->.*//' "$JPKI_APDU_LOG" >"$tmp/commands"
tap_is "PINs never in a logged command" "$(grep -c -e "$(hex "$JPKI_AUTH_PIN")" -e "$(hex "$JPKI_SIGN_PIN")" \
	-e "$(hex "$JPKI_TEXT_PIN")" -e "$(hex 4321)" -e "$(hex NEWPASS22)" "$tmp/commands")" 0
tap_done
