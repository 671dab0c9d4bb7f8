// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The lifecycle state machine fed synthetic event sequences shaped like
 * what unshare, nsenter, runc and docker make the kernel report.
 */
#include <stdlib.h>
#include "lifecycle.h"
#include "testing.h"
#include "records.h"
#include "lctrace.h"

static void test_unshare_container(void)
{
	struct lifecycle *lc = fresh();
	struct nstrace_ns_set h = host_ns(), c = container_ns(C1);
	struct task shell = { .pid = 100, .ppid = 1, .comm = "bash", .ns = h };
	struct task un = { .pid = 101, .ppid = 100, .comm = "bash", .ns = h };
	struct task init = { .pid = 102, .ppid = 101, .comm = "unshare", .levels = 2, .nspid = { 0, 1 }, .ns = c };
	struct task member = { .pid = 103, .ppid = 102, .comm = "sh", .levels = 2, .nspid = { 0, 2 }, .ns = c };
	struct task nsenter = { .pid = 200, .ppid = 100, .comm = "nsenter", .ns = h };
	struct task joined = { .pid = 201, .ppid = 200, .comm = "nsenter", .levels = 2, .nspid = { 0, 3 }, .ns = c };
	const struct seen *s;

	do_clone(lc, &un, &shell, 0);
	do_exec(lc, &un, "/usr/bin/unshare", "unshare", "-fp", "--mount-proc", "sh", NULL);
	un.comm = "unshare";
	un.ns = creator_ns(C1, &h);
	do_unshare(lc, &un, UNSHARE_FLAGS);
	do_clone(lc, &init, &un, 0);
	do_exec(lc, &init, "/usr/bin/sh", "sh", "-c", "sleep 9 & exec cat", NULL);
	init.comm = "sh";
	do_clone(lc, &member, &init, 0);
	do_exec(lc, &init, "/usr/bin/cat", "cat", NULL);

	/* nsenter -t 102 -m -p: two setns calls, one join, reported when it forks */
	nsenter.ns.inum[NSTRACE_NS_MNT] = c.inum[NSTRACE_NS_MNT];
	do_setns(lc, &nsenter, NSTRACE_NS_MNT, 0x20000);
	nsenter.ns.inum[NSTRACE_NS_PID_FOR_CHILDREN] = c.inum[NSTRACE_NS_PID];
	do_setns(lc, &nsenter, NSTRACE_NS_PID_FOR_CHILDREN, 0x20000000);
	ASSERT_EQ(find_seen(LC_JOIN, 0) != NULL, 0, "no join before the joiner does anything");
	do_clone(lc, &joined, &nsenter, 0);
	do_exec(lc, &joined, "/usr/bin/ls", "ls", NULL);

	do_exit(lc, &init, 3);
	ASSERT_EQ(find_seen(LC_DESTROY, 0) != NULL, 0, "not destroyed while members live");
	do_exit(lc, &member, 0);
	do_exit(lc, &joined, 0);
	do_exit(lc, &nsenter, 0);
	do_exit(lc, &un, 3);

	ASSERT_STREQ(sequence(),
		     "c1:create:101 c1:init:102 c1:exec:102 c1:exec:102 c1:join:200 c1:exec:201 c1:exit:102 c1:destroy:102",
		     "transitions in order");
	s = must_find(LC_CREATE, 0);
	ASSERT_STREQ(runtime_name(s->c.runtime.runtime), "unshare", "runtime");
	ASSERT_EQ(s->c.origin, LC_BY_UNSHARE, "origin");
	ASSERT_EQ(s->c.creator_pid, 101, "creator");
	s = must_find(LC_EXEC, 0);
	ASSERT_EQ(s->exec_index, 1, "first exec of pid 1");
	ASSERT_STREQ(s->argv0, "sh", "first exec");
	s = must_find(LC_EXEC, 1);
	ASSERT_EQ(s->exec_index, 2, "second exec of pid 1");
	ASSERT_STREQ(s->argv0, "cat", "chain ends with the command");
	s = must_find(LC_JOIN, 0);
	ASSERT_STREQ(s->comm, "nsenter", "joiner's name");
	ASSERT_EQ(s->entered.inum[NSTRACE_NS_MNT], c.inum[NSTRACE_NS_MNT], "entered mnt");
	ASSERT_EQ(s->entered.inum[NSTRACE_NS_PID], c.inum[NSTRACE_NS_PID], "entered pid");
	ASSERT_EQ(s->entered.inum[NSTRACE_NS_NET], 0, "net not entered");
	s = must_find(LC_EXEC, 2);
	ASSERT_TRUE(s->joined, "joined exec");
	ASSERT_STREQ(s->argv0, "ls", "joined command");
	s = must_find(LC_EXIT, 0);
	ASSERT_EQ(s->c.exit_code >> 8, 3, "exit code");
	ASSERT_EQ(s->survivor_count, 2, "survivors");
	ASSERT_EQ(s->survivors[0] + s->survivors[1], 103 + 201, "survivors are the member and the joined child");
	s = must_find(LC_DESTROY, 0);
	ASSERT_EQ(s->c.joins, 1, "joins counted");
	ASSERT_EQ(s->c.execs, 2, "execs counted");
	ASSERT_EQ(lifecycle_counts(lc).processes, 0, "every process that exited is forgotten");
	lifecycle_free(lc);
}

