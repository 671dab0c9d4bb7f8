// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Containers that share namespaces with the host or with each other, fed
 * as runc, crun, systemd-nspawn, docker and podman make the kernel report
 * them: what is a container, what it shares, its init, joins into it, its
 * end, and the same containers found running in a /proc snapshot.
 */
#include "lifecycle.h"
#include "testing.h"
#include "records.h"
#include "lctrace.h"

#define BIT(t) (1u << (t))
#define OCI_MADE (BIT(NSTRACE_NS_MNT) | BIT(NSTRACE_NS_UTS) | BIT(NSTRACE_NS_IPC) | BIT(NSTRACE_NS_NET))
#define HOSTPID_FLAGS (NSTRACE_CLONE_NEWNS | NSTRACE_CLONE_NEWUTS | NSTRACE_CLONE_NEWIPC | NSTRACE_CLONE_NEWNET)

static const char docker_id[] = "4a3b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b";
static const char side_id[] = "5b4c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c";

/* "private", "host", "other", "?" or the container key, for comparing whole lines. */
static const char *share_word(const struct lc_container *c, int type)
{
	static char buf[NSTRACE_NS_TYPE_COUNT][24];
	const struct lc_share *s = &c->share[type];

	switch (s->kind) {
	case LC_SHARE_PRIVATE:
		return "private";
	case LC_SHARE_HOST:
		return "host";
	case LC_SHARE_OTHER:
		return "other";
	case LC_SHARE_CONTAINER:
		snprintf(buf[type], sizeof(buf[type]), "c%llu", (unsigned long long)s->serial);
		return buf[type];
	case LC_SHARE_UNKNOWN:
		break;
	}
	return "?";
}

/* mnt, uts, ipc, pid, net, cgroup, user, time: what each is to the container. */
static const char *sharing(const struct lc_container *c)
{
	static const int types[] = { NSTRACE_NS_MNT, NSTRACE_NS_UTS,	NSTRACE_NS_IPC,	 NSTRACE_NS_PID,
				     NSTRACE_NS_NET, NSTRACE_NS_CGROUP, NSTRACE_NS_USER, NSTRACE_NS_TIME };
	static char buf[256];
	size_t used = 0;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		used += snprintf(buf + used, sizeof(buf) - used, "%s%s:%s", i ? " " : "", nstrace_ns_name(types[i]),
				 share_word(c, types[i]));
	return buf;
}

/*
 * runc's init stages under a manager: [0:PARENT] runs "runc init",
 * [1:CHILD] (its CLONE_PARENT child) makes the namespaces in flags after
 * entering those in joins, [2:INIT] (again CLONE_PARENT) is the process
 * that becomes the command. The runtime process is left to exit.
 */
struct runc_start {
	struct task runtime, parent, child, init;
};

/*
 * The processes of one runc start: the runtime (or the shim or conmon
 * that runs it) at first_pid, then runc's parent, the child that makes
 * the namespaces c, and the init that runs in them.
 */
static struct runc_start runc_tasks(__u32 first_pid, __u32 ppid, const char *runtime_comm,
				    struct nstrace_ns_set h, struct nstrace_ns_set c)
{
	return (struct runc_start){
		.runtime = { .pid = first_pid, .ppid = ppid, .comm = runtime_comm, .ns = h },
		.parent = { .pid = first_pid + 1, .ppid = first_pid, .comm = "runc", .ns = h },
		.child = { .pid = first_pid + 2, .ppid = first_pid, .comm = "exe", .ns = c },
		.init = { .pid = first_pid + 3, .ppid = first_pid, .comm = "runc:[1:CHILD]", .ns = c },
	};
}

static void runc_init_stages(struct lifecycle *lc, struct runc_start *r, __u64 flags)
{
	do_clone(lc, &r->parent, &r->runtime, 0);
	do_exec(lc, &r->parent, "/proc/self/exe", "runc", "init", NULL);
	r->parent.comm = "exe";
	do_clone(lc, &r->child, &r->parent, NSTRACE_CLONE_PARENT);
	r->child.comm = "runc:[1:CHILD]";
	do_unshare(lc, &r->child, flags);
	do_clone(lc, &r->init, &r->child, NSTRACE_CLONE_PARENT);
	do_exit(lc, &r->child, 0);
	do_exit(lc, &r->parent, 0);
	r->init.comm = "runc:[2:INIT]";
}

