// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "escape.h"

bool lden_utf8_valid(const char *s, size_t n)
{
	uint32_t cp;

	while (n) {
		size_t k = ltr_utf8_seq(s, n, &cp);

		if (!k)
			return false;
		s += k;
		n -= k;
	}
	return true;
}

size_t lden_escape__text(const char *s, size_t n, unsigned int flags,
			char *out, size_t len)
{
	return ltr_text_escape(s, n, flags, out, len);
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

size_t lden_unescape__text(const char *s, char *out, size_t len)
{
	size_t k = 0;

	if (!len)
		return 0;
	while (*s && k + 1 < len) {
		int hi, lo;

		if (s[0] != '\\' || !s[1]) {
			out[k++] = *s++;
		} else if (s[1] == 'x' && (hi = hex_digit(s[2])) >= 0 &&
			   (lo = hex_digit(s[3])) >= 0) {
			out[k++] = (char)(hi << 4 | lo);
			s += 4;
		} else {
			out[k++] = s[1] == 'n' ? '\n' : s[1] == 't' ? '\t' :
				   s[1] == 'r' ? '\r' : s[1];
			s += 2;
		}
	}
	out[k] = '\0';
	return k;
}

const char *lden_escape__quote(const char *s, char *buf, size_t len)
{
	size_t n = strlen(s), k;
	char mark[48], *all;
	int m;

	if (len < sizeof(mark) + 8) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	all = malloc(4 * n + 1);
	if (all)
		lden_escape__text(s, n, 0, all, 4 * n + 1);
	if (all && strlen(all) < len) {
		memcpy(buf, all, strlen(all) + 1);
		free(all);
		return buf;
	}
	free(all);
	m = snprintf(mark, sizeof(mark), "... (%zu bytes)", n);
	k = lden_escape__text(s, n, 0, buf, len - (size_t)m);
	memcpy(buf + k, mark, (size_t)m + 1);
	return buf;
}

void lden_fputs_escaped(FILE *f, const char *s, unsigned int flags)
{
	size_t n = strlen(s);
	char *buf = malloc(4 * n + 1);

	if (!buf)
		return;
	lden_escape__text(s, n, flags, buf, 4 * n + 1);
	fputs(buf, f);
	free(buf);
}

char *lden_utf8_sanitize(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k = 0;
	/* U+FFFD is 3 bytes for each wrong one */
	char *buf = malloc(3 * n + 1);

	if (!buf)
		return NULL;
	while (n) {
		uint32_t cp;
		size_t seq = ltr_utf8_seq((const char *)p, n, &cp);

		if (seq) {
			memcpy(buf + k, p, seq);
			k += seq;
		} else {
			memcpy(buf + k, "\xef\xbf\xbd", 3);
			k += 3;
			seq = 1;
		}
		p += seq;
		n -= seq;
	}
	buf[k] = '\0';
	return buf;
}

struct json_object *lden_json_text(const char *s)
{
	struct json_object *o;
	char *buf;

	if (lden_utf8_valid(s, strlen(s)))
		return json_object_new_string(s);
	buf = lden_utf8_sanitize(s);
	if (!buf)
		return NULL;
	o = json_object_new_string(buf);
	free(buf);
	return o;
}

void lden_hex(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = 0;

	if (!len)
		return;
	for (const unsigned char *p = (const unsigned char *)s;
	     *p && k + 2 < len; p++) {
		out[k++] = hex[*p >> 4];
		out[k++] = hex[*p & 15];
	}
	out[k] = '\0';
}
