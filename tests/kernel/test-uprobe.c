// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uprobes against the live kernel.  uprobe-target calls
 * lden_uprobe_target_fn(i) for i = 0 .. N-1; the events are opened on the
 * child before it execs the target, so counts are exact with no sleeps:
 * N entries, N returns, and every argument and return value seen once.
 * Then the cleanup paths: ltr_session__free() removes the group, a probe
 * left by a SIGKILLed process is swept by the next session (and kept
 * while a perf fd still uses it, or while its process lives), probes of
 * other groups are never swept, and a SIGTERM with
 * ltr_session__cleanup_on_signal() removes the probes before dying.
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
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <tracefs.h>

#include "internal.h"
#include "ktest.h"
#include "lden-trace.h"

#define TIMEOUT_MS 30000
#define N_CALLS 1000
#define TARGET_FN "lden_uprobe_target_fn"

/* The first integer argument, as a uprobe fetch-arg register. */
#if defined(__x86_64__)
#define ARG0_REG "%di"
#elif defined(__aarch64__)
#define ARG0_REG "%x0"
#else
#define ARG0_REG NULL
#endif

static char target[PATH_MAX];
static char n_calls_arg[16];

/* What a failed assertion would otherwise leave behind. */
static struct ltr_session *cur;
static pid_t cur_child;
static char foreign[2][96];	/* "grp/ev" created outside the library */

/* ------------------------------------------------------------------ */

/* Work for ktest_child_start(): become uprobe-target N. */
static int exec_target(void *arg)
{
	execl(target, "uprobe-target", n_calls_arg, (char *)NULL);
	return 127;
}

/*
 * Whether "<group>/<name>" (or any event of @group when @name is NULL)
 * is in @file.
 */
static bool listed(const char *group, const char *name)
{
	return ktest_probe_listed("uprobe_events", group, name);
}

/* Waits at most TIMEOUT_MS for @pid; returns its wait status. */
static int wait_status(pid_t pid)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int status = -1;

	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };

		if (poll(&p, 1, TIMEOUT_MS) == 0) {
			kill(pid, SIGKILL);
			fail_msg("child %d still running after %d ms", (int)pid,
				 TIMEOUT_MS);
		}
		close(pidfd);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (pid == cur_child)
		cur_child = 0;
	return status;
}

/* Waits at most TIMEOUT_MS for one byte on @fd. */
static char read_byte(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char b = 0;

	assert_int_equal(poll(&p, 1, TIMEOUT_MS), 1);
	assert_int_equal(read(fd, &b, 1), 1);
	return b;
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
	for (int i = 0; i < 2; i++)
		ktest_remove_probe("uprobe_events", foreign[i]);
	/* groups of children that died mid-test */
	ltr_sweep_stale_groups("/sys/kernel/tracing");
	return 0;
}

/*
 * Runs uprobe-target N in a child, with the events @open_fn opens on it
 * (once its pid is known, before it execs) enabled, and waits for it.
 */
static void run_target(struct ltr_session *s,
		       void (*open_fn)(struct ltr_session *s, pid_t child,
				       void *ctx),
		       void *ctx)
{
	struct ktest_child c;

	assert_int_equal(ktest_child_start(&c, exec_target, NULL), 0);
	cur_child = c.pid;
	open_fn(s, c.pid, ctx);
	assert_int_equal(ltr_session__enable(s), 0);
	ktest_child_go(&c);
	assert_int_equal(ktest_child_wait(&c, TIMEOUT_MS), 0);
	cur_child = 0;
	assert_int_equal(ltr_session__disable(s), 0);
}

/* ------------------------------------------------------------------ */
/* Counting */

struct counted {
	const char *names[3];
	bool use_filter;	/* common_pid filter instead of pid scope */
	struct ltr_event *evs[3];
};

static void open_counting(struct ltr_session *s, pid_t child, void *ctx)
{
	struct counted *c = ctx;
	char filter[64];

	for (int i = 0; i < 3 && c->names[i]; i++) {
		struct ltr_event_opts o = { .mode = LTR_MODE_COUNT };

		if (c->use_filter) {
			snprintf(filter, sizeof(filter), "common_pid == %d",
				 (int)child);
			o.filter = filter;
		} else {
			o.pid = child;
		}
		c->evs[i] = ltr_event__open(s, ltr_session__group(s),
					    c->names[i], &o);
		if (!c->evs[i])
			fail_msg("open %s: %s", c->names[i], ltr_last_error());
	}
}

