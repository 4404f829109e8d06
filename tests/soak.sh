#!/bin/sh
# soak.sh [N] — the fault soak: until N links were killed (at most 4N
# runs), start a bocker run (foreground,
# --rm, or -d), wait a random 0-40 ms, and kill one link of its chain with
# SIGKILL or SIGTERM: the driver, the claim job (its mkdir), vethup,
# cgset-lite, ovlmount, nsrun's supervisor, the init or the command. Then
# let every container end, run `bocker gc`, and count what is left:
# mounts, netns, veths, cgroups, leases, state dirs that still hold
# something, processes. Prints one line per count and exits 1 unless all
# are 0. N defaults to 200 (make soak); make check runs 30.
#
# Everything is private to this run (BOCKER_ROOT, bridge, subnet) and
# removed at the end; only the tools in ../bin are used.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
PATH=$top/bin:$top/scripts:$PATH
n=${1:-200}
case $n in '' | *[!0-9]*) echo "soak.sh: N must be a number" >&2; exit 2 ;; esac

BOCKER_ROOT=$(mktemp -d /tmp/bockit-soak.XXXXXX)
tag=$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
BOCKER_BRIDGE=bksk$tag
BOCKER_SUBNET=10.$((200 + $(od -An -N1 -tu1 /dev/urandom) % 50)).$(od -An -N1 -tu1 /dev/urandom | tr -d ' ').1/24
BOCKER_NAT=0
BOCKER_STOP_TIMEOUT=1
export PATH BOCKER_ROOT BOCKER_BRIDGE BOCKER_SUBNET BOCKER_NAT BOCKER_STOP_TIMEOUT

cleanup() {
	for d in "$BOCKER_ROOT"/containers/ps_*; do
		[ -d "$d" ] && bocker rm "${d##*/}" >/dev/null 2>&1
	done
	vethup bridge --del --force "$BOCKER_BRIDGE" >/dev/null 2>&1 ||
		ip link del "$BOCKER_BRIDGE" 2>/dev/null
	rm -f "/run/bockit/bridges/$BOCKER_BRIDGE"
	grep -q " $BOCKER_ROOT/" /proc/self/mountinfo || rm -rf "$BOCKER_ROOT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

sh "$top/tests/fixtures/mkrootfs.sh" "$BOCKER_ROOT/rootfs" >/dev/null || exit 1
img=$(bocker init "$BOCKER_ROOT/rootfs" | sed -n 's/^Created: //p')
[ -n "$img" ] || { echo "soak.sh: bocker init failed" >&2; exit 1; }

rand() { # rand N: 0..N-1
	echo $(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % $1))
}

# descendants PID: "PID ARGS" of every process below PID.
descendants() {
	ps -e -o pid=,ppid=,args= | awk -v root="$1" '
		{ parent[$1] = $2; line[$1] = $0 }
		END {
			for (p in parent) {
				q = parent[p]
				while (q != "" && q != root && q != 0 && q != 1 && (q in parent)) q = parent[q]
				if (q == root) { sub(/^ *[0-9]+ +[0-9]+ +/, "", line[p]); print p, line[p] }
			}
		}'
}

# victim DRIVER LINK: the PID of LINK among the driver's processes now.
victim() {
	[ "$2" = bocker ] && { echo "$1"; return; }
	descendants "$1" | awk -v link="$2" '
		link == "claim" && $2 == "mkdir" { print $1; exit }
		link == "vethup" && $2 ~ /vethup$/ { print $1; exit }
		link == "cgset-lite" && $2 ~ /cgset-lite$/ && $3 == "exec" { print $1; exit }
		link == "ovlmount" && $2 ~ /ovlmount$/ { print $1; exit }
		link == "supervisor" && $2 ~ /nsrun$/ { print $1; exit }
		link == "init" && $2 == "init" && $3 == "--" { print $1; exit }
		link == "command" && $2 == "sleep" { print $1; exit }'
}

