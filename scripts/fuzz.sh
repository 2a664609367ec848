#!/bin/sh
# Run one libFuzzer target for N seconds on a scratch copy of its corpus
# (libFuzzer adds new inputs to the corpus directory it is given).
# Usage: scripts/fuzz.sh NAME SECONDS
set -eu
name=$1 seconds=$2
bin=build/fuzz/fuzz_$name
work=build/fuzz/corpus_$name
mkdir -p "$work"
[ -d "tests/fuzz/corpus_$name" ] && cp -n tests/fuzz/corpus_"$name"/* "$work"/ 2>/dev/null || true
echo "  FUZZ $name for ${seconds}s"
"$bin" -max_total_time="$seconds" -max_len=8192 -print_final_stats=1 "$work" \
	>"build/fuzz/$name.log" 2>&1 || {
	tail -n 40 "build/fuzz/$name.log"
	echo "fuzz: $name found a failure; reproducer and log in build/fuzz/" >&2
	exit 1
}
grep -E '^stat::number_of_executed_units' "build/fuzz/$name.log" | sed "s/^/  $name: /"
