#!/bin/sh
# bench/ocirun.sh — what one OCI container costs through ocirun, against
# its peers, in ONE hyperfine run per part:
#   1. create + start + wait + delete of a busybox bundle (/bin/true, no
#      terminal, read-only root, `crun spec`'s namespaces and mounts), the
#      calls an engine makes, with ocirun, runc 1.1.5 and crun 1.8.1. crun
#      refuses this hybrid cgroup layout, so it runs through bench/lib.sh's
#      recipe (a persistent mount namespace without the cgroup2 mount,
#      entered with nsenter, all timed); "nsenter true" is timed too, to
#      show crun without that wrapper. Waiting: the shell spins on kill -0
#      of the pid-file's PID (no extra program, the same for all three).
#      The container's process is reparented at create, to the nearest
#      subreaper: podman's conmon, containerd's shim; here this script
#      (re-exec'd as one), which reaps it at once, as they do. (This VM's
#      PID 1 reaps orphans every 2 s: without a subreaper that is timed.)
#   2. `podman run --rm busybox true` with --runtime ocirun and with runc
#      (a private store, containers.conf and cgroup parent; no network).
# Prints hyperfine's tables and the ratios of the medians with the
# targets: ocirun <= crun, ocirun <= runc / 2 (part 1).
# Needs root, hyperfine, runc, crun, podman, conmon, umoci, python3
# (`sh scripts/deps.sh bench`), and bin/ocirun (make). Environment: RUNS
# (default 40 per command), WARMUP (3), BENCH_OUT (keep the JSON there).
# Everything it makes is private and removed on exit.
set -eu

if [ -z "${BENCH_SUBREAPER:-}" ]; then
	BENCH_SUBREAPER=1 exec python3 -c 'import ctypes, os, sys
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
os.execvp("sh", ["sh"] + sys.argv[1:])' "$0" "$@"
fi

# shellcheck disable=SC1091 # bench/lib.sh, next to this script
. "$(dirname "$0")/lib.sh"
runs=${RUNS:-40}
warmup=${WARMUP:-3}
bench_need "namespaces, cgroups, mounts" hyperfine runc crun podman conmon umoci python3 nsenter
# shellcheck disable=SC2154 # top: set by lib.sh
ocirun=$top/bin/ocirun
bench_built "$ocirun"

