// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "diag.h"
#include "hooks.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
/* libbpf looks up tracepoint ids under the first of these that exists */
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"
#define TRACEFS "/sys/kernel/tracing"

#define TRAMPOLINE_ENTRY "fentry/"
#define TRAMPOLINE_EXIT "fexit/"
#define SYSCALL_TRACEPOINT "tracepoint/syscalls/"
/* only the exit program reads what it needs where the kernel gives it the registers */
#define SYSCALL_ENTRY_TRACEPOINT SYSCALL_TRACEPOINT "sys_enter_"
/* the entry of a 32-bit system call: absent on kernels without IA32 emulation */
#define COMPAT_ENTRY "__ia32_"

static const char *const mode_names[] = {
	[HOOKS_AUTO] = "auto",
	[HOOKS_FENTRY] = "fentry",
	[HOOKS_TRACEPOINT] = "tracepoint",
	[HOOKS_SYS_EXIT] = "sys-exit",
};

const char hook_mode_choices[] = "auto, fentry, tracepoint or sys-exit";

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

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static const char *trampoline_target(const char *section)
{
	if (starts_with(section, TRAMPOLINE_ENTRY))
		return section + strlen(TRAMPOLINE_ENTRY);
	if (starts_with(section, TRAMPOLINE_EXIT))
		return section + strlen(TRAMPOLINE_EXIT);
	return NULL;
}

/* The raw tracepoints every system call passes, under any of libbpf's section names. */
static bool on_every_syscall(const char *section)
{
	static const char *const kinds[] = { "tp_btf/", "raw_tp/", "raw_tracepoint/" };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const char *name = section + strlen(kinds[i]);

		if (starts_with(section, kinds[i]) && (!strcmp(name, "sys_enter") || !strcmp(name, "sys_exit")))
			return true;
	}
	return false;
}

/* The set a program in this section belongs to; HOOKS_AUTO for every set. */
static enum hook_mode hook_set_of(const char *section)
{
	if (trampoline_target(section))
		return HOOKS_FENTRY;
	if (starts_with(section, SYSCALL_TRACEPOINT))
		return HOOKS_TRACEPOINT;
	if (on_every_syscall(section))
		return HOOKS_SYS_EXIT;
	return HOOKS_AUTO;
}

static void say(struct hook_choice *choice, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct hook_choice *choice, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(choice->reason, sizeof(choice->reason), fmt, ap);
	va_end(ap);
}

/* Appends "; what" to the reason: a fallback, or what the choice did on the way. */
static void say_also(struct hook_choice *choice, const char *what)
{
	size_t len = strlen(choice->reason), room = sizeof(choice->reason) - len;

	/* a reason cut short says so */
	if (snprintf(choice->reason + len, room, "; %s", what) >= (int)room)
		memcpy(choice->reason + sizeof(choice->reason) - 4, "...", 4);
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

/*
 * Probes the functions obj's trampolines name. With every_target, each
 * must attach (a missing compat entry excepted: no 32-bit calls to
 * catch); without, missing functions are skipped and one that attaches
 * answers for all.
 */
static int probe_trampolines(const struct btf *vmlinux, struct bpf_object *obj, bool every_target,
			     struct hook_choice *choice)
{
	struct bpf_program *prog;
	int err = -ENOENT;

	say(choice, "the BPF object has no trampoline program");
	bpf_object__for_each_program(prog, obj) {
		const char *func = trampoline_target(bpf_program__section_name(prog));

		if (!func)
			continue;
		err = fexit_can_attach(vmlinux, func);
		if (err == -ENOENT && (!every_target || starts_with(func, COMPAT_ENTRY)))
			continue;
		if (err == -ENOENT) {
			say(choice, "kernel BTF has no function %s", func);
			return err;
		}
		if (err) {
			say(choice, "fentry/fexit refused by the kernel on %s (%s)", func, strerror(-err));
			return err;
		}
		if (!every_target)
			break;
	}
	if (!err)
		say(choice, "fentry/fexit allowed by the kernel");
	return err;
}

static const char *tracing_dir(void)
{
	return access(DEBUGFS_TRACING, F_OK) ? TRACEFS : DEBUGFS_TRACING;
}

#define TRACEFS_MAGIC 0x74726163

static bool tracefs_mounted(void)
{
	struct statfs st;

	return !statfs(TRACEFS, &st) && st.f_type == TRACEFS_MAGIC;
}

/* "tracepoint/syscalls/sys_exit_setns": 0 if libbpf can read its id, else why not (-errno). */
static int tracepoint_listed(const char *section)
{
	char path[256];

	int fd;

	snprintf(path, sizeof(path), "%s/events/%s/id", tracing_dir(), section + strlen("tracepoint/"));
	/* opened as libbpf will, with the capabilities access() would leave out */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The first of obj's per-syscall tracepoints whose id cannot be read, or NULL; *err says why. */
static const char *unlisted_tracepoint(struct bpf_object *obj, int *err)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		const char *sec = bpf_program__section_name(prog);

		if (hook_set_of(sec) == HOOKS_TRACEPOINT && (*err = tracepoint_listed(sec)))
			return sec;
	}
	*err = 0;
	return NULL;
}

