/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Strings in events are chosen by whoever starts a process: these writers
 * make sure none reaches a terminal or a JSON parser raw.
 */
#ifndef NSTRACE_ESCAPE_H
#define NSTRACE_ESCAPE_H

#include <stdio.h>
#include <stddef.h>

/*
 * Text: printable ASCII as is; backslash, control bytes and every byte
 * outside ASCII as \xHH, so that no escape sequence, newline or bidi
 * control can act on the terminal. With quote, the string is wrapped in
 * double quotes when it is empty or holds a space or a quote.
 */
void escape_text(FILE *out, const char *s, size_t len, int quote);

/* JSON: a complete string literal; invalid UTF-8 becomes U+FFFD. */
void escape_json(FILE *out, const char *s, size_t len);

/*
 * The JSON printers write dozens of short pieces per record: these go
 * through putc_unlocked, which stores into the stdio buffer inline, where
 * fputs and fprintf cost a call and (for fprintf) format parsing each.
 * The output streams are single-threaded (see output_open).
 */
static inline void put_str(const char *s, FILE *out)
{
	while (*s)
		putc_unlocked(*s++, out);
}

#define UNSIGNED_DIGITS_MAX 20
/* Writes v's digits (no NUL) to dst, which has room for UNSIGNED_DIGITS_MAX; returns how many. */
size_t format_unsigned(char *dst, unsigned long long v);
void put_unsigned(FILE *out, unsigned long long v);
void put_signed(FILE *out, long long v);

#endif
