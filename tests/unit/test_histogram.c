// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Log2 slots, percentile estimates and the profile reports. */
#include <stdlib.h>
#include "histogram.h"
#include "nstrace.h"
#include "profile_report.h"
#include "testing.h"

/* Runs print into a memory stream and returns what it wrote; the caller frees it. */
#define CAPTURE(buf, call)                                                                 \
	do {                                                                               \
		size_t len_;                                                               \
		FILE *out = open_memstream(&(buf), &len_);                                 \
		call;                                                                      \
		fclose(out);                                                               \
	} while (0)

static void test_slots(void)
{
	ASSERT_EQ(nstrace_profile_slot(0), 0, "slot of 0");
	ASSERT_EQ(nstrace_profile_slot(1), 0, "slot of 1");
	ASSERT_EQ(nstrace_profile_slot(2), 1, "slot of 2");
	ASSERT_EQ(nstrace_profile_slot(3), 1, "slot of 3");
	ASSERT_EQ(nstrace_profile_slot(1023), 9, "slot of 1023");
	ASSERT_EQ(nstrace_profile_slot(1024), 10, "slot of 1024");
	ASSERT_EQ(nstrace_profile_slot(0xFFFFFFFFULL), 31, "slot of 2^32-1");
	ASSERT_EQ(nstrace_profile_slot(0x100000000ULL), 32, "slot of 2^32");
	ASSERT_EQ(nstrace_profile_slot(~0ULL), 63, "slot of 2^64-1");
	/* the BPF side's slot function and user space's bounds agree on every slot */
	for (unsigned int i = 0; i < NSTRACE_PROFILE_SLOTS; i++) {
		if (!ASSERT_EQ(nstrace_profile_slot(hist_slot_low(i)), i, "slot of a slot's low bound") ||
		    !ASSERT_EQ(nstrace_profile_slot(hist_slot_high(i)), i, "slot of a slot's high bound"))
			break;
		if (i && !ASSERT_EQ(hist_slot_low(i), hist_slot_high(i - 1) + 1, "slots are contiguous"))
			break;
	}
}

static void test_percentiles(void)
{
	struct nstrace_profile_hist h = { 0 };

	ASSERT_EQ(hist_count(&h), 0, "empty count");
	ASSERT_EQ(hist_percentile(&h, 50), 0, "empty p50");

	/* 100 samples in [1024, 2047], the largest 2000 */
	h.slots[10] = 100;
	h.max_ns = 2000;
	ASSERT_EQ(hist_count(&h), 100, "count");
	ASSERT_EQ(hist_percentile(&h, 50), 1024 + 976 / 2, "p50 interpolated up to the max");
	ASSERT_EQ(hist_percentile(&h, 99), 1024 + 966, "p99 interpolated up to the max");
	ASSERT_EQ(hist_percentile(&h, 100), 2000, "p100 is the max");

	/* 90 fast samples in [8, 15], 10 slow ones in [2^20, 2^21), the slowest 1.5 ms */
	h = (struct nstrace_profile_hist){ 0 };
	h.slots[3] = 90;
	h.slots[20] = 10;
	h.max_ns = 1500000;
	ASSERT_EQ(hist_percentile(&h, 50), 8 + 7 * 50 / 90, "p50 among the fast samples");
	ASSERT_EQ(hist_percentile(&h, 90), 15, "p90 is the top of the fast slot");
	ASSERT_EQ(hist_percentile(&h, 99), 1048576 + 451424 * 9 / 10, "p99 among the slow samples");
	ASSERT_TRUE(hist_percentile(&h, 99) <= h.max_ns, "p99 never above the max");

	/* a single sample: every percentile is that sample's slot, capped by the max */
	h = (struct nstrace_profile_hist){ 0 };
	h.slots[0] = 1;
	h.max_ns = 1;
	ASSERT_EQ(hist_percentile(&h, 1), 1, "p1 of one sample of 1 ns");
}

