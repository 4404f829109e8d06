#!/usr/bin/env bats
# vethup: bridge, netns wiring, leases, NAT, teardown — checked with
# iproute2 and nft. Every test works inside a network namespace of its own
# ($H, the "host" side: bridge, host veth ends, ip_forward, nft ruleset),
# so the machine's network is never touched; the container netns vethup
# makes live in /run/netns under unique names and are deleted in teardown.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	bk_setup
	H=$(bk_name vh)
	ip netns add "$H"
	bk_defer ip netns del "$H"
	BR=$(bk_name br)
	NET=10.$((RANDOM % 200 + 20)).$((RANDOM % 250)).0
	GW=${NET%.0}.1
}

teardown() {
	bk_teardown
}

# vethup (and any command) run inside the test's host-side netns.
vh() { nsenter --net="/run/netns/$H" vethup "$@"; }
inh() { nsenter --net="/run/netns/$H" "$@"; }

# A container netns name, deleted at teardown whatever happened.
cname() {
	local n
	n=$(bk_name "${1:-c}")
	bk_defer ip netns del "$n"
	printf '%s\n' "$n"
}

bridge() { vh bridge "$BR" --addr "$GW/${1:-24}"; }

leases() { find "$BOCKER_ROOT/leases" -type f ! -name '.*' 2>/dev/null | wc -l; }

# The kernel takes a deleted netns' veth down asynchronously: wait for it.
wait_link_gone() {
	local i
	for i in $(seq 100); do
		inh ip link show "$1" >/dev/null 2>&1 || return 0
		sleep 0.05
	done
	return 1
}

@test "vethup: --help, --version, usage errors exit 2" {
	run vethup --help
	assert_success
	assert_output --partial "add --netns NAME|PATH --bridge BR"
	bk_assert_version vethup
	run vethup
	assert_failure 2
	run vethup frob
	assert_failure 2
	assert_output --partial "unknown command 'frob'"
	run vethup add --nat --netns x --bridge y
	assert_failure 2
	assert_output --partial "--nat does not apply"
	run vethup add --bridge y
	assert_failure 2
	assert_output --partial "--netns and --bridge are required"
}

@test "bridge: created with its address, up, idempotent; --forward sets ip_forward" {
	run vh bridge "$BR" --addr "$GW/24" --forward
	assert_success
	run vh bridge "$BR" --addr "$GW/24" --forward
	assert_success
	run inh ip -4 -o addr show dev "$BR"
	assert_output --partial "inet $GW/24"
	[ "${#lines[@]}" -eq 1 ]
	run inh ip -d link show dev "$BR"
	assert_output --regexp '<[^>]*UP[^>]*>'
	assert_output --partial "bridge "
	run inh cat /proc/sys/net/ipv4/ip_forward
	assert_output 1
}

@test "bridge --addr: another address on an existing bridge is refused, the same one stays idempotent" {
	bridge
	OTHER=10.$((RANDOM % 200 + 20)).$((RANDOM % 250)).1
	run vh bridge "$BR" --addr "$OTHER/24"
	assert_failure 1
	assert_output "vethup: bridge $BR has $GW/24: refusing a second address $OTHER/24 (remove the bridge first: vethup bridge --del $BR)"
	run vh bridge "$BR" --addr "$GW/16"
	assert_failure 1
	assert_output --partial "bridge $BR has $GW/24: refusing a second address $GW/16"
	run vh -v bridge "$BR" --addr "$GW/24" --forward
	assert_success
	refute_output --partial "RTM_NEWADDR"
	run inh ip -4 -o addr show dev "$BR"
	[ "${#lines[@]}" -eq 1 ]
	assert_output --partial "inet $GW/24"
	# a bridge made without an address takes one later
	B2=$(bk_name br)
	vh bridge "$B2"
	run vh bridge "$B2" --addr "$OTHER/24"
	assert_success
	run inh ip -4 -o addr show dev "$B2"
	assert_output --partial "inet $OTHER/24"
}

