/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The histogram maps shared by the profiler's BPF programs and user space.
 * Fixed-width fields only; the slot function is shared too, so the unit
 * tests exercise the very code the BPF programs run.
 */
#ifndef NSTRACE_PROFILE_H
#define NSTRACE_PROFILE_H

/* Slot i counts durations in [2^i, 2^(i+1) - 1] ns, slot 0 also 0 ns. */
#define NSTRACE_PROFILE_SLOTS 64
/* Real workloads use a few dozen keys; a full map counts as missed samples. */
#define NSTRACE_PROFILE_MAX_KEYS 2048

enum nstrace_profile_kind {
	/* syscalls, entry to exit, in both hook sets */
	NSTRACE_PROFILE_CLONE, /* clone and clone3; value: CLONE_NEW* mask */
	NSTRACE_PROFILE_UNSHARE, /* value: CLONE_NEW* mask */
	NSTRACE_PROFILE_SETNS, /* value: nstype as passed, 0 meaning any */
	NSTRACE_PROFILE_EXEC, /* execve and execveat; value: 0 */
	/* kernel functions, trampoline set only; value: CLONE_NEW* mask */
	NSTRACE_PROFILE_COPY_NAMESPACES,
	NSTRACE_PROFILE_CREATE_NEW_NAMESPACES,
	NSTRACE_PROFILE_COPY_MNT_NS,
	NSTRACE_PROFILE_COPY_UTSNAME,
	NSTRACE_PROFILE_COPY_IPCS,
	NSTRACE_PROFILE_COPY_PID_NS,
	NSTRACE_PROFILE_COPY_NET_NS,
	NSTRACE_PROFILE_COPY_CGROUP_NS,
	NSTRACE_PROFILE_COPY_TIME_NS,
	NSTRACE_PROFILE_ALLOC_PID, /* value: pid namespace levels allocated in */
	NSTRACE_PROFILE_KIND_COUNT,
};

struct nstrace_profile_key {
	__u32 kind; /* enum nstrace_profile_kind */
	__u32 failed; /* the syscall returned an error */
	__u64 value;
};

/* The count is the sum of the slots, so it always agrees with them. */
struct nstrace_profile_hist {
	__u64 sum_ns;
	__u64 max_ns;
	__u64 slots[NSTRACE_PROFILE_SLOTS];
};

/* floor(log2(v)), 0 for 0: branch-free so the verifier sees one path. */
static inline __u32 nstrace_profile_slot(__u64 v)
{
	__u32 r, shift;

	r = (v > 0xFFFFFFFFULL) << 5;
	v >>= r;
	shift = (v > 0xFFFF) << 4;
	v >>= shift;
	r |= shift;
	shift = (v > 0xFF) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xF) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (v >> 1);
	return r;
}

#endif /* NSTRACE_PROFILE_H */
