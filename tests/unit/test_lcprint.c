// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The lifecycle printers, fed by the model as a live session feeds them:
 * a container nested in another, entered with setns, with a hostile argv.
 * Every JSON line must parse and say what happened; text lines must hold
 * it too, with no raw control byte.
 */
#include <stdlib.h>
#include "json_check.h"
#include "lcprint.h"
#include "lctrace.h"
#include "testing.h"

#define MAX_LINES 32

/* An argv whose script holds an escape sequence, a newline and a byte that is not UTF-8. */
static const char hostile_script[] = "echo \x1b[2J\nexit 5 \xff";

struct printed {
	struct capture cap;
	bool json;
	struct text_printer text;
	struct json_writer w;
	const struct container_meta *meta;
	char *lines[MAX_LINES];
	size_t count;
};

static void on_transition(void *ctx, const struct lc_transition *t)
{
	struct printed *p = ctx;

	if (p->json)
		print_transition_json(&p->w, t, p->meta);
	else
		print_transition_text(&p->text, t, p->meta);
}

static void on_container(void *ctx, const struct lc_container *c)
{
	struct printed *p = ctx;

	if (p->json)
		print_container_json(&p->w, c, p->meta);
	else
		print_container_text(p->text.out, c, p->meta);
}

/* Runs feed's events through the model and the printers, then the summary of what is left. */
static void capture_meta(struct printed *p, bool json, void (*feed)(struct lifecycle *lc),
			 const struct container_meta *meta)
{
	struct lifecycle *lc;
	char *text, *save = NULL;

	memset(p, 0, sizeof(*p));
	p->json = json;
	p->meta = meta;
	p->text.out = capture_start(&p->cap);
	jsonw_init(&p->w, p->text.out);
	lc = lifecycle_new(on_transition, p);
	if (!lc)
		abort();
	feed(lc);
	lifecycle_for_each(lc, on_container, p);
	lifecycle_free(lc);

	text = capture_end(&p->cap);
	for (char *line = strtok_r(text, "\n", &save); line && p->count < MAX_LINES;
	     line = strtok_r(NULL, "\n", &save))
		p->lines[p->count++] = line;
}

/*
 * unshare makes c1; its pid 1 runs a shell whose child makes c2 inside
 * it; nsenter joins c1 and runs a command; c2's pid 1 exits 5, then c1's
 * pid 1 exits 6 while the joined command still runs: the summary still
 * lists c1.
 */
static void nested_and_joined(struct lifecycle *lc)
{
	struct nstrace_ns_set h = host_ns(), outer = container_ns(C1), inner = container_ns(C2);
	struct task shell = { .pid = 100, .ppid = 1, .comm = "bash", .ns = h };
	struct task un = { .pid = 101, .ppid = 100, .comm = "unshare", .ns = h };
	struct task init = { .pid = 102, .ppid = 101, .comm = "unshare", .levels = 2, .nspid = { 0, 1 }, .ns = outer };
	struct task un2 = { .pid = 103, .ppid = 102, .comm = "unshare", .levels = 2, .nspid = { 0, 2 }, .ns = outer };
	struct task init2 = { .pid = 104, .ppid = 103, .comm = "unshare", .levels = 3, .nspid = { 0, 3, 1 },
			      .ns = inner };
	struct task nsenter = { .pid = 200, .ppid = 100, .comm = "nsenter", .ns = h };
	struct task joined = { .pid = 201, .ppid = 200, .comm = "nsenter", .levels = 2, .nspid = { 0, 4 },
			       .ns = outer };

	do_clone(lc, &un, &shell, 0);
	do_exec(lc, &un, "/usr/bin/unshare", "unshare", "-fp", "sh", NULL);
	un.ns = creator_ns(C1, &h);
	do_unshare(lc, &un, UNSHARE_FLAGS);
	do_clone(lc, &init, &un, 0);
	do_exec(lc, &init, "/usr/bin/sh", "sh", "-c", "unshare -fp sh", NULL);
	init.comm = "sh";
	do_clone(lc, &un2, &init, 0);
	do_exec(lc, &un2, "/usr/bin/unshare", "unshare", "-fp", "sh", NULL);
	un2.ns = creator_ns(C2, &outer);
	do_unshare(lc, &un2, UNSHARE_FLAGS);
	do_clone(lc, &init2, &un2, 0);
	do_exec(lc, &init2, "/usr/bin/sh", "sh", "-c", hostile_script, NULL);

	nsenter.ns.inum[NSTRACE_NS_MNT] = outer.inum[NSTRACE_NS_MNT];
	do_setns(lc, &nsenter, NSTRACE_NS_MNT, NSTRACE_CLONE_NEWNS);
	nsenter.ns.inum[NSTRACE_NS_PID_FOR_CHILDREN] = outer.inum[NSTRACE_NS_PID];
	do_setns(lc, &nsenter, NSTRACE_NS_PID_FOR_CHILDREN, NSTRACE_CLONE_NEWPID);
	do_clone(lc, &joined, &nsenter, 0);
	do_exec(lc, &joined, "/usr/bin/true", "true", NULL);

	do_exit(lc, &init2, 5);
	do_exit(lc, &un2, 0);
	do_exit(lc, &init, 6);
}

