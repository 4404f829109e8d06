#!/usr/bin/env bats
# nsrun: namespaces, root switch, mounts, identity, hardening, init.

load helpers

setup() {
	bk_setup
	ROOTFS=$(bk_rootfs)
}

teardown() {
	bk_teardown
}

# A writable rootfs copy for tests that change files.
rootfs_copy() {
	bk_rootfs_copy "$BOCKER_ROOT/rootfs"
	echo "$BOCKER_ROOT/rootfs"
}

@test "help and version go to stdout and exit 0" {
	run nsrun --help
	assert_success
	assert_output --partial "Usage: nsrun"
	bk_assert_version nsrun
}

@test "-p --mount-proc: the command is PID 2 under nsrun's init, host PIDs invisible" {
	run nsrun -fmp --mount-proc -- sh -c 'echo $$; ls -d /proc/[0-9]* | wc -l; cat /proc/1/comm'
	assert_success
	assert_line --index 0 "2"
	# init (1), sh (2), ls (+ wc): far fewer than on the host
	[ "${lines[1]}" -le 5 ]
	assert_line --index 2 "nsrun"
	[ ! -e /proc/1/comm ] || [ "$(cat /proc/1/comm)" != nsrun ]
}

@test "--no-init: the command itself is PID 1" {
	run nsrun -p --mount-proc --no-init -- sh -c 'echo $$'
	assert_success
	assert_output "1"
}

@test "-u --hostname: hostname changes inside only" {
	before=$(hostname)
	run nsrun --hostname bk-inside -- hostname
	assert_success
	assert_output "bk-inside"
	[ "$(hostname)" = "$before" ]
}

@test "-m: a mount made inside does not appear outside" {
	mkdir "$BOCKER_ROOT/mnt"
	run nsrun -m -- sh -c "mount -t tmpfs bk-test '$BOCKER_ROOT/mnt' && grep -c ' $BOCKER_ROOT/mnt ' /proc/self/mountinfo"
	assert_success
	assert_output "1"
	[ -z "$(bk_mounts_under "$BOCKER_ROOT/mnt")" ]
}

@test "-m on a host whose / is shared: the new namespace's mounts are private" {
	mkdir "$BOCKER_ROOT/mnt"
	run unshare -m --propagation unchanged sh -c '
		mount --make-rshared / || exit 99
		nsrun -v -m -- mount -t tmpfs bk-test "$1" || exit 98
		echo "left $(grep -c " $1 " /proc/self/mountinfo)"' sh "$BOCKER_ROOT/mnt"
	assert_success
	assert_line 'nsrun: mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL)'
	assert_line 'left 0'
}

@test "-n gives only lo; --net=FILE joins an existing netns" {
	run nsrun -n -- ip -o link show
	assert_success
	assert_output --regexp '^1: lo:'
	[ "${#lines[@]}" -eq 1 ]

	ns=$(bk_name bkns)
	ip netns add "$ns"
	bk_defer ip netns del "$ns"
	run nsrun --net="/run/netns/$ns" -- readlink /proc/self/ns/net
	assert_success
	assert_output "net:[$(stat -L -c %i "/run/netns/$ns")]"
	[ "$output" != "$(readlink /proc/self/ns/net)" ]
}

@test "--root: pivot_root cannot be escaped by chroot-in-chroot; --chroot can" {
	esc=$BOCKIT_TOP/build/tests/chroot-escape
	[ -x "$esc" ] || make -C "$BOCKIT_TOP" build/tests/chroot-escape >&2
	root=$(rootfs_copy)
	cp "$esc" "$root/bin/chroot-escape"
	marker="$BOCKER_ROOT/host-only-marker"
	touch "$marker"
	run nsrun --root "$root" --caps=all -- /bin/chroot-escape "$marker"
	assert_success
	assert_output "contained"
	run nsrun --root "$root" --chroot -- /bin/chroot-escape "$marker"
	assert_success
	assert_output "escaped"
	# --chroot with --nodev (a mount attribute): the root is bound first
	run nsrun --container --chroot --root "$root" -- sh -c 'grep -c "^[0-9]* [0-9]* [^ ]* [^ ]* / rw,nodev," /proc/self/mountinfo'
	assert_success
	assert_output "1"
}

