#!/usr/bin/env bats
# End to end: whole containers through bocker, checked in the kernel.

load bocker-common

setup_file() { bocker_setup_file; }
teardown_file() { bocker_teardown_file; }
setup() { bocker_setup; }
teardown() { bocker_teardown; }

@test "--mem-limit is enforced: a process allocating past it is OOM-killed" {
	run bocker run --mem-limit=32 --network none "$IMG" 'exec tail /dev/zero'
	assert_failure 137
	c=$(ls "$BOCKER_ROOT/containers")
	run bocker ps -a
	assert_output --regexp "$c .*exited\(137\)"
	run bocker run --mem-limit=32 --network none "$IMG" 'head -c 8000000 /dev/zero | tail -c 1 | wc -c'
	assert_success
	assert_output "1"
}

@test "two containers on the bridge ping each other and the gateway" {
	a=$(bocker run -d "$IMG" 'exec sleep 60')
	b=$(bocker run -d "$IMG" 'exec sleep 60')
	wait_running "$a"
	wait_running "$b"
	[ "$(ctr_ip "$a")" != "$(ctr_ip "$b")" ]
	run bocker exec "$a" ping -c 1 -W 2 "$(ctr_ip "$b")"
	assert_success
	assert_output --partial "1 packets received"
	run bocker exec "$b" ping -c 1 -W 2 "${BOCKER_SUBNET%/*}"
	assert_success
}

@test "exec joins a -d container: its PID 1, files, hostname, env and cgroup" {
	c=$(bocker run -d --name box -e MARK=here "$IMG" 'echo hi > /tmp/made-inside; exec sleep 60')
	wait_running "$c"
	run bocker exec box 'cat /proc/1/comm; cat /tmp/made-inside; hostname; echo $MARK; grep memory /proc/self/cgroup; grep -qx $$ /sys/fs/cgroup/memory/cgroup.procs && echo in-group'
	assert_success
	assert_line --index 0 "nsrun"
	assert_line --index 1 "hi"
	assert_line --index 2 "box"
	assert_line --index 3 "here"
	# its own cgroup namespace: the container's group is its root
	assert_line --index 4 --regexp "^[0-9]+:memory:/$"
	assert_line --index 5 "in-group"
	grep -q . "$(find /sys/fs/cgroup/memory -type d -path "*/bocker/$c")/cgroup.procs"
	run bocker exec ps_0000000000 true
	assert_failure 1
}

