// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Three hook sets catch unshare and setns; user space loads one of them
 * and tells them apart by section name alone (src/hooks.c), so a
 * program's SEC() is the only place it is named:
 *   fentry/, fexit/        trampoline set: the kernel functions both
 *                          system call gates (64-bit and 32-bit) reach;
 *   tracepoint/syscalls/   tracepoint set: per-syscall tracepoints, which
 *                          run for their own call only (64-bit only);
 *   tp_btf/sys_exit        sys-exit set: the exit of every system call on
 *                          the machine, the last resort.
 * Programs in any other section (clone, exec, exit) load with every set.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "nstrace.h"
#include "core_fixes.bpf.h"
#include "syscalls.bpf.h"
#include "creds.bpf.h"

#define NSFS_MAGIC 0x6e736673
#define PF_KTHREAD 0x00200000

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* resized by user space before load */
} events SEC(".maps");

/* Reservations that failed because the ring buffer was full, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} dropped SEC(".maps");

/*
 * Wake-up policy (see NSTRACE_WAKEUP_INTERVAL_MS): records go in silently
 * and the reader is woken only when
 *   - the backlog grows past another multiple of wakeup_bytes, so a reader
 *     that sleeps through a storm is woken well before the buffer fills; or
 *   - no wake-up happened for an interval, so a lone event is seen at once.
 * Records that land inside an interval are picked up by the reader's next
 * poll, due within an interval of any batch (see trace.c).
 */
#define WAKEUP_INTERVAL_NS (NSTRACE_WAKEUP_INTERVAL_MS * 1000000ULL)
#define RINGBUF_HDR_SZ 8

const volatile __u64 wakeup_bytes = 1 << 20; /* set by user space before load */
/* shared by every CPU; a lost race costs one extra wake-up at most */
__u64 last_wakeup_ns;

static __always_inline void submit(void *rec, __u32 size, __u64 now)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 before = avail - ((size + RINGBUF_HDR_SZ + 7) & ~7ULL);

	if (avail / wakeup_bytes != before / wakeup_bytes || now - last_wakeup_ns >= WAKEUP_INTERVAL_NS) {
		last_wakeup_ns = now;
		bpf_ringbuf_submit(rec, BPF_RB_FORCE_WAKEUP);
		return;
	}
	bpf_ringbuf_submit(rec, BPF_RB_NO_WAKEUP);
}

static __always_inline void count_dropped(void)
{
	__u32 zero = 0;
	__u64 *count = bpf_map_lookup_elem(&dropped, &zero);

	if (count)
		*count += 1;
}

static __always_inline void *reserve(__u32 size)
{
	void *rec = bpf_ringbuf_reserve(&events, size, 0);

	if (!rec)
		count_dropped();
	return rec;
}

/*
 * Two ways to read kernel memory. A pointer whose type the verifier knows
 * (a tp_btf or fexit argument, bpf_get_current_task_btf()) is read with
 * plain loads, which it turns into loads that cannot fault; a bare
 * address needs a bpf_probe_read_kernel() call for every step. The calls
 * were most of the cost of a record (about thirty of them, some 500 ns on
 * the unshare path), so every builder takes `typed`, a constant once
 * inlined, and compiles to the loads where it is true. The loads cost at
 * load time instead: the verifier looks each pointer it yields up in the
 * kernel's BTF (btf_nested_type_is_trusted), about 10 ms per program on
 * 6.18. So only the unshare and setns paths are typed, where the system
 * call costs a microsecond or two; clone, exec and exit cost hundreds.
 * The credentials of an exec (creds.bpf.h) are the one exception: a dozen
 * loads from the tracepoint's typed task, too many for a probe read each.
 */
#define READ(typed, src, ...) ((typed) ? ___arrow(src, __VA_ARGS__) : BPF_CORE_READ(src, __VA_ARGS__))

