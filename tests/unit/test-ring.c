// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The ring reader against a fake mapping in ordinary memory: a header page
 * then 2^n data pages, with records written and data_head published here
 * the way the kernel does it.
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

struct fake {
	void *base;
	size_t map_size;
	struct perf_event_mmap_page *pg;
	unsigned char *data;
	uint64_t size;
	uint64_t head;		/* where the "kernel" writes next */
	struct ltr_ring r;
};

static long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/*
 * @offsets: fill data_offset/data_size as 4.1+ kernels do; else the
 * reader has to work them out from the page size.
 * @start: initial data_head and data_tail; free-running, so any value.
 */
static void fake_init(struct fake *fk, unsigned int data_pages, bool offsets,
		      uint64_t start)
{
	long page = page_size();

	memset(fk, 0, sizeof(*fk));
	fk->map_size = (1 + data_pages) * page;
	fk->base = aligned_alloc(page, fk->map_size);
	assert_non_null(fk->base);
	memset(fk->base, 0, fk->map_size);
	fk->pg = fk->base;
	fk->data = (unsigned char *)fk->base + page;
	fk->size = (uint64_t)data_pages * page;
	if (offsets) {
		fk->pg->data_offset = page;
		fk->pg->data_size = fk->size;
	}
	fk->pg->data_head = start;
	fk->pg->data_tail = start;
	fk->head = start;
	assert_int_equal(ltr_ring_init(&fk->r, fk->base, fk->map_size, -1, 1),
			 0);
	assert_ptr_equal(fk->r.data, fk->data);
	assert_int_equal(fk->r.data_size, fk->size);
}

static void fake_fini(struct fake *fk)
{
	ltr_ring_fini(&fk->r);
	free(fk->base);
}

static void fake_write(struct fake *fk, const void *rec, size_t len)
{
	uint64_t off = fk->head & (fk->size - 1);
	size_t first = fk->size - off;

	if (first > len)
		first = len;
	memcpy(fk->data + off, rec, first);
	memcpy(fk->data, (const unsigned char *)rec + first, len - first);
	fk->head += len;
}

static void fake_publish(struct fake *fk)
{
	__atomic_store_n(&fk->pg->data_head, fk->head, __ATOMIC_RELEASE);
}

static uint64_t tail_of(const struct fake *fk)
{
	return __atomic_load_n(&fk->pg->data_tail, __ATOMIC_ACQUIRE);
}

static void put_hdr(unsigned char *buf, uint32_t type, uint16_t size)
{
	struct perf_event_header h = { .type = type, .misc = 0, .size = size };

	memcpy(buf, &h, sizeof(h));
}

/* Size of a LTR_SAMPLE_TYPE sample record with @raw_len payload bytes. */
static size_t sample_size(uint32_t raw_len)
{
	/* the u32 size and the payload are padded together to 8 bytes */
	return 40 + ((4 + raw_len + 7) & ~7u);
}

struct want {
	uint64_t id;
	uint32_t pid, tid, cpu;
	uint64_t time;
	uint32_t raw_len;
	const unsigned char *raw;
};

static size_t write_sample(struct fake *fk, const struct want *w)
{
	unsigned char buf[65536];
	size_t size = sample_size(w->raw_len);
	uint32_t raw_size = size - 44;
	uint32_t res = 0;

	assert_true(size <= sizeof(buf));
	memset(buf, 0, size);
	put_hdr(buf, PERF_RECORD_SAMPLE, size);
	memcpy(buf + 8, &w->id, 8);
	memcpy(buf + 16, &w->pid, 4);
	memcpy(buf + 20, &w->tid, 4);
	memcpy(buf + 24, &w->time, 8);
	memcpy(buf + 32, &w->cpu, 4);
	memcpy(buf + 36, &res, 4);
	memcpy(buf + 40, &raw_size, 4);
	memcpy(buf + 44, w->raw, w->raw_len);
	fake_write(fk, buf, size);
	return size;
}

static void write_lost(struct fake *fk, uint64_t id, uint64_t lost)
{
	unsigned char buf[24];

	put_hdr(buf, PERF_RECORD_LOST, sizeof(buf));
	memcpy(buf + 8, &id, 8);
	memcpy(buf + 16, &lost, 8);
	fake_write(fk, buf, sizeof(buf));
}

