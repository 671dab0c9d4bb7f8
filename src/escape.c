// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdbool.h>
#include <string.h>
#include "escape.h"

static bool needs_quotes(const char *s, size_t len)
{
	if (!len)
		return true;
	for (size_t i = 0; i < len; i++)
		if (s[i] == ' ' || s[i] == '"' || s[i] == '\'')
			return true;
	return false;
}

void escape_text(FILE *out, const char *s, size_t len, int quote)
{
	bool quoted = quote && needs_quotes(s, len);

	if (quoted)
		fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '\\' || (quoted && c == '"'))
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	if (quoted)
		fputc('"', out);
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629), or 0. */
static size_t utf8_sequence(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	size_t n;
	unsigned int cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and code points past U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void escape_json(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	putc_unlocked('"', out);
	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];
		size_t n;

		switch (c) {
		case '"':
			put_str("\\\"", out);
			i++;
			continue;
		case '\\':
			put_str("\\\\", out);
			i++;
			continue;
		case '\n':
			put_str("\\n", out);
			i++;
			continue;
		case '\t':
			put_str("\\t", out);
			i++;
			continue;
		case '\r':
			put_str("\\r", out);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			put_str("\\u00", out);
			putc_unlocked("0123456789abcdef"[c >> 4], out);
			putc_unlocked("0123456789abcdef"[c & 15], out);
			i++;
			continue;
		}
		n = utf8_sequence(p + i, len - i);
		if (!n) {
			put_str("\\ufffd", out);
			i++;
			continue;
		}
		for (size_t k = 0; k < n; k++)
			putc_unlocked(p[i + k], out);
		i += n;
	}
	putc_unlocked('"', out);
}

static size_t decimal_digits(unsigned long long v)
{
	size_t n = 1;

	while (v >= 10000) {
		v /= 10000;
		n += 4;
	}
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

size_t format_unsigned(char *dst, unsigned long long v)
{
	/* two digits per division: inodes and timestamps are 10 to 20 digits long */
	static const char pairs[201] = "00010203040506070809101112131415161718192021222324"
				       "25262728293031323334353637383940414243444546474849"
				       "50515253545556575859606162636465666768697071727374"
				       "75767778798081828384858687888990919293949596979899";
	/*
	 * Written in place from the last digit back: building the digits in a
	 * scratch buffer and copying them made each copy wait on the 2-byte
	 * stores just before it (a failed store-to-load forward), a fifth of
	 * a replay's time.
	 */
	size_t len = decimal_digits(v), i = len;

	while (v >= 100) {
		unsigned int r = v % 100;

		v /= 100;
		dst[--i] = pairs[2 * r + 1];
		dst[--i] = pairs[2 * r];
	}
	if (v >= 10) {
		dst[--i] = pairs[2 * v + 1];
		dst[--i] = pairs[2 * v];
	} else {
		dst[--i] = '0' + v;
	}
	return len;
}

void put_unsigned(FILE *out, unsigned long long v)
{
	char buf[UNSIGNED_DIGITS_MAX];
	size_t n = format_unsigned(buf, v);

	for (size_t i = 0; i < n; i++)
		putc_unlocked(buf[i], out);
}

void put_signed(FILE *out, long long v)
{
	if (v < 0) {
		putc_unlocked('-', out);
		put_unsigned(out, -(unsigned long long)v);
	} else {
		put_unsigned(out, v);
	}
}
