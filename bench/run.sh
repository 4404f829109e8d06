#!/bin/sh
# bench/run.sh — what one `bocker run IMG true` costs, against its peers, in
# ONE hyperfine run on the same busybox image (tests/fixtures/mkrootfs.sh,
# made an image with `bocker init`):
#   bocker 2MB       scripts/bocker run IMG true: veth + netns + address from
#                    the pool, cgroup with cpu.shares and a memory limit,
#                    overlay of the image's layer dirs, pid/mount/uts/ipc/net
#                    namespaces, /proc /dev /sys, hosts/resolv.conf, log,
#                    exit status; torn down (netns, veth, lease, cgroup).
#   bocker 200MB     the same on an image of two layers: the busybox one and
#                    one holding a 200 MB file of random data (written in a
#                    container, then `bocker commit`).
#   pipeline+copy    the commands the bash bocker runs per container
#                    (/work/shared/reference/bocker.sh), one `sh` script per
#                    run: ten `ip` commands, mkdir, cp -rf of the image into
#                    lower/ (as bocker does), mount -t overlay, resolv.conf,
#                    cgcreate, two cgset, cgexec … ip netns exec … unshare
#                    -fmuip --mount-proc chroot … /bin/sh -c 'mount -t proc
#                    proc /proc && true' | tee LOG, then the teardown bocker
#                    spreads over run and rm: umount, ip link del, ip netns
#                    del, cgdelete (one per controller: cgdelete 2.0.2
#                    removes only the first of a list).
#   pipeline-nocopy  the same with the layer dir itself as lowerdir (no cp).
#   crun             crun run of an OCI bundle (crun spec; /bin/true, no
#                    terminal, the same rootfs, no network) through
#                    `nsenter --mount=NS`: crun 1.8 refuses this hybrid
#                    cgroup layout, so NS is a persistent mount namespace in
#                    which /sys/fs/cgroup/unified was unmounted once, before
#                    timing.
#   crun/unshare     the recipe of reading.md, all timed: unshare -m sh -c
#                    'umount /sys/fs/cgroup/unified && exec crun run …'.
#   nsenter true, unshare-umount true: the two wrappers alone, to subtract.
# Untimed between runs (hyperfine --prepare): the previous containers are
# removed (`bocker rm` / rm -rf of the pipeline's dirs), then `sync`, for
# every command: unmounting an overlay syncs the file system its upper dir
# is on, so without it a run pays for writing back what the run before
# left dirty (the pipeline's cp and rm -rf of a 2 MB tree, 1-3 ms).
# Prints hyperfine's table, then the ratios of the medians (and of the
# means) with their targets:
#   bocker / pipeline <= 0.1, bocker / crun <= 1.5, 200MB / 2MB <= 1.1.
# Needs root, hyperfine, crun, cgroup-tools, iproute2, util-linux, python3,
# busybox-static (`make bench` runs scripts/deps.sh bench first) and the
# tools in bin/ (make). Environment: RUNS (30 per command), ROUNDS (3:
# hyperfine runs of RUNS/ROUNDS each, pooled), WARMUP (3 per round),
# BENCH_OUT (keep the JSON and markdown there; default a temp dir removed
# at the end).
# Everything it makes is private and removed on exit: BOCKER_ROOT, bridge,
# subnet, cgroups, netns, mounts, temp dirs.
set -eu

# shellcheck disable=SC1091 # bench/lib.sh, next to this script
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2154 # top: set by lib.sh
bocker=$top/scripts/bocker
runs=${RUNS:-30}
warmup=${WARMUP:-3}
rounds=${ROUNDS:-3}

bench_need "netns, cgroups, mounts" hyperfine crun cgcreate cgset cgexec cgdelete \
	ip unshare nsenter chroot mount umount mountpoint python3 tee
bench_built "$top/bin/nsrun" "$top/bin/cgset-lite" "$top/bin/ovlmount" \
	"$top/bin/vethup" "$top/bin/imgpull"
{ [ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/cpu ]; } ||
	die "the bash bocker pipeline needs cgroup v1 cpu and memory controllers"

tmp=$(bench_tmp run)