/*
 * On a host the snapshot showed, unshare makes c1 with its own pid and
 * mount namespaces; runc then makes c2 in c1's pid namespace and a
 * network namespace no container made, with mount, UTS and IPC
 * namespaces of its own.
 */
static void sharing(struct lifecycle *lc)
{
	struct nstrace_ns_set h = host_ns(), c1 = made_ns(C1, (1u << NSTRACE_NS_MNT) | (1u << NSTRACE_NS_PID));
	struct nstrace_ns_set c2 = made_ns(C2, (1u << NSTRACE_NS_MNT) | (1u << NSTRACE_NS_UTS) | (1u << NSTRACE_NS_IPC));
	struct task un = { .pid = 101, .ppid = 1, .comm = "unshare", .ns = c1 };
	struct task init = { .pid = 102, .ppid = 101, .comm = "unshare", .levels = 2, .nspid = { 0, 1 }, .ns = c1 };
	struct task runc = { .pid = 200, .ppid = 1, .comm = "runc", .ns = h };
	struct task child = { .pid = 201, .ppid = 200, .comm = "runc:[1:CHILD]", .ns = h };
	struct task cmd = { .pid = 202, .ppid = 200, .comm = "runc:[2:INIT]", .levels = 2, .nspid = { 0, 2 } };

	snap(lc, 1, 0, "systemd", 1, 0, &h, ARGV("/sbin/init"), "0::/init.scope\n");
	lifecycle_snapshot_done(lc, 0);
	un.ns.inum[NSTRACE_NS_PID] = h.inum[NSTRACE_NS_PID];
	do_unshare(lc, &un, UNSHARE_FLAGS);
	do_clone(lc, &init, &un, 0);
	do_exec(lc, &init, "/bin/sleep", "sleep", "9", NULL);

	c2.inum[NSTRACE_NS_PID] = c2.inum[NSTRACE_NS_PID_FOR_CHILDREN] = c1.inum[NSTRACE_NS_PID];
	/* a network namespace something else made */
	c2.inum[NSTRACE_NS_NET] = C3 + NSTRACE_NS_NET;
	do_exec(lc, &runc, "/usr/sbin/runc", "runc", "init", NULL);
	do_clone(lc, &child, &runc, 0);
	child.ns = c2;
	child.ns.inum[NSTRACE_NS_PID] = h.inum[NSTRACE_NS_PID];
	do_unshare(lc, &child, NSTRACE_CLONE_NEWNS | NSTRACE_CLONE_NEWUTS | NSTRACE_CLONE_NEWIPC);
	cmd.ns = c2;
	do_clone(lc, &cmd, &child, NSTRACE_CLONE_PARENT);
	do_exec(lc, &cmd, "/bin/sh", "sh", NULL);
}

static void capture(struct printed *p, bool json, void (*feed)(struct lifecycle *lc))
{
	capture_meta(p, json, feed, NULL);
}

