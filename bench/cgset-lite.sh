#!/bin/sh
# bench/cgset-lite.sh — cgset-lite against libcgroup's tools (cgroup-tools),
# in one hyperfine run:
#   1. a group for bocker's set (cpu, cpuacct, memory) made, limited and
#      removed: `cgset-lite create … && cgset-lite delete …` vs
#      `cgcreate … && cgset … && cgdelete …`. cgdelete 2.0.2 removes only
#      the first controller of a -g list (and only the first -g), so the
#      peer needs one cgdelete per controller to leave nothing behind.
#   2. run a command in an existing group: `cgset-lite exec … true` vs
#      `cgexec … true`, back to back.
#   3. the same after 50 ms idle (hyperfine --prepare 'sleep 0.05'), as a
#      container start usually comes: moving a PID through cgroup.procs
#      takes a kernel lock that waits for an RCU grace period once the
#      lock has gone idle; back to back, (2) never sees that wait.
# Both sides of (1) go through `sh -c` so each pays the same shell cost.
# Usage: sh bench/cgset-lite.sh [RUNS]   (root; cleans up after itself)
set -eu
# shellcheck disable=SC1091 # bench/lib.sh, next to this script
. "$(dirname "$0")/lib.sh"
# shellcheck disable=SC2154 # top: set by lib.sh
cd "$top"

runs=${1:-200}
bin=$top/bin
out=${BENCH_OUT:-build/bench}
tag=bkbench$$
ctrls=cpu,cpuacct,memory
mkdir -p "$out"

bench_need "cgroups" hyperfine cgcreate cgset cgexec cgdelete
bench_built "$bin/cgset-lite"

cleanup() {
	for g in "/$tag/lite" "/$tag/tools" "/$tag/exec" "/$tag"; do
		"$bin/cgset-lite" delete -f --kill -g "$ctrls:$g" 2>/dev/null || true
	done
}
bench_trap cleanup

# The group the exec pair runs in exists beforehand for both.
"$bin/cgset-lite" create -g "$ctrls:/$tag/exec" --memory 512M --cpu-shares 512

lite_cycle="$bin/cgset-lite create -g $ctrls:/$tag/lite --memory 512M --cpu-shares 512 && $bin/cgset-lite delete -g $ctrls:/$tag/lite"
tools_cycle="cgcreate -g $ctrls:/$tag/tools && cgset -r memory.limit_in_bytes=512M -r cpu.shares=512 /$tag/tools && cgdelete -g cpu:/$tag/tools && cgdelete -g cpuacct:/$tag/tools && cgdelete -g memory:/$tag/tools"

hyperfine -N --warmup 5 --runs "$runs" \
	--export-markdown "$out/cgset-lite.md" --export-csv "$out/cgset-lite.csv" \
	-n "cgset-lite create+delete" "sh -c '$lite_cycle'" \
	-n "cgcreate+cgset+cgdelete" "sh -c '$tools_cycle'" \
	-n "cgset-lite exec true" "$bin/cgset-lite exec -g $ctrls:/$tag/exec -- true" \
	-n "cgexec true" "cgexec -g $ctrls:/$tag/exec true"

hyperfine -N --warmup 2 --runs "$(((runs + 1) / 2))" --prepare 'sleep 0.05' \
	--export-csv "$out/cgset-lite-idle.csv" \
	-n "cgset-lite exec true (idle)" "$bin/cgset-lite exec -g $ctrls:/$tag/exec -- true" \
	-n "cgexec true (idle)" "cgexec -g $ctrls:/$tag/exec true"

# CSV: command,mean,stddev,median,user,system,min,max (seconds).
awk -F, 'FNR > 1 { med[$1] = $4 }
END {
	printf "\nmedians: cgset-lite create+delete %.2f ms, cgcreate+cgset+cgdelete %.2f ms\n",
		med["cgset-lite create+delete"] * 1000, med["cgcreate+cgset+cgdelete"] * 1000
	printf "         cgset-lite exec %.2f ms, cgexec %.2f ms\n",
		med["cgset-lite exec true"] * 1000, med["cgexec true"] * 1000
	printf "         after 50 ms idle: cgset-lite exec %.2f ms, cgexec %.2f ms\n",
		med["cgset-lite exec true (idle)"] * 1000, med["cgexec true (idle)"] * 1000
	printf "ratio create/set/delete: cgset-lite is %.1fx faster than cgcreate+cgset+cgdelete\n",
		med["cgcreate+cgset+cgdelete"] / med["cgset-lite create+delete"]
	printf "ratio exec:              cgset-lite is %.1fx faster than cgexec\n",
		med["cgexec true"] / med["cgset-lite exec true"]
	printf "ratio exec, idle:        cgset-lite is %.1fx faster than cgexec\n",
		med["cgexec true (idle)"] / med["cgset-lite exec true (idle)"]
}' "$out/cgset-lite.csv" "$out/cgset-lite-idle.csv"
