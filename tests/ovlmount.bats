#!/usr/bin/env bats
# ovlmount: overlay semantics (copy-up, whiteouts, opaque dirs, read-only,
# layer order), 1 to 200 layers through the classic and the new mount API,
# chain mode inside a private mount namespace, umount, and every bad input
# giving one line, status 1 and no mount left.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	bk_setup
	R=$BOCKER_ROOT
	mkdir -p "$R/l1" "$R/l2" "$R/u" "$R/w" "$R/m"
	echo top >"$R/l1/a"
	echo bottom >"$R/l2/a"
	echo b >"$R/l2/b"
	mkdir -p "$R/l2/dir/sub"
	echo old >"$R/l2/dir/old"
}

teardown() {
	bk_teardown
}

# Overlay mounts at or below the test root.
overlays_left() {
	awk -v d="$R" '{ split($0, p, " - "); split(p[2], t, " ") }
		t[1] == "overlay" && index($5, d) == 1 { print $5 }' /proc/self/mountinfo
}

assert_no_overlay() {
	local left
	left=$(overlays_left)
	[ -z "$left" ] || { echo "overlay left mounted: $left"; return 1; }
}

# mk_layers N — N image-style layers $R/layers/sha256/<64 hex>; layer i
# holds "layer" (= i) and "only.i". Sets LOWERS (layer 1 on top) and
# RLOWERS (the same, relative to $R).
mk_layers() {
	local i hex
	LOWERS='' RLOWERS=''
	for i in $(seq 1 "$1"); do
		hex=$(printf '%s-layer-%s' "$R" "$i" | sha256sum | cut -c1-64)
		mkdir -p "$R/layers/sha256/$hex"
		echo "$i" >"$R/layers/sha256/$hex/layer"
		echo "$i" >"$R/layers/sha256/$hex/only.$i"
		LOWERS=${LOWERS:+$LOWERS:}$R/layers/sha256/$hex
		RLOWERS=${RLOWERS:+$RLOWERS:}layers/sha256/$hex
	done
}

# assert_stack_visible N — merged $R/m shows layer 1 on top and every
# layer's own file.
assert_stack_visible() {
	[ "$(cat "$R/m/layer")" = 1 ]
	[ "$(cat "$R/m/only.1")" = 1 ]
	[ "$(cat "$R/m/only.$1")" = "$1" ]
	set -- "$1" "$R"/m/only.*
	[ "$(($# - 1))" -eq "$1" ]
}

# fails_cleanly MESSAGE ARGS... — ovlmount ARGS fails with status 1 and
# exactly "ovlmount: MESSAGE", leaving no overlay mounted.
fails_cleanly() {
	local msg=$1
	shift
	run ovlmount "$@"
	assert_failure 1
	bk_assert_one_line
	assert_output "ovlmount: $msg"
	assert_no_overlay
}

@test "ovlmount: --help, --version, usage errors exit 2 (125 with a COMMAND)" {
	run ovlmount --help
	assert_success
	assert_output --partial "Usage: ovlmount"
	bk_assert_version ovlmount
	run ovlmount -l "$R/l1" -u "$R/u" "$R/m"
	assert_failure 2
	bk_assert_one_line
	assert_output --partial "-u UPPER and -w WORK go together"
	run ovlmount -u "$R/u" -w "$R/w" "$R/m" -- true
	assert_failure 125
	assert_output --partial "no lower layer given"
	run ovlmount -l "$R/l1" "$R/m" "$R/u"
	assert_failure 2
	assert_output --partial "one MERGED dir expected"
	run ovlmount --api=fast -l "$R/l1" "$R/m"
	assert_failure 2
	assert_no_overlay
}

