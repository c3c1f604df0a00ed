// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Two processes with one pid, one after the other: a child A makes
 * argv[1] lseek(7717) calls and exits; once it is reaped, a child B made
 * with clone3(set_tid = A's pid) (CAP_SYS_ADMIN) makes argv[2] calls and
 * exits.  With argv[3], a cgroup directory, each child moves itself
 * there first (the parent stays out: B starts outside and enters).
 * With PID_REUSE_WAIT_MS in the environment, B waits that long before
 * its calls (past the RCU grace period after which the kernel frees A);
 * with PID_REUSE_GAP_MS, the parent waits that long between reaping A
 * and making B, after a global membarrier (an RCU grace period: A freed
 * before B starts, the kernel's lazy callbacks allowing).  With
 * PID_REUSE_CHILD=N, B (after its wait) starts a child C that waits
 * PID_REUSE_CHILD_WAIT_MS, makes N lseek(7718) calls and exits; B makes
 * its calls once C is reaped, and "child C" is printed first.
 * With PID_REUSE_MOVE, the parent forks A on CPU 1 and makes B on CPU 0:
 * B's fork is in the ring of a CPU lden reads before A's (exit 77 with
 * fewer than 2 CPUs).
 * With PID_REUSE_TAKE=FIFO, B is given not A's pid but the one read from
 * FIFO (a line, once A is reaped): a foreign process's, reaped by the
 * writer just before (its free, an RCU grace period later, may come after
 * B's fork).
 * With PID_REUSE_AWAY=N, A is made N times, one after another (each
 * reaped before the next; B takes the last one's pid), the parent on
 * CPU 1 and each A moving itself to CPU 0 first: its calls, its exit and
 * its free are in a ring lden reads before its fork's; the first N-1 are
 * printed as "a PID" lines (exit 77 with fewer than 2 CPUs).
 * Prints "A B" (the same number) on stdout; exit 77 when the kernel
 * cannot give a chosen pid (before 5.5, or no privilege).
 */
#include <errno.h>
#include <linux/membarrier.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *cgroup;

/* To CPU @cpu when the environment has @var (not empty). */
static void move_to(int cpu, const char *var)
{
	const char *v = getenv(var);
	cpu_set_t set;

	if (!v || !*v)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("pid-reuse: sched_setaffinity");
		exit(77);
	}
}

static void wait_ms(const char *var)
{
	const char *w = getenv(var);
	struct timespec ts;

	if (!w || atoi(w) <= 0)
		return;
	ts.tv_sec = atoi(w) / 1000;
	ts.tv_nsec = (atoi(w) % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

static void calls_on(int fd, int n)
{
	for (int i = 0; i < n; i++)
		lseek(fd, 0, SEEK_SET);
}

static void calls(int n)
{
	char path[4096];
	FILE *f;

	if (cgroup) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
		f = fopen(path, "w");
		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
			perror(path);
			_exit(1);
		}
	}
	for (int i = 0; i < n; i++)
		lseek(7717, 0, SEEK_SET);
}

int main(int argc, char **argv)
{
	struct clone_args ca;
	pid_t a = 0, b, tid;
	int na, nb, st, tries, away;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: pid-reuse NA NB [CGROUP]\n");
		return 2;
	}
	cgroup = argc == 4 ? argv[3] : NULL;
	na = atoi(argv[1]);
	nb = atoi(argv[2]);
	move_to(1, "PID_REUSE_MOVE");
	move_to(1, "PID_REUSE_AWAY");
	away = getenv("PID_REUSE_AWAY") ? atoi(getenv("PID_REUSE_AWAY")) : 0;
	for (int i = 0; i < (away > 1 ? away : 1); i++) {
		if (i) {
			printf("a %d\n", (int)a);
			fflush(stdout);
		}
		a = fork();
		if (a < 0)
			return 1;
		if (a == 0) {
			move_to(0, "PID_REUSE_AWAY");
			calls(na);
			_exit(0);
		}
		if (waitpid(a, &st, 0) != a || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			return 1;
	}
	if (getenv("PID_REUSE_TAKE")) {
		FILE *go = fopen(getenv("PID_REUSE_TAKE"), "r");

		if (!go || fscanf(go, "%d", &a) != 1) {
			perror("pid-reuse: PID_REUSE_TAKE");
			return 1;
		}
		fclose(go);
	}
	if (getenv("PID_REUSE_GAP_MS"))
		syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
	wait_ms("PID_REUSE_GAP_MS");
	move_to(0, "PID_REUSE_MOVE");
	/* the pid is free once A is reaped; another process may take it
	 * first (EEXIST): then the test cannot run here */
	for (tries = 0; tries < 100; tries++) {
		memset(&ca, 0, sizeof(ca));
		tid = a;
		ca.exit_signal = SIGCHLD;
		ca.set_tid = (uintptr_t)&tid;
		ca.set_tid_size = 1;
		b = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
		if (b >= 0 || errno != EEXIST)
			break;
	}
	if (b < 0) {
		fprintf(stderr, "pid-reuse: clone3(set_tid=%d): %s\n", (int)a,
			strerror(errno));
		return errno == ENOSYS || errno == EPERM || errno == E2BIG ||
		       errno == EINVAL || errno == EEXIST ? 77 : 1;
	}
	if (b == 0) {
		const char *nc = getenv("PID_REUSE_CHILD");
		pid_t c;

		wait_ms("PID_REUSE_WAIT_MS");
		if (nc && atoi(nc) > 0) {
			c = fork();
			if (c < 0)
				_exit(1);
			if (c == 0) {
				wait_ms("PID_REUSE_CHILD_WAIT_MS");
				calls_on(7718, atoi(nc));
				_exit(0);
			}
			printf("child %d\n", (int)c);
			fflush(stdout);
			if (waitpid(c, &st, 0) != c || !WIFEXITED(st) ||
			    WEXITSTATUS(st))
				_exit(1);
		}
		calls(nb);
		_exit(0);
	}
	if (waitpid(b, &st, 0) != b || !WIFEXITED(st) || WEXITSTATUS(st))
		return 1;
	printf("%d %d\n", (int)a, (int)b);
	return 0;
}
