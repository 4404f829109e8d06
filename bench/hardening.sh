#!/bin/sh
# bench/hardening.sh — what the container hardening since BASE (00b5297)
# costs a run: the default seccomp filter (nsrun --seccomp, one
# precompiled BPF program, one seccomp(2)), the device cgroup allow-list
# (cgset-lite --device-allow default: the v1 devices controller on this
# hybrid host), nodev mounts, a private cgroup view (--mount-cgroup), no
# inherited fds (close_range) and a hidden PID 1 (non-dumpable,
# /proc/1/cmdline and environ rewritten). The issue's target: under 0.5 ms
# added to a `bocker run`. Rows, in ONE hyperfine run (pooled over ROUNDS),
# all on the same busybox rootfs (tests/fixtures/mkrootfs.sh):
#   base nsrun --container   BASE's nsrun --container --root ROOTFS true
#                            (BASE built from `git archive` in the temp dir)
#   nsrun --container        this tree's: the same and the hardening above
#   nsrun --container --seccomp unconfined
#                            this tree's without the filter: isolates it
#   nsrun -V                 this tree's nsrun printing its version
#   memfd re-exec nsrun -V   the same through a helper (C, compiled here
#                            from the heredoc below) doing runc's answer to
#                            CVE-2019-5736: copy the binary into a sealed
#                            memfd (sendfile, F_SEAL_SEAL|SHRINK|GROW|WRITE)
#                            and fexecve(2) it
#   helper execv nsrun -V    the same helper with --plain: a plain execv(2),
#                            so the helper's own start can be subtracted
#   cgset-lite exec          cgset-lite exec --rm -g
#                            cpu,cpuacct,memory,pids:/bkhTAGa -- true
#   cgset-lite exec +devices the same with the devices controller and
#                            --device-allow default (group /bkhTAGb):
#                            the device allow-list alone
#   base bocker run          BASE's scripts/bocker run IMG true (its tools
#                            in BASE's bin/), in its own BOCKER_ROOT, bridge
#                            and subnet
#   bocker run               this tree's scripts/bocker run IMG true, in
#                            another root, bridge and subnet; both bocker
#                            rows go through `env VAR=...` (the roots differ;
#                            the same cost on both)
#   crun                     crun run of an OCI bundle (crun spec; /bin/true,
#                            no terminal, the rootfs read-only, no network)
#                            through `nsenter --mount=NS`, as bench/run.sh:
#                            crun 1.8 refuses this hybrid cgroup layout, so
#                            NS is a persistent mount namespace in which
#                            /sys/fs/cgroup/unified was unmounted once
#   nsenter true             the wrapper alone, to subtract ("crun alone")
# The nsrun rows run in this shell's cgroups: --mount-cgroup mounts one
# hierarchy per group of the process's own, so in bocker's five groups it
# mounts more than here (the bocker rows include that).
# Untimed before each run (hyperfine --prepare): the bocker rows remove
# their previous containers (`bocker rm`), then every row runs `sync`.
# ROUNDS hyperfine runs of RUNS/ROUNDS each, pooled; even rounds take the
# rows in reverse order, so no row is always timed before its pair.
# Prints hyperfine's tables, then from the pooled times each row's median
# and mean, the ratios of the medians (of the means in brackets)
#   nsrun --container / base nsrun --container, bocker run / base bocker run,
#   nsrun --container / crun alone, bocker run / crun alone
# and the differences of the medians in ms, with a bootstrap 95% interval:
#   nsrun new - base, bocker new - base (the target: < 0.5 ms), the seccomp
#   filter (new - unconfined), the device list (+devices - plain), the memfd
#   re-exec (memfd - plain nsrun -V; and memfd - helper execv)
# and the verdict on the target.
# Needs root, hyperfine, crun, python3, cc, git, make, tar, util-linux
# (nsenter, unshare, mount), iproute2, busybox-static, BASE's build
# dependencies (those of this tree) and this tree's bin/ (make).
# Environment: RUNS (60 per row), ROUNDS (3), WARMUP (3 per row and round),
# BASE (the commit to compare with, 00b5297), BENCH_OUT (keep the JSON and
# markdown there; default a temp dir removed at the end).
# Everything it makes is named with a random tag and removed on exit: the
# temp dir (both trees' state), two bridges, containers' netns and veths
# (bocker rm), cgroups /bkhTAG[abc], the crun container, the mount ns.
# Nothing leaves the machine (BOCKER_NAT=0, local images only).
set -eu

