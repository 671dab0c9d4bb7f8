// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "container_filter.h"
#include "lifecycle.h"
#include "meta_store.h"

int container_filter_add(struct container_filter *f, const char *spec)
{
	if (!spec[0] || f->count >= CONTAINER_FILTER_MAX)
		return -EINVAL;
	if (strlen(spec) >= META_MAX_STRING)
		return -ENAMETOOLONG;
	f->specs[f->count++] = spec;
	return 0;
}

static bool is_key(const char *spec, __u64 serial)
{
	char key[32];

	snprintf(key, sizeof(key), "c%" PRIu64, (uint64_t)serial);
	return !strcmp(spec, key);
}

static bool is_pod(const char *spec, const struct container_meta *m)
{
	size_t ns_len;

	if (!m->pod_namespace || !m->pod_name)
		return false;
	ns_len = strlen(m->pod_namespace);
	return !strncmp(spec, m->pod_namespace, ns_len) && spec[ns_len] == '/' && !strcmp(spec + ns_len + 1, m->pod_name);
}

enum filter_verdict container_filter_match(const struct container_filter *f, __u64 serial, const char *id,
					   const struct container_meta *m, bool pending)
{
	if (!f->count)
		return FILTER_YES;
	for (size_t i = 0; i < f->count; i++) {
		const char *spec = f->specs[i];

		if (is_key(spec, serial) || (id[0] && !strncmp(id, spec, strlen(spec))))
			return FILTER_YES;
		if (m && ((m->name && !strcmp(spec, m->name)) || is_pod(spec, m)))
			return FILTER_YES;
	}
	return pending ? FILTER_UNDECIDED : FILTER_NO;
}

enum filter_verdict container_filter_verdict(const struct container_filter *f, const struct meta_store *st,
					     const struct lc_container *c)
{
	enum filter_verdict verdict = FILTER_NO;

	if (!f->count)
		return FILTER_YES;
	for (; c; c = c->parent) {
		const char *id = c->runtime.id;
		enum filter_verdict v = container_filter_match(f, c->serial, id, id[0] ? meta_store_get(st, id) : NULL,
							       id[0] && meta_store_pending(st, id));

		if (v == FILTER_YES)
			return v;
		if (v == FILTER_UNDECIDED)
			verdict = v;
	}
	return verdict;
}
