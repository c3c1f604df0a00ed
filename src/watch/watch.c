// SPDX-License-Identifier: GPL-2.0-or-later
/* lden watch's rules at work (see watch.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "number.h"
#include "collect.h"
#include "lden-trace.h"
#include "watch.h"

void lden_watch__init(struct lden_watch *w, const struct lden_watch_conf *c,
		     struct ltr_session *s, struct lden_kernel *k,
		     const struct lden_catalog *cat,
		     const struct lden_scope_opts *scope)
{
	memset(w, 0, sizeof(*w));
	w->conf = *c;
	w->ev.s = s;
	w->ev.k = k;
	w->ev.cat = cat;
	w->ev.scope = scope;
}

/* ------------------------------------------------------------------ */
/* A rule's events */

static int find_slot(const struct lden_watch_rule *r, const char *label)
{
	for (int i = 0; i < r->nev; i++)
		if (!strcmp(r->ev[i].we->label, label))
			return i;
	return -1;
}

/* Each expression of the rule, with where its text is in the file. */
struct rule_expr {
	const struct lden_expr *e;
	struct lden_rule_src src;	/* col: where the expression begins */
};

static void add_template(const struct lden_template *t,
			 const struct lden_rule_src *src, struct rule_expr *out,
			 int *n, int max)
{
	for (int j = 0; t && j < t->nparts && *n < max; j++) {
		if (!t->parts[j].e)
			continue;
		out[*n].e = t->parts[j].e;
		out[*n].src = *src;
		out[*n].src.col += t->parts[j].pos;
		(*n)++;
	}
}

static int by_place(const void *a, const void *b)
{
	const struct rule_expr *x = a, *y = b;

	if (x->src.line != y->src.line)
		return x->src.line - y->src.line;
	return x->src.col - y->src.col;
}

/* The expressions of rule @d, in the order they are written. */
static int rule_exprs(const struct lden_rule *d, struct rule_expr *out,
		      int max)
{
	int n = 0;

	out[n].e = d->expr;
	out[n++].src = d->when_src;
	add_template(d->describe_tpl, &d->describe_src, out, &n, max);
	for (int i = 0; i < d->nlabels; i++)
		add_template(d->labels[i].tpl, &d->labels[i].src, out, &n, max);
	for (int i = 0; i < d->nannotations; i++)
		add_template(d->annotations[i].tpl, &d->annotations[i].src, out,
			     &n, max);
	qsort(out, (size_t)n, sizeof(*out), by_place);
	return n;
}

/*
 * The events of @e that are sized (@sized_pass) or not, each once in the
 * rule; an error points at the event in @src's line.
 */
static int bind_expr(struct lden_watch *w, struct lden_watch_rule *r,
		     const struct lden_expr *e, const struct lden_rule_src *src,
		     bool sized_pass, struct lden_rules_error *err)
{
	const struct lden_rule *d = r->def;

	for (int i = 0; i < e->nevents; i++) {
		const struct lden_expr_event *ev = &e->events[i];
		struct lden_watch_rule_event *arr;
		struct lden_watch_event *we;
		struct lden_expr_error xe;
		char label[LDEN_LABEL_LEN];

		if (ev->need_size != sized_pass)
			continue;
		lden_expr_event__label(ev, label, sizeof(label));
		/* a rule holds each event once: sized serves a count too */
		if (find_slot(r, label) >= 0)
			continue;
		we = lden_watch_event__get(&w->ev, ev, ev->need_size, d->cgroup,
					  &xe);
		if (!we) {
			int saved = errno;

			lden_rules_error__at(err, src, &xe);
			errno = saved;
			return -1;
		}
		arr = realloc(r->ev, (r->nev + 1) * sizeof(*arr));
		if (!arr) {
			lden_watch_event__put(&w->ev, we);
			lden_rules_error__at(err, src, &(struct lden_expr_error){
				.msg = "out of memory", .pos = 0, .len = 1 });
			errno = ENOMEM;
			return -1;
		}
		r->ev = arr;
		r->ev[r->nev++] = (struct lden_watch_rule_event){ .we = we };
	}
	return 0;
}

/* Every event of the rule checked, in the order written: 0 or -1. */
static int check_exprs(struct lden_watch *w, const struct lden_rule *d,
		       const struct rule_expr *ex, int nex,
		       struct lden_rules_error *err)
{
	for (int i = 0; i < nex; i++)
		for (int j = 0; j < ex[i].e->nevents; j++) {
			const struct lden_expr_event *ev = &ex[i].e->events[j];
			struct lden_expr_error xe;

			if (lden_watch_event__check(&w->ev, ev, ev->need_size,
						   d->cgroup, &xe) < 0) {
				lden_rules_error__at(err, &ex[i].src, &xe);
				errno = EINVAL;
				return -1;
			}
		}
	return 0;
}

