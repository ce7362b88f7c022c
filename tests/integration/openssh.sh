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
tap_ok "ssh-keygen -D prints the authentication key" grep -q '^ssh-rsa ' "$WORK/token.pub"
tap_is "one key only (the signature key needs its password)" "$(grep -c '^ssh-' "$WORK/token.pub")" 1
openssl x509 -inform DER -in "$JPKI_AUTH_CERT" -pubkey -noout > "$WORK/auth-pub.pem"
ssh-keygen -i -m PKCS8 -f "$WORK/auth-pub.pem" > "$WORK/auth-cert.pub"
tap_is "it is the certificate's key" "$(cut -d' ' -f2 "$WORK/token.pub" | head -n1)" "$(cut -d' ' -f2 "$WORK/auth-cert.pub")"

port=$(free_port)
ssh-keygen -q -t ed25519 -N '' -f "$WORK/hostkey"
install -m 600 "$WORK/token.pub" "$WORK/authorized_keys"
printf '%s\n' "Port $port" "ListenAddress 127.0.0.1" "HostKey $WORK/hostkey" "PidFile $WORK/sshd.pid" \
	"AuthorizedKeysFile $WORK/authorized_keys" "StrictModes no" "PermitRootLogin prohibit-password" \
	"PasswordAuthentication no" "KbdInteractiveAuthentication no" "UsePAM no" "LogLevel VERBOSE" \
	"PubkeyAcceptedAlgorithms rsa-sha2-256,rsa-sha2-512" > "$WORK/sshd_config"
made_run_sshd=0
[ -d /run/sshd ] || { mkdir -p /run/sshd && made_run_sshd=1; }
/usr/sbin/sshd -t -f "$WORK/sshd_config" || tap_bail "sshd config"
background /usr/sbin/sshd -D -f "$WORK/sshd_config" -E "$WORK/sshd.log"
wait_port "$port" || tap_bail "sshd did not start"

printf '#!/bin/sh\nprintf "%%s\\n" "$PIN"\n' > "$WORK/askpass" && chmod 755 "$WORK/askpass"
SSHOPTS=(-F /dev/null -p "$port" -o "UserKnownHostsFile=$WORK/known_hosts" -o StrictHostKeyChecking=accept-new
	-o PasswordAuthentication=no -o KbdInteractiveAuthentication=no)
out=$(PIN=$JPKI_AUTH_PIN SSH_ASKPASS=$WORK/askpass SSH_ASKPASS_REQUIRE=force timeout 60 setsid -w \
	ssh "${SSHOPTS[@]}" -o IdentityAgent=none -I "$MOD" root@127.0.0.1 'echo LOGIN-OK' < /dev/null 2> "$WORK/ssh.err")
tap_is "ssh -I logs in with the card" "$out" LOGIN-OK
tap_ok "sshd accepted the card's key" grep -q 'Accepted publickey for root from 127.0.0.1' "$WORK/sshd.log"

# Through a private agent.
RMOD=$(realpath "$MOD")
background ssh-agent -D -a "$WORK/agent.sock" -P "$RMOD"
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

[ $made_run_sshd -eq 1 ] && rmdir /run/sshd 2>/dev/null
tap_done
