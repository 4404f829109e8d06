# bockit: five small container tools and the bocker driver.
# make | make install PREFIX=/usr/local DESTDIR= | make check | make asan |
# make fuzz [FUZZ_SECONDS=60] | make demo | make bench | make clean

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
CFLAGS   ?= -O2 -g
PKG_CONFIG ?= pkg-config

# Output dirs; `make asan` reruns make with BUILD=build-asan BIN=bin-asan.
BUILD    ?= build
BIN      ?= bin
SAN      ?=

TOOLS := nsrun cgset-lite ovlmount vethup imgpull ocirun

# lib/ holds one folder per domain (lib/DOMAIN/*.c), each built into an
# archive $(BUILD)/lib/DOMAIN.a. A tool links the domains it uses, named
# in order (a domain before those it calls, base last): the linker takes
# from each archive only the modules the tool calls. A link from one
# domain into another is spelt out here, with its reason.
DOMAINS := base ns cgroup overlay net image oci
# A domain includes its own headers and base/'s, and those of the domains
# its DOMAIN_USES line names with a reason (tests/architecture.bats).
# oci: config.json is realised through the ns and cgroup modules nsrun
# and cgset-lite use, never a second implementation of their steps.
oci_USES := ns cgroup

# Per tool: its domains, the pkg-config packages it links, those it only
# dlopen()s when an option needs them (headers only here), and libraries
# without a .pc file (TOOL_LDLIBS).
nsrun_LIBS      := ns base
nsrun_PKGS      :=
# Linked statically: the dynamic loader's work for three more libraries
# cost every container start 0.1 ms (nsrun -V 0.8 -> 0.7 ms), and the
# precompiled seccomp profile uses none of libseccomp at run time.
nsrun_STATIC    := libcap libseccomp jansson
ovlmount_LIBS   := overlay ns base    # ns: -m unshares a mount namespace (ns/ns)
ovlmount_PKGS   := mount
cgset-lite_LIBS := cgroup base        # base/supervise: exec --rm waits as nsrun does
cgset-lite_PKGS := libcgroup jansson
cgset-lite_LDLIBS := -lm              # cgroup/cgnames: crun's shares->weight formula
vethup_LIBS     := net base
vethup_PKGS     := libmnl
vethup_DLOPEN   := libnftables
imgpull_LIBS    := image base
imgpull_PKGS    := libcurl libarchive jansson libcrypto
# oci: config.json realised through ns (namespaces, root, process) and
# cgroup (the group, devices, freezer). Linked statically, as nsrun:
# create, start and delete are three program starts per container.
ocirun_LIBS     := oci ns cgroup base
ocirun_PKGS     :=
ocirun_STATIC   := libcgroup libcap libseccomp jansson
ocirun_LDLIBS   := -lm              # cgroup/cgnames: crun's shares->weight formula

# Generated objects that belong to a domain's archive.
ns_GEN := $(BUILD)/gen/seccomp-default.o
base_GEN := $(BUILD)/gen/version.o

# The one version every tool prints with -V (lib/base/version.h): `git
# describe` of this tree in a git checkout, else the release below.
RELEASE := 0.1
VERSION := $(shell [ -e .git ] && git describe --always --dirty 2>/dev/null | tr -cd 'A-Za-z0-9._+-')
VERSION := $(or $(VERSION),$(RELEASE))

ALL_PKGS := $(sort $(foreach t,$(TOOLS),$($(t)_PKGS) $($(t)_STATIC) $($(t)_DLOPEN)))
ALL_LDLIBS := $(sort $(foreach t,$(TOOLS),$($(t)_LDLIBS)))
comma := ,
static_libs = $(if $(1),-Wl$(comma)-Bstatic $(shell $(PKG_CONFIG) --static --libs $(1)) -Wl$(comma)-Bdynamic)
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(ALL_PKGS))

