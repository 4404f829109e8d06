#!/bin/sh
# bench/imgpush.sh — push a multi-layer image (3 layers of 16 MB of random
# data, the image bench/imgpull.sh pulls) from the store to a local
# docker-registry: imgpull push vs skopeo copy oci:STORE:NAME docker://...
# (the same work: read the layout, send every blob and the manifest),
# each to a repository emptied before every run (and skopeo's blob-info
# cache cleared, so that it cannot mount what the last run sent); and
# imgpull push of an image whose blobs are all in the registry already.
# Needs: hyperfine docker-registry skopeo umoci busybox-static; run as root.
# Prints the ratio; cleans up after itself.
set -eu
# shellcheck disable=SC1091 # bench/lib.sh, next to this script
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2154 # top: set by lib.sh
bench_need "a registry on loopback" hyperfine skopeo umoci docker-registry
imgpull=${BOCKIT_BIN:-$top/bin}/imgpull
bench_built "$imgpull"
fix=$top/tests/fixtures
runs=${RUNS:-10}
work=$(mktemp -d /tmp/bockit-bench-imgpush.XXXXXX)
cleanup() {
	"$fix/imgpull-registry.sh" stop "$work/reg" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$fix/mkrootfs.sh" "$work/rootfs" >&2
"$fix/imgpull-mkimage.sh" random "$work/oci" bench "$work/rootfs" 3 >&2
store=$work/store
"$imgpull" -q --store "$store" -t bench "oci:$work/oci:bench" >/dev/null
mkdir "$work/reg"
reg=127.0.0.1:$("$fix/imgpull-registry.sh" start "$work/reg")
repos=$work/reg/data/docker/registry/v2/repositories
cache=/var/lib/containers/cache/blob-info-cache-v1.boltdb
"$imgpull" -q --store "$store" push bench "$reg/full/img:latest" >/dev/null

hyperfine -N --warmup 3 --runs "$runs" \
	--export-markdown "$work/imgpush.md" --export-csv "$work/imgpush.csv" \
	-n "imgpull push" \
	--prepare "rm -rf $repos/mine" "$imgpull -q --store $store push bench $reg/mine/img:latest" \
	-n "skopeo copy oci: docker://" \
	--prepare "rm -rf $repos/peer $cache" \
	"skopeo copy -q --dest-tls-verify=false oci:$store:docker.io/library/bench:latest docker://$reg/peer/img:latest" \
	-n "imgpull push (every blob there)" \
	--prepare "true" "$imgpull -q --store $store push bench $reg/full/img:latest"

cat "$work/imgpush.md"
awk -F, 'NR == 2 { me = $2 } NR == 3 { peer = $2 } NR == 4 { full = $2 }
END {
	printf "imgpull push / skopeo copy: %.2fx (%.0f ms vs %.0f ms; target <= 0.5x)\n",
		me / peer, me * 1000, peer * 1000
	printf "push with every blob present: %.1f ms (target < 50 ms)\n", full * 1000
}' "$work/imgpush.csv"
du -sk "$store/blobs" "$store/layers" | awk '{ printf "store: %s %d MB\n", $2, $1 / 1024 }'
