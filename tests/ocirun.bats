#!/usr/bin/env bats
# ocirun: runc's command line, the lifecycle, config.json realised, and
# the boundaries a hostile config or container would try to cross.

load ocirun-common
load security-common

setup() {
	oci_setup
}

teardown() {
	oci_teardown
}

@test "help, version, features and spec" {
	run ocirun --help
	assert_success
	assert_output --partial "Usage: ocirun"
	bk_assert_version ocirun
	run ocirun features
	assert_success
	echo "$output" | python3 -c 'import json,sys; f=json.load(sys.stdin); assert f["ociVersionMax"].startswith("1."); assert "createRuntime" in f["hooks"]; assert "CAP_SYS_ADMIN" in f["linux"]["capabilities"]; assert f["linux"]["seccomp"]["enabled"]; assert "rbind" in f["mountOptions"]'
	run ocr spec --bundle "$OCI_BUNDLE"
	assert_failure 1
	assert_output --partial "exists already"
	run ocr ps --format yaml x
	assert_failure 2
}

@test "create waits, start runs, state goes created -> running -> stopped, delete leaves nothing" {
	id=$(oci_id)
	oci_args 'echo started >/ran; sleep 0.3'
	run oci_create --bundle "$OCI_BUNDLE" --pid-file "$BOCKER_ROOT/pid" "$id"
	assert_success
	[ "$(oci_status "$id")" = created ]
	pid=$(cat "$BOCKER_ROOT/pid")
	ocr state "$id" | grep -q "\"pid\": $pid,"
	[ ! -e "$OCI_BUNDLE/rootfs/ran" ]          # the process waits for start
	[ -n "$(oci_cgroup_dirs "$id")" ]
	run ocr start "$id"
	assert_success
	[ "$(oci_status "$id")" = running ]
	oci_wait_stopped "$id"
	[ "$(cat "$OCI_BUNDLE/rootfs/ran")" = started ]
	run ocr start "$id"
	assert_failure 1
	assert_output "ocirun: container $id is stopped: only a created container starts"
	run ocr delete "$id"
	assert_success
	[ ! -e "$OCI_ROOT/$id" ]
	[ -z "$(oci_cgroup_dirs "$id")" ]
	[ -z "$(bk_mounts_under "$OCI_BUNDLE")" ]
	run ocr state "$id"
	assert_failure 1
	assert_output "ocirun: container $id does not exist"
}

@test "run: the process's exit status, 128+N for a signal" {
	oci_args 'exit 7'
	run ocr run --bundle "$OCI_BUNDLE" "$(oci_id)"
	assert_failure 7
	id=$(oci_id)
	oci_args 'sleep 30'
	(
		rc=0
		ocr run --bundle "$OCI_BUNDLE" "$id" </dev/null >/dev/null 2>&1 || rc=$?
		echo "$rc" >"$BOCKER_ROOT/rc"
	) &
	rpid=$!
	for _ in $(seq 100); do [ "$(oci_status "$id" 2>/dev/null)" = running ] && break; sleep 0.05; done
	ocr kill "$id" KILL
	wait "$rpid"
	[ "$(cat "$BOCKER_ROOT/rc")" = 137 ]
	[ ! -e "$OCI_ROOT/$id" ]                 # run deletes what it ran
	oci_cfg 'linux.intelRdt={}'
	run ocr run --bundle "$OCI_BUNDLE" "$(oci_id)"
	assert_failure 125                       # ocirun's own failure, not the process's
	assert_output "ocirun: linux.intelRdt: not supported by ocirun"
}

