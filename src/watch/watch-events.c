// SPDX-License-Identifier: GPL-2.0-or-later
/* The events lden watch holds, each once for all rules (watch-events.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "guard.h"
#include "lden-trace.h"
#include "plan.h"
#include "resolve.h"
#include "watch-events.h"

static bool same_cgroup(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The scope an event of @cgroup is counted in. */
static const struct lden_scope_opts *scope_of(const struct lden_watch_events *w,
					      const char *cgroup,
					      struct lden_scope_opts *buf)
{
	if (!cgroup)
		return w->scope;
	memset(buf, 0, sizeof(*buf));
	buf->cgroup = cgroup;
	buf->command_pid = -1;
	buf->go_fd = -1;
	buf->command_status = -1;
	buf->no_twins = w->scope && w->scope->no_twins;
	return buf;
}

/* @ev alone as an expression, for the plan functions. */
static void one_event(const struct lden_expr_event *ev, bool need_size,
		      struct lden_expr_event *copy, struct lden_expr *e)
{
	*copy = *ev;
	copy->need_size = need_size;
	memset(e, 0, sizeof(*e));
	e->events = copy;
	e->nevents = 1;
}

int lden_watch_event__check(struct lden_watch_events *w,
			   const struct lden_expr_event *ev, bool need_size,
			   const char *cgroup, struct lden_expr_error *err)
{
	struct lden_scope_opts buf;
	const struct lden_scope_opts *o = scope_of(w, cgroup, &buf);
	struct lden_resolution res;
	struct lden_expr_event copy;
	struct lden_expr e;

	one_event(ev, need_size, &copy, &e);
	return lden_plan__check(w->cat, w->k, &e, lden_scope__kind(o), &res,
			       err);
}

static void detach(struct lden_watch_event *e)
{
	for (int k = 0; k < e->nscopes && e->att; k++) {
		struct lden_attached *a = &e->att[k];

		for (int i = 0; i < a->nparts; i++) {
			ltr_event__close(a->parts[i].ev);
			if (a->parts[i].counter)
				ltr_event__close(a->parts[i].counter);
			if (a->parts[i].stopped)
				ltr_event__close(a->parts[i].stopped);
		}
		lden_attached__release(a);
	}
	free(e->att);
	free(e->cgroup);
	free(e);
}

struct lden_watch_event *lden_watch_event__get(struct lden_watch_events *w,
					      const struct lden_expr_event *ev,
					      bool need_size,
					      const char *cgroup,
					      struct lden_expr_error *err)
{
	struct lden_scope_opts buf;
	const struct lden_scope_opts *o = scope_of(w, cgroup, &buf);
	struct lden_watch_event *e, **arr;
	struct lden_resolution res;
	struct lden_expr_event copy;
	struct lden_expr one;
	char label[LDEN_LABEL_LEN];

	lden_expr_event__label(ev, label, sizeof(label));
	for (int i = 0; i < w->n; i++) {
		e = w->ev[i];
		if (!strcmp(e->label, label) && same_cgroup(e->cgroup, cgroup) &&
		    (e->sampled || !need_size)) {
			e->refs++;
			return e;
		}
	}
	one_event(ev, need_size, &copy, &one);
	if (lden_plan__check(w->cat, w->k, &one, lden_scope__kind(o), &res,
			    err) < 0) {
		errno = EINVAL;
		return NULL;
	}
	arr = realloc(w->ev, (w->n + 1) * sizeof(*arr));
	e = calloc(1, sizeof(*e));
	if (arr)
		w->ev = arr;
	if (!arr || !e || (cgroup && !(e->cgroup = strdup(cgroup))))
		goto out_nomem;
	e->nscopes = lden_scope__count(o);
	e->att = calloc((size_t)e->nscopes, sizeof(*e->att));
	if (!e->att)
		goto out_nomem;
	if (lden_plan__attach_scopes(w->s, &one, &res, o, e->att, err) < 0) {
		int saved = errno;

		detach(e);
		errno = saved;
		return NULL;
	}
	snprintf(e->label, sizeof(e->label), "%s", label);
	snprintf(e->st.label, sizeof(e->st.label), "%s", label);
	e->sampled = need_size;
	e->st.has_size = e->att[0].has_size;
	e->refs = 1;
	w->ev[w->n++] = e;
	w->attached_total++;
	return e;

out_nomem:
	if (e)
		detach(e);
	lden_expr_error__at(err, ev, "out of memory");
	errno = ENOMEM;
	return NULL;
}

void lden_watch_event__put(struct lden_watch_events *w,
			  struct lden_watch_event *e)
{
	if (!e || --e->refs > 0)
		return;
	for (int i = 0; i < w->n; i++) {
		if (w->ev[i] != e)
			continue;
		memmove(&w->ev[i], &w->ev[i + 1],
			(w->n - i - 1) * sizeof(*w->ev));
		w->n--;
		break;
	}
	detach(e);
}

static int update_one(struct lden_watch_event *e, double now)
{
	return lden_collect__stats(e->att, 1, e->nscopes, &e->st, now);
}

int lden_watch_events__enable(struct lden_watch_events *w, double now)
{
	for (int i = 0; i < w->n; i++) {
		struct lden_watch_event *e = w->ev[i];

		if (e->enabled)
			continue;
		for (int k = 0; k < e->nscopes; k++) {
			struct lden_attached *a = &e->att[k];

			for (int j = 0; j < a->nparts; j++) {
				/* counter first: no sample goes uncounted */
				if (a->parts[j].counter &&
				    ltr_event__enable(a->parts[j].counter) < 0)
					return -1;
				if (ltr_event__enable(a->parts[j].ev) < 0)
					return -1;
			}
		}
		e->enabled = true;
		if (update_one(e, now) < 0)
			return -1;
	}
	return 0;
}

int lden_watch_events__update(struct lden_watch_events *w, double now)
{
	int rc = 0;

	/* every event's counters of one read a CPU, not one each */
	ltr_session__hold_counters(w->s);
	for (int i = 0; i < w->n && !rc; i++)
		if (update_one(w->ev[i], now) < 0)
			rc = -1;
	ltr_session__release_counters(w->s);
	return rc;
}

bool lden_watch_events__sampling(const struct lden_watch_events *w)
{
	for (int i = 0; i < w->n; i++)
		for (int k = 0; k < w->ev[i]->nscopes; k++)
			if (w->ev[i]->att[k].sampling)
				return true;
	return false;
}

struct lden_guard *lden_watch_events__guard(struct lden_watch_events *w,
					   const struct lden_guard_opts *opts)
{
	struct lden_guard *g = lden_guard__new(opts);

	for (int i = 0; g && i < w->n; i++)
		for (int k = 0; k < w->ev[i]->nscopes; k++)
			if (lden_guard__add(g, w->ev[i]->label,
					   &w->ev[i]->att[k]) < 0) {
				lden_guard__free(g);
				return NULL;
			}
	return g;
}

int lden_watch_events__count(const struct lden_watch_events *w)
{
	return w->n;
}

void lden_watch_events__free(struct lden_watch_events *w)
{
	for (int i = 0; i < w->n; i++)
		detach(w->ev[i]);
	free(w->ev);
	w->ev = NULL;
	w->n = 0;
}

uint64_t lden_watch_events__lost_total(const struct lden_watch_events *w)
{
	uint64_t own = 0, shared = 0;

	for (int i = 0; i < w->n; i++) {
		const struct lden_stat *st = &w->ev[i]->st;

		if (!st->lost_shared)
			own += st->lost;
		else if (st->lost > shared)
			shared = st->lost;
	}
	return own + shared;
}
