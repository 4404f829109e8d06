#!/usr/bin/env bats
# bocker, the driver: each command, its options, and its defences.

load bocker-common

setup_file() { bocker_setup_file; }
teardown_file() { bocker_teardown_file; }
setup() { bocker_setup; }
teardown() { bocker_teardown; }

@test "help lists every command; no command or an unknown one is a usage error" {
	run bocker help
	assert_success
	for c in init pull images tag push save load ps run exec port logs start stop restart commit rm gc help; do
		assert_line --regexp "^  $c "
	done
	run bocker
	assert_failure 2
	run bocker frobnicate
	assert_failure 2
	assert_output "bocker: unknown command 'frobnicate' (see bocker help)"
}

@test "the driver is POSIX sh: shellcheck -s sh clean, runs under dash and busybox ash" {
	run shellcheck -s sh "$BOCKIT_TOP/scripts/bocker"
	assert_success
	run dash "$BOCKIT_TOP/scripts/bocker" run "$IMG" 'echo dash'
	assert_success
	assert_output "dash"
	run busybox ash "$BOCKIT_TOP/scripts/bocker" run "$IMG" 'echo ash'
	assert_success
	assert_output "ash"
}

@test "init keeps owners, modes, xattrs and dotfiles; images lists it" {
	src=$BOCKER_ROOT/src
	mkdir -p "$src/d"
	echo secret >"$src/.hidden"
	echo x >"$src/d/file"
	chown 1234:5678 "$src/d/file"
	chmod 4751 "$src/d/file"
	setfattr -n user.bockit -v yes "$src/d/file"
	run bocker init "$src"
	assert_success
	assert_output --regexp '^Created: img_[0-9a-f]{12}$'
	img=${output#Created: }
	layer=$BOCKER_ROOT/layers/sha256/$(head -n 1 "$BOCKER_ROOT/images/$img/layers")
	[ "$(cat "$layer/.hidden")" = secret ]
	[ "$(stat -c '%u:%g %a' "$layer/d/file")" = "1234:5678 4751" ]
	[ "$(getfattr --only-values -n user.bockit "$layer/d/file")" = yes ]
	run bocker images
	assert_line --index 0 --regexp '^REPOSITORY +TAG +IMAGE ID +SIZE +CREATED$'
	assert_line --regexp "^<none> +<none> +$img +[0-9.]+[kM]?B +[0-9-]+ [0-9:]+$"
	run bocker init "$BOCKER_ROOT/nonexistent"
	assert_failure
	assert_output "bocker: no directory named '$BOCKER_ROOT/nonexistent'"
}

@test "pull REF and bocker's pull NAME TAG form, from an OCI layout" {
	layout=$BOCKER_ROOT/layout
	sh "$BOCKIT_TOP/tests/fixtures/imgpull-mkimage.sh" single "$layout" v1 "$ROOTFS" >/dev/null 2>&1
	run bocker pull "oci:$layout:v1"
	assert_success
	assert_line --regexp '^Created: img_[0-9a-f]{12}$'
	first=$(echo "$output" | grep '^Created:')
	run bocker pull "oci:$layout" v1
	assert_success
	assert_line "$first"
}

@test "run uses the image config: Entrypoint/Cmd, Env, WorkingDir, User" {
	layout=$BOCKER_ROOT/layout
	sh "$BOCKIT_TOP/tests/fixtures/imgpull-mkimage.sh" single "$layout" v1 "$ROOTFS" >/dev/null 2>&1
	img=$(bocker pull "oci:$layout:v1" 2>/dev/null | sed 's/^Created: //')
	run bocker run --network none "$img"
	assert_success
	assert_output "hello world"
	# the Entrypoint (/bin/busybox) stays; the words replace Cmd
	run bocker run --network none -e FOO=override "$img" sh -c 'echo "$FOO|$SPACED"; pwd; id -u'
	assert_success
	assert_line --index 0 "override|a b"
	assert_line --index 1 "/tmp"
	assert_line --index 2 "1000"
	run bocker run --network none -w / "$img" pwd
	assert_output "/"
}

@test "run returns the container's exit status; output goes to the terminal and the log" {
	run bocker run "$IMG" 'echo out; echo err >&2; exit 7'
	assert_failure 7
	assert_output --partial "out"
	assert_output --partial "err"
	c=$(ls "$BOCKER_ROOT/containers")
	run bocker logs "$c"
	assert_line "out"
	assert_line "err"
	run bocker ps -a
	assert_line --index 1 --regexp "^$c +$IMG +\"/bin/sh -c echo out; echo e...\" +[0-9-]+ [0-9:]+ +exited\(7\) +- +- +-$"
	run bocker run "$IMG" 'kill -9 $$'
	assert_failure 137
}

@test "stdout and stderr stay apart: in run, run -d, logs, logs -f and logs --tail, under dash and busybox ash" {
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err sh
	local script='echo out1; echo err1 >&2; printf "prompt> "; sleep 0.2; echo out2; echo err2 >&2'
	for sh in dash "busybox ash"; do
		$sh "$BOCKIT_TOP/scripts/bocker" run --network none "$IMG" "$script" >"$out" 2>"$err"
		[ "$(cat "$out")" = "$(printf 'out1\nprompt> out2')" ]
		[ "$(cat "$err")" = "$(printf 'err1\nerr2')" ]
	done
	c=$(ls -t "$BOCKER_ROOT/containers" | head -1)
	bocker logs "$c" >"$out" 2>"$err"
	[ "$(cat "$out")" = "$(printf 'out1\nprompt> out2')" ]
	[ "$(cat "$err")" = "$(printf 'err1\nerr2')" ]
	# the records: a line each, with its stream; the prompt without its newline
	run cat "$BOCKER_ROOT/containers/$c/log"
	assert_line --index 0 --regexp '^[12] (out1|err1)$'
	assert_line "1+prompt> "
	assert_line "1 out2"
	assert_line "2 err2"
	d=$(bocker run -d --network none "$IMG" "$script")
	timeout 10 bocker logs -f "$d" >"$out" 2>"$err"
	[ "$(cat "$out")" = "$(printf 'out1\nprompt> out2')" ]
	[ "$(cat "$err")" = "$(printf 'err1\nerr2')" ]
	bocker logs --tail 1 "$d" >"$out" 2>"$err"
	[ "$(cat "$out" "$err")" = "err2" ] || [ "$(cat "$out" "$err")" = "out2" ]
	# a log line that is not a record (a tool's error) goes to stderr
	echo "nsrun: something" >>"$BOCKER_ROOT/containers/$d/log"
	bocker logs "$d" >"$out" 2>"$err"
	grep -qx "nsrun: something" "$err"
	! grep -q "nsrun" "$out"
}

@test "run | head: the reader gone, the container ends by SIGPIPE as on a plain pipe" {
	run sh -c 'bocker run --network none "$1" yes | head -2; echo "status ${?}"' sh "$IMG"
	assert_line --index 0 y
	assert_line --index 1 y
	c=$(ls "$BOCKER_ROOT/containers")
	run timeout 10 sh -c 'while [ ! -s "$1" ]; do sleep 0.1; done; cat "$1"' sh "$BOCKER_ROOT/containers/$c/exit"
	assert_output 141
}

# ptydrive STEP... -- CMD...: CMD on a real pseudo-terminal, driven as a
# user would (tests/fixtures/ptydrive.py); prints output:, status:, terminal:
ptydrive() {
	python3 "$BOCKIT_TOP/tests/fixtures/ptydrive.py" "$@"
}

@test "run -it: a real terminal: tty, TERM, size and resize, ^C and ^Z act on the shell's job, ^D ends it, terminal put back" {
	run env TERM=screen python3 "$BOCKIT_TOP/tests/fixtures/ptydrive.py" --size 30x100 \
		'expect:# ' 'send:tty; echo "T=$TERM H=$HOME"; stty size\r' 'expect:30 100' 'expect:# ' \
		'size:40x120' 'send:stty size\r' 'expect:40 120' 'expect:# ' \
		'send:sleep 30\r' 'expect:sleep 30' 'run:sleep 0.5' 'send:\x03' 'expect:# ' \
		'send:echo "alive $?"\r' 'expect:alive 130' 'expect:# ' \
		'send:sleep 31\r' 'expect:sleep 31' 'run:sleep 0.5' 'send:\x1a' 'expect:Stopped' 'expect:# ' \
		'send:kill -9 %1; sleep 0.5\r' 'expect:Killed' 'expect:# ' 'send:\x04' \
		-- "$BOCKIT_TOP/scripts/bocker" run -it --network none "$IMG" sh
	assert_success
	assert_line "status: 0"
	assert_line "terminal: cooked"
	assert_output --regexp '/dev/pts/[0-9]+'
	assert_output --partial 'T=screen H=/root'
	# the container's log has the terminal's output too
	c=$(ls "$BOCKER_ROOT/containers")
	grep -q '^1 alive 130' "$BOCKER_ROOT/containers/$c/log"
	run cat "$BOCKER_ROOT/containers/$c/exit"
	assert_output 0
}

@test "run -t: TERM is xterm when the caller has none; one newline conversion; -it without a terminal is refused" {
	run env -u TERM python3 "$BOCKIT_TOP/tests/fixtures/ptydrive.py" \
		-- "$BOCKIT_TOP/scripts/bocker" run -t --network none "$IMG" 'echo "T=$TERM"; tty; exit 4'
	assert_success
	assert_line "status: 4"
	assert_output --partial "T=xterm\\r\\n/dev/pts/"
	# no -t: a pipe, not a terminal
	run bocker run --network none "$IMG" 'tty; echo "T=${TERM:-unset}"'
	assert_line "not a tty"
	assert_line "T=unset"
	n=$(ls "$BOCKER_ROOT/containers" | wc -l)
	run bocker run -it --network none "$IMG" true </dev/null
	assert_failure 1
	assert_output "bocker: the input device is not a TTY (-i -t)"
	[ "$(ls "$BOCKER_ROOT/containers" | wc -l)" -eq "$n" ]
	run bocker run -tx "$IMG" true
	assert_failure 2
	assert_output "bocker: run: unknown option '-tx' (see bocker help)"
}

@test "run -it: nsrun killed with SIGKILL, the driver puts the terminal back; exec -it gets a terminal of its own" {
	run python3 "$BOCKIT_TOP/tests/fixtures/ptydrive.py" 'expect:# ' \
		"run:kill -9 \$(cut -d' ' -f4 /proc/\$(cat $BOCKER_ROOT/containers/ps_*/pid)/stat)" \
		-- "$BOCKIT_TOP/scripts/bocker" run -it --network none "$IMG" sh
	assert_success
	assert_line "terminal: cooked"
	assert_line --regexp '^status: (137|125)$'
	c=$(bocker run -d --network none "$IMG" 'exec sleep 30')
	wait_running "$c"
	run python3 "$BOCKIT_TOP/tests/fixtures/ptydrive.py" 'expect:# ' \
		'send:tty; echo "T=$TERM"; exit 6\r' \
		-- "$BOCKIT_TOP/scripts/bocker" exec -it "$c" sh
	assert_success
	assert_line "status: 6"
	assert_line "terminal: cooked"
	assert_output --regexp '/dev/pts/[0-9]+'
	bocker rm -f "$c" >/dev/null
}

@test "--read-only: the root cannot be written nor remounted; volumes, /dev/shm and start keep theirs" {
	mkdir -p "$BOCKER_ROOT/vol"
	run bocker run --read-only --network none -v "$BOCKER_ROOT/vol:/vol" "$IMG" \
		'touch /x || echo root-ro; touch /tmp/y || echo tmp-ro; mount -o remount,rw / || echo no-remount
		touch /x 2>/dev/null || echo still-ro; touch /dev/shm/z && echo shm-rw; touch /vol/v && echo vol-rw'
	assert_success
	assert_line root-ro
	assert_line tmp-ro
	assert_line no-remount
	assert_line still-ro
	assert_line shm-rw
	assert_line vol-rw
	[ -f "$BOCKER_ROOT/vol/v" ]
	c=$(ls "$BOCKER_ROOT/containers")
	# nothing written but the stubs the binds of /etc/hosts and co. mount on
	[ -z "$(find "$BOCKER_ROOT/containers/$c/upper" -type f ! -path "*/etc/hosts" ! -path "*/etc/resolv.conf" ! -path "*/etc/hostname")" ]
	# started again: still read-only
	run bocker start "$c"
	assert_success
	run timeout 10 bocker logs -f "$c"
	[ "$(grep -c '^root-ro$' <<<"$output")" -eq 2 ]
}

@test "one CMD word goes to sh -c inside; several are argv, never re-parsed" {
	run bocker run --network none "$IMG" 'x; touch /tmp/pwned-$$; echo ran inside'
	assert_output --partial "ran inside"
	[ -z "$(ls /tmp/pwned-* 2>/dev/null)" ]
	c=$(ls "$BOCKER_ROOT/containers")
	ls "$BOCKER_ROOT/containers/$c/upper/tmp/" | grep -q '^pwned-'
	run bocker run --network none "$IMG" echo 'a;b' '$(id)' '`x`'
	assert_success
	assert_output 'a;b $(id) `x`'
}

@test "ids and names are validated before any path is made" {
	for bad in ../x 'ps_../../etc' 'ps_x;rm' 'img_../x' '-rf' 'a/b'; do
		run bocker logs "$bad"
		assert_failure 1
		bk_assert_one_line
		run bocker rm "$bad"
		assert_failure 1
	done
	run bocker run "../x" true
	assert_failure 1
	run bocker run --name '../x' "$IMG" true
	assert_failure 2
	assert_output --partial "--name"
	[ -z "$(ls "$BOCKER_ROOT/containers" 2>/dev/null)" ]
}

@test "run options: --name, --hostname, -e, -v SRC:DST:ro, -w, --rm, --network none" {
	mkdir "$BOCKER_ROOT/vol"
	echo data >"$BOCKER_ROOT/vol/f"
	run bocker run --rm --name web --network none -e A=1 -v "$BOCKER_ROOT/vol:/vol:ro" -w /vol "$IMG" \
		'hostname; echo $A; cat f; pwd; touch g 2>&1; ip -o link | wc -l; grep web /etc/hosts'
	assert_line --index 0 "web"
	assert_line --index 1 "1"
	assert_line --index 2 "data"
	assert_line --index 3 "/vol"
	assert_output --partial "Read-only file system"
	assert_line --index 5 "1"
	[ -z "$(ls "$BOCKER_ROOT/containers")" ]
	# --rm: the overlay is volatile (no sync for an upper about to go);
	# without --rm it is not
	run bocker run --rm --network none "$IMG" 'grep -c " / overlay .*volatile" /proc/mounts'
	assert_output "1"
	run bocker run --hostname h1 --network none "$IMG" \
		'hostname; grep -c " / overlay .*volatile" /proc/mounts'
	assert_line --index 0 "h1"
	assert_line --index 1 "0"
	run bocker run --network bogus "$IMG" true
	assert_failure 2
}

@test "ps shows a -d container running with its IP; logs; stop; rm" {
	run bocker run -d --name sleeper "$IMG" 'echo started; exec sleep 60'
	assert_success
	c=$output
	[[ "$c" =~ ^ps_[0-9a-f]{10}$ ]]
	wait_running "$c"
	run bocker ps -a
	assert_output --regexp "$c +$IMG +.* running +10\.[0-9.]+ +- +sleeper"
	run bocker logs sleeper
	assert_output "started"
	run bocker rm "$c"
	assert_failure 1
	assert_output --partial "is running"
	run bocker stop -t 5 sleeper
	assert_success
	run bocker ps -a
	assert_output --regexp "$c +$IMG +.* exited\(143\) +- +- +sleeper"
	run bocker rm "$c"
	assert_success
	assert_output "Removed: $c"
	assert_released "$c"
}

@test "rm refuses an image a container uses, then removes it and its layers" {
	bocker run --network none "$IMG" true
	c=$(ls "$BOCKER_ROOT/containers")
	run bocker rm "$IMG"
	assert_failure 1
	assert_output --partial "is used by container $c"
	bocker rm "$c"
	layer=$(head -n 1 "$BOCKER_ROOT/images/$IMG/layers")
	run bocker rm "$IMG"
	assert_success
	assert_output "Removed: $IMG"
	[ ! -e "$BOCKER_ROOT/layers/sha256/$layer" ]
	run bocker images
	refute_output --partial "$IMG"
}

@test "images have names: init, commit and tag give them, run takes a name or an id prefix, a re-tag moves it" {
	run bocker init "$ROOTFS" base
	assert_success
	base=${output#Created: }
	assert_equal "$base" "$IMG"   # the same tree: the same image, now named
	run bocker images
	assert_success
	assert_line --index 0 --regexp '^REPOSITORY +TAG +IMAGE ID +SIZE +CREATED$'
	assert_line --index 1 --regexp "^base +latest +$base +[0-9.]+MB +[0-9-]+ [0-9:]+$"
	# aligned: each column starts where its title does
	col=$(sed -n 1p <<<"$output" | awk '{ print index($0, "IMAGE ID") }')
	[ "$(sed -n 2p <<<"$output" | awk -v id="$base" '{ print index($0, id) }')" -eq "$col" ]
	run bocker run --rm --network none base 'echo by-name'
	assert_output by-name
	run bocker run --rm --network none docker.io/library/base:latest 'echo by-full-name'
	assert_output by-full-name
	run bocker run --rm --network none "${base:0:8}" 'echo by-prefix'
	assert_output by-prefix
	run bocker run --rm --network none "${base:4:6}" 'echo by-hex'
	assert_output by-hex
	# bash bocker's commit CONTAINER img_NAME: runnable under that word
	bocker run --network none base 'echo one >/etc/motd'
	c=$(ls "$BOCKER_ROOT/containers")
	run bocker commit "$c" img_mine
	assert_success
	first=${output#Created: }
	run bocker run --rm --network none img_mine 'cat /etc/motd'
	assert_output one
	bocker rm "$c" >/dev/null
	# committing again under the name moves it; the first image is <none>
	bocker run --network none base 'echo two >/etc/motd'
	c=$(ls "$BOCKER_ROOT/containers")
	second=$(bocker commit "$c" img_mine | sed 's/Created: //')
	bocker rm "$c" >/dev/null
	[ "$first" != "$second" ]
	run bocker run --rm --network none img_mine 'cat /etc/motd'
	assert_output two
	run bocker images
	assert_line --regexp "^<none> +<none> +$first "
	assert_line --regexp "^img_mine +latest +$second "
	# tag SRC NAME, by any of the image's words
	bocker tag img_mine localhost:5000/app:v1
	bocker tag "$first" app
	run bocker images
	assert_line --regexp "^localhost:5000/app +v1 +$second "
	assert_line --regexp "^app +latest +$first "
	run bocker images -q
	assert_equal "$(sort <<<"$output")" "$(printf '%s\n' "$first" "$second" "$base" | sort)"
	# img_ and 12 hex digits is an id, never a name
	run bocker tag base img_0123456789ab
	assert_failure 1
	assert_output --partial "invalid name"
	run bocker run --rm --network none no-such-name true
	assert_failure 1
	assert_output --partial "no such image"
}

@test "images out: push to a registry and pull back; save, rm, load and run again (docker and OCI archives)" {
	reg=$BOCKER_ROOT/reg
	mkdir "$reg"
	port=$("$BOCKIT_TOP/tests/fixtures/imgpull-registry.sh" start "$reg")
	bk_defer "$BOCKIT_TOP/tests/fixtures/imgpull-registry.sh" stop "$reg"
	bocker tag "$IMG" base
	bocker run --network none base 'echo changed >/etc/motd'
	c=$(ls "$BOCKER_ROOT/containers")
	snap=$(bocker commit "$c" snap | sed 's/Created: //')
	bocker rm "$c" >/dev/null
	run --separate-stderr bocker push snap "127.0.0.1:$port/out/snap:v1"
	assert_success
	assert_output --regexp '^sha256:[0-9a-f]{64}$'
	run env BOCKER_ROOT="$BOCKER_ROOT/other" bocker pull "127.0.0.1:$port/out/snap:v1"
	assert_success
	assert_line "Created: $snap"
	# save, remove, load: the same image, named again, runs
	bocker save snap >"$BOCKER_ROOT/snap.tar"
	bocker save --format oci -o "$BOCKER_ROOT/snap-oci.tar" snap
	bocker rm snap >/dev/null
	[ ! -d "$BOCKER_ROOT/images/$snap" ]
	run bocker load <"$BOCKER_ROOT/snap.tar"
	assert_success
	assert_output "Loaded image: $snap"
	run bocker run --rm --network none snap 'cat /etc/motd'
	assert_output changed
	bocker rm snap >/dev/null
	run bocker load -i "$BOCKER_ROOT/snap-oci.tar"
	assert_output "Loaded image: $snap"
	run bocker save no-such-image
	assert_failure 1
	assert_output --partial "no such image"
	run bocker save --format zip snap
	assert_failure 2
	run bocker push snap
	assert_failure 2
}

@test "rm NAME takes the name, and the image once no name and no container is left on it" {
	bocker tag "$IMG" one
	bocker tag "$IMG" two
	run bocker rm one
	assert_success
	assert_output "Untagged: docker.io/library/one:latest"
	[ -d "$BOCKER_ROOT/images/$IMG" ]
	# a container on it keeps the image when its last name goes
	bocker run --network none two true
	c=$(ls "$BOCKER_ROOT/containers")
	run bocker rm two
	assert_success
	assert_output "Untagged: docker.io/library/two:latest"
	run bocker images
	assert_line --regexp "^<none> +<none> +$IMG "
	bocker rm "$c" >/dev/null
	bocker tag "$IMG" three
	run bocker rm three
	assert_success
	assert_line --index 0 "Untagged: docker.io/library/three:latest"
	assert_line --index 1 "Removed: $IMG"
	[ ! -e "$BOCKER_ROOT/images/$IMG" ]
	run bocker rm three
	assert_failure 1
	assert_output --partial "no such image"
}

@test "bocker's global options before the command: --cpu-share and --mem-limit" {
	run bocker --cpu-share=256 --mem-limit=64 run -d "$IMG" 'exec sleep 60'
	c=$output
	wait_running "$c"
	if [ -f "/sys/fs/cgroup/cpu/bocker/$c/cpu.shares" ]; then # v1
		[ "$(cat "/sys/fs/cgroup/cpu/bocker/$c/cpu.shares")" = 256 ]
	else # v2: a weight below the default 100, as 256 is below 1024 shares
		[ "$(cat "/sys/fs/cgroup/bocker/$c/cpu.weight")" -lt 100 ]
	fi
	run cgset-lite get -r memory.limit_in_bytes "/bocker/$c" # memory.max on v2
	[ "$output" -le 64000000 ] && [ "$output" -ge 63000000 ]
	run bocker --cpu-share=x run "$IMG" true
	assert_failure 2
	assert_line --index 0 "bocker: --cpu-share: 'x' is not a number"
}

@test "-e and -v keep their order: the last -e wins, nested volumes stack" {
	mkdir -p "$BOCKER_ROOT/outer/inner" "$BOCKER_ROOT/in2"
	echo deep >"$BOCKER_ROOT/in2/f"
	run bocker run --network none -e A=1 -e A=2 \
		-v "$BOCKER_ROOT/outer:/x" -v "$BOCKER_ROOT/in2:/x/inner" "$IMG" 'echo $A; cat /x/inner/f'
	assert_success
	assert_line --index 0 "2"
	assert_line --index 1 "deep"
}

@test "an image without Cmd, or a bad option value, fails before anything is made" {
	run bocker run "$IMG"
	assert_failure 1
	assert_output "bocker: $IMG has no Entrypoint or Cmd: give a command"
	run bocker run -e "$(printf 'A=1\nB=2')" "$IMG" true
	assert_failure 2
	assert_line --index 0 "bocker: -e: newlines are not allowed"
	[ -z "$(ls "$BOCKER_ROOT/containers" 2>/dev/null)" ]
	[ -z "$(ls /run/netns | grep "^netns_ps_" | while read -r n; do
		[ -d "$BOCKER_ROOT/containers/${n#netns_}" ] && echo "$n"; done)" ]
}

@test "run passes stdin on to the container command" {
	run sh -c "echo piped-in | bocker run --network none '$IMG' cat"
	assert_success
	assert_output "piped-in"
}

@test "every run option is checked before anything is made: one line naming the option, exit 2" {
	mkdir "$BOCKER_ROOT/vol"
	while IFS='|' read -r opt msg; do
		# shellcheck disable=SC2086 # the option's words
		run bocker run $opt "$IMG" true
		assert_failure 2
		assert_output "bocker: $msg"
	done <<EOF
--cpus abc|--cpus: 'abc' is not a number
--cpus=1.2.3|--cpus: '1.2.3' is not a number
-e =x|-e '=x': want NAME=VALUE
-e 1A=x|-e '1A=x': want NAME=VALUE
-w relative|-w: 'relative' is not an absolute path
-v /path|-v '/path': want /SRC:/DST[:ro]
-v $BOCKER_ROOT/vol:rel|-v '$BOCKER_ROOT/vol:rel': want /SRC:/DST[:ro]
-v /nonexistent-bk:/x|-v '/nonexistent-bk:/x': no such file or directory /nonexistent-bk
--pids-limit 2x|--pids-limit: '2x' is not a number
--pids-limit 9999999999|--pids-limit: '9999999999' is not a number
--mem-limit 12Q|--mem-limit: '12Q' is not a size
--cpu-share -1|--cpu-share: '-1' is not a number
--network host|--network: 'host' is not none or bridge
--rm=yes|--rm takes no value
EOF
	run bocker run --name
	assert_failure 2
	assert_output "bocker: --name needs a value"
	[ -z "$(ls "$BOCKER_ROOT/containers" 2>/dev/null)" ]
	[ -z "$(ls "$BOCKER_ROOT/owners" 2>/dev/null)" ]
}

@test "run: a bridge made again under its name is set up again; another BOCKER_SUBNET on it is refused (125)" {
	BOCKER_BRIDGE=$(bk_name bkrb)
	BOCKER_SUBNET="10.$((RANDOM % 200 + 20)).$((RANDOM % 250)).1/24"
	bk_defer rm -f "/run/bockit/bridges/$BOCKER_BRIDGE"
	bk_defer vethup bridge --del --force "$BOCKER_BRIDGE"
	run bocker run --rm "$IMG" true
	assert_success
	read -r idx _ <"/run/bockit/bridges/$BOCKER_BRIDGE"
	assert_equal "$idx" "$(cat "/sys/class/net/$BOCKER_BRIDGE/ifindex")"
	# deleted behind bockit's back and made again bare: no address, no record of it
	ip link del "$BOCKER_BRIDGE"
	ip link add "$BOCKER_BRIDGE" type bridge
	run bocker run --rm "$IMG" ip -4 route
	assert_success
	assert_output --partial "default via ${BOCKER_SUBNET%/*}"
	run ip -4 -o addr show dev "$BOCKER_BRIDGE"
	assert_output --partial "inet $BOCKER_SUBNET"
	# the same bridge asked for with another subnet
	want=$BOCKER_SUBNET
	BOCKER_SUBNET="10.$((RANDOM % 200 + 20)).$((RANDOM % 250)).1/24"
	run bocker run --rm "$IMG" true
	assert_failure 125
	assert_line "bocker: cannot set up bridge $BOCKER_BRIDGE"
	assert_output --partial "refusing a second address $BOCKER_SUBNET"
	run ip -4 -o addr show dev "$BOCKER_BRIDGE"
	assert_output --partial "inet $want"
	run ls -A "$BOCKER_ROOT/containers" "$BOCKER_ROOT/owners"
	refute_output --partial ps_
	# the empty markers earlier bockits left in /run go with a gc, and the
	# record of a bridge deleted without vethup
	: >"/run/bockit/bridge-$BOCKER_BRIDGE.nat0"
	bocker gc
	[ ! -e "/run/bockit/bridge-$BOCKER_BRIDGE.nat0" ]
	[ -e "/run/bockit/bridges/$BOCKER_BRIDGE" ]
	ip link del "$BOCKER_BRIDGE"
	bocker gc
	[ ! -e "/run/bockit/bridges/$BOCKER_BRIDGE" ]
}

@test "--network none: a loopback that is up; WorkingDir made when missing" {
	run bocker run --network none "$IMG" 'ip -o link show lo; ping -c 1 -W 2 127.0.0.1 >/dev/null && echo pong'
	assert_output --partial "LOOPBACK,UP"
	assert_line "pong"
	run bocker run --network none -w /not/there/yet "$IMG" pwd
	assert_output "/not/there/yet"
}

@test "-e NAME passes the caller's value (Docker's rule), nothing when it is unset" {
	run env BK_GIVEN=from-host bocker run --network none -e BK_GIVEN -e BK_UNSET "$IMG" \
		'echo "${BK_GIVEN:-none} ${BK_UNSET-unset}"'
	assert_success
	assert_output "from-host unset"
}

@test "--mem-limit=0 means no limit; --pids-limit N counts the container's own processes" {
	c=$(bocker --mem-limit=0 run -d "$IMG" 'exec sleep 30')
	wait_running "$c"
	run cgset-lite get -r memory.limit_in_bytes "/bocker/$c"
	[ "$output" = -1 ] || [ "$output" = max ]
	run bocker run --network none --pids-limit 2 "$IMG" 'sleep 0.1 & wait; echo two-ok'
	assert_success
	assert_output "two-ok"
	run bocker run --network none --pids-limit 2 "$IMG" 'sleep 1 & sleep 1 & wait'
	assert_failure
	assert_output --partial "can't fork"
}

@test "stop -t takes seconds, checked, never shell arithmetic on the text" {
	run bocker stop -t abc ps_0000000000
	assert_failure 2
	assert_output "bocker: stop: -t: 'abc' is not a number of seconds"
	run bash "$BOCKIT_TOP/scripts/bocker" stop -t 'c[$(touch '"$BOCKER_ROOT"'/pwned)]' ps_0000000000
	assert_failure 2
	[ ! -e "$BOCKER_ROOT/pwned" ]
}

@test "Entrypoint and Cmd as Docker applies them: words replace Cmd, --entrypoint replaces Entrypoint" {
	layout=$BOCKER_ROOT/layout
	sh "$BOCKIT_TOP/tests/fixtures/imgpull-mkimage.sh" single "$layout" v1 "$ROOTFS" >/dev/null 2>&1
	img=$(bocker pull "oci:$layout:v1" 2>/dev/null | sed 's/^Created: //')
	run bocker run --network none "$img" echo other args
	assert_success
	assert_output "other args"
	# one word with an Entrypoint is an argument, not a script
	run -127 bocker run --network none "$img" 'echo one'
	run bocker run --network none --entrypoint /bin/echo "$img" hi there
	assert_output "hi there"
	# --entrypoint drops the image's Cmd
	run bocker run --network none --entrypoint /bin/pwd "$img"
	assert_output "/tmp"
	# no Entrypoint: one word is bocker's script for sh -c
	run bocker run --network none "$IMG" 'echo a; echo b'
	assert_output "$(printf 'a\nb')"
}

@test "run -u USER[:GROUP] inside the image's own files; HOME from its passwd, / without" {
	run bocker run --network none "$IMG" 'id -u; echo "$HOME"'
	assert_output "$(printf '0\n/root')"
	run bocker run --network none -u nobody "$IMG" 'id -u; id -g; echo "$HOME"'
	assert_output "$(printf '65534\n65534\n/nonexistent')"
	run bocker run --network none -u 4321:0 "$IMG" 'id -u; id -g; echo "$HOME"'
	assert_output "$(printf '4321\n0\n/')"
	run bocker run --network none -u nosuchuser "$IMG" true
	assert_failure 125
	assert_output --partial "user 'nosuchuser' is not in the container's /etc/passwd"
	run bocker run -u 'a;b' "$IMG" true
	assert_failure 2
}

@test "exec as docker exec: the run's user, directory and environment; -e, -w, -u replace them" {
	c=$(bocker run -d --network none -w /etc -u nobody -e FROM_RUN=1 "$IMG" 'export LATER=1; exec sleep 30')
	wait_running "$c"
	run bocker exec "$c" 'pwd; id -u; echo "$FROM_RUN $HOME ${LATER:-unset} $HOSTNAME"'
	assert_success
	assert_output "$(printf '/etc\n65534\n1 /nonexistent unset %s' "$c")"
	FROM_CALLER=yes run bocker exec -w /tmp -u 0 -e FROM_RUN=2 -e FROM_CALLER -e NOT_SET "$c" \
		sh -c 'pwd; id -u; echo "$FROM_RUN $FROM_CALLER $HOME ${NOT_SET-none}"'
	assert_success
	assert_output "$(printf '/tmp\n0\n2 yes /root none')"
	run bocker exec -i --env=A=b --user=nobody --workdir=/ "$c" sh -c 'echo "$A $(id -u) $(pwd)"'
	assert_output "b 65534 /"
	# the image's WorkingDir and User when run gave none
	d=$(bocker run -d --network none "$IMG" 'cd /tmp; exec sleep 30')
	wait_running "$d"
	run bocker exec "$d" 'pwd; id -u'
	assert_output "$(printf '/\n0')"
	for bad in "-w rel" "-u a;b" "-e =x" "-x" "--env"; do
		# shellcheck disable=SC2086 # each is words on purpose
		run bocker exec $bad "$c" true
		assert_failure 2
		bk_assert_one_line
	done
	run bocker exec -u nosuchuser "$c" true
	assert_failure 125
	assert_output --partial "nosuchuser"
	bocker rm -f "$c" "$d" >/dev/null
}

# a free host port for -p: tests run in the host's netns, below the
# ephemeral range
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 10000))
		vethup port ls | grep -q ":$p " || ! ss -Htuln "sport = :$p" | grep -q . && break
	done
	echo "$p"
}

