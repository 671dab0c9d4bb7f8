// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "diag.h"
#include "event.h"
#include "meta.h"

#define COMPOSE_PROJECT_LABEL "com.docker.compose.project"
#define COMPOSE_SERVICE_LABEL "com.docker.compose.service"

json_t *meta_load_object(const char *text, size_t len, const char *not_json, const char *not_object,
			 const char **why)
{
	/* jansson bounds its nesting depth itself (2048): deep input costs no stack overflow */
	json_t *root = json_loadb(text, len, 0, NULL);

	if (!root) {
		*why = not_json;
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		*why = not_object;
		return NULL;
	}
	return root;
}

int meta_why(char *why, size_t size, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return err;
}

static void free_labels(struct container_meta *m)
{
	for (size_t i = 0; i < m->label_count; i++) {
		free(m->labels[i].key);
		free(m->labels[i].value);
	}
	free(m->labels);
	m->labels = NULL;
	m->label_count = m->labels_dropped = 0;
	m->has_labels = false;
}

void meta_clear_args(struct container_meta *m)
{
	for (size_t i = 0; i < m->arg_count; i++)
		free(m->args[i]);
	free(m->args);
	m->args = NULL;
	m->arg_count = m->args_dropped = 0;
	m->has_args = false;
}

void meta_clear(struct container_meta *m)
{
	char **strings[] = { &m->id, &m->name, &m->image, &m->image_id, &m->pod_namespace, &m->pod_name,
			     &m->compose_project, &m->compose_service, &m->bundle, &m->hostname };

	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		free(*strings[i]);
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		free(m->ns_path[t]);
	free_labels(m);
	meta_clear_args(m);
	memset(m, 0, sizeof(*m));
}

/* The longest prefix of s no longer than max that does not end inside a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

int meta_set_text(char **dst, const char *s, size_t len)
{
	char *copy;

	/* jansson's strings hold no NUL unless asked to; a copy never does */
	len = strnlen(s, utf8_cut(s, len, META_MAX_STRING));
	copy = strndup(s, len);
	if (!copy)
		return -ENOMEM;
	free(*dst);
	*dst = copy;
	return 0;
}

int meta_set_string(char **dst, const json_t *value)
{
	if (!json_is_string(value))
		return 0;
	return meta_set_text(dst, json_string_value(value), json_string_length(value));
}

