// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * nstrace-it: runs a real nstrace against real namespace work and checks
 * the event stream against what /proc said while the work was running.
 *
 *   nstrace-it --nstrace PATH --hooks MODE [--only SUBTEST]
 *              [--expect-fentry allowed|refused]
 *
 * Only unshare/nsenter options that util-linux and busybox share are used,
 * so the same driver runs on a distribution and in a busybox guest.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "testing.h"
#include "json_check.h"
#include "nstrace.h"
#include "util.h"

#define NOBODY 65534
#define READY_TIMEOUT_MS 30000
#define STOP_TIMEOUT_MS 3000
#define WORK_TIMEOUT_MS 10000
#define MAX_LEVELS 33
#define MAX_NS 16
#define INIT_EXIT_CODE 7
#define FORK_EXIT_CODE 3
#define FILTER_COMM "nsit-filter"

enum fentry_expectation { FENTRY_UNKNOWN, FENTRY_ALLOWED, FENTRY_REFUSED };

/* The programs that enter namespaces through the 32-bit gate (tests/vm/compat32.c). */
#define MAX_COMPAT 2

static struct {
	const char *nstrace;
	const char *hooks;
	const char *only;
	const char *compat[MAX_COMPAT];
	size_t compat_count;
	enum fentry_expectation fentry;
	bool root;
} opt;

static bool selected(const char *name)
{
	return !opt.only || !strncmp(name, opt.only, strlen(opt.only));
}

/* ---- children: every one is tracked so that no path leaves one behind ---- */

#define MAX_TRACKED 32
static pid_t tracked[MAX_TRACKED];

static void track(pid_t pid)
{
	for (int i = 0; i < MAX_TRACKED; i++)
		if (!tracked[i]) {
			tracked[i] = pid;
			return;
		}
	/* more than the scenarios ever hold at once: a bug here, not in nstrace */
	kill(pid, SIGKILL);
	abort();
}

static void untrack(pid_t pid)
{
	for (int i = 0; i < MAX_TRACKED; i++)
		if (tracked[i] == pid)
			tracked[i] = 0;
}

/*
 * Killing a pid namespace's init takes the whole namespace down with it,
 * so containers are tracked by their init even though it is not our child.
 */
static void kill_tracked(void)
{
	for (int i = 0; i < MAX_TRACKED; i++)
		if (tracked[i]) {
			kill(tracked[i], SIGKILL);
			waitpid(tracked[i], NULL, 0);
			tracked[i] = 0;
		}
}

static void on_fatal_signal(int sig)
{
	kill_tracked();
	signal(sig, SIG_DFL);
	raise(sig);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* 0 with *status, or -ETIMEDOUT with the child still running and tracked. */
static int wait_for(pid_t pid, long timeout_ms, int *status)
{
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid) {
			untrack(pid);
			return 0;
		}
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		sleep_ms(5);
	}
}

/* Waits; a child that overstays is killed, and the status says so. */
static int finish(pid_t pid, long timeout_ms)
{
	int status = -1;

	if (wait_for(pid, timeout_ms, &status) == -ETIMEDOUT) {
		kill(pid, SIGKILL);
		wait_for(pid, timeout_ms, &status);
	}
	return status;
}

static const char *describe_status(int status, char *buf, size_t size)
{
	if (status == -1)
		snprintf(buf, size, "not reaped");
	else if (WIFEXITED(status))
		snprintf(buf, size, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "status %#x", status);
	return buf;
}

static bool expect_exit(int status, int code, const char *what)
{
	char buf[64];

	if (WIFEXITED(status) && WEXITSTATUS(status) == code)
		return true;
	FAIL_AT("%s: %s, expected exit %d", what, describe_status(status, buf, sizeof(buf)), code);
	return false;
}

struct spawn_io {
	int in, out, err; /* -1: inherit */
	bool as_nobody;
};

static pid_t spawn(const char *const argv[], const struct spawn_io *io)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		if ((io->in >= 0 && dup2(io->in, 0) < 0) || (io->out >= 0 && dup2(io->out, 1) < 0) ||
		    (io->err >= 0 && dup2(io->err, 2) < 0))
			_exit(126);
		if (io->as_nobody && (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY)))
			_exit(126);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	track(pid);
	return pid;
}

/* ---- held children: created, then parked until the trace is ready to see them go on ---- */

enum hold_how { HOLD_FORK, HOLD_CLONE, HOLD_CLONE3 };

struct held {
	pid_t pid;
	int release_fd;
};

struct hold_ctx {
	int wait_fd;
	int release_fd;
	int (*fn)(void *);
	void *arg;
};

/*
 * Release is one byte rather than EOF: children forked later inherit the
 * write end, and an EOF would wait for all of them.
 */
static __attribute__((noreturn)) void held_main(const struct hold_ctx *ctx)
{
	char c;

	/* with the write end closed here, the parent's death reads as EOF */
	close(ctx->release_fd);
	if (read(ctx->wait_fd, &c, 1) != 1)
		_exit(125);
	_exit(ctx->fn ? ctx->fn(ctx->arg) : 0);
}

static int hold(struct held *h, enum hold_how how, __u64 ns_flags, int (*fn)(void *), void *arg)
{
	struct clone_args ca = { .flags = ns_flags, .exit_signal = SIGCHLD };
	struct hold_ctx ctx = { .fn = fn, .arg = arg };
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	ctx.wait_fd = fds[0];
	ctx.release_fd = fds[1];
	switch (how) {
	case HOLD_FORK:
		pid = fork();
		break;
	case HOLD_CLONE:
		/* the raw syscall without a new stack: the child goes on like after fork() */
		pid = syscall(SYS_clone, ns_flags | SIGCHLD, NULL, NULL, NULL, 0);
		break;
	default:
		pid = syscall(SYS_clone3, &ca, sizeof(ca));
		break;
	}
	if (!pid)
		held_main(&ctx);
	close(fds[0]);
	if (pid < 0) {
		int err = -errno;

		close(fds[1]);
		return err;
	}
	track(pid);
	h->pid = pid;
	h->release_fd = fds[1];
	return 0;
}

static void release(struct held *h)
{
	if (h->release_fd < 0)
		return;
	if (write(h->release_fd, "go", 1) != 1)
		kill(h->pid, SIGKILL);
	close(h->release_fd);
	h->release_fd = -1;
}

static int release_and_wait(struct held *h)
{
	release(h);
	return finish(h->pid, WORK_TIMEOUT_MS);
}

/* Runs fn in a forked child to its end: its status, or -1 if it never ran. */
static int run_child(int (*fn)(void *), void *arg, pid_t *pid)
{
	struct held h;

	*pid = 0;
	if (hold(&h, HOLD_FORK, 0, fn, arg))
		return -1;
	*pid = h.pid;
	return release_and_wait(&h);
}

/* ---- /proc, read while the processes run ---- */

struct snapshot {
	pid_t pid;
	long long nspid[MAX_LEVELS];
	size_t levels;
	size_t ns_count;
	struct {
		char name[32];
		long long inum;
	} ns[MAX_NS];
};

/* The value of "key:" in /proc/PID/status, or NULL. */
static char *status_field(pid_t pid, const char *key, char *buf, size_t size)
{
	char path[64], line[512];
	size_t klen = strlen(key);
	char *found = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	while (!found && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			snprintf(buf, size, "%s", line + klen + 1);
			found = buf;
		}
	fclose(f);
	return found;
}

static int take_snapshot(pid_t pid, struct snapshot *s)
{
	char buf[512], path[64];
	char *p, *end;
	struct dirent *d;
	DIR *dir;

	memset(s, 0, sizeof(*s));
	s->pid = pid;
	if (!status_field(pid, "NSpid", buf, sizeof(buf)))
		return -ENOENT;
	for (p = buf; s->levels < MAX_LEVELS; p = end) {
		long long v = strtoll(p, &end, 10);

		if (end == p)
			break;
		s->nspid[s->levels++] = v;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns", pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((d = readdir(dir)) && s->ns_count < MAX_NS) {
		char target[64];
		ssize_t n;

		if (d->d_name[0] == '.' || strlen(d->d_name) >= sizeof(s->ns[0].name))
			continue;
		n = readlinkat(dirfd(dir), d->d_name, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		/* "net:[4026531833]" */
		p = strchr(target, '[');
		if (!p)
			continue;
		strcpy(s->ns[s->ns_count].name, d->d_name);
		s->ns[s->ns_count++].inum = strtoll(p + 1, NULL, 10);
	}
	closedir(dir);
	return s->levels && s->ns_count ? 0 : -ENODATA;
}

static long long snapshot_ns(const struct snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->ns_count; i++)
		if (!strcmp(s->ns[i].name, name))
			return s->ns[i].inum;
	return -1;
}

/* The one process whose parent is ppid, found by scanning /proc. */
static pid_t find_child(pid_t ppid)
{
	char buf[64];
	struct dirent *d;
	pid_t found = 0;
	DIR *dir = opendir("/proc");

	if (!dir)
		return 0;
	while (!found && (d = readdir(dir))) {
		pid_t pid;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		pid = atoi(d->d_name);
		if (status_field(pid, "PPid", buf, sizeof(buf)) && atoi(buf) == ppid)
			found = pid;
	}
	closedir(dir);
	return found;
}

