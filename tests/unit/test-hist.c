// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sizes summed in the kernel (hist triggers), without a kernel: the text
 * a hist file holds, canned as 6.1 and 6.12 print it, parsed into buckets
 * and totals; which size expressions are linear in their fields (summed
 * by the kernel) and which are grouped by them; and the total a hist
 * gives, equal to the sum of the expression over the records it stands
 * for.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "resolve.h"
#include "size.h"
#include "internal.h"

static const char one_bucket[] =
	"# event histogram\n"
	"#\n"
	"# trigger info: hist:keys=common_type:vals=hitcount,bytes_req:sort=hitcount:size=8192 [active]\n"
	"#\n"
	"\n"
	"{ common_type:        533 } hitcount:        154  bytes_req:      15432\n"
	"\n"
	"Totals:\n"
	"    Hits: 154\n"
	"    Entries: 1\n"
	"    Dropped: 0\n";

static const char by_order[] =
	"# event histogram\n"
	"#\n"
	"# trigger info: hist:keys=order:vals=hitcount:sort=hitcount:size=8192 if gfp_flags != 0 [active]\n"
	"#\n"
	"\n"
	"{ order:          3 } hitcount:          2\n"
	"{ order:          1 } hitcount:          7\n"
	"{ order:          0 } hitcount:        100\n"
	"\n"
	"Totals:\n"
	"    Hits: 109\n"
	"    Entries: 3\n"
	"    Dropped: 3\n";

/*
 * Captured from Debian's 6.1 in the qemu matrix: a trigger of size=128
 * ("hist:keys=count:vals=hitcount:size=128 if fd == 987" on
 * sys_enter_write) after 200 writes of 1..200 bytes to fd 987: the map
 * took the first 128 counts, "Hits:" are those, "Dropped:" the other 72
 * (6.12 prints the same totals).
 */
