# TAP for the shell tests (automake's tap-driver reads it).  Source it, call
# the checks, and end with tap_done.  A test that ran no check fails.
#
#   tap_ok "what it proves" command args...   passes when the command exits 0
#   tap_fails "what it proves" command...     passes when the command exits non-zero
#   tap_is "what" GOT WANT                    passes when the strings are equal
#   tap_diag "text"                           a comment line
#   tap_bail "why"                            stops the test: setup failed
tap_run=0
tap_failed=0

tap_result()
{
	tap_run=$((tap_run + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_run - $2"
	else
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_run - $2"
	fi
}

tap_ok()
{
	local what=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	tap_result $rc "$what"
	[ $rc -eq 0 ] || printf '%s\n' "$out" | tail -n 20 | sed 's/^/#   /'
	return $rc
}

tap_fails()
{
	local what=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ $rc -ne 0 ]; then
		tap_result 0 "$what"
		return 0
	fi
	tap_result 1 "$what"
	printf '%s\n' "$out" | tail -n 20 | sed 's/^/#   /'
	return 1
}

tap_is()
{
	if [ "$2" = "$3" ]; then
		tap_result 0 "$1"
		return 0
	fi
	tap_result 1 "$1"
	printf '#   got:  %s\n#   want: %s\n' "$2" "$3"
	return 1
}

tap_diag()
{
	printf '%s\n' "$*" | sed 's/^/# /'
}

tap_bail()
{
	echo "Bail out! $*"
	exit 2
}

tap_done()
{
	echo "1..$tap_run"
	[ "$tap_run" -gt 0 ] || exit 2
	[ "$tap_failed" -eq 0 ] || exit 1
	exit 0
}
