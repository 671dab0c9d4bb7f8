// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <string.h>
#include "auditprint.h"
#include "creds.h"
#include "escape.h"
#include "print.h"

static const char *const seccomp_names[] = { "disabled", "strict", "filter" };

static void json_caps(struct json_writer *w, const char *name, __u64 set)
{
	jsonw_name(w, name);
	jsonw_start_array(w);
	for (unsigned int bit = 0; bit < 64; bit++) {
		if (!(set & (1ULL << bit)))
			continue;
		/* a capability newer than this table stays a number */
		if (cap_name(bit))
			jsonw_string(w, cap_name(bit));
		else
			jsonw_uint(w, bit);
	}
	jsonw_end_array(w);
}

static void json_id_or_null(struct json_writer *w, const char *name, bool known, __u32 id)
{
	if (known && id != NSTRACE_UID_UNSET)
		jsonw_uint_field(w, name, id);
	else
		jsonw_null_field(w, name);
}

static void json_idmap(struct json_writer *w, const char *name, const struct nstrace_idmap *m, bool host)
{
	jsonw_name(w, name);
	if (host) {
		jsonw_null(w);
		return;
	}
	jsonw_start_array(w);
	for (size_t i = 0; i < idmap_stored(m); i++) {
		jsonw_start_array(w);
		jsonw_uint(w, m->extent[i].first);
		jsonw_uint(w, m->extent[i].lower_first);
		jsonw_uint(w, m->extent[i].count);
		jsonw_end_array(w);
	}
	jsonw_end_array(w);
}

/* The id inside its user namespace; the host's own is the id itself. */
static bool inner_id(const struct nstrace_creds *c, const struct nstrace_idmap *m, __u32 id, __u32 *inner)
{
	if (!c->userns_level) {
		*inner = id;
		return true;
	}
	return idmap_to_inner(m->extent, idmap_stored(m), id, inner);
}

void print_creds_json(struct json_writer *w, const struct nstrace_creds *c)
{
	bool audit = c->flags & NSTRACE_CREDS_AUDIT, uid_known, gid_known;
	__u32 uid_in = 0, gid_in = 0;

	if (!(c->flags & NSTRACE_CREDS_READ)) {
		jsonw_null(w);
		return;
	}
	jsonw_start_object(w);
	jsonw_uint_field(w, "uid", c->uid);
	jsonw_uint_field(w, "gid", c->gid);
	jsonw_uint_field(w, "euid", c->euid);
	jsonw_uint_field(w, "egid", c->egid);
	uid_known = inner_id(c, &c->uid_map, c->uid, &uid_in);
	gid_known = inner_id(c, &c->gid_map, c->gid, &gid_in);
	json_id_or_null(w, "uid_inside", uid_known, uid_in);
	json_id_or_null(w, "gid_inside", gid_known, gid_in);
	json_id_or_null(w, "auid", audit, c->loginuid);
	json_id_or_null(w, "sessionid", audit, c->sessionid);
	json_caps(w, "cap_effective", c->cap_effective);
	json_caps(w, "cap_permitted", c->cap_permitted);
	json_caps(w, "cap_bounding", c->cap_bounding);
	json_caps(w, "cap_inheritable", c->cap_inheritable);
	json_caps(w, "cap_ambient", c->cap_ambient);
	jsonw_uint_field(w, "securebits", c->securebits);
	jsonw_bool_field(w, "no_new_privs", c->flags & NSTRACE_CREDS_NO_NEW_PRIVS);
	if ((c->flags & NSTRACE_CREDS_SECCOMP) && c->seccomp_mode < sizeof(seccomp_names) / sizeof(seccomp_names[0]))
		jsonw_string_field(w, "seccomp", seccomp_names[c->seccomp_mode]);
	else
		jsonw_null_field(w, "seccomp");
	jsonw_name(w, "userns");
	jsonw_start_object(w);
	jsonw_uint_field(w, "level", c->userns_level);
	json_idmap(w, "uid_map", &c->uid_map, !c->userns_level);
	json_idmap(w, "gid_map", &c->gid_map, !c->userns_level);
	jsonw_bool_field(w, "map_cut", c->uid_map.nr_extents > NSTRACE_IDMAP_EXTENTS ||
					       c->gid_map.nr_extents > NSTRACE_IDMAP_EXTENTS);
	jsonw_end_object(w);
	jsonw_end_object(w);
}

