#!/usr/bin/env bats
# imgpull: registry client and layer store, against a real local registry
# (Debian's docker-registry on 127.0.0.1), images built with umoci from the
# busybox rootfs fixture and pushed with skopeo.

bats_require_minimum_version 1.5.0
load helpers

FIX="$BOCKIT_TOP/tests/fixtures"

# Build the images once, start the registry, push them in every flavour.
setup_file() {
	export IP_WORK
	IP_WORK=$(mktemp -d /tmp/bockit-imgpull.XXXXXX)
	export LAYOUT="$IP_WORK/oci"
	local rootfs mk="$FIX/imgpull-mkimage.sh"
	rootfs=$(bk_rootfs)
	"$mk" single "$LAYOUT" single "$rootfs"
	"$mk" multi "$LAYOUT" multi "$rootfs"
	"$mk" arch "$LAYOUT" amd64 "$rootfs" amd64
	"$mk" arch "$LAYOUT" arm64 "$rootfs" arm64
	"$mk" index "$LAYOUT" multiarch -
	IMG_FILE_KB=64 "$mk" random "$LAYOUT" corrupt "$rootfs" 1
	umoci unpack --image "$LAYOUT:multi" "$IP_WORK/bundle" >/dev/null
	"$FIX/imgpull-tree.sh" "$IP_WORK/bundle/rootfs" >"$IP_WORK/multi.tree"

	mkdir "$IP_WORK/reg"
	export REG
	REG=127.0.0.1:$("$FIX/imgpull-registry.sh" start "$IP_WORK/reg")
	local push="skopeo copy -q --dest-tls-verify=false"
	$push "oci:$LAYOUT:single" "docker://$REG/test/single:latest"
	$push "oci:$LAYOUT:multi" "docker://$REG/test/multi:oci"
	$push --format v2s2 "oci:$LAYOUT:multi" "docker://$REG/test/multi:v2s2"
	$push --all "oci:$LAYOUT:multiarch" "docker://$REG/test/multiarch:latest"
	$push "oci:$LAYOUT:corrupt" "docker://$REG/test/corrupt:latest"
	# skopeo 1.9 would reuse its cached gzip blob for zstd: go through an
	# uncompressed dir: with the blob-info cache cleared.
	skopeo copy -q --dest-decompress "oci:$LAYOUT:multi" "dir:$IP_WORK/plain"
	rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb
	$push --dest-compress --dest-compress-format zstd "dir:$IP_WORK/plain" \
		"docker://$REG/test/multi:zstd"
}

teardown_file() {
	[ -n "${IP_WORK:-}" ] || return 0
	"$FIX/imgpull-registry.sh" stop "$IP_WORK/reg"
	rm -rf "$IP_WORK"
}

setup() {
	bk_setup
	STORE=$BOCKER_ROOT/store
}

teardown() {
	bk_teardown
}

# Nothing half-made: no temp dirs or files anywhere in the store.
assert_no_temp() {
	run find "$STORE" -name '.tmp-*'
	assert_output ""
}

pull() {
	run --separate-stderr imgpull -q --store "$STORE" "$@"
}

@test "imgpull: -h, -V and usage errors" {
	run imgpull -h
	assert_success
	assert_output --partial "Usage: imgpull"
	bk_assert_version imgpull
	run imgpull
	assert_failure 2
	run imgpull --bogus x
	assert_failure 2
	run imgpull --jobs 0 x
	assert_failure 2
	run imgpull --store "$STORE" --inspect img_000000000000 --field nope
	assert_failure 2
}

@test "imgpull: invalid references fail with one line" {
	for ref in UPPER/case 'a@sha256:1234' 'x:' 'a//b' 'bad tag:x y'; do
		run imgpull --store "$STORE" "$ref"
		assert_failure 1
		bk_assert_one_line
		assert_output --partial "invalid reference"
	done
}

