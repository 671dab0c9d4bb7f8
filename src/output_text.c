// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The text output: aligned tables for a terminal, the summary in words. */
#include <inttypes.h>
#include <stdlib.h>
#include "alerts.h"
#include "auditprint.h"
#include "lcprint.h"
#include "lifecycle.h"
#include "output.h"
#include "util.h"

struct text_output {
	struct printer_output p; /* first: destroyed with printer_output_destroy */
	struct text_printer printer;
	bool time_base_set;
	struct printed_creates shown; /* --alerts: containers whose create was printed */
};

static struct text_output *to_text(struct output *o)
{
	return container_of(o, struct text_output, p.base);
}

static void text_event(struct output *o, const union nstrace_event *e)
{
	struct text_output *t = to_text(o);

	/* times count from the first event, printed or not, as in every run of the same input */
	if (!t->time_base_set) {
		t->printer.time_base_ns = e->hdr.time_ns;
		t->time_base_set = true;
	}
	if (!t->p.opts.alerts_only && printer_wants_event(&t->p.opts, e))
		print_event_text(&t->printer, e);
}

static void text_lost(struct output *o, __u64 count, __u64 total)
{
	(void)o;
	print_lost_text(count, total);
}

static void text_transition(struct output *o, const struct lc_transition *tr)
{
	if (!to_text(o)->p.opts.alerts_only)
		print_transition_text(&to_text(o)->printer, tr, output_meta_of(o, tr->container));
}

static void text_container_meta(struct output *o, const struct lc_container *c, const struct container_meta *m,
				__u64 time_ns)
{
	if (!to_text(o)->p.opts.alerts_only)
		print_meta_record_text(&to_text(o)->printer, c, m, time_ns);
}

static void text_alert(struct output *o, const struct alert *a, const struct lc_container *c,
		       const struct lc_container *target, const union nstrace_event *cause)
{
	struct text_output *t = to_text(o);
	char key[CONTAINER_KEY_LEN], target_key[CONTAINER_KEY_LEN];

	if (t->p.opts.alerts_only) {
		struct lc_transition create;

		if (c && printed_creates_add(&t->shown, c->serial)) {
			container_create_of(c, &create);
			print_transition_text(&t->printer, &create, output_meta_of(o, c));
		}
		if (cause)
			print_event_text(&t->printer, cause);
	}
	format_container_key(key, a->container);
	if (target)
		format_container_key(target_key, target->serial);
	print_alert_text(t->p.opts.out, a, key, target ? target_key : NULL);
}

static void print_alive(void *ctx, const struct lc_container *c)
{
	struct text_output *t = ctx;

	if (output_shows(&t->p.base, c))
		print_container_text(t->p.opts.out, c, output_meta_of(&t->p.base, c));
}

static void text_finish(struct output *o, struct lifecycle *lc, const struct session_totals *totals)
{
	FILE *out = to_text(o)->p.opts.out;

	if (totals->containers > totals->destroyed && !to_text(o)->p.opts.alerts_only) {
		fputs("\nContainers alive at the end of the trace:\n", out);
		print_container_header(out);
		lifecycle_for_each(lc, print_alive, to_text(o));
	}
	fprintf(out, "\n%" PRIu64 " events, %" PRIu64 " lost; %" PRIu64 " containers seen, %" PRIu64 " destroyed\n",
		(uint64_t)totals->events, (uint64_t)totals->lost, (uint64_t)totals->containers,
		(uint64_t)totals->destroyed);
}

static void text_destroy(struct output *o)
{
	printed_creates_free(&to_text(o)->shown);
	printer_output_destroy(o);
}

static const struct output_ops text_ops = {
	.event = text_event,
	.lost = text_lost,
	.transition = text_transition,
	.container_meta = text_container_meta,
	.alert = text_alert,
	.finish = text_finish,
	.check = printer_output_check,
	.flush = printer_output_flush,
	.destroy = text_destroy,
};

struct output *text_output_new(const struct printer_opts *opts)
{
	struct text_output *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->p.base.ops = &text_ops;
	t->p.opts = *opts;
	t->printer.out = opts->out;
	return &t->p.base;
}
