// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "auditprint.h"
#include "creds.h"
#include "escape.h"
#include "lcprint.h"
#include "metaprint.h"

#define TEXT_SURVIVORS_MAX 16

static const char *const kind_names[] = {
	[LC_CREATE] = "container_create", [LC_INIT] = "container_init",
	[LC_EXEC] = "container_exec",	  [LC_JOIN] = "container_join",
	[LC_EXIT] = "container_exit",	  [LC_DESTROY] = "container_destroy",
};

static const char *const origin_names[] = {
	[LC_BY_CLONE] = "clone",
	[LC_BY_UNSHARE] = "unshare",
	[LC_EXISTING] = "existing",
	[LC_UNSEEN] = "unseen",
};

const char *lc_origin_name(enum lc_origin origin)
{
	return origin_names[origin];
}

static const char *const state_names[] = {
	[LC_CREATED] = "created",
	[LC_RUNNING] = "running",
	[LC_EXITED] = "exited",
	[LC_DESTROYED] = "destroyed",
	[LC_PENDING] = "pending",
};

static const char *const key_names[] = {
	[LC_KEY_PIDNS] = "pidns",
	[LC_KEY_MNTNS] = "mntns",
};

static const char *const share_names[] = {
	[LC_SHARE_PRIVATE] = "private",
	[LC_SHARE_HOST] = "host",
	[LC_SHARE_OTHER] = "other",
};

/* The types a process lives in; the *_for_children ones say where its children will. */
static bool lived_in(int type)
{
	return type != NSTRACE_NS_PID_FOR_CHILDREN && type != NSTRACE_NS_TIME_FOR_CHILDREN;
}

static size_t bounded_len(const char *s, size_t max)
{
	return strnlen(s, max);
}

static void json_exit_status(struct json_writer *w, __u32 exit_code)
{
	struct nstrace_exit_status st = nstrace_exit_status(exit_code);

	jsonw_int_field(w, "exit_code", st.code);
	jsonw_int_field(w, "signal", st.signal);
	jsonw_bool_field(w, "core_dumped", st.core_dumped);
}

static void text_exit_status(FILE *out, __u32 exit_code)
{
	struct nstrace_exit_status st = nstrace_exit_status(exit_code);

	if (st.signal)
		fprintf(out, "signal=%d%s", st.signal, st.core_dumped ? " core" : "");
	else
		fprintf(out, "code=%d", st.code);
}

static void json_timeline(struct json_writer *w, const struct lc_container *c)
{
	struct lc_timeline tl;

	jsonw_name(w, "start");
	if (!lifecycle_timeline(c, &tl)) {
		jsonw_null(w);
		return;
	}
	jsonw_start_object(w);
	jsonw_uint_field(w, "total_ns", tl.total_ns);
	jsonw_uint_field(w, "to_init_ns", tl.to_init_ns);
	jsonw_name(w, "to_exec_ns");
	jsonw_start_array(w);
	for (__u32 i = 0; i < tl.execs; i++)
		jsonw_uint(w, tl.to_exec_ns[i]);
	jsonw_end_array(w);
	jsonw_end_object(w);
}

static void text_timeline(FILE *out, const struct lc_container *c)
{
	struct lc_timeline tl;

	if (!lifecycle_timeline(c, &tl))
		return;
	fprintf(out, " start=%.3fms (init +%.3fms", tl.total_ns / 1e6, tl.to_init_ns / 1e6);
	for (__u32 i = 0; i < tl.execs; i++)
		fprintf(out, ", exec#%u +%.3fms", i + 1, tl.to_exec_ns[i] / 1e6);
	fputc(')', out);
}

void format_container_key(char key[CONTAINER_KEY_LEN], __u64 serial)
{
	key[0] = 'c';
	key[1 + format_unsigned(key + 1, serial)] = '\0';
}

/* The key a container goes by in every record: "c<serial>". */
static void json_key(struct json_writer *w, const char *name, __u64 serial)
{
	char key[CONTAINER_KEY_LEN];

	format_container_key(key, serial);
	jsonw_string_field(w, name, key);
}

