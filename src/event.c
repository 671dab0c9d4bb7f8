// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "event.h"
#include "util.h"

static const char *const ns_names[NSTRACE_NS_TYPE_COUNT] = {
	[NSTRACE_NS_MNT] = "mnt",
	[NSTRACE_NS_UTS] = "uts",
	[NSTRACE_NS_IPC] = "ipc",
	[NSTRACE_NS_PID] = "pid",
	[NSTRACE_NS_PID_FOR_CHILDREN] = "pid_for_children",
	[NSTRACE_NS_NET] = "net",
	[NSTRACE_NS_CGROUP] = "cgroup",
	[NSTRACE_NS_USER] = "user",
	[NSTRACE_NS_TIME] = "time",
	[NSTRACE_NS_TIME_FOR_CHILDREN] = "time_for_children",
};

static const char *const event_names[] = {
	[NSTRACE_EVENT_CLONE] = "clone",
	[NSTRACE_EVENT_UNSHARE] = "unshare",
	[NSTRACE_EVENT_SETNS] = "setns",
	[NSTRACE_EVENT_EXEC] = "exec",
	[NSTRACE_EVENT_EXIT] = "exit",
};

/*
 * What each CLONE_NEW* flag creates. For pid and time namespaces a clone
 * moves the child itself into the new namespace, while unshare and setns
 * only change what the caller's future children get.
 */
static const struct {
	__u64 flag;
	const char *name;
	enum nstrace_ns_type type; /* the one the flag names */
	nstrace_ns_mask clone_creates;
	nstrace_ns_mask unshare_creates;
} ns_flags[] = {
	{ NSTRACE_CLONE_NEWNS, "NEWNS", NSTRACE_NS_MNT, NS_BIT(NSTRACE_NS_MNT), NS_BIT(NSTRACE_NS_MNT) },
	{ NSTRACE_CLONE_NEWUTS, "NEWUTS", NSTRACE_NS_UTS, NS_BIT(NSTRACE_NS_UTS), NS_BIT(NSTRACE_NS_UTS) },
	{ NSTRACE_CLONE_NEWIPC, "NEWIPC", NSTRACE_NS_IPC, NS_BIT(NSTRACE_NS_IPC), NS_BIT(NSTRACE_NS_IPC) },
	{ NSTRACE_CLONE_NEWPID, "NEWPID", NSTRACE_NS_PID,
	  NS_BIT(NSTRACE_NS_PID) | NS_BIT(NSTRACE_NS_PID_FOR_CHILDREN), NS_BIT(NSTRACE_NS_PID_FOR_CHILDREN) },
	{ NSTRACE_CLONE_NEWNET, "NEWNET", NSTRACE_NS_NET, NS_BIT(NSTRACE_NS_NET), NS_BIT(NSTRACE_NS_NET) },
	{ NSTRACE_CLONE_NEWCGROUP, "NEWCGROUP", NSTRACE_NS_CGROUP, NS_BIT(NSTRACE_NS_CGROUP),
	  NS_BIT(NSTRACE_NS_CGROUP) },
	{ NSTRACE_CLONE_NEWUSER, "NEWUSER", NSTRACE_NS_USER, NS_BIT(NSTRACE_NS_USER), NS_BIT(NSTRACE_NS_USER) },
	{ NSTRACE_CLONE_NEWTIME, "NEWTIME", NSTRACE_NS_TIME,
	  NS_BIT(NSTRACE_NS_TIME) | NS_BIT(NSTRACE_NS_TIME_FOR_CHILDREN), NS_BIT(NSTRACE_NS_TIME_FOR_CHILDREN) },
};

size_t nstrace_event_size(__u32 type)
{
	switch ((enum nstrace_event_type)type) {
	case NSTRACE_EVENT_CLONE:
		return sizeof(struct nstrace_clone_event);
	case NSTRACE_EVENT_UNSHARE:
		return sizeof(struct nstrace_unshare_event);
	case NSTRACE_EVENT_SETNS:
		return sizeof(struct nstrace_setns_event);
	case NSTRACE_EVENT_EXEC:
		return sizeof(struct nstrace_exec_event);
	case NSTRACE_EVENT_EXIT:
		return sizeof(struct nstrace_exit_event);
	}
	return 0;
}

size_t nstrace_event_used_size(const union nstrace_event *e)
{
	if (e->hdr.type == NSTRACE_EVENT_EXEC && e->exec.args_len <= NSTRACE_ARGS_LEN)
		return offsetof(struct nstrace_exec_event, args) + e->exec.args_len;
	return e->hdr.size;
}

/* include/linux/user_namespace.h: 32 nested user namespaces, up to 340 map lines each */
#define MAX_USERNS_LEVEL 32
#define MAX_IDMAP_EXTENTS 340
#define CREDS_FLAGS_KNOWN \
	(NSTRACE_CREDS_READ | NSTRACE_CREDS_NO_NEW_PRIVS | NSTRACE_CREDS_AUDIT | NSTRACE_CREDS_SECCOMP)

