// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include "diag.h"
#include "lcprint.h"
#include "lifecycle.h"
#include "record.h"
#include "session.h"

struct session {
	struct session_opts opts;
	struct printer printer;
	struct lifecycle *lc;
	bool time_base_set;
	bool failed;
	bool reader_gone;
	__u64 events;
	__u64 lost;
};

static void on_transition(void *ctx, const struct lc_transition *t)
{
	struct session *s = ctx;

	print_transition(&s->printer, t);
}

struct session *session_new(const struct session_opts *opts)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->opts = *opts;
	s->printer = (struct printer){ .out = opts->out, .json = opts->json };
	s->lc = lifecycle_new(on_transition, s);
	if (!s->lc) {
		free(s);
		return NULL;
	}
	if (opts->record)
		record_write_header(opts->record);
	return s;
}

void session_free(struct session *s)
{
	if (!s)
		return;
	lifecycle_free(s->lc);
	free(s);
}

/* The write end of a pipe polls POLLERR once its reader is gone. */
bool output_reader_gone(FILE *f)
{
	struct pollfd pfd = { .fd = fileno(f) };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR);
}

static int check_streams(struct session *s)
{
	if (s->failed)
		return s->reader_gone ? -EPIPE : -EIO;
	if (ferror(s->opts.out)) {
		s->failed = true;
		/* `nstrace | head` ends this way: the reader has all it wanted */
		s->reader_gone = output_reader_gone(s->opts.out);
		if (s->reader_gone)
			return -EPIPE;
		diag_error("writing the output: %s", strerror(errno ? errno : EIO));
	} else if (s->opts.record && ferror(s->opts.record)) {
		diag_error("writing the recording: %s", strerror(errno ? errno : EIO));
		s->failed = true;
	}
	return s->failed ? -EIO : 0;
}

static int record(struct session *s, __u32 kind, const void *data, __u32 len)
{
	/* a failed write leaves the stream's error flag set for check_streams */
	if (s->opts.record)
		record_write(s->opts.record, kind, data, len);
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
	return err ? err : check_streams(s);
}

static bool wanted(const struct session_opts *o, const union nstrace_event *e)
{
	if (o->filter_pid && e->hdr.pid != (__u32)o->filter_pid && e->hdr.ppid != (__u32)o->filter_pid)
		return false;
	if (o->filter_comm && strncmp(e->hdr.comm, o->filter_comm, NSTRACE_COMM_LEN))
		return false;
	return true;
}

int session_event(struct session *s, const union nstrace_event *e)
{
	int err = record(s, RECORD_EVENT, e, nstrace_event_used_size(e));

	if (err)
		return err;
	s->events++;
	if (!s->time_base_set) {
		s->printer.time_base_ns = e->hdr.time_ns;
		s->time_base_set = true;
	}
	if (s->opts.events && wanted(&s->opts, e))
		print_event(&s->printer, e);
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
	print_lost(&s->printer, count, total);
	lifecycle_lost(s->lc, count);
	return check_streams(s);
}

static void print_alive(void *ctx, const struct lc_container *c)
{
	struct session *s = ctx;

	print_container(&s->printer, c);
}

int session_finish(struct session *s)
{
	struct lc_counts counts = lifecycle_counts(s->lc);
	FILE *out = s->opts.out;

	if (counts.containers > counts.destroyed) {
		if (!s->opts.json) {
			fputs("\nContainers alive at the end of the trace:\n", out);
			print_container_header(&s->printer);
		}
		lifecycle_for_each(s->lc, print_alive, s);
	}
	if (s->opts.json)
		fprintf(out,
			"{\"type\":\"summary\",\"events\":%" PRIu64 ",\"lost\":%" PRIu64
			",\"containers\":%" PRIu64 ",\"destroyed\":%" PRIu64 "}\n",
			(uint64_t)s->events, (uint64_t)s->lost, (uint64_t)counts.containers,
			(uint64_t)counts.destroyed);
	else
		fprintf(out, "\n%" PRIu64 " events, %" PRIu64 " lost; %" PRIu64 " containers seen, %" PRIu64 " destroyed\n",
			(uint64_t)s->events, (uint64_t)s->lost, (uint64_t)counts.containers,
			(uint64_t)counts.destroyed);
	return session_flush(s);
}

int session_flush(struct session *s)
{
	if (!s->failed) {
		fflush(s->opts.out);
		if (s->opts.record)
			fflush(s->opts.record);
		/* a quiet system writes nothing that would fail: ask the pipe */
		if (!ferror(s->opts.out) && output_reader_gone(s->opts.out))
			s->failed = s->reader_gone = true;
	}
	return check_streams(s);
}

int session_replay(struct session *s, __u32 kind, const void *data)
{
	const struct record_lost *lost = data;
	const struct record_snapshot_done *done = data;

	switch (kind) {
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
