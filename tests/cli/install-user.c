// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A program of someone else's, built against the installed liblden-trace
 * (pkg-config --cflags --libs liblden-trace): its child forks exactly
 * five times, and it prints "forks 5" counted by the kernel.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lden-trace.h>

#define NFORKS 5

int main(void)
{
	struct ltr_event_opts o = { .mode = LTR_MODE_COUNT };
	struct ltr_session *s;
	struct ltr_event *ev;
	uint64_t count = 0;
	int go[2], status;
	pid_t child;
	char c;

	s = ltr_session__new(NULL);
	if (!s) {
		fprintf(stderr, "install-user: %s\n", ltr_last_error());
		return 1;
	}
	printf("tracing %s\n", ltr_session__tracing_dir(s));
	if (pipe(go) < 0)
		return 1;
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		/* forks only once the counter is on */
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		for (int i = 0; i < NFORKS; i++) {
			pid_t p = fork();

			if (p == 0)
				_exit(0);
			if (p > 0)
				waitpid(p, NULL, 0);
		}
		_exit(0);
	}
	o.pid = child;
	ev = ltr_event__open(s, "sched", "sched_process_fork", &o);
	if (!ev || ltr_session__enable(s) < 0) {
		fprintf(stderr, "install-user: %s\n", ltr_last_error());
		kill(child, SIGKILL);
		return 1;
	}
	if (write(go[1], "x", 1) != 1)
		return 1;
	waitpid(child, &status, 0);
	if (ltr_event__count(ev, &count) < 0) {
		fprintf(stderr, "install-user: %s\n", ltr_last_error());
		return 1;
	}
	printf("forks %llu\n", (unsigned long long)count);
	ltr_session__free(s);
	return count == NFORKS && WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 1;
}
