// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Choosing, attaching and reading visualize's events.  Attachment goes
 * through lden_plan__attach(), as notify's does, with an expression made
 * of the chosen events alone (no condition).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "number.h"
#include "collect.h"
#include "lden-trace.h"
#include "plan.h"
#include "resolve.h"
#include "viz.h"

__attribute__((format(printf, 4, 5)))
static void *verr(char *err, size_t errlen, int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	errno = e;
	return NULL;
}

/* "sched:sched_switch": identifiers on both sides of one colon */
static bool tracepoint_syntax(const char *s)
{
	const char *colon = strchr(s, ':');

	if (!colon || colon == s || !colon[1] || strchr(colon + 1, ':'))
		return false;
	for (; *s; s++)
		if (s != colon && !isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static bool already(const struct lden_viz *v, const char *name)
{
	for (int i = 0; i < v->nev; i++)
		if (!strcmp(v->ev[i].name, name))
			return true;
	return false;
}

/* Adds one name of --events (or of the catalog); NULL on a bad name. */
static void *add_event(struct lden_viz *v, const struct lden_catalog *cat,
		       struct lden_kernel *k, const char *name,
		       enum lden_scope_kind scope, bool no_size,
		       struct lden_resolution *res, char *err, size_t errlen)
{
	struct lden_viz_event *e = &v->ev[v->nev];
	const struct lden_event_def *def;
	const char *why;

	memset(e, 0, sizeof(*e));
	memset(res, 0, sizeof(*res));
	/* a cut name could be another event's: its rows, its JSON key */
	if (strlen(name) >= sizeof(e->name))
		return verr(err, errlen, EINVAL,
			    "event name too long in --events: %zu bytes, at most %zu",
			    strlen(name), sizeof(e->name) - 1);
	snprintf(e->name, sizeof(e->name), "%s", name);
	if (strchr(name, ':')) {
		if (!tracepoint_syntax(name))
			return verr(err, errlen, EINVAL,
				    "invalid tracepoint '%s' in --events (expected SYSTEM:NAME)",
				    name);
		if (!lden_tracepoint_exists(lden_kernel__tracing_dir(k), name))
			return verr(err, errlen, EINVAL,
				    "no tracepoint '%s' on this kernel (see 'lden list-events --all')",
				    name);
		why = lden_ftrace_record(lden_kernel__tracing_dir(k), name);
		if (why)
			return verr(err, errlen, EINVAL,
				    LDEN_FTRACE_RECORD_FMT " (--events)", name,
				    why);
		/* as notify: not a count of 0 where a task's own perf
		 * events never see it (sched_process_exit before 6.18) */
		if (scope == LDEN_SCOPE_TASKS) {
			char sys[128];
			size_t n = (size_t)(strchr(name, ':') - name);

			snprintf(sys, sizeof(sys), "%.*s", (int)n, name);
			why = lden_kernel__unseen_per_task(k, sys,
							   name + n + 1);
			if (why)
				return verr(err, errlen, EINVAL,
					    "%s cannot be counted per process here: %s; task.exit counts exits per process (by a kprobe where needed), or count it in a --cgroup or the whole machine",
					    name, why);
		}
		e->kind = LDEN_EV_TRACEPOINT;
		v->nev++;
		return e;
	}
	def = lden_catalog__find(cat, name);
	if (!def) {
		const char *near = lden_catalog__suggest(cat, name);

		if (near)
			return verr(err, errlen, EINVAL,
				    "unknown event '%s' in --events (did you mean '%s'?)",
				    name, near);
		return verr(err, errlen, EINVAL,
			    "unknown event '%s' in --events (see 'lden list-events')",
			    name);
	}
	e->kind = LDEN_EV_CATALOG;
	if (scope != LDEN_SCOPE_NONE && def->unscoped)
		snprintf(e->skipped, sizeof(e->skipped),
			 "not counted per process or cgroup: %s", def->unscoped);
	else if (lden_resolve_scoped(k, def, scope == LDEN_SCOPE_TASKS,
				     res) < 0)
		snprintf(e->skipped, sizeof(e->skipped),
			 "unavailable on this kernel: %s", res->reason);
	else
		e->sample = res->has_size && !no_size;
	v->nev++;
	return e;
}

/* The names of @list, or of the whole catalog, into v->ev. */
static int choose(struct lden_viz *v, const struct lden_catalog *cat,
		  struct lden_kernel *k, const char *list,
		  enum lden_scope_kind scope,
		  bool no_size, struct lden_resolution *all, char *err,
		  size_t errlen)
{
	char *copy, *save = NULL, *tok;

	if (!list) {
		for (int i = 0; i < cat->ndefs; i++)
			if (!add_event(v, cat, k, cat->defs[i].name, scope,
				       no_size, &all[v->nev], err, errlen))
				return -1;
		return 0;
	}
	copy = strdup(list);
	if (!copy) {
		verr(err, errlen, ENOMEM, "out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end = tok + strlen(tok);

		while (isspace((unsigned char)*tok))
			tok++;
		while (end > tok && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (!*tok || already(v, tok))
			continue;
		if (!add_event(v, cat, k, tok, scope, no_size, &all[v->nev],
			       err, errlen)) {
			free(copy);
			return -1;
		}
	}
	free(copy);
	if (!v->nev) {
		verr(err, errlen, EINVAL, "no event in --events '%s'", list);
		return -1;
	}
	return 0;
}

/* Count of names in a comma-separated list: an upper bound. */
static int list_len(const char *list)
{
	int n = 1;

	for (; *list; list++)
		n += *list == ',';
	return n;
}

struct lden_viz *lden_viz__new(const struct lden_catalog *cat,
			      struct lden_kernel *k, const char *list,
			      enum lden_scope_kind scope, bool no_size,
			      char *err, size_t errlen)
{
	struct lden_viz *v = calloc(1, sizeof(*v));
	struct lden_resolution *all = NULL;
	int max = list ? list_len(list) : cat->ndefs;

	if (!v)
		return verr(err, errlen, ENOMEM, "out of memory");
	v->ev = calloc((size_t)max + 1, sizeof(*v->ev));
	all = calloc((size_t)max + 1, sizeof(*all));
	if (!v->ev || !all) {
		verr(err, errlen, ENOMEM, "out of memory");
		goto out_free;
	}
	if (choose(v, cat, k, list, scope, no_size, all, err, errlen) < 0)
		goto out_free;
	for (int i = 0; i < v->nev; i++)
		v->n += !v->ev[i].skipped[0];
	if (!v->n) {
		if (v->nev == 1)
			verr(err, errlen, ENOENT, "cannot trace %s: %s",
			     v->ev[0].name, v->ev[0].skipped);
		else
			verr(err, errlen, ENOENT, "none of the %d events can be traced here (%s: %s; ...)",
			     v->nev, v->ev[0].name, v->ev[0].skipped);
		goto out_free;
	}
	v->idx = calloc((size_t)v->n, sizeof(*v->idx));
	v->xev = calloc((size_t)v->n, sizeof(*v->xev));
	v->res = calloc((size_t)v->n, sizeof(*v->res));
	v->st = calloc((size_t)v->n, sizeof(*v->st));
	v->prev_count = calloc((size_t)v->n, sizeof(*v->prev_count));
	v->prev_size = calloc((size_t)v->n, sizeof(*v->prev_size));
	v->points = calloc((size_t)v->n, sizeof(*v->points));
	if (!v->idx || !v->xev || !v->res || !v->st || !v->prev_count ||
	    !v->prev_size || !v->points) {
		verr(err, errlen, ENOMEM, "out of memory");
		goto out_free;
	}
	for (int i = 0, j = 0; i < v->nev; i++) {
		struct lden_viz_event *e = &v->ev[i];

		if (e->skipped[0])
			continue;
		v->idx[j] = i;
		v->xev[j].kind = e->kind;
		v->xev[j].name = e->name;
		v->xev[j].need_size = e->sample;
		v->res[j] = all[i];
		v->sampling |= e->sample;
		snprintf(v->st[j].label, sizeof(v->st[j].label), "%s", e->name);
		j++;
	}
	if (gethostname(v->host, sizeof(v->host) - 1) < 0)
		snprintf(v->host, sizeof(v->host), "localhost");
	free(all);
	return v;

out_free:
	free(all);
	lden_viz__free(v);
	return NULL;
}

int lden_viz__attach(struct lden_viz *v, struct ltr_session *s,
		    const struct lden_scope_opts *o, char *err, size_t errlen)
{
	struct lden_expr x = { .events = v->xev, .nevents = v->n };
	struct lden_expr_error xerr;

	v->nscopes = lden_scope__count(o);
	v->att = calloc((size_t)v->n * v->nscopes, sizeof(*v->att));
	if (!v->att) {
		verr(err, errlen, ENOMEM, "out of memory");
		return -1;
	}
	for (int k = 0; k < v->nscopes; k++) {
		struct lden_scope buf;
		const struct lden_scope *scope = lden_scope__get(o, k, &buf);

		if (lden_plan__attach(s, &x, v->res, scope,
				     v->att + (size_t)k * v->n, &xerr) < 0) {
			snprintf(err, errlen, "%s", xerr.msg);
			return -1;
		}
	}
	for (int i = 0; i < v->n; i++)
		v->st[i].has_size = v->att[i].has_size;
	return 0;
}

void lden_viz__start(struct lden_viz *v, double t)
{
	v->start = t;
	v->last = t;
	/* counts start at 0 here: the first tick's speed is since now */
	for (int i = 0; i < v->n; i++)
		lden_window__push(&v->st[i].win, t, 0);
}

int lden_viz__tick(struct lden_viz *v, double t, struct lden_tick *tick)
{
	struct timespec wall;

	if (lden_collect__stats(v->att, v->n, v->nscopes, v->st, t) < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &wall);
	memset(tick, 0, sizeof(*tick));
	tick->time = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9;
	tick->elapsed = t - v->start;
	tick->interval = t - v->last;
	tick->seq = v->seq++;
	tick->host = v->host;
	tick->points = v->points;
	tick->npoints = v->n;
	for (int i = 0; i < v->n; i++) {
		const struct lden_stat *st = &v->st[i];
		struct lden_point *p = &v->points[i];

		p->event = st->label;
		p->source = v->att[i].source;
		p->sampling = v->att[i].sampling;
		p->has_size = st->has_size;
		p->size_stopped = false;
		for (int s = 0; s < v->nscopes; s++)
			if (v->att[s * v->n + i].size_stopped)
				p->size_stopped = true;
		p->count_total = st->count;
		p->size_total = st->size;
		p->count = st->count - v->prev_count[i];
		p->size = lden_u64_since(st->size, v->prev_size[i]);
		p->speed = st->speed;
		p->speed_estimated = st->win.estimated;
		p->speed_span = st->win.span;
		p->lost = st->lost;
		p->lost_shared = st->lost_shared;
		p->missed = st->missed;
		tick->missed_total += st->missed;
		p->joined = st->joined;
		p->unsized = st->unsized;
		v->prev_count[i] = st->count;
		v->prev_size[i] = st->size;
	}
	tick->lost_total = lden_lost_total(v->st, v->n);
	v->last = t;
	return 0;
}

void lden_viz__describe(const struct lden_viz *v, FILE *out)
{
	char mode[300];

	for (int i = 0; i < v->n; i++) {
		lden_attached__mode(&v->att[i], mode, sizeof(mode));
		fputs("  ", out);
		lden_label__print(out, v->st[i].label, 30);
		fprintf(out, " %s (%s)\n", v->att[i].source, mode);
	}
	for (int i = 0; i < v->nev; i++)
		if (v->ev[i].skipped[0]) {
			fputs("  ", out);
			lden_label__print(out, v->ev[i].name, 30);
			fprintf(out, " skipped: %s\n", v->ev[i].skipped);
		}
}

struct json_object *lden_viz__totals_json(const struct lden_viz *v)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < v->n; i++) {
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "event",
				       json_object_new_string(v->st[i].label));
		json_object_object_add(e, "count_total",
				       json_object_new_uint64(v->st[i].count));
		if (v->st[i].has_size)
			json_object_object_add(e, "size_total",
					       json_object_new_uint64(v->st[i].size));
		/* past 2^64 - 1 (number.h): the number is a floor */
		if (v->st[i].has_size && lden_u64_over(v->st[i].size))
			json_object_object_add(e, "size_overflow",
					       json_object_new_boolean(1));
		json_object_object_add(e, "lost",
				       json_object_new_uint64(v->st[i].lost));
		if (v->st[i].lost_shared)
			json_object_object_add(e, "lost_shared",
					       json_object_new_boolean(1));
		json_object_object_add(e, "missed",
				       json_object_new_uint64(v->st[i].missed));
		if (v->st[i].joined)
			json_object_object_add(e, "unsized",
					       json_object_new_uint64(v->st[i].unsized));
		json_object_array_add(a, e);
	}
	return a;
}

void lden_viz__free(struct lden_viz *v)
{
	if (!v)
		return;
	if (v->att)
		for (int i = 0; i < v->n * v->nscopes; i++)
			lden_attached__release(&v->att[i]);
	free(v->att);
	free(v->ev);
	free(v->idx);
	free(v->xev);
	free(v->res);
	free(v->st);
	free(v->prev_count);
	free(v->prev_size);
	free(v->points);
	free(v);
}
