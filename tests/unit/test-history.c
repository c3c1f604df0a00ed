// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dashboard's history ring: its bound, what a walk since a time
 * returns, the event filter, and wrapping over the oldest ticks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "history.h"

/* A tick at time 1000 + @seq with two events: task.create made @seq + 1
 * forks in the interval, memory.alloc 10 times as many, of 64 bytes. */
static void add_tick(struct lden_history *h, int seq)
{
	uint64_t n = (uint64_t)seq + 1;
	struct lden_point pts[2] = {
		{ .event = "task.create", .count = n,
		  .count_total = n * (n + 1) / 2, .speed = (double)n },
		{ .event = "memory.alloc", .has_size = true, .count = 10 * n,
		  .size = 640 * n, .count_total = 10 * n * (n + 1) / 2,
		  .size_total = 640 * n * (n + 1) / 2, .speed = 10.0 * n },
	};
	struct lden_tick t = {
		.time = 1000.0 + seq, .elapsed = seq + 1, .interval = 1,
		.seq = (uint64_t)seq, .host = "h", .points = pts, .npoints = 2,
	};

	assert_int_equal(lden_history__add(h, &t), 0);
}

struct seen {
	int n;
	double first_t, last_t;
	uint64_t count_sum;
	const char *only;	/* the event @want lets through, or NULL */
	int stop_after;
};

static int collect(void *ctx, const struct lden_history_point *p)
{
	struct seen *s = ctx;

	if (!s->n)
		s->first_t = p->t;
	assert_true(p->t >= s->last_t);
	s->last_t = p->t;
	s->n++;
	if (!strcmp(p->event, "task.create"))
		s->count_sum += p->count;
	return s->stop_after && s->n == s->stop_after ? 7 : 0;
}

static int want_only(void *ctx, const char *event)
{
	const struct seen *s = ctx;

	return !strcmp(event, s->only);
}

static void test_bounds(void **unused)
{
	struct lden_history *h;

	(void)unused;
	h = lden_history__new(900, 1);
	assert_non_null(h);
	assert_int_equal(lden_history__capacity(h), 901);
	lden_history__free(h);
	h = lden_history__new(900, 0.01);	/* would be 90001 */
	assert_non_null(h);
	assert_int_equal(lden_history__capacity(h), LDEN_HISTORY_MAX_SLOTS);
	lden_history__free(h);
	errno = 0;
	assert_null(lden_history__new(900, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(lden_history__new(-1, 1));
	lden_history__free(NULL);
}

static void test_since_and_filter(void **unused)
{
	struct lden_history *h = lden_history__new(10, 1);	/* 11 ticks */
	struct seen s = { 0 };

	(void)unused;
	for (int i = 0; i < 5; i++)
		add_tick(h, i);
	assert_int_equal(lden_history__len(h), 5);

	/* everything: 5 ticks of 2 events, forks 1 + 2 + 3 + 4 + 5 */
	assert_int_equal(lden_history__walk(h, 0, 0, NULL, collect, &s), 0);
	assert_int_equal(s.n, 10);
	assert_int_equal(s.count_sum, 15);
	assert_true(s.first_t == 1000.0 && s.last_t == 1004.0);

	/* strictly after 1002: the ticks at 1003 and 1004 */
	memset(&s, 0, sizeof(s));
	lden_history__walk(h, 1002.0, 0, NULL, collect, &s);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.count_sum, 4 + 5);

	/* one event only */
	memset(&s, 0, sizeof(s));
	s.only = "memory.alloc";
	lden_history__walk(h, 0, 0, want_only, collect, &s);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.count_sum, 0);

	/* nothing newer than the newest */
	memset(&s, 0, sizeof(s));
	lden_history__walk(h, 1004.0, 0, NULL, collect, &s);
	assert_int_equal(s.n, 0);

	/* the callback stops the walk and its value comes back */
	memset(&s, 0, sizeof(s));
	s.stop_after = 3;
	assert_int_equal(lden_history__walk(h, 0, 0, NULL, collect, &s), 7);
	assert_int_equal(s.n, 3);
	lden_history__free(h);
}

static void test_wraps(void **unused)
{
	struct lden_history *h = lden_history__new(3, 1);	/* 4 ticks */
	struct seen s = { 0 };

	(void)unused;
	for (int i = 0; i < 10; i++)
		add_tick(h, i);
	assert_int_equal(lden_history__len(h), 4);
	lden_history__walk(h, 0, 0, NULL, collect, &s);
	/* the 4 newest: 1006 .. 1009, forks 7 + 8 + 9 + 10 */
	assert_int_equal(s.n, 8);
	assert_true(s.first_t == 1006.0 && s.last_t == 1009.0);
	assert_int_equal(s.count_sum, 34);
	lden_history__free(h);
}