/* A mkstemp() template in $TMPDIR or /tmp; -1 if it does not fit. */
static int tmp_template(char *buf, size_t size)
{
	const char *dir = getenv("TMPDIR");
	size_t n = snprintf(buf, size, "%s/nstrace-it.XXXXXX", dir && *dir ? dir : "/tmp");

	return n < size ? 0 : -1;
}

/* ---- the traced nstrace ---- */

struct tracer {
	pid_t pid;
	int err_fd;
	char out_path[256];
	char *err; /* all it wrote on stderr */
	size_t err_len;
	int status;
	char hooks[256]; /* its "hooks: ..." message */
	bool ready;
	size_t errors; /* {"type":"error"} records on stderr */
	json_t *records; /* every output line, parsed */
	size_t lines;
	size_t bad_lines;
};

/* Appends what stderr has within timeout_ms; 0 at EOF, 1 on data, -ETIMEDOUT. */
static int tracer_read_err(struct tracer *t, long timeout_ms)
{
	struct pollfd pfd = { .fd = t->err_fd, .events = POLLIN };
	char chunk[4096];
	ssize_t n;
	char *grown;
	int ready = poll(&pfd, 1, timeout_ms);

	if (ready == 0)
		return -ETIMEDOUT;
	if (ready < 0)
		return errno == EINTR ? 1 : 0;
	n = read(t->err_fd, chunk, sizeof(chunk));
	if (n <= 0)
		return 0;
	grown = realloc(t->err, t->err_len + n + 1);
	if (!grown)
		abort();
	t->err = grown;
	memcpy(t->err + t->err_len, chunk, n);
	t->err_len += n;
	t->err[t->err_len] = '\0';
	return 1;
}

/* Calls fn with each complete diagnostic record nstrace wrote on stderr so far. */
static void each_diag(struct tracer *t, void (*fn)(struct tracer *t, const char *type, const char *msg))
{
	char *line = t->err, *nl;

	while (line && (nl = strchr(line, '\n'))) {
		json_t *o = json_loadb(line, nl - line, 0, NULL);
		const char *msg = json_string_value(json_object_get(o, "message"));
		const char *type = json_string_value(json_object_get(o, "type"));

		if (type && msg)
			fn(t, type, msg);
		json_decref(o);
		line = nl + 1;
	}
}

static void note_diag(struct tracer *t, const char *type, const char *msg)
{
	if (!strcmp(type, "error"))
		t->errors++;
	else if (!strcmp(type, "info") && !strcmp(msg, "ready"))
		t->ready = true;
	else if (!strcmp(type, "info") && !strncmp(msg, "hooks: ", 7))
		snprintf(t->hooks, sizeof(t->hooks), "%s", msg + 7);
}

/* Reads stderr again from the start: {"type":"info","message":"ready"} yet? */
static bool tracer_saw_ready(struct tracer *t)
{
	t->errors = 0;
	t->ready = false;
	each_diag(t, note_diag);
	return t->ready;
}

static void tracer_argv(const char **argv, size_t max, const char *out_path, const char *const *extra)
{
	static const char *const fixed[] = { "--events", "--json", "--hooks" };
	size_t n = 0;

	argv[n++] = opt.nstrace;
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		argv[n++] = fixed[i];
	argv[n++] = opt.hooks;
	argv[n++] = "-o";
	argv[n++] = out_path;
	while (extra && *extra && n < max - 1)
		argv[n++] = *extra++;
	argv[n] = NULL;
}

/* 0 once nstrace said ready; otherwise it has been stopped and t says why. */
static int tracer_start(struct tracer *t, const char *const *extra)
{
	const char *argv[16];
	struct spawn_io io = { .in = -1, .out = -1 };
	long long deadline = now_ms() + READY_TIMEOUT_MS;
	int fds[2], fd;

	memset(t, 0, sizeof(*t));
	t->status = -1;
	t->records = json_array();
	if (tmp_template(t->out_path, sizeof(t->out_path)))
		return -ENAMETOOLONG;
	fd = mkstemp(t->out_path);
	if (fd < 0)
		return -errno;
	close(fd);
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	io.err = fds[1];
	tracer_argv(argv, ARRAY_SIZE(argv), t->out_path, extra);
	t->pid = spawn(argv, &io);
	close(fds[1]);
	t->err_fd = fds[0];
	if (t->pid < 0)
		return -errno;
	while (!tracer_saw_ready(t)) {
		long left = deadline - now_ms();

		if (left <= 0 || tracer_read_err(t, left) <= 0) {
			t->status = finish(t->pid, left > 0 ? STOP_TIMEOUT_MS : 0);
			return -ETIMEDOUT;
		}
	}
	return 0;
}

static void tracer_parse_output(struct tracer *t)
{
	FILE *f = fopen(t->out_path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return;
	while ((n = getline(&line, &cap, f)) > 0) {
		json_error_t err;
		json_t *o = json_loadb(line, n, 0, &err);

		t->lines++;
		if (json_is_object(o)) {
			json_array_append_new(t->records, o);
			continue;
		}
		json_decref(o);
		if (!t->bad_lines++)
			printf("  line %zu is not a JSON object (%s): %s", t->lines, err.text, line);
	}
	free(line);
	fclose(f);
}

/* SIGINT, as a user would stop it; stopped reports whether it ended in time. */
static void tracer_stop(struct tracer *t, bool *stopped)
{
	*stopped = true;
	if (kill(t->pid, SIGINT) || wait_for(t->pid, STOP_TIMEOUT_MS, &t->status)) {
		*stopped = false;
		t->status = finish(t->pid, 0);
	}
	while (tracer_read_err(t, STOP_TIMEOUT_MS) > 0)
		;
	tracer_saw_ready(t);
	tracer_parse_output(t);
}

static void tracer_free(struct tracer *t)
{
	if (t->err_fd > 0)
		close(t->err_fd);
	unlink(t->out_path);
	free(t->err);
	json_decref(t->records);
}

/* ---- looking up events ---- */

static bool is_event(const json_t *o, const char *type)
{
	const char *t = json_string_value(json_object_get(o, "type"));

	return t && (!type || !strcmp(t, type));
}

/* A NULL key matches any record. */
static bool field_is(const json_t *o, const char *key, long long value)
{
	const json_t *v = json_object_get(o, key);

	return !key || (json_is_integer(v) && json_integer_value(v) == value);
}

/* The first event of type (any when NULL) whose integer key equals value. */
static const json_t *find_event(const json_t *records, const char *type, const char *key, long long value)
{
	size_t i;
	const json_t *o;

	json_array_foreach(records, i, o)
		if (is_event(o, type) && field_is(o, key, value))
			return o;
	return NULL;
}

static size_t count_events(const json_t *records, const char *type, const char *key, long long value)
{
	size_t i, n = 0;
	const json_t *o;

	json_array_foreach(records, i, o)
		n += is_event(o, type) && field_is(o, key, value);
	return n;
}

static const json_t *require_event(const json_t *records, const char *type, const char *key,
				   long long value, const char *what)
{
	const json_t *o = find_event(records, type, key, value);

	if (!o)
		FAIL_AT("%s: no %s event with %s %lld", what, type, key, value);
	return o;
}

/* Raw event records; the filters leave lifecycle and summary records alone. */
static bool is_raw_event(const json_t *o)
{
	static const char *const types[] = { "clone", "unshare", "setns", "exec", "exit" };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (is_event(o, types[i]))
			return true;
	return false;
}

/* The event's namespaces are exactly what /proc/PID/ns showed. */
static void expect_ns_equal(const json_t *o, const char *key, const struct snapshot *s, const char *what)
{
	const json_t *ns = json_object_get(o, key);
	const char *name;
	const json_t *v;

	if (!ASSERT_TRUE(json_is_object(ns), what))
		return;
	ASSERT_EQ(json_object_size(ns), s->ns_count, what);
	for (size_t i = 0; i < s->ns_count; i++)
		json_expect_int(ns, s->ns[i].name, s->ns[i].inum, what);
	json_object_foreach((json_t *)ns, name, v)
		if (snapshot_ns(s, name) < 0)
			FAIL_AT("%s: \"%s\" is not in /proc/%d/ns", what, name, s->pid);
}

/* Every namespace in the event's key object matches /proc; returns how many. */
static size_t expect_ns_subset(const json_t *o, const char *key, const struct snapshot *s, const char *what)
{
	const json_t *ns = json_object_get(o, key), *v;
	const char *name;

	if (!ASSERT_TRUE(json_is_object(ns), what))
		return 0;
	json_object_foreach((json_t *)ns, name, v)
		if (!json_is_integer(v) || json_integer_value(v) != snapshot_ns(s, name))
			FAIL_AT("%s: %s.%s is %lld, /proc/%d/ns/%s is %lld", what, key, name,
				(long long)json_integer_value(v), s->pid, name, snapshot_ns(s, name));
	return json_object_size(ns);
}

static void expect_nspid(const json_t *o, const struct snapshot *s, const char *what)
{
	json_expect_ints(o, "nspid", s->nspid, s->levels, what);
}

/* ---- the main scenario set, traced by one nstrace ---- */

struct container {
	const char *error; /* set when the scenario could not run */
	struct snapshot unshare, init, cat;
	int unshare_status;
	pid_t nsenter;
	int nsenter_status;
	pid_t pidfd_setns;
	int pidfd_setns_status;
};

/* A child made with namespace flags, read in /proc before it exits. */
struct ns_child {
	struct snapshot snap;
	int err;
	int status;
};

struct exec_probe {
	char path[NSTRACE_FILENAME_LEN + 1];
	pid_t pid;
	int status;
};

struct execs {
	const char *error;
	char dir[128];
	struct exec_probe fit, cut, long_args;
	char long_arg[NSTRACE_ARGS_LEN + 1];
};

/* One run of a compat32 program: "PID FD_FIRST FD_NEW NEW_UTS_INODE" on its stdout. */
struct compat_run {
	const char *path;
	const char *skip; /* why the kernel could not run it */
	pid_t pid;
	int status;
	int fd_first, fd_new;
	unsigned long long new_uts;
};

/* execs whose credentials nstrace reads: as root, and as a user with no_new_privs */
struct cred_execs {
	const char *error;
	char path[PATH_MAX];
	unsigned long long cap_eff, cap_bnd; /* ours, from /proc/self/status */
	struct exec_probe root, user;
};

struct scenarios {
	struct snapshot self;
	struct compat_run compat[MAX_COMPAT];
	struct execs execs;
	struct cred_execs creds;
	pid_t bad_unshare, killed;
	int bad_unshare_status, killed_status;
	struct container c;
	pid_t bad_setns;
	int bad_setns_fd;
	int bad_setns_status;
	struct ns_child uts_ipc, newpid;
	pid_t tids[2];
};

static const char *const container_script = "cat; exit 7";
static const char *const unshare_argv[] = { "unshare", "-m", "-u", "-i", "-n", "-p", "-f",
					    "--mount-proc", "sh", "-c", container_script, NULL };

static int setns_by_pidfd(void *arg)
{
	pid_t target = *(pid_t *)arg;
	int pidfd = syscall(SYS_pidfd_open, target, 0);

	if (pidfd < 0)
		return 2;
	return setns(pidfd, CLONE_NEWUTS | CLONE_NEWNET) ? 1 : 0;
}

/* Joins the container from outside: nsenter, then setns with a pidfd. */
static void join_container(struct container *c)
{
	char pidbuf[16];
	const char *argv[] = { "nsenter", "-t", pidbuf, "-m", "-u", "-i", "-n", "-p", "true", NULL };
	const struct spawn_io io = { .in = -1, .out = -1, .err = -1 };

	snprintf(pidbuf, sizeof(pidbuf), "%d", c->init.pid);
	c->nsenter = spawn(argv, &io);
	c->nsenter_status = c->nsenter > 0 ? finish(c->nsenter, WORK_TIMEOUT_MS) : -1;
	c->pidfd_setns_status = run_child(setns_by_pidfd, &c->init.pid, &c->pidfd_setns);
}

/* Reads a line the container echoed back, proving cat is running. */
static int await_echo(int fd, const char *want)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[64];
	size_t got = 0;
	long long deadline = now_ms() + WORK_TIMEOUT_MS;

	while (got < strlen(want)) {
		long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return -ETIMEDOUT;
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			return -EPIPE;
		got += n;
	}
	buf[got] = '\0';
	return strcmp(buf, want) ? -EPROTO : 0;
}

