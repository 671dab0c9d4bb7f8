// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The metrics output: what a session's records add up to in the text
 * exposition format, the gauges of containers alive and incomplete, and
 * the --metrics ADDR:PORT parser.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include "lctrace.h"
#include "metrics.h"
#include "session.h"
#include "testing.h"

static const struct task runtime_parent = { .pid = 100, .ppid = 1, .comm = "bash" };

/* The value of one sample ("name{labels}") in the exposition text; -1 when absent. */
static double sample(const char *text, const char *series)
{
	size_t len = strlen(series);

	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (!strncmp(line, series, len) && line[len] == ' ')
			return strtod(line + len + 1, NULL);
	return -1;
}

static char *exposition(struct metrics *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f || metrics_write(m, f))
		FAIL_AT("%s", "metrics_write failed");
	if (f)
		fclose(f);
	return text;
}

static int event(struct session *s)
{
	return session_event(s, &ev);
}

/* args: NUL-separated, len bytes with the last NUL */
static int exec_of(struct session *s, const struct task *t, const char *filename, const char *args, size_t len)
{
	start_record(NSTRACE_EVENT_EXEC, t);
	ev.exec.old_tid = ev.hdr.tid;
	snprintf(ev.exec.filename, sizeof(ev.exec.filename), "%s", filename);
	set_args(&ev.exec, args, len);
	return event(s);
}

/*
 * unshare -fp --mount-proc sh -c CMD, entered once by nsenter, whose pid 1
 * exits with code; with lose, events are lost while it runs. base numbers
 * its namespaces, pid its processes.
 */
static int unshare_container(struct session *s, __u32 base, __u32 pid, int code, bool lose)
{
	struct nstrace_ns_set h = host_ns(), inner = container_ns(base);
	struct task un = { .pid = pid, .ppid = runtime_parent.pid, .comm = "unshare", .ns = h };
	struct task init = { .pid = pid + 1, .ppid = pid, .comm = "unshare", .levels = 2, .nspid = { 0, 1 }, .ns = inner };
	struct task enter = { .pid = pid + 2, .ppid = runtime_parent.pid, .comm = "nsenter", .ns = h };
	int err = exec_of(s, &un, "/usr/bin/unshare", "unshare\0-fp\0sh", 15);

	un.ns = creator_ns(base, &h);
	start_record(NSTRACE_EVENT_UNSHARE, &un);
	ev.unshare.flags = UNSHARE_FLAGS;
	err = err ?: event(s);
	start_record(NSTRACE_EVENT_CLONE, &init);
	ev.clone.caller_pid = un.pid;
	ev.clone.caller_tid = un.pid;
	err = err ?: event(s);
	err = err ?: exec_of(s, &init, "/bin/sh", "sh", 3);
	if (lose)
		err = err ?: session_lost(s, 10, 10);
	/* nsenter -m -p: the mount namespace, then the pid namespace of its children; it forks */
	enter.ns.inum[NSTRACE_NS_MNT] = inner.inum[NSTRACE_NS_MNT];
	start_record(NSTRACE_EVENT_SETNS, &enter);
	ev.setns.fd = 3;
	ev.setns.nstype = NSTRACE_CLONE_NEWNS;
	ev.setns.target = NSTRACE_SETNS_TARGET_NSFS;
	ev.setns.target_inum = inner.inum[NSTRACE_NS_MNT];
	err = err ?: event(s);
	enter.ns.inum[NSTRACE_NS_PID_FOR_CHILDREN] = inner.inum[NSTRACE_NS_PID];
	start_record(NSTRACE_EVENT_SETNS, &enter);
	ev.setns.fd = 4;
	ev.setns.nstype = NSTRACE_CLONE_NEWPID;
	ev.setns.target = NSTRACE_SETNS_TARGET_NSFS;
	ev.setns.target_inum = inner.inum[NSTRACE_NS_PID];
	err = err ?: event(s);
	{
		struct task child = { .pid = pid + 3, .ppid = enter.pid, .comm = "nsenter", .levels = 2,
				      .nspid = { 0, 2 }, .ns = inner };

		start_record(NSTRACE_EVENT_CLONE, &child);
		ev.clone.caller_pid = enter.pid;
		ev.clone.caller_tid = enter.pid;
		err = err ?: event(s);
		err = err ?: exec_of(s, &child, "/bin/true", "true", 5);
		start_record(NSTRACE_EVENT_EXIT, &child);
		err = err ?: event(s);
	}
	start_record(NSTRACE_EVENT_EXIT, &init);
	ev.exit.exit_code = (__u32)code << 8;
	ev.exit.reaper = 1;
	return err ?: event(s);
}

