/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What happens to the input of a trace, live or replayed: it is recorded,
 * fed to the lifecycle model and handed to the outputs, in one order, so
 * that a replay prints exactly what the live session printed.
 */
#ifndef NSTRACE_SESSION_H
#define NSTRACE_SESSION_H

#include <stdio.h>
#include <stdbool.h>
#include "container_filter.h"
#include "event.h"
#include "meta.h"
#include "mountinfo.h"
#include "output.h"
#include "snapshot.h"

struct session;
struct meta_worker;

/* record: where the raw input is written for nstrace replay, or NULL. */
struct session *session_new(FILE *record);
void session_free(struct session *s);
/*
 * Registers an observer: from now on it sees every record, after the
 * outputs registered before it. The session owns it from here on, and
 * destroys it even when o is NULL (then -ENOMEM: its constructor failed).
 */
int session_add_output(struct session *s, struct output *o);
/*
 * Live only: questions about containers go to w (the session does not own
 * it), and its answers are taken at every flush. A replay asks nothing: the
 * recording holds the questions and answers where the live run had them.
 */
void session_ask(struct session *s, struct meta_worker *w);
/* --container: the outputs see the named containers only (f is kept, not copied). */
void session_set_filter(struct session *s, const struct container_filter *f);

/*
 * Each returns 0, or a negative errno after printing why (an output or
 * the record failed); -EPIPE, unprinted, when the output's reader went away.
 */
int session_snapshot(struct session *s, const struct snap_process *p);
int session_snapshot_done(struct session *s, __u64 started_ns);
int session_event(struct session *s, const union nstrace_event *e);
int session_lost(struct session *s, __u64 count, __u64 total);
/* Whether pid is a container's init whose mount table is wanted: it just exec'd the command. */
bool session_wants_mounts(struct session *s, __u32 pid);
/* What that table exposed, read by the live side. */
int session_mounts(struct session *s, const struct mount_exposures *m);
/* The closing summary: containers still alive and the counts. */
int session_finish(struct session *s);
int session_flush(struct session *s);

/*
 * Feeds one record from a --record file (one that record_read accepted)
 * to the session as the live session fed it; nstrace replay and the
 * replay fuzzer both go through here.
 */
int session_replay(struct session *s, __u32 kind, const void *data, __u32 len);

#endif
