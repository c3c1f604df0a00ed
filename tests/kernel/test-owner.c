// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Probe groups and instances across PID namespaces.  tracefs is shared by
 * every namespace: two sessions that are both pid 1 in their containers
 * must get different names, and a session's sweep must never take the
 * objects of a live session in another namespace, whose pid it cannot
 * see (nor those of a live session whose pid it sees but which is another
 * process).  The children here are pid 1 of PID namespaces of their own
 * (fork, unshare(CLONE_NEWPID), fork), as in a container.
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
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <tracefs.h>

#include "internal.h"
#include "ktest.h"
#include "lden-trace.h"

#define TRACING "/sys/kernel/tracing"
#define TIMEOUT_MS 30000
#define TARGET_FN "lden_uprobe_target_fn"

static char target[PATH_MAX];

/* What a failed assertion would otherwise leave behind. */
static struct ltr_session *cur;
static char foreign[96];	/* "grp/ev" created outside the library */

/* pid 1 of a PID namespace of its own, holding a session */
struct nschild {
	pid_t pid;		/* the intermediate process, in our namespace */
	int ready_rd;		/* the child's group name, then EOF */
	int cmd_wr;		/* 'k': die by SIGKILL; 'q' or EOF: clean exit */
	char group[LTR_OWNER_NAME_MAX];
};
static struct nschild kids[2];

static bool listed(const char *group, const char *name)
{
	return ktest_probe_listed("uprobe_events", group, name);
}

static bool instance_exists(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), TRACING "/instances/%s", name);
	return stat(path, &st) == 0;
}

/*
 * In the new namespace: a session, a uprobe, maybe an instance; then wait
 * for EOF on @quit_rd.
 */
static void nschild_main(int ready_wr, int quit_rd, bool instance)
{
	struct ltr_session *s = ltr_session__new(NULL);
	char b;

	if (!s) {
		dprintf(ready_wr, "session: %s\n", ltr_last_error());
		_exit(10);
	}
	if (ltr_session__add_uprobe(s, "x", target, TARGET_FN, NULL, false)) {
		dprintf(ready_wr, "uprobe: %s\n", ltr_last_error());
		_exit(11);
	}
	if (instance && !ltr_session_instance(s)) {
		dprintf(ready_wr, "instance: %s\n", ltr_last_error());
		_exit(12);
	}
	dprintf(ready_wr, "%s\n", ltr_session__group(s));
	close(ready_wr);
	while (read(quit_rd, &b, 1) > 0)
		;
	ltr_session__free(s);
	_exit(0);
}

/*
 * The process between: it is in our namespace, so it can SIGKILL the
 * child (the init of a namespace ignores the signals it sends itself).
 */
static void nschild_middle(int ready_wr, int cmd_rd, bool instance)
{
	int quit[2], status;
	pid_t inner;
	char b = 0;

	if (unshare(CLONE_NEWPID) < 0) {
		dprintf(ready_wr, "unshare: %m\n");
		_exit(20);
	}
	if (pipe2(quit, O_CLOEXEC) < 0)
		_exit(21);
	inner = fork();
	if (inner < 0)
		_exit(22);
	if (inner == 0) {
		close(quit[1]);
		close(cmd_rd);
		nschild_main(ready_wr, quit[0], instance);
	}
	close(ready_wr);
	close(quit[0]);
	if (read(cmd_rd, &b, 1) == 1 && b == 'k')
		kill(inner, SIGKILL);	/* a crash: nothing removed */
	close(quit[1]);
	if (waitpid(inner, &status, 0) != inner)
		_exit(23);
	_exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) :
				    WEXITSTATUS(status));
}

static void nschild_start(struct nschild *c, bool instance)
{
	int ready[2], cmd[2];
	struct pollfd p;
	ssize_t n;

	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(cmd, O_CLOEXEC), 0);
	c->pid = fork();
	assert_true(c->pid >= 0);
	if (c->pid == 0) {
		close(ready[0]);
		close(cmd[1]);
		for (int i = 0; i < 2; i++)
			if (kids[i].pid > 0) {
				close(kids[i].cmd_wr);
				close(kids[i].ready_rd);
			}
		nschild_middle(ready[1], cmd[0], instance);
	}
	close(ready[1]);
	close(cmd[0]);
	c->ready_rd = ready[0];
	c->cmd_wr = cmd[1];
	p = (struct pollfd){ .fd = c->ready_rd, .events = POLLIN };
	assert_int_equal(poll(&p, 1, TIMEOUT_MS), 1);
	n = read(c->ready_rd, c->group, sizeof(c->group) - 1);
	assert_true(n > 0);
	c->group[n] = '\0';
	if (!ltr_owner_name_match(c->group, strcspn(c->group, "\n")))
		fail_msg("child in a new PID namespace: %s", c->group);
	c->group[strcspn(c->group, "\n")] = '\0';
}

