/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The one JSON writer, in the manner of bpftool's json_writer: values,
 * objects and arrays nest, commas and colons come by themselves, strings
 * are escaped. A value completed at the outermost level ends its line, so
 * a stream of records is JSON Lines. Names are the program's own field
 * names, written as given; every string value goes through escape_json.
 */
#ifndef NSTRACE_JSON_WRITER_H
#define NSTRACE_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "escape.h"

struct json_writer {
	FILE *out;
	unsigned int depth; /* objects and arrays open */
	/*
	 * The next member needs a comma before it. One flag is enough: a
	 * container just opened has no member yet, one just closed was one.
	 */
	bool comma;
	/* writes a value for jsonw_raw_value, not a line of its own */
	bool fragment;
};

void jsonw_init(struct json_writer *w, FILE *out);
/* A writer of one value to embed later with jsonw_raw_value: no line end. */
void jsonw_init_fragment(struct json_writer *w, FILE *out);

void jsonw_start_object(struct json_writer *w);
void jsonw_end_object(struct json_writer *w);
void jsonw_start_array(struct json_writer *w);
void jsonw_end_array(struct json_writer *w);

static inline void jsonw_value_start(struct json_writer *w)
{
	if (w->comma)
		putc_unlocked(',', w->out);
}

/* A record written whole at the outermost level ends its line; records are not members. */
static inline void jsonw_value_done(struct json_writer *w)
{
	w->comma = w->depth;
	if (!w->depth && !w->fragment)
		putc_unlocked('\n', w->out);
}

static inline void jsonw_uint(struct json_writer *w, unsigned long long v)
{
	jsonw_value_start(w);
	put_unsigned(w->out, v);
	jsonw_value_done(w);
}

static inline void jsonw_int(struct json_writer *w, long long v)
{
	jsonw_value_start(w);
	put_signed(w->out, v);
	jsonw_value_done(w);
}

static inline void jsonw_bool(struct json_writer *w, bool v)
{
	jsonw_value_start(w);
	put_str(v ? "true" : "false", w->out);
	jsonw_value_done(w);
}

/*
 * Inline with the fields below, so that a literal name compiles to plain
 * stores into the stdio buffer: records are mostly names.
 */
static inline void jsonw_name(struct json_writer *w, const char *name)
{
	/* a local: each byte stored could alias *w, and reloading w->out per byte costs */
	FILE *out = w->out;

	if (w->comma)
		putc_unlocked(',', out);
	putc_unlocked('"', out);
	put_str(name, out);
	putc_unlocked('"', out);
	putc_unlocked(':', out);
	w->comma = false;
}

/* A member name from outside (a label's key): escaped like a string value. */
void jsonw_name_escaped(struct json_writer *w, const char *name);
void jsonw_string(struct json_writer *w, const char *s);
/* len bytes of s, which need not be NUL-terminated: comm and argv come from the kernel */
void jsonw_string_len(struct json_writer *w, const char *s, size_t len);
void jsonw_null(struct json_writer *w);
/* A finite number in the printf format fmt (one double conversion, e.g. "%.3f"); null otherwise. */
void jsonw_float_fmt(struct json_writer *w, const char *fmt, double v);
/* len bytes of one complete value that a fragment writer wrote. */
void jsonw_raw_value(struct json_writer *w, const char *json, size_t len);

static inline void jsonw_string_field(struct json_writer *w, const char *name, const char *s)
{
	jsonw_name(w, name);
	jsonw_string(w, s);
}

static inline void jsonw_string_len_field(struct json_writer *w, const char *name, const char *s, size_t len)
{
	jsonw_name(w, name);
	jsonw_string_len(w, s, len);
}

static inline void jsonw_uint_field(struct json_writer *w, const char *name, unsigned long long v)
{
	jsonw_name(w, name);
	jsonw_uint(w, v);
}

static inline void jsonw_int_field(struct json_writer *w, const char *name, long long v)
{
	jsonw_name(w, name);
	jsonw_int(w, v);
}

static inline void jsonw_bool_field(struct json_writer *w, const char *name, bool v)
{
	jsonw_name(w, name);
	jsonw_bool(w, v);
}

static inline void jsonw_null_field(struct json_writer *w, const char *name)
{
	jsonw_name(w, name);
	jsonw_null(w);
}

#endif