static const char dropped_6_1[] =
	"# event histogram\n"
	"#\n"
	"# trigger info: hist:keys=count:vals=hitcount:sort=hitcount:size=128 if fd == 987 [active]\n"
	"#\n"
	"\n"
	"{ count:          2 } hitcount:          1\n"
	"{ count:          3 } hitcount:          1\n"
	"{ count:          4 } hitcount:          1\n"
	"{ count:          5 } hitcount:          1\n"
	"{ count:          6 } hitcount:          1\n"
	"{ count:          7 } hitcount:          1\n"
	"{ count:          8 } hitcount:          1\n"
	"{ count:          9 } hitcount:          1\n"
	"{ count:         10 } hitcount:          1\n"
	"{ count:         11 } hitcount:          1\n"
	"{ count:         12 } hitcount:          1\n"
	"{ count:         13 } hitcount:          1\n"
	"{ count:         14 } hitcount:          1\n"
	"{ count:         15 } hitcount:          1\n"
	"{ count:         16 } hitcount:          1\n"
	"{ count:         17 } hitcount:          1\n"
	"{ count:         18 } hitcount:          1\n"
	"{ count:         19 } hitcount:          1\n"
	"{ count:         20 } hitcount:          1\n"
	"{ count:         21 } hitcount:          1\n"
	"{ count:         22 } hitcount:          1\n"
	"{ count:         23 } hitcount:          1\n"
	"{ count:         24 } hitcount:          1\n"
	"{ count:         25 } hitcount:          1\n"
	"{ count:         26 } hitcount:          1\n"
	"{ count:         27 } hitcount:          1\n"
	"{ count:         28 } hitcount:          1\n"
	"{ count:         29 } hitcount:          1\n"
	"{ count:         30 } hitcount:          1\n"
	"{ count:         31 } hitcount:          1\n"
	"{ count:         32 } hitcount:          1\n"
	"{ count:         33 } hitcount:          1\n"
	"{ count:         34 } hitcount:          1\n"
	"{ count:         35 } hitcount:          1\n"
	"{ count:         36 } hitcount:          1\n"
	"{ count:         37 } hitcount:          1\n"
	"{ count:         38 } hitcount:          1\n"
	"{ count:         39 } hitcount:          1\n"
	"{ count:         40 } hitcount:          1\n"
	"{ count:         41 } hitcount:          1\n"
	"{ count:         42 } hitcount:          1\n"
	"{ count:         43 } hitcount:          1\n"
	"{ count:         44 } hitcount:          1\n"
	"{ count:         45 } hitcount:          1\n"
	"{ count:         46 } hitcount:          1\n"
	"{ count:         47 } hitcount:          1\n"
	"{ count:         48 } hitcount:          1\n"
	"{ count:         49 } hitcount:          1\n"
	"{ count:         50 } hitcount:          1\n"
	"{ count:         51 } hitcount:          1\n"
	"{ count:         52 } hitcount:          1\n"
	"{ count:         53 } hitcount:          1\n"
	"{ count:         54 } hitcount:          1\n"
	"{ count:         55 } hitcount:          1\n"
	"{ count:         56 } hitcount:          1\n"
	"{ count:         57 } hitcount:          1\n"
	"{ count:         58 } hitcount:          1\n"
	"{ count:         59 } hitcount:          1\n"
	"{ count:         60 } hitcount:          1\n"
	"{ count:         61 } hitcount:          1\n"
	"{ count:         62 } hitcount:          1\n"
	"{ count:         63 } hitcount:          1\n"
	"{ count:         64 } hitcount:          1\n"
	"{ count:         65 } hitcount:          1\n"
	"{ count:         66 } hitcount:          1\n"
	"{ count:         67 } hitcount:          1\n"
	"{ count:         68 } hitcount:          1\n"
	"{ count:         69 } hitcount:          1\n"
	"{ count:         70 } hitcount:          1\n"
	"{ count:         71 } hitcount:          1\n"
	"{ count:         72 } hitcount:          1\n"
	"{ count:         73 } hitcount:          1\n"
	"{ count:         74 } hitcount:          1\n"
	"{ count:         75 } hitcount:          1\n"
	"{ count:         76 } hitcount:          1\n"
	"{ count:         77 } hitcount:          1\n"
	"{ count:         78 } hitcount:          1\n"
	"{ count:         79 } hitcount:          1\n"
	"{ count:         80 } hitcount:          1\n"
	"{ count:         81 } hitcount:          1\n"
	"{ count:         82 } hitcount:          1\n"
	"{ count:         83 } hitcount:          1\n"
	"{ count:         84 } hitcount:          1\n"
	"{ count:         85 } hitcount:          1\n"
	"{ count:         86 } hitcount:          1\n"
	"{ count:         87 } hitcount:          1\n"
	"{ count:         88 } hitcount:          1\n"
	"{ count:         89 } hitcount:          1\n"
	"{ count:         90 } hitcount:          1\n"
	"{ count:         91 } hitcount:          1\n"
	"{ count:         92 } hitcount:          1\n"
	"{ count:         93 } hitcount:          1\n"
	"{ count:         94 } hitcount:          1\n"
	"{ count:         95 } hitcount:          1\n"
	"{ count:         96 } hitcount:          1\n"
	"{ count:         97 } hitcount:          1\n"
	"{ count:         98 } hitcount:          1\n"
	"{ count:         99 } hitcount:          1\n"
	"{ count:        100 } hitcount:          1\n"
	"{ count:        101 } hitcount:          1\n"
	"{ count:        102 } hitcount:          1\n"
	"{ count:        103 } hitcount:          1\n"
	"{ count:        104 } hitcount:          1\n"
	"{ count:        105 } hitcount:          1\n"
	"{ count:        106 } hitcount:          1\n"
	"{ count:        107 } hitcount:          1\n"
	"{ count:        108 } hitcount:          1\n"
	"{ count:        109 } hitcount:          1\n"
	"{ count:        110 } hitcount:          1\n"
	"{ count:        111 } hitcount:          1\n"
	"{ count:        112 } hitcount:          1\n"
	"{ count:        113 } hitcount:          1\n"
	"{ count:        114 } hitcount:          1\n"
	"{ count:        115 } hitcount:          1\n"
	"{ count:        116 } hitcount:          1\n"
	"{ count:        117 } hitcount:          1\n"
	"{ count:        118 } hitcount:          1\n"
	"{ count:        119 } hitcount:          1\n"
	"{ count:        120 } hitcount:          1\n"
	"{ count:        121 } hitcount:          1\n"
	"{ count:        122 } hitcount:          1\n"
	"{ count:        123 } hitcount:          1\n"
	"{ count:        124 } hitcount:          1\n"
	"{ count:        125 } hitcount:          1\n"
	"{ count:        126 } hitcount:          1\n"
	"{ count:        127 } hitcount:          1\n"
	"{ count:        128 } hitcount:          1\n"
	"{ count:          1 } hitcount:          1\n"
	"\n"
	"Totals:\n"
	"    Hits: 128\n"
	"    Entries: 128\n"
	"    Dropped: 72\n";

