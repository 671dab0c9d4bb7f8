/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Minimal selftests-style harness: each test binary runs subtests, every
 * ASSERT_* prints actual against expected when it fails, and main() ends
 * with the "N passed, N failed" line that tests/run-unit.sh adds up.
 */
#ifndef NSTRACE_TESTING_H
#define NSTRACE_TESTING_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int test_passed, test_failed, test_skipped;
static bool subtest_ok;
static const char *subtest_name;

#define SUBTEST(name, body)                                                                \
	do {                                                                               \
		subtest_name = (name);                                                     \
		subtest_ok = true;                                                         \
		body;                                                                      \
		if (subtest_ok)                                                            \
			test_passed++;                                                     \
		else                                                                       \
			test_failed++;                                                     \
		printf("%s: %s\n", subtest_ok ? "PASS" : "FAIL", subtest_name);            \
	} while (0)

/* A subtest that cannot run here: counted, never silently dropped. */
#define SKIP(name, why)                                                                    \
	do {                                                                               \
		test_skipped++;                                                            \
		printf("SKIP: %s (%s)\n", (name), (why));                               \
	} while (0)

#define FAIL_AT(fmt, ...)                                                                  \
	do {                                                                               \
		subtest_ok = false;                                                        \
		printf("  %s:%d: " fmt "\n", __FILE__, __LINE__, __VA_ARGS__);             \
	} while (0)

#define ASSERT_TRUE(cond, what)                                                            \
	({                                                                                 \
		bool ok_ = (cond);                                                         \
		if (!ok_)                                                                  \
			FAIL_AT("%s: expected true: %s", what, #cond);                     \
		ok_;                                                                       \
	})

#define ASSERT_EQ(actual, expected, what)                                                  \
	({                                                                                 \
		long long a_ = (long long)(actual), e_ = (long long)(expected);            \
		if (a_ != e_)                                                              \
			FAIL_AT("%s: actual %lld != expected %lld", what, a_, e_);         \
		a_ == e_;                                                                  \
	})

#define ASSERT_STREQ(actual, expected, what)                                               \
	({                                                                                 \
		const char *a_ = (actual), *e_ = (expected);                               \
		bool ok_ = a_ && e_ && !strcmp(a_, e_);                                    \
		if (!ok_)                                                                  \
			FAIL_AT("%s: actual \"%s\" != expected \"%s\"", what,              \
				a_ ? a_ : "(null)", e_ ? e_ : "(null)");                   \
		ok_;                                                                       \
	})

static inline int test_summary(void)
{
	printf("%d passed, %d failed, %d skipped\n", test_passed, test_failed, test_skipped);
	return test_failed ? 1 : 0;
}

#endif
