// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * nsbench: runs every nsload workload under every tracer configuration and
 * prints one Markdown table of ratios.
 *
 * Usage: nsbench [-r ROUNDS] [-s PERCENT] [-w WORKLOAD,...] NSLOAD NSTRACE BPFTRACE_SCRIPT WORKDIR
 * $NSTRACE, $BT_SCRIPT, $TRACE_FILE and $RECORD_FILE are set for the
 * configurations' command lines.
 * -s scales every workload's count, for a quick look; -w runs only the
 * workloads named; -S leaves out the start-up with 100 and 1,000 containers
 * and 20,000 processes running.
 *
 * The machine is shared and noisy, so nothing is compared across runs of
 * this program: each round runs every configuration once per workload, in
 * an order that rotates from round to round, and each throughput is divided
 * by the no-tracer throughput of the same round and workload.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/bpf.h>

#define MAX_WORKLOADS 16
#define MAX_ROUNDS 32
#define NAME_LEN 64
/* lets a tracer finish what it does right after attaching before the clock starts */
#define SETTLE_MS 100
#define POLL_MS 1
#define QUIET_POLL_MS 20
/* a tracer is done with the workload once it burns less than this per poll */
#define QUIET_CPU_NS 500000ULL
#define QUIET_POLLS 3
#define READY_TIMEOUT_MS 60000
/* other work on the machine can keep a system-wide tracer busy for good */
#define QUIET_TIMEOUT_MS 5000
#define EXIT_TIMEOUT_MS 20000
/* the command name nsload gives everything it makes while timed */
#define WORKLOAD_MARK "nsb-"

/* Targets from the issues this benchmark reports against. */
#define TARGET_REPLAY_EPS 1000000.0
#define TARGET_READY_MS 150.0
#define TARGET_RSS_MIB 20.0

/*
 * One tracer configuration: a command line run by /bin/sh with $NSTRACE,
 * $BT_SCRIPT and $TRACE_FILE set. Its standard output goes to a file too;
 * events are the lines of either file that name the workload's commands.
 */
struct config {
	const char *name;
	const char *cmd; /* NULL: no tracer, the baseline */
	const char *probe; /* exits 0 when the configuration exists; NULL: always */
	const char *ready; /* stderr text once attached; NULL: libbpf perf buffer open */
	const char *only; /* the one workload it applies to; NULL: all */
	bool execs_only; /* sees one event per operation: the exec */
	bool is_nstrace;
	/*
	 * Prints containers, not events: received is the event count of its
	 * JSON summary, which includes whatever else ran on the machine.
	 */
	bool summary_events;
	bool no_events; /* prints histograms: nothing to count */
};

static const struct config configs[] = {
	{ "no tracer", NULL, NULL, NULL, NULL, false, false, false, false },
	{ "nstrace (lifecycle, JSON to file)", "exec \"$NSTRACE\" --json -o \"$TRACE_FILE\"",
	  "grep -q container_create \"$NSTRACE\"", "\"message\":\"ready\"", NULL, false, true, true, false },
	{ "nstrace --events --json", "exec \"$NSTRACE\" --events --json", NULL, "\"message\":\"ready\"",
	  NULL, false, true, false, false },
	/* the last-resort hook set, for what it costs every system call */
	{ "nstrace --hooks sys-exit (lifecycle)", "exec \"$NSTRACE\" --hooks sys-exit --json -o \"$TRACE_FILE\"",
	  "\"$NSTRACE\" --help | grep -q sys-exit", "\"message\":\"ready\"", "syscall", false, true, true, false },
	{ "nstrace profile", "exec \"$NSTRACE\" profile",
	  "\"$NSTRACE\" profile --help 2>&1 | grep -qi profile", "nstrace: ready", NULL, false, true, false, true },
	{ "bpftrace (nsevents.bt)", "__BPFTRACE_NOTIFY_PROBES_ATTACHED=1 exec bpftrace \"$BT_SCRIPT\"",
	  "command -v bpftrace >/dev/null", "__BPFTRACE_NOTIFY_PROBES_ATTACHED", NULL, false, false, false, false },
	{ "execsnoop (libbpf-tools)", "exec /usr/sbin/execsnoop", "test -x /usr/sbin/execsnoop", NULL,
	  "fork-exec", true, false, false, false },
};

#define CONFIG_COUNT (sizeof(configs) / sizeof(configs[0]))

struct workload {
	char name[NAME_LEN];
	unsigned long count;
};

struct sample {
	bool ran;
	bool uncounted; /* the workload cannot say how many events it causes */
	double ops; /* the generator's operations per second */
	unsigned long long generated, received, lost;
	double cpu_ms; /* tracer CPU from ready until quiet */
	double rss_mib;
	double ready_ms;
};

static struct workload workloads[MAX_WORKLOADS];
static size_t workload_count;
static bool available[CONFIG_COUNT];
static struct sample samples[CONFIG_COUNT][MAX_WORKLOADS][MAX_ROUNDS];
static unsigned int rounds = 5;
static unsigned int scale_percent = 100;
static const char *only_workloads; /* -w: comma-separated names; NULL: all */
static bool no_scale; /* -S: leave out the start-up with many containers */
static const char *nsload, *workdir;
static char out_path[4096], err_path[4096], trace_path[4096], record_path[4096];

