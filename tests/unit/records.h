/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Builders for in-memory records, shaped the way the BPF side fills them. */
#ifndef NSTRACE_TEST_RECORDS_H
#define NSTRACE_TEST_RECORDS_H

#include <stdlib.h>
#include <string.h>
#include "event.h"

/* A zeroed record of type with a consistent size field. */
static inline union nstrace_event make_record(__u32 type)
{
	union nstrace_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = type;
	e.hdr.size = nstrace_event_size(type);
	return e;
}

/* Header of a process that is pid levels[last] inside nested pid namespaces. */
static inline void set_task(struct nstrace_header *hdr, __u32 pid, __u32 ppid, const char *comm,
			    const __u32 *nspid, __u32 levels)
{
	hdr->pid = pid;
	hdr->tid = pid;
	hdr->ppid = ppid;
	strncpy(hdr->comm, comm, sizeof(hdr->comm));
	hdr->nspid_levels = levels;
	memcpy(hdr->nspid, nspid, levels * sizeof(*nspid));
}

/* Stores argv of len bytes (NULs included) the way the kernel's arg area holds it. */
static inline void set_args(struct nstrace_exec_event *e, const char *args, size_t len)
{
	memcpy(e->args, args, len);
	e->args_len = len;
}

/* Output captured from a FILE * writer, NUL-terminated; the caller frees it. */
struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static inline FILE *capture_start(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	if (!c->f)
		abort();
	return c->f;
}

static inline char *capture_end(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

#endif
