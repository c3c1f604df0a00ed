// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Strings from traced programs as lden shows them: escaped for the
 * terminal (table-driven), valid JSON for any bytes, and a row's marks
 * of provenance in text and JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "caret.h"
#include "escape.h"
#include "row.h"
#include "strcap.h"

#define Q LDEN_ESC_QMARK_LAST
#define S LDEN_ESC_SPACE

static const struct {
	const char *in;
	unsigned int flags;
	const char *out;
} text_cases[] = {
	{ "/etc/passwd", 0, "/etc/passwd" },
	{ "\x1b[31mred", 0, "\\x1b[31mred" },
	{ "a\nb\tc\rd", 0, "a\\nb\\tc\\rd" },
	{ "back\\slash", 0, "back\\\\slash" },
	{ "del\x7f", 0, "del\\x7f" },
	{ "caf\xc3\xa9", 0, "caf\xc3\xa9" },		/* é: UTF-8 */
	{ "\xe6\x97\xa5", 0, "\xe6\x97\xa5" },		/* 日 */
	{ "\xf0\x9f\x98\x80", 0, "\xf0\x9f\x98\x80" },	/* 😀 */
	{ "bad\xff", 0, "bad\\xff" },
	{ "\xc2\x9b" "2J", 0, "\\xc2\\x9b2J" },		/* C1 CSI */
	{ "\xe2\x80\xae" "fdp.exe", 0, "\\xe2\\x80\\xaefdp.exe" }, /* RLO */
	{ "\xc0\xaf", 0, "\\xc0\\xaf" },			/* overlong '/' */
	{ "\xed\xa0\x80", 0, "\\xed\\xa0\\x80" },		/* surrogate */
	{ "\xe6\x97", 0, "\\xe6\\x97" },			/* cut short */
	{ "why?", Q, "why\\x3f" },
	{ "why?", 0, "why?" },
	{ "a?b", Q, "a?b" },
	{ "", Q, "" },
	/* a space splits a column: "\x20" there, as it is elsewhere */
	{ "a b", S, "a\\x20b" },
	{ "a b", 0, "a b" },
	{ " why? ", Q | S, "\\x20why?\\x20" },
	{ "a b?", Q | S, "a\\x20b\\x3f" },
	{ "tab\tsp ", S, "tab\\tsp\\x20" },
};

static void test_text(void **state)
{
	char out[256];

	(void)state;
	for (size_t i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
		size_t n = lden_escape__text(text_cases[i].in,
					    strlen(text_cases[i].in),
					    text_cases[i].flags, out,
					    sizeof(out));

		if (strcmp(out, text_cases[i].out))
			fail_msg("case %zu: got '%s', want '%s'", i, out,
				 text_cases[i].out);
		assert_int_equal(n, strlen(out));
	}
}

/* Each case's escape reads back to its exact bytes. */
static void test_unescape(void **state)
{
	char esc[256], back[256];

	(void)state;
	for (size_t i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
		lden_escape__text(text_cases[i].in, strlen(text_cases[i].in),
				  text_cases[i].flags, esc, sizeof(esc));
		lden_unescape__text(esc, back, sizeof(back));
		if (strcmp(back, text_cases[i].in))
			fail_msg("case %zu: '%s' read back differs", i, esc);
	}
	/* a unit separator, a tab, a quote */
	lden_escape__text("a\x1f" "b\t\"c", 6, LDEN_ESC_QMARK_LAST, esc, sizeof(esc));
	assert_string_equal(esc, "a\\x1fb\\t\"c");
	assert_int_equal(lden_unescape__text(esc, back, sizeof(back)), 6);
	assert_string_equal(back, "a\x1f" "b\t\"c");
	/* cut at @len, NUL-terminated */
	assert_int_equal(lden_unescape__text("abc\\x41", back, 3), 2);
	assert_string_equal(back, "ab");
}