/* children to kill if we are stopped half-way */
static volatile pid_t tracer_pid, load_pid;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void kill_children(void)
{
	if (tracer_pid > 0)
		kill(tracer_pid, SIGKILL);
	if (load_pid > 0)
		kill(load_pid, SIGKILL);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("nsbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	kill_children();
	exit(1);
}

static void on_signal(int sig)
{
	kill_children();
	signal(sig, SIG_DFL);
	raise(sig);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Child side of a fork: die with us, and take stdout and stderr from files. */
static void child_setup(const char *out, const char *err)
{
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (out) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
			_exit(126);
	}
	if (err) {
		fd = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
			_exit(126);
	}
}

static int shell_status(const char *cmd)
{
	int status = system(cmd);

	return status == -1 || !WIFEXITED(status) ? -1 : WEXITSTATUS(status);
}

static bool selected_workload(const char *name)
{
	size_t len = strlen(name);
	const char *p = only_workloads;

	if (!p)
		return true;
	for (; (p = strstr(p, name)); p += len)
		if ((p == only_workloads || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return true;
	return false;
}

static void load_workloads(void)
{
	char cmd[4200], line[256];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "\"%s\" list", nsload);
	f = popen(cmd, "r");
	if (!f)
		die("running %s: %s", cmd, strerror(errno));
	while (workload_count < MAX_WORKLOADS && fgets(line, sizeof(line), f)) {
		struct workload *w = &workloads[workload_count];

		if (sscanf(line, "%63s %lu", w->name, &w->count) != 2 || !selected_workload(w->name))
			continue;
		w->count = w->count * scale_percent / 100 ?: 1;
		workload_count++;
	}
	if (pclose(f) || !workload_count)
		die("%s listed no workloads", nsload);
}

/* Sum of the on-CPU time of every thread, in ns, from schedstat. */
static unsigned long long task_cpu_ns(pid_t pid)
{
	unsigned long long sum = 0, ns;
	char path[128];
	struct dirent *d;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.20s/schedstat", pid, d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%llu", &ns) == 1)
			sum += ns;
		fclose(f);
	}
	closedir(dir);
	return sum;
}

static bool file_contains(const char *path, const char *text)
{
	char buf[65536];
	bool found = false;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (!found && fgets(buf, sizeof(buf), f))
		found = strstr(buf, text);
	fclose(f);
	return found;
}

/*
 * libbpf's perf buffer opens one perf event per CPU after the tracepoints
 * are attached (one perf event each), so that count means events are read.
 */
static bool perf_buffer_open(pid_t pid, int tracepoints)
{
	char path[128], target[64];
	int perf_fds = 0;
	struct dirent *d;
	DIR *dir;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	if (!dir)
		return false;
	while ((d = readdir(dir))) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%.20s", pid, d->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		perf_fds += !strcmp(target, "anon_inode:[perf_event]");
	}
	closedir(dir);
	return perf_fds >= tracepoints + sysconf(_SC_NPROCESSORS_ONLN);
}

/* execsnoop attaches sys_enter_execve and sys_exit_execve */
#define EXECSNOOP_TRACEPOINTS 2

static pid_t start_tracer(const struct config *c, struct sample *s)
{
	double start = now_ms();
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		child_setup(out_path, err_path);
		execl("/bin/sh", "sh", "-c", c->cmd, (char *)NULL);
		_exit(127);
	}
	tracer_pid = pid;
	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			tracer_pid = 0;
			die("%s exited before it was ready; its stderr is in %s", c->name, err_path);
		}
		if (c->ready ? file_contains(err_path, c->ready) : perf_buffer_open(pid, EXECSNOOP_TRACEPOINTS))
			break;
		if (now_ms() - start > READY_TIMEOUT_MS)
			die("%s not ready after %d ms", c->name, READY_TIMEOUT_MS);
		sleep_ms(POLL_MS);
	}
	s->ready_ms = now_ms() - start;
	sleep_ms(SETTLE_MS);
	return pid;
}

/*
 * Waits until the tracer has caught up with everything the workload caused,
 * or gives up after QUIET_TIMEOUT_MS; SIGINT still drains what is left.
 */
static unsigned long long wait_quiet(pid_t pid)
{
	unsigned long long prev = task_cpu_ns(pid), cur;
	double start = now_ms();
	int quiet = 0;

	while (quiet < QUIET_POLLS && now_ms() - start < QUIET_TIMEOUT_MS) {
		sleep_ms(QUIET_POLL_MS);
		cur = task_cpu_ns(pid);
		quiet = cur - prev < QUIET_CPU_NS ? quiet + 1 : 0;
		prev = cur;
	}
	return prev;
}

