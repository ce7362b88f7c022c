#!/bin/bash
# Registration with p11-kit: with only the installed jpki-pkcs11.module (its
# relative module: line resolved in p11-kit's module directory), p11-kit
# list-modules shows the module and both tokens, and p11tool without
# --provider (through p11-kit-proxy) lists the tokens and the certificates.
# The test runs in a private mount namespace where the p11-kit module
# directories hold only our files: the system's configuration is untouched.
# Also p11-kit remoting: p11-kit server exports the tokens on a unix socket,
# and pkcs11-tool and ssh-keygen use them through p11-kit-client.so, as from
# another host.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/consumer.sh"
stack_start

PKCS11_DIR=$(pkg-config --variable=p11_module_path p11-kit-1)
MODULE_CONFIGS=$(pkg-config --variable=p11_module_configs p11-kit-1)
[ -n "$PKCS11_DIR" ] && [ -n "$MODULE_CONFIGS" ] || tap_bail "p11-kit-1 pkg-config variables missing"
mkdir -p "$WORK/modules" "$WORK/pkcs11"
cp "$top_srcdir/conf/jpki-pkcs11.module" "$WORK/modules/"
cp "$MOD" "$WORK/pkcs11/jpki-pkcs11.so"
tap_ok "the .module file names the module by a relative path" grep -qx 'module: jpki-pkcs11.so' "$WORK/modules/jpki-pkcs11.module"

# The mounts on p11-kit's directories in this (the system's) namespace, to
# show at the end that the private ones did not reach it.  (Not the files
# there: a jpki-pkcs11 package installed on this machine has its own.)
mounts_here() { awk -v a="$MODULE_CONFIGS" -v b="$PKCS11_DIR" '$5 == a || $5 == b' /proc/self/mountinfo; }
MOUNTS_BEFORE=$(mounts_here)

# in_private_p11kit COMMAND...: runs COMMAND where p11-kit sees only our module.
in_private_p11kit()
{
	unshare -m --propagation private sh -c '
		mount --bind "$1" "$2" && mount --bind "$3" "$4" && shift 4 && exec "$@"' \
		sh "$WORK/modules" "$MODULE_CONFIGS" "$WORK/pkcs11" "$PKCS11_DIR" "$@"
}
in_private_p11kit p11-kit list-modules > "$WORK/list-modules.txt" 2>&1
tap_ok "p11-kit list-modules shows jpki-pkcs11" grep -q '^jpki-pkcs11:' "$WORK/list-modules.txt"
tap_ok "with the authentication token" grep -q "token: $AUTH_LABEL" "$WORK/list-modules.txt"
tap_ok "and the signature token" grep -qF "token: $SIGN_LABEL" "$WORK/list-modules.txt"
in_private_p11kit p11tool --list-tokens > "$WORK/tokens.txt" 2>&1
tap_ok "p11tool --list-tokens (no --provider) shows the authentication token" grep -q "Label: $AUTH_LABEL" "$WORK/tokens.txt"
tap_ok "p11tool --list-tokens shows the signature token" grep -qF "Label: $SIGN_LABEL" "$WORK/tokens.txt"
in_private_p11kit p11tool --list-all-certs "pkcs11:token=$(uri_escape "$AUTH_LABEL")" > "$WORK/certs.txt" 2>&1
tap_ok "p11tool --list-all-certs (no --provider) shows the authentication certificate" \
	grep -q 'Label: User Authentication Certificate' "$WORK/certs.txt"
tap_is "the system's p11-kit configuration was not changed: the private directories were not mounted here" \
	"$(mounts_here)" "$MOUNTS_BEFORE"
# stray_registrations: the files of the system's module directory naming
# jpki-pkcs11 that no installed package owns.
stray_registrations()
{
	local f
	grep -rl jpki-pkcs11 "$MODULE_CONFIGS" 2> /dev/null | while IFS= read -r f; do
		dpkg -S "$f" > /dev/null 2>&1 || echo "$f"
	done
}
tap_is "and it has no registration of jpki-pkcs11 but an installed package's" "$(stray_registrations)" ""

# Remoting: the card used from "another host" through a unix socket.
CLIENT=$PKCS11_DIR/p11-kit-client.so
[ -f "$CLIENT" ] || tap_bail "p11-kit-client.so is missing"
background p11-kit server -f -s --provider "$MOD" -n "$WORK/p11.sock" \
	"pkcs11:token=$(uri_escape "$AUTH_LABEL")" "pkcs11:token=$(uri_escape "$SIGN_LABEL")" \
	> "$WORK/p11srv.txt" 2>&1
for i in $(seq 100); do [ -S "$WORK/p11.sock" ] && break; sleep 0.1; done
export P11_KIT_SERVER_ADDRESS=unix:path=$WORK/p11.sock
pkcs11-tool --module "$CLIENT" -L > "$WORK/remote-list.txt" 2>&1
tap_ok "remote: pkcs11-tool lists the authentication token" grep -q "token label *: $AUTH_LABEL" "$WORK/remote-list.txt"
echo "remote data" > "$WORK/data.txt"
pkcs11-tool --module "$CLIENT" --token-label "$AUTH_LABEL" --login --pin "$JPKI_AUTH_PIN" --id $AUTH_ID \
	--sign -m SHA256-RSA-PKCS -i "$WORK/data.txt" -o "$WORK/remote.sig" > "$WORK/remote-sign.txt" 2>&1
openssl x509 -inform DER -in "$JPKI_AUTH_CERT" -pubkey -noout > "$WORK/auth-pub.pem"
tap_ok "remote: a signature made through the socket verifies" \
	openssl dgst -sha256 -verify "$WORK/auth-pub.pem" -signature "$WORK/remote.sig" "$WORK/data.txt"
ssh-keygen -D "$CLIENT" > "$WORK/remote.pub" 2>/dev/null
tap_ok "remote: ssh-keygen -D reads the authentication key" grep -q '^ssh-rsa ' "$WORK/remote.pub"
if [ -x /usr/sbin/sshd ]; then
	start_sshd "$WORK/remote.pub"
	out=$(ssh_with_pin "$JPKI_AUTH_PIN" -o IdentityAgent=none -I "$CLIENT" root@127.0.0.1 'echo REMOTE-LOGIN-OK' 2> "$WORK/ssh.err")
	tap_is "remote: ssh logs in with the card through p11-kit-client.so" "$out" REMOTE-LOGIN-OK
else
	tap_result 1 "remote: ssh login (openssh-server is not installed)"
fi

tap_done
