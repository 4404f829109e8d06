#!/bin/sh
# bench/imgpull.sh — pull a multi-layer image (3 layers of 16 MB of random
# data) from a local docker-registry: imgpull vs skopeo copy + umoci unpack
# (the same work: fetch, verify, extract), and imgpull's cached re-pull.
# Needs: hyperfine docker-registry skopeo umoci busybox-static; run as root
# (layers keep their owners). Prints the ratios; cleans up after itself.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${BOCKIT_BIN:-$top/bin}
fix=$top/tests/fixtures
runs=${RUNS:-10}
work=$(mktemp -d /tmp/bockit-bench-imgpull.XXXXXX)
cleanup() {
	"$fix/imgpull-registry.sh" stop "$work/reg" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$fix/mkrootfs.sh" "$work/rootfs" >&2
"$fix/imgpull-mkimage.sh" random "$work/oci" bench "$work/rootfs" 3 >&2
mkdir "$work/reg"
reg=127.0.0.1:$("$fix/imgpull-registry.sh" start "$work/reg")
skopeo copy -q --dest-tls-verify=false "oci:$work/oci:bench" "docker://$reg/bench/img:latest"
ref=$reg/bench/img:latest

# The peer as one command, so hyperfine times both steps together.
cat >"$work/peer.sh" <<PEER
#!/bin/sh
set -e
skopeo copy -q --src-tls-verify=false docker://$ref oci:$work/peer-oci:latest
umoci unpack --image $work/peer-oci:latest $work/peer-bundle >/dev/null
PEER
chmod +x "$work/peer.sh"
"$bin/imgpull" -q --store "$work/warm" "$ref" >/dev/null

hyperfine -N --warmup 5 --runs "$runs" \
	--export-markdown "$work/imgpull.md" --export-csv "$work/imgpull.csv" \
	-n "imgpull (cold store)" \
	--prepare "rm -rf $work/cold" "$bin/imgpull -q --store $work/cold $ref" \
	-n "skopeo copy + umoci unpack" \
	--prepare "rm -rf $work/peer-oci $work/peer-bundle" "$work/peer.sh" \
	-n "imgpull (cached re-pull)" \
	--prepare "true" "$bin/imgpull -q --store $work/warm $ref"

cat "$work/imgpull.md"
awk -F, 'NR == 2 { cold = $2 } NR == 3 { peer = $2 } NR == 4 { warm = $2 }
END {
	printf "imgpull vs skopeo+umoci: %.1fx faster (%.0f ms vs %.0f ms; target >= 2x)\n",
		peer / cold, cold * 1000, peer * 1000
	printf "cached re-pull: %.1f ms (target < 50 ms)\n", warm * 1000
}' "$work/imgpull.csv"
