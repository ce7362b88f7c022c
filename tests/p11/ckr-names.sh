#!/bin/sh
# The CKR name table of the call trace (pkcs11/ckr-names.c) names every
# CKR_* value pkcs11/pkcs11.h defines, each with its own name.
set -u
. "$top_srcdir/tests/lib/p11-header.sh"
table="$top_srcdir/pkcs11/ckr-names.c"

sed -n 's/^#define[[:space:]]\{1,\}\(CKR_[A-Z0-9_]*\)[[:space:]].*/\1/p' "$header" | sort >"$tmp/header"
sed -n 's/^[[:space:]]*{[[:space:]]*\(CKR_[A-Z0-9_]*\),[[:space:]]*"\(CKR_[A-Z0-9_]*\)"[[:space:]]*},$/\1 \2/p' "$table" >"$tmp/pairs"
awk '{ print $1 }' "$tmp/pairs" | sort >"$tmp/table"

test "$(wc -l <"$tmp/header")" -gt 90
tap_result $? "pkcs11.h defines the CKR values ($(wc -l <"$tmp/header"))"
diff "$tmp/header" "$tmp/table" | sed 's/^/# /'
cmp -s "$tmp/header" "$tmp/table"
tap_result $? "the table has one entry for each"
! awk '$1 != $2 { bad = 1 } END { exit !bad }' "$tmp/pairs"
tap_result $? "each entry's string is its own name"
tap_done
