// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * mkrec [--reuse] FILE: writes a small recording of a made-up host, in
 * the format --record writes. By default it has every record kind and
 * every event type: a snapshot of the host's pid 1 and of a running
 * container, a container made with unshare that execs, is joined with
 * setns, loses events and ends, and one that runc makes in the host's
 * pid namespace, known by its mount namespace. With --reuse, the exits of a container's
 * processes are lost and its pid namespace inode comes back for a new
 * container before the old members' exits show up.
 * The recordings seed the replay fuzzer and feed the damaged-replay and
 * valgrind tests without carrying any real host's processes.
 */
#include <stdio.h>
#include <string.h>
#include "event.h"
#include "record.h"
#include "snapshot.h"

#define HOST_NS 4026531800u
#define OLD_PIDNS 4026532300u
#define NEW_PIDNS 4026532400u
#define RUNC_MNTNS 4026532500u
#define SEC 1000000000ULL

static void host_ns(struct nstrace_ns_set *ns)
{
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		ns->inum[t] = HOST_NS + t;
}

static void snapshot(FILE *f, __u32 pid, __u32 ppid, __u32 inner, __u32 pidns, const char *comm,
		     const char *cmdline, size_t cmdline_len, const char *cgroup)
{
	struct snap_process p = { .pid = pid, .ppid = ppid };

	host_ns(&p.ns);
	p.nspid[p.nspid_levels++] = pid;
	if (inner) {
		p.nspid[p.nspid_levels++] = inner;
		p.ns.inum[NSTRACE_NS_PID] = p.ns.inum[NSTRACE_NS_PID_FOR_CHILDREN] = pidns;
	}
	strncpy(p.comm, comm, sizeof(p.comm) - 1);
	memcpy(p.cmdline, cmdline, cmdline_len);
	p.cmdline_len = cmdline_len;
	p.cgroup_len = strlen(cgroup);
	memcpy(p.cgroup, cgroup, p.cgroup_len);
	record_write(f, RECORD_SNAPSHOT, &p, sizeof(p));
}

static void header(struct nstrace_header *h, __u32 type, __u64 t, __u32 pid, __u32 ppid, __u32 inner,
		   const char *comm)
{
	h->time_ns = 10 * SEC + t;
	h->type = type;
	h->size = nstrace_event_size(type);
	h->pid = h->tid = pid;
	h->ppid = ppid;
	h->nspid[h->nspid_levels++] = pid;
	if (inner)
		h->nspid[h->nspid_levels++] = inner;
	strncpy(h->comm, comm, sizeof(h->comm) - 1);
	host_ns(&h->ns);
	h->ns.inum[NSTRACE_NS_PID_FOR_CHILDREN] = NEW_PIDNS;
	if (inner)
		h->ns.inum[NSTRACE_NS_PID] = NEW_PIDNS;
}

static void event(FILE *f, const union nstrace_event *e)
{
	record_write(f, RECORD_EVENT, e, e->hdr.size);
}

static void exec_event(FILE *f, __u64 t, __u32 pid, __u32 inner, const char *comm, const char *file,
		       const char *args, size_t args_len)
{
	union nstrace_event e = { 0 };

	header(&e.hdr, NSTRACE_EVENT_EXEC, t, pid, 100, inner, comm);
	e.exec.old_tid = pid;
	strncpy(e.exec.filename, file, sizeof(e.exec.filename) - 1);
	memcpy(e.exec.args, args, args_len);
	e.exec.args_len = args_len;
	event(f, &e);
}

static void clone_event(FILE *f, __u64 t, __u32 pid, __u32 caller, __u32 inner, const char *comm)
{
	union nstrace_event e = { 0 };

	header(&e.hdr, NSTRACE_EVENT_CLONE, t, pid, caller, inner, comm);
	e.clone.caller_pid = e.clone.caller_tid = caller;
	event(f, &e);
}

