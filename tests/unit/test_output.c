// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The session and its outputs: every output sees every record in the
 * order the session saw it, and the text output keeps one header per
 * table when raw events and lifecycle transitions interleave.
 */
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include "json_check.h"
#include "lctrace.h"
#include "session.h"
#include "testing.h"
#include "util.h"

#define EVENTS_HEADER "TIME(s)      EVENT    PID     PPID    NSPID          COMM             DETAILS\n"
#define LIFECYCLE_HEADER "TIME(s)      EVENT             CONT    DETAILS\n"
#define MAX_SEEN 64

/* An observer that writes nothing: it notes what it was handed, in order. */
struct seen_output {
	struct output base;
	char seen[MAX_SEEN];
	size_t count;
	struct session_totals totals;
};

static void note(struct output *o, char what)
{
	struct seen_output *s = container_of(o, struct seen_output, base);

	if (s->count < MAX_SEEN - 1)
		s->seen[s->count++] = what;
}

static void seen_event(struct output *o, const union nstrace_event *e)
{
	(void)e;
	note(o, 'e');
}

static void seen_lost(struct output *o, __u64 count, __u64 total)
{
	(void)count;
	(void)total;
	note(o, 'l');
}

static void seen_transition(struct output *o, const struct lc_transition *t)
{
	note(o, "CIXJED"[t->kind]);
}

static void seen_snapshot_done(struct output *o, __u64 started_ns)
{
	(void)started_ns;
	note(o, 's');
}

static void seen_finish(struct output *o, struct lifecycle *lc, const struct session_totals *totals)
{
	(void)lc;
	container_of(o, struct seen_output, base)->totals = *totals;
	note(o, 'f');
}

static const struct output_ops seen_ops = {
	.event = seen_event,
	.lost = seen_lost,
	.transition = seen_transition,
	.snapshot_done = seen_snapshot_done,
	.finish = seen_finish,
};

/* unshare -fp: the unshare, pid 1's clone and exit; with lose, ten events lost in between. */
static int feed_container(struct session *s, bool lose)
{
	struct nstrace_ns_set h = host_ns(), inner = container_ns(C1);
	struct task un = { .pid = 101, .ppid = 100, .comm = "unshare", .ns = creator_ns(C1, &h) };
	struct task init = { .pid = 102, .ppid = 101, .comm = "unshare", .levels = 2, .nspid = { 0, 1 }, .ns = inner };
	int err = session_snapshot_done(s, 0);

	start_record(NSTRACE_EVENT_UNSHARE, &un);
	ev.unshare.flags = UNSHARE_FLAGS;
	err = err ?: session_event(s, &ev);
	start_record(NSTRACE_EVENT_CLONE, &init);
	ev.clone.caller_pid = un.pid;
	ev.clone.caller_tid = un.pid;
	err = err ?: session_event(s, &ev);
	if (lose)
		err = err ?: session_lost(s, 10, 10);
	start_record(NSTRACE_EVENT_EXIT, &init);
	ev.exit.reaper = 1;
	err = err ?: session_event(s, &ev);
	return err ?: session_finish(s);
}

static void observers_see_everything_in_order(void)
{
	struct seen_output first = { .base.ops = &seen_ops }, second = { .base.ops = &seen_ops };
	struct session *s = session_new(NULL);

	if (!ASSERT_TRUE(s, "session"))
		return;
	ASSERT_EQ(session_add_output(s, &first.base), 0, "first observer");
	ASSERT_EQ(session_add_output(s, &second.base), 0, "second observer");
	ASSERT_EQ(feed_container(s, true), 0, "the trace runs");
	/* each event before the transitions it causes; the end last */
	ASSERT_STREQ(first.seen, "seCeIleEDf", "what the first observer saw");
	ASSERT_STREQ(second.seen, first.seen, "every observer sees the same");
	ASSERT_EQ(first.totals.events, 3, "events counted");
	ASSERT_EQ(first.totals.lost, 10, "losses counted");
	ASSERT_EQ(first.totals.containers, 1, "containers counted");
	ASSERT_EQ(first.totals.destroyed, 1, "destroyed counted");
	/* the observers are on the stack and have no destroy: the session leaves them be */
	session_free(s);
}

