#!/bin/bash
# The certificate cache on the real path (pkcs11-tool -> module -> libpcsclite
# -> private pcscd -> vpcd -> emulated card), each step a fresh process as an
# application start is: a cold start writes the entry (0700 directory, 0600
# file), a warm one reads only the first chunk of the auth certificate and
# no CA certificate; and each way a cache can lie or fail is caught, the
# card's certificate served and the bad entry replaced or ignored: another
# card's entry under this card's name, a truncated file, a symlink, a file of
# another user (as root), a read-only HOME, no HOME, two processes at once.
# The card is held powered throughout (card_hold): every start but the first
# finds the JPKI AP its predecessor left current, however slow the machine.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/consumer.sh"
stack_start
card_hold
held_at=$(wc -l < "$JPKI_APDU_LOG")

CORPUS=$top_srcdir/tests/fuzz/corpus/cert
export XDG_CACHE_HOME=$WORK/xdg
CACHE=$XDG_CACHE_HOME/jpki-pkcs11
export JPKI_PKCS11_DEBUG=3:$WORK/debug.log
A=(--module "$MOD" --token-label "$AUTH_LABEL")
reads() { echo $((($(stat -c %s "$1") + 255) / 256)); }

# fetch TAG: one process reads the auth CA certificate (id 03) through the
# module; its APDUs in N[TAG] (the log's "#" lines are card events, not
# APDUs), and whether it is the card's in OK[TAG].
declare -A N OK
fetch()
{
	local before
	before=$(wc -l < "$JPKI_APDU_LOG")
	rm -f "$WORK/debug.log" "$WORK/ca.der"
	pkcs11-tool "${A[@]}" --read-object --type cert --id 03 -o "$WORK/ca.der" > "$WORK/$1.out" 2>&1
	tail -n "+$((before + 1))" "$JPKI_APDU_LOG" > "$WORK/$1.apdu"
	N[$1]=$(grep -vc '^#' "$WORK/$1.apdu")
	OK[$1]=$(cmp -s "$WORK/ca.der" "$JPKI_AUTH_CA_CERT" && echo yes || echo no)
}
entry() { find "$CACHE" -maxdepth 1 -type f ! -name '.*' 2>/dev/null | head -n1; }
entries() { find "$CACHE" -mindepth 1 -maxdepth 1 ! -name '.*' 2>/dev/null | wc -l; }
temps() { find "$CACHE" -mindepth 1 -maxdepth 1 -name '.tmp-*' 2>/dev/null | wc -l; }

fetch cold0 # the card at the MF: this start pays the SELECT of the JPKI AP
rm -rf "$CACHE"
fetch cold
tap_is "cold: the auth CA is the card's" "${OK[cold]}" yes
tap_ok "cold: the log says miss" grep -q 'certificate cache miss' "$WORK/debug.log"
tap_is "cold: one entry" "$(entries)" 1
tap_is "cache directory mode 0700" "$(stat -c %a "$CACHE")" 700
tap_is "cache entry: a regular file of ours, mode 0600" \
	"$(stat -c '%F %a %u' "$(entry)")" "regular file 600 $(id -u)"
fetch warm
tap_is "warm: the auth CA is the card's" "${OK[warm]}" yes
tap_ok "warm: the log says hit" grep -q 'certificate cache hit' "$WORK/debug.log"
tap_is "warm: the auth certificate's first chunk only, and no CA read" \
	"$((N[cold] - N[warm]))" "$(($(reads "$JPKI_AUTH_CERT") - 1 + $(reads "$JPKI_AUTH_CA_CERT")))"
tap_ok "warm: no READ of EF 000B" sh -c "! grep -q '^00B08B' '$WORK/warm.apdu'"
tap_is "warm: 4 APDUs (probe, first chunk, 2 counters by SFI)" "${N[warm]}" 4
tap_ok "the log names no entry" sh -c "! grep -q '$(basename "$(entry)")' '$WORK/debug.log'"

# A lying entry: another card's certificates under this card's name.
python3 - "$(entry)" "$CORPUS/auth-2" "$CORPUS/auth-ca-2" "$CORPUS/sign-ca-2" <<'EOF'
import struct, sys
out = b'JPKICACH\x01\x00\x00\x00'
for f in sys.argv[2:]:
    der = open(f, 'rb').read()
    out += struct.pack('>H', len(der)) + der
open(sys.argv[1], 'wb').write(out)
EOF
fetch lying
tap_is "another card's entry: the card's auth CA served" "${OK[lying]}" yes
tap_is "another card's entry: a miss (the cold cost)" "${N[lying]}" "${N[cold]}"
fetch after-lying
tap_is "... the entry was replaced: warm again" "${N[after-lying]}" "${N[warm]}"

