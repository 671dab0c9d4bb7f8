/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Small generic helpers that user-space files share. */
#ifndef NSTRACE_UTIL_H
#define NSTRACE_UTIL_H

#include <stddef.h>
#include <time.h>
#include <linux/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* CLOCK_MONOTONIC in ns: the clock of the BPF side's bpf_ktime_get_ns. */
static inline __u64 monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#endif
