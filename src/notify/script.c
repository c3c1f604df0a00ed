// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden notify's --script: the child, its environment, its end (see
 * script.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "number.h"
#include "script.h"

static void set_env_u64(const char *name, const char *what, uint64_t v)
{
	char key[LDEN_ENV_NAME_LEN + 32], val[32];

	snprintf(key, sizeof(key), "LDEN_%s_%s", name, what);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)v);
	setenv(key, val, 1);
}

/* In the child: the numbers in the environment, then the shell. */
static void run_child(const char *command, const struct lden_script_env *env)
{
	char v[64], name[LDEN_ENV_NAME_LEN];

	snprintf(v, sizeof(v), "%.3f", env->elapsed);
	setenv("LDEN_ELAPSED", v, 1);
	snprintf(v, sizeof(v), "%d", env->fired);
	setenv("LDEN_FIRED", v, 1);
	setenv("LDEN_EXPRESSION", env->expression, 1);
	for (int i = 0; i < env->nevents; i++) {
		const struct lden_stat *st = &env->st[i];

		lden_env_name_among(env->st[0].label, sizeof(env->st[0]),
				    env->nevents, i, name, sizeof(name));
		set_env_u64(name, "COUNT", st->count);
		if (st->has_size)
			set_env_u64(name, "SIZE", st->size);
		/* past 2^64 - 1 (number.h): SIZE is a floor */
		if (st->has_size && lden_u64_over(st->size))
			set_env_u64(name, "SIZE_OVERFLOW", 1);
		set_env_u64(name, "SPEED", (uint64_t)st->speed);
		set_env_u64(name, "LOST", st->lost);
		set_env_u64(name, "MISSED", st->missed);
		if (st->joined)
			set_env_u64(name, "UNSIZED", st->unsized);
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	execl("/bin/sh", "sh", "-c", command, (char *)NULL);
	_exit(127);
}

pid_t lden_script__start(const char *command, const struct lden_script_env *env)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		run_child(command, env);
	return pid;
}

int lden_script__wait(pid_t pid, int *status)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	*status = st;
	return 0;
}

void lden_script__print_status(FILE *out, int status)
{
	if (WIFEXITED(status))
		fprintf(out, "lden: script exited with status %d\n",
			WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(out, "lden: script killed by signal %d\n",
			WTERMSIG(status));
}
