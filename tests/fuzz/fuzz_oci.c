// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * An OCI bundle's config.json, which whoever can name a bundle to a runtime
 * writes: parsed, then carried through the JSON form --record files keep
 * and read back, which must give the same metadata again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "oci_bundle.h"

static void check_string(const char *s)
{
	if (s && strlen(s) >= META_MAX_STRING)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct container_meta m = { 0 }, back;
	const char *why;
	char *text1, *text2;
	json_t *j;
	int err = oci_config_parse((const char *)data, size, &m, &why);

	if (err && (!why || m.sources || m.has_args || m.hostname))
		__builtin_trap();
	if (m.arg_count > META_MAX_ARGS)
		__builtin_trap();
	check_string(m.hostname);
	check_string(m.name);
	for (size_t i = 0; i < m.arg_count; i++)
		check_string(m.args[i]);
	j = meta_to_json(&m);
	if (!j)
		__builtin_trap();
	if (meta_from_json(j, &back))
		__builtin_trap();
	text1 = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(j);
	j = meta_to_json(&back);
	text2 = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	if (!text1 || !text2 || strcmp(text1, text2))
		__builtin_trap();
	free(text1);
	free(text2);
	json_decref(j);
	meta_clear(&back);
	meta_clear(&m);
	return 0;
}
