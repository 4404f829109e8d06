#!/usr/bin/env bats
# migrate: the bash bocker itself (../shared/reference/bocker.sh), and
# copies of it with one primitive swapped for bockit's at a time, as
# docs/migrating.md swaps them (namespaces + root, cgroups, overlay,
# network), and all four at once. Each copy is made with sed, every
# substitution counted before (as many as expected) and after (none
# left), and runs its own init, images, run, ps, logs, exec, commit and rm
# (not pull: it needs the internet) in a sandbox: a private mount, network,
# PID and cgroup namespace (tests/fixtures/bocker-sandbox.sh) where its
# /var/lib/bocker, br1, 172.18.0.0/24 and /ps_42xxx cgroups are the
# test's own. Then each command's output is checked, and that nothing is
# left: netns, veths, mounts, cgroups, leases, state.

load helpers

SANDBOX=$BOCKIT_TOP/tests/fixtures/bocker-sandbox.sh

# The bash bocker: $BOCKER_SH, else ../shared/reference/bocker.sh beside
# the checkout (or beside the directory of worktrees holding it).
find_reference() {
	local f
	for f in ${BOCKER_SH:+"$BOCKER_SH"} "$BOCKIT_TOP/../shared/reference/bocker.sh" \
		"$BOCKIT_TOP/../../shared/reference/bocker.sh"; do
		[ -f "$f" ] && { printf '%s\n' "$f"; return 0; }
	done
	return 1
}

# The directory of CTRL's v1 hierarchy, if this host has one.
v1_root() {
	awk -v c="$1" '$3 == "cgroup" && (","$4",") ~ ","c"," { print $2; exit }' /proc/mounts
}

setup() {
	REF=$(find_reference) ||
		skip "no bash bocker: ../shared/reference/bocker.sh is not beside $BOCKIT_TOP (set BOCKER_SH)"
	local c
	for c in cpu cpuacct memory; do
		[ -n "$(v1_root $c)" ] ||
			skip "the bash bocker's cgcreate -g cpu,cpuacct,memory needs cgroup v1 $c, not on this host"
	done
	bk_setup
	ROOTFS=$(bk_rootfs)
	B=$BOCKER_ROOT/bocker.sh
	cp "$REF" "$B"
	OUT=$BOCKER_ROOT/out
	mkdir "$OUT"
	CGT=/bkmig-$(bk_name mg)   # the sandbox's cgroup: the bash bocker's "/"
	for c in cpu cpuacct memory; do
		bk_defer cg_purge "$(v1_root $c)$CGT"
	done
}

teardown() {
	bk_teardown
}

# Kill everything under DIR, then remove it bottom-up.
cg_purge() {
	local dir=$1 _
	for _ in $(seq 20); do
		[ -d "$dir" ] || return 0
		# shellcheck disable=SC2038 # cgroup.procs holds pids
		find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null
		find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
		sleep 0.1
	done
}

# ---- the copies ---------------------------------------------------------

sed_re() { printf '%s' "$1" | sed 's/[][\/.*^$]/\\&/g'; }
sed_repl() { printf '%s' "$1" | sed 's/[\/&]/\\&/g'; }

# subst N OLD NEW: replace the text OLD, found on exactly N lines of the
# copy, by NEW (empty: the line is emptied); none of OLD may be left.
subst() {
	local n=$1 old=$2 new=$3 before after
	before=$(grep -cF -e "$old" "$B" || true)
	[ "$before" -eq "$n" ] || fail "swap: '$old' on $before lines of the copy, not $n"
	sed -i "s/$(sed_re "$old")/$(sed_repl "$new")/g" "$B"
	after=$(grep -cF -e "$old" "$B" || true)
	[ "$after" -eq 0 ] || fail "swap: '$old' still on $after lines"
	[ -z "$new" ] || [ "$(grep -cF -e "$new" "$B")" -ge "$n" ] || fail "swap: '$new' not in"
	# the guide shows every line a swap writes, as it is written here
	[ -z "$new" ] || grep -qF -e "$new" "$BOCKIT_TOP/docs/migrating.md" ||
		fail "docs/migrating.md does not show: $new"
}

# unshare + chroot -> nsrun --root (pivot_root); exec's ps lookup and
# nsenter -> nsrun -t, with -r -w for the container's root and cwd.
# $1: nsrun's words after -fmuip --mount-proc (--no-init, or none).
swap_namespaces() {
	subst 1 'unshare -fmuip --mount-proc \' "nsrun -fmuip --mount-proc ${1:+$1 }\\"
	subst 1 'chroot "$container_path/$uuid"/merged \' '--root "$container_path/$uuid"/merged -- \'
	subst 1 '[0-9]+ unshare.*$1' '[0-9]+ nsrun.*$1'
	subst 1 'nsenter -t "$cid" -m -u -i -n -p chroot "$container_path/$1"/merged "${@:2}"' \
		'nsrun -t "$cid" -m -u -i -n -p -r -w -- "${@:2}"'
}

