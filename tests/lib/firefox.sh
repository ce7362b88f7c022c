# Shared by the Firefox tests (firefox.sh, firefox-kinds.sh) and the profile
# Firefox makes for tool-setup.sh: Firefox ESR headless, driven through
# Marionette (tests/integration/marionette.py) to log in to the
# authentication token with the PIN and open a page whose server wants the
# card's certificate.  The caller has sourced tests/lib/consumer.sh and
# started the stack.  Sourcing this file only defines functions.

# firefox_setup: what every Firefox run here needs: the test server's
# certificates (make_server_cert), ARTIFACTS (where the screenshots are kept,
# tests/artifacts of the build tree), no crash reporter or content sandbox,
# and CARD_CN (the common name of the card's authentication certificate).
# Firefox keeps its own cache under XDG_CACHE_HOME, which the test suite sets
# to /dev/null (no certificate cache for the module): it gets a directory of
# the test's (the module then keeps its certificate cache there too).
firefox_setup()
{
	make_server_cert
	ARTIFACTS=${top_builddir:-$WORK}/tests/artifacts
	mkdir -p "$ARTIFACTS"
	export MOZ_CRASHREPORTER_DISABLE=1 MOZ_DISABLE_CONTENT_SANDBOX=1
	export XDG_CACHE_HOME=$WORK/xdg-cache
	CARD_CN=$(openssl x509 -inform DER -in "$JPKI_AUTH_CERT" -noout -subject -nameopt RFC2253 | sed 's/.*CN=\([^,]*\).*/\1/')
}

# firefox_profile DIR [PREFS...]: an NSS profile (made here unless it exists)
# trusting the test server's CA, with a Marionette port of its own
# (DIR/marionette.port), quiet first-run settings, the certificate chosen
# automatically, and the user_pref lines PREFS.
firefox_profile()
{
	local p=$1 port
	shift
	mkdir -p "$p" && { [ -e "$p/cert9.db" ] || certutil -N -d "sql:$p" --empty-password; } &&
		certutil -A -d "sql:$p" -n "Test Server CA" -t "C,," -i "$WORK/srv-ca.crt" || return 1
	port=$(free_port)
	{
		echo "user_pref(\"marionette.port\", $port);"
		echo 'user_pref("security.default_personal_cert", "Select Automatically");'
		echo 'user_pref("browser.shell.checkDefaultBrowser", false);'
		echo 'user_pref("browser.aboutwelcome.enabled", false);'
		echo 'user_pref("browser.startup.homepage_override.mstone", "ignore");'
		echo 'user_pref("security.OCSP.enabled", 0);'
		echo 'user_pref("datareporting.policy.dataSubmissionEnabled", false);'
		echo 'user_pref("app.update.disabledForTesting", true);'
		echo 'user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);'
		for pref in "$@"; do echo "$pref"; done
	} > "$p/user.js"
	echo "$port" > "$p/marionette.port"
}

# firefox_create_profile NAME: Firefox itself makes a profile NAME in $HOME
# (-CreateProfile); FIREFOX_PROFILE is its directory: Firefox 153 writes it
# under ~/.config/mozilla/firefox when there is no ~/.mozilla yet, 115
# (Debian 12 without its updates) under ~/.mozilla/firefox.
firefox_create_profile()
{
	timeout 60 firefox-esr --headless -CreateProfile "$1" >> "$WORK/create.log" 2>&1 ||
		tap_bail "firefox-esr -CreateProfile failed"
	FIREFOX_PROFILE=$(ls -d "$HOME"/.config/mozilla/firefox/*."$1" "$HOME"/.mozilla/firefox/*."$1" 2> /dev/null | head -n1)
	[ -d "$FIREFOX_PROFILE" ] ||
		tap_bail "no profile made by Firefox under ~/.config/mozilla/firefox or ~/.mozilla/firefox"
}

# firefox_browse NAME PROFILE URL [LAUNCHER]: starts Firefox (or LAUNCHER,
# which runs it), logs in to the authentication token, opens URL; the result
# JSON is $WORK/NAME.json and the screenshot $ARTIFACTS/firefox-NAME.png.
firefox_browse()
{
	local name=$1 profile=$2 url=$3 launcher=${4:-firefox-esr} ff
	timeout 120 "$launcher" --headless --marionette -remote-allow-system-access --no-remote \
		--profile "$profile" about:blank > "$WORK/$name-firefox.log" 2>&1 &
	ff=$!
	consumer_pids+=("$ff")
	JPKI_PIN_FOR_BROWSER=$JPKI_AUTH_PIN timeout 100 python3 "$top_srcdir/tests/integration/marionette.py" \
		"$(cat "$profile/marionette.port")" "$AUTH_LABEL" JPKI_PIN_FOR_BROWSER "$url" \
		"$ARTIFACTS/firefox-$name.png" > "$WORK/$name.json" 2> "$WORK/$name-marionette.err"
	wait "$ff" 2>/dev/null
}

# firefox_json FILE EXPRESSION: a value out of firefox_browse's result (d).
firefox_json()
{
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"d": d}))' "$1" "$2" 2>/dev/null
}

# password_verifies: the VERIFY commands of the signature password (6 to 16
# bytes) the card has had.
password_verifies() { apdus '^00200080(0[6-9A-F]|10)'; }