# shellcheck disable=SC1091 # bench/lib.sh, next to this script
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2154 # top: set by lib.sh
bocker=$top/scripts/bocker
nsrun=$top/bin/nsrun
cgset=$top/bin/cgset-lite
runs=${RUNS:-60}
warmup=${WARMUP:-3}
rounds=${ROUNDS:-3}
base=${BASE:-00b5297}

bench_need "namespaces, cgroups, netns, mounts" hyperfine crun python3 cc git \
	make tar nsenter unshare mount umount mountpoint ip env sync od
bench_built "$nsrun" "$cgset" "$top/bin/ovlmount" "$top/bin/vethup" "$top/bin/imgpull"
[ -d /sys/fs/cgroup/devices ] ||
	die "the device list rows need the cgroup v1 devices controller (a hybrid or v1 host)"
mountpoint -q /sys/fs/cgroup/unified ||
	die "the crun recipe expects a hybrid host (cgroup2 on /sys/fs/cgroup/unified)"
git -C "$top" rev-parse --verify -q "$base^{commit}" >/dev/null ||
	die "BASE '$base' is not a commit of $top"

tmp=$(bench_tmp hardening)

# Unique names: a random tag in every name this run makes (bkh + 3 hex).
tag=$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n' | cut -c1-3)
br_base=bkh${tag}o
br_new=bkh${tag}n
cg_a=/bkh${tag}a
cg_b=/bkh${tag}b
crun_cg=/bkh${tag}c
crun_id=bkh${tag}crun
root_base=$tmp/root-base
root_new=$tmp/root-new
bocker_base=$tmp/base/scripts/bocker
ns_dir=$tmp/ns
export BOCKER_NAT=0
# set once the subnets are picked (the cleanup may run before)
env_base='' env_new=''

