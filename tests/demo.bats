#!/usr/bin/env bats
# demo: `make demo` names what it makes for its run (bridge, subnet, state
# dir; the containers' cgroups are bocker's own), so two demos on one
# machine do not clash, and leaves nothing on any way out: its end,
# SIGPIPE (`make demo | head`), and SIGINT or SIGHUP to its process group
# (Ctrl-C, the terminal closed) at a random moment. And free-subnet.sh,
# which picks the subnet.

load helpers

setup() {
	bk_setup
	ID=$(bk_name d)   # the demo's bridge is bkdemo$ID
	export BOCKIT_DEMO_ID=$ID TMPDIR=$BOCKER_ROOT
	SID=
}

teardown() {
	local id
	[ -z "$SID" ] || kill -9 -- "-$SID" 2>/dev/null || true
	for id in $(sort -u "$BOCKER_ROOT/ids" 2>/dev/null); do
		vethup del --force --netns "netns_$id" >/dev/null 2>&1 || true
		cgset-lite delete --kill -f -g "cpu,cpuacct,memory,pids,devices:/bocker/$id" >/dev/null 2>&1 || true
	done
	ip link del "bkdemo$ID" 2>/dev/null || true
	rm -f "/run/bockit/bridges/bkdemo$ID"
	bk_teardown
}

# session CMD...: run CMD in a session (and process group) of its own, in
# the background, output into demo.out; note every container id the
# demo's store shows until no process of the session is left.
session() {
	setsid "$@" >"$BOCKER_ROOT/demo.out" 2>&1 </dev/null &
	SID=$!
	spy &
}

session_alive() {
	ps -e -o sid= | awk -v s="$SID" '$1 == s { found = 1 } END { exit !found }'
}

# session_ps: the session's processes, with their state and what each waits in.
session_ps() {
	local pid
	ps -e -o sid=,pid=,ppid=,stat=,wchan:24=,args= | awk -v s="$SID" '$1 == s'
	for pid in $(ps -e -o sid=,pid= | awk -v s="$SID" '$1 == s { print $2 }'); do
		echo "$pid: $(tr '\n' ' ' <"/proc/$pid/stack" 2>/dev/null | cut -c1-300)"
	done
}

spy() {
	while session_alive; do
		ls "$BOCKER_ROOT"/bockit-demo.*/owners "$BOCKER_ROOT"/bockit-demo.*/containers 2>/dev/null |
			grep '^ps_' >>"$BOCKER_ROOT/ids" || true
		sleep 0.02
	done
}

# The session gone (60 s at most), then nothing of the demo anywhere: no
# process, bridge, state dir, netns, cgroup or mount of its containers.
assert_nothing_left() {
	local id _
	for _ in $(seq 600); do
		session_alive || break
		sleep 0.1
	done
	! session_alive || fail "processes of the demo left:
$(session_ps)
its output ends:
$(tail -n 15 "$BOCKER_ROOT/demo.out")"
	wait   # the spy
	! ip link show "bkdemo$ID" >/dev/null 2>&1 || fail "bridge bkdemo$ID left"
	[ ! -e "/run/bockit/bridges/bkdemo$ID" ] || fail "record of bridge bkdemo$ID left"
	[ -z "$(ls -d "$BOCKER_ROOT"/bockit-demo.* 2>/dev/null)" ] || fail "state dir left"
	[ -z "$(bk_mounts_under "$BOCKER_ROOT")" ] || fail "mounts left: $(bk_mounts_under "$BOCKER_ROOT")"
	for id in $(sort -u "$BOCKER_ROOT/ids" 2>/dev/null); do
		[ ! -e "/run/netns/netns_$id" ] || fail "netns_$id left"
		[ -z "$(find /sys/fs/cgroup -maxdepth 4 -path "*/bocker/$id" 2>/dev/null)" ] ||
			fail "cgroup /bocker/$id left"
	done
}

# The words of `make demo` outside bats' own make (if any): sh -c "$MAKE_DEMO".
MAKE_DEMO="env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C '$BOCKIT_TOP' demo"

@test "make demo: its own bridge, subnet and state dir; everything removed at its end" {
	session sh -c "$MAKE_DEMO"
	assert_nothing_left
	run cat "$BOCKER_ROOT/demo.out"
	assert_line --regexp "^demo: bridge bkdemo$ID, subnet 10\\.[0-9]+\\.[0-9]+\\.1/24, state in $BOCKER_ROOT/bockit-demo\\.[A-Za-z0-9]+\$"
	net=$(sed -n 's/^demo: .*subnet \(10\.[0-9]*\.[0-9]*\)\.1\/24.*/\1/p' "$BOCKER_ROOT/demo.out")
	assert_line --regexp "inet ${net//./\\.}\\.2/24 scope global eth0"
	assert_line --regexp '^Removed: ps_[0-9a-f]+$'
	[ -s "$BOCKER_ROOT/ids" ] || fail "no container seen"
}

