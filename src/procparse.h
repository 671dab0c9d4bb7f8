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

/* The inode from a namespace link target such as "net:[4026531840]"; 0 when malformed. */
__u32 parse_ns_link(const char *target, size_t len);

#endif
