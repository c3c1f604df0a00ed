// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ltr_session__free() with opts.detach_close: the tracepoints' perf
 * events are closed by a detached process ("lden-close"), which this
 * test, a child subreaper, gets back as its own child.  Asserted: the
 * session's process holds no perf event once ltr_session__free()
 * returns; the probes are gone from tracefs by then; exactly one
 * lden-close process was made, holding nothing but perf events (not the
 * caller's stdout, so no pipe waits for it), and it exits with status 0;
 * a session with nothing to close makes none; a session started at once
 * counts exactly on the same tracepoints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ktest.h"
#include "lden-trace.h"

#define TIMEOUT_MS 30000

/* a function of this program, for the uprobe */
__attribute__((noinline, used)) int lden_teardown_probe_fn(int x);
__attribute__((noinline, used)) int lden_teardown_probe_fn(int x)
{
	return x + 1;
}

static const char *const tracepoints[][2] = {
	{ "sched", "sched_process_fork" },
	{ "sched", "sched_process_exec" },
	{ "syscalls", "sys_enter_getppid" },
	{ "syscalls", "sys_enter_getpgid" },
	{ "syscalls", "sys_enter_getsid" },
	{ "syscalls", "sys_enter_umask" },
};
#define NTP (int)(sizeof(tracepoints) / sizeof(tracepoints[0]))

/*
 * How many of @pid's fds are perf events, and how many are neither that
 * nor a pipe (the end of file lden-close waits for).
 */
static void count_fds(pid_t pid, int *perf, int *other)
{
	char dir[64], path[PATH_MAX], link[256];
	struct dirent *de;
	DIR *d;

	*perf = *other = 0;
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (!strcmp(link, "anon_inode:[perf_event]"))
			(*perf)++;
		else if (pid != getpid() && !strncmp(link, "pipe:", 5))
			continue;
		else if (pid != getpid() || atoi(de->d_name) != dirfd(d))
			(*other)++;
	}
	closedir(d);
}

/* Our children named @comm (reparented to us: we are a subreaper). */
static int children_named(const char *comm, pid_t *pids, int max)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		char path[300], buf[512], *p;
		int ppid;
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		/* pid (comm) state ppid: comm may hold spaces */
		if (!p || !(p = strrchr(buf, ')')) || sscanf(p + 1, " %*c %d", &ppid) != 1 ||
		    ppid != getpid())
			continue;
		*p = '\0';
		if (strcmp(strchr(buf, '(') + 1, comm))
			continue;
		if (n < max)
			pids[n] = atoi(de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static int wait_exit(pid_t pid)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int status;

	for (int i = 0; i < TIMEOUT_MS / 10; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		assert_true(r == 0);
		nanosleep(&ts, NULL);
	}
	fail_msg("lden-close %d did not exit within %d ms", (int)pid,
		 TIMEOUT_MS);
	return -1;
}

static void closed_by_another_process(void **state)
{
	struct ltr_session_opts so = { .detach_close = true };
	struct ltr_session *s;
	char exe[PATH_MAX], group[64];
	int perf, other, before_other, n, ncpus;
	ssize_t len;
	pid_t pids[4];

	/* what is open before the session: the same is after it */
	count_fds(getpid(), &perf, &before_other);
	s = ltr_session__new(&so);
	assert_non_null(s);
	snprintf(group, sizeof(group), "%s", ltr_session__group(s));
	for (int i = 0; i < NTP; i++)
		if (!ltr_event__open(s, tracepoints[i][0], tracepoints[i][1], NULL))
			fail_msg("open %s:%s: %s", tracepoints[i][0],
				 tracepoints[i][1], ltr_last_error());
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(len > 0);
	exe[len] = '\0';
	if (ltr_session__add_uprobe(s, "teardown_fn", exe,
				    "lden_teardown_probe_fn", NULL, false) < 0)
		fail_msg("uprobe: %s", ltr_last_error());
	if (!ltr_event__open(s, group, "teardown_fn", NULL))
		fail_msg("open the uprobe: %s", ltr_last_error());
	assert_int_equal(ltr_session__enable(s), 0);
	assert_int_equal(lden_teardown_probe_fn(1), 2);
	count_fds(getpid(), &perf, &other);
	ncpus = ltr_session__ncpus(s);
	/* and the read groups' leaders (readgroup.c), one a CPU */
	assert_int_equal(perf, (NTP + 2) * ncpus);

	ltr_session__free(s);

	count_fds(getpid(), &perf, &other);
	assert_int_equal(perf, 0);
	assert_int_equal(other, before_other);
	/* the probe's fds were closed here, so it could be removed */
	assert_false(ktest_probe_listed("uprobe_events", group, NULL));
	/* ours from the moment ltr_session__free() returns; named once it runs */
	for (int i = 0; i < TIMEOUT_MS && !(n = children_named("lden-close", pids, 4));
	     i++)
		usleep(1000);
	assert_int_equal(n, 1);
	/* still working (it has the kernel's wait per tracepoint): it holds
	 * some of the tracepoints' events (not the probe's), nothing else
	 * (no fd of ours: 0, 1, 2 are ours) */
	count_fds(pids[0], &perf, &other);
	assert_int_equal(other, 0);
	snprintf(exe, sizeof(exe), "/proc/%d/fd/1", (int)pids[0]);
	assert_true(access(exe, F_OK) < 0);
	/* the tracepoints' and the read groups' leaders */
	assert_true(perf <= (NTP + 1) * ncpus);
	n = wait_exit(pids[0]);
	assert_true(WIFEXITED(n));
	assert_int_equal(WEXITSTATUS(n), 0);
}

