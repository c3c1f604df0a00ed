/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A message line shown on a terminal: what users and files gave
 * (expressions, event names, paths, rules lines) may hold any byte, and
 * an error must stay printable lines whose caret is under the column at
 * fault.  Printable well-formed UTF-8 is shown as it is, every other byte
 * as "\xHH" (tracefs/text.h's rule of what is unsafe); a '\' as it is, so
 * that a line shown twice is shown the same.  No json-c, so that the
 * expression fuzzer links it.
 */
#ifndef LDEN_CARET_H
#define LDEN_CARET_H

#include <stdbool.h>
#include <stddef.h>

/* lden_escape__shown()'s longest piece, with its NUL: a character's four bytes escaped */
#define LDEN_SHOWN_MAX 17

/*
 * lden_escape__shown - the character at @s (@n > 0 bytes left) as one line
 * of a message shows it, into @piece (NUL-terminated): a printable
 * well-formed UTF-8 character as it is, one column; every byte of anything
 * else (a control, newline and tab too, DEL, malformed UTF-8, a C1
 * control, a bidirectional override) as "\xHH", four columns each.  A '\'
 * stays as it is, so that a line already shown shows the same.
 * @cols: set to the columns the piece takes
 * Returns how many bytes of @s the piece stands for (1 to 4).
 */
size_t lden_escape__shown(const char *s, size_t n,
			  char piece[LDEN_SHOWN_MAX], int *cols);

/*
 * lden_escape__line - @s as lden_escape__shown() shows it, into @out
 * (NUL-terminated when @len > 0, cut before a piece that does not fit)
 * Returns the length of the whole line shown, as snprintf() does: @len or
 * more when it was cut.
 */
size_t lden_escape__line(const char *s, char *out, size_t len);

/*
 * lden_escape__caret - "MSG\n  LINE\n  ^~~" into @buf (no final newline;
 * NUL-terminated when @len > 0, cut at @len): @msg one line as
 * lden_escape__line() shows it; @line so too but for its white space
 * (space, tab, line breaks), each shown as a space, a tab up to the next
 * multiple of 8 columns when @tabs; the caret and tildes under the
 * columns that bytes [@at, @at + @n) of @line take once shown (@at past
 * the end: one column after it).  @at, @n clipped to @line.
 * Returns the length written.
 */
size_t lden_escape__caret(const char *msg, const char *line, int at, int n,
			  bool tabs, char *buf, size_t len);

#endif