@test "run -p publishes ports: from the host on 127.0.0.1 and the bridge address; ps PORTS; bocker port" {
	p=$(free_port)
	c=$(bocker run -d --name web -p "$p:80" -p "127.0.0.1:$((p + 1)):53/udp" "$IMG" \
		'nc -ll -p 80 -e echo hello-from-web')
	wait_running "$c"
	run busybox nc -w 3 127.0.0.1 "$p" </dev/null
	assert_output hello-from-web
	run busybox nc -w 3 "${BOCKER_SUBNET%/*}" "$p" </dev/null
	assert_output hello-from-web
	run bocker ps
	assert_line --index 0 --regexp ' PORTS +NAMES$'
	assert_line --index 1 --regexp " 0\.0\.0\.0:$p->80/tcp, 127\.0\.0\.1:$((p + 1))->53/udp +web$"
	run bocker port web
	assert_output "$(printf '80/tcp -> 0.0.0.0:%s\n53/udp -> 127.0.0.1:%s' "$p" "$((p + 1))")"
	run bocker port web 80
	assert_output "0.0.0.0:$p"
	run bocker port web 53/udp
	assert_output "127.0.0.1:$((p + 1))"
	run bocker port web 81
	assert_failure 1
	bk_assert_one_line
	# stopped: no ports; started again: the same ones
	bocker stop -t 1 web >/dev/null
	run vethup port ls
	refute_output --partial "netns_$c "
	bocker start web >/dev/null
	wait_running "$c"
	run bocker port web 80
	assert_output "0.0.0.0:$p"
	bocker rm -f web >/dev/null
	run vethup port ls
	refute_output --partial "netns_$c "
}

