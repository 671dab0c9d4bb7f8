// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <stdio.h>
#include <string.h>
#include "escape.h"
#include "event.h"
#include "metaprint.h"

static void string_or_null(struct json_writer *w, const char *name, const char *s)
{
	if (s)
		jsonw_string_field(w, name, s);
	else
		jsonw_null_field(w, name);
}

static void json_labels(struct json_writer *w, const struct container_meta *m)
{
	jsonw_name(w, "labels");
	if (!m || !m->has_labels) {
		jsonw_null(w);
		return;
	}
	jsonw_start_object(w);
	for (size_t i = 0; i < m->label_count; i++) {
		jsonw_name_escaped(w, m->labels[i].key);
		jsonw_string(w, m->labels[i].value);
	}
	jsonw_end_object(w);
}

/* "namespace/name", the way kubectl users write a pod; a part not known is empty. */
static void json_pod(struct json_writer *w, const struct container_meta *m)
{
	char pod[2 * META_MAX_STRING + 2];
	int n;

	jsonw_name(w, "pod");
	if (!m || (!m->pod_name && !m->pod_namespace)) {
		jsonw_null(w);
		return;
	}
	n = snprintf(pod, sizeof(pod), "%s/%s", m->pod_namespace ? m->pod_namespace : "",
		     m->pod_name ? m->pod_name : "");
	jsonw_string_len(w, pod, n < (int)sizeof(pod) ? (size_t)n : sizeof(pod) - 1);
}


static void json_bundle(struct json_writer *w, const struct container_meta *m)
{
	jsonw_name(w, "bundle");
	if (!m || !(m->sources & META_FROM_BUNDLE)) {
		jsonw_null(w);
		return;
	}
	jsonw_start_object(w);
	string_or_null(w, "path", m->bundle);
	string_or_null(w, "hostname", m->hostname);
	jsonw_name(w, "args");
	if (m->has_args) {
		jsonw_start_array(w);
		for (size_t i = 0; i < m->arg_count; i++)
			jsonw_string(w, m->args[i]);
		jsonw_end_array(w);
	} else {
		jsonw_null(w);
	}
	if (m->args_dropped)
		jsonw_uint_field(w, "args_dropped", m->args_dropped);
	jsonw_name(w, "user");
	if (m->has_user) {
		jsonw_start_object(w);
		jsonw_uint_field(w, "uid", m->uid);
		jsonw_uint_field(w, "gid", m->gid);
		jsonw_end_object(w);
	} else {
		jsonw_null(w);
	}
	jsonw_name(w, "ns_paths");
	jsonw_start_object(w);
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		if (m->ns_path[t])
			jsonw_string_field(w, nstrace_ns_name(t), m->ns_path[t]);
	jsonw_end_object(w);
	jsonw_end_object(w);
}

void print_meta_json(struct json_writer *w, const struct container_meta *m)
{
	unsigned int sources = m ? m->sources : 0;

	jsonw_name(w, "sources");
	jsonw_start_array(w);
	if (sources & META_FROM_BUNDLE)
		jsonw_string(w, meta_source_name(META_FROM_BUNDLE));
	if (sources & META_FROM_DOCKER)
		jsonw_string(w, meta_source_name(META_FROM_DOCKER));
	jsonw_end_array(w);
	string_or_null(w, "name", m ? m->name : NULL);
	string_or_null(w, "image", m ? m->image : NULL);
	json_labels(w, m);
	json_pod(w, m);
	if (m && m->labels_dropped)
		jsonw_uint_field(w, "labels_dropped", m->labels_dropped);
	string_or_null(w, "image_id", m ? m->image_id : NULL);
	jsonw_name(w, "compose");
	if (m && (m->compose_project || m->compose_service)) {
		jsonw_start_object(w);
		string_or_null(w, "project", m->compose_project);
		string_or_null(w, "service", m->compose_service);
		jsonw_end_object(w);
	} else {
		jsonw_null(w);
	}
	json_bundle(w, m);
}

static void text_field(FILE *out, const char *name, const char *value)
{
	if (!value)
		return;
	fprintf(out, " %s=", name);
	escape_text(out, value, strlen(value), 1);
}

void print_meta_fields_text(FILE *out, const struct container_meta *m)
{
	if (!m)
		return;
	text_field(out, "name", m->name);
	text_field(out, "image", m->image);
	if (m->pod_name || m->pod_namespace) {
		fputs(" pod=", out);
		if (m->pod_namespace)
			escape_text(out, m->pod_namespace, strlen(m->pod_namespace), 0);
		fputc('/', out);
		if (m->pod_name)
			escape_text(out, m->pod_name, strlen(m->pod_name), 0);
	}
	if (m->has_labels && m->label_count) {
		fputs(" labels=", out);
		for (size_t i = 0; i < m->label_count; i++) {
			if (i)
				fputc(',', out);
			escape_text(out, m->labels[i].key, strlen(m->labels[i].key), 0);
			fputc('=', out);
			escape_text(out, m->labels[i].value, strlen(m->labels[i].value), 0);
		}
	}
}