static void unshare_event(FILE *f, __u64 t, __u32 pid, __u32 inner, __u32 pidns, const char *comm)
{
	union nstrace_event e = { 0 };

	header(&e.hdr, NSTRACE_EVENT_UNSHARE, t, pid, 1, inner, comm);
	e.hdr.ns.inum[NSTRACE_NS_PID_FOR_CHILDREN] = pidns;
	e.unshare.flags = NSTRACE_CLONE_NEWPID;
	event(f, &e);
}

static void exit_event(FILE *f, __u64 t, __u32 pid, __u32 ppid, __u32 inner, const char *comm)
{
	union nstrace_event e = { 0 };

	header(&e.hdr, NSTRACE_EVENT_EXIT, t, pid, ppid, inner, comm);
	e.exit.reaper = inner == 1;
	event(f, &e);
}

static void meta(FILE *f, const char *json)
{
	record_write(f, RECORD_META, json, strlen(json));
}

static void write_reuse(FILE *f)
{
	struct record_snapshot_done done = { .started_ns = 10 * SEC };
	struct record_lost lost = { .count = 3, .total = 3 };

	record_write(f, RECORD_SNAPSHOT_DONE, &done, sizeof(done));
	unshare_event(f, 1, 100, 0, NEW_PIDNS, "unshare");
	clone_event(f, 2, 101, 100, 1, "unshare");
	clone_event(f, 3, 102, 101, 2, "sh");
	/* a container nested in it, still waiting for its pid 1 */
	unshare_event(f, 4, 102, 2, OLD_PIDNS, "sh");
	/* the exits of 100, 101 and 102 are lost; the inode is free again */
	record_write(f, RECORD_LOST, &lost, sizeof(lost));
	unshare_event(f, 5, 300, 0, NEW_PIDNS, "unshare");
	clone_event(f, 6, 301, 300, 1, "unshare");
	exit_event(f, 7, 102, 101, 2, "sh");
	exit_event(f, 8, 301, 300, 1, "sleep");
	exit_event(f, 9, 300, 1, 0, "unshare");
}

