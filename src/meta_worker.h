/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Container metadata fetched off the event path. The session asks (once
 * per container ID and source) and goes on at once; a thread per source
 * reads the OCI bundle or asks the Docker daemon, and hands each result
 * back through a queue whose eventfd turns readable. However slow, gone or
 * lying a source is, asking never blocks and never fails a kernel event.
 */
#ifndef NSTRACE_META_WORKER_H
#define NSTRACE_META_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "meta.h"

struct meta_worker_opts {
	const char *proc_root; /* normally "/proc" */
	const char *docker_socket; /* NULL: Docker is not asked */
};

struct meta_worker;

/* NULL with errno set when the threads or the eventfd cannot be had. */
struct meta_worker *meta_worker_new(const struct meta_worker_opts *opts);
/*
 * Stops the threads. One stuck in a source that never answers is left to
 * the end of the process instead of being waited for.
 */
void meta_worker_free(struct meta_worker *w);

/* Readable while results wait to be drained. */
int meta_worker_fd(const struct meta_worker *w);

/*
 * Queues a read of the bundle process pid named (bundle NULL: its working
 * directory) for container id. False when that bundle was read already, or
 * out of memory. Each question queued gets one answer; one that finds the
 * bundle read meanwhile answers -EALREADY.
 */
bool meta_ask_bundle(struct meta_worker *w, const char *id, pid_t pid, const char *bundle, size_t bundle_len);
/* Queues a question to Docker about container id, once per ID; false when asked before, or with Docker off. */
bool meta_ask_docker(struct meta_worker *w, const char *id);

/*
 * What a process's argv names: the bundle of a container (runc create or
 * run, a containerd shim in it) and, for a shim in docker's namespace, the
 * Docker container. Queues each question not asked before and reports it
 * to asked, which may fail the call with a negative errno.
 */
int meta_ask_about(struct meta_worker *w, pid_t pid, const char *args, size_t len,
		   int (*asked)(void *ctx, enum meta_source source, const char *id), void *ctx);

/*
 * Hands each result ready now to fn, which may keep r->meta's contents by
 * zeroing it. With none ready it costs one atomic load: call it often.
 */
void meta_worker_drain(struct meta_worker *w, void (*fn)(void *ctx, struct meta_result *r), void *ctx);

#endif
