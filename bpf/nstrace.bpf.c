// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Two hook sets feed one event stream. User space loads exactly one of
 * them (the other gets autoload off):
 *   trampoline set: fexit on copy_namespaces, alloc_pid, ksys_unshare and
 *                   the setns syscall;
 *   tracepoint set: tp_btf/task_newtask and tp_btf/sys_exit.
 * exec and exit are tracepoints in both sets.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "nstrace.h"
#include "syscalls.bpf.h"
#include "creds.bpf.h"

#define NSFS_MAGIC 0x6e736673
#define PIDFS_MAGIC 0x50494446
#define ANON_INODE_FS_MAGIC 0x09041934
#define PF_KTHREAD 0x00200000
#define MAX_ERRNO 4095

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

/* Trampoline set: the child copy_namespaces set up, until alloc_pid names it. */
struct pending_clone {
	struct task_struct *child;
	__u64 flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct pending_clone);
} pending_clones SEC(".maps");

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

static __always_inline void *reserve(__u32 size)
{
	void *rec = bpf_ringbuf_reserve(&events, size, 0);

	if (!rec) {
		__u32 zero = 0;
		__u64 *count = bpf_map_lookup_elem(&dropped, &zero);

		if (count)
			*count += 1;
	}
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

/*
 * The current task, typed where the kernel can say so:
 * bpf_get_current_task_btf() arrived in 5.11 (3ca1032ab7ab, "bpf:
 * Implement get_current_task_btf and RET_PTR_TO_BTF_ID"). On older kernels
 * the check is a constant false and the verifier never walks that branch.
 */
#define WITH_CURRENT_TASK(call, ...)                                                       \
	(bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)        \
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
	/* Time namespaces arrived in 5.6 (769071ac9f20, "ns: Introduce Time Namespace"). */
	if (bpf_core_field_exists(nsp->time_ns)) {
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
		/* pidfds live in pidfs since 6.9 (cb12fd8e0dab), on anon_inode before. */
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

/* ---- tracepoint set ---- */

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

/*
 * Runs on every system call exit on the machine: the typed tp_btf context
 * reads orig_ax with one load instead of a bpf_probe_read_kernel() call.
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(tp_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;

	if ((nr != NR_UNSHARE && nr != NR_SETNS) || in_compat_syscall())
		return 0;
	if (nr == NR_UNSHARE)
		return WITH_CURRENT_TASK(emit_unshare_by, regs->di, ret);
	if (nr == NR_SETNS)
		return WITH_CURRENT_TASK(emit_setns_by, (int)regs->di, (int)regs->si, ret);
	return 0;
}

/* ---- trampoline set ---- */

SEC("fexit/copy_namespaces")
int BPF_PROG(fexit_copy_namespaces, unsigned long flags, struct task_struct *child, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pending_clone pending = { .child = child, .flags = flags };

	if (ret || plain_thread(flags))
		return 0;
	bpf_map_update_elem(&pending_clones, &tid, &pending, BPF_ANY);
	return 0;
}

/* copy_process calls alloc_pid right after copy_namespaces, for the same child. */
SEC("fexit/alloc_pid")
int BPF_PROG(fexit_alloc_pid, struct pid_namespace *ns, pid_t *set_tid, size_t set_tid_size,
	     struct pid *pid)
{
	struct task_struct *parent = (struct task_struct *)bpf_get_current_task();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pending_clone *pending = bpf_map_lookup_elem(&pending_clones, &tid);
	struct pending_clone clone;
	__u32 child_pid, tgid, ppid;

	if (!pending)
		return 0;
	clone = *pending;
	bpf_map_delete_elem(&pending_clones, &tid);
	if ((unsigned long)pid >= (unsigned long)-MAX_ERRNO)
		return 0;
	child_pid = BPF_CORE_READ(pid, numbers[0].nr);
	tgid = (clone.flags & NSTRACE_CLONE_THREAD) ? BPF_CORE_READ(parent, tgid) : child_pid;
	ppid = (clone.flags & (NSTRACE_CLONE_THREAD | NSTRACE_CLONE_PARENT))
		       ? BPF_CORE_READ(parent, real_parent, tgid)
		       : BPF_CORE_READ(parent, tgid);
	return emit_clone(clone.child, pid, clone.flags, tgid, child_pid, ppid);
}

SEC("fexit/ksys_unshare")
int BPF_PROG(fexit_ksys_unshare, unsigned long flags, int ret)
{
	return WITH_CURRENT_TASK(emit_unshare_by, flags, ret);
}

SEC("fexit/__x64_sys_setns")
int BPF_PROG(fexit_sys_setns, struct pt_regs *regs, long ret)
{
	return WITH_CURRENT_TASK(emit_setns_by, (int)regs->di, (int)regs->si, ret);
}

/* ---- both sets ---- */

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

/*
 * Since 6.16 (3e816361e94a, "sched/tracepoints: Move and extend the
 * sched_process_exit() tracepoint") kernels pass group_dead to
 * sched_process_exit and fire it before signal->live drops; older ones fire it after the
 * decrement, with the task alone. User space loads the variant that
 * matches the running kernel's tracepoint prototype in BTF.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(tp_sched_process_exit_group_dead, struct task_struct *task, bool group_dead)
{
	if (!group_dead)
		return 0;
	return emit_exit(task);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tp_sched_process_exit, struct task_struct *task)
{
	if (BPF_CORE_READ(task, signal, live.counter))
		return 0;
	return emit_exit(task);
}