@test "bridge: refuses a non-bridge interface (1), a bad name and a bad CIDR (2), leaving nothing" {
	run vh bridge lo --addr "$GW/24"
	assert_failure 1
	assert_output "vethup: lo: not a bridge (kind '')"
	run vh bridge "b/r" --addr "$GW/24"
	assert_failure 2
	bk_assert_one_line
	assert_output --partial "invalid interface name"
	run vh bridge "$BR" --addr "$GW/33"
	assert_failure 2
	assert_output "vethup: bad address '$GW/33': expected A.B.C.D/LEN (LEN 0-32)"
	run vh bridge "$BR" --addr 300.1.2.3/24
	assert_failure 2
	bk_assert_one_line
	run inh ip link show "$BR"
	assert_failure
}

@test "bridge --nat: one MASQUERADE rule for the subnet after two calls" {
	run vh -v bridge "$BR" --addr "$GW/24" --nat
	assert_success
	# loaded for --nat only: vethup itself does not link it
	assert_output --partial 'vethup: dlopen("libnftables.so.1")'
	run ldd "$BOCKIT_BIN/vethup"
	refute_output --partial libnftables
	run vh bridge "$BR" --addr "$GW/24" --nat --forward
	assert_success
	run inh nft list ruleset
	assert_success
	assert_output --partial "table ip bockit_$BR {"
	assert_output --partial "type nat hook postrouting"
	assert_output --partial "ip saddr $NET/24 ip daddr != $NET/24 masquerade"
	[ "$(printf '%s\n' "$output" | grep -c masquerade)" -eq 1 ]
}

@test "bridge --del: bridge, NAT table and lease dir go, right after a del; idempotent" {
	vh bridge "$BR" --addr "$GW/24" --nat
	B2=$(bk_name br)
	vh bridge "$B2" --addr 192.0.2.1/24 --nat
	C=$(cname)
	vh add --netns "$C" --bridge "$BR" >/dev/null
	vh del --netns "$C"
	run vh -v bridge --del "$BR"
	assert_success
	assert_output --partial "vethup: nft delete table ip bockit_$BR"
	assert_output --partial "vethup: RTM_DELLINK $BR"
	run inh ip link show "$BR"
	assert_failure
	run inh nft list tables
	refute_output --partial "bockit_$BR"
	assert_output --partial "table ip bockit_$B2"   # another bridge's stays
	[ ! -e "$BOCKER_ROOT/leases/$BR" ]
	run vh bridge --del "$BR"
	assert_success
	run vh bridge --del "$BR" --addr "$GW/24"
	assert_failure 2
	assert_output --partial "bridge --del: --addr does not apply"
	run vh bridge --del lo
	assert_failure 1
	assert_output "vethup: lo: not a bridge (kind '')"
}

@test "bridge --del: refused while a lease's netns exists; --force removes netns, lease, bridge" {
	vh bridge "$BR" --addr "$GW/24" --nat
	C=$(cname)
	A=$(vh add --netns "$C" --bridge "$BR")
	run vh bridge --del "$BR"
	assert_failure 1
	assert_output "vethup: bridge $BR: in use by netns $C (lease $A): vethup del --netns $C first, or --force"
	run inh ip link show "$BR"
	assert_success
	run inh nft list tables
	assert_output --partial "bockit_$BR"
	run vh bridge --del --force "$BR"
	assert_success
	[ ! -e "/run/netns/$C" ]
	[ "$(leases)" -eq 0 ]
	[ ! -e "$BOCKER_ROOT/leases/$BR" ]
	run inh ip link show "$BR"
	assert_failure
	run inh nft list tables
	refute_output --partial "bockit_$BR"
}

