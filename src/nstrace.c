// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * nstrace: traces namespaces and container lifecycles live.
 */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "commands.h"
#include "diag.h"
#include "procfs.h"
#include "session.h"
#include "trace.h"

#define DEFAULT_RINGBUF_KB 8192

struct app {
	struct trace_opts trace;
	struct output_cli output;
	const char *record_path;
	FILE *record;
	struct session *s;
};

const char *argp_program_version = "nstrace 0.1";

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
	"  nstrace --json -o trace.json --record trace.rec\n";

enum {
	OPT_RINGBUF = 0x100,
	OPT_RECORD,
};

static const struct argp_option options[] = {
	{ "record", OPT_RECORD, "FILE", 0, "Also write the raw stream to FILE for nstrace replay", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS", 0 },
	{ "ringbuf-kb", OPT_RINGBUF, "KB", 0, "Ring buffer size in KiB, a power of two (default 8192)", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct app *app = state->input;
	unsigned long value;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &app->output;
		state->child_inputs[1] = &app->trace.hooks;
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
	case ARGP_KEY_ARG:
		usage_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int on_event(void *ctx, const union nstrace_event *e)
{
	struct app *app = ctx;

	return session_event(app->s, e);
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
	struct timespec now;
	__u64 started_ns;
	int err;

	(void)hooks;
	clock_gettime(CLOCK_MONOTONIC, &now);
	started_ns = (__u64)now.tv_sec * 1000000000ULL + now.tv_nsec;
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

static int on_flush(void *ctx)
{
	struct app *app = ctx;

	return session_flush(app->s);
}

static void request_stop(int sig)
{
	(void)sig;
	trace_stop_requested = 1;
}

static int run_trace(struct app *app)
{
	struct trace_sink sink = {
		.event = on_event,
		.lost = on_lost,
		.ready = on_ready,
		.flush = on_flush,
		.ctx = app,
	};
	struct sigaction sa = { .sa_handler = request_stop };
	struct trace_stats stats;
	int err;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	err = trace_run(&app->trace, &sink, &stats);
	if (err)
		return err;
	if (stats.malformed)
		diag_error("%llu records from the kernel were malformed and skipped",
			   (unsigned long long)stats.malformed);
	return session_finish(app->s);
}

static int cmd_trace(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &output_argp, 0, NULL, 0 },
		{ &bpf_argp, 0, NULL, 0 },
		{},
	};
	static const struct argp argp = { options, parse_arg, NULL, doc, children, NULL, NULL };
	struct app app = {
		.trace = { .hooks = HOOKS_AUTO, .ringbuf_kb = DEFAULT_RINGBUF_KB },
	};
	int err;

	err = parse_command_line(&argp, argc, argv, &app);
	if (err)
		return err;
	if (!output_open(&app.output))
		return 1;
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
	err = run_trace(&app);
cleanup:
	session_free(app.s);
	if (app.record && output_file_close(app.record, app.record_path) && !err)
		err = -EIO;
	if (output_close(&app.output) && !err)
		err = -EIO;
	return err && err != -EPIPE ? 1 : 0;
}

static const struct {
	const char *name;
	const char *usage_name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "replay", "nstrace replay", cmd_replay },
	{ "ps", "nstrace ps", cmd_ps },
	{ "profile", "nstrace profile", cmd_profile },
};

int main(int argc, char **argv)
{
	/* argp's own usage errors exit with this status */
	argp_err_exit_status = 2;
	/*
	 * A reader that goes away (nstrace | head) shows as EPIPE instead, so
	 * a --record file is still completed and the exit is quiet and clean.
	 */
	signal(SIGPIPE, SIG_IGN);
	/* diagnostics follow the output mode from the very first one */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			diag_set_json(true);
	for (size_t i = 0; argc > 1 && i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		/* argp names the program after argv[0] in its messages */
		argv[1] = (char *)commands[i].usage_name;
		return commands[i].run(argc - 1, argv + 1);
	}
	return cmd_trace(argc, argv);
}