static void run_trace(struct printed *p, bool json)
{
	capture(p, json, nested_and_joined);
}

static void printed_free(struct printed *p)
{
	free(p->cap.buf);
}

/* Parses every line; NULL entries for lines that did not parse (already failed). */
static void parse_all(const struct printed *p, json_t **o)
{
	for (size_t i = 0; i < p->count; i++) {
		json_error_t err;

		o[i] = json_loads(p->lines[i], 0, &err);
		if (!o[i] || !json_is_object(o[i]))
			FAIL_AT("line %zu is not a JSON object (%s): %s", i + 1, err.text, p->lines[i]);
	}
}

static const json_t *nth_of(json_t **o, size_t n, const char *type, const char *container, int nth)
{
	for (size_t i = 0; i < n; i++) {
		const char *t = json_string_value(json_object_get(o[i], "type"));
		const char *c = json_string_value(json_object_get(o[i], "container"));

		if (t && c && !strcmp(t, type) && !strcmp(c, container) && !nth--)
			return o[i];
	}
	FAIL_AT("no %s record of %s", type, container);
	return NULL;
}

static void json_records(void)
{
	static const char *const types[] = {
		"container_create", "container_init", "container_exec", "container_create",
		"container_init", "container_exec", "container_join", "container_exec",
		"container_exit", "container_destroy", "container_exit", "container",
	};
	static const char *const hostile_argv[] = { "sh", "-c", "echo \x1b[2J\nexit 5 \xef\xbf\xbd" };
	static const char *const joined_argv[] = { "true" };
	const long long inner_nspid[] = { 104, 3, 1 };
	json_t *o[MAX_LINES] = { 0 };
	struct printed p;
	const json_t *r;

	run_trace(&p, true);
	parse_all(&p, o);
	ASSERT_EQ(p.count, sizeof(types) / sizeof(types[0]), "one line per transition and per live container");
	for (size_t i = 0; i < p.count && i < sizeof(types) / sizeof(types[0]); i++)
		if (o[i])
			json_expect_str(o[i], "type", types[i], "record order");
	if (p.count != sizeof(types) / sizeof(types[0]))
		goto out;

	if ((r = nth_of(o, p.count, "container_create", "c1", 0))) {
		ASSERT_TRUE(json_is_null(json_object_get(r, "parent")), "c1 is at the host's level");
		json_expect_str(r, "origin", "unshare", "c1 create");
		json_expect_int(json_object_get(r, "creator"), "pid", 101, "c1 creator");
	}
	if ((r = nth_of(o, p.count, "container_create", "c2", 0))) {
		json_expect_str(r, "parent", "c1", "c2 is nested in c1");
		json_expect_int(json_object_get(r, "ns"), "pid", C2 + NSTRACE_NS_PID, "c2's pid namespace");
	}
	if ((r = nth_of(o, p.count, "container_init", "c2", 0)))
		json_expect_ints(r, "nspid", inner_nspid, 3, "c2's pid 1 on three levels");
	if ((r = nth_of(o, p.count, "container_exec", "c2", 0))) {
		json_expect_int(r, "exec_index", 1, "c2 exec");
		json_expect_strings(r, "argv", hostile_argv, 3, "hostile argv decodes, bad byte as U+FFFD");
	}
	if ((r = nth_of(o, p.count, "container_join", "c1", 0))) {
		json_expect_int(r, "pid", 200, "the join is nsenter's");
		json_expect_int(json_object_get(r, "entered"), "mnt", C1 + NSTRACE_NS_MNT, "entered mnt");
		json_expect_int(json_object_get(r, "entered"), "pid", C1 + NSTRACE_NS_PID, "entered pid");
	}
	if ((r = nth_of(o, p.count, "container_exec", "c1", 1))) {
		json_expect_bool(r, "joined", true, "exec of the joined child");
		json_expect_strings(r, "argv", joined_argv, 1, "joined exec argv");
	}
	if ((r = nth_of(o, p.count, "container_exit", "c1", 0)))
		json_expect_int(r, "exit_code", 6, "c1 exit code");
	if ((r = nth_of(o, p.count, "container_destroy", "c2", 0))) {
		const json_t *start = json_object_get(r, "start");
		const json_t *steps = json_object_get(start, "to_exec_ns");
		long long sum = json_integer_value(json_object_get(start, "to_init_ns"));

		json_expect_int(r, "exit_code", 5, "c2 exit code");
		json_expect_str(r, "parent", "c1", "c2's summary names its parent");
		json_expect_int(r, "execs", 1, "c2 execs");
		for (size_t i = 0; i < json_array_size(steps); i++)
			sum += json_integer_value(json_array_get(steps, i));
		ASSERT_TRUE(json_array_size(steps) == 1, "one exec phase");
		json_expect_int(start, "total_ns", sum, "the phases add up to the start");
	}
	if ((r = nth_of(o, p.count, "container", "c1", 0))) {
		json_expect_str(r, "state", "exited", "c1 outlived by its joined member");
		json_expect_int(r, "members", 1, "the joined command");
		ASSERT_TRUE(json_is_null(json_object_get(r, "parent")), "c1's summary has no parent");
	}
out:
	for (size_t i = 0; i < p.count; i++)
		json_decref(o[i]);
	printed_free(&p);
}

