/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Prometheus metrics of a trace. An output (an observer of the session)
 * counts what the session hands it; a scrape, on another thread, takes a
 * consistent copy of the counts under a lock held only for increments and
 * that copy, and writes the text exposition format from the copy.
 */
#ifndef NSTRACE_METRICS_H
#define NSTRACE_METRICS_H

#include <stddef.h>
#include <stdio.h>
#include "event.h"

struct metrics;
struct output;

/* version: the build's, for nstrace_build_info. NULL when out of memory. */
struct metrics *metrics_new(const char *version);
void metrics_free(struct metrics *m);

/*
 * The observer that feeds m; m must outlive it. malformed, when not NULL,
 * is the reader's count of records it dropped as malformed, read on the
 * event thread at each flush. NULL when out of memory.
 */
struct output *metrics_output_new(struct metrics *m, const __u64 *malformed);

/* The hook set the trace runs with ("fentry", "tracepoint"), once it is chosen. */
void metrics_set_hooks(struct metrics *m, const char *hooks);

/* The text exposition format (version 0.0.4) of m as it stands; -errno when f failed. */
int metrics_write(struct metrics *m, FILE *f);

/*
 * Splits "ADDR:PORT" ("127.0.0.1:9560", "[::1]:9560", "localhost:9560")
 * into a host and a port of 1 to 65535. -EINVAL, with why set, if it is
 * no such pair or a part does not fit its buffer.
 */
int metrics_addr_split(const char *arg, char *host, size_t host_len, char *port, size_t port_len, const char **why);

#endif
