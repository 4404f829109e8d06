#!/bin/sh
# bench/commit.sh — what bocker commit's work (imgpull --parent IMG
# dir:UPPER) costs: a 1 MB change on a 2 MB image and on a 200 MB image
# (the same cost: commit reads the change, not the image), and a 50 MB
# change. BOCKIT_BIN_BASE=DIR (another build's bin/, e.g. from before
# dir: layers were gzipped) adds the same three commits with that
# imgpull, in the same hyperfine run. Needs hyperfine, busybox-static;
# root. Cleans up after itself.
set -eu
# shellcheck disable=SC1091 # bench/lib.sh, next to this script
. "$(dirname "$0")/lib.sh"
bench_need "layers keep their owners" hyperfine
# shellcheck disable=SC2154 # top: set by lib.sh
new=${BOCKIT_BIN:-$top/bin}/imgpull
bench_built "$new"
runs=${RUNS:-10}
tmp=$(bench_tmp commit)
bench_trap bench_rm_tmp

"$top/tests/fixtures/mkrootfs.sh" "$tmp/small" >&2
cp -a "$tmp/small" "$tmp/big"
mkdir "$tmp/big/data"
for i in $(seq 100); do head -c 2M /dev/urandom >"$tmp/big/data/$i"; done
mkdir -p "$tmp/up1/etc" "$tmp/up50/data"
head -c 1M /dev/urandom >"$tmp/up1/etc/change"
for i in $(seq 25); do head -c 2M /dev/urandom >"$tmp/up50/data/$i"; done

# args IMGPULL LABEL: hyperfine's arguments, one a line, for the three
# commits with that imgpull into a store of its own that has the base
# images; each run's --prepare removes the image the last run made (one
# tree on one parent: one id).
args() {
	st=$tmp/store-$2
	small=$("$1" -q --store "$st" "dir:$tmp/small")
	big=$("$1" -q --store "$st" "dir:$tmp/big")
	for c in small:up1 big:up1 small:up50; do
		case ${c%:*} in small) parent=$small ;; *) parent=$big ;; esac
		cmd="$1 -q --store $st --parent $parent dir:$tmp/${c#*:}"
		id=$($cmd)
		printf '%s\n' -n "$2: ${c#*:} on ${c%:*}" --prepare "$1 --store $st --rm $id" "$cmd"
	done
}
all=$(args "$new" now)
[ -z "${BOCKIT_BIN_BASE:-}" ] || all="$all
$(args "$BOCKIT_BIN_BASE/imgpull" before)"
IFS='
'
# shellcheck disable=SC2086 # one argument a line, none holds a newline
set -- $all
unset IFS
hyperfine -N --warmup 2 --runs "$runs" --export-markdown "$tmp/commit.md" "$@" >&2
cat "$tmp/commit.md"
