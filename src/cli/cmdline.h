/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line every tracing command shares: one table of the shared
 * options (--pid, --children, --cgroup, --container, --netns and -- CMD; --max-rate, --max-cpu;
 * --time; --events-dir; --json; --filter, --comm; --help), each command
 * taking the ones it has, and one parser that adds the command's own.
 * Errors are printed ("lden: CMD: ..."), CMD set once by the dispatcher.
 */
#ifndef LDEN_CMDLINE_H
#define LDEN_CMDLINE_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "guard.h"
#include "lden-trace.h"
#include "scope.h"

/* The shared options a command takes. */
enum lden_cmdline_shared {
	LDEN_CL_SCOPE = 1 << 0,		/* -p/--pid, --children, -g/--cgroup,
					   --container, -- CMD */
	LDEN_CL_GUARD = 1 << 1,		/* --max-rate, --max-cpu */
	LDEN_CL_TIME = 1 << 2,		/* -t/--time SEC */
	LDEN_CL_EVENTS_DIR = 1 << 3,	/* -d/--events-dir DIR */
	LDEN_CL_JSON = 1 << 4,		/* -j/--json */
	LDEN_CL_FILTER = 1 << 5,	/* -f/--filter EXPR, --comm NAME */
	LDEN_CL_RING = 1 << 6,		/* --ring RING */
	LDEN_CL_NETNS = 1 << 7,		/* --netns (the command filters with
					   lden_run__keep()) */
};

/* The getopt codes of the shared long options (short ones: their letter). */
enum {
	LDEN_CL_OPT_PID = 0x4c01, LDEN_CL_OPT_CHILDREN, LDEN_CL_OPT_CGROUP,
	LDEN_CL_OPT_TIME, LDEN_CL_OPT_EVENTS_DIR, LDEN_CL_OPT_JSON,
	LDEN_CL_OPT_FILTER, LDEN_CL_OPT_COMM, LDEN_CL_OPT_HELP,
	LDEN_CL_OPT_RING, LDEN_CL_OPT_NETNS, LDEN_CL_OPT_CONTAINER,
};

struct lden_cmdline {
	struct lden_scope_opts scope;
	struct lden_guard_opts guard;
	double time_limit;	/* seconds, 0: until a signal */
	const char *events_dir;
	bool json;
	const char *filter;
	const char *comm;
	/* where sampled events write (--ring), for lden_run__new() */
	enum ltr_ring_kind ring;
	const char *dash_arg;	/* an argument that begins with '-' (dash_expression) */
	char **args;		/* the arguments after the options */
	int nargs;
};

/*
 * The command's own options, called first with every getopt code (its
 * own short letters and long codes, and the shared codes, which it may
 * take over) and optarg: returns 0, 1 when it is not the command's, or an
 * exit status after printing the error.
 */
typedef int (*lden_cmdline_fn)(int c, const char *arg, void *ctx);

/* --ring's --help lines, for the commands that take LDEN_CL_RING */
#define LDEN_RING_USAGE \
	"      --ring RING       where sampled events write: auto (default: the\n" \
	"                        ftrace ring where it can serve), ftrace, perf\n"

struct lden_cmdline_def {
	unsigned int shared;		/* LDEN_CL_* */
	const char *shorts;		/* getopt's, own and shared, "h" included */
	const struct option *longopts;	/* own (may be NULL) */
	lden_cmdline_fn option;		/* own (may be NULL) */
	void (*usage)(FILE *out);
	bool dash_expression;		/* an argument "-count(x) < 1" is no option */
};

/*
 * lden_cmdline__parse - @argv (argv[0] the command's name) into @cl, the
 * command's own options through @def->option with @ctx
 * Returns 0, -1 when --help was shown, or LDEN_EXIT_USAGE after the error.
 */
int lden_cmdline__parse(struct lden_cmdline *cl,
		       const struct lden_cmdline_def *def, void *ctx,
		       int argc, char **argv);

/* "lden: CMD: unexpected argument 'X'" when there is one: LDEN_EXIT_USAGE. */
int lden_cmdline__no_args(const struct lden_cmdline *cl);

struct lden_web_config;

/*
 * lden_cmdline__web_config - --web-config @file (may be NULL: nothing to
 * do) loaded into @web, for a run that serves the dashboard or /metrics
 * (@serves; else the error, @hint after it).  Returns 0, or
 * LDEN_EXIT_USAGE after the error (@web freed).
 */
int lden_cmdline__web_config(const char *file, bool serves, const char *hint,
			    struct lden_web_config *web);

/* The --help lines of trace's and top's shared options. */
extern const char lden_cmdline_help[];

#endif
