// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * handoff.c: when a late read of a call's buffer may be a later call's.
 * A thread's calls with one buffer, in order and arriving out of order
 * (CPUs drained one after another); reads before and after the handoff;
 * other buffers and other threads left alone; the read noted at the call
 * or given later; done; full tables making room, the latest entries kept;
 * a NULL tracker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>

#include "handoff.h"

#define BUF 0x7ffd12345000ULL
#define OTHER 0x7ffd12346000ULL

static void test_in_order(void **state)
{
	struct lden_handoff *h = lden_handoff__new();

	(void)state;
	assert_non_null(h);
	/* call 1 read at 150, call 2 with the same buffer at 200 */
	lden_handoff__call(h, 7, 100, BUF, 150);
	assert_false(lden_handoff__stale(h, 7, 100, BUF, 0));
	lden_handoff__call(h, 7, 200, BUF, 250);
	/* read before the handoff: its own; after: maybe call 2's */
	assert_false(lden_handoff__stale(h, 7, 100, BUF, 0));
	assert_true(lden_handoff__stale(h, 7, 100, BUF, 201));
	assert_false(lden_handoff__stale(h, 7, 100, BUF, 199));
	/* the last call has not been handed on */
	assert_false(lden_handoff__stale(h, 7, 200, BUF, 0));
	assert_false(lden_handoff__stale(h, 7, 200, BUF, 10000));
	lden_handoff__free(h);
}

static void test_read_after_handoff(void **state)
{
	struct lden_handoff *h = lden_handoff__new();

	(void)state;
	/* the enters arrive after the program made both calls */
	lden_handoff__call(h, 7, 100, BUF, 300);
	lden_handoff__call(h, 7, 200, BUF, 301);
	assert_true(lden_handoff__stale(h, 7, 100, BUF, 0));
	assert_false(lden_handoff__stale(h, 7, 200, BUF, 0));
	/* done: nothing kept about it */
	lden_handoff__done(h, 7, 100, BUF);
	assert_false(lden_handoff__stale(h, 7, 100, BUF, 0));
	assert_false(lden_handoff__stale(h, 7, 100, BUF, 1000));
	/* a later one still links to the call before it */
	lden_handoff__call(h, 7, 400, BUF, 500);
	assert_true(lden_handoff__stale(h, 7, 200, BUF, 401));
	lden_handoff__free(h);
}

static void test_not_read(void **state)
{
	struct lden_handoff *h = lden_handoff__new();

	(void)state;
	/* no read at the call (0): only a read given later can be stale */
	lden_handoff__call(h, 7, 100, BUF, 0);
	lden_handoff__call(h, 7, 200, BUF, 0);
	assert_false(lden_handoff__stale(h, 7, 100, BUF, 0));
	assert_true(lden_handoff__stale(h, 7, 100, BUF, 900));
	lden_handoff__free(h);
}

static void test_others_untouched(void **state)
{
	struct lden_handoff *h = lden_handoff__new();

	(void)state;
	lden_handoff__call(h, 7, 100, BUF, 900);
	/* another buffer of the same thread; the same buffer of another */
	lden_handoff__call(h, 7, 200, OTHER, 900);
	lden_handoff__call(h, 8, 300, BUF, 900);
	assert_false(lden_handoff__stale(h, 7, 100, BUF, 0));
	assert_false(lden_handoff__stale(h, 7, 200, OTHER, 0));
	/* asked as another thread, or of another buffer: not that call */
	lden_handoff__call(h, 7, 400, BUF, 900);
	assert_true(lden_handoff__stale(h, 7, 100, BUF, 0));
	assert_false(lden_handoff__stale(h, 8, 100, BUF, 0));
	assert_false(lden_handoff__stale(h, 7, 100, OTHER, 0));
	assert_false(lden_handoff__stale(h, 8, 300, BUF, 0));
	lden_handoff__free(h);
}

static void test_out_of_order(void **state)
{
	struct lden_handoff *h = lden_handoff__new();

	(void)state;
	/* the later call's CPU drained first */
	lden_handoff__call(h, 7, 200, BUF, 250);
	lden_handoff__call(h, 7, 100, BUF, 260);
	assert_true(lden_handoff__stale(h, 7, 100, BUF, 0));
	assert_false(lden_handoff__stale(h, 7, 100, BUF, 150));
	assert_false(lden_handoff__stale(h, 7, 200, BUF, 0));
	/* the older arrival did not replace the thread's last call */
	lden_handoff__call(h, 7, 300, BUF, 350);
	assert_true(lden_handoff__stale(h, 7, 200, BUF, 301));
	assert_false(lden_handoff__stale(h, 7, 200, BUF, 299));
	lden_handoff__free(h);
}

static void test_full_starts_afresh(void **state)
{
	struct lden_handoff *h = lden_handoff__new();

	(void)state;
	/* calls whose exits never come: more than a table holds */
	for (uint64_t i = 1; i <= 20000; i++)
		lden_handoff__call(h, (uint32_t)i, i * 10, BUF + i * 64, i * 10);
	/* still tracking */
	lden_handoff__call(h, 3, 500000, BUF, 500100);
	lden_handoff__call(h, 3, 500050, BUF, 500100);
	assert_true(lden_handoff__stale(h, 3, 500000, BUF, 0));
	lden_handoff__free(h);
}

static void test_recent_kept(void **state)
{
	struct lden_handoff *h = lden_handoff__new();

	(void)state;
	/* a call, then more calls of other threads than one generation of
	 * the tables holds (2048), fewer than two: the call is still known */
	lden_handoff__call(h, 3, 100, BUF, 5000000);
	for (uint64_t i = 1; i <= 3000; i++)
		lden_handoff__call(h, (uint32_t)(1000 + i), 100 + i,
				   OTHER + i * 64, 0);
	lden_handoff__call(h, 3, 4000000, BUF, 0);
	assert_true(lden_handoff__stale(h, 3, 100, BUF, 0));
	lden_handoff__free(h);
}

static void test_null(void **state)
{
	(void)state;
	lden_handoff__call(NULL, 7, 100, BUF, 150);
	assert_false(lden_handoff__stale(NULL, 7, 100, BUF, 1000));
	lden_handoff__done(NULL, 7, 100, BUF);
	lden_handoff__free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_read_after_handoff),
		cmocka_unit_test(test_not_read),
		cmocka_unit_test(test_others_untouched),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_full_starts_afresh),
		cmocka_unit_test(test_recent_kept),
		cmocka_unit_test(test_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
