#!/usr/bin/env bats
# security: a hostile image and a hostile command against the container
# boundary, as they would try it: through `nsrun --container` (the
# primitive), `bocker run` and `bocker exec`. bk-attack (tests/fixtures)
# prints CROSSED and exits 0 when an attack worked, "blocked" and 1 when it
# was stopped. Every attack here must be blocked; the positive checks at
# the end show ordinary programs still work under the same defaults.

load bocker-common
load security-common

setup_file() {
	bocker_setup_file
}

teardown_file() {
	bocker_teardown_file
}

setup() {
	bk_setup
	ROOTFS=$BOCKER_ROOT/rootfs
	attack_rootfs "$ROOTFS"
}

teardown() {
	bocker_teardown
}

# in_nsrun ARGS...: bk-attack ARGS inside nsrun --container (no cgroup).
in_nsrun() {
	nsrun --container --root "$ROOTFS" -- /bin/bk-attack "$@"
}

# attack_image: the attack rootfs as a bocker image, in $AIMG.
attack_image() {
	AIMG=$(bocker init "$ROOTFS" | sed -n 's/^Created: //p')
	[ -n "$AIMG" ]
}

# a -d container of the attack image, running, in $C
attack_container() {
	attack_image
	C=$(bocker run -d "$AIMG" 'exec sleep 60')
	wait_running "$C"
}

assert_blocked() {
	assert_failure 1
	assert_output --partial "blocked: "
	refute_output --partial "CROSSED"
}

# ---- file descriptors -------------------------------------------------------

@test "fds: a host directory fd of the caller does not reach the command (nsrun, run, exec)" {
	marker=$(attack_marker)
	run in_nsrun fdwalk "$marker" 9<"$BOCKER_ROOT"
	assert_blocked
	run in_nsrun fds 9<"$BOCKER_ROOT" 7</etc/passwd
	assert_blocked
	attack_container
	run bocker run --rm "$AIMG" /bin/bk-attack fdwalk "$marker" 9<"$BOCKER_ROOT"
	assert_blocked
	run bocker exec "$C" /bin/bk-attack fdwalk "$marker" 9<"$BOCKER_ROOT"
	assert_blocked
	run bocker exec "$C" /bin/bk-attack fds 9<"$BOCKER_ROOT"
	assert_blocked
}

@test "fds: nsrun -t passes no fd either; --preserve-fds N passes 3..3+N-1 on purpose" {
	run nsrun --container --root "$ROOTFS" --preserve-fds 2 -- \
		sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "' 3</etc/passwd 4</etc/group 9<"$BOCKER_ROOT"
	assert_success
	# 0 1 2, the two preserved, and ls's own directory fd
	assert_output --regexp '^0 1 2 3 4 5 $'
	run nsrun --preserve-fds 1 -- true 3<&-
	assert_failure 125
	assert_output "nsrun: --preserve-fds 1: fd 3 is not open"
	attack_container
	pid=$(cat "$BOCKER_ROOT/containers/$C/pid")
	run nsrun -t "$pid" -- /bin/bk-attack fds 9<"$BOCKER_ROOT"
	assert_blocked
}

@test "cwd: -w through /proc/self/fd/N is refused; the cwd starts inside the root" {
	run nsrun --container --root "$ROOTFS" -w /proc/self/fd/9 -- pwd 9<"$BOCKER_ROOT"
	assert_failure 125
	assert_output --partial "nsrun: workdir /proc/self/fd/9: "
	marker=$(attack_marker)
	run sh -c 'cd "$1" && shift && exec "$@"' sh "$BOCKER_ROOT" \
		nsrun --container --root "$ROOTFS" -- /bin/bk-attack fdwalk "$marker"
	assert_blocked
}

# ---- PID 1 ------------------------------------------------------------------

