// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include "meta_store.h"

struct meta_entry {
	char *id;
	unsigned int pending[2]; /* questions asked and not answered, per source */
	struct container_meta meta;
	UT_hash_handle hh;
};

struct meta_store {
	struct meta_entry *entries;
};

struct meta_store *meta_store_new(void)
{
	return calloc(1, sizeof(struct meta_store));
}

static void free_entry(struct meta_store *st, struct meta_entry *e)
{
	HASH_DEL(st->entries, e);
	meta_clear(&e->meta);
	free(e->id);
	free(e);
}

void meta_store_free(struct meta_store *st)
{
	struct meta_entry *e, *tmp;

	if (!st)
		return;
	HASH_ITER(hh, st->entries, e, tmp)
		free_entry(st, e);
	free(st);
}

static struct meta_entry *find(const struct meta_store *st, const char *id)
{
	struct meta_entry *e;

	HASH_FIND_STR(st->entries, id, e);
	return e;
}

int meta_store_asked(struct meta_store *st, const char *id, enum meta_source source)
{
	struct meta_entry *e = find(st, id);

	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || !(e->id = strdup(id))) {
			free(e);
			return -ENOMEM;
		}
		HASH_ADD_KEYPTR(hh, st->entries, e->id, strlen(e->id), e);
	}
	e->pending[source == META_FROM_DOCKER]++;
	return 0;
}

const struct container_meta *meta_store_answered(struct meta_store *st, const struct meta_result *r, int *err)
{
	struct meta_entry *e = find(st, r->id);

	*err = 0;
	if (!e)
		return NULL;
	if (e->pending[r->source == META_FROM_DOCKER])
		e->pending[r->source == META_FROM_DOCKER]--;
	if (r->err || !r->meta.sources)
		return NULL;
	*err = meta_merge(&e->meta, &r->meta);
	return &e->meta;
}

const struct container_meta *meta_store_get(const struct meta_store *st, const char *id)
{
	struct meta_entry *e = find(st, id);

	return e && e->meta.sources ? &e->meta : NULL;
}

bool meta_store_pending(const struct meta_store *st, const char *id)
{
	struct meta_entry *e = find(st, id);

	return e && (e->pending[0] || e->pending[1]);
}

void meta_store_forget(struct meta_store *st, const char *id)
{
	struct meta_entry *e = find(st, id);

	if (e)
		free_entry(st, e);
}
