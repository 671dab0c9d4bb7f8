// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include "lifecycle.h"

#define NS_BIT(t) (1u << (t))
/* Ancestors walked to find a runtime: deeper trees are not process lineages. */
#define MAX_LINEAGE 64

struct lc_node {
	struct lc_container c;
	UT_hash_handle by_pidns;
	UT_hash_handle by_serial;
	struct lc_node *prev, *next; /* live containers, in creation order */
};

/*
 * A container entered with setns. The setns calls up to the process's next
 * clone, exec or exit are reported as one join, so that a runtime entering
 * namespaces one at a time is one join; calls that go back out before then
 * are no join at all (dockerd visits a container's network namespace and
 * returns). Namespaces belong to threads: only the thread that entered and
 * the children it forks are in the container.
 */
struct lc_join {
	__u64 serial; /* 0 for none */
	__u32 tid;
	char comm[NSTRACE_COMM_LEN]; /* at the first setns: runc renames its stages without an exec */
	struct nstrace_ns_set entered; /* what it is in now; 0 for a type it is not */
	__u64 time_ns;
	bool reported;
	bool exec_pending; /* the first exec after the join, its own or a child's, is reported */
};

struct lc_process {
	__u32 pid;
	__u32 ppid;
	char comm[NSTRACE_COMM_LEN];
	struct runtime_hint hint; /* from its argv */
	struct lc_container *container; /* innermost, NULL on the host */
	struct lc_join join;
	/* a pid namespace it unshared and has not forked pid 1 into yet */
	__u64 unborn;
	UT_hash_handle hh;
};

/* Which container owns a namespace, for telling joins apart. */
struct lc_owned_ns {
	__u64 key; /* type << 32 | inode */
	__u64 serial;
	UT_hash_handle hh;
};

/* How many pid namespaces had an inode before: inodes are reused at once. */
struct lc_generation {
	__u32 pidns;
	__u32 count;
	UT_hash_handle hh;
};

struct lifecycle {
	lc_emit_fn emit;
	void *ctx;
	struct lc_process *processes;
	struct lc_node *by_pidns;
	struct lc_node *by_serial;
	struct lc_node *head, *tail;
	struct lc_owned_ns *owned;
	struct lc_generation *generations;
	__u64 next_serial;
	__u64 destroyed;
	/* events older than the snapshot are already in it */
	__u64 snapshot_ns;
	/* the host's, from the snapshot: 0 for a type nothing there showed */
	struct nstrace_ns_set host_ns;
	__u32 *survivors;
	size_t survivors_cap;
};

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
		__u64 key = (__u64)t << 32 | c->ns.inum[t];
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
	HASH_DELETE(by_pidns, lc->by_pidns, n);
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
	free(lc);
}

static struct lc_node *node_of(struct lc_container *c)
{
	return (struct lc_node *)c;
}

static struct lc_container *find_by_pidns(struct lifecycle *lc, __u32 pidns)
{
	struct lc_node *n;

	HASH_FIND(by_pidns, lc->by_pidns, &pidns, sizeof(pidns), n);
	return n ? &n->c : NULL;
}

static struct lc_container *find_by_serial(struct lifecycle *lc, __u64 serial)
{
	struct lc_node *n;

	if (!serial)
		return NULL;
	HASH_FIND(by_serial, lc->by_serial, &serial, sizeof(serial), n);
	return n ? &n->c : NULL;
}

static struct lc_process *find_process(struct lifecycle *lc, __u32 pid)
{
	struct lc_process *p;

	HASH_FIND(hh, lc->processes, &pid, sizeof(pid), p);
	return p;
}

static void emit(struct lifecycle *lc, struct lc_transition *t, const struct lc_container *c, __u64 time_ns)
{
	t->container = c;
	t->time_ns = time_ns;
	lc->emit(lc->ctx, t);
}

static void emit_simple(struct lifecycle *lc, enum lc_kind kind, const struct lc_container *c,
			__u64 time_ns, __u32 pid, const char *comm)
{
	struct lc_transition t = { .kind = kind, .pid = pid };

	if (comm)
		memcpy(t.comm, comm, sizeof(t.comm));
	emit(lc, &t, c, time_ns);
}

/* Adds a process to the member counts of its container and every enclosing one. */
static void count_member(struct lc_container *c, int delta)
{
	for (; c; c = c->parent)
		c->members += delta;
}

