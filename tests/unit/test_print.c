// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The printers, fed records built in memory: exact text, JSON read back by a parser. */
#include <errno.h>
#include "testing.h"
#include "records.h"
#include "json_check.h"
#include "print.h"
#include "util.h"

#define INUM(t) (4026532000u + (t))

static const __u32 init_nspid[] = { 4312, 1 };

/* A container's init: every namespace set except time, which this kernel lacks. */
static union nstrace_event container_record(__u32 type)
{
	union nstrace_event e = make_record(type);

	e.hdr.time_ns = 1500000000;
	set_task(&e.hdr, 4312, 4300, "sh", init_nspid, 2);
	for (int t = 0; t < NSTRACE_NS_TIME; t++)
		e.hdr.ns.inum[t] = INUM(t);
	return e;
}

static char *print_to_string(const union nstrace_event *e, bool json)
{
	struct capture c;
	struct text_printer p = { .out = capture_start(&c), .time_base_ns = 1000000000 };
	struct json_writer w;

	jsonw_init(&w, p.out);
	if (json)
		print_event_json(&w, e);
	else
		print_event_text(&p, e);
	return capture_end(&c);
}

/* Prints e as JSON and parses it: one object on one line, or NULL after a failure. */
static json_t *print_json(const union nstrace_event *e)
{
	char *s = print_to_string(e, true);
	size_t len = strlen(s);
	json_error_t err;
	json_t *o = NULL;

	if (!ASSERT_TRUE(len && s[len - 1] == '\n' && !memchr(s, '\n', len - 1), "one line"))
		goto out;
	o = json_loads(s, 0, &err);
	if (!o || !json_is_object(o)) {
		FAIL_AT("not a JSON object: %s: %s", err.text, s);
		json_decref(o);
		o = NULL;
	}
out:
	free(s);
	return o;
}

static void expect_common(const json_t *o, const char *type, const char *what)
{
	static const long long nspid[] = { 4312, 1 };
	const json_t *ns = json_object_get(o, "ns");

	json_expect_str(o, "type", type, what);
	json_expect_int(o, "time_ns", 1500000000, what);
	json_expect_int(o, "pid", 4312, what);
	json_expect_int(o, "tid", 4312, what);
	json_expect_int(o, "ppid", 4300, what);
	json_expect_str(o, "comm", "sh", what);
	json_expect_ints(o, "nspid", nspid, 2, what);
	/* namespaces the kernel lacks (inode 0) are left out */
	ASSERT_EQ(json_object_size(ns), NSTRACE_NS_TIME, what);
	for (int t = 0; t < NSTRACE_NS_TIME; t++)
		json_expect_int(ns, nstrace_ns_name(t), INUM(t), what);
}

static void json_clone(void)
{
	union nstrace_event e = container_record(NSTRACE_EVENT_CLONE);
	static const char *const flags[] = { "NEWUTS", "NEWPID" };
	static const char *const new_ns[] = { "uts", "pid", "pid_for_children" };
	json_t *o;

	e.clone.flags = NSTRACE_CLONE_NEWPID | NSTRACE_CLONE_NEWUTS | 0x11;
	/* CLONE_PARENT: the caller is not the parent */
	e.clone.caller_pid = 4299;
	e.clone.caller_tid = 4301;
	o = print_json(&e);
	if (!o)
		return;
	expect_common(o, "clone", "clone");
	json_expect_strings(o, "flags", flags, ARRAY_SIZE(flags), "clone");
	json_expect_int(o, "clone_flags", (long long)e.clone.flags, "clone");
	json_expect_int(o, "caller_pid", 4299, "clone");
	json_expect_int(o, "caller_tid", 4301, "clone");
	json_expect_strings(o, "new_ns", new_ns, ARRAY_SIZE(new_ns), "clone");
	json_decref(o);
}

