// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "event.h"
#include "histogram.h"
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

/* The namespace type a CLONE_NEW* flag names, as setns(2) reads nstype. */
static const struct {
	__u64 flag;
	enum nstrace_ns_type type;
} flag_types[] = {
	{ NSTRACE_CLONE_NEWNS, NSTRACE_NS_MNT },	 { NSTRACE_CLONE_NEWUTS, NSTRACE_NS_UTS },
	{ NSTRACE_CLONE_NEWIPC, NSTRACE_NS_IPC },	 { NSTRACE_CLONE_NEWPID, NSTRACE_NS_PID },
	{ NSTRACE_CLONE_NEWNET, NSTRACE_NS_NET },	 { NSTRACE_CLONE_NEWCGROUP, NSTRACE_NS_CGROUP },
	{ NSTRACE_CLONE_NEWUSER, NSTRACE_NS_USER }, { NSTRACE_CLONE_NEWTIME, NSTRACE_NS_TIME },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

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
 * in hex (setns passes nstype through unchecked), comma-separated with
 * quote around each. setns with nstype 0 lets the fd decide: "any".
 */
static void print_flag_names(FILE *out, const struct nstrace_profile_key *key, const char *quote)
{
	__u64 rest = key->value;
	bool first = true;

	if (key->kind == NSTRACE_PROFILE_SETNS && !key->value) {
		fprintf(out, "%sany%s", quote, quote);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(flag_types); i++) {
		if (!(key->value & flag_types[i].flag))
			continue;
		fprintf(out, "%s%s%s%s", first ? "" : ",", quote, nstrace_ns_name(flag_types[i].type), quote);
		rest &= ~flag_types[i].flag;
		first = false;
	}
	if (rest)
		fprintf(out, "%s%s0x%llx%s", first ? "" : ",", quote, (unsigned long long)rest, quote);
}

static void print_text_key(FILE *out, const struct nstrace_profile_key *key)
{
	const char *name = profile_kind_name(key->kind);

	if (name)
		fputs(name, out);
	else
		fprintf(out, "kind%u", key->kind);
	if (keyed_by_flags(key->kind)) {
		fputs(" [", out);
		print_flag_names(out, key, "");
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

static void print_json_record(FILE *out, const struct profile_entry *e,
			      const struct profile_period *period)
{
	const char *name = profile_kind_name(e->key.kind);
	bool first = true;

	if (period->total)
		fputs("{\"type\":\"profile_total\"", out);
	else
		fprintf(out, "{\"type\":\"profile\",\"interval\":%u", period->interval);
	fprintf(out, ",\"seconds\":%.3f", period->seconds);
	if (name)
		fprintf(out, ",\"kind\":\"%s\"", name);
	else
		fprintf(out, ",\"kind\":\"kind%u\"", e->key.kind);
	fputs(",\"key\":[", out);
	if (keyed_by_flags(e->key.kind))
		print_flag_names(out, &e->key, "\"");
	fputc(']', out);
	if (e->key.kind == NSTRACE_PROFILE_ALLOC_PID)
		fprintf(out, ",\"pid_levels\":%llu", (unsigned long long)e->key.value);
	fprintf(out, ",\"failed\":%s,\"count\":%llu,\"sum_ns\":%llu,\"max_ns\":%llu,\"p50_ns\":%llu,\"p99_ns\":%llu,\"buckets\":[",
		e->key.failed ? "true" : "false", (unsigned long long)hist_count(&e->hist),
		(unsigned long long)e->hist.sum_ns, (unsigned long long)e->hist.max_ns,
		(unsigned long long)hist_percentile(&e->hist, 50),
		(unsigned long long)hist_percentile(&e->hist, 99));
	for (unsigned int i = 0; i < NSTRACE_PROFILE_SLOTS; i++) {
		if (!e->hist.slots[i])
			continue;
		fprintf(out, "%s{\"le_ns\":%llu,\"count\":%llu}", first ? "" : ",",
			(unsigned long long)hist_slot_high(i), (unsigned long long)e->hist.slots[i]);
		first = false;
	}
	fputs("]}\n", out);
}

void profile_report_json(FILE *out, const struct profile_table *t, const struct profile_period *period)
{
	for (size_t i = 0; i < t->len; i++)
		print_json_record(out, &t->entries[i], period);
}