/* Tells the child what to do; returns the intermediate's exit status. */
static int nschild_end(struct nschild *c, char how)
{
	int status;

	if (c->pid <= 0)
		return -1;
	if (write(c->cmd_wr, &how, 1) != 1)
		fail_msg("the child's middle process is gone");
	close(c->cmd_wr);
	close(c->ready_rd);
	assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
	c->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int teardown(void **state)
{
	for (int i = 0; i < 2; i++)
		if (kids[i].pid > 0)
			nschild_end(&kids[i], 'q');
	ltr_session__free(cur);
	cur = NULL;
	ktest_remove_probe("uprobe_events", foreign);
	ltr_sweep_stale_groups(TRACING);
	return 0;
}

/* ------------------------------------------------------------------ */

static void names(void **state)
{
	struct { const char *name; bool ours; } cases[] = {
		{ "lden_4026531836_1", true },
		{ "lden_0_42", true },
		{ "lden_42", false },		/* before namespaces: not ours */
		{ "lden_1_2_x", false },
		{ "lden__2", false },
		{ "lden_1_", false },
		{ "lden_1a_2", false },
		{ "xlden_1_2", false },
		{ "lden_1_-2", false },
		{ "lden_123456789012345678901_2", false },
	};
	char want[LTR_OWNER_NAME_MAX];
	struct stat st;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (ltr_owner_name_match(cases[i].name, strlen(cases[i].name)) !=
		    cases[i].ours)
			fail_msg("'%s' taken as %s", cases[i].name,
				 cases[i].ours ? "another tool's" : "lden's");

	assert_int_equal(stat("/proc/self/ns/pid", &st), 0);
	snprintf(want, sizeof(want), "lden_%llu_%d",
		 (unsigned long long)st.st_ino, (int)getpid());
	cur = ltr_session__new(NULL);
	assert_non_null(cur);
	assert_string_equal(ltr_session__group(cur), want);
}

/*
 * Two sessions, each pid 1 of its own namespace, at once: different
 * names, both work; a sweep from here leaves both, then takes the one that
 * died (its probe and its instance), and only that one.
 */
static void two_pid_ones(void **state)
{
	struct ltr_event *held;
	char path[PATH_MAX];
	int tfd;

	nschild_start(&kids[0], true);
	nschild_start(&kids[1], true);
	assert_non_null(strstr(kids[0].group, "_1"));
	assert_string_equal(kids[0].group + strlen(kids[0].group) - 2, "_1");
	assert_string_equal(kids[1].group + strlen(kids[1].group) - 2, "_1");
	assert_string_not_equal(kids[0].group, kids[1].group);
	for (int i = 0; i < 2; i++) {
		assert_true(listed(kids[i].group, "x"));
		assert_true(instance_exists(kids[i].group));
	}

	/* alive, in namespaces whose pids we cannot see: kept */
	assert_true(ltr_sweep_stale_groups(TRACING) >= 0);
	for (int i = 0; i < 2; i++) {
		assert_true(listed(kids[i].group, "x"));
		assert_true(instance_exists(kids[i].group));
	}

	/*
	 * one dies without cleaning up: its objects stay until a sweep.  Any
	 * lden starting on this machine meanwhile sweeps too, so hold them in
	 * use first (a perf fd on the probe, a file of the instance open):
	 * every sweep, ours included, must then leave them
	 */
	cur = ltr_session__new(NULL);
	assert_non_null(cur);
	held = ltr_event__open(cur, kids[0].group, "x", NULL);
	if (!held)
		fail_msg("open %s/x: %s", kids[0].group, ltr_last_error());
	snprintf(path, sizeof(path), TRACING "/instances/%s/trace",
		 kids[0].group);
	tfd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(tfd >= 0);
	assert_int_equal(nschild_end(&kids[0], 'k'), 128 + SIGKILL);
	assert_true(ltr_sweep_stale_groups(TRACING) >= 0);
	assert_true(listed(kids[0].group, "x"));
	assert_true(instance_exists(kids[0].group));
	/*
	 * let go: the next sweep (ours, or another lden's) takes them.  A
	 * sweep passes over what another holds locked at that moment (a
	 * sweep of another lden's start or lden-sweep, the state snapshot
	 * of a test beside this one), and that other sweep may have tried
	 * while we still held them: so sweep until they are gone, at most
	 * 5 s, the live one's kept after each sweep
	 */
	ltr_event__close(held);
	close(tfd);
	for (int tries = 0; tries < 100; tries++) {
		assert_true(ltr_sweep_stale_groups(TRACING) >= 0);
		assert_true(listed(kids[1].group, "x"));
		assert_true(instance_exists(kids[1].group));
		if (!listed(kids[0].group, NULL) &&
		    !instance_exists(kids[0].group))
			break;
		poll(NULL, 0, 50);
	}
	assert_false(listed(kids[0].group, NULL));
	assert_false(instance_exists(kids[0].group));
	ltr_session__free(cur);
	cur = NULL;

	/* the other ends cleanly: nothing left */
	assert_int_equal(nschild_end(&kids[1], 'q'), 0);
	assert_false(listed(kids[1].group, NULL));
	assert_false(instance_exists(kids[1].group));
}

/*
 * The other way round: a session in a new namespace starts (and sweeps)
 * while ours lives; our pid does not exist there, and our probe and
 * instance must survive its sweep.  A group named as lden named them
 * before namespaces ("lden_<pid>", no process holds it) is not lden's to
 * take: nothing proves it dead.
 */
static void container_sweep_keeps_ours(void **state)
{
	struct tracefs_dynevent *dyn;
	char group[LTR_OWNER_NAME_MAX];
	uint64_t off;

	cur = ltr_session__new(NULL);
	assert_non_null(cur);
	snprintf(group, sizeof(group), "%s", ltr_session__group(cur));
	assert_int_equal(ltr_session__add_uprobe(cur, "mine", target, TARGET_FN,
						 NULL, false),
			 0);
	assert_non_null(ltr_session_instance(cur));

	assert_int_equal(ltr_elf_symbol_offset(target, TARGET_FN, &off), 0);
	dyn = tracefs_uprobe_alloc("lden_999999999", "old", target, off, NULL);
	assert_non_null(dyn);
	snprintf(foreign, sizeof(foreign), "lden_999999999/old");
	assert_int_equal(tracefs_dynevent_create(dyn), 0);
	tracefs_dynevent_free(dyn);

	nschild_start(&kids[0], false);
	assert_true(listed(group, "mine"));
	assert_true(instance_exists(group));
	assert_true(listed("lden_999999999", "old"));
	assert_int_equal(nschild_end(&kids[0], 'q'), 0);

	ltr_session__free(cur);
	cur = NULL;
	assert_false(listed(group, NULL));
	assert_false(instance_exists(group));
	assert_true(listed("lden_999999999", "old"));
}

/*
 * A sweep that takes a directory between its creation and its owner's
 * lock: the owner waits for the sweep's lock, then is told the directory
 * is gone (-ENOENT), so that it creates it again.  An owned directory is
 * not swept.
 */
static void newborn_taken(void **state)
{
	char name[LTR_OWNER_NAME_MAX], path[PATH_MAX];
	int sweeper, owner;

	/* a name no session can have: our pid in namespace inode 0 */
	snprintf(name, sizeof(name), "lden_0_%d", (int)getpid());
	snprintf(path, sizeof(path), TRACING "/instances/%s", name);
	assert_int_equal(mkdir(path, 0750), 0);

	/* as lden does: another lden's sweep may take it before the lock */
	for (int tries = 0; (owner = ltr_owner_lock(path)) == -ENOENT &&
			    tries < 5; tries++)
		assert_int_equal(mkdir(path, 0750), 0);
	assert_true(owner >= 0);
	assert_true(ltr_sweep_stale_groups(TRACING) >= 0);
	assert_true(instance_exists(name));
	close(owner);

	/* a sweep holds it; it removes it, then lets go */
	sweeper = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(sweeper >= 0);
	assert_int_equal(flock(sweeper, LOCK_EX | LOCK_NB), 0);
	if (fork() == 0) {
		/* the owner, meanwhile (the sweep's lock is not its own) */
		close(sweeper);
		_exit(ltr_owner_lock(path) == -ENOENT ? 0 : 1);
	}
	assert_int_equal(rmdir(path), 0);
	close(sweeper);
	{
		int status;

		assert_true(wait(&status) > 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}

	/* held, then let go: swept (by us, or by another lden first) */
	assert_int_equal(mkdir(path, 0750), 0);
	for (int tries = 0; (owner = ltr_owner_lock(path)) == -ENOENT &&
			    tries < 5; tries++)
		assert_int_equal(mkdir(path, 0750), 0);
	assert_true(owner >= 0);
	close(owner);
	assert_true(ltr_sweep_stale_groups(TRACING) >= 0);
	assert_false(instance_exists(name));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(names, teardown),
		cmocka_unit_test_teardown(two_pid_ones, teardown),
		cmocka_unit_test_teardown(container_sweep_keeps_ours, teardown),
		cmocka_unit_test_teardown(newborn_taken, teardown),
	};
	struct stat st;

	ktest_require_tracing();
	if (stat(TRACING "/uprobe_events", &st) < 0) {
		printf("SKIP: no uprobe_events\n");
		return KTEST_SKIP;
	}
	if (unshare(0) < 0 || access("/proc/self/ns/pid", F_OK) < 0) {
		printf("SKIP: no PID namespaces\n");
		return KTEST_SKIP;
	}
	snprintf(target, sizeof(target), "%s",
		 ktest_helper_path(argv[0], "uprobe-target"));
	if (!realpath(ktest_helper_path(argv[0], "uprobe-target"), target)) {
		printf("SKIP: no uprobe-target beside the test\n");
		return KTEST_SKIP;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
