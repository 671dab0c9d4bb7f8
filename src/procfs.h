/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Reads every process from /proc into snapshot entries. */
#ifndef NSTRACE_PROCFS_H
#define NSTRACE_PROCFS_H

#include "snapshot.h"

typedef int (*procfs_fn)(void *ctx, const struct snap_process *p);

/*
 * Calls fn for each user-space process under proc_root (normally "/proc"),
 * in pid order. Processes that exit or turn unreadable mid-read are
 * skipped; a non-zero return from fn stops the scan and is returned.
 */
int procfs_scan(const char *proc_root, procfs_fn fn, void *ctx);

/* Fills p from proc_root/pid; -ENOENT if it is gone, -EINVAL if unparsable. */
int procfs_read_process(const char *proc_root, int pid, struct snap_process *p);

#endif
