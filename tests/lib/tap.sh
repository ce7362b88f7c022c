# TAP for the shell tests (automake's tap-driver reads it).  Source it, call
# the checks, and end with tap_done.  A test that ran no check fails.
#
#   tap_ok "what it proves" command args...   passes when the command exits 0
#   tap_fails "what it proves" command...     passes when the command exits non-zero
#   tap_is "what" GOT WANT                    passes when the strings are equal
#   tap_diag "text"                           a comment line
#   tap_bail "why"                            stops the test: setup failed
#   tap_relay NAME < <(program; echo "exit=$?")
#                                             a program's own TAP lines as checks here
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

# tap_relay NAME: reads a program's output, ended by a line "exit=STATUS",
# from stdin (a process substitution, so that the counts stay in this
# shell).  Its "ok [N] - what" and "not ok [N] - what" lines become checks
# named "NAME: what"; a "Bail out!" line fails, and so does a status other
# than 0 (124: timeout(1) stopped it, a hang); its plan line is dropped and
# other lines pass as comments.
tap_relay()
{
	local name=$1 line
	while IFS= read -r line; do
		case $line in
		"ok "*) tap_result 0 "$name: ${line#ok*- }" ;;
		"not ok "*) tap_result 1 "$name: ${line#not ok*- }" ;;
		"Bail out!"*) tap_result 1 "$name: $line" ;;
		1..* | exit=0) ;;
		exit=124) tap_result 1 "$name: still running at its time limit (hang)" ;;
		exit=*) tap_result 1 "$name: the program exited with ${line#exit=}" ;;
		"#"*) printf '%s\n' "$line" ;;
		*) printf '# %s\n' "$line" ;;
		esac
	done
}

tap_done()
{
	echo "1..$tap_run"
	[ "$tap_run" -gt 0 ] || exit 2
	[ "$tap_failed" -eq 0 ] || exit 1
	exit 0
}