static void write_lost_samples(struct fake *fk, uint64_t lost)
{
	unsigned char buf[16];

	put_hdr(buf, PERF_RECORD_LOST_SAMPLES, sizeof(buf));
	memcpy(buf + 8, &lost, 8);
	fake_write(fk, buf, sizeof(buf));
}

/* A record the reader has no use for, filled with 0xee. */
static void write_other(struct fake *fk, uint32_t type, uint16_t size)
{
	unsigned char buf[512];

	assert_true(size <= sizeof(buf) && size >= 8);
	memset(buf, 0xee, size);
	put_hdr(buf, type, size);
	fake_write(fk, buf, size);
}

/* Bytes of sample @seq: length and content both depend on it. */
static uint32_t pattern_len(uint64_t seq)
{
	return 1 + (seq * 37) % 300;
}

static unsigned char pattern_byte(uint64_t seq, size_t i)
{
	return (unsigned char)(seq * 131 + i * 7 + 1);
}

static size_t write_pattern_sample(struct fake *fk, uint64_t seq)
{
	unsigned char raw[512];
	struct want w = {
		.id = 1000 + seq, .pid = 10 + seq, .tid = 20 + seq,
		.cpu = seq % 4, .time = 5000000 + seq * 1000,
		.raw_len = pattern_len(seq), .raw = raw,
	};
	size_t i;

	for (i = 0; i < w.raw_len; i++)
		raw[i] = pattern_byte(seq, i);
	return write_sample(fk, &w);
}

/* ------------------------------------------------------------------ */

struct got {
	uint64_t id;
	uint32_t pid, tid, cpu;
	uint64_t time;
	uint32_t raw_size;
	unsigned char raw[512];
};

struct collect {
	struct got got[128];
	int n;
	int stop_at;		/* return 1 after this many samples; 0 never */
};

static int collect_fn(uint64_t id, struct ltr_sample *s, void *ctx)
{
	struct collect *c = ctx;
	struct got *g = &c->got[c->n++];

	assert_true(c->n <= (int)(sizeof(c->got) / sizeof(c->got[0])));
	assert_null(s->event);
	assert_true(s->raw_size <= sizeof(g->raw));
	g->id = id;
	g->pid = s->pid;
	g->tid = s->tid;
	g->cpu = s->cpu;
	g->time = s->time;
	g->raw_size = s->raw_size;
	memcpy(g->raw, s->raw, s->raw_size);
	return c->stop_at && c->n == c->stop_at;
}

static void check_got(const struct got *g, const struct want *w)
{
	assert_int_equal(g->id, w->id);
	assert_int_equal(g->pid, w->pid);
	assert_int_equal(g->tid, w->tid);
	assert_int_equal(g->cpu, w->cpu);
	assert_int_equal(g->time, w->time);
	/* the payload keeps the kernel's padding to 8 bytes */
	assert_int_equal(g->raw_size, sample_size(w->raw_len) - 44);
	assert_memory_equal(g->raw, w->raw, w->raw_len);
}

/* Checks a sample written by write_pattern_sample(). */
static int pattern_fn(uint64_t id, struct ltr_sample *s, void *ctx)
{
	uint64_t *next = ctx;
	uint64_t seq = (*next)++;
	const unsigned char *raw = s->raw;
	uint32_t i, len = pattern_len(seq);

	assert_int_equal(id, 1000 + seq);
	assert_int_equal(s->pid, 10 + seq);
	assert_int_equal(s->tid, 20 + seq);
	assert_int_equal(s->cpu, seq % 4);
	assert_int_equal(s->time, 5000000 + seq * 1000);
	assert_int_equal(s->raw_size, sample_size(len) - 44);
	for (i = 0; i < len; i++)
		if (raw[i] != pattern_byte(seq, i))
			fail_msg("sample %llu: byte %u is %#x, want %#x",
				 (unsigned long long)seq, i, raw[i],
				 pattern_byte(seq, i));
	for (; i < s->raw_size; i++)
		assert_int_equal(raw[i], 0);
	return 0;
}

/* ------------------------------------------------------------------ */

static const unsigned char raw_a[] = "\x01\x00\x02\x00exec /bin/true";
static const unsigned char raw_b[] = { 0xff };
static const unsigned char raw_c[] = "0123456789abcdef0123456789abcdef";

