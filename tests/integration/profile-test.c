// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Runs `nstrace profile` live against a storm of namespace calls with
 * known counts and checks the histograms it reports.
 *
 * The host is shared, so the storm uses flag sets that nothing else on it
 * is expected to use; for those keys the counts must equal the calls made.
 * exec has a single key that every process on the host shares, so its
 * counts are checked as lower bounds only.
 *
 * Usage: profile-test PATH-TO-NSTRACE
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "testing.h"

#define UNSHARE_CALLS 200
#define CLONE_CALLS 100
#define CLONE3_CALLS 50
#define SETNS_CALLS 50
#define SETNS_FAILS 20
#define EXEC_CALLS 20
#define EXEC_FAILS 20
/* spreads the unshare phase over more than one 1 s interval */
#define UNSHARE_GAP_US 6000
/* after the storm, two more 1 s intervals: each histogram map is read again after its storm samples */
#define SETTLE_US 2200000

#define UNSHARE_FLAGS (CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP)
#define CLONE_FLAGS (CLONE_NEWUTS | CLONE_NEWCGROUP)
#define CLONE3_FLAGS (CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP)
#define SETNS_FLAGS (CLONE_NEWIPC | CLONE_NEWCGROUP)

static const char *nstrace;
static pid_t profiler = -1, holder = -1;

enum phase { PHASE_UNSHARE, PHASE_CLONE, PHASE_CLONE3, PHASE_SETNS, PHASE_EXEC, PHASE_COUNT };

/* A histogram key the storm fills, as nstrace names it. */
struct expect {
	const char *kind;
	const char *key; /* namespace names joined by commas */
	bool failed;
	long long calls;
	bool exact; /* the storm is the key's only user */
	enum phase phase;
	/* what the run reported */
	long long total_count, total_sum, interval_count, intervals_seen;
};

static struct expect expects[] = {
	{ .kind = "unshare", .key = "uts,ipc,cgroup", .failed = false, .calls = UNSHARE_CALLS, .exact = true, .phase = PHASE_UNSHARE },
	{ .kind = "clone", .key = "uts,cgroup", .failed = false, .calls = CLONE_CALLS, .exact = true, .phase = PHASE_CLONE },
	{ .kind = "clone", .key = "uts,ipc,cgroup", .failed = false, .calls = CLONE3_CALLS, .exact = true, .phase = PHASE_CLONE3 },
	{ .kind = "setns", .key = "ipc,cgroup", .failed = false, .calls = SETNS_CALLS, .exact = true, .phase = PHASE_SETNS },
	{ .kind = "setns", .key = "ipc,cgroup", .failed = true, .calls = SETNS_FAILS, .exact = true, .phase = PHASE_SETNS },
	{ .kind = "exec", .key = "", .failed = false, .calls = EXEC_CALLS, .exact = false, .phase = PHASE_EXEC },
	{ .kind = "exec", .key = "", .failed = true, .calls = EXEC_FAILS, .exact = false, .phase = PHASE_EXEC },
};

#define N_EXPECTS (sizeof(expects) / sizeof(expects[0]))

static long long phase_wall_ns[PHASE_COUNT];

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void reap(pid_t *pid, int sig)
{
	if (*pid <= 0)
		return;
	kill(*pid, sig);
	waitpid(*pid, NULL, 0);
	*pid = -1;
}

static void cleanup(void)
{
	reap(&profiler, SIGKILL);
	reap(&holder, SIGKILL);
}

/* 0 if the child exited with status 0 */
static int wait_ok(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int run_in_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid)
		_exit(fn(arg) ? 1 : 0);
	return wait_ok(pid);
}

static char *read_all(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);
	char *buf;

	if (size < 0 || !(buf = calloc(1, size + 1)))
		return NULL;
	if (pread(fd, buf, size, 0) != size) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Starts nstrace with args, its stdout and stderr in memory files. */
static pid_t start_nstrace(char *const args[], int *out_fd, int *err_fd)
{
	pid_t pid;

	*out_fd = memfd_create("profile-stdout", MFD_CLOEXEC);
	*err_fd = memfd_create("profile-stderr", MFD_CLOEXEC);
	if (*out_fd < 0 || *err_fd < 0)
		return -1;
	pid = fork();
	if (!pid) {
		dup2(*out_fd, STDOUT_FILENO);
		dup2(*err_fd, STDERR_FILENO);
		execv(nstrace, args);
		_exit(127);
	}
	return pid;
}