int meta_add_label(struct container_meta *m, const char *key, const char *value)
{
	struct meta_label *grown, *l;

	m->has_labels = true;
	if (m->label_count >= META_MAX_LABELS) {
		m->labels_dropped++;
		return 0;
	}
	grown = realloc(m->labels, (m->label_count + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	m->labels = grown;
	l = &m->labels[m->label_count];
	memset(l, 0, sizeof(*l));
	if (meta_set_text(&l->key, key, strlen(key)) || meta_set_text(&l->value, value, strlen(value))) {
		free(l->key);
		free(l->value);
		return -ENOMEM;
	}
	m->label_count++;
	return 0;
}

const char *meta_label(const struct container_meta *m, const char *key)
{
	for (size_t i = 0; i < m->label_count; i++)
		if (!strcmp(m->labels[i].key, key))
			return m->labels[i].value;
	return NULL;
}

static int copy_string(char **dst, const char *src)
{
	return src ? meta_set_text(dst, src, strlen(src)) : 0;
}

int meta_derive_compose(struct container_meta *m)
{
	if (copy_string(&m->compose_project, meta_label(m, COMPOSE_PROJECT_LABEL)) ||
	    copy_string(&m->compose_service, meta_label(m, COMPOSE_SERVICE_LABEL)))
		return -ENOMEM;
	return 0;
}

static int copy_labels(struct container_meta *dst, const struct container_meta *src)
{
	free_labels(dst);
	dst->has_labels = true;
	for (size_t i = 0; i < src->label_count; i++)
		if (meta_add_label(dst, src->labels[i].key, src->labels[i].value))
			return -ENOMEM;
	dst->labels_dropped += src->labels_dropped;
	return 0;
}

static int copy_args(struct container_meta *dst, const struct container_meta *src)
{
	meta_clear_args(dst);
	dst->has_args = true;
	dst->args = calloc(src->arg_count ? src->arg_count : 1, sizeof(*dst->args));
	if (!dst->args)
		return -ENOMEM;
	for (size_t i = 0; i < src->arg_count; i++) {
		if (copy_string(&dst->args[i], src->args[i]))
			return -ENOMEM;
		dst->arg_count++;
	}
	dst->args_dropped = src->args_dropped;
	return 0;
}

int meta_merge(struct container_meta *dst, const struct container_meta *src)
{
	const struct {
		char **dst;
		const char *src;
	} strings[] = {
		{ &dst->id, src->id },
		{ &dst->name, src->name },
		{ &dst->image, src->image },
		{ &dst->image_id, src->image_id },
		{ &dst->pod_namespace, src->pod_namespace },
		{ &dst->pod_name, src->pod_name },
		{ &dst->compose_project, src->compose_project },
		{ &dst->compose_service, src->compose_service },
		{ &dst->bundle, src->bundle },
		{ &dst->hostname, src->hostname },
	};

	dst->sources |= src->sources;
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		if (copy_string(strings[i].dst, strings[i].src))
			return -ENOMEM;
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		if (copy_string(&dst->ns_path[t], src->ns_path[t]))
			return -ENOMEM;
	if (src->has_labels && copy_labels(dst, src))
		return -ENOMEM;
	if (src->has_args && copy_args(dst, src))
		return -ENOMEM;
	if (src->has_user) {
		dst->has_user = true;
		dst->uid = src->uid;
		dst->gid = src->gid;
	}
	return 0;
}

static const char *const source_names[] = { "bundle", "docker" };

/* json_object_set_new that takes NULL for "leave it out" and reports a failure once. */
static void put(json_t *obj, const char *key, json_t *value, bool *failed)
{
	if (!value)
		return;
	if (json_object_set_new(obj, key, value))
		*failed = true;
}

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : NULL;
}

static json_t *pair(const char *k1, const char *v1, const char *k2, const char *v2, bool *failed)
{
	json_t *o;

	if (!v1 && !v2)
		return NULL;
	o = json_object();
	if (!o) {
		*failed = true;
		return NULL;
	}
	put(o, k1, string_or_null(v1), failed);
	put(o, k2, string_or_null(v2), failed);
	return o;
}

static json_t *bundle_to_json(const struct container_meta *m, bool *failed)
{
	json_t *b = json_object(), *args, *ns;

	if (!b) {
		*failed = true;
		return NULL;
	}
	put(b, "path", string_or_null(m->bundle), failed);
	put(b, "hostname", string_or_null(m->hostname), failed);
	if (m->has_args) {
		args = json_array();
		for (size_t i = 0; args && i < m->arg_count; i++)
			if (json_array_append_new(args, json_string(m->args[i])))
				*failed = true;
		put(b, "args", args ? args : json_null(), failed);
		if (m->args_dropped)
			put(b, "args_dropped", json_integer(m->args_dropped), failed);
	}
	if (m->has_user)
		put(b, "user", json_pack("{s:I,s:I}", "uid", (json_int_t)m->uid, "gid", (json_int_t)m->gid), failed);
	ns = json_object();
	for (int t = 0; ns && t < NSTRACE_NS_TYPE_COUNT; t++)
		put(ns, nstrace_ns_name(t), string_or_null(m->ns_path[t]), failed);
	put(b, "ns_paths", ns, failed);
	return b;
}

json_t *meta_to_json(const struct container_meta *m)
{
	json_t *j = json_object(), *sources = json_array(), *labels;
	bool failed = !j || !sources;

	for (size_t i = 0; sources && i < sizeof(source_names) / sizeof(source_names[0]); i++)
		if ((m->sources & (1u << i)) && json_array_append_new(sources, json_string(source_names[i])))
			failed = true;
	if (j) {
		put(j, "sources", sources, &failed);
		sources = NULL;
		put(j, "id", string_or_null(m->id), &failed);
		put(j, "name", string_or_null(m->name), &failed);
		put(j, "image", string_or_null(m->image), &failed);
		put(j, "image_id", string_or_null(m->image_id), &failed);
		put(j, "pod", pair("namespace", m->pod_namespace, "name", m->pod_name, &failed), &failed);
		put(j, "compose", pair("project", m->compose_project, "service", m->compose_service, &failed),
		    &failed);
		if (m->has_labels) {
			labels = json_object();
			for (size_t i = 0; labels && i < m->label_count; i++)
				put(labels, m->labels[i].key, json_string(m->labels[i].value), &failed);
			put(j, "labels", labels ? labels : json_null(), &failed);
			if (m->labels_dropped)
				put(j, "labels_dropped", json_integer(m->labels_dropped), &failed);
		}
		if (m->sources & META_FROM_BUNDLE)
			put(j, "bundle", bundle_to_json(m, &failed), &failed);
	}
	json_decref(sources);
	if (failed) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* A field that must be a string when present. */
static int get_string(const json_t *obj, const char *key, char **dst)
{
	const json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (!json_is_string(v))
		return -EINVAL;
	return meta_set_string(dst, v);
}

static int get_count(const json_t *obj, const char *key, size_t *dst)
{
	const json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -EINVAL;
	*dst = json_integer_value(v);
	return 0;
}

static int get_pair(const json_t *obj, const char *key, const char *k1, char **v1, const char *k2, char **v2)
{
	const json_t *o = json_object_get(obj, key);
	int err;

	if (!o)
		return 0;
	if (!json_is_object(o))
		return -EINVAL;
	err = get_string(o, k1, v1);
	return err ? err : get_string(o, k2, v2);
}

static int get_uint32(const json_t *obj, const char *key, __u32 *dst)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 0xffffffffLL)
		return -EINVAL;
	*dst = json_integer_value(v);
	return 0;
}

