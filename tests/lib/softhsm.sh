# A SoftHSMv2 token set up like the card's authentication token, the
# reference the contract and misuse suites are checked against: an RSA-2048
# key, its public key and a certificate, CKA_ID 01, in a private token dir.
# Sourced after tests/lib/tap.sh.
#
#   softhsm_token DIR: makes the token in DIR and exports JPKI_P11_TARGET=softhsm,
#   JPKI_REF_MODULE, JPKI_REF_LABEL, JPKI_REF_PIN and SOFTHSM2_CONF.
softhsm_token()
{
	local dir=$1 ref="" f t
	for f in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so; do
		[ -f "$f" ] && ref=$f && break
	done
	[ -n "$ref" ] || tap_bail "SoftHSMv2 is missing (Debian package softhsm2)"
	command -v softhsm2-util > /dev/null || tap_bail "softhsm2-util is missing"
	mkdir -p "$dir/tokens"
	export SOFTHSM2_CONF=$dir/softhsm2.conf
	printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
		"$dir/tokens" > "$SOFTHSM2_CONF"
	softhsm2-util --init-token --free --label ref-auth --so-pin 12345678 --pin 1234 > /dev/null ||
		tap_bail "softhsm2-util --init-token failed"
	(cd "$dir" &&
		OPENSSL_CONF=/dev/null openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem \
			-out cert.pem -subj /CN=ref -days 2 2> /dev/null &&
		openssl pkey -in key.pem -outform DER -out key.der &&
		openssl pkey -in key.pem -pubout -outform DER -out pub.der &&
		openssl x509 -in cert.pem -outform DER -out cert.der) || tap_bail "openssl failed"
	for t in privkey:key.der pubkey:pub.der cert:cert.der; do
		pkcs11-tool --module "$ref" --token-label ref-auth --login --pin 1234 \
			--write-object "$dir/${t#*:}" --type "${t%%:*}" --id 01 --label "Auth Key" \
			> /dev/null 2>&1 || tap_bail "writing the $t failed"
	done
	export JPKI_P11_TARGET=softhsm JPKI_REF_MODULE=$ref JPKI_REF_LABEL=ref-auth JPKI_REF_PIN=1234
}