struct run {
	struct metrics *m;
	struct session *s;
};

static bool run_start(struct run *r)
{
	r->m = metrics_new("9.9");
	r->s = session_new(NULL);
	if (!ASSERT_TRUE(r->m && r->s, "metrics and session"))
		return false;
	return ASSERT_EQ(session_add_output(r->s, metrics_output_new(r->m, NULL)), 0, "metrics output") &&
	       ASSERT_EQ(session_snapshot_done(r->s, 0), 0, "snapshot");
}

static void run_end(struct run *r)
{
	session_free(r->s);
	metrics_free(r->m);
}

static void counts_add_up(void)
{
	struct run r;
	char *text;

	if (!run_start(&r))
		return;
	ASSERT_EQ(unshare_container(r.s, C1, 200, 3, false), 0, "first container");
	ASSERT_EQ(unshare_container(r.s, C2, 300, 0, false), 0, "second container");
	metrics_set_hooks(r.m, "tracepoint");
	text = exposition(r.m);
	ASSERT_EQ(sample(text, "nstrace_build_info{version=\"9.9\",hooks=\"tracepoint\"}"), 1, "build info");
	ASSERT_EQ(sample(text, "nstrace_containers_created_total{runtime=\"unshare\",origin=\"unshare\"}"), 2,
		  "created");
	ASSERT_EQ(sample(text, "nstrace_containers_created_total{runtime=\"unshare\",origin=\"clone\"}"), 0,
		  "none by clone");
	ASSERT_EQ(sample(text, "nstrace_containers_destroyed_total{runtime=\"unshare\"}"), 2, "destroyed");
	ASSERT_EQ(sample(text, "nstrace_containers_alive{runtime=\"unshare\"}"), 0, "none alive");
	ASSERT_EQ(sample(text, "nstrace_container_joins_total{runtime=\"unshare\"}"), 2, "joins");
	ASSERT_EQ(sample(text, "nstrace_container_execs_total{runtime=\"unshare\",joined=\"false\"}"), 2,
		  "execs of pid 1");
	ASSERT_EQ(sample(text, "nstrace_container_execs_total{runtime=\"unshare\",joined=\"true\"}"), 2,
		  "execs of joined processes");
	ASSERT_EQ(sample(text, "nstrace_events_total{type=\"exec\"}"), 6, "exec events");
	ASSERT_EQ(sample(text, "nstrace_events_total{type=\"setns\"}"), 4, "setns events");
	ASSERT_EQ(sample(text, "nstrace_events_total{type=\"clone\"}"), 4, "clone events");
	ASSERT_EQ(sample(text, "nstrace_namespaces_created_total{type=\"pid\"}"), 2, "pid namespaces");
	ASSERT_EQ(sample(text, "nstrace_namespaces_created_total{type=\"mnt\"}"), 2, "mount namespaces");
	ASSERT_EQ(sample(text, "nstrace_namespaces_created_total{type=\"net\"}"), 0, "no network namespace");
	ASSERT_EQ(sample(text, "nstrace_namespaces_created_total{type=\"pid_for_children\"}"), -1,
		  "pid_for_children is the pid type");
	ASSERT_EQ(sample(text, "nstrace_container_start_seconds_count{runtime=\"unshare\"}"), 2, "starts observed");
	/* each start: the unshare, the clone and the exec of pid 1, a microsecond apart */
	ASSERT_EQ(sample(text, "nstrace_container_start_seconds_bucket{runtime=\"unshare\",le=\"0.001\"}"), 2,
		  "both in the first bucket");
	ASSERT_EQ(sample(text, "nstrace_container_start_seconds_sum{runtime=\"unshare\"}") * 1e9, 4000,
		  "sum of the starts, ns");
	ASSERT_EQ(sample(text, "nstrace_events_lost_total"), 0, "nothing lost");
	free(text);
	run_end(&r);
}