static void rule_free(struct lden_watch *w, struct lden_watch_rule *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nev; i++)
		lden_watch_event__put(&w->ev, r->ev[i].we);
	free(r->ev);
	free(r->when_slot);
	for (int i = 0; i < r->nlabels; i++) {
		free(r->labels[i].key);
		free(r->labels[i].value);
	}
	free(r->labels);
	free(r);
}

/* A new rule's events bound (sized ones first: they serve the counts). */
static struct lden_watch_rule *rule_new(struct lden_watch *w,
					const struct lden_rule *d,
					bool check_only,
					struct lden_rules_error *err)
{
	struct lden_watch_rule *r = calloc(1, sizeof(*r));
	struct rule_expr ex[256];
	int nex;

	if (!r)
		goto out_nomem;
	r->def = d;
	nex = rule_exprs(d, ex, 256);
	if (check_exprs(w, d, ex, nex, err) < 0)
		goto out_free;
	/* sized events first: a rule's count of the same event shares them */
	for (int pass = 1; pass >= 0 && !check_only; pass--)
		for (int i = 0; i < nex; i++)
			if (bind_expr(w, r, ex[i].e, &ex[i].src, pass, err) < 0)
				goto out_free;
	r->when_slot = calloc((size_t)d->expr->nevents + 1, sizeof(int));
	if (!r->when_slot)
		goto out_nomem;
	for (int i = 0; i < d->expr->nevents && !check_only; i++) {
		char label[LDEN_LABEL_LEN];

		lden_expr_event__label(&d->expr->events[i], label, sizeof(label));
		r->when_slot[i] = find_slot(r, label);
	}
	for (int i = 0; i < d->nactions; i++)
		r->has_am |= d->actions[i].kind == LDEN_ACTION_ALERTMANAGER;
	return r;

out_nomem:
	memset(err, 0, sizeof(*err));
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	err->col = -1;
	errno = ENOMEM;
out_free:
	rule_free(w, r);
	return NULL;
}

