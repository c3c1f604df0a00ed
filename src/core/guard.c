// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The overhead guard (see guard.h): snapshots of lden's CPU time and of
 * every source's count, at least 100 ms apart, in a ring; rates and the
 * CPU share are differences between the newest snapshot and an older one.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aggregate.h"
#include "attach.h"
#include "escape.h"
#include "guard.h"
#include "lden-trace.h"
#include "number.h"
#include "selfcpu.h"

#define SLOTS 128		/* 12.8 s of snapshots at 100 ms */
#define STEP 0.1		/* seconds between snapshots, at least */
/* events/s below which a source is never switched for the CPU budget */
#define CPU_MIN_RATE 100
#define RATE_WINDOW 1.0		/* rates are over the last second */

struct source {
	char *label;
	struct lden_attached **atts;
	int natts;
	bool stopped;
	double rate;
	double cost_ns;		/* a sample beyond a count; < 0: measured */
	uint64_t count[SLOTS];
};

/* The kernel's cost of an event, measured in a thread of its own. */
struct calibration {
	pthread_t thread;
	bool started;
	char *tracing_dir;
	/* types to measure set before, the rest written by the thread,
	 * then done set (release) */
	struct ltr_sample_costs cost;
	int err;
	bool done;
	int stop;	/* set by lden_guard__end(): given up between rounds */
	bool joined;
};

struct lden_guard {
	struct lden_guard_opts o;
	struct source *src;
	int nsrc;
	double t[SLOTS];	/* CLOCK_MONOTONIC seconds */
	double cpu[SLOTS];	/* CPU seconds of this process */
	int head;		/* next slot */
	int n;
	double start, cpu_start;
	double judge_from;	/* CPU windows start here (start, last action) */
	double cpu_pct;		/* own_pct + kernel_pct */
	double own_pct, kernel_pct;
	double excluded_start;	/* serving threads' CPU at the start */
	struct calibration cal;
	uint64_t lost;
	struct lden_guard_action *acts;
	int nacts;
};

/* lden's CPU spent tracing: not the threads that serve (selfcpu.h) */
static double cpu_seconds(void)
{
	return lden_selfcpu__tracing();
}

