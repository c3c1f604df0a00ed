/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The EVENT arguments of lden trace and lden top, in notify's syntax
 * (task.create, sched:sched_switch[prev_pid > 0], custom(f),
 * uprobe(path:sym)), gathered into one expression so that notify's
 * checks (lden_plan__check) and attachment apply unchanged; plus the
 * filters the commands add to every event.
 */
#ifndef LDEN_EVLIST_H
#define LDEN_EVLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expr.h"

struct ltr_sample;
struct lden_attached;
struct ltr_session;

/*
 * lden_evlist__parse - one expression naming @n events
 * @filter: ANDed into every event's kernel filter, or NULL
 * @comm:   only tasks of this name (the kernel's COMM filter), or NULL
 * Returns the expression (lden_expr__free()), or NULL with @err set to a
 * one-line message naming the bad event.
 */
struct lden_expr *lden_evlist__parse(char *const *events, int n,
				    const char *filter, const char *comm,
				    char *err, size_t errlen);

struct lden_scope_opts;

/* The events of a trace or top run, attached for every scope. */
struct lden_evlist {
	struct lden_expr *e;
	struct lden_attached *att;	/* nevents x nscopes */
	int nevents;
	int nscopes;
};

/*
 * lden_evlist__attach - parse @events (as lden_evlist__parse), check them
 * against the catalog and the kernel, and attach them sampled for every
 * scope of @scope
 * Returns 0, or an exit status (LDEN_EXIT_USAGE for bad input) with @err
 * set; the caller frees the session (which removes what was attached)
 * and calls lden_evlist__release() in any case.
 */
int lden_evlist__attach(struct lden_evlist *l, struct ltr_session *s,
		       char *const *events, int n, const char *filter,
		       const char *comm, const struct lden_scope_opts *scope,
		       const char *events_dir, char *err, size_t errlen);

/* Whether some attached event has a field @name. */
bool lden_evlist__has_field(const struct lden_evlist *l, const char *name);

void lden_evlist__release(struct lden_evlist *l);

struct lden_guard;
struct lden_guard_opts;

/*
 * lden_evlist__guard - an overhead guard (guard.h) watching every attached
 * event, one source per event (its scopes together), started at @now
 * (CLOCK_MONOTONIC seconds: call it once the session is enabled)
 * Returns the guard (lden_guard__free() before lden_evlist__release()), or
 * NULL (ENOMEM).
 */
struct lden_guard *lden_evlist__guard(struct lden_evlist *l,
				     const struct lden_guard_opts *o,
				     double now);

/*
 * lden_evlist__index - which event of @att (nevents per scope, scopes one
 * after another) a sample belongs to, or -1
 */
int lden_evlist__index(const struct lden_attached *att, int nevents,
		      int nscopes, const struct ltr_sample *s);

#endif
