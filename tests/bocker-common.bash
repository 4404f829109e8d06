# bocker-common.bash — shared by bocker.bats and e2e.bats: a private
# bridge and subnet per suite (no NAT), a busybox image per test, and a
# teardown that releases every container's kernel objects.

load helpers

bocker_setup_file() {
	BOCKER_BRIDGE=$(bk_name bkbr)
	BOCKER_SUBNET="10.$((RANDOM % 200 + 20)).$((RANDOM % 250)).1/24"
	BOCKER_NAT=0
	export BOCKER_BRIDGE BOCKER_SUBNET BOCKER_NAT
}

bocker_teardown_file() {
	vethup bridge --del --force "$BOCKER_BRIDGE" >/dev/null 2>&1 ||
		ip link del "$BOCKER_BRIDGE" 2>/dev/null || true
	rm -f "/run/bockit/bridges/$BOCKER_BRIDGE"
}

bocker_setup() {
	bk_setup
	ROOTFS=$(bk_rootfs)
	IMG=$(bocker init "$ROOTFS" | sed -n 's/^Created: //p')
	[ -n "$IMG" ]
}

# Kill whatever still runs, then let gc release the kernel objects.
bocker_teardown() {
	for d in "$BOCKER_ROOT"/containers/ps_*; do
		[ -d "$d" ] || continue
		for f in "$BOCKER_ROOT/owners/${d##*/}" "$d/pid"; do
			[ -s "$f" ] && kill -9 "$(cut -d' ' -f1 "$f")" 2>/dev/null
		done
	done
	sleep 0.1
	bocker gc >/dev/null 2>&1 || true
	local leaks=0
	for d in "$BOCKER_ROOT"/containers/ps_*; do
		[ -d "$d" ] || continue
		assert_released "$(basename "$d")" || leaks=1
	done
	bk_teardown
	[ "$leaks" -eq 0 ]   # a leak fails the test that made it
}

# The kernel objects of container $1 that must be gone after rm / gc.
assert_released() {
	local c=$1
	[ ! -e "/run/netns/netns_$c" ] || { echo "netns of $c left"; return 1; }
	# the kernel deletes the veth of a deleted netns in the background
	local i
	for i in $(seq 40); do
		ip link show "bk${c#ps_}" >/dev/null 2>&1 || break
		sleep 0.05
	done
	! ip link show "bk${c#ps_}" >/dev/null 2>&1 || { echo "veth of $c left"; return 1; }
	# v1 (/sys/fs/cgroup/CTRL/bocker/ID), v2, or hybrid's unified tree
	local left
	left=$(find /sys/fs/cgroup -maxdepth 3 -type d -path "*/bocker/$c" 2>/dev/null)
	[ -z "$left" ] || { echo "cgroup of $c left: $left"; return 1; }
	! grep -rqs "$c" "$BOCKER_ROOT/leases" || { echo "lease of $c left"; return 1; }
	! grep -q "$c" /proc/self/mountinfo || { echo "mount of $c left"; return 1; }
}

# wait_first_container: the id of the only container of this root, once
# its PID 1 runs (empty after 5 s).
wait_first_container() {
	local c
	for _ in $(seq 100); do
		c=$(ls "$BOCKER_ROOT/containers" 2>/dev/null || true)
		[ -n "$c" ] && [ -s "$BOCKER_ROOT/containers/$c/pid" ] && break
		sleep 0.05
	done
	echo "$c"
}

# wait_running ID: until ps shows it running (a -d container is set up).
wait_running() {
	local i
	for i in $(seq 100); do
		bocker ps | grep -q "^$1.*running" && return 0
		sleep 0.05
	done
	echo "$1 never ran"
	return 1
}

ctr_ip() {
	cut -d/ -f1 "$BOCKER_ROOT/containers/$1/ip"
}

# fault_bocker LINK WHEN ARGS SIGNAL: a copy of bocker whose LINK (vethup,
# cgset-lite, ...) is killed with SIGNAL when its arguments start with ARGS:
# WHEN=before it runs, or after it did its work and before it returns, as
# if killed at that moment. Prints the copy's path.
fault_bocker() {
	local dir=$BOCKER_ROOT/fault t
	mkdir -p "$dir/bin" "$dir/scripts"
	cp "$BOCKIT_TOP/scripts/bocker" "$dir/scripts/bocker"
	for t in nsrun cgset-lite ovlmount vethup imgpull; do
		ln -sf "$BOCKIT_BIN/$t" "$dir/bin/$t"
	done
	rm "$dir/bin/$1"
	if [ "$2" = before ]; then
		printf '#!/bin/sh
case "$*" in "%s"*) kill -%s $$ ;; esac
exec "%s" "$@"
' \
			"$3" "$4" "$BOCKIT_BIN/$1" >"$dir/bin/$1"
	else
		printf '#!/bin/sh
"%s" "$@"
rc=$?
case "$*" in "%s"*) kill -%s $$ ;; esac
exit $rc
' \
			"$BOCKIT_BIN/$1" "$3" "$4" >"$dir/bin/$1"
	fi
	chmod +x "$dir/bin/$1"
	echo "$dir/scripts/bocker"
}

# with_sigint CMD...: CMD with SIGINT at its default action (a background
# job of a non-interactive shell starts with it ignored, and sh cannot
# trap a signal ignored on entry).
with_sigint() {
	exec python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}

# no_leftovers: no netns, veth, cgroup, lease or mount of any container of
# this BOCKER_ROOT, live or gone (netns names are netns_ps_*).
no_leftovers() {
	local d c
	for d in "$BOCKER_ROOT"/containers/ps_* "$BOCKER_ROOT"/owners/ps_*; do
		[ -e "$d" ] || continue
		c=${d##*/}
		assert_released "$c" || return 1
	done
	! grep -rqs . "$BOCKER_ROOT/leases" 2>/dev/null || { echo "leases left:"; ls -R "$BOCKER_ROOT/leases"; return 1; }
}
