/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lden program: commands describe themselves, lden.c only dispatches.
 * Adding a command: its file (cmd-NAME.c) exporting a struct lden_cmd, a
 * row in lden.c's table, a man page man/lden-NAME.8, and tests.
 */
#ifndef LDEN_H
#define LDEN_H

#include <stdio.h>

struct lden_catalog;

struct lden_cmd {
	const char *name;
	int (*run)(int argc, char **argv);	/* argv[0] is the name */
	const char *summary;			/* one line for lden --help */
};

extern const struct lden_cmd lden_cmd_list_events;
extern const struct lden_cmd lden_cmd_notify;
extern const struct lden_cmd lden_cmd_io;

/* Exit statuses shared by every command. */
#define LDEN_EXIT_OK 0
#define LDEN_EXIT_FAIL 1
#define LDEN_EXIT_USAGE 2

/* "lden: " + message + newline on stderr. */
void lden_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * lden_load_catalog - the installed catalog, /etc/lden/events.d,
 * $LDEN_EVENTS_PATH and @extra_dir; prints the error (with file and line)
 * and returns -1 when a file is bad.
 */
int lden_load_catalog(struct lden_catalog *cat, const char *extra_dir);

#endif
