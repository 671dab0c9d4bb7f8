/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Keyed latency histograms as read from the profiler's maps, and their
 * text and JSON reports. Pure: no I/O beyond the FILE handed in.
 */
#ifndef NSTRACE_PROFILE_REPORT_H
#define NSTRACE_PROFILE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "profile.h"

struct profile_entry {
	struct nstrace_profile_key key;
	struct nstrace_profile_hist hist;
};

struct profile_table {
	struct profile_entry *entries;
	size_t len;
	size_t cap;
};

/* NULL for a kind this build does not know */
const char *profile_kind_name(__u32 kind);

/* Merges hist into the entry for key, adding the entry if new. -ENOMEM on failure. */
int profile_table_add(struct profile_table *t, const struct nstrace_profile_key *key,
		      const struct nstrace_profile_hist *hist);
/* Orders entries by kind, then success before failure, then key value. */
void profile_table_sort(struct profile_table *t);
void profile_table_clear(struct profile_table *t);
void profile_table_free(struct profile_table *t);

/* Text: a title line, then per key a summary line and its distribution. */
void profile_report_text(FILE *out, const struct profile_table *t, const char *title);

/* The time a report covers: one interval, or the whole run. */
struct profile_period {
	bool total;
	unsigned int interval; /* from 1; not printed for the total */
	double seconds;
};

/* JSON Lines, one record per key: type "profile" for an interval, "profile_total" for the run. */
void profile_report_json(FILE *out, const struct profile_table *t, const struct profile_period *period);

#endif
