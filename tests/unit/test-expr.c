// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The notify expression language, table-driven (as in linux
 * tools/perf/tests/expr.c): valid expressions evaluated against given
 * values, the events they name, and malformed ones with their exact
 * message and the exact range the caret points at; and when a condition
 * fires (trigger.c): on its edges, re-armed by false, with a cooldown.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "expr.h"
#include "trigger.h"

#define NVALS 4

static struct lden_expr *parse_ok(const char *text)
{
	struct lden_expr_error err;
	struct lden_expr *e = lden_expr__parse(text, &err);

	if (!e)
		fail_msg("'%s' did not parse: %s (at %d)", text, err.msg, err.pos);
	return e;
}

/* ------------------------------------------------------------------ */
/* Evaluation */

struct eval_case {
	const char *text;
	int nevents;
	/* count, size, speed of the events, in order of first use */
	struct lden_expr_values v[NVALS];
	bool want;
};

#define V(c, s, sp) { (c), (s), (sp) }

static const struct eval_case eval_cases[] = {
	/* arithmetic precedence and associativity */
	{ "2 + 3 * 4 = 14", 0, { V(0, 0, 0) }, true },
	{ "2 + 3 * 4 = 20", 0, { V(0, 0, 0) }, false },
	{ "(2 + 3) * 4 = 20", 0, { V(0, 0, 0) }, true },
	{ "10 - 4 - 3 = 3", 0, { V(0, 0, 0) }, true },
	{ "100 / 10 / 5 = 2", 0, { V(0, 0, 0) }, true },
	{ "7 % 4 = 3", 0, { V(0, 0, 0) }, true },
	{ "2 * 3 + 4 * 5 = 26", 0, { V(0, 0, 0) }, true },
	{ "1 + 2 > 2 + 0", 0, { V(0, 0, 0) }, true },
	/* unary minus */
	{ "-3 + 5 = 2", 0, { V(0, 0, 0) }, true },
	{ "- -3 = 3", 0, { V(0, 0, 0) }, true },
	{ "2 * -3 = -6", 0, { V(0, 0, 0) }, true },
	{ "-count(a.b) = -5", 1, { V(5, 0, 0) }, true },
	{ "-count(a.b) > 0", 1, { V(5, 0, 0) }, false },
	{ "4 - -count(a.b) = 9", 1, { V(5, 0, 0) }, true },
	/* the comparison operators and their spellings */
	{ "count(a.b) > 4", 1, { V(5, 0, 0) }, true },
	{ "count(a.b) > 5", 1, { V(5, 0, 0) }, false },
	{ "count(a.b) >= 5", 1, { V(5, 0, 0) }, true },
	{ "count(a.b) >= 6", 1, { V(5, 0, 0) }, false },
	{ "count(a.b) < 6", 1, { V(5, 0, 0) }, true },
	{ "count(a.b) < 5", 1, { V(5, 0, 0) }, false },
	{ "count(a.b) <= 5", 1, { V(5, 0, 0) }, true },
	{ "count(a.b) <= 4", 1, { V(5, 0, 0) }, false },
	{ "count(a.b) = 5", 1, { V(5, 0, 0) }, true },
	{ "count(a.b) == 5", 1, { V(5, 0, 0) }, true },
	{ "count(a.b) == 4", 1, { V(5, 0, 0) }, false },
	{ "count(a.b) <> 4", 1, { V(5, 0, 0) }, true },
	{ "count(a.b) != 4", 1, { V(5, 0, 0) }, true },
	{ "count(a.b) != 5", 1, { V(5, 0, 0) }, false },
	{ "count(a.b) <> 5", 1, { V(5, 0, 0) }, false },
	/* the right value of each datum */
	{ "count(a.b) = 3 and size(a.b) = 7 and speed(a.b) = 2", 1,
	  { V(3, 7, 2) }, true },
	{ "size(a.b) / count(a.b) > 4KiB", 1, { V(2, 8194, 0) }, true },
	{ "size(a.b) / count(a.b) > 4KiB", 1, { V(2, 8192, 0) }, false },
	{ "speed(a.b) > count(c.d)", 2, { V(100, 0, 3), V(2, 0, 50) }, true },
	{ "speed(a.b) > count(c.d)", 2, { V(100, 0, 2), V(3, 0, 50) }, false },
	/* not and ! bind tighter than and */
	{ "not count(a.b) > 5", 1, { V(5, 0, 0) }, true },
	{ "!(count(a.b) > 5)", 1, { V(5, 0, 0) }, true },
	{ "not not count(a.b) > 5", 1, { V(5, 0, 0) }, false },
	{ "!count(a.b) > 5 and count(a.b) > 4", 1, { V(3, 0, 0) }, false },
	{ "not count(a.b) > 5 and count(a.b) > 4", 1, { V(3, 0, 0) }, false },
	{ "not (count(a.b) > 5 and count(a.b) > 4)", 1, { V(3, 0, 0) }, true },
	/* and binds tighter than or; all spellings */
	{ "5 > 1 or 5 > 1 and 1 > 5", 0, { V(0, 0, 0) }, true },
	{ "5 > 1 | 5 > 1 & 1 > 5", 0, { V(0, 0, 0) }, true },
	{ "5 > 1 || 5 > 1 && 1 > 5", 0, { V(0, 0, 0) }, true },
	{ "(5 > 1 or 5 > 1) and 1 > 5", 0, { V(0, 0, 0) }, false },
	{ "1 > 5 and 5 > 1 or 1 > 5", 0, { V(0, 0, 0) }, false },
	/* units and exponents */
	{ "1k = 1000", 0, { V(0, 0, 0) }, true },
	{ "1K = 1000", 0, { V(0, 0, 0) }, true },
	{ "10M = 10000000", 0, { V(0, 0, 0) }, true },
	{ "1G = 1000000000", 0, { V(0, 0, 0) }, true },
	{ "1T = 1000000000000", 0, { V(0, 0, 0) }, true },
	{ "4KiB = 4096", 0, { V(0, 0, 0) }, true },
	{ "4Ki = 4096", 0, { V(0, 0, 0) }, true },
	{ "1MiB = 1048576", 0, { V(0, 0, 0) }, true },
	{ "1Mi = 1048576", 0, { V(0, 0, 0) }, true },
	{ "1GiB = 1073741824", 0, { V(0, 0, 0) }, true },
	{ "1Gi = 1073741824", 0, { V(0, 0, 0) }, true },
	{ "1Ti = 1099511627776", 0, { V(0, 0, 0) }, true },
	{ "1TiB = 1099511627776", 0, { V(0, 0, 0) }, true },
	{ "512B = 512", 0, { V(0, 0, 0) }, true },
	{ "1.5k = 1500", 0, { V(0, 0, 0) }, true },
	{ ".5k = 500", 0, { V(0, 0, 0) }, true },
	{ "1e12 = 1000000000000", 0, { V(0, 0, 0) }, true },
	{ "1E3 = 1k", 0, { V(0, 0, 0) }, true },
	{ "2.5e-1 * 4 = 1", 0, { V(0, 0, 0) }, true },
	{ "18446744073709551615 > 1e19", 0, { V(0, 0, 0) }, true },
	{ "count(a.b) > 1e12", 1, { V(1e12, 0, 0) }, false },
	{ "count(a.b) > 1e12", 1, { V(1e12 + 1, 0, 0) }, true },
	/* division by zero: every comparison with it is false, even != */
	{ "count(a.b) / count(c.d) > 0", 2, { V(5, 0, 0), V(0, 0, 0) }, false },
	{ "count(a.b) / count(c.d) <= 0", 2, { V(5, 0, 0), V(0, 0, 0) }, false },
	{ "count(a.b) / count(c.d) != 1", 2, { V(5, 0, 0), V(0, 0, 0) }, false },
	{ "count(a.b) / count(c.d) = 5", 2, { V(5, 0, 0), V(1, 0, 0) }, true },
	{ "not count(a.b) / count(c.d) > 0", 2, { V(5, 0, 0), V(0, 0, 0) }, true },
	{ "count(a.b) % count(c.d) >= 0", 2, { V(5, 0, 0), V(0, 0, 0) }, false },
	{ "1 / 0 + 1 > 0 or 1 > 0", 0, { V(0, 0, 0) }, true },
	/* spaces are optional, and may be any white space */
	{ "count(a.b)>1&&count(c.d)<2", 2, { V(2, 0, 0), V(1, 0, 0) }, true },
	{ " \tcount( a.b )\n>\t1 ", 1, { V(2, 0, 0) }, true },
};