@test "ovlmount: reads from lower, upper shadows lower, writes copy up" {
	echo mine >"$R/u/a"
	run ovlmount -l "$R/l1:$R/l2" -u "$R/u" -w "$R/w" "$R/m"
	assert_success
	assert_output ""
	[ "$(findmnt -no FSTYPE "$R/m")" = overlay ]
	[ "$(cat "$R/m/b")" = b ]               # from the lower layer
	[ "$(cat "$R/m/a")" = mine ]            # the upper shadows both lowers
	echo changed >"$R/m/b"
	[ "$(cat "$R/u/b")" = changed ]         # copy-up into upper
	[ "$(cat "$R/l2/b")" = b ]              # the lower is untouched
	echo new >"$R/m/new"
	[ -f "$R/u/new" ] && [ ! -e "$R/l1/new" ]
	run ovlmount -U "$R/m"
	assert_success
	assert_no_overlay
}

@test "ovlmount: deleting a lower file leaves a whiteout that hides it" {
	ovlmount -l "$R/l1:$R/l2" -u "$R/u" -w "$R/w" "$R/m"
	rm "$R/m/b"
	[ ! -e "$R/m/b" ]
	[ -f "$R/l2/b" ]
	run stat -c '%F %t:%T' "$R/u/b"
	assert_output "character special file 0:0"
	ovlmount -U "$R/m"
	run ovlmount --check "$R/u" "$R/l1" "$R/l2"
	assert_success
	assert_line "whiteout  $R/u/b hides $R/l2/b"
	assert_line "# 1 special entry in 3 layers"
}

@test "ovlmount: rm -rf of a lower dir then mkdir makes it opaque" {
	ovlmount -l "$R/l1:$R/l2" -u "$R/u" -w "$R/w" "$R/m"
	rm -rf "$R/m/dir"
	mkdir "$R/m/dir"
	echo fresh >"$R/m/dir/new"
	run ls -A "$R/m/dir"
	assert_output "new"                     # old and sub/ are hidden
	run getfattr --absolute-names --only-values -n trusted.overlay.opaque "$R/u/dir"
	assert_output "y"
	[ -f "$R/l2/dir/old" ]
	ovlmount -U "$R/m"
	run ovlmount --check "$R/u" "$R/l1" "$R/l2"
	assert_line "opaque    $R/u/dir/ hides $R/l2/dir/"
}

@test "ovlmount: without -u the overlay is read-only" {
	run ovlmount -l "$R/l1:$R/l2" "$R/m"
	assert_success
	[ "$(cat "$R/m/b")" = b ]
	run sh -c "echo x >'$R/m/new'"
	assert_failure
	assert_output --partial "Read-only file system"
	run rm "$R/m/b"
	assert_failure
	assert_output --partial "Read-only file system"
	[[ "$(findmnt -no OPTIONS "$R/m")" == ro,* ]]
	[ -f "$R/l2/b" ]
	ovlmount -U "$R/m"
	assert_no_overlay
}

@test "ovlmount: lowers stack in order (leftmost on top), -l repeats" {
	mkdir -p "$R/l3"
	echo three >"$R/l3/a"
	echo three >"$R/l3/c"
	ovlmount -l "$R/l2" -l "$R/l1:$R/l3" "$R/m"
	[ "$(cat "$R/m/a")" = bottom ]          # l2 is the top layer now
	[ "$(cat "$R/m/c")" = three ]
	ovlmount -U "$R/m"
	ovlmount -l "$R/l1:$R/l2:$R/l3" "$R/m"
	[ "$(cat "$R/m/a")" = top ]
	ovlmount -U "$R/m"
	ovlmount -l "$R/l3:$R/l2:$R/l1" "$R/m"
	[ "$(cat "$R/m/a")" = three ]
	ovlmount -U "$R/m"
	assert_no_overlay
}

@test "ovlmount: -v traces the exact mount(2) call with its options" {
	run ovlmount -v -l "$R/l1:$R/l2" -u "$R/u" -w "$R/w" --volatile --index=off "$R/m"
	assert_success
	assert_output "ovlmount: mount(\"overlay\", \"$R/m\", \"overlay\", 0, \"lowerdir=$R/l1:$R/l2,upperdir=$R/u,workdir=$R/w,volatile,index=off\")"
	run findmnt -no OPTIONS "$R/m"
	assert_output --partial "volatile"
	run ovlmount -v -U "$R/m"
	assert_output "ovlmount: umount2(\"$R/m\", 0)"
	assert_no_overlay
}

