# A private PC/SC stack for a test script: tests/stack (a private pcscd, vpcd
# and the emulated card) started, its variables in this shell, and stopped
# when the script exits.  Bash only; source tests/lib/tap.sh first (a start
# that fails is a bail-out) and set top_srcdir.
#
#   stack_start [--dir DIR] [OPTIONS]
#                          starts a stack of its own (OPTIONS as for tests/stack
#                          start: --second-card, --latency-ms 20, ...), in DIR
#                          (empty or absent) or a new temp dir, whatever
#                          JPKI_STACK_DIR says, and exports its variables
#                          (JPKI_STACK_DIR, PCSCLITE_CSOCK_NAME, JPKI_READER,
#                          JPKI_APDU_LOG, JPKI_AUTH_PIN, ...); on failure,
#                          bails out with what tests/stack said on stderr
#   stack_stop             stops the stack of the last stack_start now
#
# Each stack started here is stopped by its directory at exit (after a
# restart in the same directory too): stack_start puts that in front of the
# EXIT trap it finds, so a script with a cleanup of its own sets its trap
# before its first stack_start.  Sourcing this file again (consumer.sh and
# tool.sh both source it) changes nothing.
[ -z "${stack_tool:-}" ] || return 0
stack_tool=$top_srcdir/tests/stack
stack_dirs=()
stack_prev_exit=""

# stack_stop_all: stops every stack stack_start started that is still up.
stack_stop_all()
{
	local d
	for d in ${stack_dirs[@]+"${stack_dirs[@]}"}; do
		# || true: the EXIT trap of a set -e script (tests/demo) goes on.
		[ -f "$d/.jpki-stack" ] && "$stack_tool" stop --dir "$d" >/dev/null 2>&1 || true
	done
	stack_dirs=()
}

# stack_on_exit: the EXIT trap: the stacks, then the trap that was there.
stack_on_exit()
{
	stack_stop_all
	eval "$stack_prev_exit"
}

# stack_trap_exit: makes stack_on_exit the EXIT trap, keeping the one there
# (trap -p prints it quoted for the shell: "trap -- 'COMMANDS' EXIT").
stack_trap_exit()
{
	local current
	current=$(trap -p EXIT)
	[ "$current" = "trap -- 'stack_on_exit' EXIT" ] && return 0
	if [ -n "$current" ]; then
		eval "set -- $current"
		stack_prev_exit=$3
	fi
	trap stack_on_exit EXIT
}

stack_start()
{
	local env err rc=0 dir=""
	if [ "${1:-}" = --dir ]; then
		dir=${2:?stack_start --dir needs a directory}
		shift 2
	fi
	stack_trap_exit
	err=$(mktemp "${TMPDIR:-/tmp}/jpki-stack-err.XXXXXX") || tap_bail "mktemp failed"
	env=$(if [ -n "$dir" ]; then export JPKI_STACK_DIR=$dir; else unset JPKI_STACK_DIR; fi
		"$stack_tool" start "$@" 2>"$err") || rc=$?
	if [ $rc -ne 0 ]; then
		sed 's/^/# /' "$err"
		rm -f "$err"
		tap_bail "tests/stack start $* failed (exit $rc)"
	fi
	rm -f "$err"
	eval "$env"
	stack_dirs+=("$JPKI_STACK_DIR")
}

stack_stop()
{
	"$stack_tool" stop --dir "$JPKI_STACK_DIR" >/dev/null 2>&1
	unset JPKI_STACK_DIR
}
