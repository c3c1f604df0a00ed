/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Recipes: the jobs of well-known bpftrace and SystemTap scripts (new
 * processes, failed opens, accepted TCP connections, nettop, dropwatch)
 * done with tracepoints.  A recipe opens its own events, reads what it
 * needs from the process as soon as a sample arrives (capture), then sees
 * the samples in time order and either fills an output row (lden trace)
 * or adds to a table (lden top).  Recipes never print.
 */
#ifndef LDEN_RECIPE_H
#define LDEN_RECIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "attach.h"
#include "strcap.h"

struct ltr_session;
struct ltr_sample;
struct lden_row;
struct lden_tally;

/* Separates the values a capture packs into one string. */
#define LDEN_SEP "\x1f"

struct lden_recipe {
	const struct lden_recipe_def *def;
	bool failed_only;		/* open --failed */
	const char *comm;		/* --comm, or NULL */
	enum lden_strings strings;	/* --strings */
	/* open, exec: how the strings they show are obtained */
	struct lden_strcap *strcap;
	struct ltr_session *session;
	const struct lden_scope_opts *scopes;	/* all of them */
	const char *tracing_dir;
	const char *events_dir;		/* --events-dir, or NULL */
	struct lden_tally *tally;	/* top recipes add here */
	/*
	 * the tasks' names at each record (comms.h), for recipes whose
	 * def->names says so, or NULL; fed before sample() in time order
	 */
	struct lden_comms *comms;
	/* the process values shown (names, uids, ppids), by enum lden_prov */
	uint64_t values[LDEN_PROV_PARTIAL + 1];
	uint64_t unmatched;		/* halves never paired (lost, cap) */
	uint64_t dropped;		/* pairing entries refused at the cap */
	void *priv;
	/* the events opened, each sampled (with its counting twin when the
	 * guard may switch it), a->user its role */
	struct lden_attached **att;
	int natt;
};

struct lden_recipe_def {
	const char *name;		/* "exec" */
	const char *command;		/* "trace" or "top" */
	const char *summary;
	/* output columns, space-separated; top: keys then values */
	const char *columns;
	int nkeys;			/* top: how many columns are the key */
	/*
	 * top: the key columns (bit per column) whose value was read from
	 * /proc at arrival: "V?" (late) or "?" (unavailable) in the key
	 */
	unsigned int late_keys;
	/*
	 * top: the key columns stored escaped (escape.h, LDEN_ESC_SPACE):
	 * any bytes, none of them LDEN_SEP; JSON reads them back exactly
	 */
	unsigned int escaped_keys;
	/* trace: the tasks' names are wanted (r->comms) */
	bool names;
	/*
	 * Opens the recipe's events in @s for @scope (NULL: everything);
	 * called once per scope.  Returns 0, or -1 with @err set.
	 */
	int (*attach)(struct lden_recipe *r, struct ltr_session *s,
		      const struct lden_scope *scope, char *err,
		      size_t errlen);
	/*
	 * At arrival: what to read from the process now, into @extra;
	 * returns the bytes of @extra to keep (0: none; parts may be
	 * NUL-separated)
	 */
	size_t (*capture)(struct lden_recipe *r, const struct ltr_sample *s,
			  char *extra, size_t len);
	/*
	 * In time order, with what capture read (@elen bytes at @extra,
	 * the last one a NUL); trace recipes return 1
	 * when @row holds a line (columns as def->columns say), top recipes
	 * add to r->tally and return 0.  Negative: a fatal error.
	 */
	int (*sample)(struct lden_recipe *r, const struct ltr_sample *s,
		      const char *extra, size_t elen, struct lden_row *row);
	/*
	 * Optional, for lines of their own form (no columns then): @row as
	 * text, in @out
	 */
	void (*text)(const struct lden_row *row, char *out, size_t len);
	/*
	 * Optional: what the output's header says once attached (the
	 * source chosen, what was skipped), one cell each
	 */
	int (*header)(struct lden_recipe *r, struct lden_row *row);
	/* Optional: hits its probes missed so far (ltr_session__missed) */
	int (*missed)(struct lden_recipe *r, uint64_t *missed);
	void (*free)(struct lden_recipe *r);
};

/* sample(): @row holds a line, and the same sample has more: call again */
#define LDEN_RECIPE_MORE 2

extern const struct lden_recipe_def lden_recipe_exec;
extern const struct lden_recipe_def lden_recipe_open;
extern const struct lden_recipe_def lden_recipe_tcp_accept;
extern const struct lden_recipe_def lden_recipe_net;
extern const struct lden_recipe_def lden_recipe_drops;
extern const struct lden_recipe_def lden_recipe_socket;