@test "PID 1: no host environ, cmdline, exe or fd through /proc/1 (nsrun, run, exec)" {
	run env BOCKIT_SECRET=hunter2 nsrun --container --root "$ROOTFS" -- /bin/bk-attack proc1 9<"$BOCKER_ROOT"
	assert_blocked
	refute_output --partial "hunter2"
	refute_output --partial "$BOCKER_ROOT"
	assert_output --partial "init -- /bin/bk-attack proc1"
	run nsrun --container --root "$ROOTFS" -- /bin/bk-attack ptrace-init
	assert_blocked
	run nsrun --container --root "$ROOTFS" -- /bin/bk-attack exe-write /proc/1/exe
	assert_blocked
	attack_container
	run env BOCKIT_SECRET=hunter2 bocker exec "$C" /bin/bk-attack proc1
	assert_blocked
	refute_output --partial "hunter2"
	refute_output --partial "$BOCKER_ROOT"
	run bocker exec "$C" /bin/bk-attack ptrace-init
	assert_blocked
}

@test "PID 1 as the host sees it: the container's environment and command only" {
	BOCKIT_SECRET=hunter2 nsrun --container --root "$ROOTFS" --clear-env -e MINE=1 \
		--pidfile "$BOCKER_ROOT/pid" -- sleep 30 &
	bk_defer kill $!
	for _ in $(seq 100); do [ -s "$BOCKER_ROOT/pid" ] && break; sleep 0.05; done
	pid=$(cat "$BOCKER_ROOT/pid")
	run sh -c "tr '\0' '\n' </proc/$pid/environ | grep ."
	assert_output "MINE=1"
	run sh -c "tr '\0' ' ' </proc/$pid/cmdline"
	assert_output --regexp '^init -- sleep 30 +$'
	[ "$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')" = "0 1 2 3 " ] # 3: the signalfd
	[ "$(stat -c %U "/proc/$pid/fd/3")" = root ]
	grep -q '^ *0$' <(awk '/^TracerPid/ {print $2}' "/proc/$pid/status")
}

@test "PID 1: the host nsrun, re-executed inside through /proc/self/exe (CVE-2019-5736), cannot be written" {
	# an image that ships every library nsrun needs, so the trick runs
	dyn_rootfs "$BOCKER_ROOT/dyn"
	local l
	for l in $(ldd "$BOCKIT_BIN/nsrun" | grep -o '/[^ ]*'); do
		mkdir -p "$BOCKER_ROOT/dyn${l%/*}"
		cp -L "$l" "$BOCKER_ROOT/dyn$l"
	done
	cp "$(attack_bin)" "$BOCKER_ROOT/dyn/bin/"
	run nsrun --container --root "$BOCKER_ROOT/dyn" -- /proc/self/exe -f -- \
		/bin/sh -c '/bin/bk-attack exe-write /proc/$PPID/exe; /bin/bk-attack exe-write /proc/1/exe'
	assert_line --index 0 --regexp '^blocked: open\(/proc/[0-9]+/exe, O_WRONLY\): Text file busy$'
	assert_line --index 1 "blocked: open(/proc/1/exe, O_WRONLY): Permission denied"
}

# ---- devices ----------------------------------------------------------------

@test "devices: a node made with mknod, shipped in the image or in a volume does not open" {
	run in_nsrun mknod-open /tmp/fuse c 10 229
	assert_blocked
	mknod -m 0666 "$ROOTFS/shipped-fuse" c 10 229
	run nsrun --container --root "$ROOTFS" --uid 65534 --gid 65534 -- /bin/bk-attack open /shipped-fuse rw
	assert_blocked
	mkdir "$BOCKER_ROOT/vol"
	mknod -m 0666 "$BOCKER_ROOT/vol/fuse" c 10 229
	run nsrun --container --root "$ROOTFS" --bind "$BOCKER_ROOT/vol:/vol" -- /bin/bk-attack open /vol/fuse rw
	assert_blocked
	# the standard nodes still work, and --device adds one on purpose
	run nsrun --container --root "$ROOTFS" --device /dev/fuse -- \
		sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c && /bin/bk-attack open /dev/fuse rw'
	assert_success
	assert_line --index 0 "4"
}

