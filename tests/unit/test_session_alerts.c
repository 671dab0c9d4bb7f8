// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Alerts as a session raises them from records, and --alerts output. */
#include <jansson.h>
#include "testing.h"
#include "lctrace.h"
#include "session.h"

#define ALL_CAPS (((1ULL << 41) - 1) & ~(1ULL << 24))

struct out {
	char *buf;
	size_t len;
	FILE *f;
	struct session *s;
};

static void start(struct out *o, bool alerts_only)
{
	struct printer_opts opts = { .json = true, .events = false, .alerts_only = alerts_only };
	struct snap_process init = { .pid = 1, .ppid = 0, .nspid_levels = 1, .nspid = { 1 }, .comm = "init" };

	o->f = open_memstream(&o->buf, &o->len);
	opts.out = o->f;
	o->s = session_new(NULL);
	session_add_output(o->s, json_output_new(&opts));
	init.ns = host_ns();
	init.creds.flags = NSTRACE_CREDS_READ;
	init.creds.cap_bounding = ALL_CAPS;
	session_snapshot(o->s, &init);
	session_snapshot_done(o->s, 0);
}

/* Every line, parsed; the caller decrefs. */
static json_t *finish(struct out *o)
{
	json_t *lines = json_array();
	char *line, *save = NULL;

	session_finish(o->s);
	session_free(o->s);
	fclose(o->f);
	for (line = strtok_r(o->buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		json_array_append_new(lines, json_loads(line, 0, NULL));
	free(o->buf);
	return lines;
}

static size_t count(const json_t *lines, const char *type, const char *rule)
{
	size_t i, n = 0;
	json_t *v;

	json_array_foreach(lines, i, v) {
		const char *t = json_string_value(json_object_get(v, "type"));
		const char *r = json_string_value(json_object_get(v, "rule"));

		n += t && !strcmp(t, type) && (!rule || (r && !strcmp(r, rule)));
	}
	return n;
}

static int feed_event(struct out *o)
{
	return session_event(o->s, &ev);
}

static void set_creds(__u32 uid, __u64 caps)
{
	ev.exec.creds.flags = NSTRACE_CREDS_READ;
	ev.exec.creds.uid = ev.exec.creds.euid = uid;
	ev.exec.creds.cap_effective = ev.exec.creds.cap_permitted = caps;
}

static void setns_into(struct out *o, struct task *t, int type, __u32 inum)
{
	t->ns.inum[type] = inum;
	start_record(NSTRACE_EVENT_SETNS, t);
	ev.setns.fd = 3;
	ev.setns.target = NSTRACE_SETNS_TARGET_NSFS;
	ev.setns.target_inum = inum;
	feed_event(o);
}

/* unshare --pid --fork as root; pid 1 forks nsenter, which enters a host process's namespaces. */
static void escape(bool alerts_only, json_t **lines)
{
	struct out o;
	struct nstrace_ns_set host = host_ns(), c1 = creator_ns(C1, &host);
	struct task unshare = { .pid = 100, .ppid = 50, .comm = "unshare", .ns = host };
	struct task init = { .pid = 101, .ppid = 100, .comm = "unshare", .levels = 2, .nspid = { 101, 1 } };
	struct task nsenter = { .pid = 102, .ppid = 101, .comm = "sh", .levels = 2, .nspid = { 102, 2 } };

	start(&o, alerts_only);
	init.ns = container_ns(C1);
	nsenter.ns = container_ns(C1);
	start_record(NSTRACE_EVENT_UNSHARE, &unshare);
	ev.hdr.ns = c1;
	ev.unshare.flags = UNSHARE_FLAGS;
	feed_event(&o);
	start_record(NSTRACE_EVENT_CLONE, &init);
	ev.clone.caller_pid = ev.clone.caller_tid = 100;
	feed_event(&o);
	start_record(NSTRACE_EVENT_EXEC, &init);
	ev.exec.old_tid = 101;
	set_creds(0, ALL_CAPS);
	feed_event(&o);
	start_record(NSTRACE_EVENT_CLONE, &nsenter);
	ev.clone.caller_pid = ev.clone.caller_tid = 101;
	feed_event(&o);
	nsenter.comm = "nsenter";
	start_record(NSTRACE_EVENT_EXEC, &nsenter);
	ev.exec.old_tid = 102;
	set_creds(0, ALL_CAPS);
	feed_event(&o);
	/* mnt, then uts: one call each, the second with the first already done */
	setns_into(&o, &nsenter, NSTRACE_NS_MNT, host.inum[NSTRACE_NS_MNT]);
	setns_into(&o, &nsenter, NSTRACE_NS_UTS, host.inum[NSTRACE_NS_UTS]);
	*lines = finish(&o);
}

static void escape_raised_once(void)
{
	json_t *lines;

	escape(false, &lines);
	ASSERT_EQ(count(lines, "alert", "namespace_escape"), 1, "one escape for two calls");
	ASSERT_EQ(count(lines, "alert", "privileged_container"), 1, "root with every capability");
	ASSERT_EQ(count(lines, "container_create", NULL), 1, "the container");
	json_decref(lines);
}

static void alerts_only(void)
{
	json_t *lines, *v;
	size_t i;

	escape(true, &lines);
	ASSERT_EQ(count(lines, "container_create", NULL), 1, "the container an alert points to, once");
	ASSERT_EQ(count(lines, "setns", NULL), 1, "the setns that raised the escape");
	ASSERT_EQ(count(lines, "exec", NULL), 1, "the exec that made the container privileged");
	ASSERT_EQ(count(lines, "alert", NULL), 2, "both alerts");
	ASSERT_EQ(count(lines, "container_exec", NULL) + count(lines, "container_init", NULL), 0,
		  "no other lifecycle record");
	ASSERT_EQ(count(lines, "summary", NULL), 1, "the summary");
	json_array_foreach(lines, i, v)
		if (!strcmp(json_string_value(json_object_get(v, "type")) ?: "", "container_create")) {
			ASSERT_EQ(i, 0, "the create comes first");
			break;
		}
	json_decref(lines);
}

int main(void)
{
	SUBTEST("a session raises an escape once, and a privileged start", escape_raised_once());
	SUBTEST("--alerts prints alerts and what they point to", alerts_only());
	return test_summary();
}