@test "imgpull: pulls an OCI image; stdout is the id; record and layer dirs" {
	pull "$REG/test/single"
	assert_success
	assert_output --regexp '^img_[0-9a-f]{12}$'
	id=$output
	rec=$STORE/images/$id
	assert_equal "$(cat "$rec/source")" "$REG/test/single:latest"
	# The id is the config digest; config.json is that blob as-is.
	sum=$(sha256sum <"$rec/config.json" | cut -c1-12)
	assert_equal "img_$sum" "$id"
	[ -f "$rec/manifest.json" ]
	run cat "$rec/layers"
	assert_line --index 0 --regexp '^[0-9a-f]{64}$'
	layer=$STORE/layers/sha256/${lines[0]}
	[ -x "$layer/bin/busybox" ]
	assert_equal "$(readlink "$layer/bin/sh")" "/bin/busybox"
	assert_no_temp
}

@test "imgpull: v2s2, OCI and zstd pulls of a 3-layer image equal umoci unpack" {
	ids=()
	for tag in zstd v2s2 oci; do
		rm -rf "$BOCKER_ROOT/flat"
		pull --flatten "$BOCKER_ROOT/flat" "$REG/test/multi:$tag"
		assert_success
		ids+=("$output")
		"$FIX/imgpull-tree.sh" "$BOCKER_ROOT/flat" >"$BOCKER_ROOT/flat.tree"
		run diff "$IP_WORK/multi.tree" "$BOCKER_ROOT/flat.tree"
		assert_success
	done
	assert_equal "${ids[0]}" "${ids[1]}"
	assert_equal "${ids[1]}" "${ids[2]}"
	grep -q 'tar+zstd' "$STORE/images/${ids[0]}/manifest.json"
	# The flattened tree applied the whiteouts.
	[ ! -e "$BOCKER_ROOT/flat/etc/doomed" ]
	[ ! -e "$BOCKER_ROOT/flat/opq/old1" ]
	[ -f "$BOCKER_ROOT/flat/opq/new" ]
	assert_equal "$(wc -l <"$STORE/images/${ids[0]}/layers")" 3
}

@test "imgpull: layer dirs hold overlay whiteouts and mount as lowerdirs" {
	pull "$REG/test/multi:oci"
	assert_success
	id=$output
	top=$STORE/layers/sha256/$(head -n 1 "$STORE/images/$id/layers")
	assert_equal "$(stat -c '%F %t:%T' "$top/etc/doomed")" "character special file 0:0"
	run getfattr -n trusted.overlay.opaque --only-values --absolute-names "$top/opq"
	assert_output "y"
	# The layer dirs, top first, are the overlay lowerdirs themselves.
	lower=$(sed "s|^|$STORE/layers/sha256/|" "$STORE/images/$id/layers" | paste -sd:)
	mkdir "$BOCKER_ROOT/merged"
	mount -t overlay overlay -o "lowerdir=$lower" "$BOCKER_ROOT/merged"
	bk_defer umount "$BOCKER_ROOT/merged"
	"$FIX/imgpull-tree.sh" "$BOCKER_ROOT/merged" >"$BOCKER_ROOT/merged.tree"
	run diff "$IP_WORK/multi.tree" "$BOCKER_ROOT/merged.tree"
	assert_success
}

@test "imgpull: a second pull downloads no blob" {
	pull "$REG/test/multi:v2s2"
	assert_success
	first=$output
	run imgpull -v --store "$STORE" "$REG/test/multi:v2s2"
	assert_success
	assert_line "$first"
	refute_output --partial "/blobs/"
	assert_output --partial "already extracted"
	# A different tag of the same layers fetches only the config, if that.
	run imgpull -v --store "$STORE" "$REG/test/multi:oci"
	assert_success
	run grep -c 'GET .*/blobs/.* -> 200' <<<"$output"
	assert_output "0"
}

