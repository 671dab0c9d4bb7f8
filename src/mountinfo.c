// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <string.h>
#include "mountinfo.h"
#include "procparse.h"

/* A field up to the next space; *p moves past it and one space. */
static bool next_field(const char **p, const char *end, const char **field, size_t *len)
{
	const char *sp;

	if (*p >= end)
		return false;
	sp = memchr(*p, ' ', end - *p);
	*field = *p;
	*len = (sp ? sp : end) - *p;
	*p = sp ? sp + 1 : end;
	return *len > 0;
}

/* show_mountinfo() escapes space, tab, newline and backslash as \ooo. */
static bool unescape(const char *s, size_t len, char *out, size_t size, bool *cut)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\\') {
			if (len - i < 4)
				return false;
			c = 0;
			for (int k = 1; k <= 3; k++) {
				if (s[i + k] < '0' || s[i + k] > '7')
					return false;
				c = (char)(c << 3 | (s[i + k] - '0'));
			}
			i += 3;
		}
		if (!c)
			return false;
		if (o + 1 < size)
			out[o++] = c;
		else
			*cut = true;
	}
	out[o] = '\0';
	return true;
}

static bool option_is(const char *opts, size_t len, const char *want)
{
	size_t wlen = strlen(want);

	while (len) {
		const char *comma = memchr(opts, ',', len);
		size_t n = comma ? (size_t)(comma - opts) : len;

		if (n == wlen && !memcmp(opts, want, n))
			return true;
		if (!comma)
			break;
		len -= n + 1;
		opts = comma + 1;
	}
	return false;
}

int mountinfo_parse_line(const char *line, size_t len, struct mount_entry *m)
{
	const char *p = line, *end = line + len, *f, *opts, *q;
	size_t flen, opts_len;

	memset(m, 0, sizeof(*m));
	if (!next_field(&p, end, &f, &flen) || !parse_u32(&f, f + flen, &m->id) || f != p - 1)
		return -EINVAL;
	if (!next_field(&p, end, &f, &flen) || !parse_u32(&f, f + flen, &m->parent) || f != p - 1)
		return -EINVAL;
	if (!next_field(&p, end, &f, &flen))
		return -EINVAL;
	q = f;
	if (!parse_u32(&q, f + flen, &m->major) || q == f + flen || *q++ != ':' ||
	    !parse_u32(&q, f + flen, &m->minor) || q != f + flen)
		return -EINVAL;
	if (!next_field(&p, end, &f, &flen) || !unescape(f, flen, m->root, sizeof(m->root), &m->path_cut))
		return -EINVAL;
	if (!next_field(&p, end, &f, &flen) ||
	    !unescape(f, flen, m->mount_point, sizeof(m->mount_point), &m->path_cut))
		return -EINVAL;
	if (!next_field(&p, end, &opts, &opts_len))
		return -EINVAL;
	m->read_only = option_is(opts, opts_len, "ro");
	/* optional fields (shared:N, master:N ...) up to the lone "-" */
	do {
		if (!next_field(&p, end, &f, &flen))
			return -EINVAL;
	} while (flen != 1 || *f != '-');
	if (!next_field(&p, end, &f, &flen) || flen >= sizeof(m->fstype) || memchr(f, '\0', flen))
		return -EINVAL;
	memcpy(m->fstype, f, flen);
	m->fstype[flen] = '\0';
	return 0;
}

static bool each_line(const char **pos, const char *end, const char **line, size_t *len)
{
	const char *nl;

	if (*pos >= end)
		return false;
	nl = memchr(*pos, '\n', end - *pos);
	*line = *pos;
	*len = (nl ? nl : end) - *pos;
	*pos = nl ? nl + 1 : end;
	return true;
}

int mountinfo_root_device(const char *text, size_t len, __u32 *major, __u32 *minor)
{
	const char *pos = text, *line;
	struct mount_entry m;
	bool found = false;
	size_t n;

	/* the last mount on / is the one in use */
	while (each_line(&pos, text + len, &line, &n)) {
		if (!n)
			continue;
		if (mountinfo_parse_line(line, n, &m))
			return -EINVAL;
		if (!strcmp(m.mount_point, "/")) {
			*major = m.major;
			*minor = m.minor;
			found = true;
		}
	}
	return found ? 0 : -ENOENT;
}

static const char *const exposure_names[MOUNT_EXPOSURE_COUNT] = {
	[MOUNT_RUNTIME_SOCKET] = "runtime_socket", [MOUNT_HOST_ROOT] = "host_root",
	[MOUNT_PROC_WRITABLE] = "proc_writable",   [MOUNT_SYS_WRITABLE] = "sys_writable",
	[MOUNT_CGROUP_WRITABLE] = "cgroup_writable", [MOUNT_DEVICES] = "devices",
};

