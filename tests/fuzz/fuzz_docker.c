// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * What a Docker daemon, or whatever listens on its socket, answers to
 * GET /containers/ID/json: the HTTP framing, then the JSON body.
 */
#include <stdint.h>
#include <string.h>
#include "docker_meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *body, *why;
	struct container_meta m = { 0 };
	size_t body_len;
	int status, err;

	err = docker_http_parse(text, size, &status, &body, &body_len, &why);
	if (err) {
		if (!why)
			__builtin_trap();
		/* the raw answer is tried as a body too: a JSON parser sees all shapes */
		body = text;
		body_len = size;
	} else if (body < text || body + body_len > text + size || status < 0 || status > 999) {
		__builtin_trap();
	}
	err = docker_inspect_parse(body, body_len, &m, &why);
	if (err && (!why || m.name || m.has_labels))
		__builtin_trap();
	if (m.label_count > META_MAX_LABELS || (m.compose_project && !meta_label(&m, "com.docker.compose.project")))
		__builtin_trap();
	meta_clear(&m);
	return 0;
}
