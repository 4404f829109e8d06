#!/usr/bin/env bats
# cgset-lite: create/set/exec/attach/get/stats/delete on the real kernel.
# Every group lives under /bockit-test-<name> in each hierarchy; teardown
# kills what is left there and removes it, even when the test failed.

load helpers
bats_require_minimum_version 1.5.0

CG=/sys/fs/cgroup
V1SET=cpu,cpuacct,memory,pids

# The directory of CTRL's hierarchy (v1 mount, or the cgroup2 mount).
ctrl_root() {
	local m
	m=$(awk -v c="$1" '$3 == "cgroup" && (","$4",") ~ ","c"," { print $2; exit }' /proc/mounts)
	[ -n "$m" ] || m=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	printf '%s\n' "$m"
}

# cgroup2 mount, and whether it is the whole tree (pure v2 host).
V2ROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)

# Kill everything under DIR and remove DIR bottom-up (teardown helper).
cg_purge() {
	local dir=$1 _
	[ -d "$dir" ] || return 0
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		# shellcheck disable=SC2038 # cgroup.procs holds pids, not file names
		find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null
		find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
		[ -d "$dir" ] || return 0
		sleep 0.1
	done
}

# Put hugetlb in the cgroup2 root's subtree_control back as it was.
restore_v2_root() {
	grep -qw hugetlb "$V2ROOT/cgroup.subtree_control" || return 0
	[ "$1" = had ] || echo -hugetlb >"$V2ROOT/cgroup.subtree_control" 2>/dev/null || true
}

setup() {
	bk_setup
	TOP=/bockit-test-$(bk_name cg)
	local d
	# Deferred first, so it runs last: after the groups using it are gone.
	if grep -qw hugetlb "$V2ROOT/cgroup.subtree_control" 2>/dev/null; then
		bk_defer restore_v2_root had
	else
		bk_defer restore_v2_root none
	fi
	for d in $CG/*/ "$V2ROOT/"; do
		bk_defer cg_purge "${d%/}$TOP"
	done
}

teardown() {
	bk_teardown
}

# No directory for PATH in any hierarchy.
refute_group_anywhere() {
	local d
	for d in $CG/*/ "$V2ROOT/"; do
		if [ -e "${d%/}$1" ]; then
			echo "left behind: ${d%/}$1"
			return 1
		fi
	done
}

has_v1() { [ "$(stat -f -c %T "$(ctrl_root "$1")")" = cgroupfs ]; }

@test "cgset-lite: --help, --version, usage errors" {
	run cgset-lite --help
	assert_success
	assert_output --partial "cgset-lite exec [--rm] -g CONTROLLERS:PATH"
	bk_assert_version cgset-lite
	run cgset-lite frobnicate
	assert_failure 2
	bk_assert_one_line
	run cgset-lite create
	assert_failure 2
	assert_output --partial "-g CONTROLLERS:PATH is required"
	run cgset-lite exec -g memory:$TOP/x
	assert_failure 125
}

@test "cgset-lite: create writes limits into each controller's file, delete removes every dir" {
	run cgset-lite -v create -g $V1SET:$TOP/a --memory 64M --cpu-shares 512 --cpus 1.5 --pids 50
	assert_success
	assert_output --partial "mkdir $(ctrl_root memory)$TOP/a"
	if has_v1 memory; then
		assert_output --partial "write $(ctrl_root memory)$TOP/a/memory.limit_in_bytes 67108864"
		[ "$(cat "$(ctrl_root memory)$TOP/a/memory.limit_in_bytes")" = 67108864 ]
	else
		[ "$(cat "$(ctrl_root memory)$TOP/a/memory.max")" = 67108864 ]
	fi
	if has_v1 cpu; then
		[ "$(cat "$(ctrl_root cpu)$TOP/a/cpu.shares")" = 512 ]
		[ "$(cat "$(ctrl_root cpu)$TOP/a/cpu.cfs_quota_us")" = 150000 ]
		[ "$(cat "$(ctrl_root cpu)$TOP/a/cpu.cfs_period_us")" = 100000 ]
	else
		[ "$(cat "$(ctrl_root cpu)$TOP/a/cpu.weight")" = 59 ]
		[ "$(cat "$(ctrl_root cpu)$TOP/a/cpu.max")" = "150000 100000" ]
	fi
	[ "$(cat "$(ctrl_root pids)$TOP/a/pids.max")" = 50 ]
	for c in cpu cpuacct memory pids; do
		[ -d "$(ctrl_root $c)$TOP/a" ]
	done

	run cgset-lite create -g $V1SET:$TOP/a
	assert_failure 1
	assert_output --partial "group exists"

	run cgset-lite -v delete -g $V1SET:$TOP/a
	assert_success
	refute_group_anywhere "$TOP/a"
}

