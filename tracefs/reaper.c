// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Closing perf events in a detached process.
 *
 * The last close of a tracepoint's perf events unregisters lden's probe
 * from the tracepoint and then waits for every CPU to be done with it
 * (tracepoint_synchronize_unregister(), under the kernel's event_mutex):
 * about 20 ms per tracepoint on these machines, one tracepoint after
 * another however many threads close them.  With every catalog event
 * attached that was half a second from Ctrl-C to exit.
 *
 * So a session may hand those fds to a grandchild, detached from the
 * terminal and holding nothing else, which closes them and exits; the
 * caller's own copies then close at once.  The grandchild waits until
 * the caller has closed them (a pipe's end of file): its closes must be
 * the last ones, which are the slow ones.  The events are disabled
 * before: they count and sample nothing while the grandchild works.  It
 * maps none of the rings (the kernel does not copy a perf mapping into a
 * child: VM_DONTCOPY), so no ring or locked memory outlives lden.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/* close(2) on [lo, hi], with close_range() where the kernel has it */
static void close_span(int lo, int hi, long max_fd)
{
	if (lo > hi)
		return;
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned int)lo, (unsigned int)hi, 0) == 0)
		return;
#endif
	if (hi > max_fd)
		hi = (int)max_fd;
	for (int fd = lo; fd <= hi; fd++)
		close(fd);
}

/*
 * In the grandchild: async-signal-safe calls only (the caller may have
 * threads, whose locks a fork copies held).
 */
static void reap(int *keep, int n, int go, long max_fd)
{
	int prev = -1, i;
	char c;

	setsid();
	/* "lden-close" in ps: what is left of an lden that exited */
	prctl(PR_SET_NAME, "lden-close", 0, 0, 0);
	/* nothing of the caller's stays open: no pipe waits on us, and its
	 * standard streams go first, before anything that is slow to close */
	for (int fd = 0; fd <= 2; fd++)
		if (fd != go)
			close(fd);
	/* @go joins the sorted fds kept while the rest is closed */
	i = n;
	while (i > 0 && keep[i - 1] > go) {
		keep[i] = keep[i - 1];
		i--;
	}
	keep[i] = go;
	for (i = 0; i <= n; i++) {
		close_span(prev + 1, keep[i] - 1, max_fd);
		prev = keep[i];
	}
	close_span(prev + 1, 0x7fffffff, max_fd);
	/* end of file: the caller's copies are closed, ours are the last */
	while (read(go, &c, 1) < 0 && errno == EINTR)
		;
	for (i = 0; i <= n; i++)
		close(keep[i]);
	_exit(0);
}

/**
 * ltr_close_detached - have a detached process close @fds
 * @fds: perf fds (sorted here, in place), with room for one more
 * @n:   how many
 * @d:   out: what ltr_detached_release() needs (release -1 when @n is 0)
 *
 * Forks twice: the grandchild, reparented to init, closes every fd but
 * @fds, waits for the release pipe to be closed, closes @fds, and exits;
 * the child exits at once.  From the fork on, the child or the grandchild
 * holds a copy of @fds, so the caller may close its own copies as soon as
 * this returns: they are no longer the last ones.  The child is not waited
 * for here (under load that wait was 20-50 ms of a stop, the child and
 * then the grandchild waiting for a CPU), but by ltr_detached_release(),
 * after the caller's other work.
 *
 * Return: 0, or a negative errno when no process could be made (the
 * caller closes @fds itself).
 */
int ltr_close_detached(int *fds, int n, struct ltr_detached *d)
{
	long max_fd = sysconf(_SC_OPEN_MAX);
	sigset_t all, old;
	int go[2], err = 0;
	pid_t child;

	d->release = -1;
	d->child = -1;
	if (n <= 0)
		return 0;
	if (max_fd < 0 || max_fd > 1 << 20)
		max_fd = 1 << 20;
	qsort(fds, n, sizeof(*fds), cmp_int);
	/* close-on-exec: a command lden starts meanwhile holds no copy */
	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	/* no handler of the caller's runs in the children */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	child = fork();
	if (child == 0) {
		pid_t grandchild = fork();

		if (grandchild == 0) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			reap(fds, n, go[0], max_fd);
		}
		_exit(grandchild < 0 ? 1 : 0);
	}
	if (child < 0)
		err = -errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(go[0]);
	if (err) {
		close(go[1]);
		return err;
	}
	d->release = go[1];
	d->child = child;
	ltr_debug("%d perf events handed to lden-close\n", n);
	return 0;
}

/**
 * ltr_detached_release - let the detached process close its fds, once the
 * caller's copies are closed, and reap the child that made it
 *
 * When the child could not make the grandchild, its own exit closed the
 * fds (slowly), which the wait here waited for.
 */
void ltr_detached_release(struct ltr_detached *d)
{
	int status, rc;

	if (d->release >= 0)
		close(d->release);
	d->release = -1;
	if (d->child <= 0)
		return;
	while ((rc = waitpid(d->child, &status, 0)) < 0 && errno == EINTR)
		;
	/* rc < 0: reaped by another wait of the caller's (ECHILD) */
	if (rc > 0 && (!WIFEXITED(status) || WEXITSTATUS(status)))
		ltr_debug("no lden-close: the perf events were closed by its parent\n");
	d->child = -1;
}