static void json_container_key(struct json_writer *w, const char *name, const struct lc_container *c)
{
	json_key(w, name, c->serial);
}

/* What each namespace type is to the container: "private", "host", "other", a container's key or null. */
static void json_sharing(struct json_writer *w, const struct lc_container *c)
{
	jsonw_name(w, "sharing");
	jsonw_start_object(w);
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++) {
		const struct lc_share *s = &c->share[t];

		if (!lived_in(t))
			continue;
		if (s->kind == LC_SHARE_CONTAINER)
			json_key(w, nstrace_ns_name(t), s->serial);
		else if (s->kind == LC_SHARE_UNKNOWN)
			jsonw_null_field(w, nstrace_ns_name(t));
		else
			jsonw_string_field(w, nstrace_ns_name(t), share_names[s->kind]);
	}
	jsonw_end_object(w);
}

static void text_sharing(FILE *out, const struct lc_container *c)
{
	bool first = true;

	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++) {
		const struct lc_share *s = &c->share[t];

		if (!lived_in(t))
			continue;
		fprintf(out, "%s%s:", first ? "" : ",", nstrace_ns_name(t));
		first = false;
		if (s->kind == LC_SHARE_CONTAINER)
			fprintf(out, "c%" PRIu64, (uint64_t)s->serial);
		else if (s->kind == LC_SHARE_UNKNOWN)
			fputc('-', out);
		else
			fputs(share_names[s->kind], out);
	}
}

void container_create_of(const struct lc_container *c, struct lc_transition *t)
{
	memset(t, 0, sizeof(*t));
	t->kind = LC_CREATE;
	t->time_ns = c->created_ns;
	t->container = c;
	t->pid = c->creator_pid;
	memcpy(t->comm, c->creator_comm, sizeof(t->comm));
}

bool printed_creates_add(struct printed_creates *set, __u64 serial)
{
	for (size_t i = 0; i < set->count; i++)
		if (set->serial[i] == serial)
			return false;
	if (set->count == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		__u64 *grown = realloc(set->serial, cap * sizeof(*grown));

		if (!grown)
			return false;
		set->serial = grown;
		set->cap = cap;
	}
	set->serial[set->count++] = serial;
	return true;
}

void printed_creates_free(struct printed_creates *set)
{
	free(set->serial);
	set->serial = NULL;
	set->count = set->cap = 0;
}

static void json_identity(struct json_writer *w, const struct lc_container *c)
{
	json_container_key(w, "container", c);
	jsonw_uint_field(w, "pidns", c->pidns);
	jsonw_uint_field(w, "generation", c->generation);
	jsonw_string_field(w, "keyed_by", key_names[c->key]);
	jsonw_uint_field(w, "mntns", c->mntns);
	jsonw_string_field(w, "runtime", runtime_name(c->runtime.runtime));
	if (c->runtime.id[0])
		jsonw_string_len_field(w, "container_id", c->runtime.id,
				       bounded_len(c->runtime.id, sizeof(c->runtime.id)));
	else
		jsonw_null_field(w, "container_id");
	jsonw_bool_field(w, "incomplete", c->incomplete);
}

/* The container whose pid namespace holds this one's, or null at the host's level. */
static void json_parent(struct json_writer *w, const struct lc_container *c)
{
	if (c->parent)
		json_container_key(w, "parent", c->parent);
	else
		jsonw_null_field(w, "parent");
}

/* What the container's init started as, what it can reach, and who started it. */
static void json_audit(struct json_writer *w, const struct lc_container *c)
{
	bool creds_known = c->init_creds.flags & NSTRACE_CREDS_READ;

	jsonw_name(w, "init_creds");
	print_creds_json(w, &c->init_creds);
	if (c->privileged_known)
		jsonw_bool_field(w, "privileged", c->privileged);
	else
		jsonw_null_field(w, "privileged");
	if (creds_known)
		jsonw_bool_field(w, "rootless", creds_rootless(&c->init_creds));
	else
		jsonw_null_field(w, "rootless");
	jsonw_name(w, "who");
	print_who_json(w, &c->who);
	jsonw_name(w, "mounts");
	print_mounts_json(w, c->mounts);
}