static bool inside(const struct lc_container *c, const struct lc_container *outer)
{
	for (; c; c = c->parent)
		if (c == outer)
			return true;
	return false;
}

static void own_namespaces(struct lifecycle *lc, struct lc_container *c, nstrace_ns_mask mask)
{
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++) {
		__u64 key = (__u64)t << 32 | c->ns.inum[t];
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

static struct lc_container *owner_of(struct lifecycle *lc, int type, __u32 inum)
{
	__u64 key = (__u64)type << 32 | inum;
	struct lc_owned_ns *o;

	HASH_FIND(hh, lc->owned, &key, sizeof(key), o);
	return o ? find_by_serial(lc, o->serial) : NULL;
}

static void destroy(struct lifecycle *lc, struct lc_container *c, __u64 time_ns)
{
	struct lc_process *p, *ptmp;
	struct lc_node *n;

	c->state = LC_DESTROYED;
	c->destroyed_ns = time_ns;
	emit_simple(lc, LC_DESTROY, c, time_ns, c->init_pid, NULL);
	lc->destroyed++;
	/*
	 * Nothing may point at a freed container. What lost events or a
	 * crafted recording left in it moves out to its parent, which
	 * already counts it among its members.
	 */
	HASH_ITER(hh, lc->processes, p, ptmp)
		if (p->container == c)
			p->container = c->parent;
	for (n = lc->head; n; n = n->next)
		if (n->c.parent == c)
			n->c.parent = c->parent;
	free_node(lc, node_of(c));
}

static void forget_process(struct lifecycle *lc, struct lc_process *p)
{
	HASH_DEL(lc->processes, p);
	free(p);
}

static void check_destroy(struct lifecycle *lc, struct lc_container *c, __u64 time_ns)
{
	while (c) {
		struct lc_container *parent = c->parent;

		if (!c->members && c->state == LC_EXITED)
			destroy(lc, c, time_ns);
		c = parent;
	}
}

/*
 * A pid namespace's inode is freed only after every process in it, and
 * every namespace nested in it, is gone: when the inode comes back while
 * its container looks alive, their exits were lost. Nothing of it may
 * stay referenced.
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
			count_member(old, -1);
			forget_process(lc, p);
		}
	}
	old->incomplete = true;
	destroy(lc, old, time_ns);
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
	check_destroy(lc, outer, time_ns);
}

static struct lc_container *create(struct lifecycle *lc, __u32 pidns, enum lc_origin origin,
				   __u64 time_ns)
{
	struct lc_container *old = find_by_pidns(lc, pidns);
	struct lc_generation *g;
	struct lc_node *n;

	if (old)
		end_stale(lc, old, time_ns);
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	HASH_FIND(hh, lc->generations, &pidns, sizeof(pidns), g);
	if (!g) {
		g = calloc(1, sizeof(*g));
		if (!g) {
			free(n);
			return NULL;
		}
		g->pidns = pidns;
		HASH_ADD(hh, lc->generations, pidns, sizeof(g->pidns), g);
	}
	n->c.generation = g->count++;
	n->c.serial = lc->next_serial++;
	n->c.pidns = pidns;
	n->c.origin = origin;
	n->c.state = LC_CREATED;
	n->c.created_ns = time_ns;
	n->c.incomplete = origin == LC_UNSEEN;
	HASH_ADD(by_pidns, lc->by_pidns, c.pidns, sizeof(n->c.pidns), n);
	HASH_ADD(by_serial, lc->by_serial, c.serial, sizeof(n->c.serial), n);
	n->prev = lc->tail;
	if (lc->tail)
		lc->tail->next = n;
	else
		lc->head = n;
	lc->tail = n;
	return &n->c;
}

/*
 * The most telling runtime among the process and its ancestors in the
 * same container, and the container ID the nearest of them names. The
 * walk stops at the container boundary so that a container started
 * inside a docker container is not called docker.
 */
static void lineage_runtime(struct lifecycle *lc, const struct lc_process *p, struct runtime_hint *out)
{
	const struct lc_container *home = p ? p->container : NULL;

	for (int depth = 0; p && depth < MAX_LINEAGE && p->container == home; depth++) {
		if (p->hint.runtime > out->runtime)
			out->runtime = p->hint.runtime;
		if (!out->id[0] && p->hint.id[0])
			memcpy(out->id, p->hint.id, sizeof(out->id));
		if (p->ppid == p->pid)
			break;
		p = find_process(lc, p->ppid);
	}
}

/* A container nested in itself would make every walk up the parents endless; input may ask for it. */
static void set_parent(struct lc_container *c, struct lc_container *parent)
{
	c->parent = parent && !inside(parent, c) ? parent : NULL;
}

static void set_creator(struct lc_container *c, const struct lc_process *creator)
{
	if (!creator)
		return;
	c->creator_pid = creator->pid;
	memcpy(c->creator_comm, creator->comm, sizeof(c->creator_comm));
	set_parent(c, creator->container);
}

/* Namespaces a container is born with: the pid namespace is the one children get. */
static void container_view(struct nstrace_ns_set *view, const struct nstrace_ns_set *creator)
{
	*view = *creator;
	view->inum[NSTRACE_NS_PID] = creator->inum[NSTRACE_NS_PID_FOR_CHILDREN];
	view->inum[NSTRACE_NS_TIME] = creator->inum[NSTRACE_NS_TIME_FOR_CHILDREN];
}

/* unshare and setns name *_for_children; a container owns the namespaces its members live in. */
static nstrace_ns_mask for_children_to_own(nstrace_ns_mask mask)
{
	if (mask & NS_BIT(NSTRACE_NS_PID_FOR_CHILDREN))
		mask |= NS_BIT(NSTRACE_NS_PID);
	if (mask & NS_BIT(NSTRACE_NS_TIME_FOR_CHILDREN))
		mask |= NS_BIT(NSTRACE_NS_TIME);
	return mask;
}

static struct lc_process *new_process(struct lifecycle *lc, __u32 pid)
{
	struct lc_process *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->pid = pid;
	HASH_ADD(hh, lc->processes, pid, sizeof(p->pid), p);
	return p;
}

/* The container a task is in, from its pid namespace; one is made up if its start was missed. */
static struct lc_container *container_of(struct lifecycle *lc, const struct nstrace_header *hdr)
{
	struct lc_container *c;

	if (hdr->nspid_levels <= 1)
		return NULL;
	c = find_by_pidns(lc, hdr->ns.inum[NSTRACE_NS_PID]);
	if (c)
		return c;
	c = create(lc, hdr->ns.inum[NSTRACE_NS_PID], LC_UNSEEN, hdr->time_ns);
	if (c) {
		c->ns = hdr->ns;
		c->state = LC_RUNNING;
		emit_simple(lc, LC_CREATE, c, hdr->time_ns, 0, NULL);
	}
	return c;
}

static void start_init(struct lifecycle *lc, struct lc_container *c, const struct nstrace_header *hdr)
{
	c->state = LC_RUNNING;
	c->init_pid = hdr->pid;
	c->init_ns = hdr->time_ns;
	c->init_nspid_levels = hdr->nspid_levels;
	memcpy(c->init_nspid, hdr->nspid, sizeof(c->init_nspid));
	c->ns = hdr->ns;
	emit_simple(lc, LC_INIT, c, hdr->time_ns, hdr->pid, hdr->comm);
}

static void flush_join(struct lifecycle *lc, struct lc_process *p)
{
	struct lc_join *j = &p->join;
	struct lc_container *c = find_by_serial(lc, j->serial);
	struct lc_transition t = { .kind = LC_JOIN, .pid = p->pid };

	if (!j->serial || j->reported)
		return;
	if (!c) {
		memset(j, 0, sizeof(*j));
		return;
	}
	j->reported = true;
	j->exec_pending = true;
	c->joins++;
	memcpy(t.comm, j->comm, sizeof(t.comm));
	t.entered = j->entered;
	emit(lc, &t, c, j->time_ns);
}

/* The thread's next clone, exec or exit ends a run of setns calls. */
static void flush_join_of(struct lifecycle *lc, struct lc_process *p, __u32 tid)
{
	if (p && p->join.tid == tid)
		flush_join(lc, p);
}

/* The joined thread moved a namespace type out of the container it entered. */
static void leave_joined(struct lc_process *p, __u32 tid, int type)
{
	struct lc_join *j = &p->join;

	if (!j->serial || j->tid != tid || !j->entered.inum[type])
		return;
	j->entered.inum[type] = 0;
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		if (j->entered.inum[t])
			return;
	/* out of all of them again: nothing it does from now on happens in there */
	memset(j, 0, sizeof(*j));
}

/* The process an event is about, made up from the event if it was never seen. */
static struct lc_process *subject(struct lifecycle *lc, const struct nstrace_header *hdr)
{
	struct lc_process *p = find_process(lc, hdr->pid);
	__u32 pidns = hdr->nspid_levels > 1 ? hdr->ns.inum[NSTRACE_NS_PID] : 0;

	if (p && (p->container ? p->container->pidns : 0) == pidns) {
		/* names change without an exec (runc's stages call prctl); the leader's is the process's */
		if (hdr->tid == hdr->pid)
			memcpy(p->comm, hdr->comm, sizeof(p->comm));
		return p;
	}
	/* a process never leaves its pid namespace: this one's pid was reused while its exit was lost */
	if (p) {
		count_member(p->container, -1);
		forget_process(lc, p);
	}
	p = new_process(lc, hdr->pid);
	if (!p)
		return NULL;
	p->ppid = hdr->ppid;
	memcpy(p->comm, hdr->comm, sizeof(p->comm));
	p->container = container_of(lc, hdr);
	count_member(p->container, 1);
	return p;
}

static int handle_clone(struct lifecycle *lc, const struct nstrace_clone_event *e)
{
	const struct nstrace_header *hdr = &e->hdr;
	struct lc_process *caller = find_process(lc, e->caller_pid);
	struct lc_process *child;
	struct lc_container *c;

	flush_join_of(lc, caller, e->caller_tid);
	/* the child starts with the caller's name as it is now, after any prctl */
	if (caller && e->caller_tid == e->caller_pid)
		memcpy(caller->comm, hdr->comm, sizeof(caller->comm));
	/* a thread is no new process; it was only sent for namespaces of its own */
	if (e->flags & NSTRACE_CLONE_THREAD)
		return 0;
	child = find_process(lc, hdr->pid);
	/* a pid reused while its exit was lost; a record may even name the caller's own */
	if (child) {
		if (child == caller)
			caller = NULL;
		count_member(child->container, -1);
		forget_process(lc, child);
	}
	if (e->flags & NSTRACE_CLONE_NEWPID) {
		c = create(lc, hdr->ns.inum[NSTRACE_NS_PID], LC_BY_CLONE, hdr->time_ns);
		if (!c)
			return -ENOMEM;
		/* ending a stale namespace may have dropped a stale record of the caller */
		caller = find_process(lc, e->caller_pid);
		set_creator(c, caller);
		c->ns = hdr->ns;
		lineage_runtime(lc, caller, &c->runtime);
		emit_simple(lc, LC_CREATE, c, hdr->time_ns, caller ? caller->pid : 0, caller ? caller->comm : NULL);
		own_namespaces(lc, c, nstrace_new_ns((const union nstrace_event *)e));
	}
	child = new_process(lc, hdr->pid);
	if (!child)
		return -ENOMEM;
	child->ppid = hdr->ppid;
	memcpy(child->comm, hdr->comm, sizeof(child->comm));
	if (caller) {
		/* a fork runs its parent's argv until it execs */
		child->hint = caller->hint;
		/* and is where the forking thread is */
		if (caller->join.serial && caller->join.tid == e->caller_tid) {
			child->join = caller->join;
			child->join.tid = hdr->tid;
		}
	}
	c = container_of(lc, hdr);
	child->container = c;
	count_member(c, 1);
	if (c && c->command_pending && caller && caller->pid == c->init_pid) {
		c->command_pending = false;
		c->command_pid = child->pid;
	}
	if (c && c->state == LC_CREATED && nstrace_inner_pid(hdr) == 1)
		start_init(lc, c, hdr);
	return 0;
}

static int handle_unshare(struct lifecycle *lc, const struct nstrace_unshare_event *e)
{
	const struct nstrace_header *hdr = &e->hdr;
	struct lc_process *p = subject(lc, hdr);
	nstrace_ns_mask created = nstrace_new_ns((const union nstrace_event *)e);
	struct lc_container *c;

	if (!p)
		return -ENOMEM;
	flush_join_of(lc, p, hdr->tid);
	if (!created)
		return 0;
	/* pid 1 unsharing more (runc's init takes its cgroup namespace late) */
	c = p->container;
	if (c && c->init_pid == p->pid && !(created & NS_BIT(NSTRACE_NS_PID_FOR_CHILDREN))) {
		container_view(&c->ns, &hdr->ns);
		c->ns.inum[NSTRACE_NS_PID] = hdr->ns.inum[NSTRACE_NS_PID];
		own_namespaces(lc, c, for_children_to_own(created));
		return 0;
	}
	if (!(created & NS_BIT(NSTRACE_NS_PID_FOR_CHILDREN)))
		return 0;
	c = create(lc, hdr->ns.inum[NSTRACE_NS_PID_FOR_CHILDREN], LC_BY_UNSHARE, hdr->time_ns);
	if (!c)
		return -ENOMEM;
	/* ending a stale namespace may have dropped a stale record of the caller */
	p = subject(lc, hdr);
	if (!p)
		return -ENOMEM;
	set_creator(c, p);
	p->unborn = c->serial;
	container_view(&c->ns, &hdr->ns);
	lineage_runtime(lc, p, &c->runtime);
	emit_simple(lc, LC_CREATE, c, hdr->time_ns, p->pid, p->comm);
	own_namespaces(lc, c, for_children_to_own(created) & ~NS_BIT(NSTRACE_NS_PID_FOR_CHILDREN));
	return 0;
}

static int handle_setns(struct lifecycle *lc, const struct nstrace_setns_event *e)
{
	const struct nstrace_header *hdr = &e->hdr;
	nstrace_ns_mask entered = nstrace_setns_entered(e);
	struct lc_process *p;

	if (!entered)
		return 0;
	p = subject(lc, hdr);
	if (!p)
		return -ENOMEM;
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++) {
		int own_type = t == NSTRACE_NS_PID_FOR_CHILDREN	   ? NSTRACE_NS_PID
			       : t == NSTRACE_NS_TIME_FOR_CHILDREN ? NSTRACE_NS_TIME
								   : t;
		struct lc_join *j = &p->join;
		struct lc_container *c;

		if (!(entered & NS_BIT(t)))
			continue;
		c = owner_of(lc, own_type, hdr->ns.inum[t]);
		if (!c || inside(p->container, c)) {
			leave_joined(p, hdr->tid, own_type);
			continue;
		}
		if (j->serial != c->serial || j->tid != hdr->tid) {
			flush_join(lc, p);
			memset(j, 0, sizeof(*j));
			j->serial = c->serial;
			j->tid = hdr->tid;
			j->time_ns = hdr->time_ns;
			memcpy(j->comm, hdr->comm, sizeof(j->comm));
		}
		j->entered.inum[own_type] = hdr->ns.inum[t];
	}
	return 0;
}

