// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <string.h>
#include "runtime.h"

#define MAX_ARGS 64
#define HEX_ID_LEN 64

static const char *const names[RUNTIME_COUNT] = {
	[RUNTIME_UNKNOWN] = "unknown",	  [RUNTIME_UNSHARE] = "unshare",
	[RUNTIME_RUNC] = "runc",	  [RUNTIME_CRUN] = "crun",
	[RUNTIME_NSPAWN] = "systemd-nspawn", [RUNTIME_LXC] = "lxc",
	[RUNTIME_CONTAINERD] = "containerd", [RUNTIME_CRIO] = "cri-o",
	[RUNTIME_PODMAN] = "podman",	  [RUNTIME_DOCKER] = "docker",
};

const char *runtime_name(enum runtime rt)
{
	if ((unsigned)rt >= RUNTIME_COUNT)
		return names[RUNTIME_UNKNOWN];
	return names[rt];
}

bool runtime_makes_containers(enum runtime rt)
{
	return rt == RUNTIME_RUNC || rt == RUNTIME_CRUN || rt == RUNTIME_LXC || rt == RUNTIME_NSPAWN;
}

struct argv_view {
	const char *arg[MAX_ARGS];
	size_t len[MAX_ARGS];
	size_t count;
};

static void split_args(const char *args, size_t len, struct argv_view *v)
{
	size_t pos = 0;

	v->count = 0;
	while (pos < len && v->count < MAX_ARGS) {
		const char *nul = memchr(args + pos, '\0', len - pos);

		/* the kernel ends every argument with a NUL: one without was cut, and half an ID names nothing */
		if (!nul)
			break;
		v->arg[v->count] = args + pos;
		v->len[v->count] = nul - (args + pos);
		pos += v->len[v->count] + 1;
		v->count++;
	}
}

static bool arg_is(const struct argv_view *v, size_t i, const char *s)
{
	return i < v->count && v->len[i] == strlen(s) && !memcmp(v->arg[i], s, v->len[i]);
}

static void set_id(struct runtime_hint *hint, const char *s, size_t len)
{
	if (len >= RUNTIME_ID_LEN)
		len = RUNTIME_ID_LEN - 1;
	memcpy(hint->id, s, len);
	hint->id[len] = '\0';
}

/* Value of "-o V", "--opt V" or "--opt=V", for the first alias that is present. */
static bool option_value(const struct argv_view *v, const char *const *aliases, const char **val,
			 size_t *len)
{
	for (size_t i = 1; i < v->count; i++) {
		for (const char *const *a = aliases; *a; a++) {
			size_t n = strlen(*a);

			if (arg_is(v, i, *a) && i + 1 < v->count) {
				*val = v->arg[i + 1];
				*len = v->len[i + 1];
				return true;
			}
			if (v->len[i] > n + 1 && !memcmp(v->arg[i], *a, n) && v->arg[i][n] == '=') {
				*val = v->arg[i] + n + 1;
				*len = v->len[i] - n - 1;
				return true;
			}
		}
	}
	return false;
}

static void id_from_option(const struct argv_view *v, const char *const *aliases,
			   struct runtime_hint *hint)
{
	const char *val;
	size_t len;

	if (option_value(v, aliases, &val, &len))
		set_id(hint, val, len);
}

static size_t basename_of(const char *arg, size_t len, const char **base)
{
	const char *slash = NULL;

	for (size_t i = 0; i < len; i++)
		if (arg[i] == '/')
			slash = arg + i;
	*base = slash ? slash + 1 : arg;
	return len - (*base - arg);
}

/* The len bytes at s are exactly the string name. */
static bool span_is(const char *s, size_t len, const char *name)
{
	return len == strlen(name) && !memcmp(s, name, len);
}

bool runtime_init_shim(const char *path, size_t len)
{
	static const char *const shims[] = { "docker-init", "tini", "tini-static", "catatonit", "dumb-init" };
	const char *base;
	size_t blen = basename_of(path, strnlen(path, len), &base);

	for (size_t i = 0; i < sizeof(shims) / sizeof(shims[0]); i++)
		if (span_is(base, blen, shims[i]))
			return true;
	return false;
}

static bool base_starts(const char *base, size_t len, const char *prefix)
{
	return len >= strlen(prefix) && !memcmp(base, prefix, strlen(prefix));
}

/*
 * runc and crun share a CLI: global options, a command, its options, then
 * the container ID, the first argument after the command that is not an
 * option. More may follow it: exec's command, kill's signal. CREATE_VALUES
 * are the runtime's own options of run and create that take a value.
 */