static void test_clone_container(void)
{
	struct lifecycle *lc = fresh();
	struct nstrace_ns_set h = host_ns(), c = container_ns(C1);
	struct task parent = { .pid = 300, .ppid = 1, .comm = "spawner", .ns = h };
	/* the parent renamed itself after its exec: the child's name at clone is the caller's */
	struct task init = { .pid = 301, .ppid = 300, .comm = "worker-1", .levels = 2, .nspid = { 0, 1 }, .ns = c };
	const struct seen *s;

	do_exec(lc, &parent, "/usr/local/bin/spawner", "spawner", NULL);
	do_clone(lc, &init, &parent, UNSHARE_FLAGS);
	do_exec(lc, &init, "/bin/true", "true", NULL);
	do_exit(lc, &init, 0);
	ASSERT_STREQ(sequence(), "c1:create:300 c1:init:301 c1:exec:301 c1:exit:301 c1:destroy:301", "transitions");
	s = must_find(LC_CREATE, 0);
	ASSERT_EQ(s->c.origin, LC_BY_CLONE, "origin");
	ASSERT_STREQ(s->c.creator_comm, "worker-1", "creator named as at its clone");
	ASSERT_STREQ(runtime_name(s->c.runtime.runtime), "unknown", "no runtime in its lineage");
	ASSERT_EQ(must_find(LC_INIT, 0)->c.init_nspid[1], 1, "pid 1 inside");
	lifecycle_free(lc);
}

/* The start timeline: creation → pid 1 → each exec of pid 1, phases adding up to the total. */
static void test_timeline(void)
{
	struct lifecycle *lc = fresh();
	struct nstrace_ns_set h = host_ns();
	struct task un = { .pid = 400, .ppid = 1, .comm = "unshare", .ns = creator_ns(C2, &h) };
	struct task init = { .pid = 401, .ppid = 400, .comm = "unshare", .levels = 2, .nspid = { 0, 1 },
			     .ns = container_ns(C2) };
	__u64 created, init_at, exec1, exec2;
	struct lc_container existing;
	struct lc_timeline tl;
	const struct seen *s;

	do_unshare(lc, &un, UNSHARE_FLAGS);
	created = now;
	now += 5000;
	do_clone(lc, &init, &un, 0);
	init_at = now;
	now += 70000;
	do_exec(lc, &init, "/init", "init", NULL);
	exec1 = now;
	now += 300000;
	do_exec(lc, &init, "/bin/cmd", "cmd", NULL);
	exec2 = now;
	do_exit(lc, &init, 0);
	do_exit(lc, &un, 0);

	s = must_find(LC_DESTROY, 0);
	if (!ASSERT_TRUE(lifecycle_timeline(&s->c, &tl), "a start seen whole has a timeline"))
		goto out;
	ASSERT_EQ(tl.to_init_ns, init_at - created, "creation to pid 1");
	ASSERT_EQ(tl.execs, 2, "one phase per exec of pid 1");
	ASSERT_EQ(tl.to_exec_ns[0], exec1 - init_at, "pid 1 to its first exec");
	ASSERT_EQ(tl.to_exec_ns[1], exec2 - exec1, "first exec to the command");
	ASSERT_EQ(tl.total_ns, exec2 - created, "total: creation to the command");
	ASSERT_EQ(tl.to_init_ns + tl.to_exec_ns[0] + tl.to_exec_ns[1], tl.total_ns, "phases add up to the total");
	/* a container found running has no start to split */
	existing = s->c;
	existing.origin = LC_EXISTING;
	ASSERT_TRUE(!lifecycle_timeline(&existing, &tl), "no timeline for an existing container");
out:
	lifecycle_free(lc);
}

/*
 * docker run --init: pid 1 execs docker-init (tini), which forks the
 * entrypoint; the entrypoint then execs the command on that pid. The
 * chain goes on there, and nowhere else: not in tini's later children,
 * nor in a process that gets the command's pid after it ended.
 */
static void test_init_shim_chain(void)
{
	struct lifecycle *lc = fresh();
	struct nstrace_ns_set h = host_ns(), c = container_ns(C1);
	struct task un = { .pid = 400, .ppid = 1, .comm = "runc:[1:CHILD]", .ns = creator_ns(C1, &h) };
	struct task init = { .pid = 401, .ppid = 400, .comm = "runc:[2:INIT]", .levels = 2, .nspid = { 0, 1 }, .ns = c };
	struct task cmd = { .pid = 402, .ppid = 401, .comm = "docker-init", .levels = 2, .nspid = { 0, 7 }, .ns = c };
	struct task other = { .pid = 403, .ppid = 401, .comm = "docker-init", .levels = 2, .nspid = { 0, 8 }, .ns = c };
	struct task reused = { .pid = 402, .ppid = 401, .comm = "docker-init", .levels = 2, .nspid = { 0, 9 }, .ns = c };
	struct lc_timeline tl;
	const struct seen *s;

	do_unshare(lc, &un, RUNC_FLAGS);
	do_clone(lc, &init, &un, 0);
	do_exec(lc, &init, "/sbin/docker-init", "/sbin/docker-init", "--", "/entry.sh", "sleep", "1", NULL);
	do_clone(lc, &cmd, &init, 0);
	do_exec(lc, &cmd, "/entry.sh", "/bin/sh", "/entry.sh", "sleep", "1", NULL);
	do_exec(lc, &cmd, "/bin/sleep", "sleep", "1", NULL);
	do_exit(lc, &cmd, 0);
	do_clone(lc, &other, &init, 0);
	do_exec(lc, &other, "/bin/true", "true", NULL);
	do_clone(lc, &reused, &init, 0);
	do_exec(lc, &reused, "/bin/false", "false", NULL);
	do_exit(lc, &other, 0);
	do_exit(lc, &reused, 1);
	do_exit(lc, &init, 0);

	ASSERT_STREQ(sequence(), "c1:create:400 c1:init:401 c1:exec:401 c1:exec:402 c1:exec:402 c1:exit:401 "
				 "c1:destroy:401",
		     "docker-init, then the entrypoint and the command on its child");
	s = must_find(LC_EXEC, 1);
	ASSERT_EQ(s->exec_index, 2, "the entrypoint continues the numbering");
	ASSERT_STREQ(s->argv0, "/bin/sh", "the entrypoint");
	s = must_find(LC_EXEC, 2);
	ASSERT_EQ(s->exec_index, 3, "then the command");
	ASSERT_STREQ(s->argv0, "sleep", "the command");
	s = must_find(LC_DESTROY, 0);
	ASSERT_EQ(s->c.execs, 3, "three execs in the chain");
	if (ASSERT_TRUE(lifecycle_timeline(&s->c, &tl), "a timeline"))
		ASSERT_EQ(tl.execs, 3, "the start runs to the command");
	lifecycle_free(lc);
}