/* Entries and returns, scoped to the child's pid: exactly N of each. */
static void uprobe_count(void **state)
{
	struct counted c = { .names = { "fn", "fnret" } };
	uint64_t entries = 0, returns = 0;
	char group[64];

	cur = ltr_session__new(NULL);
	assert_non_null(cur);
	snprintf(group, sizeof(group), "%s", ltr_session__group(cur));
	if (ltr_session__add_uprobe(cur, "fn", target, TARGET_FN, NULL, false))
		fail_msg("add uprobe: %s", ltr_last_error());
	if (ltr_session__add_uprobe(cur, "fnret", target, TARGET_FN, NULL, true))
		fail_msg("add uretprobe: %s", ltr_last_error());
	assert_true(listed(group, "fn"));
	assert_true(listed(group, "fnret"));

	run_target(cur, open_counting, &c);
	assert_int_equal(ltr_event__count(c.evs[0], &entries), 0);
	assert_int_equal(ltr_event__count(c.evs[1], &returns), 0);
	assert_int_equal(entries, N_CALLS);
	assert_int_equal(returns, N_CALLS);

	/* free closes the perf fds first, then removes the whole group */
	ltr_session__free(cur);
	cur = NULL;
	assert_false(listed(group, NULL));
}

/*
 * The same with a kernel filter on the child's pid (system-wide events),
 * and the probe given as "0x<file offset>" instead of a symbol.
 */
static void uprobe_count_filter_offset(void **state)
{
	struct counted c = { .names = { "byoff" }, .use_filter = true };
	char hex[32];
	uint64_t off, count = 0;
	char group[64];

	assert_int_equal(ltr_elf_symbol_offset(target, TARGET_FN, &off), 0);
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)off);
	cur = ltr_session__new(NULL);
	assert_non_null(cur);
	snprintf(group, sizeof(group), "%s", ltr_session__group(cur));
	if (ltr_session__add_uprobe(cur, "byoff", target, hex, NULL, false))
		fail_msg("add uprobe at %s: %s", hex, ltr_last_error());

	run_target(cur, open_counting, &c);
	assert_int_equal(ltr_event__count(c.evs[0], &count), 0);
	assert_int_equal(count, N_CALLS);
	ltr_session__free(cur);
	cur = NULL;
	assert_false(listed(group, NULL));
}

/* ------------------------------------------------------------------ */
/* Sampling fetched values */

struct sampled {
	struct ltr_event *entry, *ret;
	const struct ltr_field *arg, *retval;
	pid_t child;
	unsigned char seen_arg[N_CALLS];
	unsigned char seen_ret[N_CALLS + 1];
	int entries, returns, bad;
};

static void open_sampling(struct ltr_session *s, pid_t child, void *ctx)
{
	struct ltr_event_opts o = { .mode = LTR_MODE_SAMPLE, .pid = child };
	struct sampled *sm = ctx;

	sm->child = child;
	sm->entry = ltr_event__open(s, ltr_session__group(s), "arg", &o);
	if (!sm->entry)
		fail_msg("open arg: %s", ltr_last_error());
	sm->ret = ltr_event__open(s, ltr_session__group(s), "ret", &o);
	if (!sm->ret)
		fail_msg("open ret: %s", ltr_last_error());
	sm->arg = ltr_event__field(sm->entry, "i");
	sm->retval = ltr_event__field(sm->ret, "r");
	assert_non_null(sm->arg);
	assert_non_null(sm->retval);
}

static int collect(const struct ltr_sample *s, void *ctx)
{
	struct sampled *sm = ctx;
	int64_t v;

	if (s->pid != (uint32_t)sm->child) {
		sm->bad++;
		return 0;
	}
	if (s->event == sm->entry) {
		sm->entries++;
		if (ltr_field__s64(sm->arg, s, &v) || v < 0 || v >= N_CALLS)
			sm->bad++;
		else
			sm->seen_arg[v]++;
	} else if (s->event == sm->ret) {
		sm->returns++;
		/* the function returns i + 1 */
		if (ltr_field__s64(sm->retval, s, &v) || v < 1 || v > N_CALLS)
			sm->bad++;
		else
			sm->seen_ret[v]++;
	} else {
		sm->bad++;
	}
	return 0;
}

