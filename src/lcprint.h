/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Printers for lifecycle transitions and container summaries: plain and JSON. */
#ifndef NSTRACE_LCPRINT_H
#define NSTRACE_LCPRINT_H

#include "lifecycle.h"
#include "print.h"

void print_transition_text(struct text_printer *p, const struct lc_transition *t);
void print_transition_json(struct json_writer *w, const struct lc_transition *t);
/* One container as it stands: for the closing summary and for `nstrace ps`. */
void print_container_header(FILE *out);
void print_container_text(FILE *out, const struct lc_container *c);
void print_container_json(struct json_writer *w, const struct lc_container *c);
/* "clone", "unshare", "existing", "unseen" */
const char *lc_origin_name(enum lc_origin origin);

#endif
