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

/* "Uid:" and "Gid:" carry real, effective, saved and filesystem ids. */
static bool parse_id_pair(const char *p, const char *end, __u32 *real, __u32 *effective)
{
	__u32 ignored;

	if (!parse_u32(&p, end, real))
		return false;
	p = skip_blanks(p, end);
	if (!parse_u32(&p, end, effective))
		return false;
	for (int i = 0; i < 2; i++) {
		p = skip_blanks(p, end);
		if (!parse_u32(&p, end, &ignored))
			return false;
	}
	return skip_blanks(p, end) == end;
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
	size_t pos = 0;

	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		const char *end = nl ? nl : text + len;
		const char *colon = memchr(line, ':', end - line);
		const char *value;
		size_t key_len;
		__u32 number;

		pos = end - text + 1;
		if (!colon)
			continue;
		key_len = colon - line;
		value = skip_blanks(colon + 1, end);
		if (key_len == 3 && !memcmp(line, "Uid", 3)) {
			if (!parse_id_pair(value, end, &c->uid, &c->euid))
				return -EINVAL;
			seen |= 1u << 0;
		} else if (key_len == 3 && !memcmp(line, "Gid", 3)) {
			if (!parse_id_pair(value, end, &c->gid, &c->egid))
				return -EINVAL;
			seen |= 1u << 1;
		} else if (key_len == 10 && !memcmp(line, "NoNewPrivs", 10)) {
			if (!parse_u32(&value, end, &number) || number > 1)
				return -EINVAL;
			if (number)
				c->flags |= NSTRACE_CREDS_NO_NEW_PRIVS;
		} else if (key_len == 7 && !memcmp(line, "Seccomp", 7)) {
			if (!parse_u32(&value, end, &c->seccomp_mode))
				return -EINVAL;
			c->flags |= NSTRACE_CREDS_SECCOMP;
		} else if (key_len == 6) {
			for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
				if (memcmp(line, caps[i].key, 6))
					continue;
				if (!parse_hex_u64(value, end, (__u64 *)((char *)c + caps[i].offset)))
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