/* Text says a loss on stderr: only JSON runs lose events here. */
static char *run_printer(bool json, bool events)
{
	struct capture c;
	struct printer_opts opts = { .out = capture_start(&c), .json = json, .events = events };
	struct session *s = session_new(NULL);

	if (!s || session_add_output(s, printer_output_new(&opts)) || feed_container(s, json))
		FAIL_AT("%s", "the trace did not run");
	session_free(s);
	return capture_end(&c);
}

static size_t count_of(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/* With --events in text, raw events and transitions are two tables: each gets its header. */
static void text_tables_have_their_own_headers(void)
{
	char *text = run_printer(false, true);
	const char *events_header = strstr(text, EVENTS_HEADER);
	const char *lifecycle_header = strstr(text, LIFECYCLE_HEADER);
	const char *first_create = strstr(text, "container_create");

	ASSERT_EQ(count_of(text, EVENTS_HEADER), 1, "one raw event header");
	ASSERT_EQ(count_of(text, LIFECYCLE_HEADER), 1, "one lifecycle header");
	ASSERT_TRUE(events_header == text, "the raw event table starts the output");
	ASSERT_TRUE(lifecycle_header && first_create && lifecycle_header < first_create,
		    "the lifecycle header comes before the first transition");
	free(text);

	text = run_printer(false, false);
	ASSERT_EQ(count_of(text, EVENTS_HEADER), 0, "no raw event header without --events");
	ASSERT_TRUE(!strncmp(text, LIFECYCLE_HEADER, strlen(LIFECYCLE_HEADER)), "lifecycle header first");
	free(text);
}

static void json_lines(void)
{
	static const char *const types[] = {
		"unshare", "container_create", "clone", "container_init", "lost",
		"exit", "container_exit", "container_destroy", "summary",
	};
	char *text = run_printer(true, true), *save = NULL;
	size_t n = 0;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		json_error_t err;
		json_t *o = json_loads(line, 0, &err);

		if (!o) {
			FAIL_AT("line %zu: %s: %s", n + 1, err.text, line);
			continue;
		}
		if (n < sizeof(types) / sizeof(types[0]))
			json_expect_str(o, "type", types[n], "records in order");
		json_decref(o);
	}
	ASSERT_EQ(n, sizeof(types) / sizeof(types[0]), "one line per record");
	free(text);
}

/* `nstrace | head`: the reader leaves, the session ends with -EPIPE and says nothing. */
static void reader_gone_ends_quietly(void)
{
	struct printer_opts opts = { .json = true, .events = true };
	struct session *s;
	int fds[2], err;

	signal(SIGPIPE, SIG_IGN);
	if (!ASSERT_TRUE(!pipe(fds), "pipe"))
		return;
	close(fds[0]);
	opts.out = fdopen(fds[1], "w");
	s = session_new(NULL);
	if (!ASSERT_TRUE(s && opts.out && !session_add_output(s, printer_output_new(&opts)), "session"))
		return;
	err = feed_container(s, true);
	ASSERT_EQ(err, -EPIPE, "the session ends with EPIPE");
	ASSERT_EQ(session_flush(s), -EPIPE, "and stays ended");
	session_free(s);
	fclose(opts.out);
}

int main(void)
{
	SUBTEST("observers see everything in order", observers_see_everything_in_order());
	SUBTEST("text tables have their own headers", text_tables_have_their_own_headers());
	SUBTEST("JSON lines", json_lines());
	SUBTEST("reader gone ends quietly", reader_gone_ends_quietly());
	return test_summary();
}
