// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * nstrace: traces namespaces and container lifecycles live. This file
 * only dispatches: each command lives in its cmd_*.c.
 */
#include <argp.h>
#include <signal.h>
#include <string.h>
#include "cli.h"
#include "commands.h"
#include "diag.h"
#include "util.h"

const char *argp_program_version = "nstrace " NSTRACE_VERSION;

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
	diag_set_json(json_requested(argc, argv));
	for (size_t i = 0; argc > 1 && i < ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		/* argp names the program after argv[0] in its messages */
		argv[1] = (char *)commands[i].usage_name;
		return commands[i].run(argc - 1, argv + 1);
	}
	return cmd_trace(argc, argv);
}
