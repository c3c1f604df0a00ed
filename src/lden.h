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

/* "lden: " + message + newline on stderr. */
void lden_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * lden_option_error - getopt_long's ':' (a value missing) or '?' (unknown)
 * for command @cmd, @opt the word it stopped at (argv[optind - 1]): prints
 * the one-line error and returns LDEN_EXIT_USAGE.
 */
int lden_option_error(const char *cmd, int c, const char *opt);

struct lden_guard_opts;

/*
 * lden_guard_option - the value of --max-rate or --max-cpu (getopt code
 * @c, LDEN_OPT_MAX_RATE or LDEN_OPT_MAX_CPU) into @o; when bad, prints
 * "lden: CMD: invalid --max-rate value ..." and returns LDEN_EXIT_USAGE
 */
int lden_guard_option(struct lden_guard_opts *o, int c, const char *arg,
		      const char *cmd);

struct lden_scope_opts;

/*
 * lden_scope_guard_option - the options every tracing command with -p, -g
 * shares: -p/--pid, --children (getopt code 'C'), -g/--cgroup into @s,
 * --max-rate and --max-cpu into @g
 * @word: the word getopt stopped at (argv[optind - 1]), or NULL
 * Returns 0, LDEN_EXIT_USAGE after printing the error (with @word, also
 * when @c is none of them: lden_option_error()), or, without @word, 1
 * when @c is none of them.
 */
int lden_scope_guard_option(struct lden_scope_opts *s,
			    struct lden_guard_opts *g, int c, const char *arg,
			    const char *cmd, const char *word);

struct lden_guard;
struct lden_guard_action;

/*
 * lden_guard_say - after @n = lden_guard_tick(): each new action handed to
 * @said (may be NULL; it may set a->size_used), then said once on stderr,
 * "lden: guard: 'EV' sampled at ...: EFFECT" (@effect NULL: the words of
 * lden_guard_message()).  @n < 0: prints "lden: [CMD: ]guard: <why>".
 * Returns 0, or -1 when @n was an error.
 */
int lden_guard_say(struct lden_guard *g, int n, const char *cmd,
		   const char *effect,
		   void (*said)(struct lden_guard_action *a, void *ctx),
		   void *ctx);

/*
 * lden_load_catalog - the installed catalog, /etc/lden/events.d,
 * $LDEN_EVENTS_PATH and @extra_dir; prints the error (with file and line)
 * and returns -1 when a file is bad.
 */
int lden_load_catalog(struct lden_catalog *cat, const char *extra_dir);

#endif
