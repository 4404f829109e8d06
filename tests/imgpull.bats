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
	IMG_FILE_KB=1536 "$mk" random "$LAYOUT" fat "$rootfs" 1
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
	$push "oci:$LAYOUT:fat" "docker://$REG/test/fat:latest"
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

# hostile_start: the lying registry (imgpull-hostile-registry.py) for this
# test; sets HOSTILE (127.0.0.1:PORT), HOSTILE_DIR (its log is there).
hostile_start() {
	HOSTILE_DIR=$BOCKER_ROOT/hostile
	mkdir -p "$HOSTILE_DIR"
	python3 "$FIX/imgpull-hostile-registry.py" "$HOSTILE_DIR" 2>"$HOSTILE_DIR/stderr" &
	bk_defer kill "$!"
	local i
	for i in $(seq 100); do
		[ -f "$HOSTILE_DIR/ports" ] && break
		sleep 0.05
	done
	read -r port _ <"$HOSTILE_DIR/ports"
	HOSTILE=127.0.0.1:$port
}

# The store holds nothing but its empty layout (and its lock).
# (An index.json that lists nothing is the layout of an empty store.)
assert_store_empty() {
	run find "$STORE" -mindepth 1 -not -path "$STORE/store.lock" \
		-not -path "$STORE/blobs" -not -path "$STORE/blobs/sha256" \
		-not -path "$STORE/layers" -not -path "$STORE/layers/sha256" -not -path "$STORE/images" \
		-not -path "$STORE/index.lock" -not -path "$STORE/oci-layout" -not -path "$STORE/index.json" \
		-not -path "$STORE/uploads"
	assert_output ""
	[ ! -f "$STORE/index.json" ] || grep -q '"manifests":\[\]' "$STORE/index.json"
}

# small_store MB: STORE on a tmpfs of MB MiB of its own.
small_store() {
	mkdir -p "$BOCKER_ROOT/small"
	mount -t tmpfs -o "size=${1}m" bockit-test "$BOCKER_ROOT/small"
	bk_defer umount -l "$BOCKER_ROOT/small"
	STORE=$BOCKER_ROOT/small/store
}

used_kb() { df --output=used -k "$1" | tail -n 1 | tr -d ' '; }

# manifest_blobs ID: the hex digests of the blobs the record's manifest
# names (the manifest itself, its config, its layers), sorted.
manifest_blobs() {
	python3 - "$STORE/images/$1/manifest.json" <<'PY'
import hashlib, json, sys
raw = open(sys.argv[1], "rb").read()
m = json.loads(raw)
ds = {hashlib.sha256(raw).hexdigest(), m["config"]["digest"][7:]}
ds.update(l["digest"][7:] for l in m["layers"])
print("\n".join(sorted(ds)))
PY
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
	refute_output --partial "syncfs"   # nothing new: nothing to sync
	# A different tag of the same layers fetches only the config, if that.
	run imgpull -v --store "$STORE" "$REG/test/multi:oci"
	assert_success
	run grep -c 'GET .*/blobs/.* -> 200' <<<"$output"
	assert_output "0"
}

@test "imgpull: every blob the manifest names is kept as the registry sent it; a store without them gets them back" {
	pull "$REG/test/multi:v2s2"
	assert_success
	id=$output
	run diff <(ls "$STORE/blobs/sha256") <(manifest_blobs "$id")
	assert_success
	for hex in $(manifest_blobs "$id"); do
		assert_equal "$(sha256sum <"$STORE/blobs/sha256/$hex" | cut -d' ' -f1)" "$hex"
		cmp "$STORE/blobs/sha256/$hex" "$IP_WORK/reg/data/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
	done
	# a store of an older imgpull (layer blobs dropped once extracted)
	for hex in $(python3 -c 'import json,sys; print(" ".join(l["digest"][7:] for l in json.load(open(sys.argv[1]))["layers"]))' \
		"$STORE/images/$id/manifest.json"); do
		rm "$STORE/blobs/sha256/$hex"
	done
	run imgpull -v --store "$STORE" "$REG/test/multi:v2s2"
	assert_success
	assert_equal "$(grep -c 'GET .*/blobs/.* -> 200' <<<"$output")" 3
	refute_output --regexp "extract .* into"
	run diff <(ls "$STORE/blobs/sha256") <(manifest_blobs "$id")
	assert_success
}

# resolved IMAGE: the id imgpull resolves IMAGE to.
resolved() {
	local out
	out=$(imgpull --store "$STORE" resolve "$1") || return 1
	echo "${out%% *}"
}

# mkdir_image DIR TEXT: a small tree of its own for a dir: image.
mkdir_image() {
	mkdir -p "$1/etc"
	printf '%s\n' "$2" >"$1/etc/hi"
}

