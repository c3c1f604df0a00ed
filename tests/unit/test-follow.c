// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The follow table (tracefs/ftrace-follow.c): the process it gives each
 * record of an ftrace instance that follows a command, fed the forks,
 * records, exits and frees in the orders the per-CPU rings are read in
 * (one CPU after another: a task's records on one CPU may come before
 * the fork, read from another CPU later, that made it).  Each scenario is
 * a list in the order read, fed as ftrace.c feeds them (ltr_follow_note(),
 * a record not known kept, ltr_follow_retry() and ltr_follow_frees_due()
 * once every ring was read past a time), and asserts the process of
 * every record, or that it is not known (marked, or dropped as another
 * task's), each delivered once.  (The kernel's own orders: the pid-reuse
 * workload's PID_REUSE_AWAY and PID_REUSE_MOVE, tests/cli/test-fork-order.sh
 * and test-top-reuse.sh.)
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

#define P 100	  /* the command, known from the start */
#define NONE (-1) /* not known: marked, or another task's */

struct item {
	char kind; /* r record, f fork, t thread, e exit, x free, u read past */
	uint32_t tid;
	uint64_t time;
	uint32_t child; /* f, t: the new task; e: 1, a leader with threads */
	int64_t want;	/* r: its process, or NONE */
};

/* clang-format off */
#define REC(tid, t, w) { 'r', tid, t, 0, w }
#define FORK(parent, t, c) { 'f', parent, t, c, 0 }
#define THREAD(parent, t, c) { 't', parent, t, c, 0 }
#define EXIT(tid, t) { 'e', tid, t, 0, 0 }
#define FREE(tid, t) { 'x', tid, t, 0, 0 }
#define READ_PAST(t) { 'u', 0, t, 0, 0 }
#define END { 0, 0, 0, 0, 0 }
/* clang-format on */

struct run {
	struct ltr_follow *f;
	const struct item *items;
	int64_t got[64];
	int delivered[64];
	uint64_t reused[64]; /* f, t: ltr_follow_note()'s */
	/* the frees in a task's life (ltr_follow_frees_due()'s fn) */
	int ntaken;
	uint32_t taken_tid[8];
	uint64_t taken_since[8], taken_at[8];
};

static void taken(void *ctx, uint32_t tid, uint64_t since, uint64_t time)
{
	struct run *x = ctx;

	assert_true(x->ntaken < 8);
	x->taken_tid[x->ntaken] = tid;
	x->taken_since[x->ntaken] = since;
	x->taken_at[x->ntaken++] = time;
}

static void says_of(const struct item *it, struct ltr_follow_says *w)
{
	memset(w, 0, sizeof(*w));
	w->kind = LTR_FOLLOW_RECORD;
	if (it->kind == 'f' || it->kind == 't') {
		w->kind = LTR_FOLLOW_FORK;
		w->child = it->child;
		w->thread = it->kind == 't';
	} else if (it->kind == 'e') {
		w->kind = LTR_FOLLOW_EXIT;
		w->group_dead = !it->child;
	}
}

/* Item @i, read from a ring (@may_wait) or waited (not). */
static int take(struct run *x, size_t i, bool may_wait)
{
	const struct item *it = &x->items[i];
	struct ltr_follow_says w;
	uint32_t tgid = 0;
	uint64_t reused = 0;
	int rc;

	says_of(it, &w);
	rc = ltr_follow_note(x->f, it->tid, it->time, &w, may_wait, &tgid,
			     &reused);
	if (rc == 0) {
		assert_true(may_wait);
		assert_int_equal(ltr_follow_pend(x->f, (int)i, 0, it->time,
						 it->tid, it, sizeof(*it)),
				 0);
		return 0;
	}
	x->delivered[i]++;
	x->got[i] = rc == 1 ? (int64_t)tgid : NONE;
	x->reused[i] = reused;
	return 1;
}

static int waited(const struct ltr_follow_rec *r, void *ctx, int *stop)
{
	(void)stop;
	return take(ctx, (size_t)r->id, false);
}

