// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The model's store: containers by the namespace they are known by and
 * by serial, the processes it tracks, which container owns which
 * namespace, and how many namespaces each inode has named. Creating and
 * ending containers, and working out what they share, live here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "creds.h"
#include "lifecycle_internal.h"

/* Ancestors walked to find a runtime: deeper trees are not process lineages. */
#define MAX_LINEAGE 64

struct lifecycle *lifecycle_new(lc_emit_fn emit, void *ctx)
{
	struct lifecycle *lc = calloc(1, sizeof(*lc));

	if (!lc)
		return NULL;
	lc->emit = emit;
	lc->ctx = ctx;
	lc->next_serial = 1;
	return lc;
}

static void drop_owned(struct lifecycle *lc, const struct lc_container *c)
{
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++) {
		__u64 key = lc_ns_key(t, c->ns.inum[t]);
		struct lc_owned_ns *o;

		if (!(c->owned & NS_BIT(t)))
			continue;
		HASH_FIND(hh, lc->owned, &key, sizeof(key), o);
		if (o && o->serial == c->serial) {
			HASH_DEL(lc->owned, o);
			free(o);
		}
	}
}

static void free_node(struct lifecycle *lc, struct lc_node *n)
{
	HASH_DELETE(by_key, lc->by_key, n);
	if (n->c.serial)
		HASH_DELETE(by_serial, lc->by_serial, n);
	if (n->prev)
		n->prev->next = n->next;
	else
		lc->head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		lc->tail = n->prev;
	drop_owned(lc, &n->c);
	free(n->c.mounts);
	free(n);
}

void lifecycle_free(struct lifecycle *lc)
{
	struct lc_process *p, *ptmp;
	struct lc_owned_ns *o, *otmp;
	struct lc_generation *g, *gtmp;

	if (!lc)
		return;
	HASH_ITER(hh, lc->processes, p, ptmp) {
		HASH_DEL(lc->processes, p);
		free(p);
	}
	while (lc->head)
		free_node(lc, lc->head);
	HASH_ITER(hh, lc->owned, o, otmp) {
		HASH_DEL(lc->owned, o);
		free(o);
	}
	HASH_ITER(hh, lc->generations, g, gtmp) {
		HASH_DEL(lc->generations, g);
		free(g);
	}
	free(lc->survivors);
	free(lc->snap);
	free(lc);
}

struct lc_container *lc_find_by_key(struct lifecycle *lc, int type, __u32 inum)
{
	__u64 key = lc_ns_key(type, inum);
	struct lc_node *n;

	HASH_FIND(by_key, lc->by_key, &key, sizeof(key), n);
	return n ? &n->c : NULL;
}

struct lc_container *lc_find_by_serial(struct lifecycle *lc, __u64 serial)
{
	struct lc_node *n;

	if (!serial)
		return NULL;
	HASH_FIND(by_serial, lc->by_serial, &serial, sizeof(serial), n);
	return n ? &n->c : NULL;
}

struct lc_process *lc_find_process(struct lifecycle *lc, __u32 pid)
{
	struct lc_process *p;

	HASH_FIND(hh, lc->processes, &pid, sizeof(pid), p);
	return p;
}

struct lc_process *lc_new_process(struct lifecycle *lc, __u32 pid)
{
	struct lc_process *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->pid = pid;
	HASH_ADD(hh, lc->processes, pid, sizeof(p->pid), p);
	return p;
}

void lc_forget_process(struct lifecycle *lc, struct lc_process *p)
{
	HASH_DEL(lc->processes, p);
	free(p);
}

/* Namespace types a process lives in; the *_for_children ones are where its children will. */
static bool lived_in(int type)
{
	return type != NSTRACE_NS_PID_FOR_CHILDREN && type != NSTRACE_NS_TIME_FOR_CHILDREN;
}

