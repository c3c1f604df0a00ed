// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden notify's --script: the child, its environment, its end (see
 * script.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "proc.h"
#include "number.h"
#include "script.h"

/* Seconds a script stopped with lden has to end after its SIGTERM. */
#define LDEN_SCRIPT_GRACE 2.0

static void set_env_u64(const char *name, const char *what, uint64_t v)
{
	char key[LDEN_ENV_NAME_LEN + 32], val[32];

	snprintf(key, sizeof(key), "LDEN_%s_%s", name, what);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)v);
	setenv(key, val, 1);
}

/* LDEN_NAME_WHAT not given: none inherited from lden's environment. */
static void unset_env(const char *name, const char *what)
{
	char key[LDEN_ENV_NAME_LEN + 32];

	snprintf(key, sizeof(key), "LDEN_%s_%s", name, what);
	unsetenv(key);
}

/* In the child: the numbers in the environment, then the shell. */
static void run_child(const char *command, const struct lden_script_env *env,
		      bool stdout_to_stderr)
{
	char v[64], name[LDEN_ENV_NAME_LEN];
	int fd;

	/* a group of its own: stopping it stops what it started too */
	setpgid(0, 0);
	/*
	 * no terminal input: in a group of its own it is not the
	 * terminal's foreground, where a read of the terminal stops it
	 * (SIGTTIN) for good; /dev/null says end of file at once
	 */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, 0) < 0)
		_exit(127);
	if (fd != 0)
		close(fd);
	/* lden's stdout is JSON lines: the script writes to stderr */
	if (stdout_to_stderr && dup2(2, 1) < 0)
		_exit(127);
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
		/*
		 * what this run does not give is not lden's own environment's
		 * either (a script that runs lden notify, an exec of lden
		 * watch: their values for the same event)
		 */
		if (!st->has_size) {
			unset_env(name, "SIZE");
			unset_env(name, "SIZE_VALID");
		}
		if (!st->has_size || !lden_u64_over(st->size))
			unset_env(name, "SIZE_OVERFLOW");
		if (!st->joined)
			unset_env(name, "UNSIZED");
		if (st->has_size) {
			set_env_u64(name, "SIZE", st->size);
			/* 0: the guard stopped it, SIZE is its last value */
			set_env_u64(name, "SIZE_VALID", !st->size_stopped);
			/* past 2^64 - 1 (number.h): SIZE is a floor */
			if (lden_u64_over(st->size))
				set_env_u64(name, "SIZE_OVERFLOW", 1);
		}
		/* rounded as the table shows it (an average has a fraction) */
		set_env_u64(name, "SPEED", (uint64_t)llround(st->speed));
		/* 1: SPEED is an average over more than the last second */
		set_env_u64(name, "SPEED_ESTIMATED", st->win.estimated);
		set_env_u64(name, "LOST", st->lost);
		/* 1: LOST is the shared ftrace ring's, as on the others
		 * with 1: LDEN_LOST_TOTAL counts it once */
		set_env_u64(name, "LOST_SHARED", st->lost_shared);
		set_env_u64(name, "MISSED", st->missed);
		if (st->joined)
			set_env_u64(name, "UNSIZED", st->unsized);
	}
	snprintf(v, sizeof(v), "%llu",
		 (unsigned long long)lden_lost_total(env->st, env->nevents));
	setenv("LDEN_LOST_TOTAL", v, 1);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	execl("/bin/sh", "sh", "-c", command, (char *)NULL);
	_exit(127);
}

pid_t lden_script__start(const char *command, const struct lden_script_env *env,
			 bool stdout_to_stderr)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		run_child(command, env, stdout_to_stderr);
	/* in the parent too: no race with a kill of the group */
	if (pid > 0)
		setpgid(pid, pid);
	return pid;
}

/* lden_proc__wait_until()'s stop: the signal handler's flag */
static bool flag_set(void *ctx)
{
	const volatile sig_atomic_t *stop = ctx;

	return stop && *stop;
}

int lden_script__wait(pid_t pid, const volatile sig_atomic_t *stop,
		      double deadline, int *status,
		      enum lden_script_stop *stopped)
{
	int rc = lden_proc__wait_until(pid, deadline, flag_set, (void *)stop,
				       status);

	*stopped = LDEN_SCRIPT_ENDED;
	if (rc)
		return rc < 0 ? -1 : 0;
	/* lden is stopping: the script (and what it started) too */
	*stopped = flag_set((void *)stop) ? LDEN_SCRIPT_STOPPED
					 : LDEN_SCRIPT_TIME_UP;
	kill(-pid, SIGTERM);
	/* a stopped member (SIGSTOP, SIGTSTP) would hold SIGTERM pending */
	kill(-pid, SIGCONT);
	rc = lden_proc__wait_until(pid, lden_now() + LDEN_SCRIPT_GRACE, NULL,
				   NULL, status);
	if (rc)
		return rc < 0 ? -1 : 0;
	kill(-pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

static const char *stop_text(enum lden_script_stop stopped)
{
	switch (stopped) {
	case LDEN_SCRIPT_STOPPED:
		return " (lden was stopped)";
	case LDEN_SCRIPT_TIME_UP:
		return " (lden's --time was up)";
	default:
		return "";
	}
}

void lden_script__print_status(FILE *out, int status,
			       enum lden_script_stop stopped)
{
	const char *why = stop_text(stopped);

	if (WIFEXITED(status))
		fprintf(out, "lden: script exited with status %d%s\n",
			WEXITSTATUS(status), why);
	else if (WIFSIGNALED(status))
		fprintf(out, "lden: script killed by signal %d%s\n",
			WTERMSIG(status), why);
}

void lden_script__print_json(FILE *out, int fired, int status,
			     enum lden_script_stop stopped)
{
	fprintf(out, "{\"type\":\"script\",\"fired\":%d,", fired);
	if (WIFEXITED(status))
		fprintf(out, "\"status\":%d", WEXITSTATUS(status));
	else
		fprintf(out, "\"signal\":%d", WTERMSIG(status));
	fprintf(out, ",\"stopped_by_lden\":%s%s}\n", stopped ? "true" : "false",
		stopped == LDEN_SCRIPT_TIME_UP ? ",\"time_up\":true" : "");
}