static void gauges_follow_life_and_loss(void)
{
	struct nstrace_ns_set h = host_ns(), inner = container_ns(C3);
	struct task un = { .pid = 400, .ppid = 1, .comm = "unshare", .ns = creator_ns(C3, &h) };
	struct task init = { .pid = 401, .ppid = 400, .comm = "unshare", .levels = 2, .nspid = { 0, 1 }, .ns = inner };
	struct run r;
	char *text;

	if (!run_start(&r))
		return;
	start_record(NSTRACE_EVENT_UNSHARE, &un);
	ev.unshare.flags = UNSHARE_FLAGS;
	ASSERT_EQ(event(r.s), 0, "unshare");
	start_record(NSTRACE_EVENT_CLONE, &init);
	ev.clone.caller_pid = un.pid;
	ev.clone.caller_tid = un.pid;
	ASSERT_EQ(event(r.s), 0, "clone");
	text = exposition(r.m);
	ASSERT_EQ(sample(text, "nstrace_containers_alive{runtime=\"unknown\"}"), 1, "alive");
	ASSERT_EQ(sample(text, "nstrace_containers_incomplete{runtime=\"unknown\"}"), 0, "complete");
	free(text);

	ASSERT_EQ(session_lost(r.s, 5, 5), 0, "loss");
	text = exposition(r.m);
	ASSERT_EQ(sample(text, "nstrace_events_lost_total"), 5, "lost");
	ASSERT_EQ(sample(text, "nstrace_containers_incomplete{runtime=\"unknown\"}"), 1, "incomplete after the loss");
	free(text);

	start_record(NSTRACE_EVENT_EXIT, &init);
	ev.exit.reaper = 1;
	ASSERT_EQ(event(r.s), 0, "exit");
	text = exposition(r.m);
	ASSERT_EQ(sample(text, "nstrace_containers_alive{runtime=\"unknown\"}"), 0, "gone");
	ASSERT_EQ(sample(text, "nstrace_containers_incomplete{runtime=\"unknown\"}"), 0, "gone from incomplete too");
	ASSERT_EQ(sample(text, "nstrace_containers_destroyed_total{runtime=\"unknown\"}"), 1, "destroyed");
	ASSERT_EQ(sample(text, "nstrace_container_start_seconds_count{runtime=\"unknown\"}"), 0,
		  "an incomplete start is not observed");
	free(text);
	run_end(&r);
}

/* Every sample belongs to a family announced before it; buckets only grow. */
static void exposition_is_well_formed(void)
{
	struct run r;
	char *text, *save = NULL, family[128] = "";
	double last_bucket = -1;
	size_t samples = 0;

	if (!run_start(&r))
		return;
	ASSERT_EQ(unshare_container(r.s, C1, 200, 3, false), 0, "a container");
	text = exposition(r.m);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128];
		double value;

		if (sscanf(line, "# TYPE %127s", family) == 1 || !strncmp(line, "# HELP ", 7))
			continue;
		if (sscanf(line, "%127[a-z_]", name) != 1 || strncmp(name, family, strlen(family)) ||
		    sscanf(strrchr(line, ' '), " %lf", &value) != 1) {
			FAIL_AT("sample outside its family %s: %s", family, line);
			continue;
		}
		samples++;
		if (strstr(name, "_bucket")) {
			if (strstr(line, "le=\"0.001\""))
				last_bucket = -1;
			if (value < last_bucket)
				FAIL_AT("bucket below the one before it: %s", line);
			last_bucket = value;
		}
	}
	ASSERT_TRUE(samples > 100, "every runtime has its samples");
	free(text);
	run_end(&r);
}

/* An exec inside a container that gains capabilities: one capability_gain alert, counted by rule. */
static void alerts_counted_by_rule(void)
{
	struct nstrace_ns_set h = host_ns(), inner = container_ns(C1);
	struct task un = { .pid = 500, .ppid = runtime_parent.pid, .comm = "unshare", .ns = h };
	struct task init = { .pid = 501, .ppid = 500, .comm = "sh", .levels = 2, .nspid = { 0, 1 }, .ns = inner };
	struct run r;
	char *text;
	int err;

	if (!run_start(&r))
		return;
	un.ns = creator_ns(C1, &h);
	start_record(NSTRACE_EVENT_UNSHARE, &un);
	ev.unshare.flags = UNSHARE_FLAGS;
	err = event(r.s);
	start_record(NSTRACE_EVENT_CLONE, &init);
	ev.clone.caller_pid = un.pid;
	ev.clone.caller_tid = un.pid;
	err = err ?: event(r.s);
	start_record(NSTRACE_EVENT_EXEC, &init);
	ev.exec.old_tid = ev.hdr.tid;
	set_args(&ev.exec, "sh", 3);
	ev.exec.creds.flags = NSTRACE_CREDS_READ;
	ev.exec.creds.uid = ev.exec.creds.euid = 1000;
	err = err ?: event(r.s);
	/* a set-user-ID root program: effective root with every capability */
	start_record(NSTRACE_EVENT_EXEC, &init);
	ev.exec.old_tid = ev.hdr.tid;
	set_args(&ev.exec, "su", 3);
	ev.exec.creds.flags = NSTRACE_CREDS_READ;
	ev.exec.creds.uid = 1000;
	ev.exec.creds.euid = 0;
	ev.exec.creds.cap_effective = ev.exec.creds.cap_permitted = 0x1ffffffffffULL;
	err = err ?: event(r.s);
	ASSERT_EQ(err, 0, "events");
	text = exposition(r.m);
	ASSERT_EQ(sample(text, "nstrace_alerts_total{rule=\"capability_gain\"}"), 1, "capability_gain");
	ASSERT_EQ(sample(text, "nstrace_alerts_total{rule=\"namespace_escape\"}"), 0, "no escape");
	free(text);
	run_end(&r);
}

