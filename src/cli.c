// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "docker_meta.h"
#include "diag.h"
#include "nstrace.h"

/*
 * Live output is flushed after every ring-buffer batch, so a buffer larger
 * than stdio's 4 KiB default only turns many write(2)s per batch into one.
 */
#define OUTPUT_BUFFER_BYTES (256 * 1024)

enum {
	OPT_COMM = 0x200,
	OPT_CONTAINER,
	OPT_ALERTS,
};

static const struct argp_option json_options[] = {
	{ "json", 'j', NULL, 0, "Print JSON Lines instead of text", 0 },
	{},
};

/* Diagnostics follow the output mode from the first option on. */
static error_t parse_json_arg(int key, char *arg, struct argp_state *state)
{
	bool *json = state->input;

	(void)arg;
	if (key != 'j')
		return ARGP_ERR_UNKNOWN;
	*json = true;
	diag_set_json(true);
	return 0;
}

const struct argp json_argp = { json_options, parse_json_arg, NULL, NULL, NULL, NULL, NULL };

bool json_requested(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if ((a[0] == '-' && a[1] == '-' && !strcmp(a + 2, json_options[0].name)) ||
		    (a[0] == '-' && a[1] == json_options[0].key && !a[2]))
			return true;
	}
	return false;
}

static const struct argp_option options[] = {
	{ "events", 'e', NULL, 0, "Print every raw event besides the lifecycle", 0 },
	{ "pid", 'p', "PID", 0, "Raw events of this process or its children only", 0 },
	{ "comm", OPT_COMM, "NAME", 0, "Raw events whose command name is NAME only", 0 },
	{ "container", OPT_CONTAINER, "KEY|ID|NAME", 0,
	  "Only this container and what runs in it: its key (c3), a prefix of its ID, its name or its pod "
	  "(namespace/name); repeatable",
	  0 },
	{ "alerts", OPT_ALERTS, NULL, 0, "Print only alerts and the records they point to", 0 },
	{ "output", 'o', "FILE", 0, "Write the output to FILE instead of stdout", 0 },
	{},
};

int parse_command_line(const struct argp *argp, int argc, char **argv, void *input)
{
	/* argp prints its own complaints (an unknown option) as plain text: silenced with --json */
	unsigned int flags = diag_json() ? ARGP_NO_ERRS : 0;

	if (!argp_parse(argp, argc, argv, flags, NULL, input))
		return 0;
	if (diag_json()) {
		const char *slash = strrchr(argv[0], '/');
		const char *name = slash ? slash + 1 : argv[0];

		diag_error("%s: unknown option or option without its argument (see %s --help)", name, name);
	}
	return argp_err_exit_status;
}

void usage_error(const struct argp_state *state, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!diag_json())
		argp_error(state, "%s", msg);
	else
		diag_error("%s: %s", state->name, msg);
	exit(argp_err_exit_status);
}

