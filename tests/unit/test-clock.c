// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * clock.c: the seconds every option takes (table-driven: accepted,
 * refused as not a number, refused as out of range, with errno, and the
 * output left alone on failure), the monotonic clock in its two units,
 * and the wall-clock forms (ISO 8601 in UTC, local HH:MM:SS.uuuuuu).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"

static void test_parse_seconds(void **state)
{
	static const struct {
		const char *arg;
		double lo, hi;
		int ret;
		double want;
	} cases[] = {
		{ "1", LDEN_ABOVE_ZERO, 1e9, 0, 1 },
		{ "0.5", LDEN_ABOVE_ZERO, 1e9, 0, 0.5 },
		{ "2.", LDEN_ABOVE_ZERO, 1e9, 0, 2 },
		{ ".25", LDEN_ABOVE_ZERO, 1e9, 0, 0.25 },
		/* bounds are included */
		{ "1000000000", LDEN_ABOVE_ZERO, 1e9, 0, 1e9 },
		{ "0.05", 0.05, 3600, 0, 0.05 },
		{ "3600", 0.05, 3600, 0, 3600 },
		{ "0", 0, 1e9, 0, 0 },			/* --cooldown 0 */
		{ "0", LDEN_ABOVE_ZERO, 1e9, -ERANGE, 0 },
		{ "0.0", LDEN_ABOVE_ZERO, 1e9, -ERANGE, 0 },
		{ "1000000001", LDEN_ABOVE_ZERO, 1e9, -ERANGE, 0 },
		{ "0.01", 0.05, 3600, -ERANGE, 0 },
		{ "3600.5", 0.05, 3600, -ERANGE, 0 },
		/* decimal digits only: what strtod() also took ('-t 0x10'
		 * was 16 s), signs, exponents, blanks; no units */
		{ "1e3", LDEN_ABOVE_ZERO, 1e9, -EINVAL, 0 },
		{ "0x10", LDEN_ABOVE_ZERO, 1e9, -EINVAL, 0 },
		{ "0X1p4", LDEN_ABOVE_ZERO, 1e9, -EINVAL, 0 },
		{ " 3", LDEN_ABOVE_ZERO, 1e9, -EINVAL, 0 },
		{ "+1", LDEN_ABOVE_ZERO, 1e9, -EINVAL, 0 },
		{ "-1", 0, 1e9, -EINVAL, 0 },
		{ ".", 0, 1e9, -EINVAL, 0 },
		{ "1.2.3", 0, 1e9, -EINVAL, 0 },
		{ "1e9000", LDEN_ABOVE_ZERO, 1e9, -EINVAL, 0 },
		{ "1e-400", 0, 1e9, -EINVAL, 0 },
		{ "", LDEN_ABOVE_ZERO, 1e9, -EINVAL, 0 },
		{ "x", LDEN_ABOVE_ZERO, 1e9, -EINVAL, 0 },
		{ "1s", LDEN_ABOVE_ZERO, 1e9, -EINVAL, 0 },
		{ "1 ", LDEN_ABOVE_ZERO, 1e9, -EINVAL, 0 },
		{ "nan", 0, 1e9, -EINVAL, 0 },
		{ "inf", 0, 1e9, -EINVAL, 0 },
		{ "-inf", 0, 1e9, -EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double out = -42;
		int ret;

		errno = 0;
		ret = lden_parse_seconds(cases[i].arg, cases[i].lo, cases[i].hi,
					 &out);
		if (ret != cases[i].ret)
			fail_msg("'%s': %d, expected %d", cases[i].arg, ret,
				 cases[i].ret);
		if (ret == 0) {
			assert_true(out == cases[i].want);
		} else {
			assert_int_equal(errno, -ret);
			assert_true(out == -42);	/* untouched */
		}
	}
}

/* The two units read one clock: seconds between two ns readings. */
static void test_now(void **state)
{
	uint64_t a, b;
	double s;

	(void)state;
	a = lden_now_ns();
	s = lden_now();
	b = lden_now_ns();
	assert_true(a > 0);
	assert_true(b >= a);
	assert_true(s >= (double)a / 1e9 - 1e-9);
	assert_true(s <= (double)b / 1e9 + 1e-9);
}

static void test_wall_time(void **state)
{
	char buf[32];
	int h, m, sec, us;
	char end;

	(void)state;
	lden_wall_time(lden_now_ns(), buf, sizeof(buf));
	assert_int_equal(strlen(buf), 15);
	assert_int_equal(sscanf(buf, "%2d:%2d:%2d.%6d%c", &h, &m, &sec, &us,
				&end), 4);
	assert_true(h >= 0 && h < 24 && m >= 0 && m < 60 && sec >= 0 &&
		    sec < 61 && us >= 0 && us < 1000000);
}

static void test_iso8601(void **state)
{
	char buf[40];

	(void)state;
	lden_iso8601(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	lden_iso8601(1795338001.25, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-22T09:00:01.250Z");
	/* rounds into the next second, not to ".1000" */
	lden_iso8601(1.9996, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:02.000Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_seconds),
		cmocka_unit_test(test_now),
		cmocka_unit_test(test_wall_time),
		cmocka_unit_test(test_iso8601),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