@test "cgset-lite: v1 and v2 names both work on this host (translation both ways)" {
	cgset-lite create -g cpu,memory:$TOP/t -r memory.max=32M -r cpu.weight=100
	run cgset-lite get -r memory.limit_in_bytes $TOP/t
	assert_output 33554432
	run cgset-lite get -r memory.max $TOP/t
	assert_output 33554432
	run cgset-lite get -r cpu.shares $TOP/t
	assert_output 1024
	run cgset-lite get -r cpu.weight $TOP/t
	assert_output 100

	cgset-lite set -r memory.limit_in_bytes=-1 -r cpu.shares=2048 $TOP/t
	run cgset-lite get -r memory.max $TOP/t
	assert_output max
	run cgset-lite get -r memory.limit_in_bytes $TOP/t
	assert_output -1
	if has_v1 cpu; then
		[ "$(cat "$(ctrl_root cpu)$TOP/t/cpu.shares")" = 2048 ]
	else
		[ "$(cat "$(ctrl_root cpu)$TOP/t/cpu.weight")" = 174 ]
	fi
	cgset-lite set -r cpu.max="50000 100000" $TOP/t
	run cgset-lite get -r cpu.cfs_quota_us $TOP/t
	assert_output 50000
	cgset-lite delete -g cpu,memory:$TOP/t
	refute_group_anywhere "$TOP/t"
}

@test "cgset-lite: v2 for real on the cgroup2 hierarchy: hugetlb, cgroup.procs, cgroup.kill" {
	grep -qw hugetlb "$V2ROOT/cgroup.controllers" || skip "no hugetlb on cgroup2 here"
	run cgset-lite -v create -g hugetlb:$TOP/h -r hugetlb.2MB.limit_in_bytes=4M
	assert_success
	assert_output --partial "write $V2ROOT$TOP/h/hugetlb.2MB.max 4194304"
	[ "$(cat "$V2ROOT$TOP/h/hugetlb.2MB.max")" = 4194304 ]
	grep -qw hugetlb "$V2ROOT$TOP/cgroup.subtree_control"
	run cgset-lite get -r hugetlb.2MB.limit_in_bytes $TOP/h
	assert_output 4194304

	# exec: the process and its children are in the v2 group (cgroup.procs:
	# v2 moves no thread out of its domain alone).
	run cgset-lite -v exec -g hugetlb:$TOP/h -- true
	assert_success
	assert_output --regexp "write $V2ROOT$TOP/h/cgroup.procs [0-9]+"
	cgset-lite exec -g hugetlb:$TOP/h -- sh -c 'sleep 300 & sleep 300 & wait' &
	local job=$!
	for _ in $(seq 50); do
		[ "$(wc -l <"$V2ROOT$TOP/h/cgroup.procs")" -ge 3 ] && break
		sleep 0.1
	done
	[ "$(wc -l <"$V2ROOT$TOP/h/cgroup.procs")" -eq 3 ]

	run cgset-lite delete -g hugetlb:$TOP/h
	assert_failure 1
	assert_output --partial "3 processes still in it (use --kill)"
	bk_assert_one_line

	run cgset-lite -v delete --kill -g hugetlb:$TOP/h
	assert_success
	assert_output --partial "write $V2ROOT$TOP/h/cgroup.kill 1"
	local st=0
	wait "$job" || st=$?
	assert_equal "$st" 137
	[ ! -e "$V2ROOT$TOP/h" ]
}