static void test_eval_table(void **state)
{
	for (size_t i = 0; i < sizeof(eval_cases) / sizeof(eval_cases[0]); i++) {
		const struct eval_case *c = &eval_cases[i];
		struct lden_expr *e = parse_ok(c->text);

		if (e->nevents != c->nevents)
			fail_msg("'%s': %d events, expected %d", c->text,
				 e->nevents, c->nevents);
		if (lden_expr__eval(e, c->v) != c->want)
			fail_msg("'%s' is %s, expected %s", c->text,
				 c->want ? "false" : "true",
				 c->want ? "true" : "false");
		assert_string_equal(e->text, c->text);
		lden_expr__free(e);
	}
}

/*
 * LDEN's three equivalent spellings from its README.  Over a grid of
 * values on both sides of every threshold, each gives the value of the
 * C expression, which fixes both the precedence and the datum read.
 */
static void test_lden_equivalents(void **state)
{
	static const char *const texts[] = {
		"count(custom(foo)) < 10 and (count(sys.kill) > 5 or speed(disk.read) > 30)",
		"count(custom(foo)) < 10 & (count(sys.kill) > 5 | speed(disk.read) > 30)",
		"count(custom(foo)) < 10 and count(sys.kill) > 5 or count(custom(foo)) < 10 and speed(disk.read) > 30",
	};
	static const double foo[] = { 0, 9, 10, 11 };
	static const double kill[] = { 0, 5, 6, 1000 };
	static const double read[] = { 0, 30, 31, 1e6 };
	struct lden_expr *e[3];
	int combos = 0, trues = 0;

	for (int t = 0; t < 3; t++) {
		e[t] = parse_ok(texts[t]);
		assert_int_equal(e[t]->nevents, 3);
		assert_int_equal(e[t]->events[0].kind, LDEN_EV_CUSTOM);
		assert_string_equal(e[t]->events[0].name, "foo");
		assert_int_equal(e[t]->events[1].kind, LDEN_EV_CATALOG);
		assert_string_equal(e[t]->events[1].name, "sys.kill");
		assert_string_equal(e[t]->events[2].name, "disk.read");
	}
	for (int a = 0; a < 4; a++)
		for (int b = 0; b < 4; b++)
			for (int c = 0; c < 4; c++) {
				/* the data not named get values that would
				 * flip the result if they were read instead */
				struct lden_expr_values v[3] = {
					{ foo[a], 0, foo[3 - a] },
					{ kill[b], 0, kill[3 - b] },
					{ read[3 - c], 0, read[c] },
				};
				bool want = foo[a] < 10 &&
					    (kill[b] > 5 || read[c] > 30);

				for (int t = 0; t < 3; t++)
					if (lden_expr__eval(e[t], v) != want)
						fail_msg("'%s' with foo=%g kill=%g read=%g: expected %d",
							 texts[t], foo[a], kill[b],
							 read[c], want);
				combos++;
				trues += want;
			}
	/* the grid reaches both results */
	assert_int_equal(combos, 64);
	/* foo < 10 in 2 of 4; kill > 5 or read > 30 in 16 - 2 * 2 */
	assert_int_equal(trues, 2 * 12);
	for (int t = 0; t < 3; t++)
		lden_expr__free(e[t]);
}

