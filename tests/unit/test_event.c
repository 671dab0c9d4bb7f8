// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Record checks and what nstrace derives from a record. */
#include <errno.h>
#include <stdint.h>
#include "testing.h"
#include "records.h"

#define BIT(t) (1u << (t))

/* Room for the largest record plus a few bytes, to hand out too long lengths. */
union big_record {
	union nstrace_event e;
	char bytes[sizeof(union nstrace_event) + 16];
};

static void expect_rejected(const void *data, size_t len, const char *why_expected, const char *what)
{
	const char *why = NULL;

	ASSERT_EQ(nstrace_event_check(data, len, &why), -EINVAL, what);
	ASSERT_STREQ(why, why_expected, what);
}

static void check_good_records(void)
{
	for (__u32 type = NSTRACE_EVENT_CLONE; type <= NSTRACE_EVENT_TYPE_MAX; type++) {
		union nstrace_event e = make_record(type);
		const char *why = NULL;

		e.hdr.nspid_levels = 2;
		ASSERT_TRUE(e.hdr.size > sizeof(struct nstrace_header), nstrace_event_name(type));
		ASSERT_EQ(nstrace_event_check(&e, e.hdr.size, &why), 0, nstrace_event_name(type));
	}
}

static void check_short(void)
{
	union nstrace_event e = make_record(NSTRACE_EVENT_CLONE);

	expect_rejected(&e, sizeof(struct nstrace_header) - 1, "record shorter than its header",
			"one byte short of a header");
	expect_rejected(&e, 0, "record shorter than its header", "empty record");
	/* a full header but not the clone fields */
	expect_rejected(&e, sizeof(struct nstrace_header), "record size does not match its type",
			"header only");
}

static void check_wrong_size(void)
{
	union big_record r;

	memset(&r, 0, sizeof(r));
	r.e = make_record(NSTRACE_EVENT_EXIT);
	expect_rejected(&r, r.e.hdr.size + 8, "record size does not match its type", "longer than its type");
	r.e.hdr.size += 8;
	expect_rejected(&r, r.e.hdr.size, "record size does not match its type",
			"size field and length agree but not with the type");
	r.e.hdr.size = sizeof(struct nstrace_exit_event);
	r.e.hdr.type = NSTRACE_EVENT_CLONE;
	expect_rejected(&r, sizeof(struct nstrace_exit_event), "record size does not match its type",
			"exit-sized record that says clone");
}

static void check_unknown_type(void)
{
	union nstrace_event e = make_record(NSTRACE_EVENT_CLONE);

	e.hdr.type = 0;
	expect_rejected(&e, sizeof(e.clone), "unknown event type", "type 0");
	e.hdr.type = NSTRACE_EVENT_TYPE_MAX + 1;
	expect_rejected(&e, sizeof(e.clone), "unknown event type", "type past the last");
	ASSERT_STREQ(nstrace_event_name(NSTRACE_EVENT_TYPE_MAX + 1), "unknown", "name of an unknown type");
	ASSERT_STREQ(nstrace_event_name(UINT32_MAX), "unknown", "name of type UINT32_MAX");
}

static void check_pid_levels(void)
{
	union nstrace_event e = make_record(NSTRACE_EVENT_EXIT);
	const char *why = NULL;

	e.hdr.nspid_levels = NSTRACE_MAX_PID_LEVELS;
	ASSERT_EQ(nstrace_event_check(&e, sizeof(e.exit), &why), 0, "the deepest nesting");
	e.hdr.nspid_levels = NSTRACE_MAX_PID_LEVELS + 1;
	expect_rejected(&e, sizeof(e.exit), "more pid levels than the kernel allows", "one level too many");
}

static void check_args_len(void)
{
	union nstrace_event e = make_record(NSTRACE_EVENT_EXEC);
	const char *why = NULL;

	e.exec.args_len = NSTRACE_ARGS_LEN;
	ASSERT_EQ(nstrace_event_check(&e, sizeof(e.exec), &why), 0, "a full argv buffer");
	e.exec.args_len = NSTRACE_ARGS_LEN + 1;
	expect_rejected(&e, sizeof(e.exec), "argv length beyond its buffer", "argv one byte too long");
}

