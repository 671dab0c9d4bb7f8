// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Join tracking: setns calls into a container, reported once per run of calls. */
#include <string.h>
#include "lifecycle_internal.h"

void lc_flush_join(struct lifecycle *lc, struct lc_process *p)
{
	struct lc_join *j = &p->join;
	struct lc_container *c = lc_find_by_serial(lc, j->serial);
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
	t.join.entered = j->entered;
	lc_emit(lc, &t, c, j->time_ns);
}

void lc_flush_join_of(struct lifecycle *lc, struct lc_process *p, __u32 tid)
{
	if (p && p->join.tid == tid)
		lc_flush_join(lc, p);
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

void lc_track_setns(struct lifecycle *lc, struct lc_process *p, const struct nstrace_setns_event *e)
{
	const struct nstrace_header *hdr = &e->hdr;
	nstrace_ns_mask entered = nstrace_setns_entered(e);

	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++) {
		int own_type = t == NSTRACE_NS_PID_FOR_CHILDREN	   ? NSTRACE_NS_PID
			       : t == NSTRACE_NS_TIME_FOR_CHILDREN ? NSTRACE_NS_TIME
								   : t;
		struct lc_join *j = &p->join;
		struct lc_container *c;

		if (!(entered & NS_BIT(t)))
			continue;
		c = lc_owner_of(lc, own_type, hdr->ns.inum[t]);
		if (!c || lc_inside(p->container, c)) {
			leave_joined(p, hdr->tid, own_type);
			continue;
		}
		if (j->serial != c->serial || j->tid != hdr->tid) {
			lc_flush_join(lc, p);
			memset(j, 0, sizeof(*j));
			j->serial = c->serial;
			j->tid = hdr->tid;
			j->time_ns = hdr->time_ns;
			memcpy(j->comm, hdr->comm, sizeof(j->comm));
		}
		j->entered.inum[own_type] = hdr->ns.inum[t];
	}
}