@test "--root: the container sees its rootfs, and nothing stays mounted" {
	run nsrun --container --root "$ROOTFS" -- sh -c 'ls /bin/busybox && cat /etc/passwd | head -n 1'
	assert_success
	assert_line --index 0 "/bin/busybox"
	assert_line --index 1 "root:x:0:0:root:/root:/bin/sh"
	[ -z "$(bk_mounts_under "$ROOTFS")" ]
}

@test "--mount-dev: minimal /dev with the usual nodes and links" {
	run nsrun --container --root "$ROOTFS" -- sh -c \
		'ls /dev | tr "\n" " "; echo; echo hi > /dev/null && head -c 4 /dev/zero | wc -c; readlink /dev/fd'
	assert_success
	assert_line --index 0 "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero "
	assert_line --index 1 "4"
	assert_line --index 2 "/proc/self/fd"
}

@test "--mask-proc: /proc/keys and /proc/timer_list masked, /proc/sys read-only" {
	run nsrun --container --root "$ROOTFS" -- sh -c \
		'wc -c < /proc/keys; wc -c < /proc/timer_list; echo x > /proc/sys/kernel/hostname'
	assert_failure
	assert_line --index 0 "0"
	assert_line --index 1 "0"
	assert_output --partial "Read-only file system"
	if [ -e /proc/kcore ]; then
		run nsrun --container --root "$ROOTFS" -- sh -c 'wc -c < /proc/kcore'
		assert_output "0"
	fi
	# without --mask-proc the same file is readable
	run nsrun -p --mount-proc --root "$ROOTFS" -- sh -c 'head -c 1 /proc/timer_list | wc -c'
	assert_output "1"
}

@test "--mount-sys: /sys is read-only" {
	run nsrun --container --root "$ROOTFS" -- sh -c 'ls /sys/kernel >/dev/null && touch /sys/kernel/x'
	assert_failure
	assert_output --partial "Read-only file system"
}

@test "--caps: default, none and all land in /proc/self/status" {
	run nsrun --caps=default -- grep CapBnd /proc/self/status
	assert_output --regexp 'CapBnd:[[:space:]]+00000000a80425fb'
	run nsrun --caps=default -- grep CapEff /proc/self/status
	assert_output --regexp 'CapEff:[[:space:]]+00000000a80425fb'
	run nsrun --caps=none -- grep -E 'CapEff|CapBnd' /proc/self/status
	assert_line --index 0 --regexp 'CapEff:[[:space:]]+0000000000000000'
	assert_line --index 1 --regexp 'CapBnd:[[:space:]]+0000000000000000'
	host=$(grep CapBnd /proc/self/status)
	run nsrun --caps=all -- grep CapBnd /proc/self/status
	assert_output "$host"
	run nsrun --caps=default,-net_raw,+SYS_ADMIN -- grep CapBnd /proc/self/status
	assert_output --regexp 'CapBnd:[[:space:]]+00000000a82405fb'
	run nsrun --caps=bogus -- true
	assert_failure 125
	assert_output "nsrun: --caps: unknown capability 'bogus'"
}

@test "--no-new-privs sets NoNewPrivs" {
	run nsrun --no-new-privs -- grep NoNewPrivs /proc/self/status
	assert_output --regexp 'NoNewPrivs:[[:space:]]+1'
}

@test "init reaps orphaned zombies" {
	run nsrun -p --mount-proc -- sh -c '
		for i in 1 2 3 4 5 6 7 8 9 10; do sh -c "sleep 0.2 & exit 0"; done
		sleep 1
		grep -l "^State:.*Z" /proc/[0-9]*/status 2>/dev/null | wc -l'
	assert_success
	assert_output "0"
}

@test "SIGTERM to the outer nsrun reaches the command" {
	ready=$BOCKER_ROOT/trap-set
	nsrun -p --mount-proc -- sh -c 'trap "exit 42" TERM; touch "$1"; while :; do sleep 0.05; done' sh "$ready" 3>&- &
	pid=$!
	for _ in $(seq 200); do [ -e "$ready" ] && break; sleep 0.05; done
	kill -TERM "$pid"
	rc=0; wait "$pid" || rc=$?
	[ "$rc" -eq 42 ]

	nsrun -p --mount-proc -- sleep 100 3>&- &
	pid=$!
	sleep 0.3
	kill -TERM "$pid"
	rc=0; wait "$pid" || rc=$?
	[ "$rc" -eq 143 ]
}

