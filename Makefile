# bockit: five small container tools and the bocker driver.
# make | make install PREFIX=/usr/local DESTDIR= | make check | make asan |
# make demo | make bench | make clean

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
CFLAGS   ?= -O2 -g
PKG_CONFIG ?= pkg-config

# Output dirs; `make asan` reruns make with BUILD=build-asan BIN=bin-asan.
BUILD    ?= build
BIN      ?= bin
SAN      ?=

TOOLS := nsrun cgset-lite ovlmount vethup imgpull

# Modules every tool links (lib/NAME.c).
COMMON := msg chain size path fsutil

# Per tool: its own lib/ modules, the pkg-config packages it links, and
# those it only dlopen()s when an option needs them (headers only here).
nsrun_MODS      := ns idmap rootfs cgns caps init procenv procself seccomp
nsrun_PKGS      := libcap libseccomp jansson
nsrun_GEN       := $(BUILD)/gen/seccomp-default.o
ovlmount_MODS   := overlay ovlpreflight fsctx ovlcheck ns
ovlmount_PKGS   := mount
cgset-lite_MODS := cgnames cgroup cgkill cgstats cgdevices devrules devbpf init
cgset-lite_PKGS := libcgroup jansson
vethup_MODS     := rtnl ifconf netns ipam nat vnet
vethup_PKGS     := libmnl
vethup_DLOPEN   := libnftables
imgpull_MODS    := imgref http regauth registry manifest blobstore layer dirlayer flatten imgstore ocisrc pull progress
imgpull_PKGS    := libcurl libarchive jansson libcrypto

ALL_PKGS := $(sort $(foreach t,$(TOOLS),$($(t)_PKGS) $($(t)_DLOPEN)))
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(ALL_PKGS))

# -iquote, not -I: lib/seccomp.h must not hide libseccomp's <seccomp.h>.
BK_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -iquote lib -MMD -MP
ALL_CFLAGS = $(BK_CFLAGS) $(CFLAGS) $(SAN) $(PKG_CFLAGS)

objs = $(patsubst %,$(BUILD)/lib/%.o,$(COMMON) $(1))

.PHONY: all install uninstall check asan unit lint demo bench clean deps
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
SECCOMP_BPF_MODS := seccomp caps msg
$(BUILD)/scripts/%.o: scripts/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/seccomp-bpf: $(BUILD)/scripts/seccomp-bpf.o $(patsubst %,$(BUILD)/lib/%.o,$(SECCOMP_BPF_MODS))
	$(CC) $(CFLAGS) $(SAN) $(LDFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs libseccomp jansson libcap)

$(BUILD)/gen/seccomp-default.c: lib/seccomp-default.json $(BUILD)/seccomp-bpf
	@mkdir -p $(@D)
	$(BUILD)/seccomp-bpf lib/seccomp-default.json $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

define tool_rule
$(BIN)/$(1): $(BUILD)/tools/$(1).o $(call objs,$($(1)_MODS)) $($(1)_GEN)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(SAN) $$(LDFLAGS) -o $$@ $$^ $$(shell $$(PKG_CONFIG) --libs $($(1)_PKGS))
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

# C-level unit tests: tests/unit/test_NAME.c, linked with every module of
# every tool and the generated built-in profile (the linker keeps what the
# test uses).
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
ALL_MODS  := $(sort $(basename $(notdir $(wildcard lib/*.c))))

$(BUILD)/libbockit.a: $(patsubst %,$(BUILD)/lib/%.o,$(ALL_MODS)) $(BUILD)/gen/seccomp-default.o
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libbockit.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(BUILD)/libbockit.a \
		$(shell $(PKG_CONFIG) --libs $(ALL_PKGS))

# Static helpers that tests copy into a busybox rootfs.
FIXTURE_BINS := $(BUILD)/tests/chroot-escape $(BUILD)/tests/bk-attack
$(FIXTURE_BINS): $(BUILD)/tests/%: tests/fixtures/%.c
	@mkdir -p $(@D)
	$(CC) $(BK_CFLAGS) $(CFLAGS) -static -o $@ $<

unit: $(UNIT_BINS) $(FIXTURE_BINS)

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan:
	$(MAKE) BUILD=build-asan BIN=bin-asan SAN="$(ASAN_FLAGS)" CFLAGS="-O1 -g" all unit

deps:
	sh scripts/deps.sh build test

# Static checks: cppcheck on all C, shellcheck (as POSIX sh) on the scripts.
CPPCHECK_FLAGS := --enable=warning,style,performance,portability --std=c11 \
	--inline-suppr -Ilib --suppress=missingIncludeSystem --error-exitcode=1 -q
lint:
	cppcheck $(CPPCHECK_FLAGS) lib tools tests/unit tests/fixtures scripts
	shellcheck -s sh $(wildcard scripts/*.sh scripts/bocker bench/*.sh tests/fixtures/*.sh)

check: deps
	$(MAKE) all unit
	$(MAKE) lint
	$(MAKE) asan
	sh scripts/run-tests.sh

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
	rm -rf build build-asan bin bin-asan

-include $(wildcard $(BUILD)/lib/*.d $(BUILD)/tools/*.d $(BUILD)/tests/*.d $(BUILD)/scripts/*.d $(BUILD)/gen/*.d)
