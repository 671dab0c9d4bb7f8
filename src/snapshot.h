/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * One process as /proc showed it when tracing started. Fixed-width, so a
 * snapshot is written to --record files and replayed byte for byte.
 */
#ifndef NSTRACE_SNAPSHOT_H
#define NSTRACE_SNAPSHOT_H

#include <linux/types.h>
#include "nstrace.h"

#define SNAP_CMDLINE_LEN 512
#define SNAP_CGROUP_LEN 1024

struct snap_process {
	__u32 pid;
	__u32 ppid;
	__u32 nspid_levels;
	__u32 nspid[NSTRACE_MAX_PID_LEVELS];
	char comm[NSTRACE_COMM_LEN];
	struct nstrace_ns_set ns;
	/*
	 * From status, loginuid, sessionid and the user namespace's maps:
	 * what it holds now, which exec may not have given it (setuid() since).
	 */
	struct nstrace_creds creds;
	__u16 cmdline_len;
	__u16 cgroup_len;
	char cmdline[SNAP_CMDLINE_LEN]; /* NUL-separated argv, maybe cut */
	char cgroup[SNAP_CGROUP_LEN]; /* /proc/PID/cgroup text, maybe cut */
	/* Recordings of format version 1 end the record here. */
	__u64 start_ticks; /* when it started, in clock ticks after boot; 0 if unknown */
};

#endif
