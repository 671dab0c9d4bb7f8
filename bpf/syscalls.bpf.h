/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* x86_64 syscall numbers and the 32-bit check shared by the BPF objects. */
#ifndef NSTRACE_SYSCALLS_BPF_H
#define NSTRACE_SYSCALLS_BPF_H

#if !defined(__TARGET_ARCH_x86)
#error "syscall numbers and pt_regs access are written for x86_64"
#endif

#define NR_CLONE 56
#define NR_EXECVE 59
#define NR_UNSHARE 272
#define NR_SETNS 308
#define NR_EXECVEAT 322
#define NR_CLONE3 435
/* arch/x86/include/asm/thread_info.h: the task is in a 32-bit syscall */
#define TS_COMPAT 0x0002

/*
 * 32-bit tasks reuse these numbers for other syscalls. A probe read rather
 * than bpf_get_current_task_btf(): that helper arrived in 5.11 ("bpf:
 * Implement get_current_task_btf and RET_PTR_TO_BTF_ID"), and 5.10 refuses
 * the whole program over it.
 */
static __always_inline bool in_compat_syscall(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	return bpf_core_field_exists(task->thread_info.status) &&
	       (BPF_CORE_READ(task, thread_info.status) & TS_COMPAT);
}

#endif
