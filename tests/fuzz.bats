#!/usr/bin/env bats
# The parsers that registries and layers feed, under libFuzzer (make
# fuzz-build): each target runs its seed corpus tests/fuzz/corpus/NAME/
# (every crash ever found is kept there) and then new inputs for
# FUZZ_CHECK_SECONDS (3); `make fuzz` runs them longer.

load helpers

fuzz() {
	[ -x "$BOCKIT_TOP/build-fuzz/fuzz/$1" ] || skip "build-fuzz/fuzz/$1 not built (make fuzz-build)"
	[ -n "$(ls "$BOCKIT_TOP/tests/fuzz/corpus/$1")" ]
	run sh "$BOCKIT_TOP/tests/fuzz/run.sh" "$1" "${FUZZ_CHECK_SECONDS:-3}"
	echo "$output" | tail -n 20
	assert_success
	assert_output --regexp "Done [0-9]+ runs"
	refute_output --partial "ERROR: "
	refute_output --partial "invariant broken"
}

@test "fuzz: image references (parse, normalise, normalise again)" { fuzz imgref; }
@test "fuzz: manifests" { fuzz manifest; }
@test "fuzz: indexes and manifest lists (platform pick)" { fuzz index; }
@test "fuzz: image configs (diff_ids, inspect fields)" { fuzz config; }
@test "fuzz: WWW-Authenticate challenges" { fuzz challenge; }
@test "fuzz: token responses" { fuzz token; }
@test "fuzz: the tar header filter of layer extraction" { fuzz tarfilter; }
@test "fuzz: image names (normalise, never an id, images' columns normalise back)" { fuzz names; }
@test "fuzz: local image sources (an OCI layout's index.json, a docker-archive's manifest.json)" { fuzz ocisrc; }
@test "fuzz: OCI config.json and seccomp profiles (ocirun's bundle, nsrun --seccomp FILE)" { fuzz ociconfig; }
