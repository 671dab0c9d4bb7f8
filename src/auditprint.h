/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Printers for credentials, who started a container, its mounts and alerts: plain and JSON. */
#ifndef NSTRACE_AUDITPRINT_H
#define NSTRACE_AUDITPRINT_H

#include <stdio.h>
#include "alerts.h"
#include "json_writer.h"
#include "mountinfo.h"
#include "who.h"

/* A "creds" object (docs/json.md); null when they were not read. */
void print_creds_json(struct json_writer *w, const struct nstrace_creds *c);
/* "uid=0 euid=0 ... caps=all seccomp=filter ..."; host_bounding names "all" (0: unknown). */
void print_creds_text(FILE *out, const struct nstrace_creds *c, __u64 host_bounding);

void print_who_json(struct json_writer *w, const struct who *who);
void print_who_text(FILE *out, const struct who *who);

/* null when the table was never read */
void print_mounts_json(struct json_writer *w, const struct mount_exposures *m);
void print_mounts_text(FILE *out, const struct mount_exposures *m);

/* key: the container's ("c3"); target: the other container's, NULL for none */
void print_alert_json(struct json_writer *w, const struct alert *a, const char *key, const char *target);
void print_alert_text(FILE *out, const struct alert *a, const char *key, const char *target);

#endif