static void json_unshare(void)
{
	union nstrace_event e = container_record(NSTRACE_EVENT_UNSHARE);
	static const char *const flags[] = { "NEWNS", "NEWPID", "NEWNET" };
	static const char *const new_ns[] = { "mnt", "pid_for_children", "net" };
	json_t *o;

	e.unshare.flags = NSTRACE_CLONE_NEWNS | NSTRACE_CLONE_NEWPID | NSTRACE_CLONE_NEWNET;
	o = print_json(&e);
	if (!o)
		return;
	expect_common(o, "unshare", "unshare");
	json_expect_strings(o, "flags", flags, ARRAY_SIZE(flags), "unshare");
	json_expect_int(o, "ret", 0, "unshare");
	json_expect_strings(o, "new_ns", new_ns, ARRAY_SIZE(new_ns), "unshare");
	json_decref(o);

	e.unshare.ret = -EPERM;
	o = print_json(&e);
	if (!o)
		return;
	json_expect_int(o, "ret", -EPERM, "failed unshare");
	json_expect_strings(o, "new_ns", NULL, 0, "failed unshare");
	json_decref(o);
}

static void json_setns(void)
{
	union nstrace_event e = container_record(NSTRACE_EVENT_SETNS);
	json_t *o, *entered;

	e.setns.fd = 5;
	e.setns.nstype = NSTRACE_CLONE_NEWNET;
	e.setns.target = NSTRACE_SETNS_TARGET_NSFS;
	e.setns.target_inum = INUM(NSTRACE_NS_NET);
	o = print_json(&e);
	if (!o)
		return;
	expect_common(o, "setns", "nsfs setns");
	json_expect_int(o, "fd", 5, "nsfs setns");
	json_expect_int(o, "nstype", NSTRACE_CLONE_NEWNET, "nsfs setns");
	json_expect_int(o, "ret", 0, "nsfs setns");
	json_expect_str(o, "target", "nsfs", "nsfs setns");
	entered = json_object_get(o, "entered");
	ASSERT_EQ(json_object_size(entered), 1, "nsfs setns enters one namespace");
	json_expect_int(entered, "net", INUM(NSTRACE_NS_NET), "nsfs setns");
	json_decref(o);

	e.setns.target = NSTRACE_SETNS_TARGET_PIDFD;
	e.setns.target_inum = 0;
	e.setns.nstype = NSTRACE_CLONE_NEWUTS | NSTRACE_CLONE_NEWIPC;
	o = print_json(&e);
	if (!o)
		return;
	json_expect_str(o, "target", "pidfd", "pidfd setns");
	entered = json_object_get(o, "entered");
	ASSERT_EQ(json_object_size(entered), 2, "pidfd setns enters two namespaces");
	json_expect_int(entered, "uts", INUM(NSTRACE_NS_UTS), "pidfd setns");
	json_expect_int(entered, "ipc", INUM(NSTRACE_NS_IPC), "pidfd setns");
	json_decref(o);

	e.setns.target = NSTRACE_SETNS_TARGET_UNKNOWN;
	e.setns.ret = -EINVAL;
	o = print_json(&e);
	if (!o)
		return;
	json_expect_str(o, "target", "unknown", "failed setns");
	json_expect_int(o, "ret", -EINVAL, "failed setns");
	entered = json_object_get(o, "entered");
	ASSERT_TRUE(json_is_object(entered) && !json_object_size(entered), "failed setns enters nothing");
	json_decref(o);
}

static void json_exec(void)
{
	union nstrace_event e = container_record(NSTRACE_EVENT_EXEC);
	static const char args[] = "sh\0-c\0echo \"hi\"\n\0\xff";
	static const char *const argv[] = { "sh", "-c", "echo \"hi\"\n", "\xef\xbf\xbd" };
	json_t *o;

	strcpy(e.exec.filename, "/bin/sh");
	set_args(&e.exec, args, sizeof(args) - 1);
	e.exec.old_tid = 4313;
	e.exec.args_truncated = 1;
	o = print_json(&e);
	if (!o)
		return;
	expect_common(o, "exec", "exec");
	json_expect_str(o, "filename", "/bin/sh", "exec");
	json_expect_strings(o, "argv", argv, ARRAY_SIZE(argv), "exec");
	json_expect_bool(o, "argv_truncated", true, "exec");
	json_expect_bool(o, "filename_truncated", false, "exec");
	json_expect_int(o, "old_tid", 4313, "exec");
	json_decref(o);
}

