// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden watch's exec action: a command run with /bin/sh -c, the alert in
 * its environment, killed when it overruns (see actions.h).  The
 * environment is built before the spawn, in the worker: nothing is
 * allocated between fork and exec in a process with threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "number.h"
#include "actions.h"
#include "aggregate.h"
#include "clock.h"
#include "proc.h"

extern char **environ;

struct env {
	char **v;
	int n, cap;
	bool failed;
};

__attribute__((format(printf, 2, 3)))
static void add(struct env *e, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (e->failed)
		return;
	if (e->n + 2 > e->cap) {
		int cap = e->cap ? e->cap * 2 : 64;
		char **v = realloc(e->v, (size_t)cap * sizeof(*v));

		if (!v) {
			e->failed = true;
			return;
		}
		e->v = v;
		e->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		e->failed = true;
		s = NULL;
	}
	va_end(ap);
	if (s)
		e->v[e->n++] = s;
	e->v[e->n] = NULL;
}

/* LDEN_LABEL_SEVERITY=page */
static void add_kv(struct env *e, const char *prefix, const struct lden_kv *kv,
		   int n)
{
	char name[LDEN_ENV_NAME_LEN];

	for (int i = 0; i < n; i++) {
		lden_env_name(kv[i].key, name, sizeof(name));
		add(e, "LDEN_%s_%s=%s", prefix, name, kv[i].value);
	}
}

char **lden_alert__env(const struct lden_alert *a)
{
	struct env e = { 0 };
	char name[LDEN_ENV_NAME_LEN];

	/* lden's own environment, less what the alert sets */
	for (char **p = environ; p && *p; p++)
		if (strncmp(*p, "LDEN_", 5))
			add(&e, "%s", *p);
	add(&e, "LDEN_RULE=%s", a->rule);
	add(&e, "LDEN_STATE=%s", lden_rule_state__name(a->state));
	add(&e, "LDEN_FROM=%s", lden_rule_state__name(a->from));
	add(&e, "LDEN_FIRED=%u", a->fired);
	add(&e, "LDEN_ELAPSED=%.3f", a->elapsed);
	add(&e, "LDEN_EXPRESSION=%s", a->expression);
	add(&e, "LDEN_HOST=%s", a->host);
	if (a->describe)
		add(&e, "LDEN_DESCRIBE=%s", a->describe);
	add_kv(&e, "LABEL", a->labels, a->nlabels);
	add_kv(&e, "ANNOTATION", a->annotations, a->nannotations);
	for (int i = 0; i < a->nvalues; i++) {
		const struct lden_alert_value *v = &a->values[i];

		lden_env_name_among(a->values[0].name, sizeof(a->values[0]),
				    a->nvalues, i, name, sizeof(name));
		add(&e, "LDEN_%s_COUNT=%" PRIu64, name, v->count);
		if (v->has_size) {
			add(&e, "LDEN_%s_SIZE=%" PRIu64, name, v->size);
			/* 0: the guard stopped it, SIZE is its last value */
			add(&e, "LDEN_%s_SIZE_VALID=%d", name, v->size_valid);
			/* past 2^64 - 1 (number.h): SIZE is a floor */
			if (lden_u64_over(v->size))
				add(&e, "LDEN_%s_SIZE_OVERFLOW=1", name);
		}
		/* rounded as the text line shows it (an average has a
		 * fraction) */
		add(&e, "LDEN_%s_SPEED=%" PRIu64, name,
		    (uint64_t)llround(v->speed));
		add(&e, "LDEN_%s_SPEED_ESTIMATED=%d", name, v->speed_estimated);
		add(&e, "LDEN_%s_LOST=%" PRIu64, name, v->lost);
		/* 1: LOST is the shared ftrace ring's, as on the others
		 * with 1: LDEN_LOST_TOTAL counts it once */
		add(&e, "LDEN_%s_LOST_SHARED=%d", name, v->lost_shared);
		add(&e, "LDEN_%s_MISSED=%" PRIu64, name, v->missed);
		if (v->joined)
			add(&e, "LDEN_%s_UNSIZED=%" PRIu64, name, v->unsized);
	}
	add(&e, "LDEN_LOST_TOTAL=%" PRIu64, lden_alert__lost_total(a));
	if (e.failed || !e.v) {
		for (int i = 0; i < e.n; i++)
			free(e.v[i]);
		free(e.v);
		errno = ENOMEM;
		return NULL;
	}
	return e.v;
}

/* lden_proc__wait_until()'s stop: the watch's give-up flag */
static bool given_up(void *ctx)
{
	const atomic_bool *give_up = ctx;

	return give_up && atomic_load(give_up);
}

/* 1 when @pid ended by @deadline (status in *@st; 0 on an error) */
static int wait_until(pid_t pid, double deadline, const atomic_bool *give_up,
		      int *st)
{
	int rc = lden_proc__wait_until(pid, deadline, given_up,
				       (void *)give_up, st);

	if (rc < 0)
		*st = 0;
	return rc != 0;
}

int lden_deliver_exec(const char *command, const struct lden_alert *a,
		      double timeout, const atomic_bool *give_up, char *err,
		      size_t errlen)
{
	static char sh[] = "sh", dash_c[] = "-c";
	char *argv[] = { sh, dash_c, (char *)command, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	char **env = lden_alert__env(a);
	int rc, st = 0;
	pid_t pid;

	if (!env) {
		snprintf(err, errlen, "%s: out of memory", command);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	/* stdout is lden's (--json lines): the command writes to stderr */
	posix_spawn_file_actions_adddup2(&fa, 2, 1);
	/*
	 * no terminal input: in a group of its own it is not the terminal's
	 * foreground, where a read of the terminal would stop it (SIGTTIN)
	 * until its timeout killed it
	 */
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGHUP);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	/* a group of its own: an overrun kills what it started too */
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	rc = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	for (int i = 0; env[i]; i++)
		free(env[i]);
	free(env);
	if (rc) {
		snprintf(err, errlen, "%s: cannot run /bin/sh: %s", command,
			 strerror(rc));
		return -1;
	}
	if (!wait_until(pid, lden_now() + timeout, give_up, &st)) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (give_up && atomic_load(give_up))
			snprintf(err, errlen, "%s: killed: lden stopped", command);
		else
			snprintf(err, errlen, "%s: killed after %g s", command,
				 timeout);
		return -1;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st))
		snprintf(err, errlen, "%s: exited with status %d", command,
			 WEXITSTATUS(st));
	else
		snprintf(err, errlen, "%s: killed by signal %d", command,
			 WTERMSIG(st));
	return -1;
}
