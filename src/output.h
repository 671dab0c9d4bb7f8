/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Outputs are observers of a session: the session hands each of them
 * every raw event, loss, lifecycle transition and the end, in the order
 * it saw them; each output keeps its own state and decides what to make
 * of them (a text table, JSON Lines, counters...). An output is a struct
 * output embedded in the output's own state and registered with
 * session_add_output; see docs/design.md.
 */
#ifndef NSTRACE_OUTPUT_H
#define NSTRACE_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include "event.h"

struct alert;
struct lifecycle;
struct lc_container;
struct lc_transition;
struct container_meta;
struct meta_store;
struct container_filter;

/* What the session counted, for the closing summary. */
struct session_totals {
	__u64 events;
	__u64 lost; /* events the kernel side dropped */
	__u64 containers;
	__u64 destroyed;
};

struct output;

/*
 * Every operation may be NULL: an output implements what it needs. The
 * pointers handed in live for the call only; an output copies what it
 * keeps. The record operations cannot fail: an output that writes keeps
 * its stream's error for check and flush.
 */
struct output_ops {
	void (*event)(struct output *o, const union nstrace_event *e);
	/* count more events were dropped by the kernel side; total so far */
	void (*lost)(struct output *o, __u64 count, __u64 total);
	void (*transition)(struct output *o, const struct lc_transition *t);
	/* what became known of an announced container from its runtime; m holds all known so far */
	void (*container_meta)(struct output *o, const struct lc_container *c, const struct container_meta *m,
			       __u64 time_ns);
	/*
	 * An alert rule fired (docs/alerts.md) about container c (NULL when it
	 * is gone already); target: the other container a namespace_escape
	 * entered, or NULL; cause: the raw event that raised it, or NULL.
	 */
	void (*alert)(struct output *o, const struct alert *a, const struct lc_container *c,
		      const struct lc_container *target, const union nstrace_event *cause);
	/* the /proc snapshot is in: from here on, records are live */
	void (*snapshot_done)(struct output *o, __u64 started_ns);
	/* The end of the trace: lc holds the containers still alive. */
	void (*finish)(struct output *o, struct lifecycle *lc, const struct session_totals *totals);
	/*
	 * check, after every record, and flush, after every batch and at the
	 * end: 0, or -EPIPE (unprinted) when the reader went away, or -EIO
	 * after printing why. Either ends the trace.
	 */
	int (*check)(struct output *o);
	int (*flush)(struct output *o);
	void (*destroy)(struct output *o);
};

struct output {
	const struct output_ops *ops;
	struct output *next; /* the session's list, in registration order */
	/* what runtimes said of containers, by container ID, and --container: set by session_add_output */
	const struct meta_store *meta;
	const struct container_filter *filter;
};

/* What the runtime said of container c so far, or NULL. */
const struct container_meta *output_meta_of(const struct output *o, const struct lc_container *c);
/* Whether --container names c (or a container it runs inside), as far as is known now. */
bool output_shows(const struct output *o, const struct lc_container *c);

/* What the printing outputs (text and JSON) print, and where. */
struct printer_opts {
	FILE *out;
	bool json;
	bool events; /* raw events too, not just the lifecycle */
	bool alerts_only; /* alerts and the records they point to, nothing else */
	pid_t filter_pid; /* raw events of this process and its children only */
	const char *filter_comm;
};

/* NULL when out of memory. */
struct output *text_output_new(const struct printer_opts *opts);
struct output *json_output_new(const struct printer_opts *opts);
/* The text or the JSON output, as opts->json says. */
struct output *printer_output_new(const struct printer_opts *opts);

/* What the printing outputs share: their options and stream, and the operations on them. */
struct printer_output {
	struct output base;
	struct printer_opts opts;
};

bool printer_wants_event(const struct printer_opts *opts, const union nstrace_event *e);
int printer_output_check(struct output *o);
int printer_output_flush(struct output *o);
/* For an output allocated whole with malloc. */
void printer_output_destroy(struct output *o);
/* True when f is a pipe whose reader went away: the normal end of `nstrace | head`. */
bool output_reader_gone(FILE *f);

#endif
