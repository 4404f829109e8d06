# security-common.bash — for the attack suites: a busybox rootfs with the
# static attack helper in it, a rootfs of Debian's own dynamically linked
# programs, and host-side objects (marker files, keys) that teardown removes.
#
# bk-attack prints "CROSSED: ..." (exit 0) when an attack worked and
# "blocked: STEP: ERROR" (exit 1) when it was stopped; see
# tests/fixtures/bk-attack.c for the list.

load helpers

# attack_bin — path of the built bk-attack (built on first use).
attack_bin() {
	local bin=$BOCKIT_TOP/build/tests/bk-attack
	[ -x "$bin" ] || make -C "$BOCKIT_TOP" build/tests/bk-attack >&2
	printf '%s\n' "$bin"
}

# attack_rootfs DIR — a private writable copy of the busybox rootfs with
# bk-attack as /bin/bk-attack.
attack_rootfs() {
	local bin
	bin=$(attack_bin)
	bk_rootfs_copy "$1"
	cp "$bin" "$1/bin/bk-attack"
}

# dyn_rootfs DIR — a private writable copy of the rootfs of Debian's
# dynamically linked bash, dash (sh), ls, cat, id and ping.
dyn_rootfs() {
	"$BOCKIT_TOP/tests/fixtures/mkdynroot.sh" "$BOCKIT_FIXTURES/dynroot" >&2
	cp -a "$BOCKIT_FIXTURES/dynroot" "$1"
}

# attack_marker — a file that exists only on the host (in this test's
# BOCKER_ROOT); prints its absolute path, for bk-attack fdwalk.
attack_marker() {
	local m=$BOCKER_ROOT/host-only-marker
	touch "$m"
	printf '%s\n' "$m"
}

# attack_host_key DESC PAYLOAD — plant a user key in the host root's user
# keyring, removed at teardown; prints its serial.
attack_host_key() {
	local id
	id=$("$(attack_bin)" make-key "$1" "$2") || return 1
	bk_defer "$(attack_bin)" unlink-key "$id"
	printf '%s\n' "$id"
}
