// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kprobes against the live kernel, where it has kprobe_events (the Debian
 * kernels of `make check-kernel-matrix`; the development VMs have
 * CONFIG_KPROBES off, and there this checks the -EOPNOTSUPP answer, then
 * skips).
 *
 * A child does exactly N openat() calls on a known path; a kprobe on
 * do_sys_openat2 (do_sys_open before 5.6) must count exactly N, scoped to
 * the child by pid or by a common_pid filter, and in sampling mode fetch
 * the dfd and the path string of every call.  Then: the kretprobe, the
 * group's removal at ltr_session__free(), EEXIST from the session and from
 * the kernel, an unknown function, and the sweep of a SIGKILLed
 * process's kprobes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <tracefs.h>

#include "ktest.h"
#include "lden-trace.h"

#define TIMEOUT_MS 30000
#define N_OPENS 500
#define N_SAMPLED 50
#define TRACING "/sys/kernel/tracing"

/* The first two arguments, as kprobe fetch-arg registers. */
#if defined(__x86_64__)
#define OPEN_ARGS "dfd=%di:s32 path=+0(%si):ustring"
#elif defined(__aarch64__)
#define OPEN_ARGS "dfd=%x0:s32 path=+0(%x1):ustring"
#else
#define OPEN_ARGS NULL
#endif

static char open_fn[64];	/* do_sys_openat2 or do_sys_open */
static char known_path[PATH_MAX];

static struct ltr_session *cur;
static pid_t cur_child;
static char foreign[96];	/* "grp/ev" created outside the library */

/* ------------------------------------------------------------------ */

/* Whether /proc/kallsyms has a function called exactly @name. */
static bool listed(const char *group, const char *name)
{
	return ktest_probe_listed("kprobe_events", group, name);
}