/* A tick with more events than the slot it reuses had. */
static void test_growing_tick(void **unused)
{
	struct lden_history *h = lden_history__new(1, 1);	/* 2 ticks */
	struct lden_point many[5];
	struct lden_tick t = { .time = 2000, .points = many, .npoints = 5 };
	static const char *names[5] = { "a", "b", "c", "d", "e" };
	struct seen s = { 0 };

	(void)unused;
	add_tick(h, 0);
	add_tick(h, 1);
	memset(many, 0, sizeof(many));
	for (int i = 0; i < 5; i++) {
		many[i].event = names[i];
		many[i].count_total = (uint64_t)i;
	}
	assert_int_equal(lden_history__add(h, &t), 0);
	lden_history__walk(h, 1001.0, 0, NULL, collect, &s);
	assert_int_equal(s.n, 5);
	lden_history__free(h);
}

/* Times are kept to the millisecond: asking for what came after a time
 * as printed ("%.3f") does not return that tick again. */
static void test_since_printed_time(void **unused)
{
	struct lden_history *h = lden_history__new(10, 1);
	struct lden_point p = { .event = "e", .count = 1, .count_total = 1 };
	struct lden_tick t = { .time = 1795338373.3612345, .points = &p,
			       .npoints = 1 };
	struct seen s = { 0 };
	char buf[64];

	(void)unused;
	assert_int_equal(lden_history__add(h, &t), 0);
	lden_history__walk(h, 0, 0, NULL, collect, &s);
	assert_int_equal(s.n, 1);
	snprintf(buf, sizeof(buf), "%.3f", s.last_t);
	assert_string_equal(buf, "1795338373.361");
	memset(&s, 0, sizeof(s));
	lden_history__walk(h, strtod(buf, NULL), 0, NULL, collect, &s);
	assert_int_equal(s.n, 0);
	lden_history__free(h);
}

/* step: one point per event per 4 s, its count the sum of the ticks it
 * stands for, the newest tick always there */
static void test_step(void **unused)
{
	struct lden_history *h = lden_history__new(60, 1);
	struct seen s = { 0 };

	(void)unused;
	for (int i = 0; i < 10; i++)	/* 1000 .. 1009, forks 1 .. 10 */
		add_tick(h, i);
	s.only = "task.create";
	assert_int_equal(lden_history__walk(h, 0, 4, want_only, collect, &s), 0);
	/* 1000-1003 at 1003 (10), 1004-1007 at 1007 (26), 1008-1009 (19) */
	assert_int_equal(s.n, 3);
	assert_true(s.first_t == 1003.0 && s.last_t == 1009.0);
	assert_int_equal(s.count_sum, 55);

	/* from 1001.5: 1002 + 1003 at 1003, then as before */
	memset(&s, 0, sizeof(s));
	s.only = "task.create";
	lden_history__walk(h, 1001.5, 4, want_only, collect, &s);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.count_sum, 3 + 4 + 26 + 19);

	/* every event gets its point at the same ticks */
	memset(&s, 0, sizeof(s));
	lden_history__walk(h, 0, 4, NULL, collect, &s);
	assert_int_equal(s.n, 6);
	lden_history__free(h);
}

struct kept {
	int n;
	struct lden_history_point p;	/* the first */
};

static int keep(void *ctx, const struct lden_history_point *p)
{
	struct kept *k = ctx;

	if (!k->n++)
		k->p = *p;
	return 0;
}

/* The newest tick, with what does not change every tick: the source,
 * the mode, lost records. */
static void test_last(void **unused)
{
	struct lden_history *h = lden_history__new(10, 1);
	struct lden_point p = { .event = "disk.read", .source = "tracepoint a:b",
				.sampling = true, .has_size = true, .count = 3,
				.count_total = 3, .size = 4096, .size_total = 4096,
				.lost = 2, .missed = 1 };
	struct lden_tick t = { .time = 5, .points = &p, .npoints = 1 };
	struct kept got = { 0 };

	(void)unused;
	assert_int_equal(lden_history__last(h, keep, &got), 0);
	assert_int_equal(got.n, 0);	/* empty: nothing */
	assert_int_equal(lden_history__add(h, &t), 0);
	p.source = "tracepoint c:d";
	p.count = 1;
	p.count_total = 4;
	p.lost = 5;
	p.missed = 7;
	t.time = 6;
	assert_int_equal(lden_history__add(h, &t), 0);
	assert_int_equal(lden_history__last(h, keep, &got), 0);
	assert_int_equal(got.n, 1);
	assert_true(got.p.t == 6.0);
	assert_string_equal(got.p.event, "disk.read");
	assert_string_equal(got.p.source, "tracepoint c:d");
	assert_true(got.p.sampling && got.p.has_size);
	assert_int_equal(got.p.count, 1);
	assert_int_equal(got.p.count_total, 4);
	assert_int_equal(got.p.lost, 5);
	assert_int_equal(got.p.missed, 7);
	lden_history__free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_since_and_filter),
		cmocka_unit_test(test_wraps),
		cmocka_unit_test(test_growing_tick),
		cmocka_unit_test(test_since_printed_time),
		cmocka_unit_test(test_step),
		cmocka_unit_test(test_last),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
