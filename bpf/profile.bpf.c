// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Latency profiler: durations are measured and binned into log2
 * histograms here, so user space only reads maps at each interval and the
 * cost per call stays one hash update and one delete.
 *
 * Syscalls (clone, clone3, unshare, setns, execve, execveat) are timed
 * from raw_tp/sys_enter to raw_tp/sys_exit in both hook sets. The
 * trampoline set adds fentry/fexit pairs on the kernel functions that
 * build namespaces and allocate pids; user space loads those only when
 * the kernel allows trampolines, and only for functions in its BTF.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "nstrace.h"
#include "profile.h"
#include "syscalls.bpf.h"
/* clone's low byte is the exit signal, where clone3 and unshare have CLONE_NEWTIME */
#define CSIGNAL 0x000000ffULL
/* A waiter on a CAS loses only to a larger maximum; this bounds the retries. */
#define MAX_CAS_TRIES 16

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct hist_map {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NSTRACE_PROFILE_MAX_KEYS);
	__type(key, struct nstrace_profile_key);
	__type(value, struct nstrace_profile_hist);
};

/*
 * Two histogram maps, one of them live. User space swaps the live one
 * through the outer map; the kernel waits for running programs before the
 * swap returns, so the other map is quiescent and can be read and cleared
 * without losing a sample or tearing one across intervals.
 */
struct hist_map hist_a SEC(".maps"), hist_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct hist_map);
} live_hist SEC(".maps") = {
	.values = { &hist_a },
};

struct start_key {
	__u32 tid;
	__u32 kind; /* calls nest: copy_namespaces runs inside clone */
};

struct start {
	__u64 time_ns;
	__u64 value;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct start_key);
	__type(value, struct start);
} starts SEC(".maps");

/* Samples that found a map full or their arguments unreadable, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} missed SEC(".maps");

/* The initial value of a new key; larger than the BPF stack. */
static struct nstrace_profile_hist empty_hist;

static __always_inline void count_missed(void)
{
	__u32 zero = 0;
	__u64 *count = bpf_map_lookup_elem(&missed, &zero);

	if (count)
		__sync_fetch_and_add(count, 1);
}

static __always_inline void start_timer(__u32 kind, __u64 value)
{
	struct start_key key = { .tid = (__u32)bpf_get_current_pid_tgid(), .kind = kind };
	struct start start = { .time_ns = bpf_ktime_get_ns(), .value = value };

	if (bpf_map_update_elem(&starts, &key, &start, BPF_ANY))
		count_missed();
}

static __always_inline void record(__u32 kind, __u32 failed, __u64 value, __u64 delta)
{
	struct nstrace_profile_key key = { .kind = kind, .failed = failed, .value = value };
	struct nstrace_profile_hist *hist;
	__u32 zero = 0, slot;
	void *map;

	map = bpf_map_lookup_elem(&live_hist, &zero);
	if (!map)
		return;
	hist = bpf_map_lookup_elem(map, &key);
	if (!hist) {
		/* NOEXIST: another CPU may have added the key meanwhile */
		bpf_map_update_elem(map, &key, &empty_hist, BPF_NOEXIST);
		hist = bpf_map_lookup_elem(map, &key);
		if (!hist) {
			count_missed();
			return;
		}
	}
	/*
	 * The log2 of a u64 is at most 63, the last slot, so the mask changes
	 * nothing; it is there for 6.1's verifier, which loses the bound of the
	 * shifted and or'ed bits and refuses the index (6.12's keeps it). The
	 * barrier stops clang from folding the mask into the computation.
	 */
	_Static_assert(NSTRACE_PROFILE_SLOTS == 64, "one slot per bit of a u64");
	slot = nstrace_profile_slot(delta);
	barrier_var(slot);
	slot &= NSTRACE_PROFILE_SLOTS - 1;
	__sync_fetch_and_add(&hist->slots[slot], 1);
	__sync_fetch_and_add(&hist->sum_ns, delta);
	for (int i = 0; i < MAX_CAS_TRIES; i++) {
		__u64 old = hist->max_ns;

		if (delta <= old || __sync_val_compare_and_swap(&hist->max_ns, old, delta) == old)
			break;
	}
}

