/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The container lifecycle state machine: kernel events and /proc snapshot
 * entries in, transitions out. Pure: no libbpf, no I/O.
 */
#ifndef NSTRACE_LIFECYCLE_H
#define NSTRACE_LIFECYCLE_H

#include <stdbool.h>
#include "event.h"
#include "mountinfo.h"
#include "runtime.h"
#include "who.h"
#include "snapshot.h"

#define LC_MAX_EXECS 16 /* exec times kept for the start timeline */

enum lc_state {
	LC_CREATED, /* pid namespace exists, no pid 1 yet */
	LC_RUNNING,
	LC_EXITED, /* init gone, members being torn down */
	LC_DESTROYED,
	/*
	 * A runtime made a mount namespace and nothing has run the command
	 * in it yet: no container until something does. Never reported.
	 */
	LC_PENDING,
};

enum lc_origin {
	LC_BY_CLONE,
	LC_BY_UNSHARE,
	LC_EXISTING, /* running before tracing started */
	LC_UNSEEN, /* its creation was not seen: events were lost */
};

/*
 * The namespace a container is known by. Its own pid namespace where it
 * has one; else its mount namespace, which every container a runtime
 * starts has of its own (docs/containers.md says why).
 */
enum lc_key {
	LC_KEY_PIDNS,
	LC_KEY_MNTNS,
};

/* What a container's namespace of one type is to it. */
enum lc_share_kind {
	LC_SHARE_UNKNOWN, /* the kernel has no such namespace, or nothing showed it */
	LC_SHARE_PRIVATE, /* created for it */
	LC_SHARE_HOST, /* the host's initial one */
	LC_SHARE_CONTAINER, /* another container's: the one with serial */
	LC_SHARE_OTHER, /* neither */
};

struct lc_share {
	enum lc_share_kind kind;
	__u64 serial; /* LC_SHARE_CONTAINER */
	__u32 inum; /* the inode this was worked out for */
};

struct lc_container {
	__u64 serial; /* unique for the whole run: the key "c<serial>" */
	enum lc_key key;
	__u32 pidns; /* pid namespace inode: its own, or the one its init lives in */
	__u32 mntns; /* mount namespace inode */
	__u32 generation; /* how many namespaces of its key's type had the key's inode before */
	struct nstrace_ns_set ns;
	/* per namespace type; the *_FOR_CHILDREN entries stay LC_SHARE_UNKNOWN */
	struct lc_share share[NSTRACE_NS_TYPE_COUNT];
	nstrace_ns_mask owned; /* namespaces that are the container's own, not the host's */
	struct runtime_hint runtime;
	enum lc_origin origin;
	enum lc_state state;
	bool incomplete; /* events were lost while it lived */
	__u32 creator_pid;
	char creator_comm[NSTRACE_COMM_LEN];
	/* pid 1, or where there is no pid namespace of its own, the process the runtime started */
	__u32 init_pid;
	__u32 init_nspid_levels;
	__u32 init_nspid[NSTRACE_MAX_PID_LEVELS];
	/*
	 * Under an init shim at pid 1 (docker run --init), the process it forks
	 * runs the command: its execs continue pid 1's chain. 0 for none yet;
	 * command_pending until the shim's first child.
	 */
	__u32 command_pid;
	bool command_pending;
	__u32 members; /* live processes in it or in containers nested in it */
	__u32 execs;
	__u32 joins;
	__u32 exit_code; /* wait status of init */
	__u64 created_ns, init_ns, exit_ns, destroyed_ns;
	__u64 exec_ns[LC_MAX_EXECS];
	struct lc_container *parent;
	/* its init's at the first exec into the command; flags 0 until then */
	struct nstrace_creds init_creds;
	/* init_creds hold every capability of the host's bounding set (known: it could be told) */
	bool privileged_known, privileged;
	struct who who; /* the creator and its ancestors, at creation */
	struct mount_exposures *mounts; /* what its init's mount table exposed; NULL until read */
};

enum lc_kind {
	LC_CREATE,
	LC_INIT,
	LC_EXEC,
	LC_JOIN,
	LC_EXIT,
	LC_DESTROY,
};

