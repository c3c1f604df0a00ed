// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The last-error message of each thread, and the print hook: the library
 * itself never writes to a terminal.
 *
 * A message quotes what it was given (a filter, a path, a function name),
 * which may hold any byte: it is escaped as lden escapes what it shows
 * (src/util/escape.h), so that it stays one line and a terminal shows it
 * as text: '\' is "\\", newline, tab and carriage return "\n", "\t",
 * "\r", every other control byte, DEL, each byte of malformed UTF-8 and
 * of the UTF-8 of C1 controls and bidirectional overrides "\xHH".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

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

/*
 * The length of the well-formed UTF-8 sequence at @s (@n bytes left)
 * that a terminal shows as text, or 0 (malformed, a C1 control, a
 * bidirectional override or isolate).
 */
static size_t utf8_text(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0xc2 || s[0] > 0xf4 || n < len)
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	/* U+0080..U+009F; U+202A..U+202E; U+2066..U+2069 */
	if ((s[0] == 0xc2 && s[1] < 0xa0) ||
	    (s[0] == 0xe2 && s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae) ||
	    (s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9))
		return 0;
	return len;
}

/* @in escaped into @out (@len bytes), cut at a whole escape. */
static void escape_message(const char *in, char *out, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = strlen(in), at = 0;

	for (size_t i = 0; i < n;) {
		char esc[8];
		size_t k = 1;
		const char *piece = esc;

		if (s[i] == '\\') {
			piece = "\\\\";
		} else if (s[i] == '\n') {
			piece = "\\n";
		} else if (s[i] == '\t') {
			piece = "\\t";
		} else if (s[i] == '\r') {
			piece = "\\r";
		} else if (s[i] >= 0x20 && s[i] < 0x7f) {
			esc[0] = (char)s[i];
			esc[1] = '\0';
		} else if (s[i] >= 0x80 && (k = utf8_text(s + i, n - i))) {
			memcpy(esc, s + i, k);
			esc[k] = '\0';
		} else {
			k = 1;
			snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
		}
		if (at + strlen(piece) >= len)
			break;
		memcpy(out + at, piece, strlen(piece));
		at += strlen(piece);
		i += k;
	}
	if (len)
		out[at < len ? at : len - 1] = '\0';
}

__attribute__((format(printf, 1, 0)))
static void set_message(const char *fmt, va_list ap)
{
	char raw[sizeof(last_error)];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	escape_message(raw, last_error, sizeof(last_error));
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
