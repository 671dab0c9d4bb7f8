// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * nsload: causes a fixed count of namespace and process events as fast as
 * one process can, and says how many events nstrace's model expects.
 *
 * Usage: nsload WORKLOAD COUNT
 * Prints one line: WORKLOAD COUNT SECONDS OPS_PER_S EXPECTED_EVENTS
 * ("-" expected: not counted, as for container-start and docker-start,
 * whose events come from runc and docker under their own names).
 * docker-start is listed only where a dockerd runs already.
 * nsload list prints each workload with the count the benchmark runs.
 * nsload hold-procs N | hold-containers N: makes N sleeping processes, or N
 * pid namespaces each with an init, says "ready" and keeps them until its
 * stdin ends (the scale benchmark).
 *
 * While the timed loop runs, this process and every child it makes carry a
 * command name starting with "nsb-", so a tracer's output can be filtered to
 * the events this workload caused and nothing else on the machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define MARK_COMM "nsb-load"
#define IDLE_COMM "nsload"
/* exec takes its command name from the file name it was given */
#define EXEC_LINK_NAME "nsb-true"

struct workload {
	const char *name;
	/* about half a second on an idle 2-core machine */
	unsigned long bench_count;
	/* nstrace events one operation causes; UNCOUNTED: not known in advance */
	unsigned int events_per_op;
	int (*setup)(const struct workload *w);
	int (*run_one)(const struct workload *w);
	unsigned long clone_flags;
	/* NULL: always; else whether this machine can run it */
	bool (*available)(void);
};

#define UNCOUNTED (~0u)

static char exec_dir[] = "/tmp/nsload.XXXXXX";
static char exec_path[sizeof(exec_dir) + sizeof(EXEC_LINK_NAME)];
static int held_ns[2];
static unsigned long op_index;

static void die(const char *what)
{
	fprintf(stderr, "nsload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void set_comm(const char *name)
{
	if (prctl(PR_SET_NAME, name))
		die("PR_SET_NAME");
}

static int reap(pid_t pid)
{
	int status;

	if (pid < 0)
		return -errno;
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -ECHILD;
}

static void remove_exec_link(void)
{
	unlink(exec_path);
	rmdir(exec_dir);
}

static int setup_exec(const struct workload *w)
{
	(void)w;
	if (!mkdtemp(exec_dir))
		return -errno;
	snprintf(exec_path, sizeof(exec_path), "%s/" EXEC_LINK_NAME, exec_dir);
	if (symlink("/bin/true", exec_path))
		return -errno;
	atexit(remove_exec_link);
	return 0;
}

/* one clone, one exec, one exit */
static int fork_exec(const struct workload *w)
{
	char *const argv[] = { (char *)EXEC_LINK_NAME, NULL };
	char *const envp[] = { NULL };
	pid_t pid;

	(void)w;
	pid = fork();
	if (pid == 0) {
		execve(exec_path, argv, envp);
		_exit(127);
	}
	return reap(pid);
}

/* one clone, one exit; the raw syscall returns twice like fork() */
static int clone_exit(const struct workload *w)
{
	long pid = syscall(SYS_clone, w->clone_flags | SIGCHLD, 0, NULL, NULL, 0);

	if (pid == 0)
		_exit(0);
	return reap(pid);
}

static int unshare_one(const struct workload *w)
{
	return unshare(w->clone_flags) ? -errno : 0;
}

static int open_new_ns(const struct workload *w, int *fd)
{
	if (unshare(w->clone_flags))
		return -errno;
	*fd = open("/proc/thread-self/ns/uts", O_RDONLY | O_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

/* Two namespaces made before the timed loop, so every setns really switches. */
static int setup_setns(const struct workload *w)
{
	int err = open_new_ns(w, &held_ns[0]);

	return err ? err : open_new_ns(w, &held_ns[1]);
}

static int setns_one(const struct workload *w)
{
	return setns(held_ns[op_index & 1], w->clone_flags) ? -errno : 0;
}

static void *thread_body(void *arg)
{
	return arg;
}

/* the plain clone path: no namespace, so no nstrace event by design */
static int thread_one(const struct workload *w)
{
	pthread_t t;
	int err;

	(void)w;
	err = pthread_create(&t, NULL, thread_body, NULL);
	if (err)
		return -err;
	return -pthread_join(t, NULL);
}

/* no namespace work at all: only the tax every system call pays */
static int getppid_one(const struct workload *w)
{
	(void)w;
	syscall(SYS_getppid);
	return 0;
}

static char bundle_dir[] = "/tmp/nsload-bundle.XXXXXX";

static void remove_bundle(void)
{
	char cmd[sizeof(bundle_dir) + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", bundle_dir);
	if (system(cmd))
		fprintf(stderr, "nsload: could not remove %s\n", bundle_dir);
}

/* A busybox bundle whose container runs true and exits (runc spec, made non-interactive). */
static int setup_bundle(const struct workload *w)
{
	char cmd[1024];

	(void)w;
	if (!mkdtemp(bundle_dir))
		return -errno;
	atexit(remove_bundle);
	snprintf(cmd, sizeof(cmd),
		 "set -e; cd '%s'; mkdir -p rootfs/bin rootfs/proc rootfs/sys rootfs/dev rootfs/tmp; "
		 "cp /bin/busybox rootfs/bin/busybox; runc spec; "
		 "sed -i 's/\"terminal\": true/\"terminal\": false/; s/\"sh\"/\"\\/bin\\/busybox\", \"true\"/' config.json",
		 bundle_dir);
	return system(cmd) ? -EINVAL : 0;
}

/* Runs argv with its standard streams on /dev/null and waits for it. */
static int run_quietly(const char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(126);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	return reap(pid);
}

/* runc run of a container that exits at once: create, start, wait, delete */
static int runc_run(const struct workload *w)
{
	char id[64];
	const char *const argv[] = { "runc", "run", "-b", bundle_dir, id, NULL };

	(void)w;
	snprintf(id, sizeof(id), "nsb-%d-%lu", getpid(), op_index);
	return run_quietly(argv);
}

#define DOCKER "/usr/bin/docker"
#define DOCKER_IMAGE "nsbench/busybox"

/* Only where a dockerd already runs: the benchmark starts none. */
static bool docker_available(void)
{
	return !system(DOCKER " info >/dev/null 2>&1");
}

static void remove_docker_image(void)
{
	if (system(DOCKER " rmi " DOCKER_IMAGE " >/dev/null 2>&1"))
		fprintf(stderr, "nsload: could not remove the image " DOCKER_IMAGE "\n");
}

/* The runc bundle's root file system, imported as an image. */
static int setup_docker(const struct workload *w)
{
	char cmd[256];
	int err = setup_bundle(w);

	if (err)
		return err;
	snprintf(cmd, sizeof(cmd), "tar -C '%s/rootfs' -c . | " DOCKER " import - " DOCKER_IMAGE " >/dev/null",
		 bundle_dir);
	if (system(cmd))
		return -EINVAL;
	atexit(remove_docker_image);
	return 0;
}

static int docker_run(const struct workload *w)
{
	const char *const argv[] = { DOCKER, "run", "--rm", "--network", "none", DOCKER_IMAGE,
				     "/bin/busybox", "true", NULL };

	(void)w;
	return run_quietly(argv);
}

static const struct workload workloads[] = {
	{ "fork-exec", 1000, 3, setup_exec, fork_exec, 0, NULL },
	{ "clone-uts-ipc-mnt", 2000, 2, NULL, clone_exit, CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS, NULL },
	{ "clone-pid", 3000, 2, NULL, clone_exit, CLONE_NEWPID, NULL },
	{ "unshare-uts", 250000, 1, NULL, unshare_one, CLONE_NEWUTS, NULL },
	{ "setns-uts", 250000, 1, setup_setns, setns_one, CLONE_NEWUTS, NULL },
	{ "threads", 15000, 0, NULL, thread_one, 0, NULL },
	{ "syscall", 2000000, 0, NULL, getppid_one, 0, NULL },
	{ "container-start", 20, UNCOUNTED, setup_bundle, runc_run, 0, NULL },
	/* a docker run is ten times a runc run: fewer of them */
	{ "docker-start", 5, UNCOUNTED, setup_docker, docker_run, 0, docker_available },
};

#define WORKLOAD_COUNT (sizeof(workloads) / sizeof(workloads[0]))

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: nsload WORKLOAD COUNT | nsload list | nsload hold-procs|hold-containers N\nworkloads:");
	for (size_t i = 0; i < WORKLOAD_COUNT; i++)
		fprintf(stderr, " %s", workloads[i].name);
	fputc('\n', stderr);
	exit(2);
}

/* A child that sleeps until its holder dies. */
static pid_t sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	return pid;
}

/* A pid namespace with an init in it, both gone with the holder. */
static pid_t container(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC) || sleeper() < 0)
			_exit(1);
		for (;;)
			pause();
	}
	return pid;
}

