// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <inttypes.h>
#include <string.h>
#include "escape.h"
#include "print.h"

#define MAX_FLAG_NAMES 16

static size_t comm_len(const struct nstrace_header *hdr)
{
	return strnlen(hdr->comm, sizeof(hdr->comm));
}

void print_json_nspid(FILE *out, const __u32 *nspid, __u32 levels)
{
	putc_unlocked('[', out);
	for (__u32 i = 0; i < levels && i < NSTRACE_MAX_PID_LEVELS; i++) {
		if (i)
			putc_unlocked(',', out);
		put_unsigned(out, nspid[i]);
	}
	putc_unlocked(']', out);
}

const char *format_nspid(const __u32 *nspid, __u32 levels, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (__u32 i = 0; i < levels && i < NSTRACE_MAX_PID_LEVELS && used < size; i++)
		used += snprintf(buf + used, size - used, "%s%u", i ? "/" : "", nspid[i]);
	if (!levels)
		snprintf(buf, size, "-");
	return buf;
}

/* Room for every type as ,"time_for_children":4294967295 and the braces. */
#define NS_JSON_MAX (NSTRACE_NS_TYPE_COUNT * 32 + 3)

static size_t format_json_ns(char *buf, const struct nstrace_ns_set *ns, nstrace_ns_mask only)
{
	size_t used = 0;

	buf[used++] = '{';
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++) {
		const char *name = nstrace_ns_name(t);
		size_t len = strlen(name);

		if (!ns->inum[t] || !(only & (1u << t)))
			continue;
		if (used > 1)
			buf[used++] = ',';
		buf[used++] = '"';
		memcpy(buf + used, name, len);
		used += len;
		buf[used++] = '"';
		buf[used++] = ':';
		used += format_unsigned(buf + used, ns->inum[t]);
	}
	buf[used++] = '}';
	return used;
}

/*
 * Consecutive events mostly come from tasks in the same namespaces, and
 * ten inode numbers are most of an event's digits: the object of the last
 * set printed is kept.
 */
void print_json_ns(FILE *out, const struct nstrace_ns_set *ns, nstrace_ns_mask only)
{
	static struct nstrace_ns_set last_ns;
	static nstrace_ns_mask last_only;
	static char text[NS_JSON_MAX];
	static size_t len;

	if (!len || only != last_only || memcmp(ns, &last_ns, sizeof(*ns))) {
		len = format_json_ns(text, ns, only);
		last_ns = *ns;
		last_only = only;
	}
	fwrite_unlocked(text, 1, len, out);
}

void print_text_ns(FILE *out, const struct nstrace_ns_set *ns, nstrace_ns_mask only)
{
	bool first = true;

	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++) {
		if (!ns->inum[t] || !(only & (1u << t)))
			continue;
		fprintf(out, "%s%s:%u", first ? "" : ",", nstrace_ns_name(t), ns->inum[t]);
		first = false;
	}
	if (first)
		fputc('-', out);
}

void print_json_ns_names(FILE *out, nstrace_ns_mask mask)
{
	bool first = true;

	putc_unlocked('[', out);
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++) {
		if (!(mask & (1u << t)))
			continue;
		put_str(first ? "\"" : ",\"", out);
		put_str(nstrace_ns_name(t), out);
		putc_unlocked('"', out);
		first = false;
	}
	putc_unlocked(']', out);
}

static void print_json_flags(FILE *out, __u64 flags)
{
	const char *names[MAX_FLAG_NAMES];
	size_t n = nstrace_clone_flag_names(flags, names, MAX_FLAG_NAMES);

	putc_unlocked('[', out);
	for (size_t i = 0; i < n; i++) {
		put_str(i ? ",\"" : "\"", out);
		put_str(names[i], out);
		putc_unlocked('"', out);
	}
	putc_unlocked(']', out);
}

static void print_text_flags(FILE *out, __u64 flags)
{
	const char *names[MAX_FLAG_NAMES];
	size_t n = nstrace_clone_flag_names(flags, names, MAX_FLAG_NAMES);

	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? "|" : "", names[i]);
	if (!n)
		fputc('0', out);
}

