// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The overhead guard's cost model and decisions (guard.c), with the costs
 * given rather than measured and everything it reads from the kernel
 * replaced (-Wl,--wrap: each source's count, lden's own CPU time, each
 * part's ring and perf sample type), so that no timing is asserted.
 *
 * Costs: a count 100 ns, a full perf sample 500 ns, a sample of the raw
 * record alone (a size summed) 250 ns; so beyond a count 400 and 150.  A
 * source at 200,000 hits a second then costs the traced tasks 3% of a CPU
 * sampled lean, 8% sampled full: under a 5% budget the lean one is kept,
 * the full one switched (the model charged every source a full sample's
 * cost before, and switched both).  The ftrace ring beside a counter, not
 * measured, is charged a full sample's whole cost and said estimated;
 * alone there, counted from its records, nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "guard.h"
#include "lden-trace.h"

#define FULL (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | \
	      PERF_SAMPLE_CPU | PERF_SAMPLE_RAW)
#define LEAN (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_RAW)
#define RATE 200000.0		/* hits a second of every source */

struct fake_ev {
	enum ltr_mode mode;
	enum ltr_ring_kind ring;
	uint64_t type;
	bool records;	/* counted from its records (ftrace ring, alone) */
};

/* the fake clock, and what lden's own CPU time is at it */
static double now;
static double own_share;	/* of one CPU */
static int stopped;

/* each attached event's count: RATE x now, from a->user */
int __wrap_lden_attached__count(struct lden_attached *a, uint64_t *count);
int __wrap_lden_attached__count(struct lden_attached *a, uint64_t *count)
{
	(void)a;
	*count = (uint64_t)(RATE * now + 0.5);
	return 0;
}

/* the same, read with its lost records (none) and size in one reading */
int __wrap_lden_attached__read(struct lden_attached *a, struct lden_reading *r);
int __wrap_lden_attached__read(struct lden_attached *a, struct lden_reading *r)
{
	(void)a;
	memset(r, 0, sizeof(*r));
	r->count = (uint64_t)(RATE * now + 0.5);
	return 0;
}

int __wrap_lden_attached__lost(struct lden_attached *a, uint64_t *lost);
int __wrap_lden_attached__lost(struct lden_attached *a, uint64_t *lost)
{
	(void)a;
	*lost = 0;
	return 0;
}

int __wrap_lden_attached__disable_sampling(struct lden_attached *a);
int __wrap_lden_attached__disable_sampling(struct lden_attached *a)
{
	(void)a;
	return 0;
}

int __wrap_lden_attached__stop_sampling(struct lden_attached *a,
					struct ltr_session *s,
					int (*fn)(const struct ltr_sample *,
						  void *),
					void *ctx);
int __wrap_lden_attached__stop_sampling(struct lden_attached *a,
					struct ltr_session *s,
					int (*fn)(const struct ltr_sample *,
						  void *),
					void *ctx)
{
	(void)s, (void)fn, (void)ctx;
	stopped++;
	/* as the real one: the part's count goes on from its twin */
	for (int i = 0; i < a->nparts; i++) {
		a->parts[i].ev = a->parts[i].counter;
		a->parts[i].counter = NULL;
	}
	a->sampling = false;
	return 0;
}

double __wrap_lden_selfcpu__tracing(void);
double __wrap_lden_selfcpu__tracing(void)
{
	return own_share * now;
}

double __wrap_lden_selfcpu__excluded(void);
double __wrap_lden_selfcpu__excluded(void)
{
	return 0;
}

/* no session: the guard's snapshot holds no counters (reads the fakes) */
struct ltr_session *__wrap_ltr_event__session(const struct ltr_event *ev);
struct ltr_session *__wrap_ltr_event__session(const struct ltr_event *ev)
{
	return NULL;
}

enum ltr_mode __wrap_ltr_event__mode(const struct ltr_event *ev);
enum ltr_mode __wrap_ltr_event__mode(const struct ltr_event *ev)
{
	return ((const struct fake_ev *)(const void *)ev)->mode;
}

enum ltr_ring_kind __wrap_ltr_event__ring(const struct ltr_event *ev);
enum ltr_ring_kind __wrap_ltr_event__ring(const struct ltr_event *ev)
{
	return ((const struct fake_ev *)(const void *)ev)->ring;
}

bool __wrap_ltr_event__counts_records(const struct ltr_event *ev);
bool __wrap_ltr_event__counts_records(const struct ltr_event *ev)
{
	return ((const struct fake_ev *)(const void *)ev)->records;
}

