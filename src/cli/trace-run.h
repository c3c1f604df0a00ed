/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A run of lden trace: its events (or recipe) attached, their records put
 * in time order and printed one line each, what was lost said inline, and
 * the summary at the end.  cmd-trace.c is its command line; this is the
 * commands' layer (it prints).
 */
#ifndef LDEN_TRACE_RUN_H
#define LDEN_TRACE_RUN_H

#include "comms.h"
#include "evopts.h"
#include "nsinfo.h"
#include "pidinfo.h"
#include "row.h"
#include "run.h"
#include "sample-order.h"
#include "strcap.h"

#define LDEN_TRACE_FIELDS_MAX 32

struct lden_trace_opts {
	struct lden_cmdline c;	/* the options shared with lden top */
	char *fields_buf;
	const char *fields[LDEN_TRACE_FIELDS_MAX + 1];
	bool failed;
	bool strings_given;
	enum lden_strings strings;
	bool ns;		/* --ns: the namespace inodes in JSON */
	bool show_container;	/* --show-container: the CONTAINER column */
};

struct lden_trace {
	struct lden_trace_opts o;
	struct lden_run *run;
	struct ltr_session *s;		/* the run's */
	struct lden_evlist ev;
	int nscopes;
	uint64_t *counts;		/* per event, or [0] for a recipe */
	const struct lden_recipe_def *def;	/* a recipe, or NULL */
	struct lden_recipe recipe;	/* def NULL: plain events */
	struct lden_sorder *order;	/* samples put in time order */
	int failed;			/* a recipe's error while ordered */
	struct lden_pidinfo_cache *pidinfo;
	struct lden_comms *comms;	/* tasks' names: plain events, recipes
					   with def->names */
	int comm_prov;			/* the row's comm: enum lden_prov
					 * (exact, late: read from /proc,
					 * none: gone) */
	uint64_t comm_provs[LDEN_PROV_PARTIAL + 1]; /* rows of each */
	struct lden_nsinfo nsi;		/* the row's task's, with --ns */
	/* --show-container: the record's task and cgroup id (has_cgroup:
	 * the sample carries one), the container of the line printed */
	pid_t tid;
	/* the record's process and time: whether its process's records
	 * may be missing (ltr_session__follow_doubt()) */
	uint32_t pid;
	uint64_t time;
	uint64_t doubted;		/* lines marked so */
	bool doubt_said;		/* the mark's legend, once */
	size_t gaps_said;		/* --json: the gaps said inline */
	bool has_cgroup;
	uint64_t cgroup;
	struct lden_run_container ctr;
	struct lden_row row;
	uint64_t *lost_seen;		/* per CPU */
	uint64_t missed_seen;		/* a recipe's probes' misses */
	uint64_t lines;
	struct lden_guard *guard;	/* the run's */
	/* lden_now_ns() at the loop's start, before a read, a lost report */
	uint64_t start, mark, lost_at;
};

/*
 * lden_trace__attach - lden_run__attach()'s callback (@ctx the trace, its
 * options and def set): what the run reads into, the events or recipe
 * attached on @run's session, the guard over them in @g.  Returns 0 or an
 * exit status after printing the error.
 */
int lden_trace__attach(void *ctx, struct lden_run *run, struct lden_guard **g);

/*
 * The line that says what is traced (stderr); a recipe's header and
 * column names.
 */
void lden_trace__header(struct lden_trace *t);

/* Until the run is done: LDEN_EXIT_OK or LDEN_EXIT_FAIL. */
int lden_trace__loop(struct lden_trace *t);

/* The summary on stderr: lines and counts per event, lost records. */
void lden_trace__summary(struct lden_trace *t, double secs);

/* Frees what the trace holds (not the run, not the options). */
void lden_trace__release(struct lden_trace *t);

#endif
