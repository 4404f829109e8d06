#!/bin/sh
# bench/ovlmount.sh — what an overlay mount and unmount cost with ovlmount
# against mount(8)/umount(8), in ONE hyperfine run so the numbers share a
# machine state:
#   1 layer  : ovlmount, ovlmount -U   vs  mount -t overlay, umount
#   45 layers: the same (relative layer paths, so mount(8)'s one-page
#              option string fits: both make one classic mount(2))
#   45 layers with absolute paths (over a page: ovlmount's new-API path;
#              mount(8) of libmount 2.38 cannot mount it at all)
#   128 layers: ovlmount (new mount API)
# Mount and unmount are timed as separate commands (hyperfine 1.15 has no
# --conclude); the untimed --prepare of each undoes or makes the mount.
# Prints hyperfine's table, then ratios of medians (ovlmount / peer; < 1
# means ovlmount is faster) for mount, umount and mount+umount.
# Needs root and hyperfine (`sh scripts/deps.sh bench`). Everything runs in
# a private mount namespace and a temp dir, both gone at the end.
# Environment: OVLMOUNT (default bin/ovlmount of this tree), RUNS (default
# 300), BENCH_OUT (keep the exports there; default: in the temp dir).
set -eu

# shellcheck disable=SC1091 # bench/lib.sh, next to this script
. "$(dirname "$0")/lib.sh"
ovl=${OVLMOUNT:-$top/bin/ovlmount}
runs=${RUNS:-300}

bench_need "mounts" hyperfine unshare mount umount sha256sum
bench_built "$ovl"

# Run the rest in a private mount namespace: no mount can outlive it.
if [ -z "${BK_BENCH_PRIVATE:-}" ]; then
	BK_BENCH_PRIVATE=1 exec unshare -m --propagation private sh "$0" "$@"
fi

tmp=$(bench_tmp ovlmount)
# Unmount first: rm -rf through a live overlay would write whiteouts.
cleanup() {
	cd /
	awk -v d="$tmp/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r m; do umount -l "$m"; done
	bench_rm_tmp
}
bench_trap cleanup
out=$(bench_out)
cd "$tmp"

# layers N — N layers layers/sha256/<64 hex>, relative to $tmp, top first.
layers() {
	list=
	i=1
	while [ "$i" -le "$1" ]; do
		hex=$(printf 'bench-layer-%s' "$i" | sha256sum | cut -c1-64)
		mkdir -p "layers/sha256/$hex/etc"
		echo "$i" >"layers/sha256/$hex/etc/layer$i"
		list=${list:+$list:}layers/sha256/$hex
		i=$((i + 1))
	done
	echo "$list"
}

# absolute LIST — the same list with $tmp/ in front of each path.
absolute() {
	echo "$1" | sed "s|^|$tmp/|; s|:|:$tmp/|g"
}

# box NAME — fresh upper/work/merged dirs for one command.
box() {
	mkdir -p "$1/u" "$1/w" "$1/m"
}

l1=$(layers 1)
l45=$(layers 45)
l128=$(layers 128)
a45=$(absolute "$l45")
a128=$(absolute "$l128")
for b in o1 m1 o45 m45 a45 a128; do box "$b"; done

# Every command must work once before it is timed.
bench_check "$ovl" -l "$l1" -u o1/u -w o1/w o1/m && bench_check "$ovl" -U o1/m
bench_check mount -t overlay overlay -o "lowerdir=$l45,upperdir=m45/u,workdir=m45/w" m45/m
bench_check umount m45/m
bench_check "$ovl" -v -l "$a128" -u a128/u -w a128/w a128/m
grep -q 'lowerdir+' "$tmp/check.out" || die "128 layers did not take the new mount API"
bench_check "$ovl" -U a128/m

undo() { echo "sh -c 'umount $1 2>/dev/null; exit 0'"; }

# For 1 and 45 layers, four rows: ovlmount's and mount(8)'s mount (its
# --prepare unmounts) and unmount (its --prepare mounts).
set --
for n in 1 45; do
	if [ "$n" = 1 ]; then l=$l1; else l=$l45; fi
	om="$ovl -l $l -u o$n/u -w o$n/w o$n/m"
	mm="mount -t overlay overlay -o lowerdir=$l,upperdir=m$n/u,workdir=m$n/w m$n/m"
	set -- "$@" \
		-n "ovlmount-$n" --prepare "$(undo "o$n/m")" "$om" \
		-n "mount8-$n" --prepare "$(undo "m$n/m")" "$mm" \
		-n "ovlmount-U-$n" --prepare "$om" "$ovl -U o$n/m" \
		-n "umount8-$n" --prepare "$mm" "umount m$n/m"
done

hyperfine -N --warmup 5 --runs "$runs" \
	--export-markdown "$out/ovlmount.md" --export-csv "$out/ovlmount.csv" "$@" \
	-n ovlmount-45-abs-newapi --prepare "$(undo a45/m)" "$ovl -l $a45 -u a45/u -w a45/w a45/m" \
	-n ovlmount-128-newapi --prepare "$(undo a128/m)" "$ovl -l $a128 -u a128/u -w a128/w a128/m"

# CSV: command,mean,stddev,median,user,system,min,max
median() {
	awk -F, -v n="$1" '$1 == n { print $4 }' "$out/ovlmount.csv"
}
ratio() {
	awk -v a="$2" -v b="$3" -v what="$1" \
		'BEGIN { printf "ratio %-34s = %.3f  (%.2f ms vs %.2f ms)\n", what, a / b, a * 1000, b * 1000 }'
}
echo
for n in 1 45; do
	om=$(median "ovlmount-$n") mm=$(median "mount8-$n")
	ou=$(median "ovlmount-U-$n") mu=$(median "umount8-$n")
	ratio "ovlmount / mount(8), $n layer(s)" "$om" "$mm"
	ratio "ovlmount -U / umount(8), $n layer(s)" "$ou" "$mu"
	ratio "mount+umount, $n layer(s)" "$(echo "$om $ou" | awk '{ print $1 + $2 }')" \
		"$(echo "$mm $mu" | awk '{ print $1 + $2 }')"
done
ratio "new API 45 abs / mount(8) 45 rel" "$(median ovlmount-45-abs-newapi)" "$(median mount8-45)"
awk -v t="$(median ovlmount-128-newapi)" \
	'BEGIN { printf "128-layer mount (new API): %.2f ms median\n", t * 1000 }'
[ -z "${BENCH_OUT:-}" ] || echo "exports: $out/ovlmount.md $out/ovlmount.csv"
