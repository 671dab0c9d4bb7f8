/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Strict checks of nstrace's JSON Lines: every line one JSON object with
 * a string "type", parsed by jansson (RFC 8259, UTF-8 only, no duplicate
 * keys, nothing after the value), and a newline after the last one.
 */
#ifndef NSTRACE_TEST_JSONL_H
#define NSTRACE_TEST_JSONL_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>

/* The number of records in buf, or -1 with why naming the first bad line. */
static inline long jsonl_check(const char *buf, size_t len, char *why, size_t why_size)
{
	size_t pos = 0;
	long lineno = 0;

	while (pos < len) {
		const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		json_error_t err;
		json_t *o;
		bool ok;

		lineno++;
		if (!nl) {
			snprintf(why, why_size, "line %ld: no newline at its end", lineno);
			return -1;
		}
		if (memchr(line, '\0', nl - line)) {
			snprintf(why, why_size, "line %ld: NUL byte", lineno);
			return -1;
		}
		o = json_loadb(line, nl - line, JSON_REJECT_DUPLICATES, &err);
		if (!o) {
			snprintf(why, why_size, "line %ld, column %d: %s", lineno, err.column, err.text);
			return -1;
		}
		ok = json_is_object(o) && json_is_string(json_object_get(o, "type"));
		json_decref(o);
		if (!ok) {
			snprintf(why, why_size, "line %ld: not an object with a string \"type\"", lineno);
			return -1;
		}
		pos = nl - buf + 1;
	}
	return lineno;
}

#endif
