// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include "procparse.h"

bool parse_u32(const char **s, const char *end, __u32 *value)
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

/* One "Key:\tvalue" line of /proc/PID/status. */
struct status_field {
	const char *key;
	size_t key_len;
	const char *value; /* past the blanks after the colon */
	const char *end; /* of the line */
};

/* The next line that has a colon, from *pos on; false at the end of the text. */
static bool next_status_field(const char *text, size_t len, size_t *pos, struct status_field *f)
{
	while (*pos < len) {
		const char *line = text + *pos, *nl = memchr(line, '\n', len - *pos);
		const char *end = nl ? nl : text + len;
		const char *colon = memchr(line, ':', end - line);

		*pos = end - text + 1;
		if (!colon)
			continue;
		f->key = line;
		f->key_len = colon - line;
		f->value = skip_blanks(colon + 1, end);
		f->end = end;
		return true;
	}
	return false;
}

static bool field_is(const struct status_field *f, const char *key)
{
	return f->key_len == strlen(key) && !memcmp(f->key, key, f->key_len);
}

/* "Uid:" and "Gid:" carry real, effective, saved and filesystem ids. */
static bool parse_four_ids(const char *p, const char *end, __u32 ids[4])
{
	for (int i = 0; i < 4; i++) {
		p = skip_blanks(p, end);
		if (!parse_u32(&p, end, &ids[i]))
			return false;
	}
	return skip_blanks(p, end) == end;
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
	struct status_field f;
	size_t pos = 0;

	while (next_status_field(text, len, &pos, &f)) {
		if (field_is(&f, "Name")) {
			/* the kernel escapes \n and \\ in Name; keep the bytes as they are */
			size_t n = f.end - f.value;

			if (n >= sizeof(proc->comm))
				n = sizeof(proc->comm) - 1;
			memcpy(proc->comm, f.value, n);
			proc->comm[n] = '\0';
			have_name = true;
		} else if (field_is(&f, "PPid")) {
			have_ppid = parse_u32(&f.value, f.end, &proc->ppid) && skip_blanks(f.value, f.end) == f.end;
			if (!have_ppid)
				return -EINVAL;
		} else if (field_is(&f, "NSpid")) {
			have_nspid = parse_nspid(f.value, f.end, proc);
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

static bool parse_groups(const char *p, const char *end, struct proc_fs_access *access)
{
	access->group_count = 0;
	for (;;) {
		__u32 gid;

		p = skip_blanks(p, end);
		if (p == end)
			return true;
		if (!parse_u32(&p, end, &gid))
			return false;
		if (access->group_count < PROC_FS_ACCESS_MAX_GROUPS)
			access->groups[access->group_count++] = gid;
	}
}

int parse_status_fs_access(const char *text, size_t len, struct proc_fs_access *access)
{
	bool have_uid = false, have_gid = false, have_groups = false;
	struct status_field f;
	size_t pos = 0;
	__u32 ids[4];

	while (next_status_field(text, len, &pos, &f)) {
		if (field_is(&f, "Uid") || field_is(&f, "Gid")) {
			if (!parse_four_ids(f.value, f.end, ids))
				return -EINVAL;
			if (f.key[0] == 'U') {
				access->fsuid = ids[3];
				have_uid = true;
			} else {
				access->fsgid = ids[3];
				have_gid = true;
			}
		} else if (field_is(&f, "Groups")) {
			if (!parse_groups(f.value, f.end, access))
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

int parse_idmap(const char *text, size_t len, struct nstrace_idmap_extent *ext, size_t max, size_t *n)
{
	const char *p = text, *end = text + len;

	*n = 0;
	while (p < end) {
		struct nstrace_idmap_extent e;

		p = skip_blanks(p, end);
		if (p < end && *p == '\n') {
			p++;
			continue;
		}
		if (!parse_u32(&p, end, &e.first))
			return -EINVAL;
		p = skip_blanks(p, end);
		if (!parse_u32(&p, end, &e.lower_first))
			return -EINVAL;
		p = skip_blanks(p, end);
		if (!parse_u32(&p, end, &e.count))
			return -EINVAL;
		p = skip_blanks(p, end);
		if (p < end && *p++ != '\n')
			return -EINVAL;
		/* the kernel refuses empty ranges and ranges whose end wraps 32 bits */
		if (!e.count || (__u64)e.first + e.count > 0xffffffffULL ||
		    (__u64)e.lower_first + e.count > 0xffffffffULL)
			return -EINVAL;
		if (*n < max)
			ext[*n] = e;
		(*n)++;
	}
	return 0;
}

/* Hexadecimal digits from p to end: the capability masks of /proc/PID/status. */
static bool parse_hex_u64(const char *p, const char *end, __u64 *value)
{
	__u64 v = 0;
	int digits = 0;

	for (; p < end && *p != ' ' && *p != '\t'; p++, digits++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return false;
		if (digits == 16)
			return false;
		v = v << 4 | d;
	}
	*value = v;
	return digits > 0 && skip_blanks(p, end) == end;
}

int parse_status_creds(const char *text, size_t len, struct nstrace_creds *c)
{
	static const struct {
		const char *key;
		size_t offset;
	} caps[] = {
		{ "CapInh", offsetof(struct nstrace_creds, cap_inheritable) },
		{ "CapPrm", offsetof(struct nstrace_creds, cap_permitted) },
		{ "CapEff", offsetof(struct nstrace_creds, cap_effective) },
		{ "CapBnd", offsetof(struct nstrace_creds, cap_bounding) },
		{ "CapAmb", offsetof(struct nstrace_creds, cap_ambient) },
	};
	unsigned int seen = 0, want = (1u << (2 + sizeof(caps) / sizeof(caps[0]))) - 1;
	struct status_field f;
	size_t pos = 0;
	__u32 ids[4], number;

	while (next_status_field(text, len, &pos, &f)) {
		if (field_is(&f, "Uid") || field_is(&f, "Gid")) {
			bool uid = f.key[0] == 'U';

			if (!parse_four_ids(f.value, f.end, ids))
				return -EINVAL;
			*(uid ? &c->uid : &c->gid) = ids[0];
			*(uid ? &c->euid : &c->egid) = ids[1];
			seen |= 1u << (uid ? 0 : 1);
		} else if (field_is(&f, "NoNewPrivs")) {
			if (!parse_u32(&f.value, f.end, &number) || number > 1)
				return -EINVAL;
			if (number)
				c->flags |= NSTRACE_CREDS_NO_NEW_PRIVS;
		} else if (field_is(&f, "Seccomp")) {
			if (!parse_u32(&f.value, f.end, &c->seccomp_mode))
				return -EINVAL;
			c->flags |= NSTRACE_CREDS_SECCOMP;
		} else {
			for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
				if (!field_is(&f, caps[i].key))
					continue;
				if (!parse_hex_u64(f.value, f.end, (__u64 *)((char *)c + caps[i].offset)))
					return -EINVAL;
				seen |= 1u << (2 + i);
			}
		}
	}
	if (seen != want)
		return -EINVAL;
	c->flags |= NSTRACE_CREDS_READ;
	return 0;
}

int parse_decimal_u32(const char *text, size_t len, __u32 *value)
{
	const char *p = text, *end = text + len;

	if (!parse_u32(&p, end, value))
		return -EINVAL;
	if (p < end && *p == '\n')
		p++;
	return p == end ? 0 : -EINVAL;
}