/*
 * unshare makes a container whose init is sh; sh runs cat, which echoes
 * a line back once it runs. While both wait on stdin, /proc is read and
 * the container is joined; closing stdin ends cat, and sh exits 7.
 */
static void run_container(struct container *c)
{
	int in[2], out[2];
	struct spawn_io io;
	pid_t unshare_pid;

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
		c->error = "pipe failed";
		return;
	}
	io = (struct spawn_io){ .in = in[0], .out = out[1], .err = -1 };
	unshare_pid = spawn(unshare_argv, &io);
	close(in[0]);
	close(out[1]);
	if (unshare_pid < 0) {
		c->error = "cannot fork unshare";
		goto out;
	}
	if (write(in[1], "ping\n", 5) != 5 || await_echo(out[0], "ping\n")) {
		c->error = "the container's cat never echoed";
		goto out;
	}
	c->init.pid = find_child(unshare_pid);
	if (c->init.pid)
		track(c->init.pid);
	c->cat.pid = c->init.pid ? find_child(c->init.pid) : 0;
	if (!c->cat.pid || take_snapshot(unshare_pid, &c->unshare) || take_snapshot(c->init.pid, &c->init) ||
	    take_snapshot(c->cat.pid, &c->cat)) {
		c->error = "cannot read the container's processes in /proc";
		goto out;
	}
	join_container(c);
out:
	close(in[1]);
	c->unshare_status = unshare_pid > 0 ? finish(unshare_pid, WORK_TIMEOUT_MS) : -1;
	/*
	 * unshare exits after reaping the init; if it had to be killed, the
	 * init may still run, and killing it ends its whole namespace.
	 */
	if (c->init.pid && !WIFEXITED(c->unshare_status))
		kill(c->init.pid, SIGKILL);
	untrack(c->init.pid);
	close(out[0]);
}

static int setns_dev_null(void *arg)
{
	int fd = *(int *)arg;

	/* a regular file is not a namespace: EINVAL, nothing changes */
	return syscall(SYS_setns, fd, 0) == -1 && errno == EINVAL ? 0 : 1;
}

static void run_bad_setns(struct scenarios *s)
{
	s->bad_setns_fd = open("/dev/null", O_RDONLY);
	s->bad_setns_status = -1;
	if (s->bad_setns_fd < 0)
		return;
	s->bad_setns_status = run_child(setns_dev_null, &s->bad_setns_fd, &s->bad_setns);
	close(s->bad_setns_fd);
}

/* Bits outside the namespace and sharing flags make unshare fail with EINVAL. */
#define UNSHARE_BAD_FLAG 0x1

static int unshare_bad_flag(void *arg)
{
	(void)arg;
	return unshare(CLONE_NEWUTS | UNSHARE_BAD_FLAG) == -1 && errno == EINVAL ? 0 : 1;
}

static int die_by_sigkill(void *arg)
{
	(void)arg;
	raise(SIGKILL);
	return 1;
}

/* The first executable name in $PATH, as execvp would find it. */
static int find_in_path(const char *name, char *buf, size_t size)
{
	const char *path = getenv("PATH");
	char *dirs, *dir, *save = NULL;
	int err = -ENOENT;

	dirs = strdup(path ? path : "/bin:/usr/bin");
	for (dir = strtok_r(dirs, ":", &save); dir && err; dir = strtok_r(NULL, ":", &save))
		if ((size_t)snprintf(buf, size, "%s/%s", dir, name) < size && !access(buf, X_OK))
			err = 0;
	free(dirs);
	return err;
}

static int exec_path(void *arg)
{
	execl(arg, "true", (char *)NULL);
	return 127;
}

static int exec_long_arg(void *arg)
{
	execlp("true", "true", (const char *)arg, (char *)NULL);
	return 127;
}

/* A link to true whose whole path is len bytes, in dir. */
static int long_link(const char *dir, const char *target, size_t len, char *path)
{
	size_t n = strlen(dir);

	if (n + 2 > len)
		return -EINVAL;
	memcpy(path, dir, n);
	path[n] = '/';
	memset(path + n + 1, 'x', len - n - 1);
	path[len] = '\0';
	return symlink(target, path) ? -errno : 0;
}

static int exec_as_user(void *arg)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || setgroups(0, NULL) || setgid(1000) || setuid(1000))
		return 126;
	execl(arg, "true", (char *)NULL);
	return 127;
}

static void run_cred_execs(struct cred_execs *x)
{
	char buf[64];

	if (find_in_path("true", x->path, sizeof(x->path)) ||
	    !status_field(getpid(), "CapEff", buf, sizeof(buf)) || sscanf(buf, "%llx", &x->cap_eff) != 1 ||
	    !status_field(getpid(), "CapBnd", buf, sizeof(buf)) || sscanf(buf, "%llx", &x->cap_bnd) != 1) {
		x->error = "no true in $PATH, or no CapEff and CapBnd in /proc/self/status";
		return;
	}
	x->root.status = run_child(exec_path, x->path, &x->root.pid);
	x->user.status = run_child(exec_as_user, x->path, &x->user.pid);
}

/*
 * Names and argv at the edges of their buffers: a path that fits exactly,
 * one a byte too long, and an argument longer than the argv buffer.
 */
static void run_execs(struct execs *x)
{
	char target[PATH_MAX];

	memset(x->long_arg, 'a', sizeof(x->long_arg) - 1);
	if (find_in_path("true", target, sizeof(target)) || tmp_template(x->dir, sizeof(x->dir)) ||
	    !mkdtemp(x->dir)) {
		x->error = "no true in $PATH, or no directory in $TMPDIR or /tmp";
		return;
	}
	if (long_link(x->dir, target, NSTRACE_FILENAME_LEN - 1, x->fit.path) ||
	    long_link(x->dir, target, NSTRACE_FILENAME_LEN, x->cut.path)) {
		x->error = "cannot make the long links";
	} else {
		x->fit.status = run_child(exec_path, x->fit.path, &x->fit.pid);
		x->cut.status = run_child(exec_path, x->cut.path, &x->cut.pid);
		x->long_args.status = run_child(exec_long_arg, x->long_arg, &x->long_args.pid);
	}
	unlink(x->fit.path);
	unlink(x->cut.path);
	rmdir(x->dir);
}

