// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The size join without a kernel: frees sized by their allocations,
 * frees that come before their allocation (another CPU's ring read
 * later), frees of what was never seen, NULL frees, an allocation read
 * late after a newer one, and a full table giving up its oldest entries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sizejoin.h"

#define A 0xffff888001234000ULL

static void sized_by_allocation(void **state)
{
	struct lden_sizejoin *j = lden_sizejoin__new(1024);
	uint64_t size = 0;

	(void)state;
	assert_non_null(j);
	assert_false(lden_sizejoin__put(j, A, 4096, 10));
	assert_false(lden_sizejoin__put(j, A + 64, 64, 11));
	assert_true(lden_sizejoin__take(j, A, 20, &size));
	assert_int_equal(size, 4096);
	/* taken: a second free of it is not sized again */
	assert_false(lden_sizejoin__take(j, A, 21, &size));
	assert_true(lden_sizejoin__take(j, A + 64, 22, &size));
	assert_int_equal(size, 64);
	assert_int_equal(lden_sizejoin__unsized(j), 1);
	/* NULL and ZERO_SIZE_PTR free nothing: 0 bytes, sized */
	assert_true(lden_sizejoin__take(j, 0, 23, &size));
	assert_int_equal(size, 0);
	assert_true(lden_sizejoin__take(j, 16, 24, &size));
	assert_int_equal(size, 0);
	assert_int_equal(lden_sizejoin__unsized(j), 1);
	lden_sizejoin__free(j);
}

static void free_read_before_allocation(void **state)
{
	struct lden_sizejoin *j = lden_sizejoin__new(1024);
	uint64_t size = 0;

	(void)state;
	/* freed at 30, allocated at 20 on a CPU whose ring is read later */
	assert_false(lden_sizejoin__take(j, A, 30, &size));
	assert_int_equal(lden_sizejoin__unsized(j), 1);
	assert_true(lden_sizejoin__put(j, A, 512, 20));
	assert_int_equal(lden_sizejoin__unsized(j), 0);
	/* settled: not kept for another free */
	assert_false(lden_sizejoin__take(j, A, 40, &size));
	assert_int_equal(lden_sizejoin__unsized(j), 1);
	/* an allocation after a waiting free is not its allocation */
	assert_false(lden_sizejoin__take(j, A + 8192, 50, &size));
	assert_false(lden_sizejoin__put(j, A + 8192, 256, 60));
	assert_int_equal(lden_sizejoin__unsized(j), 2);
	assert_true(lden_sizejoin__take(j, A + 8192, 70, &size));
	assert_int_equal(size, 256);
	lden_sizejoin__free(j);
}

static void late_older_allocation(void **state)
{
	struct lden_sizejoin *j = lden_sizejoin__new(1024);
	uint64_t size = 0;

	(void)state;
	assert_false(lden_sizejoin__put(j, A, 128, 50));
	/* read late, older: the newer allocation holds the address */
	assert_false(lden_sizejoin__put(j, A, 4096, 40));
	assert_true(lden_sizejoin__take(j, A, 60, &size));
	assert_int_equal(size, 128);
	lden_sizejoin__free(j);
}

static void full_table(void **state)
{
	struct lden_sizejoin *j = lden_sizejoin__new(64);
	uint64_t size, sized = 0;
	const int n = 1000;

	(void)state;
	for (int i = 0; i < n; i++)
		assert_false(lden_sizejoin__put(j, A + 4096ULL * i, 1, i + 1));
	/* 64 entries kept at most; every other allocation was given up */
	assert_true(lden_sizejoin__evicted(j) >= (uint64_t)n - 64);
	for (int i = 0; i < n; i++)
		sized += lden_sizejoin__take(j, A + 4096ULL * i, n + i + 1, &size);
	assert_true(sized <= 64);
	assert_int_equal(sized + lden_sizejoin__unsized(j), n);
	assert_int_equal(lden_sizejoin__evicted(j) + sized, n);
	lden_sizejoin__free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sized_by_allocation),
		cmocka_unit_test(free_read_before_allocation),
		cmocka_unit_test(late_older_allocation),
		cmocka_unit_test(full_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
