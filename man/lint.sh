#!/bin/bash
# Every manual page renders without a warning: mandoc's linter at warning
# level and groff with all warnings on.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib/tap.sh"
for page in "$top_srcdir"/man/*.[1-8]; do
	name=$(basename "$page")
	out=$(mandoc -T lint -W warning "$page" 2>&1)
	tap_is "mandoc -T lint: $name has no warning" "$out" ""
	out=$(groff -k -T utf8 -mandoc -ww -z "$page" 2>&1)
	tap_is "groff -ww: $name has no warning" "$out" ""
done
tap_done
