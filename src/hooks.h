/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Which hook set the running kernel allows, decided between open and
 * load. The sets are told apart by the section names of the BPF object's
 * programs (see bpf/nstrace.bpf.c): no list here names a hook.
 */
#ifndef NSTRACE_HOOKS_H
#define NSTRACE_HOOKS_H

#include <stdbool.h>
#include <stddef.h>

struct bpf_object;

enum hook_mode {
	HOOKS_AUTO, /* the first of the sets below the kernel allows */
	HOOKS_FENTRY, /* trampolines on the kernel functions both syscall gates reach */
	HOOKS_TRACEPOINT, /* per-syscall tracepoints: nothing runs on other system calls */
	HOOKS_SYS_EXIT, /* a program on every system call's exit: the last resort */
};

struct hook_choice {
	enum hook_mode set; /* never HOOKS_AUTO once chosen */
	bool mounted_tracefs; /* hooks_done() unmounts it again */
	char reason[320]; /* why this set, for the start-up line */
};

/* -1 if name is none of auto, fentry, tracepoint, sys-exit */
int hook_mode_parse(const char *name);
const char *hook_mode_name(enum hook_mode mode);
/* "auto, fentry, tracepoint or sys-exit", for usage messages */
extern const char hook_mode_choices[];

/*
 * Probes the kernel for nstrace's object obj, chooses a set and sets the
 * autoload of each of obj's programs to match. Returns 0, or a negative
 * errno after saying what is missing when mode cannot be honoured (a
 * forced set the kernel refuses, or no kernel BTF at all).
 */
int hooks_choose(enum hook_mode mode, struct bpf_object *obj, struct hook_choice *choice);

/*
 * For objects that only add trampolines where allowed (the profiler):
 * HOOKS_FENTRY if mode allows them and the kernel attaches one to a
 * function obj's fentry/fexit programs name, else mode's own set (or
 * HOOKS_TRACEPOINT for auto). Autoload is left to the caller.
 */
int hooks_choose_trampolines(enum hook_mode mode, struct bpf_object *obj, struct hook_choice *choice);

/* The start-up line, once the set is attached: "hooks: SET (REASON)". */
void hooks_announce(const struct hook_choice *choice);

/* After attach, or a failure before: what only the attach needed (a tracefs mount) goes. */
void hooks_done(struct hook_choice *choice);

#endif
