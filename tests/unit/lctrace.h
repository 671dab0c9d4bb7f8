/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Synthetic event sequences for the lifecycle model, shaped like what
 * unshare, nsenter, runc and docker make the kernel report, and the
 * transitions the model answers with. One trace per test binary: the
 * record being built, the clock and the transitions seen are file-local.
 */
#ifndef NSTRACE_TEST_LCTRACE_H
#define NSTRACE_TEST_LCTRACE_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "lifecycle.h"
#include "records.h"
#include "testing.h"

#define UNSHARE_FLAGS (NSTRACE_CLONE_NEWPID | NSTRACE_CLONE_NEWNS)
#define RUNC_FLAGS                                                                                  \
	(NSTRACE_CLONE_NEWPID | NSTRACE_CLONE_NEWNS | NSTRACE_CLONE_NEWUTS | NSTRACE_CLONE_NEWIPC | \
	 NSTRACE_CLONE_NEWNET)

/* Namespace inodes: the host's, and a block per container. */
enum {
	HOST = 4026531830u,
	C1 = 4026532100u,
	C2 = 4026532200u,
	C3 = 4026532300u,
	C4 = 4026532400u,
	C5 = 4026532500u,
	C6 = 4026532600u,
	C7 = 4026532700u,
};

static inline struct nstrace_ns_set host_ns(void)
{
	struct nstrace_ns_set ns;

	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		ns.inum[t] = HOST + t;
	ns.inum[NSTRACE_NS_PID_FOR_CHILDREN] = ns.inum[NSTRACE_NS_PID];
	ns.inum[NSTRACE_NS_TIME_FOR_CHILDREN] = ns.inum[NSTRACE_NS_TIME];
	return ns;
}

/* A container's own mnt, uts, ipc, pid and net namespaces, numbered from base. */
static inline struct nstrace_ns_set container_ns(__u32 base)
{
	struct nstrace_ns_set ns = host_ns();

	ns.inum[NSTRACE_NS_MNT] = base + NSTRACE_NS_MNT;
	ns.inum[NSTRACE_NS_UTS] = base + NSTRACE_NS_UTS;
	ns.inum[NSTRACE_NS_IPC] = base + NSTRACE_NS_IPC;
	ns.inum[NSTRACE_NS_PID] = base + NSTRACE_NS_PID;
	ns.inum[NSTRACE_NS_PID_FOR_CHILDREN] = base + NSTRACE_NS_PID;
	ns.inum[NSTRACE_NS_NET] = base + NSTRACE_NS_NET;
	return ns;
}

/* The host's namespaces but for the types in made, numbered from base. */
static inline struct nstrace_ns_set made_ns(__u32 base, unsigned int made)
{
	struct nstrace_ns_set ns = host_ns();

	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		if (made & (1u << t))
			ns.inum[t] = base + t;
	if (made & (1u << NSTRACE_NS_PID))
		ns.inum[NSTRACE_NS_PID_FOR_CHILDREN] = ns.inum[NSTRACE_NS_PID];
	return ns;
}

/* What a task that unshared a container's namespaces but stays in the outer pid namespace holds. */
static inline struct nstrace_ns_set creator_ns(__u32 base, const struct nstrace_ns_set *outer)
{
	struct nstrace_ns_set ns = container_ns(base);

	ns.inum[NSTRACE_NS_PID] = outer->inum[NSTRACE_NS_PID];
	return ns;
}

static __u64 now = 1000;

/* A task: host pid, thread, parent, name, pid in each namespace level, namespaces. */
struct task {
	__u32 pid, tid, ppid;
	const char *comm;
	__u32 levels;
	__u32 nspid[4];
	struct nstrace_ns_set ns;
};

static union nstrace_event ev;

