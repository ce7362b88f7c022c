#!/bin/bash
# Firefox ESR, headless, logs in to a web site with the card: the module is
# loaded through the profile (modutil, pkcs11.txt) and, separately, through
# the SecurityDevices enterprise policy; Firefox's own NSS logs in to the
# authentication token with the 4-digit PIN (no test-only backdoor in the
# module); the page's server requires a client certificate and sees the
# card's authentication certificate.  Firefox never asks for the signature
# password on the way (no VERIFY of it reaches the card, and the page loads
# without any dialog).  TLS 1.3, Firefox's default, works with the card's own
# RSA-PSS; on a card that refuses PSS (--no-pss) TLS 1.2 works as before,
# TLS 1.3 fails as before, and security.tls.version.max=3 is then the user's
# setting.  One profile is prepared by jpki-tool setup (no modutil).
# Screenshots are kept in tests/artifacts/ of the build tree.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/consumer.sh"
command -v firefox-esr > /dev/null || tap_bail "firefox-esr is not installed"
stack_start
. "$top_srcdir/tests/lib/firefox.sh"
firefox_setup

# 1. TLS 1.2, module from the profile (modutil -> pkcs11.txt).
P=$WORK/profile
firefox_profile "$P" || tap_bail "cannot make a Firefox profile"
tap_ok "modutil adds the module to the profile" modutil -dbdir "sql:$P" -add jpki -libfile "$MOD" -force
port=$(free_port)
start_s_server "$port" -tls1_2
before=$(password_verifies)
firefox_browse tls12 "$P" "https://localhost:$port/"
tap_is "Firefox's NSS logged in to the authentication token with the PIN" "$(firefox_json "$WORK/tls12.json" 'd["login"]["rv"]')" 0
tap_ok "the server verified the card's certificate" grep -q 'verify return:1' "$WORK/s_server-$port.log"
tap_ok "the server saw the card's subject" grep -q "CN *= *$CARD_CN" "$WORK/s_server-$port.log"
tap_ok "the page came back over TLS 1.2" sh -c "grep -q 'New, TLSv1.2' <<'TXT'
$(firefox_json "$WORK/tls12.json" 'd["text"]')
TXT"
tap_is "the signature password was never sent" "$(($(password_verifies) - before))" 0
tap_ok "a screenshot of the page was kept" test -s "$ARTIFACTS/firefox-tls12.png"

# 2. TLS 1.3 only (Firefox's default settings): the card's RSA-PSS.
port=$(free_port)
start_s_server "$port" -tls1_3
before=$(password_verifies)
firefox_browse tls13 "$P" "https://localhost:$port/"
tap_is "TLS 1.3: logged in with the PIN" "$(firefox_json "$WORK/tls13.json" 'd["login"]["rv"]')" 0
tap_ok "TLS 1.3: the server verified the card's certificate" grep -q 'verify return:1' "$WORK/s_server-$port.log"
tap_ok "TLS 1.3: the page came back over TLS 1.3" sh -c "grep -q 'New, TLSv1.3' <<'TXT'
$(firefox_json "$WORK/tls13.json" 'd["text"]')
TXT"
tap_ok "TLS 1.3: the card signed RSA-PSS (80 2A 04 97)" test "$(pss_signatures)" -ge 1
tap_is "TLS 1.3: the signature password was never sent" "$(($(password_verifies) - before))" 0

# 3. The module from the SecurityDevices enterprise policy (an empty profile:
# no pkcs11.txt entry).  Release builds read policies from their distribution
# directory only: bind a private one over it in a private mount namespace.
FFDIST=$(readlink -f /usr/lib/firefox-esr/distribution)
[ -d "$FFDIST" ] || tap_bail "no Firefox distribution directory at $FFDIST"
mkdir -p "$WORK/distribution"
cat > "$WORK/distribution/policies.json" <<JSON
{"policies": {
  "SecurityDevices": {"Add": {"jpki-pkcs11": "$MOD"}},
  "DisableAppUpdate": true, "DontCheckDefaultBrowser": true}}
