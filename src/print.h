/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* The raw event printers: one plain and one JSON printer per record. */
#ifndef NSTRACE_PRINT_H
#define NSTRACE_PRINT_H

#include <stdbool.h>
#include <stdio.h>
#include "event.h"
#include "json_writer.h"

/*
 * The text tables: raw events and lifecycle transitions are two tables
 * with their own columns, interleaved with --events, each with its header.
 */
struct text_printer {
	FILE *out;
	__u64 time_base_ns; /* times are seconds since this */
	bool events_header_done;
	bool transitions_header_done;
};

void print_event_text(struct text_printer *p, const union nstrace_event *e);
void print_event_json(struct json_writer *w, const union nstrace_event *e);
/* count more events were dropped by the kernel side; total so far. Text goes to stderr. */
void print_lost_text(__u64 count, __u64 total);
void print_lost_json(struct json_writer *w, __u64 count, __u64 total);

/* Helpers shared with the lifecycle printers. */
void print_json_nspid(struct json_writer *w, const __u32 *nspid, __u32 levels);
void print_json_ns(struct json_writer *w, const struct nstrace_ns_set *ns, nstrace_ns_mask only);
void print_json_ns_names(struct json_writer *w, nstrace_ns_mask mask);
/* "4312/1": the pid vector, outermost first; "-" when empty */
const char *format_nspid(const __u32 *nspid, __u32 levels, char *buf, size_t size);
void print_text_ns(FILE *out, const struct nstrace_ns_set *ns, nstrace_ns_mask only);
void print_json_argv(struct json_writer *w, const struct nstrace_exec_event *e);
void print_text_argv(FILE *out, const struct nstrace_exec_event *e);

/* room for "4294967295/" on every level */
#define NSPID_TEXT_LEN (NSTRACE_MAX_PID_LEVELS * 11 + 1)

#endif
