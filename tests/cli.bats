#!/usr/bin/env bats
# One command line for the five tools (lib/base/cli): the same mistake gets
# the same answer from each. An unknown option, a missing value, a bad
# value, two options that exclude each other: one line "prog: ..." on
# stderr, nothing on stdout, exit 2 (125 once a COMMAND is chained).
# --help: usage on stdout, exit 0. -V: one version for all five.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	bk_setup
	G=/$(bk_name cli)   # a cgroup path no test creates
	R=$BOCKER_ROOT
	SRC=dir:$R/none     # should a check fail, imgpull fails here, offline
}

teardown() {
	bk_teardown
}

# usage_error STATUS LINE TOOL ARG... — TOOL, run by its path (as
# ./bin/TOOL would be), exits STATUS with exactly LINE on stderr.
usage_error() {
	local want_status=$1 want=$2 tool=$3
	shift 3
	run --separate-stderr "$BOCKIT_BIN/$tool" "$@"
	if [ "$status" -ne "$want_status" ] || [ "$stderr" != "$want" ] || [ -n "$output" ]; then
		printf '%s %s\nwant %d: %s\ngot  %d: %s\nstdout: %s\n' "$tool" "$*" \
			"$want_status" "$want" "$status" "$stderr" "$output"
		return 1
	fi
}

# No group named $G was made in any hierarchy.
refute_group() {
	for d in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[ ! -d "${d%/}$G" ] || { echo "${d%/}$G left behind"; return 1; }
	done
}

@test "cli: an unknown option is one line naming the program, 2 (125 with a COMMAND)" {
	usage_error 125 "nsrun: unknown option '--bogus' (see nsrun --help)" nsrun --bogus
	usage_error 125 "nsrun: unknown option '--bogus' (see nsrun --help)" nsrun --bogus -- true
	usage_error 125 "nsrun: unknown option '-Q' (see nsrun --help)" nsrun -fQ -- true
	usage_error 2 "cgset-lite: unknown option '--bogus' (see cgset-lite --help)" cgset-lite --bogus
	usage_error 2 "cgset-lite: unknown option '--bogus' (see cgset-lite --help)" \
		cgset-lite create --bogus -g "memory:$G"
	usage_error 125 "cgset-lite: unknown option '--bogus' (see cgset-lite --help)" \
		cgset-lite exec --bogus -g "memory:$G" -- true
	usage_error 2 "ovlmount: unknown option '--bogus' (see ovlmount --help)" ovlmount --bogus "$R"
	usage_error 125 "ovlmount: unknown option '--bogus' (see ovlmount --help)" \
		ovlmount --bogus -l "$R" "$R" -- true
	usage_error 2 "vethup: unknown option '--bogus' (see vethup --help)" vethup --bogus
	usage_error 2 "vethup: unknown option '--bogus' (see vethup --help)" vethup add --bogus
	usage_error 125 "vethup: unknown option '--bogus' (see vethup --help)" vethup exec --bogus x true
	usage_error 2 "imgpull: unknown option '--bogus' (see imgpull --help)" imgpull --bogus "$SRC"
	usage_error 2 "imgpull: option '--in' is ambiguous (see imgpull --help)" imgpull --in "$SRC"
	usage_error 2 "imgpull: option '--quiet' takes no value" imgpull --quiet=1 "$SRC"
	refute_group
}

@test "cli: a missing value is one line, 2 (125 with a COMMAND)" {
	usage_error 125 "nsrun: option '--target' needs a value" nsrun --target
	usage_error 125 "nsrun: option '-t' needs a value" nsrun -t
	usage_error 2 "cgset-lite: option '-g' needs a value" cgset-lite create -g
	usage_error 125 "cgset-lite: option '--memory' needs a value" cgset-lite exec -g "memory:$G" --memory
	usage_error 2 "ovlmount: option '-l' needs a value" ovlmount -l
	usage_error 2 "vethup: option '--netns' needs a value" vethup add --bridge br0 --netns
	usage_error 125 "vethup: option '--leases' needs a value" vethup exec --leases
	usage_error 2 "imgpull: option '--jobs' needs a value" imgpull --jobs
	refute_group
}

