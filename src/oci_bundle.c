// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include "event.h"
#include "oci_bundle.h"
#include "procparse.h"
#include "runtime.h"

#define STATUS_MAX 8192
#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546
#endif

/* Where CRI runtimes and container engines put what nstrace reports, first match wins. */
static const char *const name_keys[] = {
	"io.kubernetes.cri.container-name", /* containerd's CRI plugin */
	"io.kubernetes.container.name", /* CRI-O */
	"nerdctl/name",
	NULL,
};
static const char *const image_keys[] = {
	"io.kubernetes.cri.image-name",
	"io.kubernetes.cri-o.ImageName",
	NULL,
};
static const char *const pod_name_keys[] = {
	"io.kubernetes.cri.sandbox-name",
	"io.kubernetes.pod.name",
	NULL,
};
static const char *const pod_namespace_keys[] = {
	"io.kubernetes.cri.sandbox-namespace",
	"io.kubernetes.pod.namespace",
	NULL,
};

/* linux.namespaces[].type as the runtime spec spells it. */
static const struct {
	const char *spec;
	enum nstrace_ns_type type;
} ns_types[] = {
	{ "mount", NSTRACE_NS_MNT }, { "uts", NSTRACE_NS_UTS },	      { "ipc", NSTRACE_NS_IPC },
	{ "pid", NSTRACE_NS_PID },   { "network", NSTRACE_NS_NET },   { "cgroup", NSTRACE_NS_CGROUP },
	{ "user", NSTRACE_NS_USER }, { "time", NSTRACE_NS_TIME },
};

struct parse_state {
	struct container_meta *m;
	const char **why;
	int err; /* -ENOMEM only */
};

static void wrong_shape(struct parse_state *ps, const char *what)
{
	if (!*ps->why)
		*ps->why = what;
}

static void take_string(struct parse_state *ps, char **dst, const json_t *v, const char *what)
{
	if (!v)
		return;
	if (!json_is_string(v)) {
		wrong_shape(ps, what);
		return;
	}
	if (meta_set_string(dst, v))
		ps->err = -ENOMEM;
}

static void take_annotation(struct parse_state *ps, const json_t *annotations, const char *const *keys,
			    char **dst)
{
	for (; *keys; keys++) {
		const json_t *v = json_object_get(annotations, *keys);

		if (json_is_string(v)) {
			if (meta_set_string(dst, v))
				ps->err = -ENOMEM;
			return;
		}
	}
}

static void parse_args(struct parse_state *ps, const json_t *args)
{
	struct container_meta *m = ps->m;
	const json_t *v;
	size_t i, n;

	if (!args)
		return;
	if (!json_is_array(args)) {
		wrong_shape(ps, "process.args is not an array");
		return;
	}
	n = json_array_size(args) < META_MAX_ARGS ? json_array_size(args) : META_MAX_ARGS;
	m->args = calloc(n + 1, sizeof(*m->args));
	if (!m->args) {
		ps->err = -ENOMEM;
		return;
	}
	m->has_args = true;
	m->args_dropped = json_array_size(args) - n;
	json_array_foreach(args, i, v) {
		if (i == n)
			break;
		/* with one argument unknown, which is which is unknown too */
		if (!json_is_string(v)) {
			wrong_shape(ps, "process.args holds something other than strings");
			meta_clear_args(m);
			return;
		}
		if (meta_set_string(&m->args[m->arg_count], v)) {
			ps->err = -ENOMEM;
			return;
		}
		m->arg_count++;
	}
}

static bool json_u32(const json_t *v, __u32 *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 0xffffffffLL)
		return false;
	*out = json_integer_value(v);
	return true;
}

static void parse_user(struct parse_state *ps, const json_t *user)
{
	struct container_meta *m = ps->m;

	if (!user)
		return;
	if (!json_is_object(user) || !json_u32(json_object_get(user, "uid"), &m->uid) ||
	    !json_u32(json_object_get(user, "gid"), &m->gid)) {
		wrong_shape(ps, "process.user has no numeric uid and gid");
		m->uid = m->gid = 0;
		return;
	}
	m->has_user = true;
}

