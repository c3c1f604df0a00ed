/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line lden trace and lden top share: EVENT... and --filter,
 * --comm, --pid, --children, --cgroup, --json, --time, --events-dir,
 * --max-rate, --max-cpu, --help, -- COMMAND; each command adds its own options through a callback.  Errors
 * are printed ("lden: CMD: ...").
 */
#ifndef LDEN_EVOPTS_H
#define LDEN_EVOPTS_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "guard.h"
#include "scope.h"

struct lden_evopts {
	const char *filter;
	const char *comm;
	const char *events_dir;
	double time_limit;	/* seconds, 0: until a signal */
	bool json;
	struct lden_scope_opts scope;
	struct lden_guard_opts guard;	/* --max-rate, --max-cpu */
	char **events;		/* the EVENT arguments */
	int nevents;
};

/*
 * The command's own options: called with the getopt value and optarg;
 * returns 0, or an exit status after printing the error.
 */
typedef int (*lden_evopts_fn)(int c, const char *arg, void *ctx);

/*
 * lden_evopts_parse - parse @argv (argv[0] is the command's name)
 * @longopts, @shortopts: the command's own options (may be NULL, "")
 * Returns 0, -1 when --help was shown, or LDEN_EXIT_USAGE.
 */
int lden_evopts_parse(int argc, char **argv, const char *cmd,
		      const struct option *longopts, const char *shortopts,
		      lden_evopts_fn fn, void *ctx, void (*usage)(FILE *),
		      struct lden_evopts *o);

/*
 * -- COMMAND: lden_evopts_command_start() forks it, blocked, before the
 * events are attached (they follow its pid and children); after enabling
 * them, lden_command_go(&o->scope) releases it; the loop stops once
 * lden_command_poll(&o->scope) says it exited; at the end
 * lden_evopts_command_end() says how it ended ("lden: the command exited
 * with status 3") and returns lden's exit status: @status when it is a
 * failure, else the command's (128 + N when killed by signal N); and
 * lden_command_abandon() (always) reaps a command never released.
 * Without a command they do nothing (end returns @status); start returns
 * 0 or an exit status after printing the error.
 */
int lden_evopts_command_start(struct lden_evopts *o, const char *cmd);
int lden_evopts_command_end(struct lden_evopts *o, FILE *out, int status);

/* The --help lines of the shared options (each ends with a newline). */
extern const char lden_evopts_help[];

/* Stopping on SIGINT/SIGTERM/SIGHUP: lden_catch_stop_signals(). */
#include "collect.h"

#endif
