// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <math.h>
#include <string.h>
#include "json_writer.h"

void jsonw_init(struct json_writer *w, FILE *out)
{
	*w = (struct json_writer){ .out = out };
}

void jsonw_init_fragment(struct json_writer *w, FILE *out)
{
	*w = (struct json_writer){ .out = out, .fragment = true };
}

static void open_container(struct json_writer *w, char c)
{
	jsonw_value_start(w);
	putc_unlocked(c, w->out);
	w->depth++;
	w->comma = false;
}

static void close_container(struct json_writer *w, char c)
{
	/* closing what was never opened would corrupt every record after it */
	if (!w->depth)
		return;
	w->depth--;
	putc_unlocked(c, w->out);
	jsonw_value_done(w);
}

void jsonw_start_object(struct json_writer *w)
{
	open_container(w, '{');
}

void jsonw_end_object(struct json_writer *w)
{
	close_container(w, '}');
}

void jsonw_start_array(struct json_writer *w)
{
	open_container(w, '[');
}

void jsonw_end_array(struct json_writer *w)
{
	close_container(w, ']');
}

void jsonw_string_len(struct json_writer *w, const char *s, size_t len)
{
	jsonw_value_start(w);
	escape_json(w->out, s, len);
	jsonw_value_done(w);
}

void jsonw_name_escaped(struct json_writer *w, const char *name)
{
	if (w->comma)
		putc_unlocked(',', w->out);
	escape_json(w->out, name, strlen(name));
	putc_unlocked(':', w->out);
	w->comma = false;
}

void jsonw_string(struct json_writer *w, const char *s)
{
	jsonw_string_len(w, s, strlen(s));
}

void jsonw_null(struct json_writer *w)
{
	jsonw_value_start(w);
	put_str("null", w->out);
	jsonw_value_done(w);
}

void jsonw_raw_value(struct json_writer *w, const char *json, size_t len)
{
	jsonw_value_start(w);
	fwrite_unlocked(json, 1, len, w->out);
	jsonw_value_done(w);
}

void jsonw_float_fmt(struct json_writer *w, const char *fmt, double v)
{
	/* JSON has no NaN or infinity */
	if (!isfinite(v)) {
		jsonw_null(w);
		return;
	}
	jsonw_value_start(w);
	fprintf(w->out, fmt, v);
	jsonw_value_done(w);
}