@test "ovlmount: --api=new traces one fsconfig per step and mounts" {
	run ovlmount -v --api=new -o nodev -l "$R/l1:$R/l2" -u "$R/u" -w "$R/w" "$R/m"
	assert_success
	# fd numbers depend on what the caller left open
	fs=$(sed -n 's/^ovlmount: fsopen("overlay", FSOPEN_CLOEXEC) = \([0-9]*\)$/\1/p' <<<"$output")
	[ -n "$fs" ]
	assert_line "ovlmount: fsconfig($fs, FSCONFIG_SET_STRING, \"source\", \"overlay\", 0)"
	assert_line "ovlmount: fsconfig($fs, FSCONFIG_SET_STRING, \"lowerdir+\", \"$R/l1\", 0)"
	assert_line "ovlmount: fsconfig($fs, FSCONFIG_SET_STRING, \"lowerdir+\", \"$R/l2\", 0)"
	assert_line "ovlmount: fsconfig($fs, FSCONFIG_SET_STRING, \"upperdir\", \"$R/u\", 0)"
	assert_line "ovlmount: fsconfig($fs, FSCONFIG_SET_STRING, \"workdir\", \"$R/w\", 0)"
	assert_line "ovlmount: fsconfig($fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)"
	assert_line --regexp "^ovlmount: fsmount\($fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV\) = [0-9]+$"
	assert_line --regexp "^ovlmount: move_mount\([0-9]+, \"\", AT_FDCWD, \"$R/m\", MOVE_MOUNT_F_EMPTY_PATH\)$"
	[ "${#lines[@]}" -eq 9 ]
	[ "$(cat "$R/m/a")" = top ]
	[ "$(findmnt -no SOURCE "$R/m")" = overlay ]
	[[ "$(findmnt -no OPTIONS "$R/m")" == *nodev* ]]
	ovlmount -U "$R/m"
	assert_no_overlay
}

@test "ovlmount: the new API shows the kernel's own message" {
	run ovlmount --api=new -o bogus=1 -l "$R/l1" -u "$R/u" -w "$R/w" "$R/m"
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "Unknown parameter 'bogus'"
	# the classic path replays the request to read the same message
	run ovlmount -o bogus=1 -l "$R/l1" -u "$R/u" -w "$R/w" "$R/m"
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "Unknown parameter 'bogus'"
	assert_no_overlay
}

@test "ovlmount: 1 layer with an upper, and 2 layers read-only" {
	mk_layers 2
	ovlmount -l "${LOWERS%%:*}" -u "$R/u" -w "$R/w" "$R/m"
	[ "$(cat "$R/m/layer")" = 1 ]
	[ ! -e "$R/m/only.2" ]
	ovlmount -U "$R/m"
	ovlmount -l "$LOWERS" "$R/m"
	assert_stack_visible 2
	ovlmount -U "$R/m"
	assert_no_overlay
}

@test "ovlmount: 45 layers: classic mount(2) when the options fit a page, else the new API" {
	mk_layers 45
	# relative paths from BOCKER_ROOT (79 chars each, as Docker does) fit
	cd "$R"
	run ovlmount -v -l "$RLOWERS" -u u -w w m
	assert_success
	assert_output --regexp '^ovlmount: mount\("overlay", "m", "overlay", 0, "lowerdir=layers/sha256/'
	# the whole option string, all 45 layers, on the one trace line
	[ "${#lines[@]}" -eq 1 ]
	[ "$output" = "ovlmount: mount(\"overlay\", \"m\", \"overlay\", 0, \"lowerdir=$RLOWERS,upperdir=u,workdir=w\")" ]
	[ "${#output}" -gt 3600 ]
	refute_output --partial fsconfig
	assert_stack_visible 45
	ovlmount -U m
	# absolute ones (100+ chars each) are over 4096 bytes: new API
	rm -rf "$R/w/work"
	run ovlmount -v -l "$LOWERS" -u "$R/u" -w "$R/w" "$R/m"
	assert_success
	[ "$(grep -c 'FSCONFIG_SET_STRING, "lowerdir+"' <<<"$output")" -eq 45 ]
	refute_output --partial 'mount("overlay"'
	assert_stack_visible 45
	ovlmount -U "$R/m"
	# forcing the classic path explains why it cannot work
	run ovlmount --api=classic -l "$LOWERS" -u "$R/u" -w "$R/w" "$R/m"
	assert_failure 1
	assert_output --regexp "45 lower layers need [0-9]+ bytes of mount options, more than mount\(2\)'s one page"
	assert_no_overlay
}