static size_t oci_runtime_id(const struct argv_view *v, const char *const *create_values,
			     struct runtime_hint *hint)
{
	static const char *const with_value[] = {
		"--root", "--log", "--log-format", "--criu", "--rootless", "--bundle", "-b",
		"--console-socket", "--pid-file", "--preserve-fds", "--process", "-p", "--cwd",
		"--env", "-e", "--user", "-u", "--additional-gids", "-g", "--process-label",
		"--apparmor", "--cap", "-c", "--cgroup", "--cgroup-manager", NULL,
	};
	size_t i = 1, command = 0;

	for (; i < v->count; i++) {
		bool takes_value = false;

		if (v->len[i] && v->arg[i][0] == '-') {
			for (const char *const *o = with_value; *o; o++)
				if (arg_is(v, i, *o))
					takes_value = true;
			if (command && create_values && (arg_is(v, command, "run") || arg_is(v, command, "create")))
				for (const char *const *o = create_values; *o; o++)
					if (arg_is(v, i, *o))
						takes_value = true;
			i += takes_value;
			continue;
		}
		if (!command) {
			command = i;
			if (arg_is(v, i, "init"))
				return command;
			continue;
		}
		set_id(hint, v->arg[i], v->len[i]);
		break;
	}
	return command;
}

/* crun's delete -f is --force; its run and create read a config file named by -f */
static const char *const crun_create_values[] = { "-f", "--config", NULL };

static const char *const oci_binaries[] = { "runc", "crun", "youki", "runsc", "krun" };

bool runtime_oci_binary(const char *path, size_t len)
{
	const char *base;
	size_t blen = basename_of(path, strnlen(path, len), &base);

	for (size_t i = 0; i < sizeof(oci_binaries) / sizeof(oci_binaries[0]); i++)
		if (span_is(base, blen, oci_binaries[i]))
			return true;
	return false;
}

static bool shim_base(const char *base, size_t len)
{
	return base_starts(base, len, "containerd-shim");
}

bool runtime_bundle_holder(const char *path, size_t len)
{
	const char *base;
	size_t blen = basename_of(path, strnlen(path, len), &base);

	return runtime_oci_binary(path, len) || shim_base(base, blen);
}

static const char *const shim_id[] = { "-id", "--id", NULL };

bool runtime_bundle_from_argv(const char *args, size_t len, struct runtime_bundle *bundle)
{
	static const char *const bundle_option[] = { "--bundle", "-b", NULL };
	struct runtime_hint hint = { 0 };
	struct argv_view v;
	const char *base;
	size_t command, blen;

	memset(bundle, 0, sizeof(*bundle));
	split_args(args, len, &v);
	if (!v.count)
		return false;
	blen = basename_of(v.arg[0], v.len[0], &base);
	if (shim_base(base, blen)) {
		id_from_option(&v, shim_id, &hint);
		memcpy(bundle->id, hint.id, sizeof(bundle->id));
		return hint.id[0];
	}
	if (!runtime_oci_binary(v.arg[0], v.len[0]))
		return false;
	command = oci_runtime_id(&v, span_is(base, blen, "crun") ? crun_create_values : NULL, &hint);
	if (!command || !hint.id[0] || !(arg_is(&v, command, "create") || arg_is(&v, command, "run")))
		return false;
	memcpy(bundle->id, hint.id, sizeof(bundle->id));
	if (option_value(&v, bundle_option, &bundle->path, &bundle->path_len) && !bundle->path_len)
		bundle->path = NULL;
	return true;
}

/*
 * lxc's tools read their options with getopt_long: "-n NAME", "-nNAME", "-dn NAME",
 * "--name NAME", "--name=NAME", the last one given counting. lxc-start and lxc-execute
 * name a container that no option names after their first operand before "--", as in
 * "lxc-start NAME"; their options that take a value must not pass for it.
 */
