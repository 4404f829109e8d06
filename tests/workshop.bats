#!/usr/bin/env bats
# workshop: every ```sh block of docs/workshop.md, in order, run as ONE
# `sh -e` script the way a reader types them, in a fresh directory with a
# private BOCKER_ROOT; then a few lines of its output are checked and the
# kernel is checked for leftovers.

load helpers

DOC=${WORKSHOP_DOC:-$BOCKIT_TOP/docs/workshop.md}

# The sh blocks of the doc, in order (plain ``` blocks are output excerpts).
extract_sh() {
	awk '/^```sh[ \t]*$/ { on = 1; next } /^```/ { on = 0 } on' "$DOC"
}

setup() {
	bk_setup
	# The doc names every kernel object after WS (bridge bk$WS, netns
	# ${WS}a..c, cgroups /bkws-$WS and /bkws-${WS}c) and uses the subnet
	# $NET.0/24: unique per run, so parallel runs cannot clash.
	WS=$(bk_name ws)
	NET=10.77.$((RANDOM % 200 + 20))
	export WS NET
}

teardown() {
	# Whatever a run that failed halfway left behind, by its fixed names.
	local d
	for d in "$BOCKER_ROOT"/containers/ps_*; do
		[ -d "$d" ] || continue
		bocker stop -t 1 "${d##*/}" >/dev/null 2>&1 || true
		bocker rm "${d##*/}" >/dev/null 2>&1 || true
	done
	for d in a b c; do
		vethup del --force --netns "$WS$d" >/dev/null 2>&1 || true
	done
	vethup bridge --del --force "bk$WS" >/dev/null 2>&1 || ip link del "bk$WS" >/dev/null 2>&1 || true
	rm -f "/run/bockit/bridges/bk$WS"
	cgset-lite delete --kill -f -g "memory,pids:/bkws-$WS" >/dev/null 2>&1 || true
	cgset-lite delete --kill -f -g "cpu,cpuacct,memory,pids:/bkws-${WS}c" >/dev/null 2>&1 || true
	bk_teardown
}

@test "workshop.md: every sh block is closed and each step 0-9 has one" {
	run awk '/^```/ { n++ } END { print n % 2 }' "$DOC"
	assert_output "0"
	for step in 0 1 2 3 4 5 6 7 8 9; do
		awk -v s="## $step." 'index($0, s) == 1 { on = 1; next }
			/^## / { on = 0 } on && /^```sh/ { found = 1 }
			END { exit !found }' "$DOC" || fail "step $step has no sh block"
	done
}

