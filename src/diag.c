// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "diag.h"
#include "escape.h"
#include "json_writer.h"

static bool json_mode;
static bool verbose_mode;

void diag_set_json(bool json)
{
	json_mode = json;
}

bool diag_json(void)
{
	return json_mode;
}

void diag_set_verbose(bool verbose)
{
	verbose_mode = verbose;
}

bool diag_verbose(void)
{
	return verbose_mode;
}

/*
 * stderr is unbuffered: the record is built in memory and written in one
 * piece, so that it reaches a reader as one line, not byte by byte.
 */
static void emit_json(const char *level, const char *msg, size_t len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&buf, &size);
	struct json_writer w;

	jsonw_init(&w, mem ? mem : stderr);
	jsonw_start_object(&w);
	jsonw_string_field(&w, "type", level);
	jsonw_string_len_field(&w, "message", msg, len);
	jsonw_end_object(&w);
	if (!mem)
		return;
	if (!fclose(mem))
		fwrite(buf, 1, size, stderr);
	free(buf);
}

static void emit(const char *level, const char *fmt, va_list ap)
{
	char msg[1024];
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	if (json_mode) {
		emit_json(level, msg, n);
	} else {
		fputs("nstrace: ", stderr);
		if (level[0] == 'e')
			fputs("error: ", stderr);
		escape_text(stderr, msg, n, 0);
		fputc('\n', stderr);
	}
}

void diag_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("error", fmt, ap);
	va_end(ap);
}

void diag_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("warning", fmt, ap);
	va_end(ap);
}

void diag_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("info", fmt, ap);
	va_end(ap);
}

void diag_debug(const char *fmt, ...)
{
	va_list ap;

	if (!verbose_mode)
		return;
	va_start(ap, fmt);
	emit("debug", fmt, ap);
	va_end(ap);
}