static void expect_line_has(const struct printed *p, size_t line, const char *want)
{
	if (line >= p->count)
		FAIL_AT("no line %zu for \"%s\"", line + 1, want);
	else if (!strstr(p->lines[line], want))
		FAIL_AT("line %zu lacks \"%s\": %s", line + 1, want, p->lines[line]);
}

static void text_records(void)
{
	struct printed p;

	run_trace(&p, false);
	/* the header, then the same records as JSON */
	ASSERT_EQ(p.count, 13, "header and one line per record");
	expect_line_has(&p, 0, "TIME(s)");
	expect_line_has(&p, 1, "container_create  c1      runtime=unshare");
	expect_line_has(&p, 4, "container_create  c2");
	expect_line_has(&p, 4, "parent=c1");
	if (p.count > 1 && strstr(p.lines[1], "parent="))
		FAIL_AT("c1 names a parent: %s", p.lines[1]);
	expect_line_has(&p, 5, "nspid=104/3/1");
	expect_line_has(&p, 6, "argv=sh -c \"echo \\x1b[2J\\x0aexit 5 \\xff\"");
	expect_line_has(&p, 7, "container_join    c1      pid=200 comm=nsenter entered=mnt:");
	expect_line_has(&p, 9, "container_exit    c2      pid=104 code=5");
	expect_line_has(&p, 11, "container_exit    c1      pid=102 code=6 survivors=1 201");
	expect_line_has(&p, 12, "c1      unshare");
	for (size_t i = 0; i < p.count; i++)
		for (const char *c = p.lines[i]; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f) {
				FAIL_AT("line %zu holds raw byte 0x%02x: %s", i + 1, (unsigned char)*c, p.lines[i]);
				break;
			}
	printed_free(&p);
}

static const char sharing_text[] = "mnt:private,uts:private,ipc:private,pid:c1,net:other,cgroup:host,user:host,time:host";

