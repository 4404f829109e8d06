#!/bin/sh
# conformance.sh — what `make conformance` runs against bin/ocirun:
#   1. the OCI runtime-tools validation programs, through the shared
#      ../shared/conformance/runtime-tools.sh (the suite is kept outside
#      the project), each program's result next to runc 1.1.5's baseline;
#      fails when a program runc passes here does not pass for ocirun;
#   2. tests/engines.bats in full (podman run, run -d, exec, stop, rm,
#      run -t, pause; containerd run, exec, kill, delete, pause).
# SHARED (default: the first of ../shared, ../../shared that has
# conformance/) says where the shared tree is; without it part 1 is
# skipped with a visible reason. LOG_DIR keeps the TAP logs.
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
shared=${SHARED:-}
if [ -z "$shared" ]; then
	for d in ../shared ../../shared; do
		[ -d "$d/conformance" ] && { shared=$(cd "$d" && pwd); break; }
	done
fi
status=0
if [ -n "$shared" ] && [ -f "$shared/conformance/runtime-tools.sh" ]; then
	out=${LOG_DIR:-$top/build/conformance}
	mkdir -p "$out"
	echo "conformance: runtime-tools against $top/bin/ocirun (about 90 s)"
	sh "$shared/conformance/runtime-tools.sh" "$top/bin/ocirun" "$out/tap" | tee "$out/ocirun.txt"
	base=$shared/conformance/runc-1.1.5-baseline.txt
	printf '%-34s %-6s %s\n' program ocirun runc
	while read -r name ok not skip verdict; do
		[ "$name" = TOTAL ] && continue
		runc=$(awk -v n="$name" '$1 == n { print $5 }' "$base")
		printf '%-34s %-6s %s\n' "$name" "$verdict" "${runc:--}"
		if [ "$runc" = pass ] && [ "$verdict" != pass ]; then
			echo "conformance: $name: runc passes it here, ocirun does not ($ok ok, $not not ok, $skip skipped)" >&2
			status=1
		fi
	done <"$out/ocirun.txt"
else
	echo "conformance: SKIP runtime-tools: no ../shared/conformance/runtime-tools.sh (set SHARED=DIR)"
fi
BOCKIT_CONFORMANCE=1 BOCKIT_TEST_LOG=build/test-engines-full.log sh scripts/run-tests.sh tests/engines.bats || status=1
exit "$status"