struct lden_scope_opts;

/*
 * lden_recipe__attach - r->def->attach() for every scope of @scope (each
 * --pid, or the cgroup, or the whole machine)
 * Returns 0, or -1 with @err set.
 */
int lden_recipe__attach(struct lden_recipe *r, struct ltr_session *s,
		       const struct lden_scope_opts *scope, char *err,
		       size_t errlen);

/* The recipe of @command ("trace", "top") named @name, or NULL. */
const struct lden_recipe_def *lden_recipe__find(const char *command,
					       const char *name);

/*
 * lden_recipe__open_task_exit - what tells a thread's end, for @scope,
 * tagged with @role: sched:sched_process_exit; per task on a kernel whose
 * do_exit() detaches a task's perf events before it fires
 * (ltr_exit_seen_per_task(): 6.1, 6.12), the exit(2) and exit_group(2)
 * calls instead, which the thread makes itself (a thread killed by
 * another's exit_group makes none: its state waits in the recipe's
 * bounded tables, which count what they cannot keep)
 * Returns 0, or -1 with @err set.
 */
int lden_recipe__open_task_exit(struct lden_recipe *r, struct ltr_session *s,
				const char *filter,
				const struct lden_scope *scope, int role,
				char *err, size_t errlen);

/*
 * lden_recipe__open_event - open SYSTEM:NAME sampling, for @scope, tagged
 * with @role (read back with lden_recipe__role())
 * Returns 0, or -1 with @err set ("exec: sched:sched_process_exec: ...").
 */
int lden_recipe__open_event(struct lden_recipe *r, struct ltr_session *s,
			   const char *system, const char *name,
			   const char *filter, const struct lden_scope *scope,
			   int role, char *err, size_t errlen);
/*
 * lden_recipe__recall_event - the same, into the session's recall rings:
 * nothing reaches lden until it looks back (ltr_session__recall)
 */
int lden_recipe__recall_event(struct lden_recipe *r, struct ltr_session *s,
			     const char *system, const char *name,
			     const char *filter, const struct lden_scope *scope,
			     int role, char *err, size_t errlen);
int lden_recipe__role(const struct ltr_sample *s);

struct lden_guard;
struct lden_guard_opts;

/*
 * lden_recipe__guard - an overhead guard (guard.h) over the recipe's
 * events, one source per tracepoint ("sched:sched_process_exec"), started
 * at @now; NULL when out of memory
 */
struct lden_guard *lden_recipe__guard(struct lden_recipe *r,
				     const struct lden_guard_opts *o,
				     double now);

/* Frees what lden_recipe__open_event() kept (after the session). */
void lden_recipe__release(struct lden_recipe *r);

/* Whether the kernel has SYSTEM:NAME (tracefs events/SYSTEM/NAME). */
bool lden_recipe__has_event(const struct lden_recipe *r, const char *system,
			   const char *name);

/*
 * lden_recipe__filter - @filter (may be NULL) and, with --comm, the task
 * name, in @buf; NULL when there is neither
 */
const char *lden_recipe__filter(const struct lden_recipe *r, const char *filter,
			       char *buf, size_t len);

/*
 * lden_recipe__strings - r->strcap for @kind, its method chosen for this
 * kernel and @scope (lden_strcap__choose); once per recipe
 * Returns 0, or -1 with @err set.
 */
int lden_recipe__strings(struct lden_recipe *r, struct ltr_session *s,
			enum lden_strcap_kind kind,
			const struct lden_scope_opts *scope,
			const char *enter_system, const char *enter_name,
			char *err, size_t errlen);

/* The @i-th LDEN_SEP-separated part of @extra, into @buf ("" if none). */
void lden_recipe__part(const char *extra, int i, char *buf, size_t len);

/*
 * Everything from the @i-th part of @extra to its end, separators and
 * all, into @buf: the last part when it may hold LDEN_SEP itself (a
 * process name is any 15 bytes but NUL)
 */
void lden_recipe__rest(const char *extra, int i, char *buf, size_t len);

/*
 * lden_recipe__name - the name of @tid at the record in hand, into @buf:
 * the tracker's (exact, r->comms) when it named @tid, else @late (read
 * from /proc at arrival, "" or "?" when it was gone)
 * Returns how it was obtained: LDEN_PROV_EXACT, _LATE or _NONE.
 */
enum lden_prov lden_recipe__name(struct lden_recipe *r, pid_t tid,
				const char *late, char *buf, size_t len);

/* A process value shown with provenance @prov: counted in r->values. */
void lden_recipe__count(struct lden_recipe *r, enum lden_prov prov);

#endif
