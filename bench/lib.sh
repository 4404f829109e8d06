# bench/lib.sh — sourced by the bench scripts: the tree's top, die(), the
# checks every benchmark starts with, its temp dir and exit traps, pooled
# hyperfine rounds, and the setups more than one benchmark makes (a free
# subnet, a local registry, a crun bundle). Not run on its own; `make
# bench` runs bench/*.sh, and this file only defines functions.
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
	for _tool in "$@"; do
		command -v "$_tool" >/dev/null 2>&1 ||
			die "$_tool not found (install with: sh scripts/deps.sh bench)"
	done
}

# bench_built BINARY...: each of this tree's binaries is built.
bench_built() {
	for _bin in "$@"; do
		[ -x "$_bin" ] || die "$_bin not found (build it with: make)"
	done
}

# bench_tmp NAME: make and print a new dir TMPDIR/bench-NAME.XXXXXX (the
# scripts' $tmp); refused (and removed) if its path would not stay one
# word in a hyperfine command.
bench_tmp() {
	_tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-$1.XXXXXX") || die "cannot make a temp dir"
	case $_tmp in *[!A-Za-z0-9/._-]*)
		rmdir "$_tmp"
		die "temp dir '$_tmp': use a TMPDIR without spaces" ;;
	esac
	echo "$_tmp"
}