static void check_creds(void)
{
	union nstrace_event e = make_record(NSTRACE_EVENT_EXEC);
	const char *why = NULL;

	e.exec.creds.flags = NSTRACE_CREDS_READ | NSTRACE_CREDS_NO_NEW_PRIVS | NSTRACE_CREDS_AUDIT |
			     NSTRACE_CREDS_SECCOMP;
	e.exec.creds.userns_level = 32;
	e.exec.creds.uid_map.nr_extents = 340;
	e.exec.creds.gid_map.nr_extents = 1;
	ASSERT_EQ(nstrace_event_check(&e, sizeof(e.exec), &why), 0, "deepest user namespace, longest map");
	e.exec.creds.flags |= 1u << 31;
	expect_rejected(&e, sizeof(e.exec), "credential flags nstrace does not know", "unknown flag");
	e.exec.creds.flags = NSTRACE_CREDS_READ;
	e.exec.creds.userns_level = 33;
	expect_rejected(&e, sizeof(e.exec), "more user namespace levels than the kernel allows", "level 33");
	e.exec.creds.userns_level = 1;
	e.exec.creds.uid_map.nr_extents = 341;
	expect_rejected(&e, sizeof(e.exec), "id map longer than the kernel allows", "341 extents");
	e.exec.creds.uid_map.nr_extents = 1;
	e.exec.creds.userns_level = 0;
	expect_rejected(&e, sizeof(e.exec), "id map of the host's user namespace", "a map at the host's level");
}

static nstrace_ns_mask new_ns_of(__u32 type, __u64 flags, __s64 ret)
{
	union nstrace_event e = make_record(type);

	if (type == NSTRACE_EVENT_CLONE) {
		e.clone.flags = flags;
	} else {
		e.unshare.flags = flags;
		e.unshare.ret = ret;
	}
	return nstrace_new_ns(&e);
}

static void check_new_ns_clone(void)
{
	__u32 c = NSTRACE_EVENT_CLONE;

	ASSERT_EQ(new_ns_of(c, NSTRACE_CLONE_NEWPID, 0),
		  BIT(NSTRACE_NS_PID) | BIT(NSTRACE_NS_PID_FOR_CHILDREN), "clone NEWPID moves the child");
	ASSERT_EQ(new_ns_of(c, NSTRACE_CLONE_NEWTIME, 0),
		  BIT(NSTRACE_NS_TIME) | BIT(NSTRACE_NS_TIME_FOR_CHILDREN), "clone NEWTIME moves the child");
	ASSERT_EQ(new_ns_of(c, NSTRACE_CLONE_NEWNS | NSTRACE_CLONE_NEWUTS | NSTRACE_CLONE_NEWIPC, 0),
		  BIT(NSTRACE_NS_MNT) | BIT(NSTRACE_NS_UTS) | BIT(NSTRACE_NS_IPC), "clone NEWNS|NEWUTS|NEWIPC");
	ASSERT_EQ(new_ns_of(c, NSTRACE_CLONE_NEWNET | NSTRACE_CLONE_NEWCGROUP | NSTRACE_CLONE_NEWUSER, 0),
		  BIT(NSTRACE_NS_NET) | BIT(NSTRACE_NS_CGROUP) | BIT(NSTRACE_NS_USER),
		  "clone NEWNET|NEWCGROUP|NEWUSER");
	ASSERT_EQ(new_ns_of(c, NSTRACE_CLONE_THREAD | NSTRACE_CLONE_PARENT | 0x11 /* SIGCHLD */, 0), 0,
		  "clone without CLONE_NEW* flags");
}

static void check_new_ns_unshare(void)
{
	__u32 u = NSTRACE_EVENT_UNSHARE;

	ASSERT_EQ(new_ns_of(u, NSTRACE_CLONE_NEWPID, 0), BIT(NSTRACE_NS_PID_FOR_CHILDREN),
		  "unshare NEWPID only changes the children's namespace");
	ASSERT_EQ(new_ns_of(u, NSTRACE_CLONE_NEWTIME, 0), BIT(NSTRACE_NS_TIME_FOR_CHILDREN),
		  "unshare NEWTIME only changes the children's namespace");
	ASSERT_EQ(new_ns_of(u, NSTRACE_CLONE_NEWNS | NSTRACE_CLONE_NEWNET, 0),
		  BIT(NSTRACE_NS_MNT) | BIT(NSTRACE_NS_NET), "unshare NEWNS|NEWNET");
	ASSERT_EQ(new_ns_of(u, NSTRACE_CLONE_NEWNS | NSTRACE_CLONE_NEWPID, -EPERM), 0, "failed unshare");
	ASSERT_EQ(new_ns_of(u, NSTRACE_CLONE_NEWUTS, -EINVAL), 0, "unshare with EINVAL");
}