struct scraper {
	struct metrics *m;
	bool stop;
	int scrapes;
};

static void *scrape_loop(void *arg)
{
	struct scraper *sc = arg;

	while (!__atomic_load_n(&sc->stop, __ATOMIC_ACQUIRE)) {
		free(exposition(sc->m));
		__atomic_add_fetch(&sc->scrapes, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Scrapes on another thread while records flow: every count still adds up. */
static void scrapes_beside_the_event_thread(void)
{
	struct scraper sc = { 0 };
	pthread_t thread;
	__u32 containers;
	struct run r;
	char *text;

	if (!run_start(&r))
		return;
	sc.m = r.m;
	if (!ASSERT_EQ(pthread_create(&thread, NULL, scrape_loop, &sc), 0, "scraper"))
		return;
	/* the scheduler may start the scraper late: records flow until it has scraped a while */
	for (containers = 0; containers < 200 || __atomic_load_n(&sc.scrapes, __ATOMIC_ACQUIRE) < 20; containers++)
		unshare_container(r.s, C1, 1000 + 10 * containers, 0, false);
	__atomic_store_n(&sc.stop, true, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	text = exposition(r.m);
	ASSERT_EQ(sample(text, "nstrace_containers_destroyed_total{runtime=\"unshare\"}"), containers, "destroyed");
	ASSERT_EQ(sample(text, "nstrace_container_execs_total{runtime=\"unshare\",joined=\"true\"}"), containers, "execs");
	free(text);
	run_end(&r);
}

static void addr(const char *arg, int err, const char *host, const char *port)
{
	char h[64] = "", p[8] = "";
	const char *why;
	int got = metrics_addr_split(arg, h, sizeof(h), p, sizeof(p), &why);

	ASSERT_EQ(got, err, arg);
	if (!err) {
		ASSERT_STREQ(h, host, arg);
		ASSERT_STREQ(p, port, arg);
	} else {
		ASSERT_TRUE(why && *why, "says why");
	}
}

static void addr_split(void)
{
	addr("127.0.0.1:9560", 0, "127.0.0.1", "9560");
	addr("[::1]:9560", 0, "::1", "9560");
	addr("localhost:1", 0, "localhost", "1");
	addr("0.0.0.0:65535", 0, "0.0.0.0", "65535");
	addr("127.0.0.1", -EINVAL, NULL, NULL);
	addr("127.0.0.1:", -EINVAL, NULL, NULL);
	addr(":9560", -EINVAL, NULL, NULL);
	addr("127.0.0.1:0", -EINVAL, NULL, NULL);
	addr("127.0.0.1:65536", -EINVAL, NULL, NULL);
	addr("127.0.0.1:+80", -EINVAL, NULL, NULL);
	addr("127.0.0.1:80x", -EINVAL, NULL, NULL);
	addr("::1:9560", -EINVAL, NULL, NULL);
	addr("[::1:9560", -EINVAL, NULL, NULL);
	addr("[]:9560", -EINVAL, NULL, NULL);
	addr("", -EINVAL, NULL, NULL);
}

int main(void)
{
	SUBTEST("counts add up", counts_add_up());
	SUBTEST("gauges follow life and loss", gauges_follow_life_and_loss());
	SUBTEST("exposition is well formed", exposition_is_well_formed());
	SUBTEST("scrapes beside the event thread", scrapes_beside_the_event_thread());
	SUBTEST("alerts counted by rule", alerts_counted_by_rule());
	SUBTEST("ADDR:PORT", addr_split());
	return test_summary();
}