@test "run -p: a taken host port fails with vethup's one line; bad specs exit 2 before anything is made" {
	p=$(free_port)
	c=$(bocker run -d -p "$p:80" "$IMG" 'exec sleep 30')
	wait_running "$c"
	run bocker run -d -p "$p:8080" "$IMG" true
	assert_failure 125
	assert_output --partial "host port $p/tcp is already published, by netns netns_$c"
	run bocker run --rm -p "$p:8080" "$IMG" true
	assert_failure 125
	assert_output --partial "host port $p/tcp is already published"
	n=$(ls "$BOCKER_ROOT/containers" | wc -l)
	for bad in 80 "x:80" "1:70000" "$p:80/sctp" "1.2.3:$p:80" ":80"; do
		run bocker run -p "$bad" "$IMG" true
		assert_failure 2
		bk_assert_one_line
		assert_output --partial "-p '$bad'"
	done
	run bocker run --network none -p "$p:80" "$IMG" true
	assert_failure 2
	[ "$(ls "$BOCKER_ROOT/containers" | wc -l)" -eq "$n" ]
	bocker rm -f "$c" >/dev/null
}

@test "run -p: vethup del killed at teardown leaves the ports recorded; gc removes them, the port is free again" {
	p=$(free_port)
	b=$(fault_bocker vethup before 'del ' KILL)
	run "$b" run -p "$p:80" "$IMG" true
	assert_success
	c=$(ls "$BOCKER_ROOT/containers")
	run vethup port ls
	assert_output --partial "netns_$c "
	run bocker gc
	assert_output "Cleaned: $c"
	run vethup port ls
	refute_output --partial "netns_$c "
	d=$(bocker run -d -p "$p:80" "$IMG" 'exec sleep 30')
	wait_running "$d"
	bocker rm -f "$d" >/dev/null
}