@test "ovlmount: 128 layers mount through the new mount API" {
	mk_layers 128
	run ovlmount -v -l "$LOWERS" -u "$R/u" -w "$R/w" "$R/m"
	assert_success
	[ "$(grep -c 'FSCONFIG_SET_STRING, "lowerdir+"' <<<"$output")" -eq 128 ]
	assert_stack_visible 128
	echo hi >"$R/m/only.128"
	[ "$(cat "$R/u/only.128")" = hi ]
	ovlmount -U "$R/m"
	assert_no_overlay
}

@test "ovlmount: 200 read-only layers mount through the new mount API" {
	mk_layers 200
	run ovlmount -v -l "$LOWERS" "$R/m"
	assert_success
	[ "$(grep -c '"lowerdir+"' <<<"$output")" -eq 200 ]
	assert_line --regexp '^ovlmount: fsmount\([0-9]+, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY\) = [0-9]+$'
	assert_stack_visible 200
	ovlmount -U "$R/m"
	assert_no_overlay
}

@test "ovlmount: a layer path over fsconfig's 255-byte limit goes by O_PATH fd" {
	long=$R/$(printf 'd%.0s' $(seq 100))/$(printf 'e%.0s' $(seq 100))/$(printf 'f%.0s' $(seq 60))
	mkdir -p "$long"
	echo deep >"$long/deep"
	run ovlmount -v --api=new -l "$long:$R/l2" -u "$R/u" -w "$R/w" "$R/m"
	assert_success
	assert_output --regexp 'FSCONFIG_SET_FD, "lowerdir\+", NULL, [0-9]+\)'
	[ "$(cat "$R/m/deep")" = deep ]
	ovlmount -U "$R/m"
	assert_no_overlay
}

@test "ovlmount: chain mode inside nsrun -m: the overlay goes with the namespace" {
	[ -x "$BOCKIT_BIN/nsrun" ] || skip "nsrun not built"
	run nsrun -m -- ovlmount -l "$R/l1:$R/l2" -u "$R/u" -w "$R/w" "$R/m" -- \
		sh -c "cat '$R/m/a'; findmnt -no FSTYPE '$R/m'; echo up >'$R/m/x'; exit 7"
	assert_failure 7                         # the COMMAND's status
	assert_output "top
overlay"
	assert_no_overlay                        # gone with the mount namespace
	[ "$(cat "$R/u/x")" = up ]               # the upper keeps the writes
}

@test "ovlmount: -m mounts in a namespace of COMMAND's own, even when / is shared" {
	# systemd makes / shared: a mount in a plain new namespace would
	# propagate back here and outlive it. -m makes the copy private.
	run unshare -m --propagation unchanged sh -c '
		mount --make-rshared / || exit 99
		ovlmount -v -m -l "$1/l1:$1/l2" -u "$1/u" -w "$1/w" "$1/m" -- \
			sh -c "cat \"$1/m/a\"; echo up >\"$1/m/x\"; exit 7"
		echo "status $?"
		echo "left $(grep -c " $1/m " /proc/self/mountinfo)"' sh "$R"
	assert_success
	assert_line --index 0 'ovlmount: unshare(CLONE_NEWNS)'
	assert_line --index 1 'ovlmount: mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL)'
	assert_line top
	assert_line 'status 7'                   # the COMMAND's status
	assert_line 'left 0'                     # not mounted where -m was run
	assert_no_overlay
	[ "$(cat "$R/u/x")" = up ]
}