uint64_t __wrap_ltr_event__sample_type(const struct ltr_event *ev);
uint64_t __wrap_ltr_event__sample_type(const struct ltr_event *ev)
{
	const struct fake_ev *f = (const void *)ev;

	return f->mode == LTR_MODE_SAMPLE && f->ring == LTR_RING_PERF ?
	       f->type : 0;
}

static const struct ltr_sample_costs costs = {
	.ntypes = 2,
	.type = { LEAN, FULL },
	.count_ns = 100,
	.full_ns = 500,
	.sample_ns = { 250, 500 },
};

static struct fake_ev lean_ev = { LTR_MODE_SAMPLE, LTR_RING_PERF, LEAN };
static struct fake_ev full_ev = { LTR_MODE_SAMPLE, LTR_RING_PERF, FULL };
static struct fake_ev cgroup_ev = { LTR_MODE_SAMPLE, LTR_RING_PERF,
				    LEAN | PERF_SAMPLE_CGROUP };
static struct fake_ev ftrace_ev = { LTR_MODE_SAMPLE, LTR_RING_FTRACE, 0 };
static struct fake_ev records_ev = { LTR_MODE_SAMPLE, LTR_RING_FTRACE, 0,
				     true };
static struct fake_ev count_ev = { LTR_MODE_COUNT, LTR_RING_AUTO, 0 };

/* A sampled source whose parts are @evs (each with a counting twin). */
static void source(struct lden_attached *a, const char *label,
		   struct fake_ev **evs, int n)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->label, sizeof(a->label), "%s", label);
	a->sampling = true;
	a->has_size = true;
	for (int i = 0; i < n; i++) {
		a->parts[i].ev = (struct ltr_event *)(void *)evs[i];
		a->parts[i].counter = (struct ltr_event *)(void *)&count_ev;
	}
	a->nparts = n;
}

/*
 * Runs a guard with a 5% budget (or @o) over @a for @secs fake seconds,
 * ticking every 100 ms; returns it (free it).
 */
static struct lden_guard *run(struct lden_attached *a, int n,
			      const struct lden_guard_opts *o, double secs)
{
	struct lden_guard_opts go = LDEN_GUARD_OPTS_INIT;
	struct lden_guard *g;

	if (o)
		go = *o;
	else
		go.costs = &costs;
	g = lden_guard__new(&go);
	assert_non_null(g);
	for (int i = 0; i < n; i++)
		assert_true(lden_guard__add(g, a[i].label, &a[i]) >= 0);
	now = 0;
	stopped = 0;
	lden_guard__start(g, now);
	for (int t = 1; t <= (int)(secs * 10 + 0.5); t++) {
		now = t / 10.0;
		assert_true(lden_guard__tick(g, NULL, now, NULL, NULL) >= 0);
	}
	return g;
}

static void test_lean_kept(void **state)
{
	struct fake_ev *evs[] = { &lean_ev };
	struct lden_attached a;
	struct lden_guard *g;

	(void)state;
	own_share = 0.01;	/* 1% of lden's own: 4% in all */
	source(&a, "fs.read", evs, 1);
	g = run(&a, 1, NULL, 5);
	assert_int_equal(lden_guard__nactions(g), 0);
	assert_int_equal(stopped, 0);
	/* 200,000/s x 150 ns = 3% */
	assert_float_equal(lden_guard__kernel_pct(g), 3.0, 1e-6);
	assert_float_equal(lden_guard__cpu_pct(g), 4.0, 1e-6);
	lden_guard__free(g);
}

/* The model before: one cost, a full sample's, for every source. */
static void test_lean_at_full_cost_switched(void **state)
{
	struct lden_guard_opts o = LDEN_GUARD_OPTS_INIT;
	struct fake_ev *evs[] = { &lean_ev };
	struct lden_attached a;
	struct lden_guard *g;

	(void)state;
	own_share = 0.01;
	o.sample_ns = 400;
	source(&a, "fs.read", evs, 1);
	g = run(&a, 1, &o, 5);
	assert_int_equal(lden_guard__nactions(g), 1);
	lden_guard__free(g);
}

static void test_full_switched(void **state)
{
	struct fake_ev *evs[] = { &full_ev };
	const struct lden_guard_action *act;
	struct lden_attached a;
	struct lden_guard *g;
	char msg[512];

	(void)state;
	own_share = 0.01;
	source(&a, "fs.read", evs, 1);
	g = run(&a, 1, NULL, 5);
	assert_int_equal(lden_guard__nactions(g), 1);
	assert_int_equal(stopped, 1);
	act = lden_guard__action(g, 0);
	assert_int_equal(act->reason, LDEN_GUARD_CPU);
	assert_float_equal(act->sample_ns, 400, 1e-9);
	assert_false(act->sample_estimated);
	/* judged on the first whole 3 s window: 1% + 8% */
	assert_float_equal(act->at, 3.0, 1e-6);
	assert_float_equal(act->kernel_pct, 8.0, 1e-6);
	lden_guard__message(act, msg, sizeof(msg));
	assert_non_null(strstr(msg, "8.0% of it in the traced tasks for its samples (400 ns each) (limit 5%): 'fs.read'"));
	lden_guard__free(g);
}

