// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The event handlers: clone, unshare, setns, exec and exit records move the model on. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lifecycle_internal.h"

static void set_creator(struct lifecycle *lc, struct lc_container *c, const struct lc_process *creator)
{
	if (!creator)
		return;
	c->creator_pid = creator->pid;
	memcpy(c->creator_comm, creator->comm, sizeof(c->creator_comm));
	lc_set_parent(c, creator->container);
	lc_trace_who(lc, c);
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

/* A pid namespace below the host's whose start was missed: its container is made up. */
static struct lc_container *unseen(struct lifecycle *lc, const struct nstrace_header *hdr)
{
	struct lc_container *c = lc_create(lc, LC_KEY_PIDNS, hdr->ns.inum[NSTRACE_NS_PID], LC_UNSEEN, hdr->time_ns,
					   false);

	if (c) {
		c->ns = hdr->ns;
		c->mntns = hdr->ns.inum[NSTRACE_NS_MNT];
		c->state = LC_RUNNING;
		lc_emit_simple(lc, LC_CREATE, c, hdr->time_ns, 0, NULL);
	}
	return c;
}

/*
 * The container a new task is in: the one its mount namespace names,
 * unless its pid namespace is a container's nested in that one
 * (unshare --pid inside a container that shares the host's); else the
 * one its pid namespace names. Its mount namespace comes first because
 * a container can live in another one's pid namespace
 * (docker run --pid=container:X), never in another one's mount namespace.
 */
static struct lc_container *home_of(struct lifecycle *lc, const struct nstrace_header *hdr)
{
	struct lc_container *by_mnt = lc_find_by_key(lc, NSTRACE_NS_MNT, hdr->ns.inum[NSTRACE_NS_MNT]);
	struct lc_container *by_pid = NULL;

	if (hdr->nspid_levels > 1) {
		by_pid = lc_find_by_key(lc, NSTRACE_NS_PID, hdr->ns.inum[NSTRACE_NS_PID]);
		if (!by_pid)
			by_pid = unseen(lc, hdr);
	}
	if (by_mnt && !(by_pid && by_pid != by_mnt && lc_inside(by_pid, by_mnt)))
		return by_mnt;
	return by_pid;
}

/* Moves a process whose mount namespace became a container's into it. */
static void move_into(struct lc_process *p, struct lc_container *c)
{
	lc_count_member(p->container, -1);
	p->container = c;
	lc_count_member(c, 1);
}

/*
 * A runtime's own process making a mount namespace without a pid
 * namespace: a container when something runs a command in it.
 */
static bool makes_mount_container(const struct lc_process *p, nstrace_ns_mask created)
{
	return p && runtime_makes_containers(p->hint.runtime) && (created & NS_BIT(NSTRACE_NS_MNT)) &&
	       !(created & NS_BIT(NSTRACE_NS_PID_FOR_CHILDREN));
}

/*
 * A pid namespace made inside a pending mount namespace is one container
 * with it (systemd-nspawn makes the mount namespace in one child and the
 * pid namespace in the next): the pid namespace's, which owns what was
 * made for the pending one and is still its.
 */
static void absorb_pending(struct lifecycle *lc, struct lc_container *c, struct lc_container *pending)
{
	nstrace_ns_mask made = lc_node_of(pending)->made;

	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		if (c->ns.inum[t] != pending->ns.inum[t])
			made &= ~NS_BIT(t);
	lc_discard(lc, pending);
	lc_own_namespaces(lc, c, made);
}

/*
 * The first exec in a pending container by the process the runtime
 * started there (its parent is outside: the runtime): the container
 * exists from now on, with that process as its init.
 */
static void start_command(struct lifecycle *lc, struct lc_container *c, const struct lc_process *p,
			  const struct nstrace_header *hdr)
{
	c->state = LC_RUNNING;
	c->init_pid = p->pid;
	c->init_ns = p->born_ns >= c->created_ns && p->born_ns ? p->born_ns : hdr->time_ns;
	c->init_nspid_levels = hdr->nspid_levels;
	memcpy(c->init_nspid, hdr->nspid, sizeof(c->init_nspid));
	c->ns = hdr->ns;
	c->pidns = hdr->ns.inum[NSTRACE_NS_PID];
	lc_promote(lc, c);
	lc_emit_simple(lc, LC_CREATE, c, c->created_ns, c->creator_pid, c->creator_comm);
	lc_emit_simple(lc, LC_INIT, c, c->init_ns, p->pid, p->comm);
}

static bool parent_inside(struct lifecycle *lc, const struct lc_process *p, const struct lc_container *c)
{
	const struct lc_process *parent = lc_find_process(lc, p->ppid);

	return parent && parent != p && lc_inside(parent->container, c);
}

static void start_init(struct lifecycle *lc, struct lc_container *c, const struct nstrace_header *hdr)
{
	c->state = LC_RUNNING;
	c->init_pid = hdr->pid;
	c->init_ns = hdr->time_ns;
	c->init_nspid_levels = hdr->nspid_levels;
	memcpy(c->init_nspid, hdr->nspid, sizeof(c->init_nspid));
	c->ns = hdr->ns;
	lc_emit_simple(lc, LC_INIT, c, hdr->time_ns, hdr->pid, hdr->comm);
}

/* The process an event is about, made up from the event if it was never seen. */
static struct lc_process *subject(struct lifecycle *lc, const struct nstrace_header *hdr)
{
	struct lc_process *p = lc_find_process(lc, hdr->pid);
	__u32 pidns = hdr->nspid_levels > 1 ? hdr->ns.inum[NSTRACE_NS_PID] : 0;

	if (p && p->pidns == pidns) {
		/* names change without an exec (runc's stages call prctl); the leader's is the process's */
		if (hdr->tid == hdr->pid)
			memcpy(p->comm, hdr->comm, sizeof(p->comm));
		return p;
	}
	/* a process never leaves its pid namespace: this one's pid was reused while its exit was lost */
	if (p) {
		lc_count_member(p->container, -1);
		lc_forget_process(lc, p);
	}
	p = lc_new_process(lc, hdr->pid);
	if (!p)
		return NULL;
	p->ppid = hdr->ppid;
	p->pidns = pidns;
	memcpy(p->comm, hdr->comm, sizeof(p->comm));
	p->container = home_of(lc, hdr);
	lc_count_member(p->container, 1);
	return p;
}

static int handle_clone(struct lifecycle *lc, const struct nstrace_clone_event *e)
{
	const struct nstrace_header *hdr = &e->hdr;
	struct lc_process *caller = lc_find_process(lc, e->caller_pid);
	nstrace_ns_mask created = nstrace_new_ns((const union nstrace_event *)e);
	bool mount_container = makes_mount_container(caller, created);
	struct lc_container *pending = caller && caller->container && caller->container->state == LC_PENDING
					       ? caller->container
					       : NULL;
	struct lc_process *child;
	struct lc_container *c;

	if (mount_container || (e->flags & NSTRACE_CLONE_NEWPID))
		lc_cancel_join(caller, e->caller_tid);
	else
		lc_flush_join_of(lc, caller, e->caller_tid);
	/* the child starts with the caller's name as it is now, after any prctl */
	if (caller && e->caller_tid == e->caller_pid)
		memcpy(caller->comm, hdr->comm, sizeof(caller->comm));
	/* a thread is no new process; it was only sent for namespaces of its own */
	if (e->flags & NSTRACE_CLONE_THREAD)
		return 0;
	child = lc_find_process(lc, hdr->pid);
	/* a pid reused while its exit was lost; a record may even name the caller's own */
	if (child) {
		if (child == caller)
			caller = NULL;
		lc_count_member(child->container, -1);
		lc_forget_process(lc, child);
	}
	if (e->flags & NSTRACE_CLONE_NEWPID) {
		c = lc_create(lc, LC_KEY_PIDNS, hdr->ns.inum[NSTRACE_NS_PID], LC_BY_CLONE, hdr->time_ns, false);
		if (!c)
			return -ENOMEM;
		/* ending a stale namespace may have dropped a stale record of the caller */
		caller = lc_find_process(lc, e->caller_pid);
		set_creator(lc, c, caller);
		c->ns = hdr->ns;
		c->mntns = hdr->ns.inum[NSTRACE_NS_MNT];
		lc_lineage_runtime(lc, caller, &c->runtime);
		lc_own_namespaces(lc, c, created);
		if (pending && caller && caller->container == pending)
			absorb_pending(lc, c, pending);
		lc_emit_simple(lc, LC_CREATE, c, hdr->time_ns, caller ? caller->pid : 0, caller ? caller->comm : NULL);
	} else if (mount_container) {
		c = lc_create(lc, LC_KEY_MNTNS, hdr->ns.inum[NSTRACE_NS_MNT], LC_BY_CLONE, hdr->time_ns, true);
		if (!c)
			return -ENOMEM;
		caller = lc_find_process(lc, e->caller_pid);
		set_creator(lc, c, caller);
		c->ns = hdr->ns;
		c->pidns = hdr->ns.inum[NSTRACE_NS_PID];
		lc_lineage_runtime(lc, caller, &c->runtime);
		lc_node_of(c)->made = created;
	}
	child = lc_new_process(lc, hdr->pid);
	if (!child)
		return -ENOMEM;
	child->ppid = hdr->ppid;
	child->pidns = hdr->nspid_levels > 1 ? hdr->ns.inum[NSTRACE_NS_PID] : 0;
	child->born_ns = hdr->time_ns;
	memcpy(child->comm, hdr->comm, sizeof(child->comm));
	if (caller) {
		/* a fork runs its parent's argv, as its user, until it execs */
		child->hint = caller->hint;
		child->creds = caller->creds;
		/* and is where the forking thread is */
		if (caller->join.reported && caller->join.tid == e->caller_tid) {
			child->join = caller->join;
			child->join.tid = hdr->tid;
		}
	}
	c = home_of(lc, hdr);
	child->container = c;
	lc_count_member(c, 1);
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
	bool new_pid = created & NS_BIT(NSTRACE_NS_PID_FOR_CHILDREN);
	bool mount_container = makes_mount_container(p, created);
	struct lc_container *c, *pending;

	if (!p)
		return -ENOMEM;
	if (new_pid || mount_container)
		lc_cancel_join(p, hdr->tid);
	else
		lc_flush_join_of(lc, p, hdr->tid);
	if (!created)
		return 0;
	c = p->container;
	/* a container's process taking more namespaces before its command runs (runc's init takes its cgroup namespace late) */
	if (c && !new_pid && !mount_container && c->state == LC_PENDING) {
		lc_node_of(c)->made |= for_children_to_own(created);
		return 0;
	}
	if (c && c->init_pid == p->pid && !new_pid && !mount_container) {
		container_view(&c->ns, &hdr->ns);
		c->ns.inum[NSTRACE_NS_PID] = hdr->ns.inum[NSTRACE_NS_PID];
		lc_own_namespaces(lc, c, for_children_to_own(created));
		return 0;
	}
	if (!new_pid && !mount_container)
		return 0;
	pending = c && c->state == LC_PENDING ? c : NULL;
	if (new_pid)
		c = lc_create(lc, LC_KEY_PIDNS, hdr->ns.inum[NSTRACE_NS_PID_FOR_CHILDREN], LC_BY_UNSHARE, hdr->time_ns,
			      false);
	else
		c = lc_create(lc, LC_KEY_MNTNS, hdr->ns.inum[NSTRACE_NS_MNT], LC_BY_UNSHARE, hdr->time_ns, true);
	if (!c)
		return -ENOMEM;
	/* ending a stale namespace may have dropped a stale record of the caller */
	p = subject(lc, hdr);
	if (!p)
		return -ENOMEM;
	set_creator(lc, c, p);
	container_view(&c->ns, &hdr->ns);
	c->pidns = c->ns.inum[NSTRACE_NS_PID];
	c->mntns = c->ns.inum[NSTRACE_NS_MNT];
	lc_lineage_runtime(lc, p, &c->runtime);
	if (mount_container) {
		lc_node_of(c)->made = for_children_to_own(created);
		/* its mount namespace is the container's now: so is it */
		move_into(p, c);
		return 0;
	}
	p->unborn = c->serial;
	lc_own_namespaces(lc, c, for_children_to_own(created) & ~NS_BIT(NSTRACE_NS_PID_FOR_CHILDREN));
	if (pending && p->container == pending)
		absorb_pending(lc, c, pending);
	lc_emit_simple(lc, LC_CREATE, c, hdr->time_ns, p->pid, p->comm);
	return 0;
}

static int handle_setns(struct lifecycle *lc, const struct nstrace_setns_event *e)
{
	struct lc_container *c;
	struct lc_process *p;

	if (!nstrace_setns_entered(e))
		return 0;
	p = subject(lc, &e->hdr);
	if (!p)
		return -ENOMEM;
	c = p->container;
	/* a runtime finishing a container before its command runs: what it enters is the container's own set */
	if (c && (c->state == LC_PENDING || (c->init_pid == p->pid && !c->execs)))
		return 0;
	lc_track_setns(lc, p, e);
	return 0;
}

static int handle_exec(struct lifecycle *lc, const struct nstrace_exec_event *e)
{
	const struct nstrace_header *hdr = &e->hdr;
	struct lc_process *p = subject(lc, hdr);
	struct lc_transition t = { .kind = LC_EXEC, .pid = hdr->pid, .exec.event = e };
	struct lc_container *c, *joined;

	if (!p)
		return -ENOMEM;
	lc_flush_join_of(lc, p, e->old_tid);
	/* exec ends the other threads, and the calling one goes on as the leader */
	if (p->join.tid == e->old_tid)
		p->join.tid = hdr->tid;
	else
		memset(&p->join, 0, sizeof(p->join));
	memcpy(p->comm, hdr->comm, sizeof(p->comm));
	runtime_hint_from_argv(e->args, e->args_len, &p->hint);
	if (e->creds.flags & NSTRACE_CREDS_READ)
		p->creds = e->creds;
	memcpy(t.comm, hdr->comm, sizeof(t.comm));

	c = p->container;
	if (c && c->state == LC_PENDING && !parent_inside(lc, p, c))
		start_command(lc, c, p, hdr);
	if (c && (c->init_pid == p->pid || (c->command_pid && c->command_pid == p->pid)) &&
	    c->state == LC_RUNNING) {
		/* what it entered or took on the way is the container's as its command starts */
		if (c->init_pid == p->pid && !c->execs) {
			c->ns = hdr->ns;
			c->pidns = hdr->ns.inum[NSTRACE_NS_PID];
		}
		if (c->execs < LC_MAX_EXECS)
			c->exec_ns[c->execs] = hdr->time_ns;
		t.exec.index = ++c->execs;
		if (t.exec.index == 1)
			lc_set_init_creds(lc, c, &e->creds);
		if (c->init_pid == p->pid)
			c->command_pending = runtime_init_shim(e->filename, sizeof(e->filename));
		lc_emit(lc, &t, c, hdr->time_ns);
		return 0;
	}
	joined = lc_find_by_serial(lc, p->join.serial);
	if (joined && p->join.exec_pending) {
		p->join.exec_pending = false;
		t.exec.joined = true;
		lc_emit(lc, &t, joined, hdr->time_ns);
	}
	return 0;
}

static int collect_survivors(struct lifecycle *lc, const struct lc_container *c, __u32 dead,
			     __u32 *count)
{
	struct lc_process *p, *tmp;

	*count = 0;
	HASH_ITER(hh, lc->processes, p, tmp) {
		if (p->pid == dead || !lc_inside(p->container, c))
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
	lc_flush_join(lc, p);
	c = p->container;
	if (c && c->init_pid == p->pid && c->state == LC_RUNNING) {
		struct lc_transition t = { .kind = LC_EXIT, .pid = p->pid };

		c->state = LC_EXITED;
		c->exit_code = e->exit_code;
		c->exit_ns = hdr->time_ns;
		memcpy(t.comm, hdr->comm, sizeof(t.comm));
		err = collect_survivors(lc, c, p->pid, &t.exit.survivor_count);
		t.exit.survivors = lc->survivors;
		lc_emit(lc, &t, c, hdr->time_ns);
	}
	/* its pid may come back for another process: that one runs no command */
	if (c && c->command_pid == p->pid)
		c->command_pid = 0;
	unborn = lc_find_by_serial(lc, p->unborn);
	lc_count_member(c, -1);
	lc_forget_process(lc, p);
	/* a pid namespace whose creator dies before forking its pid 1 dies with it */
	if (unborn && unborn->state == LC_CREATED) {
		/* a recording may even have put the creator in it */
		if (unborn == c)
			c = c->parent;
		lc_destroy(lc, unborn, hdr->time_ns);
	}
	lc_check_destroy(lc, c, hdr->time_ns);
	return err;
}

int lifecycle_event(struct lifecycle *lc, const union nstrace_event *e)
{
	if (e->hdr.time_ns < lc->snapshot_ns)
		return 0;
	switch ((enum nstrace_event_type)e->hdr.type) {
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

int lifecycle_mounts(struct lifecycle *lc, const struct mount_exposures *m)
{
	struct lc_process *p = lc_find_process(lc, m->pid);
	struct lc_container *c = p ? p->container : NULL;

	if (!c || c->init_pid != m->pid)
		return 0;
	if (!c->mounts) {
		c->mounts = malloc(sizeof(*c->mounts));
		if (!c->mounts)
			return -ENOMEM;
	}
	*c->mounts = *m;
	return 0;
}

bool lifecycle_wants_mounts(struct lifecycle *lc, __u32 pid)
{
	struct lc_process *p = lc_find_process(lc, pid);
	struct lc_container *c = p ? p->container : NULL;

	return c && c->init_pid == pid && c->execs && !c->mounts;
}
