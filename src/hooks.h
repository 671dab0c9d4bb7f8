/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Which hook set the running kernel allows, decided before load. */
#ifndef NSTRACE_HOOKS_H
#define NSTRACE_HOOKS_H

#include <stdbool.h>
#include <stddef.h>

enum hook_mode {
	HOOKS_AUTO,
	HOOKS_FENTRY,
	HOOKS_TRACEPOINT,
};

struct hook_choice {
	enum hook_mode set; /* HOOKS_FENTRY or HOOKS_TRACEPOINT */
	bool exit_has_group_dead; /* sched_process_exit passes group_dead */
	char reason[256]; /* why this set, for the start-up line */
};

/* -1 if name is not auto, fentry or tracepoint */
int hook_mode_parse(const char *name);
const char *hook_mode_name(enum hook_mode mode);

/*
 * Probes the kernel and fills choice. Returns 0, or a negative errno with
 * reason saying what is missing when mode cannot be honoured (a forced
 * fentry set the kernel refuses, or no kernel BTF at all).
 */
int hooks_choose(enum hook_mode mode, struct hook_choice *choice);

/* Kernel functions the trampoline set attaches to. */
extern const char *const fentry_targets[];
extern const size_t fentry_target_count;

#endif
