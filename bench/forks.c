// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * forks: a fork-heavy workload for bench/visualize.sh.
 *
 *   forks [N]        (default N = 20000)
 *
 * Runs N x (fork, the child _exit(0)s at once, waitpid): N
 * sched:sched_process_fork and N sched:sched_process_exit events, and
 * the allocations, page faults and context switches a fork brings.
 * Prints one line like bench/workload.c:
 *
 *   n=20000 elapsed_ns=1377986706 ns_per_op=68899.4 pid=15242
 *
 * elapsed_ns covers only the loop (CLOCK_MONOTONIC).  Exit status 2 if a
 * call fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = 20000;
	long long t0, t1;

	if (argc == 2) {
		char *end;

		errno = 0;
		n = strtol(argv[1], &end, 10);
		if (errno || *end || n <= 0) {
			fprintf(stderr, "forks: bad N '%s'\n", argv[1]);
			return 1;
		}
	} else if (argc > 2) {
		fprintf(stderr, "usage: %s [N]\n", argv[0]);
		return 1;
	}
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, "forks: fork: %s\n", strerror(errno));
			return 2;
		}
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &status, 0) != pid || status != 0) {
			fprintf(stderr, "forks: waitpid: %s\n", strerror(errno));
			return 2;
		}
	}
	t1 = now_ns();
	printf("n=%ld elapsed_ns=%lld ns_per_op=%.1f pid=%d\n", n, t1 - t0,
	       (double)(t1 - t0) / (double)n, (int)getpid());
	return fflush(stdout) ? 2 : 0;
}
