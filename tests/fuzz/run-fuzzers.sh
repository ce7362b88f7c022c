#!/bin/sh
# run-fuzzers.sh: runs each libFuzzer target for a bounded time on a
# temporary copy of its seed corpus and fails on any crash.
#
# Usage: run-fuzzers.sh [--bin DIR] [--corpus DIR] [--seed N] [--runs N] [--jobs N]
#                       [--keep DIR] [SECONDS [TARGET...]]
#   --bin DIR     where the fuzz-TARGET binaries are (default: _fuzz/tests/fuzz)
#   --corpus DIR  the seed corpora, DIR/TARGET/ (default: beside this script)
#   --seed N      libFuzzer's random seed (default: a new one each run); CI
#                 passes one so that its run is the same sequence of inputs
#                 every time (a prefix of it, as far as the time allows)
#   --runs N      stop each target after N executions (the long runs:
#                 --runs 10000000 0 TARGET); SECONDS 0 then means no time limit
#   --jobs N      run N targets at a time (default 1); the results are
#                 printed in target order once each group has ended
#   --keep DIR    keep the grown corpora and crash inputs in DIR/TARGET/
#                 (default: a temporary dir, removed at the end; crash
#                 inputs are then copied to ./fuzz-crashes/TARGET/)
#   SECONDS       per target (default 30; 0: no limit, only with --runs)
#   TARGET        default: every target
# Prints per target "fuzz TARGET: N execs, E exec/s, cov C, crashes K" and TAP.
# The emulator target needs JPKI_SIM_FIXTURE (make fuzz-smoke sets it).
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=_fuzz/tests/fuzz
corpus=$here/corpus
keep=
seed=
runs=
jobs=1
while [ $# -gt 0 ]; do
	case $1 in
	--seed) seed=-seed=$2; shift 2 ;;
	--runs) runs=-runs=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--bin) bin=$2; shift 2 ;;
	--corpus) corpus=$2; shift 2 ;;
	--keep) keep=$2; shift 2 ;;
	*) break ;;
	esac
done
seconds=${1:-30}
if [ "$seconds" = 0 ] && [ -z "$runs" ]; then
	echo "run-fuzzers.sh: SECONDS 0 (no time limit) needs --runs" >&2
	exit 2
fi
case $jobs in '' | *[!0-9]* | 0)
	echo "run-fuzzers.sh: --jobs takes a whole number from 1" >&2
	exit 2 ;;
esac
[ $# -gt 0 ] && shift
targets=${*:-tlv textap cert settings sim card p11 pdf}

work=$(mktemp -d "${TMPDIR:-/tmp}/jpki-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
base=${keep:-$work}
n=0 failed=0
# fuzz TARGET: one run, its exit status left in DIR/TARGET/rc.
fuzz() {
	dir=$base/$1
	dict=
	[ -f "$here/$1.dict" ] && dict=-dict=$here/$1.dict
	# The emulator's temp state dirs go under our temp dir.
	TMPDIR=$work "$bin/fuzz-$1" -max_total_time="$seconds" -rss_limit_mb=2048 \
		-timeout=10 -print_final_stats=1 -artifact_prefix="$dir/crashes/" $dict $seed $runs \
		"$dir/corpus" > "$dir/log" 2>&1
	echo $? > "$dir/rc"
}
# report TARGET: its figures and TAP line.
report() {
	n=$((n + 1))
	dir=$base/$1
	log=$dir/log
	rc=$(cat "$dir/rc" 2>/dev/null || echo 99)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
	cov=$(sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\).*/\1 ft \2 corp \3/p' \
		"$log" | tail -n1)
	crashes=$(find "$dir/crashes" -type f | wc -l)
	echo "fuzz $1: ${execs:-0} execs, ${speed:-0} exec/s, cov ${cov:-?}, crashes $crashes"
	if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ] || [ -z "$execs" ]; then
		failed=$((failed + 1))
		echo "not ok $n - fuzz-$1 (exit $rc)"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*broken promise|.*runtime error)' "$log" |
			head -n 5 | sed 's/^/# /'
		if [ -z "$keep" ] && [ "$crashes" -ne 0 ]; then
			mkdir -p "fuzz-crashes/$1" && cp "$dir/crashes"/* "fuzz-crashes/$1/"
			echo "# crash inputs copied to $(pwd)/fuzz-crashes/$1/"
		fi
	else
		echo "ok $n - fuzz-$1"
	fi
}
echo "1..$(echo $targets | wc -w)"
group=
for t in $targets; do
	mkdir -p "$base/$t/corpus" "$base/$t/crashes"
	rm -f "$base/$t/rc"
	cp "$corpus/$t"/* "$base/$t/corpus/" 2>/dev/null
	fuzz "$t" &
	group="$group $t"
	if [ "$(echo $group | wc -w)" -ge "$jobs" ]; then
		wait
		for g in $group; do report "$g"; done
		group=
	fi
done
wait
for g in $group; do report "$g"; done
[ "$failed" -eq 0 ]
