/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Every difference between the kernels nstrace runs on (5.10 and later)
 * that the BPF programs bridge, each with the kernel change behind it.
 * The checks are CO-RE relocations: libbpf turns each into a constant for
 * the running kernel, and the verifier never walks the branch it rules
 * out, so a helper or field the kernel lacks may appear in that branch.
 */
#ifndef NSTRACE_CORE_FIXES_BPF_H
#define NSTRACE_CORE_FIXES_BPF_H

#include <bpf/bpf_core_read.h>

/* Time namespaces arrived in 5.6 (769071ac9f20, "ns: Introduce Time Namespace"). */
#define core_has_time_ns(nsproxy) bpf_core_field_exists((nsproxy)->time_ns)

/*
 * bpf_get_current_task_btf(), whose task the verifier types, arrived in
 * 5.11 (3ca1032ab7ab, "bpf: Implement get_current_task_btf and
 * RET_PTR_TO_BTF_ID"); 5.10 refuses a program that calls it on any path
 * it walks.
 */
#define core_has_current_task_btf() bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf)

/*
 * bpf_task_pt_regs(), the registers a task entered the kernel with,
 * arrived in 5.15 (dd6e10fbd9fb, "bpf: Add bpf_task_pt_regs() helper").
 * Without it a syscall's arguments are gone by its exit tracepoint, and
 * the entry tracepoint keeps them for the exit (see nstrace.bpf.c).
 */
#define core_has_task_pt_regs() bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs)

/*
 * pidfds live in pidfs since 6.9 (cb12fd8e0dab, "pidfd: add pidfs"),
 * on an anonymous inode before: setns(pidfd) is told apart by either magic.
 */
#define PIDFS_MAGIC 0x50494446
#define ANON_INODE_FS_MAGIC 0x09041934

/*
 * Since 6.16 (3e816361e94a, "sched/tracepoints: Move and extend the
 * sched_process_exit() tracepoint") sched_process_exit passes group_dead
 * and fires before signal->live drops; before, it fires after the
 * decrement with the task alone. The same change gave the tracepoint its
 * own record, with a group_dead field: its presence tells the prototypes
 * apart (clang 14 has no type-match relocation for the prototype itself).
 */
#define core_exit_has_group_dead() bpf_core_field_exists(struct trace_event_raw_sched_process_exit, group_dead)

/*
 * arch/x86/include/asm/thread_info.h: the task is in a 32-bit system
 * call, whose numbers mean other calls than the 64-bit ones. The flag has
 * lived in thread_info.status since 4.16 (37a8f7c38339, "x86/asm: Move
 * 'status' from thread_struct to thread_info"). A probe read rather than
 * bpf_get_current_task_btf(), which 5.10 lacks (above).
 */
#define TS_COMPAT 0x0002

static __always_inline bool in_compat_syscall(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	return bpf_core_field_exists(task->thread_info.status) &&
	       (BPF_CORE_READ(task, thread_info.status) & TS_COMPAT);
}

/*
 * kernel_cap_t was struct kernel_cap_struct { __u32 cap[2]; } until 6.3;
 * f122a08b197d ("capability: just use a 'u64' instead of a 'u32[2]'
 * array") made it an anonymous struct holding one u64 val. Both are eight
 * bytes at the same place in struct cred; only how the halves combine
 * differs.
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

#define core_cred_cap(cred, field)                                                          \
	(bpf_core_type_exists(struct kernel_cap_struct___pre63)                            \
		 ? ((const struct cred___pre63 *)(cred))->field.cap[0] |                   \
			   (__u64)((const struct cred___pre63 *)(cred))->field.cap[1] << 32 \
		 : (cred)->field.val)

/*
 * Not a kernel version but its configuration: task->loginuid and
 * sessionid exist only with CONFIG_AUDIT (without it no login uid is kept
 * at all), task->seccomp only with CONFIG_SECCOMP.
 */
#define core_has_loginuid(task) bpf_core_field_exists((task)->loginuid)
#define core_has_seccomp(task) bpf_core_field_exists((task)->seccomp)

#endif
