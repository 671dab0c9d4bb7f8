// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Containers already running when tracing starts, from the /proc snapshot. */
#include <errno.h>
#include <string.h>
#include "lifecycle_internal.h"

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
	struct lc_process *p = lc_find_process(lc, s->pid);
	struct runtime_hint cg;
	struct lc_container *c = NULL;

	if (p || s->nspid_levels > NSTRACE_MAX_PID_LEVELS)
		return -EINVAL;
	p = lc_new_process(lc, s->pid);
	if (!p)
		return -ENOMEM;
	p->ppid = s->ppid;
	p->creds = s->creds;
	memcpy(p->comm, s->comm, sizeof(p->comm));
	p->comm[sizeof(p->comm) - 1] = '\0';
	/*
	 * The host's namespaces are those of the tasks the kernel starts itself
	 * (ppid 0): pid 1 first, then kthreadd, which never leaves the initial
	 * ones. pid 1's links can be unreadable even to root (without
	 * CAP_SYS_PTRACE over it); a type nothing showed stays unknown.
	 */
	if (s->pid == 1 && s->nspid_levels == 1 && (s->creds.flags & NSTRACE_CREDS_READ))
		lc->host_bounding = s->creds.cap_bounding;
	if (s->ppid == 0 && s->nspid_levels == 1)
		for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
			if (!lc->host_ns.inum[t])
				lc->host_ns.inum[t] = s->ns.inum[t];
	runtime_hint_from_argv(s->cmdline, s->cmdline_len < SNAP_CMDLINE_LEN ? s->cmdline_len : SNAP_CMDLINE_LEN,
			       &p->hint);
	if (s->nspid_levels <= 1)
		return 0;

	c = lc_find_by_pidns(lc, s->ns.inum[NSTRACE_NS_PID]);
	if (!c) {
		c = lc_create(lc, s->ns.inum[NSTRACE_NS_PID], LC_EXISTING, 0);
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
		/* what it holds now: the first exec's were not seen */
		lc_set_init_creds(lc, c, &s->creds);
	}
	return 0;
}

int lifecycle_snapshot_done(struct lifecycle *lc, __u64 started_ns)
{
	struct lc_process *p, *tmp;
	struct lc_node *n;

	/* Nesting and runtimes need the whole process tree, so they come last. */
	for (n = lc->head; n; n = n->next) {
		struct lc_process *init = lc_find_process(lc, n->c.init_pid);
		struct lc_process *parent = init ? lc_find_process(lc, init->ppid) : NULL;
		struct runtime_hint lineage = { 0 };

		if (n->c.origin != LC_EXISTING)
			continue;
		if (parent) {
			lc_set_parent(&n->c, parent->container);
			n->c.creator_pid = parent->pid;
			memcpy(n->c.creator_comm, parent->comm, sizeof(n->c.creator_comm));
			lc_lineage_runtime(lc, parent, &lineage);
			lc_trace_who(lc, &n->c);
		}
		if (lineage.runtime > n->c.runtime.runtime)
			n->c.runtime.runtime = lineage.runtime;
		if (!n->c.runtime.id[0])
			memcpy(n->c.runtime.id, lineage.id, sizeof(lineage.id));
	}
	HASH_ITER(hh, lc->processes, p, tmp)
		lc_count_member(p->container, 1);
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
		lc_own_namespaces(lc, &n->c, own);
		lc_emit_simple(lc, LC_CREATE, &n->c, 0, n->c.creator_pid, n->c.creator_comm);
		if (n->c.init_pid)
			lc_emit_simple(lc, LC_INIT, &n->c, 0, n->c.init_pid, NULL);
	}
	return 0;
}