@test "imgpull: the store is an OCI image layout: skopeo, umoci and podman read every image by its name" {
	pull "$REG/test/multi:oci"
	assert_success
	multi=$output
	rootfs=$BOCKER_ROOT/rootfs
	bk_rootfs_copy "$rootfs"
	pull -t base "dir:$rootfs"
	assert_success
	base=$output
	mkdir_image "$BOCKER_ROOT/upper" committed
	pull --parent base -t localhost/snap:v1 "dir:$BOCKER_ROOT/upper"
	assert_success
	snap=$output
	assert_equal "$(cat "$STORE/oci-layout")" '{"imageLayoutVersion":"1.0.0"}'
	run umoci ls --layout "$STORE"
	assert_success
	assert_output "$(printf '%s\n' "$REG/test/multi:oci" docker.io/library/base:latest localhost/snap:v1 | sort)"
	for pair in "$REG/test/multi:oci $multi" "docker.io/library/base:latest $base" "localhost/snap:v1 $snap"; do
		read -r name id <<<"$pair"
		# the manifest skopeo reads is the record's, byte for byte
		run skopeo inspect --raw "oci:$STORE:$name"
		assert_success
		assert_equal "$output" "$(cat "$STORE/images/$id/manifest.json")"
		run skopeo inspect --config "oci:$STORE:$name"
		assert_success
		assert_equal "sha256:$(skopeo inspect --raw --config "oci:$STORE:$name" | sha256sum | cut -c1-12)" \
			"sha256:${id#img_}"
		skopeo copy -q "oci:$STORE:$name" "dir:$BOCKER_ROOT/copy-${id}"
	done
	bk_podman_env
	# podman names what it pulls from oci: after the path, which must be
	# lower case
	lower=/tmp/bockit-layout-$$-$RANDOM
	ln -s "$STORE" "$lower"
	bk_defer rm -f "$lower"
	run podman pull -q "oci:$lower:localhost/snap:v1"
	assert_success
	assert_equal "${output:0:12}" "${snap#img_}"
	run podman run --rm --network none "${snap#img_}" cat /etc/hi
	assert_success
	assert_output committed
}

@test "imgpull: names as Docker normalises them; one image per name; a re-tag moves it, the image left is <none>" {
	mkdir_image "$BOCKER_ROOT/a" a
	mkdir_image "$BOCKER_ROOT/b" b
	pull -t busybox "dir:$BOCKER_ROOT/a"
	a=$output
	pull "dir:$BOCKER_ROOT/b"
	b=$output
	for word in busybox busybox:latest library/busybox docker.io/library/busybox:latest "$a" "${a:0:8}" "${a:4:5}"; do
		assert_equal "$(resolved "$word")" "$a"
	done
	run imgpull --store "$STORE" images
	assert_success
	assert_line --regexp "^busybox	latest	$a	[0-9.]+[kMG]?B	[0-9-]+ [0-9:]+\$"
	assert_line --regexp "^<none>	<none>	$b	"
	# the name moves: one image per name; the one left has none
	imgpull --store "$STORE" tag "$b" busybox
	assert_equal "$(resolved busybox)" "$b"
	run imgpull --store "$STORE" images
	assert_line --regexp "^<none>	<none>	$a	"
	assert_line --regexp "^busybox	latest	$b	"
	assert_equal "$(grep -o 'org.opencontainers.image.ref.name' "$STORE/index.json" | wc -l)" 1
	# bash bocker's names are names; img_ and 12 hex digits is always an id
	imgpull --store "$STORE" tag "$a" img_mine
	imgpull --store "$STORE" tag "$a" ghcr.io/o/n:1.0
	run imgpull --store "$STORE" resolve img_mine
	assert_output "$a docker.io/library/img_mine:latest"
	run imgpull --store "$STORE" resolve "$a"
	assert_output "$a"
	assert_equal "$(resolved img_mine)" "$a"
	assert_equal "$(resolved docker.io/library/img_mine:latest)" "$a"
	run imgpull --store "$STORE" images
	assert_line --regexp "^ghcr.io/o/n	1.0	$a	"
	assert_line --regexp "^img_mine	latest	$a	"
	for bad in img_0123456789ab UPPER 'a b' 'x:' "busybox@sha256:$(printf '%064d' 0)"; do
		run imgpull --store "$STORE" tag "$a" "$bad"
		assert_failure 1
		bk_assert_one_line
		assert_output --partial "invalid name"
	done
	# untag takes the name, not the image
	imgpull --store "$STORE" untag busybox
	run imgpull --store "$STORE" resolve busybox
	assert_failure 1
	assert_output --partial "no such image"
	[ -d "$STORE/images/$b" ]
	run imgpull --store "$STORE" untag busybox
	assert_failure 1
	assert_output "imgpull: no image is named docker.io/library/busybox:latest"
	# --rm takes an image's names with it
	imgpull --store "$STORE" --rm img_mine
	[ ! -d "$STORE/images/$a" ]
	run grep -c 'ref.name' "$STORE/index.json"
	assert_output 0
	run imgpull --store "$STORE" resolve ghcr.io/o/n:1.0
	assert_failure 1
}

@test "imgpull: a pull names the image by its reference (a digest gives none); ambiguous prefixes are refused" {
	pull "$REG/test/single"
	id=$output
	assert_equal "$(resolved "$REG/test/single")" "$id"
	run imgpull --store "$STORE" images
	assert_line --regexp "^$REG/test/single	latest	$id	"
	digest=sha256:$(sha256sum <"$STORE/images/$id/manifest.json" | cut -d' ' -f1)
	imgpull --store "$STORE" untag "$REG/test/single"
	pull "$REG/test/single@$digest"
	assert_output "$id"
	run imgpull --store "$STORE" images
	assert_line --regexp "^<none>	<none>	$id	"
	# images until two ids share their first digit: that prefix is ambiguous
	declare -A first
	for i in $(seq 40); do
		mkdir_image "$BOCKER_ROOT/t$i" "$i"
		pull "dir:$BOCKER_ROOT/t$i"
		d=${output:4:1}
		[ -n "${first[$d]:-}" ] && break
		first[$d]=$output
	done
	run imgpull --store "$STORE" resolve "$d"
	assert_failure 1
	assert_output --partial "ambiguous"
	run imgpull --store "$STORE" resolve "img_$d"
	assert_failure 1
	assert_output --partial "ambiguous"
}