static void nothing_to_close(void **state)
{
	struct ltr_session_opts so = { .detach_close = true };
	struct ltr_session *s = ltr_session__new(&so);
	pid_t pids[4];

	assert_non_null(s);
	ltr_session__free(s);
	/* a process made would be our child at once (see above) */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_int_equal(children_named("lden-close", pids, 4), 0);
}

/* A session as lden has it, freed after telling @ready; never returns. */
static void session_then_free(int ready)
{
	struct ltr_session_opts so = { .detach_close = true };
	struct ltr_session *s = ltr_session__new(&so);

	if (!s)
		_exit(2);
	for (int i = 0; i < NTP; i++)
		if (!ltr_event__open(s, tracepoints[i][0], tracepoints[i][1], NULL))
			_exit(3);
	if (ltr_session__enable(s) < 0 || write(ready, "r", 1) != 1)
		_exit(4);
	ltr_session__free(s);
	for (;;)
		pause();
}

/*
 * A session started while lden-close still holds the previous one's
 * events, on the same tracepoints: they count nothing of its hits (they
 * are disabled) and take none from it.
 */
static void second_session_at_once(void **state)
{
	struct ltr_session_opts so = { .detach_close = true };
	struct ltr_session *s = ltr_session__new(&so);
	struct ltr_event_opts o = { .mode = LTR_MODE_COUNT };
	char filter[64];
	struct ltr_event *ev;
	uint64_t count;
	pid_t pids[4];
	int status;

	assert_non_null(s);
	for (int i = 0; i < NTP; i++)
		if (!ltr_event__open(s, tracepoints[i][0], tracepoints[i][1], NULL))
			fail_msg("open %s:%s: %s", tracepoints[i][0],
				 tracepoints[i][1], ltr_last_error());
	assert_int_equal(ltr_session__enable(s), 0);
	ltr_session__free(s);

	snprintf(filter, sizeof(filter), "common_pid == %d", (int)getpid());
	o.filter = filter;
	s = ltr_session__new(NULL);
	assert_non_null(s);
	ev = ltr_event__open(s, "syscalls", "sys_enter_getppid", &o);
	if (!ev)
		fail_msg("open: %s", ltr_last_error());
	assert_int_equal(ltr_session__enable(s), 0);
	for (int i = 0; i < 1000; i++)
		syscall(SYS_getppid);
	assert_int_equal(ltr_session__disable(s), 0);
	assert_int_equal(ltr_event__count(ev, &count), 0);
	print_message("  %d lden-close at work; counted %" PRIu64 "\n",
		      children_named("lden-close", pids, 4), count);
	assert_int_equal(count, 1000);
	ltr_session__free(s);
	/* the first session's lden-close exits, with status 0 */
	for (int i = 0; i < 4 && children_named("lden-close", pids, 4); i++) {
		status = wait_exit(pids[0]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
}

/*
 * lden SIGKILLed at any moment of its teardown, before the detached
 * process exists, while it is made, or after: no lden-close outlives the
 * kernel's closes (it waits for an end of file that lden's death gives).
 */
static void killed_at_any_moment(void **state)
{
	for (int k = 0; k < 24; k++) {
		struct timespec delay = { 0, k * 250 * 1000 };
		int ready[2], status, i;
		pid_t pid, gone;
		pid_t pids[4];
		char b;

		assert_int_equal(pipe(ready), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(ready[0]);
			session_then_free(ready[1]);
		}
		close(ready[1]);
		assert_int_equal(read(ready[0], &b, 1), 1);
		close(ready[0]);
		nanosleep(&delay, NULL);
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		/* whatever it left comes back to us: all of it exits */
		for (i = 0; i < TIMEOUT_MS; i++) {
			while ((gone = waitpid(-1, &status, WNOHANG)) > 0)
				;
			if (gone < 0 && errno == ECHILD)
				break;
			usleep(1000);
		}
		if (i == TIMEOUT_MS)
			fail_msg("kill after %d us: %d lden-close left after %d ms",
				 k * 250, children_named("lden-close", pids, 4),
				 TIMEOUT_MS);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(closed_by_another_process),
		cmocka_unit_test(nothing_to_close),
		cmocka_unit_test(second_session_at_once),
		cmocka_unit_test(killed_at_any_moment),
	};

	ktest_require_tracing();
	/* the detached process comes back to us when its parent exits */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		perror("PR_SET_CHILD_SUBREAPER");
		return 99;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