/* The current task, typed where the kernel can say so (core_fixes.bpf.h). */
#define WITH_CURRENT_TASK(call, ...)                                                       \
	(core_has_current_task_btf()                                                        \
		 ? call(bpf_get_current_task_btf(), true, ##__VA_ARGS__)                    \
		 : call((struct task_struct *)bpf_get_current_task(), false, ##__VA_ARGS__))

/* numbers[] is indexed by a variable, which plain loads cannot do: probe reads. */
static __always_inline void read_nspid(struct pid *pid, bool typed, struct nstrace_header *hdr)
{
	unsigned int level = READ(typed, pid, level);

	hdr->nspid_levels = 0;
	for (int i = 0; i < NSTRACE_MAX_PID_LEVELS; i++) {
		if (i > level)
			break;
		bpf_core_read(&hdr->nspid[i], sizeof(hdr->nspid[i]), &pid->numbers[i].nr);
		hdr->nspid_levels = i + 1;
	}
}

static __always_inline __u32 active_pid_ns_inum(struct pid *pid, bool typed)
{
	unsigned int level = READ(typed, pid, level);
	struct pid_namespace *ns = NULL;

	if (level >= NSTRACE_MAX_PID_LEVELS)
		return 0;
	bpf_core_read(&ns, sizeof(ns), &pid->numbers[level].ns);
	return BPF_CORE_READ(ns, ns.inum);
}

static __always_inline void read_ns_set(struct task_struct *task, bool typed, struct pid *pid,
					struct nstrace_ns_set *set)
{
	struct nsproxy *nsp = READ(typed, task, nsproxy);

	set->inum[NSTRACE_NS_USER] = READ(typed, task, real_cred, user_ns, ns.inum);
	set->inum[NSTRACE_NS_PID] = active_pid_ns_inum(pid, typed);
	if (!nsp)
		return;
	set->inum[NSTRACE_NS_MNT] = READ(typed, nsp, mnt_ns, ns.inum);
	set->inum[NSTRACE_NS_UTS] = READ(typed, nsp, uts_ns, ns.inum);
	set->inum[NSTRACE_NS_IPC] = READ(typed, nsp, ipc_ns, ns.inum);
	set->inum[NSTRACE_NS_PID_FOR_CHILDREN] = READ(typed, nsp, pid_ns_for_children, ns.inum);
	set->inum[NSTRACE_NS_NET] = READ(typed, nsp, net_ns, ns.inum);
	set->inum[NSTRACE_NS_CGROUP] = READ(typed, nsp, cgroup_ns, ns.inum);
	if (core_has_time_ns(nsp)) {
		set->inum[NSTRACE_NS_TIME] = READ(typed, nsp, time_ns, ns.inum);
		set->inum[NSTRACE_NS_TIME_FOR_CHILDREN] = READ(typed, nsp, time_ns_for_children, ns.inum);
	}
}

/* Fills the header for a task whose pid, tgid and parent are already known. */
static __always_inline void fill_header(struct nstrace_header *hdr, __u32 type, __u32 size,
					struct task_struct *task, bool typed, struct pid *pid,
					__u32 tgid, __u32 tid, __u32 ppid)
{
	hdr->time_ns = bpf_ktime_get_ns();
	hdr->type = type;
	hdr->size = size;
	hdr->pid = tgid;
	hdr->tid = tid;
	hdr->ppid = ppid;
	BPF_CORE_READ_STR_INTO(&hdr->comm, task, comm);
	read_nspid(pid, typed, hdr);
	read_ns_set(task, typed, pid, &hdr->ns);
}

static __always_inline void fill_header_of(struct nstrace_header *hdr, __u32 type, __u32 size,
					   struct task_struct *task, bool typed)
{
	fill_header(hdr, type, size, task, typed, READ(typed, task, thread_pid), READ(typed, task, tgid),
		    READ(typed, task, pid), READ(typed, task, real_parent, tgid));
}

static __always_inline int emit_clone(struct task_struct *child, struct pid *pid, __u64 flags,
				      __u32 tgid, __u32 tid, __u32 ppid)
{
	struct task_struct *parent = (struct task_struct *)bpf_get_current_task();
	struct nstrace_clone_event *e;

	if (BPF_CORE_READ(child, flags) & PF_KTHREAD)
		return 0;
	/* Threads that stay in their creator's namespaces are not namespace events. */
	if ((flags & NSTRACE_CLONE_THREAD) &&
	    BPF_CORE_READ(child, nsproxy) == BPF_CORE_READ(parent, nsproxy))
		return 0;
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	fill_header(&e->hdr, NSTRACE_EVENT_CLONE, sizeof(*e), child, false, pid, tgid, tid, ppid);
	e->flags = flags;
	e->caller_pid = bpf_get_current_pid_tgid() >> 32;
	e->caller_tid = (__u32)bpf_get_current_pid_tgid();
	submit(e, sizeof(*e), e->hdr.time_ns);
	return 0;
}

static __always_inline int emit_unshare_by(struct task_struct *task, bool typed, __u64 flags, long ret)
{
	struct nstrace_unshare_event *e = reserve(sizeof(*e));

	if (!e)
		return 0;
	fill_header_of(&e->hdr, NSTRACE_EVENT_UNSHARE, sizeof(*e), task, typed);
	e->flags = flags;
	e->ret = ret;
	submit(e, sizeof(*e), e->hdr.time_ns);
	return 0;
}

/*
 * setns(fd, 0) and setns(pidfd, mask) switch several namespaces at once, so
 * the event carries the caller's namespaces after the switch plus what fd
 * pointed at; user space derives the set entered from both.
 */
static __always_inline void read_setns_target(struct task_struct *task, bool typed, int fd,
					      struct nstrace_setns_event *e)
{
	struct fdtable *fdt = READ(typed, task, files, fdt);
	/* a pointer to pointers: what it yields is bare in either case */
	struct file **fds = READ(typed, fdt, fd);
	struct file *file = NULL;
	unsigned long magic;
	struct inode *inode;

	e->target = NSTRACE_SETNS_TARGET_UNKNOWN;
	e->target_inum = 0;
	if (fd < 0 || fd >= READ(typed, fdt, max_fds))
		return;
	bpf_core_read(&file, sizeof(file), &fds[fd]);
	if (!file)
		return;
	inode = BPF_CORE_READ(file, f_inode);
	magic = BPF_CORE_READ(inode, i_sb, s_magic);
	if (magic == NSFS_MAGIC) {
		e->target = NSTRACE_SETNS_TARGET_NSFS;
		e->target_inum = BPF_CORE_READ(inode, i_ino);
	} else if (magic == PIDFS_MAGIC || magic == ANON_INODE_FS_MAGIC) {
		e->target = NSTRACE_SETNS_TARGET_PIDFD;
	}
}

static __always_inline int emit_setns_by(struct task_struct *task, bool typed, int fd, int nstype,
					 long ret)
{
	struct nstrace_setns_event *e = reserve(sizeof(*e));

	if (!e)
		return 0;
	fill_header_of(&e->hdr, NSTRACE_EVENT_SETNS, sizeof(*e), task, typed);
	e->ret = ret;
	e->fd = fd;
	e->nstype = nstype;
	read_setns_target(task, typed, fd, e);
	submit(e, sizeof(*e), e->hdr.time_ns);
	return 0;
}

/* ---- every set: clone, exec, exit ---- */

/*
 * Without CLONE_NEW* flags a thread always shares its creator's nsproxy
 * (copy_namespaces), so the common thread creation leaves before any read.
 */
static __always_inline bool plain_thread(__u64 flags)
{
	return (flags & NSTRACE_CLONE_THREAD) && !(flags & NSTRACE_CLONE_NEW_MASK);
}

SEC("tp_btf/task_newtask")
int BPF_PROG(tp_task_newtask, struct task_struct *task, u64 clone_flags)
{
	if (plain_thread(clone_flags))
		return 0;
	return emit_clone(task, BPF_CORE_READ(task, thread_pid), clone_flags,
			  BPF_CORE_READ(task, tgid), BPF_CORE_READ(task, pid),
			  BPF_CORE_READ(task, real_parent, tgid));
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tp_sched_process_exec, struct task_struct *task, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	struct nstrace_exec_event *e = reserve(sizeof(*e));
	unsigned long arg_start, arg_end, len;
	const char *filename;
	char next = 0;
	long n;

	if (!e)
		return 0;
	fill_header_of(&e->hdr, NSTRACE_EVENT_EXEC, sizeof(*e), task, false);
	e->old_tid = old_pid;
	read_creds(task, &e->creds);
	filename = BPF_CORE_READ(bprm, filename);
	n = bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), filename);
	/* a full buffer holds a name of exactly its size too: cut only if more follows */
	if (n == sizeof(e->filename))
		bpf_probe_read_kernel(&next, 1, filename + sizeof(e->filename) - 1);
	e->filename_truncated = next != 0;
	if (n < 0)
		e->filename[0] = '\0';

	arg_start = BPF_CORE_READ(task, mm, arg_start);
	arg_end = BPF_CORE_READ(task, mm, arg_end);
	len = arg_end > arg_start ? arg_end - arg_start : 0;
	e->args_truncated = len > NSTRACE_ARGS_LEN;
	if (len > NSTRACE_ARGS_LEN)
		len = NSTRACE_ARGS_LEN;
	if (bpf_probe_read_user(e->args, len, (void *)arg_start))
		len = 0;
	e->args_len = len;
	submit(e, sizeof(*e), e->hdr.time_ns);
	return 0;
}

static __always_inline int emit_exit(struct task_struct *task)
{
	struct nstrace_exit_event *e;
	__u32 last;

	if (BPF_CORE_READ(task, flags) & PF_KTHREAD)
		return 0;
	e = reserve(sizeof(*e));
	if (!e)
		return 0;
	fill_header_of(&e->hdr, NSTRACE_EVENT_EXIT, sizeof(*e), task, false);
	e->exit_code = BPF_CORE_READ(task, exit_code);
	last = e->hdr.nspid_levels - 1;
	e->reaper = last < NSTRACE_MAX_PID_LEVELS && e->hdr.nspid[last] == 1;
	e->pad[0] = e->pad[1] = e->pad[2] = 0;
	submit(e, sizeof(*e), e->hdr.time_ns);
	return 0;
}

/* Once per process, when its last thread exits (core_fixes.bpf.h). */
SEC("tp_btf/sched_process_exit")
int tp_sched_process_exit(u64 *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx[0];

	if (core_exit_has_group_dead()) {
		if (!(bool)ctx[1])
			return 0;
	} else if (BPF_CORE_READ(task, signal, live.counter)) {
		return 0;
	}
	return emit_exit(task);
}

/* ---- trampoline set: unshare and setns where both gates meet ---- */

/* Both gates call it: __x64_sys_unshare and __ia32_sys_unshare alike. */
SEC("fexit/ksys_unshare")
int BPF_PROG(fexit_ksys_unshare, unsigned long flags, int ret)
{
	return WITH_CURRENT_TASK(emit_unshare_by, flags, ret);
}

SEC("fexit/__x64_sys_setns")
int BPF_PROG(fexit_x64_sys_setns, struct pt_regs *regs, long ret)
{
	return WITH_CURRENT_TASK(emit_setns_by, (int)regs->di, (int)regs->si, ret);
}

/*
 * setns has no common function the two gates share outside the system
 * call (its body is inlined into each entry), so the 32-bit entry gets a
 * program of its own. Kernels without IA32 emulation have no such entry,
 * and no 32-bit call to catch.
 */
SEC("fexit/__ia32_sys_setns")
int BPF_PROG(fexit_ia32_sys_setns, struct pt_regs *regs, long ret)
{
	return WITH_CURRENT_TASK(emit_setns_by, (int)regs->bx, (int)regs->cx, ret);
}

/* ---- tracepoint set: syscalls/sys_exit_unshare and sys_exit_setns ---- */

/*
 * Where the kernel cannot give a syscall's arguments at its exit
 * (core_has_task_pt_regs), the entry tracepoint keeps them for the exit,
 * per thread. User space loads the entry programs on those kernels only.
 */
struct syscall_args {
	__u64 arg[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct syscall_args);
} entry_args SEC(".maps");

/*
 * An entry record holds only the call's own arguments, and the kernel
 * refuses to attach a program that reads past them (EACCES): unshare has
 * one, setns two.
 */
static __always_inline int keep_args(__u64 arg0, __u64 arg1)
{
	struct syscall_args args = { .arg = { arg0, arg1 } };
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	/* a full table loses the event at the exit: count it as lost now */
	if (bpf_map_update_elem(&entry_args, &tid, &args, BPF_ANY))
		count_dropped();
	return 0;
}

/* Entry programs come first: the skeleton attaches in this order. */
SEC("tracepoint/syscalls/sys_enter_unshare")
int tp_enter_unshare(struct trace_event_raw_sys_enter *ctx)
{
	return keep_args(ctx->args[0], 0);
}

SEC("tracepoint/syscalls/sys_enter_setns")
int tp_enter_setns(struct trace_event_raw_sys_enter *ctx)
{
	return keep_args(ctx->args[0], ctx->args[1]);
}

/*
 * The first two arguments of the current thread's system call, at its
 * exit. False only for a call that entered before the entry program was
 * attached: the /proc snapshot taken after attach covers what it did.
 */
static __always_inline bool call_args(struct syscall_args *args)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct syscall_args *kept;

	if (core_has_task_pt_regs()) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());

		args->arg[0] = regs->di;
		args->arg[1] = regs->si;
		return true;
	}
	kept = bpf_map_lookup_elem(&entry_args, &tid);
	if (!kept)
		return false;
	*args = *kept;
	bpf_map_delete_elem(&entry_args, &tid);
	return true;
}