@test "devices: bocker run: mknod, a node in the image, in a volume; --device adds one, with its access" {
	mknod -m 0666 "$ROOTFS/shipped-fuse" c 10 229
	attack_image
	run bocker run --rm "$AIMG" /bin/bk-attack mknod-open /tmp/fuse c 10 229
	assert_blocked
	run bocker run --rm "$AIMG" /bin/bk-attack open /shipped-fuse rw
	assert_blocked
	mkdir "$BOCKER_ROOT/vol"
	mknod -m 0666 "$BOCKER_ROOT/vol/fuse" c 10 229
	run bocker run --rm -v "$BOCKER_ROOT/vol:/vol" "$AIMG" /bin/bk-attack open /vol/fuse rw
	assert_blocked
	run bocker run --rm --device /dev/fuse "$AIMG" /bin/bk-attack open /dev/fuse rw
	assert_success
	run bocker run --rm --device /dev/fuse:/dev/f:r "$AIMG" sh -c '/bin/bk-attack open /dev/f r; /bin/bk-attack open /dev/f rw'
	assert_line --index 0 --partial "CROSSED"
	assert_line --index 1 --partial "blocked"
	run bocker run --rm --device /etc/passwd "$AIMG" true
	assert_failure
	assert_output "bocker: --device '/etc/passwd': /etc/passwd is not a device node"
}

@test "devices: the cgroup layer alone stops a node on a mount that allows devices" {
	local cg=/bockit-test-$(bk_name dv)
	bk_defer cgset-lite delete --kill -f -g "devices:$cg"
	# no --nodev: only the device allow-list of the cgroup is in the way
	run cgset-lite exec --rm -g "devices:$cg" --device-allow default -- \
		nsrun -mp --mount-proc --mount-dev --root "$ROOTFS" -- /bin/bk-attack mknod-open /tmp/fuse c 10 229
	assert_blocked
	assert_output --partial "Operation not permitted"
}

# ---- cgroups ----------------------------------------------------------------

@test "cgroups: a private, read-only view; no path to the container's own limits" {
	attack_image
	run bocker --mem-limit=64 run --rm "$AIMG" 'cat /proc/self/cgroup; cat /sys/fs/cgroup/memory/memory.limit_in_bytes; ls /sys/fs/cgroup/memory | grep -c bocker; { echo -1 >/sys/fs/cgroup/memory/memory.limit_in_bytes; } 2>/dev/null || echo refused; grep " /sys/fs/cgroup/memory " /proc/self/mountinfo | grep -o " ro,"'
	assert_success
	# every hierarchy shows its own group as "/"
	refute_line --regexp '^[0-9]+:[^:]*:/.'
	assert_line "64000000"
	assert_line "0"
	assert_line "refused"
	assert_line " ro,"
	run bocker --mem-limit=64 run --rm "$AIMG" /bin/bk-attack write /sys/fs/cgroup/pids/pids.max max
	assert_blocked
}

@test "cgroups: a nested user namespace cannot mount the hierarchy and raise the limits" {
	attack_image
	run bocker --mem-limit=64 run --rm "$AIMG" /bin/bk-attack nested-userns-cgroup memory.limit_in_bytes -1
	assert_blocked
	run bocker run --rm --pids-limit 50 "$AIMG" /bin/bk-attack nested-userns-cgroup pids.max max
	assert_blocked
	attack_container
	run bocker exec "$C" /bin/bk-attack nested-userns-cgroup memory.limit_in_bytes -1
	assert_blocked
}

# ---- seccomp ------------------------------------------------------------------

# The kernel surfaces Docker's default profile closes, each tried by a
# hostile command as root in the container (the caps alone let some pass).
SECCOMP_ATTACKS="perf userfaultfd io-uring bpf kexec kexec-file open-by-handle init-module delete-module reboot swapon mount umount pivot-root clone-ns add-key"

@test "seccomp: Docker's default is on; keyrings, perf, userfaultfd, io_uring, bpf, kexec, modules, mount... fail with EPERM" {
	for a in $SECCOMP_ATTACKS; do
		run in_nsrun "$a"
		assert_blocked
		assert_output --partial "Operation not permitted"
	done
	run in_nsrun unshare
	assert_blocked
	refute_output --partial "CROSSED"
	run in_nsrun seccomp
	assert_output --partial "Seccomp:	2"
}

@test "seccomp: a key in the host root's keyring cannot be read or found from inside" {
	key=$(attack_host_key bk-attack-secret hostpayload)
	run in_nsrun keyctl-read "$key"
	assert_blocked
	refute_output --partial hostpayload
	run in_nsrun request-key bk-attack-secret
	assert_blocked
	attack_container
	run bocker exec "$C" /bin/bk-attack keyctl-read "$key"
	assert_blocked
}

