#!/usr/bin/env bats
# ocirun under the engines that drive runc: podman 4.3 (through conmon)
# and containerd 1.6 (`ctr run --runc-binary`, through its runc v2 shim),
# each on a busybox image from a local OCI layout (no network).
# Everything is private: podman's --root/--runroot/--tmpdir under the
# test's BOCKER_ROOT, tests/fixtures/containers.conf (cgroupfs, no
# network, the ulimits this host's root can set), a --cgroup-parent;
# containerd started for the file with its own root, state and socket and
# stopped by PID. make check runs the smoke tests; with
# BOCKIT_CONFORMANCE=1 (make conformance) every test runs.

load helpers

OCIRUN=$BOCKIT_BIN/ocirun

conformance_only() {
	[ "${BOCKIT_CONFORMANCE:-0}" = 1 ] || skip "conformance only (make conformance)"
}

setup_file() {
	"$BOCKIT_TOP/tests/fixtures/mkocilayout.sh" "$BOCKIT_FIXTURES/oci-layout" >&2
	CD_DIR=$(mktemp -d /tmp/bockit-containerd.XXXXXX)
	export CD_DIR
	cat >"$CD_DIR/config.toml" <<EOF2
version = 2
root = "$CD_DIR/root"
state = "$CD_DIR/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CD_DIR/containerd.sock"
[ttrpc]
  address = "$CD_DIR/containerd.sock.ttrpc"
[debug]
  address = "$CD_DIR/debug.sock"
EOF2
	containerd --config "$CD_DIR/config.toml" >"$CD_DIR/containerd.log" 2>&1 &
	echo $! >"$CD_DIR/pid"
	for _ in $(seq 100); do [ -S "$CD_DIR/containerd.sock" ] && break; sleep 0.05; done
	tar -C "$BOCKIT_FIXTURES/oci-layout" -cf "$CD_DIR/layout.tar" .
	ctr -a "$CD_DIR/containerd.sock" images import --index-name docker.io/library/busybox:latest \
		"$CD_DIR/layout.tar" >&2
}

teardown_file() {
	[ -n "${CD_DIR:-}" ] || return 0
	kill "$(cat "$CD_DIR/pid")" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$(cat "$CD_DIR/pid")" 2>/dev/null || break; sleep 0.05; done
	grep -o " $CD_DIR[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$CD_DIR"
}

setup() {
	bk_setup
	PM=$BOCKER_ROOT/podman
	CGP=/$(bk_name bkpm)
	mkdir -p "$PM"
	export CONTAINERS_CONF=$BOCKIT_TOP/tests/fixtures/containers.conf
	bk_defer podman_cleanup
}

teardown() {
	bk_teardown
}

pm() {
	podman --root "$PM/root" --runroot "$PM/run" --tmpdir "$PM/tmp" --runtime "$OCIRUN" "$@"
}

# The image, once per test's private store.
pm_image() {
	pm image exists localhost/busybox 2>/dev/null && return 0
	pm pull -q "oci:$BOCKIT_FIXTURES/oci-layout:busybox" >/dev/null
	pm tag "$(pm images -q | head -n 1)" localhost/busybox
}

podman_cleanup() {
	pm rm -af -t 1 >/dev/null 2>&1
	pm rmi -af >/dev/null 2>&1
	# conmon's group and the parent podman made for this test
	for d in /sys/fs/cgroup/*"$CGP"/conmon /sys/fs/cgroup/*"$CGP"; do
		[ -d "$d" ] && rmdir "$d"
	done
	return 0
}

ctr_() {
	ctr -a "$CD_DIR/containerd.sock" "$@"
}

@test "podman: run, run -d, exec, stop, rm, run -t" {
	pm_image
	run pm run --rm --cgroup-parent "$CGP" localhost/busybox sh -c 'echo hello as $$ from $(cat /proc/1/comm)'
	assert_success
	assert_output "hello as 1 from sh"
	run pm run --rm --cgroup-parent "$CGP" localhost/busybox sh -c 'exit 3'
	assert_failure 3
	id=$(pm run -d --cgroup-parent "$CGP" localhost/busybox sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done')
	run pm exec "$id" sh -c 'echo in $(hostname); ls /proc | grep -c "^[0-9]"'
	assert_success
	assert_line --index 0 "in ${id:0:12}"
	run pm exec -u 1000 "$id" id -u
	assert_output "1000"
	[ -n "$(ls -d /sys/fs/cgroup/memory"$CGP"/libpod-"$id")" ]
	run pm stop -t 5 "$id"
	assert_success
	[ "$(pm inspect -f '{{.State.ExitCode}}' "$id")" = 0 ]
	run pm rm "$id"
	assert_success
	[ ! -e /sys/fs/cgroup/memory"$CGP"/libpod-"$id" ]
	run pm run --rm -t --cgroup-parent "$CGP" localhost/busybox sh -c 'tty; test -t 0 && echo a-tty'
	assert_success
	assert_line --index 0 --regexp '^/dev/pts/[0-9]+'
	assert_line --index 1 --regexp '^a-tty'
}

@test "podman: pause, unpause, kill, rm -f, a failing command's message" {
	conformance_only
	pm_image
	id=$(pm run -d --cgroup-parent "$CGP" localhost/busybox sleep 60)
	pm pause "$id"
	[ "$(pm inspect -f '{{.State.Status}}' "$id")" = paused ]
	pm unpause "$id"
	pm kill "$id"
	pm rm -f "$id"
	run -127 pm run --rm --cgroup-parent "$CGP" localhost/busybox /no/such/thing
	assert_failure 127
	assert_output --partial "/no/such/thing"
}

@test "containerd: ctr run, run -d, exec, kill, delete through --runc-binary" {
	run ctr_ run --runc-binary "$OCIRUN" --rm docker.io/library/busybox:latest "$(bk_name ctr)" sh -c 'echo hello $$'
	assert_success
	assert_output "hello 1"
	id=$(bk_name ctr)
	bk_defer ctr_ container delete "$id"
	bk_defer ctr_ task delete --force "$id"
	ctr_ run --runc-binary "$OCIRUN" -d docker.io/library/busybox:latest "$id" sleep 60
	run ctr_ task exec --exec-id e1 "$id" sh -c 'echo exec beside $(cat /proc/1/comm)'
	assert_success
	assert_output "exec beside sleep"
	run ctr_ task ps "$id"
	assert_success
	ctr_ task kill -s SIGKILL "$id"
	for _ in $(seq 100); do ctr_ task ls | grep -q "$id.*STOPPED" && break; sleep 0.05; done
	run ctr_ task delete "$id"
	assert_success
	run ctr_ container delete "$id"
	assert_success
	[ ! -e /sys/fs/cgroup/memory/default/"$id" ]
}

@test "containerd: kill --all, pause, resume" {
	conformance_only
	id=$(bk_name ctr)
	bk_defer ctr_ container delete "$id"
	bk_defer ctr_ task delete --force "$id"
	ctr_ run --runc-binary "$OCIRUN" -d docker.io/library/busybox:latest "$id" sleep 60
	ctr_ task pause "$id"
	ctr_ task ls | grep -q "$id.*PAUSED"
	ctr_ task resume "$id"
	ctr_ task kill --all -s SIGKILL "$id"
	for _ in $(seq 100); do ctr_ task ls | grep -q "$id.*STOPPED" && break; sleep 0.05; done
	ctr_ task delete "$id"
}