static void lxc_id(const struct argv_view *v, bool operand_names, struct runtime_hint *hint)
{
	/* lxc-start's, lxc-execute's and lxc's common options with a value */
	static const char short_values[] = "nolPfscLpug";
	static const char *const long_values[] = {
		"--name", "--logfile", "--logpriority", "--lxcpath", "--rcfile", "--define", "--console",
		"--console-log", "--pidfile", "--uid", "--gid", "--share-net", "--share-ipc", "--share-uts",
		"--share-pid", NULL,
	};
	const char *operand = NULL;
	size_t operand_len = 0;
	bool named = false;

	for (size_t i = 1; i < v->count; i++) {
		const char *a = v->arg[i], *val = NULL;
		size_t n = v->len[i], vlen = 0, name_len;
		bool is_name = false, takes_value = false;

		if (arg_is(v, i, "--"))
			break;
		if (n > 2 && a[0] == '-' && a[1] == '-') {
			const char *eq = memchr(a, '=', n);

			name_len = eq ? (size_t)(eq - a) : n;
			for (const char *const *o = long_values; *o; o++)
				if (span_is(a, name_len, *o))
					takes_value = true;
			if (!takes_value)
				continue;
			is_name = span_is(a, name_len, "--name");
			if (eq) {
				val = eq + 1;
				vlen = n - name_len - 1;
			}
		} else if (n > 1 && a[0] == '-') {
			/* flags, up to one that takes the rest of the argument, or the next one, as its value */
			for (size_t k = 1; k < n && !takes_value; k++) {
				if (!memchr(short_values, a[k], sizeof(short_values) - 1))
					continue;
				takes_value = true;
				is_name = a[k] == 'n';
				if (k + 1 < n) {
					val = a + k + 1;
					vlen = n - k - 1;
				}
			}
			if (!takes_value)
				continue;
		} else {
			/* "-" alone is an operand too */
			if (!operand) {
				operand = a;
				operand_len = n;
			}
			continue;
		}
		if (!val) {
			if (i + 1 >= v->count)
				break;
			i++;
			val = v->arg[i];
			vlen = v->len[i];
		}
		if (is_name) {
			set_id(hint, val, vlen);
			named = true;
		}
	}
	if (!named && operand_names && operand)
		set_id(hint, operand, operand_len);
}

void runtime_hint_from_argv(const char *args, size_t len, struct runtime_hint *hint)
{
	static const char *const shim_ns[] = { "-namespace", "--namespace", NULL };
	static const char *const conmon_id[] = { "-c", "--cid", NULL };
	static const char *const exit_command[] = { "--exit-command", NULL };
	static const char *const nspawn_name[] = { "-M", "--machine", NULL };
	struct argv_view v;
	const char *base, *val;
	size_t blen, vlen;

	memset(hint, 0, sizeof(*hint));
	split_args(args, len, &v);
	if (!v.count)
		return;
	blen = basename_of(v.arg[0], v.len[0], &base);

	if (span_is(base, blen, "dockerd")) {
		hint->runtime = RUNTIME_DOCKER;
	} else if (base_starts(base, blen, "containerd-shim")) {
		/* docker runs its containers in containerd's "moby" namespace */
		hint->runtime = RUNTIME_CONTAINERD;
		if (option_value(&v, shim_ns, &val, &vlen) && vlen == 4 && !memcmp(val, "moby", 4))
			hint->runtime = RUNTIME_DOCKER;
		id_from_option(&v, shim_id, hint);
	} else if (span_is(base, blen, "containerd") || span_is(base, blen, "ctr") ||
		   span_is(base, blen, "nerdctl")) {
		hint->runtime = RUNTIME_CONTAINERD;
	} else if (span_is(base, blen, "conmon")) {
		/*
		 * conmon serves podman and cri-o; podman passes itself as the exit
		 * command, cri-o passes none. Not any "podman" in argv: a name may hold it.
		 */
		hint->runtime = RUNTIME_CRIO;
		if (option_value(&v, exit_command, &val, &vlen)) {
			const char *exit_base;
			size_t n = basename_of(val, vlen, &exit_base);

			if (span_is(exit_base, n, "podman"))
				hint->runtime = RUNTIME_PODMAN;
		}
		id_from_option(&v, conmon_id, hint);
	} else if (span_is(base, blen, "podman")) {
		hint->runtime = RUNTIME_PODMAN;
	} else if (span_is(base, blen, "crio")) {
		hint->runtime = RUNTIME_CRIO;
	} else if (base_starts(base, blen, "lxc-")) {
		hint->runtime = RUNTIME_LXC;
		lxc_id(&v, span_is(base, blen, "lxc-start") || span_is(base, blen, "lxc-execute"), hint);
	} else if (span_is(base, blen, "systemd-nspawn")) {
		hint->runtime = RUNTIME_NSPAWN;
		id_from_option(&v, nspawn_name, hint);
	} else if (span_is(base, blen, "runc") || base_starts(base, blen, "runc:[")) {
		hint->runtime = RUNTIME_RUNC;
		oci_runtime_id(&v, NULL, hint);
	} else if (span_is(base, blen, "crun")) {
		hint->runtime = RUNTIME_CRUN;
		oci_runtime_id(&v, crun_create_values, hint);
	} else if (span_is(base, blen, "unshare")) {
		hint->runtime = RUNTIME_UNSHARE;
	}
}

