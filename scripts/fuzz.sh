#!/bin/sh
# Run libFuzzer targets (build/fuzz/fuzz_NAME) on a scratch copy of their
# corpus (libFuzzer adds new inputs to the corpus directory it is given,
# build/fuzz/corpus_NAME; the seeds are tests/fuzz/corpus_NAME, and the
# reproducers of past findings in tests/fuzz/regress_NAME/crash-*, which
# libFuzzer runs first, so a finding that comes back fails at once). A crash or
# sanitizer report leaves its reproducer in build/fuzz/NAME-crash-... and the
# log in build/fuzz/NAME.log.
#
# Usage:
#   scripts/fuzz.sh NAME SECONDS
#       one target for SECONDS.
#   scripts/fuzz.sh --all SECONDS NAME...
#       every target in turn for SECONDS each (make fuzz-short), then a count
#       line.
#   scripts/fuzz.sh --runs RUNS CAP NAME...
#       every target for exactly RUNS executions (make fuzz), FUZZ_JOBS
#       targets at a time (default: nproc), slowest first by the last report.
#       A target still short of RUNS after CAP seconds of wall clock fails,
#       named. Prints executions, seconds and exec/s per target, writes them
#       to build/fuzz/report.txt (with corpus sizes), then a count line.
#   scripts/fuzz.sh --runs-one NAME RUNS CAP
#       one target of --runs (what its parallel workers call); writes its
#       result line to build/fuzz/NAME.result.
set -u

OUT=build/fuzz
REPORT=$OUT/report.txt

prepare() {
	work=$OUT/corpus_$1
	mkdir -p "$work"
	[ -d "tests/fuzz/corpus_$1" ] && cp -n tests/fuzz/corpus_"$1"/* "$work"/ 2>/dev/null
	for r in tests/fuzz/regress_"$1"/crash-*; do
		[ -f "$r" ] && cp "$r" "$work/regress-$(basename "$r")"
	done
	return 0
}

# libFuzzer's own count of executed inputs in a log, 0 if none.
executions() {
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -n 1)
	echo "${n:-0}"
}

failed_log() {
	tail -n 40 "$OUT/$1.log"
	echo "fuzz: $1 found a failure; reproducer and log in $OUT/" >&2
}

fuzz_one() {
	name=$1 seconds=$2
	prepare "$name"
	echo "  FUZZ $name for ${seconds}s"
	if ! "$OUT/fuzz_$name" -max_total_time="$seconds" -max_len=8192 -print_final_stats=1 \
		-artifact_prefix="$OUT/$name-" "$OUT/corpus_$name" >"$OUT/$name.log" 2>&1; then
		failed_log "$name"
		return 1
	fi
	echo "  $name: stat::number_of_executed_units: $(executions "$OUT/$name.log")"
}

# One target of --runs. Result line: NAME STATUS EXECUTIONS SECONDS EXEC/S CORPUS,
# STATUS one of ok, crash (a finding), cap (short of RUNS at the cap).
runs_one() {
	name=$1 runs=$2 cap=$3
	prepare "$name"
	start=$(date +%s.%N)
	# libFuzzer stops at RUNS or at the cap, whichever comes first; timeout(1)
	# is the backstop for an input that hangs past the cap.
	timeout -k 10 $((cap + 60)) "$OUT/fuzz_$name" -runs="$runs" -max_total_time="$cap" \
		-max_len=8192 -print_final_stats=1 -artifact_prefix="$OUT/$name-" \
		"$OUT/corpus_$name" >"$OUT/$name.log" 2>&1
	rc=$?
	secs=$(echo "$start $(date +%s.%N)" | awk '{ printf "%.1f", $2 - $1 }')
	n=$(executions "$OUT/$name.log")
	status=ok
	if [ "$rc" != 0 ] && [ "$rc" != 124 ] && [ "$rc" != 137 ]; then
		status=crash
		failed_log "$name"
	elif [ "$n" -lt "$runs" ]; then
		status=cap
		echo "fuzz: $name hit its ${cap}s cap at $n of $runs executions" >&2
	fi
	rate=$(echo "$n $secs" | awk '{ printf "%d", ($2 > 0 ? $1 / $2 : 0) }')
	corpus=$(ls "$OUT/corpus_$name" | wc -l)
	echo "$name $status $n $secs $rate $corpus" >"$OUT/$name.result"
	printf '  %-12s %-5s %10s execs %6s s %8s exec/s  corpus %s\n' \
		"$name" "$status" "$n" "$secs" "$rate" "$corpus"
	[ "$status" = ok ]
}

# The targets, slowest first by the seconds of the last report (unknown first).
by_last_time() {
	for t in "$@"; do
		s=$(awk -v t="$t" '$1 == t { print $4 }' "$REPORT" 2>/dev/null)
		echo "${s:-999999999} $t"
	done | sort -rn | cut -d' ' -f2
}

runs_all() {
	runs=$1 cap=$2
	shift 2
	jobs=${FUZZ_JOBS:-$(nproc)}
	echo "  FUZZ $# targets, $runs executions each, $jobs at a time, cap ${cap}s each"
	for t in "$@"; do rm -f "$OUT/$t.result"; done
	by_last_time "$@" | xargs -P "$jobs" -I{} "$0" --runs-one {} "$runs" "$cap"
	passed=0 failed=0
	{
		echo "# make fuzz, $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD 2>/dev/null)," \
			"$jobs at a time on $(nproc) cores, -runs=$runs, cap ${cap}s"
		echo "# target status executions seconds exec/s corpus"
	} >"$REPORT.tmp"
	for t in "$@"; do
		if [ -s "$OUT/$t.result" ]; then
			cat "$OUT/$t.result" >>"$REPORT.tmp"
		else
			echo "$t missing 0 0 0 0" >>"$REPORT.tmp"
		fi
		if grep -q "^$t ok " "$OUT/$t.result" 2>/dev/null; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			echo "fuzz: $t FAILED ($(cut -d' ' -f2 "$OUT/$t.result" 2>/dev/null || echo missing))" >&2
		fi
	done
	mv "$REPORT.tmp" "$REPORT"
	echo "fuzz: $passed passed, $failed failed, 0 skipped"
	[ "$failed" = 0 ]
}

case "${1:-}" in
--all)
	seconds=$2
	shift 2
	passed=0 failed=0
	for t in "$@"; do
		if fuzz_one "$t" "$seconds"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
	done
	echo "fuzz: $passed passed, $failed failed, 0 skipped"
	[ "$failed" = 0 ]
	;;
--runs)
	shift
	runs_all "$@"
	;;
--runs-one)
	runs_one "$2" "$3" "$4"
	;;
*)
	fuzz_one "$1" "$2"
	;;
esac
