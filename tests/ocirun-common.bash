# ocirun-common.bash — loaded by the ocirun suites: a bundle per test (a
# private copy of the busybox rootfs and `ocirun spec`'s config, no
# terminal), a private --root, unique container ids, and teardown that
# deletes every container the test made, even when it failed.

load helpers

oci_setup() {
	bk_setup
	OCI_ROOT=$BOCKER_ROOT/state
	OCI_BUNDLE=$BOCKER_ROOT/bundle
	mkdir -p "$OCI_BUNDLE"
	bk_rootfs_copy "$OCI_BUNDLE/rootfs"
	(cd "$OCI_BUNDLE" && ocirun spec)
	oci_cfg process.terminal=false root.readonly=false
	OCI_CONFIG=$OCI_BUNDLE/config.json
}

oci_teardown() {
	if [ -d "${OCI_ROOT:-}" ]; then
		for d in "$OCI_ROOT"/*/; do
			[ -d "$d" ] && ocirun --root "$OCI_ROOT" delete --force "$(basename "$d")" >/dev/null 2>&1
		done
	fi
	bk_teardown
}

# ocr ARGS... — ocirun with this test's state root.
ocr() {
	ocirun --root "$OCI_ROOT" "$@"
}

# oci_cfg EDIT... — edit the bundle's config.json (see fixtures/oci-config.py).
oci_cfg() {
	"$BOCKIT_TOP/tests/fixtures/oci-config.py" "$OCI_BUNDLE/config.json" "$@"
}

# oci_args 'SHELL COMMAND' — the container runs sh -c COMMAND.
oci_args() {
	oci_cfg "process.args=[\"sh\",\"-c\",$(printf '%s' "$1" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')]"
}

# oci_id — a unique container id, deleted at teardown.
oci_id() {
	bk_name oci
}

# oci_wait_stopped ID — poll the state until stopped (at most 5 s).
oci_wait_stopped() {
	for _ in $(seq 100); do
		ocr state "$1" | grep -q '"status": "stopped"' && return 0
		sleep 0.05
	done
	return 1
}

# oci_status ID — the status word.
oci_status() {
	ocr state "$1" | sed -n 's/.*"status": "\([a-z]*\)".*/\1/p'
}

# oci_cgroup_dirs ID — the container's default group in each hierarchy, if any is left.
oci_cgroup_dirs() {
	ls -d /sys/fs/cgroup/*/"ocirun-$1" /sys/fs/cgroup/"ocirun-$1" 2>/dev/null || true
}

# oci_create ARGS... — `ocirun create ARGS` with the container's stdio on
# files: the container keeps create's stdout and stderr open, so a
# command substitution (bats' run) would wait for its end. Its output is
# in $BOCKER_ROOT/ctr.out and ctr.err; ocirun's own errors go to ctr.err
# too (the same stderr) and are printed again when create fails.
oci_create() {
	local rc=0
	: >"$BOCKER_ROOT/create.err"
	ocr create "$@" </dev/null >>"$BOCKER_ROOT/ctr.out" 2>"$BOCKER_ROOT/create.err" || rc=$?
	cat "$BOCKER_ROOT/create.err" >>"$BOCKER_ROOT/ctr.err"
	[ "$rc" -eq 0 ] || cat "$BOCKER_ROOT/create.err" >&2
	return "$rc"
}

# oci_detached ocirun-ARGS... — run/exec -d the same way.
oci_detached() {
	local rc=0
	ocr "$@" </dev/null >>"$BOCKER_ROOT/ctr.out" 2>"$BOCKER_ROOT/create.err" || rc=$?
	[ "$rc" -eq 0 ] || cat "$BOCKER_ROOT/create.err" >&2
	return "$rc"
}