static int hold(const char *what, unsigned long n)
{
	pid_t (*make)(void) = !strcmp(what, "hold-procs") ? sleeper : container;
	char buf[64];

	for (unsigned long i = 0; i < n; i++)
		if (make() < 0)
			die("fork");
	printf("ready\n");
	fflush(stdout);
	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		;
	return 0;
}

int main(int argc, char **argv)
{
	const struct workload *w = NULL;
	unsigned long count;
	double start, secs;
	char *end;
	int err;

	if (argc == 2 && !strcmp(argv[1], "list")) {
		for (size_t i = 0; i < WORKLOAD_COUNT; i++)
			if (!workloads[i].available || workloads[i].available())
				printf("%s %lu\n", workloads[i].name, workloads[i].bench_count);
		return 0;
	}
	if (argc != 3)
		usage();
	if (!strcmp(argv[1], "hold-procs") || !strcmp(argv[1], "hold-containers")) {
		count = strtoul(argv[2], &end, 10);
		if (!count || *end)
			usage();
		return hold(argv[1], count);
	}
	for (size_t i = 0; i < WORKLOAD_COUNT; i++)
		if (!strcmp(argv[1], workloads[i].name))
			w = &workloads[i];
	count = strtoul(argv[2], &end, 10);
	if (!w || !count || *end)
		usage();

	/* setup runs under the idle name: its events are not the workload's */
	set_comm(IDLE_COMM);
	if (w->setup) {
		err = w->setup(w);
		if (err) {
			errno = -err;
			die("setup");
		}
	}

	set_comm(MARK_COMM);
	start = now_s();
	for (op_index = 0; op_index < count; op_index++) {
		err = w->run_one(w);
		if (err) {
			errno = -err;
			die(w->name);
		}
	}
	secs = now_s() - start;
	/* our own exit is not part of the workload */
	set_comm(IDLE_COMM);

	if (w->events_per_op == UNCOUNTED)
		printf("%s %lu %.6f %.1f -\n", w->name, count, secs, count / secs);
	else
		printf("%s %lu %.6f %.1f %lu\n", w->name, count, secs, count / secs, count * w->events_per_op);
	return 0;
}
