#!/bin/sh
# free-subnet.sh — print the first three octets (10.X.Y) of a /24 for a
# private bridge that no address or route of this host overlaps, picked at
# random in 10.64.0.0/10, so that two demos or workshops side by side on
# one machine take different ones. Exit 1 if none was found.
set -eu

# A.B.C.D -> a 32-bit number.
ip2n() {
	IFS=. read -r a b c d <<EOF
$1
EOF
	echo $(((a << 24) | (b << 16) | (c << 8) | d))
}

# The prefixes in use here: addresses (with their length) and routes.
in_use() {
	ip -4 -o addr show | awk '{ print $4 }'
	ip -4 route show | awk '$1 != "default" { print $1 }'
}

# overlaps N: does the /24 starting at N overlap a prefix of in_use?
overlaps() {
	while IFS=/ read -r addr len; do
		[ -n "$addr" ] || continue
		[ -n "$len" ] || len=32
		[ "$len" -lt 24 ] || len=24   # the shorter of the two prefixes
		mask=$(((0xffffffff << (32 - len)) & 0xffffffff))
		[ $(($(ip2n "$addr") & mask)) -ne $(($1 & mask)) ] || return 0
	done <<EOF
$(in_use)
EOF
	return 1
}

tries=0
while [ "$tries" -lt 200 ]; do
	r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	x=$((64 + (r >> 8) % 64))
	y=$((r & 255))
	if ! overlaps $(((10 << 24) | (x << 16) | (y << 8))); then
		echo "10.$x.$y"
		exit 0
	fi
	tries=$((tries + 1))
done
echo "free-subnet: no free /24 in 10.64.0.0/10" >&2
exit 1
