/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Checking raw records and deriving what they imply. Pure: no I/O. */
#ifndef NSTRACE_EVENT_H
#define NSTRACE_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "nstrace.h"

/* A record that passed nstrace_event_check(); the union member matches hdr.type. */
union nstrace_event {
	struct nstrace_header hdr;
	struct nstrace_clone_event clone;
	struct nstrace_unshare_event unshare;
	struct nstrace_setns_event setns;
	struct nstrace_exec_event exec;
	struct nstrace_exit_event exit;
};

/* Bit i stands for enum nstrace_ns_type i. */
typedef unsigned int nstrace_ns_mask;
#define NS_BIT(t) (1u << (t))
#define NS_MASK_ALL (NS_BIT(NSTRACE_NS_TYPE_COUNT) - 1)

size_t nstrace_event_size(__u32 type);
/* The bytes of a record that carry anything: an exec's argv buffer is mostly unused. */
size_t nstrace_event_used_size(const union nstrace_event *e);
/* 0 if data holds one well-formed record of len bytes; else -EINVAL and *why. */
int nstrace_event_check(const void *data, size_t len, const char **why);
/* 0 if credentials hold only what a kernel can; else -EINVAL and *why. */
int nstrace_creds_check(const struct nstrace_creds *c, const char **why);

const char *nstrace_event_name(__u32 type);
const char *nstrace_ns_name(enum nstrace_ns_type type);
/* -1 if name is not a namespace type */
int nstrace_ns_from_name(const char *name);

/* Namespaces a successful clone or unshare created (empty on failure). */
nstrace_ns_mask nstrace_new_ns(const union nstrace_event *e);
/* Namespaces a setns switched the caller to (empty on failure). */
nstrace_ns_mask nstrace_setns_entered(const struct nstrace_setns_event *e);

/* The CLONE_NEW* flags in flags, as names ("NEWNS"...); returns how many were written. */
size_t nstrace_clone_flag_names(__u64 flags, const char **names, size_t max);
/*
 * The namespace type each CLONE_NEW* flag in flags names, as setns reads
 * nstype (NEWPID: pid); returns how many were written, in the order of
 * nstrace_clone_flag_names.
 */
size_t nstrace_clone_flag_types(__u64 flags, enum nstrace_ns_type *types, size_t max);

/* Decoded wait status of an exit event. */
struct nstrace_exit_status {
	int code; /* valid when signal == 0 */
	int signal;
	bool core_dumped;
};
struct nstrace_exit_status nstrace_exit_status(__u32 exit_code);

/* The innermost pid, the one the task sees itself. */
__u32 nstrace_inner_pid(const struct nstrace_header *hdr);

/*
 * Walks the NUL-separated argv in args. Returns the next argument's start
 * and stores its length, or NULL at the end. *pos carries the position.
 */
const char *nstrace_next_arg(const struct nstrace_exec_event *e, size_t *pos, size_t *len);

#endif
