// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Containers already running when tracing starts, from the /proc snapshot. */
#include <errno.h>
#include <stdlib.h>
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

static struct lc_snap_entry *keep_entry(struct lifecycle *lc, const struct snap_process *s)
{
	struct lc_snap_entry *e;

	if (lc->snap_count == lc->snap_cap) {
		size_t cap = lc->snap_cap ? lc->snap_cap * 2 : 256;
		struct lc_snap_entry *grown = realloc(lc->snap, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		lc->snap = grown;
		lc->snap_cap = cap;
	}
	e = &lc->snap[lc->snap_count++];
	memset(e, 0, sizeof(*e));
	e->pid = s->pid;
	e->nspid_levels = s->nspid_levels;
	memcpy(e->nspid, s->nspid, sizeof(e->nspid));
	e->ns = s->ns;
	e->start_ticks = s->start_ticks;
	runtime_hint_from_cgroup(s->cgroup, whole_lines(s->cgroup, s->cgroup_len, SNAP_CGROUP_LEN), &e->cgroup);
	return e;
}

int lifecycle_snapshot_add(struct lifecycle *lc, const struct snap_process *s)
{
	struct lc_process *p = lc_find_process(lc, s->pid);
	struct lc_snap_entry *e;
	struct lc_container *c;

	if (p || !s->nspid_levels || s->nspid_levels > NSTRACE_MAX_PID_LEVELS)
		return -EINVAL;
	p = lc_new_process(lc, s->pid);
	e = p ? keep_entry(lc, s) : NULL;
	if (!e) {
		if (p)
			lc_forget_process(lc, p);
		return -ENOMEM;
	}
	p->ppid = s->ppid;
	p->pidns = s->nspid_levels > 1 ? s->ns.inum[NSTRACE_NS_PID] : 0;
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

	c = lc_find_by_key(lc, NSTRACE_NS_PID, s->ns.inum[NSTRACE_NS_PID]);
	if (!c) {
		c = lc_create(lc, LC_KEY_PIDNS, s->ns.inum[NSTRACE_NS_PID], LC_EXISTING, 0, false);
		if (!c)
			return -ENOMEM;
		c->state = LC_RUNNING;
		c->ns = s->ns;
		c->mntns = s->ns.inum[NSTRACE_NS_MNT];
	}
	p->container = c;
	if (s->nspid[s->nspid_levels - 1] == 1) {
		c->init_pid = s->pid;
		c->init_nspid_levels = s->nspid_levels;
		memcpy(c->init_nspid, s->nspid, sizeof(c->init_nspid));
		c->ns = s->ns;
		c->mntns = s->ns.inum[NSTRACE_NS_MNT];
		/* what it holds now: the first exec's were not seen */
		lc_set_init_creds(lc, c, &s->creds);
	}
	return 0;
}

static int by_pid(const void *a, const void *b)
{
	const struct lc_snap_entry *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static const struct lc_snap_entry *entry_of(const struct lifecycle *lc, __u32 pid)
{
	struct lc_snap_entry key = { .pid = pid };

	if (!lc->snap_count)
		return NULL;
	return bsearch(&key, lc->snap, lc->snap_count, sizeof(*lc->snap), by_pid);
}

static int by_mntns_then_start(const void *a, const void *b)
{
	const struct lc_snap_entry *x = *(const struct lc_snap_entry *const *)a;
	const struct lc_snap_entry *y = *(const struct lc_snap_entry *const *)b;
	__u32 mx = x->ns.inum[NSTRACE_NS_MNT], my = y->ns.inum[NSTRACE_NS_MNT];

	if (mx != my)
		return mx < my ? -1 : 1;
	if (x->start_ticks != y->start_ticks)
		return x->start_ticks < y->start_ticks ? -1 : 1;
	return by_pid(x, y);
}

/* A process the runtime started in mntns: its parent is outside it. */
static bool started_from_outside(struct lifecycle *lc, const struct lc_snap_entry *e)
{
	const struct lc_process *p = lc_find_process(lc, e->pid);
	const struct lc_snap_entry *parent = p->ppid != p->pid ? entry_of(lc, p->ppid) : NULL;

	return !parent || parent->ns.inum[NSTRACE_NS_MNT] != e->ns.inum[NSTRACE_NS_MNT];
}

/*
 * A container with no pid namespace of its own running already: the
 * processes group[0..count) share a mount namespace that is neither the
 * host's nor their pid container's. It is a container's when a runtime
 * says so for the first process the runtime started there, its init
 * (docker exec starts more from the same parent, later): its cgroup names
 * a container (another one than the pid container it lives in, for
 * docker run --pid=container:X), or a runtime is among its ancestors. A
 * service with a private /tmp has neither.
 */
static int mount_container(struct lifecycle *lc, struct lc_snap_entry *const *group, size_t count)
{
	__u32 mntns = group[0]->ns.inum[NSTRACE_NS_MNT];
	const struct lc_snap_entry *init = NULL;
	struct runtime_hint lineage = { 0 };
	struct lc_process *init_p, *parent;
	struct lc_container *c;
	bool named;

	for (size_t i = 0; i < count && !init; i++)
		if (started_from_outside(lc, group[i]))
			init = group[i];
	if (!init)
		return 0;
	init_p = lc_find_process(lc, init->pid);
	parent = lc_find_process(lc, init_p->ppid);
	if (parent && parent != init_p)
		lc_lineage_runtime(lc, parent, &lineage);
	named = init->cgroup.runtime > RUNTIME_UNSHARE &&
		(!init_p->container || strcmp(init->cgroup.id, init_p->container->runtime.id));
	if (!named && lineage.runtime <= RUNTIME_UNSHARE)
		return 0;
	c = lc_create(lc, LC_KEY_MNTNS, mntns, LC_EXISTING, 0, false);
	if (!c)
		return -ENOMEM;
	c->state = LC_RUNNING;
	c->ns = init->ns;
	c->pidns = init->ns.inum[NSTRACE_NS_PID];
	c->init_pid = init->pid;
	c->init_nspid_levels = init->nspid_levels;
	memcpy(c->init_nspid, init->nspid, sizeof(c->init_nspid));
	if (named)
		c->runtime = init->cgroup;
	for (size_t i = 0; i < count; i++)
		lc_find_process(lc, group[i]->pid)->container = c;
	return 0;
}

/*
 * A pid container's runtime and ID from its pid 1's cgroup, or where pid 1
 * is not known, from the first of its processes whose cgroup names one:
 * another container in its pid namespace is in a cgroup of its own.
 */
static void runtimes_from_cgroups(struct lifecycle *lc)
{
	for (size_t i = 0; i < lc->snap_count; i++) {
		const struct lc_snap_entry *e = &lc->snap[i];
		struct lc_container *c = lc_find_process(lc, e->pid)->container;

		if (c && e->cgroup.runtime && (c->init_pid ? c->init_pid == e->pid : !c->runtime.runtime))
			c->runtime = e->cgroup;
	}
}

static int find_mount_containers(struct lifecycle *lc)
{
	struct lc_snap_entry **order;
	size_t count = 0;
	int err = 0;

	/* without the host's mount namespace, no other one can be told apart from it */
	if (!lc->host_ns.inum[NSTRACE_NS_MNT])
		return 0;
	order = calloc(lc->snap_count ? lc->snap_count : 1, sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < lc->snap_count; i++) {
		struct lc_snap_entry *e = &lc->snap[i];
		const struct lc_process *p = lc_find_process(lc, e->pid);
		__u32 expected = p->container ? p->container->mntns : lc->host_ns.inum[NSTRACE_NS_MNT];

		/* a pid container's own processes, or the host's, are in no other container */
		if (e->ns.inum[NSTRACE_NS_MNT] && e->ns.inum[NSTRACE_NS_MNT] != expected)
			order[count++] = e;
	}
	if (count)
		qsort(order, count, sizeof(*order), by_mntns_then_start);
	for (size_t start = 0, end; start < count && !err; start = end) {
		for (end = start + 1; end < count && order[end]->ns.inum[NSTRACE_NS_MNT] ==
							 order[start]->ns.inum[NSTRACE_NS_MNT];
		     end++)
			;
		err = mount_container(lc, order + start, end - start);
	}
	free(order);
	return err;
}

static __u64 init_start(const struct lifecycle *lc, const struct lc_container *c)
{
	const struct lc_snap_entry *e = entry_of(lc, c->init_pid);

	return e ? e->start_ticks : 0;
}

/*
 * What an existing container does not share with the container or host
 * around it is its own, unless a container started before it owns it
 * already: a pod's sandbox owns the network namespace its application
 * containers joined. Where the outer one's is unknown, so is ownership,
 * and nothing is claimed.
 */
static void own_existing(struct lifecycle *lc, struct lc_container *c)
{
	const struct nstrace_ns_set *outer = c->parent ? &c->parent->ns : &lc->host_ns;
	int key_type = c->key == LC_KEY_PIDNS ? NSTRACE_NS_PID : NSTRACE_NS_MNT;
	nstrace_ns_mask own = NS_BIT(key_type);

	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		if (outer->inum[t] && c->ns.inum[t] && c->ns.inum[t] != outer->inum[t] &&
		    !lc_owner_of(lc, t, c->ns.inum[t]))
			own |= NS_BIT(t);
	lc_own_namespaces(lc, c, own);
}

/* Existing containers in the order their inits started; ties in creation order. */
static int own_in_start_order(struct lifecycle *lc)
{
	size_t count = 0, i = 0;
	struct lc_container **order;
	struct lc_node *n;

	for (n = lc->head; n; n = n->next)
		count += n->c.origin == LC_EXISTING;
	order = calloc(count ? count : 1, sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (n = lc->head; n; n = n->next)
		if (n->c.origin == LC_EXISTING)
			order[i++] = &n->c;
	/* few containers: an insertion sort keeps creation order among equals */
	for (i = 1; i < count; i++) {
		struct lc_container *c = order[i];
		size_t j = i;

		for (; j > 0 && init_start(lc, order[j - 1]) > init_start(lc, c); j--)
			order[j] = order[j - 1];
		order[j] = c;
	}
	for (i = 0; i < count; i++)
		own_existing(lc, order[i]);
	free(order);
	return 0;
}

int lifecycle_snapshot_done(struct lifecycle *lc, __u64 started_ns)
{
	struct lc_process *p, *tmp;
	struct lc_node *n;
	int err;

	if (lc->snap_count)
		qsort(lc->snap, lc->snap_count, sizeof(*lc->snap), by_pid);
	runtimes_from_cgroups(lc);
	err = find_mount_containers(lc);
	/* Nesting and runtimes need the whole process tree, so they come last. */
	for (n = lc->head; n && !err; n = n->next) {
		struct lc_process *init = lc_find_process(lc, n->c.init_pid);
		struct lc_process *parent = init ? lc_find_process(lc, init->ppid) : NULL;
		struct runtime_hint lineage = { 0 };

		if (n->c.origin != LC_EXISTING)
			continue;
		if (parent && parent != init) {
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
	if (!err)
		err = own_in_start_order(lc);
	free(lc->snap);
	lc->snap = NULL;
	lc->snap_count = lc->snap_cap = 0;
	if (err)
		return err;
	for (n = lc->head; n; n = n->next) {
		if (n->c.origin != LC_EXISTING)
			continue;
		lc_emit_simple(lc, LC_CREATE, &n->c, 0, n->c.creator_pid, n->c.creator_comm);
		if (n->c.init_pid) {
			/* its comm names the init in what the alert rules say of it */
			p = lc_find_process(lc, n->c.init_pid);
			lc_emit_simple(lc, LC_INIT, &n->c, 0, n->c.init_pid, p ? p->comm : NULL);
		}
	}
	return 0;
}
