// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpf_util.h"
#include "diag.h"

static bool has_cap(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1u << (cap % 32));
}

static const char *missing_privilege(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data))
		return "cannot read this process's capabilities";
	if (has_cap(data, CAP_SYS_ADMIN))
		return NULL;
	if (has_cap(data, CAP_BPF) && has_cap(data, CAP_PERFMON))
		return NULL;
	if (has_cap(data, CAP_BPF))
		return "missing capability CAP_PERFMON (or CAP_SYS_ADMIN): run nstrace as root";
	if (has_cap(data, CAP_PERFMON))
		return "missing capability CAP_BPF (or CAP_SYS_ADMIN): run nstrace as root";
	return "missing capabilities CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN): run nstrace as root";
}

/*
 * libbpf's messages go out as nstrace's own diagnostics, one per line:
 * raw, they would break the JSON records on stderr in --json mode.
 */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char *msg, *line, *save = NULL;

	if (level != LIBBPF_WARN && !diag_verbose())
		return 0;
	if (vasprintf(&msg, fmt, args) < 0)
		return 0;
	for (line = strtok_r(msg, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (level == LIBBPF_WARN)
			diag_warn("%s", line);
		else
			diag_debug("%s", line);
	}
	free(msg);
	return 0;
}

int bpf_util_setup(void)
{
	const char *missing = missing_privilege();

	if (missing) {
		diag_error("%s", missing);
		return -EPERM;
	}
	libbpf_set_print(libbpf_print);
	return 0;
}

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

void bpf_util_open_opts(struct bpf_object_open_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
	/* where it is missing, libbpf's own search and its message stand */
	if (!access(VMLINUX_BTF, R_OK))
		opts->btf_custom_path = VMLINUX_BTF;
}

__u64 bpf_util_percpu_sum(int map_fd)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 values[ncpus > 0 ? ncpus : 1], sum = 0;
	__u32 zero = 0;

	if (ncpus <= 0 || bpf_map_lookup_elem(map_fd, &zero, values))
		return 0;
	for (int i = 0; i < ncpus; i++)
		sum += values[i];
	return sum;
}