static int handle_exec(struct lifecycle *lc, const struct nstrace_exec_event *e)
{
	const struct nstrace_header *hdr = &e->hdr;
	struct lc_process *p = subject(lc, hdr);
	struct lc_transition t = { .kind = LC_EXEC, .exec = e, .pid = hdr->pid };
	struct lc_container *c, *joined;

	if (!p)
		return -ENOMEM;
	flush_join_of(lc, p, e->old_tid);
	/* exec ends the other threads, and the calling one goes on as the leader */
	if (p->join.tid == e->old_tid)
		p->join.tid = hdr->tid;
	else
		memset(&p->join, 0, sizeof(p->join));
	memcpy(p->comm, hdr->comm, sizeof(p->comm));
	runtime_hint_from_argv(e->args, e->args_len, &p->hint);
	memcpy(t.comm, hdr->comm, sizeof(t.comm));

	c = p->container;
	if (c && (c->init_pid == p->pid || (c->command_pid && c->command_pid == p->pid)) &&
	    c->state == LC_RUNNING) {
		if (c->execs < LC_MAX_EXECS)
			c->exec_ns[c->execs] = hdr->time_ns;
		t.exec_index = ++c->execs;
		if (c->init_pid == p->pid)
			c->command_pending = runtime_init_shim(e->filename, sizeof(e->filename));
		emit(lc, &t, c, hdr->time_ns);
		return 0;
	}
	joined = find_by_serial(lc, p->join.serial);
	if (joined && p->join.exec_pending) {
		p->join.exec_pending = false;
		t.joined = true;
		emit(lc, &t, joined, hdr->time_ns);
	}
	return 0;
}

