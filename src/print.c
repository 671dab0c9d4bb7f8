// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <inttypes.h>
#include <string.h>
#include "escape.h"
#include "auditprint.h"
#include "print.h"

#define MAX_FLAG_NAMES 16

static size_t comm_len(const struct nstrace_header *hdr)
{
	return strnlen(hdr->comm, sizeof(hdr->comm));
}

void print_json_nspid(struct json_writer *w, const __u32 *nspid, __u32 levels)
{
	jsonw_start_array(w);
	for (__u32 i = 0; i < levels && i < NSTRACE_MAX_PID_LEVELS; i++)
		jsonw_uint(w, nspid[i]);
	jsonw_end_array(w);
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

static void write_json_ns(struct json_writer *w, const struct nstrace_ns_set *ns, nstrace_ns_mask only)
{
	jsonw_start_object(w);
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		if (ns->inum[t] && (only & NS_BIT(t)))
			jsonw_uint_field(w, nstrace_ns_name(t), ns->inum[t]);
	jsonw_end_object(w);
}

/* Room for every type as ,"time_for_children":4294967295, the braces and fmemopen's NUL. */
#define NS_JSON_MAX (NSTRACE_NS_TYPE_COUNT * 32 + 3 + 1)
/* a task's own set, the container's and a setns target's alternate */
#define NS_JSON_CACHED 4

struct ns_json {
	struct nstrace_ns_set ns;
	nstrace_ns_mask only;
	size_t len; /* 0: unused */
	char text[NS_JSON_MAX];
};

/* Writes the object into slot with the writer; false if it could not. */
static bool cache_ns_json(struct ns_json *slot, const struct nstrace_ns_set *ns, nstrace_ns_mask only)
{
	/* one memory stream for every miss: opening one per miss costs a malloc and a free */
	static char scratch[NS_JSON_MAX];
	static FILE *mem;
	struct json_writer mw;
	long len;

	slot->len = 0;
	if (!mem && !(mem = fmemopen(scratch, sizeof(scratch), "w")))
		return false;
	rewind(mem);
	jsonw_init_fragment(&mw, mem);
	write_json_ns(&mw, ns, only);
	len = fflush(mem) ? -1 : ftell(mem);
	if (len <= 0 || (size_t)len >= sizeof(scratch))
		return false;
	memcpy(slot->text, scratch, len);
	slot->ns = *ns;
	slot->only = only;
	slot->len = len;
	return true;
}

/*
 * Consecutive records mostly name the same few namespace sets, and ten
 * inode numbers are most of an event's digits: the objects of the last
 * sets printed are kept, written by the same writer into memory.
 */
void print_json_ns(struct json_writer *w, const struct nstrace_ns_set *ns, nstrace_ns_mask only)
{
	static struct ns_json cache[NS_JSON_CACHED];
	static unsigned int next;
	struct ns_json *slot;

	for (int i = 0; i < NS_JSON_CACHED; i++) {
		slot = &cache[i];
		if (slot->len && slot->only == only && !memcmp(&slot->ns, ns, sizeof(*ns))) {
			jsonw_raw_value(w, slot->text, slot->len);
			return;
		}
	}
	slot = &cache[next++ % NS_JSON_CACHED];
	if (cache_ns_json(slot, ns, only))
		jsonw_raw_value(w, slot->text, slot->len);
	else
		write_json_ns(w, ns, only);
}

void print_text_ns(FILE *out, const struct nstrace_ns_set *ns, nstrace_ns_mask only)
{
	bool first = true;

	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++) {
		if (!ns->inum[t] || !(only & NS_BIT(t)))
			continue;
		fprintf(out, "%s%s:%u", first ? "" : ",", nstrace_ns_name(t), ns->inum[t]);
		first = false;
	}
	if (first)
		fputc('-', out);
}

void print_json_ns_names(struct json_writer *w, nstrace_ns_mask mask)
{
	jsonw_start_array(w);
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		if (mask & NS_BIT(t))
			jsonw_string(w, nstrace_ns_name(t));
	jsonw_end_array(w);
}

static void print_json_flags(struct json_writer *w, __u64 flags)
{
	const char *names[MAX_FLAG_NAMES];
	size_t n = nstrace_clone_flag_names(flags, names, MAX_FLAG_NAMES);

	jsonw_start_array(w);
	for (size_t i = 0; i < n; i++)
		jsonw_string(w, names[i]);
	jsonw_end_array(w);
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

void print_json_argv(struct json_writer *w, const struct nstrace_exec_event *e)
{
	size_t pos = 0, len;
	const char *arg;

	jsonw_start_array(w);
	while ((arg = nstrace_next_arg(e, &pos, &len)))
		jsonw_string_len(w, arg, len);
	jsonw_end_array(w);
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

static const char *setns_target_name(__u32 target)
{
	switch ((enum nstrace_setns_target)target) {
	case NSTRACE_SETNS_TARGET_NSFS:
		return "nsfs";
	case NSTRACE_SETNS_TARGET_PIDFD:
		return "pidfd";
	case NSTRACE_SETNS_TARGET_UNKNOWN:
		break;
	}
	return "unknown";
}

static void print_json_common(struct json_writer *w, const struct nstrace_header *hdr)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "type", nstrace_event_name(hdr->type));
	jsonw_uint_field(w, "time_ns", hdr->time_ns);
	jsonw_uint_field(w, "pid", hdr->pid);
	jsonw_uint_field(w, "tid", hdr->tid);
	jsonw_uint_field(w, "ppid", hdr->ppid);
	jsonw_string_len_field(w, "comm", hdr->comm, comm_len(hdr));
	jsonw_name(w, "nspid");
	print_json_nspid(w, hdr->nspid, hdr->nspid_levels);
	jsonw_name(w, "ns");
	print_json_ns(w, &hdr->ns, NS_MASK_ALL);
}