@test "commit: the new image sees the change, and its layer holds only the change" {
	run bocker run --network none "$IMG" 'echo v2 > /etc/motd; rm /bin/vi; mkdir -p /srv/app && echo ok > /srv/app/x'
	assert_success
	c=$(ls "$BOCKER_ROOT/containers")
	run bocker commit "$c" app:v2
	assert_success
	assert_output --regexp '^Created: img_[0-9a-f]{12}$'
	new=${output#Created: }
	[ "$(wc -l <"$BOCKER_ROOT/images/$new/layers")" -eq 2 ]
	[ "$(sed -n 2p "$BOCKER_ROOT/images/$new/layers")" = "$(cat "$BOCKER_ROOT/images/$IMG/layers")" ]
	top=$BOCKER_ROOT/layers/sha256/$(head -n 1 "$BOCKER_ROOT/images/$new/layers")
	[ -f "$top/etc/motd" ]
	[ -c "$top/bin/vi" ]          # the deletion, kept as a whiteout
	[ ! -e "$top/bin/busybox" ]   # nothing of the image itself
	[ "$(du -sk "$top" | cut -f1)" -lt 100 ]
	run bocker run --network none "$new" 'cat /etc/motd /srv/app/x; ls /bin/vi 2>&1'
	assert_line --index 0 "v2"
	assert_line --index 1 "ok"
	assert_output --partial "No such file"
}

@test "rm of an exited container leaves no netns, veth, mount, cgroup or lease" {
	c=$(bocker run -d "$IMG" 'exec sleep 60')
	wait_running "$c"
	[ -e "/run/netns/netns_$c" ]
	[ -n "$(find /sys/fs/cgroup -maxdepth 3 -type d -path "*/bocker/$c")" ]
	bocker stop "$c"
	bocker rm "$c"
	assert_released "$c"
	[ ! -d "$BOCKER_ROOT/containers/$c" ]
}

@test "on a host whose / is shared (systemd's), the overlay never shows outside" {
	# The host is played by a mount namespace whose / is made rshared.
	run unshare -m --propagation unchanged sh -c '
		mount --make-rshared / || exit 99
		bocker run --name shared "$1" "grep -c \" / overlay \" /proc/mounts"
		echo "outside $(grep -c " $2/" /proc/self/mountinfo)"' sh "$IMG" "$BOCKER_ROOT"
	assert_success
	assert_line --index 0 1                  # inside: its root
	assert_line "outside 0"
}

@test "SIGTERM to a foreground bocker run releases everything" {
	bocker run "$IMG" 'exec sleep 60' 3>&- &
	pid=$!
	c=$(wait_first_container)
	kill -TERM "$pid"
	rc=0; wait "$pid" || rc=$?
	[ "$rc" -ne 0 ]
	assert_released "$c"
	run bocker ps -a
	assert_output --regexp "$c .*exited"
}

@test "kill -9 of a foreground bocker run: the container runs on, adoptable; its end releases it" {
	bocker run "$IMG" 'exec sleep 60' 3>&- &
	pid=$!
	c=$(wait_first_container)
	wait_running "$c"
	kill -9 "$pid"
	wait "$pid" || true
	# the truth: it runs, without its owner
	run bocker ps -a
	assert_output --regexp "$c .*running"
	run bocker exec "$c" 'echo inside'
	assert_output "inside"
	run bocker gc
	refute_output --partial "$c"
	[ -d "/run/netns/netns_$c" ] || [ -e "/run/netns/netns_$c" ]
	run bocker stop -t 1 "$c"
	assert_success
	assert_released "$c"
	run bocker ps -a
	assert_output --regexp "$c .*exited\(143\)"
}

@test "kill -9 of the run's whole process group: ps says dead, gc releases it once" {
	setsid sh -c 'echo $$ >"$1/pgid"; exec bocker run "$2" "exec sleep 60"' sh "$BOCKER_ROOT" "$IMG" \
		</dev/null >/dev/null 2>&1 3>&- &
	c=$(wait_first_container)
	wait_running "$c"
	kill -9 -- "-$(cat "$BOCKER_ROOT/pgid")"
	# the chain died with the group (nsrun's init follows its supervisor)
	for _ in $(seq 40); do bocker ps -a | grep -q "^$c .*dead" && break; sleep 0.05; done
	run bocker ps -a
	assert_output --regexp "$c .*dead"
	run bocker exec "$c" true
	assert_failure 1
	run bocker gc
	assert_success
	assert_output "Cleaned: $c"
	assert_released "$c"
	run bocker gc
	assert_output ""
}

@test "50 parallel bocker run -d: distinct ids and addresses, all cleaned" {
	for i in $(seq 50); do
		bocker run -d "$IMG" 'exec sleep 30' >"$BOCKER_ROOT/out.$i" 2>&1 3>&- &
	done
	wait
	ids=$(cat "$BOCKER_ROOT"/out.* | grep -c '^ps_')
	[ "$ids" -eq 50 ] || { cat "$BOCKER_ROOT"/out.*; false; }
	[ "$(cat "$BOCKER_ROOT"/out.* | sort -u | wc -l)" -eq 50 ]
	for c in $(cat "$BOCKER_ROOT"/out.*); do wait_running "$c"; done
	[ "$(cat "$BOCKER_ROOT"/containers/*/ip | sort -u | wc -l)" -eq 50 ]
	bocker stop -t 2 $(cat "$BOCKER_ROOT"/out.*) >/dev/null
	bocker rm $(cat "$BOCKER_ROOT"/out.*) >/dev/null
	for c in $(cat "$BOCKER_ROOT"/out.*); do assert_released "$c"; done
}