/* Starts ev as a record of type about task t, a microsecond after the last one. */
static inline void start_record(__u32 type, const struct task *t)
{
	ev = make_record(type);
	ev.hdr.time_ns = now += 1000;
	ev.hdr.pid = t->pid;
	ev.hdr.tid = t->tid ? t->tid : t->pid;
	ev.hdr.ppid = t->ppid;
	ev.hdr.nspid_levels = t->levels ? t->levels : 1;
	ev.hdr.nspid[0] = t->pid;
	for (__u32 i = 1; i < ev.hdr.nspid_levels; i++)
		ev.hdr.nspid[i] = t->nspid[i];
	snprintf(ev.hdr.comm, sizeof(ev.hdr.comm), "%s", t->comm);
	ev.hdr.ns = t->ns;
}

static inline int feed(struct lifecycle *lc)
{
	return lifecycle_event(lc, &ev);
}

/* child is the new task; caller the one that called clone (its parent unless CLONE_PARENT). */
static inline int do_clone(struct lifecycle *lc, const struct task *child, const struct task *caller, __u64 flags)
{
	start_record(NSTRACE_EVENT_CLONE, child);
	ev.clone.flags = flags;
	ev.clone.caller_pid = caller->pid;
	ev.clone.caller_tid = caller->tid ? caller->tid : caller->pid;
	return feed(lc);
}

static inline int do_unshare(struct lifecycle *lc, const struct task *t, __u64 flags)
{
	start_record(NSTRACE_EVENT_UNSHARE, t);
	ev.unshare.flags = flags;
	return feed(lc);
}

/* t holds its namespaces after the call; target is the inode of the namespace type entered. */
static inline int do_setns(struct lifecycle *lc, const struct task *t, int type, __u32 nstype)
{
	start_record(NSTRACE_EVENT_SETNS, t);
	ev.setns.fd = 3;
	ev.setns.nstype = nstype;
	ev.setns.target = NSTRACE_SETNS_TARGET_NSFS;
	ev.setns.target_inum = t->ns.inum[type];
	return feed(lc);
}

/* argv given as separate strings, ending with NULL. */
static inline int do_exec(struct lifecycle *lc, const struct task *t, const char *filename, ...)
{
	char args[NSTRACE_ARGS_LEN];
	size_t len = 0;
	const char *arg;
	va_list ap;

	start_record(NSTRACE_EVENT_EXEC, t);
	ev.exec.old_tid = ev.hdr.tid;
	snprintf(ev.exec.filename, sizeof(ev.exec.filename), "%s", filename);
	va_start(ap, filename);
	while ((arg = va_arg(ap, const char *))) {
		size_t n = strlen(arg) + 1;

		memcpy(args + len, arg, n);
		len += n;
	}
	va_end(ap);
	set_args(&ev.exec, args, len);
	return feed(lc);
}

static inline int do_exit(struct lifecycle *lc, const struct task *t, int code)
{
	start_record(NSTRACE_EVENT_EXIT, t);
	ev.exit.exit_code = (__u32)code << 8;
	ev.exit.reaper = t->levels > 1 && t->nspid[t->levels - 1] == 1;
	return feed(lc);
}

#define MAX_SEEN 64
#define MAX_SURVIVORS 8

/* What one transition said, copied: the container it points at may be freed after. */
struct seen {
	enum lc_kind kind;
	__u64 time_ns;
	__u64 serial;
	__u64 parent; /* its serial, 0 for none */
	__u32 pid;
	char comm[NSTRACE_COMM_LEN];
	__u32 exec_index;
	bool joined;
	char argv0[32];
	struct nstrace_ns_set entered;
	__u32 survivors[MAX_SURVIVORS];
	__u32 survivor_count;
	struct lc_container c;
};

static struct seen seen[MAX_SEEN];
static int nseen;

