// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel filters: a bad one is refused before anything is attached, with a
 * message that names the filter, the event and the problem; good ones
 * (numbers, string globs) count exactly in counting mode.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ktest.h"
#include "lden-trace.h"

static void bad_filters(void **state)
{
	static const char *const bad[] = {
		"nosuchfield == 1",
		"common_pid ==",
		"common_pid == 1 &&",
		"(common_pid == 1",
		"child_comm > 3",
	};
	struct ltr_session *s = ltr_session__new(NULL);

	assert_non_null(s);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ltr_event_opts o = { .filter = bad[i] };
		const char *msg;

		errno = 0;
		assert_null(ltr_event__open(s, "sched", "sched_process_fork", &o));
		assert_int_equal(errno, EINVAL);
		msg = ltr_last_error();
		print_message("%s -> %s\n", bad[i], msg);
		assert_non_null(strstr(msg, bad[i]));
		assert_non_null(strstr(msg, "sched:sched_process_fork"));
		assert_null(strchr(msg, '\n'));
	}
	ltr_session__free(s);
}

#define N_OPENS 300

static int open_n(void *arg)
{
	for (int i = 0; i < N_OPENS; i++) {
		int fd = open(i % 3 ? "/dev/null" : "/nonexistent/lden", O_RDONLY);

		if (fd >= 0)
			close(fd);
	}
	return 0;
}

/* Failed opens only: 1 in 3 of the child's opens fail with ENOENT. */
static void number_filter_counts_failures(void **state)
{
	struct ltr_session *s = ltr_session__new(NULL);
	struct ltr_event_opts o = { .mode = LTR_MODE_COUNT };
	struct ltr_event *failed, *all;
	struct ktest_child c;
	char f1[96], f2[96];
	uint64_t n_failed, n_all;

	assert_non_null(s);
	assert_int_equal(ktest_child_start(&c, open_n, NULL), 0);
	snprintf(f1, sizeof(f1), "common_pid == %d && ret < 0", (int)c.pid);
	snprintf(f2, sizeof(f2), "common_pid == %d", (int)c.pid);
	o.filter = f1;
	failed = ltr_event__open(s, "syscalls", "sys_exit_openat", &o);
	if (!failed)
		fail_msg("%s", ltr_last_error());
	o.filter = f2;
	all = ltr_event__open(s, "syscalls", "sys_exit_openat", &o);
	assert_non_null(all);
	assert_int_equal(ltr_session__enable(s), 0);
	ktest_child_go(&c);
	assert_int_equal(ktest_child_wait(&c, 30000), 0);
	assert_int_equal(ltr_event__count(failed, &n_failed), 0);
	assert_int_equal(ltr_event__count(all, &n_all), 0);
	assert_int_equal(n_failed, N_OPENS / 3);
	assert_int_equal(n_all, N_OPENS);
	ltr_session__free(s);
}

static int exec_true(void *arg)
{
	execl("/bin/true", "true", (char *)NULL);
	return 127;
}

/* A glob on a __data_loc string, in counting mode. */
static void string_glob_filter(void **state)
{
	struct ltr_session *s = ltr_session__new(NULL);
	struct ltr_event_opts o = { .mode = LTR_MODE_COUNT };
	struct ltr_event *match, *miss;
	struct ktest_child c;
	char f1[96], f2[96];
	uint64_t n_match, n_miss;

	assert_non_null(s);
	assert_int_equal(ktest_child_start(&c, exec_true, NULL), 0);
	snprintf(f1, sizeof(f1), "common_pid == %d && filename ~ \"*/true\"",
		 (int)c.pid);
	snprintf(f2, sizeof(f2), "common_pid == %d && filename ~ \"*/false\"",
		 (int)c.pid);
	o.filter = f1;
	match = ltr_event__open(s, "sched", "sched_process_exec", &o);
	if (!match)
		fail_msg("%s", ltr_last_error());
	o.filter = f2;
	miss = ltr_event__open(s, "sched", "sched_process_exec", &o);
	assert_non_null(miss);
	assert_int_equal(ltr_session__enable(s), 0);
	ktest_child_go(&c);
	assert_int_equal(ktest_child_wait(&c, 30000), 0);
	assert_int_equal(ltr_event__count(match, &n_match), 0);
	assert_int_equal(ltr_event__count(miss, &n_miss), 0);
	assert_int_equal(n_match, 1);
	assert_int_equal(n_miss, 0);
	ltr_session__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_filters),
		cmocka_unit_test(number_filter_counts_failures),
		cmocka_unit_test(string_glob_filter),
	};

	ktest_require_tracing();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