static void *calibrate(void *arg)
{
	struct calibration *c = arg;
	int err;

	lden_selfcpu__exclude_thread();
	err = ltr_measure_sample_costs_until(c->tracing_dir, &c->cost,
					     &c->stop);
	c->err = err;
	lden_selfcpu__thread_done();
	__atomic_store_n(&c->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* The costs measured (or given), once known; else NULL. */
static const struct ltr_sample_costs *known_costs(const struct lden_guard *g)
{
	const struct calibration *c = &g->cal;

	if (g->o.costs)
		return g->o.costs;
	if (!__atomic_load_n(&c->done, __ATOMIC_ACQUIRE) || c->err < 0)
		return NULL;
	return &c->cost;
}

/* @ns less a count's, never below 0 */
static double beyond_count(const struct ltr_sample_costs *c, double ns)
{
	return ns > c->count_ns ? ns - c->count_ns : 0;
}

/* The cost of a full perf sample beyond a count, once known; else 0. */
static double measured_ns(const struct lden_guard *g)
{
	const struct ltr_sample_costs *c = known_costs(g);

	if (g->o.sample_ns >= 0)
		return g->o.sample_ns;
	return c ? beyond_count(c, c->full_ns) : 0;
}

/*
 * Whether part @p is counted from its records (the ftrace ring, no twin):
 * the switch keeps them, so it saves the kernel nothing.
 */
static bool kept_by_switch(const struct lden_part *p)
{
	return p->ev && !p->counter && !p->feeder &&
	       ltr_event__mode(p->ev) == LTR_MODE_SAMPLE &&
	       ltr_event__counts_records(p->ev);
}

/*
 * What sampling one hit of part @p costs the kernel beyond its count
 * (what the switch saves), by the path its records take: on the perf
 * ring, the sample type it was opened with (a size summed samples the
 * raw record alone, which costs the kernel less than a full sample);
 * *est set when that is not measured.  Counted from its records on the
 * ftrace ring, nothing: the records are its count, and stay.  On the
 * ftrace ring beside a twin (not measured: it needs an instance of its
 * own) a full perf sample's whole cost is taken, estimated: the ftrace
 * ring builds a record of its own, beside the twin's count.  Below 0
 * for a part that is not sampled.
 */
static double part_cost(const struct ltr_sample_costs *c,
			const struct lden_part *p, bool *est)
{
	uint64_t type;

	if (!p->ev || p->feeder || ltr_event__mode(p->ev) != LTR_MODE_SAMPLE)
		return -1;
	if (kept_by_switch(p))
		return 0;
	if (ltr_event__ring(p->ev) == LTR_RING_FTRACE) {
		*est = true;
		return c->full_ns;
	}
	type = ltr_event__sample_type(p->ev);
	for (int i = 0; i < c->ntypes; i++)
		if (c->type[i] == type)
			return beyond_count(c, c->sample_ns[i]);
	*est = true;
	return beyond_count(c, c->full_ns);
}

/*
 * What a hit of @src costs the kernel while it is sampled, beyond its
 * count (what switching it to counting saves), in ns; 0 while unknown.
 * A source whose parts take different paths costs as its dearest: which
 * part a hit is is not known.  *est: partly estimated (part_cost()).
 */
static double source_cost(const struct lden_guard *g,
			  const struct source *src, bool *est)
{
	const struct ltr_sample_costs *c = known_costs(g);
	double worst = 0;

	*est = false;
	if (src->cost_ns >= 0)
		return src->cost_ns;
	if (g->o.sample_ns >= 0)
		return g->o.sample_ns;
	if (!c)
		return 0;
	for (int k = 0; k < src->natts; k++)
		for (int j = 0; j < src->atts[k]->nparts; j++)
			worst = fmax(worst, part_cost(c, &src->atts[k]->parts[j],
						      est));
	return worst;
}

int lden_guard__parse_opt(struct lden_guard_opts *o, int opt, const char *arg,
			 char *err, size_t errlen)
{
	if (opt == LDEN_OPT_MAX_RATE) {
		unsigned long long v;

		if (lden_parse_count(arg, 1, ULLONG_MAX, &v) < 0) {
			snprintf(err, errlen, "invalid --max-rate value '%s' (expected events per second, a positive integer)",
				 arg);
			return -1;
		}
		o->max_rate = v;
	} else {
		double v;

		if (lden_parse_decimal(arg, 0, 100, &v) < 0) {
			snprintf(err, errlen, "invalid --max-cpu value '%s' (expected a percentage of one CPU, 0 to 100)",
				 arg);
			return -1;
		}
		o->max_cpu = v;
	}
	return 0;
}

bool lden_guard_opts__active(const struct lden_guard_opts *o)
{
	return o->max_rate > 0 || o->max_cpu > 0;
}

struct lden_guard *lden_guard__new(const struct lden_guard_opts *o)
{
	struct lden_guard_opts defaults = LDEN_GUARD_OPTS_INIT;
	struct lden_guard *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->o = o ? *o : defaults;
	if (g->o.cpu_window <= 0)
		g->o.cpu_window = LDEN_GUARD_CPU_WINDOW;
	return g;
}

void lden_guard__end(struct lden_guard *g)
{
	if (!g || !g->cal.started || g->cal.joined)
		return;
	/* an exit does not wait for a measure nobody will use */
	__atomic_store_n(&g->cal.stop, 1, __ATOMIC_RELEASE);
	pthread_join(g->cal.thread, NULL);
	g->cal.joined = true;
}

void lden_guard__free(struct lden_guard *g)
{
	if (!g)
		return;
	lden_guard__end(g);
	free(g->cal.tracing_dir);
	for (int i = 0; i < g->nsrc; i++) {
		free(g->src[i].label);
		free(g->src[i].atts);
	}
	free(g->src);
	free(g->acts);
	free(g);
}

int lden_guard__add(struct lden_guard *g, const char *label,
		   struct lden_attached *a)
{
	struct lden_attached **atts;
	struct source *src = NULL;
	int i;

	for (i = 0; i < g->nsrc && !src; i++)
		if (!strcmp(g->src[i].label, label))
			src = &g->src[i];
	if (!src) {
		struct source *ns = realloc(g->src, (g->nsrc + 1) * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		g->src = ns;
		src = &g->src[g->nsrc];
		memset(src, 0, sizeof(*src));
		src->label = strdup(label);
		src->cost_ns = -1;
		if (!src->label)
			return -ENOMEM;
		i = ++g->nsrc;
	}
	atts = realloc(src->atts, (src->natts + 1) * sizeof(*atts));
	if (!atts)
		return -ENOMEM;
	src->atts = atts;
	atts[src->natts++] = a;
	return i - 1;
}

static int slot_back(const struct lden_guard *g, int i)
{
	return (g->head - 1 - i + 2 * SLOTS) % SLOTS;
}

/*
 * The newest snapshot at least @age older than the newest one and not
 * before @from; *full says whether one was that old, else it is the
 * oldest one not before @from.  -1 when there is none but the newest.
 */
static int base_slot(const struct lden_guard *g, double age, double from,
		     bool *full)
{
	double tn = g->t[slot_back(g, 0)];
	int best = -1;

	*full = false;
	for (int i = 1; i < g->n; i++) {
		int s = slot_back(g, i);

		if (g->t[s] < from)
			break;
		best = s;
		if (tn - g->t[s] >= age - 1e-9) {
			*full = true;
			break;
		}
	}
	return best;
}

static int read_sources(struct lden_guard *g, int h)
{
	uint64_t own = 0, shared = 0;

	for (int i = 0; i < g->nsrc; i++) {
		struct source *src = &g->src[i];

		src->count[h] = 0;
		for (int k = 0; k < src->natts; k++) {
			struct lden_reading r;

			/* one read of a hist for both */
			if (lden_attached__read(src->atts[k], &r) < 0)
				return -errno;
			src->count[h] += r.count;
			/* the ftrace ring's drops: the same on each of its
			 * events, once (lden_lost_total()) */
			if (!src->atts[k]->lost_shared)
				own += r.lost;
			else if (r.lost > shared)
				shared = r.lost;
		}
	}
	g->lost += own + shared;
	return 0;
}

static int snapshot(struct lden_guard *g, double now)
{
	struct ltr_session *s = NULL;
	int h = g->head, rc;

	g->t[h] = now;
	g->cpu[h] = cpu_seconds();
	g->lost = 0;
	for (int i = 0; i < g->nsrc && !s; i++)
		for (int k = 0; k < g->src[i].natts && !s; k++)
			s = lden_attached__session(g->src[i].atts[k]);
	/* the sources' counters of one read a CPU */
	ltr_session__hold_counters(s);
	rc = read_sources(g, h);
	ltr_session__release_counters(s);
	if (rc < 0)
		return rc;
	g->head = (h + 1) % SLOTS;
	if (g->n < SLOTS)
		g->n++;
	return 0;
}

int lden_guard__count(const struct lden_guard *g, const char *label,
		     uint64_t *count)
{
	*count = 0;
	for (int i = 0; i < g->nsrc; i++) {
		if (strcmp(g->src[i].label, label))
			continue;
		for (int k = 0; k < g->src[i].natts; k++) {
			uint64_t c;

			if (lden_attached__count(g->src[i].atts[k], &c) < 0)
				return -1;
			*count += c;
		}
		return 0;
	}
	return -1;
}

void lden_guard__source_cost(struct lden_guard *g, int i, double ns)
{
	if (i >= 0 && i < g->nsrc)
		g->src[i].cost_ns = ns;
}

void lden_guard__start(struct lden_guard *g, double now)
{
	g->excluded_start = lden_selfcpu__excluded();
	g->start = now;
	g->judge_from = now;
	g->n = 0;
	g->head = 0;
	snapshot(g, now);
	g->cpu_start = g->cpu[0];
}

static bool sampled(const struct source *src)
{
	for (int k = 0; k < src->natts; k++)
		if (src->atts[k]->sampling)
			return true;
	return false;
}

static int stop(struct lden_guard *g, struct source *src, struct ltr_session *s,
		enum lden_guard_reason why, double now,
		int (*fn)(const struct ltr_sample *, void *), void *ctx)
{
	struct lden_guard_action *acts, *a;
	uint64_t size = 0;
	bool est;
	/* what a hit cost while sampled: once stopped, its parts are not */
	double ns = source_cost(g, src, &est);

	acts = realloc(g->acts, (g->nacts + 1) * sizeof(*acts));
	if (!acts)
		return -ENOMEM;
	g->acts = acts;
	/* all at once first (an enter and its exit stop together) */
	for (int k = 0; k < src->natts; k++) {
		int rc = lden_attached__disable_sampling(src->atts[k]);

		if (rc < 0)
			return rc;
	}
	for (int k = 0; k < src->natts; k++) {
		int rc = lden_attached__stop_sampling(src->atts[k], s, fn, ctx);

		if (rc < 0)
			return rc;
		size = lden_u64_add(size, src->atts[k]->size_total);
	}
	src->stopped = true;
	a = &g->acts[g->nacts++];
	memset(a, 0, sizeof(*a));
	a->event = src->label;
	a->reason = why;
	a->at = now - g->start;
	a->when = time(NULL);
	a->rate = src->rate;
	a->limit = why == LDEN_GUARD_RATE ? (double)g->o.max_rate :
					    g->o.max_cpu;
	a->cpu_pct = g->cpu_pct;
	a->own_pct = g->own_pct;
	a->kernel_pct = g->kernel_pct;
	a->sample_ns = ns;
	a->sample_estimated = est;
	a->size = size;
	/* the next CPU window starts after this switch and its drain */
	g->judge_from = now + 1e-6;
	return 1;
}

/*
 * Measures the kernel's cost of a sample, in a thread, once: when a CPU
 * budget judges a sampled source whose cost it does not know yet.  Not
 * before CALIBRATE_AFTER s: its 27,000 system calls (9,000 more per
 * sample type the sources use) and its own perf
 * events (whose last close waits for the kernel, under the mutex every
 * tracepoint's open takes) would compete with lden's start and its first
 * values on a busy machine; the first CPU window is judged only after
 * cpu_window (3 s by default; a quarter of it when shorter).
 */
#define CALIBRATE_AFTER 0.5

/*
 * Adds the perf sample types of @src's parts to those @c will measure;
 * whether any sampled part's cost needs the measure (one not
 * kept_by_switch()).
 */
static bool add_types(struct ltr_sample_costs *c, const struct source *src)
{
	bool needed = false;

	for (int k = 0; k < src->natts; k++) {
		for (int j = 0; j < src->atts[k]->nparts; j++) {
			const struct lden_part *p = &src->atts[k]->parts[j];
			uint64_t type;
			int i;

			if (!p->ev || p->feeder)
				continue;
			needed |= ltr_event__mode(p->ev) == LTR_MODE_SAMPLE &&
				  !kept_by_switch(p);
			type = ltr_event__sample_type(p->ev);
			for (i = 0; i < c->ntypes && c->type[i] != type; i++)
				;
			/* beyond the table: a full sample's, said estimated */
			if (type && i == c->ntypes && i < LTR_COST_MAX_TYPES)
				c->type[c->ntypes++] = type;
		}
	}
	return needed;
}

static void start_calibration(struct lden_guard *g, struct ltr_session *s,
			      double now)
{
	struct calibration *c = &g->cal;
	bool needed = false;

	if (c->started || g->o.sample_ns >= 0 || g->o.costs ||
	    g->o.max_cpu <= 0 ||
	    now - g->start < fmin(CALIBRATE_AFTER, g->o.cpu_window / 4))
		return;
	c->cost.ntypes = 0;
	for (int i = 0; i < g->nsrc; i++) {
		if (!sampled(&g->src[i]) || g->src[i].cost_ns >= 0)
			continue;
		needed |= add_types(&c->cost, &g->src[i]);
	}
	if (!needed)
		return;
	c->tracing_dir = strdup(ltr_session__tracing_dir(s));
	if (!c->tracing_dir)
		return;
	c->started = !pthread_create(&c->thread, NULL, calibrate, c);
}

/* The kernel's share over the window from slot @base: its samples' cost. */
static double kernel_pct(const struct lden_guard *g, int newest, int base)
{
	double dt = g->t[newest] - g->t[base], pct = 0;
	bool est;

	if (dt <= 0)
		return 0;
	for (int i = 0; i < g->nsrc; i++) {
		const struct source *src = &g->src[i];
		double cost = source_cost(g, src, &est);

		/* a source switched in the window paid until then: judged
		 * again only from its switch (judge_from), so none here */
		if (src->stopped || !sampled(src))
			continue;
		pct += (src->count[newest] - src->count[base]) / dt * cost /
		       1e9 * 100;
	}
	return pct;
}

int lden_guard__tick(struct lden_guard *g, struct ltr_session *s, double now,
		    int (*fn)(const struct ltr_sample *, void *), void *ctx)
{
	int newest, base, rc, acted = 0;
	bool full, rate_full, cpu_full;
	struct source *busiest = NULL;

	if (g->n && now - g->t[slot_back(g, 0)] < STEP - 1e-9)
		return 0;
	start_calibration(g, s, now);
	rc = snapshot(g, now);
	if (rc < 0)
		return rc;
	newest = slot_back(g, 0);

	base = base_slot(g, RATE_WINDOW, g->start, &rate_full);
	for (int i = 0; i < g->nsrc; i++) {
		struct source *src = &g->src[i];
		double dt = base >= 0 ? now - g->t[base] : 0;

		src->rate = dt > 0 ? (src->count[newest] - src->count[base]) / dt :
				     0;
	}
	base = base_slot(g, g->o.cpu_window, g->judge_from, &cpu_full);
	if (base >= 0 && now > g->t[base]) {
		g->own_pct = 100 * (g->cpu[newest] - g->cpu[base]) /
			     (now - g->t[base]);
		g->kernel_pct = kernel_pct(g, newest, base);
		g->cpu_pct = g->own_pct + g->kernel_pct;
	}

	for (int i = 0; i < g->nsrc; i++) {
		struct source *src = &g->src[i];

		if (src->stopped || !sampled(src))
			continue;
		if (g->o.max_rate && rate_full && src->rate > g->o.max_rate) {
			rc = stop(g, src, s, LDEN_GUARD_RATE, now, fn, ctx);
			if (rc < 0)
				return rc;
			acted++;
			continue;
		}
		/*
		 * a source of a few events costs next to nothing: counting it
		 * saves nothing (when lden's own fixed cost, reading many
		 * counters, is over the budget, no source is to blame)
		 */
		if (src->rate >= CPU_MIN_RATE &&
		    (!busiest || src->rate > busiest->rate))
			busiest = src;
	}
	full = cpu_full && !acted;
	if (g->o.max_cpu > 0 && full && busiest && g->cpu_pct > g->o.max_cpu) {
		rc = stop(g, busiest, s, LDEN_GUARD_CPU, now, fn, ctx);
		if (rc < 0)
			return rc;
		acted++;
	}
	return acted;
}

int lden_guard__nactions(const struct lden_guard *g)
{
	return g->nacts;
}

const struct lden_guard_action *lden_guard__action(const struct lden_guard *g,
						  int i)
{
	return i >= 0 && i < g->nacts ? &g->acts[i] : NULL;
}

struct lden_guard_action *lden_guard__find(struct lden_guard *g,
					  const char *label)
{
	for (int i = 0; i < g->nacts; i++)
		if (!strcmp(g->acts[i].event, label))
			return &g->acts[i];
	return NULL;
}

void lden_guard__message_for(const struct lden_guard_action *a,
			    const char *effect, char *buf, size_t len)
{
	char share[160] = "", event[300];

	/* one line, whatever a filter in the label holds */
	lden_escape__quote(a->event, event, sizeof(event));
	if (a->reason == LDEN_GUARD_CPU && a->kernel_pct > 0)
		snprintf(share, sizeof(share),
			 ", %.1f%% of it in the traced tasks for its samples (%.0f ns each%s)",
			 a->kernel_pct, a->sample_ns,
			 a->sample_estimated ? ", estimated" : "");
	if (a->reason == LDEN_GUARD_RATE)
		snprintf(buf, len, "guard: '%s' sampled at %.0f events/s (limit %.0f): %s",
			 event, a->rate, a->limit, effect);
	else
		snprintf(buf, len, "guard: lden used %.1f%% of a CPU%s (limit %g%%): '%s', the busiest sampled source at %.0f events/s, %s",
			 a->cpu_pct, share, a->limit, event, a->rate, effect);
}

void lden_guard__message(const struct lden_guard_action *a, char *buf,
			size_t len)
{
	char event[300], num[24];
	size_t n;

	lden_guard__message_for(a, "counted from now on, its size is no longer updated",
			       buf, len);
	n = strlen(buf);
	if (a->size_used && n + 1 < len)
		snprintf(buf + n, len - n, " (size(%s) keeps its last value, %s)",
			 lden_escape__quote(a->event, event, sizeof(event)),
			 lden_u64_str(a->size, num, sizeof(num)));
}

void lden_guard__note(const struct lden_guard_action *a, const char *what,
		     char *buf, size_t len)
{
	char when[16];
	struct tm tm;

	localtime_r(&a->when, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (a->reason == LDEN_GUARD_RATE)
		snprintf(buf, len, "%s at %s by the guard (rate %.0f/s > %.0f/s)",
			 what, when, a->rate, a->limit);
	else if (a->kernel_pct > 0)
		snprintf(buf, len, "%s at %s by the guard (lden at %.1f%% CPU, %.1f%% of it in the kernel, > %g%%, rate %.0f/s)",
			 what, when, a->cpu_pct, a->kernel_pct, a->limit,
			 a->rate);
	else
		snprintf(buf, len, "%s at %s by the guard (lden at %.1f%% CPU > %g%%, rate %.0f/s)",
			 what, when, a->cpu_pct, a->limit, a->rate);
}

void lden_guard__size_note(const struct lden_guard_action *a, char *buf,
			  size_t len)
{
	size_t n;
	char num[24];

	lden_guard__note(a, "size stopped", buf, len);
	n = strlen(buf);
	if (n + 1 < len)
		snprintf(buf + n, len - n, "; it was %s then",
			 lden_u64_str(a->size, num, sizeof(num)));
}

bool lden_guard__stop_stat(const struct lden_guard_action *a,
			  struct lden_stat *st)
{
	if (strcmp(st->label, a->event))
		return false;
	st->size_stopped = true;
	lden_guard__size_note(a, st->note, sizeof(st->note));
	return true;
}

double lden_guard__cpu_pct(const struct lden_guard *g)
{
	return g->cpu_pct;
}

double lden_guard__kernel_pct(const struct lden_guard *g)
{
	return g->kernel_pct;
}

double lden_guard__sample_ns(const struct lden_guard *g)
{
	return measured_ns(g);
}

double lden_guard__cpu_pct_total(const struct lden_guard *g)
{
	int newest = slot_back(g, 0);
	double dt = g->n ? g->t[newest] - g->start : 0;

	return dt > 0 ? 100 * (g->cpu[newest] - g->cpu_start) / dt : 0;
}

int lden_guard__nsources(const struct lden_guard *g)
{
	return g->nsrc;
}

const char *lden_guard__source_label(const struct lden_guard *g, int i)
{
	return g->src[i].label;
}

double lden_guard__source_rate(const struct lden_guard *g, int i)
{
	return g->src[i].rate;
}

uint64_t lden_guard__lost(const struct lden_guard *g)
{
	return g->lost;
}

void lden_guard__print_action_json(FILE *out, const struct lden_guard_action *a)
{
	fputs("{\"event\":", out);
	lden_json_string(out, a->event);
	fprintf(out, ",\"action\":\"counting\",\"at\":%.3f,\"rate\":%.0f,\"limit\":%g,\"reason\":\"%s\",\"cpu_pct\":%.2f,\"own_pct\":%.2f,\"kernel_pct\":%.2f,\"sample_ns\":%.0f,\"sample_ns_estimated\":%s,\"size\":%" PRIu64 "%s}",
		a->at, a->rate, a->limit,
		a->reason == LDEN_GUARD_RATE ? "rate" : "cpu",
		a->cpu_pct, a->own_pct, a->kernel_pct, a->sample_ns,
		a->sample_estimated ? "true" : "false", a->size,
		lden_u64_over(a->size) ? ",\"size_overflow\":true" : "");
}

void lden_guard__print_json(FILE *out, const struct lden_guard *g)
{
	fputs("\"guard\":[", out);
	for (int i = 0; i < g->nacts; i++) {
		if (i)
			fputc(',', out);
		lden_guard__print_action_json(out, &g->acts[i]);
	}
	fputc(']', out);
}

void lden_guard__print_self_json(FILE *out, const struct lden_guard *g)
{
	int newest = slot_back(g, 0);
	double dt = g->n ? g->t[newest] - g->start : 0;
	double serving = lden_selfcpu__excluded() - g->excluded_start;
	const struct ltr_sample_costs *c = known_costs(g);
	bool first = true;

	fprintf(out, "\"self\":{\"cpu_pct\":%.2f,\"cpu_pct_window\":%.2f,\"kernel_pct_window\":%.2f,\"serving_cpu_pct\":%.2f,\"max_cpu\":%g,\"max_rate\":%" PRIu64,
		lden_guard__cpu_pct_total(g), g->cpu_pct, g->kernel_pct,
		dt > 0 ? 100 * serving / dt : 0, g->o.max_cpu, g->o.max_rate);
	if (g->o.sample_ns >= 0)
		fprintf(out, ",\"sample_ns\":%.0f,\"count_ns\":null",
			g->o.sample_ns);
	else if (c)
		fprintf(out, ",\"sample_ns\":%.0f,\"count_ns\":%.0f",
			measured_ns(g), c->count_ns);
	else
		fputs(",\"sample_ns\":null,\"count_ns\":null", out);
	/* what the model took for a hit of each sampled source */
	fputs(",\"source_ns\":{", out);
	for (int i = 0; i < g->nsrc; i++) {
		bool est;
		double ns = source_cost(g, &g->src[i], &est);

		if (!sampled(&g->src[i]))
			continue;
		if (!first)
			fputc(',', out);
		first = false;
		lden_json_string(out, g->src[i].label);
		if (ns > 0 || c || g->o.sample_ns >= 0 || g->src[i].cost_ns >= 0)
			fprintf(out, ":{\"ns\":%.0f,\"estimated\":%s}", ns,
				est ? "true" : "false");
		else
			fputs(":null", out);
	}
	fputc('}', out);
	fputs(",\"rates\":{", out);
	for (int i = 0; i < g->nsrc; i++) {
		if (i)
			fputc(',', out);
		lden_json_string(out, g->src[i].label);
		fprintf(out, ":%.0f", g->src[i].rate);
	}
	fprintf(out, "},\"lost\":%" PRIu64 "}", g->lost);
}
