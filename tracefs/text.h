/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Text that may hold any byte, made safe to show on a terminal: the one
 * escaping of lden and of its tracing library.  The library's messages
 * (error.c) and everything lden shows (src/util/escape.c) go through it,
 * so that the two cannot drift apart.  Not installed, not exported by
 * liblden-trace.so: lden and the tests link the library statically.
 *
 * Printable ASCII and well-formed UTF-8 go out as they are; '\' is "\\";
 * newline, tab and carriage return are "\n", "\t", "\r"; every other byte
 * (controls, DEL, bytes of malformed UTF-8, and the UTF-8 of C1 controls
 * and of the bidirectional overrides U+202A..U+202E and U+2066..U+2069)
 * is "\xHH".  The text can be read back to the exact bytes.
 */
#ifndef LDEN_TRACE_TEXT_H
#define LDEN_TRACE_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* ltr_text_escape()'s @flags */
enum {
	/* a '?' ending the string is "\x3f" (a bare '?' after it is a mark) */
	LTR_TEXT_QMARK_LAST = 1,
	/* a space is "\x20" (the string is one column of several) */
	LTR_TEXT_SPACE = 2,
	/* a ';' is "\x3b" (the string is one frame of a folded stack) */
	LTR_TEXT_SEMICOLON = 4,
};

/*
 * ltr_utf8_seq - the length of the well-formed UTF-8 sequence at @s (@n
 * bytes left; RFC 3629: no overlong form, no surrogate, nothing above
 * U+10FFFF), its code point in @cp
 * Return: 1 to 4, or 0 when the bytes at @s are not one (@n is 0 included).
 */
size_t ltr_utf8_seq(const char *s, size_t n, uint32_t *cp);

/*
 * ltr_text_unsafe - whether @cp is a code point a terminal acts on or that
 * reorders the text around it: a C0 or C1 control, DEL, a bidirectional
 * override (U+202A..U+202E, U+2066..U+2069)
 */
int ltr_text_unsafe(uint32_t cp);

/*
 * ltr_text_hex - each of @n bytes of @s as "\xHH" into @out (4 * @n
 * bytes, not NUL-terminated)
 * Return: 4 * @n.
 */
size_t ltr_text_hex(const char *s, size_t n, char *out);

/*
 * ltr_text_escape - @n bytes of @s escaped into @out: NUL-terminated when
 * @len > 0, cut before the first escape or sequence that does not fit
 * whole (the bytes of an escaped multibyte sequence go or stay together)
 * @flags: LTR_TEXT_QMARK_LAST, LTR_TEXT_SPACE, LTR_TEXT_SEMICOLON, or 0
 * Return: the length written.
 */
size_t ltr_text_escape(const char *s, size_t n, unsigned int flags,
		       char *out, size_t len);

#endif