static void stop_tracer(pid_t pid, const struct config *c, struct sample *s)
{
	double start = now_ms();
	struct rusage ru;
	int status;
	pid_t got;

	kill(pid, SIGINT);
	while ((got = wait4(pid, &status, WNOHANG, &ru)) == 0) {
		if (now_ms() - start > EXIT_TIMEOUT_MS)
			die("%s did not stop on SIGINT within %d ms", c->name, EXIT_TIMEOUT_MS);
		sleep_ms(POLL_MS);
	}
	tracer_pid = 0;
	if (got != pid)
		die("waiting for %s: %s", c->name, strerror(errno));
	if (!WIFEXITED(status) || (WEXITSTATUS(status) && WEXITSTATUS(status) != 130))
		die("%s failed (status %#x); its stderr is in %s", c->name, status, err_path);
	s->rss_mib = ru.ru_maxrss / 1024.0;
}

static void run_load(const struct workload *w, struct sample *s)
{
	char count[32], line[256], name[NAME_LEN], expected[32];
	unsigned long ops;
	double secs;
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	snprintf(count, sizeof(count), "%lu", w->count);
	if (pipe2(fds, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		child_setup(NULL, NULL);
		dup2(fds[1], STDOUT_FILENO);
		execl(nsload, nsload, w->name, count, (char *)NULL);
		_exit(127);
	}
	load_pid = pid;
	close(fds[1]);
	n = read(fds[0], line, sizeof(line) - 1);
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		die("%s %s failed", nsload, w->name);
	load_pid = 0;
	line[n > 0 ? n : 0] = '\0';
	if (sscanf(line, "%63s %lu %lf %lf %31s", name, &ops, &secs, &s->ops, expected) != 5)
		die("unexpected output from nsload: %s", line);
	s->uncounted = !strcmp(expected, "-");
	s->generated = s->uncounted ? 0 : strtoull(expected, NULL, 10);
}

/* The number after key in line, e.g. "lost": in nstrace's JSON summary. */
static bool number_after(const char *line, const char *key, unsigned long long *value)
{
	const char *p = strstr(line, key);

	if (!p || !isdigit((unsigned char)p[strlen(key)]))
		return false;
	*value = strtoull(p + strlen(key), NULL, 10);
	return true;
}

/*
 * nstrace's JSON summary carries the lost count; bpftrace and libbpf-tools
 * print "Lost N events" lines that add up.
 */
static void count_file(const char *path, const struct config *c, struct sample *s, bool *summary_seen)
{
	static char buf[1 << 16];
	unsigned long long n;
	const char *p;
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f)) {
		/* a container record that names the workload as creator is not an event */
		if (!c->summary_events && strstr(buf, WORKLOAD_MARK) && !strstr(buf, "\"type\":\"container")) {
			s->received++;
		} else if (strstr(buf, "\"type\":\"summary\"") && number_after(buf, "\"lost\":", &n)) {
			s->lost = n;
			*summary_seen = true;
			if (c->summary_events)
				number_after(buf, "\"events\":", &s->received);
		} else if (!*summary_seen && (p = strstr(buf, "Lost ")) && number_after(p, "Lost ", &n)) {
			s->lost += n;
		}
	}
	fclose(f);
}

/* A tracer's ready message must be its own, not one left by the run before. */
static void fresh_outputs(void)
{
	unlink(out_path);
	unlink(err_path);
	unlink(trace_path);
}

static void run_one(const struct config *c, const struct workload *w, struct sample *s)
{
	unsigned long long cpu0 = 0, cpu1;
	bool summary_seen = false;
	pid_t pid = 0;

	fresh_outputs();
	if (c->cmd) {
		pid = start_tracer(c, s);
		cpu0 = task_cpu_ns(pid);
	}
	run_load(w, s);
	if (c->execs_only)
		s->generated = w->count;
	if (c->cmd) {
		cpu1 = wait_quiet(pid);
		s->cpu_ms = (cpu1 - cpu0) / 1e6;
		stop_tracer(pid, c, s);
		count_file(trace_path, c, s, &summary_seen);
		count_file(out_path, c, s, &summary_seen);
		count_file(err_path, c, s, &summary_seen);
	}
	s->ran = true;
}

static const struct workload *find_workload(const char *name);

/* The trace replay runs on: exec records, containers and a namespace storm. */
static const struct config recorder = {
	"nstrace --record", "exec \"$NSTRACE\" --json -o /dev/null --record \"$RECORD_FILE\"",
	"\"$NSTRACE\" replay --help >/dev/null 2>&1", "\"message\":\"ready\"", NULL, false, true, true, false,
};
static const char *const record_workloads[] = { "fork-exec", "clone-pid", "unshare-uts" };

static const struct {
	const char *name;
	const char *cmd;
} replay_modes[] = {
	{ "nstrace replay --json (lifecycle)", "exec \"$NSTRACE\" replay --json -o \"$TRACE_FILE\" \"$RECORD_FILE\"" },
	{ "nstrace replay --events --json", "exec \"$NSTRACE\" replay --events --json -o \"$TRACE_FILE\" \"$RECORD_FILE\"" },
};

#define REPLAY_MODES (sizeof(replay_modes) / sizeof(replay_modes[0]))

