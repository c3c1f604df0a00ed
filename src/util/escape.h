/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strings from the traced programs (paths, argument lists, comm) made safe
 * to show: a file name may hold any byte but '/' and NUL, and a terminal
 * obeys the escape sequences it receives; a JSON parser rejects invalid
 * UTF-8.
 *
 * Text (tracefs/text.h, the one escaping of lden and its library's
 * messages): printable ASCII and well-formed UTF-8 go out as they are; '\' is
 * "\\"; newline, tab and carriage return are "\n", "\t", "\r"; a space
 * is "\x20" in a column (LDEN_ESC_SPACE: a name "a b" would read as two
 * columns and shift those after it); every
 * other byte (controls, DEL, bytes of malformed UTF-8, and the UTF-8 of
 * C1 controls and of the bidirectional overrides U+202A..U+202E and
 * U+2066..U+2069) is "\xHH".  So the text is unambiguous: it can be read
 * back to the exact bytes.
 *
 * JSON: RFC 8259 escapes ("\"", "\\", "\u001b"), well-formed UTF-8 as it
 * is, each byte of malformed UTF-8 as U+FFFD; the exact bytes then go in
 * a second member (lden_json_raw_hex).
 */
#ifndef LDEN_ESCAPE_H
#define LDEN_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "text.h"

struct json_object;

/* lden_escape__text()'s @flags */
enum {
	/*
	 * a '?' ending the string is written "\x3f", so that a bare '?'
	 * after it can only be lden's own mark (a late read)
	 */
	LDEN_ESC_QMARK_LAST = LTR_TEXT_QMARK_LAST,
	/* a space is written "\x20": the string is one column of several */
	LDEN_ESC_SPACE = LTR_TEXT_SPACE,
	/* a ';' is written "\x3b": the string is one frame of a folded stack */
	LDEN_ESC_SEMICOLON = LTR_TEXT_SEMICOLON,
};

/*
 * lden_escape__text - @n bytes of @s escaped for a terminal into @out
 * (always NUL-terminated when @len > 0; cut at a whole escape)
 * @flags: LDEN_ESC_QMARK_LAST, LDEN_ESC_SPACE, LDEN_ESC_SEMICOLON, or 0
 * Returns the length written.
 */
size_t lden_escape__text(const char *s, size_t n, unsigned int flags,
			char *out, size_t len);

/*
 * lden_unescape__text - lden_escape__text()'s output @s read back to its
 * bytes into @out (NUL-terminated, cut at @len)
 * Returns the length written.
 */
size_t lden_unescape__text(const char *s, char *out, size_t len);

/*
 * lden_escape__quote - @s quoted in a message, into @buf: escaped (a line
 * break too: the message stays one line), and when that is longer than
 * @len allows, cut at a whole escape and marked "... (N bytes)".
 * Returns @buf.
 */
const char *lden_escape__quote(const char *s, char *buf, size_t len);

/* The same, written to @f (with @flags). */
void lden_fputs_escaped(FILE *f, const char *s, unsigned int flags);

/* Whether @n bytes of @s are well-formed UTF-8. */
bool lden_utf8_valid(const char *s, size_t n);

/* A malloc'd copy of @s with each byte of malformed UTF-8 as U+FFFD. */
char *lden_utf8_sanitize(const char *s);

/*
 * lden_json_text - a JSON string of @s (a new json-c object, put it with
 * json_object_put()): malformed UTF-8 as U+FFFD, NULL when out of memory
 */
struct json_object *lden_json_text(const char *s);

/* Lowercase hex of @s's bytes into @out (cut at @len). */
void lden_hex(const char *s, char *out, size_t len);

#endif
