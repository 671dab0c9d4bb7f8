/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* x86 syscall numbers shared by the BPF objects. */
#ifndef NSTRACE_SYSCALLS_BPF_H
#define NSTRACE_SYSCALLS_BPF_H

#if !defined(__TARGET_ARCH_x86)
#error "syscall numbers and pt_regs access are written for x86_64"
#endif

#include "core_fixes.bpf.h"

#define NR_CLONE 56
#define NR_EXECVE 59
#define NR_UNSHARE 272
#define NR_SETNS 308
#define NR_EXECVEAT 322
#define NR_CLONE3 435

/*
 * arch/x86/entry/syscalls/syscall_32.tbl: the same calls through the
 * 32-bit gate (a 32-bit program, or int 0x80 from a 64-bit one), with
 * their arguments in bx, cx, ... instead of di, si, ...
 */
#define NR_IA32_UNSHARE 310
#define NR_IA32_SETNS 346

#endif
