// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "alerts.h"
#include "diag.h"
#include "lifecycle.h"
#include "meta_store.h"
#include "meta_worker.h"
#include "record.h"
#include "session.h"

/* Records held for containers --container may name once their runtime says their name. */
#define HELD_MAX 4096

/*
 * A record of a container whose name is still being asked for, kept with a
 * copy of the container (and those around it) as it stood: printed as it
 * was if the name matches, dropped if not.
 */
struct held {
	struct held *next;
	bool is_event;
	union nstrace_event event; /* the raw event, or the exec of an LC_EXEC */
	struct lc_transition t;
	__u32 *survivors;
	struct lc_container *chain; /* the container and its parents, copied and linked */
	struct mount_exposures *mounts; /* the container's, copied: the model frees its own at destroy */
};

/* A destroyed container whose runtime has not answered yet: the answer is still printed for it. */
struct gone {
	struct gone *next;
	struct lc_container c;
};

struct session {
	FILE *record;
	struct gone *gone;
	struct output *outputs;
	struct output **outputs_tail;
	struct lifecycle *lc;
	struct meta_store *meta;
	struct meta_worker *worker;
	const struct container_filter *filter;
	struct held *held, **held_tail;
	size_t held_count;
	__u64 held_dropped;
	__u64 last_ns; /* of the latest event: the time of records about runtimes' answers */
	struct alerts *alerts;
	const union nstrace_event *cause; /* the event being handled, for the alerts it raises */
	bool failed;
	bool reader_gone;
	__u64 events;
	__u64 lost;
};

#define for_each_output(o, s) for (struct output *o = (s)->outputs; o; o = o->next)

static enum filter_verdict verdict(const struct session *s, const struct lc_container *c)
{
	return s->filter ? container_filter_verdict(s->filter, s->meta, c) : FILTER_YES;
}