tag=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
# lower case: podman names an image pulled from oci:DIR after DIR
tmp=${TMPDIR:-/tmp}/bench-ocirun-$tag
case $tmp in *[!a-z0-9/._-]*) die "temp dir '$tmp': use a lower-case TMPDIR without spaces" ;; esac
mkdir -m 700 "$tmp"
out=${BENCH_OUT:-$tmp/out}
mkdir -p "$out"
crun_id=bkoc$tag
pm="podman --root $tmp/pm/root --runroot $tmp/pm/run --tmpdir $tmp/pm/tmp"

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	set +e
	"$ocirun" --root "$tmp/ocirun" delete --force "oc$tag" >/dev/null 2>&1
	runc --root "$tmp/runc" delete --force "rc$tag" >/dev/null 2>&1
	crun_teardown "$tmp" "$crun_id"
	if [ -d "$tmp/pm" ]; then
		export CONTAINERS_CONF="$top/tests/fixtures/containers.conf"
		$pm --runtime "$ocirun" rm -af >/dev/null 2>&1
		$pm rmi -af >/dev/null 2>&1
	fi
	for c in /sys/fs/cgroup/*/bkoc"$tag"* /sys/fs/cgroup/*/bkpm"$tag"/conmon /sys/fs/cgroup/*/bkpm"$tag"; do
		[ -d "$c" ] && rmdir "$c"
	done
	grep -o " $tmp/[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- 1. the lifecycle: crun's spec, for all three ----------------------------

"$top/tests/fixtures/mkrootfs.sh" "$tmp/rootfs"
# shellcheck disable=SC2034 # set by crun_setup; this script runs crun's commands itself
crun_run=''
crun_setup "$tmp" "$tmp/rootfs" "/bkoc${tag}c" "$crun_id"
mkdir -p "$tmp/ocirun" "$tmp/runc"
for rt in oc rc; do
	cp -r "$tmp/bundle" "$tmp/bundle-$rt"
	python3 - "$tmp/bundle-$rt/config.json" "/bkoc$tag$rt" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"]["cgroupsPath"] = sys.argv[2]
json.dump(c, open(sys.argv[1], "w"))
PY
done

# The engine's calls as one script: $1 the runtime (with --root), $2 the
# bundle, $3 the id.
lifecycle() {
	cat <<SH
$1 create --bundle $2 --pid-file $tmp/$3.pid $3 && $1 start $3 || exit 1
p=\$(cat $tmp/$3.pid); while kill -0 "\$p" 2>/dev/null; do :; done
$1 delete $3
SH
}
lifecycle "$ocirun --root $tmp/ocirun" "$tmp/bundle-oc" "oc$tag" >"$tmp/ocirun.sh"
lifecycle "runc --root $tmp/runc" "$tmp/bundle-rc" "rc$tag" >"$tmp/runc.sh"
lifecycle "crun --root $tmp/crun" "$tmp/bundle" "$crun_id" >"$tmp/crun.sh"
for s in ocirun runc; do sh "$tmp/$s.sh" || die "$s: the lifecycle failed"; done
nsenter --mount="$tmp/ns/mnt" sh "$tmp/crun.sh" || die "crun: the lifecycle failed"

hyperfine -N --warmup "$warmup" --runs "$runs" --style basic --export-json "$out/lifecycle.json" \
	-n ocirun "sh $tmp/ocirun.sh" \
	-n runc "sh $tmp/runc.sh" \
	-n crun "nsenter --mount=$tmp/ns/mnt sh $tmp/crun.sh" \
	-n "nsenter true" "nsenter --mount=$tmp/ns/mnt true"

# ---- 2. podman run --rm busybox true -----------------------------------------

mkdir -p "$tmp/pm"
"$top/tests/fixtures/mkocilayout.sh" "$tmp/layout"
export CONTAINERS_CONF="$top/tests/fixtures/containers.conf"
$pm pull -q "oci:$tmp/layout:busybox" >/dev/null
$pm tag "$($pm images -q | head -n 1)" localhost/busybox
for rt in "$ocirun" /usr/sbin/runc; do
	$pm --runtime "$rt" run --rm --cgroup-parent "/bkpm$tag" localhost/busybox true ||
		die "podman with $rt failed"
done
hyperfine -N --warmup "$warmup" --runs "$runs" --style basic --export-json "$out/podman.json" \
	-n "podman+ocirun" "$pm --runtime $ocirun run --rm --cgroup-parent /bkpm$tag localhost/busybox true" \
	-n "podman+runc" "$pm --runtime /usr/sbin/runc run --rm --cgroup-parent /bkpm$tag localhost/busybox true"

echo
python3 - "$out" <<'PY'
import json, statistics, sys
out = sys.argv[1]
med, mean = {}, {}
for part in ("lifecycle", "podman"):
    for r in json.load(open("%s/%s.json" % (out, part)))["results"]:
        med[r["command"]] = statistics.median(r["times"])
        mean[r["command"]] = statistics.mean(r["times"])
for name in med:
    print("%-16s median %7.2f ms   mean %7.2f ms" % (name, med[name] * 1e3, mean[name] * 1e3))
med["crun alone"] = med["crun"] - med["nsenter true"]
print("crun without its nsenter wrapper: median %.2f ms" % (med["crun alone"] * 1e3))
print()

def ratio(label, a, b, target=None):
    r = med[a] / med[b]
    note = "" if target is None else "  (target <= %g: %s)" % (target, "met" if r <= target else "MISSED")
    print("ratio %-36s %6.3f%s" % (label, r, note))

ratio("ocirun / crun (through nsenter)", "ocirun", "crun", 1)
ratio("ocirun / crun alone", "ocirun", "crun alone", 1)
ratio("ocirun / runc", "ocirun", "runc", 0.5)
ratio("podman+ocirun / podman+runc", "podman+ocirun", "podman+runc")
PY
[ -n "${BENCH_OUT:-}" ] && echo "results: $out/lifecycle.json, $out/podman.json"
exit 0
