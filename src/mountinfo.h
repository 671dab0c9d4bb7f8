/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Which mounts of a container let it reach the host, from
 * /proc/PID/mountinfo text. Pure, and fed hostile input by the fuzzers.
 */
#ifndef NSTRACE_MOUNTINFO_H
#define NSTRACE_MOUNTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* Longer paths are cut and marked so (path_cut): the kernel prints up to a page. */
#define MOUNT_PATH_LEN 256
#define MOUNT_FSTYPE_LEN 32

struct mount_entry {
	__u32 id;
	__u32 parent;
	__u32 major;
	__u32 minor;
	bool read_only; /* of the mount itself, not its superblock */
	bool path_cut; /* root or mount_point longer than MOUNT_PATH_LEN - 1 */
	char root[MOUNT_PATH_LEN]; /* the path inside its filesystem that is mounted, unescaped */
	char mount_point[MOUNT_PATH_LEN]; /* unescaped */
	char fstype[MOUNT_FSTYPE_LEN];
};

/* One line, without its newline; -EINVAL when it is not a mountinfo line. */
int mountinfo_parse_line(const char *line, size_t len, struct mount_entry *m);

/* The device of the filesystem mounted at / in text (normally the host's own mountinfo). */
int mountinfo_root_device(const char *text, size_t len, __u32 *major, __u32 *minor);

enum mount_exposure {
	MOUNT_RUNTIME_SOCKET, /* a container runtime's API socket: it starts containers as root */
	MOUNT_HOST_ROOT, /* the whole root filesystem of the host */
	MOUNT_PROC_WRITABLE, /* a proc whose /sys is writable: core_pattern, sysrq, modprobe */
	MOUNT_SYS_WRITABLE, /* sysfs mounted read-write */
	MOUNT_CGROUP_WRITABLE, /* a cgroup hierarchy mounted read-write: release_agent */
	MOUNT_DEVICES, /* devtmpfs: every device node of the host */
	MOUNT_EXPOSURE_COUNT,
};

/* "runtime_socket", "host_root", ... */
const char *mount_exposure_name(enum mount_exposure kind);

struct mount_host {
	__u32 root_major, root_minor; /* the host's / */
};

typedef void (*mount_exposure_fn)(void *ctx, enum mount_exposure kind, const struct mount_entry *m);

/*
 * Calls fn for each mount in text that exposes the host, in the order of
 * the text. Returns how many did, or -EINVAL at the first malformed line
 * (fn has then seen the ones before it).
 */
int mountinfo_exposures(const char *text, size_t len, const struct mount_host *host, mount_exposure_fn fn,
			void *ctx);

/*
 * What one mount table exposed, fixed-width: it goes into --record files
 * so that a replay shows what the live run read.
 */
#define MOUNT_EXPOSURES_MAX 16
#define MOUNT_EXPOSURES_READ (1u << 0) /* the table was read (else the process was gone) */
#define MOUNT_EXPOSURES_CUT (1u << 1) /* longer than read: mounts past the cut are not known */

struct mount_exposure_item {
	__u32 kind; /* enum mount_exposure */
	__u8 read_only;
	__u8 path_cut;
	__u8 pad[2];
	char mount_point[MOUNT_PATH_LEN];
};

struct mount_exposures {
	__u32 pid; /* whose table */
	__u32 flags;
	__u32 total; /* found; the first MOUNT_EXPOSURES_MAX are in item */
	__u32 pad;
	struct mount_exposure_item item[MOUNT_EXPOSURES_MAX];
};

/* Fills out's items and total from text; -EINVAL at a malformed line, after what came before it. */
int mountinfo_collect(const char *text, size_t len, const struct mount_host *host, struct mount_exposures *out);

/* 0 if m holds only what mountinfo_collect can make; else -EINVAL and *why. */
int mount_exposures_check(const struct mount_exposures *m, const char **why);

#endif
