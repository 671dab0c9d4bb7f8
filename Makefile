# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
OUTPUT ?= build
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

LIBBPF_CFLAGS := $(shell pkg-config --cflags libbpf 2>/dev/null)
LIBBPF_LIBS := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf) -lelf -lz
# jansson parses what runtimes say of their containers (OCI config.json, the
# Docker Engine API's answers), and the tests parse nstrace's JSON with it.
# --metrics serves HTTP with libmicrohttpd, from a thread of its own.
MHD_LIBS := $(shell pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd) -pthread
JANSSON_CFLAGS := $(shell pkg-config --cflags jansson 2>/dev/null)
JANSSON_LIBS := $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson)
JANSSON_STATIC_LIBS := $(shell pkg-config --libs --static jansson 2>/dev/null || echo -ljansson)

WARNINGS := -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
override CFLAGS += $(WARNINGS) -std=gnu11 -D_GNU_SOURCE -Ibpf -Isrc -I$(OUTPUT) $(LIBBPF_CFLAGS)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ivmlinux -Ibpf -Wall -Werror

# Pure code: no libbpf, no I/O beyond the FILE it is handed. Unit-tested unprivileged.
CORE_SRCS := src/event.c src/escape.c src/print.c src/diag.c src/runtime.c src/procparse.c \
	src/lifecycle.c src/lifecycle_store.c src/lifecycle_join.c \
	src/lifecycle_snapshot.c src/lcprint.c src/record.c src/session.c src/histogram.c src/profile_report.c \
	src/json_writer.c src/output.c src/output_text.c src/output_json.c src/metrics.c \
	src/meta.c src/meta_store.c src/container_filter.c src/metaprint.c src/nsgate.c
# What a process may do, what it can reach, and the rules that watch both.
CORE_SRCS += src/creds.c src/mountinfo.c src/alerts.c src/who.c src/auditprint.c
# The readers of container metadata, pure parsers (fuzzed) next to the I/O
# that feeds them, and the threads they run on. No libbpf: unit-tested.
META_SRCS := src/oci_bundle.c src/docker_meta.c src/meta_worker.c
LIVE_SRCS := src/bpf_util.c src/hooks.c src/trace.c src/procfs.c src/cli.c src/cmd_trace.c \
	src/cmd_replay.c src/cmd_ps.c src/profile.c src/metrics_http.c
MAIN_SRC := src/nstrace.c