static void parse_one_bucket(void **state)
{
	char vals[LTR_HIST_MAX_VALS][64] = { "bytes_req" };
	struct ltr_hist h;

	assert_int_equal(ltr_hist_parse(one_bucket, 0, vals, 1, &h), 0);
	assert_int_equal(h.nbuckets, 1);
	assert_int_equal(h.buckets[0].hits, 154);
	assert_int_equal(h.buckets[0].vals[0], 15432);
	assert_int_equal(h.hits, 154);
	assert_int_equal(h.dropped, 0);
	ltr_hist__fini(&h);
}

static void parse_keys_and_dropped(void **state)
{
	struct ltr_hist h;

	assert_int_equal(ltr_hist_parse(by_order, 1, NULL, 0, &h), 0);
	assert_int_equal(h.nbuckets, 3);
	assert_int_equal(h.buckets[0].keys[0], 3);
	assert_int_equal(h.buckets[0].hits, 2);
	assert_int_equal(h.buckets[2].keys[0], 0);
	assert_int_equal(h.buckets[2].hits, 100);
	/* the kernel's totals: "Hits:" are the aggregated, not the dropped */
	assert_int_equal(h.hits, 109);
	assert_int_equal(h.dropped, 3);
	ltr_hist__fini(&h);
}

/*
 * A real table that filled up: 200 hits, 128 aggregated (each its own
 * bucket), 72 dropped.  ltr_event__count() adds the two: the event's
 * hits are 200, not the 128 of "Hits:" (lden showed 128, its LOST column
 * 72, and COUNT was taken as exact).
 */
static void parse_real_dropped(void **state)
{
	struct ltr_hist h;
	uint64_t sum = 0, keys = 0;

	assert_int_equal(ltr_hist_parse(dropped_6_1, 1, NULL, 0, &h), 0);
	assert_int_equal(h.nbuckets, 128);
	for (int i = 0; i < h.nbuckets; i++) {
		sum += h.buckets[i].hits;
		keys += h.buckets[i].keys[0];
	}
	/* counts 1..128 each once */
	assert_int_equal(sum, 128);
	assert_int_equal(keys, 128 * 129 / 2);
	assert_int_equal(h.hits, 128);
	assert_int_equal(h.dropped, 72);
	assert_int_equal(h.hits + h.dropped, 200);
	ltr_hist__fini(&h);
}

/*
 * Read from Debian's 6.1 in the qemu matrix (two vCPUs) while the other
 * CPU wrote 8 bytes at a time to fd 987, under
 * "hist:keys=common_type:vals=hitcount,count:size=8192 if fd == 987":
 * "Hits:", printed after the bucket, is 24 hits ahead of the bucket's
 * hitcount (157 of 400 such reads differed), and the bucket's sum,
 * printed just after its hitcount, 2 writes ahead of it (8 * 56510).
 */
static const char moving_6_1[] =
	"# event histogram\n"
	"#\n"
	"# trigger info: hist:keys=common_type:vals=hitcount,count:sort=hitcount:size=8192 if fd == 987 [active]\n"
	"#\n"
	"\n"
	"{ common_type:        715 } hitcount:      56508  count:     452080\n"
	"\n"
	"Totals:\n"
	"    Hits: 56532\n"
	"    Entries: 1\n"
	"    Dropped: 0\n";