@test "ovlmount: -m without a COMMAND is a usage error" {
	run -2 ovlmount -m -l "$R/l1:$R/l2" "$R/m"
	bk_assert_one_line
	assert_output --partial "-m needs a COMMAND"
	assert_no_overlay
}

@test "ovlmount: chain mode into nsrun --root (the bocker run pipeline)" {
	[ -x "$BOCKIT_BIN/nsrun" ] || skip "nsrun not built"
	rootfs=$(bk_rootfs)
	mk_layers 1
	run nsrun -m -- ovlmount -l "$LOWERS:$rootfs" -u "$R/u" -w "$R/w" "$R/m" -- \
		nsrun --root "$R/m" -- /bin/sh -c 'cat /layer; echo hi >/etc/motd; cat /etc/motd'
	assert_success
	assert_output "1
hi"
	[ "$(cat "$R/u/etc/motd")" = hi ]
	[ ! -e "$rootfs/etc/motd" ] || [ "$(cat "$rootfs/etc/motd")" != hi ]
	assert_no_overlay
}

@test "ovlmount: chain mode: a COMMAND that cannot run unmounts and exits 127" {
	run -127 ovlmount --mkdir -l "$R/l1:$R/l2" -u "$R/new/u" -w "$R/new/w" "$R/new/m" -- "$R/nonexistent"
	assert_failure 127
	bk_assert_one_line
	assert_output "ovlmount: $R/nonexistent: No such file or directory"
	assert_no_overlay
	[ ! -e "$R/new" ]                         # --mkdir's dirs removed again
}

@test "ovlmount: --mkdir creates upper, work and merged" {
	run ovlmount --mkdir -l "$R/l1" -u "$R/c/u" -w "$R/c/w" "$R/c/m"
	assert_success
	[ -d "$R/c/u" ] && [ -d "$R/c/w/work" ]
	[ "$(cat "$R/c/m/a")" = top ]
	ovlmount -U "$R/c/m"
	fails_cleanly "lowerdir $R/nope does not exist" \
		--mkdir -l "$R/nope" -u "$R/d/u" -w "$R/d/w" "$R/d/m"
	[ ! -e "$R/d" ]
}

@test "ovlmount: a missing lower, merged or upper is named" {
	fails_cleanly "lowerdir $R/nope does not exist" -l "$R/l1:$R/nope" -u "$R/u" -w "$R/w" "$R/m"
	fails_cleanly "mount point $R/nope does not exist (--mkdir creates it)" \
		-l "$R/l1" -u "$R/u" -w "$R/w" "$R/nope"
	fails_cleanly "upperdir $R/nope does not exist (--mkdir creates it)" \
		-l "$R/l1" -u "$R/nope" -w "$R/w" "$R/m"
	fails_cleanly "lowerdir $R/l1/a is not a directory" -l "$R/l1/a:$R/l2" "$R/m"
}

@test "ovlmount: the same upper and merged is refused" {
	fails_cleanly "upperdir and mount point must be different directories (both are $R/u)" \
		-l "$R/l1" -u "$R/u" -w "$R/w" "$R/u"
}

@test "ovlmount: a non-empty workdir is refused" {
	echo junk >"$R/w/junk"
	fails_cleanly "workdir $R/w must be empty (it holds 'junk')" \
		-l "$R/l1" -u "$R/u" -w "$R/w" "$R/m"
}

@test "ovlmount: upper and work on different filesystems are refused" {
	mkdir -p "$R/t"
	mount -t tmpfs bockit-test "$R/t"
	bk_defer umount "$R/t"
	mkdir "$R/t/w"
	run ovlmount -l "$R/l1" -u "$R/u" -w "$R/t/w" "$R/m"
	assert_failure 1
	bk_assert_one_line
	assert_output --regexp "^ovlmount: upper and work must be on the same filesystem: $R/u is on device [0-9]+:[0-9]+, $R/t/w on [0-9]+:[0-9]+$"
	assert_no_overlay
}

