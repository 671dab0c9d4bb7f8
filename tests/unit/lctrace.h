/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Synthetic event sequences for the lifecycle model, shaped like what
 * unshare, nsenter, runc and docker make the kernel report. One trace per
 * test binary: the record being built and the clock are file-local.
 */
#ifndef NSTRACE_TEST_LCTRACE_H
#define NSTRACE_TEST_LCTRACE_H

#include <stdarg.h>
#include <stdio.h>
#include "lifecycle.h"
#include "records.h"

#define UNSHARE_FLAGS (NSTRACE_CLONE_NEWPID | NSTRACE_CLONE_NEWNS)
#define RUNC_FLAGS                                                                                  \
	(NSTRACE_CLONE_NEWPID | NSTRACE_CLONE_NEWNS | NSTRACE_CLONE_NEWUTS | NSTRACE_CLONE_NEWIPC | \
	 NSTRACE_CLONE_NEWNET)

/* Namespace inodes: the host's, and a block per container. */
enum { HOST = 4026531830u, C1 = 4026532100u, C2 = 4026532200u, C3 = 4026532300u };

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

#endif
