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

/* A namespace as one hash key: type << 32 | inode. */
static inline __u64 lc_ns_key(int type, __u32 inum)
{
	return (__u64)type << 32 | inum;
}

struct lc_node {
	struct lc_container c;
	__u64 key; /* lc_ns_key() of the namespace it is known by */
	/* namespaces made for it while it was pending, owned once it is a container */
	nstrace_ns_mask made;
	UT_hash_handle by_key;
	UT_hash_handle by_serial; /* not while pending: it has no serial yet */
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
	__u64 serial; /* the container joined, once reported; 0 before */
	__u32 tid; /* 0 for no join */
	char comm[NSTRACE_COMM_LEN]; /* at the first setns: runc renames its stages without an exec */
	/* what it is in now that some container owns; 0 for a type it is not */
	struct nstrace_ns_set entered;
	__u64 time_ns;
	bool reported;
	bool exec_pending; /* the first exec after the join, its own or a child's, is reported */
};

struct lc_process {
	__u32 pid;
	__u32 ppid;
	__u32 pidns; /* its pid namespace's inode below the host's level, else 0: it never changes */
	__u64 born_ns; /* 0 when its start was not seen */
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

static inline struct lc_node *lc_node_of(struct lc_container *c)
{
	return (struct lc_node *)c;
}

/* How many namespaces of a type had an inode before: inodes are reused at once. */
struct lc_generation {
	__u64 key; /* lc_ns_key() */
	__u32 count;
	UT_hash_handle hh;
};

/* What the snapshot knew of a process beyond what the model keeps, until the snapshot is done. */
struct lc_snap_entry {
	__u32 pid;
	__u32 nspid_levels;
	__u32 nspid[NSTRACE_MAX_PID_LEVELS];
	struct nstrace_ns_set ns;
	struct runtime_hint cgroup; /* the container its cgroup path names */
	__u64 start_ticks;
};

struct lifecycle {
	lc_emit_fn emit;
	void *ctx;
	struct lc_process *processes;
	struct lc_node *by_key;
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
	struct lc_snap_entry *snap;
	size_t snap_count, snap_cap;
};

/* The store: containers, processes, namespace owners, generations (lifecycle_store.c). */
/* The live or pending container known by a namespace (NSTRACE_NS_PID or NSTRACE_NS_MNT). */
struct lc_container *lc_find_by_key(struct lifecycle *lc, int type, __u32 inum);
struct lc_container *lc_find_by_serial(struct lifecycle *lc, __u64 serial);
struct lc_process *lc_find_process(struct lifecycle *lc, __u32 pid);
struct lc_process *lc_new_process(struct lifecycle *lc, __u32 pid);
void lc_forget_process(struct lifecycle *lc, struct lc_process *p);
/*
 * A new container known by its pid or mount namespace; a stale one with the
 * same key is ended first. A pending one gets its serial when it becomes one.
 */
struct lc_container *lc_create(struct lifecycle *lc, enum lc_key key, __u32 inum, enum lc_origin origin,
			       __u64 time_ns, bool pending);
/* A pending container becomes one: it gets its serial and owns what was made for it. */
void lc_promote(struct lifecycle *lc, struct lc_container *c);
/* Ends a pending container without a word: nothing ever ran in it. */
void lc_discard(struct lifecycle *lc, struct lc_container *c);
void lc_destroy(struct lifecycle *lc, struct lc_container *c, __u64 time_ns);
/* Ends c and the containers around it that have exited, or are pending, and have no members left. */
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

/* Works out again what c shares, where its namespaces changed since. */
void lc_update_sharing(struct lifecycle *lc, struct lc_container *c);
/* Hands t to the consumer; t and what it points to live only during the call. */
void lc_emit(struct lifecycle *lc, struct lc_transition *t, struct lc_container *c, __u64 time_ns);
void lc_emit_simple(struct lifecycle *lc, enum lc_kind kind, struct lc_container *c, __u64 time_ns, __u32 pid,
		    const char *comm);

/* Join tracking (lifecycle_join.c). */
void lc_flush_join(struct lifecycle *lc, struct lc_process *p);
/* The thread's next clone, exec or exit ends a run of setns calls. */
void lc_flush_join_of(struct lifecycle *lc, struct lc_process *p, __u32 tid);
/* Records the namespaces a setns moved p's thread into. */
void lc_track_setns(struct lifecycle *lc, struct lc_process *p, const struct nstrace_setns_event *e);
/* Namespaces entered on the way to making a container are its own business, not a join. */
void lc_cancel_join(struct lc_process *p, __u32 tid);

#endif