static void json_exit(void)
{
	union nstrace_event e = container_record(NSTRACE_EVENT_EXIT);
	json_t *o;

	e.exit.exit_code = 7 << 8;
	e.exit.reaper = 1;
	o = print_json(&e);
	if (!o)
		return;
	expect_common(o, "exit", "exit");
	json_expect_int(o, "exit_code", 7, "exit");
	json_expect_int(o, "signal", 0, "exit");
	json_expect_bool(o, "core_dumped", false, "exit");
	json_expect_bool(o, "reaper", true, "exit");
	json_decref(o);

	e.exit.exit_code = 0x80 | 6;
	e.exit.reaper = 0;
	o = print_json(&e);
	if (!o)
		return;
	json_expect_int(o, "exit_code", 0, "abort");
	json_expect_int(o, "signal", 6, "abort");
	json_expect_bool(o, "core_dumped", true, "abort");
	json_expect_bool(o, "reaper", false, "abort");
	json_decref(o);
}

static void json_hostile_comm(void)
{
	union nstrace_event e = container_record(NSTRACE_EVENT_EXIT);
	json_t *o;

	/* a comm fills all 16 bytes without a NUL, and may hold anything */
	memcpy(e.hdr.comm, "\"}\n\x1b[2Jxxxxxxxxx", NSTRACE_COMM_LEN);
	e.hdr.nspid_levels = 0;
	o = print_json(&e);
	if (!o)
		return;
	json_expect_str(o, "comm", "\"}\n\x1b[2Jxxxxxxxxx", "16-byte comm");
	json_expect_ints(o, "nspid", NULL, 0, "no pid levels");
	json_decref(o);
}

static void json_lost(void)
{
	struct capture c;
	struct json_writer w;
	json_error_t err;
	json_t *o;

	jsonw_init(&w, capture_start(&c));
	print_lost_json(&w, 3, 10);
	o = json_loads(capture_end(&c), 0, &err);
	if (ASSERT_TRUE(o, "lost record parses")) {
		json_expect_str(o, "type", "lost", "lost");
		json_expect_int(o, "count", 3, "lost");
		json_expect_int(o, "total", 10, "lost");
	}
	json_decref(o);
	free(c.buf);
}

static void expect_text(const union nstrace_event *e, const char *want, const char *what)
{
	char *s = print_to_string(e, false);

	ASSERT_STREQ(s, want, what);
	free(s);
}

#define TEXT_HEADER "TIME(s)      EVENT    PID     PPID    NSPID          COMM             DETAILS\n"
#define TEXT_PREFIX(event) "0.500000     " event "4312    4300    4312/1         sh               "

static void text_events(void)
{
	union nstrace_event e = container_record(NSTRACE_EVENT_CLONE);
	static const char args[] = "sh\0-c\0exit 7\0a\\b";

	e.clone.flags = NSTRACE_CLONE_NEWPID | NSTRACE_CLONE_NEWUTS;
	expect_text(&e,
		    TEXT_HEADER TEXT_PREFIX("clone    ") "flags=NEWUTS|NEWPID new=uts:4026532001,pid:4026532003,"
						       "pid_for_children:4026532004\n",
		    "clone");

	e = container_record(NSTRACE_EVENT_UNSHARE);
	e.unshare.ret = -EINVAL;
	e.unshare.flags = NSTRACE_CLONE_NEWNS;
	expect_text(&e, TEXT_HEADER TEXT_PREFIX("unshare  ") "flags=NEWNS ret=-22 new=-\n", "failed unshare");

	e = container_record(NSTRACE_EVENT_SETNS);
	e.setns.fd = 3;
	e.setns.nstype = NSTRACE_CLONE_NEWNET;
	e.setns.target = NSTRACE_SETNS_TARGET_NSFS;
	e.setns.target_inum = INUM(NSTRACE_NS_NET);
	expect_text(&e, TEXT_HEADER TEXT_PREFIX("setns    ") "fd=3 nstype=0x40000000 ret=0 entered=net:4026532005\n",
		    "setns");

	e = container_record(NSTRACE_EVENT_EXEC);
	strcpy(e.exec.filename, "/bin/my sh");
	set_args(&e.exec, args, sizeof(args) - 1);
	e.exec.args_truncated = 1;
	expect_text(&e, TEXT_HEADER TEXT_PREFIX("exec     ") "\"/bin/my sh\" argv=sh -c \"exit 7\" a\\\\b ...\n",
		    "truncated exec");

	e = container_record(NSTRACE_EVENT_EXIT);
	e.exit.exit_code = 7 << 8;
	e.exit.reaper = 1;
	expect_text(&e, TEXT_HEADER TEXT_PREFIX("exit     ") "code=7 reaper\n", "reaper exit");
	e.exit.exit_code = 0x80 | 11;
	e.exit.reaper = 0;
	expect_text(&e, TEXT_HEADER TEXT_PREFIX("exit     ") "signal=11 core\n", "exit on a signal");
}

