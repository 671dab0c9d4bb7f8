/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Reads every process from /proc into snapshot entries. */
#ifndef NSTRACE_PROCFS_H
#define NSTRACE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include "mountinfo.h"
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

/* Mount tables of a thousand entries fit; a longer one is read in part and *cut set. */
#define PROCFS_MOUNTINFO_MAX (1 << 20)

/*
 * proc_root/PID/mountinfo (PID 0: nstrace's own, "self") into a buffer
 * the caller frees, at most PROCFS_MOUNTINFO_MAX bytes, cut at a line end.
 */
int procfs_read_mountinfo(const char *proc_root, int pid, char **text, size_t *len, bool *cut);

/* The device of the root file system in nstrace's own mount table: the host's. */
void procfs_host_root(const char *proc_root, struct mount_host *host);

/* What m->pid's mount table exposes of the host; m->flags lack MOUNT_EXPOSURES_READ if it is gone. */
void procfs_mount_exposures(const char *proc_root, const struct mount_host *host, struct mount_exposures *m);

#endif
