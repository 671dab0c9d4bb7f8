// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <linux/nsfs.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "event.h"
#include "procfs.h"
#include "procparse.h"

#define STATUS_MAX 8192
/* 340 lines of three 10-digit numbers: the longest map the kernel keeps */
#define IDMAP_MAX (340 * 33)
/* user namespaces nest 32 deep */
#define MAX_USERNS_LEVEL 32

/* Reads at most size bytes; -errno on failure. */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
	size_t used = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (used < size) {
		ssize_t n = read(fd, buf + used, size - used);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		used += n;
	}
	close(fd);
	return used;
}

static void read_ns(const char *dir, struct snap_process *p)
{
	char path[PATH_MAX + 32], target[64];

	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++) {
		ssize_t n;

		snprintf(path, sizeof(path), "%s/ns/%s", dir, nstrace_ns_name(t));
		n = readlink(path, target, sizeof(target));
		p->ns.inum[t] = n > 0 && (size_t)n < sizeof(target) ? parse_ns_link(target, n) : 0;
	}
}

/* How many user namespaces lie between the process's and the reader's. */
static __u32 userns_level(const char *dir)
{
	char path[PATH_MAX + 16];
	__u32 level = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/ns/user", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && level < MAX_USERNS_LEVEL) {
		int parent = ioctl(fd, NS_GET_PARENT);

		close(fd);
		fd = parent;
		if (fd >= 0)
			level++;
	}
	if (fd >= 0)
		close(fd);
	return level;
}

static void read_idmap(const char *dir, const char *name, struct nstrace_idmap *map)
{
	char path[PATH_MAX + 16], *text = malloc(IDMAP_MAX);
	size_t n = 0;
	ssize_t len;

	map->nr_extents = 0;
	if (!text)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	len = read_file(path, text, IDMAP_MAX);
	if (len > 0 && !parse_idmap(text, len, map->extent, NSTRACE_IDMAP_EXTENTS, &n))
		map->nr_extents = n;
	free(text);
}

static void read_id_file(const char *dir, const char *name, __u32 *value)
{
	char path[PATH_MAX + 16], text[16];
	ssize_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	len = read_file(path, text, sizeof(text));
	if (len <= 0 || parse_decimal_u32(text, len, value))
		*value = NSTRACE_UID_UNSET;
}

/*
 * What status does not show: the login uid and session (only with
 * CONFIG_AUDIT: the files are missing without it), the user namespace's
 * depth and its maps.
 */
static void read_creds(const char *dir, const char *status, size_t status_len, struct nstrace_creds *c)
{
	char path[PATH_MAX + 16];

	if (parse_status_creds(status, status_len, c))
		return;
	snprintf(path, sizeof(path), "%s/loginuid", dir);
	if (!access(path, F_OK)) {
		c->flags |= NSTRACE_CREDS_AUDIT;
		read_id_file(dir, "loginuid", &c->loginuid);
		read_id_file(dir, "sessionid", &c->sessionid);
	}
	c->userns_level = userns_level(dir);
	if (c->userns_level) {
		read_idmap(dir, "uid_map", &c->uid_map);
		read_idmap(dir, "gid_map", &c->gid_map);
	}
}

int procfs_read_process(const char *proc_root, int pid, struct snap_process *p)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], status[STATUS_MAX];
	ssize_t n;

	memset(p, 0, sizeof(*p));
	snprintf(dir, sizeof(dir), "%s/%d", proc_root, pid);
	snprintf(path, sizeof(path), "%s/status", dir);
	n = read_file(path, status, sizeof(status));
	if (n < 0)
		return n == -ESRCH ? -ENOENT : (int)n;
	if (parse_status(status, n, p))
		return -EINVAL;
	p->pid = pid;
	read_creds(dir, status, n, &p->creds);

	snprintf(path, sizeof(path), "%s/cmdline", dir);
	n = read_file(path, p->cmdline, sizeof(p->cmdline));
	p->cmdline_len = n > 0 ? n : 0;
	snprintf(path, sizeof(path), "%s/stat", dir);
	n = read_file(path, status, sizeof(status));
	if (n < 0 || parse_stat_start(status, n, &p->start_ticks))
		p->start_ticks = 0;
	snprintf(path, sizeof(path), "%s/cgroup", dir);
	n = read_file(path, p->cgroup, sizeof(p->cgroup));
	p->cgroup_len = n > 0 ? n : 0;
	read_ns(dir, p);
	/* gone while we read: its links and files may belong to nobody */
	if (access(dir, F_OK))
		return -ENOENT;
	return 0;
}