/*
 * Per-syscall tracepoints are attached by the id tracefs gives them, and
 * tracefs is not mounted on every machine: mount it where it is missing.
 */
static int find_syscall_tracepoints(struct bpf_object *obj, struct hook_choice *choice)
{
	int err;
	const char *missing = unlisted_tracepoint(obj, &err);

	if (!missing)
		return 0;
	if (!strcmp(tracing_dir(), TRACEFS) && !tracefs_mounted()) {
		if (mount("nodev", TRACEFS, "tracefs", 0, NULL)) {
			err = -errno;
			say(choice, "tracefs is not mounted and mounting it on %s failed (%s)", TRACEFS,
			    strerror(-err));
			return err;
		}
		choice->mounted_tracefs = true;
		missing = unlisted_tracepoint(obj, &err);
	}
	/* tracefs is root's alone (mode 0700) unless the mount says otherwise */
	if (err == -EACCES) {
		say(choice, "cannot read the tracepoint ids in %s (%s): that takes root or CAP_DAC_READ_SEARCH",
		    tracing_dir(), strerror(-err));
		return err;
	}
	if (missing) {
		say(choice, "the kernel has no tracepoint %s in %s/events (CONFIG_FTRACE_SYSCALLS?)",
		    missing + strlen("tracepoint/"), tracing_dir());
		return -ENOENT;
	}
	return 0;
}

/* Whether the kernel has bpf_task_pt_regs(): the same test as core_has_task_pt_regs(). */
static bool kernel_has_task_pt_regs(const struct btf *vmlinux)
{
	int id = btf__find_by_name_kind(vmlinux, "bpf_func_id", BTF_KIND_ENUM);
	const struct btf_type *t = id < 0 ? NULL : btf__type_by_id(vmlinux, id);
	const struct btf_enum *e = t ? btf_enum(t) : NULL;

	for (int i = 0; t && i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(vmlinux, e[i].name_off), "BPF_FUNC_task_pt_regs"))
			return true;
	return false;
}

static bool wanted(const struct btf *vmlinux, const struct hook_choice *choice, const char *section,
		   bool exit_reads_regs)
{
	enum hook_mode set = hook_set_of(section);
	const char *func = trampoline_target(section);

	if (set == HOOKS_AUTO)
		return true;
	if (set != choice->set)
		return false;
	if (func)
		return btf__find_by_name_kind(vmlinux, func, BTF_KIND_FUNC) >= 0;
	return !(exit_reads_regs && starts_with(section, SYSCALL_ENTRY_TRACEPOINT));
}

/* Every choice starts from the kernel's BTF: without it there is none to make. */
static struct btf *start_choice(enum hook_mode mode, struct hook_choice *choice)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();

	memset(choice, 0, sizeof(*choice));
	/* libbpf's errno here is always ESRCH; what the sysfs file lacks is more telling */
	if (!vmlinux) {
		say(choice, "the kernel has no BTF (%s: %s); nstrace needs a kernel built with CONFIG_DEBUG_INFO_BTF=y",
		    VMLINUX_BTF, access(VMLINUX_BTF, R_OK) ? strerror(errno) : "not valid BTF");
		diag_error("cannot use %s hooks: %s", hook_mode_name(mode), choice->reason);
	}
	return vmlinux;
}