void print_json_argv(FILE *out, const struct nstrace_exec_event *e)
{
	size_t pos = 0, len;
	const char *arg;
	bool first = true;

	putc_unlocked('[', out);
	while ((arg = nstrace_next_arg(e, &pos, &len))) {
		if (!first)
			putc_unlocked(',', out);
		escape_json(out, arg, len);
		first = false;
	}
	putc_unlocked(']', out);
}

void print_text_argv(FILE *out, const struct nstrace_exec_event *e)
{
	size_t pos = 0, len;
	const char *arg;
	bool first = true;

	while ((arg = nstrace_next_arg(e, &pos, &len))) {
		if (!first)
			fputc(' ', out);
		escape_text(out, arg, len, 1);
		first = false;
	}
	if (e->args_truncated)
		fputs(" ...", out);
}

static void print_json_common(FILE *out, const struct nstrace_header *hdr)
{
	put_str("{\"type\":\"", out);
	put_str(nstrace_event_name(hdr->type), out);
	put_field_unsigned(out, "\",\"time_ns\":", hdr->time_ns);
	put_field_unsigned(out, ",\"pid\":", hdr->pid);
	put_field_unsigned(out, ",\"tid\":", hdr->tid);
	put_field_unsigned(out, ",\"ppid\":", hdr->ppid);
	put_str(",\"comm\":", out);
	escape_json(out, hdr->comm, comm_len(hdr));
	put_str(",\"nspid\":", out);
	print_json_nspid(out, hdr->nspid, hdr->nspid_levels);
	put_str(",\"ns\":", out);
	print_json_ns(out, &hdr->ns, NS_MASK_ALL);
}

static void print_json_event(FILE *out, const union nstrace_event *e)
{
	struct nstrace_exit_status st;

	print_json_common(out, &e->hdr);
	switch (e->hdr.type) {
	case NSTRACE_EVENT_CLONE:
		put_str(",\"flags\":", out);
		print_json_flags(out, e->clone.flags);
		put_field_unsigned(out, ",\"clone_flags\":", e->clone.flags);
		put_field_unsigned(out, ",\"caller_pid\":", e->clone.caller_pid);
		put_field_unsigned(out, ",\"caller_tid\":", e->clone.caller_tid);
		put_str(",\"new_ns\":", out);
		print_json_ns_names(out, nstrace_new_ns(e));
		break;
	case NSTRACE_EVENT_UNSHARE:
		put_str(",\"flags\":", out);
		print_json_flags(out, e->unshare.flags);
		put_field_signed(out, ",\"ret\":", e->unshare.ret);
		put_str(",\"new_ns\":", out);
		print_json_ns_names(out, nstrace_new_ns(e));
		break;
	case NSTRACE_EVENT_SETNS:
		put_field_signed(out, ",\"fd\":", e->setns.fd);
		put_field_signed(out, ",\"nstype\":", e->setns.nstype);
		put_field_signed(out, ",\"ret\":", e->setns.ret);
		put_str(e->setns.target == NSTRACE_SETNS_TARGET_NSFS	? ",\"target\":\"nsfs\""
		      : e->setns.target == NSTRACE_SETNS_TARGET_PIDFD ? ",\"target\":\"pidfd\""
								      : ",\"target\":\"unknown\"",
			out);
		put_str(",\"entered\":", out);
		print_json_ns(out, &e->hdr.ns, nstrace_setns_entered(&e->setns));
		break;
	case NSTRACE_EVENT_EXEC:
		put_str(",\"filename\":", out);
		escape_json(out, e->exec.filename, strnlen(e->exec.filename, sizeof(e->exec.filename)));
		put_str(",\"argv\":", out);
		print_json_argv(out, &e->exec);
		put_field_bool(out, ",\"argv_truncated\":", e->exec.args_truncated);
		put_field_bool(out, ",\"filename_truncated\":", e->exec.filename_truncated);
		put_field_unsigned(out, ",\"old_tid\":", e->exec.old_tid);
		break;
	case NSTRACE_EVENT_EXIT:
		st = nstrace_exit_status(e->exit.exit_code);
		put_field_signed(out, ",\"exit_code\":", st.code);
		put_field_signed(out, ",\"signal\":", st.signal);
		put_field_bool(out, ",\"core_dumped\":", st.core_dumped);
		put_field_bool(out, ",\"reaper\":", e->exit.reaper);
		break;
	}
	put_str("}\n", out);
}

