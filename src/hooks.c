// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "hooks.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

const char *const fentry_targets[] = {
	"copy_namespaces",
	"alloc_pid",
	"ksys_unshare",
	"__x64_sys_setns",
};
const size_t fentry_target_count = sizeof(fentry_targets) / sizeof(fentry_targets[0]);

static const char *const mode_names[] = {
	[HOOKS_AUTO] = "auto",
	[HOOKS_FENTRY] = "fentry",
	[HOOKS_TRACEPOINT] = "tracepoint",
};

int hook_mode_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (!strcmp(name, mode_names[i]))
			return i;
	return -1;
}

const char *hook_mode_name(enum hook_mode mode)
{
	return mode_names[mode];
}

/* Loads and attaches an empty fexit program: the kernel's own answer. */
static int fexit_can_attach(const struct btf *vmlinux, const char *func)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FEXIT);
	int id, prog_fd, link_fd, err;

	id = btf__find_by_name_kind(vmlinux, func, BTF_KIND_FUNC);
	if (id < 0)
		return -ENOENT;
	opts.attach_btf_id = id;
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "probe", "GPL", insns, 2, &opts);
	if (prog_fd < 0)
		return -errno;
	link_fd = bpf_raw_tracepoint_open(NULL, prog_fd);
	err = link_fd < 0 ? -errno : 0;
	if (link_fd >= 0)
		close(link_fd);
	close(prog_fd);
	return err;
}

/* The tracepoint's BTF prototype has (void *, task, bool group_dead) from 6.16 on. */
static bool exit_tracepoint_has_group_dead(const struct btf *vmlinux)
{
	int id = btf__find_by_name_kind(vmlinux, "btf_trace_sched_process_exit", BTF_KIND_TYPEDEF);
	const struct btf_type *t;

	if (id < 0)
		return false;
	t = btf__type_by_id(vmlinux, id);
	t = btf__type_by_id(vmlinux, t->type); /* pointer */
	if (!t || !btf_is_ptr(t))
		return false;
	t = btf__type_by_id(vmlinux, t->type); /* function prototype */
	return t && btf_is_func_proto(t) && btf_vlen(t) >= 3;
}

int hooks_choose(enum hook_mode mode, struct hook_choice *choice)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	int err = 0;

	memset(choice, 0, sizeof(*choice));
	/* libbpf's errno here is always ESRCH; what the sysfs file lacks is more telling */
	if (!vmlinux) {
		snprintf(choice->reason, sizeof(choice->reason),
			 "the kernel has no BTF (%s: %s); nstrace needs a kernel built with CONFIG_DEBUG_INFO_BTF=y",
			 VMLINUX_BTF, access(VMLINUX_BTF, R_OK) ? strerror(errno) : "not valid BTF");
		return -ENOENT;
	}
	choice->exit_has_group_dead = exit_tracepoint_has_group_dead(vmlinux);

	if (mode == HOOKS_TRACEPOINT) {
		choice->set = HOOKS_TRACEPOINT;
		snprintf(choice->reason, sizeof(choice->reason), "tracepoints requested with --hooks tracepoint");
		goto out;
	}
	for (size_t i = 0; i < fentry_target_count; i++) {
		err = fexit_can_attach(vmlinux, fentry_targets[i]);
		if (!err)
			continue;
		if (err == -ENOENT)
			snprintf(choice->reason, sizeof(choice->reason),
				 "kernel BTF has no function %s", fentry_targets[i]);
		else
			snprintf(choice->reason, sizeof(choice->reason),
				 "fentry/fexit refused by the kernel on %s (%s)", fentry_targets[i],
				 strerror(-err));
		break;
	}
	if (!err) {
		choice->set = HOOKS_FENTRY;
		snprintf(choice->reason, sizeof(choice->reason), "fentry/fexit allowed by the kernel");
		goto out;
	}
	if (mode == HOOKS_FENTRY)
		goto out;
	choice->set = HOOKS_TRACEPOINT;
	err = 0;
	strncat(choice->reason, "; using tracepoints", sizeof(choice->reason) - strlen(choice->reason) - 1);
out:
	btf__free(vmlinux);
	return err;
}