@test "a refused field fails create with one line naming it, and nothing is made" {
	id=$(oci_id)
	oci_cfg 'linux.intelRdt={"closID":"x"}'
	run oci_create --bundle "$OCI_BUNDLE" --pid-file "$BOCKER_ROOT/pid" "$id"
	assert_failure 1
	assert_output "ocirun: linux.intelRdt: not supported by ocirun"
	[ ! -e "$OCI_ROOT/$id" ] && [ ! -e "$BOCKER_ROOT/pid" ]
	oci_cfg linux.intelRdt- 'linux.sysctl={"kernel.panic":"1"}'
	run oci_create --bundle "$OCI_BUNDLE" "$id"
	assert_failure 1
	assert_output --partial "linux.sysctl: sysctl 'kernel.panic': not a parameter of the container's own namespaces"
	[ "$(cat /proc/sys/kernel/panic)" != 1 ] || [ "$(sysctl -n kernel.panic)" = 1 ]
	[ ! -e "$OCI_ROOT/$id" ] && [ -z "$(oci_cgroup_dirs "$id")" ]
}

@test "a failing createRuntime hook fails create and takes back the group, the state and the mounts" {
	id=$(oci_id)
	oci_cfg 'hooks.createRuntime+={"path":"/bin/sh","args":["sh","-c","echo no way; exit 3"]}'
	run oci_create --bundle "$OCI_BUNDLE" --pid-file "$BOCKER_ROOT/pid" "$id"
	assert_failure 1
	assert_output "ocirun: createRuntime hook /bin/sh: exited 3: no way"
	[ ! -e "$OCI_ROOT/$id" ] && [ ! -e "$BOCKER_ROOT/pid" ]
	[ -z "$(oci_cgroup_dirs "$id")" ]
	[ -z "$(bk_mounts_under "$OCI_BUNDLE")" ]
}

@test "hooks: prestart and createRuntime at create, poststart at start, poststop at delete, the state on stdin" {
	id=$(oci_id)
	for h in prestart createRuntime createContainer poststart poststop; do
		oci_cfg "hooks.$h+={\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"cat >$BOCKER_ROOT/$h.json\"]}"
	done
	oci_cfg 'annotations={"org.test":"yes"}'
	oci_args 'true'
	oci_create --bundle "$OCI_BUNDLE" --pid-file "$BOCKER_ROOT/pid" "$id"
	pid=$(cat "$BOCKER_ROOT/pid")
	for h in prestart createRuntime createContainer; do
		python3 -c "import json,sys; s=json.load(open('$BOCKER_ROOT/$h.json')); assert s['id']=='$id' and s['pid']==$pid and s['status']=='creating' and s['annotations']=={'org.test':'yes'}, s"
	done
	[ ! -e "$BOCKER_ROOT/poststart.json" ]
	ocr start "$id"
	python3 -c "import json; s=json.load(open('$BOCKER_ROOT/poststart.json')); assert s['status']=='running' and s['pid']==$pid, s"
	oci_wait_stopped "$id"
	ocr delete "$id"
	python3 -c "import json; s=json.load(open('$BOCKER_ROOT/poststop.json')); assert s['status']=='stopped' and s['bundle']=='$OCI_BUNDLE', s"
}

@test "delete: refused for a created or running container without --force; --force of a missing one is fine" {
	id=$(oci_id)
	oci_args 'sleep 30'
	oci_create --bundle "$OCI_BUNDLE" "$id"
	run ocr delete "$id"
	assert_failure 1
	assert_output "ocirun: container $id is created: stop it first, or delete --force"
	ocr start "$id"
	run ocr delete "$id"
	assert_failure 1
	assert_output --partial "is running"
	run ocr delete --force "$id"
	assert_success
	[ ! -e "$OCI_ROOT/$id" ] && [ -z "$(oci_cgroup_dirs "$id")" ]
	run ocr delete --force "$id"
	assert_success
	run ocr delete "$id"
	assert_failure 1
}