/* docker run --pid=host, then docker exec, then the command exits 7 while the exec'd one runs. */
static void test_docker_pid_host(void)
{
	struct lifecycle *lc = fresh_on_host();
	struct nstrace_ns_set h = host_ns(), c = made_ns(C1, OCI_MADE);
	struct task shim = { .pid = 400, .ppid = 1, .comm = "containerd-shim", .ns = h };
	struct runc_start r = runc_tasks(401, 400, "containerd-shim", h, c);
	struct task exec_runc = { .pid = 410, .ppid = 400, .comm = "containerd-shim", .ns = h };
	struct task exec_child = { .pid = 412, .ppid = 410, .comm = "runc:[1:CHILD]", .ns = h };
	struct task exec_init = { .pid = 413, .ppid = 410, .comm = "runc:[1:CHILD]", .ns = c };
	static const int types[] = { NSTRACE_NS_IPC, NSTRACE_NS_UTS, NSTRACE_NS_NET, NSTRACE_NS_PID_FOR_CHILDREN,
				     NSTRACE_NS_MNT };
	const struct seen *s;

	do_exec(lc, &shim, "/usr/bin/containerd-shim-runc-v2", "containerd-shim-runc-v2", "-namespace", "moby", "-id",
		docker_id, NULL);
	do_clone(lc, &r.runtime, &shim, 0);
	do_exec(lc, &r.runtime, "/usr/sbin/runc", "runc", "--root", "/r", "create", "--bundle", "/b", docker_id, NULL);
	r.runtime.comm = "runc";
	runc_init_stages(lc, &r, HOSTPID_FLAGS);
	do_exit(lc, &r.runtime, 0);
	ASSERT_EQ(nseen, 0, "no container before the command runs");
	do_exec(lc, &r.init, "/bin/sh", "sh", "-c", "sleep 1; exit 7", NULL);

	/* docker exec: setns into every namespace it has, the host's pid namespace among them */
	do_clone(lc, &exec_runc, &shim, 0);
	do_exec(lc, &exec_runc, "/usr/sbin/runc", "runc", "exec", "--process", "/p.json", docker_id, NULL);
	do_clone(lc, &exec_child, &exec_runc, 0);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		exec_child.ns.inum[types[i]] = c.inum[types[i]];
		do_setns(lc, &exec_child, types[i], 0);
	}
	do_clone(lc, &exec_init, &exec_child, NSTRACE_CLONE_PARENT);
	do_exit(lc, &exec_child, 0);
	do_exec(lc, &exec_init, "/bin/sleep", "sleep", "9", NULL);
	do_exit(lc, &r.init, 7);
	ASSERT_EQ(find_seen(LC_DESTROY, 0) != NULL, 0, "alive while the exec'd process is");
	do_exit(lc, &exec_init, 0);
	do_exit(lc, &exec_runc, 0);

	ASSERT_STREQ(sequence(),
		     "c1:create:403 c1:init:404 c1:exec:404 c1:join:412 c1:exec:413 c1:exit:404 c1:destroy:404",
		     "a container without a pid namespace of its own");
	s = must_find(LC_CREATE, 0);
	ASSERT_EQ(s->c.key, LC_KEY_MNTNS, "known by its mount namespace");
	ASSERT_EQ(s->c.mntns, C1 + NSTRACE_NS_MNT, "its mount namespace");
	ASSERT_EQ(s->c.pidns, HOST + NSTRACE_NS_PID, "the host's pid namespace");
	ASSERT_EQ(s->c.generation, 0, "the inode's first mount namespace");
	ASSERT_EQ(s->c.origin, LC_BY_UNSHARE, "made by unshare");
	ASSERT_STREQ(runtime_name(s->c.runtime.runtime), "docker", "runtime through the shim");
	ASSERT_STREQ(s->c.runtime.id, docker_id, "container ID");
	ASSERT_STREQ(s->c.creator_comm, "runc:[1:CHILD]", "made by runc's second stage");
	ASSERT_STREQ(sharing(&s->c),
		     "mnt:private uts:private ipc:private pid:host net:private cgroup:host user:host time:host",
		     "shares the host's pid namespace");
	ASSERT_TRUE(s->time_ns < must_find(LC_INIT, 0)->time_ns, "created when the mount namespace was made");
	s = must_find(LC_INIT, 0);
	ASSERT_EQ(s->c.init_pid, 404, "init is the process that becomes the command");
	ASSERT_EQ(s->c.init_nspid_levels, 1, "at the host's level");
	ASSERT_TRUE(s->time_ns < must_find(LC_EXEC, 0)->time_ns, "init from its clone");
	s = must_find(LC_EXEC, 0);
	ASSERT_EQ(s->exec_index, 1, "the command is exec #1");
	ASSERT_STREQ(s->argv0, "sh", "the command");
	s = must_find(LC_JOIN, 0);
	ASSERT_EQ(s->entered.inum[NSTRACE_NS_MNT], c.inum[NSTRACE_NS_MNT], "docker exec enters its mount namespace");
	ASSERT_EQ(s->entered.inum[NSTRACE_NS_NET], c.inum[NSTRACE_NS_NET], "and its network namespace");
	ASSERT_EQ(s->entered.inum[NSTRACE_NS_PID], 0, "the host's pid namespace is no part of the join");
	ASSERT_TRUE(must_find(LC_EXEC, 1)->joined, "the exec'd command is a joined exec");
	s = must_find(LC_EXIT, 0);
	ASSERT_EQ(s->c.exit_code >> 8, 7, "init's exit code");
	ASSERT_EQ(s->survivor_count, 1, "the exec'd process survives init");
	ASSERT_EQ(s->survivors[0], 413, "survivor");
	s = must_find(LC_DESTROY, 0);
	ASSERT_EQ(s->c.execs, 1, "execs");
	ASSERT_EQ(s->c.joins, 1, "joins");
	ASSERT_EQ(lifecycle_counts(lc).processes, 2, "the host's pid 1 and the shim are left");
	lifecycle_free(lc);
}

/* A container with a pid namespace of its own, as runc makes it, with the types in flags made for it. */
static void start_pid_container(struct lifecycle *lc, __u32 pid, __u32 base, __u64 flags, const char *cmd)
{
	static const struct {
		__u64 flag;
		int type;
	} made[] = {
		{ NSTRACE_CLONE_NEWNS, NSTRACE_NS_MNT },   { NSTRACE_CLONE_NEWUTS, NSTRACE_NS_UTS },
		{ NSTRACE_CLONE_NEWIPC, NSTRACE_NS_IPC },  { NSTRACE_CLONE_NEWPID, NSTRACE_NS_PID },
		{ NSTRACE_CLONE_NEWNET, NSTRACE_NS_NET },
	};
	unsigned int mask = 0;
	struct task un = { .pid = pid, .ppid = 1, .comm = "runc:[1:CHILD]" };
	struct task init = { .pid = pid + 1, .ppid = 1, .comm = "runc:[2:INIT]", .levels = 2, .nspid = { 0, 1 } };

	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		if (flags & made[i].flag)
			mask |= BIT(made[i].type);
	init.ns = made_ns(base, mask);
	un.ns = init.ns;
	un.ns.inum[NSTRACE_NS_PID] = HOST + NSTRACE_NS_PID;
	do_unshare(lc, &un, flags);
	do_clone(lc, &init, &un, NSTRACE_CLONE_PARENT);
	do_exit(lc, &un, 0);
	do_exec(lc, &init, cmd, cmd, NULL);
}

