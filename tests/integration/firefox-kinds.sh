#!/bin/bash
# Firefox ESR, headless, on a card without the signature certificate
# (issue 18): the module loaded through the profile, Firefox's NSS logs in
# to the authentication token with the 4-digit PIN and the server sees the
# card's authentication certificate; there is no signature token to ask a
# password for, and no VERIFY of the signature password reaches the card.
# Each answer a card without the certificate may give is served by the
# emulator (--no-sign-cert, --no-sign-pin): the one the module learns from
# at insertion (6984 to the password's status query, 6A82 from EF 0001).
# The same browse as tests/integration/firefox.sh (Marionette).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/consumer.sh"
command -v firefox-esr > /dev/null || tap_bail "firefox-esr is not installed"
stack_start --no-sign-cert read-6a82 --no-sign-pin 6984
make_server_cert
ARTIFACTS=${top_builddir:-$WORK}/tests/artifacts
mkdir -p "$ARTIFACTS"
export MOZ_CRASHREPORTER_DISABLE=1 MOZ_DISABLE_CONTENT_SANDBOX=1
# Firefox keeps its own cache under XDG_CACHE_HOME, which the test suite sets
# to /dev/null (no certificate cache for the module): give it a directory of
# this test's (the module then keeps its certificate cache there too).
export XDG_CACHE_HOME=$WORK/xdg-cache
CARD_CN=$(openssl x509 -inform DER -in "$JPKI_AUTH_CERT" -noout -subject -nameopt RFC2253 | sed 's/.*CN=\([^,]*\).*/\1/')

P=$WORK/profile
mkdir -p "$P" && certutil -N -d "sql:$P" --empty-password &&
	certutil -A -d "sql:$P" -n "Test Server CA" -t "C,," -i "$WORK/srv-ca.crt" ||
	tap_bail "cannot make a Firefox profile"
mport=$(free_port)
cat > "$P/user.js" <<JS
user_pref("marionette.port", $mport);
user_pref("security.default_personal_cert", "Select Automatically");
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.aboutwelcome.enabled", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("security.OCSP.enabled", 0);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("app.update.disabledForTesting", true);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
JS
tap_ok "modutil adds the module to the profile" modutil -dbdir "sql:$P" -add jpki -libfile "$MOD" -force
modutil -dbdir "sql:$P" -list > "$WORK/modutil.txt" 2>&1
tap_ok "NSS sees the authentication token" grep -qF "token: $AUTH_LABEL" "$WORK/modutil.txt"
tap_ok "NSS sees no signature token" sh -c "! grep -qF 'token: $SIGN_LABEL' '$WORK/modutil.txt'"

port=$(free_port)
start_s_server "$port" -tls1_2
password_verifies() { apdus '^00200080(0[6-9A-F]|10)'; }
pin_verifies() { apdus '^0020008004'; }
timeout 120 firefox-esr --headless --marionette -remote-allow-system-access --no-remote \
	--profile "$P" about:blank > "$WORK/firefox.log" 2>&1 &
ff=$!
consumer_pids+=("$ff")
JPKI_PIN_FOR_BROWSER=$JPKI_AUTH_PIN timeout 100 python3 "$top_srcdir/tests/integration/marionette.py" \
	"$mport" "$AUTH_LABEL" JPKI_PIN_FOR_BROWSER "https://localhost:$port/" \
	"$ARTIFACTS/firefox-no-sign.png" > "$WORK/result.json" 2> "$WORK/marionette.err"
wait "$ff" 2>/dev/null
rv=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["login"]["rv"])' "$WORK/result.json" 2>/dev/null)
tap_is "Firefox's NSS logged in to the authentication token with the PIN" "$rv" 0
tap_ok "the server verified the card's certificate" grep -q 'verify return:1' "$WORK/s_server-$port.log"
tap_ok "the server saw the card's subject" grep -q "CN *= *$CARD_CN" "$WORK/s_server-$port.log"
tap_is "the signature password was never sent" "$(password_verifies)" 0
tap_is "the PIN was sent once, by the login" "$(pin_verifies)" 1
tap_ok "a screenshot of the page was kept" test -s "$ARTIFACTS/firefox-no-sign.png"
tap_done