JSON
cat > "$WORK/ff-policy" <<SH
#!/bin/sh
exec unshare -m --propagation private sh -c 'mount --bind "\$0" "$FFDIST" && exec firefox-esr "\$@"' "$WORK/distribution" "\$@"
SH
chmod 755 "$WORK/ff-policy"
P4=$WORK/profile-policy
firefox_profile "$P4"
tap_ok "policy: the profile itself does not name the module" sh -c "! grep -qs 'jpki-pkcs11.so' '$P4/pkcs11.txt'"
port=$(free_port)
start_s_server "$port" -tls1_2
firefox_browse policy "$P4" "https://localhost:$port/" "$WORK/ff-policy"
tap_is "policy: Firefox logged in to the authentication token" "$(firefox_json "$WORK/policy.json" 'd["login"]["rv"]')" 0
tap_ok "policy: the server verified the card's certificate" grep -q 'verify return:1' "$WORK/s_server-$port.log"

# 4. A profile prepared by jpki-tool setup instead of modutil: in a fresh
# HOME, Firefox makes the profile (-CreateProfile) and setup finds it and
# registers the module; then setup refuses to change it while Firefox runs.
TOOL=${top_builddir:?}/src/tool/jpki-tool
H=$WORK/setup-home
mkdir -p "$H"
HOME=$H firefox_create_profile jpki-setup
P5=$FIREFOX_PROFILE
tap_ok "jpki-tool setup registers the module in the new profile" env HOME="$H" "$TOOL" --module "$MOD" setup
tap_ok "setup: the profile names the module" grep -qxF "library=$MOD" "$P5/pkcs11.txt"
firefox_profile "$P5" || tap_bail "cannot prepare the profile setup made"
port=$(free_port)
start_s_server "$port" -tls1_2
firefox_browse setup "$P5" "https://localhost:$port/"
tap_is "setup: Firefox logged in to the authentication token" "$(firefox_json "$WORK/setup.json" 'd["login"]["rv"]')" 0
tap_ok "setup: the server verified the card's certificate" grep -q 'verify return:1' "$WORK/s_server-$port.log"
# The last run may have left a stale lock (killed by timeout): gone first.
rm -f "$P5/lock"
timeout 60 firefox-esr --headless --no-remote --profile "$P5" about:blank > "$WORK/running.log" 2>&1 &
ff=$!
consumer_pids+=("$ff")
for _ in $(seq 300); do [ -L "$P5/lock" ] && break; sleep 0.1; done
cp "$P5/pkcs11.txt" "$WORK/p5-before.txt"
rc=0
HOME=$H "$TOOL" --module "$MOD" setup --remove > "$WORK/running.out" 2>&1 || rc=$?
tap_is "setup refuses a profile Firefox is running with (exit 1)" "$rc" 1
tap_ok "and changes nothing in it" cmp "$WORK/p5-before.txt" "$P5/pkcs11.txt"
kill "$ff" 2> /dev/null
wait "$ff" 2> /dev/null

# 5. A card that refuses PSS (6A86): TLS 1.2 as before; TLS 1.3 fails as
# before (NSS withholds the certificate); security.tls.version.max = 3 (TLS
# 1.2) is then the user's setting, against a server that offers TLS 1.3 too.
# The emulator's card keeps its certificates, so the module's cache entry of
# the card above (PSS: yes) would be found: a real card that answers
# otherwise has other certificates, hence its own entry.  A cache of its own.
stack_stop
export XDG_CACHE_HOME=$WORK/xdg-cache-nopss
stack_start --no-pss
port=$(free_port)
start_s_server "$port" -tls1_2
firefox_browse nopss12 "$P" "https://localhost:$port/"
tap_ok "no-PSS card, TLS 1.2: the server verified the card's certificate" \
	grep -q 'verify return:1' "$WORK/s_server-$port.log"
port=$(free_port)
start_s_server "$port" -tls1_3
firefox_browse nopss13 "$P" "https://localhost:$port/"
tap_ok "no-PSS card, TLS 1.3: the server does not get a client certificate" \
	sh -c "! grep -q 'verify return:1' '$WORK/s_server-$port.log'"
tap_ok "no-PSS card, TLS 1.3: Firefox shows an error page" \
	grep -Eq 'nssFailure|CERTIFICATE_REQUIRED|Reached error page' "$WORK/nopss13.json"
P3=$WORK/profile-max12
firefox_profile "$P3" 'user_pref("security.tls.version.max", 3);' && modutil -dbdir "sql:$P3" -add jpki -libfile "$MOD" -force > /dev/null 2>&1
port=$(free_port)
start_s_server "$port"
firefox_browse max12 "$P3" "https://localhost:$port/"
tap_ok "no-PSS card: with security.tls.version.max=3 the login works on a TLS 1.3 server" \
	grep -q 'verify return:1' "$WORK/s_server-$port.log"

tap_done
