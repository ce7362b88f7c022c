#!/bin/bash
# Firefox ESR, headless, on a card without the signature certificate
# (issue 18): the module loaded through the profile, Firefox's NSS logs in
# to the authentication token with the 4-digit PIN and the server sees the
# card's authentication certificate; there is no signature token to ask a
# password for, and no VERIFY of the signature password reaches the card.
# Each answer a card without the certificate may give is served by the
# emulator (--no-sign-cert, --no-sign-pin): the one the module learns from
# at insertion (6984 to the password's status query, 6A82 from EF 0001).
# The same browse as tests/integration/firefox.sh (tests/lib/firefox.sh).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/consumer.sh"
command -v firefox-esr > /dev/null || tap_bail "firefox-esr is not installed"
stack_start --no-sign-cert read-6a82 --no-sign-pin 6984
. "$top_srcdir/tests/lib/firefox.sh"
firefox_setup

P=$WORK/profile
firefox_profile "$P" || tap_bail "cannot make a Firefox profile"
tap_ok "modutil adds the module to the profile" modutil -dbdir "sql:$P" -add jpki -libfile "$MOD" -force
modutil -dbdir "sql:$P" -list > "$WORK/modutil.txt" 2>&1
tap_ok "NSS sees the authentication token" grep -qF "token: $AUTH_LABEL" "$WORK/modutil.txt"
tap_ok "NSS sees no signature token" sh -c "! grep -qF 'token: $SIGN_LABEL' '$WORK/modutil.txt'"

port=$(free_port)
start_s_server "$port" -tls1_2
pin_verifies() { apdus '^0020008004'; }
firefox_browse no-sign "$P" "https://localhost:$port/"
rv=$(firefox_json "$WORK/no-sign.json" 'd["login"]["rv"]')
tap_is "Firefox's NSS logged in to the authentication token with the PIN" "$rv" 0
tap_ok "the server verified the card's certificate" grep -q 'verify return:1' "$WORK/s_server-$port.log"
tap_ok "the server saw the card's subject" grep -q "CN *= *$CARD_CN" "$WORK/s_server-$port.log"
tap_is "the signature password was never sent" "$(password_verifies)" 0
tap_is "the PIN was sent once, by the login" "$(pin_verifies)" 1
tap_ok "a screenshot of the page was kept" test -s "$ARTIFACTS/firefox-no-sign.png"
tap_done
