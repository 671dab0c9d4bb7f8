/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The OCI bundle an OCI runtime (runc, crun) was told to create a container
 * from: its config.json says the hostname, the process, the annotations
 * CRI runtimes put the pod and image in, and the namespaces to join.
 *
 * The bundle's path comes from a process's argv, which any local user can
 * write, and nstrace runs as root: the file is opened with the credentials
 * of the process that named it, as that process sees the file system, only
 * when that process's executable is a runtime installed by root; it must be
 * a regular file of at most OCI_CONFIG_MAX bytes, opened without following
 * a last symlink and without blocking. Reading is the caller's to keep off
 * the event path: it runs on a worker thread (meta_worker.h).
 */
#ifndef NSTRACE_OCI_BUNDLE_H
#define NSTRACE_OCI_BUNDLE_H

#include <stddef.h>
#include <sys/types.h>
#include "meta.h"

#define OCI_CONFIG_MAX (1024 * 1024)

/*
 * Parses config.json text into m (fields it holds nothing valid for stay
 * NULL). 0 when it is an object; with a field of the wrong shape, 0 and
 * *why names the first. -EINVAL and *why when it is no JSON object,
 * -ENOMEM. Pure: fuzzed.
 */
int oci_config_parse(const char *text, size_t len, struct container_meta *m, const char **why);

/*
 * Reads the config.json of the bundle that process pid named: bundle is
 * its --bundle argument (relative to its working directory), or NULL for
 * its working directory. proc_root is normally "/proc". 0 and m filled, or
 * a negative errno with why[] saying what was refused or failed.
 * Must run on a thread of its own: it changes that thread's filesystem
 * credentials while it opens the file.
 */
int oci_bundle_read(const char *proc_root, pid_t pid, const char *bundle, struct container_meta *m, char *why,
		    size_t why_size);

#endif