/* Ends the timer kind started on this thread; failed is only known for syscalls. */
static __always_inline void stop_timer(__u32 kind, __u32 failed)
{
	struct start_key key = { .tid = (__u32)bpf_get_current_pid_tgid(), .kind = kind };
	struct start *start = bpf_map_lookup_elem(&starts, &key);
	__u64 now = bpf_ktime_get_ns();

	if (!start)
		return;
	record(kind, failed, start->value, now - start->time_ns);
	bpf_map_delete_elem(&starts, &key);
}

/* ---- syscalls ---- */

static __always_inline __u64 clone3_flags(struct pt_regs *regs, bool *ok)
{
	struct clone_args *uargs = (struct clone_args *)BPF_CORE_READ(regs, di);
	__u64 flags = 0;

	*ok = !bpf_probe_read_user(&flags, sizeof(flags), &uargs->flags);
	return flags;
}

/*
 * clone, clone3 and unshare without CLONE_NEW* flags (threads, plain
 * forks) are skipped before any map operation: they create no namespace.
 */
SEC("raw_tp/sys_enter")
int BPF_PROG(profile_sys_enter, struct pt_regs *regs, long id)
{
	__u64 value;
	__u32 kind;
	bool ok;

	switch (id) {
	case NR_CLONE:
		kind = NSTRACE_PROFILE_CLONE;
		value = BPF_CORE_READ(regs, di) & NSTRACE_CLONE_NEW_MASK & ~CSIGNAL;
		break;
	case NR_CLONE3:
		kind = NSTRACE_PROFILE_CLONE;
		value = clone3_flags(regs, &ok) & NSTRACE_CLONE_NEW_MASK;
		if (!ok) {
			count_missed();
			return 0;
		}
		break;
	case NR_UNSHARE:
		kind = NSTRACE_PROFILE_UNSHARE;
		value = BPF_CORE_READ(regs, di) & NSTRACE_CLONE_NEW_MASK;
		break;
	case NR_SETNS:
		kind = NSTRACE_PROFILE_SETNS;
		value = (__u32)BPF_CORE_READ(regs, si);
		break;
	case NR_EXECVE:
	case NR_EXECVEAT:
		kind = NSTRACE_PROFILE_EXEC;
		value = 0;
		break;
	default:
		return 0;
	}
	if (in_compat_syscall())
		return 0;
	if (!value && (kind == NSTRACE_PROFILE_CLONE || kind == NSTRACE_PROFILE_UNSHARE))
		return 0;
	start_timer(kind, value);
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(profile_sys_exit, struct pt_regs *regs, long ret)
{
	__u32 kind;

	switch (BPF_CORE_READ(regs, orig_ax)) {
	case NR_CLONE:
	case NR_CLONE3:
		/* the new child returns 0 through here too; the parent's return is the one timed */
		if (!ret)
			return 0;
		kind = NSTRACE_PROFILE_CLONE;
		break;
	case NR_UNSHARE:
		kind = NSTRACE_PROFILE_UNSHARE;
		break;
	case NR_SETNS:
		kind = NSTRACE_PROFILE_SETNS;
		break;
	case NR_EXECVE:
	case NR_EXECVEAT:
		kind = NSTRACE_PROFILE_EXEC;
		break;
	default:
		return 0;
	}
	stop_timer(kind, ret < 0);
	return 0;
}

/*
 * A thread other than the leader that execs takes over the leader's pid
 * (de_thread), so its sys_exit comes under a new tid: move its timer.
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(profile_exec, struct task_struct *task, pid_t old_pid)
{
	struct start_key old = { .tid = old_pid, .kind = NSTRACE_PROFILE_EXEC };
	struct start_key new = { .tid = task->pid, .kind = NSTRACE_PROFILE_EXEC };
	struct start *start;

	if (old.tid == new.tid)
		return 0;
	start = bpf_map_lookup_elem(&starts, &old);
	if (!start)
		return 0;
	if (bpf_map_update_elem(&starts, &new, start, BPF_ANY))
		count_missed();
	bpf_map_delete_elem(&starts, &old);
	return 0;
}

/* ---- trampoline set: kernel functions ---- */

/*
 * copy_namespaces runs for every fork and thread but only builds
 * namespaces with CLONE_NEW* flags; without them it takes a reference
 * and returns, which is not worth a map operation.
 */
SEC("fentry/copy_namespaces")
int BPF_PROG(fentry_copy_namespaces, unsigned long flags)
{
	if (flags & NSTRACE_CLONE_NEW_MASK)
		start_timer(NSTRACE_PROFILE_COPY_NAMESPACES, flags & NSTRACE_CLONE_NEW_MASK);
	return 0;
}

SEC("fexit/copy_namespaces")
int BPF_PROG(fexit_copy_namespaces, unsigned long flags)
{
	if (flags & NSTRACE_CLONE_NEW_MASK)
		stop_timer(NSTRACE_PROFILE_COPY_NAMESPACES, 0);
	return 0;
}

/* Also called by setns with no flags, to copy the nsproxy it then switches to (mask 0). */
SEC("fentry/create_new_namespaces")
int BPF_PROG(fentry_create_new_namespaces, unsigned long flags)
{
	start_timer(NSTRACE_PROFILE_CREATE_NEW_NAMESPACES, flags & NSTRACE_CLONE_NEW_MASK);
	return 0;
}

SEC("fexit/create_new_namespaces")
int BPF_PROG(fexit_create_new_namespaces)
{
	stop_timer(NSTRACE_PROFILE_CREATE_NEW_NAMESPACES, 0);
	return 0;
}

/*
 * create_new_namespaces calls every per-type copy function; each one
 * builds a namespace only when its own flag is set and otherwise takes a
 * reference on the old one, so only the calls that build are timed.
 */
#define PER_TYPE_COPY(func, kind, flag)                                                     \
	SEC("fentry/" #func)                                                                \
	int BPF_PROG(fentry_##func, unsigned long flags)                                    \
	{                                                                                   \
		if (flags & (flag))                                                         \
			start_timer(kind, flag);                                            \
		return 0;                                                                   \
	}                                                                                   \
	SEC("fexit/" #func)                                                                 \
	int BPF_PROG(fexit_##func, unsigned long flags)                                     \
	{                                                                                   \
		if (flags & (flag))                                                         \
			stop_timer(kind, 0);                                                \
		return 0;                                                                   \
	}

PER_TYPE_COPY(copy_mnt_ns, NSTRACE_PROFILE_COPY_MNT_NS, NSTRACE_CLONE_NEWNS)
PER_TYPE_COPY(copy_utsname, NSTRACE_PROFILE_COPY_UTSNAME, NSTRACE_CLONE_NEWUTS)
PER_TYPE_COPY(copy_ipcs, NSTRACE_PROFILE_COPY_IPCS, NSTRACE_CLONE_NEWIPC)
PER_TYPE_COPY(copy_pid_ns, NSTRACE_PROFILE_COPY_PID_NS, NSTRACE_CLONE_NEWPID)
PER_TYPE_COPY(copy_net_ns, NSTRACE_PROFILE_COPY_NET_NS, NSTRACE_CLONE_NEWNET)
PER_TYPE_COPY(copy_cgroup_ns, NSTRACE_PROFILE_COPY_CGROUP_NS, NSTRACE_CLONE_NEWCGROUP)
/* Time namespaces arrived in 5.6 (769071ac9f20); user space skips it on older kernels. */
PER_TYPE_COPY(copy_time_ns, NSTRACE_PROFILE_COPY_TIME_NS, NSTRACE_CLONE_NEWTIME)

/* Keyed by how many pid namespace levels the new pid gets a number in. */
SEC("fentry/alloc_pid")
int BPF_PROG(fentry_alloc_pid, struct pid_namespace *ns)
{
	start_timer(NSTRACE_PROFILE_ALLOC_PID, BPF_CORE_READ(ns, level) + 1);
	return 0;
}

SEC("fexit/alloc_pid")
int BPF_PROG(fexit_alloc_pid)
{
	stop_timer(NSTRACE_PROFILE_ALLOC_PID, 0);
	return 0;
}
