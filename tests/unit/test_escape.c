// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* What reaches a terminal or a JSON parser from strings the traced processes chose. */
#include <jansson.h>
#include "testing.h"
#include "records.h"
#include "escape.h"

/* Literals may hold NULs, so lengths come from sizeof. */
#define TEXT(s, quote, want) expect_text(s, sizeof(s) - 1, quote, want, #s)
#define JSON(s, want, decoded) expect_json(s, sizeof(s) - 1, want, decoded, sizeof(decoded) - 1, #s)

static void expect_text(const char *s, size_t len, int quote, const char *want, const char *what)
{
	struct capture c;

	escape_text(capture_start(&c), s, len, quote);
	ASSERT_STREQ(capture_end(&c), want, what);
	free(c.buf);
}

/*
 * Checks the exact literal, then that a JSON parser accepts it and gets
 * decoded back (U+FFFD standing in for each invalid byte).
 */
static void expect_json(const char *s, size_t len, const char *want, const char *decoded,
			size_t decoded_len, const char *what)
{
	struct capture c;
	json_error_t err;
	json_t *v;

	escape_json(capture_start(&c), s, len);
	ASSERT_STREQ(capture_end(&c), want, what);
	v = json_loads(c.buf, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (ASSERT_TRUE(v && json_is_string(v), what)) {
		ASSERT_EQ(json_string_length(v), decoded_len, what);
		ASSERT_TRUE(!memcmp(json_string_value(v), decoded, decoded_len), what);
	} else {
		FAIL_AT("jansson: %s", err.text);
	}
	json_decref(v);
	free(c.buf);
}

static void text_plain(void)
{
	TEXT("runc:[2:INIT]", 0, "runc:[2:INIT]");
	TEXT("", 0, "");
	TEXT("a b", 0, "a b");
	TEXT("say \"hi\"", 0, "say \"hi\"");
}

static void text_control(void)
{
	TEXT("\x1b[31mred\x1b[0m", 0, "\\x1b[31mred\\x1b[0m");
	TEXT("a\rb\nc\td", 0, "a\\x0db\\x0ac\\x09d");
	TEXT("nul\0x", 0, "nul\\x00x");
	TEXT("del\x7f", 0, "del\\x7f");
	/* U+202E RIGHT-TO-LEFT OVERRIDE and any other byte past ASCII */
	TEXT("\xe2\x80\xae" "cod", 0, "\\xe2\\x80\\xaecod");
	TEXT("caf\xc3\xa9", 0, "caf\\xc3\\xa9");
}

static void text_backslash(void)
{
	/* otherwise "\x41" in a name could not be told from an escaped 'A' */
	TEXT("a\\x41", 0, "a\\\\x41");
	TEXT("\\", 1, "\\\\");
}

static void text_quoting(void)
{
	TEXT("", 1, "\"\"");
	TEXT("sleep", 1, "sleep");
	TEXT("exit 7", 1, "\"exit 7\"");
	TEXT("say \"hi\"", 1, "\"say \\\"hi\\\"\"");
	TEXT("it's", 1, "\"it's\"");
	TEXT("a\tb", 1, "a\\x09b");
	TEXT("a\\ b", 1, "\"a\\\\ b\"");
}

static void json_specials(void)
{
	JSON("plain", "\"plain\"", "plain");
	JSON("", "\"\"", "");
	JSON("say \"hi\"", "\"say \\\"hi\\\"\"", "say \"hi\"");
	JSON("C:\\dir", "\"C:\\\\dir\"", "C:\\dir");
	JSON("a\nb\tc\rd", "\"a\\nb\\tc\\rd\"", "a\nb\tc\rd");
	JSON("/", "\"/\"", "/");
}

static void json_control(void)
{
	JSON("\x01\x1b[0m", "\"\\u0001\\u001b[0m\"", "\x01\x1b[0m");
	JSON("\x7f", "\"\\u007f\"", "\x7f");
	JSON("a\0b", "\"a\\u0000b\"", "a\0b");
	JSON("\x1f", "\"\\u001f\"", "\x1f");
}

static void json_utf8_valid(void)
{
	JSON("caf\xc3\xa9", "\"caf\xc3\xa9\"", "caf\xc3\xa9");
	JSON("\xe2\x82\xac", "\"\xe2\x82\xac\"", "\xe2\x82\xac");
	JSON("\xf0\x9f\x90\xa7", "\"\xf0\x9f\x90\xa7\"", "\xf0\x9f\x90\xa7");
	/* the edges: U+0080, U+07FF, U+E000 (after the surrogates), U+10FFFF */
	JSON("\xc2\x80\xdf\xbf\xee\x80\x80\xf4\x8f\xbf\xbf", "\"\xc2\x80\xdf\xbf\xee\x80\x80\xf4\x8f\xbf\xbf\"",
	     "\xc2\x80\xdf\xbf\xee\x80\x80\xf4\x8f\xbf\xbf");
}

#define FFFD "\xef\xbf\xbd"

static void json_utf8_invalid(void)
{
	JSON("a\x80z", "\"a\\ufffdz\"", "a" FFFD "z");
	JSON("\xff", "\"\\ufffd\"", FFFD);
	/* overlong '/' in two and three bytes */
	JSON("\xc0\xaf", "\"\\ufffd\\ufffd\"", FFFD FFFD);
	JSON("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"", FFFD FFFD FFFD);
	/* overlong U+FFFF in four bytes */
	JSON("\xf0\x8f\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", FFFD FFFD FFFD FFFD);
	/* surrogates U+D800 and U+DFFF, which UTF-8 may not carry */
	JSON("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"", FFFD FFFD FFFD);
	JSON("\xed\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\"", FFFD FFFD FFFD);
	/* past U+10FFFF */
	JSON("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", FFFD FFFD FFFD FFFD);
	/* a sequence the end of the buffer cuts, as a truncated comm does */
	JSON("ab\xe2\x82", "\"ab\\ufffd\\ufffd\"", "ab" FFFD FFFD);
	/* a lead byte followed by ASCII: the ASCII survives */
	JSON("\xc3(", "\"\\ufffd(\"", FFFD "(");
}

/* Every digit count, around each power of ten, against printf. */
static void unsigned_digits(void)
{
	unsigned long long p = 1;

	for (int k = 0; k < 20; k++, p *= 10) {
		const unsigned long long values[] = { p - 1, p, p + 1, p * 9 + (p - 1) };

		for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
			char got[UNSIGNED_DIGITS_MAX + 1], want[32];
			size_t n = format_unsigned(got, values[i]);

			got[n < UNSIGNED_DIGITS_MAX ? n : UNSIGNED_DIGITS_MAX] = '\0';
			snprintf(want, sizeof(want), "%llu", values[i]);
			if (n != strlen(want) || strcmp(got, want))
				FAIL_AT("%llu came out as \"%s\" (%zu digits)", values[i], got, n);
		}
	}
	{
		char got[UNSIGNED_DIGITS_MAX + 1];
		size_t n = format_unsigned(got, ~0ULL);

		got[n] = '\0';
		ASSERT_STREQ(got, "18446744073709551615", "the largest value");
	}
}

int main(void)
{
	SUBTEST("escape_text leaves printable ASCII", text_plain());
	SUBTEST("escape_text hex-escapes control and non-ASCII bytes", text_control());
	SUBTEST("escape_text escapes backslashes", text_backslash());
	SUBTEST("escape_text quotes when asked", text_quoting());
	SUBTEST("escape_json escapes quotes, backslash and whitespace", json_specials());
	SUBTEST("escape_json escapes control characters", json_control());
	SUBTEST("escape_json passes valid UTF-8", json_utf8_valid());
	SUBTEST("escape_json replaces invalid UTF-8", json_utf8_invalid());
	SUBTEST("format_unsigned writes every digit count", unsigned_digits());
	return test_summary();
}
