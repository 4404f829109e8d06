#!/bin/sh
# demo.sh — `make demo`: a container from Debian's busybox-static, built
# and run with bockit's primitives, each step shown with its -v trace.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/bin
work=$(mktemp -d /tmp/bockit-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "a busybox rootfs from busybox-static"
sh "$top/tests/fixtures/mkrootfs.sh" "$work/rootfs"
ls "$work/rootfs"

say "nsrun: new namespaces, pivot_root, /proc /dev /sys, default caps (-v shows each step)"
# shellcheck disable=SC2016 # expanded inside the container
"$bin/nsrun" -v --container --root "$work/rootfs" --hostname demo-box -- \
	/bin/sh -c 'echo "hostname: $(hostname)"; echo "PID of this shell: $$"; ps; grep Cap /proc/self/status'
