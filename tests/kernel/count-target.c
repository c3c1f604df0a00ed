// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Workloads that know how many events they cause, for the kernel matrix's
 * shell tests (tests/kernel-matrix/test-hist, test-perf-exact): busybox
 * has no python there.
 *
 *   count-target writes FD N PROCS
 *	PROCS processes at once, each writing 1, 2, ... N bytes to FD (a
 *	dup of /dev/null): PROCS * N write(2) calls on FD, of PROCS *
 *	N(N+1)/2 bytes
 *   count-target fixed FD K N PROCS
 *	PROCS processes at once, each making N write(2) calls of K bytes
 *	to FD: a steady load whose size is always K times its count; PROCS
 *	0: the writes in this process, no child (a kill stops them all)
 *   count-target storm FD K PROCS
 *	PROCS short-lived children forked one after the other, never
 *	waited for until all are made, each writing 1 .. K bytes to FD and
 *	exiting at once
 *   count-target joined FD N
 *	for i = 1 .. N: write(FD, buf + i, i), then pwrite(FD, buf + i, 1, 0):
 *	each pwrite's buffer is its write's, a key to join them by
 *   count-target move CGA NA CGB NB
 *	moves itself into the cgroup directory CGA, makes NA getppid(2)
 *	calls, moves into CGB, makes NB more
 *
 * Exits 0, or 1 with a line on stderr when a call failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "count-target: %s: %s\n", what, strerror(errno));
	return 1;
}

static char *buf;

/* @fd on /dev/null */
static int null_on(int fd)
{
	int n = open("/dev/null", O_WRONLY);

	if (n < 0)
		return -1;
	if (n != fd && (dup2(n, fd) < 0 || close(n) < 0))
		return -1;
	return 0;
}

static int write_up_to(int fd, long n)
{
	for (long i = 1; i <= n; i++)
		if (write(fd, buf, (size_t)i) != i)
			return -1;
	return 0;
}

/* "fixed": the bytes of every write (0: 1, 2, ... N, write_up_to()) */
static long fixed_k;

static int write_fixed(int fd, long n)
{
	for (long i = 1; i <= n; i++)
		if (write(fd, buf, (size_t)fixed_k) != fixed_k)
			return -1;
	return 0;
}

static int procs(int fd, long n, long nproc)
{
	int rc = 0, status;
	pid_t pid;

	for (long p = 0; p < nproc; p++) {
		pid = fork();
		if (pid < 0)
			return die("fork");
		if (pid == 0)
			_exit((fixed_k ? write_fixed(fd, n) :
					 write_up_to(fd, n)) ? 2 : 0);
	}
	while ((pid = wait(&status)) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			rc = 1;
	if (rc)
		fprintf(stderr, "count-target: a child failed\n");
	return rc;
}

static int move_to(const char *cg)
{
	char path[4096], pid[32];
	int fd, len;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	len = snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (write(fd, pid, (size_t)len) != len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

int main(int argc, char **argv)
{
	long n, m;
	int fd;

	if (argc == 6 && !strcmp(argv[1], "move")) {
		n = atol(argv[3]);
		m = atol(argv[5]);
		if (move_to(argv[2]) < 0)
			return die(argv[2]);
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		if (move_to(argv[4]) < 0)
			return die(argv[4]);
		for (long i = 0; i < m; i++)
			syscall(SYS_getppid);
		return 0;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: count-target writes|storm FD N PROCS | fixed FD K N PROCS | joined FD N | move CGA NA CGB NB\n");
		return 2;
	}
	fd = atoi(argv[2]);
	n = atol(argv[3]);
	buf = calloc(1, (size_t)n + 2);
	if (!buf || n < 0)
		return die("calloc");
	if (null_on(fd) < 0)
		return die("/dev/null");
	if (argc == 6 && !strcmp(argv[1], "fixed")) {
		fixed_k = n;
		if (fixed_k < 1) {
			fprintf(stderr, "count-target: K must be 1 or more\n");
			return 2;
		}
		if (atol(argv[5]) == 0)
			return write_fixed(fd, atol(argv[4])) ? die("write") : 0;
		return procs(fd, atol(argv[4]), atol(argv[5]));
	}
	if (argc == 5 && !strcmp(argv[1], "writes"))
		return procs(fd, n, atol(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "storm"))
		return procs(fd, n, atol(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "joined")) {
		for (long i = 1; i <= n; i++)
			if (write(fd, buf + i, (size_t)i) != i ||
			    pwrite(fd, buf + i, 1, 0) != 1)
				return die("write");
		return 0;
	}
	fprintf(stderr, "count-target: bad arguments\n");
	return 2;
}