# bk_base/bk_new ARGS: each bocker in its own root, bridge and subnet.
bk_base() {
	BOCKER_ROOT=$root_base BOCKER_BRIDGE=$br_base BOCKER_SUBNET=$net_base.1/24 \
		"$bocker_base" "$@"
}
bk_new() {
	BOCKER_ROOT=$root_new BOCKER_BRIDGE=$br_new BOCKER_SUBNET=$net_new.1/24 \
		"$bocker" "$@"
}

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	set +e
	[ -n "$env_base" ] && [ -x "$bocker_base" ] && bench_rm_containers "$root_base" bk_base
	[ -n "$env_new" ] && bench_rm_containers "$root_new" bk_new
	crun_teardown "$tmp" "$crun_id"
	for c in /sys/fs/cgroup/*/"${cg_a#/}" /sys/fs/cgroup/*/"${cg_b#/}" \
		/sys/fs/cgroup/*/"${crun_cg#/}"; do
		[ -d "$c" ] && rmdir "$c"
	done
	for b in "$br_base" "$br_new"; do
		ip link show "$b" >/dev/null 2>&1 && ip link del "$b"
		rm -f "/run/bockit/bridge-$b.nat0"
	done
	bench_rm_tmp
}
bench_trap cleanup
out=$(bench_out)

# ---- BASE, built beside -------------------------------------------------------

mkdir -p "$tmp/base"
git -C "$top" archive "$base" | tar -x -C "$tmp/base" || die "cannot export $base"
make -C "$tmp/base" -j "$(nproc 2>/dev/null || echo 1)" all >/dev/null ||
	die "cannot build $base in $tmp/base"
bench_built "$tmp/base/bin/nsrun" "$bocker_base"
echo "base: $(git -C "$top" log -1 --format='%h %s' "$base")"
echo "new:  $(git -C "$top" log -1 --format='%h %s' HEAD)$(git -C "$top" diff --quiet HEAD -- lib tools scripts Makefile || echo ' (+ uncommitted changes)')"

# ---- the rootfs and one image per bocker --------------------------------------

net_base=$(bench_subnet none) || die "no free 10.x.y.0/24 for $br_base"
net_new=$(bench_subnet "$net_base") || die "no free 10.x.y.0/24 for $br_new"
env_base="BOCKER_ROOT=$root_base BOCKER_BRIDGE=$br_base BOCKER_SUBNET=$net_base.1/24 BOCKER_NAT=0"
env_new="BOCKER_ROOT=$root_new BOCKER_BRIDGE=$br_new BOCKER_SUBNET=$net_new.1/24 BOCKER_NAT=0"
rootfs=$tmp/rootfs
sh "$top/tests/fixtures/mkrootfs.sh" "$rootfs" || die "cannot build the busybox rootfs"
img_base=$(bk_base init "$rootfs" | sed -n 's/^Created: //p')
[ -n "$img_base" ] || die "base bocker init failed"
img_new=$(bk_new init "$rootfs" | sed -n 's/^Created: //p')
[ -n "$img_new" ] || die "bocker init failed"
echo "images: base $img_base ($br_base, $net_base.0/24), new $img_new ($br_new, $net_new.0/24)"

# ---- the memfd re-exec helper (bench only) ------------------------------------

cat >"$tmp/memfd-exec.c" <<'EOF'
/* memfd-exec [--plain] BIN [ARG...]: run BIN from a sealed memfd copy of
 * it (runc's CVE-2019-5736 defence: the running binary is not the file on
 * disk, so a container cannot write through /proc/PID/exe), or with
 * --plain through execv(2), to subtract this helper's own start. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static int fail(const char *what, const char *arg)
{
	fprintf(stderr, "memfd-exec: %s %s: %s\n", what, arg, strerror(errno));
	return 125;
}

int main(int argc, char **argv)
{
	int plain = argc > 1 && strcmp(argv[1], "--plain") == 0;
	char **args = argv + 1 + plain;
	struct stat st;
	off_t off = 0;
	int src, mfd;

	if (argc < 2 + plain) {
		fprintf(stderr, "usage: memfd-exec [--plain] BIN [ARG...]\n");
		return 2;
	}
	if (plain) {
		execv(args[0], args);
		return fail("execv", args[0]);
	}
	src = open(args[0], O_RDONLY | O_CLOEXEC);
	if (src < 0 || fstat(src, &st) < 0)
		return fail("open", args[0]);
	mfd = memfd_create("memfd-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return fail("memfd_create", "");
	while (off < st.st_size) {
		ssize_t n = sendfile(mfd, src, &off, (size_t)(st.st_size - off));
		if (n < 0)
			return fail("sendfile", args[0]);
		if (n == 0) {
			errno = EIO;
			return fail("sendfile (short)", args[0]);
		}
	}
	close(src);
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		return fail("F_ADD_SEALS", "");
	fexecve(mfd, args, environ);
	return fail("fexecve", args[0]);
}
EOF
cc -O2 -Wall -Wextra -Werror -o "$tmp/memfd-exec" "$tmp/memfd-exec.c" ||
	die "cannot compile the memfd helper"

# ---- crun (bench/run.sh's recipe) ---------------------------------------------

crun_run='' # set by crun_setup
crun_setup "$tmp" "$rootfs" "$crun_cg" "$crun_id"

# ---- the rows ----------------------------------------------------------------

# Untimed, before each bocker run: remove the previous containers, write back.
for which in base new; do
	if [ "$which" = base ]; then e=$env_base b=$bocker_base r=$root_base; else e=$env_new b=$bocker r=$root_new; fi
	cat >"$tmp/prep-$which.sh" <<EOF
for d in $r/containers/ps_*; do
	[ -d "\$d" ] && env $e $b rm "\${d##*/}" >/dev/null
done
sync
EOF
done

# One row a line: NAME|PREPARE|COMMAND (no | in any of them: $tmp is checked).
cat >"$tmp/rows" <<EOF
base nsrun --container|sync|$tmp/base/bin/nsrun --container --root $rootfs true
nsrun --container|sync|$nsrun --container --root $rootfs true
nsrun --container --seccomp unconfined|sync|$nsrun --container --seccomp unconfined --root $rootfs true
nsrun -V|sync|$nsrun -V
memfd re-exec nsrun -V|sync|$tmp/memfd-exec $nsrun -V
helper execv nsrun -V|sync|$tmp/memfd-exec --plain $nsrun -V
cgset-lite exec|sync|$cgset exec --rm -g cpu,cpuacct,memory,pids:$cg_a -- true
cgset-lite exec +devices|sync|$cgset exec --rm -g cpu,cpuacct,memory,pids,devices:$cg_b --device-allow default -- true
base bocker run|sh $tmp/prep-base.sh|env $env_base $bocker_base run $img_base true
bocker run|sh $tmp/prep-new.sh|env $env_new $bocker run $img_new true
crun|sync|nsenter --mount=$ns_dir/mnt $crun_run
nsenter true|sync|nsenter --mount=$ns_dir/mnt true
EOF