SEC("tracepoint/syscalls/sys_exit_unshare")
int tp_exit_unshare(struct trace_event_raw_sys_exit *ctx)
{
	struct syscall_args args;

	if (!call_args(&args))
		return 0;
	return WITH_CURRENT_TASK(emit_unshare_by, args.arg[0], ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_setns")
int tp_exit_setns(struct trace_event_raw_sys_exit *ctx)
{
	struct syscall_args args;

	if (!call_args(&args))
		return 0;
	return WITH_CURRENT_TASK(emit_setns_by, (int)args.arg[0], (int)args.arg[1], ctx->ret);
}

/* ---- sys-exit set: every system call's exit ---- */

/*
 * Runs on every system call exit on the machine: the typed tp_btf context
 * reads orig_ax with one load instead of a bpf_probe_read_kernel() call.
 * The 32-bit numbers are no 64-bit call's, so a 64-bit call leaves after
 * the four comparisons.
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(tp_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;

	if (nr != NR_UNSHARE && nr != NR_SETNS && nr != NR_IA32_UNSHARE && nr != NR_IA32_SETNS)
		return 0;
	if (in_compat_syscall()) {
		/* the 32-bit gate zero-extends its registers: flags are 32 bits there */
		if (nr == NR_IA32_UNSHARE)
			return WITH_CURRENT_TASK(emit_unshare_by, (__u32)regs->bx, ret);
		if (nr == NR_IA32_SETNS)
			return WITH_CURRENT_TASK(emit_setns_by, (int)regs->bx, (int)regs->cx, ret);
		return 0;
	}
	if (nr == NR_UNSHARE)
		return WITH_CURRENT_TASK(emit_unshare_by, regs->di, ret);
	if (nr == NR_SETNS)
		return WITH_CURRENT_TASK(emit_setns_by, (int)regs->di, (int)regs->si, ret);
	return 0;
}
