// SPDX-License-Identifier: GPL-2.0-or-later
/* A message line shown on a terminal, with its caret (see caret.h). */
#include <stdint.h>
#include <string.h>

#include "caret.h"
#include "text.h"

size_t lden_escape__shown(const char *s, size_t n,
			  char piece[LDEN_SHOWN_MAX], int *cols)
{
	uint32_t cp = 0;
	size_t seq = ltr_utf8_seq(s, n, &cp), t = 0;

	if (seq && !ltr_text_unsafe(cp)) {
		memcpy(piece, s, seq);
		piece[seq] = '\0';
		*cols = 1;
		return seq;
	}
	/* every byte of an unsafe character, or the one byte that is wrong */
	if (!seq)
		seq = 1;
	t = ltr_text_hex(s, seq, piece);
	piece[t] = '\0';
	*cols = (int)t;
	return seq;
}

size_t lden_escape__line(const char *s, char *out, size_t len)
{
	size_t n = strlen(s), k = 0, all = 0;

	if (len)
		out[0] = '\0';
	while (n) {
		char piece[LDEN_SHOWN_MAX];
		int cols;
		size_t used = lden_escape__shown(s, n, piece, &cols);
		size_t t = strlen(piece);

		/* once a piece does not fit, none after it goes in */
		if (k == all && k + t < len) {
			memcpy(out + k, piece, t + 1);
			k += t;
		}
		all += t;
		s += used;
		n -= used;
	}
	return all;
}

/* @t of @s to @buf at *@k, all or nothing, if it fits with a NUL after it */
static void put(char *buf, size_t len, size_t *k, const char *s, size_t t)
{
	if (*k + t < len) {
		memcpy(buf + *k, s, t);
		*k += t;
		buf[*k] = '\0';
	} else {
		/* cut here: nothing after it either */
		*k = len;
	}
}

size_t lden_escape__caret(const char *msg, const char *line, int at, int n,
			  bool tabs, char *buf, size_t len)
{
	size_t ll = strlen(line), k = 0, from = 0, to = 0, col = 0;
	if (!len)
		return 0;
	buf[0] = '\0';
	if (at < 0)
		at = 0;
	if ((size_t)at > ll)
		at = (int)ll;
	if (n < 1)
		n = 1;
	k = lden_escape__line(msg, buf, len);
	if (k >= len)
		return strlen(buf);
	put(buf, len, &k, "\n  ", 3);
	for (size_t i = 0; i < ll;) {
		char piece[LDEN_SHOWN_MAX];
		int cols = 1;
		size_t used = 1;

		if (strchr(" \t\n\r\v\f", line[i])) {
			cols = tabs && line[i] == '\t' ? 8 - (int)(col % 8) : 1;
			memset(piece, ' ', (size_t)cols);
			piece[cols] = '\0';
		} else {
			used = lden_escape__shown(line + i, ll - i, piece, &cols);
		}
		/* the caret from the first column of the first byte at fault */
		if (i <= (size_t)at && (size_t)at < i + used)
			from = col;
		if (i < (size_t)at + (size_t)n)
			to = col + (size_t)cols;
		put(buf, len, &k, piece, strlen(piece));
		col += (size_t)cols;
		i += used;
	}
	if ((size_t)at >= ll) {
		from = col;
		to = col + 1;
	}
	put(buf, len, &k, "\n  ", 3);
	for (size_t i = 0; i < from; i++)
		put(buf, len, &k, " ", 1);
	put(buf, len, &k, "^", 1);
	for (size_t i = from + 1; i < to; i++)
		put(buf, len, &k, "~", 1);
	return strlen(buf);
}
