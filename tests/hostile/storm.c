// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * storm WORKERS FORKS: an event storm whose size is known exactly.
 *
 * The storm takes the comm "nsstorm" and forks WORKERS workers, each of
 * which forks FORKS children that exit at once. A fork and its exit are
 * two events in nstrace's model (a clone and an exit; no exec, no new
 * namespace), so the storm causes exactly 2 * WORKERS * (FORKS + 1)
 * events with comm "nsstorm", leaving out the storm's own exec and exit.
 * Prints "pid PID generated N" once all of them have happened.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#define STORM_COMM "nsstorm"

static unsigned long parse(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s < '0' || *s > '9' || *end || !v) {
		fprintf(stderr, "storm: not a positive number: %s\n", s);
		exit(2);
	}
	return v;
}

/* Waits for every child; false if one could not be reaped or failed. */
static int reap_all(void)
{
	int status, ok = 1;

	while (wait(&status) > 0)
		ok &= WIFEXITED(status) && !WEXITSTATUS(status);
	return errno == ECHILD && ok;
}

static void worker(unsigned long forks, pid_t parent)
{
	/* a storm stopped early must not go on without its parent */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(1);
	for (unsigned long i = 0; i < forks; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("storm: fork");
			_exit(1);
		}
		if (!pid)
			_exit(0);
		/* reaped at once: a storm must not hit the task limit */
		if (waitpid(pid, NULL, 0) != pid)
			_exit(1);
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	unsigned long workers, forks;
	pid_t storm = getpid();
	int forked = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: storm WORKERS FORKS\n");
		return 2;
	}
	workers = parse(argv[1]);
	forks = parse(argv[2]);
	if (prctl(PR_SET_NAME, STORM_COMM))
		return 2;
	for (unsigned long w = 0; w < workers; w++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("storm: fork");
			forked = 0;
			break;
		}
		if (!pid)
			worker(forks, storm);
	}
	if (!reap_all() || !forked) {
		fprintf(stderr, "storm: a worker failed\n");
		return 1;
	}
	printf("pid %d generated %lu\n", (int)getpid(), 2 * workers * (forks + 1));
	return 0;
}