@test "exit statuses: 0, 3, 125, 126, 127, 128+9" {
	run nsrun -p --mount-proc -- true
	assert_success
	run nsrun -p --mount-proc -- sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run nsrun --root /nonexistent -- true
	[ "$status" -eq 125 ]
	run nsrun -p -- /etc/passwd
	[ "$status" -eq 126 ]
	assert_output "nsrun: /etc/passwd: Permission denied"
	run -127 nsrun -p -- /nonexistent/cmd
	[ "$status" -eq 127 ]
	assert_output "nsrun: /nonexistent/cmd: No such file or directory"
	run nsrun -p --mount-proc -- sh -c 'kill -9 $$'
	[ "$status" -eq 137 ]
	run nsrun -m -- sh -c 'kill -9 $$'
	[ "$status" -eq 137 ]
}

@test "--log: stdout and stderr reach ours apart and the log as records; a gone reader; a bad log path" {
	local log=$BATS_TEST_TMPDIR/log out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	run_rc() { local rc=0; "$@" || rc=$?; echo "$rc" >"$BATS_TEST_TMPDIR/rc"; }
	run_rc nsrun --container --root "$ROOTFS" --log "$log" -- \
		sh -c 'echo o; echo e >&2; printf "p> "; exit 3' >"$out" 2>"$err"
	[ "$(cat "$BATS_TEST_TMPDIR/rc")" = 3 ]
	[ "$(cat "$out")" = "$(printf 'o\np> ')" ]
	[ "$(cat "$err")" = e ]
	run cat "$log"
	assert_line "1 o"
	assert_line "2 e"
	assert_line "1+p> "
	[ "${#lines[@]}" -eq 3 ]
	# stderr is the log itself: one record, no second copy
	: >"$log"
	nsrun --log "$log" -- sh -c 'echo only >&2' 2>>"$log"
	run cat "$log"
	assert_output "2 only"
	# the reader gone: the command ends by SIGPIPE, nsrun with 141
	run sh -c 'nsrun --log "$1" -p -- yes | head -1; echo "status $?"' sh "$log"
	assert_line --index 0 y
	run bash -c 'nsrun --log "$1" -p -- yes | head -1 >/dev/null; echo "${PIPESTATUS[0]}"' sh "$log"
	assert_output 141
	run nsrun --log /nonexistent/dir/log -- true
	assert_failure 125
	assert_output "nsrun: --log /nonexistent/dir/log: No such file or directory"
}

@test "--tty: a pty of the container's own devpts as the controlling terminal, its size, the terminal raw meanwhile and put back" {
	run python3 "$BOCKIT_TOP/tests/fixtures/ptydrive.py" --size 33x111 \
		'expect:ready' 'send:typed\r' \
		-- nsrun -v --container --root "$ROOTFS" --tty -- \
		sh -c 'tty; ls /dev/pts | tr "\n" " "; echo; stty size; echo ready; read x; echo "got $x"; exit 9'
	assert_success
	assert_line "status: 9"
	assert_line "terminal: cooked"
	# a new devpts instance: the container's pty is its first and only one
	assert_output --partial '/dev/pts/0\r\n0 ptmx \r\n33 111\r\n'
	assert_output --partial 'got typed'
	assert_output --partial 'recvmsg(): the pty'
	assert_output --partial 'tcsetattr(0, TCSADRAIN, raw)'
	# without a terminal around it, the pty still works, its output relayed
	run nsrun --container --root "$ROOTFS" --tty -- sh -c 'tty; exit 2' </dev/null
	assert_failure 2
	assert_output --partial '/dev/pts/0'
}

@test "--read-only: / read-only once mounted, /dev and binds keep their modes; not with -t" {
	local d=$BATS_TEST_TMPDIR/rw
	mkdir -p "$d"
	run nsrun -v --read-only --container --root "$ROOTFS" --bind "$d:/mnt" -- \
		sh -c 'touch /x || echo ro; touch /mnt/w && echo bind-rw; touch /dev/shm/s && echo shm-rw'
	assert_success
	assert_line --partial "mount_setattr(/, MOUNT_ATTR_RDONLY)"
	assert_line --partial "Read-only file system"
	assert_line ro
	assert_line bind-rw
	assert_line shm-rw
	[ ! -e "$ROOTFS/x" ]
	run nsrun -t $$ --read-only -- true
	assert_failure 125
	bk_assert_one_line
}