# Unique names: a random tag in every name this run makes.
tag=$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n' | cut -c1-3)
pfx=q$tag                   # pipeline: q + 3 hex + counter, veth0_… <= 15
bridge=bkr$tag
crun_id=bkcrun$tag
crun_cg=/bkcrun$tag
export BOCKER_ROOT="$tmp/root" BOCKER_BRIDGE="$bridge" BOCKER_NAT=0
ns_dir=$tmp/ns
pipe=$tmp/pipe

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	set +e
	bench_rm_containers "$BOCKER_ROOT" "$bocker"
	for d in "$BOCKER_ROOT"/images/img_*; do
		[ -d "$d" ] && "$bocker" rm "$(basename "$d")" >/dev/null
	done
	# whatever a failed pipeline run left: mounts, veths, netns, cgroups
	for d in "$pipe"/c/*; do
		mountpoint -q "$d/merged" 2>/dev/null && umount "$d/merged"
	done
	for l in $(ip -o link show 2>/dev/null | sed -n "s/^[0-9]*: \(veth0_${pfx}[0-9]*\)[@:].*/\1/p"); do
		ip link del dev "$l"
	done
	for n in /run/netns/netns_"$pfx"*; do
		[ -e "$n" ] && ip netns del "${n#/run/netns/}"
	done
	crun_teardown "$tmp" "$crun_id"
	for c in /sys/fs/cgroup/*/"$pfx"[0-9]* /sys/fs/cgroup/*/"${crun_cg#/}"; do
		[ -d "$c" ] && rmdir "$c"
	done
	ip link show "$bridge" >/dev/null 2>&1 && ip link del "$bridge"
	bench_rm_tmp
}
bench_trap cleanup
out=$(bench_out)

# ---- the images --------------------------------------------------------------

net=$(bench_subnet none) || die "no free 10.x.y.0/24 for the bridge"
export BOCKER_SUBNET="$net.1/24"
sh "$top/tests/fixtures/mkrootfs.sh" "$tmp/rootfs" || die "cannot build the busybox rootfs"
img=$("$bocker" init "$tmp/rootfs" | sed -n 's/^Created: //p')
[ -n "$img" ] || die "bocker init failed"
ctr=$("$bocker" run -d "$img" 'dd if=/dev/urandom of=/random.bin bs=1M count=200 2>/dev/null')
n=0
while [ ! -f "$BOCKER_ROOT/containers/$ctr/exit" ] && [ "$n" -lt 1200 ]; do
	sleep 0.1
	n=$((n + 1))
done
[ "$(cat "$BOCKER_ROOT/containers/$ctr/exit" 2>/dev/null)" = 0 ] ||
	die "writing the 200 MB file in $ctr failed"
img_big=$("$bocker" commit "$ctr" big | sed -n 's/^Created: //p')
[ -n "$img_big" ] || die "bocker commit failed"
"$bocker" rm "$ctr" >/dev/null
layer=$BOCKER_ROOT/layers/sha256/$(cat "$BOCKER_ROOT/images/$img/layers")
size_small=$(du -sm "$layer" | cut -f1)
size_big=0
while IFS= read -r l; do
	size_big=$((size_big + $(du -sm "$BOCKER_ROOT/layers/sha256/$l" | cut -f1)))
done <"$BOCKER_ROOT/images/$img_big/layers"
echo "images: $img ${size_small} MB (1 layer), $img_big ${size_big} MB (2 layers)"

# ---- the bash bocker's pipeline ----------------------------------------------

mkdir -p "$pipe/c"
echo 0 >"$pipe/counter"
# pipeline_script COPY(0|1): one container as bocker.sh runs it, then what
# its rm undoes. Names are unique per run through the counter file (hyperfine
# 1.15 has no {iteration}); read/echo are builtins, no process is spent.
pipeline_script() {
	cat <<EOF
set -e
read -r n <$pipe/counter
n=\$((n + 1))
echo "\$n" >$pipe/counter
u=$pfx\$n
d=$pipe/c/\$u
ip link add dev "veth0_\$u" type veth peer name "veth1_\$u"
ip link set dev "veth0_\$u" up
ip link set "veth0_\$u" master $bridge
ip netns add "netns_\$u"
ip link set "veth1_\$u" netns "netns_\$u"
ip netns exec "netns_\$u" ip link set dev lo up
ip netns exec "netns_\$u" ip link set "veth1_\$u" address 02:42:ac:11:00:fe
ip netns exec "netns_\$u" ip addr add $net.250/24 dev "veth1_\$u"
ip netns exec "netns_\$u" ip link set dev "veth1_\$u" up
ip netns exec "netns_\$u" ip route add default via $net.1
mkdir -p "\$d/lower" "\$d/upper" "\$d/work" "\$d/merged"
EOF
	if [ "$1" = 1 ]; then
		cat <<EOF
cp -rf --reflink=auto $layer/* "\$d/lower" >/dev/null
lower=\$d/lower
EOF
	else
		echo "lower=$layer"
	fi
	cat <<EOF
mount -t overlay overlay -o "lowerdir=\$lower,upperdir=\$d/upper,workdir=\$d/work" "\$d/merged"
echo 'nameserver 114.114.114.114' >"\$d/merged/etc/resolv.conf"
echo true >"\$d/\$u.cmd"
cgcreate -g "cpu,cpuacct,memory:/\$u"
cgset -r cpu.shares=512 "\$u"
cgset -r memory.limit_in_bytes=512000000 "\$u"
cgexec -g "cpu,cpuacct,memory:\$u" ip netns exec "netns_\$u" unshare -fmuip --mount-proc \\
	chroot "\$d/merged" /bin/sh -c '/bin/mount -t proc proc /proc && true' 2>&1 | tee "\$d/\$u.log"
umount "\$d/merged"
ip link del dev "veth0_\$u"
ip netns del "netns_\$u"
cgdelete -g "cpu:/\$u"
cgdelete -g "cpuacct:/\$u"
cgdelete -g "memory:/\$u"
EOF
}
pipeline_script 1 >"$pipe/copy.sh"
pipeline_script 0 >"$pipe/nocopy.sh"

# ---- crun ---------------------------------------------------------------------

crun_run='' # set by crun_setup
crun_setup "$tmp" "$tmp/rootfs" "$crun_cg" "$crun_id"

# ---- one hyperfine run -------------------------------------------------------

# Untimed, before each run: remove the previous containers, write back.
cat >"$tmp/prep-bocker.sh" <<EOF
for d in $BOCKER_ROOT/containers/ps_*; do
	[ -d "\$d" ] && $bocker rm "\${d##*/}" >/dev/null
