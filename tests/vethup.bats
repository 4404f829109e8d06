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

# The records of the bridges the test made (vethup keeps them host-wide,
# in /run/bockit/bridges; the bridges go with $H).
teardown() {
	local b
	for b in $(cat "$BOCKER_ROOT/bridges" 2>/dev/null); do
		rm -f "/run/bockit/bridges/$b"
	done
	bk_teardown
}

# vethup (and any command) run inside the test's host-side netns.
vh() {
	local a cmd=
	for a in "$@"; do
		case $cmd,$a in
		,bridge) cmd=bridge ;;
		bridge,-*) ;;
		bridge,*) echo "$a" >>"$BOCKER_ROOT/bridges"; break ;;
		esac
	done
	nsenter --net="/run/netns/$H" vethup "$@"
}
inh() { nsenter --net="/run/netns/$H" "$@"; }

# The ifindex of interface $1 of the test's host-side netns (its /sys is
# the host's).
ifindex() { inh ip -o link show dev "$1" | cut -d: -f1; }

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

@test "bridge: recorded in /run/bockit/bridges as ifindex, address, NAT; --del removes the record" {
	run vh -v bridge "$BR" --addr "$GW/24"
	assert_success
	idx=$(ifindex "$BR")
	assert_output --partial "vethup: write /run/bockit/bridges/$BR \"$idx $GW/24 0\""
	assert_equal "$(cat "/run/bockit/bridges/$BR")" "$idx $GW/24 0"
	vh bridge "$BR" --nat
	assert_equal "$(cat "/run/bockit/bridges/$BR")" "$idx $GW/24 1"
	B2=$(bk_name br)
	vh bridge "$B2"
	assert_equal "$(cat "/run/bockit/bridges/$B2")" "$(ifindex "$B2") - 0"
	# a failed set-up records nothing
	run vh bridge "$B2" --nat
	assert_failure 1
	assert_equal "$(cat "/run/bockit/bridges/$B2")" "$(ifindex "$B2") - 0"
	run vh -v bridge --del "$BR"
	assert_success
	assert_output --partial "vethup: unlink /run/bockit/bridges/$BR"
	[ ! -e "/run/bockit/bridges/$BR" ]
	[ -e "/run/bockit/bridges/$B2" ]   # another bridge's stays
	run vh bridge --del "$BR"
	assert_success
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

# ---- published ports (-p, port add/del/ls) ----
# Connections go only to 127.0.0.1 and to addresses of the test's own
# bridge, between network namespaces the test made.

NETCHECK=$BATS_TEST_DIRNAME/fixtures/netcheck.py

# The host side with lo up (127.0.0.1 exists there), a bridge that
# forwards (other hosts and containers go through forward), a host port.
ports_setup() {
	inh ip link set lo up
	vh bridge "$BR" --addr "$GW/24" --forward
	HP=$((RANDOM % 5000 + 20000))
}

wait_file() {
	local i
	for i in $(seq 100); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# serve NETNS tcp|udp PORT TAG: a listener in NETNS answering "TAG PEER",
# killed at teardown (before its netns is deleted).
serve() {
	local ready=$BOCKER_ROOT/ready.$RANDOM
	ip netns exec "$1" python3 "$NETCHECK" serve "$2" "$3" "$4" "$ready" \
		>/dev/null 2>&1 3>&- &
	bk_defer kill $!
	wait_file "$ready"
}

# catch NETNS ADDR PORT OUT: a datagram to ADDR:PORT in NETNS, or
# "nothing" after 2 s, into OUT; waited for with `wait`.
catch() {
	local ready=$BOCKER_ROOT/ready.$RANDOM
	nsenter --net="/run/netns/$1" python3 "$NETCHECK" catch "$2" "$3" 2 "$ready" \
		>"$4" 2>&1 3>&- &
	wait_file "$ready"
}

# ask NETNS tcp|udp HOST PORT: the listener's answer, from NETNS.
ask() {
	nsenter --net="/run/netns/$1" python3 "$NETCHECK" ask "$2" "$3" "$4"
}

mac_of() { ip -n "$1" -o link show "$2" | grep -o 'link/ether [^ ]*' | cut -d' ' -f2; }

# A netns beyond another interface of the host side: another host. It
# reaches the bridge's address through the host side, as a LAN neighbour
# reaches the host's.
other_host() { # NAME HOSTIF
	ip netns add "$1"
	inh ip link add "$2" type veth peer name eth0 netns "$1"
	inh ip addr add 192.0.2.1/24 dev "$2"
	inh ip link set "$2" up
	ip -n "$1" link set eth0 up
	ip -n "$1" addr add 192.0.2.2/24 dev eth0
	ip -n "$1" route add default via 192.0.2.1
}

@test "-p: a port wrong as written is a usage error (2), found before anything is made" {
	bridge
	C=$(cname)
	for bad in 8080 :8080:80 8080:80/sctp 8080:80/ 8080:80/TCP 0:80 8080:0 \
		65536:80 123456:80 8080:+80 " 8080:80" 8080:80x 0x50:80 1.2.3:8080:80 \
		::1:8080:80 "[::1]:8080:80" 224.0.0.1:8080:80 255.255.255.255:8080:80 \
		"1.2.3.4:8080:80/tcp;flush ruleset" '8080:80/tcp }' "a:b:c"; do
		run vh add --netns "$C" --bridge "$BR" -p "$bad"
		assert_failure 2
		bk_assert_one_line
		assert_output --regexp "^vethup: -p '"
	done
	run vh add --netns "$C" --bridge "$BR" --publish 8080:80/sctp
	assert_output "vethup: -p '8080:80/sctp': protocol 'sctp' is not tcp or udp"
	run vh add --netns "$C" --bridge "$BR" -p 65536:80
	assert_output "vethup: -p '65536:80': port '65536' is not a number in 1..65535"
	run vh add --netns "$C" --bridge "$BR" -p 8080
	assert_output "vethup: -p '8080': expected [IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]"
	run vh add --netns "$C" --bridge "$BR" -p 224.0.0.1:8080:80
	assert_output "vethup: -p '224.0.0.1:8080:80': 224.0.0.1 is a multicast address, not one of the host's"
	run vh add --netns "$C" --bridge "$BR" -p 8080:80 -p 127.0.0.1:8080:81
	assert_failure 2
	assert_output "vethup: -p: host port 8080/tcp given twice"
	run vh del --netns "$C" -p 8080:80
	assert_failure 2
	assert_output "vethup: del: --publish does not apply"
	run vh port add --netns "$C"
	assert_failure 2
	assert_output "vethup: port add: -p PORT is required"
	run vh port add -p 8080:80
	assert_failure 2
	assert_output "vethup: port add: --netns is required"
	run vh port frob
	assert_failure 2
	assert_output "vethup: port: expected add, del or ls"
	run vh port ls --force
	assert_failure 2
	assert_output "vethup: port ls: --force does not apply"
	[ ! -e "/run/netns/$C" ]
	[ "$(leases)" -eq 0 ]
	run inh nft list tables
	refute_output --partial "bockit_$BR"
}

@test "add -p: tcp and udp reach the netns from the host through 127.0.0.1 and the bridge address" {
	ports_setup
	C=$(cname)
	A=$(vh add --netns "$C" --bridge "$BR" -p "$HP:80" -p "$HP:53/udp")
	serve "$C" tcp 80 tcp-in-c
	serve "$C" udp 53 udp-in-c
	# from 127.0.0.1 the connection is masqueraded: the netns answers the bridge
	run ask "$H" tcp 127.0.0.1 "$HP"
	assert_success
	assert_output "tcp-in-c $GW"
	run ask "$H" udp 127.0.0.1 "$HP"
	assert_success
	assert_output "udp-in-c $GW"
	run ask "$H" tcp "$GW" "$HP"
	assert_output "tcp-in-c $GW"
	run ask "$H" udp "$GW" "$HP"
	assert_output "udp-in-c $GW"
	# only the port published
	run ask "$H" tcp 127.0.0.1 $((HP + 1))
	assert_failure
	run inh cat "/proc/sys/net/ipv4/conf/$BR/route_localnet"
	assert_output 1
	run inh nft list map ip "bockit_$BR" ports
	assert_output --partial "tcp . $HP : $A . 80"
	assert_output --partial "udp . $HP : $A . 53"
}

@test "add -p IP:...: published on that address of the host only; an address the host has not is refused" {
	ports_setup
	C=$(cname)
	vh add --netns "$C" --bridge "$BR" -p "127.0.0.1:$HP:80" >/dev/null
	serve "$C" tcp 80 c
	run ask "$H" tcp 127.0.0.1 "$HP"
	assert_output "c $GW"
	run ask "$H" tcp "$GW" "$HP"
	assert_failure
	C2=$(cname)
	run vh add --netns "$C2" --bridge "$BR" -p "192.0.2.77:$((HP + 1)):80"
	assert_failure 1
	assert_output "vethup: port 192.0.2.77:$((HP + 1)):80/tcp: 192.0.2.77 is not an address of this host"
	[ ! -e "/run/netns/$C2" ]
	[ "$(leases)" -eq 1 ]
}

@test "add -p: reached from another netns on the bridge and from another host, through the bridge address" {
	ports_setup
	C=$(cname)
	C2=$(cname)
	A=$(vh add --netns "$C" --bridge "$BR" -p "$HP:80" -p "$HP:53/udp")
	vh add --netns "$C2" --bridge "$BR" >/dev/null
	serve "$C" tcp 80 c
	serve "$C" udp 53 cu
	# hairpin: masqueraded, or C would answer C2 directly and C2 drop it;
	# with br_netfilter on (this machine's default) and off (a fresh one's)
	nf=/proc/sys/net/bridge/bridge-nf-call-iptables
	for mode in 1 0; do
		! inh test -e "$nf" || inh sh -c "echo $mode >$nf"
		run ask "$C2" tcp "$GW" "$HP"
		assert_success
		assert_output "c $GW"
		run ask "$C2" udp "$GW" "$HP"
		assert_output "cu $GW"
	done
	# its own published port too, unless br_netfilter bridges the
	# DNATed packet back to its port (man/vethup.1, NOTES): off here
	run ask "$C" tcp "$GW" "$HP"
	assert_output "c $GW"
	# another host keeps its own address
	R=$(cname r)
	other_host "$R" "$(bk_name rh)"
	run ask "$R" tcp "$GW" "$HP"
	assert_success
	assert_output "c 192.0.2.2"
	run ask "$R" udp "$GW" "$HP"
	assert_output "cu 192.0.2.2"
}

@test "-p on 0.0.0.0: another host sending to 127.0.0.1:PORT does not reach the netns" {
	ports_setup
	C=$(cname)
	vh add --netns "$C" --bridge "$BR" -p "$HP:53/udp" >/dev/null
	R=$(cname r)
	RH=$(bk_name rh)
	other_host "$R" "$RH"
	# a frame to the host side's MAC: 127.0.0.1 as destination, no route needed
	catch "$C" 0.0.0.0 53 "$BOCKER_ROOT/caught"
	ip netns exec "$R" python3 "$NETCHECK" spoof eth0 "$(mac_of "$H" "$RH")" 192.0.2.2 127.0.0.1 "$HP"
	wait
	run cat "$BOCKER_ROOT/caught"
	assert_output nothing
	# the same frame to the bridge's address is DNATed: the test can tell
	catch "$C" 0.0.0.0 53 "$BOCKER_ROOT/caught"
	ip netns exec "$R" python3 "$NETCHECK" spoof eth0 "$(mac_of "$H" "$RH")" 192.0.2.2 "$GW" "$HP"
	wait
	run cat "$BOCKER_ROOT/caught"
	assert_output "got crossed"
}

@test "loopback guard: with route_localnet on the bridge, a netns still cannot reach the host's 127.0.0.1" {
	ports_setup
	C=$(cname)
	A=$(vh add --netns "$C" --bridge "$BR" -p "$HP:80")
	run inh cat "/proc/sys/net/ipv4/conf/$BR/route_localnet"
	assert_output 1
	# a service of the host bound to 127.0.0.1, and a frame a process with
	# CAP_NET_RAW (bocker's containers have it) sends to the bridge's MAC
	catch "$H" 127.0.0.1 $((HP + 1)) "$BOCKER_ROOT/caught"
	ip netns exec "$C" python3 "$NETCHECK" spoof eth0 "$(mac_of "$H" "$BR")" "$A" 127.0.0.1 $((HP + 1))
	wait
	run cat "$BOCKER_ROOT/caught"
	assert_output nothing
	# the same frame to the bridge's address arrives: the test can tell
	catch "$H" "$GW" $((HP + 1)) "$BOCKER_ROOT/caught"
	ip netns exec "$C" python3 "$NETCHECK" spoof eth0 "$(mac_of "$H" "$BR")" "$A" "$GW" $((HP + 1))
	wait
	run cat "$BOCKER_ROOT/caught"
	assert_output "got crossed"
	run inh nft list chain ip "bockit_$BR" loopback_guard
	assert_output --partial "iifname \"$BR\" ip daddr 127.0.0.0/8 drop"
}

@test "-p: a host port published by any netns, store or bridge, or held by a host socket, is refused before anything is made" {
	ports_setup
	C=$(cname)
	A=$(vh add --netns "$C" --bridge "$BR" -p "$HP:80")
	C2=$(cname)
	run vh add --netns "$C2" --bridge "$BR" -p "127.0.0.1:$HP:81"
	assert_failure 1
	assert_output "vethup: port 127.0.0.1:$HP:81/tcp: host port $HP/tcp is already published, by netns $C on bridge $BR (to $A:80)"
	[ ! -e "/run/netns/$C2" ]
	[ "$(leases)" -eq 1 ]
	# another lease store, on another bridge
	B2=$(bk_name br)
	vh bridge "$B2" --addr 198.51.100.1/24
	run vh add --leases "$BOCKER_ROOT/other" --netns "$C2" --bridge "$B2" -p "$HP:80"
	assert_failure 1
	assert_output "vethup: port 0.0.0.0:$HP:80/tcp: host port $HP/tcp is already published, in nft table ip bockit_$BR (by no lease of $BOCKER_ROOT/other)"
	[ ! -e "/run/netns/$C2" ]
	[ ! -e "$BOCKER_ROOT/other/$B2" ] || [ -z "$(ls "$BOCKER_ROOT/other/$B2")" ]
	run inh nft list tables
	refute_output --partial "bockit_$B2"
	# the same number in udp is another port
	run vh add --netns "$C2" --bridge "$BR" -p "$HP:80/udp"
	assert_success
	# port add is refused the same way, and so is a port a host socket holds
	C3=$(cname)
	vh add --netns "$C3" --bridge "$BR" >/dev/null
	run vh port add --netns "$C3" -p "$HP:82"
	assert_failure 1
	assert_output --partial "host port $HP/tcp is already published, by netns $C on bridge $BR"
	serve "$H" tcp $((HP + 1)) host-service
	run vh port add --netns "$C3" -p $((HP + 2)):80 -p $((HP + 1)):80
	assert_failure 1
	assert_output "vethup: port 0.0.0.0:$((HP + 1)):80/tcp: host port $((HP + 1))/tcp is in use on the host (a socket is bound to it)"
	run vh port ls --netns "$C3"
	[ "${#lines[@]}" -eq 1 ]
	run inh nft list map ip "bockit_$BR" ports
	[ "$(printf '%s\n' "$output" | grep -cE '[0-9] : [0-9]')" -eq 2 ]
	run ask "$H" tcp 127.0.0.1 $((HP + 1))
	assert_output "host-service 127.0.0.1"
}

@test "-p: ten adds at once, of two stores, publishing one host port: one gets it, nine are refused and leave nothing" {
	ports_setup
	P=$(bk_name p)
	bk_defer del_prefix "$P"
	for i in $(seq 10); do
		vh add --leases "$BOCKER_ROOT/s$((i % 2))" --netns "$P$i" --bridge "$BR" \
			-p "$HP:80" >"$BOCKER_ROOT/out.$i" 2>&1 &
	done
	wait
	run grep -l "^${NET%.0}\.[0-9]*$" "$BOCKER_ROOT"/out.*
	[ "${#lines[@]}" -eq 1 ]
	run grep -h "host port $HP/tcp is already published" "$BOCKER_ROOT"/out.*
	[ "${#lines[@]}" -eq 9 ]
	run find /run/netns -maxdepth 1 -name "$P*"
	[ "${#lines[@]}" -eq 1 ]
	run find "$BOCKER_ROOT" -path "$BOCKER_ROOT/s[01]/*" -type f ! -name '.*'
	[ "${#lines[@]}" -eq 1 ]   # the refused made no lease
	run inh nft list map ip "bockit_$BR" ports
	[ "$(printf '%s\n' "$output" | grep -cE '[0-9] : [0-9]')" -eq 1 ]
}

@test "port add/del/ls: publish after add, list, unpublish one, then all; the lease records them" {
	ports_setup
	C=$(cname)
	A=$(vh add --netns "$C" --bridge "$BR")
	serve "$C" tcp 80 c
	run ask "$H" tcp 127.0.0.1 "$HP"
	assert_failure
	run vh port add --netns "$C" -p "$HP:80" -p "127.0.0.1:$((HP + 1)):80" -p "$HP:80/udp"
	assert_success
	run ask "$H" tcp 127.0.0.1 "$HP"
	assert_output "c $GW"
	run ask "$H" tcp 127.0.0.1 $((HP + 1))
	assert_output "c $GW"
	run vh port ls
	assert_success
	assert_line --index 0 --regexp '^NETNS +BRIDGE +PROTO +HOST +CONTAINER$'
	assert_line --index 1 --regexp "^$C +$BR +tcp +0\.0\.0\.0:$HP +$A:80$"
	assert_line --index 2 --regexp "^$C +$BR +tcp +127\.0\.0\.1:$((HP + 1)) +$A:80$"
	assert_line --index 3 --regexp "^$C +$BR +udp +0\.0\.0\.0:$HP +$A:80$"
	run grep -c '^port ' "$BOCKER_ROOT/leases/$BR/$A"
	assert_output 3
	run vh port ls --netns "$(bk_name nx)"
	[ "${#lines[@]}" -eq 1 ]
	run vh port del --netns "$C" -p "127.0.0.1:$((HP + 1)):80"
	assert_success
	run ask "$H" tcp 127.0.0.1 $((HP + 1))
	assert_failure
	run ask "$H" tcp 127.0.0.1 "$HP"
	assert_output "c $GW"
	run vh port del --netns "$C" -p "127.0.0.1:$((HP + 1)):80"
	assert_failure 1
	assert_output "vethup: port 127.0.0.1:$((HP + 1)):80/tcp: not published by netns $C (use --force to ignore)"
	run vh port del --force --netns "$C" -p "127.0.0.1:$((HP + 1)):80"
	assert_success
	run vh port del --netns "$C"
	assert_success
	run vh port ls
	[ "${#lines[@]}" -eq 1 ]
	run grep -c '^port ' "$BOCKER_ROOT/leases/$BR/$A"
	assert_output 0
	run inh nft list map ip "bockit_$BR" ports
	refute_output --regexp '[0-9] : [0-9]'
	run ask "$H" tcp 127.0.0.1 "$HP"
	assert_failure
	NX=$(bk_name nx)
	run vh port add --netns "$NX" -p "$HP:80"
	assert_failure 1
	assert_output "vethup: netns $NX: no lease in $BOCKER_ROOT/leases (vethup add --netns $NX first)"
}

@test "-v traces the nft transaction as commands one can re-type" {
	ports_setup
	C=$(cname)
	run vh -v add --netns "$C" --bridge "$BR" -p "$HP:80"
	assert_success
	A=${lines[${#lines[@]} - 1]}
	assert_line "vethup: nft list tables ip"
	assert_line --regexp "^vethup: bind\(SOCK_STREAM, 0\.0\.0\.0:$HP\) and close"
	assert_line "vethup: nft 'create element ip bockit_$BR ports { tcp . $HP : $A . 80 }'"
	assert_line "vethup: nft 'add element ip bockit_$BR listen { 0.0.0.0/0 . tcp . $HP }'"
	assert_line "vethup: write /proc/sys/net/ipv4/conf/$BR/route_localnet 1"
	# re-typed in a shell, in a netns of their own, the lines make the
	# same ruleset
	printf '%s\n' "$output" | sed -n 's/^vethup: \(nft [a-z]*\)/\1/p' |
		grep -v '^nft list' >"$BOCKER_ROOT/retype.sh"
	[ "$(wc -l <"$BOCKER_ROOT/retype.sh")" -gt 10 ]
	H2=$(bk_name vh)
	ip netns add "$H2"
	bk_defer ip netns del "$H2"
	run nsenter --net="/run/netns/$H2" sh -e "$BOCKER_ROOT/retype.sh"
	assert_success
	inh nft list ruleset >"$BOCKER_ROOT/ruleset.1"
	nsenter --net="/run/netns/$H2" nft list ruleset >"$BOCKER_ROOT/ruleset.2"
	diff "$BOCKER_ROOT/ruleset.1" "$BOCKER_ROOT/ruleset.2"
}

@test "del: the netns's ports go with it, idempotently; a host port another's since stays another's" {
	ports_setup
	C=$(cname)
	A=$(vh add --netns "$C" --bridge "$BR" -p "$HP:80" -p "127.0.0.1:$HP:53/udp")
	run vh del --netns "$C"
	assert_success
	run inh nft list map ip "bockit_$BR" ports
	refute_output --partial "$A"
	run inh nft list set ip "bockit_$BR" listen
	refute_output --partial "$HP"
	run vh port ls
	[ "${#lines[@]}" -eq 1 ]
	run vh del --force --netns "$C"
	assert_success
	C2=$(cname)
	run vh add --netns "$C2" --bridge "$BR" -p "$HP:80"
	assert_success
	# C3's element removed by hand and the port published by C4 since:
	# C3's del takes only what is C3's
	P=$((HP + 1))
	C3=$(cname)
	vh add --netns "$C3" --bridge "$BR" -p "$P:80" >/dev/null
	inh nft delete element ip "bockit_$BR" ports "{ tcp . $P }"
	inh nft delete element ip "bockit_$BR" listen "{ 0.0.0.0/0 . tcp . $P }"
	C4=$(cname)
	A4=$(vh add --netns "$C4" --bridge "$BR" -p "$P:81")
	run vh del --netns "$C3"
	assert_success
	run inh nft list map ip "bockit_$BR" ports
	assert_output --partial "tcp . $P : $A4 . 81"
	run inh nft list set ip "bockit_$BR" listen
	assert_output --partial "0.0.0.0/0 . tcp . $P"
}

@test "add -p: a failure after the check leaves no rule, and the ports free" {
	ports_setup
	C=$(cname)
	run vh add --netns "$C" --bridge "$BR" -p "$HP:80" --gw 192.0.2.1
	assert_failure 1
	assert_output --partial "Nexthop has invalid gateway"
	[ ! -e "/run/netns/$C" ]
	[ "$(leases)" -eq 0 ]
	run inh nft list tables
	refute_output --partial "bockit_$BR"
	run vh add --netns "$C" --bridge "$BR" -p "$HP:80"
	assert_success
}

@test "bridge --del: the published ports go with the bridge's table; a lease of another store is then deleted without error" {
	ports_setup
	C=$(cname)
	vh add --netns "$C" --bridge "$BR" -p "$HP:80" >/dev/null
	O=$(cname o)
	vh add --leases "$BOCKER_ROOT/other" --netns "$O" --bridge "$BR" -p $((HP + 1)):80 >/dev/null
	run vh bridge --del --force "$BR"
	assert_success
	run inh nft list tables
	refute_output --partial "bockit_$BR"
	run vh del --leases "$BOCKER_ROOT/other" --netns "$O"
	assert_success
	run vh port ls --leases "$BOCKER_ROOT/other"
	[ "${#lines[@]}" -eq 1 ]
	[ ! -e "/run/netns/$O" ]
}