static void text_header_once(void)
{
	union nstrace_event e = container_record(NSTRACE_EVENT_EXIT);
	struct capture c;
	struct text_printer p = { .out = capture_start(&c), .time_base_ns = 1000000000 };

	print_event_text(&p, &e);
	e.hdr.time_ns = 500000000; /* before the base: clamped to 0 */
	print_event_text(&p, &e);
	ASSERT_STREQ(capture_end(&c),
		     TEXT_HEADER TEXT_PREFIX("exit     ") "code=0\n"
				 "0.000000     exit     4312    4300    4312/1         sh               code=0\n",
		     "header printed once");
	free(c.buf);
}

static void text_hostile_comm(void)
{
	union nstrace_event e = container_record(NSTRACE_EVENT_EXIT);
	char *s;

	strcpy(e.hdr.comm, "\x1b]0;pwn\a");
	s = print_to_string(&e, false);
	ASSERT_TRUE(strstr(s, " \\x1b]0;pwn\\x07 "), "escaped comm");
	ASSERT_TRUE(!strchr(s, '\x1b') && !strchr(s, '\a'), "no raw control bytes");
	free(s);
}

static void nspid_formats(void)
{
	union nstrace_event e = container_record(NSTRACE_EVENT_EXIT);
	static const __u32 deep[] = { 4000000000u, 4000000000u, 4000000000u };
	char buf[NSPID_TEXT_LEN], small[8];
	__u32 full[NSTRACE_MAX_PID_LEVELS];

	ASSERT_STREQ(format_nspid(e.hdr.nspid, 2, buf, sizeof(buf)), "4312/1", "two levels");
	ASSERT_STREQ(format_nspid(e.hdr.nspid, 0, buf, sizeof(buf)), "-", "no levels");
	ASSERT_STREQ(format_nspid(deep, 3, small, sizeof(small)), "4000000", "cut to the buffer");
	/* the deepest nesting with the widest pids fits the advertised size */
	for (int i = 0; i < NSTRACE_MAX_PID_LEVELS; i++)
		full[i] = 4294967295u;
	format_nspid(full, NSTRACE_MAX_PID_LEVELS, buf, sizeof(buf));
	ASSERT_EQ(strlen(buf), NSTRACE_MAX_PID_LEVELS * 11 - 1, "33 levels of 10 digits");
}

int main(void)
{
	SUBTEST("JSON clone", json_clone());
	SUBTEST("JSON unshare", json_unshare());
	SUBTEST("JSON setns", json_setns());
	SUBTEST("JSON exec", json_exec());
	SUBTEST("JSON exit", json_exit());
	SUBTEST("JSON escapes a hostile comm", json_hostile_comm());
	SUBTEST("JSON lost", json_lost());
	SUBTEST("text events", text_events());
	SUBTEST("text header once, times relative", text_header_once());
	SUBTEST("text escapes a hostile comm", text_hostile_comm());
	SUBTEST("nspid formatting", nspid_formats());
	return test_summary();
}