@test "imgpull: index.json is changed atomically under the lock: 20 tags at once all land" {
	mkdir_image "$BOCKER_ROOT/a" a
	pull "dir:$BOCKER_ROOT/a"
	a=$output
	pids=()
	for i in $(seq 20); do
		imgpull --store "$STORE" tag "$a" "n$i" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["manifests"]))' "$STORE/index.json" | grep -qx 20
	for i in $(seq 20); do
		assert_equal "$(resolved "n$i")" "$a"
	done
	assert_no_temp
}

@test "imgpull: the record's inspect file is what --inspect prints; a commit's size is its parent's and its own" {
	pull "$REG/test/single"
	id=$output
	run imgpull --store "$STORE" --inspect "$id"
	assert_equal "$output" "$(cat "$STORE/images/$id/inspect")"
	assert_line --regexp '^created [0-9]{4}-[0-9]{2}-[0-9]{2}T'
	# size: what the layer dirs hold (directories aside)
	size() { find "$@" -mindepth 1 -not -type d -printf '%s\n' | awk '{ s += $1 } END { print s }'; }
	want=$(size "$STORE/layers/sha256/$(cat "$STORE/images/$id/layers")")
	assert_line "size $want"
	mkdir_image "$BOCKER_ROOT/up" "new content"
	pull --parent "$id" "dir:$BOCKER_ROOT/up"
	new=$output
	assert_equal "$(imgpull --store "$STORE" --inspect "$new" --field size)" $((want + 12))
	# an older record, without the file: worked out the same way
	rm "$STORE/images/$new/inspect"
	assert_equal "$(imgpull --store "$STORE" --inspect "$new" --field size)" $((want + 12))
	# a value with a newline: no file (a shell reads it line by line), -z works
	umoci init --layout "$BOCKER_ROOT/oci"
	umoci new --image "$BOCKER_ROOT/oci:nl"
	umoci config --image "$BOCKER_ROOT/oci:nl" --config.env $'A=1\n2'
	pull "oci:$BOCKER_ROOT/oci:nl"
	nl=$output
	[ ! -e "$STORE/images/$nl/inspect" ]
	run imgpull --store "$STORE" --inspect "$nl"
	assert_failure 1
	assert_output --partial "newline"
	run imgpull --store "$STORE" --inspect "$nl" --field env -z
	assert_success
}

# ---- push ----

@test "imgpull push: a pulled image keeps its manifest digest; skopeo inspects it, podman pulls and runs it, imgpull pulls it back" {
	pull "$REG/test/multi:v2s2"
	id=$output
	want=sha256:$(sha256sum <"$STORE/images/$id/manifest.json" | cut -d' ' -f1)
	run --separate-stderr imgpull --store "$STORE" push "$REG/test/multi:v2s2" "$REG/pushed/multi:v1"
	assert_success
	assert_output "$want"
	run skopeo inspect --tls-verify=false "docker://$REG/pushed/multi:v1"
	assert_success
	assert_output --partial "\"Digest\": \"$want\""
	run skopeo inspect --raw --tls-verify=false "docker://$REG/pushed/multi:v1"
	assert_equal "$output" "$(cat "$STORE/images/$id/manifest.json")"
	bk_podman_env
	run podman pull -q --tls-verify=false "$REG/pushed/multi:v1"
	assert_success
	run podman run --rm --network none "$REG/pushed/multi:v1" cat /opq/new
	assert_success
	rm -rf "$STORE"
	pull "$REG/pushed/multi:v1"
	assert_output "$id"
}

@test "imgpull push: init'd and committed images, pushed, run by podman and pulled back to their ids" {
	rootfs=$BOCKER_ROOT/rootfs
	bk_rootfs_copy "$rootfs"
	pull -t base "dir:$rootfs"
	base=$output
	mkdir_image "$BOCKER_ROOT/upper" committed
	pull --parent base -t snap "dir:$BOCKER_ROOT/upper"
	snap=$output
	run --separate-stderr imgpull -q --store "$STORE" push base "$REG/made/base:v1"
	assert_success
	run --separate-stderr imgpull -q --store "$STORE" push snap "$REG/made/snap:v1"
	assert_success
	bk_podman_env
	run podman run -q --rm --network none --tls-verify=false "$REG/made/snap:v1" cat /etc/hi
	assert_success
	assert_output committed
	run podman run -q --rm --network none --tls-verify=false "$REG/made/base:v1" /bin/echo from-base
	assert_output from-base
	rm -rf "$STORE"
	pull "$REG/made/snap:v1"
	assert_output "$snap"
	pull "$REG/made/base:v1"
	assert_output "$base"
}

@test "imgpull push: a blob the registry has is not sent again; one of another repository is mounted" {
	pull "$REG/test/single"
	id=$output
	imgpull -q --store "$STORE" push "$id" "$REG/again/single:v1" >/dev/null
	run imgpull -v -q --store "$STORE" push "$id" "$REG/again/single:v1"
	assert_success
	assert_equal "$(grep -c '^imgpull: HEAD .*/blobs/.* -> 200' <<<"$output")" 2
	refute_output --partial "POST"
	refute_output --regexp "(PATCH|PUT) .*/blobs/"
	# pulled from test/single on this registry: mounted, not sent
	run imgpull -v -q --store "$STORE" push "$id" "$REG/mounted/single:v1"
	assert_success
	assert_equal "$(grep -c "POST .*/blobs/uploads/?mount=sha256:[0-9a-f]*&from=test/single -> 201" <<<"$output")" 2
	refute_output --regexp "(PATCH|PUT) .*/blobs/"
	skopeo inspect --tls-verify=false "docker://$REG/mounted/single:v1" >/dev/null
}