static int ns_type_of(const char *spec)
{
	for (size_t i = 0; i < sizeof(ns_types) / sizeof(ns_types[0]); i++)
		if (!strcmp(spec, ns_types[i].spec))
			return ns_types[i].type;
	return -1;
}

static void parse_namespaces(struct parse_state *ps, const json_t *linux_)
{
	const json_t *namespaces, *ns;
	size_t i;

	if (!linux_)
		return;
	namespaces = json_object_get(linux_, "namespaces");
	if (!json_is_object(linux_) || (namespaces && !json_is_array(namespaces))) {
		wrong_shape(ps, "linux.namespaces is not an array");
		return;
	}
	json_array_foreach(namespaces, i, ns) {
		const json_t *type = json_object_get(ns, "type"), *path = json_object_get(ns, "path");
		int t;

		if (!json_is_string(type) || (path && !json_is_string(path))) {
			wrong_shape(ps, "linux.namespaces holds an entry without a type or with a non-string path");
			continue;
		}
		t = ns_type_of(json_string_value(type));
		if (t < 0) {
			wrong_shape(ps, "linux.namespaces names an unknown type");
			continue;
		}
		/* the spec lets an empty path mean "create one" */
		if (path && json_string_length(path) && meta_set_string(&ps->m->ns_path[t], path))
			ps->err = -ENOMEM;
	}
}

static void parse_annotations(struct parse_state *ps, const json_t *annotations)
{
	struct container_meta *m = ps->m;

	if (!annotations)
		return;
	if (!json_is_object(annotations)) {
		wrong_shape(ps, "annotations is not an object");
		return;
	}
	take_annotation(ps, annotations, name_keys, &m->name);
	take_annotation(ps, annotations, image_keys, &m->image);
	take_annotation(ps, annotations, pod_name_keys, &m->pod_name);
	take_annotation(ps, annotations, pod_namespace_keys, &m->pod_namespace);
}

int oci_config_parse(const char *text, size_t len, struct container_meta *m, const char **why)
{
	struct parse_state ps = { .m = m, .why = why };
	const json_t *process;
	json_t *root;

	*why = NULL;
	root = meta_load_object(text, len, "config.json is not valid JSON", "config.json is not a JSON object", why);
	if (!root)
		return -EINVAL;
	m->sources |= META_FROM_BUNDLE;
	take_string(&ps, &m->hostname, json_object_get(root, "hostname"), "hostname is not a string");
	process = json_object_get(root, "process");
	if (process && !json_is_object(process)) {
		wrong_shape(&ps, "process is not an object");
		process = NULL;
	}
	parse_args(&ps, json_object_get(process, "args"));
	parse_user(&ps, json_object_get(process, "user"));
	parse_annotations(&ps, json_object_get(root, "annotations"));
	parse_namespaces(&ps, json_object_get(root, "linux"));
	json_decref(root);
	return ps.err;
}