/* Feeds @items in their order; every record's process as wanted. */
static void feed(struct run *x, const struct item *items)
{
	size_t n = 0;
	int stop = 0;

	memset(x, 0, sizeof(*x));
	x->items = items;
	x->f = ltr_follow_new(1 << 20);
	assert_non_null(x->f);
	assert_int_equal(ltr_follow_task(x->f, P, P, 0), 0);
	for (; items[n].kind; n++) {
		const struct item *it = &items[n];

		assert_true(n < 64);
		if (it->kind == 'x') {
			assert_int_equal(ltr_follow_free_keep(x->f, it->tid,
							      it->time),
					 0);
		} else if (it->kind == 'u') {
			/* as ltr_ftrace_drain() after reading every CPU */
			ltr_follow_retry(x->f, it->time, waited, x, &stop);
			ltr_follow_frees_due(x->f, it->time, taken, x);
		} else {
			take(x, n, true);
		}
	}
	/* the end: every ring read */
	ltr_follow_retry(x->f, UINT64_MAX, waited, x, &stop);
	ltr_follow_frees_due(x->f, UINT64_MAX, taken, x);
	for (size_t i = 0; i < n; i++) {
		if (strchr("xu", items[i].kind))
			continue;
		if (x->delivered[i] != 1)
			fail_msg("item %zu (%c of %u at %" PRIu64 ") delivered %d times",
				 i, items[i].kind, items[i].tid, items[i].time,
				 x->delivered[i]);
		if (items[i].kind == 'r' && x->got[i] != items[i].want)
			fail_msg("record %zu (of %u at %" PRIu64 "): process %lld, want %lld",
				 i, items[i].tid, items[i].time,
				 (long long)x->got[i], (long long)items[i].want);
	}
}

/* The child's records (CPU 0, read first) before its fork (CPU 1). */
static void fork_after_records(void **state)
{
	static const struct item items[] = {
		REC(P, 5, P),
		REC(201, 20, 201),
		REC(201, 21, 201),
		THREAD(201, 22, 202),
		REC(202, 23, 201),
		FORK(P, 10, 201),
		REC(P, 11, P),
		END,
	};
	struct run x;

	(void)state;
	feed(&x, items);
	ltr_follow_free(x.f);
}

/*
 * 74be926's case: the parent forked A (id 300) on CPU 1, A exited, the
 * parent moved to CPU 0 and made B with A's id, a thread of its own (so
 * that A's and B's records tell their process apart).  B's fork is read
 * first: A's, read after, is the task before.
 */
static void reuse_fork_read_first(void **state)
{
	static const struct item items[] = {
		/* CPU 0 */
		THREAD(P, 20, 300),
		REC(300, 21, P),
		REC(300, 22, P),
		/* CPU 1 */
		FORK(P, 10, 300),
		REC(300, 11, 300),
		EXIT(300, 12),
		READ_PAST(30),
		REC(300, 31, P),
		END,
	};
	struct run x;

	(void)state;
	feed(&x, items);
	/* B is the one given the id again, from its fork */
	assert_int_equal(x.reused[3], 20);
	assert_int_equal(ltr_follow_since(x.f, 300), 20);
	assert_int_equal(ltr_follow_until(x.f, 300, 20), UINT64_MAX);
	ltr_follow_free(x.f);
}

/*
 * A child's records, exit and free all read (CPU 0) before its fork
 * (CPU 1): its records are its own, its life ends at its exit (a later
 * record of its id, of a task whose fork is not in the ring, is not
 * known), and its free is kept for the task given its id after.
 */
static void exit_and_free_before_fork(void **state)
{
	static const struct item items[] = {
		/* CPU 0 */
		REC(400, 20, 400),
		REC(400, 21, 400),
		EXIT(400, 30),
		FREE(400, 40),
		REC(400, 45, NONE),
		/* CPU 1 */
		FORK(P, 10, 400),
		REC(P, 11, P),
		READ_PAST(50),
		/* the next drain: the id given again (after its free) */
		FORK(P, 60, 400),
		REC(400, 61, 400),
		END,
	};
	struct run x;
	uint64_t at = 0;

	(void)state;
	feed(&x, items);
	assert_int_equal(ltr_follow_until(x.f, 400, 60), UINT64_MAX);
	/* the earlier task's free came before the reuse's fork: the id
	 * stayed in the kernel's filter (follow_gaps() says nothing) */
	assert_int_equal(ltr_follow_free_order(x.f, 400, 60, &at), 1);
	assert_int_equal(at, 40);
	assert_int_equal(x.ntaken, 0); /* its own free, after its exit */
	assert_int_equal(x.reused[8], 60);
	ltr_follow_free(x.f);
}

