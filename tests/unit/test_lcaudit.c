// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* What the lifecycle model keeps for auditing: credentials per process, who created a container. */
#include "testing.h"
#include "lctrace.h"

struct audit_seen {
	struct who who; /* at LC_CREATE */
	struct nstrace_creds init_creds; /* at the first exec of init */
	int creates;
};

static void on_transition(void *ctx, const struct lc_transition *t)
{
	struct audit_seen *s = ctx;

	if (t->kind == LC_CREATE) {
		s->who = t->container->who;
		s->creates++;
	}
	if (t->kind == LC_EXEC && t->exec.index == 1)
		s->init_creds = t->container->init_creds;
}

/* The next exec carries these credentials. */
static int exec_as(struct lifecycle *lc, const struct task *t, __u32 uid, __u32 auid, __u64 caps,
		   const char *file)
{
	start_record(NSTRACE_EVENT_EXEC, t);
	ev.exec.old_tid = ev.hdr.tid;
	snprintf(ev.exec.filename, sizeof(ev.exec.filename), "%s", file);
	set_args(&ev.exec, file, strlen(file) + 1);
	ev.exec.creds.flags = NSTRACE_CREDS_READ | NSTRACE_CREDS_AUDIT;
	ev.exec.creds.uid = ev.exec.creds.euid = uid;
	ev.exec.creds.loginuid = auid;
	ev.exec.creds.cap_effective = ev.exec.creds.cap_permitted = caps;
	return feed(lc);
}

static void login_chain(void)
{
	struct audit_seen s = { .creates = 0 };
	struct lifecycle *lc = lifecycle_new(on_transition, &s);
	struct nstrace_ns_set host = host_ns(), c1 = container_ns(C1);
	struct task bash = { .pid = 20, .ppid = 10, .comm = "bash", .ns = host };
	/* a fork has its parent's name until it execs */
	struct task sudo = { .pid = 30, .ppid = 20, .comm = "bash", .ns = host };
	struct task runc = { .pid = 40, .ppid = 30, .comm = "sudo", .ns = host };
	struct task init = { .pid = 41, .ppid = 40, .comm = "runc", .levels = 2, .nspid = { 41, 1 }, .ns = c1 };

	ASSERT_EQ(exec_as(lc, &bash, 1000, 1000, 0, "/bin/bash"), 0, "bash");
	ASSERT_EQ(do_clone(lc, &sudo, &bash, 0), 0, "fork");
	sudo.comm = "sudo";
	ASSERT_EQ(exec_as(lc, &sudo, 0, 1000, ~0ULL, "/usr/bin/sudo"), 0, "sudo");
	ASSERT_EQ(do_clone(lc, &runc, &sudo, 0), 0, "fork");
	runc.comm = "runc";
	ASSERT_EQ(exec_as(lc, &runc, 0, 1000, ~0ULL, "runc"), 0, "runc");
	ASSERT_EQ(do_clone(lc, &init, &runc, RUNC_FLAGS), 0, "clone NEWPID");
	ASSERT_EQ(s.who.count, 2, "runc, then sudo");
	ASSERT_EQ(s.who.end, WHO_USER, "ends at a user's process");
	ASSERT_STREQ(s.who.chain[0].comm, "runc", "creator");
	ASSERT_STREQ(s.who.chain[1].comm, "sudo", "sudo is no runtime: the chain stops there");
	ASSERT_TRUE(s.who.chain[1].ids_known && s.who.chain[1].uid == 0 && s.who.chain[1].loginuid == 1000,
		    "sudo as root for login user 1000");
	ASSERT_EQ(exec_as(lc, &init, 1000, 1000, 0, "/bin/sh"), 0, "init execs the command");
	ASSERT_EQ(s.init_creds.uid, 1000, "init's credentials at its first exec");
	ASSERT_EQ(s.init_creds.loginuid, 1000, "login uid carried into the container");
	lifecycle_free(lc);
}

static void forks_inherit(void)
{
	struct audit_seen s = { .creates = 0 };
	struct lifecycle *lc = lifecycle_new(on_transition, &s);
	struct nstrace_ns_set host = host_ns(), c1 = container_ns(C1);
	struct task shim = { .pid = 50, .ppid = 1, .comm = "containerd-shim", .ns = host };
	struct task runc = { .pid = 60, .ppid = 50, .comm = "containerd-shim", .ns = host };
	struct task init = { .pid = 61, .ppid = 60, .comm = "runc", .levels = 2, .nspid = { 61, 1 }, .ns = c1 };

	ASSERT_EQ(exec_as(lc, &shim, 0, NSTRACE_UID_UNSET, ~0ULL, "/usr/bin/containerd-shim-runc-v2"), 0, "shim");
	ASSERT_EQ(do_clone(lc, &runc, &shim, 0), 0, "fork");
	runc.comm = "runc";
	ASSERT_EQ(exec_as(lc, &runc, 0, NSTRACE_UID_UNSET, ~0ULL, "runc"), 0, "runc");
	ASSERT_EQ(do_clone(lc, &init, &runc, RUNC_FLAGS), 0, "clone NEWPID");
	ASSERT_EQ(s.who.end, WHO_DAEMON, "docker's chain ends in the shim");
	ASSERT_EQ(s.who.count, 2, "runc and the shim");
	ASSERT_EQ(s.who.chain[1].loginuid, NSTRACE_UID_UNSET, "no login uid");
	lifecycle_free(lc);
}

int main(void)
{
	SUBTEST("login uid through sudo to runc", login_chain());
	SUBTEST("docker: the chain ends in a daemon", forks_inherit());
	return test_summary();
}