@test "run -d of a command that cannot run fails with its status and says why, printing no id" {
	run -127 bocker run -d --network none "$IMG" /nonexistent
	assert_output --partial "/nonexistent: not found"
	refute_output --regexp "^ps_"
	c=$(bocker run -d --network none "$IMG" 'exit 3')
	[[ "$c" =~ ^ps_[0-9a-f]{10}$ ]]
}

@test "ps lists running containers, newest first; -a all; -q ids, for rm \$(bocker ps -aq)" {
	a=$(bocker run -d --network none "$IMG" 'exec sleep 30')
	b=$(bocker run -d --network none --name bee "$IMG" 'exec sleep 30')
	bocker run --network none "$IMG" true
	wait_running "$a"
	wait_running "$b"
	run bocker ps
	assert_line --index 0 --regexp '^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +IP +PORTS +NAMES$'
	assert_line --index 1 --regexp "^$b +$IMG +\"/bin/sh -c exec sleep 30\" +[0-9-]+ [0-9:]+ +running +- +- +bee$"
	assert_line --index 2 --regexp "^$a "
	[ "${#lines[@]}" -eq 3 ]
	# the columns line up
	[ "$(echo "$output" | awk '{ i = index($0, "IMAGE"); if (!i) i = index($0, "img_"); print i }' | sort -u | wc -l)" -eq 1 ]
	run bocker ps -q
	assert_output "$(printf '%s\n%s' "$b" "$a")"
	run bocker ps -aq
	[ "${#lines[@]}" -eq 3 ]
	run bocker rm -f $(bocker ps -aq)
	assert_success
	run bocker ps -aq
	assert_output ""
	run bocker ps -x
	assert_failure 2
}

