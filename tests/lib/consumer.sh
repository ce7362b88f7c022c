# Common set-up of the consumer tests (tests/integration/*.sh): TAP, a work
# dir, a private PC/SC stack with the emulated card, the module's token
# labels, and cleanup of everything started here.
[ -n "${BASH_VERSION:-}" ] || { echo "Bail out! run with bash"; exit 2; }
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/_build/gcc}
. "$top_srcdir/tests/lib/tap.sh"

# The module under test and the names it gives its tokens and objects.
MOD=${JPKI_MODULE:?JPKI_MODULE must name the built module}
AUTH_LABEL='JPKI Auth (4-digit PIN)'
SIGN_LABEL='JPKI Sign (6-16 char password)'
AUTH_ID=01
SIGN_ID=02
export OPENSSL_CONF=/dev/null

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jpki-test.XXXXXX")
consumer_pids=()
consumer_made_dirs=()
card_hold_pid=""
consumer_cleanup()
{
	local p
	# A script with set -e (tests/demo) must not stop half-way through its
	# cleanup: the wait for a killed server returns its signal status.
	set +e
	card_release
	for p in "${consumer_pids[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	for p in "${consumer_made_dirs[@]}"; do
		rmdir "$p" 2>/dev/null
	done
	rm -rf "$WORK"
}
trap consumer_cleanup EXIT

# stack_start [OPTIONS] / stack_stop (tests/lib/stack.sh): a private pcscd
# with the emulated card, its variables exported (PCSCLITE_CSOCK_NAME,
# JPKI_AUTH_PIN, JPKI_APDU_LOG, ...); stopped at exit before consumer_cleanup.
. "$top_srcdir/tests/lib/stack.sh"

# card_hold: keeps the stack's card powered until card_release or the end
# of the script (tests/integration/card-hold: one shared PC/SC connection, no
# transaction, no APDU).  pcscd powers a card nobody is connected to off 0.4
# to 0.8 s after the last process left it, and the next start then finds no
# application current: a refused probe and a SELECT more, and "# power"
# lines in the APDU log.  A script that compares the APDU counts of processes
# run one after another holds the card first.  A removal or a reset of the
# card, or another stack, needs card_hold again.
card_hold()
{
	local prog=$top_builddir/tests/integration/card-hold i
	[ -x "$prog" ] || tap_bail "missing $prog (make builds it)"
	card_release
	"$prog" "$JPKI_READER" > "$WORK/card-hold.out" 2>&1 &
	card_hold_pid=$!
	for i in $(seq 200); do
		grep -qx held "$WORK/card-hold.out" && return 0
		kill -0 "$card_hold_pid" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/# /' "$WORK/card-hold.out"
	tap_bail "card-hold did not connect to $JPKI_READER"
}

# card_release: ends the hold of card_hold.
card_release()
{
	[ -n "$card_hold_pid" ] || return 0
	kill "$card_hold_pid" 2>/dev/null && wait "$card_hold_pid" 2>/dev/null
	card_hold_pid=""
}

# pss_signatures: the RSA-PSS signatures the card made (80 2A 04 with a key by
# SFI), not counting the module's question whether it signs PSS (P1 04 over
# 32 zero bytes, before any PIN: docs/pss.md).
pss_signatures()
{
	grep -E '^802A04(97|9A)20' "$JPKI_APDU_LOG" | grep -Ecv '^802A04(97|9A)200{64}' || true
}

# background COMMAND...: starts a server in the background; cleanup stops it.
background()
{
	"$@" &
	consumer_pids+=($!)
}

