#!/bin/sh
# run-tests.sh [SUITE.bats...] — run the bats suites (all of tests/ by
# default) with TAP output, keep the log, and end with the closing line
# "N passed, N failed, N skipped". Exits non-zero on any failure or when no
# test ran at all.
set -u
cd "$(dirname "$0")/.." || exit 1

if [ "$#" -eq 0 ]; then
	set -- tests/*.bats
fi
suite=all; [ "$#" -eq 1 ] && suite=$(basename "$1" .bats)
log=${BOCKIT_TEST_LOG:-build/test-$suite.log}
mkdir -p "$(dirname "$log")"

# bats' own exit status is not used: the TAP lines are the truth.
bats --tap "$@" 2>&1 | tee "$log"

passed=$(grep -c '^ok ' "$log" | tr -d ' ')
skipped=$(grep -c '^ok .* # skip' "$log" | tr -d ' ')
failed=$(grep -c '^not ok ' "$log" | tr -d ' ')
passed=$((passed - skipped))
planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log" | head -n 1)
ran=$((passed + skipped + failed))
if [ -n "$planned" ] && [ "$ran" -ne "$planned" ]; then
	echo "run-tests: planned $planned tests but $ran reported" >&2
	failed=$((failed + planned - ran))
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