@test "cgset-lite: memory limit is enforced and stats report the OOM kill" {
	local args=(--memory 32M)
	if has_v1 memory; then
		[ -e "$(ctrl_root memory)/memory.memsw.limit_in_bytes" ] && args+=(--memory-swap 32M)
	else
		args+=(-r memory.swap.max=0)
	fi
	run cgset-lite exec -g memory:$TOP/oom "${args[@]}" -- sh -c 'tail /dev/zero'
	assert_equal "$status" 137
	run cgset-lite stats $TOP/oom
	assert_success
	assert_line "memory.oom_kills 1"
	assert_line "memory.max 33554432"
	run cgset-lite stats --json $TOP/oom
	assert_success
	[ "$(printf '%s' "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["memory"]["oom_kills"])')" = 1 ]
	cgset-lite delete -g memory:$TOP/oom
}

@test "cgset-lite: pids limit stops forks" {
	run cgset-lite exec -g pids:$TOP/p --pids 5 -- dash -c 'for i in 1 2 3 4 5 6 7 8; do sleep 30 & done; echo all-started'
	assert_failure
	assert_output --partial "fork"
	refute_output --partial "all-started"
	run cgset-lite stats $TOP/p
	assert_line "pids.max 5"
	cgset-lite delete --kill -g pids:$TOP/p
	refute_group_anywhere "$TOP/p"
}

@test "cgset-lite: exec puts the process and its children in every named controller" {
	run cgset-lite -v exec -g $V1SET:$TOP/e -- sh -c 'sh -c "cat /proc/self/cgroup"'
	assert_success
	if has_v1 memory; then
		for c in cpu cpuacct memory pids; do
			assert_line --regexp "^[0-9]+:([a-z,]*,)?$c(,[a-z,]*)?:$TOP/e\$"
		done
		# itself, the cheap way: "0" (this thread) to v1's tasks
		assert_line "cgset-lite: write $(ctrl_root memory)$TOP/e/tasks 0"
	else
		assert_line "0::$TOP/e"
		assert_line --regexp "^cgset-lite: write $V2ROOT$TOP/e/cgroup.procs [0-9]+\$"
	fi
	cgset-lite delete -g $V1SET:$TOP/e
}

@test "cgset-lite: exec --rm waits outside the group, then empties and removes it" {
	run cgset-lite -v exec --rm -g $V1SET:$TOP/r --pids 50 -- sh -c '
		grep -c "$1" /proc/self/cgroup
		sleep 300 &                 # left behind: --rm kills it
		echo $! >"$2"
		exit 3' sh ":$TOP/r\$" "$BOCKER_ROOT/left"
	assert_failure 3                                # the command's status
	assert_line "cgset-lite: mkdir $(ctrl_root pids)$TOP/r"
	assert_line "cgset-lite: fork()"
	assert_line --regexp "^[1-9]\$"                 # in the group, per hierarchy
	assert_line --partial "rmdir $(ctrl_root pids)$TOP/r"
	refute_group_anywhere "$TOP/r"
	! kill -0 "$(cat "$BOCKER_ROOT/left")" 2>/dev/null
	# (rmdir succeeded: the waiting parent itself stayed outside the group)

	# a signal to cgset-lite reaches the command; the group still goes
	cgset-lite exec --rm -g pids:$TOP/s -- sh -c 'trap "exit 9" TERM; touch "$1"; while :; do sleep 0.05; done' \
		sh "$BOCKER_ROOT/ready" &
	local job=$! st=0
	for _ in $(seq 100); do [ -e "$BOCKER_ROOT/ready" ] && break; sleep 0.05; done
	kill -TERM "$job"
	wait "$job" || st=$?
	assert_equal "$st" 9
	refute_group_anywhere "$TOP/s"

	run -2 cgset-lite create --rm -g pids:$TOP/t
	assert_output --partial "--rm is for exec"
	refute_group_anywhere "$TOP/t"
}

