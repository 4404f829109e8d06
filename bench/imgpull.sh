#!/bin/sh
# bench/imgpull.sh — pull a multi-layer image (3 layers of 16 MB of random
# data) from a local docker-registry: imgpull vs skopeo copy + umoci unpack
# (the same work: fetch, verify, extract), and imgpull's cached re-pull.
# Needs: hyperfine docker-registry skopeo umoci busybox-static; run as root
# (layers keep their owners). Prints the ratios; cleans up after itself.
set -eu
# shellcheck disable=SC1091 # bench/lib.sh, next to this script
. "$(dirname "$0")/lib.sh"
bench_need "layers keep their owners" hyperfine skopeo umoci docker-registry
# shellcheck disable=SC2154 # top: set by lib.sh
bin=${BOCKIT_BIN:-$top/bin}
bench_built "$bin/imgpull"
runs=${RUNS:-10}
tmp=$(bench_tmp imgpull)
bench_trap bench_registry_cleanup

reg=$(bench_registry)
skopeo copy -q --dest-tls-verify=false "oci:$tmp/oci:bench" "docker://$reg/bench/img:latest"
ref=$reg/bench/img:latest

# The peer as one command, so hyperfine times both steps together.
cat >"$tmp/peer.sh" <<PEER
#!/bin/sh
set -e
skopeo copy -q --src-tls-verify=false docker://$ref oci:$tmp/peer-oci:latest
umoci unpack --image $tmp/peer-oci:latest $tmp/peer-bundle >/dev/null
PEER
chmod +x "$tmp/peer.sh"
"$bin/imgpull" -q --store "$tmp/warm" "$ref" >/dev/null

hyperfine -N --warmup 5 --runs "$runs" \
	--export-markdown "$tmp/imgpull.md" --export-csv "$tmp/imgpull.csv" \
	-n "imgpull (cold store)" \
	--prepare "rm -rf $tmp/cold" "$bin/imgpull -q --store $tmp/cold $ref" \
	-n "skopeo copy + umoci unpack" \
	--prepare "rm -rf $tmp/peer-oci $tmp/peer-bundle" "$tmp/peer.sh" \
	-n "imgpull (cached re-pull)" \
	--prepare "true" "$bin/imgpull -q --store $tmp/warm $ref"

cat "$tmp/imgpull.md"
awk -F, 'NR == 2 { cold = $2 } NR == 3 { peer = $2 } NR == 4 { warm = $2 }
END {
	printf "imgpull vs skopeo+umoci: %.1fx faster (%.0f ms vs %.0f ms; target >= 2x)\n",
		peer / cold, cold * 1000, peer * 1000
	printf "cached re-pull: %.1f ms (target < 50 ms)\n", warm * 1000
}' "$tmp/imgpull.csv"