static const struct want three[] = {
	{ 7, 100, 101, 0, 111111, sizeof(raw_a), raw_a },
	{ 8, 200, 202, 1, 222222, sizeof(raw_b), raw_b },
	{ 7, 0xffffffff, 0xfffffffe, 3, UINT64_MAX, sizeof(raw_c), raw_c },
};

static void samples_in_order(bool offsets)
{
	struct collect c = { 0 };
	struct fake fk;
	size_t i;

	fake_init(&fk, 2, offsets, 0);
	for (i = 0; i < 3; i++)
		write_sample(&fk, &three[i]);
	fake_publish(&fk);

	assert_int_equal(ltr_ring_drain(&fk.r, collect_fn, &c), 3);
	assert_int_equal(c.n, 3);
	for (i = 0; i < 3; i++)
		check_got(&c.got[i], &three[i]);
	assert_int_equal(fk.r.samples, 3);
	assert_int_equal(fk.r.lost, 0);
	assert_int_equal(fk.r.bad, 0);
	assert_int_equal(tail_of(&fk), fk.head);

	/* nothing new: nothing delivered, tail unchanged */
	assert_int_equal(ltr_ring_drain(&fk.r, collect_fn, &c), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(tail_of(&fk), fk.head);
	fake_fini(&fk);
}

static void test_samples_in_order(void **state)
{
	samples_in_order(true);
}

/* Kernels before 4.1 leave data_offset and data_size zero. */
static void test_samples_without_data_offset(void **state)
{
	samples_in_order(false);
}

/*
 * A record starting @split bytes before the end of the data area, so that
 * the end falls in its ids, its time, its raw size or its payload.
 */
static void test_wrapped_record(void **state)
{
	static const unsigned int splits[] = {
		8, 16, 24, 32, 40, 48, 56, 64, 200, 320,
	};
	unsigned char raw[300];
	size_t i, j;

	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)(i * 13 + 5);

	for (i = 0; i < sizeof(splits) / sizeof(splits[0]); i++) {
		struct want w = { 42, 4242, 4243, 1, 123456789, sizeof(raw),
				  raw };
		struct want after = { 43, 1, 2, 0, 987654321, 3, raw };
		struct collect c = { 0 };
		struct fake fk;
		long page = page_size();

		/* several laps in, to keep the counters free-running */
		fake_init(&fk, 1, true, 5 * (uint64_t)page - splits[i]);
		write_sample(&fk, &w);
		write_sample(&fk, &after);
		fake_publish(&fk);
		assert_true(splits[i] < sample_size(sizeof(raw)));

		assert_int_equal(ltr_ring_drain(&fk.r, collect_fn, &c), 2);
		check_got(&c.got[0], &w);
		for (j = 0; j < sizeof(raw); j++)
			if (c.got[0].raw[j] != raw[j])
				fail_msg("split %u: byte %zu", splits[i], j);
		check_got(&c.got[1], &after);
		assert_int_equal(tail_of(&fk), fk.head);
		assert_int_equal(fk.r.bad, 0);
		fake_fini(&fk);
	}
}

/* Thousands of records of varying sizes, drained in uneven batches. */
static void test_many_wraps(void **state)
{
	uint64_t written = 0, next = 0, lost = 0;
	struct fake fk;
	int batch;

	fake_init(&fk, 1, true, 0);
	for (batch = 0; batch < 1500; batch++) {
		int i, n = 1 + batch % 5, ret;

		for (i = 0; i < n; i++)
			write_pattern_sample(&fk, written++);
		if (batch % 7 == 0) {
			write_lost(&fk, 1, batch);
			lost += batch;
		}
		fake_publish(&fk);
		ret = ltr_ring_drain(&fk.r, pattern_fn, &next);
		assert_int_equal(ret, n);
		assert_int_equal(next, written);
		assert_int_equal(tail_of(&fk), fk.head);
	}
	/* enough laps that every kind of split has happened */
	assert_true(fk.head / fk.size > 50);
	assert_int_equal(fk.r.samples, written);
	assert_int_equal(fk.r.lost, lost);
	assert_int_equal(fk.r.bad, 0);
	fake_fini(&fk);
}