@test "imgpull: by digest, and a wrong digest is refused" {
	pull "$REG/test/single"
	assert_success
	digest=sha256:$(sha256sum <"$STORE/images/$output/manifest.json" | cut -d' ' -f1)
	pull "$REG/test/single@$digest"
	assert_success
	pull "$REG/test/single@sha256:$(printf '%064d' 0)"
	assert_failure 1
	assert_output ""
}

@test "imgpull: index: host platform by default, --platform picks, unknown fails" {
	pull "$REG/test/multiarch"
	assert_success
	grep -q '"architecture":"amd64"' "$STORE/images/$output/config.json"
	pull --platform linux/arm64 "$REG/test/multiarch"
	assert_success
	grep -q '"architecture":"arm64"' "$STORE/images/$output/config.json"
	run imgpull -q --store "$STORE" --platform linux/s390x "$REG/test/multiarch"
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "no image for platform linux/s390x"
}

@test "imgpull: registry errors are one clear line" {
	run imgpull -q --store "$STORE" "$REG/test/single:nosuchtag"
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "MANIFEST_UNKNOWN"
	run imgpull -q --store "$STORE" "$REG/test/nosuchrepo"
	assert_failure 1
	bk_assert_one_line
	assert_output --regexp "NAME_UNKNOWN|MANIFEST_UNKNOWN"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	run imgpull -q --store "$STORE" --timeout 5 "127.0.0.1:$port/x/y"
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "127.0.0.1:$port"
	run find "$STORE/images" -mindepth 1
	assert_output ""
}

@test "imgpull: oci: layout and docker-archive: give the registry's image" {
	pull "$REG/test/single"
	assert_success
	want=$output
	pull "oci:$LAYOUT:single"
	assert_success
	assert_output "$want"
	assert_equal "$(cat "$STORE/images/$want/source")" "oci:$LAYOUT:single"
	skopeo copy -q "oci:$LAYOUT:single" "docker-archive:$BOCKER_ROOT/single.tar:test/single:latest"
	rm -rf "$STORE"
	pull "docker-archive:$BOCKER_ROOT/single.tar"
	assert_success
	assert_output "$want"
	[ -x "$STORE/layers/sha256/$(cat "$STORE/images/$want/layers")/bin/busybox" ]
	run imgpull -q --store "$STORE" "oci:$LAYOUT:nosuchtag"
	assert_failure 1
	assert_output --partial "no image tagged 'nosuchtag'"
	run imgpull -q --store "$STORE" "docker-archive:$BOCKER_ROOT/nonexistent.tar"
	assert_failure 1
	bk_assert_one_line
}

@test "imgpull: schema1 manifests are refused" {
	cp -a "$LAYOUT" "$BOCKER_ROOT/oci"
	"$FIX/imgpull-mkimage.sh" schema1 "$BOCKER_ROOT/oci" s1 -
	run imgpull -q --store "$STORE" "oci:$BOCKER_ROOT/oci:s1"
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "schema1"
}

@test "imgpull: hostile layers are refused and nothing escapes the store" {
	links=$(stat -c %h /etc/passwd)
	for kind in dotdot absolute symlink hardlink hardlinksym; do
		target=$BOCKER_ROOT/outside-$kind
		mkdir -p "$target"
		layout=$BOCKER_ROOT/hostile-$kind
		HOSTILE_TARGET=$target "$FIX/imgpull-mkimage.sh" hostile "$layout" h "$(bk_rootfs)" "$kind"
		run imgpull -q --store "$STORE" "oci:$layout:h"
		echo "$kind: $output"
		assert_failure 1
		bk_assert_one_line
		run find "$target" -mindepth 1
		assert_output ""
		run find "$STORE/images" -mindepth 1
		assert_output ""
		assert_no_temp
	done
	assert_equal "$(stat -c %h /etc/passwd)" "$links"
	# Only the base layer made it into the store.
	assert_equal "$(find "$STORE/layers/sha256" -mindepth 1 -maxdepth 1 | wc -l)" 1
}