# -iquote, not -I: lib/ns/seccomp.h must not hide libseccomp's <seccomp.h>;
# includes name the domain: #include "net/ifconf.h".
BK_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -iquote lib -MMD -MP
ALL_CFLAGS = $(BK_CFLAGS) $(CFLAGS) $(SAN) $(PKG_CFLAGS)

domain_objs = $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(wildcard lib/$(1)/*.c)) $($(1)_GEN)
archives = $(patsubst %,$(BUILD)/lib/%.a,$(1))

.PHONY: all install uninstall check asan unit lint demo bench clean deps version soak fuzz fuzz-build fuzz-bins FORCE conformance
all: $(addprefix $(BIN)/,$(TOOLS))

$(BUILD)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The default seccomp profile, compiled for Docker's default capabilities
# at build time (lib/seccomp.h): scripts/seccomp-bpf.c, a host tool linking
# the same lib/ modules, writes the BPF and the JSON as C.
SECCOMP_BPF_MODS := ns/seccomp ns/caps base/msg
$(BUILD)/scripts/%.o: scripts/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/seccomp-bpf: $(BUILD)/scripts/seccomp-bpf.o $(patsubst %,$(BUILD)/lib/%.o,$(SECCOMP_BPF_MODS))
	$(CC) $(CFLAGS) $(SAN) $(LDFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs libseccomp jansson libcap)

$(BUILD)/gen/seccomp-default.c: lib/ns/seccomp-default.json $(BUILD)/seccomp-bpf
	@mkdir -p $(@D)
	$(BUILD)/seccomp-bpf lib/ns/seccomp-default.json $@

# Rewritten only when the version changed, so that nothing relinks else.
$(BUILD)/gen/version.c: FORCE
	@mkdir -p $(@D)
	@printf '#include "base/version.h"\nconst char bk_version[] = "%s";\n' '$(VERSION)' >$@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi
FORCE:

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

define domain_rule
$(BUILD)/lib/$(1).a: $(call domain_objs,$(1))
	rm -f $$@
	$$(AR) rcs $$@ $$^
endef
$(foreach d,$(DOMAINS),$(eval $(call domain_rule,$(d))))

define tool_rule
$(BIN)/$(1): $(BUILD)/tools/$(1).o $(call archives,$($(1)_LIBS))
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(SAN) $$(LDFLAGS) -o $$@ $$^ $$(if $($(1)_PKGS),$$(shell $$(PKG_CONFIG) --libs $($(1)_PKGS))) \
		$$(call static_libs,$($(1)_STATIC)) $($(1)_LDLIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

# C-level unit tests: tests/unit/test_MODULE.c, one per lib/ module it
# tests, linked with every domain (the linker keeps what the test uses).
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
UNIT_LIBS := oci image net overlay cgroup ns base

$(BUILD)/tests/%: tests/unit/%.c $(call archives,$(UNIT_LIBS))
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(filter %.a,$^) \
		$(shell $(PKG_CONFIG) --libs $(ALL_PKGS)) $(ALL_LDLIBS)

# Static helpers that tests copy into a busybox rootfs.
FIXTURE_BINS := $(BUILD)/tests/chroot-escape $(BUILD)/tests/bk-attack $(BUILD)/tests/bk-exchange
$(FIXTURE_BINS): $(BUILD)/tests/%: tests/fixtures/%.c
	@mkdir -p $(@D)
	$(CC) $(BK_CFLAGS) $(CFLAGS) -static -o $@ $<

unit: $(UNIT_BINS) $(FIXTURE_BINS)

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan:
	$(MAKE) BUILD=build-asan BIN=bin-asan SAN="$(ASAN_FLAGS)" CFLAGS="-O1 -g" all unit

# libFuzzer targets for what registries and layers feed the parsers:
# tests/fuzz/fuzz_NAME.c, built by clang with the image and base domains
# instrumented (build-fuzz/; ociconfig: ocirun's domains), seed corpus in
# tests/fuzz/corpus/NAME/. libseccomp's own leaks: tests/fuzz/lsan.supp.
# `make fuzz` runs each for FUZZ_SECONDS; tests/fuzz.bats (make check)
# runs each over its corpus and a few seconds of new inputs. A crash is
# written to build-fuzz/crashes/; copy it into the corpus as a regression.
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
FUZZ_PKGS := libcurl libarchive jansson libcrypto

fuzz-build:
	$(MAKE) BUILD=build-fuzz CC=clang SAN="$(FUZZ_FLAGS)" CFLAGS="-O1 -g" fuzz-bins

fuzz-bins: $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_NAMES))

$(BUILD)/fuzz/%: tests/fuzz/fuzz_%.c $(call archives,image base)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -Itests/fuzz $(LDFLAGS) -o $@ $< $(filter %.a,$^) \
		$(shell $(PKG_CONFIG) --libs $(FUZZ_PKGS))

# ociconfig parses config.json as ocirun does: the oci, ns and cgroup domains.
$(BUILD)/fuzz/ociconfig: tests/fuzz/fuzz_ociconfig.c $(call archives,$(ocirun_LIBS))
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -Itests/fuzz $(LDFLAGS) -o $@ $< $(filter %.a,$^) \
		$(shell $(PKG_CONFIG) --libs $(ocirun_STATIC)) $(ocirun_LDLIBS)

fuzz: fuzz-build
	for n in $(FUZZ_NAMES); do sh tests/fuzz/run.sh "$$n" $(FUZZ_SECONDS) || exit 1; done

deps:
	sh scripts/deps.sh build test

# What -V prints (tests/cli.bats compares).
version:
	@echo $(VERSION)

# Static checks: cppcheck on all C, shellcheck (as POSIX sh) on the scripts.
CPPCHECK_FLAGS := --enable=warning,style,performance,portability --std=c11 \
	--inline-suppr -Ilib --suppress=missingIncludeSystem --error-exitcode=1 -q
lint:
	cppcheck $(CPPCHECK_FLAGS) lib tools tests/unit tests/fixtures tests/fuzz scripts
	shellcheck -s sh $(wildcard scripts/*.sh scripts/bocker bench/*.sh tests/*.sh tests/fixtures/*.sh tests/fuzz/*.sh)

check: deps
	$(MAKE) all unit
	$(MAKE) lint
	$(MAKE) asan
	$(MAKE) fuzz-build
	sh scripts/run-tests.sh

# The fault soak at full length (make check runs 30 kills of it).
SOAK_KILLS ?= 200
soak: all
	sh tests/soak.sh $(SOAK_KILLS)

# The OCI runtime against suites nobody here wrote: runtime-tools (from
# ../shared, skipped with a reason when absent), podman and containerd
# in full (make check runs their smoke tests only). About 2 minutes.
conformance: all
	sh scripts/deps.sh build test conformance
	sh scripts/conformance.sh

demo:
	sh scripts/deps.sh build demo
	$(MAKE) all
	sh scripts/demo.sh

bench: all
	sh scripts/deps.sh bench
	for b in bench/*.sh; do [ "$$b" = bench/lib.sh ] || sh "$$b" || exit 1; done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(addprefix $(BIN)/,$(TOOLS)) $(DESTDIR)$(PREFIX)/bin/
	if [ -f scripts/bocker ]; then install -m 755 scripts/bocker $(DESTDIR)$(PREFIX)/bin/; fi
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,$(TOOLS) bocker)
	rm -f $(patsubst man/%,$(DESTDIR)$(PREFIX)/share/man/man1/%,$(wildcard man/*.1))

clean:
	rm -rf build build-asan build-fuzz bin bin-asan

-include $(wildcard $(BUILD)/lib/*/*.d $(BUILD)/tools/*.d $(BUILD)/tests/*.d $(BUILD)/scripts/*.d $(BUILD)/gen/*.d $(BUILD)/fuzz/*.d)
