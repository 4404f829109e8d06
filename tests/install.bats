#!/usr/bin/env bats
# make install, and the man pages it installs.

load helpers

setup() { bk_setup; }
teardown() { bk_teardown; }

@test "make install puts the six tools, bocker and seven man pages under DESTDIR/PREFIX" {
	run make -s -C "$BOCKIT_TOP" install DESTDIR="$BOCKER_ROOT/dest" PREFIX=/usr/local
	assert_success
	for t in nsrun cgset-lite ovlmount vethup imgpull ocirun bocker; do
		[ -x "$BOCKER_ROOT/dest/usr/local/bin/$t" ]
		[ -f "$BOCKER_ROOT/dest/usr/local/share/man/man1/$t.1" ]
	done
	# the installed driver finds the installed tools next to itself
	run env PATH=/usr/bin:/bin "$BOCKER_ROOT/dest/usr/local/bin/bocker" help
	assert_success
	run env PATH=/usr/bin:/bin "$BOCKER_ROOT/dest/usr/local/bin/bocker" images
	assert_success
}

@test "every man page renders without a warning, and every tool has --help and -V" {
	for t in nsrun cgset-lite ovlmount vethup imgpull ocirun bocker; do
		run env MANWIDTH=80 man --warnings -l "$BOCKIT_TOP/man/$t.1"
		assert_success
		assert_output --partial "NAME"
		warnings=$(MANWIDTH=80 man --warnings -l "$BOCKIT_TOP/man/$t.1" 2>&1 >/dev/null)
		[ -z "$warnings" ] || { echo "$t.1: $warnings"; false; }
	done
	for t in nsrun cgset-lite ovlmount vethup imgpull ocirun; do
		run "$t" --help
		assert_success
		assert_output --partial "Usage"
		run "$t" -V
		assert_success
		assert_output --regexp "^$t \(bockit\) "
	done
}
