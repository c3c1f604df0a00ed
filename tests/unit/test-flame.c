// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The flame graph writer on canned stacks: the tree (frames in order,
 * where each starts, their values, a frame with both a value of its own
 * and children), every frame's x and width to the hundredth of a pixel,
 * the widths of a level adding up to the whole, values beyond 2^53 and
 * 2^63 in sums, names with markup, bytes that are not UTF-8, control
 * characters and long names cut to their frame, an empty graph, the
 * script embedded or not; and the folded stacks read back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flame-svg.h"
#include "io-fold.h"

struct drawn {
	uint64_t s, v;
	int d;
	uint64_t x, w;		/* hundredths of a px */
};

static char *render(const struct lden_fold *f, bool script, size_t *len)
{
	struct lden_flame_opts o = { .title = "t", .subtitle = "s",
				     .notes = "", .unit = "calls",
				     .script = script };
	char *buf = NULL;
	FILE *out = open_memstream(&buf, len);

	assert_non_null(out);
	assert_int_equal(lden_flame_svg__write(f, &o, out), 0);
	assert_int_equal(fclose(out), 0);
	return buf;
}

static uint64_t hundredths(const char *p)
{
	unsigned long long whole;
	unsigned int frac;

	assert_int_equal(sscanf(p, "%llu.%2u", &whole, &frac), 2);
	return whole * 100 + frac;
}

/* The frames of @svg in order; returns how many. */
static int frames(const char *svg, struct drawn *out, int max)
{
	int n = 0;

	for (const char *p = svg; (p = strstr(p, "<g data-s=\"")); p++) {
		unsigned long long s, v;
		const char *r;

		assert_true(n < max);
		assert_int_equal(sscanf(p, "<g data-s=\"%llu\" data-v=\"%llu\" data-d=\"%d\"",
					&s, &v, &out[n].d), 3);
		out[n].s = s;
		out[n].v = v;
		r = strstr(p, "<rect x=\"");
		assert_non_null(r);
		out[n].x = hundredths(r + 9);
		r = strstr(r, "width=\"");
		out[n].w = hundredths(r + 7);
		n++;
	}
	return n;
}

static uint64_t pos(uint64_t v, uint64_t total)
{
	return (uint64_t)(((unsigned __int128)v * LDEN_FLAME_WIDTH * 100 + total / 2) /
			  total);
}

static void add(struct lden_fold *f, const char *stack, uint64_t v)
{
	const char *frames_[8];
	char buf[256], *save, *tok;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", stack);
	for (tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save))
		frames_[n++] = tok;
	assert_int_equal(lden_fold__add(f, frames_, n, v), 0);
}

static void test_tree(void **state)
{
	struct lden_fold *f = lden_fold__new(100);
	static const struct drawn want[] = {
		/* s, v, depth */
		{ 0, 20, 0, 0, 0 },	/* all */
		{ 0, 12, 1, 0, 0 },	/* a */
		{ 0, 10, 2, 0, 0 },	/* a;b: 3 of its own, 7 in c and d */
		{ 0, 5, 3, 0, 0 },	/* a;b;c */
		{ 5, 2, 3, 0, 0 },	/* a;b;d */
		{ 10, 2, 2, 0, 0 },	/* a;e */
		{ 12, 8, 1, 0, 0 },	/* z */
	};
	struct drawn got[16];
	size_t len;
	char *svg;
	int n;

	(void)state;
	assert_non_null(f);
	add(f, "z", 8);
	add(f, "a;b;d", 2);
	add(f, "a;b", 3);
	add(f, "a;e", 2);
	add(f, "a;b;c", 5);
	assert_int_equal(lden_fold__total(f), 20);
	svg = render(f, true, &len);
	n = frames(svg, got, 16);
	assert_int_equal(n, 7);
	for (int i = 0; i < n; i++) {
		assert_int_equal(got[i].s, want[i].s);
		assert_int_equal(got[i].v, want[i].v);
		assert_int_equal(got[i].d, want[i].d);
		assert_int_equal(got[i].x, 1000 + pos(want[i].s, 20));
		assert_int_equal(got[i].w, pos(want[i].s + want[i].v, 20) -
					   pos(want[i].s, 20));
	}
	/* a;b's children leave its own 3 of 20 free: 17.7 px */
	assert_int_equal(got[2].w - got[3].w - got[4].w, 17700);
	assert_int_equal(got[0].w, 118000);
	assert_non_null(strstr(svg, "data-total=\"20\""));
	assert_null(strstr(svg, "<title>a;b"));
	assert_non_null(strstr(svg, "<title>b\n10 calls, 50.00%</title>"));
	assert_non_null(strstr(svg, "<title>d\n2 calls, 10.00%</title>"));
	assert_non_null(strstr(svg, "function ldenFlame"));
	assert_non_null(strstr(svg, "ldenFlame(document.documentElement);\n]]></script>"));
	free(svg);
	svg = render(f, false, &len);
	assert_null(strstr(svg, "<script"));
	free(svg);
	lden_fold__free(f);
}

/* Many stacks of one at the same depth: each level's widths add up. */
static void test_levels(void **state)
{
	struct lden_fold *f = lden_fold__new(4096);
	static struct drawn got[4096];
	uint64_t sum[4] = { 0 };
	char stack[64];
	size_t len;
	char *svg;
	int n;

	(void)state;
	for (int i = 0; i < 997; i++) {
		snprintf(stack, sizeof(stack), "p%d;f%d;s%d", i % 7, i % 13, i);
		add(f, stack, (uint64_t)(i % 5) + 1);
	}
	svg = render(f, false, &len);
	n = frames(svg, got, 4096);
	for (int i = 0; i < n; i++)
		sum[got[i].d] += got[i].w;
	for (int d = 0; d < 4; d++)
		assert_int_equal(sum[d], 118000);
	free(svg);
	lden_fold__free(f);
}

