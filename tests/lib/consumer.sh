# Common set-up of the consumer tests (tests/integration/*.sh): TAP, a work
# dir, a private PC/SC stack with the emulated card, the module's token
# labels, and cleanup of everything started here.
[ -n "${BASH_VERSION:-}" ] || { echo "Bail out! run with bash"; exit 2; }
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
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
consumer_cleanup()
{
	local p
	for p in "${consumer_pids[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	if [ -n "${JPKI_STACK_DIR:-}" ] && [ -d "$JPKI_STACK_DIR" ]; then
		"$top_srcdir/tests/stack" stop --dir "$JPKI_STACK_DIR" >/dev/null 2>&1
	fi
	rm -rf "$WORK"
}
trap consumer_cleanup EXIT

# stack_start [OPTIONS]: a private pcscd with the emulated card; exports its
# variables (PCSCLITE_CSOCK_NAME, JPKI_AUTH_PIN, JPKI_APDU_LOG, ...).
stack_start()
{
	unset JPKI_STACK_DIR
	if ! "$top_srcdir/tests/stack" start "$@" > "$WORK/stack.env" 2> "$WORK/stack.err"; then
		sed 's/^/# /' "$WORK/stack.err"
		tap_bail "tests/stack start failed"
	fi
	. "$WORK/stack.env"
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
