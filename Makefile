# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
OUTPUT ?= build
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

LIBBPF_CFLAGS := $(shell pkg-config --cflags libbpf 2>/dev/null)
LIBBPF_LIBS := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf) -lelf -lz

WARNINGS := -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
override CFLAGS += $(WARNINGS) -std=gnu11 -D_GNU_SOURCE -Ibpf -Isrc -I$(OUTPUT) $(LIBBPF_CFLAGS)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ivmlinux -Ibpf -Wall -Werror

# Pure code: no libbpf, no I/O beyond the FILE it is handed. Unit-tested unprivileged.
CORE_SRCS := src/event.c src/escape.c src/print.c src/diag.c src/runtime.c src/procparse.c \
	src/lifecycle.c src/lcprint.c src/record.c src/session.c src/histogram.c src/profile_report.c
LIVE_SRCS := src/hooks.c src/trace.c src/procfs.c src/cli.c src/cmd_replay.c src/cmd_ps.c src/profile.c
MAIN_SRC := src/nstrace.c

CORE_OBJS := $(patsubst src/%.c,$(OUTPUT)/%.o,$(CORE_SRCS))
LIVE_OBJS := $(patsubst src/%.c,$(OUTPUT)/%.o,$(LIVE_SRCS))
MAIN_OBJ := $(patsubst src/%.c,$(OUTPUT)/%.o,$(MAIN_SRC))
HEADERS := $(wildcard src/*.h) bpf/nstrace.h bpf/profile.h

UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all clean vmlinux test test-unit test-integration test-profile test-sanitize check deps
.DELETE_ON_ERROR:

all: nstrace

$(OUTPUT) $(OUTPUT)/tests:
	mkdir -p $@

$(OUTPUT)/nstrace.bpf.o: bpf/nstrace.bpf.c bpf/nstrace.h vmlinux/vmlinux.h | $(OUTPUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/nstrace.skel.h: $(OUTPUT)/nstrace.bpf.o
	$(BPFTOOL) gen skeleton $< name nstrace_bpf > $@

$(OUTPUT)/%.o: src/%.c $(HEADERS) | $(OUTPUT)
	$(CC) $(CFLAGS) -c $< -o $@

# The profiler's atomic maximum is a compare-and-swap: BPF ISA v3 (kernel 5.12).
$(OUTPUT)/profile.bpf.o: bpf/profile.bpf.c bpf/profile.h bpf/nstrace.h vmlinux/vmlinux.h | $(OUTPUT)
	$(CLANG) $(BPF_CFLAGS) -mcpu=v3 -c $< -o $@

$(OUTPUT)/profile.skel.h: $(OUTPUT)/profile.bpf.o
	$(BPFTOOL) gen skeleton $< name profile_bpf > $@

$(LIVE_OBJS) $(MAIN_OBJ): $(OUTPUT)/nstrace.skel.h $(OUTPUT)/profile.skel.h

nstrace: $(MAIN_OBJ) $(LIVE_OBJS) $(CORE_OBJS)
	$(CC) $(CFLAGS) $^ $(LIBBPF_LIBS) -o $@

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/vmlinux.h

$(OUTPUT)/tests/%: tests/unit/%.c tests/unit/testing.h $(CORE_OBJS) | $(OUTPUT)/tests
	$(CC) $(CFLAGS) -Itests/unit $< $(CORE_OBJS) -o $@

test-unit: $(UNIT_TESTS)
	tests/run-unit.sh $(UNIT_TESTS)

test-integration: nstrace
	tests/integration/run.sh

$(OUTPUT)/tests/profile-test: tests/integration/profile-test.c tests/unit/testing.h | $(OUTPUT)/tests
	$(CC) $(CFLAGS) -Itests/unit $< -ljansson -o $@

test-profile: nstrace $(OUTPUT)/tests/profile-test
	$(OUTPUT)/tests/profile-test ./nstrace

test: test-unit test-integration

clean:
	rm -rf $(OUTPUT) nstrace