@test "workshop.md: all its commands run in order under sh -e and leave nothing behind" {
	extract_sh >"$BOCKER_ROOT/workshop.sh"
	mkdir "$BOCKER_ROOT/run"
	cd "$BOCKER_ROOT/run"
	# bin/ is already built (make check builds first): MAKEFLAGS=n turns the
	# doc's `make` into a dry run so the test never rebuilds the shared tree.
	# mktemp -d (the doc's scratch dir) lands below the test's root.
	run env BOCKIT="$BOCKIT_TOP" MAKEFLAGS=n TMPDIR="$BOCKER_ROOT" \
		sh -e "$BOCKER_ROOT/workshop.sh"
	printf '%s\n' "$output" >"$BOCKER_ROOT/workshop.out"
	assert_success

	# 1: an image id; 2: the mini-init makes the command PID 2, --no-init
	# makes it PID 1, signals come back as 128+N
	assert_line --regexp '^img_[0-9a-f]+$'
	assert_line "I am PID 2 on $WS"
	assert_line "I am PID 1"
	assert_line "status 3"
	assert_line "status 143"
	# 3: pivot_root traced, default caps refuse mount
	assert_line --partial 'nsrun: pivot_root(".", ".")'
	assert_line "no CAP_SYS_ADMIN"
	# 4: copy-up and whiteout; the overlay of `nsrun -m` stays inside
	assert_line "hello from the image"
	assert_line "changed in the container"
	assert_line --regexp '^whiteout +.*/etc/group hides .*/etc/group$'
	assert_line "not mounted out here"
	# 5: the memory limit in bytes, and the OOM kill
	assert_line "33554432"
	assert_line "dd: exit status 137"
	assert_line "memory.oom_kills 1"
	# 6: two netns ping over the bridge; 7: the container pings netns a
	assert_line --regexp "^64 bytes from $NET\\.3: icmp_seq=1 "
	assert_line "PID 2 on $WS"
	assert_line --regexp "^64 bytes from $NET\\.2: seq=0 "
	assert_line --regexp '/ctr/upper/root/out$'
	# 8: bocker builds the same chain
	assert_line "PID 2 on one"
	assert_line --regexp '^cgset-lite exec --rm -g cpu,cpuacct,memory,pids,devices(,freezer)?:/bocker/ps_[0-9a-f]+ .* -- ovlmount -m -l .* -- nsrun --net=/run/netns/netns_ps_[0-9a-f]+ --container .* -- /bin/sh -c sleep 600$'
	assert_line --regexp '^    1 root +\{nsrun\} init -- /bin/sh -c sleep 600$'
	assert_line --regexp '^Removed: img_'

	# 9 cleaned up: no netns, bridge, cgroup or mount of ours remains
	local ns
	for ns in a b c; do
		[ ! -e "/run/netns/$WS$ns" ] || fail "netns $WS$ns left"
	done
	! ip link show "bk$WS" >/dev/null 2>&1 || fail "bridge bk$WS left"
	[ ! -e "/run/bockit/bridges/bk$WS" ] || fail "record of bridge bk$WS left"
	[ -z "$(find /sys/fs/cgroup -maxdepth 2 -name "bkws-$WS*" 2>/dev/null)" ] ||
		fail "cgroup /bkws-$WS left"
	[ -z "$(bk_mounts_under "$BOCKER_ROOT")" ] || fail "mounts left under $BOCKER_ROOT"
	[ -z "$(ls "$BOCKER_ROOT/containers" 2>/dev/null)" ] || fail "containers left"
}

@test "workshop.md: WS and NET default to names of their own for each reader" {
	extract_sh | grep -E '^(WS|NET)=' >"$BOCKER_ROOT/names.sh"
	[ "$(wc -l <"$BOCKER_ROOT/names.sh")" -eq 2 ] || fail "WS= and NET= lines: $(cat "$BOCKER_ROOT/names.sh")"
	a=$(env -u WS -u NET BOCKIT="$BOCKIT_TOP" sh -c '. "$1"; echo "$WS $NET"' sh "$BOCKER_ROOT/names.sh")
	b=$(env -u WS -u NET BOCKIT="$BOCKIT_TOP" sh -c '. "$1"; echo "$WS $NET"' sh "$BOCKER_ROOT/names.sh")
	[[ $a =~ ^ws[0-9a-f]{4}\ 10\.[0-9]+\.[0-9]+$ ]] || fail "names: $a"
	[ "${a% *}" != "${b% *}" ] && [ "${a#* }" != "${b#* }" ] || fail "two readers, one name: $a / $b"
	! ip -4 route | grep -q "^${a#* }\\." || fail "${a#* } is in use here"
	# set by hand, they stay
	run env WS=ws1 NET=10.77.0 BOCKIT="$BOCKIT_TOP" sh -c '. "$1"; echo "$WS $NET"' sh "$BOCKER_ROOT/names.sh"
	assert_output "ws1 10.77.0"
}

@test "README: the tour makes its /tmp/rootfs before it uses it" {
	first_use=$(grep -n -- '^    .*/tmp/rootfs' "$BOCKIT_TOP/README.md" | grep -v mkrootfs | head -n 1 | cut -d: -f1)
	made=$(grep -n 'sh tests/fixtures/mkrootfs.sh /tmp/rootfs$' "$BOCKIT_TOP/README.md" | head -n 1 | cut -d: -f1)
	[ -n "$made" ] && [ "$made" -lt "$first_use" ] || fail "README: /tmp/rootfs used at line $first_use, made at '${made:-never}'"
}