static void uprobe_sample_args(void **state)
{
	/* 2 x N records of 72 bytes, read only at the end: room for all */
	struct ltr_session_opts so = { .ring_pages = 256 };
	struct sampled *sm;

	if (!ARG0_REG)
		skip();	/* no register name for this architecture here */
	sm = calloc(1, sizeof(*sm));
	assert_non_null(sm);
	cur = ltr_session__new(&so);
	assert_non_null(cur);
	if (ltr_session__add_uprobe(cur, "arg", target, TARGET_FN,
				    "i=" ARG0_REG ":s32", false))
		fail_msg("add uprobe: %s", ltr_last_error());
	if (ltr_session__add_uprobe(cur, "ret", target, TARGET_FN,
				    "r=$retval:s32", true))
		fail_msg("add uretprobe: %s", ltr_last_error());

	run_target(cur, open_sampling, sm);
	assert_true(ltr_session__drain(cur, collect, sm) >= 0);
	assert_int_equal(ltr_session__lost(cur, -1), 0);
	assert_int_equal(sm->bad, 0);
	assert_int_equal(sm->entries, N_CALLS);
	assert_int_equal(sm->returns, N_CALLS);
	for (int i = 0; i < N_CALLS; i++) {
		if (sm->seen_arg[i] != 1)
			fail_msg("argument %d seen %d times", i, sm->seen_arg[i]);
		if (sm->seen_ret[i + 1] != 1)
			fail_msg("return value %d seen %d times", i + 1,
				 sm->seen_ret[i + 1]);
	}
	ltr_session__free(cur);
	cur = NULL;
	free(sm);
}

/* ------------------------------------------------------------------ */
/* Errors */

static void uprobe_errors(void **state)
{
	struct tracefs_dynevent *dyn;
	const char *group;
	char own[64], path[160];
	int hold;
	uint64_t off;

	cur = ltr_session__new(NULL);
	assert_non_null(cur);
	group = ltr_session__group(cur);

	/*
	 * bytes the kernel splits a definition on (its isspace() has \v, \r,
	 * \f and 0xa0 too): refused before they reach it
	 */
	for (const char *c = "\v\r\f\xa0\x01"; *c; c++) {
		char alias[PATH_MAX + 8];

		snprintf(alias, sizeof(alias), "%s%c", target, *c);
		unlink(alias);
		assert_int_equal(link(target, alias), 0);
		assert_int_equal(ltr_session__add_uprobe(cur, "ws", alias,
							 TARGET_FN, NULL,
							 false),
				 -EINVAL);
		assert_non_null(strstr(ltr_last_error(), "white space"));
		unlink(alias);
	}
	assert_false(listed(group, "ws"));

	assert_int_equal(ltr_session__add_uprobe(cur, "e1", target,
						 "no_such_function", NULL,
						 false),
			 -ENOENT);
	assert_non_null(strstr(ltr_last_error(), "no_such_function"));
	assert_int_equal(ltr_session__add_uprobe(cur, "e1", "/nonexistent/x",
						 TARGET_FN, NULL, false),
			 -ENOENT);
	assert_int_equal(ltr_session__add_uprobe(cur, "bad-name", target,
						 TARGET_FN, NULL, false),
			 -EINVAL);
	assert_int_equal(ltr_session__add_uprobe(cur, "e1", target, "0xzz",
						 NULL, false),
			 -ENOENT);	/* not hex: taken as a symbol name */
	assert_int_equal(ltr_session__add_uprobe(cur, "e1", target,
						 "0x7fffffff", NULL, false),
			 -EINVAL);
	assert_non_null(strstr(ltr_last_error(), "beyond the end"));

	/* the kernel's own words, with the token it stopped at */
	assert_int_equal(ltr_session__add_uprobe(cur, "e1", target, TARGET_FN,
						 "x=%zz", false),
			 -EINVAL);
	assert_non_null(strstr(ltr_last_error(), "%zz"));
	assert_false(listed(group, "e1"));

	/* twice in the session */
	assert_int_equal(ltr_session__add_uprobe(cur, "dup", target, TARGET_FN,
						 NULL, false),
			 0);
	assert_int_equal(ltr_session__add_uprobe(cur, "dup", target, TARGET_FN,
						 NULL, false),
			 -EEXIST);
	assert_int_equal(errno, EEXIST);

	/* already in the kernel, unknown to the session: the kernel's EEXIST */
	assert_int_equal(ltr_elf_symbol_offset(target, TARGET_FN, &off), 0);
	dyn = tracefs_uprobe_alloc(group, "pre", target, off, NULL);
	assert_non_null(dyn);
	snprintf(foreign[0], sizeof(foreign[0]), "%s/pre", group);
	assert_int_equal(tracefs_dynevent_create(dyn), 0);
	tracefs_dynevent_free(dyn);
	assert_int_equal(ltr_session__add_uprobe(cur, "pre", target, TARGET_FN,
						 NULL, false),
			 -EEXIST);
	assert_non_null(strstr(ltr_last_error(), "already"));

	/*
	 * the session removes only its own: "pre" stays for teardown.  Once
	 * the session is gone, the group is anyone's to sweep (owner.c): the
	 * test holds it, as a foreign owner would, so that another lden's
	 * sweep (the suite runs several at once) cannot take "pre" first
	 */
	snprintf(own, sizeof(own), "%s", group);
	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s", own);
	hold = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(hold >= 0);
	assert_int_equal(flock(hold, LOCK_SH), 0);
	ltr_session__free(cur);
	cur = NULL;
	assert_false(listed(own, "dup"));
	assert_true(listed(own, "pre"));
	close(hold);
}