static void on_alert(void *ctx, const struct alert *a)
{
	struct session *s = ctx;
	const struct lc_container *c = lifecycle_container(s->lc, a->container);
	const struct lc_container *target = a->target_container ? lifecycle_container(s->lc, a->target_container) : NULL;

	/* with --container, alerts about the containers not named are not printed */
	if (c && verdict(s, c) == FILTER_NO)
		return;
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

static void to_outputs(struct session *s, const struct lc_transition *t)
{
	for_each_output(o, s)
		if (o->ops->transition)
			o->ops->transition(o, t);
}

static void event_to_outputs(struct session *s, const union nstrace_event *e)
{
	for_each_output(o, s)
		if (o->ops->event)
			o->ops->event(o, e);
}

static void free_held(struct held *h)
{
	free(h->survivors);
	free(h->mounts);
	free(h->chain);
	free(h);
}

/*
 * Copies c and every container it runs inside, linked as they were, and
 * c's mount exposures (*mounts); of the parents only their keys are printed.
 */
static struct lc_container *copy_chain(const struct lc_container *c, struct mount_exposures **mounts)
{
	size_t n = 0;
	struct lc_container *chain;

	*mounts = NULL;
	if (c->mounts) {
		*mounts = malloc(sizeof(**mounts));
		if (!*mounts)
			return NULL;
		**mounts = *c->mounts;
	}
	for (const struct lc_container *p = c; p; p = p->parent)
		n++;
	chain = calloc(n, sizeof(*chain));
	if (!chain) {
		free(*mounts);
		*mounts = NULL;
		return NULL;
	}
	for (size_t i = 0; i < n; i++, c = c->parent) {
		chain[i] = *c;
		chain[i].parent = i + 1 < n ? &chain[i + 1] : NULL;
		chain[i].mounts = i ? NULL : *mounts;
	}
	return chain;
}

static void hold(struct session *s, const struct lc_transition *t, const union nstrace_event *e,
		 const struct lc_container *c)
{
	struct held *h;

	if (s->held_count >= HELD_MAX) {
		s->held_dropped++;
		return;
	}
	h = calloc(1, sizeof(*h));
	if (!h || !(h->chain = copy_chain(c, &h->mounts))) {
		free(h);
		s->held_dropped++;
		return;
	}
	if (e) {
		h->is_event = true;
		memcpy(&h->event, e, nstrace_event_size(e->hdr.type));
	} else {
		h->t = *t;
		h->t.container = h->chain;
		if (t->kind == LC_EXEC) {
			memcpy(&h->event, t->exec.event, sizeof(h->event.exec));
			h->t.exec.event = &h->event.exec;
		} else if (t->kind == LC_EXIT && t->exit.survivor_count) {
			h->survivors = malloc(t->exit.survivor_count * sizeof(*h->survivors));
			if (!h->survivors) {
				free_held(h);
				s->held_dropped++;
				return;
			}
			memcpy(h->survivors, t->exit.survivors, t->exit.survivor_count * sizeof(*h->survivors));
			h->t.exit.survivors = h->survivors;
		}
	}
	*s->held_tail = h;
	s->held_tail = &h->next;
	s->held_count++;
}

/* Held records whose container is now decided: printed in their order, or dropped. */
static void release_held(struct session *s, bool at_end)
{
	struct held **link = &s->held;

	while (*link) {
		struct held *h = *link;
		enum filter_verdict v = verdict(s, h->chain);

		if (v == FILTER_UNDECIDED && !at_end) {
			link = &h->next;
			continue;
		}
		if (v == FILTER_YES) {
			if (h->is_event)
				event_to_outputs(s, &h->event);
			else
				to_outputs(s, &h->t);
		} else if (at_end && v == FILTER_UNDECIDED) {
			s->held_dropped++;
		}
		*link = h->next;
		s->held_count--;
		free_held(h);
	}
	s->held_tail = link;
}

static bool held_for(const struct session *s, const char *id)
{
	for (const struct held *h = s->held; h; h = h->next)
		if (!strcmp(h->chain->runtime.id, id))
			return true;
	return false;
}

static void on_transition(void *ctx, const struct lc_transition *t)
{
	struct session *s = ctx;
	const struct lc_container *c = t->container;

	switch (verdict(s, c)) {
	case FILTER_YES:
		to_outputs(s, t);
		break;
	case FILTER_UNDECIDED:
		hold(s, t, NULL, c);
		break;
	case FILTER_NO:
		break;
	}
	/* the rules follow every container, printed or not */
	if ((t->kind == LC_EXEC && t->exec.index == 1) ||
	    (t->kind == LC_INIT && t->container->origin == LC_EXISTING))
		container_started(s, t);
	else if (t->kind == LC_DESTROY)
		alerts_container_gone(s->alerts, t->container->serial);
	/* what is known of a container is kept while it lives, or while a question about it is open */
	if (t->kind != LC_DESTROY || !c->runtime.id[0])
		return;
	if (!meta_store_pending(s->meta, c->runtime.id)) {
		meta_store_forget(s->meta, c->runtime.id);
		return;
	}
	struct gone *g = calloc(1, sizeof(*g));

	if (!g)
		return;
	g->c = *c;
	/* only its identity and what its runtime says are printed from here on */
	g->c.parent = NULL;
	g->c.mounts = NULL;
	g->next = s->gone;
	s->gone = g;
}

struct session *session_new(FILE *record)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->record = record;
	s->outputs_tail = &s->outputs;
	s->held_tail = &s->held;
	s->lc = lifecycle_new(on_transition, s);
	s->meta = meta_store_new();
	s->alerts = alerts_new(on_alert, s);
	if (!s->lc || !s->meta || !s->alerts) {
		lifecycle_free(s->lc);
		meta_store_free(s->meta);
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
	o->meta = s->meta;
	o->filter = s->filter;
	*s->outputs_tail = o;
	s->outputs_tail = &o->next;
	return 0;
}

void session_ask(struct session *s, struct meta_worker *w)
{
	s->worker = w;
}

void session_set_filter(struct session *s, const struct container_filter *f)
{
	s->filter = f && f->count ? f : NULL;
	for_each_output(o, s)
		o->filter = s->filter;
}

void session_free(struct session *s)
{
	struct output *next;

	if (!s)
		return;
	while (s->held) {
		struct held *h = s->held;

		s->held = h->next;
		free_held(h);
	}
	while (s->gone) {
		struct gone *g = s->gone;

		s->gone = g->next;
		free(g);
	}
	meta_store_free(s->meta);
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

static int record_meta(struct session *s, char *text)
{
	int err;

	if (!text) {
		diag_error("out of memory keeping what runtimes said");
		return -ENOMEM;
	}
	err = record(s, RECORD_META, text, strlen(text));
	free(text);
	return err;
}

static int asked(void *ctx, enum meta_source source, const char *id)
{
	struct session *s = ctx;
	int err = record_meta(s, meta_encode_ask(source, id));

	if (err)
		return err;
	return meta_store_asked(s->meta, id, source) ? model_result(-ENOMEM) : 0;
}

/* The runtime is asked about the containers a process names, off the event path. */
static int ask_about(struct session *s, pid_t pid, const char *args, size_t len)
{
	return s->worker ? meta_ask_about(s->worker, pid, args, len, asked, s) : 0;
}

struct announce_ctx {
	struct session *s;
	const char *id;
	const struct container_meta *m;
};

static void print_meta_of(struct session *s, const struct lc_container *c, const struct container_meta *m)
{
	if (verdict(s, c) != FILTER_YES)
		return;
	for_each_output(o, s)
		if (o->ops->container_meta)
			o->ops->container_meta(o, c, m, s->last_ns);
}

static void announce(void *ctx, const struct lc_container *c)
{
	struct announce_ctx *a = ctx;

	if (strcmp(c->runtime.id, a->id))
		return;
	if (a->m)
		print_meta_of(a->s, c, a->m);
}

/* An answer, as the worker gave it live or the recording keeps it. */
static int take_answer(struct session *s, const struct meta_result *r)
{
	struct announce_ctx a = { .s = s, .id = r->id };
	int err;

	meta_result_report(r);
	a.m = meta_store_answered(s->meta, r, &err);
	if (err)
		return model_result(err);
	/* what waited for this answer first, then the answer */
	release_held(s, false);
	lifecycle_for_each(s->lc, announce, &a);
	for (struct gone **link = &s->gone; *link;) {
		struct gone *g = *link;

		if (strcmp(g->c.runtime.id, r->id)) {
			link = &g->next;
			continue;
		}
		if (a.m)
			print_meta_of(s, &g->c, a.m);
		if (meta_store_pending(s->meta, r->id)) {
			link = &g->next;
			continue;
		}
		/* its last question answered: nothing more will come for it */
		*link = g->next;
		free(g);
		if (!held_for(s, r->id))
			meta_store_forget(s->meta, r->id);
	}
	return check_streams(s);
}

struct drain_ctx {
	struct session *s;
	int err;
};

static void on_answer(void *ctx, struct meta_result *r)
{
	struct drain_ctx *d = ctx;

	if (d->err)
		return;
	d->err = record_meta(d->s, meta_encode_answer(r));
	if (!d->err)
		d->err = take_answer(d->s, r);
}

static int drain_answers(struct session *s)
{
	struct drain_ctx d = { .s = s };

	if (s->worker)
		meta_worker_drain(s->worker, on_answer, &d);
	return d.err;
}

/* A RECORD_META from a recording: a question or an answer, at the place the live run had it. */
static int replay_meta(struct session *s, const char *text, __u32 len)
{
	struct meta_result r;
	bool is_answer;
	int err = meta_decode(text, len, &is_answer, &r);

	if (err) {
		diag_error("a metadata record of the recording is damaged");
		return err;
	}
	err = record(s, RECORD_META, text, len);
	if (!err)
		err = is_answer ? take_answer(s, &r) : meta_store_asked(s->meta, r.id, r.source) ? -ENOMEM : 0;
	meta_result_free(&r);
	return err;
}

int session_snapshot(struct session *s, const struct snap_process *p)
{
	const struct lc_container *c;
	int err = record(s, RECORD_SNAPSHOT, p, sizeof(*p));

	if (err)
		return err;
	err = model_result(lifecycle_snapshot_add(s->lc, p));
	if (err)
		return err;
	c = lifecycle_container_of(s->lc, p->pid);
	if (c)
		alerts_existing(s->alerts, c->serial, p->pid, &p->creds);
	return ask_about(s, p->pid, p->cmdline, p->cmdline_len < SNAP_CMDLINE_LEN ? p->cmdline_len : SNAP_CMDLINE_LEN);
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

struct event_owner {
	const struct nstrace_header *hdr;
	const struct lc_container *by_mnt, *by_pid;
};

static void find_owner(void *ctx, const struct lc_container *c)
{
	struct event_owner *eo = ctx;
	const struct nstrace_header *hdr = eo->hdr;

	if (c->state == LC_DESTROYED)
		return;
	if ((c->owned & NS_BIT(NSTRACE_NS_MNT)) && c->ns.inum[NSTRACE_NS_MNT] == hdr->ns.inum[NSTRACE_NS_MNT])
		eo->by_mnt = c;
	else if (hdr->nspid_levels > 1 && c->pidns == hdr->ns.inum[NSTRACE_NS_PID])
		eo->by_pid = c;
}

/*
 * With --container, a raw event is printed when the task it is about
 * lives in a named container, as the model knows it before the event:
 * the container whose own mount namespace the task is in, or else whose
 * pid namespace.
 */
static void filter_event(struct session *s, const union nstrace_event *e)
{
	struct event_owner eo = { .hdr = &e->hdr };
	const struct lc_container *c;

	if (!s->filter) {
		event_to_outputs(s, e);
		return;
	}
	lifecycle_for_each(s->lc, find_owner, &eo);
	c = eo.by_mnt ? eo.by_mnt : eo.by_pid;
	if (!c)
		return;
	switch (verdict(s, c)) {
	case FILTER_YES:
		event_to_outputs(s, e);
		break;
	case FILTER_UNDECIDED:
		hold(s, NULL, e, c);
		break;
	case FILTER_NO:
		break;
	}
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
	/*
	 * Answers in first, recorded before the event as they are applied:
	 * a container created right after its runtime was asked is named.
	 */
	int err = drain_answers(s);
	const struct lc_container *from = NULL;
	__u64 setns_from = 0;

	if (!err)
		err = record(s, RECORD_EVENT, e, nstrace_event_used_size(e));
	if (err)
		return err;
	s->events++;
	s->last_ns = e->hdr.time_ns;
	/* the event before the transitions it causes, as a reader expects them */
	filter_event(s, e);
	if (e->hdr.type == NSTRACE_EVENT_SETNS) {
		from = lifecycle_container_of(s->lc, e->hdr.pid);
		setns_from = from ? from->serial : 0;
	}
	s->cause = e;
	err = model_result(lifecycle_event(s->lc, e));
	if (!err)
		alerts_after(s, e, setns_from);
	s->cause = NULL;
	if (!err && e->hdr.type == NSTRACE_EVENT_EXEC)
		err = ask_about(s, e->hdr.pid, e->exec.args, e->exec.args_len);
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
	struct lc_counts counts;
	int err = drain_answers(s);

	if (err)
		return err;
	/* a name never told by the end names nothing: what waited on it goes */
	release_held(s, true);
	if (s->held_dropped)
		diag_warn("--container: %llu records of containers whose name was not known in time were not printed",
			  (unsigned long long)s->held_dropped);
	counts = lifecycle_counts(s->lc);
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
	err = drain_answers(s);
	if (err)
		return err;
	for_each_output(o, s) {
		int oerr = o->ops->flush ? o->ops->flush(o) : 0;

		if (oerr && !err)
			err = oerr;
	}
	if (s->record)
		fflush(s->record);
	return err ? fail(s, err) : check_streams(s);
}

int session_replay(struct session *s, __u32 kind, const void *data, __u32 len)
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
	case RECORD_META:
		return replay_meta(s, data, len);
	case RECORD_MOUNTS:
		return session_mounts(s, data);
	}
	return -EINVAL;
}
