#!/usr/bin/env bats
# lifecycle: every container ends clean, whatever is killed, when. Each
# link of the chain is killed at a chosen moment (fault_bocker), the run's
# owner is signalled, its records are left half made; then ps tells the
# truth and gc (or the run's own teardown) releases exactly what exists.

load bocker-common

setup_file() { bocker_setup_file; }
teardown_file() { bocker_teardown_file; }
setup() { bocker_setup; }
teardown() { bocker_teardown; }

@test "SIGKILL of cgset-lite exec --rm mid-run: the keeper kills the rest and releases all" {
	bocker run "$IMG" 'exec sleep 60' 3>&- &
	pid=$!
	c=$(wait_first_container)
	cg=$(pgrep -f "cgset-lite exec --rm -g [^ ]*:/bocker/$c ")
	[ -n "$cg" ]
	kill -9 "$cg"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 137 ]
	assert_released "$c"
	run bocker ps -a
	assert_output --regexp "$c .*exited\(137\)"
}

@test "vethup del killed during teardown: netns and lease stay recorded, gc releases them" {
	b=$(fault_bocker vethup before 'del ' KILL)
	run "$b" run "$IMG" true
	assert_success
	c=$(ls "$BOCKER_ROOT/containers")
	[ -s "$BOCKER_ROOT/containers/$c/net" ]
	[ -e "/run/netns/netns_$c" ]
	run bocker gc
	assert_output "Cleaned: $c"
	assert_released "$c"
	run bocker ps -a
	assert_output --regexp "$c .*exited\(0\)"
}

@test "vethup add killed after it made the netns: run fails 125 and leaves nothing" {
	b=$(fault_bocker vethup after 'add ' KILL)
	run "$b" run "$IMG" true
	assert_failure 125
	no_leftovers
}

@test "the claim killed half-way, an empty owner record, a dir of empty dirs: gc removes them" {
	mkdir -p "$BOCKER_ROOT/containers/ps_00000000aa/upper" "$BOCKER_ROOT/owners"
	: >"$BOCKER_ROOT/owners/ps_00000000bb"
	mkdir -p "$BOCKER_ROOT/containers/ps_00000000bb/work"
	# an owner that died after vethup made the network, before the dir
	sleep 0.01 & dead=$!
	wait "$dead"
	vethup add --netns netns_ps_00000000cc --bridge "$BOCKER_BRIDGE" --ip auto --host-if bk00000000cc >/dev/null
	echo "$dead 1 net" >"$BOCKER_ROOT/owners/ps_00000000cc"
	run bocker gc
	assert_success
	assert_line "Cleaned: ps_00000000aa"
	assert_line "Cleaned: ps_00000000bb"
	assert_line "Cleaned: ps_00000000cc"
	[ -z "$(ls "$BOCKER_ROOT/containers")" ]
	[ -z "$(ls "$BOCKER_ROOT/owners")" ]
	assert_released ps_00000000cc
}

@test "260 runs killed before their dir existed do not exhaust the /24 pool once gc ran" {
	sleep 0.01 & dead=$!
	wait "$dead"
	mkdir -p "$BOCKER_ROOT/owners"
	for i in $(seq 260); do
		c=$(printf 'ps_%010x' "$i")
		vethup add --netns "netns_$c" --bridge "$BOCKER_BRIDGE" --ip auto --host-if "bk${c#ps_}" \
			>/dev/null 2>&1 || break
		echo "$dead 1 net" >"$BOCKER_ROOT/owners/$c"
	done
	[ "$i" -gt 250 ] # the pool ran out on the way: that is the leak
	run bocker gc
	assert_success
	[ "$(echo "$output" | grep -c '^Cleaned: ')" -ge 250 ]
	run bocker run "$IMG" 'ip -4 -o addr show eth0 | grep -c inet'
	assert_success
	assert_output "1"
}

@test "SIGTERM to bocker run --rm (timeout, or to its process group) releases everything, 10 of 10" {
	for i in $(seq 10); do
		run timeout 1.5 bocker run --rm "$IMG" 'sleep 30'
		[ "$status" -ne 0 ]
	done
	[ -z "$(ls "$BOCKER_ROOT/containers")" ]
	no_leftovers
	for i in $(seq 5); do
		setsid sh -c 'echo $$ >"$1/pgid"; exec bocker run --rm "$2" "sleep 30"' sh \
			"$BOCKER_ROOT" "$IMG" </dev/null >/dev/null 2>&1 3>&- &
		p=$!
		c=$(wait_first_container)
		kill -TERM -- "-$(cat "$BOCKER_ROOT/pgid")"
		rc=0
		wait "$p" || rc=$?
		[ "$rc" -eq 143 ] || { echo "try $i: rc $rc"; false; }
	done
	[ -z "$(ls "$BOCKER_ROOT/containers")" ]
	no_leftovers
}

@test "SIGINT, SIGTERM and SIGHUP to a foreground run: released before bocker exits, status says so" {
	for sig in INT TERM HUP; do
		with_sigint bocker run "$IMG" 'exec sleep 30' 3>&- &
		pid=$!
		c=$(wait_first_container)
		kill -"$sig" "$pid"
		rc=0
		wait "$pid" || rc=$?
		case $sig in INT) want=130 ;; TERM) want=143 ;; HUP) want=129 ;; esac
		[ "$rc" -eq "$want" ] || { echo "$sig: $rc, not $want"; false; }
		assert_released "$c"
		rm -rf "${BOCKER_ROOT:?}/containers/$c" "$BOCKER_ROOT/owners/$c"
	done
}

@test "a trapping container: bocker run exits with what the container said" {
	bocker run "$IMG" 'trap "exit 42" TERM; while :; do sleep 0.05; done' 3>&- &
	pid=$!
	c=$(wait_first_container)
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 42 ]
	assert_released "$c"
}

@test "a full disk: run fails with one line and leaves nothing" {
	local small=$BOCKER_ROOT/small
	mkdir "$small"
	mount -t tmpfs -o size=2m bk-small "$small"
	bk_defer umount -l "$small"
	cp -a "$BOCKER_ROOT/images" "$BOCKER_ROOT/layers" "$small/"
	dd if=/dev/zero of="$small/fill" bs=64k 2>/dev/null || true
	run env BOCKER_ROOT="$small" bocker run "$IMG" true
	echo "$output"
	assert_failure
	bk_assert_one_line
	[ -z "$(ls "$small/containers" 2>/dev/null)" ]
	[ -z "$(ls /run/netns | grep netns_ps_ | while read -r n; do
		[ -d "$small/containers/${n#netns_}" ] || [ -f "$small/owners/${n#netns_}" ] && echo "$n"; done)" ]
	[ -z "$(ls "$small/owners" 2>/dev/null)" ]
}

@test "gc beside running containers touches none of them; twice in a row is a no-op" {
	a=$(bocker run -d "$IMG" 'exec sleep 30')
	wait_running "$a"
	for _ in 1 2 3; do bocker run "$IMG" true; done
	run bocker gc
	assert_output ""
	run bocker exec "$a" 'echo alive'
	assert_output "alive"
	bocker stop -t 1 "$a" >/dev/null
	run bocker gc
	assert_output ""
}

@test "fault soak: 30 links of the chain killed at random moments, then gc: nothing left" {
	run timeout 600 sh "$BOCKIT_TOP/tests/soak.sh" 30
	echo "$output"
	assert_success
	assert_line --regexp '^soak: [0-9]+ runs, [0-9]+ links killed'
	for what in mounts netns veths cgroups leases state-dirs processes; do
		assert_line --regexp "^$what +0$"
	done
}
