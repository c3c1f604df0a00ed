/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The program's messages: "lden: MESSAGE" on stderr, and the command's
 * own, "lden: CMD: MESSAGE", whose name the dispatcher sets once
 * (lden_cli__set_command()): no command types its own name.  Only the
 * program and the commands print; the files below them return errors.
 */
#ifndef LDEN_CLI_H
#define LDEN_CLI_H

#include <stdbool.h>
#include <stdio.h>

/*
 * "lden: " + message + newline on stderr, one printable line: every byte
 * that is not printable UTF-8 (controls, line breaks, malformed UTF-8)
 * shown as \xNN.
 */
void lden_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * lden_err_caret - "lden: " + @text, an error with its caret as
 * lden_expr__format_error() and lden_rules__format_error() build it: its
 * line breaks kept, the rest shown as lden_err() shows it
 */
void lden_err_caret(const char *text);

/* The command being run (lden.c sets it before calling it), or NULL. */
void lden_cli__set_command(const char *name);
const char *lden_cli__command(void);

/* "lden: CMD: " + message, CMD the command being run. */
void lden_cli__err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * lden_cli__option_error - getopt_long's ':' (a value missing) or '?'
 * (unknown) at @word (argv[optind - 1]): prints the one-line error and
 * returns LDEN_EXIT_USAGE.
 */
int lden_cli__option_error(int c, const char *word);

/*
 * Timing of a run, for a user who wants to know what a slow start or
 * stop waited on: with LDEN_DEBUG=timing in the environment (or any other
 * value: every debug message), "lden: [+12.3 ms] MESSAGE" on stderr, the
 * time since main() began, also for the library's debug messages.
 * lden_cli__debug_init() reads the environment once.
 */
void lden_cli__debug_init(void);
bool lden_cli__debugging(void);
void lden_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Under LDEN_DEBUG: lden's CPU time so far (user, system) and how long
 * its main thread waited for a CPU while runnable (/proc/self/schedstat):
 * on a loaded machine, what a slow start ran against what it waited.
 */
void lden_debug_cpu(void);
/* the prefix of a debug line on @f: "lden: [+12.3 ms] " */
void lden_cli__debug_prefix(FILE *f);

/*
 * The errno of stdout's first failed write (-1: its errno unknown), 0
 * while none failed: a full disk, or a reader gone (EPIPE).  The tracing
 * loops stop on it, and the program's exit names it.
 */
extern int lden_stdout_errno;

/* fflush(stdout); at the first failure keeps its errno; -1 once failed. */
int lden_stdout__flush(void);

#endif
