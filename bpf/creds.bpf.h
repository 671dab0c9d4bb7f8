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

/* include/linux/sched.h: bit numbers in task->atomic_flags */
#define PFA_NO_NEW_PRIVS 0

/*
 * kernel_cap_t was struct kernel_cap_struct { __u32 cap[2]; } until 6.3;
 * f122a08b197d ("capability: just use a 'u64' instead of a 'u32[2]'
 * array") made it an anonymous struct holding one u64 val. Both are eight
 * bytes at the same place in struct cred; only how the halves combine
 * differs. (A kernel-version case: it moves to core_fixes.bpf.h with the
 * others once that file exists.)
 */
struct kernel_cap_struct___pre63 {
	__u32 cap[2];
} __attribute__((preserve_access_index));

struct cred___pre63 {
	struct kernel_cap_struct___pre63 cap_inheritable;
	struct kernel_cap_struct___pre63 cap_permitted;
	struct kernel_cap_struct___pre63 cap_effective;
	struct kernel_cap_struct___pre63 cap_bset;
	struct kernel_cap_struct___pre63 cap_ambient;
} __attribute__((preserve_access_index));

#define CREDS_CAP(cred, field)                                                              \
	(bpf_core_type_exists(struct kernel_cap_struct___pre63)                            \
		 ? ((const struct cred___pre63 *)(cred))->field.cap[0] |                   \
			   (__u64)((const struct cred___pre63 *)(cred))->field.cap[1] << 32 \
		 : (cred)->field.val)

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
	out->cap_effective = CREDS_CAP(cred, cap_effective);
	out->cap_permitted = CREDS_CAP(cred, cap_permitted);
	out->cap_bounding = CREDS_CAP(cred, cap_bset);
	out->cap_inheritable = CREDS_CAP(cred, cap_inheritable);
	out->cap_ambient = CREDS_CAP(cred, cap_ambient);

	if (task->atomic_flags & (1UL << PFA_NO_NEW_PRIVS))
		out->flags |= NSTRACE_CREDS_NO_NEW_PRIVS;
	/* Both exist only with CONFIG_AUDIT; without it a login uid is not kept at all. */
	if (bpf_core_field_exists(task->loginuid)) {
		out->flags |= NSTRACE_CREDS_AUDIT;
		out->loginuid = task->loginuid.val;
		out->sessionid = task->sessionid;
	}
	if (bpf_core_field_exists(task->seccomp)) {
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
