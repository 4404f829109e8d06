#!/usr/bin/env bats
# C-level unit tests, run from the ASan+UBSan build (make asan): one
# binary per lib/ module, tests/unit/test_MODULE.c, one @test each.

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

@test "unit: every tests/unit/test_MODULE.c is named after a lib/ module and run here" {
	for src in "$BOCKIT_TOP"/tests/unit/test_*.c; do
		m=$(basename "$src" .c)
		m=${m#test_}
		ls "$BOCKIT_TOP"/lib/*/"$m.c" >/dev/null 2>&1 || fail "test_$m.c: no lib/*/$m.c"
		grep -q "^	run_unit test_$m\$" "$BATS_TEST_FILENAME" || fail "test_$m has no @test"
	done
}

@test "unit: size (sizes, numbers and their messages) under ASan+UBSan" {
	run_unit test_size
}

@test "unit: path (the join that cannot climb out, names, DIR/NAME in PATH_MAX) under ASan+UBSan" {
	run_unit test_path
}

@test "unit: chain (exec of the command, exit codes) under ASan+UBSan" {
	run_unit test_chain
}

@test "unit: msg (wrap, errno, save and restore, one-line messages, flag names) under ASan+UBSan" {
	run_unit test_msg
}

@test "unit: names (Docker's normalisation, ids refused as names, the columns) under ASan+UBSan" {
	run_unit test_names
}

@test "unit: fsutil (rm -rf names the first failure; undo keeps the cause) under ASan+UBSan" {
	run_unit test_fsutil
}

@test "unit: cli (usage errors, numbers, sizes, exclusive options, -h, -V) under ASan+UBSan" {
	run_unit test_cli
}

@test "unit: supervise (the init loop, the fork-exec-supervise helper) under ASan+LSan" {
	run_unit test_supervise
}

@test "unit: relay (log records; stdout and stderr through the supervisor, a gone reader)" {
	run_unit test_relay
}

@test "unit: overlay (the option string) under ASan+UBSan" {
	run_unit test_overlay
}

@test "unit: cgnames (cgroup v1<->v2 translation, shares->weight) under ASan+UBSan" {
	run_unit test_cgnames
}

@test "unit: devrules (rules, lists, state; the v1 controller as root) under ASan+UBSan" {
	run_unit test_devrules
}

@test "unit: devbpf (the cgroup2 device program; the kernel as root) under ASan+UBSan" {
	run_unit test_devbpf
}

@test "unit: ipam (CIDR parsing, the lease store, its ports) under ASan+UBSan" {
	run_unit test_ipam
}

@test "unit: portspec (-p as written, canonical form, one host port) under ASan+UBSan" {
	run_unit test_portspec
}

@test "unit: rtnl (a dump read whole, asked again when interrupted, its refusal seen; the kernel as root) under ASan+UBSan" {
	run_unit test_rtnl
}

@test "unit: netns (names and paths) under ASan+UBSan" {
	run_unit test_netns
}

@test "unit: mac (MAC addresses as ip reads them) under ASan+UBSan" {
	run_unit test_mac
}

@test "unit: imgref (Docker references) under ASan+UBSan" {
	run_unit test_imgref
}

@test "unit: regauth (WWW-Authenticate challenges, token realms, token responses) under ASan+UBSan" {
	run_unit test_regauth
}

@test "unit: manifest (index platforms, diff_ids) under ASan+UBSan" {
	run_unit test_manifest
}

@test "unit: tarfilter (layer entry paths, whiteouts, hardlink targets, refusals) under ASan+UBSan" {
	run_unit test_tarfilter
}

@test "unit: seccomp (profiles, includes/excludes, the built-in default, installs) under ASan+UBSan" {
	run_unit test_seccomp
}

@test "unit: the five capability sets of an OCI process, across a uid change, under ASan+UBSan" {
	run_unit test_caps
}

@test "unit: ns (clone into new namespaces, the UTS names; idmap ranges written by the parent) under ASan+UBSan" {
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

@test "unit: cgprocs (a group's processes listed and signalled) under ASan+UBSan" {
	run_unit test_cgprocs
}

@test "unit: cgfreeze (a group frozen and thawed, opened or by path; no freezer refused) under ASan+UBSan" {
	run_unit test_cgfreeze
}

@test "unit: config (OCI config.json, every unsupported or hostile field refused by name) under ASan+UBSan" {
	run_unit test_config
}

@test "unit: resources (linux.resources as cgroup settings, devices, hostile names) under ASan+UBSan" {
	run_unit test_resources
}

@test "unit: process (an exec's process object, the inline form over a copy) under ASan+UBSan" {
	run_unit test_process
}

@test "unit: mounts (OCI mount options as flags, data, propagation) under ASan+UBSan" {
	run_unit test_mounts
}

@test "unit: hooks (parsed, run with the state, failures named) under ASan+UBSan" {
	run_unit test_hooks
}

@test "unit: ctl (kill's signal names and numbers) under ASan+UBSan" {
	run_unit test_ctl
}

@test "unit: state (ids, the claim, the record, a recycled PID, runc's JSON) under ASan+UBSan" {
	run_unit test_state
}

@test "unit: log (runc's JSON log lines) under ASan+UBSan" {
	run_unit test_log
}