# wait_port PORT: waits (at most 10 s) until something accepts on 127.0.0.1:PORT.
wait_port()
{
	local i
	for i in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port()
{
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# apdus PATTERN: how many APDUs the emulator logged whose line matches the
# extended regex (e.g. '^0020' for VERIFY).
apdus()
{
	grep -Ec "$1" "$JPKI_APDU_LOG" || true
}

# uri_escape TEXT: percent-encodes TEXT for a PKCS#11 URI path attribute.
uri_escape()
{
	python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"
}

# make_server_cert: a throw-away server CA and a localhost server certificate
# in $WORK (srv-ca.crt, srv.crt, srv.key) for the TLS tests.
make_server_cert()
{
	(cd "$WORK" &&
		openssl req -x509 -newkey rsa:2048 -nodes -keyout srv-ca.key -out srv-ca.crt -days 2 \
			-subj "/CN=Test Server CA" -addext basicConstraints=critical,CA:true &&
		openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=localhost &&
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > srv.ext &&
		openssl x509 -req -in srv.csr -CA srv-ca.crt -CAkey srv-ca.key -CAcreateserial -days 2 \
			-extfile srv.ext -out srv.crt) > "$WORK/srv-cert.log" 2>&1 ||
		tap_bail "cannot make the test server certificate"
	openssl x509 -inform DER -in "$JPKI_AUTH_CA_CERT" -out "$WORK/card-ca.crt"
}

# start_s_server PORT [OPTIONS]: openssl s_server on 127.0.0.1:PORT that
# requires a client certificate issued by the card's authentication CA; its
# output goes to $WORK/s_server-PORT.log.
start_s_server()
{
	local port=$1
	shift
	background openssl s_server -accept "127.0.0.1:$port" -cert "$WORK/srv.crt" \
		-key "$WORK/srv.key" -CAfile "$WORK/card-ca.crt" -Verify 1 -verify_return_error \
		-www "$@" > "$WORK/s_server-$port.log" 2>&1
	wait_port "$port" || tap_bail "s_server did not start"
}

# start_sshd AUTHORIZED_KEYS: a private sshd on 127.0.0.1:$SSHD_PORT that
# accepts the given keys for root; its log is $WORK/sshd.log.  SSHOPTS holds
# the client options that go with it.
start_sshd()
{
	SSHD_PORT=$(free_port)
	ssh-keygen -q -t ed25519 -N '' -f "$WORK/hostkey"
	install -m 600 "$1" "$WORK/authorized_keys"
	printf '%s\n' "Port $SSHD_PORT" "ListenAddress 127.0.0.1" "HostKey $WORK/hostkey" \
		"PidFile $WORK/sshd.pid" "AuthorizedKeysFile $WORK/authorized_keys" "StrictModes no" \
		"PermitRootLogin prohibit-password" "PasswordAuthentication no" \
		"KbdInteractiveAuthentication no" "UsePAM no" "LogLevel VERBOSE" \
		"PubkeyAcceptedAlgorithms rsa-sha2-256,rsa-sha2-512" > "$WORK/sshd_config"
	# sshd insists on its privilege-separation directory.
	if [ ! -d /run/sshd ]; then
		mkdir -p /run/sshd && consumer_made_dirs+=(/run/sshd)
	fi
	/usr/sbin/sshd -t -f "$WORK/sshd_config" || tap_bail "sshd rejects its test configuration"
	background /usr/sbin/sshd -D -f "$WORK/sshd_config" -E "$WORK/sshd.log"
	wait_port "$SSHD_PORT" || tap_bail "sshd did not start"
	SSHOPTS=(-F /dev/null -p "$SSHD_PORT" -o "UserKnownHostsFile=$WORK/known_hosts"
		-o StrictHostKeyChecking=accept-new -o PasswordAuthentication=no
		-o KbdInteractiveAuthentication=no)
	printf '#!/bin/sh\nprintf "%%s\\n" "$PIN"\n' > "$WORK/askpass"
	chmod 755 "$WORK/askpass"
}

# ssh_with_pin PIN SSH-ARGS...: runs ssh with PIN given at its prompt (askpass).
ssh_with_pin()
{
	local pin=$1
	shift
	PIN=$pin SSH_ASKPASS=$WORK/askpass SSH_ASKPASS_REQUIRE=force timeout 60 setsid -w \
		ssh "${SSHOPTS[@]}" "$@" < /dev/null
}