/* A short buffer ends before an escape that does not fit, never in it. */
static void test_text_cut(void **state)
{
	char out[8];

	(void)state;
	lden_escape__text("ab\x1b\x1b", 4, 0, out, sizeof(out));
	assert_string_equal(out, "ab\\x1b");
	lden_escape__text("abcdefghij", 10, 0, out, sizeof(out));
	assert_string_equal(out, "abcdefg");
}

static void test_utf8(void **state)
{
	(void)state;
	assert_true(lden_utf8_valid("plain", 5));
	assert_true(lden_utf8_valid("caf\xc3\xa9", 5));
	assert_false(lden_utf8_valid("caf\xe9", 4));
	assert_false(lden_utf8_valid("\xc3", 1));
	assert_false(lden_utf8_valid("\xf5\x80\x80\x80", 4));	/* > U+10FFFF */
}

/* Any bytes give JSON that parses back, malformed ones as U+FFFD. */
static void test_json(void **state)
{
	struct json_object *o, *back;
	char all[256];

	(void)state;
	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	o = lden_json_text(all);
	assert_non_null(o);
	back = json_tokener_parse(json_object_to_json_string(o));
	assert_non_null(back);
	assert_true(lden_utf8_valid(json_object_get_string(back),
				    strlen(json_object_get_string(back))));
	/* ASCII, controls included, comes back as it was */
	assert_memory_equal(json_object_get_string(back), all, 127);
	json_object_put(back);
	json_object_put(o);

	o = lden_json_text("a\xff" "b");
	assert_string_equal(json_object_get_string(o), "a\xef\xbf\xbd" "b");
	json_object_put(o);
}

/* A row's strings: marks in text, source and exact bytes in JSON. */
static void test_row_provenance(void **state)
{
	struct lden_row r;
	struct json_object *o, *v;
	char line[512];
	FILE *f;

	(void)state;
	lden_row__reset(&r);
	lden_row__add(&r, "time", false, "%s", "12:00:00");
	lden_row__add_str(&r, "exact", "/tmp/\x1b[1m", LDEN_PROV_EXACT);
	lden_row__add_str(&r, "late", "/tmp/b?", LDEN_PROV_LATE);
	lden_row__add_str(&r, "none", "ignored", LDEN_PROV_NONE);
	lden_row__add_str(&r, "odd", "x\xffy", LDEN_PROV_EXACT);

	f = fmemopen(line, sizeof(line), "w");
	assert_non_null(f);
	lden_row__print_columns(f, &r);
	fclose(f);
	assert_string_equal(line, "12:00:00        /tmp/\\x1b[1m /tmp/b\\x3f? ?       x\\xffy\n");

	o = lden_row__json(&r, -1);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "exact", &v));
	assert_string_equal(json_object_get_string(v), "/tmp/\x1b[1m");
	assert_true(json_object_object_get_ex(o, "exact_source", &v));
	assert_string_equal(json_object_get_string(v), "exact");
	assert_true(json_object_object_get_ex(o, "late", &v));
	assert_string_equal(json_object_get_string(v), "/tmp/b?");
	assert_true(json_object_object_get_ex(o, "late_source", &v));
	assert_string_equal(json_object_get_string(v), "late");
	assert_true(json_object_object_get_ex(o, "none", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(o, "none_source", &v));
	assert_string_equal(json_object_get_string(v), "unavailable");
	assert_true(json_object_object_get_ex(o, "odd_hex", &v));
	assert_string_equal(json_object_get_string(v), "78ff79");
	assert_false(json_object_object_get_ex(o, "exact_hex", NULL));
	json_object_put(o);
}

/*
 * A space in a column that others follow is "\x20": a process "a b"
 * would read as two columns and shift the rest; the last column keeps
 * its spaces; NAME=VALUE pairs escape them too.
 */