@test "--pidfile holds the host PID of PID 1 while it runs, and is removed after" {
	pf=$BOCKER_ROOT/pid
	nsrun --container --root "$ROOTFS" --pidfile "$pf" -- sleep 30 3>&- &
	pid=$!
	bk_defer kill -9 "$pid"
	for _ in $(seq 50); do [ -s "$pf" ] && break; sleep 0.05; done
	cpid=$(cat "$pf")
	[ "$(cat /proc/$cpid/comm)" = nsrun ]
	[ "$(awk '/^NSpid/ {print $3}' /proc/$cpid/status)" = 1 ]
	kill -TERM "$pid"
	wait "$pid" || true
	[ ! -e "$pf" ]
}

# start_container PIDFILE NSRUN-OPTIONS... — a container in the
# background running `sleep 30` (killed at teardown); waits for its pid file.
start_container() {
	local pf=$1
	shift
	nsrun "$@" --pidfile "$pf" -- sleep 30 3>&- &
	bk_defer kill -9 "$!"
	for _ in $(seq 100); do [ -s "$pf" ] && break; sleep 0.05; done
	[ -s "$pf" ]
}

@test "-t PID -r -w joins a running container: its namespaces, root, cwd and env" {
	pf=$BOCKER_ROOT/pid
	start_container "$pf" --container --root "$ROOTFS" --hostname joined-box -w /etc -e BK_MARK=42
	run nsrun -t "$(cat "$pf")" -r -w --target-env -- sh -c 'hostname; pwd; echo $BK_MARK; cat /proc/1/comm; ls /bin/busybox'
	assert_success
	assert_line --index 0 "joined-box"
	assert_line --index 1 "/etc"
	assert_line --index 2 "42"
	assert_line --index 3 "nsrun"
	assert_line --index 4 "/bin/busybox"
	# named namespaces only
	run nsrun -t "$(cat "$pf")" -u -- hostname
	assert_output "joined-box"
}

@test "-t PID takes namespaces only, as nsenter: -n runs the host's ip in the container's netns" {
	pf=$BOCKER_ROOT/pid
	start_container "$pf" --container -n --root "$ROOTFS"
	pid=$(cat "$pf")
	run nsenter -t "$pid" -n ip -br addr
	assert_success
	want=$output
	# the busybox root has its own ip, which knows no -br: the host's runs
	run nsrun -t "$pid" -n -- ip -br addr
	assert_success
	assert_output "$want"
	assert_output --regexp '^lo +DOWN'
	run nsrun -t "$pid" -n -- readlink /proc/self/ns/net
	assert_output "$(readlink "/proc/$pid/ns/net")"
	[ "$(nsrun -t "$pid" -n -- readlink /proc/self/root)" = / ]
}

@test "-t PID -r/-w/--root=DIR/--wd=DIR: roots and cwds as nsenter's, / without -w" {
	pf=$BOCKER_ROOT/pid
	start_container "$pf" --container --root "$ROOTFS" -w /etc
	pid=$(cat "$pf")
	# each line: nsrun's words, then nsenter's (same options), the same cwd
	while read -r want words; do
		# shellcheck disable=SC2086 # the words are options
		run nsrun -t "$pid" $words -- pwd
		assert_success
		assert_output "$want"
		# shellcheck disable=SC2086
		[ "$(nsenter -t "$pid" $words pwd)" = "$want" ] || fail "nsenter $words: not $want"
	done <<-EOF
		/ -m
		/etc -m -w
		/etc -r -w
		/etc -m -r -w
		/tmp -u --wd=/tmp
	EOF
	# -r alone: the new root's / (nsenter would keep a cwd outside it)
	run nsrun -t "$pid" -r -- pwd
	assert_output "/"
	run nsrun -t "$pid" -u "--root=$ROOTFS" -- /bin/busybox ls /linuxrc
	assert_output "/linuxrc"
	# -W/--workdir DIR: a directory inside, after the root switch
	run nsrun -t "$pid" -r -W /var -- pwd
	assert_output "/var"
	run nsrun -t "$pid" -r --workdir /var/log -- pwd
	assert_output "/var/log"
	run nsrun -t "$pid" -u --wd=/nonexistent -- pwd
	assert_failure 125
	assert_output "nsrun: cwd /nonexistent: No such file or directory"
}