@test "imgpull push: large blobs go in chunks; a push killed halfway resumes where the registry is" {
	pull "$REG/test/fat"
	id=$output
	dir=$BOCKER_ROOT/proxy
	mkdir "$dir"
	python3 "$FIX/imgpull-holdproxy.py" "$dir" "${REG##*:}" 2 2>"$dir/log" &
	bk_defer kill "$!"
	for _ in $(seq 100); do [ -f "$dir/port" ] && break; sleep 0.05; done
	proxy=127.0.0.1:$(cat "$dir/port")
	imgpull -q --store "$STORE" -j 1 push --chunk-size 1M "$id" "$proxy/resumed/fat:v1" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 200); do [ -f "$dir/held" ] && break; sleep 0.05; done
	[ -f "$dir/held" ]
	kill -9 "$pid"
	wait "$pid" || true
	run ls "$STORE/uploads"
	assert_equal "${#lines[@]}" 1   # the upload's Location, kept to resume from
	touch "$dir/release"
	run imgpull -v -q --store "$STORE" -j 1 push --chunk-size 1M "$id" "$proxy/resumed/fat:v1"
	assert_success
	assert_output --regexp "the registry holds [1-9][0-9]* bytes of sha256:"
	# no new upload for the layer (one POST: the config's); its PATCHes go
	# on from 2M
	assert_equal "$(grep -c '^imgpull: POST .*/blobs/uploads/ (0 bytes)$' <<<"$output")" 1
	assert_output --regexp "PATCH .*\(1048576 bytes\)"
	run ls "$STORE/uploads"
	assert_output ""
	rm -rf "$STORE"
	pull "$REG/resumed/fat:v1"
	assert_output "$id"
}

@test "imgpull push: with the token server, a token with push scope; refused without credentials" {
	dir=$BOCKER_ROOT/reg-token
	mkdir "$dir"
	port=$("$FIX/imgpull-registry.sh" start "$dir" token alice:s3cret)
	bk_defer "$FIX/imgpull-registry.sh" stop "$dir"
	mkdir_image "$BOCKER_ROOT/a" token
	pull -t mine "dir:$BOCKER_ROOT/a"
	id=$output
	run imgpull -q --store "$STORE" push mine "127.0.0.1:$port/alice/mine:v1"
	assert_failure 1
	bk_assert_one_line
	run --separate-stderr imgpull -q --store "$STORE" --creds alice:s3cret push mine "127.0.0.1:$port/alice/mine:v1"
	assert_success
	grep -q 'scope=repository%3Aalice%2Fmine%3Apull%2Cpush\|scope=repository:alice/mine:pull,push' "$dir/token.log"
	rm -rf "$STORE"
	run --separate-stderr imgpull -q --store "$STORE" --creds alice:s3cret "127.0.0.1:$port/alice/mine:v1"
	assert_success
	assert_output "$id"
}

@test "imgpull push: usage and refusals: one line each" {
	mkdir_image "$BOCKER_ROOT/a" a
	pull -t mine "dir:$BOCKER_ROOT/a"
	run imgpull --store "$STORE" push mine
	assert_failure 2
	run imgpull --store "$STORE" push --flatten x mine "$REG/x/y"
	assert_failure 2
	run imgpull --store "$STORE" --chunk-size 1M mine
	assert_failure 2
	run imgpull --store "$STORE" push mine "$REG/x/y@sha256:$(printf '%064d' 0)"
	assert_failure 1
	assert_output --partial "push to a tag"
	run imgpull --store "$STORE" push nosuch "$REG/x/y"
	assert_failure 1
	assert_output --partial "no such image"
	# a layer blob missing from the store (an older imgpull dropped it)
	blob=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][0]["digest"][7:])' \
		"$STORE/images/$(resolved mine)/manifest.json")
	rm "$STORE/blobs/sha256/$blob"
	run imgpull --store "$STORE" push mine "$REG/x/y"
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "pull the image again"
}

# ---- save and load ----

@test "imgpull save: docker and OCI archives that podman loads and runs and skopeo reads; load gives the same images and names" {
	pull "$REG/test/multi:v2s2"
	multi=$output
	mkdir_image "$BOCKER_ROOT/a" saved
	pull --parent "$multi" -t localhost/app:v1 "dir:$BOCKER_ROOT/a"
	app=$output
	imgpull --store "$STORE" save "$REG/test/multi:v2s2" localhost/app:v1 -o "$BOCKER_ROOT/d.tar"
	imgpull --store "$STORE" save --format oci localhost/app:v1 >"$BOCKER_ROOT/o.tar"
	run tar -tf "$BOCKER_ROOT/o.tar"
	refute_line manifest.json
	assert_line index.json
	run skopeo inspect --raw "oci-archive:$BOCKER_ROOT/o.tar:localhost/app:v1"
	assert_equal "$output" "$(cat "$STORE/images/$app/manifest.json")"
	run skopeo inspect --raw "docker-archive:$BOCKER_ROOT/d.tar:localhost/app:v1"
	assert_success
	bk_podman_env
	run podman load -q -i "$BOCKER_ROOT/d.tar"
	assert_success
	assert_line "Loaded image: localhost/app:v1"
	run podman run --rm --network none localhost/app:v1 cat /etc/hi /opq/new
	assert_success
	assert_line --index 0 saved
	podman rmi -a -f >/dev/null
	run podman load -q -i "$BOCKER_ROOT/o.tar"
	assert_success
	run podman run --rm --network none localhost/app:v1 cat /etc/hi
	assert_output saved
	# back into an empty store: the same ids, names and manifests
	for f in d.tar o.tar; do
		s=$BOCKER_ROOT/back-$f
		run --separate-stderr imgpull -q --store "$s" load "$BOCKER_ROOT/$f"
		assert_success
		assert_line "$app"
		cmp "$s/images/$app/manifest.json" "$STORE/images/$app/manifest.json"
		run imgpull --store "$s" resolve localhost/app:v1
		assert_output "$app localhost/app:v1"
	done
	# from a pipe, and the archive docker save wrote before Docker 25
	run --separate-stderr sh -c "imgpull -q --store '$BOCKER_ROOT/pipe' load <'$BOCKER_ROOT/d.tar'"
	assert_success
	assert_equal "${lines[1]}" "$app"
	skopeo copy -q "oci:$LAYOUT:single" "docker-archive:$BOCKER_ROOT/legacy.tar:test/single:latest"
	run --separate-stderr imgpull -q --store "$BOCKER_ROOT/legacy" load "$BOCKER_ROOT/legacy.tar"
	assert_success
	assert_equal "$(imgpull --store "$BOCKER_ROOT/legacy" resolve test/single)" \
		"$output docker.io/test/single:latest"
	run find "$BOCKER_ROOT/pipe" "$BOCKER_ROOT/legacy" -name '.tmp-*'
	assert_output ""
}