static int bundle_from_json(const json_t *b, struct container_meta *m)
{
	const json_t *args = json_object_get(b, "args"), *user = json_object_get(b, "user");
	const json_t *ns = json_object_get(b, "ns_paths"), *v;
	const char *key;
	int err;

	if (!json_is_object(b))
		return -EINVAL;
	err = get_string(b, "path", &m->bundle);
	if (!err)
		err = get_string(b, "hostname", &m->hostname);
	if (!err)
		err = get_count(b, "args_dropped", &m->args_dropped);
	if (err)
		return err;
	if (args) {
		size_t i;

		if (!json_is_array(args) || json_array_size(args) > META_MAX_ARGS)
			return -EINVAL;
		m->has_args = true;
		m->args = calloc(json_array_size(args) + 1, sizeof(*m->args));
		if (!m->args)
			return -ENOMEM;
		json_array_foreach(args, i, v) {
			if (!json_is_string(v))
				return -EINVAL;
			err = meta_set_string(&m->args[m->arg_count], v);
			if (err)
				return err;
			m->arg_count++;
		}
	}
	if (user) {
		if (!json_is_object(user) || get_uint32(user, "uid", &m->uid) || get_uint32(user, "gid", &m->gid))
			return -EINVAL;
		m->has_user = true;
	}
	if (ns) {
		if (!json_is_object(ns))
			return -EINVAL;
		json_object_foreach((json_t *)ns, key, v) {
			int t = nstrace_ns_from_name(key);

			if (t < 0 || !json_is_string(v))
				return -EINVAL;
			err = meta_set_string(&m->ns_path[t], v);
			if (err)
				return err;
		}
	}
	return 0;
}

static int sources_from_json(const json_t *sources, struct container_meta *m)
{
	const json_t *v;
	size_t i;

	if (!json_is_array(sources))
		return -EINVAL;
	json_array_foreach(sources, i, v) {
		size_t s;

		for (s = 0; s < sizeof(source_names) / sizeof(source_names[0]); s++)
			if (json_is_string(v) && !strcmp(json_string_value(v), source_names[s]))
				break;
		if (s == sizeof(source_names) / sizeof(source_names[0]))
			return -EINVAL;
		m->sources |= 1u << s;
	}
	return 0;
}

static int labels_from_json(const json_t *labels, struct container_meta *m)
{
	const char *key;
	json_t *v;

	if (!json_is_object(labels) || json_object_size(labels) > META_MAX_LABELS)
		return -EINVAL;
	m->has_labels = true;
	json_object_foreach((json_t *)labels, key, v) {
		if (!json_is_string(v))
			return -EINVAL;
		if (meta_add_label(m, key, json_string_value(v)))
			return -ENOMEM;
	}
	return 0;
}