void print_event_json(struct json_writer *w, const union nstrace_event *e)
{
	struct nstrace_exit_status st;

	print_json_common(w, &e->hdr);
	switch ((enum nstrace_event_type)e->hdr.type) {
	case NSTRACE_EVENT_CLONE:
		jsonw_name(w, "flags");
		print_json_flags(w, e->clone.flags);
		jsonw_uint_field(w, "clone_flags", e->clone.flags);
		jsonw_uint_field(w, "caller_pid", e->clone.caller_pid);
		jsonw_uint_field(w, "caller_tid", e->clone.caller_tid);
		jsonw_name(w, "new_ns");
		print_json_ns_names(w, nstrace_new_ns(e));
		break;
	case NSTRACE_EVENT_UNSHARE:
		jsonw_name(w, "flags");
		print_json_flags(w, e->unshare.flags);
		jsonw_int_field(w, "ret", e->unshare.ret);
		jsonw_name(w, "new_ns");
		print_json_ns_names(w, nstrace_new_ns(e));
		break;
	case NSTRACE_EVENT_SETNS:
		jsonw_int_field(w, "fd", e->setns.fd);
		jsonw_int_field(w, "nstype", e->setns.nstype);
		jsonw_int_field(w, "ret", e->setns.ret);
		jsonw_string_field(w, "target", setns_target_name(e->setns.target));
		jsonw_name(w, "entered");
		print_json_ns(w, &e->hdr.ns, nstrace_setns_entered(&e->setns));
		break;
	case NSTRACE_EVENT_EXEC:
		jsonw_string_len_field(w, "filename", e->exec.filename,
				       strnlen(e->exec.filename, sizeof(e->exec.filename)));
		jsonw_name(w, "argv");
		print_json_argv(w, &e->exec);
		jsonw_bool_field(w, "argv_truncated", e->exec.args_truncated);
		jsonw_bool_field(w, "filename_truncated", e->exec.filename_truncated);
		jsonw_uint_field(w, "old_tid", e->exec.old_tid);
		jsonw_name(w, "creds");
		print_creds_json(w, &e->exec.creds);
		break;
	case NSTRACE_EVENT_EXIT:
		st = nstrace_exit_status(e->exit.exit_code);
		jsonw_int_field(w, "exit_code", st.code);
		jsonw_int_field(w, "signal", st.signal);
		jsonw_bool_field(w, "core_dumped", st.core_dumped);
		jsonw_bool_field(w, "reaper", e->exit.reaper);
		break;
	}
	jsonw_end_object(w);
}

void print_event_text(struct text_printer *p, const union nstrace_event *e)
{
	FILE *out = p->out;
	struct nstrace_exit_status st;
	__u64 rel = e->hdr.time_ns >= p->time_base_ns ? e->hdr.time_ns - p->time_base_ns : 0;
	char nspid[NSPID_TEXT_LEN];
	nstrace_ns_mask mask;

	if (!p->events_header_done) {
		fprintf(out, "%-12s %-8s %-7s %-7s %-14s %-16s %s\n", "TIME(s)", "EVENT", "PID", "PPID",
			"NSPID", "COMM", "DETAILS");
		p->events_header_done = true;
	}
	fprintf(out, "%-12.6f %-8s %-7u %-7u ", rel / 1e9, nstrace_event_name(e->hdr.type), e->hdr.pid,
		e->hdr.ppid);
	fprintf(out, "%-14s ", format_nspid(e->hdr.nspid, e->hdr.nspid_levels, nspid, sizeof(nspid)));
	escape_text(out, e->hdr.comm, comm_len(&e->hdr), 0);
	fprintf(out, "%*s", (int)(17 - (comm_len(&e->hdr) < 16 ? comm_len(&e->hdr) : 16)), "");

	switch ((enum nstrace_event_type)e->hdr.type) {
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

void print_lost_json(struct json_writer *w, __u64 count, __u64 total)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "type", "lost");
	jsonw_uint_field(w, "count", count);
	jsonw_uint_field(w, "total", total);
	jsonw_end_object(w);
}

/* In text the loss is a diagnostic: the tables on stdout keep their columns. */
void print_lost_text(__u64 count, __u64 total)
{
	fprintf(stderr, "nstrace: lost %" PRIu64 " events (ring buffer full), %" PRIu64 " in total\n",
		(uint64_t)count, (uint64_t)total);
}