@test "imgpull load: hostile archives: nothing outside the store, a lying blob refused, nothing kept" {
	mkdir_image "$BOCKER_ROOT/a" a
	pull -t mine "dir:$BOCKER_ROOT/a"
	imgpull --store "$STORE" save --format oci mine -o "$BOCKER_ROOT/o.tar"
	x=$BOCKER_ROOT/x
	mkdir -p "$x/blobs/sha256"
	tar -C "$x" -xf "$BOCKER_ROOT/o.tar"
	# a member climbing out, one through a symlink, and a blob whose
	# content is not its name
	ln -s "$BOCKER_ROOT/outside" "$x/blobs/sha256/link"
	blob=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][0]["digest"][7:])' \
		"$STORE/images/$(resolved mine)/manifest.json")
	printf 'not the layer' >"$x/blobs/sha256/$blob"
	python3 - "$x" "$BOCKER_ROOT/hostile.tar" <<'PY'
import io, os, sys, tarfile
src, out = sys.argv[1:3]
with tarfile.open(out, "w") as t:
    for root, _, files in os.walk(src):
        for f in files:
            p = os.path.join(root, f)
            t.add(p, os.path.relpath(p, src))
    data = b"escaped"
    i = tarfile.TarInfo("../../escaped"); i.size = len(data); t.addfile(i, io.BytesIO(data))
PY
	s=$BOCKER_ROOT/s2
	run imgpull -q --store "$s" load "$BOCKER_ROOT/hostile.tar"
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "digest mismatch"
	[ ! -e "$BOCKER_ROOT/outside" ]
	[ ! -e "$BOCKER_ROOT/escaped" ] && [ ! -e /tmp/escaped ]
	run find "$s" -name '.tmp-*'
	assert_output ""
	run find "$s/images" "$s/layers/sha256" -mindepth 1
	assert_output ""
	run imgpull -q --store "$s" load /dev/null
	assert_failure 1
	bk_assert_one_line
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
	# a record never changes: it says where the image first came from
	assert_equal "$(cat "$STORE/images/$want/source")" "$REG/test/single:latest"
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

@test "imgpull: a hostile local source: an index.json of 8 MB, a manifest.json naming no members" {
	mkdir -p "$BOCKER_ROOT/big/blobs/sha256"
	cp "$LAYOUT/oci-layout" "$BOCKER_ROOT/big/"
	python3 -c 'import json, sys; json.dump({"schemaVersion": 2, "manifests": [],
		"pad": "x" * (8 << 20)}, sys.stdout)' >"$BOCKER_ROOT/big/index.json"
	run imgpull -q --store "$STORE" "oci:$BOCKER_ROOT/big"
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "index.json: larger than 8388607 bytes"
	mkdir "$BOCKER_ROOT/arch"
	echo '[{"Config": "c.json", "Layers": [7]}]' >"$BOCKER_ROOT/arch/manifest.json"
	tar -C "$BOCKER_ROOT/arch" -cf "$BOCKER_ROOT/arch.tar" manifest.json
	run imgpull -q --store "$STORE" "docker-archive:$BOCKER_ROOT/arch.tar"
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "manifest.json: bad Layers entry"
	run find "$STORE/images" "$STORE/blobs" -mindepth 1 -newer "$BOCKER_ROOT/arch.tar"
	assert_output ""
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
	# A refused pull keeps nothing, not even the layers it had extracted.
	run find "$STORE/layers/sha256" "$STORE/blobs/sha256" -mindepth 1
	assert_output ""
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
	assert_equal "$(cat "$STORE/images/$id/source")" "dir:$d"
	assert_equal "$(resolved mycommit)" "$id"
	run cat "$STORE/images/$id/layers"
	assert_equal "${#lines[@]}" 2
	assert_equal "${lines[1]}" "$(cat "$STORE/images/$parent/layers")"
	new=${lines[0]}
	# The tar (whiteouts as .wh. entries, its digest the diff_id) is kept,
	# the blob the manifest names on top of the parent's layers; the
	# blobs are those the two manifests name.
	run diff <(ls "$STORE/blobs/sha256") <(sort -u <(manifest_blobs "$parent") <(manifest_blobs "$id"))
	assert_success
	blob=$(python3 -c 'import json,sys; l=json.load(open(sys.argv[1]))["layers"]; print(l[-1]["mediaType"], l[-1]["digest"][7:], len(l))' \
		"$STORE/images/$id/manifest.json")
	read -r type hex n <<<"$blob"
	assert_equal "$type" application/vnd.oci.image.layer.v1.tar
	assert_equal "$n" 2
	assert_equal "$hex" "$new"
	tar -tf "$STORE/blobs/sha256/$hex" | grep -qx 'etc/.wh.passwd'
	tar -tf "$STORE/blobs/sha256/$hex" | grep -qx 'opq/.wh..wh..opq'
	# The layer dir has the whiteouts in overlay form again.
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

