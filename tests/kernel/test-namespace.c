// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ltr_process__namespace() against the live kernel: this process's seven
 * namespaces as /proc/self/ns names them; a process in seven new ones
 * (unshare of user, mount, UTS, IPC, network, cgroup and PID) reports
 * inodes that match its /proc/PID/ns links and differ from this
 * process's; a process that has exited (zombie or reaped) is ESRCH, not
 * another process's value; another user's process is EACCES; a kernel
 * without a kind of namespace (a procfs tree that lacks the link) is
 * EOPNOTSUPP.  The links are read here with readlink(2), the library
 * reads them with stat(2): two ways to the same number.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ktest.h"
#include "lden-trace.h"

/* The inode in the link /proc/PID/ns/NAME ("net:[4026531833]"). */
static uint64_t link_inode(pid_t pid, const char *name)
{
	char path[64], target[64];
	size_t len = strlen(name);
	char *end;
	uint64_t ino;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		fail_msg("readlink %s: %s", path, strerror(errno));
	target[n] = '\0';
	if (strncmp(target, name, len) || strncmp(target + len, ":[", 2))
		fail_msg("%s -> '%s'", path, target);
	ino = strtoull(target + len + 2, &end, 10);
	if (strcmp(end, "]"))
		fail_msg("%s -> '%s'", path, target);
	return ino;
}

static void test_names(void **state)
{
	static const char *const names[] = { "net", "ipc", "uts", "mnt", "pid",
					     "user", "cgroup" };
	enum ltr_ns kind;

	(void)state;
	for (int i = 0; i < LTR_NS_COUNT; i++) {
		assert_string_equal(ltr_ns__name((enum ltr_ns)i), names[i]);
		assert_int_equal(ltr_ns__from_name(names[i], &kind), 0);
		assert_int_equal(kind, i);
	}
	assert_null(ltr_ns__name(LTR_NS_COUNT));
	assert_null(ltr_ns__name((enum ltr_ns)-1));
	assert_int_equal(ltr_ns__from_name("netns", &kind), -EINVAL);
	assert_string_equal(ltr_last_error(),
			    "unknown namespace 'netns' (net, ipc, uts, mnt, pid, user or cgroup)");
	assert_int_equal(ltr_ns__from_name(NULL, &kind), -EINVAL);
}

static void test_self(void **state)
{
	struct ltr_process *p = ltr_process__new(getpid());
	uint64_t ino;

	(void)state;
	assert_non_null(p);
	assert_int_equal(ltr_process__pid(p), getpid());
	for (int i = 0; i < LTR_NS_COUNT; i++) {
		char path[64];

		/* a kernel built without the kind (nobpf: most) says so */
		snprintf(path, sizeof(path), "/proc/self/ns/%s",
			 ltr_ns__name((enum ltr_ns)i));
		ino = 0;
		if (access(path, F_OK) < 0) {
			assert_int_equal(ltr_process__namespace(p, (enum ltr_ns)i, &ino),
					 -EOPNOTSUPP);
			continue;
		}
		assert_int_equal(ltr_process__namespace(p, (enum ltr_ns)i, &ino), 0);
		assert_int_equal(ino, link_inode(getpid(), ltr_ns__name((enum ltr_ns)i)));
	}
	ino = 7;
	assert_int_equal(ltr_process__namespace(p, LTR_NS_COUNT, &ino), -EINVAL);
	assert_int_equal(ino, 7);
	ltr_process__free(p);
	ltr_process__free(NULL);
}

/*
 * A child that unshares all seven kinds, then forks the process under
 * test (the first of the new PID namespace: the child itself stays in
 * this one).  That grandchild blocks on @hold; its pid comes back on
 * @report.
 */
static void unshared_child(int report, int hold)
{
	int flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
		    CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWPID;
	pid_t gc;
	char b;

	if (unshare(flags) < 0)
		_exit(KTEST_SKIP);
	gc = fork();
	if (gc < 0)
		_exit(1);
	if (gc == 0) {
		/* parent gone or a byte: either ends the wait */
		if (read(hold, &b, 1) < 0)
			_exit(1);
		_exit(0);
	}
	if (write(report, &gc, sizeof(gc)) != sizeof(gc))
		_exit(1);
	_exit(waitpid(gc, NULL, 0) == gc ? 0 : 1);
}

static void test_new_namespaces(void **state)
{
	int report[2], hold[2], status;
	struct ltr_process *p, *me;
	pid_t child, gc;

	(void)state;
	assert_int_equal(pipe2(report, O_CLOEXEC), 0);
	assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(report[0]);
		close(hold[1]);
		unshared_child(report[1], hold[0]);
	}
	close(report[1]);
	close(hold[0]);
	if (read(report[0], &gc, sizeof(gc)) != sizeof(gc)) {
		waitpid(child, &status, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == KTEST_SKIP)
			skip();
		fail_msg("the unshared child did not report (status %d)", status);
	}
	close(report[0]);

	p = ltr_process__new(gc);
	me = ltr_process__new(getpid());
	assert_non_null(p);
	assert_non_null(me);
	for (int i = 0; i < LTR_NS_COUNT; i++) {
		const char *name = ltr_ns__name((enum ltr_ns)i);
		uint64_t theirs = 0, mine = 0;

		if (ltr_process__namespace(p, (enum ltr_ns)i, &theirs) < 0)
			fail_msg("%s of %d: %s", name, (int)gc, ltr_last_error());
		assert_int_equal(ltr_process__namespace(me, (enum ltr_ns)i, &mine), 0);
		if (theirs != link_inode(gc, name))
			fail_msg("%s: %" PRIu64 ", the link says %" PRIu64, name,
				 theirs, link_inode(gc, name));
		if (theirs == mine)
			fail_msg("%s: the unshared process shares ours (%" PRIu64 ")",
				 name, mine);
	}
	ltr_process__free(me);
	close(hold[1]);		/* the grandchild exits, then the child */
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* the grandchild has gone with its namespaces */
	assert_int_equal(ltr_process__namespace(p, LTR_NS_NET, &(uint64_t){ 0 }),
			 -ESRCH);
	ltr_process__free(p);
}