@test "seccomp: the same through bocker run and bocker exec" {
	attack_image
	for a in perf userfaultfd io-uring clone-ns mount add-key; do
		run bocker run --rm "$AIMG" /bin/bk-attack "$a"
		assert_blocked
	done
	attack_container
	for a in perf userfaultfd io-uring clone-ns mount add-key; do
		run bocker exec "$C" /bin/bk-attack "$a"
		assert_blocked
	done
	run bocker exec "$C" /bin/bk-attack unshare user
	assert_blocked
}

@test "seccomp: unconfined turns it off; a profile file (podman's) loads; -v says what is loaded" {
	run nsrun --container --seccomp unconfined --root "$ROOTFS" -- /bin/bk-attack seccomp
	assert_output --partial "Seccomp:	0"
	run nsrun -v --container --root "$ROOTFS" -- true
	assert_output --regexp 'nsrun: seccomp: profile default: [0-9]+ rules, default SCMP_ACT_ERRNO\(EPERM\)'
	assert_output --regexp 'nsrun: seccomp\(SECCOMP_SET_MODE_FILTER, 0, [0-9]+ insns\)'
	run nsrun --container --seccomp /nonexistent.json --root "$ROOTFS" -- true
	assert_failure 125
	assert_output --partial "nsrun: --seccomp: "
	bk_assert_one_line
	local podman=/usr/share/containers/seccomp.json
	[ -f "$podman" ] || skip "podman's profile $podman is not installed"
	# more permissive: unshare(CLONE_NEWUSER) passes it, keyctl too
	run nsrun --container --seccomp "$podman" --root "$ROOTFS" -- /bin/bk-attack unshare user
	assert_success
	run nsrun --container --seccomp "$podman" --root "$ROOTFS" -- /bin/bk-attack perf
	assert_blocked
}

@test "ordinary work runs under the defaults: busybox, bash, Debian's dynamic programs, ping" {
	dyn_rootfs "$BOCKER_ROOT/dyn"
	run nsrun --container --root "$BOCKER_ROOT/dyn" -- bash -c 'id -u; ls -d /bin /etc; read -r l </etc/passwd; echo "$l"; sh -c "echo dash \$((1+2))"'
	assert_success
	assert_line --index 0 "0"
	assert_line "root:x:0:0:root:/root:/bin/bash"
	assert_line "dash 3"
	run nsrun --container --root "$ROOTFS" -- sh -c 'ps | wc -l; find /etc | wc -l; sleep 0.1 & wait; echo ok'
	assert_success
	assert_line "ok"
	DIMG=$(bocker init "$BOCKER_ROOT/dyn" | sed -n 's/^Created: //p')
	run bocker run --rm "$DIMG" ping -c 1 -W 2 "${BOCKER_SUBNET%/*}"
	assert_success
	assert_output --partial "1 received"
}

# ---- what held before, kept ---------------------------------------------------

@test "still held: pivot_root escape, /proc/sys, release_agent, setuid, a symlinked /etc/hosts" {
	cp "$BOCKIT_TOP/build/tests/chroot-escape" "$ROOTFS/bin/"
	marker=$(attack_marker)
	run nsrun --container --root "$ROOTFS" --caps=default,+sys_chroot -- /bin/chroot-escape "$marker"
	assert_success
	assert_output "contained"
	run in_nsrun write /proc/sys/kernel/hostname evil
	assert_blocked
	run nsrun --container --root "$ROOTFS" -- sh -c 'ls /sys/fs/cgroup/*/release_agent 2>/dev/null | wc -l'
	assert_output "0"
	mkdir "$ROOTFS/suid"
	cp "$ROOTFS/bin/busybox" "$ROOTFS/suid/id" # busybox runs the applet its name says
	chmod 4755 "$ROOTFS/suid/id"
	run nsrun --container --root "$ROOTFS" --uid 65534 --gid 65534 -- /suid/id -u
	assert_output "65534"
	echo "host file" >"$BOCKER_ROOT/host-hosts"
	ln -sf "$BOCKER_ROOT/host-hosts" "$ROOTFS/etc/hosts"
	attack_image
	run bocker run --rm --name sym "$AIMG" 'grep -c sym /etc/hosts'
	assert_output "1"
	[ "$(cat "$BOCKER_ROOT/host-hosts")" = "host file" ]
}