static const char docker_id[] = "4a3b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b";

/*
 * docker run and docker exec as runc 1.1 makes them: the shim starts
 * runc create, which re-executes itself from a memfd (comm "exe"), whose
 * stages rename themselves with prctl; [1:CHILD] unshares the pid
 * namespace and clones [2:INIT] with CLONE_PARENT.
 */
static void test_runc_docker(void)
{
	struct lifecycle *lc = fresh();
	struct nstrace_ns_set h = host_ns(), c = container_ns(C2);
	struct task dockerd = { .pid = 50, .ppid = 1, .comm = "dockerd", .ns = h };
	struct task shim = { .pid = 400, .ppid = 1, .comm = "containerd-shim", .ns = h };
	struct task create = { .pid = 401, .ppid = 400, .comm = "containerd-shim", .ns = h };
	struct task parent = { .pid = 402, .ppid = 401, .comm = "runc", .ns = h };
	struct task child = { .pid = 403, .ppid = 401, .comm = "exe", .ns = h };
	struct task init = { .pid = 404, .ppid = 401, .comm = "runc:[1:CHILD]", .levels = 2, .nspid = { 0, 1 }, .ns = c };
	struct task exec_runc = { .pid = 410, .ppid = 400, .comm = "containerd-shim", .ns = h };
	struct task exec_child = { .pid = 412, .ppid = 410, .comm = "runc:[0:PARENT]", .ns = h };
	struct task exec_init = { .pid = 413, .ppid = 410, .comm = "runc:[1:CHILD]", .levels = 2, .nspid = { 0, 7 }, .ns = c };
	struct task setipv6 = { .pid = 501, .ppid = 50, .comm = "dockerd", .ns = h };
	struct task go_thread = { .pid = 50, .tid = 52, .ppid = 1, .comm = "dockerd", .ns = h };
	struct task plumbing = { .pid = 503, .ppid = 50, .comm = "dockerd", .ns = h };
	static const int types[] = { NSTRACE_NS_IPC, NSTRACE_NS_UTS, NSTRACE_NS_NET, NSTRACE_NS_PID_FOR_CHILDREN,
				     NSTRACE_NS_MNT };
	const struct seen *s;

	do_exec(lc, &shim, "/usr/bin/containerd-shim-runc-v2", "/usr/bin/containerd-shim-runc-v2", "-namespace",
		"moby", "-id", docker_id, "-address", "/run/containerd/containerd.sock", NULL);
	do_clone(lc, &create, &shim, 0);
	do_exec(lc, &create, "/usr/sbin/runc", "runc", "--root", "/var/run/docker/runtime-runc/moby", "--log",
		"/x/log.json", "--log-format", "json", "create", "--bundle", "/x/bundle", "--pid-file", "/x/init.pid",
		docker_id, NULL);
	create.comm = "runc";
	do_clone(lc, &parent, &create, 0);
	do_exec(lc, &parent, "/proc/self/exe", "runc", "init", NULL);
	parent.comm = "exe";
	do_clone(lc, &child, &parent, NSTRACE_CLONE_PARENT);
	/* the stage renamed itself; only the unshare event says so */
	child.comm = "runc:[1:CHILD]";
	child.ns = creator_ns(C2, &h);
	do_unshare(lc, &child, RUNC_FLAGS);
	do_clone(lc, &init, &child, NSTRACE_CLONE_PARENT);
	do_exit(lc, &child, 0);
	do_exit(lc, &parent, 0);
	do_exit(lc, &create, 0);

	/* dockerd visits the network namespace and comes back before forking set-ipv6 */
	dockerd.ns.inum[NSTRACE_NS_NET] = c.inum[NSTRACE_NS_NET];
	do_setns(lc, &dockerd, NSTRACE_NS_NET, 0x40000000);
	dockerd.ns.inum[NSTRACE_NS_NET] = h.inum[NSTRACE_NS_NET];
	do_setns(lc, &dockerd, NSTRACE_NS_NET, 0x40000000);
	do_clone(lc, &setipv6, &dockerd, 0);
	do_exec(lc, &setipv6, "/proc/self/exe", "set-ipv6", "/var/run/docker/netns/x", "all", "false", NULL);
	ASSERT_EQ(find_seen(LC_JOIN, 0) != NULL, 0, "a visit that went back out is no join");
	/* set-ipv6 itself enters the network namespace: a join of its own */
	setipv6.comm = "exe";
	setipv6.ns.inum[NSTRACE_NS_NET] = c.inum[NSTRACE_NS_NET];
	do_setns(lc, &setipv6, NSTRACE_NS_NET, 0x40000000);
	do_exit(lc, &setipv6, 0);
	/* another dockerd thread in there: a fork by the main thread is not */
	go_thread.ns.inum[NSTRACE_NS_NET] = c.inum[NSTRACE_NS_NET];
	do_setns(lc, &go_thread, NSTRACE_NS_NET, 0x40000000);
	do_clone(lc, &plumbing, &dockerd, 0);
	do_exec(lc, &plumbing, "/usr/bin/iptables", "iptables", NULL);
	go_thread.ns.inum[NSTRACE_NS_NET] = h.inum[NSTRACE_NS_NET];
	do_setns(lc, &go_thread, NSTRACE_NS_NET, 0x40000000);
	do_exit(lc, &dockerd, 0);

	init.comm = "runc:[2:INIT]";
	do_exec(lc, &init, "/bin/sh", "sh", "-c", "exit 7", NULL);

	/* docker exec: runc exec, runc init, five setns calls by [1:CHILD], then the command */
	do_clone(lc, &exec_runc, &shim, 0);
	do_exec(lc, &exec_runc, "/usr/sbin/runc", "runc", "exec", "--process", "/x/p.json", "--detach", docker_id,
		NULL);
	exec_runc.comm = "runc";
	do_clone(lc, &exec_child, &exec_runc, 0);
	exec_child.comm = "runc:[1:CHILD]";
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		exec_child.ns.inum[types[i]] = c.inum[types[i] == NSTRACE_NS_PID_FOR_CHILDREN ? NSTRACE_NS_PID : types[i]];
		do_setns(lc, &exec_child, types[i], 0);
	}
	do_clone(lc, &exec_init, &exec_child, NSTRACE_CLONE_PARENT);
	do_exit(lc, &exec_child, 0);
	do_exec(lc, &exec_init, "/bin/echo", "echo", "hi", NULL);
	do_exit(lc, &exec_init, 0);
	do_exit(lc, &init, 7);

	ASSERT_STREQ(sequence(),
		     "c1:create:403 c1:init:404 c1:join:501 c1:exec:404 c1:join:412 c1:exec:413 "
		     "c1:exit:404 c1:destroy:404",
		     "transitions in order");
	s = must_find(LC_CREATE, 0);
	ASSERT_STREQ(runtime_name(s->c.runtime.runtime), "docker", "runtime through the shim");
	ASSERT_STREQ(s->c.runtime.id, docker_id, "container ID");
	ASSERT_STREQ(s->c.creator_comm, "runc:[1:CHILD]", "creator named as at its unshare");
	ASSERT_EQ(s->c.init_pid, 0, "no init at create");
	ASSERT_EQ(must_find(LC_INIT, 0)->c.init_pid, 404, "init is the CLONE_PARENT child");
	s = must_find(LC_JOIN, 0);
	ASSERT_STREQ(s->comm, "exe", "set-ipv6 joins");
	ASSERT_EQ(s->entered.inum[NSTRACE_NS_NET], c.inum[NSTRACE_NS_NET], "into the network namespace only");
	ASSERT_EQ(s->entered.inum[NSTRACE_NS_MNT], 0, "not the mount namespace");
	s = must_find(LC_EXEC, 0);
	ASSERT_EQ(s->exec_index, 1, "the command is exec #1");
	ASSERT_STREQ(s->argv0, "sh", "exec chain ends with the command");
	s = must_find(LC_JOIN, 1);
	ASSERT_STREQ(s->comm, "runc:[1:CHILD]", "runc exec's join named as at its setns");
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int t = types[i] == NSTRACE_NS_PID_FOR_CHILDREN ? NSTRACE_NS_PID : types[i];

		ASSERT_EQ(s->entered.inum[t], c.inum[t], "every setns in the one join");
	}
	s = must_find(LC_EXEC, 1);
	ASSERT_TRUE(s->joined, "runc exec's command is a joined exec");
	ASSERT_STREQ(s->argv0, "echo", "joined command");
	s = must_find(LC_EXIT, 0);
	ASSERT_EQ(s->c.exit_code >> 8, 7, "exit code");
	ASSERT_EQ(must_find(LC_DESTROY, 0)->c.joins, 2, "joins counted");
	lifecycle_free(lc);
}

