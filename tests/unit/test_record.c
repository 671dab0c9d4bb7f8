// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The --record format: what goes in comes back, and damage is named with its offset. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include "record.h"
#include "records.h"
#include "snapshot.h"
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

/* Reads the one snapshot record of a recording into *out; returns record_read's result. */
static int read_snapshot(const struct recording *rec, struct snap_process *out, char *msg, size_t msg_size)
{
	FILE *f = fmemopen(rec->buf, rec->len, "r");
	struct record_reader r;
	const void *data;
	__u32 kind = 0, len = 0;
	int ret = record_reader_init(&r, f, msg, msg_size);

	if (!ret)
		ret = record_read(&r, &kind, &data, &len, msg, msg_size);
	if (ret == 1 && kind == RECORD_SNAPSHOT && len == sizeof(*out))
		memcpy(out, data, len);
	else if (ret == 1)
		ret = -EINVAL;
	record_reader_release(&r);
	fclose(f);
	return ret;
}

/*
 * Format 1 snapshot records have no credentials and end before start_ticks:
 * a file of that version still reads, both unknown; the same short record
 * in a version 2 file is damage.
 */
static void test_version_1_snapshot(void)
{
	size_t creds_at = offsetof(struct snap_process, creds), creds_size = sizeof(struct nstrace_creds);
	size_t v1_size = offsetof(struct snap_process, cgroup) + SNAP_CGROUP_LEN - creds_size;
	struct snap_process p = { .pid = 7, .ppid = 1, .nspid_levels = 1, .start_ticks = 99 }, back;
	struct recording rec = { 0 };
	char msg[256] = "", *old = calloc(1, v1_size);
	__u32 version = 1;
	FILE *f;

	strcpy(p.cgroup, "0::/v1");
	p.cgroup_len = strlen(p.cgroup);
	p.creds.flags = NSTRACE_CREDS_READ;
	memcpy(old, &p, creds_at);
	memcpy(old + creds_at, (char *)&p + creds_at + creds_size, v1_size - creds_at);
	memset(&back, 0xff, sizeof(back));
	f = open_memstream(&rec.buf, &rec.len);
	record_write_header(f);
	record_write(f, RECORD_SNAPSHOT, old, v1_size);
	fclose(f);
	free(old);
	/* the version follows the 8-byte magic */
	memcpy(rec.buf + 8, &version, sizeof(version));
	if (ASSERT_EQ(read_snapshot(&rec, &back, msg, sizeof(msg)), 1, msg)) {
		ASSERT_EQ(back.pid, 7, "the process");
		ASSERT_EQ(back.start_ticks, 0, "its start unknown");
		ASSERT_EQ(back.creds.flags, 0, "its credentials not read");
		ASSERT_STREQ(back.cgroup, "0::/v1", "the cgroup after the room");
	}
	version = RECORD_VERSION;
	memcpy(rec.buf + 8, &version, sizeof(version));
	ASSERT_EQ(read_snapshot(&rec, &back, msg, sizeof(msg)), -EINVAL, "a short snapshot in a current file");
	free(rec.buf);

	f = open_memstream(&rec.buf, &rec.len);
	record_write_header(f);
	record_write(f, RECORD_SNAPSHOT, &p, sizeof(p));
	fclose(f);
	if (ASSERT_EQ(read_snapshot(&rec, &back, msg, sizeof(msg)), 1, msg))
		ASSERT_EQ(back.start_ticks, 99, "a current snapshot keeps its start");
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
	SUBTEST("version 1 snapshot records", test_version_1_snapshot());
	return test_summary();
}