static bool is_hex_id(const char *s, size_t len)
{
	if (len != HEX_ID_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* "<prefix><64 hex><suffix>" as one whole path component. */
static bool match_component(const char *comp, size_t len, const char *prefix, const char *suffix,
			    struct runtime_hint *hint, enum runtime rt)
{
	size_t p = strlen(prefix), s = strlen(suffix);

	if (len != p + HEX_ID_LEN + s || memcmp(comp, prefix, p) || memcmp(comp + p + HEX_ID_LEN, suffix, s))
		return false;
	if (!is_hex_id(comp + p, HEX_ID_LEN))
		return false;
	hint->runtime = rt;
	set_id(hint, comp + p, HEX_ID_LEN);
	return true;
}

/* "<prefix><name>" with a non-empty name, as one path component. */
static bool match_named(const char *comp, size_t len, const char *prefix, const char *suffix,
			struct runtime_hint *hint, enum runtime rt)
{
	size_t p = strlen(prefix), s = strlen(suffix);

	if (len <= p + s || memcmp(comp, prefix, p) || memcmp(comp + len - s, suffix, s))
		return false;
	hint->runtime = rt;
	set_id(hint, comp + p, len - p - s);
	return true;
}

/* The component naming a container, or false. */
static bool match_container(const char *prev, size_t prev_len, const char *c, size_t n,
			    struct runtime_hint *hint)
{
	if (match_component(c, n, "docker-", ".scope", hint, RUNTIME_DOCKER) ||
	    match_component(c, n, "cri-containerd-", ".scope", hint, RUNTIME_CONTAINERD) ||
	    match_component(c, n, "crio-", ".scope", hint, RUNTIME_CRIO) ||
	    match_component(c, n, "libpod-", ".scope", hint, RUNTIME_PODMAN) ||
	    /* podman's cgroupfs manager: libpod_parent/libpod-<id> */
	    match_component(c, n, "libpod-", "", hint, RUNTIME_PODMAN) ||
	    match_named(c, n, "lxc.payload.", "", hint, RUNTIME_LXC) ||
	    match_named(c, n, "systemd-nspawn@", ".service", hint, RUNTIME_NSPAWN))
		return true;
	if (!prev)
		return false;
	if (prev_len == 6 && !memcmp(prev, "docker", 6))
		return match_component(c, n, "", "", hint, RUNTIME_DOCKER);
	if (prev_len == 6 && !memcmp(prev, "libpod", 6))
		return match_component(c, n, "", "", hint, RUNTIME_PODMAN);
	if (prev_len == 3 && !memcmp(prev, "lxc", 3))
		return match_named(c, n, "", "", hint, RUNTIME_LXC);
	return false;
}

/*
 * The last component that names a container: a container started inside
 * another (docker in docker) sits below the outer one's cgroup.
 */
static bool match_path(const char *path, size_t len, struct runtime_hint *hint)
{
	const char *prev = NULL;
	size_t prev_len = 0, pos = 0;
	bool found = false;

	while (pos < len) {
		const char *slash = memchr(path + pos, '/', len - pos);
		size_t n = slash ? (size_t)(slash - (path + pos)) : len - pos;
		const char *c = path + pos;

		if (!n) {
			pos++;
			continue;
		}
		if (match_container(prev, prev_len, c, n, hint))
			found = true;
		prev = c;
		prev_len = n;
		pos += n + 1;
	}
	return found;
}

bool runtime_hint_from_cgroup(const char *text, size_t len, struct runtime_hint *hint)
{
	size_t pos = 0;

	memset(hint, 0, sizeof(*hint));
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *line = text + pos;
		/* "hierarchy-ID:controllers:path"; the path may itself hold colons */
		const char *c1 = memchr(line, ':', n);
		const char *c2 = c1 ? memchr(c1 + 1, ':', n - (c1 + 1 - line)) : NULL;

		if (c2 && match_path(c2 + 1, n - (c2 + 1 - line), hint))
			return true;
		pos += n + 1;
	}
	memset(hint, 0, sizeof(*hint));
	return false;
}