/* keyed_by, mntns and sharing in create records and in the summary, in JSON and text. */
static void sharing_records(void)
{
	static const char *const types[] = { "container_create", "container_init", "container_exec", "container_create",
					     "container_init", "container_exec", "container", "container" };
	json_t *o[MAX_LINES] = { 0 };
	struct printed p;
	const json_t *r, *s;

	capture(&p, true, sharing);
	parse_all(&p, o);
	ASSERT_EQ(p.count, sizeof(types) / sizeof(types[0]), "one line per transition and per live container");
	for (size_t i = 0; i < p.count && i < sizeof(types) / sizeof(types[0]); i++)
		if (o[i])
			json_expect_str(o[i], "type", types[i], "record order");
	if ((r = nth_of(o, p.count, "container_create", "c1", 0))) {
		json_expect_str(r, "keyed_by", "pidns", "c1 has a pid namespace of its own");
		json_expect_int(r, "mntns", C1 + NSTRACE_NS_MNT, "c1's mount namespace");
		s = json_object_get(r, "sharing");
		json_expect_str(s, "pid", "private", "c1's own pid namespace");
		json_expect_str(s, "net", "host", "c1 has the host's network namespace");
		ASSERT_EQ(json_object_size(s), 8, "every type a process lives in");
	}
	if ((r = nth_of(o, p.count, "container_create", "c2", 0))) {
		json_expect_str(r, "keyed_by", "mntns", "c2 is known by its mount namespace");
		json_expect_int(r, "mntns", C2 + NSTRACE_NS_MNT, "c2's mount namespace");
		json_expect_int(r, "pidns", C1 + NSTRACE_NS_PID, "c2 lives in c1's pid namespace");
		json_expect_int(r, "generation", 0, "the first mount namespace with that inode");
		s = json_object_get(r, "sharing");
		json_expect_str(s, "mnt", "private", "c2's own mount namespace");
		json_expect_str(s, "pid", "c1", "c1's pid namespace");
		json_expect_str(s, "net", "other", "a network namespace no container made");
		json_expect_str(s, "cgroup", "host", "the host's cgroup namespace");
	}
	if ((r = nth_of(o, p.count, "container", "c2", 0)))
		json_expect_str(json_object_get(r, "sharing"), "pid", "c1", "the summary says so too");
	for (size_t i = 0; i < p.count; i++)
		json_decref(o[i]);
	printed_free(&p);

	capture(&p, false, sharing);
	ASSERT_EQ(p.count, 9, "header and one line per record");
	expect_line_has(&p, 4, "container_create  c2");
	expect_line_has(&p, 4, sharing_text);
	expect_line_has(&p, 8, "c2      runc");
	expect_line_has(&p, 8, sharing_text);
	printed_free(&p);
}

/* What a runtime said of a container, hostile where it can be: every record carries it escaped. */
static void meta_records(void)
{
	struct container_meta m = { .sources = META_FROM_DOCKER, .name = "web\x1b[2J", .image = "local/busybox",
				    .pod_namespace = "shop", .pod_name = "front\"1" };
	json_t *o[MAX_LINES] = { 0 };
	struct printed p;
	const json_t *r;

	meta_add_label(&m, "tier\n\"", "1\x01");
	capture_meta(&p, true, nested_and_joined, &m);
	parse_all(&p, o);
	if ((r = nth_of(o, p.count, "container_create", "c1", 0))) {
		json_expect_str(r, "name", "web\x1b[2J", "name");
		json_expect_str(r, "image", "local/busybox", "image");
		json_expect_str(r, "pod", "shop/front\"1", "pod as namespace/name");
		json_expect_str(json_object_get(r, "labels"), "tier\n\"", "1\x01", "a label with a hostile key");
	}
	if ((r = nth_of(o, p.count, "container", "c1", 0)))
		json_expect_str(r, "name", "web\x1b[2J", "the summary names it");
	for (size_t i = 0; i < p.count; i++)
		json_decref(o[i]);
	printed_free(&p);

	capture_meta(&p, false, nested_and_joined, &m);
	expect_line_has(&p, 1, "container_create  web\\x1b[2J runtime=unshare");
	expect_line_has(&p, 1, "key=c1 name=web\\x1b[2J image=local/busybox pod=shop/front\"1 labels=tier\\x0a\"=1\\x01");
	expect_line_has(&p, 12, "web\\x1b[2J unshare");
	for (size_t i = 0; i < p.count; i++)
		for (const char *c = p.lines[i]; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
				FAIL_AT("line %zu holds raw byte 0x%02x: %s", i + 1, (unsigned char)*c, p.lines[i]);
	printed_free(&p);
	free(m.labels[0].key);
	free(m.labels[0].value);
	free(m.labels);
}

int main(void)
{
	SUBTEST("JSON lifecycle records: order, nesting, join, hostile argv, summary", json_records());
	SUBTEST("text lifecycle records: the same, escaped", text_records());
	SUBTEST("what containers share, in JSON and text", sharing_records());
	SUBTEST("lcprint: what runtimes said, escaped, in JSON and text", meta_records());
	return test_summary();
}
