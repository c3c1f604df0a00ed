// SPDX-License-Identifier: GPL-2.0-or-later
/* The program's messages (see cli.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
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
 * Messages quote what users and files gave (expressions, paths, catalog
 * lines): a control byte in them is shown as \xNN, never sent raw to the
 * terminal; the message's own line breaks stay.
 */
static void say(const char *prefix, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	fputs("lden: ", stderr);
	if (prefix)
		fprintf(stderr, "%s: ", prefix);
	for (const char *c = msg ? msg : "out of memory"; *c; c++) {
		unsigned char b = (unsigned char)*c;

		if ((b < 0x20 && b != '\n') || b == 0x7f)
			fprintf(stderr, "\\x%02x", b);
		else
			fputc(b, stderr);
	}
	fputc('\n', stderr);
	free(msg);
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

/*
 * When the process was made, on the monotonic clock: its start time in
 * /proc/self/stat (clock ticks since boot, on CLOCK_BOOTTIME), so that the
 * times include the loading of the program; main's time when unreadable.
 */
static uint64_t exec_time(void)
{
	uint64_t now = lden_now_ns(), boot, start;
	struct timespec ts;
	char buf[1024], *p;
	unsigned long long ticks;
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f = fopen("/proc/self/stat", "re");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	int i;

	if (f)
		fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* starttime is field 22; p is at the end of field 2 */
	for (i = 2; p && i < 21; i++)
		p = strchr(p + 1, ' ');
	if (!p || hz <= 0 || sscanf(p + 1, "%llu", &ticks) != 1 ||
	    clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return now;
	boot = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	start = ticks * (1000000000ull / (uint64_t)hz);
	return boot > start && boot - start < now ? now - (boot - start) : now;
}

void lden_cli__debug_init(void)
{
	const char *v = getenv("LDEN_DEBUG");

	if (v && *v)
		debug_t0 = exec_time();
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