@test "-t PID into a container that chroot()ed (unshare ... chroot): its own chroot works" {
	ROOTFS=$(rootfs_copy)   # the container writes to it
	unshare -fmuip --mount-proc chroot "$ROOTFS" /bin/sh -c 'echo made-inside >/tmp/mark-$$; exec sleep 30' 3>&- &
	bk_defer kill -9 "$!"
	for _ in $(seq 100); do
		cid=$(pgrep -P "$!" || true)
		[ -n "$cid" ] && break
		sleep 0.05
	done
	[ -n "$cid" ]
	run nsenter -t "$cid" -m -u -i -n -p chroot "$ROOTFS" /bin/cat /tmp/mark-1
	assert_output "made-inside"
	# bocker's exec line with nsrun in place of nsenter
	run nsrun -t "$cid" -m -u -i -n -p chroot "$ROOTFS" /bin/cat /tmp/mark-1
	assert_success
	assert_output "made-inside"
}

@test "-r DIR and -w DIR before -t are refused with the rule; -a needs -t" {
	run nsrun -r "$ROOTFS" -t 1 -- true
	assert_failure 125
	assert_output "nsrun: --target must come before -r DIR and -w DIR (with --target they take only an attached value: -rDIR, --root=DIR)"
	run nsrun --wd /tmp --target 1 -- true
	assert_failure 125
	assert_output --partial "nsrun: --target must come before"
	run nsrun -a -- true
	assert_failure 125
	assert_output "nsrun: --all needs --target"
	# after -t, a bare -r is the target's root and the next word the COMMAND
	run nsrun -t $$ -m -r "$ROOTFS" -- true
	assert_failure 126
	# -a is the default: every namespace that differs
	pf=$BOCKER_ROOT/pid
	start_container "$pf" -u --hostname all-box
	run nsrun -t "$(cat "$pf")" -a -- hostname
	assert_output "all-box"
}

# The bash bocker's exec finds a container as `ps` shows it: the line of the
# process started as `unshare ... ID`, then that process's one child.
@test "unshare form: ps shows nsrun's command line as given; --no-init makes the command PID 1" {
	mark=bkmark$$$RANDOM
	for init in --no-init ""; do
		# shellcheck disable=SC2086 # "" is no word
		nsrun -fmuip --mount-proc $init -- sh -c "exec sleep 30" "$mark" 3>&- &
		bk_defer kill -9 "$!"
		# PID 1 of the namespace: the command itself, or the init titled
		# "init -- COMMAND" once its child runs
		want="sleep 30"
		[ -n "$init" ] || want="init -- sh -c exec sleep 30 $mark"
		for _ in $(seq 100); do
			child=$(ps -e -o ppid=,pid= | awk -v p="$!" '$1 == p { print $2 }')
			[ -n "$child" ] && [ "$(ps -o args= -p "$child")" = "$want" ] && break
			sleep 0.05
		done
		[ "$(ps -o args= -p "$child")" = "$want" ] || fail "PID 1: $(ps -o args= -p "$child")"
		[ "$(awk '/^NSpid/ { print $NF }' "/proc/$child/status")" = 1 ]
		# one line matches nsrun.*MARK: the outer nsrun, as it was started
		run sh -c "ps -e -o pid=,args= | grep -E '^ *[0-9]+ nsrun.*$mark'"
		bk_assert_one_line
		assert_output --regexp "^ *$! nsrun -fmuip --mount-proc ${init:+$init }-- sh -c exec sleep 30 $mark\$"
		kill -9 "$!"
		wait "$!" 2>/dev/null || true
	done
}

@test "-U --map-root-user as an unprivileged user: uid 0 inside, new PID ns" {
	cp "$BOCKIT_BIN/nsrun" "$BOCKER_ROOT/nsrun"
	chmod 755 "$BOCKER_ROOT" "$BOCKER_ROOT/nsrun"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BOCKER_ROOT/nsrun" -U --map-root-user -m -p --mount-proc -- sh -c 'id -u; echo $$'
	assert_success
	assert_line --index 0 "0"
	assert_line --index 1 "2"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BOCKER_ROOT/nsrun" -U --map-root-user --container --root "$ROOTFS" -- sh -c 'id -u; ls /sys/kernel >/dev/null && echo sys'
	assert_success
	assert_line --index 0 "0"
	assert_line --index 1 "sys"
}

