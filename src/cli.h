/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Options shared by the commands that print a trace: live and replay. */
#ifndef NSTRACE_CLI_H
#define NSTRACE_CLI_H

#define NSTRACE_VERSION "0.1"

#include <argp.h>
#include "container_filter.h"
#include "hooks.h"
#include "meta_worker.h"
#include "output.h"

struct output_cli {
	struct printer_opts print;
	const char *output_path;
	struct container_filter filter; /* --container */
};

/* Where container metadata is asked for: --docker-socket, --no-docker. */
struct meta_cli {
	const char *docker_socket; /* NULL: the default */
	bool no_docker;
};

/* An argp child for the commands that ask runtimes about containers; its input is a struct meta_cli. */
extern const struct argp meta_argp;
/* The worker threads that ask, as the options say, about processes in proc_root; NULL after saying why. */
struct meta_worker *meta_cli_start(const struct meta_cli *cli, const char *proc_root);

/* An argp child for the commands that print a trace; its input is a struct output_cli. */
extern const struct argp output_argp;
/* --json, an argp child; its input is a bool. Diagnostics switch to JSON with it. */
extern const struct argp json_argp;
/*
 * Whether argv asks for JSON, before argp runs: argp's own complaints and
 * the first diagnostics must already follow the mode.
 */
bool json_requested(int argc, char **argv);
/* An argp child for the commands that load BPF (--hooks, -v); its input is an enum hook_mode. */
extern const struct argp bpf_argp;

/*
 * argp_parse for every command: usage errors follow the output mode, as
 * JSON records on stderr with --json. 0, or the exit status of a usage error.
 */
int parse_command_line(const struct argp *argp, int argc, char **argv, void *input);
/* argp_error in the output mode; does not return. */
void usage_error(const struct argp_state *state, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* A positive number of seconds for option opt, or an argp usage error. */
unsigned int parse_seconds(struct argp_state *state, const char *opt, const char *arg);

/* Strict decimal in [0, max]; -EINVAL otherwise. */
int parse_uint(const char *arg, unsigned long max, unsigned long *value);

/* Opens the -o file (or keeps stdout); false after printing why. */
bool output_open(struct output_cli *cli);
/* Closes what output_open opened; -EIO after printing why. */
int output_close(struct output_cli *cli);
FILE *output_file_open(const char *path, const char *what);
/*
 * Points f at path again, appending, for log rotation: the FILE stays the
 * same, so whoever holds it writes to the new file from here on. On failure
 * f goes on writing to the file it had, and -errno comes after saying why.
 */
int output_file_reopen(FILE *f, const char *path, const char *what);
/* Flushes stdout: 0, -EPIPE (unprinted) when its reader left, or -EIO after saying why. */
int stdout_flush(void);
int output_file_close(FILE *f, const char *path);

#endif