static void run_unshare_container(struct lifecycle *lc, __u32 first_pid, int code)
{
	struct nstrace_ns_set h = host_ns(), c = container_ns(C3);
	struct task un = { .pid = first_pid, .ppid = 1, .comm = "unshare", .ns = creator_ns(C3, &h) };
	struct task init = { .pid = first_pid + 1, .ppid = first_pid, .comm = "unshare", .levels = 2,
			     .nspid = { 0, 1 }, .ns = c };

	do_unshare(lc, &un, UNSHARE_FLAGS);
	do_clone(lc, &init, &un, 0);
	do_exit(lc, &init, code);
	do_exit(lc, &un, code);
}

static void test_inode_reuse(void)
{
	struct lifecycle *lc = fresh();
	struct nstrace_ns_set h = host_ns();
	struct task lost_end = { .pid = 900, .ppid = 1, .comm = "unshare", .ns = creator_ns(C3, &h) };

	run_unshare_container(lc, 600, 1);
	run_unshare_container(lc, 700, 2);
	ASSERT_STREQ(sequence(),
		     "c1:create:600 c1:init:601 c1:exit:601 c1:destroy:601 "
		     "c2:create:700 c2:init:701 c2:exit:701 c2:destroy:701",
		     "two containers, not one");
	ASSERT_EQ(must_find(LC_CREATE, 0)->c.generation, 0, "first generation");
	ASSERT_EQ(must_find(LC_CREATE, 1)->c.generation, 1, "the inode's second pid namespace");
	ASSERT_EQ(must_find(LC_EXIT, 1)->c.exit_code >> 8, 2, "the second's own exit code");

	/* the inode comes back while the last one looked alive: its end was lost */
	nseen = 0;
	do_unshare(lc, &lost_end, UNSHARE_FLAGS);
	do_unshare(lc, &lost_end, UNSHARE_FLAGS);
	ASSERT_STREQ(sequence(), "c3:create:900 c3:destroy:0 c4:create:900", "the stale one is ended first");
	ASSERT_TRUE(must_find(LC_DESTROY, 0)->c.incomplete, "and marked incomplete");
	ASSERT_EQ(must_find(LC_CREATE, 1)->c.generation, 3, "generation keeps counting");
	lifecycle_free(lc);
}

