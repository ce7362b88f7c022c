#!/bin/sh
# The built module exports exactly the 92 functions of the PKCS#11 3.0
# function list (as declared in pkcs11/pkcs11.h and listed in the version
# script), and no other symbol.
set -u
. "$top_srcdir/tests/lib/p11-header.sh"
map="$top_srcdir/pkcs11/jpki-pkcs11.map"
need_command nm
need_file "$JPKI_MODULE" module

sed -n 's/^CK_PKCS11_FUNCTION(\(C_[A-Za-z]*\),.*/\1/p' "$header" | sort >"$tmp/header"
sed -n 's/^[[:space:]]*\(C_[A-Za-z]*\);$/\1/p' "$map" | sort >"$tmp/map"
nm -D --defined-only "$JPKI_MODULE" >"$tmp/nm" || tap_bail "nm -D failed on $JPKI_MODULE"
awk '{ print $NF }' "$tmp/nm" | sort >"$tmp/exported"

test "$(wc -l <"$tmp/header")" -eq 92
tap_result $? "pkcs11.h declares 92 functions"
cmp -s "$tmp/header" "$tmp/map"
tap_result $? "the version script lists exactly those"
diff "$tmp/header" "$tmp/exported" | sed 's/^/# /'
cmp -s "$tmp/header" "$tmp/exported"
tap_result $? "the module exports exactly those"
! awk '$2 != "T" { bad = 1 } END { exit !bad }' "$tmp/nm"
tap_result $? "every exported symbol is a function in the text section"
! grep -v '^C_' "$tmp/exported" >/dev/null
tap_result $? "nothing but C_* is exported"
tap_done
