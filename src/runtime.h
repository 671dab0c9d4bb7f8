/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Which container runtime a process belongs to, and the container ID it
 * names, read from its argv or its cgroup path. Pure: no I/O.
 */
#ifndef NSTRACE_RUNTIME_H
#define NSTRACE_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>

/* Ordered by how much they tell: a docker lineage also holds containerd and runc. */
enum runtime {
	RUNTIME_UNKNOWN,
	RUNTIME_UNSHARE,
	RUNTIME_RUNC,
	RUNTIME_CRUN,
	RUNTIME_NSPAWN,
	RUNTIME_LXC,
	RUNTIME_CONTAINERD,
	RUNTIME_CRIO,
	RUNTIME_PODMAN,
	RUNTIME_DOCKER,
	RUNTIME_COUNT,
};

#define RUNTIME_ID_LEN 72

struct runtime_hint {
	enum runtime runtime;
	char id[RUNTIME_ID_LEN]; /* "" when the process names no container */
};

const char *runtime_name(enum runtime rt);

/*
 * The runtimes whose own processes make a container's namespaces and
 * start its command (runc's init stages, crun, lxc, systemd-nspawn);
 * the managers above them (docker, containerd, podman, cri-o) ask one
 * of these to.
 */
bool runtime_makes_containers(enum runtime rt);

/* argv as the kernel keeps it: NUL-separated, the last one maybe unterminated. */
void runtime_hint_from_argv(const char *args, size_t len, struct runtime_hint *hint);

/*
 * An init that runtimes put at pid 1 in front of the command (docker run
 * --init's docker-init, tini, podman's catatonit, dumb-init): it forks the
 * command rather than exec it. path is the exec'd file name.
 */
bool runtime_init_shim(const char *path, size_t len);

/*
 * The OCI runtimes that read a bundle (runc's command line: create or run,
 * --bundle or -b, else the working directory), by the base name of their
 * executable.
 */
bool runtime_oci_binary(const char *path, size_t len);
/* Those, and containerd's shims, which run in the bundle of the container they serve. */
bool runtime_bundle_holder(const char *path, size_t len);

/* The bundle of a container a process names. */
struct runtime_bundle {
	char id[RUNTIME_ID_LEN];
	const char *path; /* into the argv given; NULL: the process's working directory */
	size_t path_len;
};

/*
 * argv as for runtime_hint_from_argv; false unless it is runc's or crun's
 * create or run, or a containerd shim's serving a container.
 */
bool runtime_bundle_from_argv(const char *args, size_t len, struct runtime_bundle *bundle);

/* /proc/PID/cgroup text; false when no path names a known runtime's container. */
bool runtime_hint_from_cgroup(const char *text, size_t len, struct runtime_hint *hint);

#endif