static inline void record_transition(void *ctx, const struct lc_transition *t)
{
	struct seen *s;

	(void)ctx;
	if (nseen == MAX_SEEN) {
		FAIL_AT("more than %d transitions", MAX_SEEN);
		return;
	}
	s = &seen[nseen++];
	memset(s, 0, sizeof(*s));
	s->kind = t->kind;
	s->time_ns = t->time_ns;
	s->serial = t->container->serial;
	s->parent = t->container->parent ? t->container->parent->serial : 0;
	s->pid = t->pid;
	memcpy(s->comm, t->comm, sizeof(s->comm));
	switch (t->kind) {
	case LC_EXEC:
		s->exec_index = t->exec.index;
		s->joined = t->exec.joined;
		snprintf(s->argv0, sizeof(s->argv0), "%.*s", (int)sizeof(s->argv0) - 1, t->exec.event->args);
		break;
	case LC_JOIN:
		s->entered = t->join.entered;
		break;
	case LC_EXIT:
		s->survivor_count = t->exit.survivor_count;
		for (__u32 i = 0; i < t->exit.survivor_count && i < MAX_SURVIVORS; i++)
			s->survivors[i] = t->exit.survivors[i];
		break;
	case LC_CREATE:
	case LC_INIT:
	case LC_DESTROY:
		break;
	}
	s->c = *t->container;
	s->c.parent = NULL;
}

static inline struct lifecycle *fresh(void)
{
	nseen = 0;
	return lifecycle_new(record_transition, NULL);
}

static inline const char *kind_name(enum lc_kind k)
{
	static const char *const names[] = { "create", "init", "exec", "join", "exit", "destroy" };

	return names[k];
}

/* The transitions seen, as "kind:pid" words, for comparing whole sequences. */
static inline const char *sequence(void)
{
	static char buf[1024];
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < nseen && used < sizeof(buf); i++)
		used += snprintf(buf + used, sizeof(buf) - used, "%sc%llu:%s:%u", i ? " " : "",
				 (unsigned long long)seen[i].serial, kind_name(seen[i].kind), seen[i].pid);
	return buf;
}

static inline const struct seen *find_seen(enum lc_kind kind, int nth)
{
	for (int i = 0; i < nseen; i++)
		if (seen[i].kind == kind && !nth--)
			return &seen[i];
	return NULL;
}

static const struct seen none;

static inline const struct seen *must_find(enum lc_kind kind, int nth)
{
	const struct seen *s = find_seen(kind, nth);

	if (!s)
		FAIL_AT("no %s transition #%d in: %s", kind_name(kind), nth, sequence());
	return s ? s : &none;
}

/* When the next snapshot entry started, in clock ticks; 0 takes its pid, as if pids were never reused. */
static __u64 snap_start_ticks;

static inline void snap(struct lifecycle *lc, __u32 pid, __u32 ppid, const char *comm, __u32 levels, __u32 inner,
		 const struct nstrace_ns_set *ns, const char *cmdline, size_t cmdline_len, const char *cgroup)
{
	static struct snap_process p;

	memset(&p, 0, sizeof(p));
	p.pid = pid;
	p.ppid = ppid;
	p.nspid_levels = levels;
	p.nspid[0] = pid;
	if (levels > 1)
		p.nspid[levels - 1] = inner;
	snprintf(p.comm, sizeof(p.comm), "%s", comm);
	p.start_ticks = snap_start_ticks ? snap_start_ticks : pid;
	snap_start_ticks = 0;
	p.ns = *ns;
	memcpy(p.cmdline, cmdline, cmdline_len);
	p.cmdline_len = cmdline_len;
	/* as procfs reads it: no NUL, cut where the buffer ends */
	p.cgroup_len = strlen(cgroup) < sizeof(p.cgroup) ? strlen(cgroup) : sizeof(p.cgroup);
	memcpy(p.cgroup, cgroup, p.cgroup_len);
	ASSERT_EQ(lifecycle_snapshot_add(lc, &p), 0, "snapshot entry taken");
}

#define ARGV(s) s, sizeof(s)

/* A model that knows the host's namespaces from a snapshot holding pid 1 alone. */
static inline struct lifecycle *fresh_on_host(void)
{
	struct lifecycle *lc = fresh();
	struct nstrace_ns_set h = host_ns();

	snap(lc, 1, 0, "systemd", 1, 0, &h, ARGV("/sbin/init"), "0::/init.scope\n");
	ASSERT_EQ(lifecycle_snapshot_done(lc, 0), 0, "snapshot of the host");
	return lc;
}

#endif
