#!/bin/sh
# demo.sh — `make demo`: a busybox image from Debian's busybox-static made
# with `bocker init`, a container that shows its hostname, processes, IP
# and cgroup limits, then `bocker ps` and `bocker logs`. No internet.
# Everything it makes is named for this run (the bridge bkdemoID, a free
# 10.X.Y.0/24 from free-subnet.sh, the state dir $TMPDIR/bockit-demo.*, the
# containers' own /bocker/ps_* cgroups), so two demos on one machine do not
# clash, and removed on every way out: the end, an error, Ctrl-C (SIGINT),
# SIGTERM, SIGHUP (the terminal closed) and SIGPIPE (`make demo | head`).
# BOCKIT_DEMO_ID (up to 9 of a-z0-9) names a run; default: random.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
PATH=$top/bin:$top/scripts:$PATH
ID=${BOCKIT_DEMO_ID:-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')}
case $ID in '' | *[!a-z0-9]* | ??????????*) echo "demo: BOCKIT_DEMO_ID: a-z0-9, at most 9" >&2; exit 2 ;; esac
BOCKER_BRIDGE=bkdemo$ID
BOCKER_NAT=0
BOCKER_ROOT=
export PATH BOCKER_ROOT BOCKER_BRIDGE BOCKER_NAT

# Stop and remove what this run made; quiet (stdout may be a closed pipe)
# and not to be interrupted by a second signal.
cleanup() {
	trap '' INT TERM HUP PIPE
	[ -n "$BOCKER_ROOT" ] && [ -d "$BOCKER_ROOT" ] || return 0
	for _ in 1 2 3 4 5; do
		for d in "$BOCKER_ROOT"/containers/ps_*; do
			[ -d "$d" ] || continue
			bocker stop -t 1 "${d##*/}" || true
			bocker rm "${d##*/}" || true
		done
		bocker gc || true
		[ -z "$(ls -A "$BOCKER_ROOT/containers" "$BOCKER_ROOT/owners" 2>/dev/null)" ] && break
		sleep 0.2
	done >/dev/null 2>&1
	if [ -n "$made_bridge" ]; then
		vethup bridge --del --force "$BOCKER_BRIDGE" >/dev/null 2>&1 || true
	fi
	rm -rf "$BOCKER_ROOT"
}
made_bridge=
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

if ip link show "$BOCKER_BRIDGE" >/dev/null 2>&1; then
	echo "demo: $BOCKER_BRIDGE exists: another demo with BOCKIT_DEMO_ID=$ID?" >&2
	exit 1
fi
BOCKER_SUBNET=$(sh "$top/scripts/free-subnet.sh").1/24
export BOCKER_SUBNET
BOCKER_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/bockit-demo.XXXXXX")
made_bridge=1   # bocker run makes it; from here on, cleanup removes it
echo "demo: bridge $BOCKER_BRIDGE, subnet $BOCKER_SUBNET, state in $BOCKER_ROOT"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { step "$*"; "$@"; }

run sh "$top/tests/fixtures/mkrootfs.sh" "$BOCKER_ROOT/rootfs"

step "bocker init $BOCKER_ROOT/rootfs"
img=$(bocker init "$BOCKER_ROOT/rootfs" | sed 's/^Created: //')
echo "Created: $img"
run bocker images

# shellcheck disable=SC2016 # expanded inside the container
run bocker run --name demo --mem-limit=64 --cpu-share=256 --pids-limit=64 -d "$img" \
	'echo "hello from $(hostname)"; exec sleep 30'
id=$(bocker ps | awk 'NR > 1 && $NF == "demo" { print $1 }')

# shellcheck disable=SC2016
run bocker exec demo 'echo "hostname: $(hostname)"; ps; ip -4 -o addr show eth0'
run cgset-lite stats "/bocker/$id"
run bocker ps
run bocker logs demo

step "the chain bocker run built (one link a line; saved one word a line in pipeline):"
tr '\n' ' ' <"$BOCKER_ROOT/containers/$id/pipeline" |
	sed 's/ -- \(nsrun\|ovlmount\) / --\n    \1 /g'
echo

step "nsrun -v: each kernel step of the container's innermost link"
nsrun -v --container --root "$BOCKER_ROOT/rootfs" --hostname traced -- /bin/hostname

run bocker stop demo
run bocker rm "$id"