static bool replay_available;
static double replay_eps[REPLAY_MODES][MAX_ROUNDS];
static unsigned long long replay_events;

static void record_trace(void)
{
	struct sample s = { 0 };
	pid_t pid;

	bool any = false;

	for (size_t i = 0; i < sizeof(record_workloads) / sizeof(record_workloads[0]); i++)
		any |= find_workload(record_workloads[i]) != NULL;
	/* nothing to record when -w left out every workload the trace is made of */
	replay_available = any && shell_status(recorder.probe) == 0;
	if (!replay_available)
		return;
	pid = start_tracer(&recorder, &s);
	for (size_t i = 0; i < sizeof(record_workloads) / sizeof(record_workloads[0]); i++)
		for (size_t w = 0; w < workload_count; w++)
			if (!strcmp(workloads[w].name, record_workloads[i]))
				run_load(&workloads[w], &s);
	wait_quiet(pid);
	stop_tracer(pid, &recorder, &s);
}

/* Events per second of wall time for one replay of the recorded trace. */
static double replay_once(size_t mode)
{
	struct sample s = { 0 };
	bool summary_seen = false;
	double start;
	int status;
	pid_t pid;

	/*
	 * As before a live run: ext4 flushes a file truncated and written again
	 * when it is closed (auto_da_alloc), which would time the disk's block
	 * allocation of the previous round's output, not the replay.
	 */
	unlink(trace_path);
	start = now_ms();
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		child_setup(out_path, err_path);
		execl("/bin/sh", "sh", "-c", replay_modes[mode].cmd, (char *)NULL);
		_exit(127);
	}
	tracer_pid = pid;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		die("%s failed; its stderr is in %s", replay_modes[mode].name, err_path);
	tracer_pid = 0;
	count_file(trace_path, &recorder, &s, &summary_seen);
	replay_events = s.received;
	return s.received / ((now_ms() - start) / 1000);
}

