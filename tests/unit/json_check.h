/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* ASSERT_* style checks of fields in parsed nstrace JSON records. */
#ifndef NSTRACE_JSON_CHECK_H
#define NSTRACE_JSON_CHECK_H

#include <stdlib.h>
#include <jansson.h>
#include "testing.h"

static inline bool json_expect_int(const json_t *o, const char *key, long long want, const char *what)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v)) {
		FAIL_AT("%s: \"%s\" is missing or not an integer", what, key);
		return false;
	}
	if (json_integer_value(v) != want) {
		FAIL_AT("%s: \"%s\" is %lld, expected %lld", what, key, (long long)json_integer_value(v), want);
		return false;
	}
	return true;
}

static inline bool json_expect_str(const json_t *o, const char *key, const char *want, const char *what)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_string(v)) {
		FAIL_AT("%s: \"%s\" is missing or not a string", what, key);
		return false;
	}
	if (strcmp(json_string_value(v), want)) {
		FAIL_AT("%s: \"%s\" is \"%s\", expected \"%s\"", what, key, json_string_value(v), want);
		return false;
	}
	return true;
}

static inline bool json_expect_bool(const json_t *o, const char *key, bool want, const char *what)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_boolean(v)) {
		FAIL_AT("%s: \"%s\" is missing or not a boolean", what, key);
		return false;
	}
	if (json_is_true(v) != want) {
		FAIL_AT("%s: \"%s\" is %s, expected %s", what, key, want ? "false" : "true",
			want ? "true" : "false");
		return false;
	}
	return true;
}

/* key holds exactly the strings want[0..n), in that order. */
static inline bool json_expect_strings(const json_t *o, const char *key, const char *const *want, size_t n,
				       const char *what)
{
	const json_t *arr = json_object_get(o, key);
	char *got;
	bool ok = json_is_array(arr) && json_array_size(arr) == n;

	for (size_t i = 0; ok && i < n; i++) {
		const json_t *v = json_array_get(arr, i);

		ok = json_is_string(v) && !strcmp(json_string_value(v), want[i]);
	}
	if (ok)
		return true;
	got = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
	FAIL_AT("%s: \"%s\" is %s, expected %zu strings starting with \"%s\"", what, key,
		got ? got : "missing", n, n ? want[0] : "");
	free(got);
	return false;
}

/* key holds exactly the integers want[0..n), in that order. */
static inline bool json_expect_ints(const json_t *o, const char *key, const long long *want, size_t n,
				    const char *what)
{
	const json_t *arr = json_object_get(o, key);
	char *got;
	bool ok = json_is_array(arr) && json_array_size(arr) == n;

	for (size_t i = 0; ok && i < n; i++) {
		const json_t *v = json_array_get(arr, i);

		ok = json_is_integer(v) && json_integer_value(v) == want[i];
	}
	if (ok)
		return true;
	got = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
	FAIL_AT("%s: \"%s\" is %s, expected %zu integers starting with %lld", what, key,
		got ? got : "missing", n, n ? want[0] : 0);
	free(got);
	return false;
}

#endif
