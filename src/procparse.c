// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "procparse.h"

/* Parses decimal digits at *s up to end; false on no digits or overflow. */
static bool parse_u32(const char **s, const char *end, __u32 *value)
{
	unsigned long long v = 0;
	const char *p = *s;

	if (p >= end || *p < '0' || *p > '9')
		return false;
	while (p < end && *p >= '0' && *p <= '9') {
		v = v * 10 + (*p - '0');
		if (v > 0xffffffffULL)
			return false;
		p++;
	}
	*s = p;
	*value = v;
	return true;
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static bool parse_nspid(const char *p, const char *end, struct snap_process *proc)
{
	proc->nspid_levels = 0;
	for (;;) {
		p = skip_blanks(p, end);
		if (p == end)
			return proc->nspid_levels > 0;
		if (proc->nspid_levels == NSTRACE_MAX_PID_LEVELS)
			return false;
		if (!parse_u32(&p, end, &proc->nspid[proc->nspid_levels]))
			return false;
		proc->nspid_levels++;
	}
}

int parse_status(const char *text, size_t len, struct snap_process *proc)
{
	bool have_name = false, have_ppid = false, have_nspid = false;
	size_t pos = 0;

	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		const char *end = nl ? nl : text + len;
		const char *colon = memchr(line, ':', end - line);
		const char *value;
		size_t key_len;

		pos = end - text + 1;
		if (!colon)
			continue;
		key_len = colon - line;
		value = skip_blanks(colon + 1, end);
		if (key_len == 4 && !memcmp(line, "Name", 4)) {
			/* the kernel escapes \n and \\ in Name; keep the bytes as they are */
			size_t n = end - value;

			if (n >= sizeof(proc->comm))
				n = sizeof(proc->comm) - 1;
			memcpy(proc->comm, value, n);
			proc->comm[n] = '\0';
			have_name = true;
		} else if (key_len == 4 && !memcmp(line, "PPid", 4)) {
			have_ppid = parse_u32(&value, end, &proc->ppid) && skip_blanks(value, end) == end;
			if (!have_ppid)
				return -EINVAL;
		} else if (key_len == 5 && !memcmp(line, "NSpid", 5)) {
			have_nspid = parse_nspid(value, end, proc);
			if (!have_nspid)
				return -EINVAL;
		}
	}
	return have_name && have_ppid && have_nspid ? 0 : -EINVAL;
}

int parse_stat_start(const char *text, size_t len, __u64 *ticks)
{
	/* fields after the name: state is the first, starttime the twentieth */
	enum { STARTTIME_AFTER_NAME = 20 };
	const char *p = memrchr(text, ')', len), *end = text + len;
	unsigned long long v = 0;

	if (!p)
		return -EINVAL;
	p++;
	for (int field = 0; field < STARTTIME_AFTER_NAME; field++) {
		if (p == end || *p != ' ')
			return -EINVAL;
		p++;
		if (field == STARTTIME_AFTER_NAME - 1)
			break;
		while (p < end && *p != ' ')
			p++;
	}
	if (p == end || *p < '0' || *p > '9')
		return -EINVAL;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (~0ULL - 9) / 10)
			return -EINVAL;
		v = v * 10 + (*p - '0');
	}
	if (p < end && *p != ' ' && *p != '\n')
		return -EINVAL;
	*ticks = v;
	return 0;
}

/* "real effective saved filesystem": the fourth of four ids. */
static bool parse_fs_id(const char *p, const char *end, __u32 *id)
{
	for (int i = 0; i < 4; i++) {
		p = skip_blanks(p, end);
		if (!parse_u32(&p, end, id))
			return false;
	}
	return skip_blanks(p, end) == end;
}

static bool parse_groups(const char *p, const char *end, struct proc_creds *creds)
{
	creds->group_count = 0;
	for (;;) {
		__u32 gid;

		p = skip_blanks(p, end);
		if (p == end)
			return true;
		if (!parse_u32(&p, end, &gid))
			return false;
		if (creds->group_count < PROC_CREDS_MAX_GROUPS)
			creds->groups[creds->group_count++] = gid;
	}
}

int parse_status_creds(const char *text, size_t len, struct proc_creds *creds)
{
	bool have_uid = false, have_gid = false, have_groups = false;
	size_t pos = 0;

	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		const char *end = nl ? nl : text + len;
		const char *colon = memchr(line, ':', end - line);
		size_t key_len;

		pos = end - text + 1;
		if (!colon)
			continue;
		key_len = colon - line;
		if (key_len == 3 && !memcmp(line, "Uid", 3)) {
			if (!parse_fs_id(colon + 1, end, &creds->fsuid))
				return -EINVAL;
			have_uid = true;
		} else if (key_len == 3 && !memcmp(line, "Gid", 3)) {
			if (!parse_fs_id(colon + 1, end, &creds->fsgid))
				return -EINVAL;
			have_gid = true;
		} else if (key_len == 6 && !memcmp(line, "Groups", 6)) {
			if (!parse_groups(colon + 1, end, creds))
				return -EINVAL;
			have_groups = true;
		}
	}
	return have_uid && have_gid && have_groups ? 0 : -EINVAL;
}

__u32 parse_ns_link(const char *target, size_t len)
{
	const char *open = memchr(target, '[', len), *end = target + len, *p;
	__u32 inum;

	if (!open || len < 3 || end[-1] != ']')
		return 0;
	p = open + 1;
	if (!parse_u32(&p, end - 1, &inum) || p != end - 1)
		return 0;
	return inum;
}