/* Values whose sum needs more than 64 bits in pos()'s product. */
static void test_large(void **state)
{
	struct lden_fold *f = lden_fold__new(10);
	struct drawn got[8];
	size_t len;
	char *svg;

	(void)state;
	add(f, "x", UINT64_C(1) << 62);
	add(f, "y", UINT64_C(1) << 62);
	svg = render(f, false, &len);
	assert_int_equal(frames(svg, got, 8), 3);
	assert_int_equal(got[1].w, 59000);
	assert_int_equal(got[2].x, 1000 + 59000);
	assert_int_equal(got[2].w, 59000);
	assert_non_null(strstr(svg, "data-total=\"9223372036854775808\""));
	free(svg);
	lden_fold__free(f);
}

static void test_names(void **state)
{
	struct lden_fold *f = lden_fold__new(10);
	const char *odd[] = { "p<&\">q", "caf\xc3\xa9", "bad\xff", "ctl\x01\x7f",
			      "over\xc0\xaf", "cut\xe2\x82" };
	const char *want[] = { "<title>p&lt;&amp;&quot;&gt;q\n", "<title>caf\xc3\xa9\n",
			       "<title>bad\\xff\n", "<title>ctl\\x01\\x7f\n",
			       "<title>over\\xc0\\xaf\n", "<title>cut\\xe2\\x82\n" };
	char longname[200];
	const char *frames_[1];
	size_t len;
	char *svg, *t;

	(void)state;
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		frames_[0] = odd[i];
		assert_int_equal(lden_fold__add(f, frames_, 1, 1000), 0);
	}
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	frames_[0] = longname;
	assert_int_equal(lden_fold__add(f, frames_, 1, 3000), 0);
	svg = render(f, false, &len);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(svg, want[i]))
			fail_msg("no %s", want[i]);
	/* nothing raw that XML forbids */
	for (size_t i = 0; i < len; i++)
		assert_false((unsigned char)svg[i] < 0x20 && svg[i] != '\n');
	assert_null(strstr(svg, "\xff"));
	/* a long name in a narrower frame: cut to it, "..", no wider */
	t = strstr(svg, "\">nnn");
	assert_non_null(t);
	for (; (t = strstr(t, "\">nnn")); t++) {
		const char *end = strstr(t, "</text>");
		const char *g = t;

		while (g > svg && strncmp(g, "width=\"", 7))
			g--;
		assert_non_null(end);
		assert_memory_equal(end - 2, "..", 2);
		assert_true((double)(end - t - 2) * 7.2 + 6 <=
			    (double)hundredths(g + 7) / 100);
	}
	free(svg);
	lden_fold__free(f);
}

static void test_empty(void **state)
{
	struct lden_fold *f = lden_fold__new(10);
	struct drawn got[2];
	size_t len;
	char *svg = render(f, true, &len);

	(void)state;
	assert_int_equal(frames(svg, got, 2), 1);
	assert_int_equal(got[0].v, 0);
	assert_int_equal(got[0].w, 0);
	assert_non_null(strstr(svg, "</svg>\n"));
	free(svg);
	lden_fold__free(f);
}

static void test_script(void **state)
{
	(void)state;
	assert_null(strstr(lden_flame_js, "]]>"));
	assert_non_null(strstr(lden_flame_js, "function ldenFlame(svg)"));
}

static void test_read(void **state)
{
	struct lden_fold *f = lden_fold__new(10), *g = lden_fold__new(10);
	char *text = NULL, *again = NULL;
	size_t len, len2;
	FILE *io;

	(void)state;
	add(f, "a b;c", 3);
	add(f, "a b;d", 4);
	io = open_memstream(&text, &len);
	assert_int_equal(lden_fold__write(f, io), 0);
	fclose(io);
	io = fmemopen(text, len, "r");
	assert_int_equal(lden_fold__read(g, io, 1000), 2);
	fclose(io);
	io = open_memstream(&again, &len2);
	assert_int_equal(lden_fold__write(g, io), 0);
	fclose(io);
	assert_string_equal(again, "a b;c 3\na b;d 4\n");
	assert_int_equal(lden_fold__total(g), 7);
	free(again);
	lden_fold__free(g);

	static const struct {
		const char *text;
		int rc;
	} cases[] = {
		{ "# header\nx 1\n\ny;z 2\n", 2 },
		{ "x\n", -EINVAL },
		{ "x y\n", -EINVAL },
		{ "x -1\n", -EINVAL },
		{ "x 1 \n", -EINVAL },
		{ " 5\n", -EINVAL },
		{ "x 99999999999999999999\n", -EINVAL },
		{ "x 1\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy 2\n", -EFBIG },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		g = lden_fold__new(10);
		io = fmemopen((void *)cases[i].text, strlen(cases[i].text), "r");
		if (lden_fold__read(g, io, 40) != cases[i].rc)
			fail_msg("'%s': not %d", cases[i].text, cases[i].rc);
		fclose(io);
		lden_fold__free(g);
	}
	free(text);
	lden_fold__free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_script),
		cmocka_unit_test(test_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