/* head - tail == size is a full ring, not an empty one. */
static void test_full_ring(void **state)
{
	struct collect c = { 0 };
	uint64_t next = 0, start;
	struct fake fk;
	int i, count;

	/* start part-way so that the full ring also wraps */
	start = 3 * (uint64_t)page_size() + 128;
	fake_init(&fk, 1, true, start);
	count = fk.size / sample_size(20);
	assert_int_equal(count * sample_size(20), fk.size);
	for (i = 0; i < count; i++) {
		unsigned char raw[20];
		struct want w = { 1000 + i, 10 + i, 20 + i, i % 4,
				  5000000 + i * 1000, sizeof(raw), raw };
		size_t j;

		for (j = 0; j < sizeof(raw); j++)
			raw[j] = pattern_byte(i, j);
		write_sample(&fk, &w);
	}
	fake_publish(&fk);
	assert_int_equal(fk.head - start, fk.size);

	assert_int_equal(ltr_ring_drain(&fk.r, collect_fn, &c), count);
	assert_int_equal(c.n, count);
	for (i = 0; i < count; i++) {
		assert_int_equal(c.got[i].id, 1000 + i);
		assert_int_equal(c.got[i].time, 5000000 + i * 1000);
		assert_int_equal(c.got[i].raw[0], pattern_byte(i, 0));
		assert_int_equal(c.got[i].raw[19], pattern_byte(i, 19));
	}
	assert_int_equal(tail_of(&fk), fk.head);
	assert_int_equal(fk.r.bad, 0);

	/* and the ring is usable again */
	write_pattern_sample(&fk, next);
	fake_publish(&fk);
	assert_int_equal(ltr_ring_drain(&fk.r, pattern_fn, &next), 1);
	fake_fini(&fk);
}

static void test_lost_records(void **state)
{
	uint64_t next = 0;
	struct fake fk;

	fake_init(&fk, 1, true, 0);
	write_lost(&fk, 99, 5);
	write_pattern_sample(&fk, 0);
	write_lost_samples(&fk, 7);
	write_lost(&fk, 99, 1ull << 33);
	write_pattern_sample(&fk, 1);
	fake_publish(&fk);

	assert_int_equal(ltr_ring_drain(&fk.r, pattern_fn, &next), 2);
	assert_int_equal(next, 2);
	assert_int_equal(fk.r.lost, 5 + 7 + (1ull << 33));
	assert_int_equal(fk.r.samples, 2);
	assert_int_equal(fk.r.bad, 0);
	assert_int_equal(tail_of(&fk), fk.head);

	/* losses add up across drains */
	write_lost_samples(&fk, 3);
	fake_publish(&fk);
	assert_int_equal(ltr_ring_drain(&fk.r, pattern_fn, &next), 0);
	assert_int_equal(fk.r.lost, 5 + 7 + 3 + (1ull << 33));
	fake_fini(&fk);
}

static void test_unknown_records_skipped(void **state)
{
	uint64_t next = 0;
	struct fake fk;

	fake_init(&fk, 1, true, 0);
	write_other(&fk, PERF_RECORD_MMAP, 64);
	write_pattern_sample(&fk, 0);
	write_other(&fk, PERF_RECORD_COMM, 40);
	write_other(&fk, 0x7777, 8);
	write_other(&fk, PERF_RECORD_THROTTLE, 24);
	write_pattern_sample(&fk, 1);
	write_other(&fk, 0xffff, 256);
	fake_publish(&fk);

	assert_int_equal(ltr_ring_drain(&fk.r, pattern_fn, &next), 2);
	assert_int_equal(next, 2);
	assert_int_equal(fk.r.lost, 0);
	assert_int_equal(fk.r.bad, 0);
	assert_int_equal(tail_of(&fk), fk.head);
	fake_fini(&fk);
}

