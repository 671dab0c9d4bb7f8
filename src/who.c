// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <string.h>
#include "who.h"

static const char *const end_names[] = {
	[WHO_USER] = "user",
	[WHO_DAEMON] = "daemon",
	[WHO_UNKNOWN] = "unknown",
};

const char *who_end_name(enum who_end end)
{
	return (unsigned)end <= WHO_UNKNOWN ? end_names[end] : end_names[WHO_UNKNOWN];
}

static bool comm_starts(const char *comm, const char *prefix)
{
	return !strncmp(comm, prefix, strlen(prefix));
}

bool who_is_runtime(const char *comm, const struct runtime_hint *hint)
{
	/*
	 * Command names for processes whose argv does not say: runc's stages
	 * rename themselves, and runc re-executes itself from a memfd ("exe").
	 */
	static const char *const prefixes[] = { "runc", "crun", "containerd", "dockerd", "conmon", "crio", "lxc-" };

	if (hint && hint->runtime != RUNTIME_UNKNOWN)
		return true;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (comm_starts(comm, prefixes[i]))
			return true;
	return false;
}

void who_trace(__u32 creator, who_lookup_fn lookup, void *ctx, struct who *out)
{
	__u32 pid = creator;

	memset(out, 0, sizeof(*out));
	out->end = WHO_UNKNOWN;
	out->loginuid = NSTRACE_UID_UNSET;
	while (out->count < WHO_MAX_CHAIN) {
		struct who_process *p = &out->chain[out->count];

		if (!pid || !lookup(ctx, pid, p)) {
			/*
			 * A runtime process whose parent is gone was left to init by a
			 * daemon that forked it off and exited (containerd's shims).
			 */
			if (out->count && out->chain[out->count - 1].runtime && pid)
				out->end = WHO_DAEMON;
			return;
		}
		out->count++;
		if (out->loginuid == NSTRACE_UID_UNSET && p->audit)
			out->loginuid = p->loginuid;
		if (!p->runtime) {
			out->end = WHO_USER;
			return;
		}
		/*
		 * A runtime process whose parent is pid 1 was started by the
		 * init system or was left to it by a daemon that forked it off
		 * (containerd's shims, conmon): the one who asked is no ancestor.
		 */
		if (p->ppid <= 1) {
			out->end = WHO_DAEMON;
			return;
		}
		pid = p->ppid;
	}
}

void who_set_ids(struct who_process *p, const struct nstrace_creds *creds)
{
	p->ids_known = creds->flags & NSTRACE_CREDS_READ;
	p->audit = p->ids_known && (creds->flags & NSTRACE_CREDS_AUDIT);
	p->uid = creds->uid;
	p->euid = creds->euid;
	p->gid = creds->gid;
	p->loginuid = p->audit ? creds->loginuid : NSTRACE_UID_UNSET;
	p->sessionid = p->audit ? creds->sessionid : NSTRACE_UID_UNSET;
}