static bool applies(const struct config *c, const struct workload *w)
{
	return available[c - configs] && (!c->only || !strcmp(c->only, w->name));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct stats {
	double median, min, max;
};

static struct stats summarize(double *v, size_t n)
{
	struct stats st = { NAN, NAN, NAN };

	if (!n)
		return st;
	qsort(v, n, sizeof(*v), cmp_double);
	st.min = v[0];
	st.max = v[n - 1];
	st.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return st;
}

enum metric { M_OPS, M_RATIO, M_CPU_PER_K, M_RSS };

static double metric(size_t c, size_t w, unsigned int r, enum metric m)
{
	const struct sample *s = &samples[c][w][r];

	switch (m) {
	case M_OPS:
		return s->ops;
	case M_RATIO:
		return s->ops / samples[0][w][r].ops;
	case M_CPU_PER_K:
		return s->received ? s->cpu_ms * 1000.0 / s->received : NAN;
	case M_RSS:
		return s->rss_mib;
	}
	return NAN;
}

static struct stats over_rounds(size_t c, size_t w, enum metric m)
{
	double v[MAX_ROUNDS];
	size_t n = 0;

	for (unsigned int r = 0; r < rounds; r++) {
		double x;

		if (!samples[c][w][r].ran)
			continue;
		x = metric(c, w, r, m);
		if (!isnan(x))
			v[n++] = x;
	}
	return summarize(v, n);
}

/* Totals over the rounds of one row. */
struct counts {
	unsigned long long generated, received, lost;
	bool uncounted;
};

static struct counts totals(size_t c, size_t w)
{
	struct counts t = { 0 };

	for (unsigned int r = 0; r < rounds; r++) {
		t.generated += samples[c][w][r].generated;
		t.received += samples[c][w][r].received;
		t.lost += samples[c][w][r].lost;
		t.uncounted |= samples[c][w][r].uncounted;
	}
	return t;
}

/* Worst (highest) statistic of a metric over every workload one config ran. */
static struct stats worst_over_workloads(size_t c, enum metric m)
{
	struct stats worst = { NAN, NAN, NAN }, st;

	for (size_t w = 0; w < workload_count; w++) {
		if (!applies(&configs[c], &workloads[w]))
			continue;
		st = over_rounds(c, w, m);
		if (isnan(worst.median) || st.median > worst.median)
			worst = st;
	}
	return worst;
}

static void print_table(void)
{
	printf("| workload | configuration | ops/s | ratio | ratio range | received / generated | lost | tracer CPU ms / 1k events | peak RSS MiB |\n");
	printf("|---|---|--:|--:|--:|--:|--:|--:|--:|\n");
	for (size_t w = 0; w < workload_count; w++) {
		for (size_t c = 0; c < CONFIG_COUNT; c++) {
			const struct config *cf = &configs[c];
			struct stats ops, ratio, cpu, rss;
			struct counts t;

			if (cf->only && strcmp(cf->only, workloads[w].name))
				continue;
			printf("| %s | %s |", workloads[w].name, cf->name);
			if (!available[c]) {
				printf(" n/a (not available) | | | | | | |\n");
				continue;
			}
			ops = over_rounds(c, w, M_OPS);
			ratio = over_rounds(c, w, M_RATIO);
			printf(" %.0f | %.3f | %.3f–%.3f |", ops.median, ratio.median, ratio.min, ratio.max);
			if (!cf->cmd) {
				printf(" | | | |\n");
				continue;
			}
			t = totals(c, w);
			cpu = over_rounds(c, w, M_CPU_PER_K);
			rss = over_rounds(c, w, M_RSS);
			if (cf->no_events)
				printf(" – | – |");
			else if (t.uncounted)
				printf(" not counted | %llu |", t.lost);
			else
				printf(" %llu / %llu | %llu |", t.received, t.generated, t.lost);
			if (isnan(cpu.median))
				printf(" – |");
			else
				printf(" %.2f |", cpu.median);
			printf(" %.1f |\n", rss.max);
		}
	}
}

/* How far apart the no-tracer runs of one workload were: the noise floor of every ratio. */
static void print_footnote(void)
{
	double worst = 0;
	const char *worst_name = "";

	for (size_t w = 0; w < workload_count; w++) {
		struct stats st = over_rounds(0, w, M_OPS);
		double spread = (st.max - st.min) / st.median;

		if (spread > worst) {
			worst = spread;
			worst_name = workloads[w].name;
		}
	}
	printf("\nratio: the configuration's ops/s over the no-tracer ops/s of the same round, median of %u rounds; "
	       "ratio range: lowest and highest round. Run-to-run spread of the no-tracer ops/s: up to %.1f%% (%s). "
	       "received / generated and lost: totals over the rounds, counting only the workload's own events. "
	       "Tracer CPU: user+sys from ready until the tracer went idle after the workload (at most 5 s later). "
	       "Peak RSS: the tracer's ru_maxrss, highest round.\n",
	       rounds, worst * 100, worst_name);
}

/* Start to ready over every run of one configuration. */
static struct stats ready_stats(size_t c)
{
	double v[MAX_WORKLOADS * MAX_ROUNDS];
	size_t n = 0;

	for (size_t w = 0; w < workload_count; w++)
		for (unsigned int r = 0; r < rounds; r++)
			if (samples[c][w][r].ran)
				v[n++] = samples[c][w][r].ready_ms;
	return summarize(v, n);
}

static void print_ready(void)
{
	printf("\n| tracer | start to ready, ms (median of all runs) | range |\n|---|--:|--:|\n");
	for (size_t c = 1; c < CONFIG_COUNT; c++) {
		struct stats st;

		if (!available[c]) {
			printf("| %s | n/a (not available) | |\n", configs[c].name);
			continue;
		}
		st = ready_stats(c);
		if (isnan(st.median))
			printf("| %s | n/a (no workload of it ran) | |\n", configs[c].name);
		else
			printf("| %s | %.0f | %.0f–%.0f |\n", configs[c].name, st.median, st.min, st.max);
	}
}

static void print_replay(void)
{
	printf("\n| replay of a recorded trace | events | events/s (median) | range |\n|---|--:|--:|--:|\n");
	for (size_t m = 0; m < REPLAY_MODES; m++) {
		struct stats st;

		if (!replay_available) {
			printf("| %s | n/a (not available, or no workload recorded) | | |\n", replay_modes[m].name);
			continue;
		}
		st = summarize(replay_eps[m], rounds);
		printf("| %s | %llu | %.0f | %.0f–%.0f |\n", replay_modes[m].name, replay_events, st.median,
		       st.min, st.max);
	}
}

/*
 * The throughput a workload must keep under nstrace: all of it where
 * nstrace has nothing to do or a container start dwarfs its work, a bit
 * less for process storms, and 0.85 where every operation is an event.
 */
static double target_ratio(const char *workload)
{
	if (!strncmp(workload, "unshare-", 8) || !strncmp(workload, "setns-", 6))
		return 0.85;
	if (!strcmp(workload, "fork-exec") || !strncmp(workload, "clone-", 6))
		return 0.98;
	return 0.99;
}

static const char *verdict(bool held)
{
	return held ? "held" : "MISSED";
}

static void print_targets(void)
{
	printf("\nTargets:\n");
	for (size_t c = 1; c < CONFIG_COUNT; c++) {
		const struct config *cf = &configs[c];
		bool lost_ok = true, ratio_ok = true, rss_ok;
		char missed[512] = "";
		size_t missed_len = 0;
		struct stats ready, rss;

		if (!cf->is_nstrace)
			continue;
		if (!available[c]) {
			printf("- %s: n/a (not available)\n", cf->name);
			continue;
		}
		for (size_t w = 0; w < workload_count; w++) {
			struct counts t = totals(c, w);

			if (!applies(cf, &workloads[w]))
				continue;
			lost_ok &= cf->no_events || (!t.lost && (t.uncounted || (cf->summary_events
								? t.received >= t.generated : t.received == t.generated)));
			double ratio = over_rounds(c, w, M_RATIO).median;

			if (ratio >= target_ratio(workloads[w].name))
				continue;
			ratio_ok = false;
			missed_len += snprintf(missed + missed_len, sizeof(missed) - missed_len, "%s%s %.3f < %.2f",
					       missed_len ? ", " : " (", workloads[w].name, ratio,
					       target_ratio(workloads[w].name));
			if (missed_len >= sizeof(missed))
				missed_len = sizeof(missed) - 1;
		}
		ready = ready_stats(c);
		rss = worst_over_workloads(c, M_RSS);
		rss_ok = rss.max <= TARGET_RSS_MIB;
		if (missed_len && missed_len < sizeof(missed) - 1)
			strcat(missed, ")");
		printf("- %s: throughput ratio (syscall, container- and docker-start, threads >= 0.99; fork-exec, clone-* >= 0.98; "
		       "unshare-*, setns-* >= 0.85): %s%s; zero lost, every event received: %s; "
		       "ready <= %.0f ms: %s (median %.0f ms); peak RSS <= %.0f MiB: %s (%.1f MiB)\n",
		       cf->name, verdict(ratio_ok), missed, verdict(lost_ok), TARGET_READY_MS,
		       verdict(ready.median <= TARGET_READY_MS), ready.median, TARGET_RSS_MIB, verdict(rss_ok),
		       rss.max);
	}
	for (size_t m = 0; m < REPLAY_MODES && replay_available; m++) {
		double eps = summarize(replay_eps[m], rounds).median;

		printf("- %s >= %.0f events/s: %s (%.0f)\n", replay_modes[m].name, TARGET_REPLAY_EPS,
		       verdict(eps >= TARGET_REPLAY_EPS), eps);
	}
	for (size_t c = 1; c < CONFIG_COUNT; c++) {
		if (!configs[c].is_nstrace || !available[c])
			continue;
		for (size_t o = 1; o < CONFIG_COUNT; o++) {
			bool below = true;

			if (configs[o].is_nstrace || !available[o])
				continue;
			for (size_t w = 0; w < workload_count; w++)
				if (applies(&configs[o], &workloads[w]))
					below &= over_rounds(c, w, M_RATIO).median >= over_rounds(o, w, M_RATIO).median;
			printf("- %s overhead below %s's on the same workloads: %s\n", configs[c].name,
			       configs[o].name, verdict(below));
		}
	}
}

/* ---- kernel-side cost per BPF program ---- */

#define MAX_PROGS 32
/* the tracers whose programs are costed, by configuration name, and what they trace meanwhile */
static const char *const costed_configs[] = { "nstrace (lifecycle, JSON to file)", "bpftrace (nsevents.bt)" };
static const char *const cost_workloads[] = { "fork-exec", "clone-pid", "unshare-uts", "setns-uts", "syscall" };

#define COSTED (sizeof(costed_configs) / sizeof(costed_configs[0]))

struct prog_cost {
	unsigned int id;
	char name[NAME_LEN];
	unsigned long long run_ns, runs;
};

static struct prog_cost costs[COSTED][MAX_PROGS];
static size_t cost_count[COSTED];
static bool costed[COSTED];

/* BPF_ENABLE_STATS: run time and count are kept while the returned fd is open. */
static int enable_bpf_stats(void)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.enable_stats.type = BPF_STATS_RUN_TIME;
	return syscall(__NR_bpf, BPF_ENABLE_STATS, &attr, sizeof(attr));
}