static void run_ns_child(enum hold_how how, __u64 flags, struct ns_child *c)
{
	struct held h;

	c->status = -1;
	c->err = hold(&h, how, flags, NULL, NULL);
	if (c->err)
		return;
	c->err = take_snapshot(h.pid, &c->snap);
	c->status = release_and_wait(&h);
}

static void *thread_main(void *arg)
{
	*(pid_t *)arg = gettid();
	return NULL;
}

static void run_threads(struct scenarios *s)
{
	pthread_t th[ARRAY_SIZE(s->tids)];

	for (size_t i = 0; i < ARRAY_SIZE(th); i++)
		if (pthread_create(&th[i], NULL, thread_main, &s->tids[i]))
			s->tids[i] = -1;
		else
			pthread_join(th[i], NULL);
}

static void run_compat(struct compat_run *c)
{
	const char *argv[] = { c->path, NULL };
	struct spawn_io io = { .in = -1, .out = -1, .err = -1 };
	char out[128] = "";
	int fds[2], pid;
	ssize_t n;

	c->status = -1;
	if (pipe2(fds, O_CLOEXEC))
		return;
	io.out = fds[1];
	pid = spawn(argv, &io);
	close(fds[1]);
	n = pid > 0 ? read(fds[0], out, sizeof(out) - 1) : -1;
	out[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	c->status = pid > 0 ? finish(pid, WORK_TIMEOUT_MS) : -1;
	untrack(pid);
	/* no 32-bit gate: ENOSYS, a fault on int 0x80, or no 32-bit executables at all */
	if ((WIFEXITED(c->status) && (WEXITSTATUS(c->status) == 3 || WEXITSTATUS(c->status) == 127)) ||
	    (WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGSEGV))
		c->skip = "the kernel runs no 32-bit system calls";
	else if (sscanf(out, "%d %d %d %llu", &c->pid, &c->fd_first, &c->fd_new, &c->new_uts) != 4)
		c->pid = 0;
}

static void run_scenarios(struct scenarios *s)
{
	take_snapshot(getpid(), &s->self);
	for (size_t i = 0; i < opt.compat_count; i++) {
		s->compat[i].path = opt.compat[i];
		run_compat(&s->compat[i]);
	}
	run_container(&s->c);
	run_bad_setns(s);
	s->bad_unshare_status = run_child(unshare_bad_flag, NULL, &s->bad_unshare);
	s->killed_status = run_child(die_by_sigkill, NULL, &s->killed);
	run_ns_child(HOLD_CLONE, CLONE_NEWUTS | CLONE_NEWIPC, &s->uts_ipc);
	run_ns_child(HOLD_CLONE3, CLONE_NEWPID, &s->newpid);
	run_threads(s);
	run_execs(&s->execs);
	run_cred_execs(&s->creds);
}

/* ---- checks on one traced run ---- */

struct run {
	struct tracer t;
	struct scenarios s;
	bool stopped;
};

static bool container_ran(const struct container *c)
{
	if (!c->error)
		return true;
	FAIL_AT("the container scenario did not run: %s", c->error);
	return false;
}

static void check_stop(const struct run *r)
{
	ASSERT_TRUE(r->stopped, "nstrace ends within 3 s of SIGINT");
	expect_exit(r->t.status, 0, "nstrace after SIGINT");
}

static void check_json_lines(const struct run *r)
{
	ASSERT_EQ(r->t.bad_lines, 0, "output lines that are not JSON objects");
	ASSERT_TRUE(r->t.lines > 0, "nstrace wrote output");
	ASSERT_EQ(json_array_size(r->t.records), r->t.lines, "parsed records");
}

static void check_summary(const struct run *r)
{
	size_t n = json_array_size(r->t.records), events = 0, i;
	const json_t *last = json_array_get(r->t.records, n - 1), *o;

	json_array_foreach(r->t.records, i, o)
		events += is_raw_event(o);
	if (!ASSERT_TRUE(n && is_event(last, "summary"), "the last record is the summary"))
		return;
	json_expect_int(last, "lost", 0, "summary");
	/* a malformed record from the kernel is reported as an error */
	ASSERT_EQ(r->t.errors, 0, "error records on stderr");
	/* nothing was filtered, so every event the summary counts was printed */
	json_expect_int(last, "events", events, "summary");
	ASSERT_EQ(count_events(r->t.records, "summary", NULL, 0), 1, "summary records");
	ASSERT_EQ(count_events(r->t.records, "lost", NULL, 0), 0, "lost-event reports");
}

static void check_unshare_event(const struct run *r)
{
	static const char *const flags[] = { "NEWNS", "NEWUTS", "NEWIPC", "NEWPID", "NEWNET" };
	static const char *const new_ns[] = { "mnt", "uts", "ipc", "pid_for_children", "net" };
	const struct container *c = &r->s.c;
	const json_t *e;

	if (!container_ran(c))
		return;
	ASSERT_EQ(count_events(r->t.records, "unshare", "pid", c->unshare.pid), 1, "unshare events of unshare");
	e = require_event(r->t.records, "unshare", "pid", c->unshare.pid, "unshare");
	if (!e)
		return;
	json_expect_int(e, "ret", 0, "unshare");
	json_expect_str(e, "comm", "unshare", "unshare");
	json_expect_strings(e, "flags", flags, ARRAY_SIZE(flags), "unshare");
	json_expect_strings(e, "new_ns", new_ns, ARRAY_SIZE(new_ns), "unshare");
	expect_nspid(e, &c->unshare, "unshare's pids");
	expect_ns_equal(e, "ns", &c->unshare, "unshare's namespaces");
	/* the new pid namespace is for the children: the one the init lives in */
	json_expect_int(json_object_get(e, "ns"), "pid_for_children", snapshot_ns(&c->init, "pid"),
			"unshare's pid_for_children is the init's pid namespace");
}

static void check_container_init(const struct run *r)
{
	const struct container *c = &r->s.c;
	const json_t *e;

	if (!container_ran(c))
		return;
	ASSERT_EQ(c->init.levels, 2, "NSpid levels of the init in /proc");
	ASSERT_EQ(c->init.nspid[c->init.levels - 1], 1, "the init's pid inside");
	e = require_event(r->t.records, "clone", "pid", c->init.pid, "init");
	if (e) {
		json_expect_int(e, "ppid", c->unshare.pid, "init's clone");
		json_expect_int(e, "caller_pid", c->unshare.pid, "init's clone");
		json_expect_int(e, "caller_tid", c->unshare.pid, "init's clone");
		json_expect_strings(e, "new_ns", NULL, 0, "a plain fork creates nothing");
		expect_nspid(e, &c->init, "init's clone nspid vs /proc NSpid");
		expect_ns_equal(e, "ns", &c->init, "init's clone namespaces vs /proc/PID/ns");
	}
	e = require_event(r->t.records, "exec", "pid", c->init.pid, "init");
	if (e) {
		expect_nspid(e, &c->init, "init's exec nspid");
		expect_ns_equal(e, "ns", &c->init, "init's exec namespaces");
	}
}

static void check_container_exec(const struct run *r)
{
	static const char *const init_argv[] = { "sh", "-c", "cat; exit 7" };
	static const char *const cat_argv[] = { "cat" };
	const struct container *c = &r->s.c;
	const json_t *e;

	if (!container_ran(c))
		return;
	e = require_event(r->t.records, "exec", "pid", c->unshare.pid, "unshare");
	if (e)
		json_expect_strings(e, "argv", unshare_argv, ARRAY_SIZE(unshare_argv) - 1, "unshare's exec");
	e = require_event(r->t.records, "exec", "pid", c->init.pid, "init");
	if (e)
		json_expect_strings(e, "argv", init_argv, ARRAY_SIZE(init_argv), "init's exec");
	e = require_event(r->t.records, "exec", "pid", c->cat.pid, "cat");
	if (e) {
		json_expect_strings(e, "argv", cat_argv, ARRAY_SIZE(cat_argv), "cat's exec");
		json_expect_bool(e, "argv_truncated", false, "cat's exec");
	}
}

static void check_container_exit(const struct run *r)
{
	const struct container *c = &r->s.c;
	const json_t *e;

	if (!container_ran(c))
		return;
	expect_exit(c->unshare_status, INIT_EXIT_CODE, "unshare passes on the init's status");
	e = require_event(r->t.records, "exit", "pid", c->init.pid, "init");
	if (e) {
		json_expect_bool(e, "reaper", true, "init's exit");
		json_expect_int(e, "exit_code", INIT_EXIT_CODE, "init's exit");
		json_expect_int(e, "signal", 0, "init's exit");
		expect_nspid(e, &c->init, "init's exit nspid");
	}
	e = require_event(r->t.records, "exit", "pid", c->cat.pid, "cat");
	if (e) {
		json_expect_bool(e, "reaper", false, "cat's exit");
		json_expect_int(e, "exit_code", 0, "cat's exit");
	}
	e = require_event(r->t.records, "exit", "pid", c->unshare.pid, "unshare");
	if (e) {
		json_expect_bool(e, "reaper", false, "unshare's exit");
		json_expect_int(e, "exit_code", INIT_EXIT_CODE, "unshare's exit");
	}
}

static void check_container_grandchild(const struct run *r)
{
	const struct container *c = &r->s.c;
	const json_t *e;

	if (!container_ran(c))
		return;
	ASSERT_EQ(c->cat.levels, 2, "NSpid levels of cat in /proc");
	ASSERT_TRUE(c->cat.nspid[1] > 1, "cat is not the init");
	e = require_event(r->t.records, "clone", "pid", c->cat.pid, "cat");
	if (!e)
		return;
	json_expect_int(e, "ppid", c->init.pid, "cat's clone");
	expect_nspid(e, &c->cat, "cat's clone nspid vs /proc NSpid");
	expect_ns_equal(e, "ns", &c->cat, "cat's namespaces");
}

static void check_nsenter_setns(const struct run *r)
{
	static const char *const joined[] = { "mnt", "uts", "ipc", "net", "pid_for_children" };
	const struct container *c = &r->s.c;
	size_t i, setns = 0;
	const json_t *o;

	if (!container_ran(c))
		return;
	expect_exit(c->nsenter_status, 0, "nsenter");
	json_array_foreach(r->t.records, i, o) {
		if (!is_event(o, "setns") || !field_is(o, "pid", c->nsenter))
			continue;
		setns++;
		json_expect_int(o, "ret", 0, "nsenter's setns");
		json_expect_str(o, "comm", "nsenter", "nsenter's setns");
		ASSERT_TRUE(expect_ns_subset(o, "entered", &c->init, "nsenter's setns vs the init's /proc/PID/ns"),
			    "each setns enters something");
	}
	ASSERT_TRUE(setns > 0, "nsenter made setns calls");
	/* together the calls entered every namespace asked for */
	for (size_t k = 0; k < ARRAY_SIZE(joined); k++) {
		bool seen = false;

		json_array_foreach(r->t.records, i, o)
			seen |= is_event(o, "setns") && field_is(o, "pid", c->nsenter) &&
				json_object_get(json_object_get(o, "entered"), joined[k]);
		if (!seen)
			FAIL_AT("nsenter: no setns event entered %s", joined[k]);
	}
}

static void check_nsenter_child(const struct run *r)
{
	static const char *const true_argv[] = { "true" };
	const struct container *c = &r->s.c;
	const json_t *clone, *e;
	json_t *nspid;
	pid_t child;

	if (!container_ran(c))
		return;
	/* -p only changes the namespace of children, so nsenter forks the command */
	clone = require_event(r->t.records, "clone", "ppid", c->nsenter, "nsenter's child");
	if (!clone)
		return;
	child = json_integer_value(json_object_get(clone, "pid"));
	nspid = json_object_get(clone, "nspid");
	ASSERT_EQ(json_array_size(nspid), 2, "nsenter's child has two pid levels");
	ASSERT_EQ(json_integer_value(json_array_get(nspid, 0)), child, "outer pid is the host pid");
	ASSERT_TRUE(json_integer_value(json_array_get(nspid, 1)) > 1, "inner pid is not the init's");
	json_expect_int(json_object_get(clone, "ns"), "pid", snapshot_ns(&c->init, "pid"),
			"nsenter's child is in the container's pid namespace");
	ASSERT_EQ(count_events(r->t.records, "clone", "ppid", c->nsenter), 1, "nsenter forks once");
	e = require_event(r->t.records, "exec", "pid", child, "nsenter's child");
	if (e) {
		json_expect_strings(e, "argv", true_argv, 1, "nsenter's child exec");
		/* all of them: what nsenter left alone, the init shares with the host */
		expect_ns_equal(e, "ns", &c->init, "nsenter's child namespaces vs the init's");
	}
}

static void check_pidfd_setns(const struct run *r)
{
	const struct container *c = &r->s.c;
	const json_t *e, *entered;

	if (!container_ran(c))
		return;
	expect_exit(c->pidfd_setns_status, 0, "setns(pidfd, CLONE_NEWUTS|CLONE_NEWNET)");
	e = require_event(r->t.records, "setns", "pid", c->pidfd_setns, "pidfd setns");
	if (!e)
		return;
	json_expect_int(e, "ret", 0, "pidfd setns");
	json_expect_str(e, "target", "pidfd", "pidfd setns");
	json_expect_int(e, "nstype", CLONE_NEWUTS | CLONE_NEWNET, "pidfd setns");
	entered = json_object_get(e, "entered");
	ASSERT_EQ(json_object_size(entered), 2, "pidfd setns enters two namespaces");
	json_expect_int(entered, "uts", snapshot_ns(&c->init, "uts"), "pidfd setns vs the init's uts");
	json_expect_int(entered, "net", snapshot_ns(&c->init, "net"), "pidfd setns vs the init's net");
}

static void check_bad_setns(const struct run *r)
{
	const json_t *e, *entered;

	expect_exit(r->s.bad_setns_status, 0, "setns on /dev/null fails with EINVAL");
	e = require_event(r->t.records, "setns", "pid", r->s.bad_setns, "failing setns");
	if (!e)
		return;
	json_expect_int(e, "ret", -EINVAL, "failing setns");
	json_expect_int(e, "fd", r->s.bad_setns_fd, "failing setns");
	json_expect_int(e, "nstype", 0, "failing setns");
	json_expect_str(e, "target", "unknown", "failing setns");
	entered = json_object_get(e, "entered");
	ASSERT_TRUE(json_is_object(entered) && !json_object_size(entered), "a failed setns enters nothing");
}

#define GATE_WARNING "namespaces changed with no unshare or setns event"

static bool hooks_are(const struct tracer *t, const char *set);

/*
 * The trampolines and sys_exit see 32-bit calls as events; the
 * per-syscall tracepoints do not, and the change is said on stderr when
 * the task exits in the namespace it entered.
 */
static void check_compat_run(const struct run *r, const struct compat_run *c)
{
	static const char *const flags[] = { "NEWUTS" };
	char needle[64];
	const json_t *e;
	size_t i;

	if (c->skip) {
		printf("compat: %s: not run: %s\n", c->path, c->skip);
		return;
	}
	expect_exit(c->status, 0, c->path);
	if (!c->pid) {
		FAIL_AT("%s printed no PID FD FD INODE line", c->path);
		return;
	}
	if (hooks_are(&r->t, "tracepoint")) {
		snprintf(needle, sizeof(needle), "pid %d (", c->pid);
		if (!r->t.err || !strstr(r->t.err, needle) || !strstr(r->t.err, GATE_WARNING))
			FAIL_AT("%s: no \"%s\" warning naming %s", c->path, GATE_WARNING, needle);
		else
			printf("compat: %s, pid %d: the change was reported at its exit\n", c->path, c->pid);
		return;
	}
	printf("compat: %s, pid %d: checked as events\n", c->path, c->pid);
	e = require_event(r->t.records, "unshare", "pid", c->pid, c->path);
	if (e) {
		json_expect_int(e, "ret", 0, "32-bit unshare");
		json_expect_strings(e, "flags", flags, ARRAY_SIZE(flags), "32-bit unshare");
	}
	ASSERT_EQ(count_events(r->t.records, "setns", "pid", c->pid), 2, "two 32-bit setns events");
	json_array_foreach(r->t.records, i, e) {
		if (!is_event(e, "setns") || !field_is(e, "pid", c->pid))
			continue;
		json_expect_int(e, "ret", 0, "32-bit setns");
		json_expect_int(e, "nstype", CLONE_NEWUTS, "32-bit setns");
		if (field_is(e, "fd", c->fd_new))
			json_expect_int(json_object_get(e, "entered"), "uts", c->new_uts, "32-bit setns into the new uts");
		else
			json_expect_int(e, "fd", c->fd_first, "32-bit setns back to the first uts");
	}
}

static void check_compat(const struct run *r)
{
	if (!opt.compat_count)
		printf("  no --compat program given\n");
	for (size_t i = 0; i < opt.compat_count; i++)
		check_compat_run(r, &r->s.compat[i]);
}

/* Only the 32-bit calls the per-syscall tracepoints cannot see may go unexplained. */
static void check_no_stray_gate_warning(const struct run *r)
{
	const char *p = r->t.err;

	while (p && (p = strstr(p, GATE_WARNING))) {
		const char *line = p;
		bool named = false;
		char needle[64];

		while (line > r->t.err && line[-1] != '\n')
			line--;
		for (size_t i = 0; i < opt.compat_count && hooks_are(&r->t, "tracepoint"); i++) {
			snprintf(needle, sizeof(needle), "pid %d (", r->s.compat[i].pid);
			named |= r->s.compat[i].pid && strstr(line, needle) && strstr(line, needle) < p;
		}
		if (!named)
			FAIL_AT("an unexplained namespace change: %.*s", (int)(strchrnul(p, '\n') - line), line);
		p++;
	}
}

static void check_bad_unshare(const struct run *r)
{
	static const char *const flags[] = { "NEWUTS" };
	const json_t *e;

	expect_exit(r->s.bad_unshare_status, 0, "unshare with an invalid flag fails with EINVAL");
	e = require_event(r->t.records, "unshare", "pid", r->s.bad_unshare, "failed unshare");
	if (!e)
		return;
	json_expect_int(e, "ret", -EINVAL, "failed unshare");
	json_expect_strings(e, "flags", flags, ARRAY_SIZE(flags), "failed unshare");
	json_expect_strings(e, "new_ns", NULL, 0, "a failed unshare creates nothing");
	expect_ns_equal(e, "ns", &r->s.self, "a failed unshare leaves the namespaces");
}

static void check_killed(const struct run *r)
{
	const json_t *e;

	if (!ASSERT_TRUE(WIFSIGNALED(r->s.killed_status) && WTERMSIG(r->s.killed_status) == SIGKILL,
			 "the child died of SIGKILL"))
		return;
	e = require_event(r->t.records, "exit", "pid", r->s.killed, "death by SIGKILL");
	if (!e)
		return;
	json_expect_int(e, "signal", SIGKILL, "death by SIGKILL");
	json_expect_int(e, "exit_code", 0, "death by SIGKILL");
	json_expect_bool(e, "core_dumped", false, "death by SIGKILL");
	json_expect_bool(e, "reaper", false, "death by SIGKILL");
}

/* flags and new_ns as names; the namespaces in new_ns differ from the driver's, the rest not. */
static void check_ns_clone(const struct run *r, const struct ns_child *c, const char *const *flags,
			   size_t nflags, const char *const *new_ns, size_t nnew, const char *what)
{
	const struct snapshot *self = &r->s.self;
	const json_t *e;

	if (c->err) {
		FAIL_AT("%s: could not run or read /proc: %s", what, strerror(-c->err));
		return;
	}
	expect_exit(c->status, 0, what);
	for (size_t i = 0; i < nnew; i++)
		if (snapshot_ns(&c->snap, new_ns[i]) == snapshot_ns(self, new_ns[i]))
			FAIL_AT("%s: /proc shows no new %s namespace", what, new_ns[i]);
	ASSERT_EQ(snapshot_ns(&c->snap, "mnt"), snapshot_ns(self, "mnt"), "the mount namespace stays");
	e = require_event(r->t.records, "clone", "pid", c->snap.pid, what);
	if (!e)
		return;
	json_expect_int(e, "ppid", self->pid, what);
	json_expect_int(e, "caller_pid", self->pid, what);
	json_expect_int(e, "caller_tid", self->pid, what);
	json_expect_strings(e, "flags", flags, nflags, what);
	json_expect_strings(e, "new_ns", new_ns, nnew, what);
	expect_nspid(e, &c->snap, what);
	expect_ns_equal(e, "ns", &c->snap, what);
}

static void check_clone_uts_ipc(const struct run *r)
{
	static const char *const flags[] = { "NEWUTS", "NEWIPC" };
	static const char *const new_ns[] = { "uts", "ipc" };

	check_ns_clone(r, &r->s.uts_ipc, flags, ARRAY_SIZE(flags), new_ns, ARRAY_SIZE(new_ns),
		       "clone(CLONE_NEWUTS|CLONE_NEWIPC)");
}

static void check_clone3_newpid(const struct run *r)
{
	static const char *const flags[] = { "NEWPID" };
	static const char *const new_ns[] = { "pid", "pid_for_children" };
	const struct snapshot *s = &r->s.newpid.snap;

	check_ns_clone(r, &r->s.newpid, flags, ARRAY_SIZE(flags), new_ns, ARRAY_SIZE(new_ns),
		       "clone3(CLONE_NEWPID)");
	ASSERT_TRUE(s->levels >= 2 && s->nspid[s->levels - 1] == 1, "the clone3 child is pid 1 inside");
}

static void check_threads(const struct run *r)
{
	/* the driver's own forks are seen, so the threads' absence means something */
	ASSERT_TRUE(find_event(r->t.records, "clone", "ppid", r->s.self.pid), "clone events of the driver's forks");
	for (size_t i = 0; i < ARRAY_SIZE(r->s.tids); i++) {
		if (!ASSERT_TRUE(r->s.tids[i] > 0, "pthread_create"))
			continue;
		ASSERT_EQ(count_events(r->t.records, NULL, "tid", r->s.tids[i]), 0,
			  "events of a thread that made no namespace");
	}
}

static void check_exec_edges(const struct run *r)
{
	const struct execs *x = &r->s.execs;
	char cut[NSTRACE_FILENAME_LEN];
	const json_t *e, *arg;
	size_t arg_len = NSTRACE_ARGS_LEN - sizeof("true");

	if (x->error) {
		FAIL_AT("%s", x->error);
		return;
	}
	expect_exit(x->fit.status, 0, "exec of a 255-byte path");
	expect_exit(x->cut.status, 0, "exec of a 256-byte path");
	expect_exit(x->long_args.status, 0, "exec with a long argument");
	e = require_event(r->t.records, "exec", "pid", x->fit.pid, "255-byte path");
	if (e) {
		json_expect_str(e, "filename", x->fit.path, "a path that fills the buffer exactly");
		json_expect_bool(e, "filename_truncated", false, "a path that fills the buffer exactly");
	}
	e = require_event(r->t.records, "exec", "pid", x->cut.pid, "256-byte path");
	if (e) {
		memcpy(cut, x->cut.path, sizeof(cut) - 1);
		cut[sizeof(cut) - 1] = '\0';
		json_expect_str(e, "filename", cut, "a path one byte too long");
		json_expect_bool(e, "filename_truncated", true, "a path one byte too long");
	}
	e = require_event(r->t.records, "exec", "pid", x->long_args.pid, "long argument");
	if (!e)
		return;
	json_expect_bool(e, "argv_truncated", true, "an argv past the buffer");
	arg = json_array_get(json_object_get(e, "argv"), 1);
	ASSERT_EQ(json_array_size(json_object_get(e, "argv")), 2, "argv entries");
	ASSERT_STREQ(json_string_value(json_array_get(json_object_get(e, "argv"), 0)), "true", "argv[0]");
	/* the buffer ends inside the argument: what is left of it after "true\0" */
	ASSERT_EQ(json_string_length(arg), arg_len, "the cut argument's length");
	ASSERT_TRUE(!strncmp(json_string_value(arg) ?: "", x->long_arg, arg_len), "the cut argument's bytes");
}

/* A capability set as names: as many as bits in mask, and the two picked bits as the kernel has them. */
static void expect_caps(const json_t *creds, const char *key, unsigned long long mask, const char *what)
{
	const json_t *set = json_object_get(creds, key);
	bool admin = false, audit_read = false;
	size_t i;
	json_t *v;

	ASSERT_EQ(json_array_size(set), __builtin_popcountll(mask), what);
	json_array_foreach(set, i, v) {
		admin |= json_is_string(v) && !strcmp(json_string_value(v), "CAP_SYS_ADMIN");
		audit_read |= json_is_string(v) && !strcmp(json_string_value(v), "CAP_AUDIT_READ");
	}
	/* bit 21 in the low half and bit 37 in the high one: kernel_cap_t was u32[2] before 6.3 */
	ASSERT_EQ(admin, !!(mask & (1ULL << 21)), what);
	ASSERT_EQ(audit_read, !!(mask & (1ULL << 37)), what);
}

static void check_exec_creds(const struct run *r)
{
	const struct cred_execs *x = &r->s.creds;
	const json_t *e, *c;

	if (x->error) {
		FAIL_AT("%s", x->error);
		return;
	}
	expect_exit(x->root.status, 0, "exec as root");
	expect_exit(x->user.status, 0, "exec as uid 1000 with no_new_privs");
	e = require_event(r->t.records, "exec", "pid", x->root.pid, "exec as root");
	c = e ? json_object_get(e, "creds") : NULL;
	if (ASSERT_TRUE(json_is_object(c), "credentials of a root exec")) {
		json_expect_int(c, "uid", 0, "root's uid");
		expect_caps(c, "cap_effective", x->cap_eff, "root's effective set is ours");
		expect_caps(c, "cap_bounding", x->cap_bnd, "root's bounding set is ours");
		json_expect_bool(c, "no_new_privs", false, "root's no_new_privs");
		json_expect_int(json_object_get(c, "userns"), "level", 0, "the host's user namespace");
	}
	e = require_event(r->t.records, "exec", "pid", x->user.pid, "exec as a user");
	c = e ? json_object_get(e, "creds") : NULL;
	if (ASSERT_TRUE(json_is_object(c), "credentials of a user's exec")) {
		json_expect_int(c, "uid", 1000, "uid");
		json_expect_int(c, "euid", 1000, "euid");
		json_expect_int(c, "gid", 1000, "gid");
		json_expect_bool(c, "no_new_privs", true, "no_new_privs");
		expect_caps(c, "cap_effective", 0, "a user holds no capability");
		expect_caps(c, "cap_bounding", x->cap_bnd, "and keeps the bounding set");
	}
}

struct check {
	const char *name;
	void (*fn)(const struct run *r);
};

static const struct check main_checks[] = {
	{ "stop: SIGINT ends nstrace with status 0", check_stop },
	{ "output: every line is a JSON object", check_json_lines },
	{ "summary: present, nothing lost, events counted", check_summary },
	{ "unshare: event names the new namespaces, inodes match /proc", check_unshare_event },
	{ "unshare: the init's nspid and namespaces match /proc", check_container_init },
	{ "unshare: exec argv", check_container_exec },
	{ "unshare: exit codes and the reaper", check_container_exit },
	{ "unshare: grandchild nspid matches /proc", check_container_grandchild },
	{ "nsenter: setns events enter the target's namespaces", check_nsenter_setns },
	{ "nsenter: the command is forked into the pid namespace", check_nsenter_child },
	{ "setns: pidfd with a mask", check_pidfd_setns },
	{ "setns: failure enters nothing", check_bad_setns },
	{ "unshare: failure creates nothing", check_bad_unshare },
	{ "exit: death by a signal", check_killed },
	{ "clone: CLONE_NEWUTS|CLONE_NEWIPC", check_clone_uts_ipc },
	{ "clone3: CLONE_NEWPID", check_clone3_newpid },
	{ "threads: no clone events", check_threads },
	{ "exec: names and argv at the edges of their buffers", check_exec_edges },
	{ "compat: 32-bit unshare and setns are seen", check_compat },
	{ "compat: no other namespace change goes unexplained", check_no_stray_gate_warning },
	{ "exec: credentials as the kernel holds them", check_exec_creds },
};

static void print_stderr_of(const struct tracer *t)
{
	char buf[64];

	printf("  nstrace (%s) wrote on stderr:\n%s", describe_status(t->status, buf, sizeof(buf)),
	       t->err ? t->err : "(nothing)\n");
}

/* Runs each selected check, or says why none can run. */
static void run_checks(const struct check *checks, size_t n, const struct run *r, const char *not_run)
{
	for (size_t i = 0; i < n; i++) {
		if (!selected(checks[i].name))
			continue;
		if (not_run)
			SUBTEST(checks[i].name, FAIL_AT("%s", not_run));
		else
			SUBTEST(checks[i].name, checks[i].fn(r));
	}
}

static bool any_selected(const struct check *checks, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (selected(checks[i].name))
			return true;
	return false;
}

static void skip_checks(const struct check *checks, size_t n, const char *why)
{
	for (size_t i = 0; i < n; i++)
		if (selected(checks[i].name))
			SKIP(checks[i].name, why);
}

/* The hook set an nstrace said it chose: "fentry ...", "tracepoint ..." or "sys-exit ...". */
static bool hooks_are(const struct tracer *t, const char *set)
{
	return !strncmp(t->hooks, set, strlen(set)) && t->hooks[strlen(set)] == ' ';
}

static void check_auto_hooks(const struct tracer *t)
{
	if (opt.fentry == FENTRY_UNKNOWN)
		ASSERT_TRUE(hooks_are(t, "fentry") || hooks_are(t, "tracepoint"), t->hooks);
	else
		ASSERT_TRUE(hooks_are(t, opt.fentry == FENTRY_ALLOWED ? "fentry" : "tracepoint"), t->hooks);
}

static void check_forced_set_ran(const struct tracer *t)
{
	if (!strcmp(opt.hooks, "fentry"))
		ASSERT_TRUE(opt.fentry != FENTRY_REFUSED, "fentry was expected to be refused");
	ASSERT_TRUE(hooks_are(t, opt.hooks), t->hooks);
}

static void main_session(void)
{
	struct run r = { 0 };
	const char *not_run = NULL;

	if (!any_selected(main_checks, ARRAY_SIZE(main_checks)))
		return;
	if (!opt.root) {
		skip_checks(main_checks, ARRAY_SIZE(main_checks), "needs root");
		return;
	}
	if (tracer_start(&r.t, NULL)) {
		print_stderr_of(&r.t);
		not_run = "nstrace did not become ready";
	} else {
		printf("nstrace ready, hooks: %s\n", r.t.hooks);
		run_scenarios(&r.s);
		tracer_stop(&r.t, &r.stopped);
		if (!r.stopped || r.t.status)
			print_stderr_of(&r.t);
	}
	run_checks(main_checks, ARRAY_SIZE(main_checks), &r, not_run);
	if (!not_run && !strcmp(opt.hooks, "auto") && selected("hooks: auto")) {
		SUBTEST("hooks: auto picks the set the kernel allows", check_auto_hooks(&r.t));
		/* auto fell back because fentry was refused: forcing fentry must fail the same way */
		if (opt.fentry == FENTRY_UNKNOWN)
			opt.fentry = hooks_are(&r.t, "tracepoint") ? FENTRY_REFUSED : FENTRY_ALLOWED;
	}
	if (!not_run && strcmp(opt.hooks, "auto") && selected("hooks: the forced set runs"))
		SUBTEST("hooks: the forced set runs", check_forced_set_ran(&r.t));
	tracer_free(&r.t);
}

/* ---- filters ---- */

static int unshare_uts(void *arg)
{
	(void)arg;
	return unshare(CLONE_NEWUTS) ? 1 : 0;
}

/* Renames itself, unshares, forks a child that exits FORK_EXIT_CODE. */
static int renamed_worker(void *arg)
{
	pid_t child;
	int status;

	(void)arg;
	if (prctl(PR_SET_NAME, FILTER_COMM) || unshare(CLONE_NEWUTS))
		return 1;
	child = fork();
	if (!child)
		_exit(FORK_EXIT_CODE);
	if (child < 0 || waitpid(child, &status, 0) != child)
		return 1;
	return WIFEXITED(status) && WEXITSTATUS(status) == FORK_EXIT_CODE ? 0 : 1;
}

/* Unshares, forks a child that execs true. */
static int parent_worker(void *arg)
{
	pid_t child;
	int status;

	(void)arg;
	if (unshare(CLONE_NEWUTS))
		return 1;
	child = fork();
	if (!child) {
		execlp("true", "true", (char *)NULL);
		_exit(127);
	}
	if (child < 0 || waitpid(child, &status, 0) != child)
		return 1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 1;
}

/*
 * One traced run with a filter: the subject is held until nstrace is
 * ready, and a bystander doing the same namespace work runs alongside.
 */
struct filter_run {
	struct tracer t;
	struct held subject, bystander;
	int subject_status, bystander_status;
	bool stopped, ready;
};

static int filter_session(struct filter_run *f, int (*subject_fn)(void *), const char *flag,
			  const char *value)
{
	char pidbuf[16];
	const char *extra[] = { flag, value ? value : pidbuf, NULL };

	memset(f, 0, sizeof(*f));
	if (hold(&f->subject, HOLD_FORK, 0, subject_fn, NULL))
		return -1;
	snprintf(pidbuf, sizeof(pidbuf), "%d", f->subject.pid);
	f->ready = !tracer_start(&f->t, extra);
	if (!f->ready) {
		print_stderr_of(&f->t);
		f->subject_status = release_and_wait(&f->subject);
		return -1;
	}
	f->subject_status = release_and_wait(&f->subject);
	if (!hold(&f->bystander, HOLD_FORK, 0, unshare_uts, NULL))
		f->bystander_status = release_and_wait(&f->bystander);
	tracer_stop(&f->t, &f->stopped);
	return 0;
}

static void expect_clean_filtered_run(const struct filter_run *f)
{
	const json_t *last = json_array_get(f->t.records, json_array_size(f->t.records) - 1);

	ASSERT_TRUE(f->stopped, "nstrace ends within 3 s of SIGINT");
	expect_exit(f->t.status, 0, "nstrace after SIGINT");
	ASSERT_EQ(f->t.bad_lines, 0, "output lines that are not JSON objects");
	if (ASSERT_TRUE(is_event(last, "summary"), "the last record is the summary"))
		json_expect_int(last, "lost", 0, "summary");
	expect_exit(f->subject_status, 0, "the subject's work");
	expect_exit(f->bystander_status, 0, "the bystander's work");
	ASSERT_EQ(count_events(f->t.records, NULL, "pid", f->bystander.pid), 0, "events of the bystander");
}

static void check_comm_filter(const struct filter_run *f)
{
	const json_t *o, *child, *e;
	size_t i;

	expect_clean_filtered_run(f);
	json_array_foreach(f->t.records, i, o)
		if (is_raw_event(o))
			json_expect_str(o, "comm", FILTER_COMM, "every record passed the filter");
	require_event(f->t.records, "unshare", "pid", f->subject.pid, "--comm");
	require_event(f->t.records, "exit", "pid", f->subject.pid, "--comm");
	child = require_event(f->t.records, "clone", "ppid", f->subject.pid, "--comm");
	if (!child)
		return;
	e = require_event(f->t.records, "exit", "pid", json_integer_value(json_object_get(child, "pid")),
			  "--comm");
	if (e)
		json_expect_int(e, "exit_code", FORK_EXIT_CODE, "the renamed child's exit");
}

static void check_pid_filter(const struct filter_run *f)
{
	static const char *const true_argv[] = { "true" };
	const json_t *o, *child, *e;
	size_t i;

	expect_clean_filtered_run(f);
	json_array_foreach(f->t.records, i, o)
		if (is_raw_event(o) && !field_is(o, "pid", f->subject.pid) &&
		    !field_is(o, "ppid", f->subject.pid))
			FAIL_AT("an event of pid %lld, ppid %lld passed -p %d",
				(long long)json_integer_value(json_object_get(o, "pid")),
				(long long)json_integer_value(json_object_get(o, "ppid")), f->subject.pid);
	require_event(f->t.records, "unshare", "pid", f->subject.pid, "-p");
	require_event(f->t.records, "exit", "pid", f->subject.pid, "-p");
	child = require_event(f->t.records, "clone", "ppid", f->subject.pid, "-p");
	if (!child)
		return;
	e = require_event(f->t.records, "exec", "pid", json_integer_value(json_object_get(child, "pid")), "-p");
	if (e)
		json_expect_strings(e, "argv", true_argv, 1, "the child's exec");
}

static void check_filter_run(const struct filter_run *f, void (*check)(const struct filter_run *f))
{
	if (f->ready)
		check(f);
	else
		FAIL_AT("%s", "nstrace did not become ready");
}

static void filters(void)
{
	static const char *const names[] = { "filter: --comm", "filter: -p" };
	struct filter_run f;

	if (!selected(names[0]) && !selected(names[1]))
		return;
	if (!opt.root) {
		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			if (selected(names[i]))
				SKIP(names[i], "needs root");
		return;
	}
	if (selected(names[0])) {
		filter_session(&f, renamed_worker, "--comm", FILTER_COMM);
		SUBTEST(names[0], check_filter_run(&f, check_comm_filter));
		tracer_free(&f.t);
	}
	if (selected(names[1])) {
		filter_session(&f, parent_worker, "-p", NULL);
		SUBTEST(names[1], check_filter_run(&f, check_pid_filter));
		tracer_free(&f.t);
	}
}

/* ---- the command line: errors that must be clear and final ---- */

/* Runs nstrace with args to its end; returns its stderr (caller frees) and *status. */
static char *run_nstrace(const char *const *args, bool as_nobody, int *status)
{
	const char *argv[16] = { opt.nstrace };
	struct spawn_io io = { .in = -1, .out = -1, .as_nobody = as_nobody };
	struct tracer t = { 0 };
	int fds[2];
	size_t n = 1;
	pid_t pid;

	while (*args && n < ARRAY_SIZE(argv) - 1)
		argv[n++] = *args++;
	*status = -1;
	if (pipe2(fds, O_CLOEXEC))
		return strdup("");
	io.err = fds[1];
	pid = spawn(argv, &io);
	close(fds[1]);
	t.err_fd = fds[0];
	while (pid > 0 && tracer_read_err(&t, WORK_TIMEOUT_MS) > 0)
		;
	close(fds[0]);
	if (pid > 0)
		*status = finish(pid, WORK_TIMEOUT_MS);
	return t.err ? t.err : strdup("");
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void expect_failure(const char *const *args, bool as_nobody, int code, const char *message)
{
	int status;
	char *err = run_nstrace(args, as_nobody, &status);

	expect_exit(status, code, message);
	if (!strstr(err, message))
		FAIL_AT("stderr lacks \"%s\": %s", message, err);
	if (code == 1)
		ASSERT_EQ(count_lines(err), 1, "a runtime error is one line");
	free(err);
}

static void check_usage_hooks(void)
{
	static const char *const args[] = { "--events", "--hooks", "bogus", NULL };

	expect_failure(args, false, 2, "--hooks takes auto, fentry, tracepoint or sys-exit, not 'bogus'");
}

static void check_usage_pid(void)
{
	static const char *const args[] = { "--events", "-p", "abc", NULL };

	expect_failure(args, false, 2, "-p takes a process id, not 'abc'");
}

static void check_usage_extra(void)
{
	static const char *const args[] = { "--events", "extra", NULL };

	expect_failure(args, false, 2, "unexpected argument 'extra'");
}

/* With --json, wherever it stands, a usage error is one JSON error record naming the problem. */
static void expect_json_usage_error(const char *const *args, const char *message)
{
	json_error_t jerr;
	int status;
	char *err = run_nstrace(args, false, &status);
	json_t *o = json_loads(err, 0, &jerr);
	const char *text = json_string_value(json_object_get(o, "message"));

	expect_exit(status, 2, message);
	ASSERT_EQ(count_lines(err), 1, "a usage error is one line");
	if (!o)
		FAIL_AT("stderr is not one JSON record (%s): %s", jerr.text, err);
	else if (!json_is_string(json_object_get(o, "type")) ||
		 strcmp(json_string_value(json_object_get(o, "type")), "error"))
		FAIL_AT("the record is not of type error: %s", err);
	else if (!text || !strstr(text, message))
		FAIL_AT("the message lacks \"%s\": %s", message, err);
	json_decref(o);
	free(err);
}

static void check_usage_json(void)
{
	static const char *const after[] = { "--json", "--hooks", "bogus", NULL };
	static const char *const before[] = { "-d", "abc", "--json", NULL };
	static const char *const unknown[] = { "--json", "--bogus", NULL };
	static const char *const replay[] = { "replay", "--json", NULL };

	expect_json_usage_error(after, "--hooks takes auto, fentry, tracepoint or sys-exit, not 'bogus'");
	expect_json_usage_error(before, "-d takes a positive number of seconds, not 'abc'");
	expect_json_usage_error(unknown, "unknown option");
	expect_json_usage_error(replay, "replay needs the FILE written by --record");
}

static void check_nobody(void)
{
	static const char *const args[] = { "--events", NULL };

	/* root drops to nobody; anyone else already lacks the capabilities */
	expect_failure(args, opt.root, 1, "CAP_BPF");
}

static void check_bad_output(void)
{
	static const char *const args[] = { "--events", "-o", "/nonexistent/dir/x", NULL };

	expect_failure(args, false, 1, "/nonexistent/dir/x: No such file or directory");
}

static void check_fentry_refused(const char *err, int status)
{
	expect_exit(status, 1, "nstrace --hooks fentry");
	if (!err || !strstr(err, "cannot use fentry hooks: fentry/fexit refused by the kernel"))
		FAIL_AT("stderr lacks the refusal: %s", err ? err : "(nothing)");
}

/* With fentry refused, forcing it must fail at once and say why; allowed, it must run. */
static void check_forced_fentry(void)
{
	static const char *const args[] = { "--events", "--hooks", "fentry", "-d", "1", NULL };
	int status;
	char *err = run_nstrace(args, false, &status);

	if (opt.fentry == FENTRY_REFUSED) {
		check_fentry_refused(err, status);
		ASSERT_EQ(count_lines(err), 1, "the refusal is one line");
	} else {
		expect_exit(status, 0, "nstrace --hooks fentry -d 1");
		if (!strstr(err, "hooks: fentry"))
			FAIL_AT("fentry was expected to be used: %s", err);
	}
	free(err);
}

static void cli_checks(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
		bool root;
	} checks[] = {
		{ "usage: --hooks bogus exits 2", check_usage_hooks, false },
		{ "usage: -p abc exits 2", check_usage_pid, false },
		{ "usage: an extra argument exits 2", check_usage_extra, false },
		{ "usage: errors are JSON records with --json", check_usage_json, false },
		{ "privilege: nobody exits 1 naming CAP_BPF", check_nobody, false },
		{ "output: an unwritable -o exits 1", check_bad_output, false },
		{ "hooks: forced fentry as the kernel allows", check_forced_fentry, true },
	};

	for (size_t i = 0; i < ARRAY_SIZE(checks); i++) {
		if (!selected(checks[i].name))
			continue;
		/* needs an expectation; a --hooks fentry run that traced has shown it */
		if (checks[i].fn == check_forced_fentry &&
		    (opt.fentry == FENTRY_UNKNOWN || (!strcmp(opt.hooks, "fentry") && opt.fentry == FENTRY_ALLOWED)))
			continue;
		if (checks[i].root && !opt.root)
			SKIP(checks[i].name, "needs root");
		else
			SUBTEST(checks[i].name, checks[i].fn());
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: nstrace-it --nstrace PATH --hooks auto|fentry|tracepoint|sys-exit [--only SUBTEST]\n"
			"                  [--expect-fentry allowed|refused] [--compat PROGRAM]...\n");
	exit(2);
}

static void parse_options(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "nstrace", required_argument, NULL, 'n' },
		{ "hooks", required_argument, NULL, 'H' },
		{ "only", required_argument, NULL, 'o' },
		{ "expect-fentry", required_argument, NULL, 'f' },
		{ "compat", required_argument, NULL, 'c' },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			opt.nstrace = optarg;
			break;
		case 'H':
			opt.hooks = optarg;
			break;
		case 'o':
			opt.only = optarg;
			break;
		case 'c':
			if (opt.compat_count == MAX_COMPAT)
				usage();
			opt.compat[opt.compat_count++] = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "allowed"))
				opt.fentry = FENTRY_ALLOWED;
			else if (!strcmp(optarg, "refused"))
				opt.fentry = FENTRY_REFUSED;
			else
				usage();
			break;
		default:
			usage();
		}
	}
	if (!opt.nstrace || !opt.hooks || optind != argc)
		usage();
	if (strcmp(opt.hooks, "auto") && strcmp(opt.hooks, "fentry") && strcmp(opt.hooks, "tracepoint") &&
	    strcmp(opt.hooks, "sys-exit"))
		usage();
}

int main(int argc, char **argv)
{
	static const int fatal[] = { SIGINT, SIGTERM, SIGHUP, SIGABRT, SIGSEGV };

	parse_options(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	opt.root = geteuid() == 0;
	for (size_t i = 0; i < ARRAY_SIZE(fatal); i++)
		signal(fatal[i], on_fatal_signal);
	atexit(kill_tracked);

	printf("nstrace-it: %s, --hooks %s\n", opt.nstrace, opt.hooks);
	/* with fentry refused, a --hooks fentry run can only check the refusal */
	if (strcmp(opt.hooks, "fentry") || opt.fentry != FENTRY_REFUSED) {
		main_session();
		filters();
	}
	cli_checks();
	return test_summary();
}
