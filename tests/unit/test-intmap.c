// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The integer map (intmap.c) against an array model under random puts
 * and deletes: bounded (refuses past its maximum, never grows; a small
 * one wraps around its end) and growing (values kept across growth), keys
 * with high bits set, values copied out by del, every entry visited once
 * by each, the one key it cannot hold, and the pointer helpers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "intmap.h"

/* Model key @i as a map key: high bits set too, 0 included. */
static uint64_t key_of(int i)
{
	return (uint64_t)i * 0x100000001ULL;
}

/*
 * @steps random puts (2 in 3) and deletes of keys in [0, @range) on a map
 * made with @max (0: growing), checked against arrays.
 */
static void model_run(size_t max, int range, int steps, unsigned int seed)
{
	struct lden_intmap *m = lden_intmap__new(max, 2 * sizeof(uint64_t));
	uint64_t *model = calloc((size_t)range, sizeof(*model));
	bool *present = calloc((size_t)range, sizeof(*present));
	size_t count = 0;

	assert_non_null(m);
	assert_non_null(model);
	assert_non_null(present);
	assert_int_equal(lden_intmap__max(m), max);
	srand(seed);
	for (int step = 0; step < steps; step++) {
		int k = rand() % range;
		uint64_t *v, out[2] = { 0, 0 };

		if (rand() % 3) {
			errno = 0;
			v = lden_intmap__put(m, key_of(k));
			if (!present[k] && max && count == max) {
				/* full: refused, not grown */
				assert_null(v);
				assert_int_equal(errno, ENOSPC);
				continue;
			}
			assert_non_null(v);
			if (!present[k]) {
				/* new: zeroed */
				assert_true(v[0] == 0 && v[1] == 0);
				present[k] = true;
				count++;
			}
			v[0] = (uint64_t)step;
			v[1] = ~(uint64_t)step;
			model[k] = (uint64_t)step;
		} else {
			bool was = lden_intmap__del(m, key_of(k), out);

			assert_int_equal(was, present[k]);
			if (was) {
				/* the value, copied out before it went */
				assert_true(out[0] == model[k]);
				assert_true(out[1] == ~model[k]);
				count--;
			}
			present[k] = false;
		}
		assert_int_equal(lden_intmap__count(m), count);
		if (step % 997 == 0) {
			for (int i = 0; i < range; i++) {
				v = lden_intmap__get(m, key_of(i));
				if (present[i]) {
					assert_non_null(v);
					assert_true(v[0] == model[i]);
					assert_true(v[1] == ~model[i]);
				} else {
					assert_null(v);
				}
			}
		}
	}
	lden_intmap__free(m);
	free(model);
	free(present);
}

static void test_bounded(void **state)
{
	(void)state;
	model_run(300, 1000, 200000, 7);
	/* 16 slots for 8 entries: probes wrap around the table's end */
	model_run(8, 64, 50000, 11);
}

static void test_growing(void **state)
{
	(void)state;
	/* up to 5000 entries from 16 slots: many growths, deletes between */
	model_run(0, 5000, 200000, 13);
}

struct visit {
	int seen[100];
	int calls;
	bool bad;
};

static void visit(uint64_t key, void *val, void *ctx)
{
	struct visit *v = ctx;
	int i = (int)(key / 0x100000001ULL);

	v->calls++;
	if (key != key_of(i) || i < 0 || i >= 100 || *(int *)val != i * 3)
		v->bad = true;
	else
		v->seen[i]++;
}

/* each: every entry once, with its key and value, none deleted. */
static void test_each(void **state)
{
	struct lden_intmap *m = lden_intmap__new(0, sizeof(int));
	struct visit v = { .calls = 0 };

	(void)state;
	assert_non_null(m);
	for (int i = 0; i < 100; i++)
		*(int *)lden_intmap__put(m, key_of(i)) = i * 3;
	for (int i = 0; i < 100; i += 2)
		assert_true(lden_intmap__del(m, key_of(i), NULL));
	lden_intmap__each(m, visit, &v);
	assert_false(v.bad);
	assert_int_equal(v.calls, 50);
	for (int i = 0; i < 100; i++)
		assert_int_equal(v.seen[i], i % 2);
	lden_intmap__free(m);
}

/* Keys at the edges; UINT64_MAX, the free-slot mark's key, refused. */
static void test_edges(void **state)
{
	struct lden_intmap *m = lden_intmap__new(4, sizeof(uint64_t));
	uint64_t *v;

	(void)state;
	assert_non_null(m);
	*(uint64_t *)lden_intmap__put(m, 0) = 10;
	*(uint64_t *)lden_intmap__put(m, UINT64_MAX - 1) = 20;
	errno = 0;
	assert_null(lden_intmap__put(m, UINT64_MAX));
	assert_int_equal(errno, EINVAL);
	assert_null(lden_intmap__get(m, UINT64_MAX));
	assert_false(lden_intmap__del(m, UINT64_MAX, NULL));
	assert_int_equal(lden_intmap__count(m), 2);
	v = lden_intmap__get(m, 0);
	assert_non_null(v);
	assert_true(*v == 10);
	v = lden_intmap__get(m, UINT64_MAX - 1);
	assert_non_null(v);
	assert_true(*v == 20);
	/* a put of a present key is its value, not a new entry */
	assert_true(lden_intmap__put(m, 0) == lden_intmap__get(m, 0));
	assert_int_equal(lden_intmap__count(m), 2);
	lden_intmap__free(m);
	lden_intmap__free(NULL);
}

static void test_ptr(void **state)
{
	struct lden_intmap *m = lden_intmap__new(1, sizeof(void *));
	int a, b;

	(void)state;
	assert_non_null(m);
	assert_null(lden_intmap__get_ptr(m, 5));
	assert_int_equal(lden_intmap__put_ptr(m, 5, &a), 0);
	assert_ptr_equal(lden_intmap__get_ptr(m, 5), &a);
	/* replaced in place */
	assert_int_equal(lden_intmap__put_ptr(m, 5, &b), 0);
	assert_ptr_equal(lden_intmap__get_ptr(m, 5), &b);
	/* the bound: -ENOSPC */
	assert_int_equal(lden_intmap__put_ptr(m, 6, &a), -ENOSPC);
	assert_ptr_equal(lden_intmap__del_ptr(m, 5), &b);
	assert_null(lden_intmap__del_ptr(m, 5));
	assert_int_equal(lden_intmap__count(m), 0);
	lden_intmap__free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_growing),
		cmocka_unit_test(test_each),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_ptr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