static void test_stop_and_resume(void **state)
{
	struct collect c = { .stop_at = 2 };
	uint64_t after_two = 0;
	struct fake fk;
	int i;

	/* the third record wraps, so resuming starts at a wrapped one */
	fake_init(&fk, 1, true, 4 * (uint64_t)page_size() -
		  2 * sample_size(sizeof(raw_c)) - 16);
	for (i = 0; i < 5; i++) {
		struct want w = { 1 + i, 2, 3, 0, 4, sizeof(raw_c), raw_c };

		write_sample(&fk, &w);
		if (i == 1)
			after_two = fk.head;
	}
	fake_publish(&fk);

	assert_int_equal(ltr_ring_drain(&fk.r, collect_fn, &c), 2);
	assert_int_equal(c.n, 2);
	/* the stopping record is consumed, the next one is not */
	assert_int_equal(tail_of(&fk), after_two);

	c.stop_at = 0;
	assert_int_equal(ltr_ring_drain(&fk.r, collect_fn, &c), 3);
	assert_int_equal(c.n, 5);
	for (i = 0; i < 5; i++) {
		struct want w = { 1 + i, 2, 3, 0, 4, sizeof(raw_c), raw_c };

		check_got(&c.got[i], &w);
	}
	assert_int_equal(tail_of(&fk), fk.head);
	assert_int_equal(fk.r.samples, 5);
	fake_fini(&fk);
}

/* With no callback, samples are consumed and counted. */
static void test_discard(void **state)
{
	struct fake fk;

	fake_init(&fk, 1, true, 0);
	write_pattern_sample(&fk, 0);
	write_pattern_sample(&fk, 1);
	fake_publish(&fk);
	assert_int_equal(ltr_ring_drain(&fk.r, NULL, NULL), 2);
	assert_int_equal(tail_of(&fk), fk.head);
	fake_fini(&fk);
}

/* ------------------------------------------------------------------ */

enum corruption {
	ZERO_SIZE,
	SIZE_BELOW_HEADER,
	SIZE_ABOVE_RING,
	SIZE_PAST_HEAD,
	HEAD_TOO_FAR,
};

static const struct corrupt_case {
	const char *desc;
	enum corruption kind;
} corrupt_cases[] = {
	{ "zero-size header", ZERO_SIZE },
	{ "size smaller than the header", SIZE_BELOW_HEADER },
	{ "size larger than the ring", SIZE_ABOVE_RING },
	{ "record past the head", SIZE_PAST_HEAD },
	{ "head more than a ring ahead", HEAD_TOO_FAR },
};

/*
 * A record whose size cannot be walked: what came before it is delivered,
 * the rest is dropped, the tail catches up with the head, and the next
 * drain starts clean.  alarm() turns a hang into a failure.
 */
static void test_corrupt_records(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(corrupt_cases) / sizeof(corrupt_cases[0]);
	     i++) {
		const struct corrupt_case *c = &corrupt_cases[i];
		unsigned char buf[128];
		uint64_t next = 0;
		struct fake fk;
		int ret;

		fake_init(&fk, 1, true, 0);
		write_pattern_sample(&fk, next);
		memset(buf, 0, sizeof(buf));
		switch (c->kind) {
		case ZERO_SIZE:
			put_hdr(buf, PERF_RECORD_SAMPLE, 0);
			fake_write(&fk, buf, 64);
			break;
		case SIZE_BELOW_HEADER:
			put_hdr(buf, PERF_RECORD_LOST, 4);
			fake_write(&fk, buf, 64);
			break;
		case SIZE_ABOVE_RING:
			put_hdr(buf, PERF_RECORD_SAMPLE, 8192);
			fake_write(&fk, buf, 64);
			break;
		case SIZE_PAST_HEAD:
			put_hdr(buf, PERF_RECORD_SAMPLE, 200);
			fake_write(&fk, buf, 64);
			break;
		case HEAD_TOO_FAR:
			fk.head = fk.pg->data_tail + fk.size + 8;
			break;
		}
		write_pattern_sample(&fk, 1);
		fake_publish(&fk);

		alarm(5);
		ret = ltr_ring_drain(&fk.r, pattern_fn, &next);
		alarm(0);
		if (c->kind == HEAD_TOO_FAR)
			assert_int_equal(ret, 0);
		else
			assert_int_equal(ret, 1);
		assert_int_equal(fk.r.bad, 1);
		assert_int_equal(tail_of(&fk), fk.head);

		/* the ring goes on from the head */
		next = 7;
		write_pattern_sample(&fk, next);
		fake_publish(&fk);
		assert_int_equal(ltr_ring_drain(&fk.r, pattern_fn, &next), 1);
		assert_int_equal(fk.r.bad, 1);
		assert_int_equal(tail_of(&fk), fk.head);
		fake_fini(&fk);
	}
}

