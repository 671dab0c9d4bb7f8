/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Parsers for /proc text. Pure, and fed hostile input by the fuzzers. */
#ifndef NSTRACE_PROCPARSE_H
#define NSTRACE_PROCPARSE_H

#include <stddef.h>
#include <stdbool.h>
#include "snapshot.h"

/* Name, PPid and NSpid from /proc/PID/status; -EINVAL when one is missing or malformed. */
int parse_status(const char *text, size_t len, struct snap_process *p);

/*
 * starttime, the 22nd field of /proc/PID/stat: clock ticks after boot.
 * The name in field 2 may hold spaces and parentheses: fields are counted
 * from the last ')'. -EINVAL when malformed.
 */
int parse_stat_start(const char *text, size_t len, __u64 *ticks);

#define PROC_FS_ACCESS_MAX_GROUPS 64

/* Whom a process's file accesses are checked as. */
struct proc_fs_access {
	__u32 fsuid;
	__u32 fsgid;
	__u32 group_count;
	__u32 groups[PROC_FS_ACCESS_MAX_GROUPS]; /* past the maximum, left out: that only narrows access */
};

/* The filesystem ids (the fourth of Uid: and Gid:) and Groups: of /proc/PID/status; -EINVAL when malformed. */
int parse_status_fs_access(const char *text, size_t len, struct proc_fs_access *access);

/* The inode from a namespace link target such as "net:[4026531840]"; 0 when malformed. */
__u32 parse_ns_link(const char *target, size_t len);

/* Decimal digits at *s up to end, advancing *s; false on none or past 2^32 - 1. */
bool parse_u32(const char **s, const char *end, __u32 *value);

/*
 * Parses /proc/PID/uid_map or gid_map text: lines of three decimal numbers
 * (first, lower_first, count). Stores at most max extents and sets *n to
 * how many lines there were. -EINVAL on a malformed line, a count of 0,
 * or a range whose end passes 2^32 - 1.
 */
int parse_idmap(const char *text, size_t len, struct nstrace_idmap_extent *ext, size_t max, size_t *n);

/*
 * The credential lines of /proc/PID/status into c: Uid, Gid, the Cap
 * sets, NoNewPrivs and Seccomp (flags say which of the last two were
 * there). Leaves what status does not show (securebits, login uid, the
 * user namespace) alone. -EINVAL when Uid, Gid or a Cap line is missing
 * or malformed.
 */
int parse_status_creds(const char *text, size_t len, struct nstrace_creds *c);

/* A decimal id such as /proc/PID/loginuid or sessionid holds; -EINVAL when malformed. */
int parse_decimal_u32(const char *text, size_t len, __u32 *value);

#endif
