/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * What a container's runtime knows of it and the kernel does not: its name,
 * image, labels and pod, from the OCI bundle and the Docker Engine API.
 * Every string comes from outside (a config.json anyone may have written, a
 * daemon's answer): printers escape them, and any may be NULL.
 */
#ifndef NSTRACE_META_H
#define NSTRACE_META_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include <linux/types.h>
#include "nstrace.h"

/* Beyond these, entries are dropped and counted: a record stays a readable size. */
#define META_MAX_LABELS 128
#define META_MAX_ARGS 128
#define META_MAX_STRING 1024

enum meta_source {
	META_FROM_BUNDLE = 1u << 0, /* the OCI bundle's config.json */
	META_FROM_DOCKER = 1u << 1, /* the Docker Engine API */
};

struct meta_label {
	char *key;
	char *value;
};

struct container_meta {
	unsigned int sources; /* enum meta_source bits that contributed */
	char *id; /* the runtime's container ID these are about */
	char *name;
	char *image;
	char *image_id;
	char *pod_namespace;
	char *pod_name;
	char *compose_project;
	char *compose_service;
	bool has_labels; /* labels below are known, maybe none */
	struct meta_label *labels;
	size_t label_count;
	size_t labels_dropped;
	/* from the bundle: what the container was configured to be */
	char *bundle; /* the directory, as the runtime named it */
	char *hostname;
	bool has_args;
	char **args;
	size_t arg_count;
	size_t args_dropped;
	bool has_user;
	__u32 uid, gid;
	/* namespaces it was told to join rather than create (linux.namespaces[].path) */
	char *ns_path[NSTRACE_NS_TYPE_COUNT];
};

void meta_clear(struct container_meta *m);
/* Back to "args unknown". */
void meta_clear_args(struct container_meta *m);

/*
 * A string from outside, cut to META_MAX_STRING bytes (at a UTF-8
 * boundary); NULL for a JSON null or anything not a string. -ENOMEM is the
 * only failure.
 */
int meta_set_string(char **dst, const json_t *value);
/* The same for len bytes at s, up to a NUL. */
int meta_set_text(char **dst, const char *s, size_t len);
/* Adds a label, or counts it dropped past META_MAX_LABELS; -ENOMEM only. */
int meta_add_label(struct container_meta *m, const char *key, const char *value);
const char *meta_label(const struct container_meta *m, const char *key);
/* The compose project and service from the labels docker compose sets. */
int meta_derive_compose(struct container_meta *m);

/*
 * The JSON object in len bytes of text from outside; NULL with *why set to
 * not_json or not_object when it is none. The caller owns the result.
 */
json_t *meta_load_object(const char *text, size_t len, const char *not_json, const char *not_object,
			 const char **why);
/* Writes why[] from fmt and returns err: how the readers say what they refused or what failed. */
int meta_why(char *why, size_t size, int err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Fields src knows replace dst's; -ENOMEM leaves dst partly merged but valid. */
int meta_merge(struct container_meta *dst, const struct container_meta *src);

/*
 * The metadata as one JSON object, as --record files carry it and the
 * printers print it; NULL when out of memory. meta_from_json reads back
 * what meta_to_json wrote, and rejects anything else with -EINVAL.
 */
json_t *meta_to_json(const struct container_meta *m);
int meta_from_json(const json_t *j, struct container_meta *m);

/* Where a question about a container went, and what came back. */
#define META_WHY_LEN 256

struct meta_result {
	enum meta_source source;
	char *id; /* as asked */
	int err; /* 0, or a negative errno: meta is empty */
	/* why it failed, or what was wrong in an answer that was still used; "" for nothing */
	char why[META_WHY_LEN];
	/* the first failure of a source after a success (or ever): the one worth a diagnostic */
	bool first_failure;
	struct container_meta meta;
};

void meta_result_free(struct meta_result *r);
/* One diagnostic for what went wrong, at the level it deserves. */
void meta_result_report(const struct meta_result *r);
const char *meta_source_name(enum meta_source source);

/*
 * Questions and answers as a --record file keeps them, so that a replay
 * knows what the live run knew when it knew it: one JSON object,
 * {"ask":SOURCE,"id":ID} or {"answer":SOURCE,"id":ID,"err":E,"why":W,
 * "first_failure":B,"meta":{...}}. NULL when out of memory.
 */
char *meta_encode_ask(enum meta_source source, const char *id);
char *meta_encode_answer(const struct meta_result *r);
/* 0 with *is_answer set (r->meta and r->why empty for a question), or -EINVAL. */
int meta_decode(const char *text, size_t len, bool *is_answer, struct meta_result *r);
/* A record's payload: bounded by the limits above, whatever the strings hold. */
#define META_RECORD_MAX (4 * 1024 * 1024)

#endif