static int collect_survivors(struct lifecycle *lc, const struct lc_container *c, __u32 dead,
			     __u32 *count)
{
	struct lc_process *p, *tmp;

	*count = 0;
	HASH_ITER(hh, lc->processes, p, tmp) {
		if (p->pid == dead || !inside(p->container, c))
			continue;
		if (*count == lc->survivors_cap) {
			size_t cap = lc->survivors_cap ? lc->survivors_cap * 2 : 64;
			__u32 *grown = realloc(lc->survivors, cap * sizeof(*grown));

			if (!grown)
				return -ENOMEM;
			lc->survivors = grown;
			lc->survivors_cap = cap;
		}
		lc->survivors[(*count)++] = p->pid;
	}
	return 0;
}

static int handle_exit(struct lifecycle *lc, const struct nstrace_exit_event *e)
{
	const struct nstrace_header *hdr = &e->hdr;
	struct lc_process *p = subject(lc, hdr);
	struct lc_container *c, *unborn;
	int err = 0;

	if (!p)
		return -ENOMEM;
	/* the whole process is gone, whichever thread had entered */
	flush_join(lc, p);
	c = p->container;
	if (c && c->init_pid == p->pid && c->state == LC_RUNNING) {
		struct lc_transition t = { .kind = LC_EXIT, .pid = p->pid };

		c->state = LC_EXITED;
		c->exit_code = e->exit_code;
		c->exit_ns = hdr->time_ns;
		memcpy(t.comm, hdr->comm, sizeof(t.comm));
		err = collect_survivors(lc, c, p->pid, &t.survivor_count);
		t.survivors = lc->survivors;
		emit(lc, &t, c, hdr->time_ns);
	}
	/* its pid may come back for another process: that one runs no command */
	if (c && c->command_pid == p->pid)
		c->command_pid = 0;
	unborn = find_by_serial(lc, p->unborn);
	count_member(c, -1);
	forget_process(lc, p);
	/* a pid namespace whose creator dies before forking its pid 1 dies with it */
	if (unborn && unborn->state == LC_CREATED) {
		/* a recording may even have put the creator in it */
		if (unborn == c)
			c = c->parent;
		destroy(lc, unborn, hdr->time_ns);
	}
	check_destroy(lc, c, hdr->time_ns);
	return err;
}

