/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The raw event printers: one plain and one JSON printer per record. */
#ifndef NSTRACE_PRINT_H
#define NSTRACE_PRINT_H

#include <stdbool.h>
#include <stdio.h>
#include "event.h"

struct printer {
	FILE *out;
	bool json;
	bool header_done;
	__u64 time_base_ns; /* text times are seconds since this */
};

void print_event(struct printer *p, const union nstrace_event *e);
/* count more events were dropped by the kernel side; total so far. */
void print_lost(struct printer *p, __u64 count, __u64 total);

/* Helpers shared with the lifecycle printers. */
void print_json_nspid(FILE *out, const __u32 *nspid, __u32 levels);
void print_json_ns(FILE *out, const struct nstrace_ns_set *ns, nstrace_ns_mask only);
void print_json_ns_names(FILE *out, nstrace_ns_mask mask);
/* "4312/1": the pid vector, outermost first; "-" when empty */
const char *format_nspid(const __u32 *nspid, __u32 levels, char *buf, size_t size);
void print_text_ns(FILE *out, const struct nstrace_ns_set *ns, nstrace_ns_mask only);
void print_json_argv(FILE *out, const struct nstrace_exec_event *e);
void print_text_argv(FILE *out, const struct nstrace_exec_event *e);

/* room for "4294967295/" on every level */
#define NSPID_TEXT_LEN (NSTRACE_MAX_PID_LEVELS * 11 + 1)
#define NS_MASK_ALL ((1u << NSTRACE_NS_TYPE_COUNT) - 1)

#endif
