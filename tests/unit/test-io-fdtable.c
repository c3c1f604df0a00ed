// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * io-fdtable.c: how a name was had (lden_io_fdtable__lookup()) and the
 * changes of fds noted as records arrive (lden_io_fdtable__changed(),
 * __changed_between()): a name copied at the open has no /proc time, one
 * read from /proc has the time of the read; a change is seen strictly
 * inside the interval asked, for its fd or for every fd (exec), in its
 * own descriptor table (a copy's apart, a shared one's the same); the
 * oldest of many changes of one fd, overwritten, still count.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include <stdbool.h>

#include "clock.h"
#include "io-fdtable.h"

static void test_lookup(void **state)
{
	struct lden_io_fdtable *t = lden_io_fdtable__new(16, 64);
	pid_t self = getpid();
	int fd = open("/dev/null", O_RDONLY);
	struct lden_io_fdref ref;
	uint64_t before, after;
	const char *p;

	(void)state;
	assert_non_null(t);
	assert_true(fd >= 0);
	/* copied at its open: exact, not read from /proc */
	lden_io_fdtable__set(t, self, 1000, "/x", true, LDEN_IO_INHERITED);
	p = lden_io_fdtable__lookup(t, self, 1000, &ref);
	assert_string_equal(p, "/x");
	assert_true(ref.exact);
	assert_int_equal(ref.read_at, 0);
	/* not in the table: read from /proc, when the lookup was made */
	before = lden_now_ns();
	assert_string_equal(lden_io_fdtable__path(t, self, fd), "/dev/null");
	after = lden_now_ns();
	p = lden_io_fdtable__lookup(t, self, fd, &ref);
	assert_string_equal(p, "/dev/null");
	assert_false(ref.exact);
	assert_true(ref.read_at >= before && ref.read_at <= after);
	/* a copy keeps when it was read */
	assert_int_equal(lden_io_fdtable__dup(t, self, fd, 1001,
					      LDEN_IO_INHERITED), 0);
	lden_io_fdtable__lookup(t, self, 1001, &ref);
	assert_true(ref.read_at >= before && ref.read_at <= after);
	/* nothing known */
	assert_null(lden_io_fdtable__lookup(t, self, 1002, &ref));
	close(fd);
	lden_io_fdtable__free(t);
}

static void test_changes(void **state)
{
	struct lden_io_fdtable *t = lden_io_fdtable__new(16, 64);
	struct lden_io_fdref ref, other;

	(void)state;
	assert_non_null(t);
	lden_io_fdtable__set(t, 10, 3, "/a", true, LDEN_IO_INHERITED);
	lden_io_fdtable__lookup(t, 10, 3, &ref);
	lden_io_fdtable__changed(t, 10, 3, 100);
	/* strictly inside: a call's own close at its enter is not one */
	assert_true(lden_io_fdtable__changed_between(t, ref.files, 3, 50, 150));
	assert_false(lden_io_fdtable__changed_between(t, ref.files, 3, 100, 150));
	assert_false(lden_io_fdtable__changed_between(t, ref.files, 3, 50, 100));
	assert_false(lden_io_fdtable__changed_between(t, ref.files, 4, 50, 150));
	/* every fd (exec, close_range) */
	lden_io_fdtable__changed(t, 10, -1, 300);
	assert_true(lden_io_fdtable__changed_between(t, ref.files, 4, 250, 350));
	assert_false(lden_io_fdtable__changed_between(t, ref.files, 4, 300, 350));
	/* a copy of the table (fork) is another table; a shared one not */
	assert_int_equal(lden_io_fdtable__fork(t, 10, 11, false), 0);
	lden_io_fdtable__lookup(t, 11, 3, &other);
	assert_true(other.files != ref.files);
	lden_io_fdtable__changed(t, 11, 3, 500);
	assert_false(lden_io_fdtable__changed_between(t, ref.files, 3, 450, 550));
	assert_true(lden_io_fdtable__changed_between(t, other.files, 3, 450, 550));
	assert_int_equal(lden_io_fdtable__fork(t, 10, 12, true), 0);
	lden_io_fdtable__lookup(t, 12, 3, &other);
	assert_true(other.files == ref.files);
	lden_io_fdtable__changed(t, 12, 3, 600);
	assert_true(lden_io_fdtable__changed_between(t, ref.files, 3, 550, 650));
	/* many changes of one fd: the oldest, overwritten, still count */
	for (uint64_t time = 1000; time < 1010; time++)
		lden_io_fdtable__changed(t, 10, 5, time);
	assert_true(lden_io_fdtable__changed_between(t, ref.files, 5, 999, 1001));
	assert_true(lden_io_fdtable__changed_between(t, ref.files, 5, 1008, 1010));
	assert_false(lden_io_fdtable__changed_between(t, ref.files, 5, 1009, 2000));
	assert_false(lden_io_fdtable__changed_between(t, ref.files, 5, 900, 1000));
	lden_io_fdtable__free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
