/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The record format shared by the BPF programs and user space.
 * Fixed-width fields only: the same bytes are written to --record files
 * and read back by replay, so any change here is a format change.
 */
#ifndef NSTRACE_H
#define NSTRACE_H

#define NSTRACE_COMM_LEN 16
/* MAX_PID_NS_LEVEL is 32 nested namespaces, plus the host level. */
#define NSTRACE_MAX_PID_LEVELS 33
#define NSTRACE_FILENAME_LEN 256
#define NSTRACE_ARGS_LEN 2048

/*
 * The BPF side wakes the reader at most once per interval for records
 * that trickle in; after each batch the reader polls again within the
 * same interval, so no record waits longer than about that. A wake-up
 * costs the traced task a self-IPI and the reader a context switch,
 * which under a clone storm cost more than all the rest of tracing.
 */
#define NSTRACE_WAKEUP_INTERVAL_MS 10

/* UAPI clone flags (include/uapi/linux/sched.h): vmlinux.h carries no macros. */
#define NSTRACE_CLONE_NEWTIME 0x00000080ULL
#define NSTRACE_CLONE_NEWNS 0x00020000ULL
#define NSTRACE_CLONE_NEWCGROUP 0x02000000ULL
#define NSTRACE_CLONE_NEWUTS 0x04000000ULL
#define NSTRACE_CLONE_NEWIPC 0x08000000ULL
#define NSTRACE_CLONE_NEWUSER 0x10000000ULL
#define NSTRACE_CLONE_NEWPID 0x20000000ULL
#define NSTRACE_CLONE_NEWNET 0x40000000ULL
/* Every CLONE_NEW* flag: a clone or unshare without any creates no namespace. */
#define NSTRACE_CLONE_NEW_MASK                                                                       \
	(NSTRACE_CLONE_NEWNS | NSTRACE_CLONE_NEWUTS | NSTRACE_CLONE_NEWIPC | NSTRACE_CLONE_NEWPID | \
	 NSTRACE_CLONE_NEWNET | NSTRACE_CLONE_NEWCGROUP | NSTRACE_CLONE_NEWUSER | NSTRACE_CLONE_NEWTIME)
#define NSTRACE_CLONE_THREAD 0x00010000ULL
#define NSTRACE_CLONE_PARENT 0x00008000ULL

/* Order and names follow /proc/PID/ns/. */
enum nstrace_ns_type {
	NSTRACE_NS_MNT,
	NSTRACE_NS_UTS,
	NSTRACE_NS_IPC,
	NSTRACE_NS_PID,
	NSTRACE_NS_PID_FOR_CHILDREN,
	NSTRACE_NS_NET,
	NSTRACE_NS_CGROUP,
	NSTRACE_NS_USER,
	NSTRACE_NS_TIME,
	NSTRACE_NS_TIME_FOR_CHILDREN,
	NSTRACE_NS_TYPE_COUNT,
};

enum nstrace_event_type {
	NSTRACE_EVENT_CLONE = 1,
	NSTRACE_EVENT_UNSHARE,
	NSTRACE_EVENT_SETNS,
	NSTRACE_EVENT_EXEC,
	NSTRACE_EVENT_EXIT,
	NSTRACE_EVENT_TYPE_MAX = NSTRACE_EVENT_EXIT,
};

/* An inode of 0 means the kernel has no such namespace (e.g. no CONFIG_TIME_NS). */
struct nstrace_ns_set {
	__u32 inum[NSTRACE_NS_TYPE_COUNT];
};

/*
 * Every record starts with this header. The subject is the task the event
 * is about: the new child for clone, the caller for unshare and setns.
 */
struct nstrace_header {
	__u64 time_ns; /* CLOCK_MONOTONIC */
	__u32 type;
	__u32 size; /* bytes of the whole record */
	__u32 pid; /* tgid on the host level */
	__u32 tid;
	__u32 ppid;
	__u32 nspid_levels; /* entries used in nspid */
	__u32 nspid[NSTRACE_MAX_PID_LEVELS]; /* outermost first */
	char comm[NSTRACE_COMM_LEN];
	struct nstrace_ns_set ns; /* the subject's namespaces after the event */
};

