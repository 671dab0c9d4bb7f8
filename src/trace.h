/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The live session: open, configure, load, attach, poll. */
#ifndef NSTRACE_TRACE_H
#define NSTRACE_TRACE_H

#include <signal.h>
#include "event.h"
#include "hooks.h"

struct trace_opts {
	enum hook_mode hooks;
	unsigned int ringbuf_kb;
	unsigned int duration_s; /* 0: until a signal */
};

struct trace_sink {
	/* returns non-zero to stop tracing (e.g. the output is gone) */
	int (*event)(void *ctx, const union nstrace_event *e);
	int (*lost)(void *ctx, __u64 count, __u64 total);
	/* called once, after attach and before the first event */
	int (*ready)(void *ctx, const struct hook_choice *hooks);
	/* called after each batch of events */
	int (*flush)(void *ctx);
	void *ctx;
};

struct trace_stats {
	__u64 events;
	__u64 malformed;
	__u64 lost;
};

extern volatile sig_atomic_t trace_stop_requested;

/* Fails with a message already printed; returns 0 after a clean stop. */
int trace_run(const struct trace_opts *opts, const struct trace_sink *sink, struct trace_stats *stats);

/* The sum over CPUs of entry 0 of a per-CPU array of __u64 counters; 0 if unreadable. */
__u64 trace_percpu_sum(int map_fd);

/*
 * What every BPF command does first: checks the privileges, routes
 * libbpf's messages, chooses the hook set and says which and why.
 * Returns 0, or a negative errno after printing what is missing.
 */
int trace_prepare(enum hook_mode mode, struct hook_choice *hooks);

#endif
