// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "event.h"
#include "histogram.h"
#include "json_writer.h"
#include "profile_report.h"

static const char *const kind_names[NSTRACE_PROFILE_KIND_COUNT] = {
	[NSTRACE_PROFILE_CLONE] = "clone",
	[NSTRACE_PROFILE_UNSHARE] = "unshare",
	[NSTRACE_PROFILE_SETNS] = "setns",
	[NSTRACE_PROFILE_EXEC] = "exec",
	[NSTRACE_PROFILE_COPY_NAMESPACES] = "copy_namespaces",
	[NSTRACE_PROFILE_CREATE_NEW_NAMESPACES] = "create_new_namespaces",
	[NSTRACE_PROFILE_COPY_MNT_NS] = "copy_mnt_ns",
	[NSTRACE_PROFILE_COPY_UTSNAME] = "copy_utsname",
	[NSTRACE_PROFILE_COPY_IPCS] = "copy_ipcs",
	[NSTRACE_PROFILE_COPY_PID_NS] = "copy_pid_ns",
	[NSTRACE_PROFILE_COPY_NET_NS] = "copy_net_ns",
	[NSTRACE_PROFILE_COPY_CGROUP_NS] = "copy_cgroup_ns",
	[NSTRACE_PROFILE_COPY_TIME_NS] = "copy_time_ns",
	[NSTRACE_PROFILE_ALLOC_PID] = "alloc_pid",
};

const char *profile_kind_name(__u32 kind)
{
	return kind < NSTRACE_PROFILE_KIND_COUNT ? kind_names[kind] : NULL;
}

