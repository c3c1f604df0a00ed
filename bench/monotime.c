// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * monotime: CLOCK_MONOTONIC timestamps for bench/latency.sh.
 *
 *   monotime              print the time now, in ns
 *   monotime kill         wait for a line on stdin (the go signal), then
 *                         take the time and call kill(getpid(), 0) once:
 *                         one syscalls:sys_enter_kill event at a known
 *                         moment; prints the time taken just before it
 *   monotime spawn CMD    take the time, then fork and run /bin/sh -c CMD
 *                         (as lden notify runs its --script), wait for
 *                         it, print the time taken before the fork
 *
 * All times are CLOCK_MONOTONIC in ns, one number and a newline on
 * stdout.  "monotime > FILE" as a script records when the script ran.
 * Exit status 1 on a bad use, 2 if a call fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
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

static int usage(void)
{
	fputs("usage: monotime [kill | spawn COMMAND]\n", stderr);
	return 1;
}

int main(int argc, char **argv)
{
	long long t;

	if (argc == 1) {
		t = now_ns();
	} else if (argc == 2 && !strcmp(argv[1], "kill")) {
		char line[64];

		if (!fgets(line, sizeof(line), stdin)) {
			fputs("monotime: no go signal on stdin\n", stderr);
			return 2;
		}
		t = now_ns();
		if (kill(getpid(), 0) < 0) {
			fprintf(stderr, "monotime: kill: %s\n", strerror(errno));
			return 2;
		}
	} else if (argc == 3 && !strcmp(argv[1], "spawn")) {
		pid_t pid;
		int status;

		fflush(NULL);
		t = now_ns();
		pid = fork();
		if (pid < 0) {
			fprintf(stderr, "monotime: fork: %s\n", strerror(errno));
			return 2;
		}
		if (pid == 0) {
			execl("/bin/sh", "sh", "-c", argv[2], (char *)NULL);
			_exit(127);
		}
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				return 2;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fputs("monotime: the command failed\n", stderr);
			return 2;
		}
	} else {
		return usage();
	}
	printf("%lld\n", t);
	return fflush(stdout) ? 2 : 0;
}