int parse_uint(const char *arg, unsigned long max, unsigned long *value)
{
	char *end;

	if (arg[0] < '0' || arg[0] > '9')
		return -EINVAL;
	errno = 0;
	*value = strtoul(arg, &end, 10);
	if (errno || *end || *value > max)
		return -EINVAL;
	return 0;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct output_cli *cli = state->input;
	unsigned long value;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &cli->print.json;
		break;
	case 'e':
		cli->print.events = true;
		break;
	case 'p':
		if (parse_uint(arg, INT_MAX, &value) || !value)
			usage_error(state, "-p takes a process id, not '%s'", arg);
		cli->print.filter_pid = value;
		break;
	case OPT_COMM:
		if (!arg[0] || strlen(arg) >= NSTRACE_COMM_LEN)
			usage_error(state, "--comm takes a name of 1 to %d bytes", NSTRACE_COMM_LEN - 1);
		cli->print.filter_comm = arg;
		break;
	case OPT_CONTAINER:
		if (container_filter_add(&cli->filter, arg))
			usage_error(state, "--container takes a key, an ID prefix or a name of 1 to %d bytes, at most %d times",
				    META_MAX_STRING - 1, CONTAINER_FILTER_MAX);
		break;
	case OPT_ALERTS:
		cli->print.alerts_only = true;
		break;
	case 'o':
		cli->output_path = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child output_children[] = { { &json_argp, 0, NULL, 0 }, {} };

const struct argp output_argp = { options, parse_arg, NULL, NULL, output_children, NULL, NULL };

enum {
	OPT_DOCKER_SOCKET = 0x280,
	OPT_NO_DOCKER,
};

static const struct argp_option meta_options[] = {
	{ "docker-socket", OPT_DOCKER_SOCKET, "PATH", 0, "Ask the Docker daemon on PATH for names, images and labels "
							 "(default " DOCKER_DEFAULT_SOCKET ")", 0 },
	{ "no-docker", OPT_NO_DOCKER, NULL, 0, "Do not ask the Docker daemon", 0 },
	{},
};

static error_t parse_meta_arg(int key, char *arg, struct argp_state *state)
{
	struct meta_cli *cli = state->input;

	switch (key) {
	case OPT_DOCKER_SOCKET:
		if (!arg[0])
			usage_error(state, "--docker-socket takes a path");
		cli->docker_socket = arg;
		break;
	case OPT_NO_DOCKER:
		cli->no_docker = true;
		break;
	case ARGP_KEY_END:
		if (cli->no_docker && cli->docker_socket)
			usage_error(state, "--no-docker and --docker-socket contradict each other");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp meta_argp = { meta_options, parse_meta_arg, NULL, NULL, NULL, NULL, NULL };

struct meta_worker *meta_cli_start(const struct meta_cli *cli, const char *proc_root)
{
	struct meta_worker_opts opts = {
		.proc_root = proc_root,
		.docker_socket = cli->no_docker ? NULL : cli->docker_socket ? cli->docker_socket : DOCKER_DEFAULT_SOCKET,
	};
	struct meta_worker *w = meta_worker_new(&opts);

	if (!w)
		diag_error("starting the threads that ask container runtimes: %s", strerror(errno));
	return w;
}

enum {
	OPT_HOOKS = 0x300,
};

static const struct argp_option bpf_options[] = {
	{ "hooks", OPT_HOOKS, "MODE", 0,
	  "auto (default: the first the kernel allows), fentry, tracepoint (per-syscall) or sys-exit (every syscall)", 0 },
	{ "verbose", 'v', NULL, 0, "Print libbpf's messages", 0 },
	{},
};

static error_t parse_bpf_arg(int key, char *arg, struct argp_state *state)
{
	enum hook_mode *hooks = state->input;
	int mode;

	switch (key) {
	case OPT_HOOKS:
		mode = hook_mode_parse(arg);
		if (mode < 0)
			usage_error(state, "--hooks takes %s, not '%s'", hook_mode_choices, arg);
		*hooks = mode;
		break;
	case 'v':
		diag_set_verbose(true);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp bpf_argp = { bpf_options, parse_bpf_arg, NULL, NULL, NULL, NULL, NULL };

unsigned int parse_seconds(struct argp_state *state, const char *opt, const char *arg)
{
	unsigned long value;

	if (parse_uint(arg, UINT_MAX / 1000, &value) || !value)
		usage_error(state, "%s takes a positive number of seconds, not '%s'", opt, arg);
	return value;
}

FILE *output_file_open(const char *path, const char *what)
{
	FILE *f = fopen(path, "w");

	if (!f)
		diag_error("cannot open %s %s: %s", what, path, strerror(errno));
	return f;
}

int output_file_close(FILE *f, const char *path)
{
	if (fclose(f)) {
		diag_error("writing %s: %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

int output_file_reopen(FILE *f, const char *path, const char *what)
{
	int fd, err;

	/* what is buffered belongs to the file it was written for */
	if (fflush(f) == EOF) {
		diag_error("writing %s: %s", path, strerror(errno));
		return -EIO;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0 || dup2(fd, fileno(f)) < 0) {
		err = -errno;
		diag_error("cannot reopen %s %s: %s; still writing to the file it was", what, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return err;
	}
	close(fd);
	return 0;
}

bool output_open(struct output_cli *cli)
{
	cli->print.out = stdout;
	if (cli->output_path)
		cli->print.out = output_file_open(cli->output_path, "output file");
	if (!cli->print.out)
		return false;
	/* a terminal keeps stdio's line buffering */
	if (!isatty(fileno(cli->print.out)))
		setvbuf(cli->print.out, NULL, _IOFBF, OUTPUT_BUFFER_BYTES);
	/* one thread writes the output: stdio's per-call locking is pure cost */
	__fsetlocking(cli->print.out, FSETLOCKING_BYCALLER);
	return true;
}

int output_close(struct output_cli *cli)
{
	if (!cli->print.out || cli->print.out == stdout)
		return 0;
	return output_file_close(cli->print.out, cli->output_path);
}

int stdout_flush(void)
{
	if (fflush(stdout) != EOF && !ferror(stdout))
		return 0;
	if (output_reader_gone(stdout))
		return -EPIPE;
	diag_error("writing standard output: %s", strerror(errno ? errno : EIO));
	return -EIO;
}