@test "logs --tail N, logs -f until the container ends; rm -f of a running one" {
	c=$(bocker run -d --network none "$IMG" 'for i in 1 2 3; do echo "line $i"; sleep 0.3; done')
	run timeout 10 bocker logs -f "$c"
	assert_success
	assert_output "$(printf 'line 1\nline 2\nline 3')"
	run bocker logs --tail 1 "$c"
	assert_output "line 3"
	d=$(bocker run -d "$IMG" 'exec sleep 30')
	wait_running "$d"
	run bocker rm "$d"
	assert_failure 1
	run bocker rm -f "$d"
	assert_success
	assert_output "Removed: $d"
	assert_released "$d"
}

@test "start runs a stopped container again on its own changes and options; restart" {
	c=$(bocker run -d --name again -e MARK=kept "$IMG" 'n=$(cat /count 2>/dev/null || echo 0); echo "run $MARK $n"; echo $((n + 1)) >/count; exec sleep 30')
	wait_running "$c"
	bocker stop -t 1 "$c" >/dev/null
	run bocker start again
	assert_success
	assert_output "$c"
	wait_running "$c"
	run bocker restart -t 1 "$c"
	assert_output "$c"
	wait_running "$c"
	run bocker logs "$c"
	assert_line --index 0 "run kept 0"
	assert_line --index 1 "run kept 1"
	assert_line --index 2 "run kept 2"
	run bocker ps
	assert_output --regexp "$c .* running +10\.[0-9.]+ +- +again"
	bocker stop -t 1 "$c" >/dev/null
	assert_released "$c"
	# without a network, and with a terminal (-dt): the same
	n=$(bocker run -dt --network none "$IMG" 'echo "tty: $(tty)"; exec sleep 30')
	wait_running "$n"
	bocker stop -t 1 "$n" >/dev/null
	run bocker start "$n"
	assert_output "$n"
	wait_running "$n"
	run bocker logs "$n"
	assert_line --index 0 --regexp '^tty: /dev/pts/0.$'
	assert_line --index 1 --regexp '^tty: /dev/pts/0.$'
	bocker rm -f "$n" >/dev/null
}