static void text_caps(FILE *out, const char *name, __u64 set, __u64 all)
{
	char buf[1024];

	caps_text(set, all, buf, sizeof(buf));
	fprintf(out, " %s=%s", name, buf);
}

void print_creds_text(FILE *out, const struct nstrace_creds *c, __u64 host_bounding)
{
	if (!(c->flags & NSTRACE_CREDS_READ)) {
		fputs("creds=unknown", out);
		return;
	}
	fprintf(out, "uid=%u euid=%u gid=%u", c->uid, c->euid, c->gid);
	if ((c->flags & NSTRACE_CREDS_AUDIT) && c->loginuid != NSTRACE_UID_UNSET)
		fprintf(out, " auid=%u", c->loginuid);
	text_caps(out, "caps", c->cap_effective, host_bounding);
	if (c->cap_bounding != c->cap_effective)
		text_caps(out, "bounding", c->cap_bounding, host_bounding);
	if ((c->flags & NSTRACE_CREDS_SECCOMP) && c->seccomp_mode < sizeof(seccomp_names) / sizeof(seccomp_names[0]))
		fprintf(out, " seccomp=%s", seccomp_names[c->seccomp_mode]);
	if (c->flags & NSTRACE_CREDS_NO_NEW_PRIVS)
		fputs(" no_new_privs", out);
	if (c->userns_level) {
		fprintf(out, " userns=level%u uid_map=", c->userns_level);
		for (size_t i = 0; i < idmap_stored(&c->uid_map); i++)
			fprintf(out, "%s%u:%u:%u", i ? "," : "", c->uid_map.extent[i].first,
				c->uid_map.extent[i].lower_first, c->uid_map.extent[i].count);
		if (!c->uid_map.nr_extents)
			fputs("none", out);
	}
}

void print_who_json(struct json_writer *w, const struct who *who)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "started_by", who_end_name(who->end));
	json_id_or_null(w, "auid", true, who->loginuid);
	jsonw_name(w, "chain");
	jsonw_start_array(w);
	for (__u32 i = 0; i < who->count && i < WHO_MAX_CHAIN; i++) {
		const struct who_process *p = &who->chain[i];

		jsonw_start_object(w);
		jsonw_uint_field(w, "pid", p->pid);
		jsonw_string_len_field(w, "comm", p->comm, strnlen(p->comm, sizeof(p->comm)));
		jsonw_bool_field(w, "runtime", p->runtime);
		json_id_or_null(w, "uid", p->ids_known, p->uid);
		json_id_or_null(w, "euid", p->ids_known, p->euid);
		json_id_or_null(w, "gid", p->ids_known, p->gid);
		json_id_or_null(w, "auid", p->audit, p->loginuid);
		json_id_or_null(w, "sessionid", p->audit, p->sessionid);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_end_object(w);
}

void print_who_text(FILE *out, const struct who *who)
{
	fprintf(out, "started_by=%s", who_end_name(who->end));
	if (who->loginuid != NSTRACE_UID_UNSET)
		fprintf(out, " auid=%u", who->loginuid);
	for (__u32 i = 0; i < who->count && i < WHO_MAX_CHAIN; i++) {
		const struct who_process *p = &who->chain[i];

		fprintf(out, "%s%u/", i ? "<" : " ", p->pid);
		escape_text(out, p->comm, strnlen(p->comm, sizeof(p->comm)), 0);
		if (p->ids_known)
			fprintf(out, "(uid=%u", p->uid);
		if (p->ids_known && p->audit && p->loginuid != NSTRACE_UID_UNSET)
			fprintf(out, ",auid=%u", p->loginuid);
		if (p->ids_known)
			fputc(')', out);
	}
}

