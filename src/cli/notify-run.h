/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A run of lden notify: the expression checked against the catalog and
 * the kernel, its events attached, evaluated every tick; when it turns
 * true it says so and runs the script; the report at the end.
 * cmd-notify.c is its command line; this is the commands' layer (it
 * prints).
 */
#ifndef LDEN_NOTIFY_RUN_H
#define LDEN_NOTIFY_RUN_H

#include "aggregate.h"
#include "catalog.h"
#include "cmdline.h"
#include "expr.h"
#include "run.h"

struct lden_kernel;
struct lden_resolution;

struct lden_notify_opts {
	struct lden_cmdline c;	/* --time: give up after (0: until true) */
	const char *script;
	double interval;	/* seconds */
	bool repeat;
	double cooldown;
	bool quiet;
};

struct lden_notify {
	struct lden_notify_opts o;
	struct lden_run *run;
	struct lden_catalog cat;
	struct lden_kernel *k;
	struct lden_resolution *res;
	struct lden_expr *e;
	struct ltr_session *s;		/* the run's */
	struct lden_attached *att;	/* nevents x nscopes */
	int nscopes;
	struct lden_stat *st;
	struct lden_expr_values *vals;
	struct lden_guard *guard;	/* the run's */
	double start;
	int fired;
};

/*
 * lden_notify__prepare - @text parsed and checked against the catalog and
 * this kernel (nothing attached yet).  Returns 0 or an exit status after
 * printing the error (with its caret).
 */
int lden_notify__prepare(struct lden_notify *r, const char *text);

/*
 * lden_notify__attach - lden_run__attach()'s callback (@ctx the notify):
 * the events attached on @run's session, the guard over them in @g.
 */
int lden_notify__attach(void *ctx, struct lden_run *run,
			struct lden_guard **g);

/* The header (unless --quiet or --json). */
void lden_notify__header(const struct lden_notify *r);

/*
 * lden_notify__watch - every --interval until it fired (without
 * --repeat), --time, the command's end or a signal; the report at the
 * end.  Returns the exit status.
 */
int lden_notify__watch(struct lden_notify *r);

/* Frees what the notify holds (not the run, not the options). */
void lden_notify__release(struct lden_notify *r);

#endif