/*
 * The count of a reading is its buckets' hits and the dropped, not
 * "Hits:": the size comes from the buckets, and the count with it.
 */
static void count_of_one_read(void **state)
{
	char vals[LTR_HIST_MAX_VALS][64] = { "count" };
	struct ltr_hist h;

	assert_int_equal(ltr_hist_parse(moving_6_1, 0, vals, 1, &h), 0);
	assert_int_equal(h.hits, 56532);
	assert_int_equal(ltr_hist__count(&h), 56508);
	assert_int_equal(h.buckets[0].vals[0], 452080);
	ltr_hist__fini(&h);
	/* a full table: the 128 aggregated and the 72 dropped */
	assert_int_equal(ltr_hist_parse(dropped_6_1, 1, NULL, 0, &h), 0);
	assert_int_equal(ltr_hist__count(&h), 200);
	ltr_hist__fini(&h);
}

static void parse_two_keys_signed(void **state)
{
	static const char text[] =
		"{ ret:        -11, protocol:          6 } hitcount:          1  len:         40\n"
		"{ ret:       1000, protocol:         17 } hitcount:          3  len:       3000\n"
		"\nTotals:\n    Hits: 4\n    Entries: 2\n    Dropped: 0\n";
	char vals[LTR_HIST_MAX_VALS][64] = { "len" };
	struct ltr_hist h;

	assert_int_equal(ltr_hist_parse(text, 2, vals, 1, &h), 0);
	assert_int_equal(h.nbuckets, 2);
	assert_int_equal((int64_t)h.buckets[0].keys[0], -11);
	assert_int_equal(h.buckets[0].keys[1], 6);
	assert_int_equal(h.buckets[1].vals[0], 3000);
	ltr_hist__fini(&h);
}

static void parse_refuses_other_shapes(void **state)
{
	char vals[LTR_HIST_MAX_VALS][64] = { "bytes_req" };
	char other[LTR_HIST_MAX_VALS][64] = { "bytes_alloc" };
	struct ltr_hist h;

	/* a value the trigger does not have */
	assert_int_equal(ltr_hist_parse(one_bucket, 0, other, 1, &h), -EINVAL);
	/* no totals: not a whole hist file */
	assert_int_equal(ltr_hist_parse("{ common_type: 1 } hitcount: 2  bytes_req: 3\n",
					0, vals, 1, &h), -EINVAL);
	assert_int_equal(ltr_hist_parse("", 0, vals, 1, &h), -EINVAL);
}

static void plans(void **state)
{
	struct lden_size_hist h;

	assert_int_equal(lden_size_hist__plan("bytes_req", &h), 0);
	assert_true(h.linear);
	assert_string_equal(h.vals, "bytes_req");
	assert_string_equal(h.keys, "");
	assert_int_equal(h.c0, 0);
	assert_int_equal(h.coef[0], 1);

	assert_int_equal(lden_size_hist__plan("nr_sector * 512", &h), 0);
	assert_true(h.linear);
	assert_int_equal(h.coef[0], 512);

	assert_int_equal(lden_size_hist__plan("(anon_rss + file_rss + shmem_rss) * 1024",
					     &h), 0);
	assert_true(h.linear);
	assert_string_equal(h.vals, "anon_rss,file_rss,shmem_rss");
	assert_int_equal(h.coef[2], 1024);

	/* a constant and a shift by a constant stay linear */
	assert_int_equal(lden_size_hist__plan("8 + (wrote << 12) - 2", &h), 0);
	assert_true(h.linear);
	assert_int_equal(h.c0, 6);
	assert_int_equal(h.coef[0], 4096);

	/* shifts by a field, products, divisions: grouped by the fields */
	assert_int_equal(lden_size_hist__plan("PAGE_SIZE << order", &h), 0);
	assert_false(h.linear);
	assert_string_equal(h.keys, "order");
	assert_int_equal(lden_size_hist__plan("nr * len", &h), 0);
	assert_false(h.linear);
	assert_string_equal(h.keys, "nr,len");
	assert_int_equal(lden_size_hist__plan("len / 3", &h), 0);
	assert_false(h.linear);

	/* four fields cannot be keys */
	assert_int_equal(lden_size_hist__plan("a * b * c * d", &h), -1);
	assert_int_equal(lden_size_hist__plan("a *", &h), -1);
}