/* ------------------------------------------------------------------ */
/* Events */

static void test_events_dedup(void **state)
{
	struct lden_expr *e;

	/* same name: one event, whatever data are read */
	e = parse_ok("count(task.create) > 1 and speed(task.create) > 2 or count(task.create) < 0");
	assert_int_equal(e->nevents, 1);
	assert_int_equal(e->events[0].kind, LDEN_EV_CATALOG);
	assert_string_equal(e->events[0].name, "task.create");
	assert_null(e->events[0].filter);
	assert_null(e->events[0].symbol);
	assert_false(e->events[0].need_size);
	assert_int_equal(e->events[0].pos, 6);
	assert_int_equal(e->events[0].len, 11);
	lden_expr__free(e);

	/* size() anywhere makes it sample, and errors about the size
	 * point at the size() use */
	e = parse_ok("count(task.create) > 1 and size(task.create) > 2");
	assert_int_equal(e->nevents, 1);
	assert_true(e->events[0].need_size);
	assert_int_equal(e->events[0].pos, 32);
	assert_int_equal(e->events[0].len, 11);
	lden_expr__free(e);

	/* only size() needs the size */
	e = parse_ok("size(a.b) > 1 and count(c.d) > 1 and speed(e.f) > 1");
	assert_int_equal(e->nevents, 3);
	assert_true(e->events[0].need_size);
	assert_false(e->events[1].need_size);
	assert_false(e->events[2].need_size);
	lden_expr__free(e);

	/* a different filter is a different event; the same filter is not */
	e = parse_ok("count(a.b[x > 1]) > 1 and count(a.b) > 1 and count(a.b[x > 1]) > 2");
	assert_int_equal(e->nevents, 2);
	assert_string_equal(e->events[0].filter, "x > 1");
	assert_null(e->events[1].filter);
	lden_expr__free(e);

	/* filters are kept verbatim, so spacing makes a difference */
	e = parse_ok("count(a.b[x > 1]) > 1 and count(a.b[x>1]) > 1");
	assert_int_equal(e->nevents, 2);
	assert_string_equal(e->events[1].filter, "x>1");
	lden_expr__free(e);

	/* a catalog name and a function of the same name are two events */
	e = parse_ok("count(custom(foo)) > 1 and count(foo) > 1");
	assert_int_equal(e->nevents, 2);
	assert_int_equal(e->events[0].kind, LDEN_EV_CUSTOM);
	assert_int_equal(e->events[1].kind, LDEN_EV_CATALOG);
	lden_expr__free(e);

	/* uprobes differ by symbol */
	e = parse_ok("count(uprobe(/bin/sh:a)) > 1 and count(uprobe(/bin/sh:b)) > 1 and count(uprobe(/bin/sh:a)) > 3");
	assert_int_equal(e->nevents, 2);
	lden_expr__free(e);
}