# A renewed certificate: the cached one differs from the card's in its serial number (the
# entry's name kept, as if the card's certificate had been renewed under it).
python3 - "$(entry)" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[12 + 2 + 15] ^= 0x01  # inside the auth certificate's serial number
open(p, 'wb').write(bytes(b))
EOF
fetch renewed
tap_is "renewed certificate: the card's auth CA served" "${OK[renewed]}" yes
tap_is "renewed certificate: a miss (the cold cost)" "${N[renewed]}" "${N[cold]}"
fetch after-renewed
tap_is "... replaced: warm again" "${N[after-renewed]}" "${N[warm]}"

# A truncated entry.
truncate -s 700 "$(entry)"
fetch truncated
tap_is "truncated: the card's auth CA served" "${OK[truncated]}" yes
tap_is "truncated: a miss (the cold cost)" "${N[truncated]}" "${N[cold]}"
fetch after-truncated
tap_is "... replaced: warm again" "${N[after-truncated]}" "${N[warm]}"

# The entry replaced by a symlink to a valid entry elsewhere.
e=$(entry)
cp "$e" "$WORK/elsewhere"
cp "$e" "$WORK/elsewhere.orig"
ln -sf "$WORK/elsewhere" "$e"
fetch symlink
tap_is "symlink: the card's auth CA served" "${OK[symlink]}" yes
tap_is "symlink: not followed (the cold cost)" "${N[symlink]}" "${N[cold]}"
tap_ok "... replaced by a regular file" test -f "$e" -a ! -L "$e"
tap_ok "... its target left alone" cmp -s "$WORK/elsewhere" "$WORK/elsewhere.orig"

# A file of another user (only root can make one).
if [ "$(id -u)" = 0 ]; then
	chown 65534:65534 "$e"
	fetch foreign
	tap_is "foreign owner: the card's auth CA served" "${OK[foreign]}" yes
	tap_is "foreign owner: ignored (the cold cost)" "${N[foreign]}" "${N[cold]}"
	tap_is "... replaced by ours" "$(stat -c %u "$e")" 0
else
	tap_result 0 "# SKIP a file of another user needs root"
fi

# An entry open to others.
chmod 644 "$e"
fetch loose
tap_is "entry mode 0644: ignored (the cold cost)" "${N[loose]}" "${N[cold]}"
tap_is "... replaced, 0600" "$(stat -c %a "$e")" 600

# A read-only HOME, and no HOME: no cache, everything works.
(unset XDG_CACHE_HOME; HOME=/proc fetch rohome; declare -p N OK > "$WORK/rohome.vars")
. "$WORK/rohome.vars"
tap_is "read-only HOME: the card's auth CA served" "${OK[rohome]}" yes
tap_is "read-only HOME: the cold cost" "${N[rohome]}" "${N[cold]}"
(unset XDG_CACHE_HOME HOME; fetch nohome; declare -p N OK > "$WORK/nohome.vars")
. "$WORK/nohome.vars"
tap_is "no HOME: the card's auth CA served" "${OK[nohome]}" yes
tap_is "no HOME: the cold cost" "${N[nohome]}" "${N[cold]}"

# Two processes writing at once into an empty cache.
rm -rf "$CACHE"
for i in 1 2 3 4; do
	pkcs11-tool "${A[@]}" --read-object --type cert --id 03 -o "$WORK/par$i.der" \
		> "$WORK/par$i.out" 2>&1 &
	consumer_pids+=($!)
done
rc=0
for p in "${consumer_pids[@]}"; do wait "$p" || rc=1; done
consumer_pids=()
tap_is "four processes at once: all succeed" "$rc" 0
for i in 1 2 3 4; do cmp -s "$WORK/par$i.der" "$JPKI_AUTH_CA_CERT" || rc=1; done
tap_is "... each got the card's auth CA" "$rc" 0
tap_is "... one entry" "$(entries)" 1
tap_is "... no temp file left" "$(temps)" 0
fetch after-parallel
tap_is "... and it is complete: warm" "${N[after-parallel]}" "${N[warm]}"

# What every count above assumes: no power-off, power-on or reset between the
# starts (the first after one pays the SELECT of the JPKI AP again).
tap_is "the card stayed powered throughout: no card event in the log" \
	"$(tail -n "+$((held_at + 1))" "$JPKI_APDU_LOG" | grep -c '^#')" 0

tap_done