static void test_row_spaces(void **state)
{
	struct lden_row r;
	char line[512];
	FILE *f;

	(void)state;
	lden_row__reset(&r);
	lden_row__add(&r, "time", false, "%s", "12:00:00");
	lden_row__add_str(&r, "comm", "a b", LDEN_PROV_EXACT);
	lden_row__add_str(&r, "path", "/x y/z?", LDEN_PROV_LATE);
	lden_row__add(&r, "pid", true, "%d", 7);
	lden_row__add_str(&r, "argv", "'x y' z", LDEN_PROV_EXACT);
	f = fmemopen(line, sizeof(line), "w");
	assert_non_null(f);
	lden_row__print_columns(f, &r);
	fclose(f);
	assert_string_equal(line, "12:00:00        a\\x20b  /x\\x20y/z\\x3f? 7       'x y' z\n");
	lden_row__format(&r, 1, true, line, sizeof(line));
	assert_string_equal(line, "comm=a\\x20b path=/x\\x20y/z\\x3f? pid=7 argv='x\\x20y'\\x20z");
	lden_row__reset(&r);
	lden_row__add_str(&r, "e", "", LDEN_PROV_EXACT);
	lden_row__add_str(&r, "q", "a\"b", LDEN_PROV_EXACT);
	lden_row__format(&r, 0, true, line, sizeof(line));
	assert_string_equal(line, "e=\"\" q=\"a\"b\"");
}

/* row_format_one()'s values: controls (4 bytes each), ' ', '"' and 'q', plain */
static char pattern(int kind, size_t i)
{
	static const char mixed[] = { ' ', '"', 'q' };

	if (kind == 0)
		return '\x01';
	return kind == 1 ? mixed[i % 3] : 'a';
}

/* a byte of pattern() as a NAME=VALUE line shows it */
static const char *shown(char c)
{
	static char one[2];

	if (c == '\x01')
		return "\\x01";
	if (c == ' ')
		return "\\x20";
	one[0] = c;
	return one;
}

static void row_format_one(const char *v, size_t n, int prov)
{
	static char want[4 * LDEN_ROW_BUF + 64], line[4 * LDEN_ROW_BUF + 64];
	const char *mark = prov == LDEN_PROV_LATE    ? "?" :
			   prov == LDEN_PROV_PARTIAL ? "...?" :
						       "";
	bool quote = (!n && !*mark) || strchr(v, '"');
	struct json_object *o;
	struct lden_row r;
	size_t w, bare;

	lden_row__reset(&r);
	lden_row__add(&r, "t", false, "%s", "1");
	if (prov < 0)
		lden_row__add(&r, "v", false, "%s", v);
	else
		lden_row__add_str(&r, "v", v, prov);
	w = (size_t)sprintf(want, "v=%s", quote ? "\"" : "");
	for (size_t i = 0; i < n; i++)
		w += (size_t)sprintf(want + w, "%s", shown(v[i]));
	w += (size_t)sprintf(want + w, "%s%s", mark, quote ? "\"" : "");
	lden_row__format(&r, 1, true, line, sizeof(line));
	assert_string_equal(line, want);
	/* the value alone (never quoted), and after another cell */
	bare = w - 2 - 2 * quote;
	lden_row__format(&r, 1, false, line, sizeof(line));
	assert_int_equal(strlen(line), bare);
	assert_memory_equal(line, want + 2 + quote, bare);
	lden_row__format(&r, 0, true, line, sizeof(line));
	assert_memory_equal(line, "t=1 ", 4);
	assert_string_equal(line + 4, want);
	/* room for the line exactly, then a byte less (in 7 bytes or fewer
	 * " [cut]" cannot be said) */
	lden_row__format(&r, 1, true, line, w + 1);
	assert_string_equal(line, want);
	lden_row__format(&r, 1, true, line, w);
	assert_true(strlen(line) < w);
	assert_true(w <= 7 || !strcmp(line + strlen(line) - 6, " [cut]"));
	o = lden_row__json(&r, -1);
	assert_non_null(o);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "v")),
			    v);
	json_object_put(o);
}

/*
 * lden_row__format() at every length around its stack buffer's (a value
 * of (LDEN_ROW_CELL_STACK - 8) / 4 bytes) and far past it: the whole value
 * escaped, marked and quoted the same, the JSON the value's bytes, and a
 * line one byte short of its room cut and said to be.
 */