@test "imgpull: trusted.overlay xattrs in a layer are dropped, others kept" {
	layout=$BOCKER_ROOT/xattr
	HOSTILE_TARGET=/nonexistent "$FIX/imgpull-mkimage.sh" hostile "$layout" h "$(bk_rootfs)" overlayxattr
	pull "oci:$layout:h"
	assert_success
	top=$STORE/layers/sha256/$(head -n 1 "$STORE/images/$output/layers")
	run getfattr -h -d -m - --absolute-names "$top/dir"
	assert_output --partial 'user.kept="yes"'
	refute_output --partial "trusted.overlay"
}

# Pull test/corrupt, empty the store, and set $layer to its last layer's
# digest and $data to the registry's file of it, put back at teardown.
tamper_last_layer() {
	pull "$REG/test/corrupt"
	assert_success
	layer=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][-1]["digest"][7:])' \
		"$STORE/images/$output/manifest.json")
	rm -rf "$STORE"
	data=$IP_WORK/reg/data/docker/registry/v2/blobs/sha256/${layer:0:2}/$layer/data
	[ -f "$data" ]
	cp "$data" "$BOCKER_ROOT/good"
	bk_defer cp "$BOCKER_ROOT/good" "$data"
}

@test "imgpull: a corrupted blob fails cleanly and leaves nothing" {
	tamper_last_layer
	# Flip bytes in the registry's copy of that layer, keeping its size.
	printf 'XXXXXXXX' | dd of="$data" bs=1 seek=100 conv=notrunc 2>/dev/null
	run imgpull -q --store "$STORE" "$REG/test/corrupt"
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "digest mismatch"
	[ ! -e "$STORE/blobs/sha256/$layer" ]
	run find "$STORE/images" "$STORE/layers/sha256" -mindepth 1
	assert_output ""
	assert_no_temp
}

@test "imgpull: a registry sending more bytes than the manifest says is cut off, one line" {
	tamper_last_layer
	head -c 100000 /dev/zero >>"$data"
	run imgpull -q --store "$STORE" "$REG/test/corrupt"
	assert_failure 1
	bk_assert_one_line
	assert_output --regexp "^imgpull: .*GET .*/blobs/sha256:$layer: response larger than [0-9]+ bytes$"
	[ ! -e "$STORE/blobs/sha256/$layer" ]
	assert_no_temp
}

@test "imgpull: a corrupted oci: blob fails cleanly" {
	cp -a "$LAYOUT" "$BOCKER_ROOT/oci"
	pull "oci:$BOCKER_ROOT/oci:single"
	assert_success
	top=$(head -n 1 "$STORE/images/$output/layers")
	blob=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][-1]["digest"][7:])' \
		"$STORE/images/$output/manifest.json")
	rm -rf "$STORE"
	printf 'XXXX' | dd of="$BOCKER_ROOT/oci/blobs/sha256/$blob" bs=1 seek=600 conv=notrunc 2>/dev/null
	run imgpull -q --store "$STORE" "oci:$BOCKER_ROOT/oci:single"
	assert_failure 1
	assert_output --partial "digest mismatch"
	[ ! -e "$STORE/layers/sha256/$top" ]
	run find "$STORE/images" -mindepth 1
	assert_output ""
	assert_no_temp
}

