/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * --container KEY|ID-prefix|NAME, repeatable: which containers a trace is
 * limited to, written as docker ps users write them ("web", "3f2a") or as
 * nstrace names them ("c3"). Pure: no I/O.
 */
#ifndef NSTRACE_CONTAINER_FILTER_H
#define NSTRACE_CONTAINER_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "meta.h"

#define CONTAINER_FILTER_MAX 32

struct container_filter {
	size_t count; /* 0: every container */
	const char *specs[CONTAINER_FILTER_MAX];
};

enum filter_verdict {
	FILTER_NO,
	FILTER_YES,
	/* no spec matches what is known yet, and a name is still being asked for */
	FILTER_UNDECIDED,
};

/* -EINVAL for an empty spec or one too many, -ENAMETOOLONG past META_MAX_STRING. */
int container_filter_add(struct container_filter *f, const char *spec);

/*
 * Whether the container keyed c<serial>, with the runtime's ID id ("" for
 * none) and metadata m (NULL for none yet), is one the filter names: by its
 * key, a prefix of its ID, its name or its pod ("namespace/name").
 * pending: metadata that may name it is still to come.
 */
enum filter_verdict container_filter_match(const struct container_filter *f, __u64 serial, const char *id,
					   const struct container_meta *m, bool pending);

struct lc_container;
struct meta_store;

/*
 * The verdict on container c and what runs in it: YES when it or a
 * container it runs inside is named, UNDECIDED while a name that may match
 * is still being asked for, NO otherwise.
 */
enum filter_verdict container_filter_verdict(const struct container_filter *f, const struct meta_store *st,
					     const struct lc_container *c);

#endif