static void text_audit(FILE *out, const struct lc_container *c)
{
	if (c->privileged_known && c->privileged)
		fputs(" privileged", out);
	if ((c->init_creds.flags & NSTRACE_CREDS_READ) && creds_rootless(&c->init_creds))
		fputs(" rootless", out);
	print_mounts_text(out, c->mounts);
}

static void json_container_body(struct json_writer *w, const struct lc_container *c, const struct container_meta *m)
{
	print_meta_json(w, m);
	jsonw_string_field(w, "state", state_names[c->state]);
	jsonw_string_field(w, "origin", lc_origin_name(c->origin));
	jsonw_uint_field(w, "init_pid", c->init_pid);
	jsonw_name(w, "init_nspid");
	print_json_nspid(w, c->init_nspid, c->init_nspid_levels);
	json_parent(w, c);
	jsonw_uint_field(w, "members", c->members);
	jsonw_uint_field(w, "execs", c->execs);
	jsonw_uint_field(w, "joins", c->joins);
	if (c->state == LC_EXITED || c->state == LC_DESTROYED)
		json_exit_status(w, c->exit_code);
	json_timeline(w, c);
	jsonw_name(w, "ns");
	print_json_ns(w, &c->ns, NS_MASK_ALL);
	json_sharing(w, c);
	json_audit(w, c);
}

void print_transition_json(struct json_writer *w, const struct lc_transition *t, const struct container_meta *m)
{
	const struct lc_container *c = t->container;

	jsonw_start_object(w);
	jsonw_string_field(w, "type", kind_names[t->kind]);
	jsonw_uint_field(w, "time_ns", t->time_ns);
	json_identity(w, c);
	jsonw_uint_field(w, "pid", t->pid);
	switch (t->kind) {
	case LC_CREATE:
		jsonw_string_field(w, "origin", lc_origin_name(c->origin));
		jsonw_name(w, "creator");
		jsonw_start_object(w);
		jsonw_uint_field(w, "pid", c->creator_pid);
		jsonw_string_len_field(w, "comm", c->creator_comm, bounded_len(c->creator_comm, NSTRACE_COMM_LEN));
		jsonw_end_object(w);
		json_parent(w, c);
		jsonw_name(w, "ns");
		print_json_ns(w, &c->ns, NS_MASK_ALL);
		json_sharing(w, c);
		print_meta_json(w, m);
		jsonw_name(w, "who");
		print_who_json(w, &c->who);
		break;
	case LC_INIT:
		jsonw_name(w, "nspid");
		print_json_nspid(w, c->init_nspid, c->init_nspid_levels);
		jsonw_name(w, "ns");
		print_json_ns(w, &c->ns, NS_MASK_ALL);
		break;
	case LC_EXEC:
		jsonw_string_len_field(w, "comm", t->comm, bounded_len(t->comm, NSTRACE_COMM_LEN));
		if (t->exec.index)
			jsonw_uint_field(w, "exec_index", t->exec.index);
		jsonw_bool_field(w, "joined", t->exec.joined);
		jsonw_string_len_field(w, "filename", t->exec.event->filename,
				       bounded_len(t->exec.event->filename, NSTRACE_FILENAME_LEN));
		jsonw_name(w, "argv");
		print_json_argv(w, t->exec.event);
		jsonw_bool_field(w, "argv_truncated", t->exec.event->args_truncated);
		jsonw_name(w, "creds");
		print_creds_json(w, &t->exec.event->creds);
		break;
	case LC_JOIN:
		jsonw_string_len_field(w, "comm", t->comm, bounded_len(t->comm, NSTRACE_COMM_LEN));
		jsonw_name(w, "entered");
		print_json_ns(w, &t->join.entered, NS_MASK_ALL);
		break;
	case LC_EXIT:
		json_exit_status(w, c->exit_code);
		jsonw_name(w, "survivors");
		jsonw_start_array(w);
		for (__u32 i = 0; i < t->exit.survivor_count; i++)
			jsonw_uint(w, t->exit.survivors[i]);
		jsonw_end_array(w);
		break;
	case LC_DESTROY:
		jsonw_uint_field(w, "lifetime_ns",
				 c->created_ns && c->destroyed_ns > c->created_ns ? c->destroyed_ns - c->created_ns : 0);
		json_container_body(w, c, m);
		break;
	}
	jsonw_end_object(w);
}