static void test_events_kinds(void **state)
{
	struct lden_expr *e;
	char label[200];

	e = parse_ok("count(syscalls:sys_exit_openat[ret < 0]) > 10");
	assert_int_equal(e->nevents, 1);
	assert_int_equal(e->events[0].kind, LDEN_EV_TRACEPOINT);
	assert_string_equal(e->events[0].name, "syscalls:sys_exit_openat");
	assert_string_equal(e->events[0].filter, "ret < 0");
	assert_int_equal(e->events[0].pos, 6);
	assert_int_equal(e->events[0].len, 33);
	lden_expr_event__label(&e->events[0], label, sizeof(label));
	assert_string_equal(label, "syscalls:sys_exit_openat[ret < 0]");
	lden_expr__free(e);

	/* filters keep brackets, quotes and operators as they are */
	e = parse_ok("count(sched:sched_process_exec[filename ~ \"*/[ab]sh\" && pid != 1]) > 0");
	assert_string_equal(e->events[0].filter, "filename ~ \"*/[ab]sh\" && pid != 1");
	lden_expr__free(e);

	e = parse_ok("count(custom( vfs_read )) > 1");
	assert_int_equal(e->events[0].kind, LDEN_EV_CUSTOM);
	assert_string_equal(e->events[0].name, "vfs_read");
	assert_null(e->events[0].symbol);
	lden_expr_event__label(&e->events[0], label, sizeof(label));
	assert_string_equal(label, "custom(vfs_read)");
	lden_expr__free(e);

	e = parse_ok("speed(custom(do_sys_openat2)[flags > 0]) > 1");
	assert_string_equal(e->events[0].name, "do_sys_openat2");
	assert_string_equal(e->events[0].filter, "flags > 0");
	lden_expr_event__label(&e->events[0], label, sizeof(label));
	assert_string_equal(label, "custom(do_sys_openat2)[flags > 0]");
	lden_expr__free(e);

	e = parse_ok("count(uprobe(/bin/bash:readline)) > 1");
	assert_int_equal(e->events[0].kind, LDEN_EV_UPROBE);
	assert_string_equal(e->events[0].name, "/bin/bash");
	assert_string_equal(e->events[0].symbol, "readline");
	assert_int_equal(e->events[0].pos, 6);
	assert_int_equal(e->events[0].len, 26);
	lden_expr_event__label(&e->events[0], label, sizeof(label));
	assert_string_equal(label, "uprobe(/bin/bash:readline)");
	lden_expr__free(e);

	/* the symbol is after the last colon: paths may hold colons */
	e = parse_ok("count(uprobe(/opt/a:b/prog:main)) > 1");
	assert_string_equal(e->events[0].name, "/opt/a:b/prog");
	assert_string_equal(e->events[0].symbol, "main");
	lden_expr__free(e);

	e = parse_ok("count(task.create) > 1");
	lden_expr_event__label(&e->events[0], label, sizeof(label));
	assert_string_equal(label, "task.create");
	lden_expr__free(e);
}

static void test_error_at(void **state)
{
	struct lden_expr *e = parse_ok("1 > 0 or count(task.creat) > 1");
	struct lden_expr_error err;
	char buf[512];

	lden_expr_error__at(&err, &e->events[0], "unknown event '%s'",
			   e->events[0].name);
	assert_string_equal(err.msg, "unknown event 'task.creat'");
	assert_int_equal(err.pos, 15);
	assert_int_equal(err.len, 10);
	lden_expr__format_error(e->text, &err, buf, sizeof(buf));
	assert_string_equal(buf, "unknown event 'task.creat'\n"
				 "  1 > 0 or count(task.creat) > 1\n"
				 "                 ^~~~~~~~~~");
	lden_expr__free(e);
}

/* ------------------------------------------------------------------ */
/* Errors: the message, and the range the caret is under */

struct error_case {
	const char *text;
	const char *msg;
	int pos;
	int len;
};

