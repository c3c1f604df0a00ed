// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The sub-buffer walk (tracefs/subbuf.c) over sub-buffers made here the
 * way the kernel writes them: every event header type, a discarded
 * event, the padding that ends a sub-buffer, a 4-byte commit word, a
 * sub-buffer still being written to, and broken ones.  (The kernel's
 * own are walked by tests/kernel/test-ftrace-ring.)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

#define PAGE 4096
#define T_PAD 29
#define T_EXTEND 30
#define T_STAMP 31

struct page {
	unsigned char b[PAGE];
	int commit_size;
	size_t at;		/* the next event's offset in b */
};

static size_t hdr(const struct page *p)
{
	return 8 + (size_t)p->commit_size;
}

static void start(struct page *p, uint64_t ts, int commit_size)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->b, &ts, 8);
	p->commit_size = commit_size;
	p->at = hdr(p);
}

static void put32(struct page *p, uint32_t v)
{
	memcpy(p->b + p->at, &v, 4);
	p->at += 4;
}

static void word(struct page *p, uint32_t type, uint32_t delta)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	put32(p, type << 27 | delta);
#else
	put32(p, delta << 5 | type);
#endif
}

/* A data event of @len bytes (a multiple of 4), each byte @fill. */
static void data(struct page *p, uint32_t delta, uint32_t len, int fill,
		 bool long_form)
{
	if (!long_form) {
		word(p, len / 4, delta);
	} else {
		word(p, 0, delta);
		put32(p, len + 4);
	}
	memset(p->b + p->at, fill, len);
	p->at += len;
}

static void commit(struct page *p, uint64_t flags)
{
	uint64_t c = (p->at - hdr(p)) | flags;

	if (p->commit_size == 4) {
		uint32_t c32 = (uint32_t)c;

		memcpy(p->b + 8, &c32, 4);
	} else {
		memcpy(p->b + 8, &c, 8);
	}
}

static void want(struct ltr_subbuf *w, uint32_t size, int fill, uint64_t ts)
{
	struct ltr_subbuf_rec r;

	assert_int_equal(ltr_subbuf_next(w, &r), 1);
	assert_int_equal(r.size, size);
	assert_int_equal(r.data[0], fill);
	assert_int_equal(r.data[size - 1], fill);
	assert_int_equal(r.ts, ts);
}

static void every_type(void **state)
{
	static const int sizes[] = { 8, 4 };
	struct page p;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct ltr_subbuf w;
		struct ltr_subbuf_rec r;

		start(&p, 1000, sizes[i]);
		data(&p, 5, 16, 0xa1, false);		/* t 1005 */
		/* a discarded event: its delta does not count; its length
		 * counts the length word and what follows */
		word(&p, T_PAD, 7);
		put32(&p, 16);
		memset(p.b + p.at, 0xee, 12);
		p.at += 12;
		data(&p, 3, 200, 0xa2, true);		/* t 1008, long form */
		word(&p, T_EXTEND, 5);			/* + (2 << 27) + 5 */
		put32(&p, 2);
		data(&p, 1, 112, 0xa3, false);		/* 28 words, the most */
		word(&p, T_STAMP, 77);			/* absolute: (1 << 27) | 77 */
		put32(&p, 1);
		data(&p, 2, 4, 0xa4, false);
		commit(&p, 1ull << 31);			/* missed events: a flag */
		/* the rest unused: a padding event of delta 0 */
		word(&p, T_PAD, 0);
		assert_int_equal(ltr_subbuf_load(&w, p.b, sizeof(p.b),
						 sizes[i]), 0);
		want(&w, 16, 0xa1, 1005);
		want(&w, 200, 0xa2, 1008);
		want(&w, 112, 0xa3, 1008 + (2ull << 27) + 5 + 1);
		want(&w, 4, 0xa4, (1ull << 27 | 77) + 2);
		assert_int_equal(ltr_subbuf_next(&w, &r), 0);
		assert_int_equal(w.discarded, 1);
	}
}

/* Padding of delta 0 ends the walk even inside what is committed. */
static void padding_ends(void **state)
{
	struct ltr_subbuf w;
	struct ltr_subbuf_rec r;
	struct page p;

	(void)state;
	start(&p, 0, 8);
	data(&p, 1, 8, 0xb1, false);
	word(&p, T_PAD, 0);
	data(&p, 1, 8, 0xb2, false);		/* never to be seen */
	commit(&p, 0);
	assert_int_equal(ltr_subbuf_load(&w, p.b, sizeof(p.b), 8), 0);
	want(&w, 8, 0xb1, 1);
	assert_int_equal(ltr_subbuf_next(&w, &r), 0);
}

/* The mmap'd reader sub-buffer: more is committed while it is walked. */
static void resumes_as_committed(void **state)
{
	struct ltr_subbuf w;
	struct ltr_subbuf_rec r;
	struct page p;

	(void)state;
	start(&p, 50, 8);
	data(&p, 1, 8, 0xc1, false);
	commit(&p, 0);
	assert_int_equal(ltr_subbuf_load(&w, p.b, sizeof(p.b), 8), 0);
	want(&w, 8, 0xc1, 51);
	assert_int_equal(ltr_subbuf_next(&w, &r), 0);
	data(&p, 2, 12, 0xc2, false);
	data(&p, 3, 8, 0xc3, true);
	commit(&p, 0);
	w.len = ltr_subbuf_commit(p.b, 8);
	want(&w, 12, 0xc2, 53);
	want(&w, 8, 0xc3, 56);
	assert_int_equal(ltr_subbuf_next(&w, &r), 0);
}

static void broken(void **state)
{
	struct ltr_subbuf w;
	struct ltr_subbuf_rec r;
	struct page p;

	(void)state;
	/* a commit past the bytes there are */
	start(&p, 0, 8);
	data(&p, 1, 8, 0xd1, false);
	commit(&p, 0);
	assert_int_equal(ltr_subbuf_load(&w, p.b, 16 + 8, 8), -EBADMSG);
	assert_int_equal(ltr_subbuf_next(&w, &r), 0);
	assert_int_equal(ltr_subbuf_load(&w, p.b, 12, 8), -EBADMSG);

	/* an event longer than what is committed: the rest is skipped */
	start(&p, 0, 8);
	data(&p, 1, 8, 0xd2, false);
	word(&p, 0, 1);
	put32(&p, 4000);
	p.at += 8;
	commit(&p, 0);
	assert_int_equal(ltr_subbuf_load(&w, p.b, sizeof(p.b), 8), 0);
	want(&w, 8, 0xd2, 1);
	assert_int_equal(ltr_subbuf_next(&w, &r), -EBADMSG);
	assert_int_equal(ltr_subbuf_next(&w, &r), 0);

	/* a long-form length below its own word */
	start(&p, 0, 8);
	word(&p, 0, 1);
	put32(&p, 2);
	commit(&p, 0);
	assert_int_equal(ltr_subbuf_load(&w, p.b, sizeof(p.b), 8), 0);
	assert_int_equal(ltr_subbuf_next(&w, &r), -EBADMSG);

	/* a header cut short by the commit */
	start(&p, 0, 8);
	word(&p, T_EXTEND, 1);
	commit(&p, 0);
	assert_int_equal(ltr_subbuf_load(&w, p.b, sizeof(p.b), 8), 0);
	assert_int_equal(ltr_subbuf_next(&w, &r), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_type),
		cmocka_unit_test(padding_ends),
		cmocka_unit_test(resumes_as_committed),
		cmocka_unit_test(broken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