static void test_lost_events(void)
{
	struct lifecycle *lc = fresh();
	struct nstrace_ns_set h = host_ns(), c = container_ns(C1), other = container_ns(C2);
	struct task un = { .pid = 100, .ppid = 1, .comm = "unshare", .ns = creator_ns(C1, &h) };
	struct task init = { .pid = 101, .ppid = 100, .comm = "unshare", .levels = 2, .nspid = { 0, 1 }, .ns = c };
	struct task stranger = { .pid = 150, .ppid = 140, .comm = "sleep", .levels = 2, .nspid = { 0, 4 },
				 .ns = other };
	const struct seen *s;

	do_unshare(lc, &un, UNSHARE_FLAGS);
	do_clone(lc, &init, &un, 0);
	ASSERT_TRUE(!must_find(LC_INIT, 0)->c.incomplete, "complete before the loss");
	lifecycle_lost(lc, 3);
	do_exit(lc, &init, 0);
	ASSERT_TRUE(must_find(LC_EXIT, 0)->c.incomplete, "alive during the loss: incomplete");
	/* a process from a pid namespace whose start was lost */
	do_exit(lc, &stranger, 0);
	s = must_find(LC_CREATE, 1);
	ASSERT_EQ(s->c.origin, LC_UNSEEN, "origin unseen");
	ASSERT_TRUE(s->c.incomplete, "unseen is incomplete");
	ASSERT_EQ(s->c.init_pid, 0, "its init is not guessed");
	lifecycle_lost(lc, 0);
	run_unshare_container(lc, 800, 0);
	ASSERT_TRUE(!must_find(LC_CREATE, 2)->c.incomplete, "a container after the loss is complete");
	lifecycle_free(lc);
}

static void test_creator_exits_unforked(void)
{
	struct lifecycle *lc = fresh();
	struct nstrace_ns_set h = host_ns();
	struct task un = { .pid = 100, .ppid = 1, .comm = "unshare", .ns = creator_ns(C1, &h) };

	do_unshare(lc, &un, NSTRACE_CLONE_NEWPID);
	do_exit(lc, &un, 1);
	ASSERT_STREQ(sequence(), "c1:create:100 c1:destroy:0", "created, then destroyed with its creator");
	ASSERT_EQ(lifecycle_counts(lc).destroyed, 1, "counted destroyed");
	lifecycle_free(lc);
}

/*
 * A container in a docker container: the inner one's parent is the outer,
 * the outer counts the inner's members, and the inner's runtime is not
 * docker just because its creator lives in a docker container.
 */
static void test_nested(void)
{
	struct lifecycle *lc = fresh();
	struct nstrace_ns_set h = host_ns(), outer = container_ns(C1), inner = container_ns(C2);
	struct task shim = { .pid = 400, .ppid = 1, .comm = "containerd-shim", .ns = h };
	struct task un = { .pid = 401, .ppid = 400, .comm = "runc", .ns = creator_ns(C1, &h) };
	struct task init = { .pid = 402, .ppid = 400, .comm = "runc", .levels = 2, .nspid = { 0, 1 }, .ns = outer };
	struct task maker = { .pid = 403, .ppid = 402, .comm = "spawner", .levels = 2, .nspid = { 0, 2 },
			      .ns = outer };
	struct task inner_init = { .pid = 404, .ppid = 403, .comm = "spawner", .levels = 3, .nspid = { 0, 3, 1 },
				   .ns = inner };
	const struct seen *s;

	do_exec(lc, &shim, "/usr/bin/containerd-shim-runc-v2", "containerd-shim-runc-v2", "-namespace", "moby", "-id",
		docker_id, NULL);
	do_clone(lc, &un, &shim, 0);
	do_unshare(lc, &un, RUNC_FLAGS);
	do_clone(lc, &init, &un, NSTRACE_CLONE_PARENT);
	do_exec(lc, &init, "/bin/sh", "sh", NULL);
	do_clone(lc, &maker, &init, 0);
	do_exec(lc, &maker, "/spawner", "spawner", NULL);
	do_clone(lc, &inner_init, &maker, UNSHARE_FLAGS);
	s = must_find(LC_CREATE, 1);
	ASSERT_EQ(s->serial, 2, "a second container");
	ASSERT_STREQ(runtime_name(s->c.runtime.runtime), "unknown", "the lineage stops at the outer container");
	ASSERT_EQ(s->c.members, 0, "counted after create");
	s = must_find(LC_INIT, 1);
	ASSERT_EQ(s->c.init_nspid_levels, 3, "three pid levels");
	ASSERT_EQ(s->c.members, 1, "inner init is its member");

	do_exit(lc, &init, 9);
	s = must_find(LC_EXIT, 0);
	ASSERT_EQ(s->serial, 1, "the outer exits");
	ASSERT_EQ(s->survivor_count, 2, "survivors include the nested member");
	ASSERT_EQ(s->survivors[0] + s->survivors[1], 403 + 404, "the maker and the inner init");
	ASSERT_EQ(s->c.members, 3, "members counted at the exit, pid 1 still among them");
	do_exit(lc, &inner_init, 0);
	do_exit(lc, &maker, 0);
	ASSERT_STREQ(sequence(),
		     "c1:create:401 c1:init:402 c1:exec:402 c2:create:403 c2:init:404 c1:exit:402 c2:exit:404 "
		     "c2:destroy:404 "
		     "c1:destroy:402",
		     "the inner ends before the outer is destroyed");
	lifecycle_free(lc);
}

