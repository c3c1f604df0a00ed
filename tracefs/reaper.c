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
 *
 * And sweeping after a process that could not clean up: one killed by
 * SIGKILL (the OOM killer, kill -9) runs no handler, and its probe group
 * and instance stayed, their events on, until the next session's sweep.
 * A watcher, detached as the closer is, waits for the end of a pipe that
 * only the session's process holds and then sweeps (ltr_sweep_at_exit()).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
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

/*
 * Forks twice, every signal blocked meanwhile: the grandchild, reparented
 * to init, runs @fn(@arg), which never returns, with the caller's signal
 * mask and none of its handlers; the child exits at once.  Returns the
 * child's pid, for the caller to reap, or a negative errno.
 */
static pid_t fork_detached(void (*fn)(void *arg), void *arg)
{
	sigset_t all, old;
	pid_t child;
	int err = 0;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	child = fork();
	if (child == 0) {
		pid_t grandchild = fork();

		if (grandchild == 0) {
			for (int sig = 1; sig < NSIG; sig++)
				if (sig != SIGKILL && sig != SIGSTOP)
					signal(sig, SIG_DFL);
			sigprocmask(SIG_SETMASK, &old, NULL);
			fn(arg);
		}
		_exit(grandchild < 0 ? 1 : 0);
	}
	if (child < 0)
		err = -errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return child < 0 ? err : child;
}

struct reap_args {
	int *keep, n, go;
	long max_fd;
};

static void reap_detached(void *arg)
{
	struct reap_args *a = arg;

	reap(a->keep, a->n, a->go, a->max_fd);
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
	struct reap_args a;
	int go[2];
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
	a = (struct reap_args){ fds, n, go[0], max_fd };
	child = fork_detached(reap_detached, &a);
	close(go[0]);
	if (child < 0) {
		close(go[1]);
		return child;
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

/* ------------------------------------------------------------------ */
/* Sweeping after the process, however it ends */

/* how long the watcher waits for the dead process's objects to be free */
#define WATCH_SWEEP_MS 10000
#define WATCH_STEP_MS 50

/* Whether @tracing_dir/@sub/@name exists. */
static bool object_exists(const char *tracing_dir, const char *sub,
			  const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s/%s", tracing_dir, sub, name);
	return stat(path, &st) == 0;
}

/*
 * In the grandchild, made before the caller has threads (see
 * ltr_sweep_at_exit()): wait for @end's end of file, then sweep until
 * the owner @name's group and instance are gone or the time is up.
 */
struct watch_args {
	int end;
	const char *tracing_dir, *name;
	long max_fd;
};

static void watch(void *arg)
{
	struct timespec step = { 0, WATCH_STEP_MS * 1000000L };
	const struct watch_args *a = arg;
	const char *tracing_dir = a->tracing_dir, *name = a->name;
	int fd, end = a->end;
	long max_fd = a->max_fd;
	char c;

	/* no terminal's signal (a pipe's either) */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	setsid();
	prctl(PR_SET_NAME, "lden-sweep", 0, 0, 0);
	/* nothing of the caller's: no pipe or lock of its stays held */
	close_span(0, end - 1, max_fd);
	close_span(end + 1, 0x7fffffff, max_fd);
	/* 0-2 on /dev/null: a message of the sweep's must never go into a
	 * tracefs file that took a free low descriptor */
	fd = open("/dev/null", O_RDWR);
	for (int i = 0; fd >= 0 && i <= 2; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
	if (chdir("/") < 0) {
		/* the mount of the caller's directory stays busy: harmless */
	}
	while (read(end, &c, 1) < 0 && errno == EINTR)
		;
	close(end);
	/* the dead process's last descriptors (its locks) close after the
	 * pipe's, and an object is swept only once no one holds it */
	for (int ms = 0; ms < WATCH_SWEEP_MS; ms += WATCH_STEP_MS) {
		ltr_sweep_stale_groups(tracing_dir);
		if (!object_exists(tracing_dir, "instances", name) &&
		    !object_exists(tracing_dir, "events", name))
			break;
		nanosleep(&step, NULL);
	}
	_exit(0);
}

/**
 * ltr_sweep_at_exit - have this process's tracefs objects removed
 * however it ends
 * @tracing_dir: tracefs mount point
 *
 * Forks twice: the grandchild ("lden-sweep" in ps), in a session of its
 * own and holding nothing of the caller's, waits for the end of a pipe
 * whose other end the caller keeps (close-on-exec, so no command it
 * starts holds it) until it exits, by any means, SIGKILL included; then
 * it removes what no process holds any more (ltr_sweep_stale_groups()),
 * trying again for up to 10 s while the dead process's own descriptors
 * close, and exits.  After a clean exit it finds nothing to remove.
 * Once per process (later calls do nothing); call it before making
 * threads: the grandchild is not limited to async-signal-safe calls.
 *
 * Return: 0, or a negative errno (no watcher: a later session's sweep
 * still removes what this process leaves).
 */
int ltr_sweep_at_exit(const char *tracing_dir)
{
	static int end = -1;
	long max_fd = sysconf(_SC_OPEN_MAX);
	char name[LTR_OWNER_NAME_MAX];
	struct watch_args a;
	int p[2], err, status;
	pid_t child;

	if (end >= 0)
		return 0;
	if (!tracing_dir)
		return ltr_error(EINVAL, "no tracing directory");
	if (max_fd < 0 || max_fd > 1 << 20)
		max_fd = 1 << 20;
	err = ltr_owner_name(name, sizeof(name));
	if (err < 0)
		return err;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	a = (struct watch_args){ p[0], tracing_dir, name, max_fd };
	child = fork_detached(watch, &a);
	close(p[0]);
	if (child < 0) {
		close(p[1]);
		return child;
	}
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	end = p[1];
	ltr_debug("lden-sweep watches this process\n");
	return 0;
}