@test "kill: by name and number; a stopped container refuses; --all reaches exec'd processes" {
	id=$(oci_id)
	oci_args 'trap "echo got USR1 >/sig; exit 0" USR1; while :; do sleep 0.1; done'
	oci_create --bundle "$OCI_BUNDLE" "$id"
	ocr start "$id"
	run ocr kill "$id" SIGUSR1
	assert_success
	oci_wait_stopped "$id"
	[ "$(cat "$OCI_BUNDLE/rootfs/sig")" = "got USR1" ]
	run ocr kill "$id" 9
	assert_failure 1
	assert_output "ocirun: container $id is not running"
	run ocr kill "$id" NOSUCHSIG
	assert_failure 2
	ocr delete "$id"
	id=$(oci_id)
	oci_args 'sleep 30'
	oci_create --bundle "$OCI_BUNDLE" "$id"
	ocr start "$id"
	oci_detached exec -d --pid-file "$BOCKER_ROOT/epid" "$id" sleep 30
	epid=$(cat "$BOCKER_ROOT/epid")
	kill -0 "$epid"
	run ocr kill --all "$id" KILL
	assert_success
	oci_wait_stopped "$id"
	for _ in $(seq 50); do kill -0 "$epid" 2>/dev/null || break; sleep 0.05; done
	! kill -0 "$epid" 2>/dev/null
}

@test "exec: inline with --env, --cwd (never made), --user; --process FILE; its exit status; refused for a stopped container" {
	id=$(oci_id)
	oci_args 'sleep 30'
	oci_create --bundle "$OCI_BUNDLE" "$id"
	ocr start "$id"
	run ocr exec -e GREETING=hi --cwd /tmp --user 1000:1001 "$id" sh -c 'echo $GREETING $(pwd) $(id -u) $(id -g) $$'
	assert_success
	assert_output "hi /tmp 1000 1001 2"
	run ocr exec "$id" sh -c 'exit 4'
	assert_failure 4
	# runc's exec makes no working directory: a missing one fails, and stays missing
	run ocr exec --cwd /no/such/dir "$id" true
	assert_failure 125
	assert_output --partial "workdir /no/such/dir"
	[ ! -e "$OCI_BUNDLE/rootfs/no" ]
	cat >"$BOCKER_ROOT/process.json" <<'JSON'
{"args":["sh","-c","echo $A; cat /proc/self/status | grep -E '^(NoNewPrivs|CapEff)'"],"env":["A=from-file"],"cwd":"/","user":{"uid":0,"gid":0},"noNewPrivileges":true,"capabilities":{"bounding":["CAP_KILL"],"effective":["CAP_KILL"],"permitted":["CAP_KILL"]}}
JSON
	run ocr exec --process "$BOCKER_ROOT/process.json" "$id"
	assert_success
	assert_line --index 0 "from-file"
	assert_line --index 1 --regexp '^CapEff:[[:space:]]+0000000000000020$'
	assert_line --index 2 --regexp '^NoNewPrivs:[[:space:]]+1$'
	run -127 ocr exec "$id" /no/such/program
	assert_failure 127
	assert_output --partial "/no/such/program: No such file or directory"
	ocr kill "$id" KILL
	oci_wait_stopped "$id"
	run ocr exec "$id" true
	assert_failure 125
	assert_output "ocirun: container $id is stopped: exec needs it created or running"
}

@test "ps --format json, pause and resume (the freezer), update --resources" {
	id=$(oci_id)
	oci_args 'sleep 30'
	oci_create --bundle "$OCI_BUNDLE" --pid-file "$BOCKER_ROOT/pid" "$id"
	ocr start "$id"
	pid=$(cat "$BOCKER_ROOT/pid")
	run ocr ps --format json "$id"
	assert_success
	assert_output "[$pid]"
	run ocr pause "$id"
	assert_success
	[ "$(oci_status "$id")" = paused ]
	grep -q '^State:.*[DT]' "/proc/$pid/status"
	run ocr pause "$id"
	assert_failure 1
	ocr resume "$id"
	[ "$(oci_status "$id")" = running ]
	[ -d /sys/fs/cgroup/memory ] || skip "no v1 memory controller"
	echo '{"memory":{"limit":67108864},"pids":{"limit":33}}' | ocr update --resources - "$id"
	[ "$(cat "/sys/fs/cgroup/memory/ocirun-$id/memory.limit_in_bytes")" = 67108864 ]
	[ "$(cat "/sys/fs/cgroup/pids/ocirun-$id/pids.max")" = 33 ]
	run ocr update --resources - "$id" <<<'{"memory":{"limit":"lots"}}'
	assert_failure 1
	assert_output "ocirun: resources.memory.limit: not an integer"
}