struct nstrace_clone_event {
	struct nstrace_header hdr;
	__u64 flags;
	__u32 caller_pid; /* the process that called clone; differs from ppid with CLONE_PARENT */
	__u32 caller_tid;
};

struct nstrace_unshare_event {
	struct nstrace_header hdr;
	__u64 flags;
	__s64 ret;
};

enum nstrace_setns_target {
	NSTRACE_SETNS_TARGET_UNKNOWN,
	NSTRACE_SETNS_TARGET_NSFS, /* fd of a /proc/PID/ns/ file */
	NSTRACE_SETNS_TARGET_PIDFD,
};

struct nstrace_setns_event {
	struct nstrace_header hdr;
	__s64 ret;
	__s32 fd;
	__s32 nstype;
	__u32 target; /* enum nstrace_setns_target */
	__u32 target_inum; /* namespace inode behind fd, for nsfs targets */
};

/*
 * The extents kept inside struct uid_gid_map itself
 * (UID_GID_MAP_MAX_BASE_EXTENTS); longer maps are stored from their first.
 */
#define NSTRACE_IDMAP_EXTENTS 5

/*
 * One line of /proc/PID/uid_map: ids first .. first+count-1 inside the
 * namespace are lower_first .. lower_first+count-1 on the host (the kernel
 * keeps lower ids as the initial user namespace sees them).
 */
struct nstrace_idmap_extent {
	__u32 first;
	__u32 lower_first;
	__u32 count;
};

struct nstrace_idmap {
	__u32 nr_extents; /* the kernel's count; the first NSTRACE_IDMAP_EXTENTS are in extent */
	struct nstrace_idmap_extent extent[NSTRACE_IDMAP_EXTENTS];
};

/* Bits of nstrace_creds.flags */
#define NSTRACE_CREDS_READ (1u << 0) /* the rest was read: the kernel's layout was understood */
#define NSTRACE_CREDS_NO_NEW_PRIVS (1u << 1)
#define NSTRACE_CREDS_AUDIT (1u << 2) /* loginuid and sessionid are the kernel's (CONFIG_AUDIT) */
#define NSTRACE_CREDS_SECCOMP (1u << 3) /* seccomp_mode is the kernel's (CONFIG_SECCOMP) */

/* A loginuid never set since boot, as /proc/PID/loginuid shows it. */
#define NSTRACE_UID_UNSET 0xffffffffu

/*
 * What a process may do, as exec left it: ids as the host's user
 * namespace sees them, capability sets as bit masks (bit n is capability
 * n), and the map of its user namespace when that is not the host's.
 */
struct nstrace_creds {
	__u32 flags;
	__u32 uid;
	__u32 gid;
	__u32 euid;
	__u32 egid;
	__u32 loginuid;
	__u32 sessionid;
	__u32 securebits;
	__u64 cap_effective;
	__u64 cap_permitted;
	__u64 cap_bounding;
	__u64 cap_inheritable;
	__u64 cap_ambient;
	__u32 seccomp_mode; /* 0 disabled, 1 strict, 2 filter */
	__u32 userns_level; /* 0 for the host's user namespace */
	struct nstrace_idmap uid_map; /* nr_extents 0 at level 0 */
	struct nstrace_idmap gid_map;
};

struct nstrace_exec_event {
	struct nstrace_header hdr;
	__u32 old_tid; /* a non-leader thread's exec takes over the leader's pid */
	__u16 args_len; /* bytes of NUL-separated argv in args */
	__u8 args_truncated;
	__u8 filename_truncated;
	struct nstrace_creds creds; /* after exec: setuid bits and file capabilities applied */
	char filename[NSTRACE_FILENAME_LEN];
	char args[NSTRACE_ARGS_LEN];
};

struct nstrace_exit_event {
	struct nstrace_header hdr;
	__u32 exit_code; /* wait status as the kernel stores it */
	__u8 reaper; /* pid 1 of its innermost pid namespace */
	__u8 pad[3];
};

#endif /* NSTRACE_H */