done
sync
EOF
printf 'rm -rf %s/c/*\nsync\n' "$pipe" >"$tmp/prep-pipe.sh"

bench_check sh "$pipe/copy.sh"
bench_check sh "$pipe/nocopy.sh"
bench_check "$bocker" run "$img" true
bench_check "$bocker" run "$img_big" true
# shellcheck disable=SC2086 # split on purpose: the command's words
bench_check nsenter --mount="$ns_dir/mnt" $crun_run
bench_check unshare -m sh -c "umount /sys/fs/cgroup/unified && exec $crun_run"
sh "$tmp/prep-bocker.sh"
sh "$tmp/prep-pipe.sh"

# One row a line: NAME|PREPARE|COMMAND (no | in any of them: $tmp is checked).
cat >"$tmp/rows" <<EOF
bocker 2MB|sh $tmp/prep-bocker.sh|$bocker run $img true
bocker 200MB|sh $tmp/prep-bocker.sh|$bocker run $img_big true
pipeline+copy|sh $tmp/prep-pipe.sh|sh $pipe/copy.sh
pipeline-nocopy|sh $tmp/prep-pipe.sh|sh $pipe/nocopy.sh
crun|sync|nsenter --mount=$ns_dir/mnt $crun_run
crun/unshare|sync|unshare -m sh -c 'umount /sys/fs/cgroup/unified && exec $crun_run'
nsenter true|sync|nsenter --mount=$ns_dir/mnt true
unshare-umount true|sync|unshare -m sh -c 'umount /sys/fs/cgroup/unified && exec true'
EOF

# ROUNDS hyperfine runs of RUNS/ROUNDS each, pooled below: this VM drifts
# by 15% within a minute (the overlay's sync finds more or less dirty data,
# the kernel's netns cleanup lags).
bench_rounds "$out/run" "$tmp/rows" "$runs" "$rounds" "$warmup"

echo
# Ratios of medians: on a shared host, a few runs stalled by other work
# (the rtnl lock, cgroup or mount contention) move the means a lot.
python3 - "$out" "$rounds" <<'EOF'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
times = {}
for k in range(1, rounds + 1):
    for r in json.load(open("%s/run-%d.json" % (out, k)))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
mean = {c: statistics.mean(t) for c, t in times.items()}
med = {c: statistics.median(t) for c, t in times.items()}
json.dump({"results": [{"command": c, "times": t, "mean": mean[c], "median": med[c]}
                       for c, t in times.items()]}, open(out + "/run.json", "w"))
print("%d rounds, %d runs per command" % (rounds, len(next(iter(times.values())))))

def ratio(label, a, b, target):
    r = med[a] / med[b]
    verdict = "met" if r <= target else "MISSED"
    print("ratio %-32s %6.3f  (target <= %g: %s; of means %.3f)"
          % (label, r, target, verdict, mean[a] / mean[b]))

for name in med:
    print("%-20s median %7.1f ms   mean %7.1f ms"
          % (name, med[name] * 1e3, mean[name] * 1e3))
med["crun alone"] = med["crun"] - med["nsenter true"]
mean["crun alone"] = mean["crun"] - mean["nsenter true"]
print("crun without its nsenter wrapper: median %.1f ms" % (med["crun alone"] * 1e3))
print()
ratio("bocker 2MB / pipeline+copy", "bocker 2MB", "pipeline+copy", 0.1)
ratio("bocker 2MB / pipeline-nocopy", "bocker 2MB", "pipeline-nocopy", 0.1)
ratio("bocker 2MB / crun (nsenter)", "bocker 2MB", "crun", 1.5)
ratio("bocker 2MB / crun alone", "bocker 2MB", "crun alone", 1.5)
ratio("bocker 2MB / crun/unshare", "bocker 2MB", "crun/unshare", 1.5)
ratio("bocker 200MB / bocker 2MB", "bocker 200MB", "bocker 2MB", 1.1)
EOF
[ -n "${BENCH_OUT:-}" ] && echo "results: $out/run.json (pooled), $out/run-*.md"
exit 0