/* fields of a made-up event, for compiling against */
static char f_order[] = "order", f_nr[] = "nr_sector", f_sys[] = "kmem",
	    f_name[] = "mm_page_alloc";
static struct ltr_field fields[] = {
	{ f_order, 8, 4, 4, false, LTR_FIELD_NUMBER },
	{ f_nr, 12, 4, 4, false, LTR_FIELD_NUMBER },
};

static void totals(void **state)
{
	struct ltr_event ev = { .system = f_sys, .name = f_name,
				.fields = fields, .nfields = 2 };
	const uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	char vals[LTR_HIST_MAX_VALS][64] = { "nr_sector" };
	struct lden_size_expr *e;
	struct lden_size_hist plan;
	struct ltr_hist h;
	char err[128];

	/* 2 x order 3, 7 x order 1, 100 x order 0 */
	assert_int_equal(lden_size_hist__plan("PAGE_SIZE << order", &plan), 0);
	e = lden_size_expr__compile("PAGE_SIZE << order", &ev, err, sizeof(err));
	assert_non_null(e);
	assert_true(lden_size_hist__exact(e, &plan));
	assert_int_equal(ltr_hist_parse(by_order, 1, NULL, 0, &h), 0);
	assert_int_equal(lden_size_hist__total(e, &plan, &h),
			 page * (2 * 8 + 7 * 2 + 100));
	ltr_hist__fini(&h);
	lden_size_expr__free(e);

	/* linear: hits times the constant, the sum times the coefficient */
	assert_int_equal(lden_size_hist__plan("nr_sector * 512 + 1", &plan), 0);
	e = lden_size_expr__compile("nr_sector * 512 + 1", &ev, err, sizeof(err));
	assert_non_null(e);
	assert_int_equal(ltr_hist_parse(
		"{ common_type: 7 } hitcount: 5  nr_sector: 40\n"
		"\nTotals:\n    Hits: 5\n    Entries: 1\n    Dropped: 0\n",
		0, vals, 1, &h), 0);
	assert_int_equal(lden_size_hist__total(e, &plan, &h), 40 * 512 + 5);
	ltr_hist__fini(&h);
	lden_size_expr__free(e);
}

static void wide_slot_not_summed(void **state)
{
	/* "int fd" stored in 8 bytes, as syscall arguments are */
	static char f_fd[] = "fd";
	struct ltr_field wide[] = { { f_fd, 16, 8, 4, true, LTR_FIELD_NUMBER } };
	struct ltr_event ev = { .system = f_sys, .name = f_name,
				.fields = wide, .nfields = 1 };
	struct lden_size_hist plan;
	struct lden_size_expr *e;
	char err[128];

	assert_int_equal(lden_size_hist__plan("fd * 2", &plan), 0);
	e = lden_size_expr__compile("fd * 2", &ev, err, sizeof(err));
	assert_non_null(e);
	/* a sum of whole slots is not a sum of ints */
	assert_false(lden_size_hist__exact(e, &plan));
	lden_size_expr__free(e);
	/* a key of the whole slot is cut to the int, sign included */
	assert_int_equal((int64_t)ltr_field__narrow(&wide[0],
						    0xdeadbeefffffffffull), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_one_bucket),
		cmocka_unit_test(parse_keys_and_dropped),
		cmocka_unit_test(parse_real_dropped),
		cmocka_unit_test(count_of_one_read),
		cmocka_unit_test(parse_two_keys_signed),
		cmocka_unit_test(parse_refuses_other_shapes),
		cmocka_unit_test(plans),
		cmocka_unit_test(totals),
		cmocka_unit_test(wide_slot_not_summed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
