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
runs=${RUNS:-10}
tmp=$(bench_tmp imgpush)
bench_trap bench_registry_cleanup

reg=$(bench_registry)
store=$tmp/store
"$imgpull" -q --store "$store" -t bench "oci:$tmp/oci:bench" >/dev/null
repos=$tmp/reg/data/docker/registry/v2/repositories
cache=/var/lib/containers/cache/blob-info-cache-v1.boltdb
"$imgpull" -q --store "$store" push bench "$reg/full/img:latest" >/dev/null

hyperfine -N --warmup 3 --runs "$runs" \
	--export-markdown "$tmp/imgpush.md" --export-csv "$tmp/imgpush.csv" \
	-n "imgpull push" \
	--prepare "rm -rf $repos/mine" "$imgpull -q --store $store push bench $reg/mine/img:latest" \
	-n "skopeo copy oci: docker://" \
	--prepare "rm -rf $repos/peer $cache" \
	"skopeo copy -q --dest-tls-verify=false oci:$store:docker.io/library/bench:latest docker://$reg/peer/img:latest" \
	-n "imgpull push (every blob there)" \
	--prepare "true" "$imgpull -q --store $store push bench $reg/full/img:latest"

cat "$tmp/imgpush.md"
awk -F, 'NR == 2 { me = $2 } NR == 3 { peer = $2 } NR == 4 { full = $2 }
END {
	printf "imgpull push / skopeo copy: %.2fx (%.0f ms vs %.0f ms; target <= 0.5x)\n",
		me / peer, me * 1000, peer * 1000
	printf "push with every blob present: %.1f ms (target < 50 ms)\n", full * 1000
}' "$tmp/imgpush.csv"
du -sk "$store/blobs" "$store/layers" | awk '{ printf "store: %s %d MB\n", $2, $1 / 1024 }'