static void test_merge(void)
{
	struct nstrace_profile_hist a = { .sum_ns = 100, .max_ns = 70 }, b = { .sum_ns = 50, .max_ns = 90 };

	a.slots[6] = 2;
	b.slots[6] = 1;
	b.slots[5] = 1;
	hist_merge(&a, &b);
	ASSERT_EQ(a.sum_ns, 150, "sums add");
	ASSERT_EQ(a.max_ns, 90, "the larger max wins");
	ASSERT_EQ(a.slots[6], 3, "slots add");
	ASSERT_EQ(a.slots[5], 1, "slots only in src arrive");
	ASSERT_EQ(hist_count(&a), 4, "merged count");
}

static void test_text_histogram(void)
{
	struct nstrace_profile_hist h = { 0 };
	char *text = NULL;

	CAPTURE(text, hist_print_text(out, &h));
	ASSERT_STREQ(text, "", "an empty histogram prints nothing");
	free(text);

	h.slots[2] = 1;
	h.slots[4] = 4;
	CAPTURE(text, hist_print_text(out, &h));
	ASSERT_STREQ(text,
		     "    nsecs      : count    distribution\n"
		     "    4 -> 7     : 1        |**********                              |\n"
		     "    8 -> 15    : 0        |                                        |\n"
		     "   16 -> 31    : 4        |****************************************|\n",
		     "ranges from the first to the last nonzero slot");
	free(text);

	/* one sample beside a million still shows */
	h = (struct nstrace_profile_hist){ 0 };
	h.slots[20] = 1000000;
	h.slots[21] = 1;
	CAPTURE(text, hist_print_text(out, &h));
	ASSERT_TRUE(text && strstr(text, "2097152 -> 4194303 : 1        |*    "), "a tiny slot keeps one star");
	free(text);
}

static struct nstrace_profile_key key_of(__u32 kind, __u32 failed, __u64 value)
{
	return (struct nstrace_profile_key){ .kind = kind, .failed = failed, .value = value };
}

static void test_table(void)
{
	struct profile_table t = { 0 };
	struct nstrace_profile_hist one = { .sum_ns = 10, .max_ns = 10 };
	struct nstrace_profile_key k;
	bool ok = true;

	one.slots[3] = 1;
	/* more keys than the first allocation, added out of order and twice each */
	for (int round = 0; round < 2; round++)
		for (int v = 39; v >= 0; v--) {
			k = key_of(v % 2 ? NSTRACE_PROFILE_SETNS : NSTRACE_PROFILE_CLONE, v % 3 == 0, v);
			ok &= ASSERT_EQ(profile_table_add(&t, &k, &one), 0, "add");
		}
	ASSERT_EQ(t.len, 40, "one entry per key");
	profile_table_sort(&t);
	for (size_t i = 1; i < t.len && ok; i++) {
		const struct nstrace_profile_key *a = &t.entries[i - 1].key, *b = &t.entries[i].key;

		ok = ASSERT_TRUE(a->kind < b->kind || (a->kind == b->kind && a->failed < b->failed) ||
					 (a->kind == b->kind && a->failed == b->failed && a->value < b->value),
				 "sorted by kind, failure, value");
	}
	ASSERT_EQ(t.entries[0].key.kind, NSTRACE_PROFILE_CLONE, "clone first");
	ASSERT_EQ(hist_count(&t.entries[0].hist), 2, "repeated keys merge");
	ASSERT_EQ(t.entries[0].hist.sum_ns, 20, "merged sum");
	profile_table_clear(&t);
	ASSERT_EQ(t.len, 0, "clear empties");
	profile_table_free(&t);
	ASSERT_TRUE(!t.entries && !t.cap, "free resets");
}