# cgcreate, cgset, cgexec, cgdelete -> cgset-lite, the same words.
swap_cgroups() {
	subst 1 'cgcreate -g' 'cgset-lite create -g'
	subst 2 'cgset -r' 'cgset-lite set -r'
	subst 1 'cgexec -g' 'cgset-lite exec -g'
	subst 1 'cgdelete -g' 'cgset-lite delete -g'
}

# mount -t overlay / umount -> ovlmount, with the image's directory as
# the lower layer in place of bocker's copy of it per container.
swap_overlay() {
	subst 1 'mkdir -p "$container_path/$uuid"/{lower,upper,work,merged} && cp -rf --reflink=auto "$overlay_path/$1"/* "$container_path/$uuid"/lower > /dev/null && \' \
		'mkdir -p "$container_path/$uuid"/{upper,work,merged} && \'
	subst 1 'mount -t overlay overlay \' 'ovlmount \'
	subst 1 '-o lowerdir="$container_path/$uuid"/lower,upperdir="$container_path/$uuid"/upper,workdir="$container_path/$uuid"/work \' \
		'-l "$overlay_path/$1" -u "$container_path/$uuid"/upper -w "$container_path/$uuid"/work \'
	subst 1 'umount "$container_path/$1"/merged' 'ovlmount -U "$container_path/$1"/merged'
}

# The ten ip lines -> vethup add (the pool's address into bocker's $ip),
# the two of the teardown and rm's two -> vethup del.
swap_network() {
	subst 1 'ip link add dev veth0_"$uuid" type veth peer name veth1_"$uuid"' \
		'ip="$(vethup add --netns netns_"$uuid" --bridge br1 --if veth1_"$uuid")"'
	local line
	while IFS= read -r line; do
		subst 1 "$line" ''
	done <<-'EOF'
		ip link set dev veth0_"$uuid" up
		ip link set veth0_"$uuid" master br1
		ip netns add netns_"$uuid"
		ip link set veth1_"$uuid" netns netns_"$uuid"
		ip netns exec netns_"$uuid" ip link set dev lo up
		ip netns exec netns_"$uuid" ip link set veth1_"$uuid" address 02:42:ac:11:00"$mac"
		ip netns exec netns_"$uuid" ip addr add 172.18.0."$ip"/24 dev veth1_"$uuid"
		ip netns exec netns_"$uuid" ip link set dev veth1_"$uuid" up
		ip netns exec netns_"$uuid" ip route add default via 172.18.0.1
		ip netns del netns_"$uuid"
	EOF
	subst 1 'ip link del dev veth0_"$uuid"' 'vethup del --netns netns_"$uuid"'
	subst 1 'ip netns del netns_"$1" && ip link del dev veth0_"$1"' 'vethup del --netns netns_"$1"'
}

# ---- the run ------------------------------------------------------------

sandbox() {
	local cmd
	cmd=$(printf 'unshare -m -n -C -p -f --kill-child --mount-proc -- sh %q' "$SANDBOX")
	run timeout 180 env MIG_BOCKER="$B" MIG_ROOTFS="$ROOTFS" MIG_OUT="$OUT" MIG_BIN="$BOCKIT_BIN" \
		cgset-lite exec -g "cpu,cpuacct,memory:$CGT" -- script -qec "$cmd" /dev/null </dev/null
	[ -e "$OUT/sandbox.done" ] ||
		fail "sandbox did not finish (status $status): $(cat "$OUT/sandbox.err" 2>/dev/null) $output"
	C1=$(cat "$OUT/c1")
	C2=$(cat "$OUT/c2")
	IMG=$(sed -n 's/^Created: //p' "$OUT/init.out")
}

# out NAME: what the sandbox recorded for NAME, as `run` output.
out() {
	run cat "$OUT/$1.out"
	[ "$(cat "$OUT/$1.rc" 2>/dev/null || echo 0)" -eq "${2:-0}" ] ||
		fail "$1 exited $(cat "$OUT/$1.rc"), not ${2:-0}: $output"
}

# The address bash bocker gives ps_42XYZ: 172.18.0.XYZ with its zeros
# dropped (ps_42017 -> .17, ps_42100 -> .1).
bocker_ip() {
	local d=${1: -3}
	printf '172.18.0.%s\n' "${d//0/}"
}

