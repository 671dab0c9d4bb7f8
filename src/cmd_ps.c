// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* nstrace ps: the containers running now, from /proc alone. */
#include <errno.h>
#include <string.h>
#include "cli.h"
#include "commands.h"
#include "diag.h"
#include "lcprint.h"
#include "lifecycle.h"
#include "procfs.h"

struct ps_args {
	bool json;
	const char *proc_root;
};

static const struct argp_option options[] = {
	{ "proc", 'P', "DIR", 0, "Read processes from DIR instead of /proc", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct ps_args *args = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &args->json;
		break;
	case 'P':
		args->proc_root = arg;
		break;
	case ARGP_KEY_ARG:
		usage_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* ps prints containers as they stand, not transitions */
static void ignore_transition(void *ctx, const struct lc_transition *t)
{
	(void)ctx;
	(void)t;
}

static int add_process(void *ctx, const struct snap_process *p)
{
	int err = lifecycle_snapshot_add(ctx, p);

	return err == -ENOMEM ? err : 0;
}

struct mount_reader {
	const char *proc_root;
	struct mount_host host;
	struct lifecycle *lc;
	int err;
};

/* What each container's init can reach of the host, from its mount table as it is now. */
static void read_mounts(void *ctx, const struct lc_container *c)
{
	struct mount_reader *r = ctx;
	struct mount_exposures m = { .pid = c->init_pid };

	if (!c->init_pid || r->err)
		return;
	procfs_mount_exposures(r->proc_root, &r->host, &m);
	r->err = lifecycle_mounts(r->lc, &m);
}

static void read_all_mounts(struct lifecycle *lc, const char *proc_root)
{
	struct mount_reader r = { .proc_root = proc_root, .lc = lc };

	procfs_host_root(proc_root, &r.host);
	lifecycle_for_each(lc, read_mounts, &r);
}

static void print_one_text(void *ctx, const struct lc_container *c)
{
	print_container_text(ctx, c);
}

static void print_one_json(void *ctx, const struct lc_container *c)
{
	print_container_json(ctx, c);
}

int cmd_ps(int argc, char **argv)
{
	static const struct argp_child children[] = { { &json_argp, 0, NULL, 0 }, {} };
	static const struct argp argp = {
		options, parse_arg, NULL, "List the containers running now: every pid namespace but the host's.",
		children, NULL, NULL,
	};
	struct ps_args args = { .proc_root = "/proc" };
	struct json_writer w;
	struct lifecycle *lc;
	int err;

	err = parse_command_line(&argp, argc, argv, &args);
	if (err)
		return err;
	lc = lifecycle_new(ignore_transition, NULL);
	if (!lc) {
		diag_error("out of memory");
		return 1;
	}
	err = procfs_scan(args.proc_root, add_process, lc);
	if (!err)
		err = lifecycle_snapshot_done(lc, 0);
	if (err) {
		diag_error("reading %s: %s", args.proc_root, strerror(-err));
		lifecycle_free(lc);
		return 1;
	}
	read_all_mounts(lc, args.proc_root);
	if (args.json) {
		jsonw_init(&w, stdout);
		lifecycle_for_each(lc, print_one_json, &w);
	} else {
		print_container_header(stdout);
		lifecycle_for_each(lc, print_one_text, stdout);
	}
	lifecycle_free(lc);
	return stdout_flush() == -EIO ? 1 : 0;
}