@test "cgset-lite: attach moves a running process (whole process, via cgroup.procs)" {
	cgset-lite create -g memory,pids:$TOP/at
	sleep 300 &
	local pid=$!
	bk_defer kill -9 "$pid"
	run cgset-lite -v attach -g memory,pids:$TOP/at "$pid"
	assert_success
	assert_output --partial "write $(ctrl_root memory)$TOP/at/cgroup.procs $pid"
	grep -qx "$pid" "$(ctrl_root memory)$TOP/at/cgroup.procs"
	grep -qx "$pid" "$(ctrl_root pids)$TOP/at/cgroup.procs"
	run cgset-lite attach -g memory:$TOP/at 12abc
	assert_failure 2
	run cgset-lite attach -g memory:$TOP/at 999999999
	assert_failure 1
	bk_assert_one_line
	kill -9 "$pid"
	wait "$pid" || true
}

@test "cgset-lite: delete --kill empties and removes a group with a tree of hundreds of processes" {
	# 20 shells with 15 sleeps each (~320 processes), pids as a safety net.
	cgset-lite exec -g $V1SET:$TOP/bomb --pids 1000 -- sh -c \
		'for i in $(seq 20); do sh -c "for j in \$(seq 15); do sleep 1000 & done; wait" & done; wait' &
	local job=$! n=0 st=0
	for _ in $(seq 100); do
		n=$(cat "$(ctrl_root pids)$TOP/bomb/pids.current")
		[ "$n" -ge 321 ] && break
		sleep 0.1
	done
	[ "$n" -ge 321 ]
	run cgset-lite delete --kill -g $V1SET:$TOP/bomb
	assert_success
	wait "$job" || st=$?
	assert_equal "$st" 137
	refute_group_anywhere "$TOP/bomb"
}

@test "cgset-lite: a bad value fails after mkdir and leaves no directory behind" {
	run cgset-lite create -g $V1SET:$TOP/bad --memory 32M -r cpu.cfs_quota_us=5
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "Invalid argument"
	refute_group_anywhere "$TOP/bad"
	refute_group_anywhere "$TOP"

	run cgset-lite exec -g $V1SET:$TOP/bad -r memory.swappiness=500 -- true
	assert_failure 125
	bk_assert_one_line
	refute_group_anywhere "$TOP"

	run -127 cgset-lite exec -g memory:$TOP/bad -- /nonexistent/cmd
	refute_group_anywhere "$TOP"
}

@test "cgset-lite: bad controller, bad size (2), bad path, missing group: one line, no leftovers" {
	run cgset-lite create -g cpu,nosuchctrl:$TOP/x
	assert_failure 1
	bk_assert_one_line
	assert_output "cgset-lite: controller 'nosuchctrl': not available on this host"
	run cgset-lite create -g memory:$TOP/x --memory 12Q
	assert_failure 2
	assert_output "cgset-lite: --memory: '12Q' is not a size (bytes, or a number with K, M, G, T or P)"
	run cgset-lite create -g cpu:$TOP/x --memory 1G
	assert_failure 2
	assert_output --partial "controller 'memory' is not in -g"
	run cgset-lite create -g memory:$TOP/../etc
	assert_failure 1
	bk_assert_one_line
	refute_group_anywhere "$TOP"

	run cgset-lite delete -g $V1SET:$TOP/missing
	assert_failure 1
	assert_output "cgset-lite: $TOP/missing: no such group"
	run cgset-lite delete -f --kill -g $V1SET:$TOP/missing
	assert_success
	run cgset-lite stats $TOP/missing
	assert_failure 1
	bk_assert_one_line
	run cgset-lite set --memory 1G $TOP/missing
	assert_failure 1
	refute_group_anywhere "$TOP"
}

