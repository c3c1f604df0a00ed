// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The last-error message of each thread, and the print hook: the library
 * itself never writes to a terminal.
 *
 * A message quotes what it was given (a filter, a path, a function name),
 * which may hold any byte: it is escaped by the code that escapes what
 * lden shows (text.h), so that it stays one line and a terminal shows it
 * as text.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "text.h"

static __thread char last_error[512];

__attribute__((format(printf, 2, 0)))
static int default_print(enum ltr_log_level level, const char *fmt,
			 va_list ap)
{
	if (level != LTR_WARN)
		return 0;
	fputs("lden-trace: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static ltr_print_fn_t print_fn = default_print;

ltr_print_fn_t ltr_set_print(ltr_print_fn_t fn)
{
	ltr_print_fn_t old = print_fn;

	print_fn = fn;
	return old;
}

void ltr_log(enum ltr_log_level level, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	if (!print_fn)
		return;
	va_start(ap, fmt);
	print_fn(level, fmt, ap);
	va_end(ap);
	errno = saved;
}

const char *ltr_last_error(void)
{
	return last_error;
}

void ltr_clear_error(void)
{
	last_error[0] = '\0';
}

__attribute__((format(printf, 1, 0)))
static void set_message(const char *fmt, va_list ap)
{
	char raw[sizeof(last_error)];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	ltr_text_escape(raw, strlen(raw), 0, last_error, sizeof(last_error));
}

int ltr_error(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_message(fmt, ap);
	va_end(ap);
	errno = err;
	return -err;
}

void *ltr_error_null(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_message(fmt, ap);
	va_end(ap);
	errno = err;
	return NULL;
}