@test "bridge --del: a port that is no lease's is waited for, then refused; --force detaches it" {
	bridge
	O=$(cname o)
	OH=$(bk_name oh)
	ip_netns_on_bridge "$O" "$OH" "${NET%.0}.9/24"
	run vh bridge --del "$BR"
	assert_failure 1
	assert_output "vethup: bridge $BR: port $OH is in use (not a lease of $BOCKER_ROOT/leases): remove it first, or --force"
	run vh bridge --del --force "$BR"
	assert_success
	run inh ip link show "$BR"
	assert_failure
	run inh ip -d link show "$OH"
	assert_success   # its netns keeps it, out of any bridge
	refute_output --partial "master"
}

@test "add: netns with eth0 addressed, up, default route; host end in the bridge" {
	bridge
	C=$(cname)
	run vh add --netns "$C" --bridge "$BR" --ip auto
	assert_success
	assert_output "${NET%.0}.2"
	# iproute2 sees the named netns (compatible /run/netns entry)
	run ip netns list
	assert_output --partial "$C"
	run ip -n "$C" -4 -o addr show dev eth0
	assert_output --partial "inet ${NET%.0}.2/24"
	run ip -n "$C" -d link show eth0
	assert_output --regexp '<[^>]*,UP[,>]'
	assert_output --partial "link/ether 02:42:"
	assert_output --partial "numtxqueues 1 numrxqueues 1" # asked for: no RCU wait
	run ip -n "$C" link show lo
	assert_output --regexp '<[^>]*,UP[,>]'
	run ip -n "$C" route show default
	assert_output --partial "default via $GW dev eth0"
	run inh ip -d link show "veth0_$C"
	assert_success
	assert_output --partial "master $BR"
	assert_output --partial "numtxqueues 1 numrxqueues 1"
	assert_output --regexp '<[^>]*,UP[,>]'
}

@test "add: explicit --ip/--mac/--gw/--if/--host-if are honoured" {
	bridge
	C=$(cname)
	HI=$(bk_name hi)
	run vh add --netns "$C" --bridge "$BR" --ip "${NET%.0}.77" \
		--mac 02:11:22:33:44:55 --if net0 --host-if "$HI" --gw "${NET%.0}.254"
	assert_success
	assert_output "${NET%.0}.77"
	run ip -n "$C" -o addr show dev net0
	assert_output --partial "inet ${NET%.0}.77/24"
	run ip -n "$C" link show net0
	assert_output --partial "link/ether 02:11:22:33:44:55"
	run ip -n "$C" route show default
	assert_output --partial "default via ${NET%.0}.254 dev net0"
	run inh ip link show "$HI"
	assert_output --partial "master $BR"
	run vh ls
	assert_output --regexp "$BR +$C +$HI +${NET%.0}\.77/24 +02:11:22:33:44:55"
}

@test "add: two netns on the bridge ping each other and the bridge" {
	bridge
	C1=$(cname)
	C2=$(cname)
	A1=$(vh add --netns "$C1" --bridge "$BR")
	A2=$(vh add --netns "$C2" --bridge "$BR")
	[ "$A1" != "$A2" ]
	run ip netns exec "$C1" ping -c 1 -W 5 "$A2"
	assert_success
	run ip netns exec "$C2" ping -c 1 -W 5 "$A1"
	assert_success
	run ip netns exec "$C1" ping -c 1 -W 5 "$GW"
	assert_success
}

@test "add --ip auto: 50 parallel adds get 50 distinct addresses" {
	bridge
	P=$(bk_name p)
	bk_defer del_prefix "$P"
	for i in $(seq 1 50); do
		vh add --netns "$P$i" --bridge "$BR" --ip auto >"$BOCKER_ROOT/out.$i" 2>&1 &
	done
	wait
	cat "$BOCKER_ROOT"/out.* | sort >"$BOCKER_ROOT/all"
	run grep -vc "^${NET%.0}\.[0-9]*$" "$BOCKER_ROOT/all"
	assert_output 0
	[ "$(sort -u "$BOCKER_ROOT/all" | wc -l)" -eq 50 ]
	[ "$(leases)" -eq 50 ]
	for i in $(seq 1 50); do
		[ -e "/run/netns/$P$i" ]
	done
	run grep -c "^${NET%.0}\.5[2-9]$" "$BOCKER_ROOT/all"
	assert_output 0   # the lowest 50 free: .2 .. .51
}

