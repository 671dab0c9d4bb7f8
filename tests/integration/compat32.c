// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Enters namespaces through the 32-bit system call gate: built with
 * gcc -m32 -static, a 32-bit program; built for x86_64, a 64-bit one
 * that calls int 0x80. Unshares uts, setns back to the first uts
 * namespace, then setns into the new one again, and stays there.
 * Prints "PID FD_FIRST FD_NEW NEW_UTS_INODE" and exits 0; exits 3 when
 * the kernel has no 32-bit gate (int 0x80 may also end in SIGSEGV).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>

#define CLONE_NEWUTS 0x04000000
/* arch/x86/entry/syscalls/syscall_32.tbl */
#define NR32_UNSHARE 310
#define NR32_SETNS 346

static long gate32(long nr, long a, long b)
{
	long ret;

	/* the 32-bit gate, with its own numbers and registers, in a 64-bit process too */
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b) : "memory");
	return ret;
}

int main(void)
{
	int first = open("/proc/self/ns/uts", O_RDONLY), made;
	struct stat st;
	long ret;

	if (first < 0)
		return 1;
	ret = gate32(NR32_UNSHARE, CLONE_NEWUTS, 0);
	if (ret == -ENOSYS)
		return 3;
	if (ret)
		return 1;
	made = open("/proc/self/ns/uts", O_RDONLY);
	if (made < 0 || fstat(made, &st))
		return 1;
	if (gate32(NR32_SETNS, first, CLONE_NEWUTS) || gate32(NR32_SETNS, made, CLONE_NEWUTS))
		return 1;
	printf("%d %d %d %lu\n", getpid(), first, made, (unsigned long)st.st_ino);
	return fflush(stdout) ? 1 : 0;
}