void lc_update_sharing(struct lifecycle *lc, struct lc_container *c)
{
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++) {
		struct lc_share *s = &c->share[t];
		__u32 inum = c->ns.inum[t];
		struct lc_container *owner;

		/*
		 * What it shares with another container stays so after that one
		 * ends, as long as the inode is the same: the sharing happened.
		 */
		if (!lived_in(t) || (s->inum == inum && s->kind == LC_SHARE_CONTAINER))
			continue;
		s->inum = inum;
		s->serial = 0;
		owner = inum ? lc_owner_of(lc, t, inum) : NULL;
		if (!inum)
			s->kind = LC_SHARE_UNKNOWN;
		else if (c->owned & NS_BIT(t))
			s->kind = LC_SHARE_PRIVATE;
		else if (lc->host_ns.inum[t] == inum)
			s->kind = LC_SHARE_HOST;
		else if (owner && owner != c) {
			s->kind = LC_SHARE_CONTAINER;
			s->serial = owner->serial;
		} else
			s->kind = LC_SHARE_OTHER;
	}
}

void lc_emit(struct lifecycle *lc, struct lc_transition *t, struct lc_container *c, __u64 time_ns)
{
	lc_update_sharing(lc, c);
	t->container = c;
	t->time_ns = time_ns;
	lc->emit(lc->ctx, t);
}

void lc_emit_simple(struct lifecycle *lc, enum lc_kind kind, struct lc_container *c, __u64 time_ns, __u32 pid,
		    const char *comm)
{
	struct lc_transition t = { .kind = kind, .pid = pid };

	if (comm)
		memcpy(t.comm, comm, sizeof(t.comm));
	lc_emit(lc, &t, c, time_ns);
}

void lc_count_member(struct lc_container *c, int delta)
{
	for (; c; c = c->parent)
		c->members += delta;
}

bool lc_inside(const struct lc_container *c, const struct lc_container *outer)
{
	for (; c; c = c->parent)
		if (c == outer)
			return true;
	return false;
}

/*
 * A container nested in itself would make every walk up the parents
 * endless; input may ask for it. A pending one is no container to be in.
 */
void lc_set_parent(struct lc_container *c, struct lc_container *parent)
{
	while (parent && parent->state == LC_PENDING)
		parent = parent->parent;
	c->parent = parent && !lc_inside(parent, c) ? parent : NULL;
}

void lc_own_namespaces(struct lifecycle *lc, struct lc_container *c, nstrace_ns_mask mask)
{
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++) {
		__u64 key = lc_ns_key(t, c->ns.inum[t]);
		struct lc_owned_ns *o;

		if (!(mask & NS_BIT(t)) || !c->ns.inum[t] || (c->owned & NS_BIT(t)))
			continue;
		HASH_FIND(hh, lc->owned, &key, sizeof(key), o);
		if (!o) {
			o = calloc(1, sizeof(*o));
			if (!o)
				continue;
			o->key = key;
			HASH_ADD(hh, lc->owned, key, sizeof(o->key), o);
		}
		/* a reused inode now names this container's namespace */
		o->serial = c->serial;
		c->owned |= NS_BIT(t);
	}
}

struct lc_container *lc_owner_of(struct lifecycle *lc, int type, __u32 inum)
{
	__u64 key = lc_ns_key(type, inum);
	struct lc_owned_ns *o;

	HASH_FIND(hh, lc->owned, &key, sizeof(key), o);
	return o ? lc_find_by_serial(lc, o->serial) : NULL;
}

static void hand_to_parent(struct lifecycle *lc, struct lc_container *c);

void lc_destroy(struct lifecycle *lc, struct lc_container *c, __u64 time_ns)
{
	c->state = LC_DESTROYED;
	c->destroyed_ns = time_ns;
	lc_emit_simple(lc, LC_DESTROY, c, time_ns, c->init_pid, NULL);
	lc->destroyed++;
	/*
	 * Nothing may point at a freed container. What lost events or a
	 * crafted recording left in it moves out to its parent, which
	 * already counts it among its members.
	 */
	hand_to_parent(lc, c);
	free_node(lc, lc_node_of(c));
}

/* Whatever still points at c points at its parent instead. */
static void hand_to_parent(struct lifecycle *lc, struct lc_container *c)
{
	struct lc_process *p, *ptmp;
	struct lc_node *n;

	HASH_ITER(hh, lc->processes, p, ptmp)
		if (p->container == c)
			p->container = c->parent;
	for (n = lc->head; n; n = n->next)
		if (n->c.parent == c)
			n->c.parent = c->parent;
}