# bench_trap CMD: run CMD at exit; INT and TERM exit 130 and 143 through it.
bench_trap() {
	# shellcheck disable=SC2064 # CMD is the caller's, set now on purpose
	trap "$1" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# bench_out: make and print the dir the JSON and markdown go to (the
# scripts' $out): BENCH_OUT, or $tmp/out, gone with $tmp.
bench_out() {
	mkdir -p "${BENCH_OUT:-$tmp/out}" && echo "${BENCH_OUT:-$tmp/out}"
}

# bench_rm_tmp: remove $tmp, unless a mount is left under it (rm -rf would
# go into it): then say so and keep it.
bench_rm_tmp() {
	if grep -q " $tmp/" /proc/self/mountinfo; then
		echo "bench/${0##*/}: mounts left under $tmp, not removing it" >&2
	else
		rm -rf "$tmp"
	fi
}

# bench_check CMD...: CMD succeeds once, or die with the last line of its
# output (kept in $tmp/check.out). Run before timing a command: hyperfine
# would otherwise report the speed of an error message.
bench_check() {
	"$@" >"$tmp/check.out" 2>&1 ||
		die "does not run: $* ($(tail -n 1 "$tmp/check.out"))"
}

# bench_subnet EXCEPT: prints a /24 as its first three numbers (10.x.y),
# one that no address or route of this host overlaps (scripts/free-subnet.sh
# picks it) and that is not EXCEPT (none: any).
bench_subnet() {
	for _ in 1 2 3 4; do
		_net=$(sh "$top/scripts/free-subnet.sh" 2>/dev/null) || return 1
		[ "$_net" = "$1" ] || { echo "$_net"; return 0; }
	done
	return 1
}

# bench_rounds PREFIX ROWS RUNS ROUNDS WARMUP [alternate]: ROUNDS hyperfine
# runs of RUNS/ROUNDS each (after WARMUP), of the commands in the file ROWS
# (one NAME|PREPARE|COMMAND a line), exported to PREFIX-ROUND.json and .md;
# with "alternate", even rounds take the rows in reverse order. Rounds
# spread every command over the whole time: hyperfine times one command
# after the other, and this VM drifts within a minute.
bench_rounds() {
	_prefix=$1 _rows=$2 _rounds=$4 _warmup=$5 _alternate=${6:-}
	_per_round=$((($3 + _rounds - 1) / _rounds))
	sed '1!G;h;$!d' "$_rows" >"$_rows.reversed"
	_round=0
	while [ "$_round" -lt "$_rounds" ]; do
		_round=$((_round + 1))
		_file=$_rows
		[ "$_alternate" = alternate ] && [ $((_round % 2)) -eq 0 ] && _file=$_rows.reversed
		set --
		while IFS='|' read -r _name _prep _cmd; do
			set -- "$@" -p "$_prep" -n "$_name" "$_cmd"
		done <"$_file"
		hyperfine -N --warmup "$_warmup" --runs "$_per_round" --style basic \
			--export-json "$_prefix-$_round.json" \
			--export-markdown "$_prefix-$_round.md" "$@"
	done
}

# bench_rm_containers ROOT CMD...: stop and remove every container of the
# bocker root ROOT, with CMD (that root's bocker). Not `bocker gc`: it
# also releases the netns of other roots' containers.
bench_rm_containers() {
	_root=$1
	shift
	for _d in "$_root"/containers/ps_*; do
		[ -d "$_d" ] || continue
		"$@" stop -t 1 "${_d##*/}" >/dev/null 2>&1
		"$@" rm "${_d##*/}" >/dev/null
	done
}

# bench_registry: in $tmp, the fixtures' busybox rootfs, an OCI layout
# $tmp/oci (tag bench) of three layers of 16 MB of random data on it, and
# a docker-registry on loopback storing in $tmp/reg; prints its HOST:PORT.
# bench_registry_cleanup stops the registry and removes $tmp.
bench_registry() {
	"$top/tests/fixtures/mkrootfs.sh" "$tmp/rootfs" >&2 &&
		"$top/tests/fixtures/imgpull-mkimage.sh" random "$tmp/oci" bench "$tmp/rootfs" 3 >&2 &&
		mkdir "$tmp/reg" &&
		_port=$("$top/tests/fixtures/imgpull-registry.sh" start "$tmp/reg") &&
		echo "127.0.0.1:$_port"
}

bench_registry_cleanup() {
	"$top/tests/fixtures/imgpull-registry.sh" stop "$tmp/reg" 2>/dev/null || true
	bench_rm_tmp
}

# crun_setup DIR ROOTFS CGROUP ID: an OCI bundle in DIR/bundle running
# /bin/true in ROOTFS (read-only, no terminal, cgroupsPath CGROUP), crun's
# state in DIR/crun, and a mount namespace bound on DIR/ns/mnt that
# outlives its processes, without the cgroup2 mount crun 1.8 refuses on
# this hybrid host. Sets crun_run (the command, to run through
# `nsenter --mount=DIR/ns/mnt`). crun_teardown DIR ID undoes it.
crun_setup() {
	mkdir -p "$1/bundle" "$1/crun" "$1/ns"
	(cd "$1/bundle" && crun spec) || die "crun spec failed"
	python3 - "$1/bundle/config.json" "$2" "$3" <<'EOF' || die "cannot edit config.json"
import json, sys
path, rootfs, cgroup = sys.argv[1:4]
with open(path) as f:
    config = json.load(f)
config["process"]["args"] = ["/bin/true"]
config["process"]["terminal"] = False
config["root"] = {"path": rootfs, "readonly": True}
config["linux"]["cgroupsPath"] = cgroup
with open(path, "w") as f:
    json.dump(config, f, indent=1)
EOF
	mount --bind "$1/ns" "$1/ns"
	mount --make-private "$1/ns"
	: >"$1/ns/mnt"
	unshare --mount="$1/ns/mnt" umount /sys/fs/cgroup/unified ||
		die "cannot make the mount namespace for crun"
	# shellcheck disable=SC2034 # used by the scripts that source this
	crun_run="crun --root $1/crun run --bundle $1/bundle $4"
}

crun_teardown() {
	crun --root "$1/crun" delete -f "$2" >/dev/null 2>&1
	mountpoint -q "$1/ns" 2>/dev/null && { umount "$1/ns/mnt" 2>/dev/null; umount "$1/ns"; }
	return 0
}
