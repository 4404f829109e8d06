#!/usr/bin/env bats
# C-level unit tests, run from the ASan+UBSan build (make asan).

load helpers

UNIT_DIR=${BOCKIT_UNIT_DIR:-$BOCKIT_TOP/build-asan/tests}

run_unit() {
	[ -x "$UNIT_DIR/$1" ] || skip "$UNIT_DIR/$1 not built (make asan)"
	run env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$UNIT_DIR/$1"
	echo "$output"
	assert_success
	refute_output --partial "not ok"
	refute_output --partial "ERROR: AddressSanitizer"
	refute_output --partial "runtime error:"
}

@test "unit: common modules (size, path, chain, msg) under ASan+UBSan" {
	run_unit test_common
}

@test "unit: ovlmount option string (overlay) under ASan+UBSan" {
	run_unit test_ovlmount
}

@test "unit: cgnames (cgroup v1<->v2 translation, shares->weight) under ASan+UBSan" {
	run_unit test_cgset-lite
}

@test "unit: nsrun's init loop (exit codes, reaping, signal forwarding) under ASan+LSan" {
	run_unit test_init
}

@test "unit: imgpull helpers (references, challenges, index, diff_ids) under ASan+UBSan" {
	run_unit test_imgpull
}

@test "unit: vethup's CIDR parsing, lease store and netns names under ASan+UBSan" {
	run_unit test_vethup
}

@test "unit: seccomp profiles (parsing, includes/excludes, the built-in default, installs) under ASan+UBSan" {
	run_unit test_seccomp
}

@test "unit: device rules and the cgroup v2 device program (v1 and v2 kernel checks as root) under ASan+UBSan" {
	run_unit test_devrules
}

@test "unit: the five capability sets of an OCI process, across a uid change, under ASan+UBSan" {
	run_unit test_caps
}

@test "unit: clone into new namespaces, uid/gid ranges written by the parent, under ASan+UBSan" {
	run_unit test_ns
}

@test "unit: rlimits, oom_score_adj, umask and supplementary groups, under ASan+UBSan" {
	run_unit test_proclimits
}

@test "unit: sysctl names a container may set (never the host's), a write in a new netns, under ASan+UBSan" {
	run_unit test_sysctl
}

@test "unit: a container terminal: pty pair, size, master over a console socket, controlling tty, under ASan+UBSan" {
	run_unit test_pty
}

@test "unit: a group's processes listed, frozen, thawed and signalled, under ASan+UBSan" {
	run_unit test_cgprocs
}

@test "unit: OCI config, process, mounts, resources, hooks, signals, state and log (hostile inputs refused by name) under ASan+UBSan" {
	run_unit test_oci
}
