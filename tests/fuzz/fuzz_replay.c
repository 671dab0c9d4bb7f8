// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The replay path on arbitrary bytes: the record reader, then the
 * session (lifecycle model and printers) on every record it accepts, as
 * nstrace replay runs them. The first byte picks JSON or text, whether
 * raw events are printed, whether --container limits them and whether only
 * alerts are; the rest is the file.
 */
#include <stdint.h>
#include <stdio.h>
#include "record.h"
#include "session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	static const struct container_filter filter = { .count = 3, .specs = { "web", "c2", "0123" } };
	struct printer_opts opts = { 0 };
	struct record_reader reader;
	struct session *s;
	char msg[256];
	FILE *in;

	if (size < 2)
		return 0;
	if (!sink)
		sink = fopen("/dev/null", "w");
	opts.out = sink;
	opts.json = data[0] & 1;
	opts.events = data[0] & 2;
	opts.alerts_only = data[0] & 4;
	in = fmemopen((void *)(data + 1), size - 1, "r");
	if (!in)
		return 0;
	if (!record_reader_init(&reader, in, msg, sizeof(msg))) {
		s = session_new(NULL);
		if (s && !session_add_output(s, printer_output_new(&opts))) {
			if (data[0] & 8)
				session_set_filter(s, &filter);
			const void *rec;
			__u32 kind, len;

			while (record_read(&reader, &kind, &rec, &len, msg, sizeof(msg)) > 0)
				if (session_replay(s, kind, rec, len))
					break;
			session_finish(s);
		}
		session_free(s);
	}
	record_reader_release(&reader);
	fclose(in);
	return 0;
}