@test "--bind SRC:DST:ro, --tmpfs, --workdir, --env, --clear-env, --uid/--gid" {
	mkdir -p "$BOCKER_ROOT/data"
	echo payload >"$BOCKER_ROOT/data/file"
	run nsrun --container --root "$ROOTFS" --bind "$BOCKER_ROOT/data:/mnt/data:ro" \
		--tmpfs /scratch -w /mnt/data --clear-env -e A=1 -e PATH=/bin \
		--uid 65534 --gid 65534 -- sh -c \
		'cat file; pwd; env | sort | tr "\n" " "; echo; id -u; touch /scratch/x 2>&1; touch file 2>&1'
	assert_line --index 0 "payload"
	assert_line --index 1 "/mnt/data"
	assert_line --index 2 --regexp '^A=1 PATH=/bin (PWD=/mnt/data |SHLVL=1 )*$'
	assert_line --index 3 "65534"
	assert_output --partial "touch: /scratch/x: Permission denied"
	assert_output --partial "touch: file: Read-only file system"
}

@test "bad flags and missing roots: one-line error, status 125, nothing mounted" {
	run nsrun --bogus -- true
	[ "$status" -eq 125 ]
	assert_output "nsrun: unknown option '--bogus' (see nsrun --help)"
	run nsrun -Q -- true
	[ "$status" -eq 125 ]
	assert_output "nsrun: unknown option '-Q' (see nsrun --help)"
	run nsrun --root
	[ "$status" -eq 125 ]
	bk_assert_one_line
	run nsrun --root "$BOCKER_ROOT/missing" -- true
	[ "$status" -eq 125 ]
	assert_output "nsrun: root $BOCKER_ROOT/missing: No such file or directory"
	run nsrun --bind /nonexistent:/x --root "$ROOTFS" -- true
	[ "$status" -eq 125 ]
	assert_output "nsrun: bind source /nonexistent: No such file or directory"
	run nsrun --mask-proc -- true
	[ "$status" -eq 125 ]
	bk_assert_one_line
	run nsrun --container --root "$ROOTFS" -w /etc/passwd/x -- true
	[ "$status" -eq 125 ]
	assert_output "nsrun: workdir /etc/passwd/x: Not a directory"
	run nsrun -t 999999999 -- true
	[ "$status" -eq 125 ]
	bk_assert_one_line
	[ -z "$(bk_mounts_under "$ROOTFS")" ]
}

@test "-v traces each kernel step in a re-typable form" {
	run nsrun -v --container --root "$ROOTFS" -- true
	assert_success
	assert_line --index 0 --partial 'nsrun: cgroup view: '
	assert_line --index 1 'nsrun: close_range(3, ~0U, CLOSE_RANGE_CLOEXEC)'
	assert_line --index 2 --partial 'nsrun: seccomp: profile default: '
	assert_line --index 3 'nsrun: unshare(CLONE_NEWPID)'
	assert_line --index 4 'nsrun: fork()'
	assert_line --index 5 'nsrun: prctl(PR_SET_DUMPABLE, 0)'
	assert_line --index 6 --partial 'nsrun: signal(1..'
	assert_line --index 7 'nsrun: unshare(CLONE_NEWCGROUP|CLONE_NEWIPC|CLONE_NEWUTS|CLONE_NEWNS)'
	assert_output --partial 'nsrun: seccomp(SECCOMP_SET_MODE_FILTER, 0, '
	assert_output --partial 'nsrun: pivot_root(".", ".")'
	assert_output --partial 'nsrun: umount2(".", MNT_DETACH)'
	assert_output --partial "nsrun: mount(\"proc\", \"$ROOTFS/proc\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC)"
}

@test "stdin passes through untouched" {
	run sh -c 'echo piped | nsrun -m -- cat'
	assert_success
	assert_output "piped"
	run sh -c 'echo piped | nsrun -p --mount-proc -- cat'
	assert_output "piped"
}

