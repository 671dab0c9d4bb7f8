/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Who started a container: its creator and the creator's ancestors up to
 * the first that is not part of a container runtime, with the ids each
 * ran as. Pure: the caller looks processes up.
 */
#ifndef NSTRACE_WHO_H
#define NSTRACE_WHO_H

#include <stdbool.h>
#include <linux/types.h>
#include "nstrace.h"
#include "runtime.h"

/* Deeper than any runtime's own chain of processes (docker: runc, shim, containerd, dockerd). */
#define WHO_MAX_CHAIN 8

struct who_process {
	__u32 pid;
	__u32 ppid;
	char comm[NSTRACE_COMM_LEN];
	bool runtime; /* part of a container runtime (who_is_runtime) */
	bool ids_known; /* from an exec nstrace saw or /proc; else the ids below are 0 */
	bool audit; /* loginuid and sessionid are the kernel's (CONFIG_AUDIT) */
	__u32 uid, euid, gid;
	__u32 loginuid; /* NSTRACE_UID_UNSET when never set */
	__u32 sessionid;
};

/* The ids of creds, for a chain entry. */
void who_set_ids(struct who_process *p, const struct nstrace_creds *creds);

enum who_end {
	WHO_USER, /* the last process of the chain is the first that is not a runtime's */
	/*
	 * The chain ends in a runtime process left to pid 1, whose parent is
	 * pid 1 or gone: a daemon, and whoever asked it is no process ancestor.
	 */
	WHO_DAEMON,
	WHO_UNKNOWN, /* the creator is not known, or the chain is longer than kept */
};

struct who {
	/*
	 * The login uid the chain was started under: the first one set from
	 * the creator up (the creator's credentials are the freshest: a shell
	 * may have set it after its own exec). NSTRACE_UID_UNSET for none.
	 */
	__u32 loginuid;
	__u32 count;
	struct who_process chain[WHO_MAX_CHAIN]; /* the creator first, then its parent... */
	enum who_end end;
};

/* "user", "daemon", "unknown" */
const char *who_end_name(enum who_end end);

/* Part of a container runtime, by what its argv named (hint) or its command name. */
bool who_is_runtime(const char *comm, const struct runtime_hint *hint);

/* Fills p for pid; false when nothing is known of it. */
typedef bool (*who_lookup_fn)(void *ctx, __u32 pid, struct who_process *p);

void who_trace(__u32 creator, who_lookup_fn lookup, void *ctx, struct who *out);

#endif
