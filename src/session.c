// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "diag.h"
#include "lifecycle.h"
#include "record.h"
#include "session.h"

struct session {
	FILE *record;
	struct output *outputs;
	struct output **outputs_tail;
	struct lifecycle *lc;
	bool failed;
	bool reader_gone;
	__u64 events;
	__u64 lost;
};

#define for_each_output(o, s) for (struct output *o = (s)->outputs; o; o = o->next)

static void on_transition(void *ctx, const struct lc_transition *t)
{
	struct session *s = ctx;

	for_each_output(o, s)
		if (o->ops->transition)
			o->ops->transition(o, t);
}

struct session *session_new(FILE *record)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->record = record;
	s->outputs_tail = &s->outputs;
	s->lc = lifecycle_new(on_transition, s);
	if (!s->lc) {
		free(s);
		return NULL;
	}
	if (record)
		record_write_header(record);
	return s;
}

int session_add_output(struct session *s, struct output *o)
{
	if (!o)
		return -ENOMEM;
	o->next = NULL;
	*s->outputs_tail = o;
	s->outputs_tail = &o->next;
	return 0;
}

void session_free(struct session *s)
{
	struct output *next;

	if (!s)
		return;
	for (struct output *o = s->outputs; o; o = next) {
		next = o->next;
		if (o->ops->destroy)
			o->ops->destroy(o);
	}
	lifecycle_free(s->lc);
	free(s);
}

/* The first failure ends the trace; later calls only repeat it. */
static int fail(struct session *s, int err)
{
	s->failed = true;
	s->reader_gone = err == -EPIPE;
	return err;
}

static int check_streams(struct session *s)
{
	if (s->failed)
		return s->reader_gone ? -EPIPE : -EIO;
	for_each_output(o, s) {
		int err = o->ops->check ? o->ops->check(o) : 0;

		if (err)
			return fail(s, err);
	}
	if (s->record && ferror(s->record)) {
		diag_error("writing the recording: %s", strerror(errno ? errno : EIO));
		return fail(s, -EIO);
	}
	return 0;
}

static int record(struct session *s, __u32 kind, const void *data, __u32 len)
{
	/* a failed write leaves the stream's error flag set for check_streams */
	if (s->record)
		record_write(s->record, kind, data, len);
	return check_streams(s);
}

static int model_result(int err)
{
	if (err == -ENOMEM) {
		diag_error("out of memory tracking processes");
		return err;
	}
	/* other model errors are input it could not place; the trace goes on */
	return 0;
}

int session_snapshot(struct session *s, const struct snap_process *p)
{
	int err = record(s, RECORD_SNAPSHOT, p, sizeof(*p));

	if (err)
		return err;
	return model_result(lifecycle_snapshot_add(s->lc, p));
}

int session_snapshot_done(struct session *s, __u64 started_ns)
{
	struct record_snapshot_done done = { .started_ns = started_ns };
	int err = record(s, RECORD_SNAPSHOT_DONE, &done, sizeof(done));

	if (err)
		return err;
	err = model_result(lifecycle_snapshot_done(s->lc, started_ns));
	if (err)
		return err;
	for_each_output(o, s)
		if (o->ops->snapshot_done)
			o->ops->snapshot_done(o, started_ns);
	return check_streams(s);
}

int session_event(struct session *s, const union nstrace_event *e)
{
	int err = record(s, RECORD_EVENT, e, nstrace_event_used_size(e));

	if (err)
		return err;
	s->events++;
	/* the event before the transitions it causes, as a reader expects them */
	for_each_output(o, s)
		if (o->ops->event)
			o->ops->event(o, e);
	err = model_result(lifecycle_event(s->lc, e));
	return err ? err : check_streams(s);
}

int session_lost(struct session *s, __u64 count, __u64 total)
{
	struct record_lost lost = { .count = count, .total = total };
	int err = record(s, RECORD_LOST, &lost, sizeof(lost));

	if (err)
		return err;
	s->lost += count;
	for_each_output(o, s)
		if (o->ops->lost)
			o->ops->lost(o, count, total);
	lifecycle_lost(s->lc, count);
	return check_streams(s);
}

int session_finish(struct session *s)
{
	struct lc_counts counts = lifecycle_counts(s->lc);
	struct session_totals totals = {
		.events = s->events,
		.lost = s->lost,
		.containers = counts.containers,
		.destroyed = counts.destroyed,
	};

	for_each_output(o, s)
		if (o->ops->finish)
			o->ops->finish(o, s->lc, &totals);
	return session_flush(s);
}

int session_flush(struct session *s)
{
	int err = 0;

	if (s->failed)
		return check_streams(s);
	for_each_output(o, s) {
		int oerr = o->ops->flush ? o->ops->flush(o) : 0;

		if (oerr && !err)
			err = oerr;
	}
	if (s->record)
		fflush(s->record);
	return err ? fail(s, err) : check_streams(s);
}

int session_replay(struct session *s, __u32 kind, const void *data)
{
	const struct record_lost *lost = data;
	const struct record_snapshot_done *done = data;

	switch ((enum record_kind)kind) {
	case RECORD_EVENT:
		return session_event(s, data);
	case RECORD_LOST:
		return session_lost(s, lost->count, lost->total);
	case RECORD_SNAPSHOT:
		return session_snapshot(s, data);
	case RECORD_SNAPSHOT_DONE:
		return session_snapshot_done(s, done->started_ns);
	}
	return -EINVAL;
}
