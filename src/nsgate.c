// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include "nsgate.h"

/*
 * The types only unshare, setns and clone flags change. The active pid
 * namespace never changes; the time namespace follows
 * time_for_children at exec and at a clone without CLONE_VM, so
 * time_for_children stands for both.
 */
#define COMPARED                                                                                        \
	((1u << NSTRACE_NS_MNT) | (1u << NSTRACE_NS_UTS) | (1u << NSTRACE_NS_IPC) | (1u << NSTRACE_NS_NET) | \
	 (1u << NSTRACE_NS_CGROUP) | (1u << NSTRACE_NS_USER) | (1u << NSTRACE_NS_PID_FOR_CHILDREN) |         \
	 (1u << NSTRACE_NS_TIME_FOR_CHILDREN))

/* Threads and processes remembered at most; past it all is forgotten, as after a loss. */
#define MAX_KNOWN (1u << 16)
/* Distinct namespace sets remembered per process */
#define PROCESS_SETS 4

/* A thread with a record of its own (the subject of an unshare, setns or clone): its namespaces after it. */
struct known_thread {
	__u32 tid;
	__u32 pid;
	__u64 since_ns; /* older than its process's birth or exec: a thread long gone */
	struct nstrace_ns_set ns;
	UT_hash_handle hh;
};

/*
 * A process and the namespace sets its threads were seen in, newest
 * first. A thread without a record of its own was made by one of its
 * threads (plain thread creation is not traced), so it is in one of them.
 */
struct known_process {
	__u32 pid;
	bool partial; /* met after its birth: the sets of its other threads are not known */
	__u64 since_ns; /* its birth or last exec */
	unsigned int count;
	struct nstrace_ns_set sets[PROCESS_SETS];
	UT_hash_handle hh;
};

struct nsgate {
	struct known_thread *threads;
	struct known_process *processes;
	unsigned int count;
};

struct nsgate *nsgate_new(void)
{
	return calloc(1, sizeof(struct nsgate));
}

void nsgate_forget_all(struct nsgate *g)
{
	struct known_thread *t, *ttmp;
	struct known_process *p, *ptmp;

	HASH_ITER(hh, g->threads, t, ttmp) {
		HASH_DEL(g->threads, t);
		free(t);
	}
	HASH_ITER(hh, g->processes, p, ptmp) {
		HASH_DEL(g->processes, p);
		free(p);
	}
	g->count = 0;
}

void nsgate_free(struct nsgate *g)
{
	if (!g)
		return;
	nsgate_forget_all(g);
	free(g);
}

/* Room for one more entry: a full table is forgotten whole, which can only miss a change. */
static void *new_entry(struct nsgate *g, size_t size)
{
	if (g->count >= MAX_KNOWN)
		nsgate_forget_all(g);
	g->count++;
	return calloc(1, size);
}

static void drop_entry(struct nsgate *g, void *entry)
{
	free(entry);
	g->count--;
}

static struct known_process *find_process(struct nsgate *g, __u32 pid)
{
	struct known_process *p;

	HASH_FIND(hh, g->processes, &pid, sizeof(pid), p);
	return p;
}

/* The thread's own record, unless it is of a thread gone since (another process, or before an exec). */
static struct known_thread *find_thread(struct nsgate *g, __u32 tid, __u32 pid)
{
	const struct known_process *p = find_process(g, pid);
	struct known_thread *t;

	HASH_FIND(hh, g->threads, &tid, sizeof(tid), t);
	if (t && (t->pid != pid || (p && t->since_ns < p->since_ns))) {
		HASH_DEL(g->threads, t);
		drop_entry(g, t);
		t = NULL;
	}
	return t;
}

static void forget_thread(struct nsgate *g, __u32 tid)
{
	struct known_thread *t;

	HASH_FIND(hh, g->threads, &tid, sizeof(tid), t);
	if (t) {
		HASH_DEL(g->threads, t);
		drop_entry(g, t);
	}
}

static void forget_process(struct nsgate *g, __u32 pid)
{
	struct known_process *p = find_process(g, pid);

	if (p) {
		HASH_DEL(g->processes, p);
		drop_entry(g, p);
	}
}

/* A process born or exec'd at time: one thread, in ns. */
static void process_starts(struct nsgate *g, __u32 pid, __u64 time, const struct nstrace_ns_set *ns)
{
	struct known_process *p = find_process(g, pid);

	if (!p) {
		p = new_entry(g, sizeof(*p));
		if (!p)
			return;
		p->pid = pid;
		HASH_ADD(hh, g->processes, pid, sizeof(p->pid), p);
	}
	p->partial = false;
	p->since_ns = time;
	p->count = 1;
	p->sets[0] = *ns;
}

/* One of pid's threads is in ns now. */
static void process_adds(struct nsgate *g, __u32 pid, const struct nstrace_ns_set *ns)
{
	struct known_process *p = find_process(g, pid);

	if (!p) {
		p = new_entry(g, sizeof(*p));
		if (!p)
			return;
		p->pid = pid;
		p->partial = true;
		HASH_ADD(hh, g->processes, pid, sizeof(p->pid), p);
	}
	for (unsigned int i = 0; i < p->count; i++)
		if (!memcmp(&p->sets[i], ns, sizeof(*ns)))
			return;
	if (p->count < PROCESS_SETS)
		p->count++;
	memmove(&p->sets[1], &p->sets[0], (p->count - 1) * sizeof(p->sets[0]));
	p->sets[0] = *ns;
}

