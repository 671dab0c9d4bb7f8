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
#include <unistd.h>
#include "diag.h"
#include "print.h"
#include "trace.h"

#define DEFAULT_RINGBUF_KB 8192

struct app {
	struct trace_opts trace;
	bool events;
	bool json;
	pid_t filter_pid;
	const char *filter_comm;
	const char *output_path;
	FILE *out;
	struct printer printer;
	bool time_base_set;
	const char *write_error_path;
};

const char *argp_program_version = "nstrace 0.1";
const char *argp_program_bug_address = NULL;

static const char doc[] =
	"Trace Linux namespaces and container lifecycles live.\v"
	"Needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN) and a kernel with BTF.\n"
	"\nExamples:\n"
	"  nstrace --events            every namespace, pid, exec and exit event\n"
	"  nstrace --events --json     the same as JSON Lines\n"
	"  nstrace --events -p 4312    events of one process and its children\n";

enum {
	OPT_HOOKS = 0x100,
	OPT_COMM,
	OPT_RINGBUF,
};

static const struct argp_option options[] = {
	{ "events", 'e', NULL, 0, "Print every raw event", 0 },
	{ "json", 'j', NULL, 0, "Print JSON Lines instead of text", 0 },
	{ "hooks", OPT_HOOKS, "MODE", 0, "auto (default), fentry or tracepoint", 0 },
	{ "pid", 'p', "PID", 0, "Only events of this process or its children", 0 },
	{ "comm", OPT_COMM, "NAME", 0, "Only events whose command name is NAME", 0 },
	{ "output", 'o', "FILE", 0, "Write the output to FILE instead of stdout", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS", 0 },
	{ "ringbuf-kb", OPT_RINGBUF, "KB", 0, "Ring buffer size in KiB, a power of two (default 8192)", 0 },
	{ "verbose", 'v', NULL, 0, "Print libbpf's messages", 0 },
	{},
};

static int parse_uint(const char *arg, unsigned long max, unsigned long *value)
{
	char *end;

	errno = 0;
	*value = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || *value > max || arg[0] == '-')
		return -EINVAL;
	return 0;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct app *app = state->input;
	unsigned long value;
	int mode;

	switch (key) {
	case 'e':
		app->events = true;
		break;
	case 'j':
		app->json = true;
		break;
	case OPT_HOOKS:
		mode = hook_mode_parse(arg);
		if (mode < 0)
			argp_error(state, "--hooks takes auto, fentry or tracepoint, not '%s'", arg);
		app->trace.hooks = mode;
		break;
	case 'p':
		if (parse_uint(arg, INT_MAX, &value) || !value)
			argp_error(state, "-p takes a process id, not '%s'", arg);
		app->filter_pid = value;
		break;
	case OPT_COMM:
		if (!arg[0] || strlen(arg) >= NSTRACE_COMM_LEN)
			argp_error(state, "--comm takes a name of 1 to %d bytes", NSTRACE_COMM_LEN - 1);
		app->filter_comm = arg;
		break;
	case 'o':
		app->output_path = arg;
		break;
	case 'd':
		if (parse_uint(arg, UINT_MAX / 1000, &value) || !value)
			argp_error(state, "-d takes a positive number of seconds, not '%s'", arg);
		app->trace.duration_s = value;
		break;
	case OPT_RINGBUF:
		if (parse_uint(arg, 1UL << 21, &value))
			argp_error(state, "--ringbuf-kb takes a size in KiB, not '%s'", arg);
		app->trace.ringbuf_kb = value;
		break;
	case 'v':
		diag_set_verbose(true);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static bool wanted(const struct app *app, const union nstrace_event *e)
{
	if (app->filter_pid && e->hdr.pid != (__u32)app->filter_pid && e->hdr.ppid != (__u32)app->filter_pid)
		return false;
	if (app->filter_comm && strncmp(e->hdr.comm, app->filter_comm, NSTRACE_COMM_LEN))
		return false;
	return true;
}

static int check_output(struct app *app)
{
	if (!ferror(app->out))
		return 0;
	diag_error("writing %s: %s", app->output_path ? app->output_path : "standard output",
		   strerror(errno ? errno : EIO));
	return -EIO;
}

static int on_event(void *ctx, const union nstrace_event *e)
{
	struct app *app = ctx;

	if (!app->time_base_set) {
		app->printer.time_base_ns = e->hdr.time_ns;
		app->time_base_set = true;
	}
	if (app->events && wanted(app, e))
		print_event(&app->printer, e);
	return check_output(app);
}

static int on_lost(void *ctx, __u64 count, __u64 total)
{
	struct app *app = ctx;

	print_lost(&app->printer, count, total);
	return check_output(app);
}

static int on_ready(void *ctx, const struct hook_choice *hooks)
{
	(void)ctx;
	(void)hooks;
	diag_info("ready");
	return 0;
}

static int on_flush(void *ctx)
{
	struct app *app = ctx;

	if (fflush(app->out) == EOF)
		return check_output(app);
	return 0;
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
	struct trace_stats stats;
	struct sigaction sa = { .sa_handler = request_stop };
	int err;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	err = trace_run(&app->trace, &sink, &stats);
	if (err)
		return err;
	if (app->json)
		fprintf(app->out, "{\"type\":\"summary\",\"events\":%llu,\"lost\":%llu,\"malformed\":%llu}\n",
			(unsigned long long)stats.events, (unsigned long long)stats.lost,
			(unsigned long long)stats.malformed);
	else
		diag_info("%llu events, %llu lost, %llu malformed", (unsigned long long)stats.events,
			  (unsigned long long)stats.lost, (unsigned long long)stats.malformed);
	if (fflush(app->out) == EOF)
		return check_output(app);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = { options, parse_arg, NULL, doc, NULL, NULL, NULL };
	struct app app = {
		.trace = { .hooks = HOOKS_AUTO, .ringbuf_kb = DEFAULT_RINGBUF_KB },
	};
	int err;

	/* argp's own usage errors exit with this status */
	argp_err_exit_status = 2;
	/* diagnostics follow the output mode from the very first one */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			diag_set_json(true);
	err = argp_parse(&argp, argc, argv, 0, NULL, &app);
	if (err)
		return 2;
	diag_set_json(app.json);

	app.out = stdout;
	if (app.output_path) {
		app.out = fopen(app.output_path, "w");
		if (!app.out) {
			diag_error("cannot open %s: %s", app.output_path, strerror(errno));
			return 1;
		}
	}
	app.printer = (struct printer){ .out = app.out, .json = app.json };

	err = run_trace(&app);
	if (app.out != stdout && fclose(app.out) && !err) {
		diag_error("writing %s: %s", app.output_path, strerror(errno));
		err = -EIO;
	}
	return err ? 1 : 0;
}
