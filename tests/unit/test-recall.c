// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Recall rings against fake mappings in ordinary memory, written
 * backward the way the kernel writes a write_backward ring: what a walk
 * delivers (one thread's samples, newest first, every ring merged by
 * time, within since..until), what it learns between walks, and that it
 * never delivers a sample when a ring may have lost a newer one.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"

/* 256 KiB: more than the slack the reader leaves for unpublished writes */
#define PAGES 64

struct fake {
	void *base;
	size_t map_size;
	struct perf_event_mmap_page *pg;
	unsigned char *data;
	uint64_t size;
	uint64_t head;
};

static void fake_init(struct fake *fk, struct ltr_ring *r)
{
	long page = sysconf(_SC_PAGESIZE);

	memset(fk, 0, sizeof(*fk));
	fk->map_size = (size_t)(1 + PAGES) * (size_t)page;
	fk->base = aligned_alloc((size_t)page, fk->map_size);
	assert_non_null(fk->base);
	memset(fk->base, 0, fk->map_size);
	fk->pg = fk->base;
	fk->data = (unsigned char *)fk->base + page;
	fk->size = (uint64_t)PAGES * (uint64_t)page;
	fk->pg->data_offset = (uint64_t)page;
	fk->pg->data_size = fk->size;
	assert_int_equal(ltr_ring_init(r, fk->base, fk->map_size, -1, 0), 0);
}

static void fake_fini(struct fake *fk, struct ltr_ring *r)
{
	ltr_recall_index_free(r);
	ltr_ring_fini(r);
	free(fk->base);
}

/*
 * A sample of @tid at @time, @raw_len bytes of payload, written below the
 * head as the kernel does for a backward ring; id = time, for checks.
 */
static void fake_sample(struct fake *fk, uint32_t tid, uint64_t time,
			uint32_t raw_len)
{
	unsigned char rec[4096] = { 0 };
	struct perf_event_header h = { .type = PERF_RECORD_SAMPLE };
	uint32_t pid = tid, cpu = 0;
	size_t len = (44 + raw_len + 7) & ~(size_t)7;
	uint64_t off;

	h.size = (uint16_t)len;
	memcpy(rec, &h, sizeof(h));
	memcpy(rec + 8, &time, 8);
	memcpy(rec + 16, &pid, 4);
	memcpy(rec + 20, &tid, 4);
	memcpy(rec + 24, &time, 8);
	memcpy(rec + 32, &cpu, 4);
	memcpy(rec + 40, &raw_len, 4);
	fk->head -= len;
	off = fk->head & (fk->size - 1);
	for (size_t i = 0; i < len; i++)
		fk->data[(off + i) & (fk->size - 1)] = rec[i];
	__atomic_store_n(&fk->pg->data_head, fk->head, __ATOMIC_RELEASE);
}

struct seen {
	uint64_t time[4096];
	uint32_t tid[4096];
	int n;
	int stop_after;		/* 0: never stop */
};

static int collect(uint64_t id, struct ltr_sample *s, void *ctx)
{
	struct seen *v = ctx;

	assert_int_equal(id, s->time);
	v->time[v->n] = s->time;
	v->tid[v->n] = s->tid;
	v->n++;
	return v->stop_after && v->n == v->stop_after;
}

/* Two rings, threads 1 and 2 alternating between them, times 1..20. */
static void two_rings(struct fake fk[2], struct ltr_ring r[2])
{
	fake_init(&fk[0], &r[0]);
	fake_init(&fk[1], &r[1]);
	for (uint64_t t = 1; t <= 20; t++)
		fake_sample(&fk[t % 2], (uint32_t)(1 + (t / 2) % 2), t * 100, 24);
}

static void test_merged_newest_first(void **state)
{
	struct fake fk[2];
	struct ltr_ring r[2];
	struct seen v = { .n = 0 };

	(void)state;
	two_rings(fk, r);
	/* thread 1 has t/2 even: t = 1, 4, 5, 8, 9, 12, 13, 16, 17, 20 */
	assert_int_equal(ltr_recall_walk(r, 2, 1, 0, 1700, collect, &v), 0);
	assert_int_equal(v.n, 9);
	{
		const uint64_t want[] = { 1700, 1600, 1300, 1200, 900, 800,
					  500, 400, 100 };

		for (int i = 0; i < 9; i++) {
			assert_int_equal(v.time[i], want[i]);
			assert_int_equal(v.tid[i], 1);
		}
	}
	fake_fini(&fk[0], &r[0]);
	fake_fini(&fk[1], &r[1]);
}