@test "the process as configured: hostname, domainname, lo up, env, cwd made, user and groups, umask, rlimits, oomScoreAdj, caps, no_new_privs" {
	oci_cfg 'hostname="ocibox"' 'domainname="ocidom"' 'process.env=["PATH=/bin:/usr/bin","X=1"]' 'process.cwd="/work/here"' \
		'process.user={"uid":1000,"gid":1000,"additionalGids":[5,7],"umask":63}' \
		'process.rlimits=[{"type":"RLIMIT_NOFILE","soft":200,"hard":300}]' 'process.oomScoreAdj=300' \
		'process.noNewPrivileges=true' \
		'process.capabilities={"bounding":["CAP_NET_BIND_SERVICE","CAP_KILL"],"effective":["CAP_KILL"],"permitted":["CAP_KILL"],"inheritable":["CAP_KILL"],"ambient":["CAP_KILL"]}'
	oci_args 'hostname; echo $X $(pwd); id -u; id -G; umask; ulimit -n; ulimit -Hn; cat /proc/self/oom_score_adj; grep -E "^(CapBnd|CapEff|CapAmb|NoNewPrivs)" /proc/self/status; cat /proc/sys/kernel/domainname /sys/class/net/lo/flags'
	run ocr run --bundle "$OCI_BUNDLE" "$(oci_id)"
	assert_success
	assert_line --index 0 "ocibox"
	assert_line --index 1 "1 /work/here"
	assert_line --index 2 "1000"
	assert_line --index 3 "1000 5 7"
	assert_line --index 4 "0077"
	assert_line --index 5 "200"
	assert_line --index 6 "300"
	assert_line --index 7 "300"
	assert_line --index 8 --regexp '^CapEff:[[:space:]]+0000000000000020$'
	assert_line --index 9 --regexp '^CapBnd:[[:space:]]+0000000000000420$'
	assert_line --index 10 --regexp '^CapAmb:[[:space:]]+0000000000000020$'
	assert_line --index 11 --regexp '^NoNewPrivs:[[:space:]]+1$'
	assert_line --index 12 "ocidom"
	assert_line --index 13 "0x9"   # IFF_UP|IFF_LOOPBACK: a new netns has lo up, as runc leaves it
	# the program ignores what a program started here ignores, no more:
	# ocirun's own SIGPIPE did not leak (what the caller ignored passes
	# through, as with runc; make check's caller may ignore glibc's 32, 33)
	want=$(grep SigIgn /proc/self/status)
	[ $(( 0x${want##*[[:space:]]} & 0x1000 )) -eq 0 ] || skip "SIGPIPE is ignored here already"
	oci_cfg 'process.args=["grep","SigIgn","/proc/self/status"]'
	run ocr run --bundle "$OCI_BUNDLE" "$(oci_id)"
	assert_output "$want"
}

@test "the view as configured: masked and read-only paths, read-only root, sysctl, device nodes, the device cgroup" {
	oci_cfg root.readonly=true 'linux.maskedPaths=["/proc/kcore","/etc/secret"]' 'linux.readonlyPaths=["/proc/sys"]' \
		'linux.sysctl={"net.ipv4.ip_default_ttl":"42"}' \
		'linux.devices=[{"path":"/dev/bkfull","type":"c","major":1,"minor":7,"fileMode":438}]' \
		'mounts+={"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["nosuid"]}' \
		'process.capabilities.bounding+="CAP_MKNOD"' 'process.capabilities.effective+="CAP_MKNOD"' \
		'process.capabilities.permitted+="CAP_MKNOD"'
	echo 'top secret' >"$OCI_BUNDLE/rootfs/etc/secret"
	ttl=$(cat /proc/sys/net/ipv4/ip_default_ttl)
	[ "$ttl" != 42 ] || skip "the host's ip_default_ttl is 42 already"
	oci_args 'cat /etc/secret; (echo x >/proc/sys/kernel/hostname) 2>/dev/null || echo sys-ro; touch /rootfile 2>/dev/null || echo root-ro; touch /tmp/ok && echo tmp-rw; cat /proc/sys/net/ipv4/ip_default_ttl; head -c 3 /dev/bkfull | od -An -tx1; mknod /tmp/sda1 b 8 1 && head -c1 /tmp/sda1 2>&1 | grep -o "Operation not permitted"'
	run ocr run --bundle "$OCI_BUNDLE" "$(oci_id)"
	assert_success
	assert_line --index 0 "sys-ro"
	assert_line --index 1 "root-ro"
	assert_line --index 2 "tmp-rw"
	assert_line --index 3 "42"
	assert_line --index 4 " 00 00 00"
	assert_line --index 5 "Operation not permitted"
	refute_output --partial "top secret"
	# the container's own network namespace got it, the host's did not
	[ "$(cat /proc/sys/net/ipv4/ip_default_ttl)" = "$ttl" ]
}

@test "seccomp from config.json: its errnoRet reaches the process; podman's profile runs a shell" {
	oci_cfg 'linux.seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}'
	oci_args 'mkdir /tmp/x 2>&1; echo done'
	run ocr run --bundle "$OCI_BUNDLE" "$(oci_id)"
	assert_success
	assert_line --index 0 --partial "Permission denied"
	assert_line --index 1 "done"
	[ -f /usr/share/containers/seccomp.json ] || skip "no podman profile"
	python3 -c "import json; c=json.load(open('$OCI_CONFIG')); c['linux']['seccomp']=json.load(open('/usr/share/containers/seccomp.json')); json.dump(c, open('$OCI_CONFIG','w'))"
	oci_args 'echo ok; ls / >/dev/null'
	run ocr run --bundle "$OCI_BUNDLE" "$(oci_id)"
	assert_success
	assert_output "ok"
}

@test "a user namespace with uid and gid ranges written by the runtime" {
	oci_cfg 'linux.namespaces+={"type":"user"}' \
		'linux.uidMappings=[{"containerID":0,"hostID":200000,"size":65536}]' \
		'linux.gidMappings=[{"containerID":0,"hostID":200000,"size":65536}]'
	chown -R 200000:200000 "$OCI_BUNDLE/rootfs"
	chmod 755 "$BOCKER_ROOT" "$OCI_BUNDLE"
	oci_args 'cat /proc/self/uid_map /proc/self/gid_map | tr -s " " | sed "s/^ //"; id -u; ls /proc | grep -c "^[0-9]"'
	id=$(oci_id)
	oci_create --bundle "$OCI_BUNDLE" --pid-file "$BOCKER_ROOT/pid" "$id"
	[ "$(stat -c %u "/proc/$(cat "$BOCKER_ROOT/pid")")" = 200000 ]
	ocr start "$id"
	oci_wait_stopped "$id"
	run cat "$BOCKER_ROOT/ctr.out"
	assert_line --index 0 "0 200000 65536"
	assert_line --index 1 "0 200000 65536"
	assert_line --index 2 "0"
}

@test "namespaces joined by path; no mount namespace of its own: mounts below the root, taken back by delete" {
	unshare --net --fork sleep 30 &
	upid=$!
	bk_defer kill "$upid"
	for _ in $(seq 50); do
		child=$(cat "/proc/$upid/task/$upid/children" 2>/dev/null | tr -d ' ')
		[ -n "$child" ] && [ "$(readlink "/proc/$child/ns/net")" != "$(readlink /proc/self/ns/net)" ] && break
		sleep 0.05
	done
	oci_cfg "linux.namespaces=[{\"type\":\"mount\"},{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/proc/$child/ns/net\"}]" hostname-
	id=$(oci_id)
	oci_args 'sleep 30'
	oci_create --bundle "$OCI_BUNDLE" --pid-file "$BOCKER_ROOT/pid" "$id"
	[ "$(readlink "/proc/$(cat "$BOCKER_ROOT/pid")/ns/net")" = "$(readlink "/proc/$child/ns/net")" ]
	ocr delete --force "$id"
	oci_cfg 'linux.namespaces=[{"type":"pid"}]' 'linux.maskedPaths=[]' 'linux.readonlyPaths=[]' \
		'mounts=[{"destination":"/proc","type":"proc","source":"proc"},{"destination":"/dev","type":"tmpfs","source":"tmpfs"}]' \
		linux.resources- linux.seccomp-
	id=$(oci_id)
	oci_create --bundle "$OCI_BUNDLE" "$id"
	[ -n "$(bk_mounts_under "$OCI_BUNDLE/rootfs/proc")" ]
	ocr delete --force "$id"
	[ -z "$(bk_mounts_under "$OCI_BUNDLE/rootfs")" ]
}

@test "a terminal: the pty master goes to the console socket, the process's stdio is the slave" {
	sock=$BOCKER_ROOT/console.sock
	python3 "$BOCKIT_TOP/tests/fixtures/console-socket.py" "$sock" >"$BOCKER_ROOT/tty.out" &
	rpid=$!
	bk_defer kill "$rpid"
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.02; done
	oci_cfg process.terminal=true 'process.consoleSize={"height":33,"width":77}'
	oci_args 'tty; stty size; ls -l /dev/console | cut -c1'
	id=$(oci_id)
	oci_create --bundle "$OCI_BUNDLE" --console-socket "$sock" "$id"
	ocr start "$id"
	oci_wait_stopped "$id"
	wait "$rpid"
	run cat "$BOCKER_ROOT/tty.out"
	assert_line --index 0 --regexp '^/dev/pts/[0-9]+'
	assert_line --index 1 --regexp '^33 77'
	assert_line --index 2 --regexp '^c'
	oci_cfg process.terminal=true
	run oci_create --bundle "$OCI_BUNDLE" "$(oci_id)"
	assert_failure 1
	assert_output --partial "a terminal needs --console-socket"
}

@test "--log FILE --log-format json: errors as runc's JSON lines, --debug traces there only; --systemd-cgroup is refused" {
	oci_cfg 'linux.intelRdt={}'
	run ocirun --root "$OCI_ROOT" --log "$BOCKER_ROOT/log.json" --log-format json create --bundle "$OCI_BUNDLE" "$(oci_id)"
	assert_failure 1
	assert_output "ocirun: linux.intelRdt: not supported by ocirun"
	python3 -c "import json; l=json.loads(open('$BOCKER_ROOT/log.json').readline()); assert l['level']=='error' and l['msg']=='linux.intelRdt: not supported by ocirun' and l['time'], l"
	oci_cfg linux.intelRdt-
	oci_args true
	run --separate-stderr ocirun --root "$OCI_ROOT" --debug --log "$BOCKER_ROOT/debug.json" --log-format json \
		run --bundle "$OCI_BUNDLE" "$(oci_id)"
	assert_success
	[ -z "$stderr" ]
	grep -q '"level":"debug","msg":"pivot_root(' "$BOCKER_ROOT/debug.json"   # the child's trace too
	run ocirun --systemd-cgroup --root "$OCI_ROOT" create --bundle "$OCI_BUNDLE" x
	assert_failure 1
	assert_output --partial "--systemd-cgroup: ocirun has no systemd cgroup manager"
}

@test "attack: mount targets through the image's symlinks land inside the root, never on the host" {
	host=$BOCKER_ROOT/host-target
	mkdir -p "$host/dir"
	echo precious >"$host/file"
	ln -s "$host" "$OCI_BUNDLE/rootfs/evil"
	ln -s "$host/file" "$OCI_BUNDLE/rootfs/etc/hosts"
	ln -s ../../../../../../../.. "$OCI_BUNDLE/rootfs/up"
	echo mine >"$BOCKER_ROOT/hosts"
	oci_cfg 'mounts+={"destination":"/evil/dir","type":"tmpfs","source":"tmpfs"}' \
		"mounts+={\"destination\":\"/etc/hosts\",\"source\":\"$BOCKER_ROOT/hosts\",\"options\":[\"bind\"]}" \
		'mounts+={"destination":"/up/escaped","type":"tmpfs","source":"tmpfs"}'
	oci_args 'cat /etc/hosts; ls -d /escaped'
	run ocr run --bundle "$OCI_BUNDLE" "$(oci_id)"
	assert_success
	assert_line --index 0 "mine"
	assert_line --index 1 "/escaped"
	[ "$(cat "$host/file")" = precious ]
	[ -z "$(bk_mounts_under "$host")" ]
	[ ! -e /escaped ]
	[ -z "$(bk_mounts_under "$OCI_BUNDLE")" ]
}

@test "attack: an id or a cgroup path cannot name a path outside; a tampered state cannot aim a signal" {
	run oci_create --bundle "$OCI_BUNDLE" ../../escape
	assert_failure 1
	assert_output --partial "container id '../../escape'"
	[ ! -e "$BOCKER_ROOT/escape" ] && [ ! -e "$OCI_ROOT/../escape" ]
	oci_cfg 'linux.cgroupsPath="/../../bk-escape"'
	run oci_create --bundle "$OCI_BUNDLE" "$(oci_id)"
	assert_failure 1
	assert_output --partial "is not a valid name"
	oci_cfg linux.cgroupsPath-
	id=$(oci_id)
	oci_args 'sleep 30'
	oci_create --bundle "$OCI_BUNDLE" "$id"
	sleep 30 &
	victim=$!
	bk_defer kill "$victim"
	python3 - "$OCI_ROOT/$id/state.json" "$victim" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); s["pid"] = int(sys.argv[2]); json.dump(s, open(sys.argv[1], "w"))
PY
	run ocr kill "$id" KILL
	assert_failure 1
	assert_output "ocirun: container $id is not running"
	kill -0 "$victim"
}

@test "attack: nothing of the runtime reaches the container: no fd, a PID 1 /proc cannot open while created" {
	id=$(oci_id)
	cp "$(attack_bin)" "$OCI_BUNDLE/rootfs/bin/bk-attack"
	oci_args 'ls /proc/self/fd'
	exec 7</etc/hostname
	BOCKIT_SECRET=hunter2 oci_create --bundle "$OCI_BUNDLE" "$id"
	exec 7<&-
	# until start, PID 1 is ocirun itself (CVE-2019-5736's target)
	run ocr exec "$id" /bin/bk-attack proc1
	assert_failure 1
	refute_output --partial CROSSED
	refute_output --partial hunter2
	refute_output --partial "$BOCKER_ROOT"
	assert_output --partial "/proc/1/cmdline: init -- sh -c ls /proc/self/fd"
	run ocr exec "$id" /bin/bk-attack exe-write /proc/1/exe
	assert_failure 1
	run ocr exec "$id" /bin/bk-attack ptrace-init
	assert_failure 1
	ocr start "$id"
	oci_wait_stopped "$id"
	# 0 1 2, and 3 for ls's own directory
	[ "$(tr '\n' ' ' <"$BOCKER_ROOT/ctr.out")" = "0 1 2 3 " ]
	id=$(oci_id)
	oci_args 'ls /proc/self/fd | tr "\n" " "; echo; cat <&3'
	echo passed-on >"$BOCKER_ROOT/fd3"
	run ocr run --preserve-fds 1 --bundle "$OCI_BUNDLE" "$id" 3<"$BOCKER_ROOT/fd3" 4</etc/hostname
	assert_success
	assert_line --index 0 "0 1 2 3 4 "
	assert_line --index 1 "passed-on"
}
