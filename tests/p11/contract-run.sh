# Sourced by the contract shell tests: runs one contract binary against the
# target in JPKI_P11_TARGET and reports it as one TAP line, with the
# binary's failures as diagnostics.
#   contract_run NAME: runs $top_builddir/tests/p11/NAME
contract_run()
{
	local bin=$top_builddir/tests/p11/$1 out rc=0 checks
	local target=$JPKI_P11_TARGET${JPKI_SIM_OPTIONS:+ with $JPKI_SIM_OPTIONS}
	out=$("$bin" 2>&1) || rc=$?
	checks=$(printf '%s\n' "$out" | grep -c '^ok ')
	if [ $rc -ne 0 ] || printf '%s\n' "$out" | grep -q '^not ok'; then
		tap_result 1 "$1 on $target ($checks checks passed)"
		printf '%s\n' "$out" | grep -v '^ok ' | tail -n 30 | sed 's/^/#   /'
	else
		tap_result 0 "$1 on $target ($checks checks)"
	fi
}