del_prefix() {
	local n
	for n in /run/netns/"$1"*; do
		[ -e "$n" ] && ip netns del "${n##*/}"
	done
	return 0
}

# A netns of the test's own on the bridge, addressed with ip, not vethup.
ip_netns_on_bridge() { # NAME HOSTIF ADDR/LEN
	ip netns add "$1"
	inh ip link add "$2" type veth peer name eth0 netns "$1"
	inh ip link set "$2" master "$BR" up
	ip -n "$1" link set eth0 up
	ip -n "$1" addr add "$3" dev eth0
}

@test "add --ip: an address given with ip in a netns on the bridge is skipped by auto, refused when asked" {
	bridge
	O=$(cname o)
	OH=$(bk_name oh)
	ip_netns_on_bridge "$O" "$OH" "${NET%.0}.2/24"
	C=$(cname)
	run vh -v add --netns "$C" --bridge "$BR" --ip auto
	assert_success
	assert_line "${NET%.0}.3"
	assert_line --regexp "^vethup: RTM_GETLINK master $BR \(dump\)$"
	assert_line --regexp "^vethup: RTM_GETADDR ipv4 target-netnsid [0-9]+$"
	C2=$(cname)
	run vh add --netns "$C2" --bridge "$BR" --ip "${NET%.0}.2"
	assert_failure 1
	assert_output "vethup: --ip ${NET%.0}.2: in use on bridge $BR (in the netns of port $OH)"
	# and one given with ip inside a vethup netns, beside its own
	ip -n "$C" addr add "${NET%.0}.4/24" dev eth0
	run vh add --netns "$C2" --bridge "$BR"
	assert_output "${NET%.0}.5"
	[ "$(leases)" -eq 2 ]
}

@test "add --ip: two lease stores on one bridge never hand out one address twice" {
	bridge
	A=$BOCKER_ROOT/store-a B=$BOCKER_ROOT/store-b
	for i in 1 2 3; do
		CA=$(cname a) CB=$(cname b)
		vh add --leases "$A" --netns "$CA" --bridge "$BR" >>"$BOCKER_ROOT/got"
		vh add --leases "$B" --netns "$CB" --bridge "$BR" >>"$BOCKER_ROOT/got"
	done
	run sort "$BOCKER_ROOT/got"
	assert_output "$(printf '%s\n' "${NET%.0}".2 "${NET%.0}".3 "${NET%.0}".4 \
		"${NET%.0}".5 "${NET%.0}".6 "${NET%.0}".7)"
	C=$(cname)
	run vh add --leases "$B" --netns "$C" --bridge "$BR" --ip "${NET%.0}.2/24"
	assert_failure 1
	assert_output --regexp "^vethup: --ip ${NET%.0}\.2/24: in use on bridge $BR \(in the netns of port veth0_a[0-9a-f]+\)$"
	[ ! -e "/run/netns/$C" ]
}

@test "add --ip auto: two lease stores adding at once (20 each) get 40 distinct addresses" {
	bridge
	P=$(bk_name p)
	bk_defer del_prefix "$P"
	for i in $(seq 1 20); do
		vh add --leases "$BOCKER_ROOT/a" --netns "${P}a$i" --bridge "$BR" \
			--host-if "${P}a$i" >"$BOCKER_ROOT/out.a$i" 2>&1 &
		vh add --leases "$BOCKER_ROOT/b" --netns "${P}b$i" --bridge "$BR" \
			--host-if "${P}b$i" >"$BOCKER_ROOT/out.b$i" 2>&1 &
	done
	wait
	cat "$BOCKER_ROOT"/out.* >"$BOCKER_ROOT/all"
	run grep -vc "^${NET%.0}\.[0-9]*$" "$BOCKER_ROOT/all"
	assert_output 0
	[ "$(sort -u "$BOCKER_ROOT/all" | wc -l)" -eq 40 ]
}

