// SPDX-License-Identifier: GPL-2.0-or-later
/* The program's messages (see cli.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "clock.h"
#include "caret.h"
#include "lden.h"

static const char *command;

void lden_cli__set_command(const char *name)
{
	command = name;
}

const char *lden_cli__command(void)
{
	return command;
}

/*
 * Messages quote what users and files gave (expressions, paths, event
 * names, --comm values, rules lines): every byte that is not printable
 * UTF-8 (a control, a line break, malformed UTF-8) is shown as \xNN, never
 * sent raw to the terminal, so that a message is one printable line.  Only
 * a message with its caret (lden_err_caret()) keeps its own line breaks:
 * its printer built those lines already shown (lden_escape__shown()).
 */
static void show(const char *prefix, bool lines, const char *msg)
{
	size_t n;

	if (!msg)
		msg = "out of memory";
	n = strlen(msg);
	fputs("lden: ", stderr);
	if (prefix)
		fprintf(stderr, "%s: ", prefix);
	for (size_t i = 0; i < n;) {
		char piece[LDEN_SHOWN_MAX];
		int cols;

		if (lines && msg[i] == '\n') {
			fputc('\n', stderr);
			i++;
			continue;
		}
		i += lden_escape__shown(msg + i, n - i, piece, &cols);
		fputs(piece, stderr);
	}
	fputc('\n', stderr);
}

static void say(const char *prefix, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	show(prefix, false, msg);
	free(msg);
}

void lden_err_caret(const char *text)
{
	show(NULL, true, text);
}

void lden_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(NULL, fmt, ap);
	va_end(ap);
}

void lden_cli__err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(command, fmt, ap);
	va_end(ap);
}

int lden_cli__option_error(int c, const char *word)
{
	if (c == ':')
		lden_cli__err("option '%s' needs a value", word);
	else
		lden_cli__err("unknown option '%s' (see 'lden %s --help')", word,
			     command);
	return LDEN_EXIT_USAGE;
}

/* 0: not debugging; else CLOCK_MONOTONIC ns the times are counted from */
static uint64_t debug_t0;

void lden_cli__debug_init(void)
{
	const char *v = getenv("LDEN_DEBUG");

	if (v && *v)
		debug_t0 = lden_now_ns();
}

bool lden_cli__debugging(void)
{
	return debug_t0 != 0;
}

void lden_cli__debug_prefix(FILE *f)
{
	fprintf(f, "lden: [+%.1f ms] ",
		(double)(lden_now_ns() - debug_t0) / 1e6);
}

void lden_debug(const char *fmt, ...)
{
	va_list ap;

	if (!debug_t0)
		return;
	lden_cli__debug_prefix(stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void lden_debug_cpu(void)
{
	unsigned long long run = 0, wait = 0;
	struct rusage ru;
	FILE *f;

	if (!debug_t0 || getrusage(RUSAGE_SELF, &ru) < 0)
		return;
	f = fopen("/proc/self/schedstat", "re");
	if (!f || fscanf(f, "%llu %llu", &run, &wait) != 2)
		wait = 0;
	if (f)
		fclose(f);
	lden_debug("CPU so far %.1f ms (user %.1f, system %.1f), waited for a CPU %.1f ms",
		   (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
			   (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3,
		   ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3,
		   ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3,
		   (double)wait / 1e6);
}

int lden_stdout_errno;

int lden_stdout__flush(void)
{
	if (lden_stdout_errno)
		return -1;
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	/* a write that failed before this flush left no errno we can trust */
	lden_stdout_errno = errno ? errno : -1;
	return -1;
}