while IFS='|' read -r _ _ cmd; do
	# shellcheck disable=SC2086 # split on purpose: the command's words
	bench_check $cmd
done <"$tmp/rows"
sh "$tmp/prep-base.sh"
sh "$tmp/prep-new.sh"

# ROUNDS hyperfine runs of RUNS/ROUNDS each, pooled below, alternating the
# order of the rows.
bench_rounds "$out/hardening" "$tmp/rows" "$runs" "$rounds" "$warmup" alternate

echo
# Medians: on a shared host, a few runs stalled by other work (the rtnl
# lock, cgroup or mount contention) move the means a lot.
python3 - "$out" "$rounds" <<'EOF'
import json, random, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
times, per_round = {}, {}
for k in range(1, rounds + 1):
    for r in json.load(open("%s/hardening-%d.json" % (out, k)))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
        per_round.setdefault(r["command"], []).append(statistics.median(r["times"]))
mean = {c: statistics.mean(t) for c, t in times.items()}
med = {c: statistics.median(t) for c, t in times.items()}
json.dump({"results": [{"command": c, "times": t, "mean": mean[c], "median": med[c]}
                       for c, t in times.items()]}, open(out + "/hardening.json", "w"))
print("%d rounds, %d runs per row (pooled)" % (rounds, len(next(iter(times.values())))))
for name in med:
    print("%-40s median %7.2f ms   mean %7.2f ms"
          % (name, med[name] * 1e3, mean[name] * 1e3))
med["crun alone"] = med["crun"] - med["nsenter true"]
mean["crun alone"] = mean["crun"] - mean["nsenter true"]
print("%-40s median %7.2f ms   mean %7.2f ms  (crun - nsenter true)"
      % ("crun alone", med["crun alone"] * 1e3, mean["crun alone"] * 1e3))

print()
def ratio(a, b):
    print("ratio %-44s %6.3f  (of means %.3f)"
          % ("%s / %s" % (a, b), med[a] / med[b], mean[a] / mean[b]))
ratio("nsrun --container", "base nsrun --container")
ratio("bocker run", "base bocker run")
ratio("nsrun --container", "crun alone")
ratio("bocker run", "crun alone")

# The difference of the medians, and a bootstrap 95% interval of it
# (each row's pooled times resampled on their own).
rng = random.Random(5736)
def diff(label, a, b):
    d = (med[a] - med[b]) * 1e3
    ta, tb = times[a], times[b]
    boot = sorted(statistics.median(rng.choices(ta, k=len(ta))) -
                  statistics.median(rng.choices(tb, k=len(tb))) for _ in range(2000))
    lo, hi = boot[50] * 1e3, boot[1949] * 1e3
    rounds_d = " ".join("%+.2f" % ((x - y) * 1e3) for x, y in zip(per_round[a], per_round[b]))
    print("%-30s %+7.3f ms  [95%% %+.3f, %+.3f]  mean %+7.3f  rounds %s"
          % (label, d, lo, hi, (mean[a] - mean[b]) * 1e3, rounds_d))
    return d, hi

print()
print("differences of the medians (new - old), ms:")
diff("nsrun new - base", "nsrun --container", "base nsrun --container")
bd, bhi = diff("bocker new - base", "bocker run", "base bocker run")
diff("seccomp filter", "nsrun --container", "nsrun --container --seccomp unconfined")
diff("nsrun hardening w/o seccomp", "nsrun --container --seccomp unconfined",
     "base nsrun --container")
diff("device list (cgset-lite)", "cgset-lite exec +devices", "cgset-lite exec")
diff("memfd re-exec - plain", "memfd re-exec nsrun -V", "nsrun -V")
diff("memfd re-exec - helper execv", "memfd re-exec nsrun -V", "helper execv nsrun -V")
print()
target = 0.5
if bd < target:
    sure = ("its 95% interval is below too" if bhi < target
            else "but its 95%% interval reaches %+.3f ms" % bhi)
    print("target: bocker run adds %.3f ms to a run (< %.1f ms): met (%s)" % (bd, target, sure))
else:
    print("target: bocker run adds %.3f ms to a run (< %.1f ms): MISSED" % (bd, target))
EOF
[ -n "${BENCH_OUT:-}" ] && echo "results: $out/hardening.json (pooled), $out/hardening-*.md"
exit 0
