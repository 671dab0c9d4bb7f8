// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Who started a container: the creator's chain up to the first process that is not a runtime's. */
#include "testing.h"
#include "who.h"

struct table {
	struct who_process p[16];
	size_t n;
};

static void add(struct table *t, __u32 pid, __u32 ppid, const char *comm, const char *argv0, __u32 uid,
		__u32 auid)
{
	struct who_process *p = &t->p[t->n++];
	struct nstrace_creds creds = { 0 };
	struct runtime_hint hint;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = ppid;
	strncpy(p->comm, comm, sizeof(p->comm) - 1);
	runtime_hint_from_argv(argv0, strlen(argv0) + 1, &hint);
	p->runtime = who_is_runtime(comm, &hint);
	creds.flags = NSTRACE_CREDS_READ | NSTRACE_CREDS_AUDIT;
	creds.uid = creds.euid = uid;
	creds.loginuid = auid;
	who_set_ids(p, &creds);
}

static bool lookup(void *ctx, __u32 pid, struct who_process *out)
{
	struct table *t = ctx;

	for (size_t i = 0; i < t->n; i++) {
		if (t->p[i].pid == pid) {
			*out = t->p[i];
			return true;
		}
	}
	return false;
}

static void login_user_through_sudo(void)
{
	struct table t = { .n = 0 };
	struct who w;

	add(&t, 10, 1, "sshd", "/usr/sbin/sshd", 0, NSTRACE_UID_UNSET);
	add(&t, 20, 10, "bash", "-bash", 1000, 1000);
	add(&t, 30, 20, "sudo", "sudo", 0, 1000);
	add(&t, 40, 30, "runc", "runc", 0, 1000);
	add(&t, 41, 40, "runc:[1:CHILD]", "runc", 0, 1000);
	who_trace(41, lookup, &t, &w);
	ASSERT_EQ(w.end, WHO_USER, "ends at a user's process");
	ASSERT_STREQ(who_end_name(w.end), "user", "its name");
	ASSERT_EQ(w.count, 3, "runc's stage, runc, sudo");
	ASSERT_STREQ(w.chain[2].comm, "sudo", "the first process that is not a runtime's");
	ASSERT_EQ(w.chain[2].loginuid, 1000, "login user 1000");
	ASSERT_EQ(w.loginuid, 1000, "the chain's login uid");
	ASSERT_EQ(w.chain[2].uid, 0, "running as root");
}

static void docker_shows_a_daemon(void)
{
	struct table t = { .n = 0 };
	struct who w;

	add(&t, 100, 1, "dockerd", "/usr/sbin/dockerd", 0, NSTRACE_UID_UNSET);
	add(&t, 110, 100, "containerd", "containerd", 0, NSTRACE_UID_UNSET);
	add(&t, 200, 1, "containerd-shim", "/usr/bin/containerd-shim-runc-v2", 0, NSTRACE_UID_UNSET);
	add(&t, 210, 200, "runc", "runc", 0, NSTRACE_UID_UNSET);
	add(&t, 220, 210, "exe", "runc", 0, NSTRACE_UID_UNSET);
	who_trace(220, lookup, &t, &w);
	ASSERT_EQ(w.end, WHO_DAEMON, "only the shim shows");
	ASSERT_EQ(w.count, 3, "runc init, runc, the shim");
	ASSERT_STREQ(w.chain[2].comm, "containerd-shim", "the daemon");
	ASSERT_EQ(w.loginuid, NSTRACE_UID_UNSET, "no login uid anywhere");
}

static void unshare_from_a_shell(void)
{
	struct table t = { .n = 0 };
	struct who w;

	add(&t, 20, 1, "sh", "sh", 0, 1000);
	add(&t, 30, 20, "unshare", "unshare", 0, 1000);
	who_trace(30, lookup, &t, &w);
	ASSERT_EQ(w.end, WHO_USER, "a shell");
	ASSERT_EQ(w.count, 2, "unshare and the shell");
	ASSERT_EQ(w.chain[1].loginuid, 1000, "its login uid");
}

static void unknown_ends(void)
{
	struct table t = { .n = 0 };
	struct who w;

	add(&t, 30, 25, "runc", "runc", 0, NSTRACE_UID_UNSET);
	who_trace(30, lookup, &t, &w);
	ASSERT_EQ(w.end, WHO_DAEMON, "a runtime whose parent is gone was left by a daemon");
	ASSERT_EQ(w.count, 1, "runc alone");
	who_trace(99, lookup, &t, &w);
	ASSERT_EQ(w.count, 0, "creator not known");
	ASSERT_EQ(w.end, WHO_UNKNOWN, "nothing");
	/* a loop of runtime processes (pids reused while walking) ends at the chain's length */
	t.n = 0;
	add(&t, 50, 51, "runc", "runc", 0, 0);
	add(&t, 51, 50, "runc", "runc", 0, 0);
	who_trace(50, lookup, &t, &w);
	ASSERT_EQ(w.count, WHO_MAX_CHAIN, "bounded");
	ASSERT_EQ(w.end, WHO_UNKNOWN, "no end found");
}

static void runtime_names(void)
{
	struct runtime_hint none = { .runtime = RUNTIME_UNKNOWN };

	ASSERT_TRUE(who_is_runtime("runc:[2:INIT]", &none), "runc stage by comm");
	ASSERT_TRUE(who_is_runtime("conmon", &none), "conmon");
	ASSERT_TRUE(who_is_runtime("containerd-shim", NULL), "no hint");
	ASSERT_TRUE(!who_is_runtime("bash", &none), "bash");
	ASSERT_TRUE(!who_is_runtime("sudo", &none), "sudo");
	ASSERT_STREQ(who_end_name(WHO_DAEMON), "daemon", "daemon");
}

static void ids_from_creds(void)
{
	struct nstrace_creds c = { .flags = NSTRACE_CREDS_READ, .uid = 5, .euid = 6, .gid = 7, .loginuid = 8 };
	struct who_process p;

	who_set_ids(&p, &c);
	ASSERT_TRUE(p.ids_known && !p.audit, "read, no audit");
	ASSERT_TRUE(p.uid == 5 && p.euid == 6 && p.gid == 7, "ids");
	ASSERT_EQ(p.loginuid, NSTRACE_UID_UNSET, "no login uid without CONFIG_AUDIT");
	c.flags |= NSTRACE_CREDS_AUDIT;
	who_set_ids(&p, &c);
	ASSERT_EQ(p.loginuid, 8, "login uid");
	c.flags = 0;
	who_set_ids(&p, &c);
	ASSERT_TRUE(!p.ids_known, "unread");
}

int main(void)
{
	SUBTEST("login user through sudo", login_user_through_sudo());
	SUBTEST("docker: only a daemon shows", docker_shows_a_daemon());
	SUBTEST("unshare from a shell", unshare_from_a_shell());
	SUBTEST("chains that end unknown", unknown_ends());
	SUBTEST("runtime processes", runtime_names());
	SUBTEST("ids from credentials", ids_from_creds());
	return test_summary();
}