/*
 * One step of a container's life, handed to the consumer during
 * lifecycle_event(), lifecycle_snapshot_done() or lifecycle_lost() and
 * valid only until the callback returns: the container may be freed
 * right after its LC_DESTROY, the exec record belongs to the caller of
 * lifecycle_event(), and the survivor list is reused by the next exit.
 * Copy what must outlive the call.
 */
struct lc_transition {
	enum lc_kind kind; /* which member of the union below is valid */
	__u64 time_ns;
	const struct lc_container *container;
	__u32 pid; /* the process it is about */
	char comm[NSTRACE_COMM_LEN];
	union {
		struct {
			const struct nstrace_exec_event *event;
			__u32 index; /* of pid 1's chain: 1, 2, ...; 0 for others */
			bool joined; /* by a process that entered with setns */
		} exec; /* LC_EXEC */
		struct {
			struct nstrace_ns_set entered; /* inodes entered (0: not entered) */
		} join; /* LC_JOIN */
		struct {
			const __u32 *survivors; /* members alive when pid 1 died */
			__u32 survivor_count;
		} exit; /* LC_EXIT */
	};
};

typedef void (*lc_emit_fn)(void *ctx, const struct lc_transition *t);

struct lifecycle;

struct lifecycle *lifecycle_new(lc_emit_fn emit, void *ctx);
void lifecycle_free(struct lifecycle *lc);

/*
 * Snapshot entries first, then snapshot_done with the time the /proc scan
 * began (events before it are already in the snapshot), then events in order.
 */
int lifecycle_snapshot_add(struct lifecycle *lc, const struct snap_process *p);
int lifecycle_snapshot_done(struct lifecycle *lc, __u64 started_ns);
int lifecycle_event(struct lifecycle *lc, const union nstrace_event *e);
/*
 * The mount table of a container's init, read when it exec'd the
 * command: kept with the container whose init is m->pid, if any.
 */
int lifecycle_mounts(struct lifecycle *lc, const struct mount_exposures *m);
/* pid is the init of a container that exec'd the command and whose mount table was not read. */
bool lifecycle_wants_mounts(struct lifecycle *lc, __u32 pid);
/* pid 1's capability bounding set, from the snapshot; 0 when unknown. */
__u64 lifecycle_host_bounding(const struct lifecycle *lc);
/*
 * The live container a process is in (the innermost, or the one it entered
 * with setns), NULL for the host or an unknown process.
 */
const struct lc_container *lifecycle_container_of(struct lifecycle *lc, __u32 pid);
const struct lc_container *lifecycle_container(struct lifecycle *lc, __u64 serial);
/* Whether a container's namespace of a type is the host's initial one. */
bool lifecycle_is_host_ns(const struct lifecycle *lc, int type, __u32 inum);
/* The live container that owns a namespace, NULL for none. */
const struct lc_container *lifecycle_ns_owner(struct lifecycle *lc, int type, __u32 inum);
/* c is outer, or nested in it */
bool lifecycle_inside(const struct lc_container *c, const struct lc_container *outer);
/* Events were dropped: every live container is marked incomplete. */
void lifecycle_lost(struct lifecycle *lc, __u64 count);

/* Containers not yet destroyed, in creation order; what they share is brought up to date first. */
void lifecycle_for_each(struct lifecycle *lc, void (*fn)(void *ctx, const struct lc_container *c),
			void *ctx);

struct lc_counts {
	__u64 containers;
	__u64 destroyed;
	__u64 processes; /* tracked now */
};
struct lc_counts lifecycle_counts(const struct lifecycle *lc);

/* Phases of a container's start, from its first namespace to the last exec of init. */
struct lc_timeline {
	__u64 total_ns;
	__u64 to_init_ns; /* creation to init */
	__u32 execs; /* phases below that are valid */
	__u64 to_exec_ns[LC_MAX_EXECS]; /* previous step to this exec of init */
};
/* false when the container's start was not seen whole */
bool lifecycle_timeline(const struct lc_container *c, struct lc_timeline *t);

#endif
