#!/bin/sh
# demo.sh — `make demo`: a busybox image from Debian's busybox-static made
# with `bocker init`, a container that shows its hostname, processes, IP
# and cgroup limits, then `bocker ps` and `bocker logs`. No internet: the
# bridge and subnet are private to the demo and removed at the end.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
PATH=$top/bin:$top/scripts:$PATH
BOCKER_ROOT=$(mktemp -d /tmp/bockit-demo.XXXXXX)
BOCKER_BRIDGE=bkdemo0
BOCKER_SUBNET=10.99.0.1/24
BOCKER_NAT=0
export PATH BOCKER_ROOT BOCKER_BRIDGE BOCKER_SUBNET BOCKER_NAT

cleanup() {
	for d in "$BOCKER_ROOT"/containers/ps_*; do
		[ -d "$d" ] || continue
		bocker stop -t 1 "$(basename "$d")" >/dev/null 2>&1 || true
		bocker rm "$(basename "$d")" >/dev/null 2>&1 || true
	done
	bocker gc >/dev/null 2>&1 || true
	ip link del "$BOCKER_BRIDGE" 2>/dev/null || true
	rm -rf "$BOCKER_ROOT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

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
id=$(bocker ps | awk '$2 == "demo" { print $1 }')

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
