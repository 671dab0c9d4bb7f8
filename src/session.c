// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
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
	bool failed;
	bool reader_gone;
	__u64 events;
	__u64 lost;
};

#define for_each_output(o, s) for (struct output *o = (s)->outputs; o; o = o->next)

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
	free(h->chain);
	free(h);
}

/* Copies c and every container it runs inside, linked as they were. */
static struct lc_container *copy_chain(const struct lc_container *c)
{
	size_t n = 0;
	struct lc_container *chain;

	for (const struct lc_container *p = c; p; p = p->parent)
		n++;
	chain = calloc(n, sizeof(*chain));
	if (!chain)
		return NULL;
	for (size_t i = 0; i < n; i++, c = c->parent) {
		chain[i] = *c;
		chain[i].parent = i + 1 < n ? &chain[i + 1] : NULL;
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
	if (!h || !(h->chain = copy_chain(c))) {
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

static enum filter_verdict verdict(const struct session *s, const struct lc_container *c)
{
	return s->filter ? container_filter_verdict(s->filter, s->meta, c) : FILTER_YES;
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
	g->c.parent = NULL;
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
	if (!s->lc || !s->meta) {
		lifecycle_free(s->lc);
		meta_store_free(s->meta);
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
	int err = record(s, RECORD_SNAPSHOT, p, sizeof(*p));

	if (err)
		return err;
	err = model_result(lifecycle_snapshot_add(s->lc, p));
	if (err)
		return err;
	return ask_about(s, p->pid, p->cmdline, p->cmdline_len < SNAP_CMDLINE_LEN ? p->cmdline_len : SNAP_CMDLINE_LEN);
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

int session_event(struct session *s, const union nstrace_event *e)
{
	/*
	 * Answers in first, recorded before the event as they are applied:
	 * a container created right after its runtime was asked is named.
	 */
	int err = drain_answers(s);

	if (!err)
		err = record(s, RECORD_EVENT, e, nstrace_event_used_size(e));
	if (err)
		return err;
	s->events++;
	s->last_ns = e->hdr.time_ns;
	/* the event before the transitions it causes, as a reader expects them */
	filter_event(s, e);
	err = model_result(lifecycle_event(s->lc, e));
	if (!err && e->hdr.type == NSTRACE_EVENT_EXEC)
		err = ask_about(s, e->hdr.pid, e->exec.args, e->exec.args_len);
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
	}
	return -EINVAL;
}