@test "imgpull: a --store whose parent is missing is an error, and nothing is made" {
	run imgpull -q --store "$BOCKER_ROOT/nonexistent/dir" "oci:$LAYOUT:single"
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "$BOCKER_ROOT/nonexistent/dir: No such file or directory"
	[ ! -e "$BOCKER_ROOT/nonexistent" ]
	for op in --gc "--rm img_000000000000" "--inspect img_000000000000"; do
		# shellcheck disable=SC2086 # two words
		run imgpull --store "$BOCKER_ROOT/nostore" $op
		assert_failure 1
		[ ! -e "$BOCKER_ROOT/nostore" ]
	done
}

@test "imgpull: blobs shorter, longer, 2^62, a lying Content-Length, a stall, a redirect loop: one line, nothing kept" {
	hostile_start
	bin=imgpull
	# The ASan build, when there: a short or 2^62 blob was a use-after-free.
	[ -x "$BOCKIT_TOP/bin-asan/imgpull" ] && bin=$BOCKIT_TOP/bin-asan/imgpull
	pull "$HOSTILE/ok"
	assert_success
	rm -rf "$STORE"
	declare -A want=(
		[short]="got 71680 bytes, the manifest says 71780"
		[huge]="got 71680 bytes, the manifest says 4611686018427387904"
		[long]="response larger than 71580 bytes"
		[badlen]="transfer closed with"
		[stall]="Operation too slow"
		[loop]="Maximum (5) redirects followed"
	)
	for mode in short huge long badlen stall loop; do
		run env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
			timeout 60 "$bin" -q --timeout 2 --store "$STORE" "$HOSTILE/$mode"
		echo "$mode: $output"
		assert_failure 1
		bk_assert_one_line
		assert_output --partial "${want[$mode]}"
		refute_output --partial "Sanitizer"
		assert_store_empty
	done
}

@test "imgpull: the Authorization header never follows a redirect to another host or port" {
	hostile_start
	for target in away:127.0.0.2 awayport:127.0.0.1; do
		mode=${target%:*}
		pull --creds alice:s3cret "$HOSTILE/$mode"
		assert_success
		# the registry got the credentials; the redirect target did not
		grep -q "^$HOSTILE GET /v2/$mode/blobs/.* auth=Basic " "$HOSTILE_DIR/log"
		run grep " GET /blob " "$HOSTILE_DIR/log"
		assert_output --regexp "^${target#*:}:[0-9]+ GET /blob auth=$"
		refute_output --partial "$HOSTILE "
		: >"$HOSTILE_DIR/log"
		rm -rf "$STORE"
	done
}

@test "imgpull: credentials go to a plain-http token realm only on the registry's own host" {
	hostile_start
	# a realm on another host: refused with credentials, anonymous without
	run imgpull -q --store "$STORE" --creds bob:pw "$HOSTILE/realmaway"
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "credentials go over plain http only to the registry's own host"
	pull "$HOSTILE/realmaway"
	assert_success
	run grep "^127.0.0.2:.* GET /token" "$HOSTILE_DIR/log"
	assert_success
	assert_output --regexp " auth=$"
	# a realm on the registry's host (another port) gets them
	: >"$HOSTILE_DIR/log"
	pull --creds bob:pw "$HOSTILE/realmport"
	assert_success
	run grep " GET /token" "$HOSTILE_DIR/log"
	assert_output --regexp "^127.0.0.1:[0-9]+ GET /token.* auth=Basic $(printf bob:pw | base64)$"
}

@test "imgpull: an https token realm on another host gets the credentials (as Docker Hub's)" {
	mkdir -p "$BOCKER_ROOT/hostile"
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.2 \
		-addext subjectAltName=IP:127.0.0.2 -keyout "$BOCKER_ROOT/hostile/tls.key" \
		-out "$BOCKER_ROOT/hostile/tls.crt" 2>/dev/null
	hostile_start
	pull --ca "$BOCKER_ROOT/hostile/tls.crt" --creds bob:pw "$HOSTILE/realmtls"
	assert_success
	read -r _ _ _ tls <"$HOSTILE_DIR/ports"
	run grep " GET /token" "$HOSTILE_DIR/log"
	assert_output --regexp "^127.0.0.2:$tls GET /token.* auth=Basic $(printf bob:pw | base64)$"
	# without the CA, TLS fails: no credentials to an unverified realm
	rm -rf "$STORE"
	: >"$HOSTILE_DIR/log"
	run imgpull -q --store "$STORE" --creds bob:pw "$HOSTILE/realmtls"
	assert_failure 1
	bk_assert_one_line
	run grep " GET /token" "$HOSTILE_DIR/log"
	assert_output ""
}

@test "imgpull: JSON nested deep or many MB large is refused with one line" {
	hostile_start
	declare -A want=(
		[deep]="maximum parsing depth reached"
		[bigmanifest]="response larger than 4194304 bytes"
		[bigconfig]="response larger than 16777216 bytes"
		[bigtoken]="response larger than 1048576 bytes"
	)
	for mode in deep bigmanifest bigconfig bigtoken; do
		run imgpull -q --store "$STORE" "$HOSTILE/$mode"
		echo "$mode: $output"
		assert_failure 1
		bk_assert_one_line
		assert_output --partial "${want[$mode]}"
		assert_store_empty
	done
}

