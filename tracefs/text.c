// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The one escaping of text that may hold any byte (text.h).
 */
#include <string.h>

#include "text.h"

size_t ltr_utf8_seq(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;
	uint32_t c;

	if (!n)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
	if (n < len)
		return 0;
	/* the second byte's range rules out overlong forms, surrogates, > U+10FFFF */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	c = p[0] & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
	for (size_t i = 1; i < len; i++) {
		if (i > 1 && (p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	*cp = c;
	return len;
}

int ltr_text_unsafe(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	       (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

size_t ltr_text_hex(const char *s, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n; i++) {
		out[4 * i] = '\\';
		out[4 * i + 1] = 'x';
		out[4 * i + 2] = hex[p[i] >> 4];
		out[4 * i + 3] = hex[p[i] & 15];
	}
	return 4 * n;
}

size_t ltr_text_escape(const char *s, size_t n, unsigned int flags,
		       char *out, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k = 0;

	if (!len)
		return 0;
	while (n) {
		char piece[16];
		size_t t = 0, seq;
		uint32_t cp = 0;

		seq = ltr_utf8_seq((const char *)p, n, &cp);
		if (seq && !ltr_text_unsafe(cp) && cp != '\\' &&
		    !((flags & LTR_TEXT_QMARK_LAST) && n == 1 && cp == '?') &&
		    !((flags & LTR_TEXT_SPACE) && cp == ' ') &&
		    !((flags & LTR_TEXT_SEMICOLON) && cp == ';')) {
			memcpy(piece, p, seq);
			t = seq;
		} else if (cp == '\\' || cp == '\n' || cp == '\t' || cp == '\r') {
			piece[t++] = '\\';
			piece[t++] = cp == '\\' ? '\\' : cp == '\n' ? 'n' :
				     cp == '\t' ? 't' : 'r';
		} else {
			/* every byte of an unsafe sequence, or the one wrong byte */
			if (!seq)
				seq = 1;
			t = ltr_text_hex((const char *)p, seq, piece);
		}
		if (k + t >= len)
			break;
		memcpy(out + k, piece, t);
		k += t;
		p += seq;
		n -= seq;
	}
	out[k] = '\0';
	return k;
}
