/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The listing of lden list-events: each event of the catalog resolved on
 * this kernel and checked as attaching it would check it (check.c), one
 * line or JSON object each; the recipes' strings; the tracepoints.
 * cmd-list-events.c is its command line; this is the commands' layer (it
 * prints).
 */
#ifndef LDEN_LIST_RUN_H
#define LDEN_LIST_RUN_H

#include <stdbool.h>

#include "catalog.h"
#include "lden-trace.h"

struct lden_kernel;

struct lden_list {
	bool all, json, verbose, names;
	const char *extra;		/* --events-dir */
	struct lden_catalog cat;
	const char *dir;
	struct lden_kernel *k;
	struct ltr_session *s;		/* formats loaded, no perf event */
	struct lden_resolution *rs;	/* each event of cat resolved here */
	bool hist;			/* the kernel has hist triggers */
	bool denied;			/* tracefs not readable as this user */
	bool new_sizes;
	int nbad;
};

/*
 * lden_list__open - tracefs (not readable: l->denied, each event saying
 * so), what crashed lden processes left there swept, this kernel, a
 * session to check with.  Returns 0, or -1 after printing the error.
 */
int lden_list__open(struct lden_list *l);

/* The whole listing on stdout: 0, or -1 when --all cannot list them. */
int lden_list__print(struct lden_list *l);

/* Frees what the listing holds. */
void lden_list__release(struct lden_list *l);

#endif