@test "two demos side by side: each its own names, both run to the end" {
	sh "$BOCKIT_TOP/scripts/demo.sh" >"$BOCKER_ROOT/one.out" 2>&1 </dev/null &
	BOCKIT_DEMO_ID= sh "$BOCKIT_TOP/scripts/demo.sh" >"$BOCKER_ROOT/two.out" 2>&1 </dev/null
	two=$?
	wait "$!"
	one=$?
	[ "$one" -eq 0 ] && [ "$two" -eq 0 ] ||
		fail "demo: $one $two: $(cat "$BOCKER_ROOT/one.out" "$BOCKER_ROOT/two.out")"
	a=$(head -n 1 "$BOCKER_ROOT/one.out")
	b=$(head -n 1 "$BOCKER_ROOT/two.out")
	[ "${a#*, subnet }" != "${b#*, subnet }" ] || fail "one subnet: $a / $b"
	[ "${a%%,*}" != "${b%%,*}" ] || fail "one bridge: $a / $b"
	! ip link show "${b#demo: bridge }" >/dev/null 2>&1 || fail "bridge left: $b"
	[ -z "$(ls -d "$BOCKER_ROOT"/bockit-demo.* 2>/dev/null)" ] || fail "state dir left"
}

# head counts the demo's stdout only (its traces go to stderr): about 59
# lines, the container's id at 19, its exec done by 30; the random line is
# one from 30 to 55, so the container lived long enough to be seen.
@test "make demo | head: SIGPIPE at line 5, 40 and a random one leaves nothing" {
	local n
	for n in 5 40 $((RANDOM % 26 + 30)); do
		echo "# head -n $n" >&3
		session sh -c "$MAKE_DEMO | head -n $n >/dev/null"
		assert_nothing_left
		# from line 30 on the container ran: the test saw what it had to check
		[ "$n" -eq 5 ] || [ -s "$BOCKER_ROOT/ids" ] || fail "head -n $n: no container seen"
	done
}

# demo_lines: how many lines the demo printed after its "demo: ..." line.
demo_lines() {
	awk '/^demo: bridge / { on = 1; next } on { n++ } END { print n + 0 }' "$BOCKER_ROOT/demo.out"
}

# signal_at_random SIG: make demo, then SIG to its process group (as a
# terminal sends it) at a random line of its output: before its
# container, while it runs (line 12 on: its id is printed), near the end.
signal_at_random() {
	local sig=$1 from to at _
	for from in 0 12 30; do
		to=$((from == 0 ? 12 : from == 12 ? 30 : 100))
		at=$((from + RANDOM % (to - from)))
		: >"$BOCKER_ROOT/ids"
		session sh -c "$MAKE_DEMO"
		for _ in $(seq 1000); do
			[ "$(demo_lines)" -lt "$at" ] && session_alive || break
			sleep 0.01
		done
		kill "-$sig" -- "-$SID" 2>/dev/null || true
		echo "# SIG$sig at line $at of the demo" >&3
		assert_nothing_left
		[ "$from" -ne 12 ] || [ -s "$BOCKER_ROOT/ids" ] || fail "SIG$sig at line $at: no container seen"
	done
}

@test "make demo: SIGINT (Ctrl-C) to its process group at a random moment leaves nothing" {
	signal_at_random INT
}

@test "make demo: SIGHUP (terminal closed) to its process group at a random moment leaves nothing" {
	signal_at_random HUP
}

@test "free-subnet.sh: a /24 of 10.64.0.0/10 that no address or route overlaps, or exit 1" {
	run sh "$BOCKIT_TOP/scripts/free-subnet.sh"
	assert_success
	assert_output --regexp '^10\.([6-9][0-9]|1[01][0-9]|12[0-7])\.[0-9]+$'
	# in a netns of its own holding the lower half of the range, the upper
	# half only; holding all of it, none
	run unshare -n sh -c 'ip addr add 10.64.0.1/11 dev lo &&
		for i in $(seq 30); do sh "$1"; done' sh "$BOCKIT_TOP/scripts/free-subnet.sh"
	assert_success
	refute_output --regexp '^10\.(6[4-9]|[7-8][0-9]|9[0-5])\.'
	[ "${#lines[@]}" -eq 30 ]
	run unshare -n sh -c 'ip addr add 10.64.0.1/10 dev lo && sh "$1"' \
		sh "$BOCKIT_TOP/scripts/free-subnet.sh"
	assert_failure 1
	assert_output "free-subnet: no free /24 in 10.64.0.0/10"
	# a route counts too: 10.96.0.0/11 leaves the lower half
	run unshare -n sh -c 'ip link set lo up &&
		ip route add 10.96.0.0/11 dev lo && for i in $(seq 30); do sh "$1"; done' \
		sh "$BOCKIT_TOP/scripts/free-subnet.sh"
	assert_success
	refute_output --regexp '^10\.(9[6-9]|1[01][0-9]|12[0-7])\.'
}
