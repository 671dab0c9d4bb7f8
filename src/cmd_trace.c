// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* nstrace (no subcommand): containers as they start, run and end, traced live. */
#include <argp.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cli.h"
#include "commands.h"
#include "diag.h"
#include "metrics.h"
#include "metrics_http.h"
#include "procfs.h"
#include "record.h"
#include "session.h"
#include "trace.h"
#include "util.h"

#define DEFAULT_RINGBUF_KB 8192

struct app {
	struct trace_opts trace;
	struct output_cli output;
	struct meta_cli meta;
	struct meta_worker *worker;
	const char *record_path;
	FILE *record;
	struct session *s;
	struct trace_stats stats;
	int metrics_fd; /* bound by --metrics, -1 without */
	struct metrics *metrics;
	struct metrics_server *metrics_server;
	struct mount_host host_root;
};

static const char doc[] =
	"Trace Linux namespaces and container lifecycles live.\n"
	"\n  nstrace [OPTION...]               containers as they start, run and end\n"
	"  nstrace ps [--json]               containers running now, from /proc\n"
	"  nstrace replay FILE [OPTION...]   the output of a --record file, again\n"
	"  nstrace profile [OPTION...]       latency histograms of namespace work\v"
	"Needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN) and a kernel with BTF.\n"
	"\nExamples:\n"
	"  nstrace                     lifecycle: create, init, exec, join, exit, destroy\n"
	"  nstrace --events            every namespace, pid, exec and exit event too\n"
	"  nstrace --json -o trace.json --record trace.rec\n"
	"  nstrace --container web     one container and what runs in it\n";

enum {
	OPT_RINGBUF = 0x100,
	OPT_RECORD,
	OPT_METRICS,
};