int lifecycle_event(struct lifecycle *lc, const union nstrace_event *e)
{
	if (e->hdr.time_ns < lc->snapshot_ns)
		return 0;
	switch (e->hdr.type) {
	case NSTRACE_EVENT_CLONE:
		return handle_clone(lc, &e->clone);
	case NSTRACE_EVENT_UNSHARE:
		return handle_unshare(lc, &e->unshare);
	case NSTRACE_EVENT_SETNS:
		return handle_setns(lc, &e->setns);
	case NSTRACE_EVENT_EXEC:
		return handle_exec(lc, &e->exec);
	case NSTRACE_EVENT_EXIT:
		return handle_exit(lc, &e->exit);
	}
	return -EINVAL;
}

void lifecycle_lost(struct lifecycle *lc, __u64 count)
{
	if (!count)
		return;
	for (struct lc_node *n = lc->head; n; n = n->next)
		n->c.incomplete = true;
}

/*
 * The bytes of text up to its last newline when it filled its buffer: the
 * last line was cut there, and a cut path names another container.
 */
static size_t whole_lines(const char *text, size_t len, size_t size)
{
	const char *nl;

	if (len < size)
		return len;
	nl = memrchr(text, '\n', size);
	return nl ? (size_t)(nl - text) + 1 : 0;
}

