/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The script lden notify runs when its condition fires (--script): a
 * child /bin/sh -c COMMAND whose only input is its environment, the
 * numbers of the moment in LDEN_* variables:
 *
 *   LDEN_ELAPSED     seconds since tracing started ("1.250")
 *   LDEN_FIRED       how many times the condition fired, this one included
 *   LDEN_EXPRESSION  the expression
 *   LDEN_<EVENT>_COUNT, _SIZE (events with a size), _SPEED, _LOST
 *                    per event, <EVENT> from lden_env_name()
 */
#ifndef LDEN_SCRIPT_H
#define LDEN_SCRIPT_H

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
 * their defaults.  stdio is flushed first so that nothing is written
 * twice.  Returns the child's pid (reap it with lden_script__wait()), or
 * -1 with errno set.
 */
pid_t lden_script__start(const char *command, const struct lden_script_env *env);

/*
 * lden_script__wait - wait for the script @pid to end, through EINTR
 * Its wait status in @status.  Returns 0, or -1 with errno set.
 */
int lden_script__wait(pid_t pid, int *status);

/*
 * lden_script__print_status - "lden: script exited with status N" (or
 * "killed by signal N") and a newline on @out, for the wait @status
 */
void lden_script__print_status(FILE *out, int status);

#endif