static void check_new_ns_other_types(void)
{
	union nstrace_event e = make_record(NSTRACE_EVENT_SETNS);

	e.setns.nstype = NSTRACE_CLONE_NEWNET;
	ASSERT_EQ(nstrace_new_ns(&e), 0, "setns creates nothing");
	e = make_record(NSTRACE_EVENT_EXIT);
	ASSERT_EQ(nstrace_new_ns(&e), 0, "exit creates nothing");
}

/* The caller's namespaces after the switch, all distinct. */
static struct nstrace_setns_event setns_record(__s64 ret, __u32 target, __u32 target_inum, __s32 nstype)
{
	union nstrace_event e = make_record(NSTRACE_EVENT_SETNS);

	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		e.hdr.ns.inum[t] = 4026531832u + t;
	e.setns.ret = ret;
	e.setns.target = target;
	e.setns.target_inum = target_inum;
	e.setns.nstype = nstype;
	return e.setns;
}

static void check_setns_nsfs(void)
{
	struct nstrace_setns_event s;
	__u32 net = 4026531832u + NSTRACE_NS_NET;
	__u32 pidc = 4026531832u + NSTRACE_NS_PID_FOR_CHILDREN;

	s = setns_record(0, NSTRACE_SETNS_TARGET_NSFS, net, 0);
	ASSERT_EQ(nstrace_setns_entered(&s), BIT(NSTRACE_NS_NET), "nsfs net target, nstype 0");
	s = setns_record(0, NSTRACE_SETNS_TARGET_NSFS, net, NSTRACE_CLONE_NEWUTS);
	ASSERT_EQ(nstrace_setns_entered(&s), BIT(NSTRACE_NS_NET),
		  "the inode decides for nsfs targets, not nstype");
	s = setns_record(0, NSTRACE_SETNS_TARGET_NSFS, pidc, NSTRACE_CLONE_NEWPID);
	ASSERT_EQ(nstrace_setns_entered(&s), BIT(NSTRACE_NS_PID_FOR_CHILDREN), "nsfs pid target");
	/* re-entering the own pid namespace: pid and pid_for_children hold the same inode */
	s.hdr.ns.inum[NSTRACE_NS_PID] = pidc;
	ASSERT_EQ(nstrace_setns_entered(&s), BIT(NSTRACE_NS_PID_FOR_CHILDREN),
		  "setns never reports the caller's own pid namespace");
	s = setns_record(0, NSTRACE_SETNS_TARGET_NSFS, 12345, 0);
	ASSERT_EQ(nstrace_setns_entered(&s), 0, "nsfs target none of the namespaces holds");
}

static void check_setns_pidfd(void)
{
	struct nstrace_setns_event s;

	s = setns_record(0, NSTRACE_SETNS_TARGET_PIDFD, 0,
			 NSTRACE_CLONE_NEWUTS | NSTRACE_CLONE_NEWPID | NSTRACE_CLONE_NEWTIME);
	ASSERT_EQ(nstrace_setns_entered(&s),
		  BIT(NSTRACE_NS_UTS) | BIT(NSTRACE_NS_PID_FOR_CHILDREN) | BIT(NSTRACE_NS_TIME_FOR_CHILDREN),
		  "pidfd with a mask enters what the mask names, pid and time for children only");
	s = setns_record(0, NSTRACE_SETNS_TARGET_PIDFD, 0, NSTRACE_CLONE_NEWNS | NSTRACE_CLONE_NEWNET);
	ASSERT_EQ(nstrace_setns_entered(&s), BIT(NSTRACE_NS_MNT) | BIT(NSTRACE_NS_NET), "pidfd NEWNS|NEWNET");
}

static void check_setns_failure(void)
{
	struct nstrace_setns_event s;

	s = setns_record(-EINVAL, NSTRACE_SETNS_TARGET_NSFS, 4026531832u + NSTRACE_NS_NET, 0);
	ASSERT_EQ(nstrace_setns_entered(&s), 0, "failed nsfs setns whose inode matches");
	s = setns_record(-EPERM, NSTRACE_SETNS_TARGET_PIDFD, 0, NSTRACE_CLONE_NEWUTS);
	ASSERT_EQ(nstrace_setns_entered(&s), 0, "failed pidfd setns");
	s = setns_record(-EBADF, NSTRACE_SETNS_TARGET_UNKNOWN, 0, 0);
	ASSERT_EQ(nstrace_setns_entered(&s), 0, "setns on a bad fd");
}

