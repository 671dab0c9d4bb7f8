// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Namespace changes no event explains: what is found, and what is not. */
#include "testing.h"
#include "records.h"
#include "nsgate.h"

#define HOST_UTS 4026531838u
#define NEW_UTS 4026532200u
#define HOST_TIME 4026531834u
#define NEW_TIME 4026532300u

/* A task of pid in the host's namespaces: every type numbered, uts and time named. */
static union nstrace_event task_event(__u32 type, __u32 pid)
{
	union nstrace_event e = make_record(type);
	const __u32 nspid[] = { pid };

	set_task(&e.hdr, pid, 1, "task", nspid, 1);
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		e.hdr.ns.inum[t] = 4026531800u + t;
	e.hdr.ns.inum[NSTRACE_NS_UTS] = HOST_UTS;
	e.hdr.ns.inum[NSTRACE_NS_TIME] = e.hdr.ns.inum[NSTRACE_NS_TIME_FOR_CHILDREN] = HOST_TIME;
	return e;
}

static union nstrace_event clone_of(__u32 parent, __u32 child, __u64 flags)
{
	union nstrace_event e = task_event(NSTRACE_EVENT_CLONE, child);

	e.clone.caller_pid = e.clone.caller_tid = parent;
	e.clone.flags = flags;
	return e;
}

/* A process known from its exec: a plain fork is not remembered before. */
static union nstrace_event exec_of(__u32 pid)
{
	union nstrace_event e = task_event(NSTRACE_EVENT_EXEC, pid);

	e.exec.old_tid = pid;
	return e;
}

static bool feed(struct nsgate *g, union nstrace_event e, struct nsgate_change *c)
{
	return nsgate_event(g, &e, c);
}

static void check_explained_changes(void)
{
	struct nsgate *g = nsgate_new();
	struct nsgate_change c;
	union nstrace_event e;

	ASSERT_TRUE(g != NULL, "nsgate_new");
	ASSERT_TRUE(!feed(g, clone_of(100, 200, 0), &c), "a fork of an unknown parent");
	/* a plain fork is known from its exec on: before, nothing is held against it */
	e = task_event(NSTRACE_EVENT_EXIT, 200);
	e.hdr.ns.inum[NSTRACE_NS_UTS] = NEW_UTS;
	ASSERT_TRUE(!feed(g, e, &c), "the exit of a plain fork that never exec'd");
	ASSERT_TRUE(!feed(g, exec_of(200), &c), "its exec");
	e = task_event(NSTRACE_EVENT_UNSHARE, 200);
	e.hdr.ns.inum[NSTRACE_NS_UTS] = NEW_UTS;
	e.unshare.flags = NSTRACE_CLONE_NEWUTS;
	ASSERT_TRUE(!feed(g, e, &c), "the unshare itself");
	e.hdr.type = NSTRACE_EVENT_EXEC;
	e.exec.old_tid = 200;
	ASSERT_TRUE(!feed(g, e, &c), "exec in the namespace the unshare made");
	/* the child of a clone with CLONE_NEWUTS differs in uts only */
	e = clone_of(200, 300, NSTRACE_CLONE_NEWUTS);
	e.hdr.ns.inum[NSTRACE_NS_UTS] = NEW_UTS + 1;
	ASSERT_TRUE(!feed(g, e, &c), "clone with CLONE_NEWUTS");
	/* exec moves the time namespace to time_for_children */
	e = task_event(NSTRACE_EVENT_EXEC, 300);
	e.exec.old_tid = 300;
	e.hdr.ns.inum[NSTRACE_NS_UTS] = NEW_UTS + 1;
	e.hdr.ns.inum[NSTRACE_NS_TIME] = NEW_TIME;
	ASSERT_TRUE(!feed(g, e, &c), "exec entering time_for_children");
	/* namespaces the kernel lacks, or the exit could not read, read 0 */
	e.hdr.type = NSTRACE_EVENT_EXIT;
	e.hdr.ns.inum[NSTRACE_NS_MNT] = 0;
	ASSERT_TRUE(!feed(g, e, &c), "exit with an unread mount namespace");
	nsgate_free(g);
}

static void check_unexplained_at_exit(void)
{
	struct nsgate *g = nsgate_new();
	struct nsgate_change c;
	union nstrace_event e;
	char text[256];

	feed(g, exec_of(200), &c);
	e = task_event(NSTRACE_EVENT_EXIT, 200);
	e.hdr.ns.inum[NSTRACE_NS_UTS] = NEW_UTS;
	ASSERT_TRUE(feed(g, e, &c), "a uts change with no event");
	ASSERT_EQ(c.pid, 200, "the task");
	ASSERT_EQ(c.changed, 1u << NSTRACE_NS_UTS, "only uts changed");
	ASSERT_STREQ(c.found_at, "exit", "found at");
	ASSERT_STREQ(nsgate_describe(&c, text, sizeof(text)), "pid 200 (task): uts 4026531838 -> 4026532200",
		     "description");
	/* the exit forgot the task: the same pid again is a new task */
	ASSERT_TRUE(!feed(g, e, &c), "a pid after its exit");
	nsgate_free(g);
}