@test "cli: a bad value is one line with the shared words, 2 (125 with a COMMAND)" {
	usage_error 125 "nsrun: --uid: 'abc' is not a number" nsrun --uid abc
	usage_error 125 "nsrun: --uid: 'abc' is not a number" nsrun --uid abc -- true
	usage_error 125 "nsrun: --preserve-fds: '4294967294' is not in 0..1048576" \
		nsrun --preserve-fds 4294967294 -- true
	# --memory and --cpus: the same kind of mistake, the same status
	usage_error 2 "cgset-lite: --memory: 'abc' is not a size (bytes, or a number with K, M, G, T or P)" \
		cgset-lite create -g "memory:$G" --memory abc
	usage_error 2 "cgset-lite: --cpus: 'abc' is not a number" cgset-lite create -g "cpu:$G" --cpus abc
	usage_error 125 "cgset-lite: --cpus: 'abc' is not a number" \
		cgset-lite exec -g "cpu:$G" --cpus abc -- true
	usage_error 125 "cgset-lite: --pids: '-1' is not a number" \
		cgset-lite exec --rm -g "pids:$G" --pids -1 -- true
	usage_error 2 "ovlmount: --api: 'fast' is not auto, classic or new" ovlmount --api=fast -l "$R" "$R"
	usage_error 125 "ovlmount: --api: 'fast' is not auto, classic or new" \
		ovlmount --api=fast -l "$R" "$R" -- true
	usage_error 2 "vethup: bad address '300.1.1.1': expected A.B.C.D/LEN (LEN 0-32)" \
		vethup add --netns "$(bk_name ns)" --bridge br0 --ip 300.1.1.1
	usage_error 125 "vethup: netns 'a;b': invalid name (1-200 of A-Z a-z 0-9 _ . -)" \
		vethup exec 'a;b' true
	usage_error 2 "imgpull: --jobs: '0' is not in 1..32" imgpull --jobs 0 "$SRC"
	usage_error 2 "imgpull: --timeout: 'soon' is not a number" imgpull --timeout soon "$SRC"
	refute_group
}

@test "cli: options that exclude each other are refused by name" {
	usage_error 125 "nsrun: --target and --mount-proc cannot be used together" \
		nsrun --target 1 --mount-proc -- true
	usage_error 125 "nsrun: --map-root-user and --map-group cannot be used together" \
		nsrun -U --map-root-user --map-group 0 -- true
	usage_error 2 "ovlmount: --umount and --check cannot be used together" ovlmount -U --check "$R"
	usage_error 2 "ovlmount: --umount and --lower cannot be used together" ovlmount -U -l "$R" "$R"
	usage_error 2 "imgpull: --inspect and --jobs cannot be used together" \
		imgpull --inspect img_000000000000 -j 2
}

@test "cli: --help and -h print the usage on stdout and exit 0" {
	for t in nsrun cgset-lite ovlmount vethup imgpull; do
		for h in --help -h; do
			run --separate-stderr "$BOCKIT_BIN/$t" "$h"
			assert_success
			[ -z "$stderr" ] || fail "$t $h wrote to stderr: $stderr"
			[[ "${lines[0]}" == Usage:* ]] || fail "$t $h: ${lines[0]}"
		done
	done
	# --help wins over a mistake after it, and a write error is reported
	run --separate-stderr cgset-lite --help --bogus
	assert_success
	run --separate-stderr sh -c 'nsrun --help >/dev/full'
	assert_failure 1
	[ "$stderr" = "nsrun: stdout: write error" ]
}

@test "cli: -V and --version: one version, the Makefile's, for the five tools" {
	for t in nsrun cgset-lite ovlmount vethup imgpull; do
		bk_assert_version "$t"
		run "$BOCKIT_BIN/$t" --version
		assert_success
		v=${output#"$t (bockit) "}
		[ -n "${first:-}" ] || first=$v
		assert_equal "$v" "$first"
	done
	# in a git checkout (that git will read), the version is git describe's
	if [ -e "$BOCKIT_TOP/.git" ] && want=$(git -C "$BOCKIT_TOP" describe --always --dirty 2>/dev/null); then
		assert_equal "${first%-dirty}" "${want%-dirty}"
	fi
}