/* ------------------------------------------------------------------ */
/* Sweeping what a killed process left */

/*
 * In a child: a session with one uprobe, then report ready and wait to be
 * killed.  Never returns.
 */
static void child_with_probe(int ready_fd, int block_fd, bool on_signal)
{
	struct ltr_session *s = ltr_session__new(NULL);
	struct ltr_event_opts count = { .mode = LTR_MODE_COUNT };
	struct ltr_event_opts sample = { .mode = LTR_MODE_SAMPLE };
	char b = 'r';

	if (!s || ltr_session__add_uprobe(s, "left", target, TARGET_FN, NULL,
					  false) ||
	    ltr_session__add_uprobe(s, "leftret", target, TARGET_FN, NULL,
				    true))
		_exit(10);
	if (on_signal) {
		/* open perf fds, counting and sampling: the handler must
		 * close them, or the kernel refuses the removal (EBUSY) */
		if (!ltr_event__open(s, ltr_session__group(s), "left", &count) ||
		    !ltr_event__open(s, ltr_session__group(s), "leftret",
				     &sample) ||
		    ltr_session__enable(s) ||
		    ltr_session__cleanup_on_signal(s))
			_exit(11);
	}
	if (write(ready_fd, &b, 1) != 1)
		_exit(12);
	/* blocks until killed; EOF means the parent is gone */
	if (read(block_fd, &b, 1) <= 0)
		_exit(13);
	_exit(14);
}

/* Forks child_with_probe(); returns its pid once its probes exist. */
static pid_t start_probe_child(bool on_signal, int *block_wr)
{
	int ready[2], block[2];
	pid_t pid;

	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(block, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		close(block[1]);
		child_with_probe(ready[1], block[0], on_signal);
	}
	cur_child = pid;
	close(ready[1]);
	close(block[0]);
	assert_int_equal(read_byte(ready[0]), 'r');
	close(ready[0]);
	*block_wr = block[1];
	return pid;
}

