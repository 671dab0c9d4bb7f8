// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "alerts.h"
#include "diag.h"
#include "lifecycle.h"
#include "record.h"
#include "session.h"

struct session {
	FILE *record;
	struct output *outputs;
	struct output **outputs_tail;
	struct lifecycle *lc;
	struct alerts *alerts;
	const union nstrace_event *cause; /* the event being handled, for the alerts it raises */
	bool failed;
	bool reader_gone;
	__u64 events;
	__u64 lost;
};

#define for_each_output(o, s) for (struct output *o = (s)->outputs; o; o = o->next)

static void on_alert(void *ctx, const struct alert *a)
{
	struct session *s = ctx;
	const struct lc_container *c = lifecycle_container(s->lc, a->container);
	const struct lc_container *target = a->target_container ? lifecycle_container(s->lc, a->target_container) : NULL;

	for_each_output(o, s)
		if (o->ops->alert)
			o->ops->alert(o, a, c, target, s->cause);
}

/* A container's start, once its init's credentials are known: what it started as. */
static void container_started(struct session *s, const struct lc_transition *t)
{
	const struct lc_container *c = t->container;
	struct alert_container start = {
		.time_ns = t->time_ns,
		.container = c->serial,
		.init_pid = c->init_pid,
		.comm = t->comm,
		.creds = &c->init_creds,
		.host_pid = lifecycle_is_host_ns(s->lc, NSTRACE_NS_PID, c->ns.inum[NSTRACE_NS_PID]),
		.host_net = lifecycle_is_host_ns(s->lc, NSTRACE_NS_NET, c->ns.inum[NSTRACE_NS_NET]),
	};

	alerts_container_start(s->alerts, &start);
}

static void on_transition(void *ctx, const struct lc_transition *t)
{
	struct session *s = ctx;

	for_each_output(o, s)
		if (o->ops->transition)
			o->ops->transition(o, t);
	if ((t->kind == LC_EXEC && t->exec.index == 1) ||
	    (t->kind == LC_INIT && t->container->origin == LC_EXISTING))
		container_started(s, t);
	else if (t->kind == LC_DESTROY)
		alerts_container_gone(s->alerts, t->container->serial);
}

struct session *session_new(FILE *record)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->record = record;
	s->outputs_tail = &s->outputs;
	s->lc = lifecycle_new(on_transition, s);
	s->alerts = alerts_new(on_alert, s);
	if (!s->lc || !s->alerts) {
		lifecycle_free(s->lc);
		alerts_free(s->alerts);
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
	alerts_free(s->alerts);
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
	const struct lc_container *c;
	int err = record(s, RECORD_SNAPSHOT, p, sizeof(*p));

	if (err)
		return err;
	err = model_result(lifecycle_snapshot_add(s->lc, p));
	c = lifecycle_container_of(s->lc, p->pid);
	if (c)
		alerts_existing(s->alerts, c->serial, p->pid, &p->creds);
	return err;
}

int session_snapshot_done(struct session *s, __u64 started_ns)
{
	struct record_snapshot_done done = { .started_ns = started_ns };
	int err = record(s, RECORD_SNAPSHOT_DONE, &done, sizeof(done));

	if (err)
		return err;
	alerts_set_host_bounding(s->alerts, lifecycle_host_bounding(s->lc));
	err = model_result(lifecycle_snapshot_done(s->lc, started_ns));
	if (err)
		return err;
	for_each_output(o, s)
		if (o->ops->snapshot_done)
			o->ops->snapshot_done(o, started_ns);
	return check_streams(s);
}

/* Whose a namespace a setns entered is, seen from the container the caller was in. */
static enum ns_owner owner_of(struct session *s, const struct lc_container *from, int type, __u32 inum,
			      __u64 *serial)
{
	const struct lc_container *owner;

	/* its own, or one it shares by design (--network host: the host's is its own) */
	if (from && from->ns.inum[type] == inum)
		return NS_OWNER_SELF;
	if (lifecycle_is_host_ns(s->lc, type, inum))
		return NS_OWNER_HOST;
	owner = lifecycle_ns_owner(s->lc, type, inum);
	if (!owner)
		return NS_OWNER_UNKNOWN;
	if (owner == from)
		return NS_OWNER_SELF;
	if (from && lifecycle_inside(owner, from))
		return NS_OWNER_NESTED;
	*serial = owner->serial;
	return NS_OWNER_OTHER;
}

static void alert_setns(struct session *s, const struct nstrace_setns_event *e, const struct lc_container *from)
{
	struct alert_setns in = {
		.time_ns = e->hdr.time_ns,
		.pid = e->hdr.pid,
		.comm = e->hdr.comm,
		.container = from ? from->serial : 0,
		.entered = nstrace_setns_entered(e),
	};

	if (!from || !in.entered)
		return;
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		if (in.entered & NS_BIT(t))
			in.owner[t] = owner_of(s, from, t, e->hdr.ns.inum[t], &in.owner_container[t]);
	alerts_setns(s->alerts, &in);
}

/* What the alert rules follow of processes, once the model has placed the event. */
static void alerts_after(struct session *s, const union nstrace_event *e, __u64 setns_from)
{
	const struct lc_container *c;

	switch ((enum nstrace_event_type)e->hdr.type) {
	case NSTRACE_EVENT_CLONE:
		if (!(e->clone.flags & NSTRACE_CLONE_THREAD))
			alerts_fork(s->alerts, e->clone.caller_pid, e->hdr.pid);
		break;
	case NSTRACE_EVENT_EXEC:
		c = lifecycle_container_of(s->lc, e->hdr.pid);
		if (c)
			alerts_exec(s->alerts, e->hdr.time_ns, c->serial, e->hdr.pid, e->hdr.comm, &e->exec.creds);
		else
			alerts_exit(s->alerts, e->hdr.pid);
		break;
	case NSTRACE_EVENT_EXIT:
		alerts_exit(s->alerts, e->hdr.pid);
		break;
	case NSTRACE_EVENT_SETNS:
		/* the container it was in before the call, if that still lives */
		alert_setns(s, &e->setns, setns_from ? lifecycle_container(s->lc, setns_from) : NULL);
		break;
	case NSTRACE_EVENT_UNSHARE:
		break;
	}
}

int session_event(struct session *s, const union nstrace_event *e)
{
	int err = record(s, RECORD_EVENT, e, nstrace_event_used_size(e));
	const struct lc_container *from = NULL;
	__u64 setns_from = 0;

	if (err)
		return err;
	s->events++;
	/* the event before the transitions it causes, as a reader expects them */
	for_each_output(o, s)
		if (o->ops->event)
			o->ops->event(o, e);
	if (e->hdr.type == NSTRACE_EVENT_SETNS) {
		from = lifecycle_container_of(s->lc, e->hdr.pid);
		setns_from = from ? from->serial : 0;
	}
	s->cause = e;
	err = model_result(lifecycle_event(s->lc, e));
	if (!err)
		alerts_after(s, e, setns_from);
	s->cause = NULL;
	return err ? err : check_streams(s);
}

bool session_wants_mounts(struct session *s, __u32 pid)
{
	return lifecycle_wants_mounts(s->lc, pid);
}

int session_mounts(struct session *s, const struct mount_exposures *m)
{
	int err = record(s, RECORD_MOUNTS, m, sizeof(*m));

	if (err)
		return err;
	return model_result(lifecycle_mounts(s->lc, m));
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
	case RECORD_MOUNTS:
		return session_mounts(s, data);
	}
	return -EINVAL;
}
