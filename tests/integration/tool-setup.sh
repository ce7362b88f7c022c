#!/bin/bash
# jpki-tool setup on fresh profiles in a private HOME, with the emulated card
# on a private PC/SC stack: a Firefox and a Thunderbird profile made by
# Firefox ESR and Thunderbird themselves (-CreateProfile), one more of each
# in the layout they write (profiles.ini, a database made by certutil), and
# the shared NSS database of Chromium and Chrome (~/.pki/nssdb, created; or
# $XDG_DATA_HOME/pki/nssdb when only that exists).  After setup, NSS's own
# tools (modutil -list, certutil -L -h all) see both tokens in every
# database and Thunderbird logs in to the authentication token; a second
# run changes nothing; --remove gives back each module list byte for byte;
# --dry-run and --json change nothing.  It refuses while Thunderbird runs
# with a profile, skips a database that loads the module through p11-kit
# or under another name, reports snap and Flatpak profiles without touching
# them, and --system writes or merges into Firefox's policy file and takes
# its member out again.  Chromium makes its database under $XDG_DATA_HOME,
# setup registers there, and Chromium then loads the module.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/consumer.sh"
. "$top_srcdir/tests/lib/firefox.sh"
TOOL=${top_builddir:?}/src/tool/jpki-tool
[ -x "$TOOL" ] || tap_bail "no $TOOL (build first)"
command -v modutil > /dev/null || tap_bail "modutil is missing (Debian package libnss3-tools)"
command -v firefox-esr > /dev/null || tap_bail "firefox-esr is not installed"
command -v thunderbird > /dev/null || tap_bail "thunderbird is not installed"
command -v chromium > /dev/null || tap_bail "chromium is not installed"
stack_start

export HOME=$WORK/home
unset XDG_DATA_HOME XDG_CONFIG_HOME
# Firefox, Thunderbird and Chromium keep their caches under XDG_CACHE_HOME,
# which the test suite sets to /dev/null (no certificate cache for the
# module): a directory of this test's (the module's cache goes there too).
export XDG_CACHE_HOME=$WORK/xdg-cache
mkdir -p "$HOME"
# The module registered with p11-kit system-wide (the Debian package's file in
# /usr/share/p11-kit/modules, say, of a package installed on this machine)
# changes what setup does.  jpki-tool runs where p11-kit's system module
# directories, the ones setup reads, are this test's own (a private mount
# namespace): empty, unless a check puts a registration there.
P11_SYSTEM_DIRS=(/usr/share/p11-kit/modules /etc/pkcs11/modules)
mkdir -p "$WORK/p11-system/0" "$WORK/p11-system/1"
SYSTEM_MODULES=$WORK/p11-system/0
# isolated_tool ARG...: jpki-tool there (with TOOL_PATH as its PATH, if set).
isolated_tool()
{
	unshare -m --propagation private sh -c '
		[ ! -d "$1" ] || mount --bind "$2" "$1" || exit 125
		[ ! -d "$3" ] || mount --bind "$4" "$3" || exit 125
		PATH=$5 && shift 5 && exec "$@"' sh "${P11_SYSTEM_DIRS[0]}" "$WORK/p11-system/0" \
		"${P11_SYSTEM_DIRS[1]}" "$WORK/p11-system/1" "${TOOL_PATH:-$PATH}" "$TOOL" "$@"
}
isolated_tool --version > /dev/null 2>&1 || tap_bail "cannot run jpki-tool in a private mount namespace (unshare -m needs root)"
setup() { rc=0; out=$(isolated_tool --module "$MOD" setup "$@" 2> "$WORK/err") || rc=$?; err=$(cat "$WORK/err"); }
# action DIR: the --json action setup gave for the database in DIR.
action()
{
	python3 -c 'import json,sys; print([d["action"] for d in json.loads(sys.argv[1])["databases"] if d["directory"] == sys.argv[2]][0])' "$out" "$1" 2> /dev/null
}
# snapshot NAME: a copy of each database's pkcs11.txt ("absent" if none),
# $WORK/snap-NAME.I for ${DBS[I]}; same A B: all copies of A equal B's.
snapshot()
{
	local i
	for i in "${!DBS[@]}"; do
		if [ -f "${DBS[$i]}/pkcs11.txt" ]; then cp "${DBS[$i]}/pkcs11.txt" "$WORK/snap-$1.$i"; else echo absent > "$WORK/snap-$1.$i"; fi
	done
}
same()
{
	local i
	for i in "${!DBS[@]}"; do cmp -s "$WORK/snap-$1.$i" "$WORK/snap-$2.$i" || return 1; done
}
# modules DIR: the module names in DIR's pkcs11.txt, one line.
modules() { sed -n 's/^name=//p' "$1/pkcs11.txt" | tr '\n' ';'; }
# tokens DIR: both tokens as modutil -list shows them, and the authentication
# certificate as certutil lists it without a PIN.
tokens()
{
	modutil -dbdir "sql:$1" -list > "$WORK/list.txt" 2>&1 &&
		grep -qF "token: $AUTH_LABEL" "$WORK/list.txt" && grep -qF "token: $SIGN_LABEL" "$WORK/list.txt" &&
		: > "$WORK/nopw" && certutil -L -d "sql:$1" -h all -f "$WORK/nopw" > "$WORK/certs.txt" 2>&1 &&
		grep -qF "$AUTH_LABEL:User Authentication Certificate" "$WORK/certs.txt"
}

