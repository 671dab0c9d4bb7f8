/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
#ifndef NSTRACE_METRICS_HTTP_H
#define NSTRACE_METRICS_HTTP_H

#include <stddef.h>

struct metrics;
struct metrics_server;

/*
 * A listening socket for --metrics ADDR:PORT, bound before anything else
 * starts so that a bad address or a port in use is a usage error. The fd,
 * or -errno with why set.
 */
int metrics_listen(const char *arg, char *why, size_t why_len);
/*
 * Serves m on /metrics from a thread of its own, which inherits the
 * caller's signal mask (call after trace_signals_block()); takes
 * listen_fd. NULL on failure.
 */
struct metrics_server *metrics_server_start(int listen_fd, struct metrics *m);
/* Closes the socket and waits for a scrape in progress; NULL is a no-op. */
void metrics_server_stop(struct metrics_server *srv);

#endif