/* A sample too short to parse is skipped; the ring is still walkable. */
static void test_short_samples_skipped(void **state)
{
	unsigned char buf[64];
	uint32_t raw_size = 1000;
	uint64_t next = 0;
	struct fake fk;

	fake_init(&fk, 1, true, 0);
	write_pattern_sample(&fk, 0);
	memset(buf, 0, sizeof(buf));
	put_hdr(buf, PERF_RECORD_SAMPLE, 16);
	fake_write(&fk, buf, 16);
	/* a LOST record too short for its count */
	put_hdr(buf, PERF_RECORD_LOST, 16);
	fake_write(&fk, buf, 16);
	/* a payload larger than its record */
	put_hdr(buf, PERF_RECORD_SAMPLE, 64);
	memcpy(buf + 40, &raw_size, 4);
	fake_write(&fk, buf, 64);
	write_pattern_sample(&fk, 1);
	fake_publish(&fk);

	assert_int_equal(ltr_ring_drain(&fk.r, pattern_fn, &next), 2);
	assert_int_equal(next, 2);
	assert_int_equal(fk.r.bad, 3);
	assert_int_equal(fk.r.lost, 0);
	assert_int_equal(tail_of(&fk), fk.head);
	fake_fini(&fk);
}

static void test_parse_sample(void **state)
{
	uint64_t buf[8] = { 0 };
	unsigned char *p = (unsigned char *)buf;
	struct ltr_sample s = { .pid = 1 };
	uint32_t raw_size = 4;
	uint64_t id = 5;

	put_hdr(p, PERF_RECORD_SAMPLE, 48);
	memcpy(p + 40, &raw_size, 4);
	memcpy(p + 44, "abcd", 4);
	s.flags = 99;
	assert_int_equal(ltr_parse_sample((void *)p, &id, &s), 0);
	assert_int_equal(s.flags, 0);
	assert_int_equal(s.raw_size, 4);
	assert_ptr_equal(s.raw, p + 44);
	assert_memory_equal(s.raw, "abcd", 4);

	/* one byte too many for the record */
	raw_size = 5;
	memcpy(p + 40, &raw_size, 4);
	s.pid = 77;
	id = 77;
	assert_int_equal(ltr_parse_sample((void *)p, &id, &s), -EINVAL);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(s.pid, 77);
	assert_int_equal(id, 77);

	/* no room for the raw size */
	put_hdr(p, PERF_RECORD_SAMPLE, 40);
	assert_int_equal(ltr_parse_sample((void *)p, &id, &s), -EINVAL);

	/* an empty payload is fine */
	raw_size = 0;
	put_hdr(p, PERF_RECORD_SAMPLE, 44);
	memcpy(p + 40, &raw_size, 4);
	assert_int_equal(ltr_parse_sample((void *)p, &id, &s), 0);
	assert_int_equal(s.raw_size, 0);
}

/*
 * A sample of opts.size_only (LTR_SAMPLE_LEAN): the id, then the raw
 * size and payload; no thread, time or CPU, said in the flags.
 */
