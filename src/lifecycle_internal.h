/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What the lifecycle model's rooms share: the store of containers and
 * processes (lifecycle_store.c), join tracking (lifecycle_join.c), the
 * /proc snapshot intake (lifecycle_snapshot.c) and the event handlers
 * (lifecycle.c). Not for use outside the model.
 */
#ifndef NSTRACE_LIFECYCLE_INTERNAL_H
#define NSTRACE_LIFECYCLE_INTERNAL_H

#include <uthash.h>
#include "lifecycle.h"

struct lc_node {
	struct lc_container c;
	UT_hash_handle by_pidns;
	UT_hash_handle by_serial;
	struct lc_node *prev, *next; /* live containers, in creation order */
};

/*
 * A container entered with setns. The setns calls up to the process's next
 * clone, exec or exit are reported as one join, so that a runtime entering
 * namespaces one at a time is one join; calls that go back out before then
 * are no join at all (dockerd visits a container's network namespace and
 * returns). Namespaces belong to threads: only the thread that entered and
 * the children it forks are in the container.
 */
struct lc_join {
	__u64 serial; /* 0 for none */
	__u32 tid;
	char comm[NSTRACE_COMM_LEN]; /* at the first setns: runc renames its stages without an exec */
	struct nstrace_ns_set entered; /* what it is in now; 0 for a type it is not */
	__u64 time_ns;
	bool reported;
	bool exec_pending; /* the first exec after the join, its own or a child's, is reported */
};

struct lc_process {
	__u32 pid;
	__u32 ppid;
	char comm[NSTRACE_COMM_LEN];
	struct runtime_hint hint; /* from its argv */
	/* as its last exec left them, or its parent's at fork; flags 0 when not known */
	struct nstrace_creds creds;
	struct lc_container *container; /* innermost, NULL on the host */
	struct lc_join join;
	/* a pid namespace it unshared and has not forked pid 1 into yet */
	__u64 unborn;
	UT_hash_handle hh;
};

/* Which container owns a namespace, for telling joins apart. */
struct lc_owned_ns {
	__u64 key; /* type << 32 | inode */
	__u64 serial;
	UT_hash_handle hh;
};

/* How many pid namespaces had an inode before: inodes are reused at once. */
struct lc_generation {
	__u32 pidns;
	__u32 count;
	UT_hash_handle hh;
};

struct lifecycle {
	lc_emit_fn emit;
	void *ctx;
	struct lc_process *processes;
	struct lc_node *by_pidns;
	struct lc_node *by_serial;
	struct lc_node *head, *tail;
	struct lc_owned_ns *owned;
	struct lc_generation *generations;
	__u64 next_serial;
	__u64 destroyed;
	/* events older than the snapshot are already in it */
	__u64 snapshot_ns;
	/* the host's, from the snapshot: 0 for a type nothing there showed */
	struct nstrace_ns_set host_ns;
	/* pid 1's capability bounding set, from the snapshot: 0 when unknown */
	__u64 host_bounding;
	__u32 *survivors;
	size_t survivors_cap;
};

/* The store: containers, processes, namespace owners, generations (lifecycle_store.c). */
struct lc_container *lc_find_by_pidns(struct lifecycle *lc, __u32 pidns);
struct lc_container *lc_find_by_serial(struct lifecycle *lc, __u64 serial);
struct lc_process *lc_find_process(struct lifecycle *lc, __u32 pid);
struct lc_process *lc_new_process(struct lifecycle *lc, __u32 pid);
void lc_forget_process(struct lifecycle *lc, struct lc_process *p);
/* A new container; a stale one with the same pid namespace inode is ended first. */
struct lc_container *lc_create(struct lifecycle *lc, __u32 pidns, enum lc_origin origin, __u64 time_ns);
void lc_destroy(struct lifecycle *lc, struct lc_container *c, __u64 time_ns);
/* Destroys c and the containers around it that have exited and have no members left. */
void lc_check_destroy(struct lifecycle *lc, struct lc_container *c, __u64 time_ns);
/* Adds a process to the member counts of its container and every enclosing one. */
void lc_count_member(struct lc_container *c, int delta);
bool lc_inside(const struct lc_container *c, const struct lc_container *outer);
void lc_set_parent(struct lc_container *c, struct lc_container *parent);
void lc_own_namespaces(struct lifecycle *lc, struct lc_container *c, nstrace_ns_mask mask);
/* What the container's init holds as it starts the command, and whether that is privileged. */
void lc_set_init_creds(struct lifecycle *lc, struct lc_container *c, const struct nstrace_creds *creds);
/* Fills c->who from the process table, starting at c->creator_pid. */
void lc_trace_who(struct lifecycle *lc, struct lc_container *c);
struct lc_container *lc_owner_of(struct lifecycle *lc, int type, __u32 inum);
/* The most telling runtime among p and its ancestors in the same container. */
void lc_lineage_runtime(struct lifecycle *lc, const struct lc_process *p, struct runtime_hint *out);

/* Hands t to the consumer; t and what it points to live only during the call. */
void lc_emit(struct lifecycle *lc, struct lc_transition *t, const struct lc_container *c, __u64 time_ns);
void lc_emit_simple(struct lifecycle *lc, enum lc_kind kind, const struct lc_container *c, __u64 time_ns,
		    __u32 pid, const char *comm);

/* Join tracking (lifecycle_join.c). */
void lc_flush_join(struct lifecycle *lc, struct lc_process *p);
/* The thread's next clone, exec or exit ends a run of setns calls. */
void lc_flush_join_of(struct lifecycle *lc, struct lc_process *p, __u32 tid);
/* Records the namespaces a setns moved p's thread into. */
void lc_track_setns(struct lifecycle *lc, struct lc_process *p, const struct nstrace_setns_event *e);

#endif
