#!/bin/bash
# The card's PSS answer in the certificate cache on the real path (pkcs11-tool
# -> module -> libpcsclite -> private pcscd -> vpcd -> emulated card): a card
# that signs PSS leaves "yes" in its entry; the same card (same certificates)
# then refusing PSS (the emulator's --no-pss, as after a firmware change) is
# offered PSS from the entry, refuses the signature, and its entry turns to
# "no": the next start neither lists PSS nor asks (docs/pss.md).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/consumer.sh"

export XDG_CACHE_HOME=$WORK/xdg
A=(--module "$MOD" --token-label "$AUTH_LABEL")
printf 'a TLS 1.3 CertificateVerify\n' > "$WORK/data.txt"

# mechs TAG: one process lists the auth token's mechanisms; the PSS
# questions it cost (80 2A 04/06 over 32 zero bytes) in ASKED[TAG].
declare -A ASKED
mechs()
{
	local before
	before=$(wc -l < "$JPKI_APDU_LOG")
	pkcs11-tool "${A[@]}" -M > "$WORK/$1.mechs" 2>&1
	ASKED[$1]=$(tail -n "+$((before + 1))" "$JPKI_APDU_LOG" | grep -Ec '^802A0[46]97200{64}' || true)
}

stack_start
mechs cold
tap_ok "PSS card, cold: RSA-PKCS-PSS listed" grep -q 'RSA-PKCS-PSS' "$WORK/cold.mechs"
tap_is "PSS card, cold: asked (2 APDUs)" "${ASKED[cold]}" 2
stack_stop

stack_start --no-pss
mechs warm
tap_ok "refusing card, entry yes: RSA-PKCS-PSS listed" grep -q 'RSA-PKCS-PSS' "$WORK/warm.mechs"
tap_is "refusing card, entry yes: not asked" "${ASKED[warm]}" 0
tap_ok "refusing card: the PSS signature fails" sh -c "! pkcs11-tool ${A[*]@Q} --login \
	--pin '$JPKI_AUTH_PIN' --id $AUTH_ID --sign -m SHA256-RSA-PKCS-PSS --mgf MGF1-SHA256 \
	--salt-len 32 -i '$WORK/data.txt' -o '$WORK/sig.bin' > '$WORK/sign.log' 2>&1"
tap_is "... refused (6A86) by SFI and with P2 80, one attempt" "$(grep -Ec '^802A04(97|80)20.* 6A86 ' "$JPKI_APDU_LOG")" 2
mechs after
tap_ok "refusing card, next start: RSA-PKCS-PSS not listed" \
	sh -c "grep -q 'SHA256-RSA-PKCS,' '$WORK/after.mechs' && ! grep -q 'PSS' '$WORK/after.mechs'"
tap_is "refusing card, next start: not asked (the entry says no)" "${ASKED[after]}" 0
tap_ok "PKCS#1 v1.5 still signs" pkcs11-tool "${A[@]}" --login --pin "$JPKI_AUTH_PIN" --id "$AUTH_ID" \
	--sign -m SHA256-RSA-PKCS -i "$WORK/data.txt" -o "$WORK/sig.bin"
stack_stop

tap_done
