/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lden io's output formats (see lden-io(8), OUTPUT). */
#ifndef LDEN_IO_OUTPUT_H
#define LDEN_IO_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "io-summary.h"
#include "io-trace.h"

/* "ENOENT" for -2; "E?" when unknown. */
const char *lden_io_errno_name(int64_t ret);

/* What a call's line shows besides the call (needs ev->ns). */
#define LDEN_IO_SHOW_NS 1		/* JSON: "ns" and "ns_source" */
#define LDEN_IO_SHOW_CONTAINER 2	/* JSON "container", a CONTAINER column */

/* One call as a JSON object line; times from @start_ns. */
void lden_io_print_json(FILE *out, const struct lden_io_event *ev,
			uint64_t start_ns, unsigned int show);

/* One call as a table line (the header is the caller's). */
void lden_io_print_line(FILE *out, const struct lden_io_event *ev,
			uint64_t start_ns, unsigned int show);

/* The rows of a summary, as a table or JSON lines of type @kind. */
void lden_io_print_rows(FILE *out, struct lden_io_summary *sum,
			const char *kind, bool by_bytes, bool json);

struct lden_guard;

/*
 * lden_io_print_stats - the statistics of a run of @secs seconds on @err
 * (and as a JSON object line of type "stats" on @json, unless NULL), with
 * what the guard @g (may be NULL) did
 */
void lden_io_print_stats(FILE *err, FILE *json, struct lden_io_tracer *t,
			 struct lden_guard *g, uint64_t after_filter,
			 double secs);

#endif