/*
 * A pid namespace's inode back while its container looks alive: every
 * process in it and in containers nested in it is gone, their exits lost.
 */
static void test_stale_inode(void)
{
	struct lifecycle *lc = fresh();
	struct nstrace_ns_set h = host_ns(), outer = container_ns(C1), inner = container_ns(C2);
	struct task un = { .pid = 100, .ppid = 1, .comm = "unshare", .ns = creator_ns(C1, &h) };
	struct task init = { .pid = 101, .ppid = 100, .comm = "sh", .levels = 2, .nspid = { 0, 1 }, .ns = outer };
	struct task maker = { .pid = 102, .ppid = 101, .comm = "unshare", .levels = 2, .nspid = { 0, 2 },
			      .ns = creator_ns(C2, &outer) };
	struct task inner_init = { .pid = 103, .ppid = 102, .comm = "sh", .levels = 3, .nspid = { 0, 3, 1 },
				   .ns = inner };
	struct task again = { .pid = 200, .ppid = 1, .comm = "unshare", .ns = creator_ns(C1, &h) };
	struct task reused = { .pid = 103, .ppid = 1, .comm = "bash", .ns = h };

	do_unshare(lc, &un, UNSHARE_FLAGS);
	do_clone(lc, &init, &un, 0);
	do_clone(lc, &maker, &init, 0);
	do_unshare(lc, &maker, UNSHARE_FLAGS);
	do_clone(lc, &inner_init, &maker, 0);
	ASSERT_EQ(lifecycle_counts(lc).processes, 4, "four processes tracked");
	do_unshare(lc, &again, UNSHARE_FLAGS);
	ASSERT_STREQ(sequence(),
		     "c1:create:100 c1:init:101 c2:create:102 c2:init:103 c2:destroy:103 c1:destroy:101 c3:create:200",
		     "the nested one ends, then the outer, then the new one starts");
	ASSERT_TRUE(must_find(LC_DESTROY, 0)->c.incomplete, "nested: incomplete");
	ASSERT_TRUE(must_find(LC_DESTROY, 1)->c.incomplete, "outer: incomplete");
	ASSERT_EQ(lifecycle_counts(lc).processes, 2, "their processes are forgotten");
	/* the inner init's pid, reused on the host */
	do_exec(lc, &reused, "/bin/bash", "bash", NULL);
	do_exit(lc, &reused, 0);
	ASSERT_EQ(nseen, 7, "a host process is in no container");
	lifecycle_free(lc);
}

/*
 * The same when the outer pid 1 had exited and only the nested container
 * kept it alive; reused is the inode that comes back, the inner's or the outer's.
 */
static void stale_exited_outer(__u32 reused)
{
	struct lifecycle *lc = fresh();
	struct nstrace_ns_set h = host_ns(), outer = container_ns(C1), inner = container_ns(C2);
	struct task un = { .pid = 100, .ppid = 1, .comm = "unshare", .ns = creator_ns(C1, &h) };
	struct task init = { .pid = 101, .ppid = 100, .comm = "sh", .levels = 2, .nspid = { 0, 1 }, .ns = outer };
	struct task inner_init = { .pid = 103, .ppid = 101, .comm = "sh", .levels = 3, .nspid = { 0, 3, 1 },
				   .ns = inner };
	struct task again = { .pid = 200, .ppid = 1, .comm = "unshare", .ns = creator_ns(reused, &h) };

	do_unshare(lc, &un, UNSHARE_FLAGS);
	do_clone(lc, &init, &un, 0);
	do_clone(lc, &inner_init, &init, UNSHARE_FLAGS);
	do_exit(lc, &init, 0);
	do_unshare(lc, &again, UNSHARE_FLAGS);
	ASSERT_STREQ(sequence(),
		     "c1:create:100 c1:init:101 c2:create:101 c2:init:103 c1:exit:101 c2:destroy:103 c1:destroy:101 "
		     "c3:create:200",
		     "the nested one, then the outer it kept alive, each once");
	ASSERT_TRUE(must_find(LC_DESTROY, 0)->c.incomplete, "the inner: incomplete");
	ASSERT_TRUE(must_find(LC_DESTROY, 1)->c.incomplete, "the outer missed the same exits");
	ASSERT_EQ(lifecycle_counts(lc).destroyed, 2, "destroyed count");
	lifecycle_free(lc);
}

