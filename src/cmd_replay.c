// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* nstrace replay: runs a --record file through the same session as live mode. */
#include <errno.h>
#include <string.h>
#include "cli.h"
#include "commands.h"
#include "diag.h"
#include "record.h"
#include "session.h"

#define REPLAY_BUFFER_BYTES (1 << 20)

struct replay_args {
	struct output_cli output;
	const char *path;
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct replay_args *args = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &args->output;
		break;
	case ARGP_KEY_ARG:
		if (args->path)
			usage_error(state, "unexpected argument '%s'", arg);
		args->path = arg;
		break;
	case ARGP_KEY_END:
		if (!args->path)
			usage_error(state, "replay needs the FILE written by --record");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int replay(struct replay_args *args, FILE *in)
{
	struct record_reader reader;
	struct session *s = NULL;
	char msg[256];
	int err, more;

	err = record_reader_init(&reader, in, msg, sizeof(msg));
	if (err) {
		diag_error("%s: %s", args->path, msg);
		return err;
	}
	s = session_new(NULL);
	if (!s || session_add_output(s, printer_output_new(&args->output.print))) {
		diag_error("out of memory");
		err = -ENOMEM;
		goto cleanup;
	}
	session_set_filter(s, &args->output.filter);
	for (;;) {
		__u32 kind, len;
		const void *data;

		more = record_read(&reader, &kind, &data, &len, msg, sizeof(msg));
		if (more <= 0)
			break;
		err = session_replay(s, kind, data, len);
		if (err)
			goto cleanup;
	}
	if (more < 0) {
		/* what came before the damage is printed; the damage is not skipped silently */
		session_flush(s);
		diag_error("%s: %s", args->path, more == -ENOMEM ? "out of memory" : msg);
		err = more;
		goto cleanup;
	}
	err = session_finish(s);
cleanup:
	session_free(s);
	record_reader_release(&reader);
	return err;
}

int cmd_replay(int argc, char **argv)
{
	static const struct argp_child children[] = { { &output_argp, 0, NULL, 0 }, {} };
	static const struct argp argp = {
		NULL, parse_arg, "FILE", "Print what live tracing printed, from a --record file.", children, NULL, NULL,
	};
	struct replay_args args = { 0 };
	FILE *in;
	int err;

	err = parse_command_line(&argp, argc, argv, &args);
	if (err)
		return err;
	in = fopen(args.path, "r");
	if (!in) {
		diag_error("cannot open %s: %s", args.path, strerror(errno));
		return 1;
	}
	/* recordings run to gigabytes: read them in large pieces */
	setvbuf(in, NULL, _IOFBF, REPLAY_BUFFER_BYTES);
	if (!output_open(&args.output)) {
		fclose(in);
		return 1;
	}
	err = replay(&args, in);
	fclose(in);
	if (output_close(&args.output) && !err)
		err = -EIO;
	return err && err != -EPIPE ? 1 : 0;
}
