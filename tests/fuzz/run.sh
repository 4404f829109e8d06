#!/bin/sh
# tests/fuzz/run.sh NAME SECONDS — run the libFuzzer target NAME (built by
# make fuzz-build) over its seed corpus tests/fuzz/corpus/NAME/, then on
# new inputs for SECONDS. New inputs go to build-fuzz/corpus/NAME (the
# seed corpus is only read); a crash to build-fuzz/crashes/NAME-*, and
# the exit status is libFuzzer's (non-zero on a finding).
set -eu
cd "$(dirname "$0")/../.."
name=$1 seconds=$2
bin=build-fuzz/fuzz/$name
[ -x "$bin" ] || { echo "run.sh: $bin not built (make fuzz-build)" >&2; exit 2; }
mkdir -p "build-fuzz/corpus/$name" build-fuzz/crashes
# libseccomp's own leaks (tests/fuzz/lsan.supp says which) are not findings
export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
exec "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
	-print_final_stats=1 -artifact_prefix="build-fuzz/crashes/$name-" \
	"build-fuzz/corpus/$name" "tests/fuzz/corpus/$name"