static void test_stale_exited_outer(void)
{
	stale_exited_outer(C2);
	stale_exited_outer(C1);
}

/* A member's pid comes back on the host: the record is stale, the member gone. */
static void test_reused_pid(void)
{
	struct lifecycle *lc = fresh();
	struct nstrace_ns_set h = host_ns(), c = container_ns(C1);
	struct task un = { .pid = 400, .ppid = 1, .comm = "unshare", .ns = creator_ns(C1, &h) };
	struct task init = { .pid = 401, .ppid = 400, .comm = "sh", .levels = 2, .nspid = { 0, 1 }, .ns = c };
	struct task member = { .pid = 402, .ppid = 401, .comm = "sleep", .levels = 2, .nspid = { 0, 2 }, .ns = c };
	struct task reused = { .pid = 402, .ppid = 1, .comm = "cron", .ns = h };

	do_unshare(lc, &un, UNSHARE_FLAGS);
	do_clone(lc, &init, &un, 0);
	do_clone(lc, &member, &init, 0);
	do_exec(lc, &reused, "/usr/sbin/cron", "cron", NULL);
	do_exit(lc, &init, 0);
	ASSERT_EQ(must_find(LC_EXIT, 0)->survivor_count, 0, "no survivors");
	ASSERT_STREQ(sequence(), "c1:create:400 c1:init:401 c1:exit:401 c1:destroy:401", "destroyed with pid 1");
	lifecycle_free(lc);
}

static void test_snapshot(void)
{
	struct lifecycle *lc = fresh();
	struct nstrace_ns_set h = host_ns(), d = container_ns(C1), r = container_ns(C2), u = container_ns(C3);
	char cgroup[256];
	struct task nsenter = { .pid = 900, .ppid = 1, .comm = "nsenter", .ns = h };
	const struct seen *s;

	snprintf(cgroup, sizeof(cgroup), "12:pids:/docker/%s\n0::/docker/%s\n", docker_id, docker_id);
	snap(lc, 1, 0, "systemd", 1, 0, &h, ARGV("/sbin/init"), "0::/init.scope\n");
	/* docker: the shim's argv and the cgroup path agree */
	snap(lc, 500, 1, "containerd-shim", 1, 0, &h, ARGV("containerd-shim-runc-v2\0-namespace\0moby\0-id\0zzz"),
	     "0::/system.slice/containerd.service\n");
	snap(lc, 501, 500, "sleep", 2, 1, &d, ARGV("sleep\0" "300"), cgroup);
	snap(lc, 502, 501, "sh", 2, 6, &d, ARGV("sh"), cgroup);
	/* runc run in the foreground: only its argv tells */
	snap(lc, 600, 1, "runc", 1, 0, &h, ARGV("runc\0run\0-b\0/tmp/b\0t9"), "0::/user.slice\n");
	snap(lc, 601, 600, "sh", 2, 1, &r, ARGV("sh"), "0::/t9\n");
	/* a pid namespace no runtime claims */
	snap(lc, 700, 1, "unshare", 1, 0, &h, ARGV("unshare\0-fp\0sleep\0" "100"), "0::/user.slice\n");
	snap(lc, 701, 700, "sleep", 2, 1, &u, ARGV("sleep\0" "100"), "garbage without colons\n9:x\n");
	ASSERT_EQ(nseen, 0, "nothing reported before the snapshot is whole");
	lifecycle_snapshot_done(lc, 5000);

	ASSERT_STREQ(sequence(), "c1:create:500 c1:init:501 c2:create:600 c2:init:601 c3:create:700 c3:init:701",
		     "existing containers");
	s = must_find(LC_CREATE, 0);
	ASSERT_EQ(s->c.origin, LC_EXISTING, "origin existing");
	ASSERT_STREQ(runtime_name(s->c.runtime.runtime), "docker", "docker from the cgroup");
	ASSERT_STREQ(s->c.runtime.id, docker_id, "the cgroup's ID, not the shim's");
	ASSERT_EQ(s->c.init_pid, 501, "init");
	ASSERT_EQ(s->c.members, 2, "members");
	s = must_find(LC_CREATE, 1);
	ASSERT_STREQ(runtime_name(s->c.runtime.runtime), "runc", "runc from the lineage");
	ASSERT_STREQ(s->c.runtime.id, "t9", "ID from runc's argv");
	s = must_find(LC_CREATE, 2);
	ASSERT_STREQ(runtime_name(s->c.runtime.runtime), "unshare", "garbage cgroup lines are skipped");

	/* events before the scan began are already in it */
	now = 3000;
	do_exit(lc, &(struct task){ .pid = 502, .ppid = 501, .comm = "sh", .levels = 2, .nspid = { 0, 6 }, .ns = d },
		0);
	ASSERT_EQ(nseen, 6, "an event older than the snapshot is ignored");
	now = 6000;
	nsenter.ns.inum[NSTRACE_NS_MNT] = d.inum[NSTRACE_NS_MNT];
	do_setns(lc, &nsenter, NSTRACE_NS_MNT, 0);
	nsenter.ns.inum[NSTRACE_NS_CGROUP] = h.inum[NSTRACE_NS_CGROUP];
	do_setns(lc, &nsenter, NSTRACE_NS_CGROUP, 0);
	do_exec(lc, &nsenter, "/bin/ls", "ls", NULL);
	s = must_find(LC_JOIN, 0);
	ASSERT_EQ(s->serial, 1, "a join into an existing container");
	ASSERT_EQ(s->entered.inum[NSTRACE_NS_CGROUP], 0, "the host's cgroup namespace is no part of it");
	ASSERT_TRUE(must_find(LC_EXEC, 0)->joined, "its exec");
	lifecycle_free(lc);
}