static int pid_of(const char *name)
{
	char *end;
	long pid;

	if (name[0] < '1' || name[0] > '9')
		return -1;
	pid = strtol(name, &end, 10);
	return *end || pid > INT_MAX ? -1 : (int)pid;
}

static int compare_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int procfs_scan(const char *proc_root, procfs_fn fn, void *ctx)
{
	DIR *dir = opendir(proc_root);
	struct snap_process *p = NULL;
	int *pids = NULL, err = 0;
	size_t count = 0, cap = 0;
	struct dirent *de;

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		int pid = pid_of(de->d_name);

		if (pid < 0)
			continue;
		if (count == cap) {
			int *grown = realloc(pids, (cap ? cap * 2 : 256) * sizeof(*pids));

			if (!grown) {
				err = -ENOMEM;
				goto out;
			}
			pids = grown;
			cap = cap ? cap * 2 : 256;
		}
		pids[count++] = pid;
	}
	qsort(pids, count, sizeof(*pids), compare_int);
	p = malloc(sizeof(*p));
	if (!p) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		/*
		 * kthreadd's children are kernel threads: nothing to trace. kthreadd
		 * stays: its namespaces are the initial ones, the host's where pid 1's
		 * links cannot be read.
		 */
		if (procfs_read_process(proc_root, pids[i], p) || p->ppid == 2)
			continue;
		err = fn(ctx, p);
		if (err)
			break;
	}
out:
	free(p);
	free(pids);
	closedir(dir);
	return err;
}

int procfs_read_mountinfo(const char *proc_root, int pid, char **text, size_t *len, bool *cut)
{
	char path[PATH_MAX];
	char *buf = malloc(PROCFS_MOUNTINFO_MAX + 1);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	if (pid)
		snprintf(path, sizeof(path), "%s/%d/mountinfo", proc_root, pid);
	else
		snprintf(path, sizeof(path), "%s/self/mountinfo", proc_root);
	/* one byte more than kept tells a full table from a cut one */
	n = read_file(path, buf, PROCFS_MOUNTINFO_MAX + 1);
	if (n < 0) {
		free(buf);
		return n == -ESRCH ? -ENOENT : (int)n;
	}
	*cut = n > PROCFS_MOUNTINFO_MAX;
	if (*cut) {
		char *last_nl = memrchr(buf, '\n', PROCFS_MOUNTINFO_MAX);

		n = last_nl ? last_nl - buf + 1 : 0;
	}
	*text = buf;
	*len = n;
	return 0;
}

void procfs_host_root(const char *proc_root, struct mount_host *host)
{
	size_t len;
	char *text;
	bool cut;

	if (procfs_read_mountinfo(proc_root, 0, &text, &len, &cut))
		return;
	mountinfo_root_device(text, len, &host->root_major, &host->root_minor);
	free(text);
}

void procfs_mount_exposures(const char *proc_root, const struct mount_host *host, struct mount_exposures *m)
{
	size_t len;
	char *text;
	bool cut;

	m->flags = 0;
	if (procfs_read_mountinfo(proc_root, m->pid, &text, &len, &cut))
		return;
	m->flags = MOUNT_EXPOSURES_READ | (cut ? MOUNT_EXPOSURES_CUT : 0);
	/* a line the parser refused ends what is known as a cut does */
	if (mountinfo_collect(text, len, host, m))
		m->flags |= MOUNT_EXPOSURES_CUT;
	free(text);
}