static void check_unexplained_at_clone_and_exec(void)
{
	struct nsgate *g = nsgate_new();
	struct nsgate_change c;
	union nstrace_event e;

	feed(g, exec_of(200), &c);
	/* 200 entered another uts namespace unseen, then forks with CLONE_NEWNET */
	e = clone_of(200, 300, NSTRACE_CLONE_NEWNET);
	e.hdr.ns.inum[NSTRACE_NS_UTS] = NEW_UTS;
	e.hdr.ns.inum[NSTRACE_NS_NET] += 1000;
	ASSERT_TRUE(feed(g, e, &c), "the fork shows the creator's change");
	ASSERT_EQ(c.pid, 200, "the creator is named");
	ASSERT_STREQ(c.found_at, "clone", "found at");
	ASSERT_EQ(c.changed, 1u << NSTRACE_NS_UTS, "net was the flag's");
	/* said once: the creator is now known in its new namespace */
	e = task_event(NSTRACE_EVENT_EXEC, 200);
	e.exec.old_tid = 200;
	e.hdr.ns.inum[NSTRACE_NS_UTS] = NEW_UTS;
	ASSERT_TRUE(!feed(g, e, &c), "not said twice");
	/* a thread that exec'd: compared with its process, found under the thread */
	e.exec.old_tid = 201;
	e.hdr.ns.inum[NSTRACE_NS_IPC] += 1000;
	ASSERT_TRUE(feed(g, e, &c), "exec by a thread");
	ASSERT_EQ(c.tid, 201, "the thread is named");
	ASSERT_EQ(c.changed, 1u << NSTRACE_NS_IPC, "ipc");
	nsgate_free(g);
}

static void check_threads_and_losses(void)
{
	struct nsgate *g = nsgate_new();
	struct nsgate_change c;
	union nstrace_event e;
	char text[256];

	feed(g, exec_of(200), &c);
	/* thread 201 of 200 enters a namespace: the process's other threads stay */
	e = task_event(NSTRACE_EVENT_SETNS, 200);
	e.hdr.tid = 201;
	e.hdr.ns.inum[NSTRACE_NS_NET] += 1000;
	ASSERT_TRUE(!feed(g, e, &c), "setns by a thread");
	e = task_event(NSTRACE_EVENT_EXIT, 200);
	e.hdr.tid = 202;
	ASSERT_TRUE(!feed(g, e, &c), "another thread exits in the process's namespaces");
	e.hdr.tid = 201;
	e.hdr.ns.inum[NSTRACE_NS_NET] += 1000;
	e.hdr.ns.inum[NSTRACE_NS_MNT] += 1000;
	ASSERT_TRUE(feed(g, e, &c), "the thread's own record counts for it");
	ASSERT_STREQ(nsgate_describe(&c, text, sizeof(text)),
		     "pid 200 (task) thread 201: mnt 4026531800 -> 4026532800", "description of a thread");
	ASSERT_STREQ(nsgate_describe(&c, text, 12), "pid 200 (ta", "a short buffer cuts");

	feed(g, exec_of(300), &c);
	nsgate_forget_all(g);
	e = task_event(NSTRACE_EVENT_EXIT, 300);
	e.hdr.ns.inum[NSTRACE_NS_UTS] = NEW_UTS;
	ASSERT_TRUE(!feed(g, e, &c), "after lost events nothing is held against a task");
	nsgate_free(g);
}

/* A Go program's locked thread enters a namespace; another of its threads is the last to exit. */
static void check_other_threads(void)
{
	struct nsgate *g = nsgate_new();
	struct nsgate_change c;
	union nstrace_event e;

	feed(g, exec_of(200), &c);
	e = task_event(NSTRACE_EVENT_SETNS, 200);
	e.hdr.ns.inum[NSTRACE_NS_NET] += 1000;
	ASSERT_TRUE(!feed(g, e, &c), "the leader's setns");
	e = task_event(NSTRACE_EVENT_EXIT, 200);
	e.hdr.tid = 205;
	ASSERT_TRUE(!feed(g, e, &c), "a thread still in the namespaces the process was born in");
	nsgate_free(g);

	/* a process met after its birth: its other threads' namespaces are not known */
	g = nsgate_new();
	e = task_event(NSTRACE_EVENT_SETNS, 500);
	e.hdr.tid = 501;
	e.hdr.ns.inum[NSTRACE_NS_NET] += 1000;
	feed(g, e, &c);
	e = clone_of(500, 600, 0);
	e.clone.caller_tid = 502;
	ASSERT_TRUE(!feed(g, e, &c), "a fork by another thread of a process met late");
	nsgate_free(g);
}

/* A thread's record does not outlive an exec of its process. */
static void check_exec_ends_threads(void)
{
	struct nsgate *g = nsgate_new();
	struct nsgate_change c;
	union nstrace_event e;

	feed(g, exec_of(200), &c);
	e = task_event(NSTRACE_EVENT_SETNS, 200);
	e.hdr.tid = 201;
	e.hdr.time_ns = 10;
	e.hdr.ns.inum[NSTRACE_NS_NET] += 1000;
	feed(g, e, &c);
	e = task_event(NSTRACE_EVENT_EXEC, 200);
	e.exec.old_tid = 200;
	e.hdr.time_ns = 20;
	ASSERT_TRUE(!feed(g, e, &c), "exec by the leader, in the process's first namespaces");
	/* tid 201 again, a new thread after the exec */
	e = task_event(NSTRACE_EVENT_EXIT, 200);
	e.hdr.tid = 201;
	e.hdr.time_ns = 30;
	ASSERT_TRUE(!feed(g, e, &c), "the old thread's record is not held against a new one");
	nsgate_free(g);
}

int main(void)
{
	SUBTEST("nsgate: explained changes", check_explained_changes());
	SUBTEST("nsgate: a change found at exit", check_unexplained_at_exit());
	SUBTEST("nsgate: changes found at clone and exec", check_unexplained_at_clone_and_exec());
	SUBTEST("nsgate: threads and lost events", check_threads_and_losses());
	SUBTEST("nsgate: threads without a record of their own", check_other_threads());
	SUBTEST("nsgate: an exec ends the records of its threads", check_exec_ends_threads());
	return test_summary();
}
