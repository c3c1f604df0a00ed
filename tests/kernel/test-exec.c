// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A child execs a known path; the sample of sched:sched_process_exec
 * carries that path (a __data_loc string) and the child's pid.  A path
 * longer than 256 bytes makes a record that is large and, over many
 * runs, wraps around the ring's end.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ktest.h"
#include "lden-trace.h"

static const char *exec_path;

static int do_exec(void *arg)
{
	execl(exec_path, exec_path, (char *)NULL);
	return 127;
}

struct seen {
	struct ltr_event *ev;
	const struct ltr_field *filename;
	const struct ltr_field *pid;
	int samples;
	char filename_seen[PATH_MAX];
	int64_t pid_seen;
};

static int on_sample(const struct ltr_sample *s, void *ctx)
{
	struct seen *seen = ctx;
	const char *str;
	size_t len;

	if (s->event != seen->ev)
		return 0;
	seen->samples++;
	assert_int_equal(ltr_field__str(seen->filename, s, &str, &len), 0);
	assert_true(len < sizeof(seen->filename_seen));
	memcpy(seen->filename_seen, str, len);
	seen->filename_seen[len] = '\0';
	assert_int_equal(ltr_field__s64(seen->pid, s, &seen->pid_seen), 0);
	return 0;
}

static void exec_and_decode(const char *path, int runs, unsigned int pages)
{
	struct ltr_session_opts so = { .ring_pages = pages };
	struct ltr_event_opts o = { .mode = LTR_MODE_SAMPLE };
	struct seen seen = { 0 };
	struct ltr_session *s;
	char filter[64];

	exec_path = path;
	s = ltr_session__new(&so);
	assert_non_null(s);
	for (int r = 0; r < runs; r++) {
		struct ktest_child c;

		assert_int_equal(ktest_child_start(&c, do_exec, NULL), 0);
		snprintf(filter, sizeof(filter), "common_pid == %d", (int)c.pid);
		o.filter = filter;
		seen.ev = ltr_event__open(s, "sched", "sched_process_exec", &o);
		if (!seen.ev)
			fail_msg("open: %s", ltr_last_error());
		seen.filename = ltr_event__field(seen.ev, "filename");
		seen.pid = ltr_event__field(seen.ev, "pid");
		assert_non_null(seen.filename);
		assert_true(ltr_field__is_string(seen.filename));
		assert_false(ltr_field__is_string(seen.pid));
		assert_int_equal(ltr_event__enable(seen.ev), 0);
		seen.samples = 0;
		ktest_child_go(&c);
		assert_int_equal(ktest_child_wait(&c, 30000), 0);
		assert_true(ltr_session__drain(s, on_sample, &seen) >= 0);
		assert_int_equal(seen.samples, 1);
		assert_string_equal(seen.filename_seen, path);
		assert_int_equal(seen.pid_seen, c.pid);
		ltr_event__close(seen.ev);
	}
	assert_int_equal(ltr_session__lost(s, -1), 0);
	ltr_session__free(s);
}

static void exec_true(void **state)
{
	exec_and_decode("/bin/true", 1, 0);
}

static char top_dir[64];
static char long_dir[512];
static char long_path[1024];

/* Components stay under NAME_MAX; the whole path is over 256 bytes. */
static int long_setup(void **state)
{
	snprintf(top_dir, sizeof(top_dir), "/tmp/lden-test-exec-%d",
		 (int)getpid());
	snprintf(long_dir, sizeof(long_dir), "%s/%0200d", top_dir, 0);
	snprintf(long_path, sizeof(long_path), "%s/%080d-true", long_dir, 0);
	if (mkdir(top_dir, 0700) < 0 || mkdir(long_dir, 0700) < 0)
		return -1;
	return symlink("/bin/true", long_path);
}

static int long_teardown(void **state)
{
	unlink(long_path);
	rmdir(long_dir);
	rmdir(top_dir);
	return 0;
}

/* 40 records of ~350 bytes in a 1-page ring: several wrap at its end. */
static void exec_long_path_wraps(void **state)
{
	assert_true(strlen(long_path) > 256);
	exec_and_decode(long_path, 40, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exec_true),
		cmocka_unit_test_setup_teardown(exec_long_path_wraps, long_setup,
						long_teardown),
	};

	ktest_require_tracing();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