# A full store, then room again: one line, the store as it was, and once
# there is room, files equal to the registry's layer.
full_then_room() { # full_then_room FREE_KB WHAT
	local before used filler=$BOCKER_ROOT/small/filler
	mkdir -p "$STORE/blobs/sha256" "$STORE/layers/sha256" "$STORE/images" "$STORE/uploads"
	imgpull --store "$STORE" --gc
	before=$(find "$STORE" | sort)
	used=$(used_kb "$BOCKER_ROOT/small")
	head -c "$(( (20 << 10) - used - $1 ))K" /dev/zero >"$filler"
	used=$(used_kb "$BOCKER_ROOT/small")
	run imgpull -q --store "$STORE" "$REG/test/fat"
	assert_failure 1
	bk_assert_one_line
	assert_output --regexp "^imgpull: $2 sha256:[0-9a-f]{12}: write.*: No space left on device$"
	assert_equal "$(find "$STORE" | sort)" "$before"
	assert_equal "$(used_kb "$BOCKER_ROOT/small")" "$used"
	rm -f "$filler"
	pull "$REG/test/fat"
	assert_success
}

@test "imgpull: ENOSPC while downloading or extracting fails cleanly; with room again the files are the registry's" {
	small_store 20
	total=$(skopeo inspect --raw --tls-verify=false "docker://$REG/test/fat" |
		python3 -c 'import json,sys; print(sum(l["size"] for l in json.load(sys.stdin)["layers"]) // 1024)')
	full_then_room $((total / 2)) blob
	rm -rf "$STORE"
	full_then_room $((total + 300)) layer
	# every file as the registry has it: the layer dir equals a plain
	# extraction of the registry's blob
	id=$output
	top=$(head -n 1 "$STORE/images/$id/layers")
	skopeo copy -q --src-tls-verify=false "docker://$REG/test/fat" "dir:$BOCKER_ROOT/fat"
	mkdir "$BOCKER_ROOT/ref"
	for b in "$BOCKER_ROOT"/fat/*; do
		[ "$(tar -tf "$b" 2>/dev/null | head -n 1)" = "./" ] || continue
		tar -tf "$b" | grep -q '^./data/0/1$' && tar -C "$BOCKER_ROOT/ref" -xf "$b"
	done
	[ -f "$BOCKER_ROOT/ref/data/0/1" ]
	run diff <("$FIX/imgpull-tree.sh" "$BOCKER_ROOT/ref") <("$FIX/imgpull-tree.sh" "$STORE/layers/sha256/$top")
	assert_success
}

@test "imgpull: a decompression bomb on a 50 MB store fails cleanly and frees its space" {
	python3 "$FIX/imgpull-bomb.py" "$BOCKER_ROOT/bomb"
	[ "$(du -k "$BOCKER_ROOT/bomb/blobs/sha256" | cut -f1)" -lt 4096 ]
	small_store 50
	mkdir -p "$STORE"
	run imgpull -q --store "$STORE" "oci:$BOCKER_ROOT/bomb:bomb"
	assert_failure 1
	bk_assert_one_line
	assert_output --regexp "layer sha256:[0-9a-f]{12}: write zeros: No space left on device$"
	assert_store_empty
	[ "$(used_kb "$BOCKER_ROOT/small")" -lt 1024 ]
}

@test "imgpull: -v shows the durable order: data synced, objects renamed and their dirs synced, the record last" {
	run imgpull -v -q --store "$STORE" "$REG/test/multi:oci"
	assert_success
	trace=$(grep -E '^imgpull: (syncfs|rename|fsync) ' <<<"$output" | cut -d' ' -f2-3)
	echo "$trace"
	first=$(head -n 1 <<<"$trace")
	assert_equal "${first%% *}" syncfs
	# three layers, their three blobs, the config and the manifest, each
	# renamed from a temp, then their dirs synced; the record is renamed
	# last, then images/ synced; then oci-layout and index.json, each a
	# temp renamed and the store synced
	[ "$(grep -c "^rename $STORE/layers/sha256/.tmp-" <<<"$trace")" -eq 3 ]
	[ "$(grep -c "^rename $STORE/blobs/sha256/.tmp-" <<<"$trace")" -eq 5 ]
	run awk -v r="rename $STORE/images/" 'index($0, r) == 1 { on = 1 } on' <<<"$trace"
	assert_equal "${#lines[@]}" 6
	assert_line --index 1 "fsync $STORE/images"
	for i in 2 4; do
		assert_line --index $i --regexp "^rename $STORE/.tmp-"
		assert_line --index $((i + 1)) "fsync $STORE"
	done
	rec=$(grep -n "^rename $STORE/images/" <<<"$trace" | cut -d: -f1)
	for d in layers/sha256 blobs/sha256; do
		n=$(grep -n "^fsync $STORE/$d$" <<<"$trace" | cut -d: -f1)
		[ -n "$n" ] && [ "$n" -lt "$rec" ]
	done
}

@test "imgpull: a pull killed at any point leaves whole objects only; the next imgpull removes its temps" {
	pull --flatten "$BOCKER_ROOT/ref" "$REG/test/multi:oci"
	assert_success
	ref=$STORE
	for ms in 0 20 40 60 80 100 120 140 160 200; do
		s=$BOCKER_ROOT/kill-$ms
		imgpull -q --store "$s" "$REG/test/multi:oci" >/dev/null 2>&1 &
		pid=$!
		sleep "0.$(printf '%03d' "$ms")"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" || true
		# every record's layers are there; every layer there is whole
		for rec in "$s"/images/img_*; do
			[ -d "$rec" ] || continue
			while read -r l; do [ -d "$s/layers/sha256/$l" ]; done <"$rec/layers"
		done
		for l in "$s"/layers/sha256/[0-9a-f]*; do
			[ -d "$l" ] || continue
			run diff <("$FIX/imgpull-tree.sh" "$l") <("$FIX/imgpull-tree.sh" "$ref/layers/sha256/${l##*/}")
			assert_success
		done
		[ -d "$s" ] || continue
		imgpull --store "$s" --gc
		run find "$s" -name '.tmp-*'
		assert_output ""
	done
	# killed while a blob streams in: its temp is there, and the next pull takes it away
	hostile_start
	imgpull -q --store "$STORE" "$HOSTILE/stall" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		[ -n "$(find "$STORE/blobs/sha256" -name '.tmp-*')" ] && break
		sleep 0.05
	done
	kill -9 "$pid"
	wait "$pid" || true
	[ -n "$(find "$STORE/blobs/sha256" -name '.tmp-*')" ]
	pull "$HOSTILE/ok"
	assert_success
	assert_no_temp
}