/* The first set the kernel allows, and why each one before it was not. */
static void choose_automatically(const struct btf *vmlinux, struct bpf_object *obj,
				 struct hook_choice *choice)
{
	char refused[sizeof(choice->reason)], missing[sizeof(choice->reason)];

	choice->set = HOOKS_FENTRY;
	if (!probe_trampolines(vmlinux, obj, true, choice))
		return;
	choice->set = HOOKS_TRACEPOINT;
	memcpy(refused, choice->reason, sizeof(refused));
	say_also(choice, "using the per-syscall tracepoints");
	if (!find_syscall_tracepoints(obj, choice))
		return;
	choice->set = HOOKS_SYS_EXIT;
	memcpy(missing, choice->reason, sizeof(missing));
	memcpy(choice->reason, refused, sizeof(refused));
	say_also(choice, missing);
	say_also(choice, "using tp_btf/sys_exit, a program on every system call");
}

int hooks_choose(enum hook_mode mode, struct bpf_object *obj, struct hook_choice *choice)
{
	struct btf *vmlinux;
	struct bpf_program *prog;
	bool exit_reads_regs;
	int err = 0;

	vmlinux = start_choice(mode, choice);
	if (!vmlinux)
		return -ENOENT;

	choice->set = mode;
	switch (mode) {
	case HOOKS_AUTO:
		choose_automatically(vmlinux, obj, choice);
		break;
	case HOOKS_FENTRY:
		err = probe_trampolines(vmlinux, obj, true, choice);
		break;
	case HOOKS_TRACEPOINT:
		err = find_syscall_tracepoints(obj, choice);
		if (!err)
			say(choice, "per-syscall tracepoints requested with --hooks tracepoint");
		break;
	case HOOKS_SYS_EXIT:
		say(choice, "tp_btf/sys_exit requested with --hooks sys-exit");
		break;
	}
	if (err) {
		diag_error("cannot use %s hooks: %s", hook_mode_name(mode), choice->reason);
		goto out;
	}
	if (choice->mounted_tracefs)
		say_also(choice, "tracefs was not mounted: mounted on " TRACEFS " for the attach");
	exit_reads_regs = kernel_has_task_pt_regs(vmlinux);
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, wanted(vmlinux, choice, bpf_program__section_name(prog),
						       exit_reads_regs));
out:
	btf__free(vmlinux);
	return err;
}

int hooks_choose_trampolines(enum hook_mode mode, struct bpf_object *obj, struct hook_choice *choice)
{
	struct btf *vmlinux;
	int err = 0;

	vmlinux = start_choice(mode, choice);
	if (!vmlinux)
		return -ENOENT;
	choice->set = HOOKS_FENTRY;
	if (mode == HOOKS_AUTO || mode == HOOKS_FENTRY)
		err = probe_trampolines(vmlinux, obj, false, choice);
	if (mode == HOOKS_AUTO && err) {
		say_also(choice, "using no trampolines");
		choice->set = HOOKS_TRACEPOINT;
		err = 0;
	} else if (mode != HOOKS_AUTO && mode != HOOKS_FENTRY) {
		choice->set = mode;
		say(choice, "no trampolines with --hooks %s", hook_mode_name(mode));
	}
	if (err)
		diag_error("cannot use %s hooks: %s", hook_mode_name(mode), choice->reason);
	btf__free(vmlinux);
	return err;
}

void hooks_announce(const struct hook_choice *choice)
{
	diag_info("hooks: %s (%s)", hook_mode_name(choice->set), choice->reason);
}

void hooks_done(struct hook_choice *choice)
{
	if (!choice->mounted_tracefs)
		return;
	/* attached tracepoints keep their ids; only the lookup needed tracefs */
	if (umount2(TRACEFS, MNT_DETACH))
		diag_warn("unmounting the tracefs mounted on %s: %s", TRACEFS, strerror(errno));
	choice->mounted_tracefs = false;
}
