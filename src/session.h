/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What happens to the input of a trace, live or replayed: it is recorded,
 * fed to the lifecycle model and printed, in one order, so that a replay
 * prints exactly what the live session printed.
 */
#ifndef NSTRACE_SESSION_H
#define NSTRACE_SESSION_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include "event.h"
#include "snapshot.h"

struct session_opts {
	FILE *out;
	FILE *record; /* NULL: no recording */
	bool json;
	bool events; /* print raw events too */
	pid_t filter_pid; /* raw events of this process and its children only */
	const char *filter_comm;
};

struct session;

struct session *session_new(const struct session_opts *opts);
void session_free(struct session *s);

/*
 * Each returns 0, or a negative errno after printing why (the output or
 * record failed); -EPIPE, unprinted, when the output's reader went away.
 */
int session_snapshot(struct session *s, const struct snap_process *p);
int session_snapshot_done(struct session *s, __u64 started_ns);
int session_event(struct session *s, const union nstrace_event *e);
int session_lost(struct session *s, __u64 count, __u64 total);
/* The closing summary: containers still alive and the counts. */
int session_finish(struct session *s);
int session_flush(struct session *s);

/* True when f is a pipe whose reader went away: the normal end of `nstrace | head`. */
bool output_reader_gone(FILE *f);
/*
 * Feeds one record from a --record file (one that record_read accepted)
 * to the session as the live session fed it; nstrace replay and the
 * replay fuzzer both go through here.
 */
int session_replay(struct session *s, __u32 kind, const void *data);

#endif