static void write_lifecycle(FILE *f)
{
	static const char docker_cgroup[] =
		"0::/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope\n";
	struct record_snapshot_done done = { .started_ns = 10 * SEC };
	struct record_lost lost = { .count = 3, .total = 3 };
	union nstrace_event e = { 0 };

	snapshot(f, 1, 0, 0, 0, "init", "/sbin/init", 11, "0::/init.scope\n");
	snapshot(f, 50, 1, 0, 0, "containerd-shim", "containerd-shim\0-namespace\0moby\0-id\0abc", 39, "0::/\n");
	snapshot(f, 51, 50, 1, OLD_PIDNS, "sh", "sh\0-c\0sleep 1", 13, docker_cgroup);
	/* Docker is asked about the container found at start, and names it */
	meta(f, "{\"ask\":\"docker\",\"id\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}");
	record_write(f, RECORD_SNAPSHOT_DONE, &done, sizeof(done));
	meta(f, "{\"answer\":\"docker\",\"id\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","
		"\"err\":0,\"why\":\"\",\"first_failure\":false,\"meta\":{\"sources\":[\"docker\"],\"name\":\"web\","
		"\"image\":\"local/busybox\",\"labels\":{\"com.docker.compose.project\":\"shop\",\"tier\\n\":\"\\u001b[2J\"},"
		"\"compose\":{\"project\":\"shop\"}}}");

	/* unshare --pid --fork sh: a pid namespace for children, then its pid 1 */
	exec_event(f, 1, 100, 0, "unshare", "/usr/bin/unshare", "unshare\0--pid\0--fork\0sh", 23);
	header(&e.hdr, NSTRACE_EVENT_UNSHARE, 2, 100, 1, 0, "unshare");
	e.unshare.flags = NSTRACE_CLONE_NEWPID;
	event(f, &e);
	memset(&e, 0, sizeof(e));
	header(&e.hdr, NSTRACE_EVENT_CLONE, 3, 101, 100, 1, "unshare");
	e.clone.caller_pid = e.clone.caller_tid = 100;
	event(f, &e);
	exec_event(f, 4, 101, 1, "sh", "/bin/sh", "sh\0-c\0\x1b[2J\n", 11);

	/* nsenter joins it with setns and runs a command */
	memset(&e, 0, sizeof(e));
	header(&e.hdr, NSTRACE_EVENT_SETNS, 5, 200, 1, 0, "nsenter");
	e.hdr.ns.inum[NSTRACE_NS_PID_FOR_CHILDREN] = NEW_PIDNS;
	e.setns.fd = 3;
	e.setns.target = NSTRACE_SETNS_TARGET_NSFS;
	e.setns.target_inum = NEW_PIDNS;
	event(f, &e);
	exec_event(f, 5, 200, 0, "nsenter", "/bin/cat", "cat\0/etc/hostname", 17);
	record_write(f, RECORD_LOST, &lost, sizeof(lost));

	memset(&e, 0, sizeof(e));
	header(&e.hdr, NSTRACE_EVENT_EXIT, 6, 101, 100, 1, "sh");
	e.exit.exit_code = 2 << 8;
	e.exit.reaper = 1;
	event(f, &e);
	memset(&e, 0, sizeof(e));
	header(&e.hdr, NSTRACE_EVENT_EXIT, 7, 100, 1, 0, "unshare");
	event(f, &e);

	/* runc's second stage makes a mount namespace, no pid namespace; its child runs the command */
	exec_event(f, 8, 400, 0, "runc", "/usr/sbin/runc", "runc\0init", 10);
	clone_event(f, 9, 401, 400, 0, "runc:[1:CHILD]");
	memset(&e, 0, sizeof(e));
	header(&e.hdr, NSTRACE_EVENT_UNSHARE, 10, 401, 400, 0, "runc:[1:CHILD]");
	e.hdr.ns.inum[NSTRACE_NS_MNT] = RUNC_MNTNS;
	e.unshare.flags = NSTRACE_CLONE_NEWNS;
	event(f, &e);
	memset(&e, 0, sizeof(e));
	header(&e.hdr, NSTRACE_EVENT_CLONE, 11, 402, 400, 0, "runc:[1:CHILD]");
	e.hdr.ns.inum[NSTRACE_NS_MNT] = RUNC_MNTNS;
	e.clone.caller_pid = e.clone.caller_tid = 401;
	e.clone.flags = NSTRACE_CLONE_PARENT;
	event(f, &e);
	memset(&e, 0, sizeof(e));
	header(&e.hdr, NSTRACE_EVENT_EXIT, 12, 401, 400, 0, "runc:[1:CHILD]");
	e.hdr.ns.inum[NSTRACE_NS_MNT] = RUNC_MNTNS;
	event(f, &e);
	memset(&e, 0, sizeof(e));
	header(&e.hdr, NSTRACE_EVENT_EXEC, 12, 402, 400, 0, "sh");
	e.hdr.ns.inum[NSTRACE_NS_MNT] = RUNC_MNTNS;
	e.exec.old_tid = 402;
	strcpy(e.exec.filename, "/bin/sh");
	e.exec.args_len = 3;
	memcpy(e.exec.args, "sh", 3);
	event(f, &e);
	memset(&e, 0, sizeof(e));
	header(&e.hdr, NSTRACE_EVENT_EXIT, 13, 402, 400, 0, "sh");
	e.hdr.ns.inum[NSTRACE_NS_MNT] = RUNC_MNTNS;
	e.exit.exit_code = 5 << 8;
	event(f, &e);
}

int main(int argc, char **argv)
{
	bool reuse = argc == 3 && !strcmp(argv[1], "--reuse");
	const char *path = argv[argc - 1];
	FILE *f;

	if (argc != 2 && !reuse) {
		fprintf(stderr, "usage: mkrec [--reuse] FILE\n");
		return 2;
	}
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return 1;
	}
	record_write_header(f);
	if (reuse)
		write_reuse(f);
	else
		write_lifecycle(f);
	if (fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}