int lifecycle_snapshot_add(struct lifecycle *lc, const struct snap_process *s)
{
	struct lc_process *p = find_process(lc, s->pid);
	struct runtime_hint cg;
	struct lc_container *c = NULL;

	if (p || s->nspid_levels > NSTRACE_MAX_PID_LEVELS)
		return -EINVAL;
	p = new_process(lc, s->pid);
	if (!p)
		return -ENOMEM;
	p->ppid = s->ppid;
	memcpy(p->comm, s->comm, sizeof(p->comm));
	p->comm[sizeof(p->comm) - 1] = '\0';
	/*
	 * The host's namespaces are those of the tasks the kernel starts itself
	 * (ppid 0): pid 1 first, then kthreadd, which never leaves the initial
	 * ones. pid 1's links can be unreadable even to root (without
	 * CAP_SYS_PTRACE over it); a type nothing showed stays unknown.
	 */
	if (s->ppid == 0 && s->nspid_levels == 1)
		for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
			if (!lc->host_ns.inum[t])
				lc->host_ns.inum[t] = s->ns.inum[t];
	runtime_hint_from_argv(s->cmdline, s->cmdline_len < SNAP_CMDLINE_LEN ? s->cmdline_len : SNAP_CMDLINE_LEN,
			       &p->hint);
	if (s->nspid_levels <= 1)
		return 0;

	c = find_by_pidns(lc, s->ns.inum[NSTRACE_NS_PID]);
	if (!c) {
		c = create(lc, s->ns.inum[NSTRACE_NS_PID], LC_EXISTING, 0);
		if (!c)
			return -ENOMEM;
		c->state = LC_RUNNING;
		c->ns = s->ns;
	}
	p->container = c;
	if (runtime_hint_from_cgroup(s->cgroup, whole_lines(s->cgroup, s->cgroup_len, SNAP_CGROUP_LEN), &cg) &&
	    cg.runtime >= c->runtime.runtime)
		c->runtime = cg;
	if (s->nspid[s->nspid_levels - 1] == 1) {
		c->init_pid = s->pid;
		c->init_nspid_levels = s->nspid_levels;
		memcpy(c->init_nspid, s->nspid, sizeof(c->init_nspid));
		c->ns = s->ns;
	}
	return 0;
}

