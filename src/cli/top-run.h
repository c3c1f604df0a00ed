/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A run of lden top: its events (or recipe) attached, their records
 * added by key into a tally, a table every interval (the guard's
 * switched events in a row of their own).  cmd-top.c is its command
 * line; this is the commands' layer (it prints).
 */
#ifndef LDEN_TOP_RUN_H
#define LDEN_TOP_RUN_H

#include "evopts.h"
#include "pidinfo.h"
#include "row.h"
#include "tally.h"

struct lden_top_opts {
	struct lden_cmdline c;	/* the options shared with lden trace */
	const char *by;
	double interval;
	const char *sort;
	long rows;
};

struct lden_top {
	struct lden_top_opts o;
	struct lden_run *run;
	struct ltr_session *s;		/* the run's */
	struct lden_evlist ev;
	const struct lden_recipe_def *def;	/* a recipe, or NULL */
	struct lden_recipe recipe;
	struct lden_pidinfo_cache *pidinfo;
	struct lden_tally *tally;
	char columns[256];	/* space-separated, keys first */
	int nkeys, nvalues, sort_col;
	bool tty;
	struct lden_row scratch;
	struct lden_guard *guard;	/* the run's */
	uint64_t next, step;		/* the next table, lden_now_ns() */
	uint64_t *counted;		/* per event: its count at the last table */
	uint64_t *sampled;		/* per event: samples seen in all */
	/* --by comm: names as at each sample (comms.h); --by pid: which
	 * process had the pid at each sample; so samples are put in time
	 * order first */
	struct lden_comms *comms;
	bool by_comm, by_pid;
	struct lden_sorder *order;
	uint64_t mark;			/* what arrived before it is in order */
	int failed;			/* out of memory while ordered */
	bool by_ns;			/* --by a namespace or container */
	/* --by cgroup: the samples' cgroup ids to paths */
	struct lden_cgpaths *cgpaths;
	/* the --by keys shown (comm, cgroup), by enum lden_prov */
	uint64_t values[LDEN_PROV_PARTIAL + 1];
	/* of the unavailable: in a cgroup whose path is over PATH_MAX */
	uint64_t too_long;
	bool final;			/* the last table */
	/*
	 * the rows with a sample of a task whose records may be missing
	 * (ltr_session__follow_doubt(), asked again at the table): each
	 * key, process and thread once, with its latest sample's time;
	 * past TOP_DOUBT_MAX, every row of the table is marked
	 */
	struct top_doubt {
		char *key;
		uint32_t pid, tid;
		uint64_t time;
	} *doubt;
	size_t ndoubt;
	bool doubt_all;
	size_t gaps_shown;	/* --by pid: the gaps given a row so far */
};

/*
 * lden_top__attach - lden_run__attach()'s callback (@ctx the top, its
 * options and def set): the tally, the events or recipe attached on
 * @run's session, --by and --sort checked, the guard in @g.  Returns 0 or
 * an exit status after printing the error.
 */
int lden_top__attach(void *ctx, struct lden_run *run, struct lden_guard **g);

/* A table every interval until the run is done, and a last one. */
int lden_top__loop(struct lden_top *t);

/* Frees what the top holds (not the run, not the options). */
void lden_top__release(struct lden_top *t);

#endif
