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

/* Tasks remembered at most; past it new tasks go unchecked until others exit. */
#define MAX_TASKS (1u << 16)

struct known_task {
	__u32 tid;
	struct nstrace_ns_set ns;
	UT_hash_handle hh;
};

struct nsgate {
	struct known_task *tasks;
	unsigned int count;
};

struct nsgate *nsgate_new(void)
{
	return calloc(1, sizeof(struct nsgate));
}

void nsgate_forget_all(struct nsgate *g)
{
	struct known_task *t, *tmp;

	HASH_ITER(hh, g->tasks, t, tmp) {
		HASH_DEL(g->tasks, t);
		free(t);
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

static struct known_task *find(struct nsgate *g, __u32 tid)
{
	struct known_task *t;

	HASH_FIND(hh, g->tasks, &tid, sizeof(tid), t);
	return t;
}

static void forget(struct nsgate *g, __u32 tid)
{
	struct known_task *t = find(g, tid);

	if (!t)
		return;
	HASH_DEL(g->tasks, t);
	free(t);
	g->count--;
}

static void remember(struct nsgate *g, __u32 tid, const struct nstrace_ns_set *ns)
{
	struct known_task *t = find(g, tid);

	if (!t) {
		if (g->count >= MAX_TASKS || !(t = calloc(1, sizeof(*t))))
			return;
		t->tid = tid;
		HASH_ADD(hh, g->tasks, tid, sizeof(t->tid), t);
		g->count++;
	}
	t->ns = *ns;
}

/* The creator is in its new namespaces now, and said so once: not again at its next record. */
static void remember_change(struct nsgate *g, const struct nsgate_change *c)
{
	struct nstrace_ns_set ns = c->from;

	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		if (c->changed & (1u << t))
			ns.inum[t] = c->to.inum[t];
	remember(g, c->tid, &ns);
}

/*
 * What a thread of pid was last seen in: its own record if it had one,
 * else its process's (threads are born in their creator's namespaces,
 * and plain thread creation is not traced).
 */
static const struct known_task *last_seen(struct nsgate *g, __u32 tid, __u32 pid)
{
	const struct known_task *t = find(g, tid);

	return t ? t : find(g, pid);
}

/* A 0 inode is a namespace the kernel lacks or the record could not read: never a change. */
static nstrace_ns_mask differing(const struct nstrace_ns_set *a, const struct nstrace_ns_set *b,
				 nstrace_ns_mask compared)
{
	nstrace_ns_mask mask = 0;

	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		if ((compared & (1u << t)) && a->inum[t] && b->inum[t] && a->inum[t] != b->inum[t])
			mask |= 1u << t;
	return mask;
}

static bool check(const struct known_task *before, const struct nstrace_header *now, nstrace_ns_mask compared,
		  __u32 pid, __u32 tid, const char *found_at, struct nsgate_change *change)
{
	nstrace_ns_mask changed = before ? differing(&before->ns, &now->ns, compared) : 0;

	if (!changed)
		return false;
	*change = (struct nsgate_change){
		.pid = pid,
		.tid = tid,
		.found_at = found_at,
		.changed = changed,
		.from = before->ns,
		.to = now->ns,
	};
	memcpy(change->comm, now->comm, sizeof(change->comm));
	change->comm[sizeof(change->comm) - 1] = '\0';
	return true;
}

bool nsgate_event(struct nsgate *g, const union nstrace_event *e, struct nsgate_change *change)
{
	const struct nstrace_header *h = &e->hdr;
	bool found = false;

	switch ((enum nstrace_event_type)h->type) {
	case NSTRACE_EVENT_CLONE:
		/* the child starts in its creator's namespaces, but for those its flags create */
		found = check(last_seen(g, e->clone.caller_tid, e->clone.caller_pid), h,
			      COMPARED & ~nstrace_new_ns(e), e->clone.caller_pid, e->clone.caller_tid, "clone",
			      change);
		if (found)
			remember_change(g, change);
		remember(g, h->tid, &h->ns);
		break;
	case NSTRACE_EVENT_UNSHARE:
	case NSTRACE_EVENT_SETNS:
		remember(g, h->tid, &h->ns);
		break;
	case NSTRACE_EVENT_EXEC:
		found = check(last_seen(g, e->exec.old_tid, h->pid), h, COMPARED, h->pid, e->exec.old_tid, "exec",
			      change);
		/* exec leaves one thread, under the process's pid */
		forget(g, e->exec.old_tid);
		remember(g, h->pid, &h->ns);
		break;
	case NSTRACE_EVENT_EXIT:
		found = check(last_seen(g, h->tid, h->pid), h, COMPARED, h->pid, h->tid, "exit", change);
		forget(g, h->tid);
		forget(g, h->pid);
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
