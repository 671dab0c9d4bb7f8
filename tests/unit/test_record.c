// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The --record format: what goes in comes back, and damage is named with its offset. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include "record.h"
#include "records.h"
#include "testing.h"

/* the file starts with a 16-byte header; each record with an 8-byte kind and length */
#define FILE_HEADER 16
#define FRAME 8

struct recording {
	char *buf;
	size_t len;
};

/* Writes the header and one event the way a live session does. */
static void record_one(struct recording *rec, const union nstrace_event *e)
{
	FILE *f = open_memstream(&rec->buf, &rec->len);

	record_write_header(f);
	record_write(f, RECORD_EVENT, e, nstrace_event_used_size(e));
	fclose(f);
}

/* Reads the first record back; returns record_read's result. */
static int read_one(const struct recording *rec, union nstrace_event *out, char *msg, size_t msg_size)
{
	FILE *f = fmemopen(rec->buf, rec->len, "r");
	struct record_reader r;
	const void *data;
	__u32 kind, len;
	int ret = record_reader_init(&r, f, msg, msg_size);

	if (!ret)
		ret = record_read(&r, &kind, &data, &len, msg, msg_size);
	if (ret == 1 && len <= sizeof(*out))
		memcpy(out, data, len);
	record_reader_release(&r);
	fclose(f);
	return ret;
}

static union nstrace_event exec_event(void)
{
	union nstrace_event e = make_record(NSTRACE_EVENT_EXEC);
	static const char args[] = "sh\0-c\0exit 7";

	e.hdr.pid = 42;
	snprintf(e.exec.filename, sizeof(e.exec.filename), "/bin/sh");
	set_args(&e.exec, args, sizeof(args));
	return e;
}

static void test_exec_round_trip(void)
{
	union nstrace_event e = exec_event(), back;
	struct recording rec = { 0 };
	char msg[256] = "";

	record_one(&rec, &e);
	ASSERT_EQ(rec.len, FILE_HEADER + FRAME + offsetof(struct nstrace_exec_event, args) + e.exec.args_len,
		  "an exec is stored without the unused end of its argv buffer");
	if (ASSERT_EQ(read_one(&rec, &back, msg, sizeof(msg)), 1, msg))
		ASSERT_TRUE(!memcmp(&back, &e, sizeof(e.exec)), "the event read back is the event written");
	free(rec.buf);
}

static void test_full_size_exec_accepted(void)
{
	union nstrace_event e = exec_event(), back;
	struct recording rec = { 0 };
	char msg[256] = "";
	FILE *f = open_memstream(&rec.buf, &rec.len);

	record_write_header(f);
	record_write(f, RECORD_EVENT, &e, sizeof(e.exec));
	fclose(f);
	if (ASSERT_EQ(read_one(&rec, &back, msg, sizeof(msg)), 1, msg))
		ASSERT_TRUE(!memcmp(&back, &e, sizeof(e.exec)), "a whole exec record reads as it was");
	free(rec.buf);
}

static void test_argv_length_mismatch(void)
{
	union nstrace_event e = exec_event(), back;
	struct recording rec = { 0 };
	char msg[256] = "";

	record_one(&rec, &e);
	/* args_len of the stored record, just after the header and old_tid */
	rec.buf[FILE_HEADER + FRAME + offsetof(struct nstrace_exec_event, args_len)] += 1;
	ASSERT_EQ(read_one(&rec, &back, msg, sizeof(msg)), -EINVAL, "an argv length that disagrees is refused");
	ASSERT_TRUE(strstr(msg, "offset 16") != NULL, "the message names the record's offset");
	free(rec.buf);
}

/* An exec as version 1 wrote it: no credentials between the header fields and the file name. */
static void test_v1_exec(void)
{
	union nstrace_event e = exec_event(), back;
	size_t at = offsetof(struct nstrace_exec_event, creds), room = sizeof(e.exec.creds);
	size_t used = nstrace_event_used_size(&e);
	struct recording rec;
	char msg[256] = "";
	char *old = calloc(1, used);
	__u32 version = 1;

	e.exec.creds.flags = NSTRACE_CREDS_READ;
	e.hdr.size = sizeof(e.exec) - room;
	memcpy(old, &e, at);
	memcpy(old + at, (char *)&e + at + room, used - at - room);
	rec.len = 0;
	{
		FILE *f = open_memstream(&rec.buf, &rec.len);

		record_write_header(f);
		record_write(f, RECORD_EVENT, old, used - room);
		fclose(f);
	}
	memcpy(rec.buf + 8, &version, sizeof(version));
	ASSERT_EQ(read_one(&rec, &back, msg, sizeof(msg)), 1, msg);
	ASSERT_EQ(back.hdr.size, sizeof(back.exec), "the size this nstrace knows");
	ASSERT_EQ(back.exec.creds.flags, 0, "credentials not read");
	ASSERT_STREQ(back.exec.filename, "/bin/sh", "file name after the room");
	ASSERT_EQ(back.exec.args_len, e.exec.args_len, "argv length");
	ASSERT_TRUE(!memcmp(back.exec.args, e.exec.args, e.exec.args_len), "argv");
	free(rec.buf);
	free(old);
}

int main(void)
{
	SUBTEST("exec events round-trip in their used size", test_exec_round_trip());
	SUBTEST("version 1 execs read, their credentials unknown", test_v1_exec());
	SUBTEST("whole exec records still read", test_full_size_exec_accepted());
	SUBTEST("an exec whose argv length disagrees with its size", test_argv_length_mismatch());
	return test_summary();
}
