// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * What runtimes say of containers, through the session as a replay feeds
 * it: where the answers land among the records, container_meta, and
 * --container holding a container's records until its name is known.
 */
#include <jansson.h>
#include "lctrace.h"
#include "record.h"
#include "session.h"
#include "testing.h"

#define ASK "{\"ask\":\"bundle\",\"id\":\"abc\"}"
#define ANSWER                                                                                       \
	"{\"answer\":\"bundle\",\"id\":\"abc\",\"err\":0,\"why\":\"\",\"first_failure\":false,"      \
	"\"meta\":{\"sources\":[\"bundle\"],\"name\":\"web\",\"pod\":{\"namespace\":\"shop\",\"name\":\"p1\"}," \
	"\"bundle\":{\"args\":[\"sh\"]}}}"
#define REFUSED                                                                                      \
	"{\"answer\":\"bundle\",\"id\":\"abc\",\"err\":-13,\"why\":\"no config.json: Permission denied\"," \
	"\"first_failure\":true,\"meta\":{\"sources\":[]}}"

static void meta_record(struct session *s, const char *json)
{
	if (session_replay(s, RECORD_META, json, strlen(json)))
		FAIL_AT("%s refused", json);
}

static void event(struct session *s)
{
	if (session_replay(s, RECORD_EVENT, &ev, sizeof(ev)))
		FAIL_AT("event of type %u refused", ev.hdr.type);
}

/*
 * runc create abc makes a container and its pid 1 runs sh and exits 3;
 * the bundle's answer comes after the exec, as a slow read would, or with
 * late after the container is gone, its mount table read at the exec.
 */
static char *run_events(const char *filter_spec, const char *answer, bool events, bool late)
{
	struct container_filter filter = { 0 };
	struct printer_opts opts = { .json = true, .events = events };
	struct nstrace_ns_set h = host_ns(), c = container_ns(C1);
	struct task runc = { .pid = 100, .ppid = 1, .comm = "runc", .ns = h };
	struct task init = { .pid = 101, .ppid = 100, .comm = "runc:[2:INIT]", .levels = 2, .nspid = { 0, 1 }, .ns = c };
	struct record_snapshot_done done = { .started_ns = 0 };
	struct capture cap;
	struct session *s;

	opts.out = capture_start(&cap);
	s = session_new(NULL);
	if (!s || session_add_output(s, printer_output_new(&opts)))
		abort();
	if (filter_spec) {
		container_filter_add(&filter, filter_spec);
		session_set_filter(s, &filter);
	}
	session_replay(s, RECORD_SNAPSHOT_DONE, &done, sizeof(done));
	start_record(NSTRACE_EVENT_EXEC, &runc);
	set_args(&ev.exec, "runc\0create\0--bundle\0/b\0abc", 28);
	event(s);
	meta_record(s, ASK);
	runc.ns = creator_ns(C1, &h);
	start_record(NSTRACE_EVENT_UNSHARE, &runc);
	ev.unshare.flags = RUNC_FLAGS;
	event(s);
	start_record(NSTRACE_EVENT_CLONE, &init);
	ev.clone.caller_pid = ev.clone.caller_tid = runc.pid;
	event(s);
	start_record(NSTRACE_EVENT_EXEC, &init);
	set_args(&ev.exec, "sh", 3);
	event(s);
	if (late) {
		struct mount_exposures m = { .pid = init.pid, .flags = MOUNT_EXPOSURES_READ, .total = 1 };

		m.item[0].kind = MOUNT_RUNTIME_SOCKET;
		snprintf(m.item[0].mount_point, sizeof(m.item[0].mount_point), "/var/run/docker.sock");
		if (session_replay(s, RECORD_MOUNTS, &m, sizeof(m)))
			FAIL_AT("%s", "mount record refused");
	} else {
		meta_record(s, answer);
	}
	start_record(NSTRACE_EVENT_EXIT, &init);
	ev.exit.exit_code = 3 << 8;
	ev.exit.reaper = 1;
	event(s);
	if (late)
		meta_record(s, answer);
	session_finish(s);
	session_free(s);
	return capture_end(&cap);
}

static char *run(const char *filter_spec, const char *answer)
{
	return run_events(filter_spec, answer, false, false);
}

