# bench/lib.sh — sourced by the bench scripts: the tree's top, die(), and
# the checks every benchmark starts with. Not run on its own; `make bench`
# runs bench/*.sh, and this file only defines functions.
# shellcheck shell=sh

# shellcheck disable=SC2034 # used by the scripts that source this
top=$(cd "$(dirname "$0")/.." && pwd)

die() {
	echo "bench/${0##*/}: $*" >&2
	exit 1
}

# bench_need WHY TOOL...: root (for WHY) and every TOOL, or a clear error.
bench_need() {
	[ "$(id -u)" -eq 0 ] || die "must run as root ($1)"
	shift
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 ||
			die "$tool not found (install with: sh scripts/deps.sh bench)"
	done
}

# bench_built BINARY...: each of this tree's binaries is built.
bench_built() {
	for bin in "$@"; do
		[ -x "$bin" ] || die "$bin not found (build it with: make)"
	done
}