CORE_OBJS := $(patsubst src/%.c,$(OUTPUT)/%.o,$(CORE_SRCS))
META_OBJS := $(patsubst src/%.c,$(OUTPUT)/%.o,$(META_SRCS))
LIVE_OBJS := $(patsubst src/%.c,$(OUTPUT)/%.o,$(LIVE_SRCS))
MAIN_OBJ := $(patsubst src/%.c,$(OUTPUT)/%.o,$(MAIN_SRC))
HEADERS := $(wildcard src/*.h) $(wildcard bpf/*.h)

# The sanitizer build links its own binary inside its output directory.
NSTRACE_BIN ?= nstrace
SAN_OUTPUT := build-san
SAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all clean vmlinux test test-unit test-integration test-profile test-runtimes test-sanitize check deps \
	nstrace-it-static bench test-vm test-kernels test-hostile test-churn test-valgrind fuzz fuzz-build \
	install uninstall image test-service
.DELETE_ON_ERROR:

all: $(NSTRACE_BIN)

$(OUTPUT) $(OUTPUT)/tests $(OUTPUT)/static:
	mkdir -p $@

$(OUTPUT)/nstrace.bpf.o: bpf/nstrace.bpf.c $(wildcard bpf/*.h) vmlinux/vmlinux.h | $(OUTPUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/nstrace.skel.h: $(OUTPUT)/nstrace.bpf.o
	$(BPFTOOL) gen skeleton $< name nstrace_bpf > $@

$(OUTPUT)/%.o: src/%.c $(HEADERS) | $(OUTPUT)
	$(CC) $(CFLAGS) -c $< -o $@

# The profiler's atomic maximum is a compare-and-swap: BPF ISA v3 (kernel 5.12).
$(OUTPUT)/profile.bpf.o: bpf/profile.bpf.c $(wildcard bpf/*.h) vmlinux/vmlinux.h | $(OUTPUT)
	$(CLANG) $(BPF_CFLAGS) -mcpu=v3 -c $< -o $@

$(OUTPUT)/profile.skel.h: $(OUTPUT)/profile.bpf.o
	$(BPFTOOL) gen skeleton $< name profile_bpf > $@

$(LIVE_OBJS) $(MAIN_OBJ): $(OUTPUT)/nstrace.skel.h $(OUTPUT)/profile.skel.h

$(NSTRACE_BIN): $(MAIN_OBJ) $(LIVE_OBJS) $(META_OBJS) $(CORE_OBJS)
	$(CC) $(CFLAGS) -pthread $^ $(LIBBPF_LIBS) $(JANSSON_LIBS) $(MHD_LIBS) -o $@

# Self-contained binaries for the initramfs of the kernel guests (tests/vm/).
# Debian's libmicrohttpd needs GnuTLS and p11-kit, which has no static library:
# the static build answers --metrics with an error instead.
$(OUTPUT)/static/metrics_http.o: src/metrics_http.c $(HEADERS) | $(OUTPUT)/static
	$(CC) $(CFLAGS) -DNSTRACE_NO_HTTP -c $< -o $@

$(OUTPUT)/static/nstrace: $(MAIN_OBJ) $(filter-out $(OUTPUT)/metrics_http.o,$(LIVE_OBJS)) $(META_OBJS) \
		$(CORE_OBJS) $(OUTPUT)/static/metrics_http.o | $(OUTPUT)/static
	$(CC) $(CFLAGS) -static -pthread $^ -lbpf -lelf -lz $(JANSSON_STATIC_LIBS) -o $@

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/vmlinux.h

$(OUTPUT)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(CORE_OBJS) $(META_OBJS) | $(OUTPUT)/tests
	$(CC) $(CFLAGS) $(JANSSON_CFLAGS) -Itests/unit -pthread $< $(CORE_OBJS) $(META_OBJS) $(JANSSON_LIBS) -o $@

# The integration driver; the static one goes into guests next to busybox.
IT_SRC := tests/integration/nstrace-it.c
IT_DEPS := $(IT_SRC) tests/unit/testing.h tests/unit/json_check.h bpf/nstrace.h | $(OUTPUT)/tests

$(OUTPUT)/tests/nstrace-it: $(IT_DEPS)
	$(CC) $(CFLAGS) $(JANSSON_CFLAGS) -Itests/unit -pthread $< $(JANSSON_LIBS) -o $@

$(OUTPUT)/tests/nstrace-it-static: $(IT_DEPS)
	$(CC) $(CFLAGS) $(JANSSON_CFLAGS) -Itests/unit -pthread -static $< $(JANSSON_STATIC_LIBS) -o $@

nstrace-it-static: $(OUTPUT)/tests/nstrace-it-static

# unshare and setns through the 32-bit gate: a 32-bit program (gcc-multilib)
# and a 64-bit one that calls int 0x80. Static: the guests have no C library.
$(OUTPUT)/tests/compat32: tests/integration/compat32.c | $(OUTPUT)/tests
	$(CC) -m32 -static -O2 $(WARNINGS) $< -o $@

$(OUTPUT)/tests/int80: tests/integration/compat32.c | $(OUTPUT)/tests
	$(CC) -static -O2 $(WARNINGS) $< -o $@

COMPAT_PROGS := $(OUTPUT)/tests/compat32 $(OUTPUT)/tests/int80

RUN_UNIT := tests/run-unit.sh $(UNIT_TESTS)
RUN_INTEGRATION := tests/integration/run.sh $(abspath $(NSTRACE_BIN)) $(OUTPUT)/tests/nstrace-it $(COMPAT_PROGS)

test-unit: $(UNIT_TESTS)
	$(RUN_UNIT)

test-integration: $(NSTRACE_BIN) $(OUTPUT)/tests/nstrace-it $(COMPAT_PROGS)
	$(RUN_INTEGRATION)

$(OUTPUT)/tests/profile-test: tests/integration/profile-test.c tests/unit/testing.h | $(OUTPUT)/tests
	$(CC) $(CFLAGS) $(JANSSON_CFLAGS) -Itests/unit $< $(JANSSON_LIBS) -o $@

$(OUTPUT)/tests/profile-test-static: tests/integration/profile-test.c tests/unit/testing.h | $(OUTPUT)/tests
	$(CC) $(CFLAGS) $(JANSSON_CFLAGS) -Itests/unit -static $< $(JANSSON_STATIC_LIBS) -o $@

RUN_PROFILE := tests/run-tests.sh profile $(OUTPUT)/tests/profile-test $(abspath $(NSTRACE_BIN))

test-profile: $(NSTRACE_BIN) $(OUTPUT)/tests/profile-test
	$(RUN_PROFILE)

# Reads a bundle as nstrace does, for a real process with a forged argv.
$(OUTPUT)/tests/oci-read: tests/runtimes/oci-read.c $(CORE_OBJS) $(META_OBJS) | $(OUTPUT)/tests
	$(CC) $(CFLAGS) $(JANSSON_CFLAGS) -pthread $< $(CORE_OBJS) $(META_OBJS) $(JANSSON_LIBS) -o $@

# Real runc, crun, lxc, docker, containerd, unshare and nsenter, as root; a few minutes.
test-runtimes: $(NSTRACE_BIN) $(OUTPUT)/tests/oci-read
	OCI_READ=$(abspath $(OUTPUT)/tests/oci-read) tests/runtimes/run.sh $(abspath $(NSTRACE_BIN))

# As root: make install/uninstall, the man page, completion, the systemd unit's
# privileges, the logrotate snippet and the image against a dockerd of its own.
test-service: $(NSTRACE_BIN) $(OUTPUT)/image/rootfs
	tests/service/run.sh $(abspath $(NSTRACE_BIN))

# Kernels are downloaded once into VM_CACHE (for root, a place fresh clones
# such as CI's find again) and booted under QEMU (TCG), one guest at a time.
# make test boots VM_TEST_KERNELS; make test-kernels all of tests/vm/kernels.
VM_CACHE ?= $(if $(filter 0,$(shell id -u)),/var/cache/nstrace-vm,$(OUTPUT)/vm/cache)
VM_TEST_KERNELS ?= 5.10 latest
VM_INITRAMFS := $(OUTPUT)/vm/initramfs.cpio.gz
VM_BINARIES := $(OUTPUT)/static/nstrace $(OUTPUT)/tests/nstrace-it-static $(OUTPUT)/tests/profile-test-static \
	$(COMPAT_PROGS)
RUN_VM := tests/vm/run-matrix.sh $(VM_CACHE) $(VM_INITRAMFS)

$(VM_INITRAMFS): $(VM_BINARIES) tests/vm/init tests/vm/mkinitramfs.sh
	tests/vm/mkinitramfs.sh $@ $(VM_BINARIES)

test-vm: $(VM_INITRAMFS)
	$(RUN_VM) $(VM_TEST_KERNELS)

test-kernels: $(VM_INITRAMFS)
	$(RUN_VM)

# Hostile strings, loss, churn, signals, full disks, privileges, no BTF and
# damaged replays, as root; about a minute and a half. CHURN=N containers.
HOSTILE_TOOLS := $(addprefix $(OUTPUT)/tests/,hostile-exec storm jsonl-check replay-damage mkrec)
CHURN ?= 10000

# Workloads, not code under test: never sanitized, so that they run as fast and
# as alone in a new pid namespace in the sanitizer build as in the normal one.
$(OUTPUT)/tests/hostile-exec $(OUTPUT)/tests/storm: $(OUTPUT)/tests/%: tests/hostile/%.c | $(OUTPUT)/tests
	$(CC) -O2 -g $(WARNINGS) -std=gnu11 -D_GNU_SOURCE $< -o $@

$(OUTPUT)/tests/jsonl-check $(OUTPUT)/tests/replay-damage: $(OUTPUT)/tests/%: tests/hostile/%.c \
		tests/hostile/jsonl.h tests/unit/testing.h | $(OUTPUT)/tests
	$(CC) $(CFLAGS) $(JANSSON_CFLAGS) $< $(JANSSON_LIBS) -o $@

$(OUTPUT)/tests/mkrec: tests/fuzz/mkrec.c $(CORE_OBJS) $(META_OBJS) | $(OUTPUT)/tests
	$(CC) $(CFLAGS) -pthread $< $(CORE_OBJS) $(META_OBJS) $(JANSSON_LIBS) -o $@

test-hostile: $(NSTRACE_BIN) $(HOSTILE_TOOLS)
	CHURN=$(CHURN) tests/hostile/run.sh $(NSTRACE_BIN) $(OUTPUT)/tests

# The churn test alone: 10,000 containers in a row, about 40 s on two cores.
test-churn: $(NSTRACE_BIN) $(HOSTILE_TOOLS)
	CHURN=10000 tests/hostile/run.sh $(NSTRACE_BIN) $(OUTPUT)/tests churn

# The replay path under valgrind; about half a minute.
test-valgrind: $(NSTRACE_BIN) $(HOSTILE_TOOLS)
	tests/hostile/valgrind.sh $(NSTRACE_BIN) $(OUTPUT)/tests

# libFuzzer targets (clang) for the replay reader, the /proc parsers, the
# cgroup-path parser, OCI config.json, the Docker daemon's answers and the
# --metrics address parser, FUZZ_SECONDS each. New inputs go to a scratch corpus,
# the seeds in tests/fuzz/corpus stay as committed; a crash is left in $(OUTPUT)/fuzz.
FUZZ_TARGETS := replay procparse cgroup oci docker metrics_addr idmap mountinfo
FUZZ_SECONDS ?= 25
FUZZ_BINS := $(addprefix $(OUTPUT)/fuzz/fuzz_,$(FUZZ_TARGETS))
FUZZ_CFLAGS := -g -O1 $(WARNINGS) -std=gnu11 -D_GNU_SOURCE -Ibpf -Isrc \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

$(OUTPUT)/fuzz:
	mkdir -p $@

$(OUTPUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(CORE_SRCS) $(META_SRCS) $(HEADERS) | $(OUTPUT)/fuzz
	$(CLANG) $(FUZZ_CFLAGS) $(JANSSON_CFLAGS) -pthread $< $(CORE_SRCS) $(META_SRCS) $(JANSSON_LIBS) -o $@

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@passed=0; failed=0; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(OUTPUT)/fuzz/corpus-$$t || exit 1; \
		if $(OUTPUT)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=1024 -close_fd_mask=3 \
			-artifact_prefix=$(OUTPUT)/fuzz/crash-$$t- $(OUTPUT)/fuzz/corpus-$$t \
			tests/fuzz/corpus/$$t 2>$(OUTPUT)/fuzz/$$t.log; then \
			echo "PASS: fuzz $$t: $$(grep -E '^Done' $(OUTPUT)/fuzz/$$t.log)"; passed=$$((passed + 1)); \
		else \
			tail -n 40 $(OUTPUT)/fuzz/$$t.log; echo "FAIL: fuzz $$t"; failed=$$((failed + 1)); \
		fi; \
	done; echo "fuzz: $$passed passed, $$failed failed, 0 skipped"; [ $$failed -eq 0 ]

# Builds in parallel, runs one part after the other, and runs them all even if one fails.
test: $(UNIT_TESTS) $(NSTRACE_BIN) $(OUTPUT)/tests/nstrace-it $(COMPAT_PROGS) $(OUTPUT)/tests/profile-test \
	$(if $(VM_TEST_KERNELS),$(VM_INITRAMFS))
	status=0; $(RUN_UNIT) || status=1; $(RUN_INTEGRATION) || status=1; \
	$(RUN_PROFILE) || status=1; $(if $(VM_TEST_KERNELS),$(RUN_VM) $(VM_TEST_KERNELS) || status=1;) exit $$status

# Everything again under ASan and UBSan, kept apart from the normal build.
# The guests are left out: sanitized binaries cannot be linked statically.
test-sanitize:
	$(SAN_ENV) $(MAKE) OUTPUT=$(SAN_OUTPUT) NSTRACE_BIN=$(SAN_OUTPUT)/nstrace CFLAGS="$(SAN_CFLAGS)" VM_TEST_KERNELS= test

# Not part of test: it takes minutes and its figures are ratios, not verdicts.
$(OUTPUT)/bench:
	mkdir -p $@

$(OUTPUT)/bench/nsload: bench/load.c | $(OUTPUT)/bench
	$(CC) $(CFLAGS) $< -pthread -o $@

$(OUTPUT)/bench/nsbench: bench/bench.c | $(OUTPUT)/bench
	$(CC) $(CFLAGS) $< -lm -o $@

bench: $(NSTRACE_BIN) $(OUTPUT)/bench/nsload $(OUTPUT)/bench/nsbench
	bench/run.sh $(OUTPUT)/bench $(abspath $(NSTRACE_BIN)) $(BENCH_ARGS)

# Install layout; DESTDIR stages it elsewhere (packages, tests).
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
# logrotate reads /etc/logrotate.d whatever the prefix
LOGROTATEDIR ?= /etc/logrotate.d
INSTALLED := $(SBINDIR)/nstrace $(MANDIR)/man8/nstrace.8 $(BASHCOMPDIR)/nstrace \
	$(SYSTEMDUNITDIR)/nstrace.service $(LOGROTATEDIR)/nstrace

$(OUTPUT)/nstrace.service: packaging/nstrace.service.in | $(OUTPUT)
	sed 's|@SBINDIR@|$(SBINDIR)|g' $< > $@

# Remade at every install: SBINDIR may differ from the last one.
.PHONY: $(OUTPUT)/nstrace.service

install: $(NSTRACE_BIN) $(OUTPUT)/nstrace.service
	install -D -m 0755 $(NSTRACE_BIN) $(DESTDIR)$(SBINDIR)/nstrace
	install -D -m 0644 man/nstrace.8 $(DESTDIR)$(MANDIR)/man8/nstrace.8
	install -D -m 0644 packaging/nstrace.bash-completion $(DESTDIR)$(BASHCOMPDIR)/nstrace
	install -D -m 0644 $(OUTPUT)/nstrace.service $(DESTDIR)$(SYSTEMDUNITDIR)/nstrace.service
	install -D -m 0644 packaging/nstrace.logrotate $(DESTDIR)$(LOGROTATEDIR)/nstrace

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

# A FROM scratch image of nstrace and its shared libraries, built by the Docker
# that DOCKER_HOST (or the default socket) names; nothing is pulled.
IMAGE ?= nstrace:latest
DOCKER ?= /usr/bin/docker

$(OUTPUT)/image/rootfs: $(NSTRACE_BIN) packaging/image-rootfs.sh
	packaging/image-rootfs.sh $(NSTRACE_BIN) $@

image: $(OUTPUT)/image/rootfs packaging/Dockerfile
	$(DOCKER) build -q -t $(IMAGE) -f packaging/Dockerfile $(OUTPUT)/image

clean:
	rm -rf $(OUTPUT) $(SAN_OUTPUT) nstrace