static void print_text_event(struct printer *p, const union nstrace_event *e)
{
	FILE *out = p->out;
	struct nstrace_exit_status st;
	__u64 rel = e->hdr.time_ns >= p->time_base_ns ? e->hdr.time_ns - p->time_base_ns : 0;
	char nspid[NSPID_TEXT_LEN];
	nstrace_ns_mask mask;

	if (!p->header_done) {
		fprintf(out, "%-12s %-8s %-7s %-7s %-14s %-16s %s\n", "TIME(s)", "EVENT", "PID", "PPID",
			"NSPID", "COMM", "DETAILS");
		p->header_done = true;
	}
	fprintf(out, "%-12.6f %-8s %-7u %-7u ", rel / 1e9, nstrace_event_name(e->hdr.type), e->hdr.pid,
		e->hdr.ppid);
	fprintf(out, "%-14s ", format_nspid(e->hdr.nspid, e->hdr.nspid_levels, nspid, sizeof(nspid)));
	escape_text(out, e->hdr.comm, comm_len(&e->hdr), 0);
	fprintf(out, "%*s", (int)(17 - (comm_len(&e->hdr) < 16 ? comm_len(&e->hdr) : 16)), "");

	switch (e->hdr.type) {
	case NSTRACE_EVENT_CLONE:
	case NSTRACE_EVENT_UNSHARE:
		fputs("flags=", out);
		print_text_flags(out, e->hdr.type == NSTRACE_EVENT_CLONE ? e->clone.flags : e->unshare.flags);
		if (e->hdr.type == NSTRACE_EVENT_UNSHARE)
			fprintf(out, " ret=%" PRId64, (int64_t)e->unshare.ret);
		mask = nstrace_new_ns(e);
		fputs(" new=", out);
		print_text_ns(out, &e->hdr.ns, mask);
		break;
	case NSTRACE_EVENT_SETNS:
		fprintf(out, "fd=%d nstype=%#x ret=%" PRId64 " entered=", e->setns.fd,
			(unsigned)e->setns.nstype, (int64_t)e->setns.ret);
		print_text_ns(out, &e->hdr.ns, nstrace_setns_entered(&e->setns));
		break;
	case NSTRACE_EVENT_EXEC:
		escape_text(out, e->exec.filename, strnlen(e->exec.filename, sizeof(e->exec.filename)), 1);
		fputs(" argv=", out);
		print_text_argv(out, &e->exec);
		break;
	case NSTRACE_EVENT_EXIT:
		st = nstrace_exit_status(e->exit.exit_code);
		if (st.signal)
			fprintf(out, "signal=%d%s", st.signal, st.core_dumped ? " core" : "");
		else
			fprintf(out, "code=%d", st.code);
		if (e->exit.reaper)
			fputs(" reaper", out);
		break;
	}
	fputc('\n', out);
}

void print_event(struct printer *p, const union nstrace_event *e)
{
	if (p->json)
		print_json_event(p->out, e);
	else
		print_text_event(p, e);
}

void print_lost(struct printer *p, __u64 count, __u64 total)
{
	if (p->json)
		fprintf(p->out, "{\"type\":\"lost\",\"count\":%" PRIu64 ",\"total\":%" PRIu64 "}\n",
			(uint64_t)count, (uint64_t)total);
	else
		fprintf(stderr, "nstrace: lost %" PRIu64 " events (ring buffer full), %" PRIu64 " in total\n",
			(uint64_t)count, (uint64_t)total);
}
