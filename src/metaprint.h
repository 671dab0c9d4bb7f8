/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Printers for what a container's runtime said of it (meta.h): the fields
 * every container record carries, and the container_meta record. Every
 * string came from outside: all of it is escaped.
 */
#ifndef NSTRACE_METAPRINT_H
#define NSTRACE_METAPRINT_H

#include <stdio.h>
#include "json_writer.h"
#include "meta.h"

/*
 * Everything known, as members of the record being written: "sources",
 * "name", "image", "labels", "pod", "image_id", "compose", "bundle", each
 * null when unknown; m may be NULL.
 */
void print_meta_json(struct json_writer *w, const struct container_meta *m);
/* " name=... image=... pod=ns/name labels=k=v,...": what is known, nothing when m is NULL. */
void print_meta_fields_text(FILE *out, const struct container_meta *m);

#endif