@test "add --ip: the bridge's own addresses and an explicit --gw are never handed out" {
	bridge
	inh ip addr add "${NET%.0}.2/24" dev "$BR"
	C=$(cname)
	run vh add --netns "$C" --bridge "$BR" --gw "${NET%.0}.3"
	assert_output "${NET%.0}.4"
	C2=$(cname)
	run vh add --netns "$C2" --bridge "$BR" --ip "${NET%.0}.2"
	assert_failure 1
	assert_output "vethup: --ip ${NET%.0}.2: in use on bridge $BR (its own address)"
	run vh add --netns "$C2" --bridge "$BR" --ip "$GW"
	assert_failure 1
	assert_output "vethup: --ip $GW: that is the gateway's address"
	[ ! -e "/run/netns/$C2" ]
}

@test "add --ip: network and broadcast addresses, another prefix or subnet are refused, leaving nothing" {
	bridge
	C=$(cname)
	run vh add --netns "$C" --bridge "$BR" --ip "$NET"
	assert_failure 1
	assert_output "vethup: --ip $NET: the network address of $NET/24, not a host's"
	run vh add --netns "$C" --bridge "$BR" --ip "${NET%.0}.255/24"
	assert_failure 1
	assert_output "vethup: --ip ${NET%.0}.255/24: the broadcast address of $NET/24, not a host's"
	run vh add --netns "$C" --bridge "$BR" --ip "${NET%.0}.7/16"
	assert_failure 1
	assert_output "vethup: --ip ${NET%.0}.7/16: prefix /16 is not bridge $BR's ($NET/24)"
	run vh add --netns "$C" --bridge "$BR" --ip 192.0.2.7
	assert_failure 1
	assert_output "vethup: --ip 192.0.2.7: not in bridge $BR's subnet $NET/24"
	[ ! -e "/run/netns/$C" ]
	[ "$(leases)" -eq 0 ]
	# on a /31 both addresses are hosts (RFC 3021): .0 is the bridge's, .1 free
	B31=$(bk_name br)
	vh bridge "$B31" --addr "${NET%.0}.100/31"
	run vh add --netns "$C" --bridge "$B31" --ip "${NET%.0}.101"
	assert_success
}

@test "add --ip auto: a full pool gives a clear error and leaves nothing" {
	bridge 29
	for i in 1 2 3 4 5; do
		C=$(cname)
		run vh add --netns "$C" --bridge "$BR"
		assert_success
	done
	C=$(cname)
	run vh add --netns "$C" --bridge "$BR"
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "vethup: no free address in $NET/29 of bridge $BR"
	[ ! -e "/run/netns/$C" ]
	[ "$(leases)" -eq 5 ]
	run inh ip link show "veth0_$C"
	assert_failure
}

@test "del: removes netns, veth and lease; twice needs --force" {
	bridge
	C=$(cname)
	run vh add --netns "$C" --bridge "$BR"
	assert_success
	[ "$(leases)" -eq 1 ]
	run vh del --netns "$C"
	assert_success
	[ ! -e "/run/netns/$C" ]
	[ "$(leases)" -eq 0 ]
	wait_link_gone "veth0_$C"
	run vh del --netns "$C"
	assert_failure 1
	assert_output "vethup: netns $C: no such netns and no lease (use --force to ignore)"
	run vh del --force --netns "$C"
	assert_success
}