static void sweep_after_sigkill(void **state)
{
	struct tracefs_dynevent *dyn;
	struct ltr_event *held;
	char group[64], fgroup[80];
	int block_wr, status;
	uint64_t off;
	pid_t pid;

	pid = start_probe_child(false, &block_wr);
	snprintf(group, sizeof(group), "%s", ktest_group_of(pid));
	assert_true(listed(group, "left"));

	/* alive: a sweep must leave it */
	assert_true(ltr_sweep_stale_groups("/sys/kernel/tracing") >= 0);
	assert_true(listed(group, "left"));

	/* a group that only looks like ours: "lden_<ns>_<pid>_x" is not swept */
	assert_int_equal(ltr_elf_symbol_offset(target, TARGET_FN, &off), 0);
	snprintf(fgroup, sizeof(fgroup), "%s_x", group);
	dyn = tracefs_uprobe_alloc(fgroup, "keep", target, off, NULL);
	assert_non_null(dyn);
	snprintf(foreign[1], sizeof(foreign[1]), "%s/keep", fgroup);
	assert_int_equal(tracefs_dynevent_create(dyn), 0);
	tracefs_dynevent_free(dyn);

	/* hold the dead process's probe open so nobody can sweep it yet */
	cur = ltr_session__new(NULL);
	assert_non_null(cur);
	held = ltr_event__open(cur, group, "left", NULL);
	if (!held)
		fail_msg("open %s/left: %s", group, ltr_last_error());

	kill(pid, SIGKILL);
	status = wait_status(pid);
	close(block_wr);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	/* dead, but in use by our perf fd: EBUSY, left in place */
	assert_true(ltr_sweep_stale_groups("/sys/kernel/tracing") >= 0);
	assert_true(listed(group, "left"));
	ltr_event__close(held);

	/* a new session sweeps the dead group, and only that */
	ltr_session__free(cur);
	cur = ltr_session__new(NULL);
	assert_non_null(cur);
	assert_false(listed(group, NULL));
	assert_true(listed(fgroup, "keep"));
	ltr_session__free(cur);
	cur = NULL;
}

/* ------------------------------------------------------------------ */
/* Signal handlers */

static void cleanup_on_sigterm(void **state)
{
	int block_wr, status;
	char group[64];
	pid_t pid;

	pid = start_probe_child(true, &block_wr);
	snprintf(group, sizeof(group), "%s", ktest_group_of(pid));
	assert_true(listed(group, "left"));
	assert_true(listed(group, "leftret"));

	kill(pid, SIGTERM);
	status = wait_status(pid);
	close(block_wr);
	/* died of the signal itself, after removing its probes */
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	assert_false(listed(group, NULL));
}

static void signal_ownership(void **state)
{
	struct ltr_session *other;
	struct sigaction sa, term0, int0;

	/*
	 * what was there before is put back: SIG_DFL, or SIG_IGN when the
	 * suite runs in the background of a shell (SIGINT ignored)
	 */
	assert_int_equal(sigaction(SIGTERM, NULL, &term0), 0);
	assert_int_equal(sigaction(SIGINT, NULL, &int0), 0);
	cur = ltr_session__new(NULL);
	other = ltr_session__new(NULL);
	assert_non_null(cur);
	assert_non_null(other);
	assert_int_equal(ltr_session__cleanup_on_signal(cur), 0);
	assert_int_equal(ltr_session__cleanup_on_signal(cur), 0);
	assert_int_equal(sigaction(SIGTERM, NULL, &sa), 0);
	assert_true(sa.sa_handler != SIG_DFL);
	assert_int_equal(ltr_session__cleanup_on_signal(other), -EBUSY);

	/* freeing the owner puts the old action back and frees the slot */
	ltr_session__free(cur);
	cur = NULL;
	assert_int_equal(sigaction(SIGTERM, NULL, &sa), 0);
	assert_true(sa.sa_handler == term0.sa_handler);
	assert_int_equal(ltr_session__cleanup_on_signal(other), 0);
	ltr_session__free(other);
	assert_int_equal(sigaction(SIGINT, NULL, &sa), 0);
	assert_true(sa.sa_handler == int0.sa_handler);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(uprobe_count, teardown),
		cmocka_unit_test_teardown(uprobe_count_filter_offset, teardown),
		cmocka_unit_test_teardown(uprobe_sample_args, teardown),
		cmocka_unit_test_teardown(uprobe_errors, teardown),
		cmocka_unit_test_teardown(sweep_after_sigkill, teardown),
		cmocka_unit_test_teardown(cleanup_on_sigterm, teardown),
		cmocka_unit_test_teardown(signal_ownership, teardown),
	};

	ktest_require_tracing();
	snprintf(target, sizeof(target), "%s",
		 ktest_helper_path(argv[0], "uprobe-target"));
	if (access(target, X_OK) != 0) {
		fprintf(stderr, "no helper '%s'\n", target);
		return 99;
	}
	snprintf(n_calls_arg, sizeof(n_calls_arg), "%d", N_CALLS);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