/* "type" and, when the record has one, "name" of each line: "container_create:null ...". */
static char *shape(const char *out)
{
	static char buf[1024];
	const char *line = out;
	size_t used = 0;

	buf[0] = '\0';
	while (line && *line) {
		json_t *j = json_loads(line, JSON_DISABLE_EOF_CHECK, NULL);
		const json_t *name = json_object_get(j, "name");

		used += snprintf(buf + used, sizeof(buf) - used, "%s%s%s%s", used ? " " : "",
				 json_string_value(json_object_get(j, "type")), name ? ":" : "",
				 name ? (json_is_string(name) ? json_string_value(name) : "null") : "");
		json_decref(j);
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return buf;
}

static void test_unfiltered(void)
{
	char *out = run(NULL, ANSWER);

	/* what was printed before the answer stays as it was; what came later carries it */
	ASSERT_STREQ(shape(out),
		     "container_create:null container_init container_exec container_meta:web container_exit "
		     "container_destroy:web summary",
		     "records");
	ASSERT_TRUE(strstr(out, "\"pod\":\"shop/p1\"") != NULL, "the pod in container_meta");
	free(out);
}

static void test_filter_by_name(void)
{
	char *out = run("web", ANSWER);

	/* held until the name came, then printed in their order, then the answer */
	ASSERT_STREQ(shape(out),
		     "container_create:web container_init container_exec container_meta:web container_exit "
		     "container_destroy:web summary",
		     "records");
	free(out);
	out = run("shop/p1", ANSWER);
	ASSERT_STREQ(shape(out),
		     "container_create:web container_init container_exec container_meta:web container_exit "
		     "container_destroy:web summary",
		     "by pod");
	free(out);
}

/* Held past the container's end: its records print what the model knew, mount table included. */
static void test_filter_held_past_destroy(void)
{
	char *out = run_events("web", ANSWER, false, true);

	ASSERT_STREQ(shape(out),
		     "container_create:web container_init container_exec container_exit container_destroy:web "
		     "container_meta:web summary",
		     "records");
	ASSERT_TRUE(strstr(out, "\"mount_point\":\"/var/run/docker.sock\"") != NULL, "the mount table at destroy");
	free(out);
}

static void test_filter_not_named(void)
{
	char *out = run("db", ANSWER);

	ASSERT_STREQ(shape(out), "summary", "another name: nothing of it");
	free(out);
	out = run("web", REFUSED);
	ASSERT_STREQ(shape(out), "summary", "a name never told: nothing of it");
	free(out);
}

static void test_filter_by_id_and_key(void)
{
	char *out = run("ab", ANSWER);

	/* decided at once: nothing waits for the answer */
	ASSERT_STREQ(shape(out),
		     "container_create:null container_init container_exec container_meta:web container_exit "
		     "container_destroy:web summary",
		     "ID prefix");
	free(out);
	out = run("c1", REFUSED);
	ASSERT_STREQ(shape(out),
		     "container_create:null container_init container_exec container_exit container_destroy:null summary",
		     "key, the answer a failure");
	free(out);
}

static void test_raw_events(void)
{
	char *out = run_events(NULL, ANSWER, true, false);

	ASSERT_STREQ(shape(out),
		     "exec unshare container_create:null clone container_init exec container_exec container_meta:web "
		     "exit container_exit container_destroy:web summary",
		     "all of them");
	free(out);
	/* runc's own events on the host are no container's; those inside wait with its records */
	out = run_events("web", ANSWER, true, false);
	ASSERT_STREQ(shape(out),
		     "container_create:web clone container_init exec container_exec container_meta:web exit "
		     "container_exit container_destroy:web summary",
		     "the container's, in their order");
	free(out);
	out = run_events("db", ANSWER, true, false);
	ASSERT_STREQ(shape(out), "summary", "none of another's");
	free(out);
}

int main(void)
{
	SUBTEST("session: an answer after the container started", test_unfiltered());
	SUBTEST("session: --container NAME and POD hold records until the name comes", test_filter_by_name());
	SUBTEST("session: --container NAME held past the container's end", test_filter_held_past_destroy());
	SUBTEST("session: --container NAME that never matches", test_filter_not_named());
	SUBTEST("session: --container ID-prefix and key decide at once", test_filter_by_id_and_key());
	SUBTEST("session: raw events with --container", test_raw_events());
	return test_summary();
}
