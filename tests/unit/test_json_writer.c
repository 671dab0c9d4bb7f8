// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The JSON writer: exact bytes for nesting and commas, then records with
 * hostile strings read back by a parser, one per line.
 */
#include <math.h>
#include <jansson.h>
#include "testing.h"
#include "records.h"
#include "json_writer.h"

static void expect_bytes(struct capture *c, const char *want, const char *what)
{
	ASSERT_STREQ(capture_end(c), want, what);
	free(c->buf);
}

static void scalars_and_empty_containers(void)
{
	struct capture c;
	struct json_writer w;

	jsonw_init(&w, capture_start(&c));
	jsonw_start_object(&w);
	jsonw_uint_field(&w, "u", 18446744073709551615ULL);
	jsonw_int_field(&w, "i", -9223372036854775807LL - 1);
	jsonw_int_field(&w, "zero", 0);
	jsonw_bool_field(&w, "t", true);
	jsonw_bool_field(&w, "f", false);
	jsonw_null_field(&w, "n");
	jsonw_name(&w, "o");
	jsonw_start_object(&w);
	jsonw_end_object(&w);
	jsonw_name(&w, "a");
	jsonw_start_array(&w);
	jsonw_end_array(&w);
	jsonw_end_object(&w);
	expect_bytes(&c,
		     "{\"u\":18446744073709551615,\"i\":-9223372036854775808,\"zero\":0,\"t\":true,\"f\":false,"
		     "\"n\":null,\"o\":{},\"a\":[]}\n",
		     "scalars, empty object and array");
}

/* Commas between members only, at every depth, also right after a nested container closes. */
static void nesting_and_commas(void)
{
	struct capture c;
	struct json_writer w;

	jsonw_init(&w, capture_start(&c));
	jsonw_start_object(&w);
	jsonw_name(&w, "a");
	jsonw_start_array(&w);
	jsonw_start_array(&w);
	jsonw_uint(&w, 1);
	jsonw_end_array(&w);
	jsonw_start_object(&w);
	jsonw_name(&w, "b");
	jsonw_start_array(&w);
	jsonw_uint(&w, 2);
	jsonw_uint(&w, 3);
	jsonw_end_array(&w);
	jsonw_end_object(&w);
	jsonw_uint(&w, 4);
	jsonw_end_array(&w);
	ASSERT_EQ(w.depth, 1, "the record is still open");
	jsonw_string_field(&w, "c", "d");
	jsonw_end_object(&w);
	expect_bytes(&c, "{\"a\":[[1],{\"b\":[2,3]},4],\"c\":\"d\"}\n", "nested containers");
}

/* Each record is a line of its own: no comma carries over from the last member of the one before. */
static void records_are_lines(void)
{
	struct capture c;
	struct json_writer w;

	jsonw_init(&w, capture_start(&c));
	for (int i = 0; i < 3; i++) {
		jsonw_start_object(&w);
		jsonw_int_field(&w, "n", i);
		jsonw_name(&w, "x");
		jsonw_start_array(&w);
		jsonw_end_array(&w);
		jsonw_end_object(&w);
	}
	jsonw_uint(&w, 7);
	jsonw_string(&w, "s");
	expect_bytes(&c, "{\"n\":0,\"x\":[]}\n{\"n\":1,\"x\":[]}\n{\"n\":2,\"x\":[]}\n7\n\"s\"\n",
		     "one record per line");
}

static void fragments_embed_as_values(void)
{
	struct capture frag, c;
	struct json_writer fw, w;
	char *text;

	jsonw_init_fragment(&fw, capture_start(&frag));
	jsonw_start_object(&fw);
	jsonw_uint_field(&fw, "pid", 4026531836u);
	jsonw_end_object(&fw);
	text = capture_end(&frag);
	ASSERT_STREQ(text, "{\"pid\":4026531836}", "a fragment has no line end");

	jsonw_init(&w, capture_start(&c));
	jsonw_start_array(&w);
	jsonw_raw_value(&w, text, strlen(text));
	jsonw_raw_value(&w, text, strlen(text));
	jsonw_end_array(&w);
	expect_bytes(&c, "[{\"pid\":4026531836},{\"pid\":4026531836}]\n", "fragments as members");
	free(text);
}

static void floats(void)
{
	struct capture c;
	struct json_writer w;

	jsonw_init(&w, capture_start(&c));
	jsonw_start_array(&w);
	jsonw_float_fmt(&w, "%.3f", 1.5);
	jsonw_float_fmt(&w, "%.3f", NAN);
	jsonw_float_fmt(&w, "%.3f", INFINITY);
	jsonw_end_array(&w);
	expect_bytes(&c, "[1.500,null,null]\n", "JSON has no NaN or infinity");
}

/* A close without an open would break every record after it: ignored. */
static void unbalanced_close(void)
{
	struct capture c;
	struct json_writer w;

	jsonw_init(&w, capture_start(&c));
	jsonw_end_object(&w);
	jsonw_start_object(&w);
	jsonw_end_object(&w);
	expect_bytes(&c, "{}\n", "stray close ignored");
}

/* Strings a traced process chooses: quotes, newlines, escape sequences, NULs, broken UTF-8. */
static void hostile_strings(void)
{
	static const char hostile[][24] = {
		"\"}\n{\"type\":\"x\"", "\x1b[2J\x1b]0;pwn\a", "a\\\"b", "\xff\xfe\xc3", "\xe2\x80\xae" "evil", "",
	};
	static const char with_nul[] = "a\0b";
	struct capture c;
	struct json_writer w;
	json_error_t err;
	char *text, *save = NULL, *line;
	size_t lines = 0;

	jsonw_init(&w, capture_start(&c));
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		jsonw_start_object(&w);
		jsonw_string_field(&w, "s", hostile[i]);
		jsonw_name(&w, "argv");
		jsonw_start_array(&w);
		jsonw_string(&w, hostile[i]);
		jsonw_string_len(&w, with_nul, sizeof(with_nul) - 1);
		jsonw_end_array(&w);
		jsonw_end_object(&w);
	}
	text = capture_end(&c);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), lines++) {
		json_t *o = json_loads(line, JSON_ALLOW_NUL, &err);
		json_t *argv = json_object_get(o, "argv");

		if (!ASSERT_TRUE(o && json_is_object(o), "each line one object")) {
			FAIL_AT("line %zu: %s: %s", lines + 1, err.text, line);
			continue;
		}
		ASSERT_EQ(json_object_size(o), 2, "no field injected");
		ASSERT_EQ(json_array_size(argv), 2, "no element injected");
		ASSERT_EQ(json_string_length(json_array_get(argv, 1)), 3, "a NUL inside a string survives");
		for (const char *p = line; *p; p++)
			if ((unsigned char)*p < 0x20) {
				FAIL_AT("line %zu holds raw byte 0x%02x", lines + 1, (unsigned char)*p);
				break;
			}
		json_decref(o);
	}
	ASSERT_EQ(lines, sizeof(hostile) / sizeof(hostile[0]), "one line per record");
	free(text);
}

int main(void)
{
	SUBTEST("scalars and empty containers", scalars_and_empty_containers());
	SUBTEST("nesting and commas", nesting_and_commas());
	SUBTEST("records are lines", records_are_lines());
	SUBTEST("fragments embed as values", fragments_embed_as_values());
	SUBTEST("floats", floats());
	SUBTEST("unbalanced close", unbalanced_close());
	SUBTEST("hostile strings", hostile_strings());
	return test_summary();
}