static void prog_name(unsigned int id, char *name, size_t size)
{
	char cmd[64], buf[4096], id_name[NAME_LEN];
	const char *p;
	size_t n;
	FILE *f;

	snprintf(name, size, "id %u", id);
	snprintf(cmd, sizeof(cmd), "bpftool prog show id %u --json 2>/dev/null", id);
	f = popen(cmd, "r");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	pclose(f);
	p = strstr(buf, "\"name\":\"");
	if (p && sscanf(p + 8, "%63[^\"]", id_name) == 1)
		snprintf(name, size, "%s", id_name);
}

/* The run time and count of every BPF program the tracer holds open, from /proc/PID/fdinfo. */
static size_t collect_costs(pid_t pid, struct prog_cost *out)
{
	char path[128], target[64], line[256];
	struct dirent *d;
	size_t n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir)) && n < MAX_PROGS) {
		struct prog_cost pc = { 0 };
		bool seen = false;
		ssize_t len;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/fd/%.20s", pid, d->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (strcmp(target, "anon_inode:bpf-prog"))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%.20s", pid, d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "prog_id: %u", &pc.id);
			sscanf(line, "run_time_ns: %llu", &pc.run_ns);
			sscanf(line, "run_cnt: %llu", &pc.runs);
		}
		fclose(f);
		for (size_t i = 0; i < n; i++)
			seen |= out[i].id == pc.id;
		if (seen || !pc.id)
			continue;
		prog_name(pc.id, pc.name, sizeof(pc.name));
		out[n++] = pc;
	}
	closedir(dir);
	return n;
}

static const struct workload *find_workload(const char *name)
{
	for (size_t w = 0; w < workload_count; w++)
		if (!strcmp(workloads[w].name, name))
			return &workloads[w];
	return NULL;
}

