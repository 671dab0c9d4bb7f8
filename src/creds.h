/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What a process's credentials mean: capability names, whether it holds
 * everything the host could give, and where its user namespace maps ids.
 * Pure: no I/O; the /proc text it decodes is handed in.
 */
#ifndef NSTRACE_CREDS_H
#define NSTRACE_CREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "nstrace.h"

/* CAP_CHECKPOINT_RESTORE (5.9) is the last capability up to 6.18. */
#define CAP_NAMES_KNOWN 41

/* "CAP_SYS_ADMIN" for bit 21; NULL for a bit this table does not know. */
const char *cap_name(unsigned int bit);

/*
 * A capability set for a text line: "none", "all" when it holds all of
 * `all` (the host's bounding set; 0 when unknown), else the names without
 * "CAP_" in lower case and unknown bits as numbers, comma-separated.
 * Returns the length snprintf would have written.
 */
int caps_text(__u64 set, __u64 all, char *buf, size_t size);

/*
 * Holds every capability the host's bounding set has, effective in the
 * host's user namespace. Capabilities held in a user namespace of its own
 * reach only what that namespace owns, so they do not count.
 */
bool creds_privileged(const struct nstrace_creds *c, __u64 host_bounding);

/* Capabilities in after that were in none of before's effective, permitted or ambient sets. */
__u64 creds_gained(const struct nstrace_creds *before, const struct nstrace_creds *after);

/* Extents stored in m: at most NSTRACE_IDMAP_EXTENTS of the kernel's nr_extents. */
size_t idmap_stored(const struct nstrace_idmap *m);

/* Every id maps to itself (the host's own map, 0 0 4294967295, is one). */
bool idmap_is_identity(const struct nstrace_idmap_extent *ext, size_t n);

/* The id inside the namespace for a host id; false when the map does not hold it. */
bool idmap_to_inner(const struct nstrace_idmap_extent *ext, size_t n, __u32 host_id, __u32 *inner);

/*
 * In a user namespace of its own whose map is not the identity: its root
 * is not the host's root. A map read only in part (more extents than
 * stored) counts as what was stored.
 */
bool creds_rootless(const struct nstrace_creds *c);

#endif