/*
 * docker run --pid=container:X --network container:X: runc enters X's pid
 * and network namespaces, then makes the rest. That is no join into X;
 * docker exec into the new container is a join into it, not into X.
 */
static void test_pid_and_net_of_another(void)
{
	struct lifecycle *lc = fresh_on_host();
	struct nstrace_ns_set h = host_ns(), x = container_ns(C1);
	struct nstrace_ns_set side = made_ns(C2, BIT(NSTRACE_NS_MNT) | BIT(NSTRACE_NS_UTS) | BIT(NSTRACE_NS_IPC));
	struct task runc = { .pid = 600, .ppid = 1, .comm = "runc", .ns = h };
	struct task child = { .pid = 601, .ppid = 1, .comm = "runc:[1:CHILD]", .ns = h };
	struct task init = { .pid = 602, .ppid = 1, .comm = "runc:[2:INIT]", .levels = 2, .nspid = { 0, 5 } };
	struct task exec_runc = { .pid = 609, .ppid = 1, .comm = "runc", .ns = h };
	struct task exec_child = { .pid = 610, .ppid = 1, .comm = "runc:[1:CHILD]", .ns = h };
	struct task exec_init = { .pid = 611, .ppid = 1, .comm = "runc:[2:INIT]", .levels = 2, .nspid = { 0, 6 } };
	struct task x_init = { .pid = 501, .ppid = 1, .comm = "sleep", .levels = 2, .nspid = { 0, 1 }, .ns = x };
	static const int exec_types[] = { NSTRACE_NS_IPC, NSTRACE_NS_UTS, NSTRACE_NS_NET, NSTRACE_NS_PID_FOR_CHILDREN,
					  NSTRACE_NS_MNT };
	const struct seen *s;

	start_pid_container(lc, 500, C1, RUNC_FLAGS, "sleep");
	side.inum[NSTRACE_NS_PID] = side.inum[NSTRACE_NS_PID_FOR_CHILDREN] = x.inum[NSTRACE_NS_PID];
	side.inum[NSTRACE_NS_NET] = x.inum[NSTRACE_NS_NET];
	init.ns = exec_init.ns = side;

	do_exec(lc, &runc, "/usr/sbin/runc", "runc", "init", NULL);
	do_clone(lc, &child, &runc, NSTRACE_CLONE_PARENT);
	child.ns.inum[NSTRACE_NS_PID_FOR_CHILDREN] = x.inum[NSTRACE_NS_PID];
	do_setns(lc, &child, NSTRACE_NS_PID_FOR_CHILDREN, NSTRACE_CLONE_NEWPID);
	child.ns.inum[NSTRACE_NS_NET] = x.inum[NSTRACE_NS_NET];
	do_setns(lc, &child, NSTRACE_NS_NET, NSTRACE_CLONE_NEWNET);
	child.ns = side;
	child.ns.inum[NSTRACE_NS_PID] = h.inum[NSTRACE_NS_PID];
	do_unshare(lc, &child, NSTRACE_CLONE_NEWNS | NSTRACE_CLONE_NEWUTS | NSTRACE_CLONE_NEWIPC);
	do_clone(lc, &init, &child, NSTRACE_CLONE_PARENT);
	do_exit(lc, &child, 0);
	do_exit(lc, &runc, 0);
	do_exec(lc, &init, "/bin/sh", "sh", NULL);

	do_exec(lc, &exec_runc, "/usr/sbin/runc", "runc", "init", NULL);
	do_clone(lc, &exec_child, &exec_runc, NSTRACE_CLONE_PARENT);
	for (size_t i = 0; i < sizeof(exec_types) / sizeof(exec_types[0]); i++) {
		exec_child.ns.inum[exec_types[i]] = side.inum[exec_types[i]];
		do_setns(lc, &exec_child, exec_types[i], 0);
	}
	do_clone(lc, &exec_init, &exec_child, NSTRACE_CLONE_PARENT);
	do_exit(lc, &exec_child, 0);
	do_exit(lc, &exec_runc, 0);
	do_exec(lc, &exec_init, "/bin/ls", "ls", NULL);
	ASSERT_EQ(must_find(LC_INIT, 0)->c.members, 1, "X counts its own processes only");

	/* X's pid 1 ends: the kernel kills every process in its pid namespace, the other container's too */
	do_exit(lc, &x_init, 0);
	do_exit(lc, &init, 9);
	do_exit(lc, &exec_init, 9);

	ASSERT_STREQ(sequence(),
		     "c1:create:500 c1:init:501 c1:exec:501 c2:create:601 c2:init:602 c2:exec:602 c2:join:610 "
		     "c2:exec:611 c1:exit:501 c1:destroy:501 c2:exit:602 c2:destroy:602",
		     "no join into X; docker exec joins the new container");
	s = must_find(LC_CREATE, 1);
	ASSERT_EQ(s->c.key, LC_KEY_MNTNS, "known by its mount namespace");
	ASSERT_EQ(s->c.pidns, x.inum[NSTRACE_NS_PID], "lives in X's pid namespace");
	ASSERT_STREQ(sharing(&s->c),
		     "mnt:private uts:private ipc:private pid:c1 net:c1 cgroup:host user:host time:host",
		     "shares X's pid and network namespaces");
	s = must_find(LC_INIT, 1);
	ASSERT_EQ(s->c.init_pid, 602, "init on the host");
	ASSERT_EQ(s->c.init_nspid_levels, 2, "two pid levels");
	ASSERT_EQ(s->c.init_nspid[1], 5, "its pid in X's pid namespace");
	s = must_find(LC_JOIN, 0);
	ASSERT_EQ(s->entered.inum[NSTRACE_NS_MNT], side.inum[NSTRACE_NS_MNT], "entered its mount namespace");
	ASSERT_EQ(s->entered.inum[NSTRACE_NS_PID], x.inum[NSTRACE_NS_PID], "and the pid namespace it shares");
	ASSERT_EQ(s->entered.inum[NSTRACE_NS_NET], x.inum[NSTRACE_NS_NET], "and the network namespace it shares");
	s = must_find(LC_DESTROY, 1);
	ASSERT_STREQ(share_word(&s->c, NSTRACE_NS_PID), "c1", "what it shared stays so after X is gone");
	lifecycle_free(lc);
}

