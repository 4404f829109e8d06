#!/bin/sh
# bench/nsrun.sh — how fast nsrun starts a process in namespaces, against its
# peers, with hyperfine (one run per comparison so the numbers share a
# machine state):
#   (a) nsrun -fmuip --mount-proc   vs  unshare -fmuip --mount-proc
#   (b) nsrun --root a busybox dir  vs  bwrap --unshare-all with that root
# Prints hyperfine's tables, then one line per nsrun variant:
#   ratio NAME / PEER = X.XXX   (nsrun mean / peer mean; < 1 means faster)
# Needs root, hyperfine and bwrap (`make bench` installs them through
# scripts/deps.sh bench); installs nothing itself. Environment: NSRUN (the
# binary, default bin/nsrun of this tree), RUNS (default 200), BENCH_OUT (a
# directory to keep the JSON and markdown exports; default: a temp dir that
# is removed at the end).
set -eu

# shellcheck disable=SC1091 # bench/lib.sh, next to this script
. "$(dirname "$0")/lib.sh"
nsrun=${NSRUN:-$top/bin/nsrun}
runs=${RUNS:-200}

bench_need "namespaces, mounts, pivot_root" hyperfine bwrap unshare python3
bench_built "$nsrun"

tmp=$(bench_tmp nsrun)
bench_trap bench_rm_tmp
out=$(bench_out)

rootfs=$tmp/rootfs
sh "$top/tests/fixtures/mkrootfs.sh" "$rootfs" || die "cannot build the busybox rootfs"

# bench NAME -n LABEL CMD [-n LABEL CMD...]: one hyperfine run.
bench() {
	name=$1
	shift
	hyperfine -N --warmup 10 --runs "$runs" --style basic \
		--export-json "$out/nsrun-$name.json" \
		--export-markdown "$out/nsrun-$name.md" "$@"
}

# ratio NAME PEER: mean of each nsrun command / mean of PEER, from the JSON.
ratio() {
	python3 - "$out/nsrun-$1.json" "$2" <<'EOF'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
mean = {r["command"]: r["mean"] for r in results}
peer = sys.argv[2]
for name, m in mean.items():
    if name != peer:
        print("ratio %s / %s = %.3f  (%.2f ms / %.2f ms)"
              % (name, peer, m / mean[peer], m * 1e3, mean[peer] * 1e3))
EOF
}

# (a) The same namespaces and a new /proc. Difference: with -p nsrun keeps
# a supervisor outside and runs its mini-init as PID 1, which forks `true`
# (two forks), while unshare -f forks once and `true` itself is PID 1;
# `nsrun --no-init` is the like-for-like variant.
bench_check "$nsrun" -fmuip --mount-proc true
bench_check "$nsrun" -fmuip --mount-proc --no-init true
bench_check unshare -fmuip --mount-proc true
bench unshare \
	-n "nsrun -fmuip --mount-proc" "$nsrun -fmuip --mount-proc true" \
	-n "nsrun -fmuip --mount-proc --no-init" "$nsrun -fmuip --mount-proc --no-init true" \
	-n "unshare -fmuip --mount-proc" "unshare -fmuip --mount-proc true"

# (b) A container in the busybox root. bwrap --unshare-all, as root, makes
# user (uid/gid 0 mapped to 0), mount, pid, ipc, uts, net and cgroup
# namespaces, brings lo up in the new netns, binds the root, mounts a new
# /proc (with /proc/sys and a few others read-only) and a /dev like
# --mount-dev (tmpfs, device node binds, devpts, shm), keeps its own reaper
# as PID 1, sets no_new_privs and keeps root's capabilities.
# nsrun --container does the same mount, pid, ipc, uts, /proc and /dev work
# with pivot_root, and more: a read-only /sys, the runc /proc masks and
# read-only paths, Docker's capability set; but no user, net or cgroup
# namespace. "-n -C" adds the net and cgroup namespaces (not lo up);
# "-U --map-root-user" the user namespace (only when this nsrun can do that
# as root). nsrun -mpui --mount-proc --root is the bare minimum: no /dev, no
# /sys, no masks, capabilities and no_new_privs untouched.
root_args="--root $rootfs -- /bin/true"
set -- \
	-n "nsrun --container" "$nsrun --container $root_args" \
	-n "nsrun -mpui --mount-proc" "$nsrun -mpui --mount-proc $root_args" \
	-n "nsrun -n -C --container" "$nsrun -n -C --container $root_args"
if "$nsrun" -U --map-root-user -n -C --container --root "$rootfs" -- /bin/true 2>/dev/null; then
	set -- "$@" -n "nsrun -U --map-root-user -n -C --container" \
		"$nsrun -U --map-root-user -n -C --container $root_args"
else
	echo "bench/nsrun.sh: skipping the -U variant: nsrun -U --map-root-user fails as root" >&2
fi
bench_check "$nsrun" --container --root "$rootfs" -- /bin/true
bench_check "$nsrun" -mpui --mount-proc --root "$rootfs" -- /bin/true
bench_check "$nsrun" -n -C --container --root "$rootfs" -- /bin/true
bwrap_cmd="bwrap --unshare-all --bind $rootfs / --proc /proc --dev /dev -- /bin/true"
# shellcheck disable=SC2086  # split on purpose: the command's words
bench_check $bwrap_cmd
bench bwrap "$@" -n "bwrap --unshare-all" "$bwrap_cmd"

echo
ratio unshare "unshare -fmuip --mount-proc"
ratio bwrap "bwrap --unshare-all"
[ -n "${BENCH_OUT:-}" ] && echo "results: $out/nsrun-unshare.{json,md} $out/nsrun-bwrap.{json,md}"
exit 0