links="bocker claim vethup cgset-lite ovlmount supervisor init command"
hit=0 missed=0 i=0
while [ "$hit" -lt "$n" ] && [ "$i" -lt $((4 * n)) ]; do
	i=$((i + 1))
	# shellcheck disable=SC2086 # the link names
	set -- $links
	shift "$(rand 8)"
	link=$1
	case $(rand 3) in 0) mode= ;; 1) mode=--rm ;; *) mode=-d ;; esac
	sig=KILL
	[ "$(rand 2)" = 0 ] && sig=TERM
	# shellcheck disable=SC2086 # an empty mode is no word
	bocker run $mode "$img" 'sleep 0.3' </dev/null >/dev/null 2>&1 &
	drv=$!
	sleep "0.0$(rand 4)$(rand 10)"
	p='' tries=0
	while [ -z "$p" ] && [ "$tries" -lt 20 ] && kill -0 "$drv" 2>/dev/null; do
		p=$(victim "$drv" "$link")
		[ -n "$p" ] || sleep 0.005
		tries=$((tries + 1))
	done
	if [ -n "$p" ] && kill "-$sig" "$p" 2>/dev/null; then
		hit=$((hit + 1))
	else
		missed=$((missed + 1))
	fi
	# -d returns at once; its owner goes on in the background
	wait "$drv" 2>/dev/null
done

# every container ends by itself (sleep 0.3) or was killed; give them time
for _ in $(seq 100); do
	live=0
	for d in "$BOCKER_ROOT"/containers/ps_*; do
		[ -d "$d" ] || continue
		st=$(bocker ps | awk -v c="${d##*/}" '$1 == c { print $4 }')
		case $st in running | created) live=1 ;; esac
	done
	[ "$live" = 0 ] && break
	sleep 0.1
done
sleep 0.5
bocker gc >/dev/null

ids=$(for f in "$BOCKER_ROOT"/containers/ps_* "$BOCKER_ROOT"/owners/ps_*; do
	[ -e "$f" ] && echo "${f##*/}"
done | sort -u)
count() { printf '%-12s %s\n' "$1" "$2"; total=$((total + $2)); }
total=0
mounts=$(grep -c " $BOCKER_ROOT/" /proc/self/mountinfo)
netns=0 veths=0 cgroups=0 dirs=0 procs=0
for c in $ids; do
	[ -e "/run/netns/netns_$c" ] && netns=$((netns + 1))
	ip link show "bk${c#ps_}" >/dev/null 2>&1 && veths=$((veths + 1))
	cgroups=$((cgroups + $(find /sys/fs/cgroup -maxdepth 3 -type d -path "*/bocker/$c" 2>/dev/null | wc -l)))
	d=$BOCKER_ROOT/containers/$c
	{ [ -s "$d/net" ] || [ -s "$d/cgroup" ] || [ -f "$d/rm" ] || [ -s "$d/pid" ]; } && dirs=$((dirs + 1))
done
leases=$(find "$BOCKER_ROOT/leases" -type f 2>/dev/null | wc -l)
# (grep finds itself: what is gone a moment later is not left over)
left=$(grep -l "$BOCKER_ROOT" /proc/[0-9]*/cmdline 2>/dev/null)
sleep 0.2
procs=0
for f in $left; do
	[ -e "$f" ] && grep -qs "$BOCKER_ROOT" "$f" && procs=$((procs + 1))
done
# what is left, named, for the one who has to find out why
[ "$leases" = 0 ] || find "$BOCKER_ROOT/leases" -type f -exec sh -c 'echo "lease $1: $(cat "$1")"' sh {} \;
for f in $left; do
	[ -e "$f" ] && grep -qs "$BOCKER_ROOT" "$f" && echo "process ${f#/proc/}: $(tr '\0' ' ' <"$f")"
done
echo "soak: $i runs, $hit links killed, $missed missed (the link had come and gone)"
count mounts "$mounts"
count netns "$netns"
count veths "$veths"
count cgroups "$cgroups"
count leases "$leases"
count state-dirs "$dirs"
count processes "$procs"
[ "$total" = 0 ] && [ "$hit" -ge "$n" ]