/*
 * A task's exit (CPU 0, read first) before its own last records (CPU 1,
 * where it ran before it moved): they are its, before its exit; a
 * record of its id after the exit, no fork between, is not.
 */
static void exit_before_own_records(void **state)
{
	static const struct item items[] = {
		FORK(P, 10, 500),
		READ_PAST(15),
		/* CPU 0 */
		EXIT(500, 30),
		REC(500, 35, NONE),
		/* CPU 1 */
		REC(500, 20, 500),
		REC(500, 29, 500),
		END,
	};
	struct run x;

	(void)state;
	feed(&x, items);
	assert_int_equal(ltr_follow_until(x.f, 500, 10), 30);
	ltr_follow_free(x.f);
}

/*
 * An id given again, everything of the earlier task (records, exit)
 * and the reuse's fork on CPU 0, read before the earlier task's fork on
 * CPU 1; then the earlier's records that waited are its own, the
 * reuse's, the reuse's.
 */
static void reuse_all_before_first_fork(void **state)
{
	static const struct item items[] = {
		/* CPU 0 */
		REC(600, 11, 600),
		EXIT(600, 12),
		FREE(600, 14),
		THREAD(P, 20, 600),
		REC(600, 21, P),
		EXIT(600, 25),
		/* CPU 1 */
		FORK(P, 10, 600),
		READ_PAST(30),
		REC(600, 31, NONE),
		END,
	};
	struct run x;
	uint64_t at = 0;

	(void)state;
	feed(&x, items);
	assert_int_equal(x.reused[6], 20);
	assert_int_equal(ltr_follow_until(x.f, 600, 20), 25);
	assert_int_equal(ltr_follow_free_order(x.f, 600, 20, &at), 1);
	assert_int_equal(at, 14);
	assert_int_equal(x.ntaken, 0);
	ltr_follow_free(x.f);
}

/* A leader's exit with threads alive leaves its id the process's. */
static void leader_exits_first(void **state)
{
	static const struct item items[] = {
		FORK(P, 10, 700),
		THREAD(700, 11, 701),
		{ 'e', 700, 20, 1, 0 },
		REC(701, 21, 700),
		REC(700, 22, 700),
		EXIT(701, 30),
		REC(701, 31, NONE),
		END,
	};
	struct run x;

	(void)state;
	feed(&x, items);
	ltr_follow_free(x.f);
}

/* A fork by a task not known (not the command's): its child neither. */
static void fork_by_unknown(void **state)
{
	static const struct item items[] = {
		FORK(900, 10, 901),
		REC(901, 11, NONE),
		REC(900, 12, NONE),
		END,
	};
	struct run x;

	(void)state;
	feed(&x, items);
	ltr_follow_free(x.f);
}

/*
 * A child given the id of another process whose task the kernel frees
 * after the fork (a free in the child's life: not its own, which comes
 * after its exit): said, with the child's fork and the free's time, and
 * ordered after the fork.  A leader that exited with threads alive is
 * freed after its exit: its own, not said; nor the child's own free.
 * Before, a free of an id with no earlier task of the command was never
 * compared (test-top-reuse's foreign case lost B's calls unsaid).
 */
static void free_in_life(void **state)
{
	static const struct item items[] = {
		FORK(P, 10, 800),
		REC(800, 11, 800),
		FREE(800, 15),
		REC(800, 20, 800),
		FORK(P, 30, 900),
		THREAD(900, 31, 901),
		{ 'e', 900, 40, 1, 0 },
		EXIT(901, 50),
		FREE(900, 60),
		EXIT(800, 70),
		FREE(800, 80),
		END,
	};
	struct run x;
	uint64_t at = 0;

	(void)state;
	feed(&x, items);
	assert_int_equal(x.ntaken, 1);
	assert_int_equal(x.taken_tid[0], 800);
	assert_int_equal(x.taken_since[0], 10);
	assert_int_equal(x.taken_at[0], 15);
	assert_int_equal(ltr_follow_free_order(x.f, 800, 10, &at), -1);
	assert_int_equal(at, 15);
	ltr_follow_free(x.f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fork_after_records),
		cmocka_unit_test(reuse_fork_read_first),
		cmocka_unit_test(exit_and_free_before_fork),
		cmocka_unit_test(exit_before_own_records),
		cmocka_unit_test(reuse_all_before_first_fork),
		cmocka_unit_test(leader_exits_first),
		cmocka_unit_test(fork_by_unknown),
		cmocka_unit_test(free_in_life),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
