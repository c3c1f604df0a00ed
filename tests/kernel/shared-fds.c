// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Descriptors shared, not copied, by a child made with
 * clone(CLONE_FILES), for lden io's tests.
 *
 *   shared-fds DIR
 *
 * Three children, each made with clone(CLONE_FILES | SIGCHLD), so that
 * it has its parent's descriptor table itself, not a copy (the parent
 * waits for each before going on):
 *
 *  1. the parent opens DIR/decoy (fd N); the child closes N and opens
 *     DIR/target, which gets N again; the parent then writes 1000 bytes
 *     to N: DIR/target's (the child's close and open were the parent's
 *     too);
 *  2. the child calls unshare(CLONE_FILES), which gives it a table of
 *     its own, then closes N and opens DIR/other (N again, in its own
 *     table); the parent writes 2000 bytes to N: still DIR/target's;
 *  3. the parent opens DIR/cloexec close-on-exec (fd M); the child
 *     execs /bin/true, which gives it a table of its own before closing
 *     the close-on-exec ones: the parent's M stays open, and its 3000
 *     bytes are DIR/cloexec's.
 *
 * Exits 0, or 1 when a call went otherwise than said.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *dir;
static int nfd;
static char stack[3][64 * 1024] __attribute__((aligned(16)));

static int open_in(const char *name, int flags)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return open(path, flags | O_WRONLY | O_CREAT | O_TRUNC, 0600);
}

/* 1: the parent's N is now DIR/target */
static int reopen(void *arg)
{
	(void)arg;
	if (close(nfd) < 0 || open_in("target", 0) != nfd)
		_exit(1);
	_exit(0);
}

/* 2: in a table of its own: the parent's N is left alone */
static int unshared(void *arg)
{
	(void)arg;
	if (unshare(CLONE_FILES) < 0 || close(nfd) < 0 ||
	    open_in("other", 0) != nfd)
		_exit(1);
	_exit(0);
}

/* 3: exec gives it a table of its own, then closes M there */
static int execs(void *arg)
{
	(void)arg;
	execl("/bin/true", "true", (char *)NULL);
	_exit(1);
}

static int child(int (*fn)(void *), char *st)
{
	int status;
	pid_t pid = clone(fn, st + 64 * 1024, CLONE_FILES | SIGCHLD, NULL);

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static char buf[3000];
	int mfd;

	if (argc != 2)
		return 2;
	dir = argv[1];
	memset(buf, 'x', sizeof(buf));
	nfd = open_in("decoy", 0);
	if (nfd < 0 || child(reopen, stack[0]) < 0 ||
	    write(nfd, buf, 1000) != 1000)
		return 1;
	if (child(unshared, stack[1]) < 0 || write(nfd, buf, 2000) != 2000)
		return 1;
	mfd = open_in("cloexec", O_CLOEXEC);
	if (mfd < 0 || child(execs, stack[2]) < 0 ||
	    write(mfd, buf, 3000) != 3000)
		return 1;
	return 0;
}
