/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Printers for lifecycle transitions and container summaries: plain and JSON. */
#ifndef NSTRACE_LCPRINT_H
#define NSTRACE_LCPRINT_H

#include "lifecycle.h"
#include "meta.h"
#include "print.h"

/* m: what the container's runtime said of it so far, or NULL. */
void print_transition_text(struct text_printer *p, const struct lc_transition *t, const struct container_meta *m);
void print_transition_json(struct json_writer *w, const struct lc_transition *t, const struct container_meta *m);
/* One container as it stands: for the closing summary and for `nstrace ps`. */
void print_container_header(FILE *out);
void print_container_text(FILE *out, const struct lc_container *c, const struct container_meta *m);
void print_container_json(struct json_writer *w, const struct lc_container *c, const struct container_meta *m);
/* What became known of container c from its runtime after its container_create. */
void print_meta_record_text(struct text_printer *p, const struct lc_container *c, const struct container_meta *m,
			    __u64 time_ns);
void print_meta_record_json(struct json_writer *w, const struct lc_container *c, const struct container_meta *m,
			    __u64 time_ns);
/* "clone", "unshare", "existing", "unseen" */
const char *lc_origin_name(enum lc_origin origin);

/* room for "c" and a __u64 */
#define CONTAINER_KEY_LEN (1 + UNSIGNED_DIGITS_MAX + 1)
/* The key a container goes by in every record: "c<serial>". */
void format_container_key(char key[CONTAINER_KEY_LEN], __u64 serial);

/* The container_create record of a live container, again. */
void container_create_of(const struct lc_container *c, struct lc_transition *t);

/* Containers whose container_create an output printed already (--alerts prints each once). */
struct printed_creates {
	__u64 *serial;
	size_t count, cap;
};
/* true when serial was not in the set (and now is); false when it was, or memory ran out */
bool printed_creates_add(struct printed_creates *set, __u64 serial);
void printed_creates_free(struct printed_creates *set);

#endif