int profile_table_add(struct profile_table *t, const struct nstrace_profile_key *key,
		      const struct nstrace_profile_hist *hist)
{
	struct profile_entry *e;

	for (size_t i = 0; i < t->len; i++) {
		e = &t->entries[i];
		if (e->key.kind == key->kind && e->key.failed == key->failed && e->key.value == key->value) {
			hist_merge(&e->hist, hist);
			return 0;
		}
	}
	if (t->len == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;

		e = realloc(t->entries, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		t->entries = e;
		t->cap = cap;
	}
	e = &t->entries[t->len++];
	e->key = *key;
	e->hist = *hist;
	return 0;
}

static int cmp_u64(__u64 a, __u64 b)
{
	return a < b ? -1 : a > b;
}

static int cmp_entries(const void *pa, const void *pb)
{
	const struct nstrace_profile_key *a = &((const struct profile_entry *)pa)->key;
	const struct nstrace_profile_key *b = &((const struct profile_entry *)pb)->key;

	if (a->kind != b->kind)
		return cmp_u64(a->kind, b->kind);
	if (a->failed != b->failed)
		return cmp_u64(a->failed, b->failed);
	return cmp_u64(a->value, b->value);
}

void profile_table_sort(struct profile_table *t)
{
	if (t->len)
		qsort(t->entries, t->len, sizeof(*t->entries), cmp_entries);
}

void profile_table_clear(struct profile_table *t)
{
	t->len = 0;
}

void profile_table_free(struct profile_table *t)
{
	free(t->entries);
	*t = (struct profile_table){ 0 };
}

static bool keyed_by_flags(__u32 kind)
{
	return kind != NSTRACE_PROFILE_EXEC && kind != NSTRACE_PROFILE_ALLOC_PID &&
	       kind < NSTRACE_PROFILE_KIND_COUNT;
}

/*
 * Namespace names for the CLONE_NEW* bits of value, then any other bits
 * in hex (setns passes nstype through unchecked). setns with nstype 0
 * lets the fd decide: "any". Returns how many names were stored.
 */
#define FLAG_NAMES_MAX (NSTRACE_NS_TYPE_COUNT + 1)
#define REST_HEX_LEN sizeof("0x" "ffffffffffffffff")

static size_t flag_names(const struct nstrace_profile_key *key, const char **names, char *rest_hex)
{
	enum nstrace_ns_type types[NSTRACE_NS_TYPE_COUNT];
	__u64 rest = key->value & ~NSTRACE_CLONE_NEW_MASK;
	size_t n;

	if (key->kind == NSTRACE_PROFILE_SETNS && !key->value) {
		names[0] = "any";
		return 1;
	}
	n = nstrace_clone_flag_types(key->value, types, NSTRACE_NS_TYPE_COUNT);
	for (size_t i = 0; i < n; i++)
		names[i] = nstrace_ns_name(types[i]);
	if (rest) {
		snprintf(rest_hex, REST_HEX_LEN, "0x%llx", (unsigned long long)rest);
		names[n++] = rest_hex;
	}
	return n;
}

static void print_text_key(FILE *out, const struct nstrace_profile_key *key)
{
	const char *name = profile_kind_name(key->kind);

	if (name)
		fputs(name, out);
	else
		fprintf(out, "kind%u", key->kind);
	if (keyed_by_flags(key->kind)) {
		const char *names[FLAG_NAMES_MAX];
		char rest_hex[REST_HEX_LEN];
		size_t n = flag_names(key, names, rest_hex);

		fputs(" [", out);
		for (size_t i = 0; i < n; i++)
			fprintf(out, "%s%s", i ? "," : "", names[i]);
		fputc(']', out);
	} else if (key->kind == NSTRACE_PROFILE_ALLOC_PID) {
		fprintf(out, " [levels=%llu]", (unsigned long long)key->value);
	}
	if (key->failed)
		fputs(" (failed)", out);
}

void profile_report_text(FILE *out, const struct profile_table *t, const char *title)
{
	fprintf(out, "%s\n", title);
	if (!t->len)
		fputs("no samples\n", out);
	for (size_t i = 0; i < t->len; i++) {
		const struct profile_entry *e = &t->entries[i];
		__u64 count = hist_count(&e->hist);

		fputc('\n', out);
		print_text_key(out, &e->key);
		fprintf(out, ": count %llu, avg %.1f us, p50 %.1f us, p99 %.1f us, max %.1f us\n",
			(unsigned long long)count, count ? e->hist.sum_ns / 1e3 / count : 0.0,
			hist_percentile(&e->hist, 50) / 1e3, hist_percentile(&e->hist, 99) / 1e3,
			e->hist.max_ns / 1e3);
		hist_print_text(out, &e->hist);
	}
	fputc('\n', out);
}

static void print_json_record(struct json_writer *w, const struct profile_entry *e,
			      const struct profile_period *period)
{
	const char *name = profile_kind_name(e->key.kind);
	char unknown_kind[sizeof("kind4294967295")];

	jsonw_start_object(w);
	if (period->total) {
		jsonw_string_field(w, "type", "profile_total");
	} else {
		jsonw_string_field(w, "type", "profile");
		jsonw_uint_field(w, "interval", period->interval);
	}
	jsonw_name(w, "seconds");
	jsonw_float_fmt(w, "%.3f", period->seconds);
	if (!name) {
		snprintf(unknown_kind, sizeof(unknown_kind), "kind%u", e->key.kind);
		name = unknown_kind;
	}
	jsonw_string_field(w, "kind", name);
	jsonw_name(w, "key");
	jsonw_start_array(w);
	if (keyed_by_flags(e->key.kind)) {
		const char *names[FLAG_NAMES_MAX];
		char rest_hex[REST_HEX_LEN];
		size_t n = flag_names(&e->key, names, rest_hex);

		for (size_t i = 0; i < n; i++)
			jsonw_string(w, names[i]);
	}
	jsonw_end_array(w);
	if (e->key.kind == NSTRACE_PROFILE_ALLOC_PID)
		jsonw_uint_field(w, "pid_levels", e->key.value);
	jsonw_bool_field(w, "failed", e->key.failed);
	jsonw_uint_field(w, "count", hist_count(&e->hist));
	jsonw_uint_field(w, "sum_ns", e->hist.sum_ns);
	jsonw_uint_field(w, "max_ns", e->hist.max_ns);
	jsonw_uint_field(w, "p50_ns", hist_percentile(&e->hist, 50));
	jsonw_uint_field(w, "p99_ns", hist_percentile(&e->hist, 99));
	jsonw_name(w, "buckets");
	jsonw_start_array(w);
	for (unsigned int i = 0; i < NSTRACE_PROFILE_SLOTS; i++) {
		if (!e->hist.slots[i])
			continue;
		jsonw_start_object(w);
		jsonw_uint_field(w, "le_ns", hist_slot_high(i));
		jsonw_uint_field(w, "count", e->hist.slots[i]);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_end_object(w);
}

void profile_report_json(FILE *out, const struct profile_table *t, const struct profile_period *period)
{
	struct json_writer w;

	jsonw_init(&w, out);
	for (size_t i = 0; i < t->len; i++)
		print_json_record(&w, &t->entries[i], period);
}
