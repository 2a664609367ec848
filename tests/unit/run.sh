#!/bin/sh
# Run every cmocka suite (all of them, even after a failure) and close with
# one line: "unit: N passed, N failed, 0 skipped" counting test cases.
# Usage: tests/unit/run.sh SUITE...
passed=0 failed=0 broken=""
for t in "$@"; do
	echo "== $t"
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\.$/\1/p' | tail -n 1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s).*/\1/p' | tail -n 1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	# A suite that crashed (sanitizer, signal) before cmocka's closing lines.
	if [ "$rc" != 0 ] && [ -z "$f" ]; then
		failed=$((failed + 1))
		broken="$broken $t"
	fi
done
[ -z "$broken" ] || echo "unit: suites that stopped without a result:$broken"
echo "unit: $passed passed, $failed failed, 0 skipped"
[ "$failed" = 0 ]