# ---- devices ----------------------------------------------------------------

# open_dev NODE: bk-attack's verdict on opening NODE read-write.
ATTACK=$BOCKIT_TOP/build/tests/bk-attack

@test "cgset-lite: --device-allow default on v1: only the standard nodes open, a --device-allow adds one" {
	[ -x "$ATTACK" ] || make -C "$BOCKIT_TOP" build/tests/bk-attack
	grep -q ' devices ' <(awk '$3 == "cgroup" {print " " $4 " "}' /proc/mounts | tr , ' ') ||
		skip "no v1 devices controller on this host"
	run cgset-lite exec --rm -g "devices:$TOP/a" --device-allow default -- sh -c \
		"head -c 3 /dev/zero | wc -c; echo x >/dev/null && echo null-ok; $ATTACK open /dev/fuse rw; $ATTACK mknod-open $BOCKER_ROOT/f c 10 229"
	assert_line --index 0 "3"
	assert_line --index 1 "null-ok"
	assert_line --index 2 "blocked: open(/dev/fuse, O_RDWR): Operation not permitted"
	assert_line --partial "blocked: open($BOCKER_ROOT/f"
	run cgset-lite exec --rm -g "devices:$TOP/b" --device-allow default --device-allow /dev/fuse:r -- \
		sh -c "$ATTACK open /dev/fuse r; $ATTACK open /dev/fuse rw"
	assert_line --index 0 "CROSSED: open(/dev/fuse, O_RDONLY) succeeded"
	assert_line --index 1 --partial "blocked: open(/dev/fuse, O_RDWR)"
	# what the kernel was told, and the group gone with the command
	cgset-lite create -g "devices:$TOP/c" --device-allow default --device-deny 'c 1:9 w'
	run cat "$(ctrl_root devices)$TOP/c/devices.list"
	assert_line "c 1:9 rm"
	refute_line "a *:* rwm"
	[ ! -d "$(ctrl_root devices)$TOP/a" ]
}

@test "cgset-lite: --device-bpf: the eBPF program on the group's cgroup2 directory (hybrid host, v2 path)" {
	[ -x "$ATTACK" ] || make -C "$BOCKIT_TOP" build/tests/bk-attack
	[ -n "$V2ROOT" ] || skip "no cgroup2 mount"
	local v2=hugetlb
	[ -f "$V2ROOT/cgroup.controllers" ] && grep -qw hugetlb "$V2ROOT/cgroup.controllers" || v2=pids
	run cgset-lite -v exec --rm -g "$v2:$TOP/e" --device-bpf --device-allow default -- \
		sh -c "echo x >/dev/null && echo null-ok; $ATTACK open /dev/fuse rw"
	assert_line "null-ok"
	assert_line "blocked: open(/dev/fuse, O_RDWR): Operation not permitted"
	assert_line --regexp "^cgset-lite: bpf\(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE, [0-9]+ insns\) = fd [0-9]+$"
	assert_line "cgset-lite: bpf(BPF_PROG_ATTACH, $V2ROOT$TOP/e, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI)"
	# set replaces the program: one stays attached, with the new list
	cgset-lite create -g "$v2:$TOP/f" --device-bpf --device-allow default
	cgset-lite set --device-bpf --device-allow default --device-allow 'c 10:229 rw' "$TOP/f"
	run cgset-lite -v set --device-bpf --device-allow default --device-allow 'c 10:229 rw' "$TOP/f"
	assert_output --regexp "BPF_PROG_QUERY, $V2ROOT$TOP/f, BPF_CGROUP_DEVICE\) = 1 program"
}