/* Child work: exactly @n openat() calls on known_path, nothing else. */
static int open_n(void *arg)
{
	int n = *(int *)arg;

	for (int i = 0; i < n; i++) {
		int fd = openat(AT_FDCWD, known_path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return 1;
		close(fd);
	}
	return 0;
}

static int teardown(void **state)
{
	if (cur_child > 0) {
		kill(cur_child, SIGKILL);
		waitpid(cur_child, NULL, 0);
		cur_child = 0;
	}
	ltr_session__free(cur);
	cur = NULL;
	ktest_remove_probe("kprobe_events", foreign);
	ltr_sweep_stale_groups(TRACING);
	return 0;
}

/*
 * Starts a child that will do @n opens, lets @open_events open the events
 * on it, enables them, lets the child run and waits for it.
 */
static void run_opens(int n, void (*open_events)(pid_t child, void *ctx),
		      void *ctx)
{
	struct ktest_child c;

	assert_int_equal(ktest_child_start(&c, open_n, &n), 0);
	cur_child = c.pid;
	open_events(c.pid, ctx);
	assert_int_equal(ltr_session__enable(cur), 0);
	ktest_child_go(&c);
	assert_int_equal(ktest_child_wait(&c, TIMEOUT_MS), 0);
	cur_child = 0;
	assert_int_equal(ltr_session__disable(cur), 0);
}

/* ------------------------------------------------------------------ */
/* Counting */

struct counted {
	struct ltr_event *entry, *ret;
};

/* The kprobe scoped by pid, the kretprobe by a filter on the pid. */
static void open_counting(pid_t child, void *ctx)
{
	struct ltr_event_opts by_pid = { .mode = LTR_MODE_COUNT, .pid = child };
	struct ltr_event_opts by_filter = { .mode = LTR_MODE_COUNT };
	struct counted *c = ctx;
	char filter[64];

	snprintf(filter, sizeof(filter), "common_pid == %d", (int)child);
	by_filter.filter = filter;
	c->entry = ltr_event__open(cur, ltr_session__group(cur), "op", &by_pid);
	if (!c->entry)
		fail_msg("open op: %s", ltr_last_error());
	c->ret = ltr_event__open(cur, ltr_session__group(cur), "opret",
				 &by_filter);
	if (!c->ret)
		fail_msg("open opret: %s", ltr_last_error());
}

static void kprobe_count(void **state)
{
	struct counted c = { 0 };
	uint64_t entries = 0, returns = 0;
	char group[64];
	int ret;

	cur = ltr_session__new(NULL);
	assert_non_null(cur);
	snprintf(group, sizeof(group), "%s", ltr_session__group(cur));
	ret = ltr_session__add_kprobe(cur, "op", open_fn, NULL, false);
	if (ret)
		fail_msg("add kprobe on %s: %d %s", open_fn, ret,
			 ltr_last_error());
	ret = ltr_session__add_kprobe(cur, "opret", open_fn, "r=$retval",
				      true);
	if (ret)
		fail_msg("add kretprobe on %s: %d %s", open_fn, ret,
			 ltr_last_error());
	assert_true(listed(group, "op"));
	assert_true(listed(group, "opret"));

	run_opens(N_OPENS, open_counting, &c);
	assert_int_equal(ltr_event__count(c.entry, &entries), 0);
	assert_int_equal(ltr_event__count(c.ret, &returns), 0);
	assert_int_equal(entries, N_OPENS);
	assert_int_equal(returns, N_OPENS);

	/* closed events, then the whole group removed */
	ltr_event__close(c.entry);
	ltr_session__free(cur);
	cur = NULL;
	assert_false(listed(group, NULL));
}

/* ------------------------------------------------------------------ */
/* Sampling fetched arguments */

struct sampled {
	struct ltr_event *entry, *ret;
	const struct ltr_field *dfd, *path, *retval;
	pid_t child;
	int entries, returns, bad_dfd, bad_path, bad_pid;
	int64_t first_ret;
	int ret_differs;
};

static void open_sampling(pid_t child, void *ctx)
{
	struct ltr_event_opts o = { .mode = LTR_MODE_SAMPLE, .pid = child };
	struct sampled *sm = ctx;

	sm->child = child;
	sm->entry = ltr_event__open(cur, ltr_session__group(cur), "args", &o);
	if (!sm->entry)
		fail_msg("open args: %s", ltr_last_error());
	sm->ret = ltr_event__open(cur, ltr_session__group(cur), "fd", &o);
	if (!sm->ret)
		fail_msg("open fd: %s", ltr_last_error());
	sm->dfd = ltr_event__field(sm->entry, "dfd");
	sm->path = ltr_event__field(sm->entry, "path");
	sm->retval = ltr_event__field(sm->ret, "fd");
	assert_non_null(sm->dfd);
	assert_non_null(sm->path);
	assert_non_null(sm->retval);
	assert_true(ltr_field__is_string(sm->path));
}

static int collect(const struct ltr_sample *s, void *ctx)
{
	struct sampled *sm = ctx;
	const char *str;
	size_t len;
	int64_t v;

	if (s->pid != (uint32_t)sm->child)
		sm->bad_pid++;
	if (s->event == sm->entry) {
		sm->entries++;
		if (ltr_field__s64(sm->dfd, s, &v) || v != AT_FDCWD)
			sm->bad_dfd++;
		if (ltr_field__str(sm->path, s, &str, &len) ||
		    len != strlen(known_path) || memcmp(str, known_path, len))
			sm->bad_path++;
	} else if (s->event == sm->ret) {
		/* every open returns the same, lowest free, fd */
		if (ltr_field__s64(sm->retval, s, &v) || v < 0)
			sm->ret_differs++;
		else if (sm->returns && v != sm->first_ret)
			sm->ret_differs++;
		if (!sm->returns)
			sm->first_ret = v;
		sm->returns++;
	}
	return 0;
}

static void kprobe_sample_args(void **state)
{
	struct sampled sm = { 0 };

	if (!OPEN_ARGS)
		skip();
	cur = ltr_session__new(NULL);
	assert_non_null(cur);
	if (ltr_session__add_kprobe(cur, "args", open_fn, OPEN_ARGS, false))
		fail_msg("add kprobe: %s", ltr_last_error());
	if (ltr_session__add_kprobe(cur, "fd", open_fn, "fd=$retval:s32", true))
		fail_msg("add kretprobe: %s", ltr_last_error());

	run_opens(N_SAMPLED, open_sampling, &sm);
	assert_true(ltr_session__drain(cur, collect, &sm) >= 0);
	assert_int_equal(ltr_session__lost(cur, -1), 0);
	assert_int_equal(sm.entries, N_SAMPLED);
	assert_int_equal(sm.returns, N_SAMPLED);
	assert_int_equal(sm.bad_pid, 0);
	assert_int_equal(sm.bad_dfd, 0);
	assert_int_equal(sm.bad_path, 0);
	assert_int_equal(sm.ret_differs, 0);
	assert_true(sm.first_ret >= 3);
	ltr_session__free(cur);
	cur = NULL;
}

/* ------------------------------------------------------------------ */
/* Errors */

static void kprobe_errors(void **state)
{
	struct tracefs_dynevent *dyn;
	char group[64];
	int ret;

	cur = ltr_session__new(NULL);
	assert_non_null(cur);
	snprintf(group, sizeof(group), "%s", ltr_session__group(cur));

	/*
	 * -ENOENT from register_kprobe(), or -EINVAL where the kernel checks
	 * the symbol while parsing (6.1.y and 6.6+: "Invalid probed address
	 * or symbol")
	 */
	ret = ltr_session__add_kprobe(cur, "nosuch",
				      "lden_no_such_kernel_function", NULL,
				      false);
	printf("# unknown function: %d %s\n", ret, ltr_last_error());
	assert_true(ret == -ENOENT || ret == -EINVAL);
	assert_non_null(strstr(ltr_last_error(), "kernel rejected"));
	assert_non_null(strstr(ltr_last_error(),
			       "lden_no_such_kernel_function"));
	assert_false(listed(group, "nosuch"));
	assert_int_equal(ltr_session__add_kprobe(cur, "badarg", open_fn,
						 "x=%nosuchreg", false),
			 -EINVAL);
	printf("# bad fetch-arg: %s\n", ltr_last_error());
	assert_non_null(strstr(ltr_last_error(), "%nosuchreg"));

	/* twice in the session */
	assert_int_equal(ltr_session__add_kprobe(cur, "dup", open_fn, NULL,
						 false),
			 0);
	assert_int_equal(ltr_session__add_kprobe(cur, "dup", open_fn, NULL,
						 false),
			 -EEXIST);

	/* in the kernel but not in the session: the kernel's EEXIST */
	dyn = tracefs_kprobe_alloc(group, "pre", open_fn, NULL);
	assert_non_null(dyn);
	snprintf(foreign, sizeof(foreign), "%s/pre", group);
	assert_int_equal(tracefs_dynevent_create(dyn), 0);
	tracefs_dynevent_free(dyn);
	assert_int_equal(ltr_session__add_kprobe(cur, "pre", open_fn, NULL,
						 false),
			 -EEXIST);
	assert_int_equal(errno, EEXIST);
	assert_non_null(strstr(ltr_last_error(), "already"));

	ltr_session__free(cur);
	cur = NULL;
	assert_false(listed(group, "dup"));
	assert_true(listed(group, "pre"));	/* not ours: teardown's */
}

/* ------------------------------------------------------------------ */
/* A killed process's kprobes */

static void sweep_after_sigkill(void **state)
{
	int ready[2], block[2], status;
	struct ltr_event *held;
	char group[64], b;
	struct pollfd p;
	pid_t pid;
	int pidfd;

	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(block, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ltr_session *s = ltr_session__new(NULL);

		close(ready[0]);
		close(block[1]);
		if (!s || ltr_session__add_kprobe(s, "left", open_fn, NULL,
						  false) ||
		    ltr_session__add_kprobe(s, "leftret", open_fn, NULL, true))
			_exit(10);
		b = 'r';
		if (write(ready[1], &b, 1) != 1)
			_exit(11);
		if (read(block[0], &b, 1) <= 0)	/* until killed */
			_exit(12);
		_exit(13);
	}
	cur_child = pid;
	close(ready[1]);
	close(block[0]);
	p = (struct pollfd){ .fd = ready[0], .events = POLLIN };
	assert_int_equal(poll(&p, 1, TIMEOUT_MS), 1);
	assert_int_equal(read(ready[0], &b, 1), 1);
	close(ready[0]);
	snprintf(group, sizeof(group), "%s", ktest_group_of(pid));
	assert_true(listed(group, "left"));
	assert_true(listed(group, "leftret"));

	/* keep one in use so that no sweep can take it before we look */
	cur = ltr_session__new(NULL);
	assert_non_null(cur);
	held = ltr_event__open(cur, group, "left", NULL);
	if (!held)
		fail_msg("open %s/left: %s", group, ltr_last_error());

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	assert_true(pidfd >= 0);
	kill(pid, SIGKILL);
	p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	assert_int_equal(poll(&p, 1, TIMEOUT_MS), 1);
	close(pidfd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	cur_child = 0;
	close(block[1]);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	/* dead, but "left" is busy: it stays, "leftret" may go */
	assert_true(ltr_sweep_stale_groups(TRACING) >= 0);
	assert_true(listed(group, "left"));
	assert_false(listed(group, "leftret"));

	ltr_event__close(held);
	ltr_session__free(cur);
	cur = ltr_session__new(NULL);	/* sweeps */
	assert_non_null(cur);
	assert_false(listed(group, NULL));
	ltr_session__free(cur);
	cur = NULL;
}

/*
 * Where there are no kprobes, adding one must say so (-EOPNOTSUPP and a
 * message naming kprobe_events); the rest of this file is then skipped.
 * Returns 0 when kprobes exist, else the exit status.
 */
static int check_support(void)
{
	struct ltr_session *s = ltr_session__new(NULL);
	int ret, status = 0;

	if (!s) {
		fprintf(stderr, "session: %s\n", ltr_last_error());
		return 1;
	}
	if (ltr_kprobes_supported(s)) {
		ltr_session__free(s);
		return 0;
	}
	ret = ltr_session__add_kprobe(s, "x", "do_sys_openat2", NULL, false);
	if (ret != -EOPNOTSUPP || !strstr(ltr_last_error(), "kprobe_events")) {
		fprintf(stderr, "FAIL: without kprobe_events, add_kprobe gave %d '%s'\n",
			ret, ltr_last_error());
		status = 1;
	} else {
		printf("SKIP: %s\n", ltr_last_error());
		status = KTEST_SKIP;
	}
	ltr_session__free(s);
	return status;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(kprobe_count, teardown),
		cmocka_unit_test_teardown(kprobe_sample_args, teardown),
		cmocka_unit_test_teardown(kprobe_errors, teardown),
		cmocka_unit_test_teardown(sweep_after_sigkill, teardown),
	};
	int status;

	ktest_require_tracing();
	status = check_support();
	if (status)
		return status;
	if (ktest_kernel_has("do_sys_openat2"))
		snprintf(open_fn, sizeof(open_fn), "do_sys_openat2");
	else if (ktest_kernel_has("do_sys_open"))
		snprintf(open_fn, sizeof(open_fn), "do_sys_open");
	else {
		fprintf(stderr, "no do_sys_openat2 or do_sys_open in /proc/kallsyms\n");
		return 99;
	}
	if (!realpath(argv[0], known_path)) {
		perror(argv[0]);
		return 99;
	}
	printf("# probing %s, opening %s\n", open_fn, known_path);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