const char *mount_exposure_name(enum mount_exposure kind)
{
	return (unsigned)kind < MOUNT_EXPOSURE_COUNT ? exposure_names[kind] : "unknown";
}

/* The API sockets of Docker, containerd, CRI-O, podman and the CRI shims. */
static bool runtime_socket(const char *path)
{
	static const char *const sockets[] = {
		"docker.sock", "containerd.sock", "crio.sock", "podman.sock", "cri-dockerd.sock", "dockershim.sock",
	};
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	for (size_t i = 0; i < sizeof(sockets) / sizeof(sockets[0]); i++)
		if (!strcmp(base, sockets[i]))
			return true;
	return false;
}

/* Read-only binds of a proc's sys subtree (runtimes cover /proc/sys so), by the mount they cover. */
#define MAX_COVERED_PROCS 64

struct covered_procs {
	__u32 parent[MAX_COVERED_PROCS]; /* more are dropped: what they cover is reported */
	size_t n;
};

static bool proc_sys_covered(const struct covered_procs *cov, __u32 proc_id)
{
	for (size_t i = 0; i < cov->n; i++)
		if (cov->parent[i] == proc_id)
			return true;
	return false;
}

static int classify(const struct mount_entry *m, const struct mount_host *host, const struct covered_procs *cov)
{
	if (runtime_socket(m->mount_point) || runtime_socket(m->root))
		return MOUNT_RUNTIME_SOCKET;
	if (!strcmp(m->fstype, "devtmpfs"))
		return MOUNT_DEVICES;
	if (m->read_only)
		return !strcmp(m->root, "/") && m->major == host->root_major && m->minor == host->root_minor
			       ? MOUNT_HOST_ROOT
			       : -1;
	if (!strcmp(m->root, "/") && m->major == host->root_major && m->minor == host->root_minor)
		return MOUNT_HOST_ROOT;
	if (!strcmp(m->fstype, "proc") && !strcmp(m->root, "/") && !proc_sys_covered(cov, m->id))
		return MOUNT_PROC_WRITABLE;
	if (!strcmp(m->fstype, "sysfs"))
		return MOUNT_SYS_WRITABLE;
	if (!strcmp(m->fstype, "cgroup") || !strcmp(m->fstype, "cgroup2"))
		return MOUNT_CGROUP_WRITABLE;
	return -1;
}

int mountinfo_exposures(const char *text, size_t len, const struct mount_host *host, mount_exposure_fn fn,
			void *ctx)
{
	struct covered_procs cov = { .n = 0 };
	const char *pos = text, *line;
	struct mount_entry m;
	int found = 0;
	size_t n;

	while (each_line(&pos, text + len, &line, &n)) {
		if (!n || mountinfo_parse_line(line, n, &m))
			continue;
		if (m.read_only && !strcmp(m.fstype, "proc") && !strcmp(m.root, "/sys")) {
			if (cov.n < MAX_COVERED_PROCS)
				cov.parent[cov.n++] = m.parent;
		}
	}
	pos = text;
	while (each_line(&pos, text + len, &line, &n)) {
		int kind;

		if (!n)
			continue;
		if (mountinfo_parse_line(line, n, &m))
			return -EINVAL;
		kind = classify(&m, host, &cov);
		if (kind < 0)
			continue;
		fn(ctx, kind, &m);
		found++;
	}
	return found;
}

static void collect_item(void *ctx, enum mount_exposure kind, const struct mount_entry *m)
{
	struct mount_exposures *out = ctx;

	if (out->total < MOUNT_EXPOSURES_MAX) {
		struct mount_exposure_item *it = &out->item[out->total];

		it->kind = kind;
		it->read_only = m->read_only;
		it->path_cut = m->path_cut;
		memcpy(it->mount_point, m->mount_point, sizeof(it->mount_point));
	}
	out->total++;
}

int mountinfo_collect(const char *text, size_t len, const struct mount_host *host, struct mount_exposures *out)
{
	int n;

	out->total = 0;
	memset(out->item, 0, sizeof(out->item));
	n = mountinfo_exposures(text, len, host, collect_item, out);
	return n < 0 ? n : 0;
}

int mount_exposures_check(const struct mount_exposures *m, const char **why)
{
	__u32 stored = m->total < MOUNT_EXPOSURES_MAX ? m->total : MOUNT_EXPOSURES_MAX;

	if (m->flags & ~(MOUNT_EXPOSURES_READ | MOUNT_EXPOSURES_CUT)) {
		*why = "mount record flags nstrace does not know";
		return -EINVAL;
	}
	for (__u32 i = 0; i < stored; i++) {
		if (m->item[i].kind >= MOUNT_EXPOSURE_COUNT) {
			*why = "mount record of an unknown kind";
			return -EINVAL;
		}
		if (!memchr(m->item[i].mount_point, '\0', sizeof(m->item[i].mount_point))) {
			*why = "mount point without its end";
			return -EINVAL;
		}
	}
	return 0;
}
