/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What lden trace and lden top share: the command line EVENT... (with
 * --filter, --comm and the options every tracing command has), and the
 * events, or the recipe EVENT names, attached on a run's session with
 * their overhead guard.  Errors are printed ("lden: CMD: ...").
 */
#ifndef LDEN_EVOPTS_H
#define LDEN_EVOPTS_H

#include "cmdline.h"
#include "evlist.h"
#include "recipe.h"
#include "run.h"

/*
 * lden_evopts__parse - lden_cmdline__parse() with every shared option, and
 * at least one EVENT (cl->args).  Returns 0, -1 after --help, or
 * LDEN_EXIT_USAGE after the error.
 */
int lden_evopts__parse(struct lden_cmdline *cl, struct lden_cmdline_def *def,
		      void *ctx, int argc, char **argv);

/* The EVENT arguments attached in @r's session: 0 or an exit status. */
int lden_evopts__attach(struct lden_evlist *ev, struct lden_run *r);

/* @rc (its def and options set) attached: 0 or an exit status. */
int lden_evopts__attach_recipe(struct lden_recipe *rc, struct lden_run *r);

/* The guard over the recipe's events (rc->def set) or the list's; NULL: OOM. */
struct lden_guard *lden_evopts__guard(struct lden_evlist *ev,
				     struct lden_recipe *rc,
				     const struct lden_run *r);

/* The recipe's end: its own free, then its events released. */
void lden_evopts__release(struct lden_evlist *ev, struct lden_recipe *rc);

#endif
