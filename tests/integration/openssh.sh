#!/bin/bash
# OpenSSH drives the module: ssh-keygen -D prints the authentication key, ssh
# -I logs in to a private sshd on 127.0.0.1, and so does ssh through a private
# ssh-agent after ssh-add -s.  ssh-add offers its one PIN to every token that
# wants a login, the signature token too: the module refuses the 4-digit PIN
# for the signature password by its format, so no try of the password is
# spent (counted from the emulator's APDU log and the token's counter).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/consumer.sh"
[ -x /usr/sbin/sshd ] || tap_bail "openssh-server is not installed"
stack_start

ssh-keygen -D "$MOD" > "$WORK/token.pub" 2> "$WORK/keygen.err"
# ssh-keygen -D prints every key it finds: the authentication key (named by
# its label) and the keys of the CA certificates (named by their subjects);
# the signature key is private until its password is given.
tap_ok "ssh-keygen -D prints the authentication key" grep -q '^ssh-rsa .* User Authentication Key$' "$WORK/token.pub"
tap_ok "but not the signature key" sh -c "! grep -q 'Digital Signature Key' '$WORK/token.pub'"
openssl x509 -inform DER -in "$JPKI_AUTH_CERT" -pubkey -noout > "$WORK/auth-pub.pem"
ssh-keygen -i -m PKCS8 -f "$WORK/auth-pub.pem" > "$WORK/auth-cert.pub"
tap_is "it is the certificate's key" "$(grep 'User Authentication Key$' "$WORK/token.pub" | cut -d' ' -f2)" "$(cut -d' ' -f2 "$WORK/auth-cert.pub")"
grep 'User Authentication Key$' "$WORK/token.pub" > "$WORK/auth-key.pub"

start_sshd "$WORK/auth-key.pub"
out=$(ssh_with_pin "$JPKI_AUTH_PIN" -o IdentityAgent=none -I "$MOD" root@127.0.0.1 'echo LOGIN-OK' 2> "$WORK/ssh.err")
tap_is "ssh -I logs in with the card" "$out" LOGIN-OK
tap_ok "sshd accepted the card's key" grep -q 'Accepted publickey for root from 127.0.0.1' "$WORK/sshd.log"

# Through a private agent.
RMOD=$(realpath "$MOD")
background ssh-agent -D -a "$WORK/agent.sock" -P "$RMOD" > "$WORK/agent.log" 2>&1
for i in $(seq 50); do [ -S "$WORK/agent.sock" ] && break; sleep 0.1; done
# A VERIFY's log line shows its Lc: 04 is the 4-digit PIN, 06-10 a password.
verify_before=$(apdus '^0020008004')
password_before=$(apdus '^00200080(0[6-9A-F]|10)')
PIN=$JPKI_AUTH_PIN SSH_AUTH_SOCK=$WORK/agent.sock SSH_ASKPASS=$WORK/askpass SSH_ASKPASS_REQUIRE=force \
	timeout 60 setsid -w ssh-add -s "$RMOD" < /dev/null > "$WORK/ssh-add.txt" 2>&1
tap_ok "ssh-add -s adds the card to the agent" grep -q 'Card added' "$WORK/ssh-add.txt"
tap_is "ssh-add's PIN reached the card once, as the 4-digit PIN" "$(($(apdus '^0020008004') - verify_before))" 1
tap_is "no VERIFY of the signature password was sent" "$(($(apdus '^00200080(0[6-9A-F]|10)') - password_before))" 0
out=$(SSH_AUTH_SOCK=$WORK/agent.sock timeout 60 ssh "${SSHOPTS[@]}" -o BatchMode=yes root@127.0.0.1 'echo LOGIN-VIA-AGENT-OK' 2> "$WORK/ssh2.err")
tap_is "ssh logs in through the agent" "$out" LOGIN-VIA-AGENT-OK

tap_done