static void thread_is(struct nsgate *g, __u32 tid, __u32 pid, __u64 time, const struct nstrace_ns_set *ns)
{
	struct known_thread *t;

	HASH_FIND(hh, g->threads, &tid, sizeof(tid), t);
	if (!t) {
		t = new_entry(g, sizeof(*t));
		if (!t)
			return;
		t->tid = tid;
		HASH_ADD(hh, g->threads, tid, sizeof(t->tid), t);
	}
	t->pid = pid;
	t->since_ns = time;
	t->ns = *ns;
	process_adds(g, pid, ns);
}

/* A 0 inode is a namespace the kernel lacks or the record could not read: never a change. */
static bool same(__u32 a, __u32 b)
{
	return !a || !b || a == b;
}

/*
 * The types in compared where now differs from what thread tid of pid
 * was last seen in: its own record, else every set its process's threads
 * were seen in. *from gets the set compared with (the newest, for a
 * process).
 */
static nstrace_ns_mask unexplained(struct nsgate *g, __u32 tid, __u32 pid, const struct nstrace_ns_set *now,
				   nstrace_ns_mask compared, struct nstrace_ns_set *from)
{
	const struct known_thread *t = find_thread(g, tid, pid);
	const struct known_process *p;
	nstrace_ns_mask mask = 0;

	if (t) {
		*from = t->ns;
		for (int type = 0; type < NSTRACE_NS_TYPE_COUNT; type++)
			if ((compared & (1u << type)) && !same(t->ns.inum[type], now->inum[type]))
				mask |= 1u << type;
		return mask;
	}
	p = find_process(g, pid);
	if (!p || p->partial)
		return 0;
	*from = p->sets[0];
	for (int type = 0; type < NSTRACE_NS_TYPE_COUNT; type++) {
		bool seen = false;

		for (unsigned int i = 0; i < p->count && !seen; i++)
			seen = same(p->sets[i].inum[type], now->inum[type]);
		if ((compared & (1u << type)) && !seen)
			mask |= 1u << type;
	}
	return mask;
}

static bool check(struct nsgate *g, __u32 tid, __u32 pid, const struct nstrace_header *now, nstrace_ns_mask compared,
		  const char *found_at, struct nsgate_change *change)
{
	struct nstrace_ns_set from;
	nstrace_ns_mask changed = unexplained(g, tid, pid, &now->ns, compared, &from);

	if (!changed)
		return false;
	*change = (struct nsgate_change){
		.pid = pid,
		.tid = tid,
		.found_at = found_at,
		.changed = changed,
		.from = from,
		.to = now->ns,
	};
	memcpy(change->comm, now->comm, sizeof(change->comm));
	change->comm[sizeof(change->comm) - 1] = '\0';
	return true;
}

/* The creator is in its new namespaces now, and said so once: not again at its next record. */
static void creator_changed(struct nsgate *g, const struct nsgate_change *c, __u64 time)
{
	struct nstrace_ns_set ns = c->from;

	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		if (c->changed & (1u << t))
			ns.inum[t] = c->to.inum[t];
	thread_is(g, c->tid, c->pid, time, &ns);
}

bool nsgate_event(struct nsgate *g, const union nstrace_event *e, struct nsgate_change *change)
{
	const struct nstrace_header *h = &e->hdr;
	bool found = false;

	switch ((enum nstrace_event_type)h->type) {
	case NSTRACE_EVENT_CLONE:
		/* the child starts in its creator's namespaces, but for those its flags create */
		found = check(g, e->clone.caller_tid, e->clone.caller_pid, h, COMPARED & ~nstrace_new_ns(e), "clone",
			      change);
		if (found)
			creator_changed(g, change, h->time_ns);
		/*
		 * A plain fork is known from its first exec on: the common fork and
		 * exit, a storm of them included, costs no entry. Where the child
		 * differs from its creator (new namespaces, CLONE_PARENT), it is
		 * known from its birth.
		 */
		if (e->clone.flags & NSTRACE_CLONE_THREAD)
			thread_is(g, h->tid, h->pid, h->time_ns, &h->ns);
		else if (nstrace_new_ns(e) || (e->clone.flags & NSTRACE_CLONE_PARENT))
			process_starts(g, h->pid, h->time_ns, &h->ns);
		break;
	case NSTRACE_EVENT_UNSHARE:
	case NSTRACE_EVENT_SETNS:
		thread_is(g, h->tid, h->pid, h->time_ns, &h->ns);
		break;
	case NSTRACE_EVENT_EXEC:
		found = check(g, e->exec.old_tid, h->pid, h, COMPARED, "exec", change);
		/* exec leaves one thread, under the process's pid */
		forget_thread(g, e->exec.old_tid);
		forget_thread(g, h->pid);
		process_starts(g, h->pid, h->time_ns, &h->ns);
		break;
	case NSTRACE_EVENT_EXIT:
		found = check(g, h->tid, h->pid, h, COMPARED, "exit", change);
		forget_thread(g, h->tid);
		forget_thread(g, h->pid);
		forget_process(g, h->pid);
		break;
	}
	return found;
}

/* Appends to buf at *len, keeping it terminated when it runs out of room. */
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len + 1 >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = (size_t)n < size - *len ? *len + n : size - 1;
}

const char *nsgate_describe(const struct nsgate_change *c, char *buf, size_t size)
{
	const char *sep = ": ";
	size_t len = 0;

	if (!size)
		return buf;
	buf[0] = '\0';
	append(buf, size, &len, "pid %u (%s)", c->pid, c->comm);
	if (c->tid != c->pid)
		append(buf, size, &len, " thread %u", c->tid);
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++) {
		if (!(c->changed & (1u << t)))
			continue;
		append(buf, size, &len, "%s%s %u -> %u", sep, nstrace_ns_name(t), c->from.inum[t], c->to.inum[t]);
		sep = ", ";
	}
	return buf;
}
