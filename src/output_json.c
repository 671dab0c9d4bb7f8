// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The JSON output: one JSON Lines record per event, transition, container and summary. */
#include <stdlib.h>
#include "lcprint.h"
#include "lifecycle.h"
#include "output.h"
#include "util.h"

struct json_output {
	struct printer_output p; /* first: destroyed with printer_output_destroy */
	struct json_writer w;
};

static struct json_output *to_json(struct output *o)
{
	return container_of(o, struct json_output, p.base);
}

static void json_event(struct output *o, const union nstrace_event *e)
{
	struct json_output *j = to_json(o);

	if (printer_wants_event(&j->p.opts, e))
		print_event_json(&j->w, e);
}

static void json_lost(struct output *o, __u64 count, __u64 total)
{
	print_lost_json(&to_json(o)->w, count, total);
}

static void json_transition(struct output *o, const struct lc_transition *t)
{
	print_transition_json(&to_json(o)->w, t, output_meta_of(o, t->container));
}

static void json_container_meta(struct output *o, const struct lc_container *c, const struct container_meta *m,
				__u64 time_ns)
{
	print_meta_record_json(&to_json(o)->w, c, m, time_ns);
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

	lifecycle_for_each(lc, print_alive, to_json(o));
	jsonw_start_object(w);
	jsonw_string_field(w, "type", "summary");
	jsonw_uint_field(w, "events", totals->events);
	jsonw_uint_field(w, "lost", totals->lost);
	jsonw_uint_field(w, "containers", totals->containers);
	jsonw_uint_field(w, "destroyed", totals->destroyed);
	jsonw_end_object(w);
}

static const struct output_ops json_ops = {
	.event = json_event,
	.lost = json_lost,
	.transition = json_transition,
	.container_meta = json_container_meta,
	.finish = json_finish,
	.check = printer_output_check,
	.flush = printer_output_flush,
	.destroy = printer_output_destroy,
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
