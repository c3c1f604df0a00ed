/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `lden visualize` traces and the numbers it hands its sinks: every
 * catalog event this kernel has (or a list), each counted, or sampled
 * when it has a size; at each tick, per event, the interval's and the
 * cumulative count and size, the speed and the lost records, as a
 * struct lden_tick (sink.h).
 */
#ifndef LDEN_VIZ_H
#define LDEN_VIZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aggregate.h"
#include "attach.h"
#include "catalog.h"
#include "expr.h"
#include "scope.h"
#include "sink.h"

struct lden_kernel;
struct lden_resolution;
struct ltr_session;
struct json_object;

/* An event visualize was asked for, traced or skipped. */
struct lden_viz_event {
	char name[LDEN_LABEL_LEN];	/* "task.create", "sched:sched_switch" */
	enum lden_event_kind kind;	/* LDEN_EV_CATALOG or _TRACEPOINT */
	bool sample;			/* sampled for its size */
	char skipped[600];		/* why it is not traced, or "" */
};

struct lden_viz {
	struct lden_viz_event *ev;	/* every candidate, in catalog order */
	int nev;
	int n;				/* traced events */
	/* indexed 0..n-1, the traced events */
	int *idx;			/* into ev[] */
	struct lden_expr_event *xev;	/* what lden_plan__attach() takes */
	struct lden_resolution *res;
	struct lden_stat *st;
	uint64_t *prev_count;
	uint64_t *prev_size;
	struct lden_point *points;
	/* n x nscopes, scope-major */
	struct lden_attached *att;
	int nscopes;
	bool sampling;			/* any event sampled */
	uint64_t seq;
	double start;			/* lden_now() when enabled */
	double last;			/* at the previous tick */
	char host[256];
};

/*
 * lden_viz__new - choose the events
 * @list: comma-separated catalog names or SYSTEM:NAME tracepoints, or
 *        NULL for every catalog event
 * @scope: where counted: per process or cgroup, events the catalog marks
 *         'unscoped' are skipped; per process (LDEN_SCOPE_TASKS), each
 *         event from a source a task's own perf events see on this
 *         kernel (lden_resolve_scoped()), a tracepoint they do not see
 *         refused
 * @no_size: count every event, sample none
 *
 * Events this kernel lacks are kept with ->skipped set.  Returns the
 * plan (free with lden_viz__free()), or NULL with @err set: errno EINVAL
 * for an unknown name or an empty list (a usage error), ENOENT when
 * nothing is left to trace, ENOMEM.
 */
struct lden_viz *lden_viz__new(const struct lden_catalog *cat,
			      struct lden_kernel *k, const char *list,
			      enum lden_scope_kind scope, bool no_size,
			      char *err, size_t errlen);

/*
 * lden_viz__attach - open every traced event in each scope of @o
 * (disabled; ltr_session__enable() starts them).  On failure the caller
 * frees the session, which removes whatever was created.
 * Returns 0, or -1 with @err set.
 */
int lden_viz__attach(struct lden_viz *v, struct ltr_session *s,
		    const struct lden_scope_opts *o, char *err, size_t errlen);

/* The events were enabled at @t (lden_now()): the counts start there. */
void lden_viz__start(struct lden_viz *v, double t);

/*
 * lden_viz__tick - read every counter at @t (lden_now(); the samples
 * already delivered, see collect.h) and fill @tick, whose points stay
 * valid until the next call.  Returns 0, or -1 when a counter cannot be
 * read (ltr_last_error()).
 */
int lden_viz__tick(struct lden_viz *v, double t, struct lden_tick *tick);

/* One line per event for the header: its source and mode, or why skipped. */
void lden_viz__describe(const struct lden_viz *v, FILE *out);

/* [{"event", "count_total", "size_total" (with a size), "lost"}] (new ref) */
struct json_object *lden_viz__totals_json(const struct lden_viz *v);

/* Releases the attachments and the memory; NULL is fine. */
void lden_viz__free(struct lden_viz *v);

#endif