static void check_exit_status(void)
{
	struct nstrace_exit_status st;

	st = nstrace_exit_status(7 << 8);
	ASSERT_EQ(st.code, 7, "exit(7) code");
	ASSERT_EQ(st.signal, 0, "exit(7) signal");
	ASSERT_EQ(st.core_dumped, false, "exit(7) core");
	st = nstrace_exit_status(255 << 8);
	ASSERT_EQ(st.code, 255, "exit(255) code");
	st = nstrace_exit_status(9);
	ASSERT_EQ(st.signal, 9, "SIGKILL signal");
	ASSERT_EQ(st.code, 0, "SIGKILL code");
	ASSERT_EQ(st.core_dumped, false, "SIGKILL core");
	st = nstrace_exit_status(0x80 | 11);
	ASSERT_EQ(st.signal, 11, "SIGSEGV with core signal");
	ASSERT_EQ(st.core_dumped, true, "SIGSEGV with core");
	st = nstrace_exit_status(0);
	ASSERT_EQ(st.code + st.signal + st.core_dumped, 0, "exit(0)");
}

static void check_inner_pid(void)
{
	union nstrace_event e = make_record(NSTRACE_EVENT_EXIT);
	const __u32 nspid[] = { 4312, 17, 1 };

	set_task(&e.hdr, 4312, 4300, "sh", nspid, 3);
	ASSERT_EQ(nstrace_inner_pid(&e.hdr), 1, "three levels");
	e.hdr.nspid_levels = 0;
	ASSERT_EQ(nstrace_inner_pid(&e.hdr), 4312, "no levels: the host pid");
	e.hdr.nspid_levels = NSTRACE_MAX_PID_LEVELS + 1;
	ASSERT_EQ(nstrace_inner_pid(&e.hdr), 4312, "corrupt level count: the host pid");
}

/* Walks e's argv and checks it against want[0..n). */
static void expect_args(const struct nstrace_exec_event *e, const char *const *want, size_t n,
			const char *what)
{
	size_t pos = 0, len, i = 0;
	const char *arg;
	char got[NSTRACE_ARGS_LEN + 1];

	while ((arg = nstrace_next_arg(e, &pos, &len))) {
		if (!ASSERT_TRUE(i < n, what))
			return;
		memcpy(got, arg, len);
		got[len] = '\0';
		ASSERT_STREQ(got, want[i], what);
		ASSERT_EQ(len, strlen(want[i]), what);
		i++;
	}
	ASSERT_EQ(i, n, what);
}

static void check_argv(void)
{
	union nstrace_event e = make_record(NSTRACE_EVENT_EXEC);
	static const char *const plain[] = { "sh", "-c", "", "exit 7" };
	static const char *const cut[] = { "cat", "/etc/hos" };

	set_args(&e.exec, "sh\0-c\0\0exit 7", sizeof("sh\0-c\0\0exit 7"));
	expect_args(&e.exec, plain, 4, "terminated argv with an empty argument");

	/* a truncated copy ends in the middle of the last argument, without its NUL */
	set_args(&e.exec, "cat\0/etc/hos", 12);
	expect_args(&e.exec, cut, 2, "unterminated last argument");

	set_args(&e.exec, "", 0);
	expect_args(&e.exec, NULL, 0, "no arguments");
}

static void check_argv_full_buffer(void)
{
	union nstrace_event e = make_record(NSTRACE_EVENT_EXEC);
	size_t pos = 0, len = 0;
	const char *arg;

	memset(e.exec.args, 'a', NSTRACE_ARGS_LEN);
	/* a length past the buffer stops at the buffer's end */
	e.exec.args_len = NSTRACE_ARGS_LEN + 100;
	arg = nstrace_next_arg(&e.exec, &pos, &len);
	ASSERT_TRUE(arg == e.exec.args, "one argument filling the buffer");
	ASSERT_EQ(len, NSTRACE_ARGS_LEN, "its length");
	ASSERT_TRUE(!nstrace_next_arg(&e.exec, &pos, &len), "nothing after it");
}