/* The container's name once its runtime told it, else its key. */
static void text_identity(FILE *out, const struct lc_container *c, const struct container_meta *m)
{
	if (m && m->name) {
		size_t n = strlen(m->name);

		escape_text(out, m->name, n, 0);
		fprintf(out, "%*s", n < 7 ? (int)(7 - n) : 0, "");
		fputc(' ', out);
		return;
	}
	fprintf(out, "c%-6" PRIu64 " ", (uint64_t)c->serial);
}

/* TIME, EVENT and CONT of a row of the lifecycle table, under its header. */
static void text_row_start(struct text_printer *p, const char *kind, __u64 time_ns, const struct lc_container *c,
			   const struct container_meta *m)
{
	__u64 rel = time_ns >= p->time_base_ns ? time_ns - p->time_base_ns : 0;

	if (!p->transitions_header_done) {
		fprintf(p->out, "%-12s %-17s %-7s %s\n", "TIME(s)", "EVENT", "CONT", "DETAILS");
		p->transitions_header_done = true;
	}
	fprintf(p->out, "%-12.6f %-17s ", rel / 1e9, kind);
	text_identity(p->out, c, m);
}

void print_transition_text(struct text_printer *p, const struct lc_transition *t, const struct container_meta *m)
{
	const struct lc_container *c = t->container;
	char nspid[NSPID_TEXT_LEN];
	FILE *out = p->out;

	text_row_start(p, kind_names[t->kind], t->time_ns, c, m);
	switch (t->kind) {
	case LC_CREATE:
		fprintf(out, "runtime=%s id=", runtime_name(c->runtime.runtime));
		if (c->runtime.id[0])
			escape_text(out, c->runtime.id, bounded_len(c->runtime.id, sizeof(c->runtime.id)), 0);
		else
			fputc('-', out);
		fprintf(out, " origin=%s creator=%u/", lc_origin_name(c->origin), c->creator_pid);
		escape_text(out, c->creator_comm, bounded_len(c->creator_comm, NSTRACE_COMM_LEN), 0);
		if (c->parent)
			fprintf(out, " parent=c%" PRIu64, (uint64_t)c->parent->serial);
		/* the key stays findable where the name stands in for it */
		if (m && m->name)
			fprintf(out, " key=c%" PRIu64, (uint64_t)c->serial);
		print_meta_fields_text(out, m);
		fputs(" ns=", out);
		print_text_ns(out, &c->ns, NS_MASK_ALL);
		fputs(" sharing=", out);
		text_sharing(out, c);
		fputc(' ', out);
		print_who_text(out, &c->who);
		break;
	case LC_INIT:
		fprintf(out, "pid=%u nspid=%s", c->init_pid,
			format_nspid(c->init_nspid, c->init_nspid_levels, nspid, sizeof(nspid)));
		break;
	case LC_EXEC:
		if (t->exec.index)
			fprintf(out, "exec#%u ", t->exec.index);
		else
			fputs("joined ", out);
		fprintf(out, "pid=%u ", t->pid);
		escape_text(out, t->exec.event->filename, bounded_len(t->exec.event->filename, NSTRACE_FILENAME_LEN), 1);
		fputs(" argv=", out);
		print_text_argv(out, t->exec.event);
		if (t->exec.index == 1) {
			fputc(' ', out);
			/* "all" for the capabilities of a privileged one: every one the host has */
			print_creds_text(out, &t->exec.event->creds,
					 c->privileged ? t->exec.event->creds.cap_effective : 0);
		}
		break;
	case LC_JOIN:
		fprintf(out, "pid=%u comm=", t->pid);
		escape_text(out, t->comm, bounded_len(t->comm, NSTRACE_COMM_LEN), 0);
		fputs(" entered=", out);
		print_text_ns(out, &t->join.entered, NS_MASK_ALL);
		break;
	case LC_EXIT:
		fprintf(out, "pid=%u ", t->pid);
		text_exit_status(out, c->exit_code);
		fprintf(out, " survivors=%u", t->exit.survivor_count);
		for (__u32 i = 0; i < t->exit.survivor_count && i < TEXT_SURVIVORS_MAX; i++)
			fprintf(out, "%c%u", i ? ',' : ' ', t->exit.survivors[i]);
		if (t->exit.survivor_count > TEXT_SURVIVORS_MAX)
			fputs(",...", out);
		break;
	case LC_DESTROY:
		fprintf(out, "runtime=%s execs=%u joins=%u ", runtime_name(c->runtime.runtime), c->execs, c->joins);
		text_exit_status(out, c->exit_code);
		text_timeline(out, c);
		text_audit(out, c);
		break;
	}
	if (c->incomplete)
		fputs(" incomplete", out);
	fputc('\n', out);
}

