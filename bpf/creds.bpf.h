/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The credentials of a task that has just exec'd. Read at
 * sched_process_exec: exec has committed the new creds (setuid bits and
 * file capabilities applied) and nothing else has changed them yet, so
 * these are exactly what the new program starts with; read later from
 * /proc they may have changed or the process may be gone.
 *
 * Runs on every exec of the host, so the reads are cheap: the task is the
 * tracepoint's typed argument and every field is a plain load the verifier
 * makes fault-safe, about a dozen of them, where a bpf_probe_read_kernel()
 * call each would cost tens of nanoseconds; the user namespace's maps,
 * two block reads, only for a task outside the host's user namespace.
 */
#ifndef CREDS_BPF_H
#define CREDS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "nstrace.h"
#include "core_fixes.bpf.h"

/* include/linux/sched.h: bit numbers in task->atomic_flags */
#define PFA_NO_NEW_PRIVS 0

/*
 * Maps of up to UID_GID_MAP_MAX_BASE_EXTENTS lines live inside the map;
 * longer ones (since 4.15, 6397fac4915a "userns: bump idmap limits to
 * 340") in an array at forward, sorted by first.
 */
static __always_inline void read_idmap(struct uid_gid_map *map, struct nstrace_idmap *out)
{
	__u32 nr = BPF_CORE_READ(map, nr_extents);

	out->nr_extents = nr;
	if (nr <= NSTRACE_IDMAP_EXTENTS) {
		bpf_core_read(out->extent, sizeof(out->extent), &map->extent);
		return;
	}
	bpf_probe_read_kernel(out->extent, sizeof(out->extent), BPF_CORE_READ(map, forward));
}

static __always_inline void read_creds(struct task_struct *task, struct nstrace_creds *out)
{
	const struct cred *cred = task->real_cred;
	struct user_namespace *userns;

	/* a ring buffer record is not zeroed */
	__builtin_memset(out, 0, sizeof(*out));
	if (!cred)
		return;
	out->flags = NSTRACE_CREDS_READ;
	out->uid = cred->uid.val;
	out->gid = cred->gid.val;
	out->euid = cred->euid.val;
	out->egid = cred->egid.val;
	out->securebits = cred->securebits;
	out->cap_effective = core_cred_cap(cred, cap_effective);
	out->cap_permitted = core_cred_cap(cred, cap_permitted);
	out->cap_bounding = core_cred_cap(cred, cap_bset);
	out->cap_inheritable = core_cred_cap(cred, cap_inheritable);
	out->cap_ambient = core_cred_cap(cred, cap_ambient);

	if (task->atomic_flags & (1UL << PFA_NO_NEW_PRIVS))
		out->flags |= NSTRACE_CREDS_NO_NEW_PRIVS;
	if (core_has_loginuid(task)) {
		out->flags |= NSTRACE_CREDS_AUDIT;
		out->loginuid = task->loginuid.val;
		out->sessionid = task->sessionid;
	}
	if (core_has_seccomp(task)) {
		out->flags |= NSTRACE_CREDS_SECCOMP;
		out->seccomp_mode = task->seccomp.mode;
	}

	userns = cred->user_ns;
	if (!userns)
		return;
	out->userns_level = userns->level;
	if (out->userns_level) {
		read_idmap(&userns->uid_map, &out->uid_map);
		read_idmap(&userns->gid_map, &out->gid_map);
	}
}

#endif /* CREDS_BPF_H */
