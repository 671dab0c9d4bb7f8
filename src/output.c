// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include "container_filter.h"
#include "diag.h"
#include "lifecycle.h"
#include "meta_store.h"
#include "output.h"
#include "util.h"

static FILE *stream_of(struct output *o)
{
	return container_of(o, struct printer_output, base)->opts.out;
}

bool printer_wants_event(const struct printer_opts *opts, const union nstrace_event *e)
{
	if (!opts->events)
		return false;
	if (opts->filter_pid && e->hdr.pid != (__u32)opts->filter_pid && e->hdr.ppid != (__u32)opts->filter_pid)
		return false;
	if (opts->filter_comm && strncmp(e->hdr.comm, opts->filter_comm, NSTRACE_COMM_LEN))
		return false;
	return true;
}

/* The write end of a pipe polls POLLERR once its reader is gone. */
bool output_reader_gone(FILE *f)
{
	struct pollfd pfd = { .fd = fileno(f) };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR);
}

int printer_output_check(struct output *o)
{
	FILE *out = stream_of(o);

	if (!ferror(out))
		return 0;
	/* `nstrace | head` ends this way: the reader has all it wanted */
	if (output_reader_gone(out))
		return -EPIPE;
	diag_error("writing the output: %s", strerror(errno ? errno : EIO));
	return -EIO;
}

int printer_output_flush(struct output *o)
{
	FILE *out = stream_of(o);

	fflush(out);
	/* a quiet system writes nothing that would fail: ask the pipe */
	if (!ferror(out) && output_reader_gone(out))
		return -EPIPE;
	return printer_output_check(o);
}

void printer_output_destroy(struct output *o)
{
	free(container_of(o, struct printer_output, base));
}

struct output *printer_output_new(const struct printer_opts *opts)
{
	return opts->json ? json_output_new(opts) : text_output_new(opts);
}

const struct container_meta *output_meta_of(const struct output *o, const struct lc_container *c)
{
	return o->meta && c->runtime.id[0] ? meta_store_get(o->meta, c->runtime.id) : NULL;
}

bool output_shows(const struct output *o, const struct lc_container *c)
{
	return !o->filter || container_filter_verdict(o->filter, o->meta, c) == FILTER_YES;
}