void lc_discard(struct lifecycle *lc, struct lc_container *c)
{
	hand_to_parent(lc, c);
	free_node(lc, lc_node_of(c));
}

void lc_check_destroy(struct lifecycle *lc, struct lc_container *c, __u64 time_ns)
{
	while (c) {
		struct lc_container *parent = c->parent;

		if (!c->members && c->state == LC_EXITED)
			lc_destroy(lc, c, time_ns);
		else if (!c->members && c->state == LC_PENDING)
			lc_discard(lc, c);
		c = parent;
	}
}

/*
 * A namespace's inode is freed only after every process in it, and
 * every pid namespace nested in it, is gone: when the inode comes back
 * while its container looks alive, their exits were lost. Nothing of it
 * may stay referenced.
 */
static void drop_stale(struct lifecycle *lc, struct lc_container *old, __u64 time_ns)
{
	struct lc_process *p, *tmp;
	struct lc_node *n;

again:
	for (n = lc->head; n; n = n->next) {
		if (n->c.parent == old) {
			/* ending it frees it and maybe what follows it: walk again */
			drop_stale(lc, &n->c, time_ns);
			goto again;
		}
	}
	HASH_ITER(hh, lc->processes, p, tmp) {
		if (p->container == old) {
			lc_count_member(old, -1);
			lc_forget_process(lc, p);
		}
	}
	old->incomplete = true;
	if (old->state == LC_PENDING)
		lc_discard(lc, old);
	else
		lc_destroy(lc, old, time_ns);
}

/*
 * Only once the whole stale tree is gone may the containers around it end;
 * they missed the same exits.
 */
static void end_stale(struct lifecycle *lc, struct lc_container *old, __u64 time_ns)
{
	struct lc_container *outer = old->parent;

	for (struct lc_container *c = outer; c; c = c->parent)
		c->incomplete = true;
	drop_stale(lc, old, time_ns);
	lc_check_destroy(lc, outer, time_ns);
}

struct lc_container *lc_create(struct lifecycle *lc, enum lc_key key, __u32 inum, enum lc_origin origin,
			       __u64 time_ns, bool pending)
{
	int type = key == LC_KEY_PIDNS ? NSTRACE_NS_PID : NSTRACE_NS_MNT;
	struct lc_container *old = lc_find_by_key(lc, type, inum);
	struct lc_generation *g;
	struct lc_node *n;

	if (old)
		end_stale(lc, old, time_ns);
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->key = lc_ns_key(type, inum);
	HASH_FIND(hh, lc->generations, &n->key, sizeof(n->key), g);
	if (!g) {
		g = calloc(1, sizeof(*g));
		if (!g) {
			free(n);
			return NULL;
		}
		g->key = n->key;
		HASH_ADD(hh, lc->generations, key, sizeof(g->key), g);
	}
	n->c.generation = g->count++;
	n->c.key = key;
	if (key == LC_KEY_PIDNS)
		n->c.pidns = inum;
	else
		n->c.mntns = inum;
	n->c.origin = origin;
	n->c.state = pending ? LC_PENDING : LC_CREATED;
	n->c.created_ns = time_ns;
	n->c.incomplete = origin == LC_UNSEEN;
	HASH_ADD(by_key, lc->by_key, key, sizeof(n->key), n);
	if (!pending)
		lc_promote(lc, &n->c);
	n->prev = lc->tail;
	if (lc->tail)
		lc->tail->next = n;
	else
		lc->head = n;
	lc->tail = n;
	return &n->c;
}

void lc_promote(struct lifecycle *lc, struct lc_container *c)
{
	struct lc_node *n = lc_node_of(c);

	c->serial = lc->next_serial++;
	HASH_ADD(by_serial, lc->by_serial, c.serial, sizeof(n->c.serial), n);
	lc_own_namespaces(lc, c, n->made);
	n->made = 0;
}

/*
 * The most telling runtime among the process and its ancestors in the
 * same container, and the container ID the nearest of them names. The
 * walk stops at the container boundary so that a container started
 * inside a docker container is not called docker.
 */