static const struct error_case error_cases[] = {
	/* empty */
	{ "", "empty expression", 0, 1 },
	{ "   ", "empty expression", 0, 1 },
	{ "\t\n", "empty expression", 0, 1 },
	/* parentheses */
	{ "(count(a.b) > 1", "missing ')' for this '('", 0, 1 },
	{ "((count(a.b) > 1)", "missing ')' for this '('", 0, 1 },
	{ "count(a.b) > 1)", "unmatched ')'", 14, 1 },
	{ "count(a.b) > 1 ) ", "unmatched ')'", 15, 1 },
	{ "(count(a.b) > 1 x)", "expected ')' or an operator, found 'x'", 16, 1 },
	{ "()", "expected a value, found ')'", 1, 1 },
	{ "count(a.b", "missing ')'", 5, 1 },
	{ "count(a.b > 1", "expected ')' after the event, found '>'", 10, 1 },
	/* missing operator, trailing garbage */
	{ "count(a.b) count(c.d) > 1", "expected an operator, found 'count'", 11, 1 },
	{ "count(a.b) > 1 x", "expected an operator, found 'x'", 15, 1 },
	{ "count(a.b) > 1 # x", "expected an operator, found '#'", 15, 1 },
	{ "count(a.b) > 1,", "expected an operator, found ','", 14, 1 },
	{ "count(a.b) > 1 ]", "expected an operator, found ']'", 15, 1 },
	{ "count(a.b) > 1.5.3", "expected an operator, found '.3'", 16, 1 },
	{ "count(a.b)[x] > 1", "expected an operator, found '['", 10, 1 },
	/* a character of several bytes whole, a byte not UTF-8 by its value */
	{ "count(a.b\xc3\xa9) > 1", "expected ')' after the event, found '\xc3\xa9'", 9, 1 },
	{ "count(a.b) \xe2\x89\xa5 1", "expected an operator, found '\xe2\x89\xa5'", 11, 1 },
	{ "count(a.b\xff) > 1", "expected ')' after the event, found byte 0xff (not UTF-8)", 9, 1 },
	{ "count(a.b\xc3) > 1", "expected ')' after the event, found byte 0xc3 (not UTF-8)", 9, 1 },
	/* missing operands */
	{ "count(a.b) >", "expected a value, found the end", 12, 1 },
	{ "count(a.b) > 1 or", "expected a value, found the end", 17, 1 },
	{ "count(a.b) > 1 &", "expected a value, found the end", 16, 1 },
	{ "count(a.b) > 1 +", "expected a value, found the end", 16, 1 },
	{ "count(a.b) >> 1", "expected a value, found '>'", 12, 1 },
	{ "count(a.b) * > 1", "expected a value, found '>'", 13, 1 },
	{ "count(a.b) = = 1", "expected a value, found '='", 13, 1 },
	{ "count(a.b) > 1 and and count(c.d) > 1", "expected a value before 'and'", 19, 3 },
	{ "count(a.b) > 1 and or count(c.d) > 1", "expected a value before 'or'", 19, 2 },
	/* numbers */
	{ "count(a.b) > 1e30", "number too large '1e30' (the largest is 2^64)", 13, 4 },
	{ "count(a.b) > 99999999999999999999", "number too large '99999999999999999999' (the largest is 2^64)", 13, 20 },
	{ "count(a.b) > 20000000Ti", "number too large '20000000Ti' (the largest is 2^64)", 13, 10 },
	{ "count(a.b) > 0x10", "bad number '0x10'", 13, 4 },
	{ "count(a.b) > 5X", "unknown unit 'X' (expected k, M, G, T, Ki, Mi, Gi, Ti, KiB, MiB, GiB, TiB or B)", 14, 1 },
	{ "speed(a.b) > 1kB", "unknown unit 'kB' (expected k, M, G, T, Ki, Mi, Gi, Ti, KiB, MiB, GiB, TiB or B)", 14, 2 },
	{ "count(a.b) > 1e", "unknown unit 'e' (expected k, M, G, T, Ki, Mi, Gi, Ti, KiB, MiB, GiB, TiB or B)", 14, 1 },
	{ "count(a.b) > 1e-400", "number too small '1e-400' (closer to 0 than 1e-308)", 13, 6 },
	/* data and events */
	{ "cnt(a.b) > 1", "unknown data 'cnt' (expected count, size or speed)", 0, 3 },
	{ "SIZE(a.b) > 1", "unknown data 'SIZE' (expected count, size or speed)", 0, 4 },
	{ "a.b > 1", "'a.b' needs a datum: count(a.b), size(a.b) or speed(a.b)", 0, 3 },
	{ "count(a.b) > 1 and task.create > 5", "'task.create' needs a datum: count(task.create), size(task.create) or speed(task.create)", 19, 11 },
	{ "count a.b > 1", "expected '(' after 'count'", 6, 1 },
	{ "count() > 1", "expected an event name, found ')'", 6, 1 },
	{ "count(a-b) > 1", "invalid event name 'a-b': '-' cannot be in it (letters, digits and '_', words joined by '.')", 6, 3 },
	{ "count(sched:x/../y) > 1", "invalid tracepoint 'sched:x/../y': '/' cannot be in it (SYSTEM:NAME, each letters, digits and '_')", 6, 12 },
	{ "count(a.b/c[pid > 1]) > 1", "invalid event name 'a.b/c': '/' cannot be in it (letters, digits and '_', words joined by '.')", 6, 5 },
	{ "count(a.b>1) > 1", "expected ')' after the event, found '>'", 9, 1 },
	{ "count(a..b) > 1", "invalid event name 'a..b'", 6, 4 },
	{ "count(.a) > 1", "invalid event name '.a'", 6, 2 },
	{ "count(a.b.) > 1", "invalid event name 'a.b.'", 6, 4 },
	{ "count(a:b:c) > 1", "invalid tracepoint 'a:b:c' (expected SYSTEM:NAME)", 6, 5 },
	{ "count(:x) > 1", "invalid tracepoint ':x' (expected SYSTEM:NAME)", 6, 2 },
	{ "count(a:) > 1", "invalid tracepoint 'a:' (expected SYSTEM:NAME)", 6, 2 },
	{ "count(1a:b) > 1", "invalid tracepoint '1a:b' (expected SYSTEM:NAME)", 6, 4 },
	/* custom() and uprobe() */
	{ "count(custom()) > 1", "custom() needs a kernel function name", 13, 1 },
	{ "count(custom(  )) > 1", "custom() needs a kernel function name", 15, 1 },
	{ "count(custom(1abc)) > 1", "invalid function name '1abc' in custom()", 13, 4 },
	{ "count(custom(foo bar)) > 1", "invalid function name 'foo bar' in custom()", 13, 7 },
	{ "count(custom foo) > 1", "expected '(' after 'custom'", 13, 1 },
	{ "count(custom(foo) > 1", "expected ')' after the event, found '>'", 18, 1 },
	{ "count(custom(foo", "missing ')' after custom(", 12, 1 },
	{ "count(uprobe(/bin/ls)) > 1", "uprobe() needs PATH:SYMBOL, e.g. uprobe(/bin/bash:readline)", 13, 7 },
	{ "count(uprobe(:foo)) > 1", "uprobe() needs PATH:SYMBOL, e.g. uprobe(/bin/bash:readline)", 13, 4 },
	{ "count(uprobe(/bin/ls:)) > 1", "uprobe() needs PATH:SYMBOL, e.g. uprobe(/bin/bash:readline)", 13, 8 },
	/* filters */
	{ "count(a.b[]) > 1", "empty filter '[]'", 9, 2 },
	{ "count(a.b[  ]) > 1", "empty filter '[]'", 9, 4 },
	{ "count(custom(foo)[]) > 1", "empty filter '[]'", 17, 2 },
	{ "count(a.b[x > 1) > 1", "missing ']' after the filter", 9, 1 },
	/* a filter cannot close the parenthesis of the event's own */
	{ "count(a.b[x == 1) || (x == 2]) > 1", "unbalanced ')' in the filter: a filter is one expression, joined to the event's own with '&&'", 16, 1 },
	{ "count(a.b[(x == 1]) > 1", "unclosed '(' in the filter: a filter is one expression, joined to the event's own with '&&'", 10, 1 },
	{ "count(a.b[x == \"a]) > 1", "unterminated string in the filter", 9, 1 },
	{ "count(a.b[x == 'a) || (b']) > 1 or count(a.b[x == 'a]']) > 1 ) ", "unmatched ')'", 61, 1 },
	/* control bytes never reach a terminal or the kernel */
	{ "count(a.b) > 1\x1b[31m", "control character 0x1b in the expression", 14, 1 },
	{ "count(a.b[x == \"\x07\"]) > 1", "control character 0x07 in the expression", 16, 1 },
	/* types: conditions and numbers in the wrong places */
	{ "count(a.b)", "the expression is a number, not a condition: compare it, e.g. '> 100'", 0, 10 },
	{ "count(a.b) + count(c.d)", "the expression is a number, not a condition: compare it, e.g. '> 100'", 0, 23 },
	{ "(count(a.b))", "the expression is a number, not a condition: compare it, e.g. '> 100'", 0, 12 },
	{ "1 < count(a.b) < 3", "comparisons cannot be chained; join them with 'and'", 15, 1 },
	{ "count(a.b) > 1 and count(a.b) > 1 < 2", "comparisons cannot be chained; join them with 'and'", 34, 1 },
	{ "count(a.b) > 1 and 5", "'and' needs a condition on each side; this is a number (missing comparison?)", 19, 1 },
	{ "1 and count(a.b) > 1", "'and' needs a condition on each side; this is a number (missing comparison?)", 0, 1 },
	{ "count(a.b) > 1 && 5", "'&&' needs a condition on each side; this is a number (missing comparison?)", 18, 1 },
	{ "count(a.b) > 1 or speed(c.d)", "'or' needs a condition on each side; this is a number (missing comparison?)", 18, 10 },
	{ "count(a.b) | count(c.d) > 1", "'|' needs a condition on each side; this is a number (missing comparison?)", 0, 10 },
	{ "count(a.b) > 1 or 2 > count(c.d) and 3", "'and' needs a condition on each side; this is a number (missing comparison?)", 37, 1 },
	{ "(count(a.b) > 1) + 1 > 0", "'+' needs a number on each side; this is a condition", 0, 16 },
	{ "(count(a.b) > 1) > 0", "'>' needs a number on each side; this is a condition", 0, 16 },
	{ "count(a.b) > (1 > 0)", "'>' needs a number on each side; this is a condition", 13, 7 },
	{ "- (count(a.b) > 1)", "'-' needs a number; this is a condition", 0, 1 },
	{ "not 5", "'not' needs a condition; this is a number (missing comparison?)", 0, 3 },
	{ "! count(a.b)", "'!' needs a condition; this is a number (missing comparison?)", 0, 1 },
	{ "count(a.b) > 1 and not", "expected a value, found the end", 22, 1 },
};