@test "imgpull: dir: keeps owners, modes, xattrs, dotfiles and whiteouts; --parent stacks" {
	pull "$REG/test/single"
	assert_success
	parent=$output
	d=$BOCKER_ROOT/upper
	mkdir -p "$d/etc" "$d/opq" "$d/data"
	printf 'dot\n' >"$d/.dotfile"
	printf 'suid\n' >"$d/data/suid"
	chmod 4711 "$d/data/suid"
	chown 123:456 "$d/.dotfile"
	setfattr -n user.bockit -v kept "$d/data/suid"
	ln "$d/data/suid" "$d/data/hard"
	mknod "$d/etc/passwd" c 0 0
	setfattr -n trusted.overlay.opaque -v y "$d/opq"
	printf 'in\n' >"$d/opq/f"
	pull --parent "$parent" --tag mycommit "dir:$d"
	assert_success
	id=$output
	assert_equal "$(cat "$STORE/images/$id/source")" "mycommit"
	run cat "$STORE/images/$id/layers"
	assert_equal "${#lines[@]}" 2
	assert_equal "${lines[1]}" "$(cat "$STORE/images/$parent/layers")"
	new=${lines[0]}
	# The blob is an OCI tar: whiteouts as .wh. entries; its digest is the diff_id.
	assert_equal "$(sha256sum <"$STORE/blobs/sha256/$new" | cut -d' ' -f1)" "$new"
	run tar tf "$STORE/blobs/sha256/$new"
	assert_line "etc/.wh.passwd"
	assert_line "opq/.wh..wh..opq"
	# ...and the layer dir has them in overlay form again.
	l=$STORE/layers/sha256/$new
	assert_equal "$(stat -c '%F %t:%T' "$l/etc/passwd")" "character special file 0:0"
	assert_equal "$(getfattr -n trusted.overlay.opaque --only-values --absolute-names "$l/opq")" "y"
	assert_equal "$(stat -c '%a %u:%g' "$l/data/suid")" "4711 0:0"
	assert_equal "$(stat -c '%u:%g' "$l/.dotfile")" "123:456"
	assert_equal "$(stat -c %h "$l/data/hard")" 2
	assert_equal "$(getfattr -n user.bockit --only-values --absolute-names "$l/data/suid")" "kept"
	# The parent's config (Env, Cmd...) carries over, with one more diff_id.
	run imgpull --store "$STORE" --inspect "$id" --field env
	assert_line "FOO=bar"
	# Same dir, same image.
	pull --parent "$parent" "dir:$d"
	assert_output "$id"
	assert_no_temp
}

@test "imgpull: dir: without --parent is a one-layer image; --parent needs dir:" {
	mkdir -p "$BOCKER_ROOT/rootfs"
	cp -a "$(bk_rootfs)/." "$BOCKER_ROOT/rootfs/"
	pull "dir:$BOCKER_ROOT/rootfs"
	assert_success
	id=$output
	assert_equal "$(wc -l <"$STORE/images/$id/layers")" 1
	[ -x "$STORE/layers/sha256/$(cat "$STORE/images/$id/layers")/bin/busybox" ]
	run imgpull -q --store "$STORE" --parent "$id" "$REG/test/single"
	assert_failure 1
	run imgpull -q --store "$STORE" --parent img_000000000000 "dir:$BOCKER_ROOT/rootfs"
	assert_failure 1
	assert_output --partial "no such image"
}

@test "imgpull: --inspect prints fields a shell can consume without eval" {
	pull "$REG/test/single"
	assert_success
	id=$output
	run imgpull --store "$STORE" --inspect "$id"
	assert_success
	assert_line "id $id"
	assert_line "env FOO=bar"
	assert_line "env SPACED=a b"
	assert_line "entrypoint /bin/busybox"
	assert_line "cmd echo"
	assert_line "cmd hello world"
	assert_line "workdir /tmp"
	assert_line "user 1000:1000"
	run imgpull --store "$STORE" --inspect "$id" --field cmd
	assert_output $'echo\nhello world'
	# NUL-separated argv (entrypoint + cmd) for xargs -0.
	run sh -c "imgpull --store '$STORE' --inspect $id --field argv -z | xargs -0 printf '[%s]'"
	assert_output "[/bin/busybox][echo][hello world]"
	run imgpull --store "$STORE" --inspect img_000000000000
	assert_failure 1
	bk_assert_one_line
	run imgpull --store "$STORE" --inspect ../../etc
	assert_failure 1
}

