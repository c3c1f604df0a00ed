// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * workload: the benchmark's event source.
 *
 *   workload [N]        (default N = 2000000)
 *   workload N fork     (bench/visualize.sh's fork-heavy workload)
 *
 * Runs N x (openat(AT_FDCWD, "/dev/null", O_RDONLY|O_CLOEXEC) + close),
 * i.e. exactly N syscalls:sys_enter_openat events when linked statically
 * (a dynamic build adds the loader's own openat calls, before the loop).
 * With "fork": N x (fork, the child _exit(0)s at once, waitpid): N
 * sched:sched_process_fork and sched_process_exit events, and the page
 * and kmalloc allocations, page faults and context switches of a fork.
 *
 * Prints one line of key=value pairs on stdout, for bench/run.sh:
 *
 *   n=2000000 elapsed_ns=1377986706 ns_per_op=689.0 pid=15242 utime_s=0.210 stime_s=1.160
 *
 * elapsed_ns covers only the N-iteration loop (CLOCK_MONOTONIC), not
 * process start-up or exit; utime_s/stime_s are getrusage(RUSAGE_SELF)
 * for the whole process.  Exit status 2 if any call fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int open_loop(long n)
{
	for (long i = 0; i < n; i++) {
		int fd = openat(AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			fprintf(stderr, "workload: openat /dev/null: %s\n",
				strerror(errno));
			return 2;
		}
		close(fd);
	}
	return 0;
}

static int fork_loop(long n)
{
	for (long i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, "workload: fork: %s\n", strerror(errno));
			return 2;
		}
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &status, 0) != pid || status != 0) {
			fprintf(stderr, "workload: waitpid: %s\n", strerror(errno));
			return 2;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	long n = 2000000;
	long long t0, t1;
	struct rusage ru;
	int rc;

	if (argc > 3 || (argc == 3 && strcmp(argv[2], "fork") &&
			 strcmp(argv[2], "openat"))) {
		fprintf(stderr, "usage: %s [N [openat|fork]]\n", argv[0]);
		return 1;
	}
	if (argc >= 2) {
		char *end;

		errno = 0;
		n = strtol(argv[1], &end, 10);
		if (errno || *end || n <= 0) {
			fprintf(stderr, "workload: bad N '%s'\n", argv[1]);
			return 1;
		}
	}

	t0 = now_ns();
	rc = argc == 3 && !strcmp(argv[2], "fork") ? fork_loop(n) : open_loop(n);
	if (rc)
		return rc;
	t1 = now_ns();

	getrusage(RUSAGE_SELF, &ru);
	printf("n=%ld elapsed_ns=%lld ns_per_op=%.1f pid=%d utime_s=%.3f stime_s=%.3f\n",
	       n, t1 - t0, (double)(t1 - t0) / (double)n, (int)getpid(),
	       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	return fflush(stdout) ? 2 : 0;
}
