/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The live session: open, configure, load, attach, poll. */
#ifndef NSTRACE_TRACE_H
#define NSTRACE_TRACE_H

#include "event.h"
#include "hooks.h"

/* A further file descriptor the event loop watches (a metrics socket, say). */
struct trace_watch {
	int fd;
	__u32 events; /* EPOLLIN, ... */
	/* called when fd is ready; returns non-zero to stop tracing */
	int (*handle)(void *ctx, int fd, __u32 events);
	void *ctx;
};

struct trace_opts {
	enum hook_mode hooks;
	unsigned int ringbuf_kb;
	unsigned int duration_s; /* 0: until a signal */
	const struct trace_watch *watches;
	size_t watch_count;
};

struct trace_sink {
	/* returns non-zero to stop tracing (e.g. the output is gone) */
	int (*event)(void *ctx, const union nstrace_event *e);
	int (*lost)(void *ctx, __u64 count, __u64 total);
	/* called once, after attach and before the first event */
	int (*ready)(void *ctx, const struct hook_choice *hooks);
	/* called after each batch of events */
	int (*flush)(void *ctx);
	/* on SIGHUP: reopen the output files, which log rotation moved away; NULL: nothing to reopen */
	int (*reopen)(void *ctx);
	void *ctx;
};

struct trace_stats {
	__u64 events;
	__u64 malformed;
	__u64 lost;
};

/*
 * Blocks SIGINT, SIGTERM and SIGHUP in the calling thread, for the loop
 * to read from its signalfd. Called before any other thread starts, which
 * inherits the mask: a signal sent to the process then waits for the loop
 * (pending from the start, not lost while the programs load) rather than
 * running a handler in whichever thread the kernel picks.
 */
void trace_signals_block(void);

/*
 * Fails with a message already printed; returns 0 after a clean stop:
 * SIGINT, SIGTERM, the end of duration_s, or a callback that asked.
 */
int trace_run(const struct trace_opts *opts, const struct trace_sink *sink, struct trace_stats *stats);

#endif
