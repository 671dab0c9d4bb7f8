/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * --record files: a header, then kind/length-framed records holding the
 * ring buffer's events, loss reports and the start-up snapshot, in the
 * order the live session consumed them.
 */
#ifndef NSTRACE_RECORD_H
#define NSTRACE_RECORD_H

#include <stdio.h>
#include <linux/types.h>

#define RECORD_MAGIC "NSTRACE"
/*
 * 2: exec and snapshot records carry credentials, snapshots start_ticks;
 * metadata and mount records. Version 1 files still read.
 */
#define RECORD_VERSION 2

enum record_kind {
	RECORD_EVENT = 1, /* a union nstrace_event, exec events cut after their argv */
	RECORD_LOST, /* struct record_lost */
	RECORD_SNAPSHOT, /* a struct snap_process */
	RECORD_SNAPSHOT_DONE, /* struct record_snapshot_done */
	RECORD_META, /* a question about a container to its runtime, or the answer: JSON (meta.h) */
	RECORD_MOUNTS, /* a struct mount_exposures, read when a container's init exec'd */
};

struct record_lost {
	__u64 count;
	__u64 total;
};

struct record_snapshot_done {
	__u64 started_ns;
};

int record_write_header(FILE *f);
int record_write(FILE *f, __u32 kind, const void *data, __u32 len);

struct record_reader {
	FILE *f;
	__u32 version; /* of the file */
	__u64 offset; /* of the next record */
	void *buf;
	__u32 cap;
};

/* Checks the header. On error, msg says what is wrong and where. */
int record_reader_init(struct record_reader *r, FILE *f, char *msg, size_t msg_size);
/* 1 with a record, 0 at a clean end, -EINVAL on a damaged one (msg set). */
int record_read(struct record_reader *r, __u32 *kind, const void **data, __u32 *len, char *msg,
		size_t msg_size);
void record_reader_release(struct record_reader *r);

#endif