/*
 * pid 1's namespace links can be unreadable (no CAP_SYS_PTRACE over it):
 * kthreadd's tell the host's, and a container running already owns only
 * what differs from them, so entering the host's time namespace joins nothing.
 */
static void test_snapshot_unreadable_init(void)
{
	struct lifecycle *lc = fresh();
	struct nstrace_ns_set h = host_ns(), unreadable = { 0 }, d = container_ns(C1);
	struct task attach = { .pid = 900, .ppid = 1, .comm = "lxc-attach", .ns = h };
	const struct seen *s;

	snap(lc, 1, 0, "init", 1, 0, &unreadable, ARGV("/init"), "");
	snap(lc, 2, 0, "kthreadd", 1, 0, &h, "", 0, "");
	snap(lc, 500, 1, "lxc-start", 1, 0, &h, ARGV("lxc-start\0-n\0web"), "0::/\n");
	snap(lc, 501, 500, "init", 2, 1, &d, ARGV("/sbin/init"), "0::/lxc.payload.web\n");
	lifecycle_snapshot_done(lc, 5000);
	ASSERT_STREQ(sequence(), "c1:create:500 c1:init:501", "the existing container");

	now = 6000;
	attach.ns.inum[NSTRACE_NS_TIME] = h.inum[NSTRACE_NS_TIME];
	do_setns(lc, &attach, NSTRACE_NS_TIME, 0);
	attach.ns.inum[NSTRACE_NS_MNT] = d.inum[NSTRACE_NS_MNT];
	do_setns(lc, &attach, NSTRACE_NS_MNT, 0);
	attach.ns.inum[NSTRACE_NS_NET] = d.inum[NSTRACE_NS_NET];
	do_setns(lc, &attach, NSTRACE_NS_NET, 0);
	do_exec(lc, &attach, "/bin/sh", "sh", NULL);
	s = must_find(LC_JOIN, 0);
	ASSERT_EQ(s->pid, 900, "the join");
	ASSERT_EQ(s->entered.inum[NSTRACE_NS_TIME], 0, "the host's time namespace is no part of it");
	ASSERT_EQ(s->entered.inum[NSTRACE_NS_CGROUP], 0, "nor its cgroup namespace");
	ASSERT_EQ(s->entered.inum[NSTRACE_NS_MNT], d.inum[NSTRACE_NS_MNT], "the container's mnt");
	ASSERT_EQ(s->entered.inum[NSTRACE_NS_NET], d.inum[NSTRACE_NS_NET], "the container's net");
	ASSERT_EQ(nseen, 4, "create, init, one join and its exec");
	lifecycle_free(lc);
}

/* A cgroup file longer than the snapshot keeps: the cut last line names nobody. */
static void test_snapshot_cut_cgroup(void)
{
	struct lifecycle *lc = fresh();
	struct nstrace_ns_set h = host_ns(), u = container_ns(C3);
	char cgroup[SNAP_CGROUP_LEN + 64];
	size_t used = 0;

	while (used < SNAP_CGROUP_LEN - 40)
		used += snprintf(cgroup + used, sizeof(cgroup) - used, "7:cpu:/user.slice/session-1.scope\n");
	snprintf(cgroup + used, sizeof(cgroup) - used, "0::/lxc/averylongcontainernamethatiscut");
	snap(lc, 1, 0, "init", 1, 0, &h, ARGV("/sbin/init"), "0::/\n");
	snap(lc, 800, 1, "sleep", 2, 1, &u, ARGV("sleep"), cgroup);
	lifecycle_snapshot_done(lc, 0);
	ASSERT_STREQ(runtime_name(must_find(LC_CREATE, 0)->c.runtime.runtime), "unknown", "no runtime from a cut line");
	ASSERT_STREQ(must_find(LC_CREATE, 0)->c.runtime.id, "", "no half name");
	lifecycle_free(lc);
}

int main(void)
{
	SUBTEST("unshare: create, init, exec chain, join, exit with survivors, destroy", test_unshare_container());
	SUBTEST("clone(CLONE_NEWPID) container", test_clone_container());
	SUBTEST("start timeline: phases in order, adding up to the total", test_timeline());
	SUBTEST("runc under docker: CLONE_PARENT, shim ID, exec join, dockerd's visits", test_runc_docker());
	SUBTEST("pid namespace inode reuse: distinct containers, generations", test_inode_reuse());
	SUBTEST("inode back while its container looked alive", test_stale_inode());
	SUBTEST("inode back while it kept an exited container alive", test_stale_exited_outer());
	SUBTEST("pid reused while a member's exit was lost", test_reused_pid());
	SUBTEST("lost events mark containers incomplete", test_lost_events());
	SUBTEST("creator unshares NEWPID and exits without forking", test_creator_exits_unforked());
	SUBTEST("nested container", test_nested());
	SUBTEST("an init shim's child carries the exec chain", test_init_shim_chain());
	SUBTEST("snapshot of existing containers", test_snapshot());
	SUBTEST("snapshot with a cut cgroup file", test_snapshot_cut_cgroup());
	SUBTEST("snapshot where pid 1's namespaces cannot be read", test_snapshot_unreadable_init());
	return test_summary();
}
