#!/bin/bash
# tests/stack end to end: a private pcscd with two emulated cards; the cards answer through
# pcscd, reinsert pulls and re-inserts a card, two stacks run side by side, stop ends exactly the
# processes it started and removes its dir, and the host's /run/pcscd is never touched.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
STACK=${top_srcdir:-$(dirname "$0")/../..}/tests/stack
n=0
fails=0
ok() { # ok CONDITION-STATUS NAME
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
WORK=$(mktemp -d)
D1="" D2=""
cleanup() {
	[ -n "$D1" ] && [ -d "$D1" ] && "$STACK" stop --dir "$D1"
	[ -n "$D2" ] && [ -d "$D2" ] && "$STACK" stop --dir "$D2"
	rm -rf "$WORK"
}
trap cleanup EXIT
run_before=$(ls -la /run/pcscd 2>&1)

"$STACK" start --second-card >"$WORK/env1" 2>"$WORK/err1"
ok $? "stack starts with two cards"
. "$WORK/env1" || { echo "Bail out! no environment"; exit 1; }
D1=$JPKI_STACK_DIR
ok "$([ -S "$PCSCLITE_CSOCK_NAME" ]; echo $?)" "private pcscd socket at $PCSCLITE_CSOCK_NAME"
export OPENSC_CONF=$D1/opensc.conf
readers=$(opensc-tool -l 2>&1)
echo "$readers" | sed 's/^/# /'
ok "$(echo "$readers" | grep -Eq '^0 +Yes .*Virtual PCD 00 00$'; echo $?)" "card 1 present in $JPKI_READER"
ok "$(echo "$readers" | grep -Eq '^1 +Yes .*Virtual PCD 00 01$'; echo $?)" "card 2 present in $JPKI_READER2"
for v in JPKI_AUTH_CERT JPKI_SIGN_CERT JPKI_AUTH_CA_CERT JPKI_SIGN_CA_CERT JPKI_AUTH_CERT2; do
	openssl x509 -inform DER -in "${!v}" -noout 2>/dev/null
	ok $? "$v is a DER certificate"
done
ok "$([ "$JPKI_AUTH_PIN" != "$JPKI_AUTH_PIN2" ] && ! cmp -s "$JPKI_AUTH_CERT" "$JPKI_AUTH_CERT2"; echo $?)" \
	"the second card has other PINs and certificates"

select_jpki() { # select_jpki READER-INDEX: SW of SELECT JPKI AP through pcscd
	opensc-tool -r "$1" -s 00:A4:04:0C:0A:D3:92:F0:00:26:01:00:00:00:01 2>&1 |
		sed -n 's/.*Received (SW1=0x\(..\), SW2=0x\(..\)).*/\1\2/p'
}
ok "$([ "$(select_jpki 0)" = 9000 ]; echo $?)" "SELECT JPKI AP through pcscd: 9000"
ok "$(grep -q '^00A4040C0AD392F000260100000001 -> 9000 ok$' "$JPKI_APDU_LOG"; echo $?)" \
	"the APDU reached the emulator (APDU log)"
ok "$([ "$(select_jpki 1)" = 9000 ]; echo $?)" "SELECT JPKI AP on card 2: 9000"

offs_before=$(grep -c '^# power off' "$JPKI_APDU_LOG")
"$STACK" reinsert 2>"$WORK/err-re"
ok $? "reinsert: card removed and back"
ok "$([ "$(grep -c '^# power off' "$JPKI_APDU_LOG")" -gt "$offs_before" ]; echo $?)" \
	"reinsert: the emulator saw the card go"
ok "$([ "$(select_jpki 0)" = 9000 ]; echo $?)" "after reinsert: SELECT 9000"
"$STACK" reinsert --card 2 2>>"$WORK/err-re"
ok $? "reinsert --card 2"

# A second stack at the same time (other test runs may have theirs).
(unset JPKI_STACK_DIR PCSCLITE_CSOCK_NAME; "$STACK" start --latency-ms 5 --blocked-6983 >"$WORK/env2" 2>"$WORK/err2")
ok $? "a second stack starts alongside"
D2=$(sed -n "s/^export JPKI_STACK_DIR='\(.*\)'$/\1/p" "$WORK/env2")
ok "$(tr '\0' ' ' <"/proc/$(cat "$D2/sim1.pid")/cmdline" | grep -q -- '--latency-ms 5 --blocked-6983'; echo $?)" \
	"emulator options pass through"
ok "$([ -n "$D2" ] && [ "$D2" != "$D1" ] && [ "$(cat "$D1/port")" != "$(cat "$D2/port")" ]; echo $?)" \
	"own dir and port"
ok "$(PCSCLITE_CSOCK_NAME=$D2/run/pcscd.comm OPENSC_CONF=$D2/opensc.conf opensc-tool -l | grep -Eq '^0 +Yes'; echo $?)" \
	"second stack's card present"

pids="$(cat "$D1/pcscd.pid" "$D1/sim1.pid" "$D1/sim2.pid")"
"$STACK" stop --dir "$D1"
ok $? "stop"
alive=0
for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
ok $alive "stop ended pcscd and both emulators"
ok "$([ ! -e "$D1" ]; echo $?)" "stop removed the stack dir"
ok "$(PCSCLITE_CSOCK_NAME=$D2/run/pcscd.comm OPENSC_CONF=$D2/opensc.conf opensc-tool -l | grep -Eq '^0 +Yes'; echo $?)" \
	"the other stack is untouched"
"$STACK" stop --dir "$D2"
ok $? "stop the second stack"
ok "$([ "$(ls -la /run/pcscd 2>&1)" = "$run_before" ]; echo $?)" "host /run/pcscd unchanged"
D1="" D2=""
echo "1..$n"
[ $fails = 0 ]