int lifecycle_snapshot_done(struct lifecycle *lc, __u64 started_ns)
{
	struct lc_process *p, *tmp;
	struct lc_node *n;

	/* Nesting and runtimes need the whole process tree, so they come last. */
	for (n = lc->head; n; n = n->next) {
		struct lc_process *init = find_process(lc, n->c.init_pid);
		struct lc_process *parent = init ? find_process(lc, init->ppid) : NULL;
		struct runtime_hint lineage = { 0 };

		if (n->c.origin != LC_EXISTING)
			continue;
		if (parent) {
			set_parent(&n->c, parent->container);
			n->c.creator_pid = parent->pid;
			memcpy(n->c.creator_comm, parent->comm, sizeof(n->c.creator_comm));
			lineage_runtime(lc, parent, &lineage);
		}
		if (lineage.runtime > n->c.runtime.runtime)
			n->c.runtime.runtime = lineage.runtime;
		if (!n->c.runtime.id[0])
			memcpy(n->c.runtime.id, lineage.id, sizeof(lineage.id));
	}
	HASH_ITER(hh, lc->processes, p, tmp)
		count_member(p->container, 1);
	lc->snapshot_ns = started_ns;
	for (n = lc->head; n; n = n->next) {
		nstrace_ns_mask own = 0;

		if (n->c.origin != LC_EXISTING)
			continue;
		/*
		 * What it does not share with the container or host around it is its
		 * own; where the outer one's is unknown, so is ownership, and
		 * nothing is claimed.
		 */
		for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++) {
			const struct nstrace_ns_set *outer = n->c.parent ? &n->c.parent->ns : &lc->host_ns;

			if (t == NSTRACE_NS_PID ||
			    (outer->inum[t] && n->c.ns.inum[t] && n->c.ns.inum[t] != outer->inum[t]))
				own |= NS_BIT(t);
		}
		own_namespaces(lc, &n->c, own);
		emit_simple(lc, LC_CREATE, &n->c, 0, n->c.creator_pid, n->c.creator_comm);
		if (n->c.init_pid)
			emit_simple(lc, LC_INIT, &n->c, 0, n->c.init_pid, NULL);
	}
	return 0;
}

void lifecycle_for_each(struct lifecycle *lc, void (*fn)(void *ctx, const struct lc_container *c), void *ctx)
{
	for (struct lc_node *n = lc->head; n; n = n->next)
		fn(ctx, &n->c);
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
		t->to_exec_ns[i] = c->exec_ns[i] - prev;
		prev = c->exec_ns[i];
	}
	t->total_ns = prev - c->created_ns;
	return true;
}
