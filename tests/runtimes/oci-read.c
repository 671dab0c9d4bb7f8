// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Reads a bundle the way nstrace does, for a real process with a forged
 * command line: runs EXE with ARGV as UID:GID in DIR, stopped right after
 * its exec, and prints what oci_bundle_read made of the bundle it names:
 *   {"err":"EACCES","why":"...","meta":{...}}
 * Usage: oci-read UID GID DIR BUNDLE|- EXE ARGV0 [ARG...]   (as root)
 * BUNDLE "-" reads the working directory's, as runc does without --bundle.
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include "oci_bundle.h"

/* A read that blocks is the failure this tool exists to catch. */
#define STALL_SECONDS 5

static const char *errno_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ 0, "0" },	     { EACCES, "EACCES" }, { EPERM, "EPERM" },   { ENOENT, "ENOENT" },
		{ ELOOP, "ELOOP" },  { EFBIG, "EFBIG" },   { EINVAL, "EINVAL" }, { EXDEV, "EXDEV" },
		{ ENOTDIR, "ENOTDIR" }, { ESRCH, "ESRCH" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	return strerror(err);
}

static void on_stall(int sig)
{
	(void)sig;
	static const char msg[] = "{\"err\":\"stalled\"}\n";
	ssize_t unused = write(1, msg, sizeof(msg) - 1);

	(void)unused;
	_exit(3);
}

int main(int argc, char **argv)
{
	struct container_meta m = { 0 };
	char why[256];
	json_t *out;
	pid_t child;
	int status, err;

	if (argc < 7) {
		fprintf(stderr, "usage: %s UID GID DIR BUNDLE|- EXE ARGV0 [ARG...]\n", argv[0]);
		return 2;
	}
	child = fork();
	if (child < 0)
		return 1;
	if (!child) {
		gid_t gid = atoi(argv[2]);

		if (chdir(argv[3]) || setgroups(0, NULL) || setresgid(gid, gid, gid) ||
		    setresuid(atoi(argv[1]), atoi(argv[1]), atoi(argv[1])))
			_exit(126);
		/* stops at its exec: the process is the executable with the forged argv, and stays */
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execv(argv[5], argv + 6);
		_exit(127);
	}
	if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status)) {
		fprintf(stderr, "oci-read: %s did not start (status %#x)\n", argv[5], status);
		return 1;
	}
	signal(SIGALRM, on_stall);
	alarm(STALL_SECONDS);
	err = oci_bundle_read("/proc", child, strcmp(argv[4], "-") ? argv[4] : NULL, &m, why, sizeof(why));
	alarm(0);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	out = json_pack("{s:s,s:s,s:o}", "err", errno_name(-err), "why", why, "meta", meta_to_json(&m));
	json_dumpf(out, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(out);
	meta_clear(&m);
	return 0;
}