@test "ovlmount: nested upper/work, a twice-given lower, one read-only layer, bad -o" {
	mkdir "$R/u/w"
	fails_cleanly "workdir $R/u/w must not be inside upperdir $R/u" -l "$R/l1" -u "$R/u" -w "$R/u/w" "$R/m"
	fails_cleanly "lowerdir $R/l1/. is given twice (as $R/l1 too)" -l "$R/l1:$R/l2:$R/l1/." "$R/m"
	fails_cleanly "a read-only overlay (no -u) needs at least 2 lower layers (for one, bind-mount it read-only)" \
		-l "$R/l1" "$R/m"
	run ovlmount -o bind -l "$R/l1" -u "$R/u" -w "$R/w" "$R/m"
	assert_failure 1
	assert_output --partial "-o bind: not an overlay option"
	assert_no_overlay
}

@test "ovlmount: -U refuses what is not a mounted overlay, explains busy, --lazy detaches" {
	run ovlmount -U "$R/m"
	assert_failure 1
	assert_output "ovlmount: $R/m: not mounted"
	mkdir -p "$R/t"
	mount -t tmpfs bockit-test "$R/t"
	bk_defer umount "$R/t"
	run ovlmount -U "$R/t"
	assert_failure 1
	assert_output "ovlmount: $R/t: is a tmpfs mount, not an overlay (use umount)"
	[ "$(findmnt -no FSTYPE "$R/t")" = tmpfs ]

	ovlmount -l "$R/l1" -u "$R/u" -w "$R/w" "$R/m"
	(cd "$R/m" && exec sleep 60) >/dev/null 2>&1 &
	pid=$!
	bk_defer kill "$pid"
	run ovlmount -U "$R/m"
	assert_failure 1
	assert_output --partial "busy"
	run ovlmount -U --lazy "$R/m"
	assert_success
	assert_no_overlay
	kill "$pid"
}

@test "ovlmount: --check lists whiteouts, opaque dirs and unconverted .wh. files" {
	mkdir -p "$R/top/dir" "$R/top/x"
	mknod "$R/top/b" c 0 0
	setfattr -n trusted.overlay.opaque -v y "$R/top/dir"
	: >"$R/top/x/.wh.gone"
	run ovlmount --check "$R/top" "$R/l1" "$R/l2"
	assert_success
	assert_line "whiteout  $R/top/b hides $R/l2/b"
	assert_line "opaque    $R/top/dir/ hides $R/l2/dir/"
	assert_line "aufs-wh   $R/top/x/.wh.gone (OCI tar whiteout, not converted for overlay)"
	assert_line "# 3 special entries in 3 layers"
	run ovlmount --check "$R/nope"
	assert_failure 1
	assert_output "ovlmount: $R/nope does not exist"
}

@test "ovlmount: --userxattr mounts rootless inside a user namespace" {
	chmod 755 "$R"
	# rootless layers belong to the user (an unmapped owner cannot be copied up)
	chown -R nobody:nogroup "$R/l1" "$R/l2" "$R/u" "$R/w" "$R/m"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups unshare -Urm -- \
		ovlmount -v --userxattr -l "$R/l1:$R/l2" -u "$R/u" -w "$R/w" "$R/m" -- \
		sh -c "rm -rf '$R/m/dir' && mkdir '$R/m/dir' && cat '$R/m/a'"
	assert_success
	assert_line "ovlmount: mount(\"overlay\", \"$R/m\", \"overlay\", 0, \"lowerdir=$R/l1:$R/l2,upperdir=$R/u,workdir=$R/w,userxattr\")"
	assert_line "top"
	run getfattr --absolute-names --only-values -n user.overlay.opaque "$R/u/dir"
	assert_output "y"
	run ovlmount --check "$R/u" "$R/l1" "$R/l2"
	assert_line "opaque    $R/u/dir/ hides $R/l2/dir/"
	assert_no_overlay
}