static const struct config *find_config(const char *name)
{
	for (size_t c = 0; c < CONFIG_COUNT; c++)
		if (!strcmp(configs[c].name, name) && available[c])
			return &configs[c];
	return NULL;
}

/* One tracer per pass with statistics on, over the workloads that cause each kind of event. */
static void measure_costs(void)
{
	bool any = false;

	for (size_t i = 0; i < sizeof(cost_workloads) / sizeof(cost_workloads[0]); i++)
		any |= find_workload(cost_workloads[i]) != NULL;
	for (size_t k = 0; k < COSTED && any; k++) {
		const struct config *c = find_config(costed_configs[k]);
		struct sample s = { 0 };
		int stats_fd;
		pid_t pid;

		if (!c)
			continue;
		stats_fd = enable_bpf_stats();
		if (stats_fd < 0)
			die("BPF_ENABLE_STATS: %s", strerror(errno));
		fprintf(stderr, "nsbench: BPF program costs of %s\n", c->name);
		fresh_outputs();
		pid = start_tracer(c, &s);
		for (size_t i = 0; i < sizeof(cost_workloads) / sizeof(cost_workloads[0]); i++) {
			const struct workload *w = find_workload(cost_workloads[i]);

			if (w)
				run_load(w, &s);
		}
		wait_quiet(pid);
		cost_count[k] = collect_costs(pid, costs[k]);
		costed[k] = true;
		stop_tracer(pid, c, &s);
		close(stats_fd);
	}
}

static void print_costs(void)
{
	bool any = false;

	for (size_t k = 0; k < COSTED; k++)
		any |= costed[k];
	if (!any)
		return;
	printf("\n| tracer | BPF program | runs | ns per run | total ms |\n|---|---|--:|--:|--:|\n");
	for (size_t k = 0; k < COSTED; k++) {
		if (!costed[k]) {
			printf("| %s | n/a (not available) | | | |\n", costed_configs[k]);
			continue;
		}
		for (size_t i = 0; i < cost_count[k]; i++) {
			const struct prog_cost *pc = &costs[k][i];

			printf("| %s | %s | %llu |", costed_configs[k], pc->name, pc->runs);
			if (pc->runs)
				printf(" %.0f |", (double)pc->run_ns / pc->runs);
			else
				printf(" – |");
			printf(" %.1f |\n", pc->run_ns / 1e6);
		}
	}
	printf("\nBPF program cost: the kernel's run time and run count of each program (BPF_ENABLE_STATS) while "
	       "the tracer ran");
	for (size_t i = 0; i < sizeof(cost_workloads) / sizeof(cost_workloads[0]); i++)
		if (find_workload(cost_workloads[i]))
			printf("%s%s", i ? ", " : " ", cost_workloads[i]);
	printf(" once each, plus whatever else ran on the machine.\n");
}

/* ---- start-up with many containers or processes already running ---- */

static const struct {
	const char *label;
	const char *hold; /* the nsload mode that makes them; NULL: nothing more */
	unsigned long count;
} scales[] = {
	{ "as the machine is", NULL, 0 },
	{ "100 containers", "hold-containers", 100 },
	{ "1,000 containers", "hold-containers", 1000 },
	{ "20,000 processes", "hold-procs", 20000 },
};

#define SCALES (sizeof(scales) / sizeof(scales[0]))

static struct sample scale_samples[SCALES][MAX_ROUNDS];
static bool scale_ran;

/* Starts nsload MODE COUNT and waits for its "ready"; *to_holder ends it when closed. */
static pid_t start_holder(const char *mode, unsigned long n, int *to_holder)
{
	int in[2], out[2];
	char count[32], line[16] = "";
	ssize_t got;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	snprintf(count, sizeof(count), "%lu", n);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		child_setup(NULL, NULL);
		if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0)
			_exit(126);
		execl(nsload, nsload, mode, count, (char *)NULL);
		_exit(127);
	}
	load_pid = pid;
	close(in[0]);
	close(out[1]);
	got = read(out[0], line, sizeof(line) - 1);
	close(out[0]);
	if (got <= 0 || strncmp(line, "ready", 5))
		die("%s %s %lu did not get ready", nsload, mode, n);
	*to_holder = in[1];
	return pid;
}

static void stop_holder(pid_t pid, int to_holder)
{
	close(to_holder);
	waitpid(pid, NULL, 0);
	load_pid = 0;
	/* the inits of its pid namespaces die with it, a little after */
	sleep_ms(500);
}

static void measure_scale(void)
{
	const struct config *c = find_config(costed_configs[0]);
	unsigned int scale_rounds = rounds < 3 ? rounds : 3;

	if (!c)
		return;
	for (size_t i = 0; i < SCALES; i++) {
		int to_holder = -1;
		pid_t holder = 0;

		fprintf(stderr, "nsbench: start-up with %s\n", scales[i].label);
		if (scales[i].hold)
			holder = start_holder(scales[i].hold, scales[i].count, &to_holder);
		for (unsigned int r = 0; r < scale_rounds; r++) {
			struct sample *s = &scale_samples[i][r];
			pid_t pid;

			fresh_outputs();
			pid = start_tracer(c, s);

			stop_tracer(pid, c, s);
			s->ran = true;
		}
		if (holder)
			stop_holder(holder, to_holder);
	}
	scale_ran = true;
}