static long openat2_call(int dirfd, const char *path, __u64 flags, __u64 resolve)
{
	struct open_how how = { .flags = flags, .resolve = resolve };

	return syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/*
 * A runtime's executable is a regular file that only root may change:
 * a copy of cat named runc in someone's home is not one. The name is the
 * file's, as the kernel resolved it, not what argv[0] says.
 */
static int check_runtime_exe(int procfd, char *why, size_t size)
{
	char exe[PATH_MAX];
	struct stat st;
	ssize_t n = readlinkat(procfd, "exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return meta_why(why, size, -errno, "cannot read its executable: %s", strerror(errno));
	exe[n] = '\0';
	if (!runtime_bundle_holder(exe, n))
		return meta_why(why, size, -EPERM, "its executable %s is no OCI runtime", exe);
	if (fstatat(procfd, "exe", &st, 0))
		return meta_why(why, size, -errno, "cannot stat its executable: %s", strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return meta_why(why, size, -EPERM, "its executable %s is not a root-owned file only root may write",
			      exe);
	return 0;
}

static int read_creds(int procfd, struct proc_fs_access *creds, char *why, size_t size)
{
	char text[STATUS_MAX];
	ssize_t n = 0, got;
	int fd = openat(procfd, "status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return meta_why(why, size, -errno, "cannot read its status: %s", strerror(errno));
	while ((size_t)n < sizeof(text) && (got = read(fd, text + n, sizeof(text) - n)) > 0)
		n += got;
	close(fd);
	if (parse_status_fs_access(text, n, creds))
		return meta_why(why, size, -EINVAL, "its status shows no credentials");
	return 0;
}

/*
 * This thread's filesystem ids and groups; the process's other threads
 * keep theirs (raw syscalls: glibc would change every thread's). Leaving
 * fsuid 0 drops the capabilities that bypass permission checks, and
 * coming back restores them.
 */
static int become(__u32 fsuid, __u32 fsgid, size_t ngroups, const gid_t *groups, bool *changed)
{
	*changed = false;
	/* refused (no CAP_SETGID): nothing has changed yet, nothing to undo */
	if (syscall(SYS_setgroups, ngroups, groups))
		return -errno;
	*changed = true;
	syscall(SYS_setfsgid, fsgid);
	syscall(SYS_setfsuid, fsuid);
	/* setfs[ug]id report no errors: read back what took effect */
	if ((__u32)syscall(SYS_setfsuid, -1) != fsuid || (__u32)syscall(SYS_setfsgid, -1) != fsgid)
		return -EPERM;
	return 0;
}

struct own_creds {
	uid_t fsuid;
	gid_t fsgid;
	int ngroups;
	gid_t groups[PROC_FS_ACCESS_MAX_GROUPS];
};

static int save_own(struct own_creds *own)
{
	own->fsuid = syscall(SYS_setfsuid, -1);
	own->fsgid = syscall(SYS_setfsgid, -1);
	own->ngroups = syscall(SYS_getgroups, PROC_FS_ACCESS_MAX_GROUPS, own->groups);
	return own->ngroups < 0 ? -errno : 0;
}

/* Opens config.json in the bundle directory; the caller runs this as the process. */
static int open_config(int basefd, const char *bundle, char *why, size_t size)
{
	struct stat st;
	int dirfd, fd;

	/* inside the process's root; no /proc magic link leads out of it */
	dirfd = openat2_call(basefd, bundle ? bundle : ".", O_PATH | O_DIRECTORY | O_CLOEXEC,
			     RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (dirfd < 0)
		return meta_why(why, size, -errno, "cannot open the bundle directory: %s", strerror(errno));
	/* a FIFO, a device or a symlink is never opened at all */
	if (fstatat(dirfd, "config.json", &st, AT_SYMLINK_NOFOLLOW)) {
		fd = meta_why(why, size, -errno, "no config.json: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		fd = meta_why(why, size, -EPERM, "config.json is not a regular file");
		goto out;
	}
	/* and if it was swapped since, opening it neither blocks nor follows a link */
	fd = openat2_call(dirfd, "config.json", O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
			  RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
	if (fd < 0)
		fd = meta_why(why, size, -errno, "cannot open config.json: %s", strerror(errno));
out:
	close(dirfd);
	return fd;
}

static int check_config_file(int fd, char *why, size_t size)
{
	struct statfs fs;
	struct stat st;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return meta_why(why, size, -EPERM, "config.json is not a regular file");
	if (st.st_size > OCI_CONFIG_MAX)
		return meta_why(why, size, -EFBIG, "config.json has %lld bytes, more than the %d read",
			      (long long)st.st_size, OCI_CONFIG_MAX);
	/* a FUSE server chooses how long a read takes */
	if (!fstatfs(fd, &fs) && fs.f_type == FUSE_SUPER_MAGIC)
		return meta_why(why, size, -EPERM, "config.json is on a FUSE file system");
	return 0;
}

static ssize_t read_capped(int fd, char *buf, size_t cap, char *why, size_t size)
{
	size_t used = 0;

	/* one byte more than allowed tells a file that grew since fstat */
	while (used <= cap) {
		ssize_t n = read(fd, buf + used, cap + 1 - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return meta_why(why, size, -errno, "reading config.json: %s", strerror(errno));
		if (!n)
			return used;
		used += n;
	}
	return meta_why(why, size, -EFBIG, "config.json grew past %zu bytes while read", cap);
}

/* Opens config.json as process procfd would: its root, working directory and credentials. */
static int open_as_process(int procfd, const char *bundle, char *why, size_t size)
{
	struct proc_fs_access creds;
	struct own_creds own;
	gid_t groups[PROC_FS_ACCESS_MAX_GROUPS];
	bool changed, restored;
	int basefd, fd, err;

	err = read_creds(procfd, &creds, why, size);
	if (err)
		return err;
	/* a relative --bundle is relative to its working directory, and cannot climb out of it */
	basefd = openat(procfd, bundle && bundle[0] == '/' ? "root" : "cwd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (basefd < 0)
		return meta_why(why, size, -errno, "cannot open its %s: %s", bundle && bundle[0] == '/' ? "root" : "cwd",
			      strerror(errno));
	err = save_own(&own);
	if (err) {
		close(basefd);
		return meta_why(why, size, err, "cannot read this thread's groups: %s", strerror(-err));
	}
	for (__u32 i = 0; i < creds.group_count; i++)
		groups[i] = creds.groups[i];
	err = become(creds.fsuid, creds.fsgid, creds.group_count, groups, &changed);
	fd = err ? meta_why(why, size, err, "cannot take its credentials: %s", strerror(-err))
		 : open_config(basefd, bundle, why, size);
	/* without this the thread would go on as that user, or worse, half of it */
	if (changed && become(own.fsuid, own.fsgid, own.ngroups, own.groups, &restored))
		abort();
	close(basefd);
	return fd;
}

int oci_bundle_read(const char *proc_root, pid_t pid, const char *bundle, struct container_meta *m, char *why,
		    size_t why_size)
{
	char path[PATH_MAX], *text = NULL;
	const char *shape;
	ssize_t len;
	int procfd, fd = -1, err;

	why[0] = '\0';
	snprintf(path, sizeof(path), "%s/%d", proc_root, pid);
	/* holds on to this process: if it exits, reads through procfd fail rather than reach a new one */
	procfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return meta_why(why, why_size, -errno, "process %d: %s", pid, strerror(errno));
	err = check_runtime_exe(procfd, why, why_size);
	if (err)
		goto out;
	fd = open_as_process(procfd, bundle, why, why_size);
	if (fd < 0) {
		err = fd;
		goto out;
	}
	err = check_config_file(fd, why, why_size);
	if (err)
		goto out;
	text = malloc(OCI_CONFIG_MAX + 1);
	if (!text) {
		err = meta_why(why, why_size, -ENOMEM, "out of memory");
		goto out;
	}
	len = read_capped(fd, text, OCI_CONFIG_MAX, why, why_size);
	if (len < 0) {
		err = len;
		goto out;
	}
	err = oci_config_parse(text, len, m, &shape);
	if (shape)
		meta_why(why, why_size, 0, "%s", shape);
	if (!err && bundle)
		err = meta_set_text(&m->bundle, bundle, strlen(bundle));
	if (!err && !bundle && (len = readlinkat(procfd, "cwd", path, sizeof(path))) > 0)
		err = meta_set_text(&m->bundle, path, len);
out:
	free(text);
	if (fd >= 0)
		close(fd);
	close(procfd);
	return err;
}