@test "-U --map-root-user works as root too" {
	run nsrun -U --map-root-user -- sh -c 'id -u; id -g'
	assert_success
	assert_line --index 0 "0"
	assert_line --index 1 "0"
}

@test "options after COMMAND belong to COMMAND, not to nsrun" {
	run nsrun -u -- sh -c 'echo "$1"' sh -t
	assert_success
	assert_output "-t"
	run nsrun -u sh -c 'readlink /proc/self/ns/uts' -t 1
	assert_success
	[ "$output" != "$(readlink /proc/self/ns/uts)" ]
}

@test "mount options refuse a joined mount namespace; --mount-sys works without --root" {
	run nsrun --mount=/proc/self/ns/mnt --mount-proc -- true
	[ "$status" -eq 125 ]
	assert_output --partial "need a new mount namespace"
	run nsrun -m --mount-sys -- sh -c 'ls /sys/kernel >/dev/null && touch /sys/kernel/x'
	assert_failure 1
	assert_output --partial "Read-only file system"
}

@test "-C and -T make new cgroup and time namespaces" {
	run nsrun -C -- readlink /proc/self/ns/cgroup
	assert_success
	[ "$output" != "$(readlink /proc/self/ns/cgroup)" ]
	run nsrun -C -- cat /proc/self/cgroup
	assert_line --regexp '^[0-9]+:memory:/$'
	run nsrun -T -- readlink /proc/self/ns/time
	assert_success
	[ "$output" != "$(readlink /proc/self/ns/time)" ]
}

@test "--run-as USER[:GROUP]: the new root's passwd and group, its symlinks inside; groups, HOME" {
	root=$(rootfs_copy)
	echo 'app:x:1000:1000::/home/app:/bin/sh' >>"$root/etc/passwd"
	printf 'app:x:1000:\nextra:x:2000:root,app\n' >>"$root/etc/group"
	run nsrun --container --clear-env --root "$root" --run-as app -- sh -c 'id -u; id -g; id -G; echo "$HOME"'
	assert_success
	assert_output "$(printf '1000\n1000\n1000 2000\n/home/app')"
	run nsrun --container --root "$root" --run-as app:0 -- sh -c 'id -g; id -G'
	assert_output "$(printf '0\n0')"
	run nsrun --container --root "$root" --run-as 4321 -- sh -c 'id -u; id -g'
	assert_output "$(printf '4321\n0')"
	# a passwd that is a symlink to a host path is read inside the root
	echo 'evil:x:4242:4242::/:/bin/sh' >"$BOCKER_ROOT/host-passwd"
	ln -sf "$BOCKER_ROOT/host-passwd" "$root/etc/passwd"
	run nsrun --container --root "$root" --run-as evil -- id -u
	assert_failure 125
	assert_output "nsrun: user 'evil' is not in the container's /etc/passwd"
	run nsrun --container --root "$root" --run-as app --uid 1 -- true
	assert_failure 125
}

@test "-t 0 and -t not-a-number are refused: the command never runs on the host" {
	run nsrun -t 0 -- touch "$BOCKER_ROOT/ran"
	assert_failure 125
	assert_output "nsrun: --target: '0' is not in 1..2147483647"
	run nsrun -t x1 -- touch "$BOCKER_ROOT/ran"
	assert_failure 125
	[ ! -e "$BOCKER_ROOT/ran" ]
}

@test "--loopback brings a new netns's lo up; -w is made when missing, inside the root only" {
	run nsrun -n --loopback -- sh -c 'ip -o link show lo'
	assert_output --partial "LOOPBACK,UP"
	run nsrun --loopback -- true
	assert_failure 125
	root=$(rootfs_copy)
	run nsrun --container --root "$root" -w /made/here -- pwd
	assert_output "/made/here"
	[ -d "$root/made/here" ]
	# a symlink to a host path resolves inside the root: nothing is made
	# outside, whether it can be followed or not
	ln -s "$BOCKER_ROOT" "$root/out"
	run nsrun --container --root "$root" -w /out/made -- pwd
	[ ! -e "$BOCKER_ROOT/made" ]
	run nsrun --container --root "$root" -w /proc/self/fd/9/x -- pwd 9<"$BOCKER_ROOT"
	assert_failure 125
	[ ! -e "$BOCKER_ROOT/x" ]
}
