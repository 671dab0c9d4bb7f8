// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include "histogram.h"

#define BAR_WIDTH 40

__u64 hist_slot_low(unsigned int slot)
{
	return slot ? 1ULL << slot : 0;
}

__u64 hist_slot_high(unsigned int slot)
{
	return slot >= NSTRACE_PROFILE_SLOTS - 1 ? ~0ULL : (2ULL << slot) - 1;
}

__u64 hist_count(const struct nstrace_profile_hist *h)
{
	__u64 count = 0;

	for (int i = 0; i < NSTRACE_PROFILE_SLOTS; i++)
		count += h->slots[i];
	return count;
}

__u64 hist_percentile(const struct nstrace_profile_hist *h, unsigned int pct)
{
	__u64 count = hist_count(h), rank, before = 0;

	if (!count)
		return 0;
	/* nearest rank: the smallest sample with at least pct% of samples at or below it */
	rank = (count * pct + 99) / 100;
	if (!rank)
		rank = 1;
	for (int i = 0; i < NSTRACE_PROFILE_SLOTS; i++) {
		__u64 n = h->slots[i], low, high, value;

		if (before + n < rank) {
			before += n;
			continue;
		}
		low = hist_slot_low(i);
		high = hist_slot_high(i);
		/* the largest sample is known exactly, so the top slot ends there */
		if (high > h->max_ns)
			high = h->max_ns;
		if (low > high)
			low = high;
		value = low + (__u64)((double)(high - low) * (rank - before) / n);
		return value;
	}
	return h->max_ns;
}

void hist_merge(struct nstrace_profile_hist *dst, const struct nstrace_profile_hist *src)
{
	dst->sum_ns += src->sum_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
	for (int i = 0; i < NSTRACE_PROFILE_SLOTS; i++)
		dst->slots[i] += src->slots[i];
}

static void print_bar(FILE *out, __u64 n, __u64 peak)
{
	int stars = peak ? (int)((double)n * BAR_WIDTH / peak) : 0;

	/* a nonzero slot always shows, however small next to the peak */
	if (n && !stars)
		stars = 1;
	fputc('|', out);
	for (int i = 0; i < BAR_WIDTH; i++)
		fputc(i < stars ? '*' : ' ', out);
	fputs("|\n", out);
}

static int digits(__u64 v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

void hist_print_text(FILE *out, const struct nstrace_profile_hist *h)
{
	int first = -1, last = -1, width;
	__u64 peak = 0;

	for (int i = 0; i < NSTRACE_PROFILE_SLOTS; i++) {
		if (!h->slots[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (h->slots[i] > peak)
			peak = h->slots[i];
	}
	if (first < 0)
		return;
	width = digits(hist_slot_high(last));
	if (width < 5)
		width = 5;
	/* "nsecs" over the ranges, which are 2 * width + 4 columns wide */
	fprintf(out, "%*s%-*s : count    distribution\n", width - 1, "", width + 5, "nsecs");
	for (int i = first; i <= last; i++) {
		fprintf(out, "%*llu -> %-*llu : %-8llu ", width, (unsigned long long)hist_slot_low(i),
			width, (unsigned long long)hist_slot_high(i), (unsigned long long)h->slots[i]);
		print_bar(out, h->slots[i], peak);
	}
}