# Fresh profiles.  Firefox ESR and Thunderbird make their own (Firefox
# under ~/.config/mozilla/firefox, as there is no ~/.mozilla yet); two more
# in the layout Firefox and Thunderbird write, with databases made by certutil.
export MOZ_CRASHREPORTER_DISABLE=1
new_profile_root() # ROOT NAME: ROOT/profiles.ini naming ROOT/NAME, an NSS database in it
{
	local n=0
	mkdir -p "$1/$2" || return 1
	# Firefox 115 (Debian 12 without its updates) makes its own profile
	# under ~/.mozilla: add to that profiles.ini, do not replace it.
	if [ -f "$1/profiles.ini" ]; then
		n=$(grep -c '^\[Profile' "$1/profiles.ini")
		printf '\n[Profile%s]\nName=%s\nIsRelative=1\nPath=%s\n' "$n" "$2" "$2" >> "$1/profiles.ini"
	else
		printf '[Profile0]\nName=%s\nIsRelative=1\nPath=%s\nDefault=1\n\n[General]\nStartWithLastProfile=1\nVersion=2\n' \
			"$2" "$2" > "$1/profiles.ini"
	fi && certutil -N -d "sql:$1/$2" --empty-password
}
firefox_create_profile jpki-new
FF_NEW=$FIREFOX_PROFILE
new_profile_root "$HOME/.mozilla/firefox" abcd.default-esr || tap_bail "cannot make a Firefox profile"
# Thunderbird adds its profile to this profiles.ini.
new_profile_root "$HOME/.thunderbird" efgh.default-esr || tap_bail "cannot make a Thunderbird profile"
timeout 60 thunderbird --headless -CreateProfile jpki-tb >> "$WORK/create.log" 2>&1 ||
	tap_bail "thunderbird -CreateProfile failed"