static void test_row_format_lengths(void **state)
{
	static char v[LDEN_ROW_BUF];
	const size_t edge = (LDEN_ROW_CELL_STACK - 8) / 4;
	const size_t lens[] = { 0, 1, edge - 2, edge - 1, edge,
				edge + 1, edge + 2, 2 * edge, 4000 };
	const int provs[] = { -1, LDEN_PROV_EXACT, LDEN_PROV_LATE,
			      LDEN_PROV_PARTIAL };

	(void)state;
	for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		for (int kind = 0; kind < 3; kind++) {
			for (size_t i = 0; i < lens[li]; i++)
				v[i] = pattern(kind, i);
			v[lens[li]] = '\0';
			for (size_t p = 0; p < sizeof(provs) / sizeof(provs[0]); p++)
				row_format_one(v, lens[li], provs[p]);
		}
	}
}

/*
 * A message line with its caret: bytes outside printable UTF-8 shown as
 * \xNN (0xff went out raw, and the caret stood one column per byte), the
 * caret under the columns once shown; the line shown again is the same.
 */
static void test_caret(void **unused)
{
	char buf[256], piece[LDEN_SHOWN_MAX];
	int cols;

	(void)unused;
	/* 'e' at byte 20, column 26 after "\xff" and ESC (4 columns each) */
	lden_escape__caret("bad 'a\xff\x1b'", "count(x.\xff\x1b[31m) > 1 e", 20, 1,
			   false, buf, sizeof(buf));
	assert_string_equal(buf, "bad 'a\\xff\\x1b'\n"
				 "  count(x.\\xff\\x1b[31m) > 1 e\n"
				 "                            ^");
	/* the bytes at fault underlined whole: two bytes, eight columns */
	lden_escape__caret("m", "a\xc3(b", 1, 2, false, buf, sizeof(buf));
	assert_string_equal(buf, "m\n  a\\xc3(b\n   ^~~~~");
	/* UTF-8 is a column a character; C1 controls and overrides escaped */
	lden_escape__caret("m", "\xc3\xa9\xc2\x9b\xe2\x80\xae"
				"x",
			   7, 1, false, buf,
			   sizeof(buf));
	assert_string_equal(buf, "m\n  \xc3\xa9\\xc2\\x9b\\xe2\\x80\\xae"
				 "x\n"
				 "                       ^");
	/* tabs to stops of 8 when asked, else a space; line breaks a space */
	lden_escape__caret("m", "a\tb\r\nc", 5, 1, true, buf, sizeof(buf));
	assert_string_equal(buf, "m\n  a       b  c\n             ^");
	lden_escape__caret("m", "a\tb", 2, 1, false, buf, sizeof(buf));
	assert_string_equal(buf, "m\n  a b\n    ^");
	/* the message is one line; a '\' stays: shown twice, the same */
	lden_escape__caret("a\nb\\x41", "x", 0, 1, false, buf, sizeof(buf));
	assert_string_equal(buf, "a\\x0ab\\x41\n  x\n  ^");
	assert_int_equal(lden_escape__shown("\\x", 2, piece, &cols), 1);
	assert_string_equal(piece, "\\");
	assert_int_equal(cols, 1);
	assert_int_equal(lden_escape__shown("\xf0\x9f\x98\x80", 4, piece, &cols), 4);
	assert_int_equal(cols, 1);
	assert_int_equal(lden_escape__shown("\xf0\x9f\x98", 3, piece, &cols), 1);
	assert_string_equal(piece, "\\xf0");
	assert_int_equal(cols, 4);
	/* cut before a piece that does not fit */
	lden_escape__caret("ab\xff", "x", 0, 1, false, buf, 6);
	assert_string_equal(buf, "ab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_cut),
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_row_provenance),
		cmocka_unit_test(test_row_spaces),
		cmocka_unit_test(test_row_format_lengths),
		cmocka_unit_test(test_caret),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