# exchange_img: an image with the static renameat2 racer as /bin/bk-exchange.
exchange_img() {
	local bin=$BOCKIT_TOP/build/tests/bk-exchange
	[ -x "$bin" ] || make -C "$BOCKIT_TOP" build/tests/bk-exchange >&2
	bk_rootfs_copy "$BOCKER_ROOT/xroot"
	cp "$bin" "$BOCKER_ROOT/xroot/bin/bk-exchange"
	bocker init "$BOCKER_ROOT/xroot" | sed -n 's/^Created: //p'
}

@test "commit against a RENAME_EXCHANGE racer (25 commits) never holds a host byte" {
	img=$(exchange_img)
	marker=HOST-SECRET-$$-$RANDOM
	printf '%s\n' "$marker" >"$BOCKER_ROOT/secret"
	c=$(bocker run -d --network none "$img" \
		"mkdir /x; echo container-data >/x/a; ln -s $BOCKER_ROOT/secret /x/s; exec bk-exchange /x/a /x/s 120")
	wait_running "$c"
	for _ in $(seq 40); do [ -L "$BOCKER_ROOT/containers/$c/upper/x/s" ] || [ -L "$BOCKER_ROOT/containers/$c/upper/x/a" ] && break; sleep 0.05; done
	for i in $(seq 25); do
		run bocker commit "$c"
		assert_success
		new=${output#Created: }
		top=$BOCKER_ROOT/layers/sha256/$(head -n 1 "$BOCKER_ROOT/images/$new/layers")
		# a file and a symlink, in one order or the other; never the host's file
		[ "$(find "$top/x" -type l | wc -l)" -eq 1 ]
		[ "$(find "$top/x" -type f | wc -l)" -eq 1 ]
		run grep -rl "$marker" "$BOCKER_ROOT/layers" "$BOCKER_ROOT/images"
		assert_failure
		bocker rm "$new" >/dev/null
	done
	bocker stop -t 1 "$c"
}

@test "commit freezes a running container and thaws it, also when the commit fails" {
	[ -d /sys/fs/cgroup/freezer ] || skip "no v1 freezer (cgroup v2 is tested in cgset-lite.bats)"
	c=$(bocker run -d --network none "$IMG" \
		'head -c 64000000 /dev/zero >/big; while :; do echo >>/tmp/n; done')
	wait_running "$c"
	state=/sys/fs/cgroup/freezer/bocker/$c/freezer.state
	n=$BOCKER_ROOT/containers/$c/upper/tmp/n
	for _ in $(seq 100); do [ -s "$n" ] && break; sleep 0.05; done
	bocker commit "$c" >"$BOCKER_ROOT/out" &
	job=$!
	seen=''
	while kill -0 "$job" 2>/dev/null; do
		[ "$(cat "$state")" = FROZEN ] && seen=1
		sleep 0.01
	done
	wait "$job"
	grep -q '^Created: img_' "$BOCKER_ROOT/out"
	[ -n "$seen" ]
	assert_equal "$(cat "$state")" THAWED
	a=$(stat -c %s "$n"); sleep 0.2; [ "$(stat -c %s "$n")" != "$a" ]   # it runs on
	# a commit that fails once frozen (too deep a tree) still thaws
	bocker exec "$c" sh -c 'cd /tmp && for i in $(seq 405); do mkdir d && cd d; done'
	run bocker commit "$c"
	assert_failure 1
	assert_output --partial "more than 400 levels deep"
	assert_equal "$(cat "$state")" THAWED
	a=$(stat -c %s "$n"); sleep 0.2; [ "$(stat -c %s "$n")" != "$a" ]
	bocker stop -t 1 "$c"
}

# images_whole: every image bocker lists has all its layers and runs.
images_whole() {
	local img l
	for img in $(bocker images -q); do
		while read -r l; do
			[ -d "$BOCKER_ROOT/layers/sha256/$l" ] || { echo "$img: layer $l missing"; return 1; }
		done <"$BOCKER_ROOT/images/$img/layers"
		bocker run --rm --network none "$img" true || { echo "$img does not run"; return 1; }
	done
}

@test "rm of an image racing the pull of one that shares its layer (40 offsets) leaves every listed image runnable" {
	layout=$BOCKER_ROOT/layout
	mk=$BOCKIT_TOP/tests/fixtures/imgpull-mkimage.sh
	sh "$mk" single "$layout" a "$ROOTFS" >/dev/null 2>&1
	sh "$mk" multi "$layout" b "$ROOTFS" >/dev/null 2>&1
	a=$(bocker pull "oci:$layout:a" 2>/dev/null | sed -n 's/^Created: //p')
	b=$(bocker pull "oci:$layout:b" 2>/dev/null | sed -n 's/^Created: //p')
	grep -qxf "$BOCKER_ROOT/images/$a/layers" "$BOCKER_ROOT/images/$b/layers"   # shared
	bocker rm "$b" >/dev/null
	for i in $(seq 0 39); do
		bocker pull "oci:$layout:b" >/dev/null 2>&1 &
		job=$!
		sleep "0.$(printf '%03d' $((i * 5)))"
		bocker rm "$a" >/dev/null
		wait "$job"
		images_whole
		bocker rm "$b" >/dev/null
		bocker pull "oci:$layout:a" >/dev/null 2>&1
	done
}

@test "after rm of every image and gc the store holds no layer and no blob" {
	layout=$BOCKER_ROOT/layout
	mk=$BOCKIT_TOP/tests/fixtures/imgpull-mkimage.sh
	sh "$mk" multi "$layout" m "$ROOTFS" >/dev/null 2>&1
	HOSTILE_TARGET=$BOCKER_ROOT/outside sh "$mk" hostile "$layout" h "$ROOTFS" dotdot >/dev/null 2>&1
	bocker pull "oci:$layout:m" >/dev/null 2>&1
	run bocker pull "oci:$layout:h"   # refused, and keeps nothing
	assert_failure
	bocker run --network none "$IMG" 'echo changed >/etc/motd'
	c=$(ls "$BOCKER_ROOT/containers")
	bocker commit "$c" >/dev/null
	bocker rm "$c" >/dev/null
	# and what an older store kept: a layer blob no image names
	: >"$BOCKER_ROOT/blobs/sha256/$(printf '%064d' 1)"
	[ "$(bocker images -q | wc -l)" -eq 3 ]
	for img in $(bocker images -q); do
		bocker rm "$img" >/dev/null
	done
	bocker gc
	run find "$BOCKER_ROOT/layers/sha256" "$BOCKER_ROOT/blobs/sha256" "$BOCKER_ROOT/images" -mindepth 1
	assert_output ""
}

@test "commit racing rm and gc of the image it makes (10 offsets) leaves it whole or gone" {
	bocker run --network none "$IMG" 'echo changed >/etc/motd'
	c=$(ls "$BOCKER_ROOT/containers")
	first=$(bocker commit "$c" snap | sed -n 's/^Created: //p')
	for i in $(seq 0 9); do
		# the same content: the commit lands on the id rm takes away
		bocker commit "$c" snap >/dev/null 2>&1 &
		job=$!
		sleep "0.$(printf '%03d' $((i * 8)))"
		bocker rm "$first" >/dev/null 2>&1 || true
		imgpull --store "$BOCKER_ROOT" --gc &
		gc=$!
		wait "$job" || true
		wait "$gc"
		images_whole
		[ -d "$BOCKER_ROOT/images/$first" ] || bocker commit "$c" snap >/dev/null
	done
}
