/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lden program: commands describe themselves, lden.c only dispatches.
 * Adding a command (tests/cli/test-docs.sh, test-completion.sh and
 * test-install.sh find it through 'lden --help' and check all of this):
 *  - src/cmd-NAME.c exporting a struct lden_cmd, added to src_lden_SOURCES,
 *    and a row in lden.c's table;
 *  - -h/--help on stdout, exit 0, beginning "usage: lden NAME"; the usage
 *    line says EXPRESSION if the command takes one (the completion then
 *    offers count( size( speed( and event names); one option a line,
 *    "  -x, --long ARG  text", ARG in capitals: EVENT completes event
 *    names, DIR directories, FILE/PATH/COMMAND/SCRIPT files; a bad option
 *    exits 2;
 *  - man/lden-NAME.8.in (.TH LDEN-NAME 8, NAME "lden-NAME \- ...", and the
 *    sections NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXAMPLES, EXIT STATUS,
 *    SEE ALSO naming every long option of --help), in MAN_IN with its
 *    "man/lden-NAME.8: man/lden-NAME.8.in" line in Makefile.am;
 *  - in man/lden.8.in: a COMMANDS entry ".B NAME ..." and ".BR lden-NAME (8)"
 *    in SEE ALSO;
 *  - tests, and a README section.
 */
#ifndef LDEN_H
#define LDEN_H

#include <stdio.h>

#include "cli.h"

struct lden_catalog;

struct lden_cmd {
	const char *name;
	int (*run)(int argc, char **argv);	/* argv[0] is the name */
	const char *summary;			/* one line for lden --help */
};

extern const struct lden_cmd lden_cmd_list_events;
extern const struct lden_cmd lden_cmd_notify;
extern const struct lden_cmd lden_cmd_trace;
extern const struct lden_cmd lden_cmd_top;
extern const struct lden_cmd lden_cmd_visualize;
extern const struct lden_cmd lden_cmd_io;
extern const struct lden_cmd lden_cmd_watch;

/* Exit statuses shared by every command. */
#define LDEN_EXIT_OK 0
#define LDEN_EXIT_FAIL 1
#define LDEN_EXIT_USAGE 2

/*
 * lden_load_catalog - the installed catalog, /etc/lden/events.d,
 * $LDEN_EVENTS_PATH and @extra_dir; prints the error (with file and line)
 * and returns -1 when a file is bad.
 */
int lden_load_catalog(struct lden_catalog *cat, const char *extra_dir);

struct lden_kernel;

/*
 * lden_load_catalog_kernel - lden_load_catalog() (LDEN_EXIT_USAGE when it
 * failed), then what this kernel has (*@k, lden_kernel__new(): LDEN_EXIT_FAIL
 * when tracefs cannot be read).  Returns 0 or the exit status after
 * printing the error.
 */
int lden_load_catalog_kernel(struct lden_catalog *cat, const char *extra_dir,
			     struct lden_kernel **k);

#endif
