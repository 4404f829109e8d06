#!/usr/bin/env bats
# The architecture docs/architecture.md draws, checked on the source: the
# domains of lib/ use only themselves and base/ (and oci/ the domains its
# oci_USES names), the Makefile links what
# the tools include, every tool goes through the one command-line layer,
# and the version is defined once.

load helpers

@test "architecture: a lib/ domain includes only its own headers, base/'s and those its DOMAIN_USES names" {
	cd "$BOCKIT_TOP"
	for f in lib/*/*.[ch]; do
		d=$(basename "$(dirname "$f")")
		uses=$(sed -n "s/^$d""_USES *:= *\([a-z ]*\).*/\1/p" Makefile)
		grep -o '^#include "[^"]*"' "$f" | sed 's/^#include "//; s/"$//' | while read -r h; do
			case $h in
			"$d"/* | base/*) ;;
			*) case " $uses " in *" ${h%%/*} "*) ;; *) echo "$f includes $h"; exit 1 ;; esac ;;
			esac
		done || return 1
	done
	# base needs nothing above it, and no domain needs oci/
	! grep -l '^#include "\(ns\|cgroup\|overlay\|net\|image\|oci\)/' lib/base/*.[ch]
	! grep -l '^#include "oci/' lib/[!o]*/*.[ch]
}

@test "architecture: each tool links the domains it includes, and names the cross links" {
	cd "$BOCKIT_TOP"
	for t in $(sed -n 's/^TOOLS *:= *//p' Makefile); do
		libs=$(sed -n "s/^$t""_LIBS *:= *\([a-z ]*\).*/\1/p" Makefile)
		[ -n "$libs" ] || fail "$t: no ${t}_LIBS in the Makefile"
		for d in $(grep -o '^#include "[a-z]*/' "tools/$t.c" | sed 's/.*"//; s|/||' | sort -u); do
			case " $libs " in *" $d "*) ;; *) fail "tools/$t.c includes $d/ but links $libs" ;; esac
		done
		# a domain's uses are linked after it
		for d in $libs; do
			for u in $(sed -n "s/^$d""_USES *:= *\([a-z ]*\).*/\1/p" Makefile); do
				case " ${libs#*"$d"} " in *" $u "*) ;; *) fail "$t links $d but not $u after it" ;; esac
			done
		done
	done
	[ "$(sed -n 's/^TOOLS *:= *//p' Makefile | wc -w)" -eq 6 ]
	grep -q '^ovlmount_LIBS .*# ns: ' Makefile
	grep -q '^cgset-lite_LIBS .*# base/supervise: ' Makefile
}

@test "architecture: every tool parses through base/cli; one version, from the Makefile" {
	cd "$BOCKIT_TOP"
	for t in tools/*.c; do
		[ "$(grep -c '^int main(' "$t")" -eq 1 ] || fail "$t: not one main()"
		grep -q 'bk_cli_init("'"$(basename "$t" .c)"'", ' "$t" || fail "$t: no bk_cli_init"
		! grep -n 'getopt_long(\|opterr\|bk_msg_init\|"0\.1"\|define VERSION' "$t" || fail "$t: parses by hand"
	done
	! grep -rn '(bockit) 0\.\|bockit [0-9]' lib tools man
	[ "$(grep -c '^RELEASE := ' Makefile)" -eq 1 ]
}

@test "architecture: every lib/ module says what it is for, and docs/architecture.md names it" {
	cd "$BOCKIT_TOP"
	for h in lib/*/*.h; do
		m=$(basename "$h" .h)
		head -n 1 "$h" | grep -q "^/\* $m: " || fail "$h: no '/* $m: ...' header comment"
		grep -q "\b$m\b" docs/architecture.md || fail "docs/architecture.md does not name $m"
	done
}
