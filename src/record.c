// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "event.h"
#include "meta.h"
#include "record.h"
#include "mountinfo.h"
#include "snapshot.h"

struct file_header {
	char magic[8];
	__u32 version;
	__u32 reserved;
};

struct frame {
	__u32 kind;
	__u32 len;
};

int record_write_header(FILE *f)
{
	struct file_header h = { .version = RECORD_VERSION };

	memcpy(h.magic, RECORD_MAGIC, sizeof(RECORD_MAGIC));
	return fwrite(&h, sizeof(h), 1, f) == 1 ? 0 : -EIO;
}

int record_write(FILE *f, __u32 kind, const void *data, __u32 len)
{
	struct frame fr = { .kind = kind, .len = len };

	if (fwrite(&fr, sizeof(fr), 1, f) != 1 || fwrite(data, 1, len, f) != len)
		return -EIO;
	return 0;
}

int record_reader_init(struct record_reader *r, FILE *f, char *msg, size_t msg_size)
{
	struct file_header h;

	memset(r, 0, sizeof(*r));
	r->f = f;
	if (fread(&h, sizeof(h), 1, f) != 1) {
		snprintf(msg, msg_size, "not an nstrace recording: truncated file header at offset 0 (%zu bytes)",
			 sizeof(h));
		return -EINVAL;
	}
	if (memcmp(h.magic, RECORD_MAGIC, sizeof(RECORD_MAGIC))) {
		snprintf(msg, msg_size, "not an nstrace recording: bad magic at offset 0");
		return -EINVAL;
	}
	if (h.version != RECORD_VERSION && h.version != 1) {
		snprintf(msg, msg_size, "file header at offset 0: recording format version %u, this nstrace reads %u",
			 h.version, RECORD_VERSION);
		return -EINVAL;
	}
	r->version = h.version;
	r->offset = sizeof(h);
	return 0;
}

/* Whether a payload is well-formed for its kind; why says what is not. */
/*
 * Events are stored as nstrace_event_used_size() gives them: an exec
 * without the unused end of its argv buffer, which is put back here.
 */
/*
 * Version 1 records have no credentials: an exec without them, a snapshot
 * without them. They get room for them, zeroed: credentials not read.
 */
static void make_room(void *data, __u32 *len, size_t at, size_t size)
{
	memmove((char *)data + at + size, (char *)data + at, *len - at);
	memset((char *)data + at, 0, size);
	*len += size;
}

static bool v1_exec_ok(void *data, __u32 *len, const char **why)
{
	struct nstrace_exec_event *e = data;
	size_t at = offsetof(struct nstrace_exec_event, creds), room = sizeof(e->creds);

	if (*len < at || *len > sizeof(*e) - room || e->hdr.size != sizeof(*e) - room) {
		*why = "version 1 exec record of the wrong size";
		return false;
	}
	make_room(data, len, at, room);
	e->hdr.size = sizeof(*e);
	return true;
}

static bool event_ok(__u32 version, void *data, __u32 *len, const char **why)
{
	struct nstrace_exec_event *e = data;
	size_t head = offsetof(struct nstrace_exec_event, args);

	if (version == 1 && *len >= sizeof(e->hdr) && e->hdr.type == NSTRACE_EVENT_EXEC && !v1_exec_ok(data, len, why))
		return false;
	if (*len >= head && *len < sizeof(*e) && e->hdr.type == NSTRACE_EVENT_EXEC) {
		if (e->args_len != *len - head) {
			*why = "exec record whose argv length does not match its size";
			return false;
		}
		memset(e->args + e->args_len, 0, sizeof(*e) - *len);
		*len = sizeof(*e);
	}
	return !nstrace_event_check(data, *len, why);
}

/* Decoded here to be refused at its offset, and again where it is used. */
static bool meta_record_ok(const void *data, __u32 len)
{
	struct meta_result r;
	bool is_answer;

	if (meta_decode(data, len, &is_answer, &r))
		return false;
	meta_result_free(&r);
	return true;
}

static bool length_ok(__u32 version, __u32 kind, __u32 *len, void *data, const char **why)
{
	const size_t creds_at = offsetof(struct snap_process, creds), creds_size = sizeof(struct nstrace_creds);

	switch (kind) {
	case RECORD_EVENT:
		return event_ok(version, data, len, why);
	case RECORD_LOST:
		*why = "loss record of the wrong size";
		return *len == sizeof(struct record_lost);
	case RECORD_SNAPSHOT:
		*why = "snapshot record of the wrong size";
		/*
		 * Version 1 had neither the credentials nor start_ticks, and its
		 * struct was 4-aligned: both get room, zeroed (not read, unknown).
		 */
		if (version == 1 && *len == offsetof(struct snap_process, cgroup) + SNAP_CGROUP_LEN - creds_size) {
			make_room(data, len, creds_at, creds_size);
			memset((char *)data + *len, 0, sizeof(struct snap_process) - *len);
			*len = sizeof(struct snap_process);
		}
		return *len == sizeof(struct snap_process) &&
		       !nstrace_creds_check(&((const struct snap_process *)data)->creds, why);
	case RECORD_MOUNTS:
		*why = "mount record of the wrong size";
		return *len == sizeof(struct mount_exposures) &&
		       !mount_exposures_check((const struct mount_exposures *)data, why);
	case RECORD_SNAPSHOT_DONE:
		*why = "snapshot end record of the wrong size";
		return *len == sizeof(struct record_snapshot_done);
	case RECORD_META:
		*why = "metadata record that is no question or answer about a container";
		return meta_record_ok(data, *len);
	}
	*why = "unknown record kind";
	return false;
}

static __u32 max_payload(void)
{
	__u32 max = META_RECORD_MAX;

	if (sizeof(struct snap_process) > max)
		max = sizeof(struct snap_process);
	if (sizeof(struct mount_exposures) > max)
		max = sizeof(struct mount_exposures);

	for (__u32 t = 1; t <= NSTRACE_EVENT_TYPE_MAX; t++)
		if (nstrace_event_size(t) > max)
			max = nstrace_event_size(t);
	return max;
}

int record_read(struct record_reader *r, __u32 *kind, const void **data, __u32 *len, char *msg,
		size_t msg_size)
{
	struct frame fr;
	size_t n = fread(&fr, 1, sizeof(fr), r->f);
	const char *why = NULL;
	__u32 stored;

	if (n == 0 && feof(r->f))
		return 0;
	if (n != sizeof(fr)) {
		snprintf(msg, msg_size, "truncated record header at offset %llu", (unsigned long long)r->offset);
		return -EINVAL;
	}
	if (fr.len > max_payload()) {
		snprintf(msg, msg_size, "record of %u bytes at offset %llu is larger than any record", fr.len,
			 (unsigned long long)r->offset);
		return -EINVAL;
	}
	if (!r->buf) {
		r->cap = max_payload();
		r->buf = malloc(r->cap);
		if (!r->buf)
			return -ENOMEM;
	}
	stored = fr.len;
	if (fread(r->buf, 1, fr.len, r->f) != fr.len) {
		snprintf(msg, msg_size, "truncated record at offset %llu: expected %u bytes",
			 (unsigned long long)r->offset, fr.len);
		return -EINVAL;
	}
	if (!length_ok(r->version, fr.kind, &fr.len, r->buf, &why)) {
		snprintf(msg, msg_size, "bad record at offset %llu: %s", (unsigned long long)r->offset, why);
		return -EINVAL;
	}
	r->offset += sizeof(fr) + stored;
	*kind = fr.kind;
	*data = r->buf;
	*len = fr.len;
	return 1;
}

void record_reader_release(struct record_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}
