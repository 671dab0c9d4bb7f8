// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * hostile-exec: a container whose every string nstrace prints is hostile.
 *
 *   hostile-exec DIR      run it; DIR receives the hostile symlink
 *   hostile-exec --expect print, as one JSON object, what nstrace's JSON
 *                         output must decode those strings to
 *
 * Stage 0 re-executes itself as "lxc-start -n ID" so that the container
 * gets a hostile runtime ID, stage 1 takes a hostile comm and unshares a
 * pid namespace, and its child (pid 1 there) executes stage 2 through a
 * symlink with a hostile name and a hostile argv holding two 4 KiB
 * arguments. Stage 2 takes yet another comm and exits.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define STAGE_ENV "HOSTILE_EXEC_STAGE"
#define DIR_ENV "HOSTILE_EXEC_DIR"
#define BIG_ARG_LEN 4096

/* Each raw string next to the JSON literal that decodes to what nstrace must print for it. */
struct hostile {
	const char *raw;
	const char *json;
};

/* The symlink's name, and its first 15 bytes as the comm exec gives (cut inside U+202E). */
static const struct hostile link_name = { "\x1b[2J\n\"q\\\xff\xc3(\r\t\xe2\x80\xae",
					  "\"\\u001b[2J\\n\\\"q\\\\\\ufffd\\ufffd(\\r\\t\\u202e\"" };
static const char exec_comm_json[] = "\"\\u001b[2J\\n\\\"q\\\\\\ufffd\\ufffd(\\r\\t\\ufffd\\ufffd\"";

/* 15 bytes each: the longest comm the kernel keeps. */
static const struct hostile creator_comm = { "\x1b]0;pwn\x07\n\"\\\xff\xfe\r\x1b",
					     "\"\\u001b]0;pwn\\u0007\\n\\\"\\\\\\ufffd\\ufffd\\r\\u001b\"" };
static const struct hostile exit_comm = { "\xff\xc3(\r\x1b[2J\x7f\x9b" "31m\xc0\xaf",
					  "\"\\ufffd\\ufffd(\\r\\u001b[2J\\u007f\\ufffd31m\\ufffd\\ufffd\"" };

static const struct hostile runtime_id = { "\x1b[1;31m\"id\"\n\\\xff\xe2\x80\xae",
					   "\"\\u001b[1;31m\\\"id\\\"\\n\\\\\\ufffd\\u202e\"" };

/* argv[1..]: all whole in the 2 KiB nstrace keeps, before the two big ones. */
static const struct hostile args[] = {
	{ "\x1b[31mred\x1b[0m", "\"\\u001b[31mred\\u001b[0m\"" },
	{ "line1\nline2\r\n", "\"line1\\nline2\\r\\n\"" },
	{ "quote\"back\\slash'", "\"quote\\\"back\\\\slash'\"" },
	{ "\xff\xfe invalid \xc3\x28", "\"\\ufffd\\ufffd invalid \\ufffd(\"" },
	{ "\xe2\x80\xae bidi", "\"\\u202e bidi\"" },
	{ "\x07\x08\x7f\x01\x1b", "\"\\u0007\\u0008\\u007f\\u0001\\u001b\"" },
	{ "\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80", "\"" "\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	{ "", "\"\"" },
};

static void die(const char *what)
{
	fprintf(stderr, "hostile-exec: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void print_expect(void)
{
	printf("{\"link_name\":%s,\"exec_comm\":%s,\"creator_comm\":%s,\"exit_comm\":%s,\"runtime_id\":%s,\"args\":[",
	       link_name.json, exec_comm_json, creator_comm.json, exit_comm.json, runtime_id.json);
	for (size_t i = 0; i < ARRAY_SIZE(args); i++)
		printf("%s%s", i ? "," : "", args[i].json);
	printf("]}\n");
}

/* A 4 KiB argument of "é\x1b": a cut anywhere may split a UTF-8 sequence. */
static char *big_arg(void)
{
	static const char unit[] = "\xc3\xa9\x1b";
	char *s = malloc(BIG_ARG_LEN + 1);

	if (!s)
		die("malloc");
	for (size_t i = 0; i < BIG_ARG_LEN; i++)
		s[i] = unit[i % (sizeof(unit) - 1)];
	s[BIG_ARG_LEN] = '\0';
	return s;
}

static void set_comm(const char *comm)
{
	if (prctl(PR_SET_NAME, comm))
		die("prctl(PR_SET_NAME)");
}

static void exec_pid1(const char *dir)
{
	char path[PATH_MAX];
	char *argv[ARRAY_SIZE(args) + 4];
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, link_name.raw);
	argv[n++] = path;
	for (size_t i = 0; i < ARRAY_SIZE(args); i++)
		argv[n++] = (char *)args[i].raw;
	argv[n++] = big_arg();
	argv[n++] = big_arg();
	argv[n] = NULL;
	setenv(STAGE_ENV, "2", 1);
	execv(path, argv);
	die("execv through the hostile symlink");
}

static int stage1(void)
{
	const char *dir = getenv(DIR_ENV);
	int status;
	pid_t pid;

	if (!dir)
		die("stage 1 without " DIR_ENV);
	set_comm(creator_comm.raw);
	if (unshare(CLONE_NEWPID))
		die("unshare(CLONE_NEWPID)");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid)
		exec_pid1(dir);
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

static int stage0(const char *dir)
{
	char self[PATH_MAX], link[PATH_MAX];
	char *argv[] = { "/usr/bin/lxc-start", "-n", (char *)runtime_id.raw, NULL };
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		die("readlink /proc/self/exe");
	self[n] = '\0';
	snprintf(link, sizeof(link), "%s/%s", dir, link_name.raw);
	if (symlink(self, link) && errno != EEXIST)
		die("symlink");
	setenv(STAGE_ENV, "1", 1);
	setenv(DIR_ENV, dir, 1);
	execv(self, argv);
	die("execv");
	return 2;
}

int main(int argc, char **argv)
{
	const char *stage = getenv(STAGE_ENV);

	if (stage && !strcmp(stage, "2")) {
		set_comm(exit_comm.raw);
		return 0;
	}
	if (stage && !strcmp(stage, "1"))
		return stage1();
	if (argc == 2 && !strcmp(argv[1], "--expect")) {
		print_expect();
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: hostile-exec DIR | --expect\n");
		return 2;
	}
	return stage0(argv[1]);
}
