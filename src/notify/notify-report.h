/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What lden notify prints on stdout: the header (what it watches, where,
 * until when), each firing and the end, as text or as one JSON object
 * each ("type":"fire" and "type":"end").  Everything goes to the FILE the
 * caller gives.
 */
#ifndef LDEN_NOTIFY_REPORT_H
#define LDEN_NOTIFY_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "aggregate.h"
#include "attach.h"
#include "guard.h"
#include "scope.h"

/* The run as the reports see it; all borrowed. */
struct lden_notify_report {
	const char *expression;		/* its text */
	const struct lden_stat *st;	/* per event, nevents */
	const struct lden_attached *att;	/* the first scope's, nevents */
	int nevents;
	const struct lden_scope_opts *scope;
	const struct lden_guard *guard;
	double time_limit;		/* seconds, 0 = none */
	const char *script;		/* or NULL */
	int fired;			/* firings so far */
	bool json;
};

/* Why the run ended, for lden_notify__print_end(). */
enum lden_notify_end {
	LDEN_NOTIFY_END_TIME,		/* --time ran out */
	LDEN_NOTIFY_END_COMMAND,	/* the -- CMD exited */
	LDEN_NOTIFY_END_SIGNAL,		/* SIGINT or SIGTERM */
};

/*
 * lden_notify__print_header - "lden: watching EXPR", one line per event
 * (label, source, counting or sampling), the scope, until when and the
 * script (text only: callers skip it for JSON and --quiet)
 */
void lden_notify__print_header(FILE *out, const struct lden_notify_report *r);

/*
 * lden_notify__print_fire - the condition fired @elapsed seconds in:
 * "lden: condition true after ..." and the table, or with r->json the
 * {"type":"fire",...} line
 */
void lden_notify__print_fire(FILE *out, const struct lden_notify_report *r,
			    double elapsed);

/*
 * lden_notify__print_end - the run ended for @why, @elapsed seconds in:
 * what ended it and the table, or with r->json the {"type":"end",...}
 * line (with "command_status" when the command ended it)
 */
void lden_notify__print_end(FILE *out, const struct lden_notify_report *r,
			   enum lden_notify_end why, double elapsed);

#endif