/* docker run --ipc host, --uts host, --network host: a pid namespace of its own, one type the host's. */
static void test_one_type_of_the_host(void)
{
	static const struct {
		__u64 flag;
		const char *sharing;
	} cases[] = {
		{ NSTRACE_CLONE_NEWIPC,
		  "mnt:private uts:private ipc:host pid:private net:private cgroup:host user:host time:host" },
		{ NSTRACE_CLONE_NEWUTS,
		  "mnt:private uts:host ipc:private pid:private net:private cgroup:host user:host time:host" },
		{ NSTRACE_CLONE_NEWNET,
		  "mnt:private uts:private ipc:private pid:private net:host cgroup:host user:host time:host" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lifecycle *lc = fresh_on_host();
		const struct seen *s;

		start_pid_container(lc, 700, C1, RUNC_FLAGS & ~cases[i].flag, "sh");
		ASSERT_STREQ(sequence(), "c1:create:700 c1:init:701 c1:exec:701", "a container");
		s = must_find(LC_CREATE, 0);
		ASSERT_EQ(s->c.key, LC_KEY_PIDNS, "known by its pid namespace");
		ASSERT_STREQ(sharing(&s->c), cases[i].sharing, "the host's type is the host's");
		lifecycle_free(lc);
	}
}

/*
 * A pod as CRI runtimes build it: the application container's runc enters
 * the sandbox's network, IPC and UTS namespaces by path and makes its own
 * pid and mount namespaces.
 */
static void test_pod(void)
{
	struct lifecycle *lc = fresh_on_host();
	struct nstrace_ns_set h = host_ns(), sandbox = container_ns(C1);
	struct nstrace_ns_set app = made_ns(C2, BIT(NSTRACE_NS_MNT) | BIT(NSTRACE_NS_PID));
	struct task child = { .pid = 800, .ppid = 1, .comm = "runc:[1:CHILD]", .ns = h };
	struct task init = { .pid = 801, .ppid = 1, .comm = "runc:[2:INIT]", .levels = 2, .nspid = { 0, 1 } };
	static const int joined[] = { NSTRACE_NS_NET, NSTRACE_NS_IPC, NSTRACE_NS_UTS };
	const struct seen *s;

	start_pid_container(lc, 700, C1, RUNC_FLAGS, "/pause");
	for (size_t i = 0; i < sizeof(joined) / sizeof(joined[0]); i++) {
		app.inum[joined[i]] = sandbox.inum[joined[i]];
		child.ns.inum[joined[i]] = sandbox.inum[joined[i]];
		do_setns(lc, &child, joined[i], 0);
	}
	init.ns = app;
	child.ns = app;
	child.ns.inum[NSTRACE_NS_PID] = h.inum[NSTRACE_NS_PID];
	do_unshare(lc, &child, NSTRACE_CLONE_NEWPID | NSTRACE_CLONE_NEWNS);
	do_clone(lc, &init, &child, NSTRACE_CLONE_PARENT);
	do_exit(lc, &child, 0);
	do_exec(lc, &init, "/app", "app", NULL);

	ASSERT_STREQ(sequence(), "c1:create:700 c1:init:701 c1:exec:701 c2:create:800 c2:init:801 c2:exec:801",
		     "sandbox and application; entering the sandbox's namespaces to make it is no join");
	s = must_find(LC_CREATE, 0);
	ASSERT_STREQ(sharing(&s->c),
		     "mnt:private uts:private ipc:private pid:private net:private cgroup:host user:host time:host",
		     "the sandbox's own");
	s = must_find(LC_CREATE, 1);
	ASSERT_STREQ(sharing(&s->c), "mnt:private uts:c1 ipc:c1 pid:private net:c1 cgroup:host user:host time:host",
		     "the application shares the sandbox's network, IPC and UTS namespaces");
	lifecycle_free(lc);
}

/* podman run --pid=host --network none: conmon starts runc, which makes a mount namespace and the rest. */
static void test_podman_pid_host(void)
{
	struct lifecycle *lc = fresh_on_host();
	struct nstrace_ns_set h = host_ns(), c = made_ns(C3, OCI_MADE);
	struct task conmon = { .pid = 900, .ppid = 1, .comm = "conmon", .ns = h };
	struct runc_start r = runc_tasks(901, 900, "conmon", h, c);
	const struct seen *s;

	do_exec(lc, &conmon, "/usr/bin/conmon", "/usr/bin/conmon", "--api-version", "1", "-c", "pod1", "-u", "pod1",
		"--exit-command", "/usr/bin/podman", NULL);
	do_clone(lc, &r.runtime, &conmon, 0);
	do_exec(lc, &r.runtime, "/usr/sbin/runc", "runc", "create", "--bundle", "/b", "pod1", NULL);
	runc_init_stages(lc, &r, HOSTPID_FLAGS);
	do_exit(lc, &r.runtime, 0);
	do_exec(lc, &r.init, "/bin/true", "true", NULL);
	do_exit(lc, &r.init, 0);
	ASSERT_STREQ(sequence(), "c1:create:903 c1:init:904 c1:exec:904 c1:exit:904 c1:destroy:904", "a container");
	s = must_find(LC_CREATE, 0);
	ASSERT_STREQ(runtime_name(s->c.runtime.runtime), "podman", "podman through conmon");
	ASSERT_STREQ(s->c.runtime.id, "pod1", "its ID");
	ASSERT_STREQ(share_word(&s->c, NSTRACE_NS_PID), "host", "the host's pid namespace");
	lifecycle_free(lc);
}

/* crun makes the container process with clone(CLONE_NEWNS | ...); that process runs the command. */
static void test_crun_pid_host(void)
{
	struct lifecycle *lc = fresh_on_host();
	struct nstrace_ns_set h = host_ns();
	struct task crun = { .pid = 950, .ppid = 1, .comm = "crun", .ns = h };
	struct task child = { .pid = 951, .ppid = 950, .comm = "crun", .ns = made_ns(C1, OCI_MADE) };
	const struct seen *s;

	do_exec(lc, &crun, "/usr/bin/crun", "crun", "run", "-b", "/b", "web", NULL);
	do_clone(lc, &child, &crun, HOSTPID_FLAGS);
	do_exec(lc, &child, "/bin/sh", "sh", NULL);
	do_exit(lc, &child, 3 << 0);
	ASSERT_STREQ(sequence(), "c1:create:950 c1:init:951 c1:exec:951 c1:exit:951 c1:destroy:951", "a container");
	s = must_find(LC_CREATE, 0);
	ASSERT_EQ(s->c.origin, LC_BY_CLONE, "made by clone");
	ASSERT_STREQ(runtime_name(s->c.runtime.runtime), "crun", "crun");
	ASSERT_STREQ(s->c.runtime.id, "web", "its ID");
	ASSERT_STREQ(sharing(&s->c),
		     "mnt:private uts:private ipc:private pid:host net:private cgroup:host user:host time:host",
		     "what it shares");
	lifecycle_free(lc);
}

/*
 * systemd-nspawn makes the mount namespace in one child and the pid
 * namespace in that child's child: one container, known by its pid namespace.
 */
static void test_nspawn_two_steps(void)
{
	struct lifecycle *lc = fresh_on_host();
	struct nstrace_ns_set h = host_ns(), outer_ns = made_ns(C1, BIT(NSTRACE_NS_MNT));
	struct nstrace_ns_set inner_ns = made_ns(C2, BIT(NSTRACE_NS_UTS) | BIT(NSTRACE_NS_IPC) | BIT(NSTRACE_NS_PID));
	struct task nspawn = { .pid = 960, .ppid = 1, .comm = "systemd-nspawn", .ns = h };
	struct task outer = { .pid = 961, .ppid = 960, .comm = "systemd-nspawn", .ns = outer_ns };
	struct task inner = { .pid = 962, .ppid = 961, .comm = "systemd-nspawn", .levels = 2, .nspid = { 0, 1 } };
	const struct seen *s;

	inner_ns.inum[NSTRACE_NS_MNT] = outer_ns.inum[NSTRACE_NS_MNT];
	inner.ns = inner_ns;
	do_exec(lc, &nspawn, "/usr/bin/systemd-nspawn", "systemd-nspawn", "-M", "box", "-D", "/r", "/bin/sh", NULL);
	do_clone(lc, &outer, &nspawn, NSTRACE_CLONE_NEWNS);
	do_clone(lc, &inner, &outer, NSTRACE_CLONE_NEWPID | NSTRACE_CLONE_NEWUTS | NSTRACE_CLONE_NEWIPC);
	do_exec(lc, &inner, "/bin/sh", "sh", NULL);
	do_exit(lc, &inner, 0);
	do_exit(lc, &outer, 0);
	ASSERT_STREQ(sequence(), "c1:create:961 c1:init:962 c1:exec:962 c1:exit:962 c1:destroy:962", "one container");
	s = must_find(LC_CREATE, 0);
	ASSERT_EQ(s->c.key, LC_KEY_PIDNS, "known by its pid namespace");
	ASSERT_STREQ(runtime_name(s->c.runtime.runtime), "systemd-nspawn", "nspawn");
	ASSERT_STREQ(sharing(&s->c),
		     "mnt:private uts:private ipc:private pid:private net:host cgroup:host user:host time:host",
		     "the mount namespace made for it is its own");
	ASSERT_EQ(lifecycle_counts(lc).containers, 1, "one container");
	lifecycle_free(lc);
}

/* New mount namespaces that are no container; unshare --pid --fork still is one. */
static void test_not_containers(void)
{
	struct lifecycle *lc = fresh_on_host();
	struct nstrace_ns_set h = host_ns(), m1 = made_ns(C1, BIT(NSTRACE_NS_MNT)), m2 = made_ns(C2, BIT(NSTRACE_NS_MNT));
	struct task bash = { .pid = 300, .ppid = 1, .comm = "bash", .ns = h };
	struct task un = { .pid = 301, .ppid = 300, .comm = "bash", .ns = h };
	struct task systemd = { .pid = 1, .comm = "systemd", .ns = h };
	struct task service = { .pid = 310, .ppid = 1, .comm = "(cron)", .ns = h };
	struct task dockerd = { .pid = 320, .ppid = 1, .comm = "dockerd", .ns = h };
	struct task untar = { .pid = 321, .ppid = 320, .comm = "dockerd", .ns = h };
	struct runc_start r = runc_tasks(330, 1, "runc", h, made_ns(C3, OCI_MADE));
	struct nstrace_ns_set unshared = made_ns(C4, BIT(NSTRACE_NS_MNT) | BIT(NSTRACE_NS_PID));
	struct task pid_un = { .pid = 340, .ppid = 300, .comm = "unshare", .ns = unshared };
	struct task pid_init = { .pid = 341, .ppid = 340, .comm = "unshare", .levels = 2, .nspid = { 0, 1 },
				 .ns = unshared };

	/* unshare -m in a shell */
	do_clone(lc, &un, &bash, 0);
	do_exec(lc, &un, "/usr/bin/unshare", "unshare", "-m", "sh", NULL);
	un.ns = m1;
	do_unshare(lc, &un, NSTRACE_CLONE_NEWNS);
	do_exec(lc, &un, "/bin/sh", "sh", NULL);
	do_exit(lc, &un, 0);
	/* a service with a private /tmp */
	do_clone(lc, &service, &systemd, 0);
	service.ns = m2;
	do_unshare(lc, &service, NSTRACE_CLONE_NEWNS);
	do_exec(lc, &service, "/usr/sbin/cron", "cron", NULL);
	/* dockerd unpacking a layer in a mount namespace of its own */
	do_exec(lc, &dockerd, "/usr/bin/dockerd", "dockerd", NULL);
	do_clone(lc, &untar, &dockerd, 0);
	do_exec(lc, &untar, "/proc/self/exe", "docker-untar", "/d", NULL);
	untar.ns = m1;
	do_unshare(lc, &untar, NSTRACE_CLONE_NEWNS);
	do_exit(lc, &untar, 0);
	/* runc create, then runc delete before start: its init never ran the command */
	do_exec(lc, &r.runtime, "/usr/sbin/runc", "runc", "create", "never", NULL);
	runc_init_stages(lc, &r, HOSTPID_FLAGS);
	do_exit(lc, &r.runtime, 0);
	do_exit(lc, &r.init, 9);
	ASSERT_EQ(nseen, 0, "none of them is a container");
	ASSERT_EQ(lifecycle_counts(lc).containers, 0, "none counted");

	/* unshare --pid --fork --mount */
	pid_un.ns.inum[NSTRACE_NS_PID] = h.inum[NSTRACE_NS_PID];
	do_unshare(lc, &pid_un, UNSHARE_FLAGS);
	do_clone(lc, &pid_init, &pid_un, 0);
	ASSERT_STREQ(sequence(), "c1:create:340 c1:init:341", "a pid namespace of its own is a container");
	ASSERT_STREQ(sharing(&must_find(LC_INIT, 0)->c),
		     "mnt:private uts:host ipc:host pid:private net:host cgroup:host user:host time:host",
		     "its own pid and mount namespaces, the host's others");
	lifecycle_free(lc);
}

static void run_pid_host(struct lifecycle *lc, __u32 first_pid, int code)
{
	struct nstrace_ns_set h = host_ns(), c = made_ns(C1, OCI_MADE);
	struct runc_start r = runc_tasks(first_pid, 1, "runc", h, c);

	do_exec(lc, &r.runtime, "/usr/sbin/runc", "runc", "run", "t", NULL);
	runc_init_stages(lc, &r, HOSTPID_FLAGS);
	do_exec(lc, &r.init, "/bin/true", "true", NULL);
	do_exit(lc, &r.init, code);
	do_exit(lc, &r.runtime, code);
}

/* Mount namespace inodes come back at once too: two containers, not one. */
static void test_mount_inode_reuse(void)
{
	struct lifecycle *lc = fresh_on_host();
	struct nstrace_ns_set h = host_ns(), c = made_ns(C1, OCI_MADE);
	struct task lost = { .pid = 700, .ppid = 1, .comm = "runc", .ns = h };
	struct task lost_child = { .pid = 701, .ppid = 700, .comm = "runc", .ns = c };
	struct task lost_init = { .pid = 702, .ppid = 700, .comm = "runc", .ns = c };

	run_pid_host(lc, 500, 1);
	run_pid_host(lc, 600, 2);
	ASSERT_STREQ(sequence(),
		     "c1:create:502 c1:init:503 c1:exec:503 c1:exit:503 c1:destroy:503 "
		     "c2:create:602 c2:init:603 c2:exec:603 c2:exit:603 c2:destroy:603",
		     "two containers");
	ASSERT_EQ(must_find(LC_CREATE, 0)->c.generation, 0, "first generation");
	ASSERT_EQ(must_find(LC_CREATE, 1)->c.generation, 1, "the inode's second mount namespace");
	ASSERT_EQ(must_find(LC_EXIT, 1)->c.exit_code >> 8, 2, "the second's own exit code");

	/* the inode comes back while a container with it looks alive: its end was lost */
	nseen = 0;
	do_exec(lc, &lost, "/usr/sbin/runc", "runc", "init", NULL);
	do_clone(lc, &lost_child, &lost, HOSTPID_FLAGS);
	do_exec(lc, &lost_child, "/bin/sleep", "sleep", NULL);
	do_clone(lc, &lost_init, &lost, HOSTPID_FLAGS);
	do_exec(lc, &lost_init, "/bin/sleep", "sleep", NULL);
	ASSERT_STREQ(sequence(),
		     "c3:create:700 c3:init:701 c3:exec:701 c3:destroy:701 c4:create:700 c4:init:702 c4:exec:702",
		     "the stale one is ended first");
	ASSERT_TRUE(must_find(LC_DESTROY, 0)->c.incomplete, "and marked incomplete");
	ASSERT_EQ(must_find(LC_CREATE, 1)->c.generation, 3, "generation keeps counting");
	lifecycle_free(lc);
}

/*
 * docker run --init --pid=host: docker-init is the container's init and
 * forks the command, whose execs go on with the chain. Events lost while
 * the runtime made it leave it incomplete.
 */
static void test_pid_host_init_shim(void)
{
	struct lifecycle *lc = fresh_on_host();
	struct nstrace_ns_set h = host_ns(), c = made_ns(C1, OCI_MADE);
	struct runc_start r = runc_tasks(500, 1, "runc", h, c);
	struct task cmd = { .pid = 504, .ppid = 503, .comm = "docker-init", .ns = c };
	const struct seen *s;

	do_exec(lc, &r.runtime, "/usr/sbin/runc", "runc", "run", "shim", NULL);
	runc_init_stages(lc, &r, HOSTPID_FLAGS);
	lifecycle_lost(lc, 1);
	do_exec(lc, &r.init, "/sbin/docker-init", "/sbin/docker-init", "--", "sleep", "1", NULL);
	do_clone(lc, &cmd, &r.init, 0);
	do_exec(lc, &cmd, "/bin/sleep", "sleep", "1", NULL);
	do_exit(lc, &cmd, 0);
	do_exit(lc, &r.init, 0);
	ASSERT_STREQ(sequence(), "c1:create:502 c1:init:503 c1:exec:503 c1:exec:504 c1:exit:503 c1:destroy:503",
		     "docker-init, then the command in its child");
	s = must_find(LC_EXEC, 1);
	ASSERT_EQ(s->exec_index, 2, "the command continues the chain");
	ASSERT_STREQ(s->argv0, "sleep", "the command");
	ASSERT_TRUE(must_find(LC_CREATE, 0)->c.incomplete, "events lost while it was made");
	lifecycle_free(lc);
}

/* unshare --pid --fork inside a container that shares the host's pid namespace. */
static void test_pid_container_inside(void)
{
	struct lifecycle *lc = fresh_on_host();
	struct nstrace_ns_set h = host_ns(), c = made_ns(C1, OCI_MADE);
	struct runc_start r = runc_tasks(500, 1, "runc", h, c);
	struct task un = { .pid = 510, .ppid = 503, .comm = "unshare", .ns = c };
	struct task inner = { .pid = 511, .ppid = 510, .comm = "unshare", .levels = 2, .nspid = { 0, 1 }, .ns = c };
	const struct seen *s;

	do_exec(lc, &r.runtime, "/usr/sbin/runc", "runc", "run", "outer", NULL);
	runc_init_stages(lc, &r, HOSTPID_FLAGS);
	do_exec(lc, &r.init, "/bin/sh", "sh", NULL);
	do_clone(lc, &un, &r.init, 0);
	do_exec(lc, &un, "/usr/bin/unshare", "unshare", "-pf", "sh", NULL);
	un.ns.inum[NSTRACE_NS_PID_FOR_CHILDREN] = inner.ns.inum[NSTRACE_NS_PID] = inner.ns.inum[NSTRACE_NS_PID_FOR_CHILDREN] =
		C2 + NSTRACE_NS_PID;
	do_unshare(lc, &un, NSTRACE_CLONE_NEWPID);
	do_clone(lc, &inner, &un, 0);
	ASSERT_STREQ(sequence(), "c1:create:502 c1:init:503 c1:exec:503 c2:create:510 c2:init:511", "nested");
	s = must_find(LC_INIT, 1);
	ASSERT_EQ(s->parent, 1, "inside the outer container");
	ASSERT_EQ(s->c.members, 1, "its pid 1 is its member, not the outer one's alone");
	ASSERT_STREQ(share_word(&s->c, NSTRACE_NS_MNT), "c1", "the outer one's mount namespace");
	ASSERT_STREQ(runtime_name(s->c.runtime.runtime), "unshare", "runtime from its own lineage");
	do_exit(lc, &r.init, 0);
	s = must_find(LC_EXIT, 0);
	ASSERT_EQ(s->serial, 1, "the outer exits");
	ASSERT_EQ(s->survivor_count, 2, "the unshare and the inner pid 1 survive it");
	lifecycle_free(lc);
}

/*
 * The same containers running already: docker --pid=host with a docker
 * exec'd process of lower pid; a container in X's pid namespace; a pod;
 * and mount namespaces that are no container.
 */
static void test_snapshot(void)
{
	struct lifecycle *lc = fresh();
	struct nstrace_ns_set h = host_ns(), hostpid = made_ns(C1, OCI_MADE), x = container_ns(C2);
	struct nstrace_ns_set side = made_ns(C3, BIT(NSTRACE_NS_MNT) | BIT(NSTRACE_NS_UTS) | BIT(NSTRACE_NS_IPC));
	struct nstrace_ns_set sandbox = container_ns(C4), app = made_ns(C5, BIT(NSTRACE_NS_MNT) | BIT(NSTRACE_NS_PID));
	struct nstrace_ns_set private_tmp = made_ns(C6, BIT(NSTRACE_NS_MNT)), unshared = made_ns(C7, BIT(NSTRACE_NS_MNT));
	char cg_hostpid[128], cg_x[128], cg_side[128];
	const struct seen *s;

	side.inum[NSTRACE_NS_PID] = side.inum[NSTRACE_NS_PID_FOR_CHILDREN] = x.inum[NSTRACE_NS_PID];
	side.inum[NSTRACE_NS_NET] = x.inum[NSTRACE_NS_NET];
	app.inum[NSTRACE_NS_NET] = sandbox.inum[NSTRACE_NS_NET];
	app.inum[NSTRACE_NS_IPC] = sandbox.inum[NSTRACE_NS_IPC];
	app.inum[NSTRACE_NS_UTS] = sandbox.inum[NSTRACE_NS_UTS];
	snprintf(cg_hostpid, sizeof(cg_hostpid), "0::/docker/%s\n", docker_id);
	snprintf(cg_x, sizeof(cg_x), "0::/docker/%.63sf\n", docker_id);
	snprintf(cg_side, sizeof(cg_side), "0::/docker/%s\n", side_id);

	snap(lc, 1, 0, "systemd", 1, 0, &h, ARGV("/sbin/init"), "0::/init.scope\n");
	snap(lc, 500, 1, "containerd-shim", 1, 0, &h, ARGV("containerd-shim-runc-v2\0-namespace\0moby\0-id\0zzz"),
	     "0::/system.slice/containerd.service\n");
	/* docker exec'd into the --pid=host container, with a lower pid than its init but started later */
	snap_start_ticks = 900;
	snap(lc, 505, 500, "sh", 1, 0, &hostpid, ARGV("sh"), cg_hostpid);
	snap_start_ticks = 100;
	snap(lc, 510, 500, "sleep", 1, 0, &hostpid, ARGV("sleep\0" "300"), cg_hostpid);
	snap(lc, 520, 500, "sleep", 2, 1, &x, ARGV("sleep"), cg_x);
	snap(lc, 530, 500, "sh", 2, 7, &side, ARGV("sh"), cg_side);
	snap(lc, 540, 1, "pause", 2, 1, &sandbox, ARGV("/pause"), "0::/pod\n");
	snap(lc, 550, 1, "app", 2, 1, &app, ARGV("/app"), "0::/pod\n");
	snap(lc, 560, 1, "cron", 1, 0, &private_tmp, ARGV("/usr/sbin/cron"), "0::/system.slice/cron.service\n");
	snap(lc, 565, 1, "bash", 1, 0, &h, ARGV("bash"), "0::/user.slice\n");
	snap(lc, 570, 565, "sleep", 1, 0, &unshared, ARGV("sleep"), "0::/user.slice\n");
	lifecycle_snapshot_done(lc, 5000);

	ASSERT_STREQ(sequence(),
		     "c1:create:500 c1:init:520 c2:create:1 c2:init:540 c3:create:1 c3:init:550 c4:create:500 "
		     "c4:init:510 c5:create:500 c5:init:530",
		     "five containers, none for a private /tmp or unshare -m");
	s = must_find(LC_CREATE, 0);
	ASSERT_STREQ(sharing(&s->c),
		     "mnt:private uts:private ipc:private pid:private net:private cgroup:host user:host time:host", "X");
	ASSERT_EQ(s->c.members, 1, "X has its own process only");
	s = must_find(LC_CREATE, 2);
	ASSERT_STREQ(sharing(&s->c), "mnt:private uts:c2 ipc:c2 pid:private net:c2 cgroup:host user:host time:host",
		     "the application shares the sandbox's namespaces");
	s = must_find(LC_CREATE, 3);
	ASSERT_EQ(s->c.key, LC_KEY_MNTNS, "--pid=host: known by its mount namespace");
	ASSERT_EQ(s->c.init_pid, 510, "init is the first started, not the lowest pid");
	ASSERT_EQ(s->c.members, 2, "init and the exec'd shell");
	ASSERT_STREQ(runtime_name(s->c.runtime.runtime), "docker", "docker");
	ASSERT_STREQ(s->c.runtime.id, docker_id, "ID from its cgroup");
	ASSERT_STREQ(sharing(&s->c),
		     "mnt:private uts:private ipc:private pid:host net:private cgroup:host user:host time:host",
		     "shares the host's pid namespace");
	s = must_find(LC_CREATE, 4);
	ASSERT_EQ(s->c.init_pid, 530, "the container in X's pid namespace");
	ASSERT_EQ(s->c.init_nspid[1], 7, "its pid there");
	ASSERT_STREQ(s->c.runtime.id, side_id, "its own ID");
	ASSERT_STREQ(sharing(&s->c), "mnt:private uts:private ipc:private pid:c1 net:c1 cgroup:host user:host time:host",
		     "shares X's pid and network namespaces");
	ASSERT_EQ(lifecycle_counts(lc).containers, 5, "counted");
	lifecycle_free(lc);
}

int main(void)
{
	SUBTEST("docker run --pid=host: create, init, exec, join, exit, destroy", test_docker_pid_host());
	SUBTEST("--pid=container:X --network container:X", test_pid_and_net_of_another());
	SUBTEST("--ipc host, --uts host, --network host", test_one_type_of_the_host());
	SUBTEST("a pod: the application joins the sandbox's net, ipc and uts", test_pod());
	SUBTEST("podman --pid=host", test_podman_pid_host());
	SUBTEST("crun --pid=host", test_crun_pid_host());
	SUBTEST("systemd-nspawn's two steps are one container", test_nspawn_two_steps());
	SUBTEST("unshare -m, a private /tmp, a layer unpack, an unstarted runc: no containers", test_not_containers());
	SUBTEST("mount namespace inode reuse", test_mount_inode_reuse());
	SUBTEST("docker run --init --pid=host; a loss while it is made", test_pid_host_init_shim());
	SUBTEST("a pid namespace inside a container without one", test_pid_container_inside());
	SUBTEST("snapshot of such containers running already", test_snapshot());
	return test_summary();
}