@test "imgpull: concurrent pulls of the same image into one store" {
	imgpull -q --store "$STORE" "$REG/test/multi:oci" >"$BOCKER_ROOT/a" &
	a=$!
	imgpull -q --store "$STORE" "$REG/test/multi:oci" >"$BOCKER_ROOT/b" &
	b=$!
	wait "$a"
	wait "$b"
	assert_equal "$(cat "$BOCKER_ROOT/a")" "$(cat "$BOCKER_ROOT/b")"
	assert_equal "$(find "$STORE/layers/sha256" -mindepth 1 -maxdepth 1 | wc -l)" 3
	assert_no_temp
}

@test "imgpull: htpasswd Basic auth: refused without, works with --creds and docker config" {
	dir=$BOCKER_ROOT/reg-basic
	mkdir "$dir"
	port=$("$FIX/imgpull-registry.sh" start "$dir" basic alice:s3cret)
	bk_defer "$FIX/imgpull-registry.sh" stop "$dir"
	skopeo copy -q --dest-tls-verify=false --dest-creds alice:s3cret \
		"oci:$LAYOUT:single" "docker://127.0.0.1:$port/test/single:latest"
	run imgpull -q --store "$STORE" "127.0.0.1:$port/test/single"
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "Basic credentials"
	run imgpull -q --store "$STORE" --creds alice:wrong "127.0.0.1:$port/test/single"
	assert_failure 1
	assert_output --partial "UNAUTHORIZED"
	pull --creds alice:s3cret "127.0.0.1:$port/test/single"
	assert_success
	assert_output --regexp '^img_'
	mkdir "$BOCKER_ROOT/docker"
	printf '{"auths":{"127.0.0.1:%s":{"auth":"%s"}}}' "$port" "$(printf alice:s3cret | base64)" \
		>"$BOCKER_ROOT/docker/config.json"
	rm -rf "$STORE"
	DOCKER_CONFIG=$BOCKER_ROOT/docker run --separate-stderr imgpull -q --store "$STORE" \
		"127.0.0.1:$port/test/single"
	assert_success
}

@test "imgpull: Bearer token flow, anonymous and with credentials" {
	dir=$BOCKER_ROOT/reg-token
	mkdir "$dir"
	port=$("$FIX/imgpull-registry.sh" start "$dir" token)
	bk_defer "$FIX/imgpull-registry.sh" stop "$dir"
	skopeo copy -q --dest-tls-verify=false "oci:$LAYOUT:single" \
		"docker://127.0.0.1:$port/test/single:latest"
	run imgpull -v --store "$STORE" "127.0.0.1:$port/test/single"
	assert_success
	assert_output --partial "/token?service=bockit-registry&scope=repository%3Atest%2Fsingle%3Apull"
	assert_output --regexp "manifests/latest -> 200"

	dir2=$BOCKER_ROOT/reg-token2
	mkdir "$dir2"
	port2=$("$FIX/imgpull-registry.sh" start "$dir2" token bob:pw)
	bk_defer "$FIX/imgpull-registry.sh" stop "$dir2"
	skopeo copy -q --dest-tls-verify=false --dest-creds bob:pw "oci:$LAYOUT:single" \
		"docker://127.0.0.1:$port2/test/single:latest"
	run imgpull -q --store "$STORE" "127.0.0.1:$port2/test/single"
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "token"
	pull --creds bob:pw "127.0.0.1:$port2/test/single"
	assert_success
}

@test "imgpull: a full pull under ASan+LSan reports no error or leak" {
	asan=$BOCKIT_TOP/bin-asan/imgpull
	[ -x "$asan" ] || skip "bin-asan/imgpull not built (make asan)"
	run env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
		"$asan" -v --store "$STORE" --flatten "$BOCKER_ROOT/flat" "$REG/test/multi:zstd"
	assert_success
	refute_output --partial "Sanitizer"
	refute_output --partial "runtime error"
	run env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 "$asan" --store "$STORE" \
		--inspect "$(tail -n 1 <<<"$output" | grep -o 'img_[0-9a-f]*' || ls "$STORE/images")"
	assert_success
	refute_output --partial "Sanitizer"
}