@test "del then add with the same netns: 100 cycles succeed (add waits for the dying host end)" {
	bridge
	C=$(cname)
	fails=0
	for i in $(seq 100); do
		vh add --netns "$C" --bridge "$BR" >/dev/null 2>"$BOCKER_ROOT/err" ||
			{ fails=$((fails + 1)); cat "$BOCKER_ROOT/err"; }
		vh del --netns "$C" || fails=$((fails + 1))
	done
	[ "$fails" -eq 0 ]
	[ "$(leases)" -eq 0 ]
	# what the wait looks like (most adds right after a del wait: catch one)
	for i in $(seq 10); do
		vh add --netns "$C" --bridge "$BR" >/dev/null
		vh del --netns "$C"
		run vh -v add --netns "$C" --bridge "$BR"
		assert_success
		vh del --netns "$C"
		[[ "$output" != *"wait for RTM_DELLINK"* ]] || break
	done
	assert_output --regexp "vethup: wait for RTM_DELLINK veth0_$C \(#[0-9]+\), at most 2000 ms"
	assert_output --regexp "vethup: veth0_$C gone after [0-9]+ ms"
}

@test "del --wait: the host end is gone when del returns" {
	bridge
	C=$(cname)
	for i in $(seq 10); do
		vh add --netns "$C" --bridge "$BR" >/dev/null
		run vh -v del --wait --netns "$C"
		assert_success
		assert_line --index 0 "vethup: RTM_DELLINK veth0_$C"
		run inh ip link show "veth0_$C"
		assert_failure
		[ ! -e "/run/netns/$C" ]
	done
	[ "$(leases)" -eq 0 ]
	run vh del --wait --netns "$C"
	assert_failure 1
	run vh add --wait --netns "$C" --bridge "$BR"
	assert_failure 2
	assert_output --partial "add: --wait does not apply"
}

@test "add: a namesake veth into a netns that lives on is waited for, bounded, then refused" {
	bridge
	C=$(cname)
	O=$(cname o)
	ip netns add "$O"
	inh ip link add "veth0_$C" type veth peer name eth0 netns "$O"
	run vh add --netns "$C" --bridge "$BR"
	assert_failure 1
	assert_output "vethup: interface veth0_$C already exists (a veth into another netns, still there after 2000 ms)"
	[ ! -e "/run/netns/$C" ]
	[ "$(leases)" -eq 0 ]
	# the same name in the very netns given is in use, refused at once
	run vh add --netns "$O" --bridge "$BR" --host-if "veth0_$C" --if eth1
	assert_failure 1
	assert_output "vethup: interface veth0_$C already exists (netns in use)"
}

@test "del: releases the lease when the netns is already gone" {
	bridge
	C=$(cname)
	A=$(vh add --netns "$C" --bridge "$BR")
	ip netns del "$C"
	run vh del --force --netns "$C"
	assert_success
	[ "$(leases)" -eq 0 ]
	# the address is free again
	C2=$(cname)
	wait_link_gone "veth0_$C"
	run vh add --netns "$C2" --bridge "$BR"
	assert_output "$A"
}

@test "add: bad bridge, bad CIDR, existing interface, netns in use: one line, nothing left" {
	bridge
	C=$(cname)
	run vh add --netns "$C" --bridge "no/such"
	assert_failure 2
	bk_assert_one_line
	assert_output --partial "invalid interface name"
	run vh add --netns "$C" --bridge "$(bk_name nb)"
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "no such interface"
	run vh add --netns "$C" --bridge "$BR" --ip "${NET%.0}.5/33"
	assert_failure 2
	assert_output "vethup: bad address '${NET%.0}.5/33': expected A.B.C.D/LEN (LEN 0-32)"
	run vh add --netns "$C" --bridge "$BR" --host-if "$BR"
	assert_failure 1
	assert_output "vethup: interface $BR already exists"
	run vh add --netns "$C" --bridge "$BR" --mac ff:ff:ff:ff:ff:ff
	assert_failure 2
	bk_assert_one_line
	[ ! -e "/run/netns/$C" ]
	[ "$(leases)" -eq 0 ]
	# netns in use: it already has eth0; the second add changes nothing
	run vh add --netns "$C" --bridge "$BR"
	assert_success
	run vh add --netns "$C" --bridge "$BR" --host-if "$(bk_name hx)"
	assert_failure 1
	assert_output "vethup: interface eth0 already exists (netns in use)"
	[ "$(leases)" -eq 1 ]
	run ip -n "$C" -o link show
	[ "${#lines[@]}" -eq 2 ]
	[ -e "/run/netns/$C" ]
}

