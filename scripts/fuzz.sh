#!/bin/sh
# Run libFuzzer targets for N seconds each on a scratch copy of their corpus
# (libFuzzer adds new inputs to the corpus directory it is given).
# Usage: scripts/fuzz.sh NAME SECONDS
#        scripts/fuzz.sh --all SECONDS NAME...   (every one, then a count line)
set -u

fuzz_one() {
	name=$1 seconds=$2
	bin=build/fuzz/fuzz_$name
	work=build/fuzz/corpus_$name
	mkdir -p "$work"
	[ -d "tests/fuzz/corpus_$name" ] && cp -n tests/fuzz/corpus_"$name"/* "$work"/ 2>/dev/null
	echo "  FUZZ $name for ${seconds}s"
	if ! "$bin" -max_total_time="$seconds" -max_len=8192 -print_final_stats=1 "$work" \
		>"build/fuzz/$name.log" 2>&1; then
		tail -n 40 "build/fuzz/$name.log"
		echo "fuzz: $name found a failure; reproducer and log in build/fuzz/" >&2
		return 1
	fi
	grep -E '^stat::number_of_executed_units' "build/fuzz/$name.log" | sed "s/^/  $name: /"
}

if [ "${1:-}" != --all ]; then
	fuzz_one "$1" "$2"
	exit
fi
seconds=$2
shift 2
passed=0 failed=0
for t in "$@"; do
	if fuzz_one "$t" "$seconds"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "fuzz: $passed passed, $failed failed, 0 skipped"
[ "$failed" = 0 ]