/* Ready times over the starts of one scale, and the highest peak RSS among them. */
static struct stats scale_stats(size_t i, double *rss)
{
	double ready[MAX_ROUNDS];
	size_t n = 0;

	*rss = 0;
	for (unsigned int r = 0; r < MAX_ROUNDS; r++) {
		if (!scale_samples[i][r].ran)
			continue;
		ready[n++] = scale_samples[i][r].ready_ms;
		if (scale_samples[i][r].rss_mib > *rss)
			*rss = scale_samples[i][r].rss_mib;
	}
	return summarize(ready, n);
}

static void print_scale(void)
{
	if (!scale_ran)
		return;
	printf("\n| %s, started with | start to ready, ms (median) | range | peak RSS MiB (highest) |\n"
	       "|---|--:|--:|--:|\n", costed_configs[0]);
	for (size_t i = 0; i < SCALES; i++) {
		double rss;
		struct stats st = scale_stats(i, &rss);

		printf("| %s | %.0f | %.0f–%.0f | %.1f |\n", scales[i].label, st.median, st.min, st.max, rss);
	}
	printf("\nContainers: each a pid, mount, uts and ipc namespace with an init, made by nsload "
	       "hold-containers; processes: sleeping children of nsload hold-procs.\n");
}

/* The start-up target is set with 1,000 containers running. */
#define SCALE_TARGET 2

static void print_scale_target(void)
{
	double rss;
	struct stats st;

	if (!scale_ran)
		return;
	st = scale_stats(SCALE_TARGET, &rss);
	printf("- with %s running: ready <= %.0f ms: %s (median %.0f ms); peak RSS <= %.0f MiB: %s (%.1f MiB)\n",
	       scales[SCALE_TARGET].label, TARGET_READY_MS, verdict(st.median <= TARGET_READY_MS), st.median,
	       TARGET_RSS_MIB, verdict(rss <= TARGET_RSS_MIB), rss);
}

static void probe_configs(void)
{
	for (size_t c = 0; c < CONFIG_COUNT; c++)
		available[c] = !configs[c].probe || shell_status(configs[c].probe) == 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: nsbench [-r ROUNDS] [-s PERCENT] [-w WORKLOAD,...] [-S] NSLOAD NSTRACE BPFTRACE_SCRIPT WORKDIR\n");
	exit(2);
}

int main(int argc, char **argv)
{
	double start = now_ms();
	int opt;

	while ((opt = getopt(argc, argv, "r:s:w:S")) != -1) {
		switch (opt) {
		case 'r':
			rounds = strtoul(optarg, NULL, 10);
			if (!rounds || rounds > MAX_ROUNDS)
				usage();
			break;
		case 'w':
			only_workloads = optarg;
			break;
		case 'S':
			no_scale = true;
			break;
		case 's':
			scale_percent = strtoul(optarg, NULL, 10);
			if (!scale_percent || scale_percent > 1000)
				usage();
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 4)
		usage();
	nsload = argv[optind];
	workdir = argv[optind + 3];
	setenv("NSTRACE", argv[optind + 1], 1);
	setenv("BT_SCRIPT", argv[optind + 2], 1);
	snprintf(out_path, sizeof(out_path), "%s/stdout", workdir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", workdir);
	snprintf(trace_path, sizeof(trace_path), "%s/trace", workdir);
	setenv("TRACE_FILE", trace_path, 1);
	snprintf(record_path, sizeof(record_path), "%s/trace.rec", workdir);
	setenv("RECORD_FILE", record_path, 1);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	load_workloads();
	probe_configs();

	for (unsigned int r = 0; r < rounds; r++) {
		for (size_t w = 0; w < workload_count; w++) {
			for (size_t i = 0; i < CONFIG_COUNT; i++) {
				size_t c = (i + r) % CONFIG_COUNT;

				if (!applies(&configs[c], &workloads[w]))
					continue;
				fprintf(stderr, "nsbench: round %u/%u %-18s %s\n", r + 1, rounds, workloads[w].name,
					configs[c].name);
				run_one(&configs[c], &workloads[w], &samples[c][w][r]);
			}
		}
	}
	record_trace();
	for (unsigned int r = 0; r < rounds && replay_available; r++)
		for (size_t m = 0; m < REPLAY_MODES; m++)
			replay_eps[m][r] = replay_once(m);
	measure_costs();
	if (!no_scale)
		measure_scale();

	print_table();
	print_footnote();
	print_ready();
	print_replay();
	print_costs();
	print_scale();
	print_targets();
	print_scale_target();
	fprintf(stderr, "nsbench: %u rounds in %.0f s\n", rounds, (now_ms() - start) / 1000);
	return 0;
}