@test "imgpull: --rm takes the image and what no other image uses; --gc what nothing uses" {
	pull "$REG/test/single"
	assert_success
	single=$output
	pull "$REG/test/multi:oci"
	assert_success
	multi=$output
	shared=$(cat "$STORE/images/$single/layers")
	grep -qx "$shared" "$STORE/images/$multi/layers"   # the fixture shares the rootfs layer
	run imgpull --store "$STORE" --rm "$single" img_000000000000
	assert_failure 1
	assert_output --partial "img_000000000000: no such image"
	[ -d "$STORE/images/$single" ]   # all or nothing
	run imgpull -v --store "$STORE" --rm "$single"
	assert_success
	assert_output --partial "flock $STORE/store.lock LOCK_EX"
	[ ! -e "$STORE/images/$single" ]
	[ -d "$STORE/layers/sha256/$shared" ]   # multi still uses it
	# the blobs left are those multi's manifest names
	run diff <(ls "$STORE/blobs/sha256") <(manifest_blobs "$multi")
	assert_success
	# --gc: a layer and a blob no image names, and stale temps
	mkdir "$STORE/layers/sha256/$(printf '%064d' 7)" "$STORE/images/.tmp-1-x"
	: >"$STORE/blobs/sha256/$(printf '%064d' 8)"
	: >"$STORE/blobs/sha256/.tmp-1-y"
	echo http://127.0.0.1:1/v2/x/blobs/uploads/u >"$STORE/uploads/0123456789abcdef-$(printf '%064d' 9)"
	imgpull --store "$STORE" --gc
	run ls "$STORE/uploads"
	assert_output ""   # a killed push's upload, forgotten
	[ ! -e "$STORE/layers/sha256/$(printf '%064d' 7)" ]
	[ ! -e "$STORE/blobs/sha256/$(printf '%064d' 8)" ]
	assert_no_temp
	[ "$(wc -l <"$STORE/images/$multi/layers")" -eq "$(find "$STORE/layers/sha256" -mindepth 1 -maxdepth 1 | wc -l)" ]
	imgpull --store "$STORE" --rm "$multi"
	assert_store_empty
}

@test "imgpull: dir: never reads through a symlink swapped in while it walks" {
	d=$BOCKER_ROOT/racy
	mkdir -p "$d/x"
	marker=HOST-SECRET-$$-$RANDOM
	printf '%s\n' "$marker" >"$BOCKER_ROOT/secret"
	echo tree-data >"$d/x/a"
	ln -s "$BOCKER_ROOT/secret" "$d/x/s"
	exch=$BOCKIT_TOP/build/tests/bk-exchange
	[ -x "$exch" ] || make -C "$BOCKIT_TOP" build/tests/bk-exchange >&2
	"$exch" "$d/x/a" "$d/x/s" 30 >/dev/null &
	bk_defer kill "$!"
	ok=0
	for i in $(seq 25); do
		run imgpull -q --store "$STORE" "dir:$d"
		if [ "$status" -eq 0 ]; then
			ok=$((ok + 1))
			imgpull --store "$STORE" --rm "$output"
		else
			bk_assert_one_line
			assert_output --regexp "changed while read|Too many levels of symbolic links|No such file"
		fi
		run grep -rl "$marker" "$STORE"
		assert_failure   # no host byte, in any layer
	done
	echo "$ok of 25 walks finished"
}

@test "imgpull: dir:, --parent, --rm and --gc under ASan+LSan+UBSan report no error or leak" {
	asan=$BOCKIT_TOP/bin-asan/imgpull
	[ -x "$asan" ] || skip "bin-asan/imgpull not built (make asan)"
	d=$BOCKER_ROOT/tree
	bk_rootfs_copy "$d"
	mkdir -p "$d/x/sub"
	mknod "$d/x/gone" c 0 0
	setfattr -n trusted.overlay.opaque -v y "$d/x"
	setfattr -n user.kept -v 1 "$d/x/sub"
	ln "$d/bin/busybox" "$d/bin/hard"
	truncate -s 8M "$d/sparse"
	echo tail >>"$d/sparse"
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	run --separate-stderr "$asan" -v --store "$STORE" "dir:$d"
	assert_success
	base=$output
	run --separate-stderr "$asan" -q --store "$STORE" --parent "$base" "dir:$d/x"
	assert_success
	top=$output
	l=$STORE/layers/sha256/$(head -n 1 "$STORE/images/$base/layers")
	assert_equal "$(stat -c %s "$l/sparse")" $((8 * 1024 * 1024 + 5))
	[ "$(du -k "$l/sparse" | cut -f1)" -lt 1024 ]   # its hole kept
	assert_equal "$(stat -c %h "$l/bin/hard")" 2
	for op in "--inspect $top" "--rm $base" --gc "--rm $top"; do
		# shellcheck disable=SC2086 # two words
		run "$asan" --store "$STORE" $op
		assert_success
		refute_output --partial "Sanitizer"
		refute_output --partial "runtime error"
	done
	assert_store_empty
}