int meta_from_json(const json_t *j, struct container_meta *m)
{
	const json_t *labels = json_object_get(j, "labels");
	const json_t *bundle = json_object_get(j, "bundle");
	int err;

	memset(m, 0, sizeof(*m));
	if (!json_is_object(j))
		return -EINVAL;
	err = sources_from_json(json_object_get(j, "sources"), m);
	if (!err)
		err = get_string(j, "id", &m->id);
	if (!err)
		err = get_string(j, "name", &m->name);
	if (!err)
		err = get_string(j, "image", &m->image);
	if (!err)
		err = get_string(j, "image_id", &m->image_id);
	if (!err)
		err = get_pair(j, "pod", "namespace", &m->pod_namespace, "name", &m->pod_name);
	if (!err)
		err = get_pair(j, "compose", "project", &m->compose_project, "service", &m->compose_service);
	if (!err && labels)
		err = labels_from_json(labels, m);
	if (!err)
		err = get_count(j, "labels_dropped", &m->labels_dropped);
	if (!err && bundle)
		err = bundle_from_json(bundle, m);
	if (err)
		meta_clear(m);
	return err;
}

void meta_result_free(struct meta_result *r)
{
	free(r->id);
	r->id = NULL;
	meta_clear(&r->meta);
}

const char *meta_source_name(enum meta_source source)
{
	return source == META_FROM_DOCKER ? "docker" : "bundle";
}

static int source_from_name(const json_t *name, enum meta_source *source)
{
	const char *s = json_string_value(name);

	if (!s)
		return -EINVAL;
	if (!strcmp(s, "docker"))
		*source = META_FROM_DOCKER;
	else if (!strcmp(s, "bundle"))
		*source = META_FROM_BUNDLE;
	else
		return -EINVAL;
	return 0;
}

static char *dump(json_t *j)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	return text;
}

char *meta_encode_ask(enum meta_source source, const char *id)
{
	return dump(json_pack("{s:s,s:s}", "ask", meta_source_name(source), "id", id));
}

char *meta_encode_answer(const struct meta_result *r)
{
	json_t *meta = meta_to_json(&r->meta);

	if (!meta)
		return NULL;
	return dump(json_pack("{s:s,s:s,s:i,s:s,s:b,s:o}", "answer", meta_source_name(r->source), "id", r->id,
			      "err", r->err, "why", r->why, "first_failure", r->first_failure, "meta", meta));
}

int meta_decode(const char *text, size_t len, bool *is_answer, struct meta_result *r)
{
	json_t *j = json_loadb(text, len, 0, NULL), *meta;
	const char *id, *why;
	int err = -EINVAL;

	memset(r, 0, sizeof(*r));
	if (!j)
		return -EINVAL;
	*is_answer = json_object_get(j, "answer");
	if (source_from_name(json_object_get(j, *is_answer ? "answer" : "ask"), &r->source))
		goto out;
	id = json_string_value(json_object_get(j, "id"));
	if (!id || !id[0])
		goto out;
	if (*is_answer) {
		json_t *e = json_object_get(j, "err"), *ff = json_object_get(j, "first_failure");

		why = json_string_value(json_object_get(j, "why"));
		meta = json_object_get(j, "meta");
		if (!json_is_integer(e) || json_integer_value(e) > 0 || json_integer_value(e) < -4095 || !why ||
		    strlen(why) >= sizeof(r->why) || !json_is_boolean(ff) || meta_from_json(meta, &r->meta))
			goto out;
		r->err = json_integer_value(e);
		r->first_failure = json_is_true(ff);
		strcpy(r->why, why);
	}
	r->id = strdup(id);
	err = r->id ? 0 : -ENOMEM;
out:
	if (err)
		meta_result_free(r);
	json_decref(j);
	return err;
}

void meta_result_report(const struct meta_result *r)
{
	if (!r->why[0])
		return;
	/* a process gone before its bundle was read, a container docker does not know, a daemon still down: no news */
	if (r->err == -ESRCH || r->err == -ENOENT || (r->err && !r->first_failure && r->source == META_FROM_DOCKER))
		diag_debug("%s of container %s: %s", meta_source_name(r->source), r->id, r->why);
	else
		diag_warn("%s of container %s: %s", meta_source_name(r->source), r->id, r->why);
}