static void test_since_and_stop(void **state)
{
	struct fake fk[2];
	struct ltr_ring r[2];
	struct seen v = { .n = 0 };

	(void)state;
	two_rings(fk, r);
	/* every thread, from 1500 down to 1000 */
	assert_int_equal(ltr_recall_walk(r, 2, 0, 1000, 1500, collect, &v), 0);
	assert_int_equal(v.n, 6);
	assert_int_equal(v.time[0], 1500);
	assert_int_equal(v.time[5], 1000);
	/* stopped by the callback */
	memset(&v, 0, sizeof(v));
	v.stop_after = 2;
	assert_int_equal(ltr_recall_walk(r, 2, 2, 0, 2000, collect, &v), 1);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.time[0], 1900);
	assert_int_equal(v.time[1], 1800);
	fake_fini(&fk[0], &r[0]);
	fake_fini(&fk[1], &r[1]);
}

/* A second walk sees what was written since the first. */
static void test_learns_new_records(void **state)
{
	struct fake fk[2];
	struct ltr_ring r[2];
	struct seen v = { .n = 0 };

	(void)state;
	two_rings(fk, r);
	assert_int_equal(ltr_recall_walk(r, 2, 7, 0, 5000, collect, &v), 0);
	assert_int_equal(v.n, 0);
	fake_sample(&fk[0], 7, 2100, 8);
	fake_sample(&fk[1], 7, 2200, 8);
	fake_sample(&fk[0], 8, 2300, 8);
	assert_int_equal(ltr_recall_walk(r, 2, 7, 0, 5000, collect, &v), 0);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.time[0], 2200);
	assert_int_equal(v.time[1], 2100);
	fake_fini(&fk[0], &r[0]);
	fake_fini(&fk[1], &r[1]);
}

/*
 * Ring 0 wraps (busy) while ring 1 keeps an old sample of thread 9: the
 * busy ring may have lost a newer one of thread 9, so the old one is not
 * delivered; the newer ones that survive are.
 */
static void test_overwritten(void **state)
{
	struct fake fk[2];
	struct ltr_ring r[2];
	struct seen v = { .n = 0 };
	uint64_t t = 1000;

	(void)state;
	fake_init(&fk[0], &r[0]);
	fake_init(&fk[1], &r[1]);
	fake_sample(&fk[1], 9, 10, 8);
	fake_sample(&fk[0], 9, 20, 8);
	/* 2.5 rings' worth of thread 5 on ring 0 */
	while (-fk[0].head < 5 * fk[0].size / 2)
		fake_sample(&fk[0], 5, t++, 200);
	fake_sample(&fk[0], 9, t++, 8);
	assert_int_equal(ltr_recall_walk(r, 2, 9, 0, UINT64_MAX, collect, &v),
			 -ENODATA);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.time[0], t - 1);
	fake_fini(&fk[0], &r[0]);
	fake_fini(&fk[1], &r[1]);
}

/*
 * The same when every sample the busy ring kept is newer than @until: it
 * still cannot vouch for the time before them.
 */
static void test_overwritten_before_until(void **state)
{
	struct fake fk[2];
	struct ltr_ring r[2];
	struct seen v = { .n = 0 };
	uint64_t t = 1000;

	(void)state;
	fake_init(&fk[0], &r[0]);
	fake_init(&fk[1], &r[1]);
	fake_sample(&fk[1], 9, 10, 8);
	while (-fk[0].head < 2 * fk[0].size)
		fake_sample(&fk[0], 5, t++, 200);
	assert_int_equal(ltr_recall_walk(r, 2, 9, 0, 500, collect, &v),
			 -ENODATA);
	assert_int_equal(v.n, 0);
	/* with the quiet ring alone, the sample is there */
	assert_int_equal(ltr_recall_walk(&r[1], 1, 9, 0, 500, collect, &v), 0);
	assert_int_equal(v.n, 1);
	fake_fini(&fk[0], &r[0]);
	fake_fini(&fk[1], &r[1]);
}

/* Indexed, then overwritten: the index is not trusted any more. */
static void test_overwritten_after_indexing(void **state)
{
	struct fake fk;
	struct ltr_ring r;
	struct seen v = { .n = 0 };
	uint64_t t = 100;

	(void)state;
	fake_init(&fk, &r);
	fake_sample(&fk, 3, t++, 8);
	assert_int_equal(ltr_recall_walk(&r, 1, 3, 0, UINT64_MAX, collect, &v), 0);
	assert_int_equal(v.n, 1);
	while (-fk.head < 2 * fk.size)
		fake_sample(&fk, 4, t++, 200);
	memset(&v, 0, sizeof(v));
	assert_int_equal(ltr_recall_walk(&r, 1, 3, 0, UINT64_MAX, collect, &v),
			 -ENODATA);
	assert_int_equal(v.n, 0);
	/* a walk bounded by a recent @since is complete */
	assert_int_equal(ltr_recall_walk(&r, 1, 4, t - 3, UINT64_MAX, collect,
					 &v), 0);
	assert_int_equal(v.n, 3);
	fake_fini(&fk, &r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merged_newest_first),
		cmocka_unit_test(test_since_and_stop),
		cmocka_unit_test(test_learns_new_records),
		cmocka_unit_test(test_overwritten),
		cmocka_unit_test(test_overwritten_before_until),
		cmocka_unit_test(test_overwritten_after_indexing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