void lc_lineage_runtime(struct lifecycle *lc, const struct lc_process *p, struct runtime_hint *out)
{
	const struct lc_container *home = p ? p->container : NULL;

	for (int depth = 0; p && depth < MAX_LINEAGE && p->container == home; depth++) {
		if (p->hint.runtime > out->runtime)
			out->runtime = p->hint.runtime;
		if (!out->id[0] && p->hint.id[0])
			memcpy(out->id, p->hint.id, sizeof(out->id));
		if (p->ppid == p->pid)
			break;
		p = lc_find_process(lc, p->ppid);
	}
}

void lifecycle_for_each(struct lifecycle *lc, void (*fn)(void *ctx, const struct lc_container *c), void *ctx)
{
	for (struct lc_node *n = lc->head; n; n = n->next) {
		if (n->c.state == LC_PENDING)
			continue;
		lc_update_sharing(lc, &n->c);
		fn(ctx, &n->c);
	}
}

struct lc_counts lifecycle_counts(const struct lifecycle *lc)
{
	struct lc_counts counts = {
		.containers = lc->next_serial - 1,
		.destroyed = lc->destroyed,
		.processes = HASH_COUNT(lc->processes),
	};

	return counts;
}

bool lifecycle_timeline(const struct lc_container *c, struct lc_timeline *t)
{
	__u64 prev;

	memset(t, 0, sizeof(*t));
	if (c->origin == LC_EXISTING || c->origin == LC_UNSEEN || !c->init_ns || c->init_ns < c->created_ns)
		return false;
	t->to_init_ns = c->init_ns - c->created_ns;
	prev = c->init_ns;
	t->execs = c->execs < LC_MAX_EXECS ? c->execs : LC_MAX_EXECS;
	for (__u32 i = 0; i < t->execs; i++) {
		/* clocks of one machine do not run back: a record that says so is damaged */
		if (c->exec_ns[i] < prev) {
			memset(t, 0, sizeof(*t));
			return false;
		}
		t->to_exec_ns[i] = c->exec_ns[i] - prev;
		prev = c->exec_ns[i];
	}
	t->total_ns = prev - c->created_ns;
	return true;
}

static bool who_lookup(void *ctx, __u32 pid, struct who_process *out)
{
	struct lc_process *p = lc_find_process(ctx, pid);

	if (!p)
		return false;
	memset(out, 0, sizeof(*out));
	out->pid = p->pid;
	/* a process that is its own parent (a made-up record) ends the chain */
	out->ppid = p->ppid == p->pid ? 0 : p->ppid;
	memcpy(out->comm, p->comm, sizeof(out->comm));
	out->runtime = who_is_runtime(p->comm, &p->hint);
	who_set_ids(out, &p->creds);
	return true;
}

void lc_trace_who(struct lifecycle *lc, struct lc_container *c)
{
	who_trace(c->creator_pid, who_lookup, lc, &c->who);
}

void lc_set_init_creds(struct lifecycle *lc, struct lc_container *c, const struct nstrace_creds *creds)
{
	c->init_creds = *creds;
	c->privileged_known = (creds->flags & NSTRACE_CREDS_READ) && lc->host_bounding;
	c->privileged = creds_privileged(creds, lc->host_bounding);
}

__u64 lifecycle_host_bounding(const struct lifecycle *lc)
{
	return lc->host_bounding;
}

const struct lc_container *lifecycle_container_of(struct lifecycle *lc, __u32 pid)
{
	struct lc_process *p = lc_find_process(lc, pid);

	if (!p)
		return NULL;
	/* one that entered a container with setns is in it, though its pid namespace is the host's */
	if (!p->container && p->join.serial && p->join.reported)
		return lc_find_by_serial(lc, p->join.serial);
	return p->container;
}

const struct lc_container *lifecycle_container(struct lifecycle *lc, __u64 serial)
{
	return lc_find_by_serial(lc, serial);
}

bool lifecycle_is_host_ns(const struct lifecycle *lc, int type, __u32 inum)
{
	return type >= 0 && type < NSTRACE_NS_TYPE_COUNT && inum && lc->host_ns.inum[type] == inum;
}

const struct lc_container *lifecycle_ns_owner(struct lifecycle *lc, int type, __u32 inum)
{
	return lc_owner_of(lc, type, inum);
}

bool lifecycle_inside(const struct lc_container *c, const struct lc_container *outer)
{
	return lc_inside(c, outer);
}