static void test_error_table(void **state)
{
	size_t n = sizeof(error_cases) / sizeof(error_cases[0]);

	assert_true(n >= 40);
	for (size_t i = 0; i < n; i++) {
		const struct error_case *c = &error_cases[i];
		struct lden_expr_error err;
		struct lden_expr *e = lden_expr__parse(c->text, &err);

		if (e) {
			lden_expr__free(e);
			fail_msg("'%s' parsed, expected \"%s\"", c->text, c->msg);
		}
		if (strcmp(err.msg, c->msg) || err.pos != c->pos ||
		    err.len != c->len)
			fail_msg("'%s':\n got    \"%s\" at %d+%d\n expected \"%s\" at %d+%d",
				 c->text, err.msg, err.pos, err.len, c->msg,
				 c->pos, c->len);
	}
}

/* The limits: nesting and the number of events */
static void test_limits(void **state)
{
	char text[8192];
	struct lden_expr_error err;
	struct lden_expr *e;
	int n = 0;

	/* 64 parentheses deep is fine, 65 is not */
	for (int i = 0; i < 64; i++)
		text[n++] = '(';
	n += sprintf(text + n, "1 > 0");
	for (int i = 0; i < 64; i++)
		text[n++] = ')';
	text[n] = '\0';
	e = parse_ok(text);
	lden_expr__free(e);

	n = sprintf(text, "(");
	for (int i = 0; i < 64; i++)
		text[n++] = '(';
	n += sprintf(text + n, "1 > 0");
	for (int i = 0; i < 65; i++)
		text[n++] = ')';
	text[n] = '\0';
	assert_null(lden_expr__parse(text, &err));
	assert_string_equal(err.msg, "too deeply nested");
	assert_int_equal(err.pos, 64);

	/* so are long chains of not and minus */
	n = 0;
	for (int i = 0; i < 200; i++)
		text[n++] = '!';
	sprintf(text + n, "1 > 0");
	assert_null(lden_expr__parse(text, &err));
	assert_string_equal(err.msg, "too deeply nested");
	n = sprintf(text, "1 > ");
	for (int i = 0; i < 200; i++)
		text[n++] = '-';
	sprintf(text + n, "1");
	assert_null(lden_expr__parse(text, &err));
	assert_string_equal(err.msg, "too deeply nested");

	/* but long flat chains are not nesting */
	n = sprintf(text, "1 > 0");
	for (int i = 0; i < 300; i++)
		n += sprintf(text + n, " or 1 > 0");
	e = parse_ok(text);
	assert_true(lden_expr__eval(e, NULL));
	lden_expr__free(e);

	/* a chain makes a tree as deep as it is long: 999 operators */
	n = sprintf(text, "count(a.b) > 1");
	for (int i = 0; i < 998; i++)
		n += sprintf(text + n, "+1");
	e = parse_ok(text);
	assert_true(lden_expr__eval(e, &(struct lden_expr_values){ 1000, 0, 0 }));
	lden_expr__free(e);
	/* one more, in the other kind of chain too */
	sprintf(text + n, "+1");
	assert_null(lden_expr__parse(text, &err));
	assert_string_equal(err.msg, "expression too long: more than 999 operators in a chain");
	assert_int_equal(err.pos, 11);	/* the '>' that made it one too deep */
	n = sprintf(text, "1 > 0");
	for (int i = 0; i < 999; i++)
		n += sprintf(text + n, "|1>0");
	assert_null(lden_expr__parse(text, &err));
	assert_string_equal(err.msg, "expression too long: more than 999 operators in a chain");
	{
		/* 60,000 terms (once a stack overflow), and a text too long */
		char *big = malloc(400000);

		assert_non_null(big);
		n = sprintf(big, "count(a.b) > 0");
		for (int i = 0; i < 60000; i++)
			n += sprintf(big + n, " or 1");
		assert_null(lden_expr__parse(big, &err));
		assert_string_equal(err.msg, "expression too long (more than 65536 bytes)");
		memset(big, ' ', 65535);
		strcpy(big + 65535, "1 > 0");
		assert_null(lden_expr__parse(big, &err));
		big[65535] = '\0';
		memcpy(big + 65530, "1 > 0", 5);
		e = parse_ok(big);
		lden_expr__free(e);
		free(big);
	}

	/* 64 different events, then one too many */
	n = sprintf(text, "count(e.e0) > 0");
	for (int i = 1; i < 64; i++)
		n += sprintf(text + n, " or count(e.e%d) > 0", i);
	e = parse_ok(text);
	assert_int_equal(e->nevents, 64);
	assert_string_equal(e->events[63].name, "e.e63");
	lden_expr__free(e);
	sprintf(text + n, " or count(e.e64) > 0");
	assert_null(lden_expr__parse(text, &err));
	assert_string_equal(err.msg, "more than 64 different events");
	assert_int_equal(err.pos, n + 10);
	assert_int_equal(err.len, 5);
}