void print_container_header(FILE *out)
{
	fprintf(out, "%-7s %-14s %-12s %-9s %-8s %-14s %-7s %-5s %s\n", "CONT", "RUNTIME", "ID", "STATE",
		"INIT", "INIT_NSPID", "MEMBERS", "EXECS", "NAMESPACES SHARING");
}

void print_container_json(struct json_writer *w, const struct lc_container *c, const struct container_meta *m)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "type", "container");
	json_identity(w, c);
	json_container_body(w, c, m);
	jsonw_end_object(w);
}

void print_container_text(FILE *out, const struct lc_container *c, const struct container_meta *m)
{
	char nspid[NSPID_TEXT_LEN];

	text_identity(out, c, m);
	fprintf(out, "%-14s ", runtime_name(c->runtime.runtime));
	if (c->runtime.id[0]) {
		/* an ID is long; the first 12 characters name it, as docker ps does */
		size_t n = bounded_len(c->runtime.id, sizeof(c->runtime.id));

		escape_text(out, c->runtime.id, n < 12 ? n : 12, 0);
		fprintf(out, "%*s", (int)(13 - (n < 12 ? n : 12)), "");
	} else {
		fprintf(out, "%-12s ", "-");
	}
	fprintf(out, "%-9s %-8u ", state_names[c->state], c->init_pid);
	fprintf(out, "%-14s ", format_nspid(c->init_nspid, c->init_nspid_levels, nspid, sizeof(nspid)));
	fprintf(out, "%-7u %-5u ", c->members, c->execs);
	print_text_ns(out, &c->ns, c->owned);
	fputc(' ', out);
	text_sharing(out, c);
	text_audit(out, c);
	if (c->incomplete)
		fputs(" incomplete", out);
	if (m && m->name)
		fprintf(out, " key=c%" PRIu64, (uint64_t)c->serial);
	print_meta_fields_text(out, m);
	fputc('\n', out);
}

void print_meta_record_json(struct json_writer *w, const struct lc_container *c, const struct container_meta *m,
			    __u64 time_ns)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "type", "container_meta");
	jsonw_uint_field(w, "time_ns", time_ns);
	json_identity(w, c);
	print_meta_json(w, m);
	jsonw_end_object(w);
}

void print_meta_record_text(struct text_printer *p, const struct lc_container *c, const struct container_meta *m,
			    __u64 time_ns)
{
	text_row_start(p, "container_meta", time_ns, c, m);
	fprintf(p->out, "key=c%" PRIu64, (uint64_t)c->serial);
	print_meta_fields_text(p->out, m);
	fputc('\n', p->out);
}