static const struct argp_option options[] = {
	{ "record", OPT_RECORD, "FILE", 0, "Also write the raw stream to FILE for nstrace replay", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS", 0 },
	{ "ringbuf-kb", OPT_RINGBUF, "KB", 0, "Ring buffer size in KiB, a power of two (default 8192)", 0 },
	{ "metrics", OPT_METRICS, "ADDR:PORT", 0, "Serve Prometheus metrics on http://ADDR:PORT/metrics", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct app *app = state->input;
	unsigned long value;
	char why[256];

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &app->output;
		state->child_inputs[1] = &app->trace.hooks;
		state->child_inputs[2] = &app->meta;
		break;
	case OPT_RECORD:
		app->record_path = arg;
		break;
	case 'd':
		app->trace.duration_s = parse_seconds(state, "-d", arg);
		break;
	case OPT_RINGBUF:
		if (parse_uint(arg, 1UL << 21, &value))
			usage_error(state, "--ringbuf-kb takes a size in KiB, not '%s'", arg);
		app->trace.ringbuf_kb = value;
		break;
	case OPT_METRICS:
		/* bound now: a port in use is a usage error, before any BPF is loaded */
		if (app->metrics_fd >= 0)
			close(app->metrics_fd);
		app->metrics_fd = metrics_listen(arg, why, sizeof(why));
		if (app->metrics_fd < 0)
			usage_error(state, "--metrics %s: %s", arg, why);
		break;
	case ARGP_KEY_ARG:
		usage_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/*
 * A container's init just exec'd the command: its mount table, read once
 * while it is there, says what of the host the container can reach.
 */
static int read_mounts(struct app *app, __u32 pid)
{
	struct mount_exposures m = { .pid = pid };

	procfs_mount_exposures("/proc", &app->host_root, &m);
	return session_mounts(app->s, &m);
}

static int on_event(void *ctx, const union nstrace_event *e)
{
	struct app *app = ctx;
	int err = session_event(app->s, e);

	if (!err && e->hdr.type == NSTRACE_EVENT_EXEC && session_wants_mounts(app->s, e->hdr.pid))
		err = read_mounts(app, e->hdr.pid);
	return err;
}

static int on_lost(void *ctx, __u64 count, __u64 total)
{
	struct app *app = ctx;

	return session_lost(app->s, count, total);
}

static int feed_snapshot(void *ctx, const struct snap_process *p)
{
	struct app *app = ctx;

	return session_snapshot(app->s, p);
}

/* The snapshot comes after attach, so that nothing falls between the two. */
static int on_ready(void *ctx, const struct hook_choice *hooks)
{
	struct app *app = ctx;
	__u64 started_ns = monotonic_ns();
	int err;

	if (app->metrics)
		metrics_set_hooks(app->metrics, hook_mode_name(hooks->set));
	/* the host's root file system, against which containers' mounts are told apart */
	procfs_host_root("/proc", &app->host_root);
	err = procfs_scan("/proc", feed_snapshot, app);
	if (err == -EIO || err == -ENOMEM)
		return err;
	if (err) {
		diag_error("reading /proc: %s", strerror(-err));
		return err;
	}
	err = session_snapshot_done(app->s, started_ns);
	if (err)
		return err;
	diag_info("ready");
	return 0;
}

/*
 * SIGHUP: logrotate renamed the -o and --record files and wants them
 * opened again. A file that cannot be reopened keeps its old one, so the
 * trace goes on and loses nothing; a recording that starts anew gets its
 * header, so that each file replays on its own.
 */
static void reopen_files(struct app *app)
{
	struct stat st;

	if (app->output.output_path &&
	    !output_file_reopen(app->output.print.out, app->output.output_path, "output file"))
		diag_info("reopened %s", app->output.output_path);
	if (app->record && !output_file_reopen(app->record, app->record_path, "recording")) {
		if (!fstat(fileno(app->record), &st) && !st.st_size)
			record_write_header(app->record);
		diag_info("reopened %s", app->record_path);
	}
}

static int on_flush(void *ctx)
{
	struct app *app = ctx;

	return session_flush(app->s);
}

/* The loop calls it after a flush: every line so far went to the file it was written for. */
static int on_reopen(void *ctx)
{
	reopen_files(ctx);
	return 0;
}

static int run_trace(struct app *app)
{
	struct trace_sink sink = {
		.event = on_event,
		.lost = on_lost,
		.ready = on_ready,
		.flush = on_flush,
		.reopen = on_reopen,
		.ctx = app,
	};
	int err;

	err = trace_run(&app->trace, &sink, &app->stats);
	if (err)
		return err;
	if (app->stats.malformed)
		diag_error("%llu records from the kernel were malformed and skipped",
			   (unsigned long long)app->stats.malformed);
	return session_finish(app->s);
}

/* The metrics output joins the session; its server takes the socket --metrics bound. */
static int start_metrics(struct app *app)
{
	int fd = app->metrics_fd;

	app->metrics_fd = -1;
	app->metrics = metrics_new(NSTRACE_VERSION);
	if (!app->metrics || session_add_output(app->s, metrics_output_new(app->metrics, &app->stats.malformed))) {
		close(fd);
		diag_error("out of memory");
		return -ENOMEM;
	}
	app->metrics_server = metrics_server_start(fd, app->metrics);
	if (!app->metrics_server) {
		close(fd);
		diag_error("cannot start the metrics server");
		return -EIO;
	}
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &output_argp, 0, NULL, 0 },
		{ &bpf_argp, 0, NULL, 0 },
		{ &meta_argp, 0, NULL, 0 },
		{},
	};
	static const struct argp argp = { options, parse_arg, NULL, doc, children, NULL, NULL };
	struct app app = {
		.trace = { .hooks = HOOKS_AUTO, .ringbuf_kb = DEFAULT_RINGBUF_KB },
		.metrics_fd = -1,
	};
	int err;

	err = parse_command_line(&argp, argc, argv, &app);
	if (err)
		return err;
	if (!output_open(&app.output)) {
		if (app.metrics_fd >= 0)
			close(app.metrics_fd);
		return 1;
	}
	if (app.record_path && !(app.record = output_file_open(app.record_path, "recording"))) {
		err = -EIO;
		goto cleanup;
	}
	app.s = session_new(app.record);
	if (!app.s || session_add_output(app.s, printer_output_new(&app.output.print))) {
		diag_error("out of memory");
		err = -ENOMEM;
		goto cleanup;
	}
	session_set_filter(app.s, &app.output.filter);
	/* before the metadata and metrics threads start: they inherit the mask */
	trace_signals_block();
	app.worker = meta_cli_start(&app.meta, "/proc");
	if (!app.worker) {
		err = -ENOMEM;
		goto cleanup;
	}
	session_ask(app.s, app.worker);
	if (app.metrics_fd >= 0) {
		err = start_metrics(&app);
		if (err)
			goto cleanup;
	}
	err = run_trace(&app);
cleanup:
	session_free(app.s);
	meta_worker_free(app.worker);
	/* the server reads the counts until it is stopped */
	metrics_server_stop(app.metrics_server);
	metrics_free(app.metrics);
	if (app.metrics_fd >= 0)
		close(app.metrics_fd);
	if (app.record && output_file_close(app.record, app.record_path) && !err)
		err = -EIO;
	if (output_close(&app.output) && !err)
		err = -EIO;
	return err && err != -EPIPE ? 1 : 0;
}