static void test_parse_lean_sample(void **state)
{
	uint64_t buf[8] = { 0 };
	unsigned char *p = (unsigned char *)buf;
	struct ltr_sample s = { .pid = 1, .tid = 2, .time = 3, .cpu = 4 };
	uint32_t raw_size = 4;
	uint64_t id = 0, want = 0x1122334455667788ull;

	put_hdr(p, PERF_RECORD_SAMPLE, 24);
	memcpy(p + 8, &want, 8);
	memcpy(p + 16, &raw_size, 4);
	memcpy(p + 20, "wxyz", 4);
	assert_int_equal(ltr_parse_sample_as((void *)p, LTR_SAMPLE_LEAN, &id,
					     &s), 0);
	assert_true(id == want);
	assert_int_equal(s.raw_size, 4);
	assert_ptr_equal(s.raw, p + 20);
	assert_int_equal(s.pid, 0);
	assert_int_equal(s.tid, 0);
	assert_true(s.time == 0);
	assert_int_equal(s.flags, LTR_SAMPLE_NO_TGID | LTR_SAMPLE_NO_TID |
				  LTR_SAMPLE_NO_TIME | LTR_SAMPLE_NO_CPU);

	/* the same bytes read as a full sample are too short */
	assert_int_equal(ltr_parse_sample((void *)p, &id, &s), -EINVAL);

	/* one byte too many for the record */
	raw_size = 5;
	memcpy(p + 16, &raw_size, 4);
	assert_int_equal(ltr_parse_sample_as((void *)p, LTR_SAMPLE_LEAN, &id,
					     &s), -EINVAL);

	/* with the thread and no time: the raw size moves by 8 */
	raw_size = 4;
	put_hdr(p, PERF_RECORD_SAMPLE, 32);
	memcpy(p + 16, "\x07\0\0\0\x09\0\0\0", 8);
	memcpy(p + 24, &raw_size, 4);
	memcpy(p + 28, "wxyz", 4);
	assert_int_equal(ltr_parse_sample_as((void *)p, LTR_SAMPLE_LEAN |
					     PERF_SAMPLE_TID, &id, &s), 0);
	assert_int_equal(s.pid, 7);
	assert_int_equal(s.tid, 9);
	assert_ptr_equal(s.raw, p + 28);
	assert_int_equal(s.flags, LTR_SAMPLE_NO_TIME | LTR_SAMPLE_NO_CPU);

	/* a sample_type this reader does not know, or without the raw */
	assert_int_equal(ltr_parse_sample_as((void *)p, LTR_SAMPLE_LEAN |
					     PERF_SAMPLE_IP, &id, &s), -EINVAL);
	assert_int_equal(ltr_parse_sample_as((void *)p, PERF_SAMPLE_IDENTIFIER,
					     &id, &s), -EINVAL);
}

static void test_init_errors(void **state)
{
	long page = page_size();
	struct ltr_ring r = { .fd = 1234 };
	struct perf_event_mmap_page *pg;
	void *base;

	base = aligned_alloc(page, 5 * page);
	assert_non_null(base);
	memset(base, 0, 5 * page);
	pg = base;

	/* no data page, then 3 data pages: not 1 + 2^n */
	assert_int_equal(ltr_ring_init(&r, base, page, -1, 0), -EINVAL);
	assert_int_equal(ltr_ring_init(&r, base, 4 * page, -1, 0), -EINVAL);
	assert_int_equal(ltr_ring_init(NULL, base, 5 * page, -1, 0), -EINVAL);
	assert_int_equal(ltr_ring_init(&r, NULL, 5 * page, -1, 0), -EINVAL);

	/* the header's own layout must fit the mapping */
	pg->data_offset = page;
	pg->data_size = 3 * page;
	assert_int_equal(ltr_ring_init(&r, base, 5 * page, -1, 0), -EINVAL);
	pg->data_size = 8 * page;
	assert_int_equal(ltr_ring_init(&r, base, 5 * page, -1, 0), -EINVAL);
	pg->data_offset = 2 * page;
	pg->data_size = 4 * page;
	assert_int_equal(ltr_ring_init(&r, base, 5 * page, -1, 0), -EINVAL);
	/* the failed calls left @r alone */
	assert_int_equal(r.fd, 1234);
	assert_null(r.scratch);

	pg->data_offset = page;
	assert_int_equal(ltr_ring_init(&r, base, 5 * page, 9, 3), 0);
	assert_int_equal(r.fd, 9);
	assert_int_equal(r.cpu, 3);
	assert_int_equal(r.data_size, 4 * page);
	assert_ptr_equal(r.data, (unsigned char *)base + page);
	assert_int_equal(r.lost + r.samples + r.bad, 0);
	ltr_ring_fini(&r);
	ltr_ring_fini(&r);
	ltr_ring_fini(NULL);
	assert_int_equal(ltr_ring_drain(&r, NULL, NULL), -EINVAL);
	free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples_in_order),
		cmocka_unit_test(test_samples_without_data_offset),
		cmocka_unit_test(test_wrapped_record),
		cmocka_unit_test(test_many_wraps),
		cmocka_unit_test(test_full_ring),
		cmocka_unit_test(test_lost_records),
		cmocka_unit_test(test_unknown_records_skipped),
		cmocka_unit_test(test_stop_and_resume),
		cmocka_unit_test(test_discard),
		cmocka_unit_test(test_corrupt_records),
		cmocka_unit_test(test_short_samples_skipped),
		cmocka_unit_test(test_parse_sample),
		cmocka_unit_test(test_parse_lean_sample),
		cmocka_unit_test(test_init_errors),
	};

	ltr_set_print(NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
