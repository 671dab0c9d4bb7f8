/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Diagnostics on stderr, in the output mode: plain lines or JSON records. */
#ifndef NSTRACE_DIAG_H
#define NSTRACE_DIAG_H

#include <stdbool.h>

void diag_set_json(bool json);
bool diag_json(void);
void diag_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void diag_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void diag_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void diag_set_verbose(bool verbose);
void diag_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool diag_verbose(void);

#endif
