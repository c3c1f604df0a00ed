// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lden_err() for the tests that link lden's logic without its program
 * (src/cli/cli.c, whose lden_err() escapes and prefixes the message):
 * scope.c and the library say their errors through it.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

void lden_err(const char *fmt, ...)
{
	va_list ap;

	fputs("lden: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
