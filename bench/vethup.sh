#!/bin/sh
# bench/vethup.sh — wiring a container's network and tearing it down:
#   vethup add + vethup del   vs   bocker's sequence of `ip` commands
# (veth pair, up, master, netns add, move peer, lo up, MAC, address, up,
# default route; then ip link del + ip netns del, as bocker.sh's run does),
# timed by hyperfine in one run. Everything happens inside a private
# network namespace made for the bench (its bridge br1 172.18.0.1/24), so
# the machine's network is untouched; it is deleted at the end.
# Also timed: add -p (one published port: the host-socket and nft checks,
# one nft transaction, route_localnet) + del (which removes it), to say
# what publishing a port adds to a container's start and stop.
# And, for the choice of where the wait for a deleted netns' veth
# goes (man/vethup.1): `del --wait` (del returns once the host end is
# gone), and add + del of one same netns name, run after run (each add
# finds the previous run's host end still being removed), with plain del
# (add waits for it) and with del --wait.
# Prints hyperfine's table, then "ratio bocker-ip / vethup = X.X" (the
# target is >= 5), what -p adds and the cost of each wait. Needs root, hyperfine,
# iproute2, python3. Environment: VETHUP (binary, default bin/vethup of
# this tree), RUNS (default 100), BENCH_OUT (keep the exports there;
# default a temp dir removed at exit).
set -eu

# shellcheck disable=SC1091 # bench/lib.sh, next to this script
. "$(dirname "$0")/lib.sh"
vethup=${VETHUP:-$top/bin/vethup}
runs=${RUNS:-100}

bench_need "netns, veth, bridge" hyperfine ip nsenter python3
bench_built "$vethup"

tmp=$(bench_tmp vethup)
host=vbh$$
# Container netns of both sides are named vb<pid of the sh that made it>.
cleanup() {
	for ns in /run/netns/vb[0-9]* /run/netns/netns_vb[0-9]*; do
		[ -e "$ns" ] && ip netns del "${ns##*/}"
	done
	ip netns del "$host" 2>/dev/null || true
	bench_rm_tmp
}
bench_trap cleanup
out=$(bench_out)

ip netns add "$host" || die "cannot make the bench netns $host"
inhost() { nsenter --net="/run/netns/$host" "$@"; }
inhost "$vethup" bridge br1 --addr 172.18.0.1/24 >/dev/null ||
	die "cannot make bridge br1 in $host"

# One container's worth of networking with vethup (sh -c: the && chain).
cat >"$tmp/vethup.sh" <<EOF
n=vb\$\$
"$vethup" add --leases "$tmp/leases" --netns \$n --bridge br1 >/dev/null &&
"$vethup" del --leases "$tmp/leases" --netns \$n
EOF

cat >"$tmp/vethup-del-wait.sh" <<EOF
n=vb\$\$
"$vethup" add --leases "$tmp/leases" --netns \$n --bridge br1 >/dev/null &&
"$vethup" del --wait --leases "$tmp/leases" --netns \$n
EOF
cat >"$tmp/vethup-publish.sh" <<EOF
n=vb\$\$
"$vethup" add --leases "$tmp/leases" --netns \$n --bridge br1 -p 18080:80 >/dev/null &&
"$vethup" del --leases "$tmp/leases" --netns \$n
EOF
# One netns name for every run: vb1same (add waits), vb2same (del waits).
for w in 1 2; do
	wait=''; [ "$w" = 2 ] && wait=--wait
	cat >"$tmp/vethup-same$w.sh" <<EOF
"$vethup" add --leases "$tmp/leases" --netns vb${w}same --bridge br1 >/dev/null &&
"$vethup" del $wait --leases "$tmp/leases" --netns vb${w}same
EOF
done

# The same with the ip commands bocker.sh runs (its run and teardown).
cat >"$tmp/bocker-ip.sh" <<'EOF'
set -e
u=vb$$
ip=$(($$ % 250 + 2))
mac=$(printf ':%02x' $((ip % 256)))
ip link add dev veth0_"$u" type veth peer name veth1_"$u"
ip link set dev veth0_"$u" up
ip link set veth0_"$u" master br1
ip netns add netns_"$u"
ip link set veth1_"$u" netns netns_"$u"
ip netns exec netns_"$u" ip link set dev lo up
ip netns exec netns_"$u" ip link set veth1_"$u" address 02:42:ac:11:00"$mac"
ip netns exec netns_"$u" ip addr add 172.18.0."$ip"/24 dev veth1_"$u"
ip netns exec netns_"$u" ip link set dev veth1_"$u" up
ip netns exec netns_"$u" ip route add default via 172.18.0.1
ip link del dev veth0_"$u"
ip netns del netns_"$u"
EOF

# Each side must work once before it is timed.
for side in vethup vethup-publish vethup-del-wait vethup-same1 vethup-same2 bocker-ip; do
	bench_check inhost sh "$tmp/$side.sh"
done

inhost hyperfine -N --warmup 5 --runs "$runs" --style basic \
	--export-json "$out/vethup.json" --export-markdown "$out/vethup.md" \
	-n vethup "sh $tmp/vethup.sh" \
	-n "vethup -p" "sh $tmp/vethup-publish.sh" \
	-n vethup-del-wait "sh $tmp/vethup-del-wait.sh" \
	-n "same netns, add waits" "sh $tmp/vethup-same1.sh" \
	-n "same netns, del --wait" "sh $tmp/vethup-same2.sh" \
	-n bocker-ip "sh $tmp/bocker-ip.sh"

python3 - "$out/vethup.json" <<'EOF'
import json, sys
mean = {r["command"]: r["mean"] for r in json.load(open(sys.argv[1]))["results"]}
ms = {k: v * 1e3 for k, v in mean.items()}
print("vethup %.2f ms, bocker-ip %.2f ms" % (ms["vethup"], ms["bocker-ip"]))
print("ratio bocker-ip / vethup = %.1f" % (mean["bocker-ip"] / mean["vethup"]))
print("publishing one port (add -p + del) adds %+.2f ms (%.2f ms)" %
      (ms["vethup -p"] - ms["vethup"], ms["vethup -p"]))
print("del --wait costs every container %+.2f ms (%.2f ms)" %
      (ms["vethup-del-wait"] - ms["vethup"], ms["vethup-del-wait"]))
print("same netns again: add waits %.2f ms a cycle, del --wait %.2f ms" %
      (ms["same netns, add waits"], ms["same netns, del --wait"]))
EOF