/* A zombie and a reaped process are ESRCH; so is a pid nobody has. */
static void test_exited(void **state)
{
	struct ltr_process *p;
	uint64_t ino = 42;
	pid_t child;
	long pid_max;
	FILE *f;

	(void)state;
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	p = ltr_process__new(child);
	assert_non_null(p);
	assert_int_equal(ltr_process__namespace(p, LTR_NS_MNT, &ino), 0);
	assert_int_equal(ino, link_inode(child, "mnt"));
	ino = 42;
	kill(child, SIGKILL);
	/* a zombie once waitid sees it exited, without reaping it */
	assert_int_equal(waitid(P_PID, (id_t)child, &(siginfo_t){ 0 },
				WEXITED | WNOWAIT), 0);
	assert_int_equal(ltr_process__namespace(p, LTR_NS_MNT, &ino), -ESRCH);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(ino, 42);
	assert_non_null(strstr(ltr_last_error(), "has exited"));
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_int_equal(ltr_process__namespace(p, LTR_NS_NET, &ino), -ESRCH);
	assert_int_equal(ino, 42);
	ltr_process__free(p);

	f = fopen("/proc/sys/kernel/pid_max", "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &pid_max), 1);
	fclose(f);
	errno = 0;
	assert_null(ltr_process__new((pid_t)(pid_max + 1)));
	assert_int_equal(errno, ESRCH);
	assert_null(ltr_process__new(0));
	assert_int_equal(errno, EINVAL);
}

/* Not root, not the same user: this (root) process's namespaces are EACCES. */
static void test_permission(void **state)
{
	pid_t me = getpid(), child;
	int status;

	(void)state;
	if (access("/proc/self/ns/net", F_OK) < 0) {
		print_message("SKIP: no network namespaces in this kernel\n");
		skip();
	}
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct ltr_process *p;
		uint64_t ino = 5;
		int rc;

		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		p = ltr_process__new(me);
		if (!p)
			_exit(3);
		rc = ltr_process__namespace(p, LTR_NS_NET, &ino);
		if (rc != -EACCES || ino != 5)
			_exit(4);
		if (!strstr(ltr_last_error(), "permission denied reading the net namespace of process"))
			_exit(5);
		ltr_process__free(p);
		_exit(0);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static char fake[64];

/*
 * A procfs tree where process 123 has links for every kind but cgroup
 * (a kernel without cgroup namespaces), and a uts link whose target is
 * gone (what a zombie's look like).
 */
static int fake_setup(void **state)
{
	char path[128], target[128];

	(void)state;
	snprintf(fake, sizeof(fake), "/tmp/lden-test-ns-%d", (int)getpid());
	snprintf(target, sizeof(target), "%s/123", fake);
	snprintf(path, sizeof(path), "%s/123/ns", fake);
	if (mkdir(fake, 0700) < 0 || mkdir(target, 0700) < 0 ||
	    mkdir(path, 0700) < 0)
		return -1;
	for (int i = 0; i < LTR_NS_CGROUP; i++) {
		const char *name = ltr_ns__name((enum ltr_ns)i);
		int fd;

		snprintf(target, sizeof(target), "%s/%s-target", fake, name);
		snprintf(path, sizeof(path), "%s/123/ns/%s", fake, name);
		if (i != LTR_NS_UTS) {
			fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
			if (fd < 0)
				return -1;
			close(fd);
		}
		if (symlink(target, path) < 0)
			return -1;
	}
	return 0;
}

static int fake_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fake);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_fake_proc(void **state)
{
	struct ltr_process *p = ltr_process__new_at(fake, 123);
	char target[128];
	struct stat st;
	uint64_t ino = 9;

	(void)state;
	assert_non_null(p);
	snprintf(target, sizeof(target), "%s/net-target", fake);
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(ltr_process__namespace(p, LTR_NS_NET, &ino), 0);
	assert_int_equal(ino, st.st_ino);
	ino = 9;
	assert_int_equal(ltr_process__namespace(p, LTR_NS_CGROUP, &ino), -EOPNOTSUPP);
	assert_string_equal(ltr_last_error(), "no cgroup namespaces on this kernel");
	assert_int_equal(ltr_process__namespace(p, LTR_NS_UTS, &ino), -ESRCH);
	assert_int_equal(ino, 9);
	ltr_process__free(p);
	errno = 0;
	assert_null(ltr_process__new_at(fake, 124));
	assert_int_equal(errno, ESRCH);
	assert_string_equal(ltr_last_error(), "no process 124");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_new_namespaces),
		cmocka_unit_test(test_exited),
		cmocka_unit_test(test_permission),
		cmocka_unit_test_setup_teardown(test_fake_proc, fake_setup,
						fake_teardown),
	};

	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return KTEST_SKIP;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
