/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* What every command that loads BPF shares, whatever its programs. */
#ifndef NSTRACE_BPF_UTIL_H
#define NSTRACE_BPF_UTIL_H

#include <linux/types.h>

/*
 * Checks the privileges and routes libbpf's messages into nstrace's
 * diagnostics. Returns 0, or -EPERM after saying what is missing.
 */
int bpf_util_setup(void);

struct bpf_object_open_opts;

/*
 * Open options for nstrace's objects: CO-RE relocations against the
 * kernel's own BTF alone. The programs hook no module, and a type the
 * kernel lacks (bpf_core_type_exists() of an older layout) would send
 * libbpf 1.1 through the modules' BTF, which takes CAP_SYS_ADMIN to list:
 * without it (a service with CAP_BPF and CAP_PERFMON) the load fails.
 */
void bpf_util_open_opts(struct bpf_object_open_opts *opts);

/* The sum over CPUs of entry 0 of a per-CPU array of __u64 counters; 0 if unreadable. */
__u64 bpf_util_percpu_sum(int map_fd);

#endif