TB_NEW=$(ls -d "$HOME"/.thunderbird/*.jpki-tb 2> /dev/null)
[ -d "$TB_NEW" ] || tap_bail "no profile made by Thunderbird under ~/.thunderbird"
FF=$HOME/.mozilla/firefox/abcd.default-esr
TB=$HOME/.thunderbird/efgh.default-esr
PKI=$HOME/.pki/nssdb
DBS=("$FF_NEW" "$FF" "$TB" "$TB_NEW" "$PKI")
# ours_anywhere: setup's entry is in some database.
ours_anywhere() { cat "${DBS[@]/%//pkcs11.txt}" 2> /dev/null | grep -qx 'name=jpki-pkcs11'; }

# A profile in use: a running Thunderbird (headless) holds its profile's
# lock, and setup refuses the whole run.
timeout 60 thunderbird --headless --no-remote --profile "$TB_NEW" > "$WORK/tb-running.log" 2>&1 &
tb=$!
consumer_pids+=("$tb")
# Waited for: the lock, and the database Thunderbird makes at its first start.
for _ in $(seq 300); do [ -L "$TB_NEW/lock" ] && [ -s "$TB_NEW/pkcs11.txt" ] && break; sleep 0.1; done
setup
tap_is "a Thunderbird profile in use: exit 1" "$rc" 1
tap_ok "the message says to close the application" grep -q "close it and run the command again" <<< "$err"
pid=$(sed -n 's/^ *Process: //p' <<< "$out")
tap_ok "and names the Thunderbird process (${pid:-none})" sh -c "ps -o args= -p '${pid:-0}' | grep -q thunderbird"
tap_fails "nothing was written: no entry of setup in any database" ours_anywhere
tap_ok "nothing was written: no ~/.pki" test ! -e "$HOME/.pki"
kill "$tb" 2> /dev/null
wait "$tb" 2> /dev/null
snapshot before

# --dry-run: the plan, nothing written.
setup --dry-run --json
tap_is "--dry-run exits 0" "$rc" 0
tap_is "--dry-run: the new Firefox profile would get the module" "$(action "$FF_NEW")" would-add
tap_is "--dry-run: the Thunderbird profile too" "$(action "$TB_NEW")" would-add
tap_is "--dry-run: ~/.pki/nssdb would be created" "$(action "$PKI")" would-create
snapshot dry
tap_ok "--dry-run changed nothing" same before dry
tap_ok "--dry-run created no ~/.pki" test ! -e "$HOME/.pki"

# A stale "lock" symlink (a crash) names a process that is gone: no refusal.
ln -s "127.0.0.1:+999999999" "$FF/lock"

# Setup proper.
setup --json
tap_is "setup exits 0" "$rc" 0
tap_is "Firefox profile made by Firefox: added" "$(action "$FF_NEW")" added
tap_is "Firefox profile from ~/.mozilla/firefox/profiles.ini: added" "$(action "$FF")" added
tap_is "Thunderbird profile from ~/.thunderbird/profiles.ini: added" "$(action "$TB")" added
tap_is "Thunderbird profile made by Thunderbird: added" "$(action "$TB_NEW")" added
tap_is "~/.pki/nssdb: created with the module" "$(action "$PKI")" created
for d in "${DBS[@]}"; do
	tap_ok "NSS sees both tokens and the certificate in ${d#"$HOME"/}" tokens "$d"
done
tap_ok "the entry is named jpki-pkcs11 with the module's path" \
	grep -qxF "library=$MOD" "$TB/pkcs11.txt"
snapshot after
setup --json
tap_is "second run exits 0" "$rc" 0
tap_is "second run: present everywhere" \
	"$(python3 -c 'import json,sys; print(sorted({d["action"] for d in json.loads(sys.argv[1])["databases"]}))' "$out")" "['present']"
snapshot again
tap_ok "second run changed nothing" same after again

# Thunderbird's own NSS loads the module from the profile setup prepared and
# logs in to the authentication token (Marionette, as the Firefox test does).
port=$(free_port)
echo "user_pref(\"marionette.port\", $port);" >> "$TB_NEW/user.js"
timeout 120 thunderbird --headless --marionette -remote-allow-system-access --no-remote \
	--profile "$TB_NEW" > "$WORK/tb.log" 2>&1 &
tb=$!
consumer_pids+=("$tb")
JPKI_PIN_FOR_MAIL=$JPKI_AUTH_PIN timeout 100 python3 "$top_srcdir/tests/integration/marionette.py" \
	"$port" "$AUTH_LABEL" JPKI_PIN_FOR_MAIL - - > "$WORK/tb-login.json" 2> "$WORK/tb-marionette.err"
wait "$tb" 2> /dev/null
tap_is "Thunderbird logs in to the authentication token with the profile setup prepared" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["login"]["rv"])' "$WORK/tb-login.json" 2>&1)" 0

# --remove gives each existing database back byte for byte; the database
# setup created keeps only NSS's internal module.
setup --remove --json
tap_is "--remove exits 0" "$rc" 0
tap_is "--remove: removed from the Thunderbird profile" "$(action "$TB")" removed
snapshot removed
tap_ok "--remove restored the Firefox profile's pkcs11.txt byte for byte" cmp "$WORK/snap-before.1" "$WORK/snap-removed.1"
tap_ok "--remove restored the Thunderbird profile's pkcs11.txt byte for byte" cmp "$WORK/snap-before.2" "$WORK/snap-removed.2"
tap_is "the profile Firefox made keeps only NSS's own module" "$(modules "$FF_NEW")" "NSS Internal PKCS #11 Module;"
tap_ok "--remove restored the profile Thunderbird made byte for byte" cmp "$WORK/snap-before.3" "$WORK/snap-removed.3"
tap_is "the created ~/.pki/nssdb keeps only NSS's own module" "$(modules "$PKI")" "NSS Internal PKCS #11 Module;"
setup --remove --json
tap_is "--remove again: nothing to do" "$(action "$TB")" absent
snapshot removed2
tap_ok "--remove again changed nothing" same removed removed2

# The module already reaches an application through p11-kit: p11-kit-proxy.so
# in the profile and a p11-kit module file for jpki-pkcs11.so (the user's
# here; the Debian package's in /usr/share/p11-kit/modules).
PROXY=$(ls /usr/lib/*/p11-kit-proxy.so /usr/lib/*/pkcs11/p11-kit-proxy.so 2> /dev/null | head -n1)
[ -n "$PROXY" ] || tap_bail "no p11-kit-proxy.so (Debian package p11-kit-modules)"
modutil -dbdir "sql:$TB" -add p11-kit -libfile "$PROXY" -force > "$WORK/proxy.log" 2>&1 ||
	tap_bail "modutil cannot add p11-kit-proxy.so: $(tail -n 2 "$WORK/proxy.log")"
mkdir -p "$HOME/.config/pkcs11/modules"
printf 'module: %s\n' "$MOD" > "$HOME/.config/pkcs11/modules/jpki-pkcs11.module"
# A user's own registration of the same module under another name.
modutil -dbdir "sql:$FF" -add "My Number Card" -libfile "$MOD" -force > /dev/null 2>&1 ||
	tap_bail "modutil cannot add the module under another name"
# Sandboxed profiles.
mkdir -p "$HOME/snap/firefox/common/.mozilla/firefox" "$HOME/.var/app/org.mozilla.firefox/.mozilla/firefox"
snapshot others
setup --json
tap_is "with p11-kit and other names: exit 0" "$rc" 0
tap_is "p11-kit-proxy.so loads the module: not added again" "$(action "$TB")" p11-kit
tap_is "registered under another name: not added again" "$(action "$FF")" other-name
tap_is "and the other name is said" \
	"$(python3 -c 'import json,sys; print([d.get("module_name") for d in json.loads(sys.argv[1])["databases"] if d["action"] == "other-name"][0])' "$out")" "My Number Card"
tap_is "a snap Firefox is reported, not changed" "$(action "$HOME/snap/firefox/common/.mozilla/firefox")" snap
tap_is "a Flatpak Firefox is reported, not changed" "$(action "$HOME/.var/app/org.mozilla.firefox/.mozilla/firefox")" flatpak
setup --remove
snapshot others-removed
tap_ok "--remove leaves the user's own entries" grep -qxF "name=My Number Card" "$FF/pkcs11.txt"
tap_ok "and p11-kit-proxy.so" grep -qxF "library=$PROXY" "$TB/pkcs11.txt"
tap_fails "no registration of setup is left" ours_anywhere
rm "$HOME/.config/pkcs11/modules/jpki-pkcs11.module"
setup --dry-run --json
tap_is "p11-kit-proxy.so without jpki-pkcs11 registered in p11-kit: it would be added" "$(action "$TB")" would-add
# The Debian package's registration: the system's module directory.
cp "$top_srcdir/conf/jpki-pkcs11.module" "$SYSTEM_MODULES/"
setup --dry-run --json
tap_is "p11-kit-proxy.so with jpki-pkcs11 registered system-wide (as the package does): not added again" \
	"$(action "$TB")" p11-kit
rm "$SYSTEM_MODULES/jpki-pkcs11.module"
setup --dry-run
tap_ok "text output names the application and the directory" grep -qF "Thunderbird ($TB)" <<< "$out"

# modutil missing: a clear message, nothing changed.
mkdir "$WORK/bin" && ln -s "$(command -v python3)" "$WORK/bin/python3"
snapshot nomodutil-before
rc=0
err=$(TOOL_PATH=$WORK/bin isolated_tool --module "$MOD" setup 2>&1 > /dev/null) || rc=$?
tap_is "without modutil: exit 1" "$rc" 1
tap_ok "without modutil: the message names the package" grep -q "libnss3-tools" <<< "$err"
snapshot nomodutil-after
tap_ok "without modutil: nothing changed" same nomodutil-before nomodutil-after

# Only $XDG_DATA_HOME/pki/nssdb (Chrome 146 and later without ~/.pki): that
# one gets the module and no ~/.pki is made beside it.
HOME=$WORK/home2
mkdir -p "$HOME/xdg-data/pki/nssdb" && certutil -N -d "sql:$HOME/xdg-data/pki/nssdb" --empty-password
rc=0
out=$(XDG_DATA_HOME=$HOME/xdg-data isolated_tool --module "$MOD" --json setup 2> "$WORK/err") || rc=$?
tap_is "XDG only: exit 0" "$rc" 0
tap_is "XDG only: \$XDG_DATA_HOME/pki/nssdb gets the module" "$(action "$HOME/xdg-data/pki/nssdb")" added
tap_ok "XDG only: NSS sees both tokens there" tokens "$HOME/xdg-data/pki/nssdb"
tap_ok "XDG only: no ~/.pki was created" test ! -e "$HOME/.pki"
HOME=$WORK/home

# modutil fails (a damaged database): exit 1 and the directory named.
HOME=$WORK/home3
new_profile_root "$HOME/.thunderbird" bad.default || tap_bail "cannot make a profile"
mkdir -p "$HOME/.pki/nssdb"
echo "not a database" > "$HOME/.thunderbird/bad.default/cert9.db"
rc=0
err=$(isolated_tool --module "$MOD" setup 2>&1 > /dev/null) || rc=$?
tap_is "modutil fails on a damaged database: exit 1" "$rc" 1
tap_ok "and the message names the database" grep -qF "modutil could not change $HOME/.thunderbird/bad.default" <<< "$err"
HOME=$WORK/home

# Chromium 156 (Debian 12) makes its database under $XDG_DATA_HOME when
# there is no ~/.pki; setup registers the module there, and Chromium's NSS
# then loads it (the module's log shows Chromium looking for certificates
# while a site asks for one).  Chromium is stopped once it has.
make_server_cert
port=$(free_port)
start_s_server "$port" -tls1_2
HOME=$WORK/home4
mkdir -p "$HOME"
# chromium_visit LOG: Chromium opens the site with the module's log in LOG,
# and is stopped when it has looked for certificates (at most 30 s).
chromium_visit()
{
	local cr
	JPKI_PKCS11_DEBUG=3:$1 timeout 60 chromium --headless --no-sandbox --disable-gpu \
		--ignore-certificate-errors --dump-dom "https://localhost:$port/" > "$WORK/chromium.out" 2>&1 &
	cr=$!
	consumer_pids+=("$cr")
	for _ in $(seq 300); do
		grep -qs 'C_FindObjectsInit' "$1" && break
		kill -0 "$cr" 2> /dev/null || break
		sleep 0.1
	done
	kill "$cr" 2> /dev/null
	wait "$cr" 2> /dev/null
}
chromium_visit "$WORK/chromium-before.log"
tap_ok "Chromium made its database under \$XDG_DATA_HOME (no ~/.pki)" \
	sh -c "test -f '$HOME/.local/share/pki/nssdb/cert9.db' && test ! -e '$HOME/.pki'"
rc=0
out=$(isolated_tool --module "$MOD" --json setup 2> "$WORK/err") || rc=$?
tap_is "setup registers the module in Chromium's database" "$(action "$HOME/.local/share/pki/nssdb")" added
tap_ok "and makes no ~/.pki beside it" test ! -e "$HOME/.pki"
chromium_visit "$WORK/chromium-after.log"
tap_ok "Chromium's NSS loads the module and looks for certificates on the card" \
	grep -q 'C_FindObjectsInit' "$WORK/chromium-after.log"
HOME=$WORK/home

# --system: Firefox's policy file for every user (a private path here).
POL=$WORK/etc/firefox/policies/policies.json
system() { rc=0; out=$(JPKI_TOOL_FIREFOX_POLICIES=$POL isolated_tool --module "$MOD" --json setup --system "$@" 2> "$WORK/err") || rc=$?; }
system
tap_is "--system writes the policy file" "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["firefox_policy"]["action"])' "$out")" added
tap_is "--system: the policy names the module" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["policies"]["SecurityDevices"]["Add"]["jpki-pkcs11"])' "$POL")" "$MOD"
system
tap_is "--system again: nothing to do" "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["firefox_policy"]["action"])' "$out")" present
system --remove
tap_ok "--system --remove deletes the file it wrote" test ! -e "$POL"
# An administrator's policy file: the member is added, everything else kept,
# and --remove gives the file back byte for byte.
printf '{\n  "policies": {\n    "DisableAppUpdate": true\n  }\n}\n' > "$POL"
cp "$POL" "$WORK/admin.json"
system
tap_is "--system merges into an existing policy file" "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["firefox_policy"]["action"])' "$out")" added
tap_is "the merged file has the module" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["policies"]["SecurityDevices"]["Add"]["jpki-pkcs11"])' "$POL")" "$MOD"
tap_is "and the administrator's policy" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["policies"]["DisableAppUpdate"])' "$POL")" True
system
tap_is "--system again: nothing to do" "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["firefox_policy"]["action"])' "$out")" present
system --remove
tap_ok "--system --remove gives the administrator's file back byte for byte" cmp "$POL" "$WORK/admin.json"
# Files setup does not rewrite: not JSON, or naming jpki-pkcs11 with another module.
echo '{"policies": {' > "$POL"
cp "$POL" "$WORK/broken.json"
system
tap_is "--system with a file that is not JSON: exit 1" "$rc" 1
tap_ok "and the file is left as it was" cmp "$POL" "$WORK/broken.json"
echo '{"policies": {"SecurityDevices": {"Add": {"jpki-pkcs11": "/elsewhere/jpki-pkcs11.so"}}}}' > "$POL"
cp "$POL" "$WORK/other.json"
system
tap_is "--system where the policy names another module: exit 1" "$rc" 1
system --remove
tap_ok "--remove leaves that entry alone" cmp "$POL" "$WORK/other.json"

tap_done