@test "add: a host interface name over 15 characters is refused clearly" {
	bridge
	C=$(cname c)abcdefghij
	run vh add --netns "$C" --bridge "$BR"
	assert_failure 2
	assert_output --partial "is longer than 15 characters: pass --host-if"
	[ ! -e "/run/netns/$C" ]
}

@test "add: --host-if, --if and a bridge name over 15 characters are refused, not truncated" {
	bridge
	C=$(cname)
	long=$(bk_name hi)abcdefghijklmnop
	run vh add --netns "$C" --bridge "$BR" --host-if "$long"
	assert_failure 2
	assert_output "vethup: --host-if '$long': longer than 15 characters, the kernel's limit for an interface name"
	run inh ip link show "${long:0:15}"
	assert_failure   # no interface under the truncated name
	run vh add --netns "$C" --bridge "$BR" --if eth0123456789abc
	assert_failure 2
	assert_output "vethup: --if 'eth0123456789abc': longer than 15 characters, the kernel's limit for an interface name"
	run vh add --netns "$C" --bridge "${BR}abcdefghijklmnop"
	assert_failure 2
	bk_assert_one_line
	assert_output --partial "longer than 15 characters"
	run vh bridge "${BR}abcdefghijklmnop" --addr "$GW/24"
	assert_failure 2
	assert_output "vethup: bridge '${BR}abcdefghijklmnop': longer than 15 characters, the kernel's limit for an interface name"
	[ ! -e "/run/netns/$C" ]
	[ "$(leases)" -eq 0 ]
	# exactly 15 is the kernel's limit, and taken as is
	HI=$(printf '%-15s' "$(bk_name hi)" | tr ' ' x)
	run vh add --netns "$C" --bridge "$BR" --host-if "$HI"
	assert_success
	run inh ip link show "$HI"
	assert_success
}

@test "add --mac: bocker's three-digit octet is read as ip reads it; other forms are refused with how to write them" {
	bridge
	C=$(cname)
	# what ip makes of bash bocker's 02:42:ac:11:00"$mac" for ps_42174
	ip netns add "$C"
	ip -n "$C" link add mt0 type veth peer name mt1
	ip -n "$C" link set mt0 address 02:42:ac:11:001:74
	want=$(ip -n "$C" -o link show mt0 | grep -o 'link/ether [^ ]*')
	ip -n "$C" link del mt0
	[ "$want" = "link/ether 02:42:ac:11:01:74" ]
	run vh add --netns "$C" --bridge "$BR" --mac 02:42:ac:11:001:74
	assert_success
	run ip -n "$C" -o link show eth0
	assert_output --partial "$want"
	run vh ls
	assert_line --regexp " 02:42:ac:11:01:74$"
	vh del --netns "$C"
	C2=$(cname)
	run vh add --netns "$C2" --bridge "$BR" --mac 2:42:AC:11:1:75
	assert_success
	run ip -n "$C2" -o link show eth0
	assert_output --partial "link/ether 02:42:ac:11:01:75"
	C3=$(cname)
	for bad in 0x02:42:ac:11:00:74 02:42:ac:11:100:74 02:42:ac:11:74 \
		02:42:ac:11:00:74:aa 02-42-ac-11-00-74 " 02:42:ac:11:00:74" \
		02:42:ac:11:1g:74 02:42:ac:11::74 02:42:ac:11:00:; do
		run vh add --netns "$C3" --bridge "$BR" --mac "$bad"
		assert_failure 2
		assert_output "vethup: bad MAC '$bad': expected six hex octets xx:xx:xx:xx:xx:xx (e.g. 02:42:ac:11:00:02)"
	done
	run vh add --netns "$C3" --bridge "$BR" --mac 03:42:ac:11:00:74
	assert_failure 2
	assert_output "vethup: bad MAC '03:42:ac:11:00:74': a multicast address (odd first octet) cannot be an interface's"
	[ ! -e "/run/netns/$C3" ]
	[ "$(leases)" -eq 1 ]
}