int nstrace_creds_check(const struct nstrace_creds *c, const char **why)
{
	if (c->flags & ~CREDS_FLAGS_KNOWN) {
		*why = "credential flags nstrace does not know";
		return -EINVAL;
	}
	if (c->userns_level > MAX_USERNS_LEVEL) {
		*why = "more user namespace levels than the kernel allows";
		return -EINVAL;
	}
	if (c->uid_map.nr_extents > MAX_IDMAP_EXTENTS || c->gid_map.nr_extents > MAX_IDMAP_EXTENTS) {
		*why = "id map longer than the kernel allows";
		return -EINVAL;
	}
	/* the BPF side reads maps only outside the host's user namespace */
	if (!c->userns_level && (c->uid_map.nr_extents || c->gid_map.nr_extents)) {
		*why = "id map of the host's user namespace";
		return -EINVAL;
	}
	return 0;
}

int nstrace_event_check(const void *data, size_t len, const char **why)
{
	const union nstrace_event *e = data;
	size_t want;

	if (len < sizeof(struct nstrace_header)) {
		*why = "record shorter than its header";
		return -EINVAL;
	}
	want = nstrace_event_size(e->hdr.type);
	if (!want) {
		*why = "unknown event type";
		return -EINVAL;
	}
	if (e->hdr.size != want || len != want) {
		*why = "record size does not match its type";
		return -EINVAL;
	}
	if (e->hdr.nspid_levels > NSTRACE_MAX_PID_LEVELS) {
		*why = "more pid levels than the kernel allows";
		return -EINVAL;
	}
	if (e->hdr.type == NSTRACE_EVENT_EXEC && e->exec.args_len > NSTRACE_ARGS_LEN) {
		*why = "argv length beyond its buffer";
		return -EINVAL;
	}
	if (e->hdr.type == NSTRACE_EVENT_EXEC)
		return nstrace_creds_check(&e->exec.creds, why);
	return 0;
}

const char *nstrace_event_name(__u32 type)
{
	if (type >= ARRAY_SIZE(event_names) || !event_names[type])
		return "unknown";
	return event_names[type];
}

const char *nstrace_ns_name(enum nstrace_ns_type type)
{
	if ((unsigned)type >= NSTRACE_NS_TYPE_COUNT)
		return "unknown";
	return ns_names[type];
}

int nstrace_ns_from_name(const char *name)
{
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		if (!strcmp(ns_names[t], name))
			return t;
	return -1;
}

static nstrace_ns_mask created_by(__u64 flags, bool by_clone)
{
	nstrace_ns_mask mask = 0;

	for (size_t i = 0; i < ARRAY_SIZE(ns_flags); i++)
		if (flags & ns_flags[i].flag)
			mask |= by_clone ? ns_flags[i].clone_creates : ns_flags[i].unshare_creates;
	return mask;
}

nstrace_ns_mask nstrace_new_ns(const union nstrace_event *e)
{
	switch ((enum nstrace_event_type)e->hdr.type) {
	case NSTRACE_EVENT_CLONE:
		return created_by(e->clone.flags, true);
	case NSTRACE_EVENT_UNSHARE:
		return e->unshare.ret ? 0 : created_by(e->unshare.flags, false);
	case NSTRACE_EVENT_SETNS: /* enters namespaces, creates none */
	case NSTRACE_EVENT_EXEC:
	case NSTRACE_EVENT_EXIT:
		break;
	}
	return 0;
}

nstrace_ns_mask nstrace_setns_entered(const struct nstrace_setns_event *e)
{
	nstrace_ns_mask mask = 0;

	if (e->ret)
		return 0;
	if (e->target == NSTRACE_SETNS_TARGET_NSFS && e->target_inum) {
		/* setns never moves the caller's own pid namespace, only its children's. */
		for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
			if (t != NSTRACE_NS_PID && e->hdr.ns.inum[t] == e->target_inum)
				mask |= NS_BIT(t);
		return mask;
	}
	return created_by((__u32)e->nstype, false);
}

size_t nstrace_clone_flag_names(__u64 flags, const char **names, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(ns_flags) && n < max; i++)
		if (flags & ns_flags[i].flag)
			names[n++] = ns_flags[i].name;
	return n;
}

size_t nstrace_clone_flag_types(__u64 flags, enum nstrace_ns_type *types, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(ns_flags) && n < max; i++)
		if (flags & ns_flags[i].flag)
			types[n++] = ns_flags[i].type;
	return n;
}

struct nstrace_exit_status nstrace_exit_status(__u32 exit_code)
{
	struct nstrace_exit_status st = { 0 };

	st.signal = exit_code & 0x7f;
	st.core_dumped = exit_code & 0x80;
	if (!st.signal)
		st.code = (exit_code >> 8) & 0xff;
	return st;
}

__u32 nstrace_inner_pid(const struct nstrace_header *hdr)
{
	if (!hdr->nspid_levels || hdr->nspid_levels > NSTRACE_MAX_PID_LEVELS)
		return hdr->pid;
	return hdr->nspid[hdr->nspid_levels - 1];
}

const char *nstrace_next_arg(const struct nstrace_exec_event *e, size_t *pos, size_t *len)
{
	size_t end = e->args_len, start = *pos;
	const char *nul;

	if (end > NSTRACE_ARGS_LEN)
		end = NSTRACE_ARGS_LEN;
	if (start >= end)
		return NULL;
	nul = memchr(e->args + start, '\0', end - start);
	*len = nul ? (size_t)(nul - (e->args + start)) : end - start;
	*pos = start + *len + 1;
	return e->args + start;
}
