/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What the session knows of each container ID from its runtime, and what
 * it still waits for. Fed the questions and answers in the order the
 * session consumed them, live or replayed. Pure: no I/O.
 */
#ifndef NSTRACE_META_STORE_H
#define NSTRACE_META_STORE_H

#include <stdbool.h>
#include "meta.h"

struct meta_store;

struct meta_store *meta_store_new(void);
void meta_store_free(struct meta_store *st);

/* A question about id went to source; 0 or -ENOMEM. */
int meta_store_asked(struct meta_store *st, const char *id, enum meta_source source);
/*
 * Its answer came: merged into what is known when it carries anything.
 * Returns the merged metadata, or NULL when nothing new is known of id (a
 * failure, or an ID never asked about or forgotten since). -ENOMEM in *err.
 */
const struct container_meta *meta_store_answered(struct meta_store *st, const struct meta_result *r, int *err);
/* What is known of id, NULL for nothing. */
const struct container_meta *meta_store_get(const struct meta_store *st, const char *id);
/* A question about id has no answer yet. */
bool meta_store_pending(const struct meta_store *st, const char *id);
/* The container is gone: its ID is no longer kept. */
void meta_store_forget(struct meta_store *st, const char *id);

#endif