# Every command's output, and nothing left. $1: the address C1 had;
# $2: PID 1's command line as the container saw it, up to the command.
check_commands() {
	local ip=$1 pid1=$2
	out init
	assert_output --regexp '^Created: img_42[0-9]{3}$'
	out images
	assert_line --index 0 "$(printf 'IMAGE_ID\t\tSOURCE')"
	assert_line --index 1 "$(printf '%s\t\t%s' "$IMG" "$ROOTFS")"
	out run
	assert_line --index 0 "hello from the container"
	assert_line --index 1 --partial "$pid1/bin/mount -t proc proc /proc && echo hello from the container"
	assert_line --index 2 --regexp "^[0-9]+:memory:/$C1\$"
	assert_line --index 3 --regexp "^[0-9]+: veth1_$C1 +inet $ip/24 scope global "
	[ "${#lines[@]}" -eq 4 ] || fail "run printed more: $output"
	run cat "$OUT/limits.out"
	assert_output "$(printf '512\n512000000')"
	out ps
	assert_line --index 0 "$(printf 'CONTAINER_ID\t\tCOMMAND')"
	assert_line --index 1 --partial "$(printf '%s\t\techo hello from the container;' "$C1")"
	out logs
	[ "$output" = "$(cat "$OUT/run.out")" ] || fail "logs is not what run printed: $output"
	out exec
	assert_line --index 0 "$ROOTFS"
	assert_line --index 1 --partial "$pid1/bin/mount -t proc proc /proc && echo waiting;"
	assert_line --index 2 "/"
	out run2
	# a random id already taken (1 in 253) is bocker's to retry
	run grep -v '^UUID conflict, retrying\.\.\.$' "$OUT/run2.out"
	assert_output "$(printf 'waiting\nstopped')"
	out commit
	assert_output "Created: img_42001"
	run cat "$OUT/commit-tmp.out"
	assert_output "stop"
	out images2
	assert_line "$(printf 'img_42001\t\t%s' "$ROOTFS")"
	out rm-img
	assert_output "Removed: img_42001"
	out rm-img0
	assert_output "Removed: $IMG"
	check_left
}

# Nothing left inside, nor on the host. Only bash bocker's cgdelete
# (cgroup-tools 2.0.2 removes a group from its first controller only)
# may leave cpuacct and memory groups; none with cgset-lite ($1 = none).
check_left() {
	local f
	for f in netns mounts leases; do
		[ ! -s "$OUT/left.$f" ] || fail "left.$f: $(cat "$OUT/left.$f")"
	done
	run cat "$OUT/left.links"
	assert_output "$(printf 'lo\nbr1')"
	run cat "$OUT/left.state"
	assert_output "$(printf '/var/lib/bocker/containers:\n\n/var/lib/bocker/overlay:')"
	run cat "$OUT/left.cgroups"
	if [ "${1:-}" = none ]; then
		assert_output ""
	else
		refute_output --regexp "/(cpu|blkio|pids|devices)/|/cpu,"
	fi
	! ip -o link | grep -q "veth0_ps_42" || fail "a bocker veth on the host"
	! ls /run/netns 2>/dev/null | grep -q "^netns_ps_42" || fail "a bocker netns on the host"
	! grep -q " /var/lib/bocker" /proc/self/mountinfo || fail "a bocker mount on the host"
}

@test "the bash bocker itself, unchanged: init run ps logs exec commit rm in the sandbox" {
	sandbox
	check_commands "$(bocker_ip "$C1")" "/bin/sh -c "
	# bocker copies the image for each container
	grep -qx lower "$OUT/c2-dir.out"
}

@test "swap namespaces + root: unshare+chroot -> nsrun --root (its init), nsenter -> nsrun -t -r -w" {
	swap_namespaces ""
	sandbox
	# nsrun's init is PID 1, titled "init -- COMMAND"; bocker's exec lookup
	# (ps: the nsrun line of the id, then its one child) finds it
	check_commands "$(bocker_ip "$C1")" "init -- /bin/sh -c "
}

@test "swap nsenter alone -> nsrun -t: bocker's own chroot after it still works" {
	subst 1 'nsenter -t "$cid"' 'nsrun -t "$cid"'
	sandbox
	check_commands "$(bocker_ip "$C1")" "/bin/sh -c "
}

@test "swap cgroups: cgcreate, cgset, cgexec, cgdelete -> cgset-lite, the same words" {
	swap_cgroups
	sandbox
	check_commands "$(bocker_ip "$C1")" "/bin/sh -c "
	check_left none
}

@test "swap overlay: mount -t overlay -> ovlmount, the image's directory as the layer, no copy" {
	swap_overlay
	sandbox
	check_commands "$(bocker_ip "$C1")" "/bin/sh -c "
	! grep -qx lower "$OUT/c2-dir.out" || fail "a copy of the image: $(cat "$OUT/c2-dir.out")"
	# the container's write went to its upper dir, not into the image
	run cat "$OUT/image-tmp.out"
	assert_output ""
}

@test "swap network: the ten ip lines -> vethup add, teardown and rm -> vethup del; the pool's address" {
	swap_network
	sandbox
	check_commands 172.18.0.2 "/bin/sh -c "
}

@test "all four swaps at once: the bash bocker on bockit's primitives alone" {
	swap_namespaces --no-init
	swap_cgroups
	swap_overlay
	swap_network
	for tool in unshare chroot nsenter cgcreate cgexec cgdelete 'mount -t overlay' umount 'ip link' 'ip netns add'; do
		! grep -q "^[^#]*\b$tool\b" "$B" || fail "still calls $tool: $(grep -n "\b$tool\b" "$B")"
	done
	sandbox
	# --no-init: the command itself is PID 1, as with unshare -f
	check_commands 172.18.0.2 "/bin/sh -c "
	check_left none
	! grep -qx lower "$OUT/c2-dir.out"
}