static struct lden_watch_rule *find_rule(struct lden_watch *w,
					 const char *name)
{
	for (int i = 0; i < w->n; i++)
		if (!strcmp(w->r[i]->def->name, name))
			return w->r[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Values */

/*
 * What the numbers of @re that @ev's uses read are short of, since the
 * rule started, as the table and the alert's exactness note say it
 */
static unsigned int value_marks(const struct lden_watch_rule_event *re,
				const struct lden_expr_event *ev)
{
	const struct lden_stat *st = &re->we->st;
	bool missed = st->missed != re->missed0;
	unsigned int m = 0;

	if (ev->need_size && re->we->att[0].size_stopped)
		m |= LDEN_TPL_SIZE_STOPPED;
	else if (ev->need_size && (missed || st->lost != re->lost0 ||
				   (st->joined && st->unsized != re->unsized0)))
		m |= LDEN_TPL_SIZE_SHORT;
	if (ev->need_count && missed)
		m |= LDEN_TPL_COUNT_SHORT;
	if (ev->need_speed && st->win.estimated)
		m |= LDEN_TPL_SPEED_ESTIMATED;
	return m;
}

static void expr_values(const struct lden_watch_rule *r,
			const struct lden_expr *e, struct lden_expr_values *v,
			unsigned int *marks)
{
	for (int i = 0; i < e->nevents; i++) {
		char label[LDEN_LABEL_LEN];
		int s;
		const struct lden_watch_rule_event *re;

		lden_expr_event__label(&e->events[i], label, sizeof(label));
		s = find_slot(r, label);
		re = &r->ev[s];
		v[i].count = (double)(re->we->st.count - re->count0);
		v[i].size = (double)lden_u64_since(re->we->st.size, re->size0);
		v[i].speed = re->we->st.speed;
		v[i].exact = true;
		v[i].icount = re->we->st.count - re->count0;
		v[i].isize = lden_u64_since(re->we->st.size, re->size0);
		if (marks)
			*marks |= value_marks(re, &e->events[i]);
	}
}

static void template_value(const struct lden_expr *e, unsigned int *marks,
			   void *ctx, char *buf, size_t len)
{
	struct lden_expr_values v[64];

	expr_values(ctx, e, v, marks);
	lden_expr__format_value(e, v, buf, len);
}

void lden_watch_rule__values(const struct lden_watch_rule *r,
			    struct lden_alert_value *v)
{
	for (int i = 0; i < r->nev; i++) {
		const struct lden_watch_rule_event *re = &r->ev[i];
		const struct lden_watch_event *we = re->we;

		memset(&v[i], 0, sizeof(v[i]));
		snprintf(v[i].name, sizeof(v[i].name), "%s", we->label);
		v[i].count = we->st.count - re->count0;
		v[i].has_size = we->st.has_size;
		v[i].size = lden_u64_since(we->st.size, re->size0);
		v[i].size_valid = !we->att[0].size_stopped;
		v[i].speed = we->st.speed;
		v[i].speed_estimated = we->st.win.estimated;
		v[i].speed_span = we->st.win.span;
		v[i].lost = we->st.lost - re->lost0;
		v[i].lost_shared = we->st.lost_shared;
		v[i].missed = we->st.missed - re->missed0;
		v[i].joined = we->st.joined;
		v[i].unsized = we->st.unsized - re->unsized0;
	}
}

bool lden_watch_rule__count_exact(const struct lden_watch_rule *r)
{
	for (int i = 0; i < r->nev; i++)
		if (r->ev[i].we->st.missed != r->ev[i].missed0)
			return false;
	return true;
}

static bool evaluate(const struct lden_watch_rule *r)
{
	const struct lden_expr *e = r->def->expr;
	struct lden_expr_values v[64];

	for (int i = 0; i < e->nevents; i++) {
		const struct lden_watch_rule_event *re = &r->ev[r->when_slot[i]];

		v[i].count = (double)(re->we->st.count - re->count0);
		v[i].size = (double)lden_u64_since(re->we->st.size, re->size0);
		v[i].speed = re->we->st.speed;
		v[i].exact = true;
		v[i].icount = re->we->st.count - re->count0;
		v[i].isize = lden_u64_since(re->we->st.size, re->size0);
	}
	return lden_expr__eval(e, v);
}

/* ------------------------------------------------------------------ */
/* Transitions */

static int render_kv(struct lden_watch_rule *r,
		     const struct lden_rule_text *t, int n,
		     struct lden_kv **out, int *nout)
{
	for (int i = 0; i < n; i++) {
		char *s = lden_template__render(t[i].tpl, template_value, r);

		if (!s || lden_alert__add_kv(out, nout, t[i].name, s) < 0) {
			free(s);
			return -1;
		}
		free(s);
	}
	return 0;
}

static struct lden_alert *make_alert(struct lden_watch *w,
				     struct lden_watch_rule *r,
				     enum lden_rule_state from, double now,
				     double wall)
{
	const struct lden_rule *d = r->def;
	struct lden_alert *a = lden_alert__new();
	bool ok;

	if (!a)
		return NULL;
	a->rule = strdup(d->name);
	a->expression = strdup(d->when);
	a->host = strdup(w->conf.host ? w->conf.host : "");
	ok = a->rule && a->expression && a->host;
	if (d->describe_tpl) {
		a->describe = lden_template__render(d->describe_tpl,
						   template_value, r);
		ok = ok && a->describe &&
		     lden_alert__add_kv(&a->annotations, &a->nannotations,
				       "description", a->describe) == 0;
	}
	if (w->conf.dashboard_url) {
		ok = ok && asprintf(&a->generator_url, "%s/#rule=%s",
				    w->conf.dashboard_url, d->name) >= 0;
	}
	a->from = from;
	a->state = r->sm.state;
	a->at = wall;
	a->elapsed = now - w->start;
	a->fired = r->sm.fired;
	a->starts_at = r->starts_wall;
	a->ends_at = r->sm.state == LDEN_RULE_RESOLVED ? wall : 0;
	a->valid_for = 4 * w->conf.resend;
	/* labels name the alert: as they were when it fired, until resolved */
	if (r->sm.state == LDEN_RULE_FIRING || r->sm.state == LDEN_RULE_RESOLVED) {
		for (int i = 0; ok && i < r->nlabels; i++)
			ok = lden_alert__add_kv(&a->labels, &a->nlabels,
					       r->labels[i].key,
					       r->labels[i].value) == 0;
	} else {
		ok = ok && render_kv(r, d->labels, d->nlabels, &a->labels,
				     &a->nlabels) == 0;
	}
	ok = ok && render_kv(r, d->annotations, d->nannotations,
			     &a->annotations, &a->nannotations) == 0;
	a->values = calloc((size_t)r->nev + 1, sizeof(*a->values));
	ok = ok && a->values;
	if (ok) {
		bool count_exact, size_exact;
		char note[1024];

		lden_watch_rule__values(r, a->values);
		a->nvalues = r->nev;
		/* a short count is said where the alert goes */
		lden_alert__exactness(a, &count_exact, &size_exact, note,
				     sizeof(note));
		if (note[0])
			ok = lden_alert__add_kv(&a->annotations,
					       &a->nannotations, "exactness",
					       note) == 0;
	}
	if (!ok) {
		lden_alert__unref(a);
		return NULL;
	}
	return a;
}

static void say(struct lden_watch *w, const struct lden_alert *a)
{
	FILE *out = w->conf.out;

	if (w->conf.json) {
		lden_alert__print_json(out, a);
		fputc('\n', out);
	} else if (!w->conf.quiet) {
		fprintf(out, "lden: %.3f s: rule %s %s (was %s): %s", a->elapsed,
			a->rule, lden_rule_state__name(a->state),
			lden_rule_state__name(a->from), a->expression);
		bool count_exact, size_exact;
		char note[1024];

		/* labels escaped: the transition stays one line */
		for (int i = 0; i < a->nvalues; i++) {
			fputs(i ? ", " : " [", out);
			lden_label__print(out, a->values[i].name, 0);
			fprintf(out, " %s%.0f/s",
				a->values[i].speed_estimated ? "~" : "",
				a->values[i].speed);
		}
		fprintf(out, "%s", a->nvalues ? "]" : "");
		lden_alert__exactness(a, &count_exact, &size_exact, note,
				     sizeof(note));
		fprintf(out, "%s%s\n", note[0] ? " -- " : "", note);
	}
	fflush(out);
}

static void act(struct lden_watch *w, struct lden_watch_rule *r,
		struct lden_alert *a, bool resend)
{
	const struct lden_rule *d = r->def;
	bool edge = a->state == LDEN_RULE_FIRING ||
		    (a->state == LDEN_RULE_RESOLVED && a->from == LDEN_RULE_FIRING);

	if (!w->conf.actions)
		return;
	for (int i = 0; i < d->nactions; i++) {
		const struct lden_rule_action *ra = &d->actions[i];

		if (resend ? ra->kind != LDEN_ACTION_ALERTMANAGER :
		    ra->kind != LDEN_ACTION_JOURNAL && !edge)
			continue;
		if (lden_actions__send(w->conf.actions, ra, a) < 0)
			w->action_errors++;
	}
	if (r->has_am && edge)
		r->last_am = a->at;
}

static void keep_labels(struct lden_watch_rule *r)
{
	for (int i = 0; i < r->nlabels; i++) {
		free(r->labels[i].key);
		free(r->labels[i].value);
	}
	free(r->labels);
	r->labels = NULL;
	r->nlabels = 0;
	if (render_kv(r, r->def->labels, r->def->nlabels, &r->labels,
		      &r->nlabels) < 0) {
		/* out of memory: the alert goes without its own labels */
		r->nlabels = 0;
	}
}

static void transition(struct lden_watch *w, struct lden_watch_rule *r,
		       enum lden_rule_state from, double now, double wall)
{
	struct lden_alert *a;

	if (r->sm.state == LDEN_RULE_FIRING) {
		r->starts_wall = wall;
		keep_labels(r);
	}
	w->transitions++;
	a = make_alert(w, r, from, now, wall);
	if (!a) {
		w->action_errors++;
		return;
	}
	say(w, a);
	act(w, r, a, false);
	lden_alert__unref(a);
}

/* Alertmanager forgets an alert not heard of again: tell it again. */
static void resend(struct lden_watch *w, struct lden_watch_rule *r,
		   double now, double wall)
{
	struct lden_alert *a;

	if (!r->has_am || r->sm.state != LDEN_RULE_FIRING ||
	    wall - r->last_am < w->conf.resend)
		return;
	a = make_alert(w, r, LDEN_RULE_FIRING, now, wall);
	if (!a) {
		w->action_errors++;
		return;
	}
	act(w, r, a, true);
	r->last_am = wall;
	lden_alert__unref(a);
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int lden_watch__tick(struct lden_watch *w, double now, double wall)
{
	double t0 = cpu_now(), dt;

	if (lden_watch_events__update(&w->ev, now) < 0)
		return -1;
	for (int i = 0; i < w->n; i++) {
		struct lden_watch_rule *r = w->r[i];
		enum lden_rule_state from;

		r->truth = evaluate(r);
		if (lden_rule_sm__step(&r->sm, r->truth, now, &from))
			transition(w, r, from, now, wall);
		resend(w, r, now, wall);
	}
	dt = cpu_now() - t0;
	w->ticks++;
	w->eval_last = dt;
	w->eval_total += dt;
	if (dt > w->eval_max)
		w->eval_max = dt;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Binding a new set of rules */

/* A rule that goes while firing: resolved, so nothing waits for it. */
static void retire(struct lden_watch *w, struct lden_watch_rule *r, double now)
{
	struct timespec ts;
	double wall;

	if (r->sm.state != LDEN_RULE_FIRING)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	wall = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	r->sm.state = LDEN_RULE_RESOLVED;
	transition(w, r, LDEN_RULE_FIRING, now, wall);
}

int lden_watch__bind(struct lden_watch *w, struct lden_rules *rs, double now,
		    bool check_only, struct lden_rules_error *err)
{
	struct lden_watch_rule **nr = calloc((size_t)rs->n + 1, sizeof(*nr));
	bool *kept = calloc((size_t)w->n + 1, sizeof(*kept));
	int i;

	if (!nr || !kept) {
		free(nr);
		free(kept);
		memset(err, 0, sizeof(*err));
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		err->col = -1;
		return -1;
	}
	w->added = w->removed = w->kept = 0;
	for (i = 0; i < rs->n; i++) {
		const struct lden_rule *d = &rs->rules[i];
		struct lden_watch_rule *old = check_only ? NULL :
					      find_rule(w, d->name);

		if (old && lden_rule__same(old->def, d)) {
			nr[i] = old;
			w->kept++;
			continue;
		}
		w->added++;
		nr[i] = rule_new(w, d, check_only, err);
		if (!nr[i])
			goto out_undo;
	}
	if (check_only) {
		for (i = 0; i < rs->n; i++)
			rule_free(w, nr[i]);
		free(nr);
		free(kept);
		return 0;
	}
	/* from here nothing fails but reading the counters */
	if (lden_watch_events__enable(&w->ev, now) < 0 ||
	    lden_watch_events__update(&w->ev, now) < 0) {
		memset(err, 0, sizeof(*err));
		snprintf(err->msg, sizeof(err->msg), "%s", ltr_last_error());
		err->col = -1;
		i = rs->n;
		goto out_undo;
	}
	if (!w->started) {
		w->start = now;
		w->started = true;
	}
	for (i = 0; i < rs->n; i++) {
		struct lden_watch_rule *r = nr[i];
		bool is_old = false;

		for (int j = 0; j < w->n; j++)
			if (w->r[j] == r) {
				kept[j] = true;
				is_old = true;
			}
		/* the kept rule's definition moves to the new set */
		r->def = &rs->rules[i];
		if (is_old)
			continue;
		for (int j = 0; j < r->nev; j++) {
			r->ev[j].count0 = r->ev[j].we->st.count;
			r->ev[j].size0 = r->ev[j].we->st.size;
			r->ev[j].lost0 = r->ev[j].we->st.lost;
			r->ev[j].missed0 = r->ev[j].we->st.missed;
			r->ev[j].unsized0 = r->ev[j].we->st.unsized;
		}
		lden_rule_sm__init(&r->sm, r->def->for_s, r->def->keep_firing_s,
				  r->def->cooldown_s, now);
	}
	for (int j = 0; j < w->n; j++) {
		if (kept[j])
			continue;
		w->removed++;
		retire(w, w->r[j], now);
		rule_free(w, w->r[j]);
	}
	free(w->r);
	free(kept);
	w->r = nr;
	w->n = rs->n;
	lden_rules__free(&w->rules);
	w->rules = *rs;
	memset(rs, 0, sizeof(*rs));
	/* the rules' definitions moved with the array: point at it again */
	for (i = 0; i < w->n; i++)
		w->r[i]->def = &w->rules.rules[i];
	return 0;

out_undo:
	{
		int saved = errno;

		while (i-- > 0) {
			bool is_old = false;

			for (int j = 0; j < w->n; j++)
				is_old |= w->r[j] == nr[i];
			if (!is_old)
				rule_free(w, nr[i]);
		}
		errno = saved;
	}
	free(nr);
	free(kept);
	return -1;
}

void lden_watch__free(struct lden_watch *w)
{
	for (int i = 0; i < w->n; i++)
		rule_free(w, w->r[i]);
	free(w->r);
	w->r = NULL;
	w->n = 0;
	lden_watch_events__free(&w->ev);
	lden_rules__free(&w->rules);
}