@test "cgset-lite: device mistakes: one line, exit 2 (125 for exec), nothing made" {
	run cgset-lite create -g "devices:$TOP/x" --device-allow 'x 1:3 rwm'
	assert_failure 2
	assert_output "cgset-lite: --device-allow: device rule 'x 1:3 rwm': type must be a, b or c"
	run cgset-lite exec -g "devices:$TOP/x" --device-allow /etc/passwd -- true
	assert_failure 125
	bk_assert_one_line
	run cgset-lite create -g "memory:$TOP/x" --device-bpf
	assert_failure 2
	assert_output "cgset-lite: create: --device-bpf needs --device-allow or --device-deny"
	run cgset-lite stats --device-allow default "$TOP/x"
	assert_failure 2
	for d in $CG/*/; do [ ! -d "${d%/}$TOP/x" ] || fail "${d%/}$TOP/x left"; done
}

# counting FILE: a process that writes an ever-growing count to FILE.
counting() {
	sh -c 'i=0; while :; do i=$((i + 1)); echo $i >"$1"; done' counting "$1"
}

# still FILE: the count in FILE does not move for 0.3 s.
still() {
	local a b
	a=$(cat "$1")
	sleep 0.3
	b=$(cat "$1")
	[ "$a" = "$b" ]
}

@test "cgset-lite: freeze stops a group in place, thaw lets it go (v1 freezer)" {
	has_v1 freezer || skip "no v1 freezer here"
	local n=$BOCKER_ROOT/n f=$CG/freezer$TOP/f
	cgset-lite create -g freezer,pids:$TOP/f
	cgset-lite exec -g freezer,pids:$TOP/f -- sh -c "$(declare -f counting); counting $n" &
	local job=$!
	bk_defer kill "$job"
	for _ in $(seq 50); do [ -s "$n" ] && break; sleep 0.05; done
	run cgset-lite -v freeze $TOP/f
	assert_success
	assert_output --partial "write $f/freezer.state FROZEN"
	assert_equal "$(cat "$f/freezer.state")" FROZEN
	still "$n"
	run cgset-lite -v thaw $TOP/f
	assert_success
	assert_output --partial "write $f/freezer.state THAWED"
	! still "$n"
	# libcgroup's forms of the path: relative, a trailing slash
	cgset-lite freeze "${TOP#/}/f/"
	assert_equal "$(cat "$f/freezer.state")" FROZEN
	cgset-lite thaw "${TOP#/}/f"
	assert_equal "$(cat "$f/freezer.state")" THAWED
	# freeze -- COMMAND: frozen while COMMAND runs, thawed when it ends, its status
	run cgset-lite freeze $TOP/f -- sh -c "cat $f/freezer.state; exit 3"
	assert_failure 3
	assert_output FROZEN
	assert_equal "$(cat "$f/freezer.state")" THAWED
	run cgset-lite freeze $TOP/f -- sh -c 'kill -TERM $$'
	assert_failure 143
	assert_equal "$(cat "$f/freezer.state")" THAWED
	! still "$n"
	cgset-lite delete --kill -g freezer,pids:$TOP/f
}

@test "cgset-lite: freeze on cgroup v2 (cgroup.freeze, cgroup.events)" {
	grep -qw hugetlb "$V2ROOT/cgroup.controllers" || skip "no hugetlb on cgroup2 here"
	local n=$BOCKER_ROOT/n d=$V2ROOT$TOP/f2
	cgset-lite exec -g hugetlb:$TOP/f2 -- sh -c "$(declare -f counting); counting $n" &
	bk_defer kill "$!"
	for _ in $(seq 50); do [ -s "$n" ] && break; sleep 0.05; done
	if has_v1 freezer; then [ ! -e "$CG/freezer$TOP/f2" ]; fi   # only in cgroup2
	run cgset-lite -v freeze $TOP/f2
	assert_success
	assert_output --partial "write $d/cgroup.freeze 1"
	grep -qx 'frozen 1' "$d/cgroup.events"
	still "$n"
	cgset-lite thaw $TOP/f2
	grep -qx 'frozen 0' "$d/cgroup.events"
	cgset-lite freeze "${TOP#/}/f2/"
	grep -qx 'frozen 1' "$d/cgroup.events"
	cgset-lite thaw "${TOP#/}/f2"
	grep -qx 'frozen 0' "$d/cgroup.events"
	! still "$n"
	cgset-lite delete --kill -g hugetlb:$TOP/f2
}

@test "cgset-lite: freeze of a missing group: one line, 1 (125 with a COMMAND, which does not run)" {
	run cgset-lite freeze $TOP/none
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "$TOP/none: no such group"
	run cgset-lite freeze $TOP/none -- touch "$BOCKER_ROOT/ran"
	assert_failure 125
	bk_assert_one_line
	[ ! -e "$BOCKER_ROOT/ran" ]
	run cgset-lite thaw $TOP/none
	assert_failure 1
	run cgset-lite freeze $TOP/none extra
	assert_failure 2
}

# ---- libcgroup's forms (cgcreate, cgset, cgexec, cgdelete) -------------------

@test "cgset-lite: bash bocker's own cgroup lines, relative paths and no --, run as written" {
	has_v1 cpuacct || skip "bocker's -g cpu,cpuacct,memory needs cgroup v1 cpuacct"
	rel=${TOP#/}/ps_42017   # bocker: cgset -r ... ps_X, cgexec -g ...:ps_X
	run cgset-lite create -g "cpu,cpuacct,memory:/$rel"
	assert_success
	run cgset-lite set -r cpu.shares=512 "$rel"
	assert_success
	run cgset-lite set -r memory.limit_in_bytes="$((512 * 1000000))" "$rel"
	assert_success
	[ "$(cat "$(ctrl_root cpu)/$rel/cpu.shares")" = 512 ]
	[ "$(cat "$(ctrl_root memory)/$rel/memory.limit_in_bytes")" = 512000000 ]
	run cgset-lite exec -g "cpu,cpuacct,memory:$rel" sh -c 'grep -E ":(cpu|cpuacct|memory):" /proc/self/cgroup | cut -d: -f3 | sort -u'
	assert_success
	assert_output "/$rel"
	run cgset-lite get -r cpu.shares "$rel/"
	assert_output 512
	run cgset-lite stats "$rel"
	assert_success
	run cgset-lite delete -g "cpu,cpuacct,memory:/$rel"
	assert_success
	refute_group_anywhere "/$rel"
}

@test "cgset-lite: exec's COMMAND starts at its first non-option word; its options stay its own" {
	run cgset-lite exec -g "memory:${TOP#/}/e" sh -c 'echo "$*"' sh -r x --memory 1 -- -g
	assert_success
	assert_output "-r x --memory 1 -- -g"
	run cgset-lite exec -g "memory:$TOP/e" --memory 64M env -i true
	assert_success
	run cgset-lite delete "memory:$TOP/e"
	assert_success
	refute_group_anywhere "$TOP/e"
}

@test "cgset-lite: -g again adds controllers of the same group; another group is refused" {
	run cgset-lite create -g "cpu:$TOP/g" -g "memory:${TOP#/}/g/" --memory 64M
	assert_success
	[ -d "$(ctrl_root cpu)$TOP/g" ] && [ -d "$(ctrl_root memory)$TOP/g" ]
	run cgset-lite create -g "cpu:$TOP/h" -g "memory:$TOP/other"
	assert_failure 1
	assert_output "cgset-lite: -g 'memory:$TOP/other': one group per command, and this one is $TOP/h"
	refute_group_anywhere "$TOP/h"
	# cgdelete's operand form, several for one group
	run cgset-lite delete "cpu:$TOP/g" "memory:${TOP#/}/g"
	assert_success
	refute_group_anywhere "$TOP/g"
}

@test "cgset-lite: '..', '.', '//' and the root are no group: refused, nothing made" {
	out=$BOCKER_ROOT/outside
	for p in "../../../..$out" "${TOP#/}/../x" "./${TOP#/}" "$TOP//x" "/" "" "$TOP/.x"; do
		run cgset-lite create -g "memory:$p"
		assert_failure 1
		bk_assert_one_line
		assert_output --regexp "^cgset-lite: cgroup path '.*': "
		run cgset-lite set -r memory.limit_in_bytes=1G "$p"
		assert_failure
	done
	[ ! -e "$out" ]
	refute_group_anywhere "$TOP"
}

@test "cgset-lite: set takes several groups, as cgset" {
	cgset-lite create -g "pids:$TOP/s1"
	cgset-lite create -g "pids:$TOP/s2"
	run cgset-lite set -r pids.max=7 "$TOP/s1" "${TOP#/}/s2"
	assert_success
	[ "$(cat "$(ctrl_root pids)$TOP/s1/pids.max")" = 7 ]
	[ "$(cat "$(ctrl_root pids)$TOP/s2/pids.max")" = 7 ]
}

# cgset_result CTRL NAME=VALUE TOOL...: TOOL's verdict on writing NAME=VALUE
# to a fresh group, and what the file holds after: "ok VALUE" or "failed".
# libcgroup 2.0.2's cgset exits 0 after some refusals, so a message counts.
cgset_result() {
	local ctrl=$1 nv=$2 g=$TOP/r$RANDOM
	shift 2
	cgcreate -g "$ctrl:$g"
	# cgset's usual form: a path relative to the hierarchy's root
	if "$@" -r "$nv" "${g#/}" >/dev/null 2>"$BOCKER_ROOT/err" && [ ! -s "$BOCKER_ROOT/err" ]; then
		echo "ok $(head -1 "$(ctrl_root "$ctrl")$g/${nv%%=*}")"
	else
		echo failed
	fi
	cgdelete -g "$ctrl:$g" 2>/dev/null || true
}

@test "cgset-lite: set -r NAME=VALUE takes every name cgset takes, with cgset's result" {
	has_v1 memory || skip "cgset here is libcgroup 2.0.2's, compared on cgroup v1"
	local ctrl name value n=0
	# every file of a new group that can be written back as it reads
	for ctrl in cpu cpuacct memory pids freezer blkio cpuset devices; do
		has_v1 "$ctrl" || continue
		cgcreate -g "$ctrl:$TOP/probe"
		for f in "$(ctrl_root "$ctrl")$TOP/probe"/*; do
			name=${f##*/}
			[ -w "$f" ] && value=$(head -1 "$f" 2>/dev/null) && [ -n "$value" ] || continue
			printf '%s %s=%s\n' "$ctrl" "$name" "$value"
		done >>"$BOCKER_ROOT/pairs"
		cgdelete -g "$ctrl:$TOP/probe"
	done
	# and values of bocker's and the usual kinds
	cat >>"$BOCKER_ROOT/pairs" <<-EOF
		cpu cpu.shares=512
		cpu cpu.cfs_quota_us=50000
		cpu cpu.cfs_period_us=200000
		memory memory.limit_in_bytes=512000000
		memory memory.limit_in_bytes=64M
		memory memory.limit_in_bytes=1g
		memory memory.soft_limit_in_bytes=32M
		memory memory.swappiness=10
		memory memory.oom_control=1
		pids pids.max=50
		freezer freezer.state=FROZEN
		devices devices.deny=c 1:3 rwm
		memory memory.nosuch=1
		memory memory.limit_in_bytes=lots
	EOF
	while read -r ctrl nv; do
		has_v1 "$ctrl" || continue
		want=$(cgset_result "$ctrl" "$nv" cgset)
		got=$(cgset_result "$ctrl" "$nv" cgset-lite set)
		[ "$got" = "$want" ] || fail "-r '$nv': cgset: $want, cgset-lite: $got"
		n=$((n + 1))
	done <"$BOCKER_ROOT/pairs"
	[ "$n" -gt 40 ] || fail "only $n settings compared"
}
