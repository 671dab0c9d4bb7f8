// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The JSON output: one JSON Lines record per event, transition, container and summary. */
#include <stdlib.h>
#include "alerts.h"
#include "auditprint.h"
#include "lcprint.h"
#include "lifecycle.h"
#include "output.h"
#include "util.h"

struct json_output {
	struct printer_output p; /* first: destroyed with printer_output_destroy */
	struct json_writer w;
	struct printed_creates shown; /* --alerts: containers whose create was printed */
};

static struct json_output *to_json(struct output *o)
{
	return container_of(o, struct json_output, p.base);
}

static void json_event(struct output *o, const union nstrace_event *e)
{
	struct json_output *j = to_json(o);

	if (!j->p.opts.alerts_only && printer_wants_event(&j->p.opts, e))
		print_event_json(&j->w, e);
}

static void json_lost(struct output *o, __u64 count, __u64 total)
{
	print_lost_json(&to_json(o)->w, count, total);
}

static void json_transition(struct output *o, const struct lc_transition *t)
{
	if (!to_json(o)->p.opts.alerts_only)
		print_transition_json(&to_json(o)->w, t, output_meta_of(o, t->container));
}

static void json_container_meta(struct output *o, const struct lc_container *c, const struct container_meta *m,
				__u64 time_ns)
{
	if (!to_json(o)->p.opts.alerts_only)
		print_meta_record_json(&to_json(o)->w, c, m, time_ns);
}

static void json_alert(struct output *o, const struct alert *a, const struct lc_container *c,
		       const struct lc_container *target, const union nstrace_event *cause)
{
	struct json_output *j = to_json(o);
	char key[CONTAINER_KEY_LEN], target_key[CONTAINER_KEY_LEN];

	/* with --alerts, what an alert points to comes first: its container's create, the event */
	if (j->p.opts.alerts_only) {
		struct lc_transition create;

		if (c && printed_creates_add(&j->shown, c->serial)) {
			container_create_of(c, &create);
			print_transition_json(&j->w, &create, output_meta_of(o, c));
		}
		if (cause)
			print_event_json(&j->w, cause);
	}
	format_container_key(key, a->container);
	if (target)
		format_container_key(target_key, target->serial);
	print_alert_json(&j->w, a, key, target ? target_key : NULL);
}

static void print_alive(void *ctx, const struct lc_container *c)
{
	struct json_output *j = ctx;

	if (output_shows(&j->p.base, c))
		print_container_json(&j->w, c, output_meta_of(&j->p.base, c));
}

static void json_finish(struct output *o, struct lifecycle *lc, const struct session_totals *totals)
{
	struct json_writer *w = &to_json(o)->w;

	if (!to_json(o)->p.opts.alerts_only)
		lifecycle_for_each(lc, print_alive, to_json(o));
	jsonw_start_object(w);
	jsonw_string_field(w, "type", "summary");
	jsonw_uint_field(w, "events", totals->events);
	jsonw_uint_field(w, "lost", totals->lost);
	jsonw_uint_field(w, "containers", totals->containers);
	jsonw_uint_field(w, "destroyed", totals->destroyed);
	jsonw_end_object(w);
}

static void json_destroy(struct output *o)
{
	printed_creates_free(&to_json(o)->shown);
	printer_output_destroy(o);
}

static const struct output_ops json_ops = {
	.event = json_event,
	.lost = json_lost,
	.transition = json_transition,
	.container_meta = json_container_meta,
	.alert = json_alert,
	.finish = json_finish,
	.check = printer_output_check,
	.flush = printer_output_flush,
	.destroy = json_destroy,
};

struct output *json_output_new(const struct printer_opts *opts)
{
	struct json_output *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->p.base.ops = &json_ops;
	j->p.opts = *opts;
	jsonw_init(&j->w, opts->out);
	return &j->p.base;
}
