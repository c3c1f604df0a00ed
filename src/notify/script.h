/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The script lden notify runs when its condition fires (--script): a
 * child /bin/sh -c COMMAND whose only input is its environment, the
 * numbers of the moment in LDEN_* variables:
 *
 *   LDEN_ELAPSED     seconds since tracing started ("1.250")
 *   LDEN_FIRED       how many times the condition fired, this one included
 *   LDEN_EXPRESSION  the expression
 *   LDEN_<EVENT>_COUNT, _SIZE and _SIZE_VALID (events with a size; 0
 *                    when the overhead guard stopped it), _SPEED,
 *                    _SPEED_ESTIMATED (1 when an average over more than
 *                    the last second), _LOST, _MISSED (_UNSIZED)
 *                    per event, <EVENT> from lden_env_name_among()
 *
 *   LDEN_<EVENT>_LOST_SHARED  1 when _LOST is the drops of the ftrace ring,
 *                    the same on every event in it, else 0
 *   LDEN_LOST_TOTAL  records lost by all the events, such a ring's once
 *
 * It runs in a process group of its own, so that when lden is stopped
 * (a signal, or --time up) while it runs, it and what it started are
 * stopped too.  Its stdin is /dev/null: outside the terminal's
 * foreground group, a read of the terminal would stop it (SIGTTIN) and
 * lden with it, waiting.
 */
#ifndef LDEN_SCRIPT_H
#define LDEN_SCRIPT_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "aggregate.h"

/* What the script is told. */
struct lden_script_env {
	const char *expression;
	double elapsed;			/* seconds */
	int fired;
	const struct lden_stat *st;	/* nevents */
	int nevents;
};

/*
 * lden_script__start - fork and run @command with /bin/sh -c, @env in its
 * environment (lden's own is left alone), SIGINT and SIGTERM back to
 * their defaults, in a process group of its own; its stdout on lden's
 * stderr when @stdout_to_stderr (lden's stdout is JSON lines).  stdio is
 * flushed first so that nothing is written twice.  Returns the child's
 * pid (reap it with lden_script__wait()), or -1 with errno set.
 */
pid_t lden_script__start(const char *command, const struct lden_script_env *env,
			 bool stdout_to_stderr);

/* Seconds a script has at least, whatever is left of lden's --time. */
#define LDEN_SCRIPT_MIN_TIME 10.0

/* Why a script ended. */
enum lden_script_stop {
	LDEN_SCRIPT_ENDED,	/* by itself */
	LDEN_SCRIPT_STOPPED,	/* stopped with lden (a signal) */
	LDEN_SCRIPT_TIME_UP,	/* stopped at lden's --time */
};

/*
 * lden_script__wait - wait for the script @pid to end; when *@stop turns
 * non-zero first (a signal stopping lden), or @deadline passes (lden_now();
 * 0: none), its group gets SIGTERM (and SIGCONT), and SIGKILL 2 s later,
 * and *@stopped says which.  Its wait status in @status.
 * Returns 0, or -1 with errno set.
 */
int lden_script__wait(pid_t pid, const volatile sig_atomic_t *stop,
		      double deadline, int *status,
		      enum lden_script_stop *stopped);

/*
 * lden_script__print_status - "lden: script exited with status N" (or
 * "killed by signal N"), with " (lden was stopped)" or " (lden's --time
 * was up)" when @stopped, and a
 * newline on @out, for the wait @status
 */
void lden_script__print_status(FILE *out, int status,
			       enum lden_script_stop stopped);

/*
 * lden_script__print_json - {"type":"script","fired":N,"status":N or
 * "signal":N,"stopped_by_lden":B[,"time_up":true]} and a newline on @out
 */
void lden_script__print_json(FILE *out, int fired, int status,
			     enum lden_script_stop stopped);

#endif
