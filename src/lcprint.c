// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <inttypes.h>
#include <string.h>
#include "escape.h"
#include "lcprint.h"

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

static const char *const state_names[] = {
	[LC_CREATED] = "created",
	[LC_RUNNING] = "running",
	[LC_EXITED] = "exited",
	[LC_DESTROYED] = "destroyed",
};

static size_t bounded_len(const char *s, size_t max)
{
	return strnlen(s, max);
}

static void json_ns_of(FILE *out, const struct nstrace_ns_set *ns)
{
	print_json_ns(out, ns, NS_MASK_ALL);
}

static void json_exit_status(FILE *out, __u32 exit_code)
{
	struct nstrace_exit_status st = nstrace_exit_status(exit_code);

	fprintf(out, ",\"exit_code\":%d,\"signal\":%d,\"core_dumped\":%s", st.code, st.signal,
		st.core_dumped ? "true" : "false");
}

static void text_exit_status(FILE *out, __u32 exit_code)
{
	struct nstrace_exit_status st = nstrace_exit_status(exit_code);

	if (st.signal)
		fprintf(out, "signal=%d%s", st.signal, st.core_dumped ? " core" : "");
	else
		fprintf(out, "code=%d", st.code);
}

static void json_timeline(FILE *out, const struct lc_container *c)
{
	struct lc_timeline tl;

	if (!lifecycle_timeline(c, &tl)) {
		fputs(",\"start\":null", out);
		return;
	}
	fprintf(out, ",\"start\":{\"total_ns\":%" PRIu64 ",\"to_init_ns\":%" PRIu64 ",\"to_exec_ns\":[",
		(uint64_t)tl.total_ns, (uint64_t)tl.to_init_ns);
	for (__u32 i = 0; i < tl.execs; i++)
		fprintf(out, "%s%" PRIu64, i ? "," : "", (uint64_t)tl.to_exec_ns[i]);
	fputs("]}", out);
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

static void json_identity(FILE *out, const struct lc_container *c)
{
	fprintf(out, "\"container\":\"c%" PRIu64 "\",\"pidns\":%u,\"generation\":%u,\"runtime\":\"%s\",\"container_id\":",
		(uint64_t)c->serial, c->pidns, c->generation, runtime_name(c->runtime.runtime));
	if (c->runtime.id[0])
		escape_json(out, c->runtime.id, bounded_len(c->runtime.id, sizeof(c->runtime.id)));
	else
		fputs("null", out);
	fprintf(out, ",\"incomplete\":%s", c->incomplete ? "true" : "false");
}

/* The container whose pid namespace holds this one's, or null at the host's level. */
static void json_parent(FILE *out, const struct lc_container *c)
{
	if (c->parent)
		fprintf(out, ",\"parent\":\"c%" PRIu64 "\"", (uint64_t)c->parent->serial);
	else
		fputs(",\"parent\":null", out);
}

static void json_container_body(FILE *out, const struct lc_container *c)
{
	fprintf(out, ",\"state\":\"%s\",\"origin\":\"%s\",\"init_pid\":%u,\"init_nspid\":", state_names[c->state],
		origin_names[c->origin], c->init_pid);
	print_json_nspid(out, c->init_nspid, c->init_nspid_levels);
	json_parent(out, c);
	fprintf(out, ",\"members\":%u,\"execs\":%u,\"joins\":%u", c->members, c->execs, c->joins);
	if (c->state == LC_EXITED || c->state == LC_DESTROYED)
		json_exit_status(out, c->exit_code);
	json_timeline(out, c);
	fputs(",\"ns\":", out);
	json_ns_of(out, &c->ns);
}

static void print_json_transition(FILE *out, const struct lc_transition *t)
{
	const struct lc_container *c = t->container;

	fprintf(out, "{\"type\":\"%s\",\"time_ns\":%" PRIu64 ",", kind_names[t->kind], (uint64_t)t->time_ns);
	json_identity(out, c);
	fprintf(out, ",\"pid\":%u", t->pid);
	switch (t->kind) {
	case LC_CREATE:
		fprintf(out, ",\"origin\":\"%s\",\"creator\":{\"pid\":%u,\"comm\":", origin_names[c->origin],
			c->creator_pid);
		escape_json(out, c->creator_comm, bounded_len(c->creator_comm, NSTRACE_COMM_LEN));
		fputc('}', out);
		json_parent(out, c);
		fputs(",\"ns\":", out);
		json_ns_of(out, &c->ns);
		break;
	case LC_INIT:
		fputs(",\"nspid\":", out);
		print_json_nspid(out, c->init_nspid, c->init_nspid_levels);
		fputs(",\"ns\":", out);
		json_ns_of(out, &c->ns);
		break;
	case LC_EXEC:
		fputs(",\"comm\":", out);
		escape_json(out, t->comm, bounded_len(t->comm, NSTRACE_COMM_LEN));
		if (t->exec.index)
			fprintf(out, ",\"exec_index\":%u", t->exec.index);
		fprintf(out, ",\"joined\":%s,\"filename\":", t->exec.joined ? "true" : "false");
		escape_json(out, t->exec.event->filename, bounded_len(t->exec.event->filename, NSTRACE_FILENAME_LEN));
		fputs(",\"argv\":", out);
		print_json_argv(out, t->exec.event);
		fprintf(out, ",\"argv_truncated\":%s", t->exec.event->args_truncated ? "true" : "false");
		break;
	case LC_JOIN:
		fputs(",\"comm\":", out);
		escape_json(out, t->comm, bounded_len(t->comm, NSTRACE_COMM_LEN));
		fputs(",\"entered\":", out);
		json_ns_of(out, &t->join.entered);
		break;
	case LC_EXIT:
		json_exit_status(out, c->exit_code);
		fputs(",\"survivors\":[", out);
		for (__u32 i = 0; i < t->exit.survivor_count; i++)
			fprintf(out, "%s%u", i ? "," : "", t->exit.survivors[i]);
		fputc(']', out);
		break;
	case LC_DESTROY:
		fprintf(out, ",\"lifetime_ns\":%" PRIu64,
			(uint64_t)(c->created_ns && c->destroyed_ns > c->created_ns ? c->destroyed_ns - c->created_ns : 0));
		json_container_body(out, c);
		break;
	}
	fputs("}\n", out);
}

static void text_identity(FILE *out, const struct lc_container *c)
{
	fprintf(out, "c%-6" PRIu64 " ", (uint64_t)c->serial);
}

static void print_text_transition(struct printer *p, const struct lc_transition *t)
{
	const struct lc_container *c = t->container;
	__u64 rel = t->time_ns >= p->time_base_ns ? t->time_ns - p->time_base_ns : 0;
	char nspid[NSPID_TEXT_LEN];
	FILE *out = p->out;

	if (!p->header_done) {
		fprintf(out, "%-12s %-17s %-7s %s\n", "TIME(s)", "EVENT", "CONT", "DETAILS");
		p->header_done = true;
	}
	fprintf(out, "%-12.6f %-17s ", rel / 1e9, kind_names[t->kind]);
	text_identity(out, c);
	switch (t->kind) {
	case LC_CREATE:
		fprintf(out, "runtime=%s id=", runtime_name(c->runtime.runtime));
		if (c->runtime.id[0])
			escape_text(out, c->runtime.id, bounded_len(c->runtime.id, sizeof(c->runtime.id)), 0);
		else
			fputc('-', out);
		fprintf(out, " origin=%s creator=%u/", origin_names[c->origin], c->creator_pid);
		escape_text(out, c->creator_comm, bounded_len(c->creator_comm, NSTRACE_COMM_LEN), 0);
		if (c->parent)
			fprintf(out, " parent=c%" PRIu64, (uint64_t)c->parent->serial);
		fputs(" ns=", out);
		print_text_ns(out, &c->ns, NS_MASK_ALL);
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
		break;
	}
	if (c->incomplete)
		fputs(" incomplete", out);
	fputc('\n', out);
}

void print_transition(struct printer *p, const struct lc_transition *t)
{
	if (p->json)
		print_json_transition(p->out, t);
	else
		print_text_transition(p, t);
}

void print_container_header(struct printer *p)
{
	if (p->json)
		return;
	fprintf(p->out, "%-7s %-14s %-12s %-9s %-8s %-14s %-7s %-5s %s\n", "CONT", "RUNTIME", "ID", "STATE",
		"INIT", "INIT_NSPID", "MEMBERS", "EXECS", "NAMESPACES");
}

void print_container(struct printer *p, const struct lc_container *c)
{
	char nspid[NSPID_TEXT_LEN];
	FILE *out = p->out;

	if (p->json) {
		fputs("{\"type\":\"container\",", out);
		json_identity(out, c);
		json_container_body(out, c);
		fputs("}\n", out);
		return;
	}
	fprintf(out, "c%-6" PRIu64 " %-14s ", (uint64_t)c->serial, runtime_name(c->runtime.runtime));
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
	if (c->incomplete)
		fputs(" incomplete", out);
	fputc('\n', out);
}