static void test_json(void)
{
	struct profile_table t = { 0 };
	struct nstrace_profile_hist h = { .sum_ns = 30000, .max_ns = 12000 };
	struct profile_period interval = { .interval = 3, .seconds = 1.0004 };
	struct profile_period total = { .total = true, .seconds = 12.5 };
	struct nstrace_profile_key k;
	char *text = NULL;

	/* p50 is the 2nd of 3 samples: halfway through [8192, 12000], the slot capped at the max */
	h.slots[13] = 2;
	h.slots[12] = 1;
	k = key_of(NSTRACE_PROFILE_UNSHARE, 0, NSTRACE_CLONE_NEWIPC | NSTRACE_CLONE_NEWUTS | NSTRACE_CLONE_NEWNS);
	profile_table_add(&t, &k, &h);
	CAPTURE(text, profile_report_json(out, &t, &interval));
	ASSERT_STREQ(text,
		     "{\"type\":\"profile\",\"interval\":3,\"seconds\":1.000,\"kind\":\"unshare\","
		     "\"key\":[\"mnt\",\"uts\",\"ipc\"],\"failed\":false,\"count\":3,\"sum_ns\":30000,"
		     "\"max_ns\":12000,\"p50_ns\":10096,\"p99_ns\":12000,"
		     "\"buckets\":[{\"le_ns\":8191,\"count\":1},{\"le_ns\":16383,\"count\":2}]}\n",
		     "interval record");
	free(text);
	profile_table_clear(&t);

	h = (struct nstrace_profile_hist){ .sum_ns = 5, .max_ns = 5 };
	h.slots[2] = 1;
	k = key_of(NSTRACE_PROFILE_SETNS, 1, 0);
	profile_table_add(&t, &k, &h);
	k = key_of(NSTRACE_PROFILE_SETNS, 0, NSTRACE_CLONE_NEWNET | 0x1);
	profile_table_add(&t, &k, &h);
	k = key_of(NSTRACE_PROFILE_ALLOC_PID, 0, 2);
	profile_table_add(&t, &k, &h);
	k = key_of(NSTRACE_PROFILE_EXEC, 0, 0);
	profile_table_add(&t, &k, &h);
	CAPTURE(text, profile_report_json(out, &t, &total));
	ASSERT_TRUE(text && strstr(text, "{\"type\":\"profile_total\",\"seconds\":12.500,\"kind\":\"setns\",\"key\":[\"any\"],\"failed\":true,"),
		    "setns with nstype 0 is keyed any");
	ASSERT_TRUE(text && strstr(text, "\"kind\":\"setns\",\"key\":[\"net\",\"0x1\"],\"failed\":false"),
		    "bits that name no namespace print in hex");
	ASSERT_TRUE(text && strstr(text, "\"kind\":\"alloc_pid\",\"key\":[],\"pid_levels\":2,"),
		    "alloc_pid is keyed by levels");
	ASSERT_TRUE(text && strstr(text, "\"kind\":\"exec\",\"key\":[],\"failed\":false,\"count\":1,"),
		    "exec has one key");
	free(text);
	profile_table_free(&t);
}

static void test_text_report(void)
{
	struct profile_table t = { 0 };
	struct nstrace_profile_hist h = { .sum_ns = 3000, .max_ns = 2000 };
	struct nstrace_profile_key k = key_of(NSTRACE_PROFILE_CLONE, 1, NSTRACE_CLONE_NEWPID | NSTRACE_CLONE_NEWUSER);
	char *text = NULL;

	CAPTURE(text, profile_report_text(out, &t, "total over 1.0 s"));
	ASSERT_STREQ(text, "total over 1.0 s\nno samples\n\n", "empty report");
	free(text);

	h.slots[10] = 2;
	profile_table_add(&t, &k, &h);
	CAPTURE(text, profile_report_text(out, &t, "title"));
	ASSERT_TRUE(text && strstr(text, "title\n\nclone [pid,user] (failed): count 2, avg 1.5 us, p50 1.5 us, p99 2.0 us, max 2.0 us\n"),
		    "summary line");
	ASSERT_TRUE(text && strstr(text, " 1024 -> 2047  : 2        |"), "distribution follows");
	free(text);
	profile_table_free(&t);
}

int main(void)
{
	SUBTEST("slots", test_slots());
	SUBTEST("percentiles", test_percentiles());
	SUBTEST("merge", test_merge());
	SUBTEST("text histogram", test_text_histogram());
	SUBTEST("table", test_table());
	SUBTEST("json report", test_json());
	SUBTEST("text report", test_text_report());
	return test_summary();
}