void print_mounts_json(struct json_writer *w, const struct mount_exposures *m)
{
	__u32 stored;

	if (!m || !(m->flags & MOUNT_EXPOSURES_READ)) {
		jsonw_null(w);
		return;
	}
	stored = m->total < MOUNT_EXPOSURES_MAX ? m->total : MOUNT_EXPOSURES_MAX;
	jsonw_start_object(w);
	jsonw_name(w, "exposed");
	jsonw_start_array(w);
	for (__u32 i = 0; i < stored; i++) {
		jsonw_start_object(w);
		jsonw_string_field(w, "kind", mount_exposure_name(m->item[i].kind));
		jsonw_string_len_field(w, "mount_point", m->item[i].mount_point,
				       strnlen(m->item[i].mount_point, sizeof(m->item[i].mount_point)));
		jsonw_bool_field(w, "read_only", m->item[i].read_only);
		jsonw_bool_field(w, "path_cut", m->item[i].path_cut);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_uint_field(w, "more", m->total - stored);
	jsonw_bool_field(w, "table_cut", m->flags & MOUNT_EXPOSURES_CUT);
	jsonw_end_object(w);
}

/* One entry per kind, its first mount point and how many more there are: a line stays readable. */
void print_mounts_text(FILE *out, const struct mount_exposures *m)
{
	__u32 stored, n = 0;

	if (!m || !(m->flags & MOUNT_EXPOSURES_READ) || !m->total)
		return;
	stored = m->total < MOUNT_EXPOSURES_MAX ? m->total : MOUNT_EXPOSURES_MAX;
	fputs(" exposes=", out);
	for (__u32 kind = 0; kind < MOUNT_EXPOSURE_COUNT; kind++) {
		const struct mount_exposure_item *first = NULL;
		__u32 more = 0;

		for (__u32 i = 0; i < stored; i++) {
			if (m->item[i].kind != kind)
				continue;
			if (first)
				more++;
			else
				first = &m->item[i];
		}
		if (!first)
			continue;
		fprintf(out, "%s%s:", n++ ? "," : "", mount_exposure_name(kind));
		escape_text(out, first->mount_point, strnlen(first->mount_point, sizeof(first->mount_point)), 0);
		if (more)
			fprintf(out, "(+%u)", more);
	}
	if (m->total > stored)
		fprintf(out, ",%u more", m->total - stored);
}

void print_alert_json(struct json_writer *w, const struct alert *a, const char *key, const char *target)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "type", "alert");
	jsonw_string_field(w, "rule", alert_rule_name(a->rule));
	jsonw_uint_field(w, "time_ns", a->time_ns);
	jsonw_string_field(w, "container", key);
	jsonw_uint_field(w, "pid", a->pid);
	jsonw_string_len_field(w, "comm", a->comm, strnlen(a->comm, sizeof(a->comm)));
	switch (a->rule) {
	case ALERT_NAMESPACE_ESCAPE:
		jsonw_name(w, "entered");
		print_json_ns_names(w, a->entered);
		jsonw_name(w, "host");
		print_json_ns_names(w, a->entered_host);
		if (target)
			jsonw_string_field(w, "target", target);
		else
			jsonw_null_field(w, "target");
		break;
	case ALERT_CAPABILITY_GAIN:
		json_caps(w, "caps_gained", a->caps_gained);
		json_caps(w, "caps_before", a->caps_before);
		jsonw_uint_field(w, "uid", a->uid);
		jsonw_uint_field(w, "euid", a->euid);
		break;
	case ALERT_PRIVILEGED_CONTAINER:
		json_caps(w, "cap_effective", a->cap_effective);
		json_caps(w, "host_bounding", a->host_bounding);
		break;
	case ALERT_HOST_PID_AND_NETWORK:
	case ALERT_RULE_COUNT:
		break;
	}
	jsonw_end_object(w);
}

void print_alert_text(FILE *out, const struct alert *a, const char *key, const char *target)
{
	char buf[1024];

	fprintf(out, "ALERT %s %s pid=%u comm=", alert_rule_name(a->rule), key, a->pid);
	escape_text(out, a->comm, strnlen(a->comm, sizeof(a->comm)), 0);
	switch (a->rule) {
	case ALERT_NAMESPACE_ESCAPE:
		fputs(" entered=", out);
		for (int t = 0, n = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
			if (a->entered & NS_BIT(t))
				fprintf(out, "%s%s", n++ ? "," : "", nstrace_ns_name(t));
		fprintf(out, " of=%s", target ? target : "host");
		break;
	case ALERT_CAPABILITY_GAIN:
		caps_text(a->caps_gained, 0, buf, sizeof(buf));
		fprintf(out, " gained=%s uid=%u euid=%u", buf, a->uid, a->euid);
		break;
	case ALERT_PRIVILEGED_CONTAINER:
		fputs(" holds every capability of the host", out);
		break;
	case ALERT_HOST_PID_AND_NETWORK:
		fputs(" shares the host's pid and network namespaces", out);
		break;
	case ALERT_RULE_COUNT:
		break;
	}
	fputc('\n', out);
}
