/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Parsers for /proc text. Pure, and fed hostile input by the fuzzers. */
#ifndef NSTRACE_PROCPARSE_H
#define NSTRACE_PROCPARSE_H

#include <stddef.h>
#include "snapshot.h"

/* Name, PPid and NSpid from /proc/PID/status; -EINVAL when one is missing or malformed. */
int parse_status(const char *text, size_t len, struct snap_process *p);

/*
 * starttime, the 22nd field of /proc/PID/stat: clock ticks after boot.
 * The name in field 2 may hold spaces and parentheses: fields are counted
 * from the last ')'. -EINVAL when malformed.
 */
int parse_stat_start(const char *text, size_t len, __u64 *ticks);

#define PROC_CREDS_MAX_GROUPS 64

/* Whom a process's file accesses are checked as. */
struct proc_creds {
	__u32 fsuid;
	__u32 fsgid;
	__u32 group_count;
	__u32 groups[PROC_CREDS_MAX_GROUPS]; /* past the maximum, left out: that only narrows access */
};

/* The filesystem ids (the fourth of Uid: and Gid:) and Groups: of /proc/PID/status; -EINVAL when malformed. */
int parse_status_creds(const char *text, size_t len, struct proc_creds *creds);

/* The inode from a namespace link target such as "net:[4026531840]"; 0 when malformed. */
__u32 parse_ns_link(const char *target, size_t len);

#endif
