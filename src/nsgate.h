/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Namespace changes no event explains. Every record carries its task's
 * namespaces, so a task whose namespaces differ at its next clone, exec
 * or exit from what the last record about it said has changed them
 * through a call the hooks did not see: with the per-syscall
 * tracepoints, which the kernel fires for 64-bit calls only, a 32-bit
 * unshare or setns. Pure: events in, findings out.
 */
#ifndef NSTRACE_NSGATE_H
#define NSTRACE_NSGATE_H

#include <stdbool.h>
#include <stddef.h>
#include "event.h"

struct nsgate;

struct nsgate_change {
	__u32 pid, tid; /* the task that changed its namespaces */
	char comm[NSTRACE_COMM_LEN];
	const char *found_at; /* the event that showed it: "clone", "exec" or "exit" */
	nstrace_ns_mask changed;
	struct nstrace_ns_set from, to;
};

/* NULL when out of memory */
struct nsgate *nsgate_new(void);
void nsgate_free(struct nsgate *g);

/*
 * Takes in one checked event; true with *change filled when it shows a
 * change of namespaces no event before explains. -ENOMEM is never
 * returned: a task that cannot be remembered is only not checked.
 */
bool nsgate_event(struct nsgate *g, const union nstrace_event *e, struct nsgate_change *change);

/* After lost events: any change may have been explained by one of them. */
void nsgate_forget_all(struct nsgate *g);

/* "pid 12 (sh): uts 4026531838 -> 4026532178, ..." into buf; returns buf. */
const char *nsgate_describe(const struct nsgate_change *change, char *buf, size_t size);

#endif
