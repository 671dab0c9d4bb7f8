// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* nstrace ps: the containers running now, from /proc alone. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include "cli.h"
#include "commands.h"
#include "diag.h"
#include "docker_meta.h"
#include "lcprint.h"
#include "lifecycle.h"
#include "meta_store.h"
#include "procfs.h"
#include "util.h"

/* Past the Docker client's own deadline: every question has its answer, or it failed. */
#define ANSWERS_WAIT_MS (DOCKER_TIMEOUT_MS + 500)

struct ps_args {
	bool json;
	const char *proc_root;
	struct meta_cli meta;
};

struct ps {
	struct lifecycle *lc;
	struct meta_worker *worker;
	struct meta_store *meta;
	unsigned int asked, answered;
	struct json_writer w;
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
		state->child_inputs[1] = &args->meta;
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

static int asked(void *ctx, enum meta_source source, const char *id)
{
	struct ps *ps = ctx;

	ps->asked++;
	return meta_store_asked(ps->meta, id, source);
}

static int add_process(void *ctx, const struct snap_process *p)
{
	struct ps *ps = ctx;
	int err = lifecycle_snapshot_add(ps->lc, p);

	if (err == -ENOMEM)
		return err;
	return meta_ask_about(ps->worker, p->pid, p->cmdline,
			      p->cmdline_len < SNAP_CMDLINE_LEN ? p->cmdline_len : SNAP_CMDLINE_LEN, asked, ps);
}

static void on_answer(void *ctx, struct meta_result *r)
{
	struct ps *ps = ctx;
	int err;

	ps->answered++;
	meta_result_report(r);
	meta_store_answered(ps->meta, r, &err);
}

/* Each question gets its answer or fails within the client's deadline; none is waited for longer. */
static void wait_answers(struct ps *ps)
{
	struct pollfd pfd = { .fd = meta_worker_fd(ps->worker), .events = POLLIN };
	__u64 deadline = monotonic_ns() + ANSWERS_WAIT_MS * 1000000ULL;

	while (ps->answered < ps->asked) {
		__u64 now = monotonic_ns();

		if (now >= deadline || poll(&pfd, 1, (deadline - now) / 1000000 + 1) < 0)
			break;
		meta_worker_drain(ps->worker, on_answer, ps);
	}
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
	struct ps *ps = ctx;

	print_container_text(stdout, c, meta_store_get(ps->meta, c->runtime.id));
}

static void print_one_json(void *ctx, const struct lc_container *c)
{
	struct ps *ps = ctx;

	print_container_json(&ps->w, c, meta_store_get(ps->meta, c->runtime.id));
}

int cmd_ps(int argc, char **argv)
{
	static const struct argp_child children[] = { { &json_argp, 0, NULL, 0 }, { &meta_argp, 0, NULL, 0 }, {} };
	static const struct argp argp = {
		options, parse_arg, NULL, "List the containers running now: every pid namespace but the host's, and the containers "
		"runtimes run in mount namespaces of their own.",
		children, NULL, NULL,
	};
	struct ps_args args = { .proc_root = "/proc" };
	struct ps ps = { 0 };
	int err;

	err = parse_command_line(&argp, argc, argv, &args);
	if (err)
		return err;
	ps.lc = lifecycle_new(ignore_transition, NULL);
	ps.meta = meta_store_new();
	ps.worker = ps.lc && ps.meta ? meta_cli_start(&args.meta, args.proc_root) : NULL;
	if (!ps.worker) {
		diag_error("out of memory");
		err = -ENOMEM;
		goto out;
	}
	err = procfs_scan(args.proc_root, add_process, &ps);
	if (!err)
		err = lifecycle_snapshot_done(ps.lc, 0);
	if (err) {
		diag_error("reading %s: %s", args.proc_root, strerror(-err));
		goto out;
	}
	read_all_mounts(ps.lc, args.proc_root);
	wait_answers(&ps);
	if (args.json) {
		jsonw_init(&ps.w, stdout);
		lifecycle_for_each(ps.lc, print_one_json, &ps);
	} else {
		print_container_header(stdout);
		lifecycle_for_each(ps.lc, print_one_text, &ps);
	}
	err = stdout_flush() == -EIO ? -EIO : 0;
out:
	meta_worker_free(ps.worker);
	meta_store_free(ps.meta);
	lifecycle_free(ps.lc);
	return err ? 1 : 0;
}