/* ------------------------------------------------------------------ */
/* The message users see */

/* Filters joined as one unit each, or refused */
static void test_filter_and(void **state)
{
	static const struct {
		const char *f;
		int at;		/* -1: fine */
	} cases[] = {
		{ "ret > 0", -1 }, { "(a == 1) || (b == 2)", -1 },
		{ "comm == \"a) || (b\"", -1 }, { "comm == 'x(('", -1 },
		{ "comm ~ \"*)\" && (x > 1)", -1 },
		{ "x) || (y", 1 }, { "(x", 0 }, { "a == 1)", 6 },
		{ "comm == \"x", 8 }, { "comm == 'x\" )", 8 },
		{ "((a) || (b)))", 12 },
	};
	const char *why;
	char *j;
	int at;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = lden_filter_check(cases[i].f, &at, &why);

		if ((rc == 0) != (cases[i].at < 0) || (rc && at != cases[i].at))
			fail_msg("'%s': %d at %d (%s), want %d", cases[i].f, rc,
				 at, rc ? why : "", cases[i].at);
	}
	j = lden_filter_and("protocol == 6", "ret > 0");
	assert_string_equal(j, "(protocol == 6) && (ret > 0)");
	free(j);
	j = lden_filter_and(NULL, "ret > 0");
	assert_string_equal(j, "ret > 0");
	free(j);
	assert_null(lden_filter_and(NULL, NULL));
	errno = 0;
	assert_null(lden_filter_and("protocol == 6", "ret == 1) || (ret == 1"));
	assert_int_equal(errno, EINVAL);
}