/* Waits until stderr says the programs are attached; false if pid exits first or 30 s pass. */
static bool wait_ready(pid_t pid, int err_fd)
{
	for (int i = 0; i < 600; i++) {
		char *text = read_all(err_fd);
		bool ready = text && strstr(text, "ready");

		free(text);
		if (ready)
			return true;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return false;
		usleep(50000);
	}
	return false;
}

/* Starts the profiler and waits for it to attach; on failure shows its stderr and stops it. */
static bool start_profiler(char *const args[], int *out_fd, int *err_fd)
{
	char *text;

	profiler = start_nstrace(args, out_fd, err_fd);
	if (ASSERT_TRUE(profiler > 0 && wait_ready(profiler, *err_fd), "nstrace profile starts"))
		return true;
	text = read_all(*err_fd);
	printf("  stderr: %s\n", text ? text : "");
	free(text);
	reap(&profiler, SIGKILL);
	close(*out_fd);
	close(*err_fd);
	return false;
}

/*
 * Exit status of *pid, -1 unless it exits normally within timeout_s;
 * a process still running then is killed. *pid is reaped either way.
 */
static int wait_exit(pid_t *pid, int timeout_s)
{
	int status;

	for (int i = 0; i < timeout_s * 20; i++) {
		if (waitpid(*pid, &status, WNOHANG) == *pid) {
			*pid = -1;
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		usleep(50000);
	}
	reap(pid, SIGKILL);
	return -1;
}

/* ---- the storm ---- */

static int do_unshare(void *arg)
{
	(void)arg;
	return unshare(UNSHARE_FLAGS);
}

static int storm_unshare(void)
{
	for (int i = 0; i < UNSHARE_CALLS; i++) {
		if (run_in_child(do_unshare, NULL))
			return -1;
		usleep(UNSHARE_GAP_US);
	}
	return 0;
}

static int storm_clone(void)
{
	for (int i = 0; i < CLONE_CALLS; i++) {
		/* no stack: the child runs on a copy of ours, as after fork */
		long pid = syscall(SYS_clone, CLONE_FLAGS | SIGCHLD, NULL, NULL, NULL, 0);

		if (!pid)
			_exit(0);
		if (pid < 0 || wait_ok(pid))
			return -1;
	}
	return 0;
}

static int storm_clone3(void)
{
	for (int i = 0; i < CLONE3_CALLS; i++) {
		struct clone_args args = { .flags = CLONE3_FLAGS, .exit_signal = SIGCHLD };
		long pid = syscall(SYS_clone3, &args, sizeof(args));

		if (!pid)
			_exit(0);
		if (pid < 0 || wait_ok(pid))
			return -1;
	}
	return 0;
}

/* Joins the holder's namespaces through its pidfd, then fails on purpose with a bad fd. */
static int do_setns(void *arg)
{
	int pidfd = *(int *)arg;

	for (int i = 0; i < SETNS_CALLS; i++)
		if (setns(pidfd, SETNS_FLAGS))
			return -1;
	for (int i = 0; i < SETNS_FAILS; i++)
		if (setns(-1, SETNS_FLAGS) != -1 || errno != EBADF)
			return -1;
	return 0;
}

static int storm_setns(void)
{
	int ready[2], pidfd, err;
	char c;

	if (pipe(ready))
		return -1;
	holder = fork();
	if (!holder) {
		close(ready[0]);
		if (unshare(SETNS_FLAGS))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	err = read(ready[0], &c, 1) == 1 ? 0 : -1;
	close(ready[0]);
	pidfd = err ? -1 : syscall(SYS_pidfd_open, holder, 0);
	if (pidfd < 0)
		err = -1;
	if (!err)
		err = run_in_child(do_setns, &pidfd);
	if (pidfd >= 0)
		close(pidfd);
	reap(&holder, SIGKILL);
	return err;
}

static int do_exec_fails(void *arg)
{
	char *const argv[] = { "nstrace-profile-test-missing", NULL };

	(void)arg;
	for (int i = 0; i < EXEC_FAILS; i++)
		if (execv("/nonexistent/nstrace-profile-test", argv) != -1 || errno != ENOENT)
			return -1;
	return 0;
}

static int do_exec_true(void *arg)
{
	char *const argv[] = { "true", NULL };

	(void)arg;
	execv("/bin/true", argv);
	return -1;
}

static int storm_exec(void)
{
	for (int i = 0; i < EXEC_CALLS; i++)
		if (run_in_child(do_exec_true, NULL))
			return -1;
	return run_in_child(do_exec_fails, NULL);
}

static int (*const storms[PHASE_COUNT])(void) = {
	[PHASE_UNSHARE] = storm_unshare, [PHASE_CLONE] = storm_clone, [PHASE_CLONE3] = storm_clone3,
	[PHASE_SETNS] = storm_setns,	 [PHASE_EXEC] = storm_exec,
};

static const char *const phase_names[PHASE_COUNT] = {
	"unshare", "clone", "clone3", "setns", "exec",
};

/* ---- reading the report ---- */

static bool key_is(json_t *key, const char *want)
{
	char joined[256] = "";
	size_t i;
	json_t *name;

	if (!json_is_array(key))
		return false;
	json_array_foreach(key, i, name) {
		if (!json_is_string(name))
			return false;
		if (i)
			strncat(joined, ",", sizeof(joined) - strlen(joined) - 1);
		strncat(joined, json_string_value(name), sizeof(joined) - strlen(joined) - 1);
	}
	return !strcmp(joined, want);
}

static struct expect *match(json_t *rec)
{
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	json_t *failed = json_object_get(rec, "failed");

	if (!kind || !json_is_boolean(failed))
		return NULL;
	for (size_t i = 0; i < N_EXPECTS; i++)
		if (!strcmp(expects[i].kind, kind) && expects[i].failed == json_is_true(failed) &&
		    key_is(json_object_get(rec, "key"), expects[i].key))
			return &expects[i];
	return NULL;
}

static long long num(json_t *rec, const char *field)
{
	return json_integer_value(json_object_get(rec, field));
}

/* Checks one record's internal consistency; what it means for the storm is checked later. */
static void check_record(json_t *rec, const struct expect *e)
{
	long long count = num(rec, "count"), sum = num(rec, "sum_ns"), max = num(rec, "max_ns");
	long long p50 = num(rec, "p50_ns"), p99 = num(rec, "p99_ns"), in_buckets = 0, top = 0;
	json_t *buckets = json_object_get(rec, "buckets"), *b;
	size_t i;

	ASSERT_TRUE(count > 0, e->kind);
	ASSERT_TRUE(max >= p99 && p99 >= p50 && p50 > 0, "max >= p99 >= p50 > 0");
	ASSERT_TRUE(sum >= count * 2, "every duration is at least 2 ns");
	ASSERT_TRUE(max * count >= sum, "no duration above the max");
	json_array_foreach(buckets, i, b) {
		long long le = num(b, "le_ns");

		ASSERT_TRUE(le > 1, "no duration of 0 or 1 ns");
		ASSERT_TRUE(le > top, "buckets in ascending order");
		in_buckets += num(b, "count");
		top = le;
	}
	ASSERT_EQ(in_buckets, count, "bucket counts add up to the count");
	ASSERT_TRUE(max <= top && max > top / 2, "max lies in the top bucket");
}

static int parse_report(const char *text)
{
	int records = 0;

	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		json_error_t error;
		json_t *rec = json_loadb(line, len, 0, &error);
		const char *type = json_string_value(json_object_get(rec, "type"));
		struct expect *e;

		if (!ASSERT_TRUE(rec && type, "every stdout line is a JSON record")) {
			printf("  line: %.*s\n", (int)len, line);
			json_decref(rec);
			return -1;
		}
		records++;
		e = match(rec);
		if (e) {
			check_record(rec, e);
			if (!strcmp(type, "profile_total")) {
				e->total_count += num(rec, "count");
				e->total_sum += num(rec, "sum_ns");
			} else if (ASSERT_STREQ(type, "profile", "record type")) {
				e->interval_count += num(rec, "count");
				e->intervals_seen++;
			}
		}
		json_decref(rec);
		line = nl ? nl + 1 : NULL;
	}
	return records;
}

/* ---- subtests ---- */

static void test_storm(void)
{
	char *const args[] = { "nstrace", "profile", "--json", "-i", "1", NULL };
	int out_fd, err_fd, status;
	char *text;

	if (!start_profiler(args, &out_fd, &err_fd))
		return;
	for (int p = 0; p < PHASE_COUNT; p++) {
		long long start = now_ns();
		int err = storms[p]();

		phase_wall_ns[p] = now_ns() - start;
		if (!ASSERT_EQ(err, 0, phase_names[p])) {
			reap(&profiler, SIGKILL);
			return;
		}
	}
	usleep(SETTLE_US);
	kill(profiler, SIGINT);
	status = wait_exit(&profiler, 30);
	ASSERT_EQ(status, 0, "exit status after SIGINT");

	text = read_all(out_fd);
	ASSERT_TRUE(parse_report(text) > 0, "records on stdout");
	free(text);
	close(out_fd);
	close(err_fd);

	for (size_t i = 0; i < N_EXPECTS; i++) {
		struct expect *e = &expects[i];

		printf("  %s [%s]%s: %lld calls, total count %lld in %lld intervals, sum %lld ns, phase wall %lld ns\n",
		       e->kind, e->key, e->failed ? " failed" : "", e->calls, e->total_count, e->intervals_seen,
		       e->total_sum, phase_wall_ns[e->phase]);
		ASSERT_EQ(e->interval_count, e->total_count, "intervals add up to the total");
		if (e->exact) {
			ASSERT_EQ(e->total_count, e->calls, "one sample per call");
			/* the phase made its calls one at a time, so their durations cannot add up to more */
			ASSERT_TRUE(e->total_sum <= phase_wall_ns[e->phase], "sum within the phase's wall time");
		} else {
			ASSERT_TRUE(e->total_count >= e->calls, "at least one sample per call");
		}
	}
	/* the unshare phase outlasts an interval: its samples must survive the map swap */
	ASSERT_TRUE(expects[0].intervals_seen >= 2, "unshare samples span intervals");
}

static int unshare_once(void *arg)
{
	(void)arg;
	return unshare(UNSHARE_FLAGS);
}

/* -d ends the run by itself with a text total. */
static void test_duration_text(void)
{
	char *const args[] = { "nstrace", "profile", "-d", "2", NULL };
	int out_fd, err_fd;
	char *text;

	if (!start_profiler(args, &out_fd, &err_fd))
		return;
	ASSERT_EQ(run_in_child(unshare_once, NULL), 0, "unshare");
	ASSERT_EQ(wait_exit(&profiler, 30), 0, "exit status after -d");
	text = read_all(out_fd);
	ASSERT_TRUE(text && !strncmp(text, "total over 2.", 13), "a total over the duration");
	ASSERT_TRUE(text && strstr(text, "\nunshare [uts,ipc,cgroup]: count 1, "), "the unshare, in text");
	ASSERT_TRUE(text && strstr(text, " : count    distribution\n"), "a distribution");
	free(text);
	close(out_fd);
	close(err_fd);
}

static void test_sigterm(void)
{
	char *const args[] = { "nstrace", "profile", "--json", NULL };
	int out_fd, err_fd;
	char *text;

	if (!start_profiler(args, &out_fd, &err_fd))
		return;
	kill(profiler, SIGTERM);
	ASSERT_EQ(wait_exit(&profiler, 30), 0, "exit status after SIGTERM");
	text = read_all(err_fd);
	ASSERT_TRUE(text && !strncmp(text, "{\"type\":\"info\"", 14), "diagnostics are JSON too");
	free(text);
	close(out_fd);
	close(err_fd);
}

static void test_usage(void)
{
	char *const bad_interval[] = { "nstrace", "profile", "-i", "0", NULL };
	char *const extra[] = { "nstrace", "profile", "extra", NULL };
	char *const bad_hooks[] = { "nstrace", "profile", "--hooks", "kprobe", NULL };
	char *const *const cases[] = { bad_interval, extra, bad_hooks };
	int out_fd, err_fd;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pid_t pid = start_nstrace(cases[i], &out_fd, &err_fd);
		char *out;

		ASSERT_EQ(wait_exit(&pid, 10), 2, cases[i][2]);
		out = read_all(out_fd);
		ASSERT_STREQ(out, "", "nothing on stdout");
		free(out);
		close(out_fd);
		close(err_fd);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-TO-NSTRACE\n", argv[0]);
		return 2;
	}
	nstrace = argv[1];
	atexit(cleanup);
	/* stdout is a log of progress: keep its order with the children's */
	setvbuf(stdout, NULL, _IOLBF, 0);

	SUBTEST("usage errors exit 2", test_usage());
	if (geteuid()) {
		printf("SKIP: live profiling needs root\n");
		test_skipped += 3;
		return test_summary();
	}
	SUBTEST("storm: counts, durations, intervals", test_storm());
	SUBTEST("duration ends the run with a text total", test_duration_text());
	SUBTEST("SIGTERM exits 0", test_sigterm());
	return test_summary();
}