/* The ftrace ring: a full perf sample's whole cost, said estimated. */
static void test_ftrace_estimated(void **state)
{
	struct fake_ev *evs[] = { &ftrace_ev };
	const struct lden_guard_action *act;
	struct lden_attached a;
	struct lden_guard *g;
	char msg[512];

	(void)state;
	own_share = 0;
	source(&a, "fs.read", evs, 1);
	g = run(&a, 1, NULL, 5);
	assert_int_equal(lden_guard__nactions(g), 1);
	act = lden_guard__action(g, 0);
	assert_float_equal(act->sample_ns, 500, 1e-9);
	assert_true(act->sample_estimated);
	assert_float_equal(act->kernel_pct, 10.0, 1e-6);
	lden_guard__message(act, msg, sizeof(msg));
	assert_non_null(strstr(msg, "(500 ns each, estimated)"));
	lden_guard__free(g);
}

/*
 * Alone on the ftrace ring, counted from its records (no twin): the
 * switch keeps the records, so its hits cost nothing the switch saves;
 * charged 0, not estimated, it is not switched for the kernel's share.
 * Old code: charged a full sample's whole cost, and switched at 10%.
 */
static void test_ftrace_records_free(void **state)
{
	struct fake_ev *evs[] = { &records_ev };
	struct lden_attached a;
	struct lden_guard *g;

	(void)state;
	own_share = 0;
	source(&a, "fs.read", evs, 1);
	a.parts[0].counter = NULL;
	g = run(&a, 1, NULL, 5);
	assert_int_equal(lden_guard__nactions(g), 0);
	assert_int_equal(stopped, 0);
	assert_float_equal(lden_guard__kernel_pct(g), 0, 1e-9);
	lden_guard__free(g);
}

/*
 * A type not measured (here: lean with the cgroup id) is charged a full
 * sample's, said estimated; parts on different paths as the dearest.
 */
static void test_unmeasured_and_mixed(void **state)
{
	struct fake_ev *cg[] = { &cgroup_ev };
	struct fake_ev *mixed[] = { &lean_ev, &full_ev };
	struct lden_attached a;
	struct lden_guard *g;

	(void)state;
	own_share = 0;
	source(&a, "fs.read", cg, 1);
	g = run(&a, 1, NULL, 5);
	assert_int_equal(lden_guard__nactions(g), 1);
	assert_float_equal(lden_guard__action(g, 0)->sample_ns, 400, 1e-9);
	assert_true(lden_guard__action(g, 0)->sample_estimated);
	lden_guard__free(g);

	source(&a, "fs.read", mixed, 2);
	g = run(&a, 1, NULL, 5);
	assert_int_equal(lden_guard__nactions(g), 1);
	assert_float_equal(lden_guard__action(g, 0)->sample_ns, 400, 1e-9);
	assert_false(lden_guard__action(g, 0)->sample_estimated);
	lden_guard__free(g);
}

/*
 * Two sources, lean and full, at 3% and 8%: the full one (the busiest
 * by rate ties: the first found) switched first; then 3% + 1% is under
 * the budget, and the lean one is kept.
 */
static void test_two_sources(void **state)
{
	struct fake_ev *full[] = { &full_ev };
	struct fake_ev *lean[] = { &lean_ev };
	struct lden_attached a[2];
	struct lden_guard *g;

	(void)state;
	own_share = 0.01;
	source(&a[0], "fs.write", full, 1);
	source(&a[1], "fs.read", lean, 1);
	g = run(a, 2, NULL, 10);
	assert_int_equal(lden_guard__nactions(g), 1);
	assert_string_equal(lden_guard__action(g, 0)->event, "fs.write");
	assert_float_equal(lden_guard__kernel_pct(g), 3.0, 1e-6);
	lden_guard__free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lean_kept),
		cmocka_unit_test(test_lean_at_full_cost_switched),
		cmocka_unit_test(test_full_switched),
		cmocka_unit_test(test_ftrace_estimated),
		cmocka_unit_test(test_ftrace_records_free),
		cmocka_unit_test(test_unmeasured_and_mixed),
		cmocka_unit_test(test_two_sources),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
