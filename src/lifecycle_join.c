// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Join tracking: setns calls into a container, reported once per run of calls. */
#include <string.h>
#include "lifecycle_internal.h"

/*
 * The container a run of setns calls entered. A container sharing
 * another's pid or network namespace (docker run --pid=container:X) is
 * entered through those too, so the namespace that tells containers
 * apart best decides: the mount namespace, then the pid namespace.
 */
static struct lc_container *joined_container(struct lifecycle *lc, const struct lc_join *j)
{
	static const int order[] = {
		NSTRACE_NS_MNT,	 NSTRACE_NS_PID,    NSTRACE_NS_NET,  NSTRACE_NS_IPC,
		NSTRACE_NS_UTS,	 NSTRACE_NS_CGROUP, NSTRACE_NS_USER, NSTRACE_NS_TIME,
	};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct lc_container *c = j->entered.inum[order[i]] ? lc_owner_of(lc, order[i], j->entered.inum[order[i]])
								   : NULL;

		if (c)
			return c;
	}
	return NULL;
}

void lc_flush_join(struct lifecycle *lc, struct lc_process *p)
{
	struct lc_join *j = &p->join;
	struct lc_transition t = { .kind = LC_JOIN, .pid = p->pid };
	struct lc_container *c;

	if (!j->tid || j->reported)
		return;
	c = joined_container(lc, j);
	if (!c) {
		memset(j, 0, sizeof(*j));
		return;
	}
	j->serial = c->serial;
	j->reported = true;
	j->exec_pending = true;
	c->joins++;
	memcpy(t.comm, j->comm, sizeof(t.comm));
	/* what it entered of that container's, its own namespaces or those it shares */
	for (int type = 0; type < NSTRACE_NS_TYPE_COUNT; type++) {
		__u32 inum = j->entered.inum[type];

		if (inum && (inum == c->ns.inum[type] || lc_owner_of(lc, type, inum) == c))
			t.join.entered.inum[type] = inum;
	}
	lc_emit(lc, &t, c, j->time_ns);
}

void lc_flush_join_of(struct lifecycle *lc, struct lc_process *p, __u32 tid)
{
	if (p && p->join.tid == tid)
		lc_flush_join(lc, p);
}

void lc_cancel_join(struct lc_process *p, __u32 tid)
{
	if (p && p->join.tid == tid)
		memset(&p->join, 0, sizeof(p->join));
}

static bool entered_any(const struct lc_join *j)
{
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		if (j->entered.inum[t])
			return true;
	return false;
}

void lc_track_setns(struct lifecycle *lc, struct lc_process *p, const struct nstrace_setns_event *e)
{
	const struct nstrace_header *hdr = &e->hdr;
	nstrace_ns_mask entered = nstrace_setns_entered(e);
	struct lc_join *j = &p->join;

	/* another thread's run, or one reported already: this call starts a new one */
	if (j->tid && (j->tid != hdr->tid || j->reported)) {
		lc_flush_join(lc, p);
		memset(j, 0, sizeof(*j));
	}
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++) {
		int own_type = t == NSTRACE_NS_PID_FOR_CHILDREN	   ? NSTRACE_NS_PID
			       : t == NSTRACE_NS_TIME_FOR_CHILDREN ? NSTRACE_NS_TIME
								   : t;
		struct lc_container *c;

		if (!(entered & NS_BIT(t)))
			continue;
		c = lc_owner_of(lc, own_type, hdr->ns.inum[t]);
		/* out of every container again, or into its own: nothing joined there */
		if (!c || lc_inside(p->container, c)) {
			j->entered.inum[own_type] = 0;
			continue;
		}
		if (!j->tid) {
			j->tid = hdr->tid;
			j->time_ns = hdr->time_ns;
			memcpy(j->comm, hdr->comm, sizeof(j->comm));
		}
		j->entered.inum[own_type] = hdr->ns.inum[t];
	}
	/* out of all of them again: nothing it does from now on happens in there */
	if (j->tid && !entered_any(j))
		memset(j, 0, sizeof(*j));
}
