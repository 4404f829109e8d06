# helpers.bash — loaded by every suite: tools on PATH, a private
# BOCKER_ROOT per test, unique object names, and cleanup that runs in
# teardown even when the test failed.

bats_require_minimum_version 1.5.0   # run -N / --separate-stderr
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

BOCKIT_TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
BOCKIT_BIN=${BOCKIT_BIN:-$BOCKIT_TOP/bin}
export PATH="$BOCKIT_BIN:$BOCKIT_TOP/scripts:$PATH"
BOCKIT_FIXTURES=${BOCKIT_FIXTURES:-/tmp/bockit-fixtures}

# Per-test state. Call from setup(); bk_teardown from teardown().
bk_setup() {
	BOCKER_ROOT=$(mktemp -d /tmp/bockit-test.XXXXXX)
	export BOCKER_ROOT
	BK_CLEANUP="$BOCKER_ROOT/.cleanup"
	: >"$BK_CLEANUP"
}

# bk_defer CMD... — run CMD at teardown (last deferred runs first).
bk_defer() {
	local q
	q=$(printf '%q ' "$@")
	printf '%s\n' "$q" | cat - "$BK_CLEANUP" >"$BK_CLEANUP.new"
	mv "$BK_CLEANUP.new" "$BK_CLEANUP"
}

bk_teardown() {
	[ -n "${BOCKER_ROOT:-}" ] || return 0
	if [ -f "$BK_CLEANUP" ]; then
		while IFS= read -r cmd; do
			eval "$cmd" >/dev/null 2>&1 || true
		done <"$BK_CLEANUP"
	fi
	# Unmount anything still below the test root before deleting it.
	grep -o " $BOCKER_ROOT[^ ]*" /proc/self/mountinfo 2>/dev/null | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null || true; done
	rm -rf "$BOCKER_ROOT"
}

# bk_name PREFIX — a short name unique to this run and test (<= 15 chars
# with a 4-char prefix, so it fits an interface name).
bk_name() {
	printf '%s%x%x' "$1" "$(($$ % 4096))" "$((RANDOM % 4096))"
}

# bk_rootfs — path of the shared read-only busybox rootfs fixture.
bk_rootfs() {
	"$BOCKIT_TOP/tests/fixtures/mkrootfs.sh" "$BOCKIT_FIXTURES/rootfs" >&2
	printf '%s\n' "$BOCKIT_FIXTURES/rootfs"
}

# bk_rootfs_copy DIR — a private writable copy of the rootfs.
bk_rootfs_copy() {
	cp -a "$(bk_rootfs)" "$1"
}

# bk_one_line — assert the output is one line on stderr/stdout mix.
bk_assert_one_line() {
	[ "${#lines[@]}" -eq 1 ] || { printf 'expected one line, got:\n%s\n' "$output"; return 1; }
}

# bk_assert_version TOOL — TOOL -V prints "TOOL (bockit) VERSION", VERSION
# being what the Makefile defines (make version; a -dirty suffix aside,
# since the tree may change between the build and the test).
bk_assert_version() {
	local want
	want=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C "$BOCKIT_TOP" version)
	run "$1" -V
	[ "$status" -eq 0 ] && [ "${output%-dirty}" = "$1 (bockit) ${want%-dirty}" ] || {
		printf 'want "%s (bockit) %s", got (%d) "%s"\n' "$1" "$want" "$status" "$output"
		return 1
	}
}

# bk_mounts_under DIR — mount points at or below DIR (for leak checks).
bk_mounts_under() {
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo
}

# bk_podman_env — a podman of this test's own: its storage and run dirs
# under BOCKER_ROOT (vfs: no mounts), runc with the cgroupfs manager and
# the ulimits this host allows (root lacks CAP_SYS_RESOURCE; see
# ../shared/oci-notes.md). Sets CONTAINERS_CONF and
# CONTAINERS_STORAGE_CONF for the rest of the test.
bk_podman_env() {
	local d=$BOCKER_ROOT/podman
	mkdir -p "$d"
	cat >"$d/containers.conf" <<PODMAN
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
[engine.runtimes]
runc = ["/usr/sbin/runc"]
PODMAN
	printf '[storage]\ndriver = "vfs"\ngraphroot = "%s/graph"\nrunroot = "%s/run"\n' \
		"$d" "$d" >"$d/storage.conf"
	export CONTAINERS_CONF=$d/containers.conf CONTAINERS_STORAGE_CONF=$d/storage.conf
}
