#!/bin/bash
# README.md (English, the source of truth) and README.ja.md (its Japanese
# translation) are kept in step: the same ## and ### headings in the same
# order of levels, the same fenced code blocks byte for byte and in order,
# the same number of table rows, and each links to the other.  Prints TAP.
#
# usage: [top_srcdir=DIR] tests/readme-sync.sh
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
top="${top_srcdir:-$(dirname "$0")/..}"
. "$top/tests/lib/tap.sh"

en="$top/README.md"
ja="$top/README.ja.md"
[ -r "$en" ] || tap_bail "cannot read $en"
[ -r "$ja" ] || tap_bail "cannot read $ja"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/readme-sync.XXXXXX") || tap_bail "mktemp failed"
trap 'rm -rf "$WORK"' EXIT

# The heading levels (2 or 3) of the ## and ### headings outside code blocks,
# one a line.
headings()
{
	LC_ALL=C awk '
		/^```/ { fence = !fence; next }
		fence { next }
		/^### / { print 3; next }
		/^## / { print 2 }
	' "$1"
}

# Table rows (lines starting with "|") outside code blocks.
table_rows()
{
	LC_ALL=C awk '
		/^```/ { fence = !fence; next }
		!fence && /^\|/ { n++ }
		END { print n + 0 }
	' "$1"
}

# Writes each fenced code block, fences included, to DIR/NNN; prints the count.
# An unclosed block counts as a block too (and will not match its pair).
code_blocks()
{
	mkdir -p "$2"
	LC_ALL=C awk -v dir="$2" '
		/^```/ {
			if (!fence) { n++; out = sprintf("%s/%03d", dir, n) }
			print > out
			if (fence) close(out)
			fence = !fence
			next
		}
		fence { print > out }
		END { print n + 0 }
	' "$1"
}

h_en=$(headings "$en")
h_ja=$(headings "$ja")
tap_is "same number of ## headings" \
	"$(grep -c '^2$' <<<"$h_ja")" "$(grep -c '^2$' <<<"$h_en")"
tap_is "same number of ### headings" \
	"$(grep -c '^3$' <<<"$h_ja")" "$(grep -c '^3$' <<<"$h_en")"
tap_is "## and ### headings in the same order of levels" \
	"$(tr '\n' ' ' <<<"$h_ja")" "$(tr '\n' ' ' <<<"$h_en")"

n_en=$(code_blocks "$en" "$WORK/en")
n_ja=$(code_blocks "$ja" "$WORK/ja")
tap_is "same number of fenced code blocks" "$n_ja" "$n_en"
i=1
while [ "$i" -le "$n_en" ]; do
	b=$(printf '%03d' "$i")
	if [ -f "$WORK/ja/$b" ]; then
		tap_ok "code block $i is identical ($(head -n 1 "$WORK/en/$b"))" \
			diff -u "$WORK/en/$b" "$WORK/ja/$b"
	else
		tap_result 1 "code block $i is identical: README.ja.md has no block $i"
	fi
	i=$((i + 1))
done

tap_is "same number of table rows" "$(table_rows "$ja")" "$(table_rows "$en")"

tap_ok "README.md links to README.ja.md" grep -qF '[日本語](README.ja.md)' "$en"
tap_ok "README.ja.md links to README.md" grep -qF '[English](README.md)' "$ja"

tap_done
