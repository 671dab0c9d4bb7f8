/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Log2 latency histograms as the BPF side fills them. Pure: no I/O beyond the FILE handed in. */
#ifndef NSTRACE_HISTOGRAM_H
#define NSTRACE_HISTOGRAM_H

#include <stdio.h>
#include <linux/types.h>
#include "profile.h"

/* Inclusive bounds of a slot in ns. */
__u64 hist_slot_low(unsigned int slot);
__u64 hist_slot_high(unsigned int slot);

__u64 hist_count(const struct nstrace_profile_hist *h);

/*
 * The pct-th percentile (0 < pct <= 100) estimated from the slots:
 * linear within the slot that holds the rank, never above max_ns.
 * 0 for an empty histogram.
 */
__u64 hist_percentile(const struct nstrace_profile_hist *h, unsigned int pct);

/* Adds src's samples to dst, as if both had been recorded in one. */
void hist_merge(struct nstrace_profile_hist *dst, const struct nstrace_profile_hist *src);

/* The ASCII distribution of the classic BPF latency tools, nonzero slot range only. */
void hist_print_text(FILE *out, const struct nstrace_profile_hist *h);

#endif
