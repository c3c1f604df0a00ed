/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel events lden watch holds for all its rules: each distinct
 * event (its label with the filter, and the cgroup of the rules that
 * count it) is attached once, whatever number of rules use it, counted
 * in the kernel unless a rule wants its size, and detached when the last
 * rule that uses it goes (a reload).  Each has its totals of the last
 * tick and its speed.
 */
#ifndef LDEN_WATCH_EVENTS_H
#define LDEN_WATCH_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "aggregate.h"
#include "attach.h"
#include "catalog.h"
#include "expr.h"
#include "scope.h"

struct lden_kernel;
struct ltr_session;
struct lden_guard;

struct lden_watch_event {
	char label[LDEN_LABEL_LEN];	/* "task.create", "sys.open[...]" */
	char *cgroup;			/* the rules' cgroup, or NULL */
	bool sampled;			/* for size() */
	int refs;			/* rules' uses */
	struct lden_attached *att;	/* nscopes of them */
	int nscopes;
	bool enabled;
	/* at the last tick */
	struct lden_stat st;		/* count, size, speed, lost, label */
	/* at the dashboard's last tick, for its interval numbers */
	uint64_t dash_count, dash_size;
};

struct lden_watch_events {
	struct ltr_session *s;
	struct lden_kernel *k;
	const struct lden_catalog *cat;
	const struct lden_scope_opts *scope;	/* lden watch's own scope */
	struct lden_watch_event **ev;
	int n;
	int attached_total;	/* events attached since the start */
};

/*
 * lden_watch_event__get - the event @ev (of an expression) counted in
 * @cgroup (NULL: lden watch's scope), sampled if @need_size: the one held
 * already if any (sampled serves a count too), else attached now, not
 * yet enabled.  Its reference count goes up.
 * Returns it, or NULL with @err (pointing at @ev in its expression) and
 * errno (EACCES/EPERM: privileges).
 */
struct lden_watch_event *lden_watch_event__get(struct lden_watch_events *w,
					      const struct lden_expr_event *ev,
					      bool need_size,
					      const char *cgroup,
					      struct lden_expr_error *err);

/*
 * lden_watch_event__check - what lden_watch_event__get() would refuse (an
 * unknown event, one this kernel lacks, size() of an event without one),
 * without attaching anything: for --check.  0, or -1 with @err.
 */
int lden_watch_event__check(struct lden_watch_events *w,
			   const struct lden_expr_event *ev, bool need_size,
			   const char *cgroup, struct lden_expr_error *err);

/* lden_watch_event__put - a rule stops using @e; 0 uses: detached. */
void lden_watch_event__put(struct lden_watch_events *w,
			  struct lden_watch_event *e);

/*
 * lden_watch_events__lost_total - records lost by all events at the last
 * tick, the ftrace ring's drops (the same on every event in it,
 * st.lost_shared) counted once, as lden_lost_total() does
 */
uint64_t lden_watch_events__lost_total(const struct lden_watch_events *w);

/*
 * lden_watch_events__enable - enable what was attached and not yet
 * enabled, and read its totals (the base of the rules that start now)
 * Returns 0, or -1 (ltr_last_error() says why).
 */
int lden_watch_events__enable(struct lden_watch_events *w, double now);

/*
 * lden_watch_events__update - every event's totals and speed at @now
 * Returns 0, or -1 (ltr_last_error()).
 */
int lden_watch_events__update(struct lden_watch_events *w, double now);

/* lden_watch_events__sampling - whether any event is sampled (rings to read) */
bool lden_watch_events__sampling(const struct lden_watch_events *w);

/*
 * lden_watch_events__guard - a new overhead guard watching every event
 * held (after a reload, the set has changed); NULL on ENOMEM
 */
struct lden_guard_opts;
struct lden_guard *lden_watch_events__guard(struct lden_watch_events *w,
					   const struct lden_guard_opts *opts);

/* lden_watch_events__free - detach everything (the session stays) */
void lden_watch_events__free(struct lden_watch_events *w);

/* The number of perf events' attached objects now (for the header). */
int lden_watch_events__count(const struct lden_watch_events *w);

#endif