static void test_format_error(void **state)
{
	struct lden_expr_error err;
	char buf[512], small[20];

	assert_null(lden_expr__parse("count(a.b) > 1e30", &err));
	lden_expr__format_error("count(a.b) > 1e30", &err, buf, sizeof(buf));
	assert_string_equal(buf,
			    "number too large '1e30' (the largest is 2^64)\n"
			    "  count(a.b) > 1e30\n"
			    "               ^~~~");

	/* white space in the text is shown as spaces, the caret stays under */
	assert_null(lden_expr__parse("count(a.b)\t>\r\n1e30", &err));
	lden_expr__format_error("count(a.b)\t>\r\n1e30", &err, buf, sizeof(buf));
	assert_string_equal(buf,
			    "number too large '1e30' (the largest is 2^64)\n"
			    "  count(a.b) >  1e30\n"
			    "                ^~~~");

	/* a character of several bytes is one column: the caret stays under */
	assert_null(lden_expr__parse("count(a.b[x == \"\xc3\xa9\xe2\x82\xac\"]) > 1e30", &err));
	lden_expr__format_error("count(a.b[x == \"\xc3\xa9\xe2\x82\xac\"]) > 1e30", &err,
			       buf, sizeof(buf));
	assert_string_equal(buf,
			    "number too large '1e30' (the largest is 2^64)\n"
			    "  count(a.b[x == \"\xc3\xa9\xe2\x82\xac\"]) > 1e30\n"
			    "                          ^~~~");

	/*
	 * bytes that are not printable UTF-8 are shown \xNN (0xff went out
	 * raw, ESC as '?'), in the message too; the caret under the ESC's
	 * four columns
	 */
	assert_null(lden_expr__parse("count(a.b[x == \"\xff\x1b\"]) > 1e30", &err));
	strcpy(err.msg, "m '\xff\n'");
	lden_expr__format_error("count(a.b[x == \"\xff\x1b\"]) > 1e30", &err, buf,
				sizeof(buf));
	assert_string_equal(buf,
			    "m '\\xff\\x0a'\n"
			    "  count(a.b[x == \"\\xff\\x1b\"]) > 1e30\n"
			    "                      ^~~~");

	/* at the end of the input, the caret is one past it */
	assert_null(lden_expr__parse("count(a.b) >", &err));
	lden_expr__format_error("count(a.b) >", &err, buf, sizeof(buf));
	assert_string_equal(buf,
			    "expected a value, found the end\n"
			    "  count(a.b) >\n"
			    "              ^");

	/* a range past the end is clipped */
	err = (struct lden_expr_error){ .msg = "m", .pos = 100, .len = 50 };
	lden_expr__format_error("ab", &err, buf, sizeof(buf));
	assert_string_equal(buf, "m\n  ab\n    ^");

	/* a small buffer gets the start, terminated */
	memset(small, 'x', sizeof(small));
	assert_null(lden_expr__parse("count(a.b) > 1e30", &err));
	lden_expr__format_error("count(a.b) > 1e30", &err, small, sizeof(small));
	assert_string_equal(small, "number too large '1");
}

/*
 * Counts and sizes past 2^53 given exact are compared and computed
 * exactly: 2^53 + 1 is more than 2^53, which as doubles they are not
 * (the old evaluation said 'size > 9007199254740992' false at ...993).
 */
static void test_eval_exact(void **unused)
{
	static const struct { const char *text; bool want; } cases[] = {
		{ "size(a.b) > 9007199254740992", true },
		{ "size(a.b) = 9007199254740993", true },
		{ "size(a.b) = 9007199254740992", false },
		{ "size(a.b) < 9007199254740994", true },
		{ "size(a.b) - 1 = 9007199254740992", true },
		{ "size(a.b) * 2 = 18014398509481986", true },
		{ "size(a.b) * 2048 > 18446744073709551615", true },
		{ "size(a.b) % 2 = 1", true },
		{ "count(a.b) = 18446744073709551615", true },
		{ "count(a.b) > 18446744073709551614", true },
		{ "size(a.b) / 3 = 3002399751580331", true },
		{ "size(a.b) > 9.007199254740992e15", true },
		{ "size(a.b) < 9.007199254740994e15", true },
	};
	struct lden_expr_values v = {
		.count = 18446744073709551615.0, .size = 9007199254740993.0,
		.exact = true, .icount = UINT64_MAX,
		.isize = 9007199254740993ull,
	};

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lden_expr_error err;
		struct lden_expr *e = lden_expr__parse(cases[i].text, &err);

		if (!e)
			fail_msg("'%s': %s", cases[i].text, err.msg);
		if (lden_expr__eval(e, &v) != cases[i].want)
			fail_msg("'%s': expected %d", cases[i].text,
				 cases[i].want);
		lden_expr__free(e);
	}
}

static void test_trigger(void **unused)
{
	/* the condition at t = 0, 1, 2, ...; '1' where it fires */
	static const struct {
		double cooldown;
		const char *truth, *fires;
	} cases[] = {
		{ 0, "0110111", "0100100" },	/* edges only */
		{ 0, "1111", "1000" },		/* true from the start */
		{ 0, "1010101", "1010101" },
		{ 3, "1010101", "1000100" },	/* not within 3 s */
		{ 3, "1111011", "1000010" },	/* re-armed by the false */
		{ 2.5, "10101", "10001" },
	};

	(void)unused;
	for (size_t c = 0; c < sizeof(cases) / sizeof(*cases); c++) {
		struct lden_trigger tr = LDEN_TRIGGER_INIT(cases[c].cooldown);
		char got[16] = "";

		for (size_t i = 0; cases[c].truth[i]; i++)
			got[i] = lden_trigger__check(&tr, cases[c].truth[i] == '1',
						    (double)i) ? '1' : '0';
		if (strcmp(got, cases[c].fires))
			fail_msg("cooldown %g, truth %s: fired %s, want %s",
				 cases[c].cooldown, cases[c].truth, got,
				 cases[c].fires);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eval_table),
		cmocka_unit_test(test_lden_equivalents),
		cmocka_unit_test(test_events_dedup),
		cmocka_unit_test(test_events_kinds),
		cmocka_unit_test(test_error_at),
		cmocka_unit_test(test_error_table),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_filter_and),
		cmocka_unit_test(test_format_error),
		cmocka_unit_test(test_eval_exact),
		cmocka_unit_test(test_trigger),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