@test "add: a failure midway shows the kernel's message and undoes netns, veth, lease" {
	bridge
	C=$(cname)
	run vh add --netns "$C" --bridge "$BR" --gw 192.0.2.1
	assert_failure 1
	bk_assert_one_line
	assert_output --partial "RTM_NEWROUTE default via 192.0.2.1 dev eth0 netns $C: Nexthop has invalid gateway"
	[ ! -e "/run/netns/$C" ]
	[ "$(leases)" -eq 0 ]
	run inh ip link show "veth0_$C"
	assert_failure
}

@test "add into an existing netns leaves that netns in place when it fails" {
	bridge
	C=$(cname)
	ip netns add "$C"
	run vh add --netns "$C" --bridge "$BR" --gw 192.0.2.1
	assert_failure 1
	[ -e "/run/netns/$C" ]
	[ "$(leases)" -eq 0 ]
	run vh add --netns "$C" --bridge "$BR"
	assert_success
}

@test "exec: runs the command in the netns and passes its status" {
	bridge
	C=$(cname)
	A=$(vh add --netns "$C" --bridge "$BR")
	run vethup exec "$C" -- ip -4 -o addr show dev eth0
	assert_success
	assert_output --partial "inet $A/24"
	run vethup exec "$C" sh -c 'exit 7'
	assert_failure 7
	run -127 vethup exec "$C" -- /no/such/cmd
	run vethup exec "$(bk_name nx)" -- true
	assert_failure 125
	bk_assert_one_line
}

@test "ls: lists netns, host interface, address and MAC" {
	bridge
	C1=$(cname)
	C2=$(cname)
	vh add --netns "$C1" --bridge "$BR" >/dev/null
	vh add --netns "$C2" --bridge "$BR" --ip "${NET%.0}.9/24" >/dev/null
	run vh ls
	assert_success
	assert_line --index 0 --regexp '^BRIDGE +NETNS +HOST-IF +ADDRESS +MAC$'
	assert_line --index 1 --regexp "^$BR +$C1 +veth0_$C1 +${NET%.0}\.2/24 +02:42:"
	assert_line --index 2 --regexp "^$BR +$C2 +veth0_$C2 +${NET%.0}\.9/24 +02:42:"
}

@test "-v traces each netlink request in a readable form" {
	bridge
	C=$(cname)
	run vh -v add --netns "$C" --bridge "$BR"
	assert_success
	assert_output --partial "vethup: unshare(CLONE_NEWNET)"
	assert_output --partial "vethup: RTM_NEWLINK veth0_$C type veth peer eth0 netns $C address 02:42:"
	assert_output --partial "master $BR up"
	assert_output --partial "vethup: RTM_NEWADDR ${NET%.0}.2/24 dev eth0 netns $C"
	assert_output --partial "vethup: RTM_NEWROUTE default via $GW dev eth0 netns $C"
}

@test "bocker naming: netns_NAME gets host end veth0_NAME" {
	bridge
	N=$(bk_name p)
	bk_defer ip netns del "netns_$N"
	run vh add --netns "netns_$N" --bridge "$BR"
	assert_success
	run inh ip link show "veth0_$N"
	assert_success
	run vh del --netns "netns_$N"
	assert_success
}