static void check_names(void)
{
	const char *names[8];

	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		ASSERT_EQ(nstrace_ns_from_name(nstrace_ns_name(t)), t, nstrace_ns_name(t));
	ASSERT_STREQ(nstrace_ns_name(NSTRACE_NS_PID_FOR_CHILDREN), "pid_for_children", "ns name");
	ASSERT_STREQ(nstrace_ns_name(NSTRACE_NS_TYPE_COUNT), "unknown", "ns name out of range");
	ASSERT_EQ(nstrace_ns_from_name("pids"), -1, "not a namespace");
	ASSERT_STREQ(nstrace_event_name(NSTRACE_EVENT_SETNS), "setns", "event name");

	ASSERT_EQ(nstrace_clone_flag_names(NSTRACE_CLONE_NEWPID | NSTRACE_CLONE_NEWNS | NSTRACE_CLONE_THREAD,
					   names, 8),
		  2, "flag names of NEWPID|NEWNS|THREAD");
	ASSERT_STREQ(names[0], "NEWNS", "first flag name");
	ASSERT_STREQ(names[1], "NEWPID", "second flag name");
	ASSERT_EQ(nstrace_clone_flag_names(~0ULL, names, 3), 3, "names stop at max");
	ASSERT_EQ(nstrace_clone_flag_names(~0ULL, names, 8), 8, "all eight CLONE_NEW* flags");
	ASSERT_EQ(nstrace_clone_flag_names(NSTRACE_CLONE_NEW_MASK, names, 8), 8, "the mask holds all eight");
	ASSERT_EQ(nstrace_clone_flag_names(~NSTRACE_CLONE_NEW_MASK, names, 8), 0, "and nothing else");
}

/* setns reads nstype as these types; NEWPID and NEWTIME name the namespaces, not *_for_children. */
static void flag_types(void)
{
	enum nstrace_ns_type types[8];
	const char *names[8];

	ASSERT_EQ(nstrace_clone_flag_types(NSTRACE_CLONE_NEWTIME | NSTRACE_CLONE_NEWPID | NSTRACE_CLONE_NEWNET | 1,
					   types, 8),
		  3, "types of NEWTIME|NEWPID|NEWNET|1");
	ASSERT_EQ(types[0], NSTRACE_NS_PID, "NEWPID");
	ASSERT_EQ(types[1], NSTRACE_NS_NET, "NEWNET");
	ASSERT_EQ(types[2], NSTRACE_NS_TIME, "NEWTIME");
	ASSERT_EQ(nstrace_clone_flag_types(~0ULL, types, 8), 8, "one type per flag");
	ASSERT_EQ(nstrace_clone_flag_names(~0ULL, names, 8), 8, "one name per flag");
	for (int i = 0; i < 8; i++)
		ASSERT_TRUE(!strcmp(names[i] + 3, "NS") ? types[i] == NSTRACE_NS_MNT
							 : !strcasecmp(names[i] + 3, nstrace_ns_name(types[i])),
			    names[i]);
}

int main(void)
{
	SUBTEST("flag types in flag-name order", flag_types());
	SUBTEST("event_check accepts each record type", check_good_records());
	SUBTEST("event_check rejects short records", check_short());
	SUBTEST("event_check rejects wrong sizes", check_wrong_size());
	SUBTEST("event_check rejects unknown types", check_unknown_type());
	SUBTEST("event_check limits pid levels", check_pid_levels());
	SUBTEST("event_check limits args_len", check_args_len());
	SUBTEST("event_check limits credentials", check_creds());
	SUBTEST("new_ns of clone", check_new_ns_clone());
	SUBTEST("new_ns of unshare", check_new_ns_unshare());
	SUBTEST("new_ns of other events", check_new_ns_other_types());
	SUBTEST("setns_entered for nsfs targets", check_setns_nsfs());
	SUBTEST("setns_entered for pidfd targets", check_setns_pidfd());
	SUBTEST("setns_entered after a failure", check_setns_failure());
	SUBTEST("exit status decoding", check_exit_status());
	SUBTEST("innermost pid", check_inner_pid());
	SUBTEST("argv walking", check_argv());
	SUBTEST("argv walking stops at the buffer", check_argv_full_buffer());
	SUBTEST("names", check_names());
	return test_summary();
}
